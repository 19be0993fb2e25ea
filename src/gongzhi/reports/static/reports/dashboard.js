/* Dashboard charts: read the figures the page embedded with json_script and draw them with the vendored ECharts. */
(function () {
  "use strict";
  function draw() {
    var holder = document.getElementById("chart-data");
    if (!holder || !window.echarts) { return; }
    var data = JSON.parse(holder.textContent);
    var L = data.labels;
    var charts = [];
    var cat = document.getElementById("chart-category");
    if (cat) {
      var c = echarts.init(cat, null, { renderer: "svg" });
      c.setOption({
        animation: false,
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 8, right: 8, top: 32, bottom: 8, containLabel: true },
        xAxis: { type: "value" },
        yAxis: { type: "category", data: data.by_category.names, inverse: true },
        series: [
          { name: L.hours, type: "bar", data: data.by_category.hours },
          { name: L.participations, type: "bar", data: data.by_category.participations }
        ]
      });
      charts.push(c);
    }
    var mon = document.getElementById("chart-month");
    if (mon) {
      var m = echarts.init(mon, null, { renderer: "svg" });
      m.setOption({
        animation: false,
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 8, right: 8, top: 64, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: data.by_month.months },
        yAxis: [{ type: "value" }, { type: "value", splitLine: { show: false } }],
        series: [
          { name: L.hours, type: "bar", data: data.by_month.hours },
          { name: L.participations, type: "line", yAxisIndex: 1, data: data.by_month.participations },
          { name: L.volunteers, type: "line", yAxisIndex: 1, data: data.by_month.volunteers }
        ]
      });
      charts.push(m);
    }
    window.addEventListener("resize", function () { charts.forEach(function (x) { x.resize(); }); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
