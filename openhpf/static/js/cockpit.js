/* 领导驾驶舱: draws the two charts from the json_script block #cockpit-data (amounts in fen, 个贷率 in %) with
   the vendored ECharts. No inline scripts (CSP). */
(function () {
  "use strict";

  function wan(fen) {
    // fen → 万元 for display only; the figures themselves stay integers in fen
    return fen === null || fen === undefined ? null : Math.round(fen / 10000) / 100;
  }

  function draw() {
    var src = document.getElementById("cockpit-data");
    var flows = document.getElementById("cockpit-flows");
    var balance = document.getElementById("cockpit-balance");
    if (!src || !flows || !balance || typeof window.echarts === "undefined") {
      return;
    }
    var d = JSON.parse(src.textContent);
    var one = window.echarts.init(flows);
    one.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: [d.labels.deposits, d.labels.withdrawals] },
      grid: { left: 56, right: 16, top: 40, bottom: 48 },
      xAxis: { type: "category", data: d.months, axisLabel: { rotate: 45 } },
      yAxis: { type: "value", name: "万元" },
      series: [
        { name: d.labels.deposits, type: "bar", data: d.deposits.map(wan), itemStyle: { color: "#1e7b45" } },
        { name: d.labels.withdrawals, type: "bar", data: d.withdrawals.map(wan), itemStyle: { color: "#b42318" } }
      ]
    });
    var two = window.echarts.init(balance);
    two.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: [d.labels.balance, d.labels.loan_ratio] },
      grid: { left: 64, right: 48, top: 40, bottom: 48 },
      xAxis: { type: "category", data: d.months, axisLabel: { rotate: 45 } },
      yAxis: [
        { type: "value", name: "万元", scale: true },
        { type: "value", name: "%", min: 0, max: 100, splitLine: { show: false } }
      ],
      series: [
        { name: d.labels.balance, type: "line", yAxisIndex: 0, data: d.balance.map(wan), itemStyle: { color: "#1f4e8c" } },
        { name: d.labels.loan_ratio, type: "line", yAxisIndex: 1, data: d.loan_ratio, itemStyle: { color: "#a15c00" } }
      ]
    });
    window.addEventListener("resize", function () { one.resize(); two.resize(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
