/* Marginalia offline reading, page side: over http(s) it links the web app
 * manifest, registers ../sw.js for the site's folder and offers a button to
 * save the whole archive. From file:// (a copy on disk is already offline) and
 * under `build.py serve` it does nothing at all.
 */
(function () {
  "use strict";
  if (!/^https?:$/.test(location.protocol) || !("serviceWorker" in navigator) || window.MARGINALIA_LIVE) return;
  var script = document.currentScript;
  if (!script || !script.src) return;
  var root = new URL("../", script.src).href;

  var manifest = document.createElement("link");
  manifest.rel = "manifest";
  manifest.href = root + "manifest.webmanifest";
  document.head.appendChild(manifest);

  navigator.serviceWorker.register(root + "sw.js", {scope: root})
    .then(function () { return navigator.serviceWorker.ready; })
    .then(offerSaving)
    .catch(function () { /* no service worker (private mode, blocked): the site works as before */ });

  function offerSaving(registration) {
    var footer = document.querySelector(".site-footer");
    if (!footer || !registration.active) return;
    var box = document.createElement("p");
    box.className = "offline-save";
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = "Save the whole archive for offline reading";
    var state = document.createElement("span");
    state.setAttribute("role", "status");
    box.appendChild(button);
    box.appendChild(document.createTextNode(" "));
    box.appendChild(state);
    footer.appendChild(box);
    navigator.serviceWorker.addEventListener("message", function (event) { show(event.data, button, state); });
    button.addEventListener("click", function () {
      button.disabled = true;
      state.textContent = "Saving…";
      registration.active.postMessage("save");
    });
    registration.active.postMessage("status");
  }

  function show(data, button, state) {
    if (!data || !data.marginalia) return;
    if (data.error) {
      button.disabled = false;
      state.textContent = "Saving stopped: " + data.error + ". Try again when online.";
    } else if (data.saving !== undefined) {
      state.textContent = "Saving… " + data.saving + " of " + data.of + " files.";
    } else if (data.saved) {
      button.disabled = false;
      button.textContent = "Update the offline copy";
      state.textContent = data.current ? "Saved for offline reading (" + data.saved + " files)."
                                       : "An older copy is saved; update it to read the latest.";
      document.documentElement.setAttribute("data-offline-saved", String(data.saved));
    }
  }
})();
