// The impact preview's chart: duties appearing, moving, disappearing; entry dates changed.
window.addEventListener("load", function () {
  var el = document.getElementById("impact-chart");
  if (!el || !window.echarts) return;
  var values = el.dataset.values.split(",").map(Number);
  window.echarts.init(el).setOption({
    grid: { left: 80, right: 20, top: 10, bottom: 20 },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: ["新增事项", "时间变化", "取消事项", "进厂时间变化"] },
    series: [{ type: "bar", data: values }],
  });
});
