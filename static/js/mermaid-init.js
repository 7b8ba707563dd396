// Draws <pre class="mermaid"> diagrams in rendered posts. Progressive enhancement: without
// JavaScript, or when the vendored mermaid bundle is missing, the escaped source stays visible.
// Loaded as an external file (the CSP forbids inline scripts); exposes
// window.agoraMermaid.render(root) so the live preview can draw diagrams it inserts.
(function () {
  "use strict";

  var BUNDLE = "/static/vendor/mermaid/mermaid.min.js";
  var darkQuery = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  var loading = null;

  function isDark() {
    return !!(darkQuery && darkQuery.matches);
  }

  function loadMermaid() {
    if (window.mermaid) {
      return Promise.resolve(window.mermaid);
    }
    if (loading) {
      return loading;
    }
    loading = new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = BUNDLE;
      script.async = true;
      script.onload = function () {
        if (window.mermaid) {
          resolve(window.mermaid);
        } else {
          reject(new Error("mermaid bundle loaded but did not define window.mermaid"));
        }
      };
      script.onerror = function () {
        reject(new Error("mermaid bundle not found at " + BUNDLE));
      };
      document.head.appendChild(script);
    });
    return loading;
  }

  function configure(mermaid) {
    mermaid.initialize({
      startOnLoad: false,
      // "strict": no click callbacks and no HTML in labels; diagram source is user content.
      securityLevel: "strict",
      theme: isDark() ? "dark" : "default"
    });
  }

  function diagrams(root) {
    var scope = root || document;
    return Array.prototype.slice.call(scope.querySelectorAll("pre.mermaid"));
  }

  function render(root) {
    var nodes = diagrams(root).filter(function (node) {
      return node.getAttribute("data-processed") !== "true";
    });
    if (nodes.length === 0) {
      return Promise.resolve();
    }
    nodes.forEach(function (node) {
      // Keep the source so the diagram can be redrawn when the colour scheme changes.
      if (!node.hasAttribute("data-source")) {
        node.setAttribute("data-source", node.textContent);
      }
    });
    return loadMermaid()
      .then(function (mermaid) {
        configure(mermaid);
        return mermaid.run({ nodes: nodes, suppressErrors: true });
      })
      .catch(function (error) {
        if (window.console) {
          window.console.info("agora: diagrams left as text (" + error.message + ")");
        }
      });
  }

  function redrawAll() {
    diagrams(document).forEach(function (node) {
      var source = node.getAttribute("data-source");
      if (source !== null) {
        node.removeAttribute("data-processed");
        node.textContent = source;
      }
    });
    render(document);
  }

  window.agoraMermaid = { render: render };

  if (darkQuery) {
    if (darkQuery.addEventListener) {
      darkQuery.addEventListener("change", redrawAll);
    } else if (darkQuery.addListener) {
      darkQuery.addListener(redrawAll);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      render(document);
    });
  } else {
    render(document);
  }
})();
