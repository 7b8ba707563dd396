// The answer bot in the browser. On /bot the ask form asks the server to stream (stream=1); on an
// answer page that is still being written, tokens arrive as Server-Sent Events from
// /bot/answers/{id}/stream and are shown as they come, then replaced by the checked answer (HTML
// the server rendered and sanitised) when the `done` event arrives. Leaving the page closes the
// stream, which stops the generation on the server. Without JavaScript the form waits for the
// whole answer instead.
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

  var events = new EventSource(answer.getAttribute("data-stream"));
  events.addEventListener("sources", function (e) {
    var list = JSON.parse(e.data);
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
      ol.appendChild(li);
    });
    sources.hidden = list.length === 0;
  });
  events.addEventListener("text", function (e) {
    draft.textContent += JSON.parse(e.data);
  });
  events.addEventListener("error", function (e) {
    if (e.data) {
      status.textContent = JSON.parse(e.data).message;
      events.close();
      answer.removeAttribute("aria-busy");
    }
  });
  events.addEventListener("done", function () {
    events.close();
    // The stored page has the checked answer, its sources and passages: show exactly that.
    window.location.reload();
  });
})();
