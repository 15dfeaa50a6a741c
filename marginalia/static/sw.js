/* Marginalia offline reading: the service worker, served from the root of the built site.
 *
 * Every page a reader visits is kept in a cache and served from it next time
 * (refreshed from the network in the background), so visited pages open
 * offline. "Save the whole archive" (assets/offline.js) asks it to fetch every
 * file listed in offline-manifest.json; later versions of the site fetch only
 * the files whose hash changed. It only handles requests inside its own scope
 * (the folder the site is published in), so several archives can share a host.
 */
"use strict";

const VERSION = "__MARGINALIA_VERSION__";
const SCOPE = self.registration.scope;
const CACHE = "marginalia " + SCOPE;
const SAVED = SCOPE + "__marginalia/saved.json";
const PARALLEL = 6;

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
  // A new version of the site: bring a saved copy up to date (best effort).
  caches.open(CACHE).then((cache) => cache.match(SAVED)).then((saved) => saved && save()).catch(() => {});
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || !request.url.startsWith(SCOPE)) return;
  const path = new URL(request.url).pathname;
  if (path.endsWith("/sw.js") || path.includes("/__marginalia/")) return;
  event.respondWith(cacheFirst(request, event));
});

self.addEventListener("message", (event) => {
  if (event.data === "save") event.waitUntil(save());
  else if (event.data === "status") event.waitUntil(status());
});

function pageKey(url) {
  const clean = url.split("#")[0].split("?")[0];
  return clean.endsWith("/") ? clean + "index.html" : clean;
}

async function cacheFirst(request, event) {
  const cache = await caches.open(CACHE);
  const key = pageKey(request.url);
  const cached = await cache.match(key);
  const network = fetch(request).then(async (response) => {
    if (response.ok && response.type === "basic" && !response.redirected) {
      await cache.put(key, response.clone());
    }
    return response;
  });
  if (cached) {
    event.waitUntil(network.catch(() => undefined));
    return cached;
  }
  try {
    return await network;
  } catch (error) {
    return offlinePage();
  }
}

function offlinePage() {
  const html = '<!DOCTYPE html><html lang="en"><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>Offline</title>' +
    '<main style="font:1.1rem/1.6 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem">' +
    "<h1>You are offline</h1><p>This page has not been saved for offline reading yet.</p>" +
    '<p><a href="' + SCOPE + 'index.html">Go to the latest articles</a></p></main></html>';
  return new Response(html, {status: 503, headers: {"Content-Type": "text/html; charset=utf-8"}});
}

async function tell(message) {
  const clients = await self.clients.matchAll({type: "window"});
  for (const client of clients) client.postMessage(Object.assign({marginalia: VERSION}, message));
}

async function status() {
  const saved = await (await caches.open(CACHE)).match(SAVED);
  const manifest = saved ? await saved.json() : null;
  await tell(manifest ? {saved: Object.keys(manifest.files).length, current: manifest.version === VERSION}
                      : {saved: 0});
}

async function save() {
  try {
    const cache = await caches.open(CACHE);
    const response = await fetch(SCOPE + "offline-manifest.json", {cache: "no-store"});
    const manifest = await response.json();
    const previous = await cache.match(SAVED);
    const old = previous ? await previous.json() : {files: {}};
    const paths = Object.keys(manifest.files);
    const todo = paths.filter((p) => old.files[p] !== manifest.files[p]);
    let done = paths.length - todo.length;
    await tell({saving: done, of: paths.length});
    await inParallel(todo, async (path) => {
      const file = await fetch(SCOPE + path, {cache: "no-cache"});
      if (!file.ok) throw new Error(path + ": HTTP " + file.status);
      await cache.put(SCOPE + path, file);
      done += 1;
      if (done % 50 === 0) await tell({saving: done, of: paths.length});
    });
    for (const path of Object.keys(old.files)) {
      if (!(path in manifest.files)) await cache.delete(SCOPE + path);
    }
    await cache.put(SAVED, new Response(JSON.stringify(manifest), {headers: {"Content-Type": "application/json"}}));
    await tell({saved: paths.length, current: manifest.version === VERSION});
  } catch (error) {
    await tell({error: String(error && error.message || error)});
  }
}

async function inParallel(items, work) {
  let next = 0;
  async function worker() {
    while (next < items.length) await work(items[next++]);
  }
  await Promise.all(Array.from({length: Math.min(PARALLEL, items.length)}, worker));
}
