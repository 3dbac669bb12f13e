// Lets a closed tab free its kernel at once instead of at the next cull (Voila issue 1458).
// Voila's page asks the server to shut the kernel down on `beforeunload`, sending the value of
// the `_xsrf` cookie; but on a preheated page nothing sets that cookie, so jupyter_server
// refuses the request and the kernel (about 100 MB) keeps running. This sets the cookie to a
// random token (the server only checks that the request repeats its own cookie, which another
// site cannot read or set), and sends the same request on `pagehide` for browsers that skip
// `beforeunload` (phones, tablets).
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("jupyter-config-data").textContent);
  const base = config.baseUrl || "/";
  function token() {
    const match = document.cookie.match(/(?:^|;\s*)_xsrf=([^;]*)/);
    return match ? match[1] : "";
  }
  if (!token()) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    document.cookie = "_xsrf=" + hex + "; path=" + base + "; SameSite=Strict";
  }
  let asked = false;
  window.addEventListener("beforeunload", function () { asked = true; });  // Voila asks now
  window.addEventListener("pagehide", function (event) {
    if (asked || event.persisted || !config.kernelId) { return; }
    asked = true;
    fetch(base + "voila/api/shutdown/" + config.kernelId,
          {method: "POST", keepalive: true, credentials: "same-origin",
           headers: {"X-XSRFToken": token()}});
  });
})();
