// agora: progressive enhancement only; every page works without this file.
"use strict";
(function () {
  // Fetch calls carry the session's CSRF token in a header.
  const meta = document.querySelector('meta[name="csrf-token"]');
  window.agora = {
    csrfToken: meta ? meta.getAttribute("content") : "",
  };
})();
