// gongjiang console behaviour: confirmations, charts, API docs. No external URLs.
// The Content-Security-Policy allows no inline script: templates carry no on…= handlers,
// only data- attributes, and the behaviour is wired here by event delegation:
//   <form data-confirm="…"> / <button type=submit data-confirm="…">  ask before submitting
//   <select data-autosubmit>                 submits its form when changed
//   <input type=checkbox data-check-all="CSS selector">  ticks/unticks the matching boxes
//   <a data-back href="/">                   goes back in history (the href without it)
//   <button data-nav-toggle aria-controls="id" aria-expanded="false">  opens/closes the
//                                            navigation of narrow screens (class "open")
//   <button data-print>                      prints the page (window.print())
(function () {
  "use strict";
  // Tells app.css that the menu button works (without JavaScript the navigation follows
  // the content on narrow screens and a plain link leads to it).
  document.documentElement.classList.add("js");

  function setNav(toggle, open) {
    var nav = document.getElementById(toggle.getAttribute("aria-controls"));
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (nav) nav.classList.toggle("open", open);
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Escape") return;
    var t = document.querySelector("[data-nav-toggle][aria-expanded=true]");
    if (t) {
      setNav(t, false);
      t.focus();
    }
  });
  document.addEventListener("submit", function (ev) {
    var f = ev.target;
    var b = ev.submitter;
    var q = (b && b.dataset && b.dataset.confirm) || (f && f.dataset && f.dataset.confirm);
    if (q && !window.confirm(q)) {
      ev.preventDefault();
      ev.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el && el.matches && el.matches("select[data-autosubmit]") && el.form) {
      el.form.submit();
    }
  });

  document.addEventListener("click", function (ev) {
    var el = ev.target;
    if (!el || !el.closest) return;
    var all = el.closest("input[type=checkbox][data-check-all]");
    if (all) {
      document.querySelectorAll(all.dataset.checkAll).forEach(function (b) {
        if (b !== all) b.checked = all.checked;
      });
      return;
    }
    var toggle = el.closest("[data-nav-toggle]");
    if (toggle) {
      setNav(toggle, toggle.getAttribute("aria-expanded") !== "true");
      return;
    }
    if (el.closest("[data-print]")) {
      ev.preventDefault();
      window.print();
      return;
    }
    var back = el.closest("a[data-back]");
    if (back && window.history.length > 1) {
      ev.preventDefault();
      window.history.back();
    }
  });

  // Tooltips are drawn on the chart's canvas (renderMode "richText"), not as HTML: ECharts'
  // HTML tooltips carry style="" attributes that the Content-Security-Policy refuses.
  // Formatters therefore return plain text ("\n" for a new line; nothing is parsed as HTML).
  function tip(o) {
    o.renderMode = "richText";
    return o;
  }

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
          tooltip: tip({ trigger: "item", formatter: "{b}: {c} ({d}%)" }),
          legend: { type: "scroll", bottom: 0 },
          // Empty slices carry no label; labels that would still collide are hidden (the
          // legend and the tooltip name every slice).
          series: [{ type: "pie", radius: ["35%", "65%"], avoidLabelOverlap: true, labelLayout: { hideOverlap: true },
                     data: d.names.map(function (n, i) {
                       var v = s0.values[i];
                       return { name: n, value: v, label: { show: !!v }, labelLine: { show: !!v } };
                     }) }]
        });
        window.addEventListener("resize", function () { chart.resize(); });
        return;
      }
      if (d.kind === "treemap") {
        var labels = d.labels || ["", ""];
        chart.setOption({
          color: ["#1f5fbf", "#f08c00", "#2f9e44", "#ae3ec9", "#0c8599", "#e8590c", "#5c940d", "#862e9c"],
          tooltip: tip({
            formatter: function (p) {
              var x = p.data || {};
              return p.name + "\n" + labels[0] + ": " + (x.enterprises || 0) +
                "\n" + labels[1] + ": " + (x.parks || 0);
            }
          }),
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
        var legend = d.legend || ["", ""];
        var names = {};
        (d.nodes || []).forEach(function (n) { names[n.id] = n.name; });
        chart.setOption({
          color: ["#1f5fbf", "#f08c00"],
          tooltip: tip({
            formatter: function (p) {
              if (p.dataType === "edge") return (p.data.sourceName || "") + " ↔ " + (p.data.targetName || "") + (p.data.ended ? " (" + (d.ended_label || "ended") + ")" : "");
              return p.name + "\n" + (legend[p.data.category] || "") + " · " + (p.data.pairs || 0);
            }
          }),
          legend: [{ data: legend, bottom: 0 }],
          series: [{
            type: "graph", layout: "force", roam: true, draggable: true,
            categories: [{ name: legend[0] }, { name: legend[1] }],
            // Labels only on the large nodes (the server marks them: "label"), cut at 9em;
            // labels that would still collide are hidden, every name is in the tooltip.
            // Enough gravity that separate pairs stay in the frame, clear of the legend.
            top: 24, bottom: 48, left: 24, right: 24,
            // Laid out at once (no animation), so that overlapping labels are hidden on the
            // final positions.
            force: { repulsion: d.repulsion || 180, edgeLength: [60, 120], gravity: 0.25, layoutAnimation: false },
            label: { show: true, position: "right", fontSize: 11, width: 130, overflow: "truncate", ellipsis: "…" },
            labelLayout: { hideOverlap: d.label_overlap !== "show" },
            lineStyle: { color: "source", width: 1.5, opacity: 0.7 },
            emphasis: { focus: "adjacency" },
            data: (d.nodes || []).map(function (n) {
              return { id: n.id, name: n.name, pairs: n.pairs, category: n.leader ? 0 : 1,
                       symbolSize: n.leader ? 26 + Math.min(n.pairs, 10) * 2 : 12,
                       label: { show: n.label == null ? true : !!n.label } };
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
      var palette = ["#1f5fbf", "#f08c00", "#2f9e44", "#ae3ec9", "#e03131", "#0c8599", "#5c940d", "#862e9c"];
      var series = d.series || [{ name: d.title || "", values: d.values }];
      var names = d.names || [];
      var line = d.kind === "line";
      // Labels never overlap: the server asks for horizontal bars (names on the y axis,
      // sorted, one row each) when there are many categories or long names, and folds
      // the tail into one bar 其他 (ui/charts.rs). Charts without that hint decide here
      // the same way. The grid always makes room for its labels (containLabel); a name
      // longer than label_width ends in "…" and the tooltip shows it in full.
      var longest = names.reduce(function (m, n) { return Math.max(m, String(n).length); }, 0);
      var horizontal = !line && (d.horizontal != null ? !!d.horizontal : (names.length > 8 || longest > 6));
      var many = names.length > 6;
      var top = series.length > 1 ? 32 : 24;
      var valueAxis = { type: "value", minInterval: 1 };
      var catAxis;
      if (horizontal) {
        // One row per category, tall enough for its bars and its name.
        var row = 18 + 6 * series.length;
        var want = names.length * row + top + 40;
        if (want > el.clientHeight) {
          el.style.height = want + "px";
          chart.resize();
        }
        var width = Math.min(d.label_width || 150, Math.max(80, Math.floor(el.clientWidth * 0.4)));
        catAxis = { type: "category", data: names, inverse: true,
                    axisLabel: { interval: 0, width: width, overflow: "truncate", ellipsis: "…", hideOverlap: true } };
      } else {
        catAxis = { type: "category", data: names,
                    axisLabel: { interval: 0, rotate: many ? 30 : 0, hideOverlap: true, width: many ? 110 : undefined, overflow: many ? "truncate" : undefined } };
      }
      chart.setOption({
        color: palette,
        tooltip: tip({ trigger: "axis", axisPointer: { type: horizontal ? "shadow" : "line" } }),
        legend: series.length > 1 ? { top: 0 } : undefined,
        grid: { left: 8, right: horizontal ? 40 : 16, top: top, bottom: 8, containLabel: true },
        xAxis: horizontal ? valueAxis : catAxis,
        yAxis: horizontal ? catAxis : { type: "value" },
        series: series.map(function (s) {
          // d.stack: the series stack into one bar per category (a distribution).
          return { name: s.name, type: line ? "line" : "bar", data: s.values, smooth: line,
                   stack: d.stack ? "total" : undefined,
                   labelLayout: { hideOverlap: true },
                   label: { show: !line && !d.stack && (horizontal ? series.length === 1 : !many), position: horizontal ? "right" : "top" } };
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
      // validatorUrl: null — no badge fetched from validator.swagger.io.
      window.SwaggerUIBundle({ url: "/api/v1/openapi.json", dom_id: "#swagger", validatorUrl: null });
    }
  }

  window.addEventListener("load", function () { drawCharts(document); swagger(); });
  document.addEventListener("htmx:afterSwap", function (ev) { drawCharts(ev.target); });
})();
