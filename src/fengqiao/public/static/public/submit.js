/*
 * The submission form's two helpers, both optional (the form works without JavaScript):
 *  - choose a kind of dispute first, then the category within it;
 *  - tap the grid map to record where it happened (fills the hidden lat/lng fields).
 * The map draws the public grid layer on a plain background: no tile server is needed.
 */
(function () {
  "use strict";

  var CLOSE_ZOOM = 14;

  function initCategories(form) {
    var field = form.querySelector("[data-major-field]");
    var major = form.querySelector("[data-major-select]");
    var category = form.elements.category;
    if (!field || !major || !category) {
      return;
    }
    var groups = Array.prototype.slice.call(category.querySelectorAll("optgroup")).map(function (group) {
      return { label: group.label, options: Array.prototype.slice.call(group.children) };
    });
    var placeholder = category.options[0] && !category.options[0].value ? category.options[0] : null;
    var chosen = category.value;

    function show(label) {
      var selected = category.value;
      while (category.firstChild) {
        category.removeChild(category.firstChild);
      }
      if (placeholder) {
        category.appendChild(placeholder);
      }
      groups.forEach(function (group) {
        if (group.label === label) {
          group.options.forEach(function (option) { category.appendChild(option); });
        }
      });
      category.value = selected;
      if (category.value !== selected) {
        category.value = "";
      }
      category.disabled = !label;
    }

    if (chosen) {
      groups.forEach(function (group) {
        group.options.forEach(function (option) {
          if (option.value === chosen) {
            major.value = group.label;
          }
        });
      });
    }
    field.hidden = false;
    show(major.value);
    major.addEventListener("change", function () {
      show(major.value);
      if (major.value) {
        category.focus();
      }
    });
  }

  function initMap(form) {
    var el = document.getElementById("pick-map");
    if (!el || typeof L === "undefined") {
      return;
    }
    var lat = form.elements.lat;
    var lng = form.elements.lng;
    var status = form.querySelector("[data-point-status]");
    var clearButton = form.querySelector("[data-clear-point]");
    var locateButton = form.querySelector("[data-locate]");
    var map = L.map(el, { attributionControl: false, zoomSnap: 0.25, scrollWheelZoom: false, tap: true });
    map.setView([30, 105], 4);
    var layer = null;
    var marker = null;
    var message = L.DomUtil.create("div", "map-message", el);
    var base = { color: "#5b4a9b", weight: 1.2, opacity: 0.9, fillColor: "#5b4a9b", fillOpacity: 0.1 };
    var picked = { color: "#b3261e", weight: 2.5, opacity: 1, fillColor: "#b3261e", fillOpacity: 0.22 };

    function showMessage(text) {
      message.textContent = text || "";
      message.style.display = text ? "block" : "none";
    }

    function gridAt(latlng) {
      var found = null;
      if (!layer) {
        return null;
      }
      layer.eachLayer(function (path) {
        if (!found && contains(path, latlng)) {
          found = path;
        }
      });
      return found;
    }

    function contains(path, latlng) {
      if (!path.getBounds().contains(latlng)) {
        return false;
      }
      var rings = path.getLatLngs();
      var polygons = Array.isArray(rings[0]) && Array.isArray(rings[0][0]) ? rings : [rings];
      return polygons.some(function (polygon) {
        return inRing(polygon[0], latlng);
      });
    }

    function inRing(ring, point) {
      var inside = false;
      for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        var a = ring[i];
        var b = ring[j];
        if ((a.lat > point.lat) !== (b.lat > point.lat) &&
            point.lng < (b.lng - a.lng) * (point.lat - a.lat) / (b.lat - a.lat) + a.lng) {
          inside = !inside;
        }
      }
      return inside;
    }

    function setPoint(latlng) {
      if (layer) {
        layer.setStyle(base);
      }
      if (!latlng) {
        lat.value = "";
        lng.value = "";
        if (marker) {
          map.removeLayer(marker);
          marker = null;
        }
        status.textContent = status.dataset.none;
        status.className = "result result-none";
        clearButton.hidden = true;
        return;
      }
      lat.value = latlng.lat.toFixed(6);
      lng.value = latlng.lng.toFixed(6);
      if (marker) {
        marker.setLatLng(latlng);
      } else {
        marker = L.circleMarker(latlng, {
          radius: 8, color: "#b3261e", weight: 3, fillColor: "#fff", fillOpacity: 1
        }).addTo(map);
      }
      var grid = gridAt(latlng);
      if (grid) {
        grid.setStyle(picked);
        status.textContent = status.dataset.inside + " " + grid.feature.properties.name;
        status.className = "result result-ok";
      } else {
        status.textContent = status.dataset.outside;
        status.className = "result result-none";
      }
      clearButton.hidden = false;
    }

    fetch(el.dataset.gridsUrl, { headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        var features = data.features || [];
        layer = L.geoJSON(data, {
          style: function () { return base; },
          onEachFeature: function (feature, path) {
            path.bindTooltip(feature.properties.name, features.length <= 16
              ? { permanent: true, direction: "center", className: "map-label" }
              : { sticky: true });
          }
        }).addTo(map);
        if (features.length) {
          map.fitBounds(layer.getBounds(), { padding: [12, 12] });
        } else {
          showMessage(el.dataset.emptyText);
        }
        if (lat.value && lng.value) {
          setPoint(L.latLng(parseFloat(lat.value), parseFloat(lng.value)));
          map.setView(marker.getLatLng(), CLOSE_ZOOM);
        }
      })
      .catch(function () {
        showMessage(el.dataset.errorText);
      });

    map.on("click", function (event) {
      setPoint(event.latlng);
      // Grids are small: a tap on the overview zooms in so the next tap can be precise.
      if (map.getZoom() < CLOSE_ZOOM) {
        map.setView(event.latlng, CLOSE_ZOOM);
      }
    });
    clearButton.addEventListener("click", function () { setPoint(null); });

    if (navigator.geolocation && window.isSecureContext) {
      locateButton.hidden = false;
      locateButton.addEventListener("click", function () {
        navigator.geolocation.getCurrentPosition(
          function (position) {
            var here = L.latLng(position.coords.latitude, position.coords.longitude);
            setPoint(here);
            map.setView(here, CLOSE_ZOOM);
          },
          function () {
            status.textContent = status.dataset.locateFailed;
            status.className = "result result-error";
          },
          { enableHighAccuracy: true, timeout: 10000 }
        );
      });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("submit-form");
    if (form) {
      initCategories(form);
      initMap(form);
    }
  });
})();
