/*
 * Risk-point map: the grids holding the listed points (their boundaries, no tiles) and one
 * marker per point, red where maintenance is overdue. Data comes inline:
 *   <div data-ew-map="ID-of-a-json_script-element"></div>
 */
(function () {
  "use strict";

  function init(el) {
    if (typeof L === "undefined" || el.dataset.mapReady) {
      return;
    }
    var source = document.getElementById(el.dataset.ewMap);
    if (!source) {
      return;
    }
    el.dataset.mapReady = "1";
    var data = JSON.parse(source.textContent);
    var map = L.map(el, { attributionControl: false, zoomSnap: 0.25, scrollWheelZoom: false });
    map.setView([29.5, 106.5], 8);
    var bounds = L.latLngBounds([]);
    var grids = L.geoJSON(data.grids, {
      style: function () {
        return { color: "#5b4a9b", weight: 1.5, fillColor: "#5b4a9b", fillOpacity: 0.08 };
      },
      onEachFeature: function (feature, layer) {
        layer.bindTooltip(feature.properties.name, { sticky: true });
      }
    }).addTo(map);
    if (data.grids.features.length) {
      bounds.extend(grids.getBounds());
    }
    data.points.forEach(function (point) {
      var colour = point.overdue ? "#c62828" : "#1f4e8c";
      var marker = L.circleMarker([point.lat, point.lng], {
        radius: 7, color: colour, weight: 2, fillColor: colour, fillOpacity: 0.7, className: "ew-marker"
      }).addTo(map);
      marker.bindTooltip(point.name + " · " + point.type);
      if (point.url) {
        marker.on("click", function () { window.location.href = point.url; });
      }
      bounds.extend([point.lat, point.lng]);
    });
    el.dataset.markerCount = String(data.points.length);
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [20, 20], maxZoom: 16 });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-ew-map]").forEach(init);
  });
})();
