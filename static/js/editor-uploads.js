// Images in the editor: for a <textarea data-upload-form="ID">, an image pasted or dropped into the
// text, or chosen with form ID's file button, is sent to /uploads (multipart field "file", CSRF
// token as the X-CSRF-Token header) with a progress bar, and the Markdown the server answers is put
// where the cursor was; for an <input data-upload-form="ID"> (the brand's logo and favicon) the
// image's address replaces the field's value. Progressive enhancement: without JavaScript form ID still works on its own
// (it opens the Markdown to copy in a new tab).
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }

  function insertAt(textarea, start, end, text) {
    var before = textarea.value.slice(0, start);
    var after = textarea.value.slice(end);
    var lead = before && !/\n$/.test(before) ? "\n" : "";
    var trail = after && !/^\n/.test(after) ? "\n" : "";
    textarea.value = before + lead + text + trail + after;
    var cursor = (before + lead + text).length;
    textarea.setSelectionRange(cursor, cursor);
    // The live preview listens for input.
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function attach(textarea) {
    if (textarea.getAttribute("data-upload-ready")) {
      return;
    }
    textarea.setAttribute("data-upload-ready", "1");
    var form = document.getElementById(textarea.getAttribute("data-upload-form"));
    if (!form) {
      return;
    }
    var progress = form.querySelector(".upload-progress");
    var status = form.querySelector(".upload-status");
    var picker = form.querySelector('input[type="file"]');
    var submit = form.querySelector('button[type="submit"]');
    if (submit) {
      // The file button uploads at once; the Upload button is for the page without script.
      submit.hidden = true;
      submit.style.display = "none";
    }

    function say(text) {
      if (status) {
        status.textContent = text;
      }
    }

    function send(file) {
      var start = textarea.selectionStart;
      var end = textarea.selectionEnd;
      var data = new FormData();
      data.append("file", file, file.name || "image.png");
      var request = new XMLHttpRequest();
      request.open("POST", form.getAttribute("action"));
      request.setRequestHeader("X-CSRF-Token", csrfToken());
      request.setRequestHeader("Accept", "application/json");
      if (progress) {
        progress.value = 0;
        progress.hidden = false;
        request.upload.addEventListener("progress", function (event) {
          if (event.lengthComputable) {
            progress.value = Math.round((event.loaded / event.total) * 100);
          }
        });
      }
      say((form.getAttribute("data-progress") || "").replace("{name}", file.name || "image"));
      request.addEventListener("load", function () {
        if (progress) {
          progress.hidden = true;
        }
        var answer = null;
        try {
          answer = JSON.parse(request.responseText);
        } catch (e) {
          answer = null;
        }
        if (request.status === 201 && answer && answer.markdown) {
          if (textarea.tagName === "INPUT") {
            textarea.value = answer.url;
          } else {
            insertAt(textarea, start, end, answer.markdown);
          }
          say("");
        } else {
          var reason = answer && answer.error ? answer.error : "HTTP " + request.status;
          say((form.getAttribute("data-failed") || "{reason}").replace("{reason}", reason));
        }
      });
      request.addEventListener("error", function () {
        if (progress) {
          progress.hidden = true;
        }
        say((form.getAttribute("data-failed") || "{reason}").replace("{reason}", "network"));
      });
      request.send(data);
    }

    function images(list) {
      var found = [];
      for (var i = 0; list && i < list.length; i++) {
        if (list[i] && /^image\//.test(list[i].type)) {
          found.push(list[i]);
        }
      }
      return found;
    }

    textarea.addEventListener("paste", function (event) {
      var files = images(event.clipboardData && event.clipboardData.files);
      if (files.length) {
        event.preventDefault();
        files.forEach(send);
      }
    });
    textarea.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0) {
        event.preventDefault();
      }
    });
    textarea.addEventListener("drop", function (event) {
      var files = images(event.dataTransfer && event.dataTransfer.files);
      if (files.length) {
        event.preventDefault();
        files.forEach(send);
      }
    });
    if (picker) {
      picker.addEventListener("change", function () {
        images(picker.files).forEach(send);
        picker.value = "";
      });
    }
  }

  function init() {
    var areas = document.querySelectorAll("textarea[data-upload-form], input[data-upload-form]");
    for (var i = 0; i < areas.length; i++) {
      attach(areas[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
