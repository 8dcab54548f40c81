// Keeps the parts of a page marked data-live (the requests inbox; a handoff's status, facts, slots,
// registrations and transcript) up to date without reloading it, so a member's new message shows
// while staff type their reply.
// Every data-live-seconds (an attribute of <main>) the page is fetched again and each
// [data-live] element is replaced by the one with the same id; forms are never touched.
// After 15 minutes without a key, click or touch the polling stops, so the session's idle
// timeout still signs out an unattended screen.
(function () {
  "use strict";
  var main = document.querySelector("main[data-live-seconds]");
  if (!main) {
    return;
  }
  var seconds = Math.max(2, parseInt(main.getAttribute("data-live-seconds"), 10) || 15);
  var idleLimit = 15 * 60 * 1000;
  var lastActivity = Date.now();
  ["keydown", "click", "touchstart", "mousemove"].forEach(function (name) {
    window.addEventListener(name, function () { lastActivity = Date.now(); }, { passive: true });
  });

  function refresh() {
    if (document.hidden || Date.now() - lastActivity > idleLimit) {
      return;
    }
    fetch(window.location.href, { credentials: "same-origin", redirect: "manual" })
      .then(function (response) {
        if (!response.ok) {
          return null;
        }
        return response.text();
      })
      .then(function (html) {
        if (!html) {
          return;
        }
        var page = new DOMParser().parseFromString(html, "text/html");
        document.querySelectorAll("[data-live][id]").forEach(function (old) {
          var fresh = page.getElementById(old.id);
          if (fresh && fresh.innerHTML !== old.innerHTML) {
            old.innerHTML = fresh.innerHTML;
          }
        });
      })
      .catch(function () { /* offline or signed out: the next tick tries again */ });
  }

  window.setInterval(refresh, seconds * 1000);
})();
