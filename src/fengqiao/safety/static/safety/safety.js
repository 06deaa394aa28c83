/*
 * Safety risk index pages: the choropleth map of units coloured by index (Leaflet, no tiles),
 * the unit's trend chart (ECharts), and period selectors that apply on change.
 *
 * <div data-safety-map data-geojson-url="…" data-unit-url-template="/safety/units/0/?period=…">
 * <div data-safety-trend="ID of a json_script with {periods, index, dimensions}">
 */
(function () {
  "use strict";

  var COLOURS = { red: "#c62828", orange: "#e07b00", yellow: "#e3b505", blue: "#2f6db5" };
  var LABEL_LIMIT = 20;

  function initMap(el) {
    if (typeof L === "undefined" || el.dataset.mapReady) {
      return;
    }
    el.dataset.mapReady = "1";
    var map = L.map(el, { attributionControl: false, zoomSnap: 0.25, scrollWheelZoom: false });
    map.setView([30, 106], 7);
    var message = L.DomUtil.create("div", "map-message", el);
    function showMessage(text) {
      message.textContent = text || "";
      message.style.display = text ? "block" : "none";
    }
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
        var labelled = features.length <= LABEL_LIMIT;
        var layer = L.geoJSON(data, {
          style: function (feature) {
            var colour = COLOURS[feature.properties.colour] || "#888";
            return { color: "#ffffff", weight: 1.2, fillColor: colour, fillOpacity: 0.72 };
          },
          onEachFeature: function (feature, path) {
            var p = feature.properties;
            var text = p.name + " " + p.index.toFixed(1);
            path.bindTooltip(text, labelled
              ? { permanent: true, direction: "center", className: "map-label" }
              : { sticky: true });
            path.on("mouseover", function () { path.setStyle({ fillOpacity: 0.9, weight: 2.5 }); });
            path.on("mouseout", function () { layer.resetStyle(path); });
            path.on("click", function () {
              window.location.href = el.dataset.unitUrlTemplate.replace("/0/", "/" + p.id + "/");
            });
          }
        }).addTo(map);
        el.dataset.featureCount = String(features.length);
        if (features.length) {
          map.fitBounds(layer.getBounds(), { padding: [12, 12] });
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

  function initTrend(el) {
    if (typeof echarts === "undefined" || el.dataset.chartReady) {
      return;
    }
    var source = document.getElementById(el.dataset.safetyTrend);
    if (!source) {
      return;
    }
    el.dataset.chartReady = "1";
    var data = JSON.parse(source.textContent);
    var series = [{
      name: el.dataset.indexLabel || "Index",
      type: "line",
      data: data.index,
      symbolSize: 7,
      lineStyle: { width: 3, color: "#1d3f73" },
      itemStyle: { color: "#1d3f73" }
    }];
    (data.dimensions || []).forEach(function (dimension) {
      series.push({ name: dimension.name, type: "line", data: dimension.scores, symbol: "none",
        lineStyle: { width: 1, type: "dashed" } });
    });
    var chart = echarts.init(el);
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", bottom: 0 },
      grid: { left: 40, right: 16, top: 16, bottom: 56 },
      xAxis: { type: "category", data: data.periods },
      yAxis: { type: "value", min: 0, max: 100 },
      series: series
    });
    el.dataset.points = String(data.index.length);
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function initAll(root) {
    root.querySelectorAll("[data-safety-map]").forEach(initMap);
    root.querySelectorAll("[data-safety-trend]").forEach(initTrend);
    root.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.requestSubmit(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { initAll(document); });
})();
