// Draws every enterprise's lowest days of cover against the park's minimum.
document.addEventListener("DOMContentLoaded", () => {
  const data = JSON.parse(document.getElementById("chart-data").textContent);
  const chart = echarts.init(document.getElementById("chart-cover"));
  const minimum = data.minimum;
  chart.setOption({
    tooltip: { trigger: "axis" },
    grid: { left: 8, right: 24, top: 24, bottom: 8, containLabel: true },
    xAxis: { type: "value", name: "天" },
    yAxis: { type: "category", inverse: true, data: data.names,
      axisLabel: { width: 120, overflow: "truncate" } },
    series: [{
      type: "bar",
      // Which enterprises run low is the server's decision; the colour only follows it.
      data: data.cover.map((v, i) => ({
        value: v, itemStyle: { color: data.low[i] ? "#b44d12" : "#0b6e4f" },
      })),
      markLine: minimum ? { symbol: "none", label: { formatter: `${minimum}天` },
        data: [{ xAxis: minimum }] } : undefined,
    }],
  });
  window.addEventListener("resize", () => chart.resize());
  chart.on("finished", function done() {
    chart.off("finished", done);
    document.body.dataset.chartsReady = "1";
  });
});
