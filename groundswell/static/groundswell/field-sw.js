// The field pages' service worker: answers from the network when it can, else from the cache the
// canvassing page filled (its own page and files). Results never pass through here: they wait in
// IndexedDB and the page sends them when the connection returns.
"use strict";

const SHELL_CACHE = "field-shell-v1";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", function (event) {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) { return; }
  if (request.url.indexOf("/data.json") !== -1) { return; }  // voter data: the page keeps its own copy
  event.respondWith(
    fetch(request).catch(function () {
      return caches.open(SHELL_CACHE).then(function (cache) {
        return cache.match(request, { ignoreVary: true }).then(function (hit) { return hit || Response.error(); });
      });
    })
  );
});
