// Portfolio: remember the chosen view (board or table) in the URL and in the filter form, so a
// reload, a shared link or the next htmx filter keeps it. Works without it (both views render).
document.addEventListener("shown.bs.tab", function (event) {
  var view = event.target.dataset.view;
  if (!view) {
    return;
  }
  var input = document.getElementById("portfolio-view-input");
  if (input) {
    input.value = view;
  }
  var url = new URL(window.location.href);
  url.searchParams.set("view", view);
  history.replaceState(history.state, "", url);
});

// Portfolio board: a column's "more" replaces itself with the next cards; the keyboard focus
// (on the button, now gone) moves to the first new card's link.
document.addEventListener("htmx:afterSettle", function () {
  var first = document.querySelector("[data-board-focus]");
  if (!first) {
    return;
  }
  first.removeAttribute("data-board-focus");
  var link = first.querySelector("a");
  if (link) {
    link.focus();
  }
});
