// Turnout charts: every <canvas data-turnout-chart="line|bar|stacked|hbar" data-source="ID"> is drawn from the
// JSON the page put in <script type="application/json" id="ID"> with json_script (the CSP forbids inline
// script, so the data travels as JSON and this file draws it). A dataset with yAxisID "y1" gets a right axis.
(function () {
  "use strict";

  const PALETTE = ["#0b6e4f", "#c2410c", "#1d4ed8", "#7c3aed", "#b45309"];

  function readData(canvas) {
    const source = document.getElementById(canvas.dataset.source);
    return source ? JSON.parse(source.textContent) : null;
  }

  function datasetsFor(data, kind) {
    return data.datasets.map(function (dataset, i) {
      const colour = PALETTE[i % PALETTE.length];
      return Object.assign(
        {
          borderColor: colour,
          backgroundColor: kind === "line" ? colour + "22" : colour,
          borderWidth: 2,
          pointRadius: kind === "line" ? 2 : 0,
          tension: 0.2,
          fill: false,
        },
        dataset
      );
    });
  }

  function scalesFor(datasets, kind) {
    const stacked = kind === "stacked" || kind === "hstacked";
    const horizontal = kind === "hbar" || kind === "hstacked";
    const value = { beginAtZero: true, stacked: stacked, ticks: { precision: 0 } };
    const category = { stacked: stacked, grid: { display: false }, ticks: { autoSkip: !horizontal } };
    const scales = horizontal ? { x: value, y: category } : { x: category, y: value };
    if (datasets.some(function (d) { return d.yAxisID === "y1"; })) {
      scales.y.title = { display: true, text: datasets[0].label };
      scales.y1 = {
        beginAtZero: true,
        position: "right",
        grid: { drawOnChartArea: false },
        ticks: { precision: 0 },
        title: { display: true, text: datasets.find(function (d) { return d.yAxisID === "y1"; }).label },
      };
    }
    return scales;
  }

  function draw(canvas) {
    const data = readData(canvas);
    if (!data || typeof window.Chart === "undefined") return;
    const kind = canvas.dataset.turnoutChart || "bar";
    const datasets = datasetsFor(data, kind);
    if (kind === "hbar" || kind === "hstacked") {
      // One readable row per label: grow the box (CSSOM, which the CSP allows) instead of squeezing labels.
      const perLabel = (kind === "hbar" ? 8 * datasets.length : 0) + 18;
      const wanted = data.labels.length * perLabel + 70;
      if (canvas.parentElement.clientHeight < wanted) canvas.parentElement.style.height = wanted + "px";
    }
    new window.Chart(canvas, {
      type: kind === "line" ? "line" : "bar",
      data: { labels: data.labels, datasets: datasets },
      options: {
        indexAxis: kind === "hbar" || kind === "hstacked" ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { display: datasets.length > 1, position: "bottom" } },
        scales: scalesFor(datasets, kind),
      },
    });
  }

  function drawAll() {
    document.querySelectorAll("canvas[data-turnout-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
