// agora: progressive enhancement only; every page works without this file.
"use strict";
(function () {
  // Fetch calls carry the session's CSRF token in a header.
  const meta = document.querySelector('meta[name="csrf-token"]');
  window.agora = {
    csrfToken: meta ? meta.getAttribute("content") : "",
  };

  // A form sent back with errors: move focus to its error summary (role="alert"), or else to the first
  // field marked invalid, so keyboard and screen reader users start where the problem is.
  document.addEventListener("DOMContentLoaded", function () {
    var target = document.querySelector("[data-error-summary]") || document.querySelector('main [aria-invalid="true"]');
    if (target) {
      target.focus();
    }
  });
})();
