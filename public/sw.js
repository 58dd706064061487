// Courier's service worker: keeps the app shell so the app starts with the
// server down, and recent media so they show offline. The shell's file names
// carry content hashes (Trunk, scripts/app.sh), so they are read from the
// served index.html instead of being listed here; so are the parts of the
// app loaded on first use (<meta name="courier-parts">, scripts/app.sh),
// kept here so that one first used offline still loads.
const CACHE = "courier-shell-v1";
// The app deletes it on signing out (store::remove_database).
const MEDIA = "courier-media-v1";
// What the media kept may take, and the largest file kept: past it the least
// recently used go.
const MEDIA_BYTES_MAX = 200 * 1024 * 1024;
const MEDIA_FILE_MAX = 20 * 1024 * 1024;
// Each kept file's size and when it was last shown, as JSON.
const MEDIA_INDEX = "/__media-index";

async function precache() {
  const cache = await caches.open(CACHE);
  const res = await fetch("/index.html", { cache: "no-store" });
  if (!res.ok) throw new Error(`index.html: ${res.status}`);
  const html = await res.clone().text();
  // The languages the app fetches when chosen (src/i18n.rs), so that one
  // first chosen offline, or before this worker ran, still shows.
  const languages = ["ru", "fr", "ar", "pt"].map((tag) => `/locales/${tag}.ftl`);
  const assets = new Set(["/", "/manifest.webmanifest", "/icons/icon-192.png", "/icons/icon-512.png", ...languages]);
  const linked = [...html.matchAll(/(?:href|src)=["']([^"']+)["']/g)].map(([, url]) => url);
  const parts = html.match(/<meta name="courier-parts" content="([^"]*)"/)?.[1].split(" ") ?? [];
  for (const url of [...linked, ...parts].filter(Boolean)) {
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
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE && k !== MEDIA).map((k) => caches.delete(k))))
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

// The app's code under /app/<content hash>/ never changes at its path (a
// new build is a new path): the kept copy answers at once, and only a file
// not kept yet goes to the network. A signed-in start fetches a score of
// parts, each a round trip to the server if asked there first.
async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request);
  if (hit) return hit;
  const res = await fetch(request);
  if (res.ok && res.type === "basic") await cache.put(request, res.clone());
  return res;
}

// The media index is read and written by one job at a time.
let mediaJobs = Promise.resolve();
function serially(job) {
  const run = mediaJobs.then(job);
  mediaJobs = run.catch(() => {});
  return run;
}

async function mediaIndex(cache) {
  const kept = await cache.match(MEDIA_INDEX);
  return kept ? kept.json() : {};
}

function saveIndex(cache, index) {
  return cache.put(MEDIA_INDEX, new Response(JSON.stringify(index), { headers: { "content-type": "application/json" } }));
}

// Keeps a file just fetched (unless it is the copy kept already), then lets
// the least recently used go until all fit.
function keepMedia(url, res) {
  return serially(async () => {
    const cache = await caches.open(MEDIA);
    const index = await mediaIndex(cache);
    const held = await cache.match(url);
    if (!held || held.headers.get("etag") !== res.headers.get("etag")) {
      const body = await res.blob();
      await cache.put(url, new Response(body, { headers: res.headers }));
      index[url] = { size: body.size };
    }
    if (!index[url]) return;
    index[url].used = Date.now();
    let total = Object.values(index).reduce((sum, e) => sum + e.size, 0);
    const oldest = Object.entries(index).sort(([, a], [, b]) => a.used - b.used);
    for (const [gone, entry] of oldest) {
      if (total <= MEDIA_BYTES_MAX) break;
      if (gone === url) continue;
      await cache.delete(gone);
      total -= entry.size;
      delete index[gone];
    }
    await saveIndex(cache, index);
  });
}

function touchMedia(url) {
  return serially(async () => {
    const cache = await caches.open(MEDIA);
    const index = await mediaIndex(cache);
    if (index[url]) {
      index[url].used = Date.now();
      await saveIndex(cache, index);
    }
  });
}

function dropMedia(url) {
  return serially(async () => {
    const cache = await caches.open(MEDIA);
    const index = await mediaIndex(cache);
    await cache.delete(url);
    delete index[url];
    await saveIndex(cache, index);
  });
}

// Whether a response is small enough to keep, told before reading it.
function keepable(res) {
  const length = Number(res.headers.get("content-length"));
  return length > 0 && length <= MEDIA_FILE_MAX;
}

// A file: from the server, which decides each time who may read it (a file
// deleted, or a reader removed from its chat, is refused and its copy
// goes); the copy answers only when the server cannot. Whole files only:
// a range request (a video seeking) is not kept.
async function media(event) {
  const { request } = event;
  try {
    const res = await fetch(request);
    if (res.status === 404 || res.status === 410) event.waitUntil(dropMedia(request.url));
    else if (res.status === 200 && !request.headers.has("range") && keepable(res)) event.waitUntil(keepMedia(request.url, res.clone()));
    return res;
  } catch (err) {
    const hit = await (await caches.open(MEDIA)).match(request.url);
    if (!hit) throw err;
    event.waitUntil(touchMedia(request.url));
    return hit;
  }
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/media/")) {
    event.respondWith(media(event));
    return;
  }
  if (url.pathname.startsWith("/api/") || url.pathname === "/ws") return;
  if (request.mode === "navigate") {
    // Every route (/, /join/<code>) is the same page: the app routes itself.
    event.respondWith(networkFirst(request, "/index.html"));
  } else if (url.pathname.startsWith("/app/")) {
    event.respondWith(cacheFirst(request));
  } else {
    event.respondWith(networkFirst(request));
  }
});
