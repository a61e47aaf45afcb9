// KPI charts (Chart.js, vendored under static/vendor/chartjs). Data comes from json_script tags.
(function () {
  "use strict";
  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  function draw() {
    if (typeof window.Chart === "undefined") { return; }
    var trends = readJson("kpi-trend-data") || [];
    trends.forEach(function (series) {
      var canvas = document.getElementById("chart-" + series.code);
      if (!canvas) { return; }
      new window.Chart(canvas, {
        type: "line",
        data: {
          labels: series.labels,
          datasets: [
            {
              label: series.label + (series.unit ? " (" + series.unit + ")" : ""),
              data: series.values,
              spanGaps: true,
              tension: 0.2,
              pointStyle: series.frozen.map(function (f) { return f ? "rectRot" : "circle"; }),
              pointRadius: 4
            },
            {
              label: "🎯",
              data: series.labels.map(function () { return series.target; }),
              borderDash: [6, 4],
              pointRadius: 0,
              borderWidth: 1
            }
          ]
        },
        options: { responsive: true, plugins: { legend: { display: true } }, scales: { y: { beginAtZero: true } } }
      });
    });
    var compare = readJson("kpi-compare-data");
    var canvas = document.getElementById("compare-chart");
    if (compare && canvas) {
      new window.Chart(canvas, {
        type: "bar",
        data: {
          labels: compare.labels,
          datasets: [
            { label: compare.before_label, data: compare.before },
            { label: compare.after_label, data: compare.after }
          ]
        },
        options: { responsive: true, scales: { y: { beginAtZero: true } } }
      });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
