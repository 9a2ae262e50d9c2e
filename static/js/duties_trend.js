// Draws the dashboards' trend chart (declaration rate, test coverage, overdue, positives)
// from the JSON the page embeds; the same numbers are in the table under it.
document.addEventListener("DOMContentLoaded", () => {
  const node = document.getElementById("trend-data");
  const box = document.getElementById("chart-trend");
  if (!node || !box || typeof echarts === "undefined") return;
  const data = JSON.parse(node.textContent);
  const chart = echarts.init(box);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { bottom: 0 },
    grid: { left: 8, right: 8, top: 32, bottom: 40, containLabel: true },
    xAxis: { type: "category", data: data.days },
    yAxis: [
      { type: "value", name: "%", min: 0, max: 100 },
      { type: "value", name: "人", minInterval: 1 },
    ],
    series: [
      { name: "申报率", type: "line", data: data.declared_rate, connectNulls: true },
      { name: "检测覆盖率", type: "line", data: data.coverage, connectNulls: true },
      { name: "逾期人数", type: "bar", yAxisIndex: 1, data: data.overdue, itemStyle: { color: "#b44d12" } },
      { name: "阳性人数", type: "bar", yAxisIndex: 1, data: data.positives, itemStyle: { color: "#b42318" } },
    ],
  });
  window.addEventListener("resize", () => chart.resize());
  chart.on("finished", function done() {
    chart.off("finished", done);
    document.body.dataset.trendReady = "1";
  });
});
