// Pipeline pages: the recruitment funnel, the scorecard and the reorganization vacancy map.
// Data comes from json_script blocks named by each element's data-source (the CSP allows no inline script).
(function () {
  "use strict";

  const COLORS = {
    won: "#2e7d32", lost: "#c62828", undecided: "#9e9e9e", reached: "#1d4f91", current: "#7aa6da",
    vacant: "#c0392b", partly: "#f2a48f", covered: "#c8c8c8", ours: "#f0b429", wonSeat: "#2e7d32",
  };
  const STAGE_COLORS = ["#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#2e7d32", "#c62828", "#757575"];

  function data(el) {
    const node = document.getElementById(el.dataset.source);
    return node ? JSON.parse(node.textContent) : null;
  }

  function funnelChart(canvas, d) {
    return new Chart(canvas, {
      type: "bar",
      data: {
        labels: d.labels,
        datasets: [
          { label: "Ever reached this stage", data: d.reached, backgroundColor: COLORS.reached },
          { label: "At this stage now", data: d.current, backgroundColor: COLORS.current },
        ],
      },
      options: {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        plugins: {
          tooltip: {
            callbacks: {
              afterBody: (items) => {
                const i = items[0].dataIndex;
                return d.conversion[i] ? `From the stage before: ${d.conversion[i]}` : "";
              },
            },
          },
        },
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }

  function overTimeChart(canvas, d) {
    return new Chart(canvas, {
      type: "bar",
      data: {
        labels: d.labels,
        datasets: d.series.map((s, i) => ({ label: s.label, data: s.data, backgroundColor: STAGE_COLORS[i % STAGE_COLORS.length] })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { tooltip: { mode: "index" } },
      },
    });
  }

  function scorecardChart(canvas, d) {
    return new Chart(canvas, {
      type: "bar",
      data: {
        labels: d.labels,
        datasets: [
          { label: "Won", data: d.won, backgroundColor: COLORS.won },
          { label: "Lost", data: d.lost, backgroundColor: COLORS.lost },
          { label: "Undecided (counted apart)", data: d.undecided, backgroundColor: COLORS.undecided },
        ],
      },
      options: {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true } },
        plugins: {
          tooltip: { callbacks: { footer: (items) => `Win rate: ${d.rates[items[0].dataIndex]}` } },
        },
      },
    });
  }

  const CHARTS = { funnel: funnelChart, "over-time": overTimeChart, scorecard: scorecardChart };

  function drawCharts() {
    if (!window.Chart) return;
    document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
      const d = data(canvas);
      const draw = CHARTS[canvas.dataset.chart];
      if (d && draw) {
        const key = canvas.dataset.key;
        draw(canvas, key ? d[key] : d);
      }
    });
  }

  function seatColor(status) {
    return { vacant: COLORS.vacant, partly: COLORS.partly, covered: COLORS.covered, ours: COLORS.ours, won: COLORS.wonSeat }[status] || "#eee";
  }

  function escapeHtml(text) {
    const div = document.createElement("div");
    div.textContent = String(text);
    return div.innerHTML;
  }

  function drawVacancyMap() {
    const el = document.getElementById("vacancy-map");
    if (!el || !window.L) return;
    const d = data(el);
    if (!d || !d.features.length) return;
    const map = L.map(el, { zoomSnap: 0.25 });
    map.attributionControl.setPrefix("Leaflet");
    const layer = L.geoJSON(d, {
      style: (f) => ({ color: "#555", weight: 0.6, fillColor: seatColor(f.properties.status), fillOpacity: 0.85 }),
      onEachFeature: (f, lyr) => {
        const p = f.properties;
        lyr.bindTooltip(
          `<strong>${escapeHtml(p.name)}</strong><br>${escapeHtml(p.area)}<br>` +
          `${p.seats} seats · ${p.vacant} vacant · ${p.filed} ours filed`, { sticky: true });
      },
    }).addTo(map);
    map.fitBounds(layer.getBounds());
  }

  document.addEventListener("DOMContentLoaded", () => { drawCharts(); drawVacancyMap(); });
})();
