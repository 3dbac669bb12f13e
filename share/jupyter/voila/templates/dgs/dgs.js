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
  // ---- Every screen (issue 13) ----
  // The kernel draws the pictures at the screen's pixel ratio: the page reports it through a
  // hidden control (options "1" and "2"), as a person's choice would be reported.
  let reportedRatio = "";
  function reportPixelRatio() {
    const select = document.querySelector(".dgs-control-dpr select");
    if (!select) { return; }
    const ratio = window.devicePixelRatio >= 1.5 ? "2" : "1";
    if (ratio === reportedRatio) { return; }
    const index = [...select.options].findIndex(function (o) { return o.textContent.trim() === ratio; });
    if (index < 0) { return; }
    reportedRatio = ratio;
    if (select.selectedIndex !== index) {
      select.selectedIndex = index;
      select.dispatchEvent(new Event("change", {bubbles: true}));
    }
  }
  // Names and text alternatives the kernel writes (in the page's language, following the
  // state) go onto the elements they name.
  function applyNames() {
    document.querySelectorAll(".dgs-a11y-source li[data-selector]").forEach(function (item) {
      const words = item.textContent.trim();
      const attribute = item.dataset.attribute;
      document.querySelectorAll(item.dataset.selector).forEach(function (el) {
        if (el.getAttribute(attribute) !== words) { el.setAttribute(attribute, words); }
      });
    });
  }
  // On a phone the red flags show one line; a button beside their heading opens the list.
  function flagsToggle() {
    const flags = document.querySelector(".dgs-redflags");
    const heading = flags && flags.querySelector("h2");
    if (!heading) { return; }
    let button = heading.querySelector(".dgs-flags-toggle");
    if (!button) {
      button = document.createElement("button");
      button.type = "button";
      button.className = "dgs-flags-toggle";
      heading.appendChild(button);
    }
    const open = flags.classList.contains("dgs-flags-open");
    const words = (open ? flags.dataset.less : flags.dataset.more) || (open ? "−" : "+");
    if (button.textContent !== words) { button.textContent = words; }
    if (button.getAttribute("aria-expanded") !== String(open)) {
      button.setAttribute("aria-expanded", String(open));
    }
  }
  // Glossary words: focusable, and their explanation opens on a tap, a click or a key.
  function glossaryFocus() {
    document.querySelectorAll(".dgs-dashboard abbr[title]:not([tabindex])").forEach(
      function (abbr) { abbr.setAttribute("tabindex", "0"); });
    // A box that scrolls (the narrative) is reached with the keyboard, to scroll it by keys.
    document.querySelectorAll(".dgs-narrative .widget-html-content:not([tabindex])").forEach(
      function (box) { box.setAttribute("tabindex", "0"); });
  }
  function drawerState() {
    const root = document.querySelector(".dgs-dashboard");
    const button = document.querySelector(".dgs-drawer-toggle");
    if (!root || !button) { return; }
    const open = String(root.classList.contains("dgs-drawer-open"));
    if (button.getAttribute("aria-expanded") !== open) { button.setAttribute("aria-expanded", open); }
  }
  function screens() {
    reportPixelRatio();
    applyNames();
    flagsToggle();
    glossaryFocus();
    drawerState();
    watchFlagsHeight();
  }
  // The end of the page and the long-form pages stop above the red flags, however tall.
  let flagsObserved = null;
  function watchFlagsHeight() {
    const flags = document.querySelector(".dgs-redflags");
    if (!flags || flags === flagsObserved || !window.ResizeObserver) { return; }
    flagsObserved = flags;
    new ResizeObserver(function () {
      const style = getComputedStyle(flags);
      const height = style.position === "fixed" ? flags.getBoundingClientRect().height : 0;
      document.documentElement.style.setProperty("--dgs-flags-height", Math.ceil(height + 8) + "px");
    }).observe(flags);
  }
  const gloss = document.createElement("div");
  gloss.id = "dgs-gloss";
  gloss.setAttribute("role", "tooltip");
  gloss.hidden = true;
  document.body.appendChild(gloss);
  let glossFor = null;
  function hideGloss() { gloss.hidden = true; glossFor = null; }
  function showGloss(abbr) {
    if (glossFor === abbr && !gloss.hidden) { hideGloss(); return; }
    glossFor = abbr;
    gloss.textContent = abbr.textContent.trim() + ": " + abbr.getAttribute("title");
    gloss.hidden = false;
    const box = abbr.getBoundingClientRect();
    const width = gloss.offsetWidth, height = gloss.offsetHeight;
    const left = Math.max(8, Math.min(box.left, window.innerWidth - width - 8));
    const below = box.bottom + 6;
    const top = below + height < window.innerHeight - 8 ? below : Math.max(8, box.top - height - 6);
    gloss.style.left = left + "px";
    gloss.style.top = top + "px";
  }
  document.addEventListener("click", function (event) {
    const abbr = event.target.closest && event.target.closest(".dgs-dashboard abbr[title]");
    if (abbr) { showGloss(abbr); return; }
    if (!gloss.hidden && !gloss.contains(event.target)) { hideGloss(); }
    const flagsButton = event.target.closest && event.target.closest(".dgs-flags-toggle");
    if (flagsButton) {
      flagsButton.closest(".dgs-redflags").classList.toggle("dgs-flags-open");
      flagsToggle();
      return;
    }
    const drawer = event.target.closest && event.target.closest(".dgs-drawer-toggle");
    if (drawer) {
      document.querySelector(".dgs-dashboard").classList.toggle("dgs-drawer-open");
      drawerState();
    }
  }, true);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { hideGloss(); return; }
    const abbr = event.target.closest && event.target.closest(".dgs-dashboard abbr[title]");
    if (abbr && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      showGloss(abbr);
    }
  });
  window.addEventListener("scroll", hideGloss, true);
  window.matchMedia("(min-resolution: 1.5dppx)").addEventListener("change", reportPixelRatio);

  // Now and then the widget manager finishes loading without the dashboard's model and prints
  // "Error displaying widget: model not found" where the dashboard should be (seen on a busy
  // two-core machine; ipywidgets' and Voila's loading, not this project's code). A reload
  // gives the visitor a fresh kernel and a whole dashboard: once, and not again within a minute.
  const RELOAD_KEY = "dgs-reloaded-after-widget-error";
  function reloadIfWidgetsFailed() {
    if (document.querySelector(".dgs-dashboard")) { return; }
    const failed = Array.prototype.some.call(document.querySelectorAll(".jupyter-widgets"),
      function (el) { return el.textContent.indexOf("Error displaying widget") === 0; });
    if (!failed) { return; }
    const last = Number(sessionStorage.getItem(RELOAD_KEY) || 0);
    if (Date.now() - last < 60000) { return; }
    sessionStorage.setItem(RELOAD_KEY, String(Date.now()));
    window.location.reload();
  }
  // Widgets render in any order and some changes (a re-rendered control) are not mutations
  // this observer sees: check again now and then too (a few selector look-ups).
  window.setInterval(function () { screens(); reloadIfWidgetsFailed(); }, 500);
  new MutationObserver(function () { mirror(); screens(); }).observe(document.documentElement,
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
