/*
 * Service-circle maps (no tiles: unit polygons on a plain background, like web/orgmap.js).
 *
 * <div data-service-map data-geojson-url="…" data-form="#nearest-form">
 *   A click fills the form's lat/lng and submits it (htmx); the answer's rows carry
 *   data-lat/data-lng, drawn as markers with the reach circle around the chosen point.
 * <div data-coverage-map data-geojson-url="…">
 *   Grids coloured by coverage status; [data-suggestion] children are the suggested sites.
 */
(function () {
  "use strict";

  var STATUS_COLOURS = { covered: "#2e8b57", partly: "#e0a526", not_covered: "#c0392b" };

  function newMap(el) {
    var map = L.map(el, { attributionControl: false, zoomSnap: 0.25, scrollWheelZoom: false });
    map.setView([30, 105], 4);
    map.on("focus", function () { map.scrollWheelZoom.enable(); });
    map.on("blur", function () { map.scrollWheelZoom.disable(); });
    return map;
  }

  function message(el, text) {
    var box = el.querySelector(".map-message") || L.DomUtil.create("div", "map-message", el);
    box.textContent = text || "";
    box.style.display = text ? "block" : "none";
  }

  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      });
  }

  function initNearest(el) {
    var map = newMap(el);
    var form = document.querySelector(el.dataset.form);
    var results = L.layerGroup().addTo(map);
    if (el.dataset.geojsonUrl) {
      fetchJson(el.dataset.geojsonUrl).then(function (data) {
        var layer = L.geoJSON(data, {
          style: { color: "#1f4e8c", weight: 1.2, fillColor: "#1f4e8c", fillOpacity: 0.08 },
          onEachFeature: function (feature, path) {
            path.bindTooltip(feature.properties.name, { sticky: true });
          }
        }).addTo(map);
        layer.bringToBack();
        if ((data.features || []).length) { map.fitBounds(layer.getBounds(), { padding: [12, 12] }); }
        el.dataset.ready = "1";
      }).catch(function () { message(el, el.dataset.errorText); });
    } else {
      el.dataset.ready = "1";
    }

    map.on("click", function (event) {
      form.elements.lat.value = event.latlng.lat.toFixed(6);
      form.elements.lng.value = event.latlng.lng.toFixed(6);
      form.elements.q.value = "";
      form.requestSubmit();
    });

    function drawResults() {
      results.clearLayers();
      var point = document.querySelector("#nearest-results [data-nearest-point]");
      if (!point) { return; }
      var here = L.latLng(parseFloat(point.dataset.lat), parseFloat(point.dataset.lng));
      L.circle(here, {
        radius: parseFloat(point.dataset.reachM), color: "#2e8b57", weight: 1, fillOpacity: 0.06
      }).addTo(results);
      L.circleMarker(here, {
        radius: 7, color: "#b3261e", weight: 2, fillColor: "#fff", fillOpacity: 1
      }).addTo(results);
      var bounds = L.latLngBounds([here]);
      document.querySelectorAll("#nearest-results [data-station]").forEach(function (row, i) {
        var at = L.latLng(parseFloat(row.dataset.lat), parseFloat(row.dataset.lng));
        bounds.extend(at);
        L.polyline([here, at], { color: "#1f4e8c", weight: 1, dashArray: "4 4" }).addTo(results);
        L.circleMarker(at, { radius: 6, color: "#1f4e8c", fillColor: "#1f4e8c", fillOpacity: 0.9 })
          .bindTooltip(String(i + 1) + ". " + row.dataset.name, { permanent: i < 3, direction: "top" })
          .addTo(results);
      });
      el.dataset.markers = String(document.querySelectorAll("#nearest-results [data-station]").length);
      if (bounds.isValid()) { map.fitBounds(bounds.pad(0.3), { maxZoom: 15, animate: false }); }
    }

    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.target && event.target.id === "nearest-results") { drawResults(); }
    });
    drawResults();
  }

  function initCoverage(el) {
    var map = newMap(el);
    var suggestions = Array.prototype.slice.call(el.querySelectorAll("[data-suggestion]"));
    fetchJson(el.dataset.geojsonUrl).then(function (data) {
      var features = data.features || [];
      var labelled = features.length <= 16;
      var layer = L.geoJSON(data, {
        style: function (feature) {
          var colour = STATUS_COLOURS[feature.properties.status] || "#888";
          return { color: colour, weight: 1, fillColor: colour, fillOpacity: 0.45 };
        },
        onEachFeature: function (feature, path) {
          var p = feature.properties;
          var text = p.name + " · " + Math.round(p.share * 100) + "%";
          path.bindTooltip(text, labelled
            ? { permanent: true, direction: "center", className: "map-label" }
            : { sticky: true });
        }
      }).addTo(map);
      suggestions.forEach(function (s) {
        L.marker(L.latLng(parseFloat(s.dataset.lat), parseFloat(s.dataset.lng)), {
          icon: L.divIcon({ className: "suggest-icon", html: "<b>★" + s.dataset.rank + "</b>" })
        }).addTo(map);
      });
      el.dataset.featureCount = String(features.length);
      if (features.length) {
        map.fitBounds(layer.getBounds(), { padding: [12, 12] });
        message(el, "");
      } else {
        message(el, el.dataset.emptyText);
      }
    }).catch(function () { message(el, el.dataset.errorText); });
  }

  function initAll(root) {
    if (typeof L === "undefined") { return; }
    root.querySelectorAll("[data-service-map]").forEach(function (el) {
      if (!el.dataset.mapReady) { el.dataset.mapReady = "1"; initNearest(el); }
    });
    root.querySelectorAll("[data-coverage-map]").forEach(function (el) {
      if (!el.dataset.mapReady) { el.dataset.mapReady = "1"; initCoverage(el); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { initAll(document); });
  document.addEventListener("htmx:load", function (event) { initAll(event.target); });
})();
