// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Signup: use the browser's time zone when the person has not chosen one (the select
  // still shows the server's default, which the attribute names; empty once the form
  // comes back with the person's own choice).
  document.querySelectorAll("select[data-detect-time-zone]").forEach(function (select) {
    try {
      var initial = select.getAttribute("data-detect-time-zone");
      var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (zone && initial && select.value === initial && select.querySelector('option[value="' + zone + '"]')) {
        select.value = zone;
      }
    } catch (e) { /* keep the server's default */ }
  });

  // A form sent back with errors: the new page alone announces nothing (a role="alert" that is
  // there on load is not read out), and the focus was at the top of the page. Take it to the
  // first field in error, whose label and error (aria-describedby) are then read together,
  // or to a form-wide error (a wrong password) just before the form's first field.
  var invalid = document.querySelector('main form [aria-invalid="true"]');
  var alerted = null;
  document.querySelectorAll('main form [role="alert"]').forEach(function (alert) {
    if (!alerted && !alert.hidden && alert.textContent.trim()) { alerted = alert; }
  });
  if (!invalid && alerted) {
    alerted.setAttribute("tabindex", "-1");
    invalid = alerted;
  }
  if (invalid && !window.location.hash) {
    invalid.focus();
  }

  // On a narrow screen the navigation scrolls sideways: show where we are.
  var current = document.querySelector('.nav [aria-current="page"]');
  var strip = current && current.closest(".nav");
  if (strip && strip.scrollWidth > strip.clientWidth) {
    var box = strip.getBoundingClientRect();
    var item = current.getBoundingClientRect();
    strip.scrollLeft += item.left - box.left - (box.width - item.width) / 2;
  }

  // Unsaved drafts (entries.js) live in this browser's localStorage under the writer's id.
  // They go when someone leaves (log out, delete the account) and wherever someone is about
  // to sign in: on a shared browser the next person must never meet them.
  var DRAFTS = "journal:draft:";
  function clearDrafts(keep) {
    try {
      var store = window.localStorage;
      for (var index = store.length - 1; index >= 0; index--) {
        var key = store.key(index);
        if (key && key.indexOf(DRAFTS) === 0 && !(keep && keep.test(key.slice(DRAFTS.length)))) {
          store.removeItem(key);
        }
      }
    } catch (e) { /* storage disabled: nothing was kept */ }
  }
  if (document.querySelector('[data-clear-drafts="load"]')) {
    clearDrafts(null);
  } else {
    // Drafts from before they were keyed by writer ("journal:draft:new") belong to nobody known.
    clearDrafts(/^\d+:/);
  }

  // Buttons that ask before doing something irreversible; and a form that is on its way is
  // marked busy and not sent twice (a double tap on a phone must not save an entry twice).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
    if (!event.defaultPrevented && form.getAttribute("data-clear-drafts") === "submit") {
      clearDrafts(null);
    }
    if (event.defaultPrevented || (form.method || "").toLowerCase() !== "post") { return; }
    if (form.hasAttribute("data-submitting")) {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-submitting", "");
    form.setAttribute("aria-busy", "true");
  });
  // Coming back with the Back button shows the page as it was left: ready again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitting]").forEach(function (form) {
      form.removeAttribute("data-submitting");
      form.removeAttribute("aria-busy");
    });
  });
})();
