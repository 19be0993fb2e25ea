/* The public appeals map (Leaflet 1.9.4, vendored). No tiles by default (none offline): community/village centres
   are drawn as grey labelled dots and appeals as coloured dots at their ~100 m positions. When the setting
   GONGZHI_MAP_TILE_URL is configured, that tile layer is added underneath. */
(function () {
  "use strict";
  function ready(fn) { if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn); }
  ready(function () {
    var el = document.getElementById("public-map"), script = document.getElementById("map-data");
    if (!el || !script || !window.L) return;
    var data = JSON.parse(script.textContent);
    var map = L.map(el, {attributionControl: !!data.tile_url, zoomSnap: 0.25});
    if (data.tile_url) L.tileLayer(data.tile_url, {maxZoom: 19}).addTo(map);
    var bounds = [];
    data.centres.forEach(function (c) {
      L.circleMarker([c.lat, c.lng], {radius: 4, color: "#98a2b3", fillColor: "#98a2b3", fillOpacity: 1, weight: 1})
        .bindTooltip(c.name, {permanent: true, direction: "right", className: "centre-label"}).addTo(map);
      bounds.push([c.lat, c.lng]);
    });
    data.points.forEach(function (p) {
      var colour = p.open ? "#f79009" : "#12b76a";
      var m = L.circleMarker([p.lat, p.lng], {radius: 7, color: "#fff", weight: 1.5, fillColor: colour, fillOpacity: 0.9});
      var box = document.createElement("span");
      box.textContent = p.category + " · " + p.state + " · " + p.number;
      m.bindPopup(box).addTo(map);
      bounds.push([p.lat, p.lng]);
    });
    if (bounds.length) map.fitBounds(bounds, {padding: [24, 24], maxZoom: 16});
    else map.setView([36.06, 117.81], 12);
  });
})();
