/* Small trend charts of the municipal services tracker. Needs Chart.js (static/vendor/chartjs), loaded before.
 *
 * Every <canvas data-trend-chart="ID"> is drawn from the JSON that the page wrote with json_script into the element
 * with that ID: {label, dates: ["2026-01-31", …], values: ["30.00", …], baseline: "30.00" | null, yes_no: bool}.
 * The baseline is the first point. The same numbers are in the table beside the chart, so nothing is lost without
 * JavaScript.
 */
(function () {
  "use strict";

  if (typeof window.Chart === "undefined") {
    return;
  }
  var canvases = Array.prototype.slice.call(document.querySelectorAll("canvas[data-trend-chart]"));

  function readData(id) {
    var element = document.getElementById(id);
    if (!element) {
      return null;
    }
    try {
      return JSON.parse(element.textContent);
    } catch (error) {
      return null;
    }
  }

  function formatDate(iso) {
    var parts = iso.split("-");
    var date = new Date(Number(parts[0]), Number(parts[1]) - 1, Number(parts[2]));
    try {
      return date.toLocaleDateString(document.documentElement.lang || undefined, { year: "numeric", month: "short" });
    } catch (error) {
      return iso;
    }
  }

  canvases.forEach(function (canvas) {
    var data = readData(canvas.getAttribute("data-trend-chart"));
    if (!data || !data.values || !data.values.length) {
      return;
    }
    var values = data.values.map(Number);
    var scales = { x: { ticks: { maxRotation: 0, autoSkip: true } }, y: { beginAtZero: true } };
    if (data.yes_no) {
      scales.y = { min: 0, max: 1, ticks: { stepSize: 1 } };
    }
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.dates.map(formatDate),
        datasets: [
          {
            label: data.label,
            data: values,
            stepped: data.yes_no ? "before" : false,
            tension: 0,
            borderColor: "#0d6efd",
            backgroundColor: "#0d6efd",
            pointRadius: values.map(function (value, index) {
              return index === 0 ? 5 : 3;
            }),
            pointStyle: values.map(function (value, index) {
              return index === 0 ? "rectRot" : "circle";
            })
          }
        ]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        scales: scales
      }
    });
  });
})();
