// Live timers of the lockdown board and order page (L-3.0): each element with data-due counts
// down to its deadline; once its report is in (data-done) it stops and shows how it went;
// a missed deadline turns red. No inline script: the page only carries data-* attributes.
(function () {
  "use strict";

  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }

  function span(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var h = Math.floor(s / 3600);
    var m = Math.floor((s % 3600) / 60);
    return (h ? h + ":" + pad(m) : String(m)) + ":" + pad(s % 60);
  }

  function paint(el, now) {
    // Seconds since the epoch, as the page writes them (`|date:"U"`).
    var due = Number(el.dataset.due) * 1000;
    var done = el.dataset.done ? Number(el.dataset.done) * 1000 : NaN;
    if (isNaN(due)) {
      return;
    }
    var label = el.dataset.label || "";
    var out = el.querySelector(".timer-text") || el;
    if (!isNaN(done)) {
      var late = done > due;
      el.classList.toggle("timer-missed", late);
      el.classList.remove("timer-running");
      el.classList.add("timer-stopped");
      out.textContent = label + (late ? "已完成，超时 " : "已完成，提前 ") + span(done - due);
      return;
    }
    var left = due - now;
    el.classList.add("timer-running");
    el.classList.toggle("timer-missed", left < 0);
    out.textContent = label + (left < 0 ? "已超时 " + span(left) : "剩余 " + span(left));
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      paint(el, now);
    });
  }

  tick();
  window.setInterval(tick, 1000);
})();
