// The door page's service worker: keeps the page and its assets so that the scanner
// opens and works without the network. The offline pack and the queued scans are not
// here: the page keeps them in IndexedDB itself; API calls pass through untouched.
//
// services/checkin/offline/door.py writes the build (a version hashed from every asset,
// and the asset URLs) over the literal below. Assets are served from this version's cache only,
// so a page is always one consistent snapshot; a changed file means a new worker, which
// caches the new set, takes over, and tells the page (which reloads when idle).

const BUILD = {"version": "dev", "assets": ["/door"]};
const PREFIX = "cnk-door-";
const CACHE = PREFIX + BUILD.version;
const PAGE = "/door";
const ASSETS = new Set(BUILD.assets);

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // "no-cache": revalidated with the server (ETags), never an older HTTP-cached copy.
      await cache.addAll(BUILD.assets.map((url) => new Request(url, { cache: "no-cache" })));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

// The cached URL a request stands for, or null for what this worker leaves alone.
function assetOf(request) {
  if (request.method !== "GET") return null;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return null;
  // The page answers at /door whatever follows (#token=... never reaches here anyway).
  if (request.mode === "navigate" && url.pathname === PAGE) return PAGE;
  return ASSETS.has(url.pathname) && !url.search ? url.pathname : null;
}

async function respond(request, asset) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(asset);
  if (cached) return cached;
  // Evicted or not cached yet: the network, kept for next time.
  const response = await fetch(request);
  if (response.ok && response.type === "basic") await cache.put(asset, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  const asset = assetOf(event.request);
  if (asset) event.respondWith(respond(event.request, asset));
});
