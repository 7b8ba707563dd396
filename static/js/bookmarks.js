// Bookmark without reloading the page: intercepts the bookmark form (templates/social/vote.html),
// POSTs the same fields to /bookmarks with the CSRF token from <meta name="csrf-token"> in the
// X-CSRF-Token header, and presses or releases the button from the JSON answer ({bookmarked, label}).
// Without JavaScript the form posts normally and the server redirects back.
(function () {
  "use strict";
  if (window.agoraBookmarks) {
    return;
  }
  window.agoraBookmarks = true;

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-bookmark") || !window.fetch) {
      return;
    }
    var button = form.querySelector("[data-bookmark-button]");
    event.preventDefault();
    var body = new URLSearchParams();
    body.set("target_kind", form.elements.target_kind.value);
    body.set("target_id", form.elements.target_id.value);
    form.setAttribute("aria-busy", "true");
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "X-CSRF-Token": csrfToken(),
        Accept: "application/json",
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: body.toString(),
    })
      .then(function (response) {
        if (response.redirected || !response.ok) {
          // Signed out or refused: let the plain form show the server's page.
          form.submit();
          return null;
        }
        return response.json();
      })
      .then(function (result) {
        if (!result || !button) {
          return;
        }
        button.classList.toggle("active", result.bookmarked === true);
        button.setAttribute("aria-pressed", result.bookmarked ? "true" : "false");
        if (result.label) {
          button.textContent = result.label;
        }
      })
      .catch(function () {
        form.submit();
      })
      .finally(function () {
        form.removeAttribute("aria-busy");
      });
  });
})();
