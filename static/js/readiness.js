// Draws the epidemic-free factory ranking from the JSON the page embeds.
document.addEventListener("DOMContentLoaded", () => {
  const data = JSON.parse(document.getElementById("chart-data").textContent);
  const node = document.getElementById("chart-readiness");
  if (!node || !data.names.length) return;
  const chart = echarts.init(node);
  chart.setOption({
    tooltip: { trigger: "axis" },
    grid: { left: 8, right: 24, top: 24, bottom: 8, containLabel: true },
    xAxis: { type: "value", min: 0, max: data.total, minInterval: 1, name: "项" },
    yAxis: { type: "category", inverse: true, data: data.names,
      axisLabel: { width: 120, overflow: "truncate" } },
    series: [{ type: "bar", name: "达标项", data: data.met, itemStyle: { color: "#0b6e4f" } }],
  });
  chart.on("finished", () => { document.body.dataset.chartReady = "1"; });
  window.addEventListener("resize", () => chart.resize());
});
