// Draws the declaration rate of the last days from the JSON the board page embeds.
document.addEventListener("DOMContentLoaded", () => {
  const data = JSON.parse(document.getElementById("chart-data").textContent);
  const chart = echarts.init(document.getElementById("chart-rate"));
  chart.setOption({
    tooltip: { trigger: "axis", valueFormatter: (v) => `${v}%` },
    grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: data.days },
    yAxis: { type: "value", min: 0, max: 100, name: "%" },
    series: [{ type: "line", data: data.rates, areaStyle: {}, itemStyle: { color: "#0b6e4f" } }],
  });
  window.addEventListener("resize", () => chart.resize());
  chart.on("finished", function done() {
    chart.off("finished", done);
    document.body.dataset.chartsReady = "1";
  });
});
