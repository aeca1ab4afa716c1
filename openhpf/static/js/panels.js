/* A panel loaded by htmx that fails says so instead of spinning: the target gets a short message (403: no
   permission; otherwise the HTTP status or "network"). Pages load this with console.js (no inline scripts). */
(function () {
  "use strict";
  function message(status) {
    if (status === 403) { return "您没有查看此内容的权限。"; }
    if (status === 404) { return "内容不存在或已被删除。"; }
    if (status === 0) { return "网络连接失败，请检查网络后刷新页面。"; }
    return "加载失败（HTTP " + status + "），请刷新页面重试；如仍失败请联系系统管理员。";
  }
  function show(evt, status) {
    var target = evt.detail && (evt.detail.target || evt.detail.elt);
    if (!target || status === 401) { return; } /* a session that ended is sent to the sign-in page elsewhere */
    var p = document.createElement("p");
    p.className = "error panel-error";
    p.setAttribute("role", "alert");
    p.setAttribute("data-testid", "panel-error");
    p.textContent = message(status);
    target.replaceChildren(p);
  }
  document.addEventListener("htmx:responseError", function (evt) {
    show(evt, evt.detail && evt.detail.xhr ? evt.detail.xhr.status : 500);
  });
  document.addEventListener("htmx:sendError", function (evt) { show(evt, 0); });
})();
