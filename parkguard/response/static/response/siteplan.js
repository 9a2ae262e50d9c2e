// Site plan: an officer picks an area, then clicks on the plan; the click's place in percent
// of the plan fills the form, which is posted (the server checks the area is this enterprise's).
(function () {
  "use strict";
  var plan = document.getElementById("siteplan");
  var form = document.getElementById("place-form");
  if (!plan || !form || plan.getAttribute("data-can-place") !== "1") {
    return;
  }
  plan.classList.add("placing");
  plan.addEventListener("click", function (event) {
    var box = plan.getBoundingClientRect();
    if (!box.width || !box.height) {
      return;
    }
    var x = ((event.clientX - box.left) / box.width) * 100;
    var y = ((event.clientY - box.top) / box.height) * 100;
    form.elements.x.value = Math.min(100, Math.max(0, x)).toFixed(2);
    form.elements.y.value = Math.min(100, Math.max(0, y)).toFixed(2);
    form.requestSubmit ? form.requestSubmit() : form.submit();
  });
})();
