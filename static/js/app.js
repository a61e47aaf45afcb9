// Coordination Hub: tiny progressive enhancements; every page works without JavaScript.
document.addEventListener("DOMContentLoaded", function () {
  // Confirm destructive stage moves (hold / cancel).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    });
  });
});
