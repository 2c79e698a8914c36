// gongjiang console behaviour: confirmations, charts, API docs. No external URLs.
(function () {
  "use strict";
  document.addEventListener("submit", function (ev) {
    var f = ev.target;
    if (f && f.dataset && f.dataset.confirm && !window.confirm(f.dataset.confirm)) {
      ev.preventDefault();
    }
  }, true);

  function drawCharts(root) {
    if (!window.echarts) return;
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.drawn) return;
      var d;
      try { d = JSON.parse(el.dataset.chart); } catch (e) { return; }
      el.dataset.drawn = "1";
      var chart = window.echarts.init(el);
      if (d.kind === "pie") {
        var s0 = (d.series && d.series[0]) || { values: [] };
        chart.setOption({
          tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
          legend: { type: "scroll", bottom: 0 },
          series: [{ type: "pie", radius: ["35%", "65%"], data: d.names.map(function (n, i) { return { name: n, value: s0.values[i] }; }) }]
        });
        window.addEventListener("resize", function () { chart.resize(); });
        return;
      }
      if (d.kind === "treemap") {
        var enc = window.echarts.format.encodeHTML;
        var labels = d.labels || ["", ""];
        chart.setOption({
          color: ["#1f5fbf", "#f08c00", "#2f9e44", "#ae3ec9", "#0c8599", "#e8590c", "#5c940d", "#862e9c"],
          tooltip: {
            formatter: function (p) {
              var x = p.data || {};
              return enc(p.name) + "<br>" + enc(labels[0]) + ": " + (x.enterprises || 0) +
                "<br>" + enc(labels[1]) + ": " + (x.parks || 0);
            }
          },
          series: [{
            type: "treemap", data: d.tree || [], nodeClick: false, roam: false,
            breadcrumb: { show: false }, top: 8, left: 4, right: 4, bottom: 4,
            label: { show: true, formatter: "{b}\n{c}" },
            upperLabel: { show: true, height: 22, color: "#fff" },
            levels: [
              { itemStyle: { borderColor: "#fff", borderWidth: 3, gapWidth: 3 } },
              { colorSaturation: [0.35, 0.6], itemStyle: { borderColorSaturation: 0.7, gapWidth: 1, borderWidth: 1 } }
            ]
          }]
        });
        chart.on("click", function (p) {
          var code = p.data && p.data.code;
          if (code) window.location.href = d.drill + encodeURIComponent(code);
        });
        window.addEventListener("resize", function () { chart.resize(); });
        return;
      }
      if (d.kind === "graph") {
        // Pairing graph: leaders (chain leaders, state-owned) as larger nodes, pairs as
        // edges; a click on a node opens that organisation.
        var enc2 = window.echarts.format.encodeHTML;
        var legend = d.legend || ["", ""];
        var names = {};
        (d.nodes || []).forEach(function (n) { names[n.id] = n.name; });
        chart.setOption({
          color: ["#1f5fbf", "#f08c00"],
          tooltip: {
            formatter: function (p) {
              if (p.dataType === "edge") return enc2((p.data.sourceName || "") + " ↔ " + (p.data.targetName || "") + (p.data.ended ? " (" + (d.ended_label || "ended") + ")" : ""));
              return enc2(p.name) + "<br>" + enc2(legend[p.data.category] || "") + " · " + (p.data.pairs || 0);
            }
          },
          legend: [{ data: legend, bottom: 0 }],
          series: [{
            type: "graph", layout: "force", roam: true, draggable: true,
            categories: [{ name: legend[0] }, { name: legend[1] }],
            force: { repulsion: 180, edgeLength: [60, 120], gravity: 0.08 },
            label: { show: true, position: "right", fontSize: 11 },
            lineStyle: { color: "source", width: 1.5, opacity: 0.7 },
            emphasis: { focus: "adjacency" },
            data: (d.nodes || []).map(function (n) {
              return { id: n.id, name: n.name, pairs: n.pairs, category: n.leader ? 0 : 1,
                       symbolSize: n.leader ? 26 + Math.min(n.pairs, 10) * 2 : 12 };
            }),
            links: (d.links || []).map(function (l) {
              // An ended pair (结束结对) is drawn dashed and grey.
              return { source: l.source, target: l.target, sourceName: names[l.source], targetName: names[l.target],
                       ended: !!l.ended, lineStyle: l.ended ? { type: "dashed", color: "#adb5bd", opacity: 0.9 } : undefined };
            })
          }]
        });
        chart.on("click", function (p) {
          if (p.dataType === "node" && p.data && p.data.id && d.drill) window.location.href = d.drill + encodeURIComponent(p.data.id);
        });
        window.addEventListener("resize", function () { chart.resize(); });
        return;
      }
      var palette = ["#1f5fbf", "#f08c00", "#2f9e44", "#ae3ec9"];
      var series = d.series || [{ name: d.title || "", values: d.values }];
      var many = d.names.length > 6;
      chart.setOption({
        color: palette,
        tooltip: { trigger: "axis" },
        legend: series.length > 1 ? { top: 0 } : undefined,
        grid: { left: 48, right: 16, top: series.length > 1 ? 32 : 24, bottom: many ? 72 : 32 },
        xAxis: { type: "category", data: d.names, axisLabel: { interval: 0, rotate: many ? 30 : 0 } },
        yAxis: { type: "value" },
        series: series.map(function (s) {
          return { name: s.name, type: d.kind === "line" ? "line" : "bar", data: s.values, smooth: d.kind === "line",
                   label: { show: d.kind !== "line" && !many, position: "top" } };
        })
      });
      chart.on("click", function (p) {
        var code = d.codes && d.codes[p.dataIndex];
        if (!code) return;
        window.location.href = d.drill ? d.drill + encodeURIComponent(code) : "/orgs?kind=enterprise&region=" + encodeURIComponent(code);
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  function swagger() {
    var el = document.getElementById("swagger");
    if (el && window.SwaggerUIBundle) {
      window.SwaggerUIBundle({ url: "/api/v1/openapi.json", dom_id: "#swagger" });
    }
  }

  window.addEventListener("load", function () { drawCharts(document); swagger(); });
  document.addEventListener("htmx:afterSwap", function (ev) { drawCharts(ev.target); });
})();
