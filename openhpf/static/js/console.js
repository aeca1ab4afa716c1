/* Behaviour every console page shares (no inline scripts: the CSP forbids them). */
(function () {
  "use strict";
  /* 打印: a button with data-print prints the page; the print stylesheet drops the menu and the buttons. */
  document.addEventListener("click", function (e) {
    var t = e.target instanceof Element ? e.target.closest("[data-print]") : null;
    if (t) { e.preventDefault(); window.print(); }
  });

  /* An htmx panel whose request fails says so in its own box instead of spinning on 「正在加载」 forever. */
  function panelProblem(e, text) {
    var target = e.detail && e.detail.target;
    if (!(target instanceof Element) || target === document.body) { return; }
    var p = document.createElement("p");
    p.className = "error panel-error";
    p.setAttribute("role", "alert");
    p.textContent = text;
    target.replaceChildren(p);
  }
  document.addEventListener("htmx:responseError", function (e) {
    var status = e.detail && e.detail.xhr ? e.detail.xhr.status : 0;
    var why = status === 403 ? "无权限查看" : status === 404 ? "内容不存在" : status >= 500 ? "服务器出错，请稍后重试" : "请求未完成";
    if (status === 400 || status === 409 || status === 422) { return; }  /* forms answer these with their own errors */
    panelProblem(e, "加载失败（" + why + "，HTTP " + status + "）");
  });
  document.addEventListener("htmx:sendError", function (e) { panelProblem(e, "加载失败：网络连接中断，请刷新页面重试"); });

  /* 菜单抽屉 (phone): the ☰ button opens the menu as a drawer from the left; ×, the backdrop, Esc or a link
     closes it. aria-expanded follows; focus goes into the drawer and back to the button. Desktop ignores it. */
  var toggle = document.querySelector("[data-drawer]");
  var drawer = toggle ? document.getElementById(toggle.getAttribute("data-drawer")) : null;
  var backdrop = document.querySelector(".drawer-backdrop");
  function setOpen(open, restoreFocus) {
    if (!toggle || !drawer) { return; }
    drawer.classList.toggle("open", open);
    document.body.classList.toggle("drawer-open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    toggle.setAttribute("aria-label", open ? "关闭菜单" : "打开菜单");
    if (backdrop) { backdrop.hidden = !open; }
    if (open) {
      var first = drawer.querySelector("a[aria-current], a");
      if (first) { first.focus(); }
    } else if (restoreFocus) {
      toggle.focus();
    }
  }
  if (toggle && drawer) {
    toggle.addEventListener("click", function () {
      setOpen(toggle.getAttribute("aria-expanded") !== "true", true);
    });
    document.addEventListener("click", function (e) {
      var t = e.target instanceof Element ? e.target : null;
      if (t && t.closest("[data-drawer-close]")) { setOpen(false, true); }
      else if (t && drawer.classList.contains("open") && t.closest("#" + drawer.id + " a")) { setOpen(false, false); }
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && drawer.classList.contains("open")) { setOpen(false, true); }
    });
    window.matchMedia("(min-width: 720px)").addEventListener("change", function (m) {
      if (m.matches) { setOpen(false, false); }
    });
  }
})();
