// The review page's tag picker, as progressive enhancement of plain forms:
// - suggestions of the chosen kind as you type, readable name with its code small,
//   matched in English, Japanese or by code (the server also accepts synonyms);
// - adding or removing a tag updates the tags section in place, no page reload;
//   a mistake comes back with what was typed and the reason.
// Without JavaScript the forms post normally and the browser's <datalist> suggests.
(function () {
  "use strict";
  var MAX = 8;

  function fold(text) {
    return (text || "").normalize("NFKC").toLowerCase().trim();
  }

  function setUp(container) {
    var input = container.querySelector(".tag-add input[name=slug]");
    var kind = container.querySelector(".tag-add select[name=kind]");
    var list = container.querySelector("#tag-suggestions");
    var options = Array.prototype.slice.call(container.querySelectorAll("#tag-options option"));
    if (input && kind && list) {
      input.removeAttribute("list");
      input.setAttribute("aria-controls", "tag-suggestions");
      var render = function () {
        var needle = fold(input.value);
        list.textContent = "";
        if (!needle) { list.hidden = true; return; }
        var shown = 0;
        options.forEach(function (option) {
          if (shown >= MAX || option.dataset.kind !== kind.value) return;
          var hay = fold(option.value + " " + option.dataset.slug + " " + option.dataset.other);
          if (hay.indexOf(needle) === -1) return;
          var item = document.createElement("li");
          item.setAttribute("role", "option");
          item.tabIndex = -1;
          item.appendChild(document.createTextNode(option.value + " "));
          var code = document.createElement("small");
          code.textContent = option.dataset.slug + (option.dataset.other ? " · " + option.dataset.other : "");
          item.appendChild(code);
          item.addEventListener("mousedown", function (event) {
            event.preventDefault();
            input.value = option.value;
            list.hidden = true;
          });
          list.appendChild(item);
          shown += 1;
        });
        list.hidden = shown === 0;
      };
      input.addEventListener("input", render);
      kind.addEventListener("change", render);
      input.addEventListener("blur", function () { list.hidden = true; });
    }
    container.querySelectorAll("form").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var body = new FormData(form);
        if (event.submitter && event.submitter.name) body.append(event.submitter.name, event.submitter.value);
        // getAttribute: the forms hold an input named "action", which form.action would return.
        fetch(form.getAttribute("action"), {
          method: "POST",
          body: body,
          credentials: "same-origin",
          headers: { "X-Fragment": "review-tags" }
        }).then(function (response) {
          if (response.status !== 200 && response.status !== 400) throw new Error(String(response.status));
          return response.text();
        }).then(function (html) {
          container.innerHTML = html;
          setUp(container);
          var invalid = container.querySelector(".field-invalid input");
          if (invalid) invalid.focus();
        }).catch(function () {
          form.submit();  // the plain post still works
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var container = document.querySelector("[data-fragment=review-tags]");
    if (container) setUp(container);
  });
})();
