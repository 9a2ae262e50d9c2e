// Draws the chain of transmission of an incident: the index people and their candidates,
// confirmed contacts in orange, solid lines for confirmed close contacts. The server decides
// who is in the chain and masks the names; this only draws it.
document.addEventListener("DOMContentLoaded", () => {
  const holder = document.getElementById("chain");
  const source = document.getElementById("chain-data");
  if (!holder || !source || typeof echarts === "undefined") return;
  const data = JSON.parse(source.textContent);
  const colours = {
    this: "#b3261e", index: "#b3261e", confirmed: "#b44d12", proposed: "#7a7a7a",
  };
  const labels = { this: "本事件指示人员", index: "指示人员", confirmed: "已确认", proposed: "待核实" };
  const chart = echarts.init(holder);
  chart.setOption({
    tooltip: {
      formatter: (p) => (p.dataType === "edge" ? p.data.degree : `${p.data.name}：${labels[p.data.role]}`),
    },
    series: [{
      type: "graph",
      layout: "force",
      roam: true,
      draggable: true,
      force: { repulsion: 160, edgeLength: 70 },
      label: { show: true, position: "right" },
      edgeSymbol: ["none", "arrow"],
      data: data.nodes.map((n) => ({
        ...n,
        symbolSize: n.role === "this" ? 28 : n.role === "index" ? 22 : 14,
        itemStyle: { color: colours[n.role] || "#7a7a7a" },
      })),
      links: data.links.map((l) => ({
        ...l,
        lineStyle: { type: l.confirmed ? "solid" : "dashed", width: l.degree === "密接" ? 2 : 1 },
      })),
    }],
  });
  window.addEventListener("resize", () => chart.resize());
  chart.on("finished", function done() {
    chart.off("finished", done);
    document.body.dataset.chartsReady = "1";
  });
});
