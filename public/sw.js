// Courier's service worker: keeps the app shell so the app starts with the
// server down. The shell's file names carry content hashes (Trunk), so they
// are read from the served index.html instead of being listed here.
const CACHE = "courier-shell-v1";

async function precache() {
  const cache = await caches.open(CACHE);
  const res = await fetch("/index.html", { cache: "no-store" });
  if (!res.ok) throw new Error(`index.html: ${res.status}`);
  const html = await res.clone().text();
  const assets = new Set(["/", "/manifest.webmanifest", "/icons/icon-192.png", "/icons/icon-512.png"]);
  for (const [, url] of html.matchAll(/(?:href|src)=["']([^"']+)["']/g)) {
    const u = new URL(url, self.location.origin);
    if (u.origin === self.location.origin) assets.add(u.pathname);
  }
  await cache.put("/index.html", res);
  await cache.addAll([...assets]);
}

self.addEventListener("install", (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// Network first, so a deploy shows up on the next load; the cache answers
// only when the network does not.
async function networkFirst(request, fallback) {
  const cache = await caches.open(CACHE);
  try {
    const res = await fetch(request);
    if (res.ok && res.type === "basic") await cache.put(fallback ?? request, res.clone());
    return res;
  } catch (err) {
    const hit = await cache.match(fallback ?? request, { ignoreSearch: fallback !== undefined });
    if (hit) return hit;
    throw err;
  }
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname === "/ws") return;
  if (request.mode === "navigate") {
    // Every route (/, /join/<code>) is the same page: the app routes itself.
    event.respondWith(networkFirst(request, "/index.html"));
  } else {
    event.respondWith(networkFirst(request));
  }
});
