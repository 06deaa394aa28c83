/*
 * The intake desk: keyboard shortcuts, category suggestions, the location map and party rows.
 *
 *   Ctrl+Enter (or Cmd+Enter)  register the case
 *   Alt+1 … Alt+5              take the n-th suggested category
 *
 * The live panels (suggestions, duplicates, routing) are htmx; this file only wires what htmx
 * cannot: choosing a suggestion, the map, and adding party rows.
 */
(function () {
  "use strict";

  function readJson(id, fallback) {
    var el = document.getElementById(id);
    if (!el) {
      return fallback;
    }
    try {
      return JSON.parse(el.textContent);
    } catch (e) {
      return fallback;
    }
  }

  function fire(el, name) {
    el.dispatchEvent(new Event(name, { bubbles: true }));
  }

  function initIntake(form) {
    var category = form.querySelector("#id_category");
    var title = form.querySelector("#id_title");
    var risk = form.querySelector("#id_risk_colour");
    var riskNote = document.getElementById("risk-default-note");
    var risks = readJson("category-risks", {});
    var text = readJson("intake-text", { risk: {}, riskDefault: "%s" });

    form.querySelectorAll("[data-no-js-only]").forEach(function (el) { el.hidden = true; });

    // --- keyboard -------------------------------------------------------------------------
    form.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit();
        return;
      }
      if (event.altKey && !event.ctrlKey && /^[1-9]$/.test(event.key)) {
        var buttons = form.querySelectorAll(".suggestion[data-category]");
        var chosen = buttons[Number(event.key) - 1];
        if (chosen) {
          event.preventDefault();
          choose(chosen);
        }
      }
    });

    // --- category suggestions -------------------------------------------------------------
    function showRiskDefault() {
      if (!riskNote || !category) {
        return;
      }
      var colour = risks[category.value];
      if (colour && risk && !risk.value) {
        riskNote.textContent = text.riskDefault.replace("%s", text.risk[colour] || colour);
        riskNote.hidden = false;
      } else {
        riskNote.hidden = true;
      }
    }

    function markSelected() {
      form.querySelectorAll(".suggestion[data-category]").forEach(function (button) {
        var on = category && button.dataset.category === category.value;
        button.classList.toggle("selected", on);
        button.setAttribute("aria-pressed", on ? "true" : "false");
      });
    }

    function choose(button) {
      if (!category) {
        return;
      }
      category.value = button.dataset.category;
      fire(category, "change");
      markSelected();
      (title || category).focus();
    }

    form.addEventListener("click", function (event) {
      var button = event.target.closest(".suggestion[data-category]");
      if (button) {
        event.preventDefault();
        choose(button);
      }
    });
    if (category) {
      category.addEventListener("change", function () { showRiskDefault(); markSelected(); });
    }
    if (risk) {
      risk.addEventListener("change", showRiskDefault);
    }
    showRiskDefault();

    // --- cross-region: choosing the other jurisdiction ticks the box ---------------------------
    var partner = form.querySelector("#id_partner_unit");
    var crossRegion = form.querySelector("#id_cross_region");
    if (partner && crossRegion) {
      partner.addEventListener("change", function () {
        if (partner.value) {
          crossRegion.checked = true;
        }
      });
    }

    // --- parties ----------------------------------------------------------------------------
    var addParty = form.querySelector("[data-add-party]");
    var rows = form.querySelector("[data-party-rows]");
    var template = document.getElementById("party-template");
    var total = form.querySelector("#id_parties-TOTAL_FORMS");
    var maxForms = form.querySelector("#id_parties-MAX_NUM_FORMS");
    if (addParty && rows && template && total) {
      addParty.hidden = false;
      addParty.addEventListener("click", function () {
        var index = Number(total.value);
        if (maxForms && index >= Number(maxForms.value)) {
          return;
        }
        var html = template.innerHTML.replace(/__prefix__/g, String(index));
        rows.insertAdjacentHTML("beforeend", html);
        total.value = String(index + 1);
        var first = rows.lastElementChild.querySelector("input[name$='-name']");
        if (first) {
          first.focus();
        }
      });
    }

    // --- errors: start where the first problem is --------------------------------------------
    if (form.querySelector("[data-focus-first-error]")) {
      var invalid = form.querySelector("[aria-invalid='true']");
      if (invalid) {
        invalid.focus();
      }
    }

    initMap(form);
  }

  // --- map --------------------------------------------------------------------------------------
  function initMap(form) {
    var el = document.getElementById("intake-map");
    if (!el || typeof L === "undefined") {
      return;
    }
    var lat = form.querySelector("#id_lat");
    var lng = form.querySelector("#id_lng");
    var clear = form.querySelector("[data-clear-point]");
    var result = document.getElementById("intake-location");
    var map = L.map(el, { attributionControl: false, zoomSnap: 0.25, scrollWheelZoom: false });
    map.setView([30, 105], 4);
    map.on("focus", function () { map.scrollWheelZoom.enable(); });
    map.on("blur", function () { map.scrollWheelZoom.disable(); });
    var message = L.DomUtil.create("div", "map-message", el);
    var marker = null;
    var bounds = null;

    function showMessage(value) {
      message.textContent = value || "";
      message.style.display = value ? "block" : "none";
    }

    function place(latlng) {
      if (marker) {
        marker.setLatLng(latlng);
      } else {
        marker = L.circleMarker(latlng, {
          radius: 7, color: "#b3261e", weight: 2, fillColor: "#fff", fillOpacity: 1
        }).addTo(map);
      }
    }

    function locate() {
      if (!result || typeof htmx === "undefined") {
        return;
      }
      htmx.ajax("GET", form.dataset.locateUrl + "?lat=" + encodeURIComponent(lat.value) +
        "&lng=" + encodeURIComponent(lng.value), { target: result, swap: "innerHTML" });
    }

    map.on("click", function (event) {
      lat.value = event.latlng.lat.toFixed(6);
      lng.value = event.latlng.lng.toFixed(6);
      place(event.latlng);
      if (clear) {
        clear.hidden = false;
      }
      locate();
      document.body.dispatchEvent(new Event("intake:point"));
    });

    if (clear) {
      clear.addEventListener("click", function () {
        lat.value = "";
        lng.value = "";
        if (marker) {
          map.removeLayer(marker);
          marker = null;
        }
        if (result) {
          result.innerHTML = "";
        }
        clear.hidden = true;
        document.body.dispatchEvent(new Event("intake:point"));
      });
    }

    var sources = (el.dataset.mapSources || "").split(" ").filter(Boolean);
    var pending = sources.length;
    var features = 0;
    if (!pending) {
      showMessage(el.dataset.emptyText);
    }
    sources.forEach(function (url) {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          var list = data.features || [];
          features += list.length;
          var labelled = list.length <= 24;
          var layer = L.geoJSON(data, {
            style: function () {
              return { color: "#5b4a9b", weight: 1.2, opacity: 0.9, fillColor: "#5b4a9b", fillOpacity: 0.1 };
            },
            onEachFeature: function (feature, path) {
              path.bindTooltip(feature.properties.name, labelled
                ? { permanent: true, direction: "center", className: "map-label" }
                : { sticky: true });
            }
          }).addTo(map);
          if (list.length) {
            bounds = bounds ? bounds.extend(layer.getBounds()) : layer.getBounds();
          }
        })
        .catch(function () { showMessage(el.dataset.errorText); })
        .finally(function () {
          pending -= 1;
          if (pending === 0) {
            if (marker) {
              map.setView(marker.getLatLng(), Math.max(map.getZoom(), 14));
            } else if (bounds) {
              map.fitBounds(bounds, { padding: [12, 12] });
            } else if (!features) {
              showMessage(el.dataset.emptyText);
            }
          }
        });
    });

    if (lat.value && lng.value) {
      place(L.latLng(Number(lat.value), Number(lng.value)));
      locate();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-intake]");
    if (form) {
      initIntake(form);
    }
  });
})();
