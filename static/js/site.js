// Site-wide progressive enhancement: the navigation's <details> dropdowns behave
// like menus (one open at a time, closed by Escape or a click elsewhere).
// Without JavaScript each group still opens and closes by its summary.
(function () {
  "use strict";
  function groups() {
    return document.querySelectorAll(".nav-group > details");
  }
  function closeAll(except) {
    groups().forEach(function (details) {
      if (details !== except) details.open = false;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    groups().forEach(function (details) {
      details.addEventListener("toggle", function () {
        if (details.open) closeAll(details);
      });
    });
    document.addEventListener("click", function (event) {
      if (!event.target.closest(".nav-group")) closeAll(null);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape") closeAll(null);
    });
  });
})();
