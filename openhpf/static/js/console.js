/* Behaviour every console page shares (no inline scripts: the CSP forbids them). */
(function () {
  "use strict";
  /* 打印: a button with data-print prints the page; the print stylesheet drops the menu and the buttons. */
  document.addEventListener("click", function (e) {
    var t = e.target instanceof Element ? e.target.closest("[data-print]") : null;
    if (t) { e.preventDefault(); window.print(); }
  });
})();
