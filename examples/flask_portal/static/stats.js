// The statistics page: the charts, drawn by Chart.js (static/vendor) from the JSON in
// #stats-data, which the server fills from portal.stats.dashboard. Each chart has a table
// with the same figures beside it, so nothing depends on this script.
(function () {
  "use strict";

  // The filter form: a department belongs to one employer, so choosing another employer
  // clears the department chosen.
  document.querySelectorAll("select[data-clears]").forEach(function (select) {
    select.addEventListener("change", function () {
      var other = document.getElementById(select.getAttribute("data-clears"));
      if (other) {
        other.value = "";
      }
    });
  });

  var source = document.getElementById("stats-data");
  var Chart = window.Chart;
  if (!source || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);

  var matches = function (query) {
    return window.matchMedia ? window.matchMedia(query).matches : false;
  };
  var narrow = matches("(max-width: 40rem)");
  if (matches("(prefers-reduced-motion: reduce)")) {
    Chart.defaults.animation = false;
  }
  Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 14;
  Chart.defaults.color = "#1f2933";
  Chart.defaults.locale = "nl-NL";

  var ORANGE = "#e8590c";
  var BLUE = "#0b5cad";
  var PALETTE = [ORANGE, BLUE, "#2f9e44", "#7048e8", "#c2255c", "#0c8599", "#e67700", "#52606d"];
  var count = { beginAtZero: true, ticks: { precision: 0 } };

  // The canvas of one chart; its box is made the responsive container Chart.js wants.
  var canvas = function (name, maxWidth) {
    var holder = document.querySelector('[data-chart="' + name + '"]');
    if (!holder) {
      return null;
    }
    holder.style.position = "relative";
    if (maxWidth) {
      holder.style.maxWidth = maxWidth;
      holder.style.marginLeft = "auto";
      holder.style.marginRight = "auto";
    }
    return holder.querySelector("canvas");
  };
  var pluck = function (items, key) {
    return items.map(function (item) {
      return item[key];
    });
  };

  var months = canvas("months");
  if (months) {
    new Chart(months, {
      type: "bar",
      data: {
        labels: pluck(data.months, "short"),
        datasets: [
          { label: data.held_label, data: pluck(data.months, "held"), backgroundColor: ORANGE },
        ],
      },
      options: {
        aspectRatio: narrow ? 1.2 : 2.5,
        scales: { y: count },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              title: function (items) {
                return data.months[items[0].dataIndex].label;
              },
            },
          },
        },
      },
    });
  }

  var themes = canvas("themes");
  if (themes && data.themes) {
    new Chart(themes, {
      type: "bar",
      data: {
        labels: pluck(data.themes, "theme"),
        datasets: [
          {
            label: data.held_label,
            data: pluck(data.themes, "held"),
            backgroundColor: data.themes.map(function (_, index) {
              return PALETTE[index % PALETTE.length];
            }),
          },
        ],
      },
      options: {
        indexAxis: "y",
        aspectRatio: narrow ? 1 : 1.3,
        scales: { x: count },
        plugins: { legend: { display: false } },
      },
    });
  }

  var modes = canvas("modes", "22rem");
  if (modes) {
    var total = data.modes.reduce(function (sum, item) {
      return sum + item.held;
    }, 0);
    new Chart(modes, {
      type: "doughnut",
      data: {
        labels: pluck(data.modes, "label"),
        datasets: [{ data: pluck(data.modes, "held"), backgroundColor: [ORANGE, BLUE] }],
      },
      options: {
        aspectRatio: 1,
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (item) {
                var share = total ? Math.round((item.parsed / total) * 1000) / 10 : 0;
                return item.label + ": " + item.parsed + " (" + String(share).replace(".", ",") + "%)";
              },
            },
          },
        },
      },
    });
  }
})();
