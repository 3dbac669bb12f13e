// The dashboard's own page script. It talks to no server: it mirrors what the kernel already
// sent into places the browser needs (a live region, a download) and notices a lost kernel.
(function () {
  "use strict";
  const live = document.getElementById("dgs-live");
  const lost = document.getElementById("dgs-lost");
  let lastLive = "";
  let lastHandout = "";

  function mirror() {
    const source = document.querySelector(".dgs-live-source");
    if (source) {
      const text = source.textContent.trim();
      if (text && text !== lastLive) { lastLive = text; live.textContent = text; }
    }
    const link = document.querySelector("a.dgs-handout-link[data-nonce]");
    if (link && link.dataset.nonce && link.dataset.nonce !== lastHandout) {
      lastHandout = link.dataset.nonce;
      link.click();
    }
  }

  // Words for the lost-kernel dialog come from the kernel's catalogue while it is alive;
  // copied only when the dialog opens, so that this script never feeds its own observer.
  function translateLost() {
    const source = document.querySelector(".dgs-lost-text-source span");
    if (!source) { return; }
    document.getElementById("dgs-lost-text").textContent = source.textContent.trim();
    if (source.dataset.button) { lost.querySelector("button").textContent = source.dataset.button; }
  }
  new MutationObserver(mirror).observe(document.documentElement,
    {childList: true, subtree: true, characterData: true, attributes: true,
     attributeFilter: ["data-nonce"]});

  function showLost() {
    if (!lost.hidden) { return; }
    translateLost();
    lost.hidden = false;
    const button = lost.querySelector("button");
    if (button) { button.focus(); }
  }
  // A kernel that dies or restarts has lost every widget: say so in plain words.
  const NativeWebSocket = window.WebSocket;
  const decoder = new TextDecoder();
  function watch(socket) {
    if (!/\/api\/kernels\//.test(socket.url)) { return socket; }
    let opened = false;
    socket.addEventListener("open", function () { opened = true; });
    socket.addEventListener("close", function () { if (opened) { showLost(); } });
    socket.addEventListener("message", function (event) {
      let text = "";
      if (typeof event.data === "string") { text = event.data; }
      else if (event.data instanceof ArrayBuffer) { text = decoder.decode(event.data); }
      else { return; }
      if (/"execution_state"\s*:\s*"(restarting|dead|autorestarting)"/.test(text)) { showLost(); }
    });
    return socket;
  }
  window.WebSocket = new Proxy(NativeWebSocket, {
    construct(target, args) { return watch(new target(...args)); }
  });
})();

// Guided story (issue #12): the keyboard follows the story's buttons as they appear and go.
(function () {
  "use strict";
  function focusWhenShown(selector) {
    let tries = 0;
    const timer = setInterval(function () {
      const element = document.querySelector(selector);
      if (element && element.offsetParent !== null) { clearInterval(timer); element.focus(); }
      else if (++tries > 100) { clearInterval(timer); }
    }, 50);
  }
  document.addEventListener("click", function (event) {
    const button = event.target.closest ? event.target.closest("button") : null;
    if (!button) { return; }
    if (button.classList.contains("dgs-control-story")) {
      focusWhenShown(".dgs-control-story-next");
    } else if (button.classList.contains("dgs-control-story-leave")) {
      focusWhenShown(".dgs-control-story");
    }
  }, true);
})();

// "Copy link" (issue #12): copies, in the click itself (browsers allow the clipboard only
// then), the link to the state the kernel keeps in .dgs-link, and shows it, so that it can be
// selected by hand where the browser refuses to copy (a page not served over https).
(function () {
  "use strict";
  function copyByHand(link) {
    const area = document.createElement("textarea");
    area.value = link;
    area.setAttribute("readonly", "");
    area.style.position = "fixed"; area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (error) { /* the link stays shown */ }
    area.remove();
  }
  document.addEventListener("click", function (event) {
    const button = event.target.closest ? event.target.closest(".dgs-control-copy-link") : null;
    const data = document.querySelector(".dgs-link");
    if (!button || !data) { return; }
    const base = data.dataset.base || (window.location.origin + window.location.pathname);
    const link = data.dataset.query ? base + "?" + data.dataset.query : base;
    const shown = document.querySelector(".dgs-link-text");
    if (shown) { shown.textContent = data.dataset.copied + " " + link; }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(link).catch(function () { copyByHand(link); });
    } else {
      copyByHand(link);
    }
  }, true);
})();
