// Site plan (an enterprise's or a park's): drawn as an ECharts SVG map. The sanitised plan is
// registered as the map (echarts.registerMap(name, {svg})); each placed area is a point in its
// zone colour labelled with its head count now, each junction a line; the counts are read
// again from the plan API every minute. The data comes from the page's JSON (json_script), so
// there is no inline script. An area bound to a named element of the plan is drawn as that
// region of the map, filled in its zone colour and labelled with its head count. Without scripts (or if the map cannot be drawn) the page keeps
// its own markup: the image with a pin per area. An officer places an area by choosing it and
// clicking on the plan; the click's place in percent of the plan fills the form, which is
// posted (the server checks the area is the owner's).
(function () {
  "use strict";
  var COLOURS = { green: "#2e7d32", blue: "#1565c0", orange: "#ef6c00", red: "#c62828" };
  var REFRESH_MS = 60000;
  var fallback = document.getElementById("siteplan");
  var holder = document.getElementById("siteplan-map");
  var source = document.getElementById("siteplan-data");
  var form = document.getElementById("place-form");

  function place(x, y) {
    if (!form) return;
    form.elements.x.value = Math.min(100, Math.max(0, x)).toFixed(2);
    form.elements.y.value = Math.min(100, Math.max(0, y)).toFixed(2);
    form.requestSubmit ? form.requestSubmit() : form.submit();
  }

  // Placing on the image, when the map is not drawn.
  function placeOnImage() {
    if (!fallback || !form || fallback.getAttribute("data-can-place") !== "1") return;
    fallback.classList.add("placing");
    fallback.addEventListener("click", function (event) {
      var box = fallback.getBoundingClientRect();
      if (!box.width || !box.height) return;
      place(((event.clientX - box.left) / box.width) * 100,
        ((event.clientY - box.top) / box.height) * 100);
    });
  }

  // The plan's shape as ECharts' SVG map reads it: the root's width and height (from the
  // origin) where given, else its viewBox. ECharts' map coordinates are in these units, not
  // the viewBox's: a plan with viewBox="0 0 400 250" width="800" height="500" has map
  // coordinates 0..800 by 0..500.
  function shape(root) {
    var view = (root.getAttribute("viewBox") || "").trim().split(/[\s,]+/).map(Number);
    var hasView = view.length === 4 && view[2] > 0 && view[3] > 0 && view.every(isFinite);
    var w = parseFloat(root.getAttribute("width")), h = parseFloat(root.getAttribute("height"));
    var bw = w > 0 ? w : (hasView ? view[2] : 0), bh = h > 0 ? h : (hasView ? view[3] : 0);
    return bw > 0 && bh > 0 ? { w: bw, h: bh } : null;
  }

  // Name the elements bound areas are drawn as (ECharts names SVG map regions by their `name`
  // attribute; the plan names them by `id`), so each is a region of the map.
  function named(root, areas) {
    areas.forEach(function (a) {
      if (!a.region) return;
      var el = root.ownerDocument.getElementById(a.region);
      if (el) el.setAttribute("name", a.region);
    });
    return new XMLSerializer().serializeToString(root);
  }

  function draw(data, text) {
    var root = new DOMParser().parseFromString(text, "image/svg+xml").documentElement;
    var form0 = shape(root);
    if (!form0) return false;
    var esc = echarts.format.encodeHTML;
    var frame = null; // the map's coordinates of the box's corners, read from ECharts itself
    var at = function (xy) {
      return [frame.x + (xy[0] / 100) * frame.w, frame.y + (xy[1] / 100) * frame.h];
    };
    var regionOf = function (a) { return a.region || null; };
    var points = function (areas) {
      return areas.filter(function (a) {
        return !regionOf(a) && a.x !== null && a.y !== null;
      }).map(function (a) {
        return {
          name: a.name, value: at([a.x, a.y]).concat([a.present]), area: a,
          itemStyle: { color: COLOURS[a.zone] || "#555", borderColor: "#fff", borderWidth: 2 },
        };
      });
    };
    // A bound area: its element filled in the zone colour, labelled with its head count.
    var regions = function (areas) {
      return areas.filter(regionOf).map(function (a) {
        return {
          name: a.region,
          itemStyle: { areaColor: COLOURS[a.zone] || "#555", borderColor: "#263238", borderWidth: 1 },
          label: {
            show: true, color: "#111", backgroundColor: "rgba(255,255,255,.85)", padding: [2, 4],
            formatter: a.name + " " + a.present,
          },
        };
      });
    };
    var height = function () { return Math.round(holder.clientWidth * form0.h / form0.w) + "px"; };
    holder.style.height = height();
    echarts.registerMap(data.name, { svg: named(root, data.areas) });
    var chart = echarts.init(holder, null, { renderer: "svg" });
    chart.on("finished", function () { holder.dataset.ready = "1"; });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "item", confine: true },
      geo: {
        map: data.name, roam: false, silent: true, aspectScale: 1,
        left: 0, right: 0, top: 0, bottom: 0, label: { show: false },
        regions: regions(data.areas),
      },
    });
    // The geo fills the box exactly; where its corners fall in map coordinates is ECharts' own
    // conversion, so a point at p% is drawn where a tap at p% of the box lands.
    var corner0 = chart.convertFromPixel({ geoIndex: 0 }, [0, 0]);
    var corner1 = chart.convertFromPixel({ geoIndex: 0 }, [holder.clientWidth, holder.clientHeight]);
    frame = { x: corner0[0], y: corner0[1], w: corner1[0] - corner0[0], h: corner1[1] - corner0[1] };
    chart.setOption({
      series: [
        {
          type: "lines", coordinateSystem: "geo", silent: false, z: 2,
          data: data.junctions.map(function (j) {
            return {
              name: j.label, coords: [at(j.from), at(j.to)],
              lineStyle: {
                width: 3, type: j.controlled ? "solid" : "dashed",
                color: j.kind === "one_way" ? "#6a1b9a" : "#37474f",
              },
            };
          }),
          tooltip: { formatter: function (p) { return esc(p.name); } },
        },
        {
          id: "areas", type: "scatter", coordinateSystem: "geo", symbolSize: 16, z: 3,
          data: points(data.areas),
          label: {
            show: true, position: "right", color: "#111", backgroundColor: "rgba(255,255,255,.85)",
            padding: [2, 4], formatter: function (p) { return p.name + " " + p.value[2]; },
          },
          tooltip: {
            formatter: function (p) {
              var a = p.data.area;
              return esc(a.name) + (a.isolation ? "（隔离点）" : "") + "<br>" + esc(a.zone_label) +
                "，在区 " + a.present + " / " + a.capacity + " 人";
            },
          },
        },
      ],
    });
    window.addEventListener("resize", function () {
      holder.style.height = height();
      chart.resize();
    });
    if (form && holder.getAttribute("data-can-place") === "1") {
      holder.classList.add("placing");
      // A tap's place on the plan by ECharts' conversion of the pixel the tap landed on (the
      // box's own offset, so CSS scaling of the page does not enter), in percent of the plan.
      holder.addEventListener("click", function (event) {
        var rect = holder.getBoundingClientRect();
        if (!rect.width || !rect.height) return;
        var scaleX = holder.clientWidth / rect.width, scaleY = holder.clientHeight / rect.height;
        var xy = chart.convertFromPixel({ geoIndex: 0 },
          [(event.clientX - rect.left) * scaleX, (event.clientY - rect.top) * scaleY]);
        place(((xy[0] - frame.x) / frame.w) * 100, ((xy[1] - frame.y) / frame.h) * 100);
      });
    }
    // Live head counts: the plan API gives every area's count now.
    if (data.api_url) {
      window.setInterval(function () {
        fetch(data.api_url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (plan) {
            if (!plan) return;
            var known = {};
            data.areas.forEach(function (a) { if (a.region) known[a.region] = true; });
            var areas = plan.areas.map(function (a) {
              return {
                id: a.id, name: a.name, zone: a.zone, present: a.present, capacity: a.capacity,
                isolation: a.is_isolation, x: a.x, y: a.y,
                region: known[a.region] ? a.region : null,
                zone_label: data.zone_labels[a.zone] || a.zone,
              };
            });
            chart.setOption({ geo: { regions: regions(areas) }, series: [{ id: "areas", data: points(areas) }] });
          })
          .catch(function () {});
      }, REFRESH_MS);
    }
    return true;
  }

  if (!fallback || !holder || !source || typeof echarts === "undefined") {
    placeOnImage();
    return;
  }
  var data = JSON.parse(source.textContent);
  fetch(data.svg_url, { credentials: "same-origin" })
    .then(function (r) { if (!r.ok) throw new Error("plan"); return r.text(); })
    .then(function (text) {
      if (draw(data, text)) {
        fallback.hidden = true;
      } else {
        placeOnImage();
      }
    })
    .catch(function () { placeOnImage(); });
})();
