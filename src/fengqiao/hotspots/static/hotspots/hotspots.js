/*
 * Hotspot page: the grid map coloured by hotspot score (no tiles: grids drawn from their
 * boundaries) and an ECharts bar sparkline of each hotspot's last 8 weeks.
 *
 * <div data-hotspot-map data-geojson-url="…" data-error-text="…">
 * <div data-sparkline="0,1,0,…" data-window="7">   daily counts, the window's days in red
 */
(function () {
  "use strict";

  var STEPS = ["#fdd49e", "#fc8d59", "#d7301f", "#7f0000"];
  var NONE = "#e4e8ee";

  function colourFor(score, top) {
    if (!score || !top) {
      return NONE;
    }
    var step = Math.min(STEPS.length - 1, Math.floor((score / top) * STEPS.length));
    return STEPS[step];
  }

  function initMap(el) {
    if (typeof L === "undefined" || el.dataset.mapReady) {
      return;
    }
    el.dataset.mapReady = "1";
    var map = L.map(el, { attributionControl: false, zoomSnap: 0.25, scrollWheelZoom: false, preferCanvas: true });
    map.setView([30, 105], 4);
    el.setAttribute("aria-busy", "true");
    fetch(el.dataset.geojsonUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        var features = data.features || [];
        var top = features.reduce(function (best, f) { return Math.max(best, f.properties.score || 0); }, 0);
        var layer = L.geoJSON(data, {
          style: function (feature) {
            var hot = feature.properties.score > 0;
            return {
              color: hot ? "#7f0000" : "#8a97a8",
              weight: hot ? 1.5 : 0.8,
              fillColor: colourFor(feature.properties.score, top),
              fillOpacity: hot ? 0.75 : 0.35
            };
          },
          onEachFeature: function (feature, path) {
            var p = feature.properties;
            path.bindTooltip(p.explanation ? p.name + " · " + p.explanation : p.name, { sticky: true });
          }
        }).addTo(map);
        el.dataset.featureCount = String(features.length);
        el.dataset.hotCount = String(features.filter(function (f) { return f.properties.score > 0; }).length);
        if (features.length) {
          map.fitBounds(layer.getBounds(), { padding: [16, 16] });
        }
      })
      .catch(function () {
        var message = L.DomUtil.create("div", "map-message", el);
        message.textContent = el.dataset.errorText || "—";
        message.style.display = "block";
      })
      .finally(function () {
        el.removeAttribute("aria-busy");
      });
  }

  function initSparkline(el) {
    if (typeof echarts === "undefined" || el.dataset.chartReady) {
      return;
    }
    el.dataset.chartReady = "1";
    var values = (el.dataset.sparkline || "").split(",").map(Number);
    var windowDays = Number(el.dataset.window || 7);
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      grid: { left: 0, right: 0, top: 2, bottom: 0 },
      xAxis: { type: "category", show: false, data: values.map(function (_v, i) { return i; }) },
      yAxis: { type: "value", show: false, min: 0 },
      series: [{
        type: "bar",
        barCategoryGap: "15%",
        data: values.map(function (v, i) {
          return { value: v, itemStyle: { color: i >= values.length - windowDays ? "#d7301f" : "#9aa8bb" } };
        })
      }]
    });
  }

  function initAll(root) {
    root.querySelectorAll("[data-hotspot-map]").forEach(initMap);
    root.querySelectorAll("[data-sparkline]").forEach(initSparkline);
  }

  document.addEventListener("DOMContentLoaded", function () { initAll(document); });
})();
