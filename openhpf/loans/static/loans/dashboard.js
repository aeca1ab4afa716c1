/* 贷款风险看板: draws the three charts from the json_script block #loan-dash-data (amounts in fen, rates in ‰ as
   decimal strings) with the vendored ECharts. No inline scripts (CSP). */
(function () {
  "use strict";

  function wan(fen) {
    return fen === null || fen === undefined ? null : Math.round(fen / 10000) / 100;
  }
  function num(s) {
    return s === null || s === undefined ? null : Number(s);
  }

  function draw() {
    var src = document.getElementById("loan-dash-data");
    var months = document.getElementById("dash-months");
    var mix = document.getElementById("dash-mix");
    var vintage = document.getElementById("dash-vintage");
    if (!src || !months || !mix || !vintage || typeof window.echarts === "undefined") {
      return;
    }
    var d = JSON.parse(src.textContent);
    var one = window.echarts.init(months);
    one.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: ["贷款余额", "逾期率"] },
      grid: { left: 64, right: 48, top: 40, bottom: 48 },
      xAxis: { type: "category", data: d.months, axisLabel: { rotate: 45 } },
      yAxis: [{ type: "value", name: "万元", scale: true }, { type: "value", name: "‰", min: 0, splitLine: { show: false } }],
      series: [
        { name: "贷款余额", type: "bar", yAxisIndex: 0, data: d.balance.map(wan), itemStyle: { color: "#1f4e8c" } },
        { name: "逾期率", type: "line", yAxisIndex: 1, data: d.rate.map(num), itemStyle: { color: "#b42318" } }
      ]
    });
    var two = window.echarts.init(mix);
    two.setOption({
      animation: false,
      tooltip: { trigger: "item" },
      legend: { top: 0 },
      series: [{
        name: "贷款余额（万元）", type: "pie", radius: ["35%", "65%"], top: 24,
        data: d.mix.map(function (m) { return { name: m.name + "（" + m.count + " 笔）", value: wan(m.balance) }; })
      }]
    });
    var three = window.echarts.init(vintage);
    three.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      grid: { left: 56, right: 16, top: 24, bottom: 48 },
      xAxis: { type: "category", data: d.vintage.quarters, axisLabel: { rotate: 45 } },
      yAxis: { type: "value", name: "‰", min: 0 },
      series: [{ name: "逾期率", type: "bar", data: d.vintage.rate.map(num), itemStyle: { color: "#a15c00" } }]
    });
    window.addEventListener("resize", function () { one.resize(); two.resize(); three.resize(); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
