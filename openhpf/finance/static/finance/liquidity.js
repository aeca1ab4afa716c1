/* The forecast chart of the liquidity page (财务 · 流动性): reads the figures from the json_script block
   #forecast-data (amounts in fen) and draws them with the vendored ECharts. No inline scripts (CSP). */
(function () {
  "use strict";

  function wan(fen) {
    // fen → 万元 for display only; the figures themselves stay integers in fen
    return fen === null || fen === undefined ? null : Math.round(fen / 10000) / 100;
  }

  function draw() {
    var el = document.getElementById("forecast-chart");
    var src = document.getElementById("forecast-data");
    if (!el || !src || typeof window.echarts === "undefined") {
      return;
    }
    var d = JSON.parse(src.textContent);
    var n = d.history;
    function points(values) {
      return values.map(function (v, i) {
        return i < n ? wan(v) : { value: wan(v), itemStyle: { opacity: 0.45 } };
      });
    }
    var chart = window.echarts.init(el);
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: [d.labels.inflow, d.labels.outflow, d.labels.net, d.labels.projected] },
      grid: { left: 56, right: 64, top: 48, bottom: 40 },
      xAxis: { type: "category", data: d.months, axisLabel: { rotate: 45 } },
      // the monthly flows and the available funds differ by orders of magnitude: each gets its own axis, so
      // the flows are not flat lines under 可用资金
      yAxis: [
        { type: "value", name: "流量（万元）", position: "left", scale: true },
        { type: "value", name: "可用资金（万元）", position: "right", scale: true, splitLine: { show: false } }
      ],
      series: [
        {
          name: d.labels.inflow, type: "bar", yAxisIndex: 0, data: points(d.inflow), itemStyle: { color: "#1e7b45" },
          markArea: d.months.length > n ? {
            silent: true, itemStyle: { color: "rgba(180, 35, 42, 0.06)" }, label: { show: true, position: "insideTop" },
            data: [[{ name: "预测", xAxis: d.months[n] }, { xAxis: d.months[d.months.length - 1] }]]
          } : undefined
        },
        { name: d.labels.outflow, type: "bar", yAxisIndex: 0, data: points(d.outflow), itemStyle: { color: "#b42318" } },
        { name: d.labels.net, type: "line", yAxisIndex: 0, data: points(d.net), itemStyle: { color: "#1f2933" } },
        {
          name: d.labels.projected, type: "line", yAxisIndex: 1, data: d.projected.map(wan), connectNulls: false,
          lineStyle: { type: "dashed" }, itemStyle: { color: "#a15c00" }
        }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
