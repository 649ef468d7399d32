// Site-wide progressive enhancement: the navigation's <details> dropdowns behave
// like menus (one open at a time, closed by Escape or a click elsewhere), and the
// header shows the unread notification count (read from a small JSON endpoint, so
// pages themselves cost no extra query). Without JavaScript each group still opens
// by its summary and the Notifications link leads to the list and its count.
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
    var badge = document.querySelector("[data-unread-url]");
    if (badge) {
      fetch(badge.dataset.unreadUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (data && data.unread > 0) {
            badge.textContent = String(data.unread);
            badge.hidden = false;
          }
        })
        .catch(function () { /* the link still leads to the list */ });
    }
  });
})();
