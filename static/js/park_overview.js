// Draws the park overview charts from the JSON the page embeds.
document.addEventListener("DOMContentLoaded", () => {
  const data = JSON.parse(document.getElementById("chart-data").textContent);
  const size = echarts.init(document.getElementById("chart-size"));
  size.setOption({
    tooltip: {},
    xAxis: { type: "category", data: data.size.labels },
    yAxis: { type: "value", minInterval: 1, name: "企业数" },
    series: [{ type: "bar", data: data.size.values, itemStyle: { color: "#0b6e4f" } }],
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
