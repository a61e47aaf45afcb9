// Coordination Hub: accessibility of in-place (htmx) updates and of forms with errors.
// - Each htmx action is announced in the page's own live regions (#a11y-status, polite, and
//   #a11y-alert, assertive), which sit outside every swapped element, so the announcement
//   survives the swap.
// - When a swap removes or replaces the element that had the focus, the focus moves to the
//   result (an invalid field, the message, a heading or the swapped element itself) instead of
//   falling to <body>.
// - On page load, a form with errors puts the focus on its first invalid field (the first
//   input of an invalid group).
// Texts come from data attributes the templates translate (data-announce, data-*-text).
(function () {
  "use strict";

  var ERROR_SELECTOR = '[aria-invalid="true"]';
  // In this order of preference: the first that matches is the result's message.
  // A form's data-announce is what its action says when the result has no message.
  var MESSAGE_SELECTORS = ["[data-announce]:not(form)", ".alert", "[role=alert]", "[role=status]"];
  var FOCUSABLE =
    'a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled]), [tabindex]';

  function regions() {
    return {
      box: document.getElementById("a11y-live"),
      polite: document.getElementById("a11y-status"),
      assertive: document.getElementById("a11y-alert"),
    };
  }

  // Clear, then write on the next tick: the same text twice is announced twice.
  function announce(text, assertive) {
    var r = regions();
    var region = assertive ? r.assertive : r.polite;
    var other = assertive ? r.polite : r.assertive;
    text = (text || "").replace(/\s+/g, " ").trim();
    if (!region || !text) {
      return;
    }
    region.textContent = "";
    if (other) {
      other.textContent = "";
    }
    window.setTimeout(function () {
      region.textContent = text;
    }, 50);
  }

  function findMessage(root) {
    for (var i = 0; i < MESSAGE_SELECTORS.length; i++) {
      var found = root.matches(MESSAGE_SELECTORS[i]) ? root : root.querySelector(MESSAGE_SELECTORS[i]);
      if (found) {
        return found;
      }
    }
    return null;
  }

  function textOf(node) {
    var value = node.getAttribute("data-announce");
    return value || node.textContent || "";
  }

  function focusOn(node) {
    if (!node || !node.isConnected) {
      return false;
    }
    if (!node.matches(FOCUSABLE)) {
      node.setAttribute("tabindex", "-1");
    }
    node.focus({ preventScroll: false });
    return document.activeElement === node;
  }

  // The control to focus for an invalid element: itself, or for an invalid group (a fieldset
  // of checkboxes or radios, templates/projects/_field.html) its first input.
  function invalidControl(node) {
    if (node && node.matches("fieldset, [role=group], [role=radiogroup]")) {
      return node.querySelector("input:not([type=hidden]):not([disabled]), select, textarea") || node;
    }
    return node;
  }

  function lostFocus() {
    var active = document.activeElement;
    return !active || active === document.body || !active.isConnected;
  }

  // Where a swapped result should take the focus: its first invalid field, else the element
  // the server marked with data-focus (the comment just posted), else its message, else its
  // first heading, else the element itself.
  function focusResult(root) {
    var target =
      invalidControl(root.querySelector(ERROR_SELECTOR)) ||
      root.querySelector("[data-focus]") ||
      findMessage(root) ||
      root.querySelector("h1, h2, h3, h4, h5, h6");
    return focusOn(target) || focusOn(root);
  }

  // The element removed had no replacement (e.g. a notification marked read): move to the
  // same kind of control in the next item (its own "mark read" button), else its first
  // control, then the same in the previous item, else the list's section heading.
  function focusNeighbour(state) {
    var candidates = [state.next, state.previous];
    for (var i = 0; i < candidates.length; i++) {
      var node = candidates[i];
      while (node && node.nodeType !== 1) {
        node = i === 0 ? node.nextSibling : node.previousSibling;
      }
      if (node && node.isConnected) {
        var same = state.focusedTag ? node.querySelector(state.focusedTag) : null;
        if (focusOn(same) || focusOn(node.querySelector(FOCUSABLE)) || focusOn(node)) {
          return true;
        }
      }
    }
    var parent = state.parent;
    if (parent && parent.isConnected) {
      var section = parent.closest("section, [aria-labelledby], .card") || parent;
      var heading = section.querySelector("h1, h2, h3, h4, h5, h6");
      return focusOn(heading) || focusOn(parent);
    }
    return false;
  }

  // A request the user made (a submit, a click, a change), not a panel loading itself.
  function byUser(config) {
    var event = config && config.triggeringEvent;
    return !!event && /^(submit|click|change)$/.test(event.type);
  }

  // beforeSwap: remember where the target sits, so the new content can be found afterwards.
  var pending = null;

  document.addEventListener("htmx:beforeSwap", function (evt) {
    var target = evt.detail.target;
    if (!target || !evt.detail.shouldSwap) {
      pending = null;
      return;
    }
    var active = document.activeElement;
    var config = evt.detail.requestConfig || {};
    pending = {
      elt: config.elt || null, // the element that made the request (detail.elt is the target)
      target: target,
      parent: target.parentNode,
      previous: target.previousSibling,
      next: target.nextSibling,
      hadFocus: !!(active && active !== document.body && target.contains(active)),
      focusedTag: active ? active.tagName.toLowerCase() : "",
      byUser: byUser(evt.detail.requestConfig),
      oob: [], // elements the response swapped out of band (e.g. a heading's count)
    };
  });

  // An element swapped out of band with data-announce (the unread count beside a list's
  // heading) adds its text to the request's announcement.
  document.addEventListener("htmx:oobAfterSwap", function (evt) {
    var node = evt.target;
    if (pending && node && node.hasAttribute && node.hasAttribute("data-announce")) {
      if (pending.oob.indexOf(node) < 0) {
        pending.oob.push(node);
      }
    }
  });

  function swappedNodes(state) {
    if (state.target.isConnected) {
      return [state.target]; // innerHTML and similar: the target stayed
    }
    var nodes = [];
    var node = state.previous ? state.previous.nextSibling : state.parent && state.parent.firstChild;
    while (node && node !== state.next) {
      if (node.nodeType === 1) {
        nodes.push(node);
      }
      node = node.nextSibling;
    }
    return nodes;
  }

  function finish(state, xhr) {
    var nodes = swappedNodes(state);
    var message = null;
    var invalid = null;
    nodes.forEach(function (node) {
      if (!invalid) {
        invalid = node.matches(ERROR_SELECTOR) ? node : node.querySelector(ERROR_SELECTOR);
      }
      if (!message) {
        message = findMessage(node);
      }
    });

    // Announce: the result's own message, else the action's data-announce, else "updated"
    // when the user acted on the element that was replaced.
    var box = regions().box;
    var form = state.elt && state.elt.closest ? state.elt.closest("form[data-announce]") : null;
    var assertive = !!invalid || !!(message && message.matches(".alert-danger, [data-flash=error]"));
    var text = "";
    if (invalid) {
      text = (box && box.getAttribute("data-invalid-text")) || "";
      var described = (invalid.getAttribute("aria-describedby") || "").split(/\s+/);
      described.forEach(function (id) {
        var note = id && document.getElementById(id);
        if (note && /_error$/.test(id)) {
          text += " " + note.textContent;
        }
      });
    } else if (message) {
      text = textOf(message);
    } else if (form) {
      text = form.getAttribute("data-announce");
    } else if (state.hadFocus && box) {
      text = box.getAttribute("data-updated-text");
    }
    if (!invalid) {
      state.oob.forEach(function (node) {
        text = (text ? text + " " : "") + node.getAttribute("data-announce");
      });
    }
    if (text && (state.hadFocus || state.byUser)) {
      announce(text, assertive);
    }

    // Focus: only when the swap took it away (the focused control was inside the target).
    if (state.hadFocus && lostFocus()) {
      var moved = false;
      for (var i = 0; i < nodes.length && !moved; i++) {
        moved = focusResult(nodes[i]);
      }
      if (!moved) {
        focusNeighbour(state);
      }
    }
  }

  // afterRequest also reaches the document when the requesting element left the page (htmx
  // re-fires it on the nearest ancestor still present); the swap is done by then.
  document.addEventListener("htmx:afterRequest", function (evt) {
    var state = pending;
    pending = null;
    var xhr = evt.detail.xhr;
    var source = (evt.detail.requestConfig && evt.detail.requestConfig.elt) || evt.detail.elt;
    if (evt.detail.failed || !xhr || xhr.status >= 400) {
      return; // htmx:responseError / htmx:sendError announce it
    }
    if (state && state.elt === source) {
      finish(state, xhr);
    } else if (source && source.closest && byUser(evt.detail.requestConfig)) {
      // No swap (swap "none", e.g. a task moved on the board): announce the action if it says.
      var announcer = source.closest("[data-announce]");
      if (announcer) {
        announce(announcer.getAttribute("data-announce"), false);
      }
    }
  });

  function announceError(evt) {
    var box = regions().box;
    var xhr = evt.detail.xhr;
    var text = "";
    var type = xhr && xhr.getResponseHeader ? xhr.getResponseHeader("Content-Type") || "" : "";
    if (xhr && type.indexOf("text/plain") === 0 && xhr.responseText && xhr.responseText.length < 300) {
      text = xhr.responseText;
    }
    announce(text || (box && box.getAttribute("data-error-text")), true);
  }
  document.addEventListener("htmx:responseError", announceError);
  document.addEventListener("htmx:sendError", announceError);

  // Page load: a form with errors sends the focus to its first invalid field.
  function focusFirstInvalid() {
    var main = document.getElementById("main") || document.body;
    var field = invalidControl(main.querySelector("form " + ERROR_SELECTOR));
    if (field && !window.location.hash) {
      field.focus();
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusFirstInvalid);
  } else {
    focusFirstInvalid();
  }
})();
