/* @-mention autocomplete for comment forms: a textarea with data-mentions="<url>" asks the
   url (&q=<typed>) for project members and offers them under the field; ↑/↓ choose,
   Enter or Tab or a click inserts "@username ", Escape closes. Delegated, so threads
   swapped in by htmx work without re-binding. */
(function () {
  if (window.hubMentions) return;
  window.hubMentions = true;
  var box = null, field = null, items = [], active = 0, timer = null;

  function close() { if (box) { box.remove(); box = null; } items = []; }

  function typed(t) {
    var m = /(^|[^\w@.])@([^\s@]*)$/.exec(t.value.slice(0, t.selectionStart));
    return m ? m[2] : null;
  }

  function choose(i) {
    var t = field, q = typed(t);
    if (q === null || !items[i]) return close();
    var start = t.selectionStart - q.length, before = t.value.slice(0, start);
    var after = t.value.slice(t.selectionStart);
    t.value = before + items[i].username + " " + after;
    t.selectionStart = t.selectionEnd = start + items[i].username.length + 1;
    close();
    t.focus();
  }

  function show(t, results) {
    close();
    if (!results.length) return;
    field = t; items = results; active = 0;
    box = document.createElement("ul");
    box.className = "list-group mention-suggestions position-absolute shadow-sm";
    box.setAttribute("role", "listbox");
    results.forEach(function (r, i) {
      var li = document.createElement("li");
      li.className = "list-group-item list-group-item-action py-1" + (i === 0 ? " active" : "");
      li.setAttribute("role", "option");
      li.dataset.username = r.username;
      li.textContent = (r.name ? r.name + " " : "") + "@" + r.username;
      li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(i); });
      box.appendChild(li);
    });
    t.parentNode.style.position = "relative";
    t.insertAdjacentElement("afterend", box);
  }

  document.addEventListener("input", function (e) {
    var t = e.target;
    if (!t.matches || !t.matches("textarea[data-mentions]")) return;
    var q = typed(t);
    clearTimeout(timer);
    if (q === null) return close();
    timer = setTimeout(function () {
      fetch(t.dataset.mentions + "&q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (d) { show(t, d.results || []); });
    }, 150);
  });

  document.addEventListener("keydown", function (e) {
    if (!box || e.target !== field) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      box.children[active].classList.remove("active");
      active = (active + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
      box.children[active].classList.add("active");
    } else if (e.key === "Enter" || e.key === "Tab") {
      e.preventDefault();
      choose(active);
    } else if (e.key === "Escape") {
      close();
    }
  });
  document.addEventListener("focusout", function (e) { if (e.target === field) setTimeout(close, 100); });
})();
