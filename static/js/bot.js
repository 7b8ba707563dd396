// The answer bot in the browser. On /bot the ask form asks the server to stream (stream=1); on an
// answer page that is still being written, tokens arrive as Server-Sent Events from
// /bot/answers/{id}/stream and are shown as they come, then replaced in place by the checked
// answer (HTML the server rendered and sanitised) and its sources when the `done` event arrives.
// Leaving the page closes the stream, which stops the generation on the server. Without JavaScript the form waits for the
// whole answer instead. The answer text is a polite live region kept busy while tokens arrive, so
// screen readers read the finished answer once instead of every fragment.
(function () {
  "use strict";

  var form = document.querySelector("[data-bot-ask]");
  if (form && window.EventSource && form.elements.stream) {
    form.elements.stream.value = "1";
  }

  var answer = document.querySelector("[data-bot-answer][data-stream]");
  if (!answer || !window.EventSource) {
    return;
  }
  var text = answer.querySelector("[data-bot-text]");
  var status = answer.querySelector("[data-bot-status]");
  var sources = answer.querySelector("[data-bot-sources]");
  var draft = document.createElement("p");
  draft.className = "bot-streaming";
  text.textContent = "";
  text.appendChild(draft);
  answer.setAttribute("aria-busy", "true");
  text.setAttribute("aria-busy", "true");

  function showSources(list) {
    var ol = sources.querySelector("ol");
    ol.textContent = "";
    list.forEach(function (s) {
      var li = document.createElement("li");
      li.id = "source-" + s.n;
      li.value = s.n;
      var a = document.createElement("a");
      a.href = s.url;
      a.textContent = s.title;
      li.appendChild(a);
      if (s.passage) {
        var quote = document.createElement("blockquote");
        quote.className = "bot-passage";
        quote.textContent = s.passage;
        li.appendChild(quote);
      }
      ol.appendChild(li);
    });
    sources.hidden = list.length === 0;
  }

  function finish() {
    events.close();
    answer.removeAttribute("data-stream");
    answer.removeAttribute("aria-busy");
    text.removeAttribute("aria-busy");
  }

  var events = new EventSource(answer.getAttribute("data-stream"));
  events.addEventListener("sources", function (e) {
    showSources(JSON.parse(e.data));
  });
  events.addEventListener("text", function (e) {
    draft.textContent += JSON.parse(e.data);
  });
  events.addEventListener("error", function (e) {
    if (e.data) {
      status.textContent = JSON.parse(e.data).message;
      finish();
    }
  });
  events.addEventListener("done", function (e) {
    var done = JSON.parse(e.data);
    // The checked answer replaces the raw stream: HTML rendered and sanitised by the server,
    // with only the citations that passed the check, and the passages it used.
    text.innerHTML = done.html;
    showSources(done.sources || []);
    status.textContent = done.error ? done.status_text + " " + done.error : done.status_text;
    var label = answer.querySelector(".bot-label");
    if (label && done.label) {
      label.textContent = done.label;
    }
    finish();
  });
})();
