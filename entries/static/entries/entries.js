// Entry pages: local draft autosave and live Markdown preview.
// Progressive enhancement only: writing, previewing and saving all work without this file.
(function () {
  "use strict";

  // Drafts are keyed by the writer (set on <body> for whoever is signed in), so on a shared
  // browser one person's unsaved text is never offered to the next; js/app.js removes them
  // all on logout and on the login page.
  var owner = document.body.getAttribute("data-user-id");
  var PREFIX = "journal:draft:" + owner + ":";
  var FIELDS = ["title", "body", "tags", "entry_date", "mood"];

  function storage() {
    if (!owner) { return null; }
    try {
      var probe = PREFIX + "probe";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (e) {
      return null; // private mode or storage disabled: no autosave, nothing breaks
    }
  }

  var store = storage();

  // A successful save names the draft it made obsolete (a message with class clear-draft-<key>).
  if (store) {
    document.querySelectorAll(".messages li").forEach(function (item) {
      item.className.split(/\s+/).forEach(function (name) {
        if (name.indexOf("clear-draft-") === 0) {
          store.removeItem(PREFIX + name.slice("clear-draft-".length));
        }
      });
    });
  }

  function readForm(form) {
    var data = {};
    FIELDS.forEach(function (name) {
      var elements = form.querySelectorAll('[name="' + name + '"]');
      if (!elements.length) { return; }
      if (elements[0].type === "radio") {
        var checked = form.querySelector('[name="' + name + '"]:checked');
        data[name] = checked ? checked.value : "";
      } else {
        data[name] = elements[0].value;
      }
    });
    return data;
  }

  function writeForm(form, data) {
    Object.keys(data).forEach(function (name) {
      var elements = form.querySelectorAll('[name="' + name + '"]');
      if (!elements.length) { return; }
      if (elements[0].type === "radio") {
        elements.forEach(function (radio) { radio.checked = radio.value === data[name]; });
      } else {
        elements[0].value = data[name];
      }
    });
  }

  function same(a, b) {
    return FIELDS.every(function (name) { return (a[name] || "") === (b[name] || ""); });
  }

  function setupDraft(form) {
    var key = PREFIX + form.getAttribute("data-draft-key");
    var status = form.querySelector("[data-draft-status]");
    var initial = readForm(form);
    var timer = null;

    function say(text) { if (status) { status.textContent = text; } }

    function save() {
      timer = null;
      var data = readForm(form);
      if (same(data, initial)) {
        store.removeItem(key);
        return;
      }
      data.savedAt = new Date().toISOString();
      try {
        store.setItem(key, JSON.stringify(data));
        say("Draft kept on this device.");
      } catch (e) {
        say("");
      }
    }

    var saved = null;
    try { saved = JSON.parse(store.getItem(key) || "null"); } catch (e) { saved = null; }
    // A form the server sent back (errors, preview) already holds the newest text.
    if (saved && form.getAttribute("data-draft-bound") !== "true" && !same(saved, initial)) {
      writeForm(form, saved);
      say("Restored your unsaved draft. ");
      if (status) {
        var discard = document.createElement("button");
        discard.type = "button";
        discard.className = "link";
        discard.textContent = "Discard it";
        discard.addEventListener("click", function () {
          store.removeItem(key);
          writeForm(form, initial);
          say("Draft discarded.");
          form.dispatchEvent(new Event("input"));
        });
        status.appendChild(discard);
      }
    }

    form.addEventListener("input", function () {
      if (timer) { window.clearTimeout(timer); }
      timer = window.setTimeout(save, 400);
    });
    form.addEventListener("change", function () { save(); });
    // The tab may close between keystroke and timer: flush on the way out.
    window.addEventListener("pagehide", function () { if (timer) { save(); } });
    // ...but not on the way out of the account (log out): that flush would bring back the
    // draft app.js has just removed.
    document.addEventListener("submit", function (event) {
      if (event.target.hasAttribute("data-clear-drafts") && timer) {
        window.clearTimeout(timer);
        timer = null;
      }
    });
  }

  // A code block or table wider than the text scrolls sideways in a box of its own: such a
  // box takes the keyboard focus, so that it can be scrolled without a mouse (not every
  // browser makes scrolling boxes focusable by itself). Only the ones that do scroll.
  function focusableScrollers(root) {
    root.querySelectorAll("pre, table").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth) { box.setAttribute("tabindex", "0"); }
      else { box.removeAttribute("tabindex"); }
    });
  }

  function setupPreview(form) {
    var url = form.getAttribute("data-preview-url");
    var target = document.querySelector("[data-preview-target]");
    var source = form.querySelector("[data-markdown-source]");
    var token = form.querySelector('input[name="csrfmiddlewaretoken"]');
    if (!url || !target || !source || !token || !window.fetch) { return; }
    var timer = null;
    var latest = 0;

    function render() {
      var request = ++latest;
      target.setAttribute("aria-busy", "true");
      var body = new FormData();
      body.append("body", source.value);
      window.fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": token.value }
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (data) {
        // The server sanitized this HTML (the same rendering a saved entry gets).
        if (data && request === latest) {
          target.innerHTML = data.html;
          focusableScrollers(target);
        }
      }).catch(function () { /* keep the last preview */ }).then(function () {
        if (request === latest) { target.removeAttribute("aria-busy"); }
      });
    }

    source.addEventListener("input", function () {
      if (timer) { window.clearTimeout(timer); }
      timer = window.setTimeout(render, 350);
    });
    if (source.value) { render(); }
  }

  document.querySelectorAll("form[data-draft-key]").forEach(function (form) {
    if (store) { setupDraft(form); }
    setupPreview(form);
  });
  document.querySelectorAll(".entry-body").forEach(focusableScrollers);
})();
