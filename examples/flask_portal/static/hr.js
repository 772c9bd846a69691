// Dossier search as you type: after a short pause the first hits of /zoeken.json appear under
// the search bar, as links. The form itself works without this (it opens /zoeken).
// Keyboard: arrow down from the search field into the results, up and down between them,
// Escape back to the field.
(function () {
  "use strict";
  var PAUSE = 250;

  function setUp(input) {
    var url = input.getAttribute("data-live-search");
    var box = document.getElementById(input.getAttribute("data-results"));
    var status = document.getElementById(input.getAttribute("data-status"));
    var link = input.getAttribute("data-link");
    var timer = null;
    var controller = null;
    var asked = null;
    if (!url || !box || !status || !window.fetch) {
      return;
    }

    function clear(message) {
      box.textContent = "";
      status.textContent = message || "";
    }

    function show(data) {
      var server = document.querySelector("[data-server-results]");
      if (server) {
        server.hidden = true; // the suggestions replace the results of the last search
      }
      if (!data.hits.length) {
        clear("Geen werknemers gevonden.");
        return;
      }
      var list = document.createElement("ul");
      data.hits.forEach(function (hit) {
        var item = document.createElement("li");
        var anchor = document.createElement("a");
        anchor.href = link ? link + encodeURIComponent(hit.employee_id) : hit.url;
        anchor.textContent = hit.display_name;
        item.appendChild(anchor);
        var details = [hit.birth_date_text, hit.employee_number, hit.department].filter(Boolean);
        if (details.length) {
          var extra = document.createElement("span");
          extra.className = "muted";
          extra.textContent = " " + details.join(" · ");
          item.appendChild(extra);
        }
        list.appendChild(item);
      });
      box.textContent = "";
      box.appendChild(list);
      var found = data.total === 1 ? "1 werknemer gevonden" : data.total + " werknemers gevonden";
      if (data.total > data.hits.length) {
        found += "; de eerste " + data.hits.length + " staan hieronder. Klik op Zoeken voor alle.";
      } else {
        found += ".";
      }
      status.textContent = found;
    }

    function search() {
      var text = input.value.trim();
      if (text === asked) {
        return;
      }
      asked = text;
      if (controller) {
        controller.abort();
      }
      if (!text) {
        clear("");
        return;
      }
      controller = window.AbortController ? new AbortController() : null;
      fetch(url + "?q=" + encodeURIComponent(text), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: controller ? controller.signal : undefined
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("search failed");
          }
          return response.json();
        })
        .then(function (data) {
          if (data.too_short) {
            clear("");
          } else {
            show(data);
          }
        })
        .catch(function () {
          // Aborted, signed out or offline: the Zoeken button still works.
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, PAUSE);
    });
    input.addEventListener("keydown", function (event) {
      var first = box.querySelector("a");
      if (event.key === "ArrowDown" && first) {
        event.preventDefault();
        first.focus();
      }
    });
    box.addEventListener("keydown", function (event) {
      var links = Array.prototype.slice.call(box.querySelectorAll("a"));
      var index = links.indexOf(document.activeElement);
      if (index < 0) {
        return;
      }
      if (event.key === "ArrowDown" && index < links.length - 1) {
        event.preventDefault();
        links[index + 1].focus();
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        (index > 0 ? links[index - 1] : input).focus();
      } else if (event.key === "Escape") {
        event.preventDefault();
        input.focus();
      }
    });
  }

  document.querySelectorAll("[data-live-search]").forEach(setUp);
})();
