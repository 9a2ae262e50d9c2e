/* Page behaviours every template may ask for with a data-* attribute (no inline script:
   the content security policy allows scripts from this site only).
   - data-print on a button: print the page;   data-autoprint on <body>: print on load;
   - data-confirm="…" on a form: ask before it is submitted;
   - data-select-all="selector" on a checkbox: tick or untick every box it selects;
   - data-back on a link: go back one page;
   - data-pin-x / data-pin-y (percent) on an element: placed there (the site plan's pins),
     through the CSSOM, which the policy allows, where a style="…" attribute is refused. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    if (target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
      return;
    }
    if (target.closest("a[data-back]") && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm !== undefined) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    }
  });
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box instanceof HTMLInputElement && box.dataset.selectAll) {
      document.querySelectorAll(box.dataset.selectAll).forEach(function (other) {
        other.checked = box.checked;
      });
    }
  });
  function pins() {
    document.querySelectorAll("[data-pin-x][data-pin-y]").forEach(function (pin) {
      pin.style.left = pin.dataset.pinX + "%";
      pin.style.top = pin.dataset.pinY + "%";
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", pins);
  else pins();
  document.addEventListener("htmx:afterSettle", pins);
  function autoprint() {
    if (document.body && document.body.hasAttribute("data-autoprint")) window.print();
  }
  if (document.readyState === "complete") autoprint();
  else window.addEventListener("load", autoprint);
})();
