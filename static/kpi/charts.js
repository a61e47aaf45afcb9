// KPI charts (Chart.js, vendored under static/vendor/chartjs). Data comes from json_script tags;
// every legend and axis title is text from the page (translated), never a symbol.
(function () {
  "use strict";
  var VALUE = "#0d6efd";
  var TARGET = "#6c757d";
  var BETTER = "#198754";
  var WORSE = "#dc3545";
  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  function trend(series) {
    var canvas = document.getElementById("chart-" + series.code);
    if (!canvas) { return; }
    var open = series.open || [];
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: series.labels,
        datasets: [
          {
            label: series.label + (series.unit ? " (" + series.unit + ")" : ""),
            data: series.values,
            // a period without cases is a gap, not a line drawn through it
            spanGaps: false,
            tension: 0.2,
            borderColor: VALUE,
            backgroundColor: VALUE,
            pointStyle: series.frozen.map(function (f) { return f ? "rectRot" : "circle"; }),
            // an open period (so far): hollow point, dashed line into it
            pointBackgroundColor: open.map(function (o) { return o ? "#ffffff" : VALUE; }),
            pointBorderColor: VALUE,
            pointRadius: open.map(function (o) { return o ? 5 : 4; }),
            segment: {
              borderDash: function (ctx) { return open[ctx.p1DataIndex] ? [4, 4] : undefined; }
            }
          },
          {
            label: series.target_label,
            data: series.labels.map(function () { return series.target; }),
            borderColor: TARGET,
            backgroundColor: TARGET,
            borderDash: [6, 4],
            pointRadius: 0,
            borderWidth: 1
          }
        ]
      },
      options: {
        responsive: true,
        plugins: {
          legend: { display: true },
          subtitle: { display: open.some(Boolean), text: series.open_note, position: "bottom" }
        },
        scales: { y: { beginAtZero: true } }
      }
    });
  }
  function compareChart(compare, canvas) {
    // one axis: each KPI's change relative to its before value, in %
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: compare.labels,
        datasets: [
          {
            label: compare.dataset_label,
            data: compare.change_pct,
            backgroundColor: compare.better.map(function (b) {
              return b === null ? TARGET : (b ? BETTER : WORSE);
            })
          }
        ]
      },
      options: {
        responsive: true,
        plugins: { legend: { display: true } },
        scales: { y: { title: { display: true, text: compare.axis_title } } }
      }
    });
  }
  function draw() {
    if (typeof window.Chart === "undefined") { return; }
    (readJson("kpi-trend-data") || []).forEach(trend);
    var compare = readJson("kpi-compare-data");
    var canvas = document.getElementById("compare-chart");
    if (compare && canvas) { compareChart(compare, canvas); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
