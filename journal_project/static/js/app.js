// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Signup: use the browser's time zone when the person has not chosen one.
  document.querySelectorAll("select[data-detect-time-zone]").forEach(function (select) {
    try {
      var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (zone && select.value === "UTC" && select.querySelector('option[value="' + zone + '"]')) {
        select.value = zone;
      }
    } catch (e) { /* keep UTC */ }
  });

  // Buttons that ask before doing something irreversible.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
