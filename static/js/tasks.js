// Tasks: the board (SortableJS + htmx: drop a card in another column to change its status)
// and the Gantt (frappe-gantt: drag a bar to move the task's forecast; successors follow).
(function () {
  "use strict";

  function show(box, text) {
    box.textContent = text;
    box.classList.remove("d-none");
  }

  function recount(board) {
    board.querySelectorAll(".task-column").forEach(function (column) {
      column.querySelector("[data-count]").textContent =
        column.querySelectorAll(".task-card").length;
    });
  }

  function setUpBoard(board) {
    var message = document.getElementById("board-message");
    board.querySelectorAll(".task-cards").forEach(function (list) {
      window.Sortable.create(list, {
        group: "tasks",
        animation: 120,
        draggable: ".task-card",
        forceFallback: true, // mouse events, the same in every browser (and in tests)
        onEnd: function (evt) {
          if (evt.from === evt.to) {
            return;
          }
          var card = evt.item;
          var from = evt.from;
          var oldIndex = evt.oldIndex;
          function snapBack(text) {
            from.insertBefore(card, from.children[oldIndex] || null);
            recount(board);
            show(message, text);
          }
          card.addEventListener(
            "htmx:afterRequest",
            function (e) {
              var xhr = e.detail.xhr;
              if (xhr.status === 204) {
                message.classList.add("d-none");
                recount(board);
              } else {
                snapBack(xhr.responseText || xhr.statusText);
              }
            },
            { once: true }
          );
          window.htmx.ajax("POST", card.dataset.url, {
            source: card,
            values: { status: evt.to.dataset.status },
            swap: "none",
          });
        },
      });
    });
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
    } catch (e) {
      return "";
    }
  }

  function setUpGantt(box) {
    var rows = JSON.parse(document.getElementById("gantt-rows").textContent);
    if (!rows.length) {
      return;
    }
    var message = document.getElementById("gantt-message");
    var readonly = box.dataset.readonly === "1";
    var moveUrl = box.dataset.moveUrl;
    rows.forEach(function (row) {
      row.custom_class = row.classes[0];
    });
    function classify() {
      rows.forEach(function (row) {
        var bar = box.querySelector('.bar-wrapper[data-id="' + row.id + '"]');
        if (bar) {
          row.classes.forEach(function (name) {
            bar.classList.add(name);
          });
        }
      });
    }
    var gantt = new window.Gantt(box, rows, {
      view_mode: rows.length > 400 ? "Week" : "Day",
      readonly: readonly,
      readonly_progress: true,
      popup_on: "click",
      scroll_to: rows[0].start, // the plan's first task (milestones may lie far before)
      on_view_change: function () {
        window.setTimeout(classify, 0);
      },
      language: document.documentElement.lang.indexOf("en") === 0 ? "en" : "zh",
      on_date_change: function (task, start) {
        if (!task.task) {
          window.location.reload(); // a baseline or a milestone: not moved here
          return;
        }
        var day = start.getFullYear() + "-" + String(start.getMonth() + 1).padStart(2, "0") +
          "-" + String(start.getDate()).padStart(2, "0");
        var body = new URLSearchParams({ start: day });
        fetch(moveUrl.replace("/0/", "/" + task.task + "/"), {
          method: "POST",
          headers: { "X-CSRFToken": csrfToken() },
          body: body,
          credentials: "same-origin",
        })
          .then(function (r) {
            return r.json().then(function (data) {
              if (r.ok) {
                window.location.reload();
              } else {
                show(message, data.detail || JSON.stringify(data));
              }
            });
          })
          .catch(function () {
            show(message, "—");
          });
      },
    });
    classify();
    // the chart's own "Today" button is English only: give it the page's word
    var today = box.querySelector(".today-button");
    if (today && box.dataset.todayLabel) {
      today.textContent = box.dataset.todayLabel;
    }
    box.gantt = gantt;
    box.dataset.rendered = String(rows.length);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var board = document.querySelector("[data-board]");
    if (board && window.Sortable) {
      setUpBoard(board);
    }
    var gantt = document.getElementById("gantt");
    if (gantt && window.Gantt) {
      setUpGantt(gantt);
    }
  });
})();
