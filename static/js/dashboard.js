/* Charts of the managers' dashboard (staff start page). Needs Chart.js (static/vendor/chartjs), loaded before.
 *
 * Every <canvas data-dashboard-chart="ID"> is drawn from the JSON that the page wrote with json_script into the
 * element with that ID: {title, stacked: bool, money: bool, labels: [...], datasets: [{label, values: [...]}]}.
 * Values are numbers or strings of decimals ("1250.00"); null for a period that has not started. The same numbers
 * are in the table under each chart (with links to the records), so nothing is lost without JavaScript.
 */
(function () {
  "use strict";

  if (typeof window.Chart === "undefined") {
    return;
  }
  var COLOURS = ["#0d6efd", "#20c997", "#6c757d", "#fd7e14", "#6f42c1", "#d63384"];
  var language = document.documentElement.lang || undefined;

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

  function formatter(money) {
    try {
      return new Intl.NumberFormat(language, money ? { minimumFractionDigits: 2, maximumFractionDigits: 2 } : {});
    } catch (error) {
      return { format: String };
    }
  }

  Array.prototype.slice.call(document.querySelectorAll("canvas[data-dashboard-chart]")).forEach(function (canvas) {
    var data = readData(canvas.getAttribute("data-dashboard-chart"));
    if (!data || !data.labels || !data.labels.length) {
      return;
    }
    var numbers = formatter(data.money);
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (dataset, index) {
          return {
            label: dataset.label,
            data: dataset.values.map(function (value) {
              return value === null ? null : Number(value);
            }),
            backgroundColor: COLOURS[index % COLOURS.length],
            borderColor: COLOURS[index % COLOURS.length]
          };
        })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: data.datasets.length > 1, position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (context) {
                var value = context.parsed.y;
                return context.dataset.label + ": " + (value === null ? "—" : numbers.format(value));
              }
            }
          }
        },
        scales: {
          x: { stacked: data.stacked, ticks: { autoSkip: false, maxRotation: 60 } },
          y: { stacked: data.stacked, beginAtZero: true, ticks: { precision: data.money ? undefined : 0 } }
        }
      }
    });
  });
})();
