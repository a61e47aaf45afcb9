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
