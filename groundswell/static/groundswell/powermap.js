// Power map: seat bars sized from data attributes, and Leaflet maps of districts shaded by lean.
// No tile layer: the polygons are drawn over a plain background (no tile server is called).
(function () {
  "use strict";

  const BINS = [
    [20, "#1d4f91"], [10, "#4a7fc1"], [0, "#a9c4e8"],
    [-10, "#f2b1a8"], [-20, "#d9604f"], [-Infinity, "#a3261b"],
  ];

  function leanColor(lean) {
    if (lean === null || lean === undefined) return "#c8c8c8";
    for (const [floor, color] of BINS) if (lean >= floor) return color;
    return "#c8c8c8";
  }

  function sizeSeatBars() {
    document.querySelectorAll("[data-width]").forEach((el) => { el.style.width = el.dataset.width + "%"; });
    document.querySelectorAll("[data-left]").forEach((el) => { el.style.left = el.dataset.left + "%"; });
  }

  function tooltipFor(p) {
    const rows = [`<strong>${escapeHtml(p.name)}</strong>`, `Lean: ${escapeHtml(p.lean_label || "—")}`];
    if (p.holder) rows.push(`Held by: ${escapeHtml(p.holder)}`);
    if (p.target) rows.push(`Target: ${escapeHtml(p.target)}`);
    if (p.dem !== undefined) rows.push(`${p.dem} D · ${p.rep} R`);
    return rows.join("<br>");
  }

  function escapeHtml(text) {
    const div = document.createElement("div");
    div.textContent = String(text);
    return div.innerHTML;
  }

  function styleFor(feature, mode) {
    const p = feature.properties;
    if (p.role === "district") return { color: "#111", weight: 3, fill: false };
    return {
      color: mode === "district" ? "#ffffff" : "#333333",
      weight: mode === "district" ? 1 : 0.8,
      fillColor: leanColor(p.lean),
      fillOpacity: 0.85,
    };
  }

  function drawMap(el) {
    if (!window.L) return;
    const mode = el.dataset.mode;
    const map = L.map(el, { zoomSnap: 0.25, attributionControl: true, preferCanvas: false });
    map.attributionControl.setPrefix("Leaflet");
    fetch(el.dataset.geojsonUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => response.json())
      .then((data) => {
        const layer = L.geoJSON(data, {
          style: (feature) => styleFor(feature, mode),
          onEachFeature: (feature, lyr) => {
            if (feature.properties.role === "district") return;
            lyr.bindTooltip(tooltipFor(feature.properties), { sticky: true });
            if (feature.properties.url) {
              lyr.on("click", () => { window.location.href = feature.properties.url; });
              lyr.on("mouseover", () => lyr.setStyle({ weight: 3 }));
              lyr.on("mouseout", () => lyr.setStyle({ weight: 0.8 }));
            }
          },
        }).addTo(map);
        // Keep the district outline on top of its precincts.
        layer.eachLayer((lyr) => { if (lyr.feature.properties.role === "district") lyr.bringToFront(); });
        if (layer.getLayers().length) map.fitBounds(layer.getBounds(), { padding: [10, 10] });
        else {
          map.setView([39.8, -98.6], 4);
          const note = document.createElement("p");
          note.className = "message";
          note.textContent = "No district boundaries are imported for this chamber yet.";
          el.after(note);
        }
        if (el.dataset.attribution) map.attributionControl.addAttribution(escapeHtml(el.dataset.attribution));
        el.dataset.ready = "true";
      });
  }

  document.addEventListener("DOMContentLoaded", () => {
    sizeSeatBars();
    document.querySelectorAll("[data-geojson-url]").forEach(drawMap);
  });
})();
