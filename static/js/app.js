// Coordination Hub: tiny progressive enhancements; every page works without JavaScript.
document.addEventListener("DOMContentLoaded", function () {
  // Confirm destructive actions (cancel a project, revoke a survey link …): one listener for
  // the whole page, so buttons that htmx brings in later ask too.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // Deep links to a tab of the project page: /projects/PRJ-2026-0001/#tab-history
  if (window.location.hash.indexOf("#tab-") === 0 && window.bootstrap) {
    var tab = document.querySelector(window.location.hash + '[data-bs-toggle="tab"]');
    if (tab) {
      window.bootstrap.Tab.getOrCreateInstance(tab).show();
    }
  }
  document.querySelectorAll('#project-tabs [data-bs-toggle="tab"]').forEach(function (tab) {
    tab.addEventListener("shown.bs.tab", function () {
      history.replaceState(null, "", "#" + tab.id);
    });
  });

  // Print buttons: <button data-print> (the kickoff commitment's print view).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });

  // Copy buttons: <button data-copy="#input-id">; the input stays selectable without them.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = document.querySelector(button.dataset.copy);
      if (!input) {
        return;
      }
      input.select();
      var done = function () {
        button.textContent = button.dataset.copied || button.textContent;
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done);
      } else if (document.execCommand("copy")) {
        done();
      }
    });
  });
});
