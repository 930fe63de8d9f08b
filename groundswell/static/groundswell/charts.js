// Draws every <canvas data-chart="line|bar" data-chart-source="ID"> from the JSON that the page
// put in <script type="application/json" id="ID"> with Django's json_script (the CSP forbids inline
// script, so the data travels as JSON and this static file draws it).
(function () {
  "use strict";

  const PALETTE = ["#0b6e4f", "#c2410c", "#1d4ed8", "#7c3aed", "#b45309"];

  function readData(canvas) {
    const source = document.getElementById(canvas.dataset.chartSource);
    return source ? JSON.parse(source.textContent) : null;
  }

  function styledDatasets(datasets, type) {
    return datasets.map((dataset, i) => {
      const colour = PALETTE[i % PALETTE.length];
      return Object.assign(
        {
          borderColor: colour,
          backgroundColor: type === "line" ? colour + "22" : colour,
          borderWidth: 2,
          pointRadius: 0,
          pointHitRadius: 8,
          tension: 0.25,
          fill: type === "line" && i === 0,
        },
        dataset
      );
    });
  }

  function scalesFor(datasets) {
    const scales = {
      x: { grid: { display: false }, ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 8 } },
      y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: datasets[0].label } },
    };
    const second = datasets.find((dataset) => dataset.yAxisID === "y1");
    if (second) {
      scales.y1 = {
        beginAtZero: true,
        position: "right",
        grid: { drawOnChartArea: false },
        ticks: { precision: 0 },
        title: { display: true, text: second.label },
      };
    }
    return scales;
  }

  function draw(canvas) {
    const data = readData(canvas);
    if (!data || typeof window.Chart === "undefined") return;
    const type = canvas.dataset.chart || "line";
    const datasets = styledDatasets(data.datasets, type);
    new window.Chart(canvas, {
      type: type,
      data: { labels: data.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { display: datasets.length > 1, position: "bottom" } },
        scales: scalesFor(datasets),
      },
    });
  }

  function drawAll() {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
