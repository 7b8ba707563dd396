// Live Markdown preview for any <textarea data-preview-target="ID">: after the author pauses
// typing, POST the text to /preview (form field "body", CSRF token from
// <meta name="csrf-token">, sent as the X-CSRF-Token header) and put the returned, already
// sanitised HTML fragment into element ID, then draw any Mermaid diagrams in it.
// Progressive enhancement: without JavaScript the form still submits normally.
(function () {
  "use strict";

  var DELAY_MS = 400;

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }

  function attach(textarea) {
    var target = document.getElementById(textarea.getAttribute("data-preview-target"));
    if (!target) {
      return;
    }
    var timer = null;
    var controller = null;
    var sequence = 0;
    var lastSent = null;

    function refresh() {
      var body = textarea.value;
      if (body === lastSent) {
        return;
      }
      lastSent = body;
      if (controller && controller.abort) {
        controller.abort();
      }
      controller = window.AbortController ? new AbortController() : null;
      var mine = ++sequence;
      target.setAttribute("aria-busy", "true");
      fetch("/preview", {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8",
          "X-CSRF-Token": csrfToken()
        },
        body: new URLSearchParams({ body: body }).toString(),
        signal: controller ? controller.signal : undefined
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("preview failed: HTTP " + response.status);
          }
          return response.text();
        })
        .then(function (html) {
          // A slower, older response must not overwrite a newer preview.
          if (mine !== sequence) {
            return;
          }
          target.innerHTML = html;
          target.removeAttribute("data-preview-error");
          if (window.agoraMermaid) {
            window.agoraMermaid.render(target);
          }
        })
        .catch(function (error) {
          if (error && error.name === "AbortError") {
            return;
          }
          if (mine === sequence) {
            lastSent = null;
            target.setAttribute("data-preview-error", "true");
          }
        })
        .then(function () {
          if (mine === sequence) {
            target.removeAttribute("aria-busy");
          }
        });
    }

    textarea.addEventListener("input", function () {
      if (timer) {
        clearTimeout(timer);
      }
      timer = setTimeout(refresh, DELAY_MS);
    });

    if (textarea.value.trim() !== "") {
      refresh();
    }
  }

  function init() {
    var areas = document.querySelectorAll("textarea[data-preview-target]");
    Array.prototype.forEach.call(areas, attach);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
