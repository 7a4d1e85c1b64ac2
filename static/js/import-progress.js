/* Follows an import job on its page without reloading it: asks the job's progress address (JSON)
   every second or two, moves the <progress> bar and its text (in a polite live region), and once
   the job has ended puts its outcome in place of the progress and moves focus to its heading. No
   inline script, so the page keeps its strict Content-Security-Policy. Without JavaScript the page
   reloads itself instead (a <noscript> refresh its reader can stop). */
(function () {
  "use strict";
  var container = document.getElementById("import-job");
  if (!container || !window.fetch || !window.JSON) {
    return;
  }
  var address = container.getAttribute("data-import-job");
  var delay = 1000;
  var slowest = 2000;

  function show(data) {
    var bar = container.querySelector("progress");
    var text = container.querySelector(".import-progress-text");
    var quiet = container.querySelector(".import-progress-quiet");
    if (bar) {
      if (data.total > 0) {
        bar.max = data.total;
        bar.value = Math.min(data.done, data.total);
      } else {
        bar.removeAttribute("value"); // not known yet: an indeterminate bar
      }
    }
    if (text && text.textContent !== data.text) {
      text.textContent = data.text;
    }
    if (quiet) {
      quiet.textContent = data.quiet || "";
      quiet.hidden = !data.quiet;
    }
  }

  function finish(data) {
    container.innerHTML = data.html;
    var parts = document.title.split(" | ");
    parts[0] = data.title;
    document.title = parts.join(" | ");
    var heading = document.getElementById("import-job-title");
    if (heading) {
      heading.focus();
    }
  }

  function ask() {
    window
      .fetch(address, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        if (data.final) {
          finish(data);
          return;
        }
        show(data);
        delay = Math.min(delay * 1.25, slowest);
        window.setTimeout(ask, delay);
      })
      .catch(function () {
        window.setTimeout(ask, 5000); // the server is busy or away: ask again, less often
      });
  }

  if (container.querySelector(".import-progress")) {
    window.setTimeout(ask, delay);
  }
})();
