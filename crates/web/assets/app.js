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
      chart.setOption({
        tooltip: { trigger: "axis" },
        grid: { left: 48, right: 16, top: 24, bottom: 56 },
        xAxis: { type: "category", data: d.names, axisLabel: { interval: 0, rotate: d.names.length > 6 ? 30 : 0 } },
        yAxis: { type: "value" },
        series: [{ type: "bar", data: d.values, itemStyle: { color: "#1f5fbf" }, label: { show: true, position: "top" } }]
      });
      chart.on("click", function (p) {
        var code = d.codes && d.codes[p.dataIndex];
        if (code) window.location.href = "/orgs?kind=enterprise&region=" + encodeURIComponent(code);
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
