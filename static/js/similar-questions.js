// Similar-question hints on the ask page: after the asker pauses typing a title, GET
// /questions/similar?title=…&tags=… and show the returned HTML fragment (already escaped by the
// server) in the element named by the title input's data-similar-target.
// Progressive enhancement: without JavaScript the "Check for similar questions" button does the same.
(function () {
  "use strict";

  var DELAY_MS = 500;
  var MIN_CHARS = 6;

  function attach(input) {
    var target = document.getElementById(input.getAttribute("data-similar-target"));
    if (!target) {
      return;
    }
    var tagsInput = input.form ? input.form.querySelector("input[name=tags]") : null;
    var timer = null;
    var sequence = 0;
    var lastQuery = null;

    function refresh() {
      var title = input.value.trim();
      var tags = tagsInput ? tagsInput.value : "";
      var query = new URLSearchParams({ title: title, tags: tags }).toString();
      if (query === lastQuery) {
        return;
      }
      lastQuery = query;
      if (title.length < MIN_CHARS) {
        target.innerHTML = "";
        return;
      }
      var mine = ++sequence;
      target.setAttribute("aria-busy", "true");
      fetch("/questions/similar?" + query, {
        credentials: "same-origin",
        headers: { Accept: "text/html" }
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("similar questions failed: HTTP " + response.status);
          }
          return response.text();
        })
        .then(function (html) {
          if (mine === sequence) {
            target.innerHTML = html;
          }
        })
        .catch(function () {
          if (mine === sequence) {
            lastQuery = null;
          }
        })
        .then(function () {
          if (mine === sequence) {
            target.removeAttribute("aria-busy");
          }
        });
    }

    function schedule() {
      if (timer) {
        clearTimeout(timer);
      }
      timer = setTimeout(refresh, DELAY_MS);
    }

    input.addEventListener("input", schedule);
    if (tagsInput) {
      tagsInput.addEventListener("change", schedule);
    }
  }

  function init() {
    var inputs = document.querySelectorAll("input[data-similar-target]");
    Array.prototype.forEach.call(inputs, attach);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
