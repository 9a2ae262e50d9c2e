// Draws the park overview charts from the JSON the page embeds.
document.addEventListener("DOMContentLoaded", () => {
  const data = JSON.parse(document.getElementById("chart-data").textContent);
  const size = echarts.init(document.getElementById("chart-size"));
  const threshold = data.size.threshold;
  size.setOption({
    tooltip: { trigger: "axis" },
    grid: { left: 8, right: 24, top: 24, bottom: 8, containLabel: true },
    xAxis: { type: "value", minInterval: 1, name: "人" },
    yAxis: { type: "category", inverse: true, data: data.size.names,
      axisLabel: { width: 120, overflow: "truncate" } },
    series: [{
      type: "bar",
      // Which enterprises are large is decided on the server (the packs' declared size).
      data: data.size.values.map((v, i) => ({
        value: v, itemStyle: { color: data.size.large[i] ? "#b44d12" : "#0b6e4f" },
      })),
      markLine: threshold ? { symbol: "none", label: { formatter: `${threshold}人` },
        data: [{ xAxis: threshold }] } : undefined,
    }],
  });
  const category = echarts.init(document.getElementById("chart-category"));
  category.setOption({
    tooltip: { trigger: "item", formatter: "{b}: {c} 人 ({d}%)" },
    legend: { bottom: 0 },
    series: [{ type: "pie", radius: ["35%", "65%"], data: data.category.filter((d) => d.value > 0) }],
  });
  window.addEventListener("resize", () => { size.resize(); category.resize(); });
  // Mark the page ready once both charts have finished drawing (after their animation).
  let pending = 2;
  for (const chart of [size, category]) {
    chart.on("finished", function done() {
      chart.off("finished", done);
      if (--pending === 0) document.body.dataset.chartsReady = "1";
    });
  }
});
