// The navigation's search box: the htmx dropdown opens under it; ↓/↑ move through the hits,
// Enter opens the highlighted one (or the results page when none is), Escape closes the
// dropdown and keeps the text (a second Escape empties the field, as browsers do).
(function () {
  var input = document.getElementById("nav-search-q");
  var box = document.getElementById("nav-search-results");
  if (!input || !box) {
    return;
  }
  function hits() {
    return Array.prototype.slice.call(box.querySelectorAll(".search-hit"));
  }
  function open(show) {
    box.classList.toggle("show", show);
    input.setAttribute("aria-expanded", show ? "true" : "false");
  }
  function highlight(index) {
    var all = hits();
    all.forEach(function (a, i) {
      a.classList.toggle("active", i === index);
      a.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    if (all[index]) {
      input.setAttribute("aria-activedescendant", all[index].id || "");
      all[index].scrollIntoView({ block: "nearest" });
    }
  }
  function current() {
    return hits().findIndex(function (a) {
      return a.classList.contains("active");
    });
  }
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target === box) {
      hits().forEach(function (a, i) {
        a.id = "nav-search-hit-" + i;
      });
      open(input.value.trim() !== "" && box.children.length > 0);
    }
  });
  input.addEventListener("keydown", function (event) {
    var all = hits();
    var i = current();
    var shown = box.classList.contains("show");
    if (event.key === "ArrowDown" && all.length) {
      event.preventDefault();
      open(true);
      // closed: opens on the first hit; open: the next one
      highlight(shown ? Math.min(i + 1, all.length - 1) : 0);
    } else if (event.key === "ArrowUp" && all.length) {
      event.preventDefault();
      highlight(Math.max(i - 1, 0));
    } else if (event.key === "Enter" && i >= 0 && all[i]) {
      event.preventDefault();
      window.location.href = all[i].href;
    } else if (event.key === "Escape" && shown) {
      // the first Escape closes the dropdown and keeps the text; the browser's own Escape
      // (which empties a search field) comes only when nothing is open
      event.preventDefault();
      open(false);
    }
  });
  input.addEventListener("input", function () {
    if (input.value.trim() === "") {
      open(false);
    }
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest(".nav-search")) {
      open(false);
    }
  });
})();
