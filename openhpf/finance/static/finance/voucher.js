/* 记账凭证: the 打印 button, and on the 手工记账 form the live 借/贷 totals (the server checks them again). */
(function () {
  "use strict";
  var form = document.querySelector("[data-voucher-form]");
  if (!form) { return; }
  function fen(text) {
    var t = (text || "").replace(/,/g, "").trim();
    if (!t) { return 0; }
    if (!/^\d+(\.\d{1,2})?$/.test(t)) { return NaN; }
    var parts = t.split(".");
    return parseInt(parts[0], 10) * 100 + parseInt(((parts[1] || "") + "00").slice(0, 2), 10);
  }
  function yuan(f) {
    var s = String(Math.floor(f / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return s + "." + String(f % 100).padStart(2, "0");
  }
  var out = form.querySelector("[data-voucher-check]");
  /* Shows the totals; returns whether the voucher may go on to 核对 (balanced, amounts well formed, not empty). */
  function check() {
    var d = 0, c = 0, bad = false;
    form.querySelectorAll("[data-debit]").forEach(function (i) { var v = fen(i.value); if (isNaN(v)) { bad = true; } else { d += v; } });
    form.querySelectorAll("[data-credit]").forEach(function (i) { var v = fen(i.value); if (isNaN(v)) { bad = true; } else { c += v; } });
    if (bad) {
      out.textContent = "金额格式不正确（元，最多两位小数）";
      out.className = "voucher-check bad";
      return false;
    }
    if (d !== c) {
      out.textContent = "借贷不平：借方合计 " + yuan(d) + " 元，贷方合计 " + yuan(c) + " 元，差额 " + yuan(Math.abs(d - c)) + " 元";
      out.className = "voucher-check bad";
      return false;
    }
    out.textContent = "借贷平衡：借方合计 " + yuan(d) + " 元，贷方合计 " + yuan(c) + " 元";
    out.className = "voucher-check ok";
    return d > 0;
  }
  form.addEventListener("input", check);
  /* an unbalanced voucher does not go on: the message says why (the server checks again either way) */
  form.addEventListener("submit", function (ev) {
    if (check()) { out.removeAttribute("role"); return; }
    ev.preventDefault();
    if (out.className.indexOf("bad") < 0) {
      out.textContent = "请填写借方和贷方金额（至少一借一贷两行分录）";
      out.className = "voucher-check bad";
    }
    out.setAttribute("role", "alert");
    out.scrollIntoView({block: "center"});
  });
  var more = form.querySelector("[data-more-lines]");
  if (more) {
    more.addEventListener("click", function () {
      var hidden = form.querySelector("tr[data-line][hidden]");
      if (hidden) { hidden.hidden = false; }
      if (!form.querySelector("tr[data-line][hidden]")) { more.hidden = true; }
    });
  }
  check();
}());
