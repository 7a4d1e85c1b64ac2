/* Draws each chart from its JSON config, emitted by Django's json_script as
   <script type="application/json" id="…-config">. No inline script: the page works under a strict
   Content-Security-Policy. Without JavaScript (or Chart.js) the canvas stays hidden and the chart's
   sentence and table stand in for it. */
(function () {
  "use strict";
  if (typeof window.Chart !== "function" || !document.querySelectorAll) {
    return;
  }
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  Chart.defaults.color = "#0b0c0c"; // the site's text colour: 19.6:1 on white
  Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = window.innerWidth < 640 ? 12 : 14; // a smaller font on a phone

  function draw(container) {
    var source = document.getElementById(container.getAttribute("data-chart-config"));
    var canvas = container.querySelector("canvas");
    if (!source || !canvas) {
      return;
    }
    var config;
    try {
      config = JSON.parse(source.textContent);
    } catch (error) {
      return; // leave the sentence and table
    }
    config.options = config.options || {};
    if (reduceMotion) {
      config.options.animation = false;
    }
    container.hidden = false; // shown before drawing, so Chart.js can measure it
    try {
      new Chart(canvas, config);
    } catch (error) {
      container.hidden = true;
      throw error;
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-chart-config]"), draw);
})();
