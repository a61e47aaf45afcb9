// Live counts (the navigation's unread badge, the home page's counters): htmx polls every
// LIVE_POLL_SECONDS the elements marked data-live. While the tab is hidden a poll is skipped
// (nobody is looking, and the server is spared); when the tab is shown again each element that
// skipped one asks once at once ("live-refresh", part of its hx-trigger), then polls as before.
(function () {
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (document.visibilityState === "hidden" && elt && elt.hasAttribute("data-live")) {
      event.preventDefault();
      elt.setAttribute("data-live-skipped", "");
    }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "visible" || !window.htmx) {
      return;
    }
    document.querySelectorAll("[data-live][data-live-skipped]").forEach(function (elt) {
      elt.removeAttribute("data-live-skipped");
      window.htmx.trigger(elt, "live-refresh");
    });
  });
})();
