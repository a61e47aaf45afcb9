// The periodic-task change form (django-celery-beat's admin): under the crontab field, the
// chosen crontab read in words. Loaded by templates/admin/djcelery/change_periodictask_form.html
// in place of the package's inline script; same behaviour, text set as text (never as HTML).
(function () {
  "use strict";
  var script = document.currentScript;

  function start() {
    var data = document.getElementById("readable-crontabs");
    var field = document.querySelector(".field-crontab");
    if (!data || !field) {
      return;
    }
    var readable = JSON.parse(data.textContent);
    var original = script ? script.dataset.crontabHelp || "" : "";
    var translation = document.querySelector(".field-crontab_translation");
    if (translation) {
      translation.style.display = "none";
    }
    field.addEventListener("change", function () {
      var select = document.getElementById("id_crontab");
      var help = field.querySelector(".help");
      if (!select || !help) {
        return;
      }
      help.textContent = original;
      help.appendChild(document.createElement("br"));
      help.appendChild(document.createTextNode("Translation: " + (readable[select.value] || "")));
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
