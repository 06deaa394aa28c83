/*
 * Cockpit: panels arrive as htmx fragments; this wires the trend chart (ECharts) and the map of
 * sub-units (Leaflet, no tiles) each time one is swapped in, and the wall display's full screen.
 *
 * <div data-trend="ID">                 ID of a json_script {labels, registered, resolved, resolution_rate}
 * <div data-cockpit-map data-geojson-url="…" data-mode="density|risk|safety">
 */
(function () {
  "use strict";

  var RISK = { red: "#c62828", orange: "#f08c00", green: "#2e7d32", "": "#e4e8ee" };
  var SAFETY = { red: "#c62828", orange: "#f08c00", yellow: "#f2c200", blue: "#1f6fd1", "": "#e4e8ee" };
  var DENSITY = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"];

  function densityColour(value, top) {
    if (!value || !top) {
      return DENSITY[0];
    }
    return DENSITY[Math.min(DENSITY.length - 1, 1 + Math.floor((value / top) * (DENSITY.length - 1)))];
  }

  function densityValue(p) {
    return p.density !== null && p.density !== undefined ? p.density : p.registered;
  }

  function styleFor(mode, top) {
    return function (feature) {
      var p = feature.properties;
      var fill = mode === "risk" ? RISK[p.risk || ""] : mode === "safety" ? SAFETY[p.safety_colour || ""] : densityColour(densityValue(p), top);
      return { color: "#51607a", weight: 1, fillColor: fill, fillOpacity: 0.7 };
    };
  }

  function initMap(el) {
    if (typeof L === "undefined" || el.dataset.mapReady) {
      return;
    }
    el.dataset.mapReady = "1";
    var map = L.map(el, { attributionControl: false, zoomSnap: 0.25, scrollWheelZoom: false });
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
        var top = features.reduce(function (best, f) { return Math.max(best, densityValue(f.properties) || 0); }, 0);
        var layer = L.geoJSON(data, {
          style: styleFor(el.dataset.mode, top),
          onEachFeature: function (feature, path) {
            var p = feature.properties;
            path.bindTooltip(p.name + " · " + p.registered + " " + (el.dataset.casesText || ""), { sticky: true });
            if (p.url) {
              path.on("click", function () { window.location.assign(p.url); });
            }
          }
        }).addTo(map);
        el.cockpitLayer = layer;
        el.cockpitTop = top;
        el.dataset.featureCount = String(features.length);
        if (features.length) {
          map.fitBounds(layer.getBounds(), { padding: [12, 12] });
        }
        layer.eachLayer(function (path) {
          var node = path.getElement && path.getElement();
          if (node) {
            node.setAttribute("data-unit-name", path.feature.properties.name);
          }
        });
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

  function setMode(button) {
    var panel = button.closest(".panel-body") || document;
    var el = panel.querySelector("[data-cockpit-map]");
    if (!el) {
      return;
    }
    el.dataset.mode = button.dataset.mapMode;
    panel.querySelectorAll("[data-map-mode]").forEach(function (b) {
      b.setAttribute("aria-pressed", b === button ? "true" : "false");
    });
    if (el.cockpitLayer) {
      el.cockpitLayer.setStyle(styleFor(el.dataset.mode, el.cockpitTop));
    }
  }

  function initTrend(el) {
    if (typeof echarts === "undefined" || el.dataset.chartReady) {
      return;
    }
    var source = document.getElementById(el.dataset.trend);
    if (!source) {
      return;
    }
    el.dataset.chartReady = "1";
    var data = JSON.parse(source.textContent);
    var wall = document.body.classList.contains("wall");
    var ink = wall ? "#e8eef7" : "#333";
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      textStyle: { color: ink },
      tooltip: { trigger: "axis" },
      legend: { data: [el.dataset.labelRegistered, el.dataset.labelResolved, el.dataset.labelRate], textStyle: { color: ink } },
      grid: { left: 48, right: 48, top: 36, bottom: 28 },
      xAxis: { type: "category", data: data.labels },
      yAxis: [{ type: "value", minInterval: 1 }, { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }],
      series: [
        { name: el.dataset.labelRegistered, type: "bar", data: data.registered, itemStyle: { color: "#3182bd" } },
        { name: el.dataset.labelResolved, type: "bar", data: data.resolved, itemStyle: { color: "#74c476" } },
        {
          name: el.dataset.labelRate, type: "line", yAxisIndex: 1, connectNulls: true,
          data: data.resolution_rate.map(function (v) { return v === null ? null : Math.round(v * 1000) / 10; }),
          itemStyle: { color: "#f08c00" }
        }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function init(root) {
    (root || document).querySelectorAll("[data-cockpit-map]").forEach(initMap);
    (root || document).querySelectorAll("[data-trend]").forEach(initTrend);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-map-mode]");
    if (button) {
      setMode(button);
      return;
    }
    var wall = event.target.closest && event.target.closest("[data-fullscreen]");
    if (wall && document.documentElement.requestFullscreen) {
      // The wall page itself is a normal navigation; full screen is asked for on the way.
      document.documentElement.requestFullscreen().catch(function () {});
    }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    init(event.target);
    var clock = document.querySelector("[data-clock]");
    if (clock) {
      var now = new Date();
      clock.textContent = String(now.getHours()).padStart(2, "0") + ":" + String(now.getMinutes()).padStart(2, "0");
    }
  });
  document.addEventListener("DOMContentLoaded", function () { init(document); });
})();
