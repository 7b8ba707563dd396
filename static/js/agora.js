// agora: progressive enhancement only; every page works without this file.
"use strict";
(function () {
  // Fetch calls carry the session's CSRF token in a header.
  const meta = document.querySelector('meta[name="csrf-token"]');
  window.agora = {
    csrfToken: meta ? meta.getAttribute("content") : "",
  };

  // Event times are shown in the reader's zone: tell the server the browser's (a member's own
  // setting wins over it).
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    // IANA names are cookie-safe as they are (letters, digits, _ + - /).
    if (zone && /^[A-Za-z0-9_+\-\/]+$/.test(zone) && document.cookie.indexOf("agora_tz=" + zone) === -1) {
      document.cookie = "agora_tz=" + zone + "; path=/; max-age=31536000; samesite=lax";
    }
  } catch (e) {
    // No Intl: times stay in UTC, and say so.
  }

  // A form sent back with errors: move focus to its error summary (role="alert"), or else to the first
  // field marked invalid, so keyboard and screen reader users start where the problem is.
  document.addEventListener("DOMContentLoaded", function () {
    var target = document.querySelector("[data-error-summary]") || document.querySelector('main [aria-invalid="true"]');
    if (target) {
      target.focus();
    }
  });
})();
