// Vote without reloading the page: intercepts the vote widget's form (templates/social/vote.html),
// POSTs the same fields to /votes with the CSRF token from <meta name="csrf-token"> in the
// X-CSRF-Token header, and updates the score and the pressed buttons from the JSON answer
// ({score, my_vote}). The score sits in a polite live region (<output>), so screen readers read the new
// score. Without JavaScript the form posts normally and the server redirects back.
(function () {
  "use strict";
  if (window.agoraVotes) {
    return; // loaded twice: one listener is enough
  }
  window.agoraVotes = true;

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }

  function show(form, result) {
    var up = form.querySelector("[data-vote-up]");
    var down = form.querySelector("[data-vote-down]");
    var score = form.querySelector("[data-vote-score]");
    if (score) {
      score.textContent = String(result.score);
    }
    if (up) {
      up.classList.toggle("active", result.my_vote === 1);
      up.setAttribute("aria-pressed", result.my_vote === 1 ? "true" : "false");
      up.value = result.my_vote === 1 ? "0" : "1";
    }
    if (down) {
      down.classList.toggle("active", result.my_vote === -1);
      down.setAttribute("aria-pressed", result.my_vote === -1 ? "true" : "false");
      down.value = result.my_vote === -1 ? "0" : "-1";
    }
  }

  function errorBox(form) {
    return form.parentNode ? form.parentNode.querySelector("[data-vote-error]") : null;
  }

  function fail(form, message) {
    var box = errorBox(form);
    if (box) {
      box.textContent = message;
      box.hidden = !message;
    }
  }

  function networkError(form) {
    var box = errorBox(form);
    return (box && box.getAttribute("data-network-error")) || "Vote failed";
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.classList.contains("vote-form")) {
      return;
    }
    var button = event.submitter;
    if (!button || button.name !== "value" || !window.fetch) {
      return; // let the browser post the form
    }
    event.preventDefault();
    var body = new URLSearchParams();
    body.set("target_kind", form.elements.target_kind.value);
    body.set("target_id", form.elements.target_id.value);
    body.set("value", button.value);
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
        if (response.redirected) {
          // The session ended: the server sent us to log in. Go there, and come back after.
          window.location.href = response.url;
          return new Promise(function () {});
        }
        return response.json().then(function (data) {
          if (!response.ok) {
            throw new Error(data && data.message ? data.message : response.statusText);
          }
          return data;
        });
      })
      .then(function (result) {
        fail(form, "");
        show(form, result);
      })
      .catch(function (error) {
        var ours = error && error.name === "Error" && error.message;
        fail(form, ours ? error.message : networkError(form));
      })
      .finally(function () {
        form.removeAttribute("aria-busy");
      });
  });
})();
