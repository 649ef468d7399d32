// Progressive enhancement for long selects (the country list): a search box that
// narrows the options as you type, in any language. Without JavaScript the plain
// <select> still works, with the browser's own type-to-find.
(function () {
  "use strict";
  function enhance(select) {
    var input = document.createElement("input");
    input.type = "search";
    input.className = "select-search";
    input.placeholder = select.dataset.searchLabel || "Search";
    input.setAttribute("aria-label", select.dataset.searchLabel || "Search");
    input.setAttribute("aria-controls", select.id);
    select.parentNode.insertBefore(input, select);
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLowerCase();
      var firstMatch = null;
      Array.prototype.forEach.call(select.options, function (option) {
        var hay = (option.text + " " + option.value).toLowerCase();
        var show = !option.value || !needle || hay.indexOf(needle) !== -1;
        option.hidden = !show;
        if (show && option.value && firstMatch === null) firstMatch = option;
      });
      if (needle && firstMatch && select.selectedOptions[0] && select.selectedOptions[0].hidden) {
        select.value = firstMatch.value;
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-searchable]").forEach(enhance);
  });
})();
