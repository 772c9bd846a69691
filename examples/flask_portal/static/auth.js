// Password rules checked as you type (the server checks again), printing and copying codes.
(function () {
  "use strict";
  var field = document.querySelector("[data-check-password]");
  if (field) {
    var list = document.getElementById(field.getAttribute("data-check-password"));
    // The portal's policy, as the page states it: its minimum length and number of groups.
    var minLength = Number(field.getAttribute("minlength")) || 0;
    var minClasses = Number(field.getAttribute("data-min-classes")) || 0;
    var check = function () {
      var value = field.value;
      // The server's classes: lower- and upper-case letters of any script, digits, the rest.
      var classes = [/\p{Ll}/u, /\p{Lu}/u, /\p{Nd}/u, /[^\p{L}\p{Nd}]/u].filter(function (re) {
        return re.test(value);
      }).length;
      var results = { too_short: value.length >= minLength, too_few_classes: classes >= minClasses };
      var username = (field.getAttribute("data-username") || "").trim().toLocaleLowerCase();
      if (username) {
        results.contains_username = value.toLocaleLowerCase().indexOf(username) === -1;
      }
      list.querySelectorAll("li[data-rule]").forEach(function (item) {
        var rule = item.getAttribute("data-rule");
        if (rule in results) {
          item.className = results[rule] ? "ok" : "bad";
          // The tick is drawn by CSS; say it in words for screen readers too.
          var state = item.querySelector(".state") || item.appendChild(document.createElement("span"));
          state.className = "state visually-hidden";
          state.textContent = results[rule] ? " (voldaan)" : " (nog niet voldaan)";
        }
      });
    };
    field.addEventListener("input", check);
    check();
  }
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy"));
      var text = Array.prototype.map.call(source.querySelectorAll("li"), function (li) {
        return li.textContent;
      }).join("\n");
      if (navigator.clipboard) {
        navigator.clipboard.writeText(text).then(function () { button.textContent = "Gekopieerd"; });
      }
    });
  });
})();
