/*
 * Labour-dispute risk pages.
 *
 * <div data-labour-map data-boundary-url="…">   employers from #labour-points as dots coloured by
 *                                               risk, over unit outlines (no tiles: works offline)
 * <div data-labour-chart>                       an employer's score and indicators per month,
 *                                               from #labour-history (ECharts)
 */
(function () {
  "use strict";

  var COLOURS = { red: "#c62828", orange: "#d9730d", green: "#2e7d32" };
  var PALETTE = ["#c62828", "#ef6c00", "#6a1b9a", "#00838f", "#1f4e8c", "#5b7fb9", "#8d6e63"];

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function initMap(el) {
    if (typeof L === "undefined") {
      return;
    }
    var points = readJson("labour-points") || [];
    var map = L.map(el, { attributionControl: false, zoomSnap: 0.25, scrollWheelZoom: false });
    map.setView([29.5, 106], 8);
    var dots = L.featureGroup().addTo(map);
    points.forEach(function (p) {
      var marker = L.circleMarker([p.lat, p.lng], {
        radius: 4 + Math.min(p.score, 100) / 14,
        color: "#fff",
        weight: 1,
        fillColor: COLOURS[p.colour] || "#777",
        fillOpacity: 0.85
      });
      marker.bindTooltip(p.name + " · " + p.score.toFixed(1));
      marker.on("click", function () { window.location.href = p.url; });
      marker.addTo(dots);
    });
    el.dataset.pointCount = String(points.length);
    if (points.length) {
      map.fitBounds(dots.getBounds(), { padding: [20, 20], maxZoom: 14 });
    }
    var url = el.dataset.boundaryUrl;
    if (!url) {
      return;
    }
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { features: [] }; })
      .then(function (data) {
        var outline = L.geoJSON(data, {
          style: { color: "#1f4e8c", weight: 1, opacity: 0.7, fillColor: "#1f4e8c", fillOpacity: 0.04 },
          onEachFeature: function (feature, layer) { layer.bindTooltip(feature.properties.name, { sticky: true }); }
        }).addTo(map);
        outline.bringToBack();
        if ((data.features || []).length) {
          // The viewer's whole area, with every employer on it.
          var bounds = outline.getBounds();
          if (points.length) {
            bounds.extend(dots.getBounds());
          }
          map.fitBounds(bounds, { padding: [16, 16] });
        }
      });
  }

  function initChart(el) {
    if (typeof echarts === "undefined") {
      return;
    }
    var data = readJson("labour-history");
    if (!data) {
      return;
    }
    var series = [{
      name: data.score_label,
      type: "line",
      yAxisIndex: 0,
      data: data.scores,
      lineStyle: { width: 3, color: "#1f2733" },
      itemStyle: { color: "#1f2733" },
      connectNulls: true
    }];
    data.series.forEach(function (s, i) {
      series.push({
        name: s.label,
        type: "line",
        yAxisIndex: 1,
        data: s.values,
        itemStyle: { color: s.colour || PALETTE[i % PALETTE.length] },
        connectNulls: true
      });
    });
    var chart = echarts.init(el);
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0 },
      grid: { left: 48, right: 56, top: 48, bottom: 32 },
      xAxis: { type: "category", data: data.periods },
      yAxis: [
        { type: "value", min: 0, max: 100, name: data.score_label },
        { type: "value", min: 0, splitLine: { show: false } }
      ],
      series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
    el.dataset.chartReady = "1";
  }

  function init() {
    document.querySelectorAll("[data-labour-map]").forEach(initMap);
    document.querySelectorAll("[data-labour-chart]").forEach(initChart);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
