// Draws the epidemic-free factory ranking (percent of applicable points met) from the JSON
// the page embeds; whitelisted enterprises are drawn in a second colour.
document.addEventListener("DOMContentLoaded", () => {
  const data = JSON.parse(document.getElementById("chart-data").textContent);
  const node = document.getElementById("chart-readiness");
  if (!node || !data.names.length) return;
  const chart = echarts.init(node);
  chart.setOption({
    tooltip: {
      trigger: "axis",
      formatter: (items) => {
        const i = items[0].dataIndex;
        return `${data.names[i]}<br>达标 ${data.met[i]}/${data.total[i]}（${data.percent[i]}%）`
          + (data.whitelisted[i] ? "<br>白名单企业" : "");
      },
    },
    grid: { left: 8, right: 24, top: 24, bottom: 8, containLabel: true },
    xAxis: { type: "value", min: 0, max: 100, name: "%" },
    yAxis: { type: "category", inverse: true, data: data.names,
      axisLabel: { width: 120, overflow: "truncate" } },
    series: [{
      type: "bar",
      name: "达标率",
      data: data.percent.map((value, i) => ({
        value,
        itemStyle: { color: data.whitelisted[i] ? "#1f5fa8" : "#0b6e4f" },
      })),
    }],
  });
  chart.on("finished", () => { document.body.dataset.chartReady = "1"; });
  window.addEventListener("resize", () => chart.resize());
});
