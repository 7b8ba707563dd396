// Click-to-load for remote images in rendered posts. The server renders ![alt](https://...) as a
// link (a.remote-image) so that merely viewing a post reveals no reader's IP address to a third
// party; clicking it here loads the image in place, which the reader has then chosen to do.
// Without JavaScript the link simply opens the image. Exposes window.agoraRemoteImages.
(function () {
  "use strict";

  function altText(link, url) {
    var text = (link.textContent || "").trim();
    var suffix = " (" + url.hostname + ")";
    if (text.slice(-suffix.length) === suffix) {
      text = text.slice(0, -suffix.length);
    }
    return text;
  }

  function load(link) {
    var url;
    try {
      url = new URL(link.href, document.baseURI);
    } catch (e) {
      return false;
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      return false;
    }
    var img = document.createElement("img");
    img.src = url.href;
    img.alt = altText(link, url);
    img.loading = "lazy";
    img.referrerPolicy = "no-referrer";
    img.className = "remote-image-loaded";
    link.replaceWith(img);
    return true;
  }

  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey ||
        event.shiftKey || event.altKey) {
      return;
    }
    var target = event.target;
    var link = target && target.closest ? target.closest("a.remote-image") : null;
    if (link && load(link)) {
      event.preventDefault();
    }
  });

  window.agoraRemoteImages = { load: load };
})();
