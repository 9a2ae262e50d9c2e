// The command board's timers: each item carries its due time in data-due (ISO 8601);
// show the minutes left, or how long it is overdue, and refresh every half minute.
(function () {
  "use strict";
  function render() {
    var now = Date.now();
    document.querySelectorAll("li.timer[data-due]").forEach(function (item) {
      var due = Date.parse(item.getAttribute("data-due"));
      if (isNaN(due)) { return; }
      var minutes = Math.round((due - now) / 60000);
      var left = item.querySelector(".timer-left");
      if (!left) { return; }
      if (minutes >= 0) {
        left.textContent = "剩余 " + Math.floor(minutes / 60) + " 小时 " + (minutes % 60) + " 分";
        item.classList.remove("overdue");
      } else {
        var over = -minutes;
        left.textContent = "已超时 " + Math.floor(over / 60) + " 小时 " + (over % 60) + " 分";
        item.classList.add("overdue");
      }
    });
  }
  render();
  window.setInterval(render, 30000);
})();
