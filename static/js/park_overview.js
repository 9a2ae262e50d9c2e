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
    series: [{ type: "pie", radius: ["35%", "65%"], data: data.category }],
  });
  window.addEventListener("resize", () => { size.resize(); category.resize(); });
  document.body.dataset.chartsReady = "1";
});
