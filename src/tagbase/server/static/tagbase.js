// tagbase web UI: the few behaviours that need a script. Everything works without it,
// except plots and the system-tags switch.
"use strict";

(function () {
  const root = document.documentElement;
  const HIDE_KEY = "tagbase.hideSystemTags";

  function applySystemToggle() {
    const hidden = localStorage.getItem(HIDE_KEY) === "1";
    root.classList.toggle("hide-system", hidden);
    const box = document.getElementById("toggle-system");
    if (box) {
      box.checked = !hidden;
      box.addEventListener("change", function () {
        localStorage.setItem(HIDE_KEY, box.checked ? "0" : "1");
        root.classList.toggle("hide-system", !box.checked);
      });
    }
  }

  function drawPlots() {
    const plots = document.querySelectorAll(".plot[data-figure]");
    if (!plots.length || typeof window.Plotly === "undefined") return;
    plots.forEach(function (node) {
      const figure = JSON.parse(node.dataset.figure);
      const config = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["select2d", "lasso2d"] };
      window.Plotly.newPlot(node, figure.data, figure.layout, config).then(function () {
        node.dataset.drawn = "true";
      });
    });
  }

  function addTagRows() {
    const button = document.getElementById("add-tag-row");
    const rows = document.getElementById("tag-rows");
    if (!button || !rows) return;
    button.addEventListener("click", function () {
      const template = rows.querySelector(".tag-row");
      const row = template.cloneNode(true);
      row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
      rows.appendChild(row);
      row.querySelector("input").focus();
    });
  }

  // A page of a run still going reloads itself until the run ends.
  function followLiveRun() {
    if (document.querySelector("[data-live]")) {
      window.setTimeout(function () { window.location.reload(); }, 1500);
    }
  }

  // Apply the saved switch before first paint where possible.
  if (localStorage.getItem(HIDE_KEY) === "1") root.classList.add("hide-system");

  document.addEventListener("DOMContentLoaded", function () {
    applySystemToggle();
    addTagRows();
    drawPlots();
    followLiveRun();
  });
})();
