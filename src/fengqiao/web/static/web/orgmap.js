/*
 * Organisation maps: unit polygons from /api/v1/org-units/<id>/geojson on a plain background
 * (no tile server, so the map works on closed networks).
 *
 * <div data-org-map
 *      data-geojson-url="…"            polygons to draw (the unit's children by default)
 *      data-grid-url="…"               optional second layer, chosen with [data-map-layer] buttons
 *      data-unit-url-template="/org/0/" a click on a polygon opens that unit's page
 *      data-find-form="#find-grid"     optional: in "find grid" mode a click fills and submits it
 *      data-initial-mode="find"        optional: start in "find grid" mode (a grid's own page)
 *      data-empty-text="…">
 */
(function () {
  "use strict";

  var LEVEL_COLOURS = {
    1: "#7a2e2e",
    2: "#1f4e8c",
    3: "#2a7a6f",
    4: "#8a6d1f",
    5: "#5b4a9b"
  };
  var LABEL_LIMIT = 16;

  function styleFor(level) {
    var colour = LEVEL_COLOURS[level] || "#1f4e8c";
    return { color: colour, weight: 1.5, opacity: 0.9, fillColor: colour, fillOpacity: 0.16 };
  }

  function setPressed(buttons, active) {
    buttons.forEach(function (button) {
      var on = button === active;
      button.classList.toggle("active", on);
      button.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }

  function initMap(el) {
    if (typeof L === "undefined" || el.dataset.mapReady) {
      return;
    }
    el.dataset.mapReady = "1";
    var map = L.map(el, { attributionControl: false, zoomSnap: 0.25, scrollWheelZoom: false });
    map.setView([30, 105], 4);
    map.on("focus", function () { map.scrollWheelZoom.enable(); });
    map.on("blur", function () { map.scrollWheelZoom.disable(); });

    var scope = el.closest(".panel") || document;
    var findForm = el.dataset.findForm ? document.querySelector(el.dataset.findForm) : null;
    var template = el.dataset.unitUrlTemplate || "";
    var layer = null;
    var marker = null;
    var mode = el.dataset.initialMode || "open";
    el.classList.toggle("map-find-mode", mode === "find");
    var message = L.DomUtil.create("div", "map-message", el);

    function unitUrl(id) {
      return template.replace("/0/", "/" + id + "/");
    }

    function showMessage(text) {
      message.textContent = text || "";
      message.style.display = text ? "block" : "none";
    }

    function load(url) {
      el.setAttribute("aria-busy", "true");
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          if (layer) {
            map.removeLayer(layer);
          }
          var features = data.features || [];
          var labelled = features.length <= LABEL_LIMIT;
          layer = L.geoJSON(data, {
            style: function (feature) { return styleFor(feature.properties.level); },
            onEachFeature: function (feature, path) {
              path.bindTooltip(feature.properties.name, labelled
                ? { permanent: true, direction: "center", className: "map-label" }
                : { sticky: true });
              path.on("mouseover", function () { path.setStyle({ fillOpacity: 0.34, weight: 2.5 }); });
              path.on("mouseout", function () { layer.resetStyle(path); });
              path.on("click", function () {
                if (mode === "open" && template) {
                  window.location.href = unitUrl(feature.properties.id);
                }
              });
            }
          }).addTo(map);
          el.dataset.featureCount = String(features.length);
          if (features.length) {
            map.fitBounds(layer.getBounds(), { padding: [16, 16] });
            showMessage("");
          } else {
            showMessage(el.dataset.emptyText || "");
          }
        })
        .catch(function () {
          showMessage(el.dataset.errorText || "—");
        })
        .finally(function () {
          el.removeAttribute("aria-busy");
        });
    }

    map.on("click", function (event) {
      if (mode !== "find" || !findForm) {
        return;
      }
      var lat = event.latlng.lat.toFixed(6);
      var lng = event.latlng.lng.toFixed(6);
      findForm.elements.lat.value = lat;
      findForm.elements.lng.value = lng;
      if (marker) {
        marker.setLatLng(event.latlng);
      } else {
        marker = L.circleMarker(event.latlng, {
          radius: 7, color: "#b3261e", weight: 2, fillColor: "#fff", fillOpacity: 1
        }).addTo(map);
      }
      findForm.requestSubmit();
    });

    var layerButtons = Array.prototype.slice.call(scope.querySelectorAll("[data-map-layer]"));
    layerButtons.forEach(function (button) {
      button.addEventListener("click", function () {
        setPressed(layerButtons, button);
        load(button.dataset.mapLayer === "grids" ? el.dataset.gridUrl : el.dataset.geojsonUrl);
      });
    });

    var modeButtons = Array.prototype.slice.call(scope.querySelectorAll("[data-map-mode]"));
    modeButtons.forEach(function (button) {
      button.addEventListener("click", function () {
        setPressed(modeButtons, button);
        mode = button.dataset.mapMode;
        el.classList.toggle("map-find-mode", mode === "find");
      });
    });

    load(el.dataset.geojsonUrl);
  }

  function initAll(root) {
    root.querySelectorAll("[data-org-map]").forEach(initMap);
  }

  document.addEventListener("DOMContentLoaded", function () { initAll(document); });
  document.addEventListener("htmx:load", function (event) { initAll(event.target); });
})();
