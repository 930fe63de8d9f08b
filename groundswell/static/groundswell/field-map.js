// The turf page's map: the precinct's outline, drawn with Leaflet from the GeoJSON in the page.
"use strict";

(function () {
  const source = document.getElementById("turf-map-data");
  const box = document.getElementById("turf-map");
  if (!source || !box || !window.L) { return; }
  const data = JSON.parse(source.textContent);
  const map = L.map(box, { attributionControl: false, zoomSnap: 0.25 });
  const outline = L.geoJSON(data.geometry, { style: { color: "#1f5fa8", weight: 3, fillOpacity: 0.12 } }).addTo(map);
  map.fitBounds(outline.getBounds(), { padding: [12, 12] });
})();
