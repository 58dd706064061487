// The app's side of "a 100,000-message chat that stays light", measured in
// headless Chromium against a real server:
// - time to sync 10,000 (then 100,000) messages into IndexedDB, missed while
//   the tab was closed and resumed by cursor when it opens again;
// - time to open a chat and the page's DOM element count, for a chat of 100
//   messages (the baseline) and one of 100,000;
// - DOM elements after scrolling far back into the 100,000;
// - the tab's memory (JS heap + array buffers such as wasm memory) with
//   10,100 messages cached, against 110,100 cached;
// - a new device: time until the 100,000-message chat's newest page is
//   stored, how much it holds, and scrolling back there, page by page from
//   the server.
// Usage: node bench/browser.mjs   (after scripts/build.sh; bench/run.sh runs it)
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { DIST, Server, launch } from '../tests/e2e/harness.mjs';

const BIG = Number(process.env.BENCH_BIG ?? 100_000);
const TEN = 10_000;
const SMALL = 100;

/** What each renderer process descended from this process holds, largest
 * first (the app's tab is the largest): its proportional set size, so the
 * browser's code and libraries, shared by all its processes, count once
 * across them rather than in full in each (as resident size would). */
function rendererPss() {
  const parent = new Map();
  const info = new Map();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      parent.set(pid, status.match(/^PPid:\s+(\d+)/m)?.[1]);
      info.set(pid, {
        pss: Number(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').match(/^Pss:\s+(\d+)/m)?.[1] ?? 0) * 1024,
        renderer: readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer'),
      });
    } catch { /* gone meanwhile */ }
  }
  const ours = (pid) => {
    for (let p = pid; p && p !== '1'; p = parent.get(p)) if (p === String(process.pid)) return true;
    return false;
  };
  const sizes = [];
  for (const [pid, { pss, renderer }] of info) if (renderer && ours(pid)) sizes.push(pss);
  return sizes.sort((a, b) => b - a);
}

const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

/** The first load of a new visitor: each file the sign-in screen needs, its
 * size raw, as served (the server's on-the-fly compression) and as brotli
 * at its highest quality (what a precompressed deploy would send). */
const unhashed = (path) => path.replace(/-[0-9a-f]{12,}/, '').replace(/\/app\/[0-9a-f]+\//, '/');
const PART = /^(split|chunk)_.*\.wasm$/;
const brotli11 = (bytes) => zlib.brotliCompressSync(bytes, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;

async function firstLoad(browser, url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const urls = new Map();
  const files = [];
  cdp.on('Network.responseReceived', (e) => urls.set(e.requestId, e.response.url));
  cdp.on('Network.loadingFinished', (e) => files.push({ url: urls.get(e.requestId), served: e.encodedDataLength }));
  await page.goto(url);
  await page.getByRole('button', { name: 'Create an account' }).waitFor();
  await context.close();
  // A part or chunk is never the first load: the sign-in screen fetches
  // the signed_in part once it has painted, and a fast part can finish
  // before the button is found.
  const first = files.filter((f) => f.url?.startsWith(url) && !PART.test(new URL(f.url).pathname.split('/').pop()));
  return first.map((f) => {
    const path = new URL(f.url).pathname;
    let raw = 0;
    let brotli = 0;
    try {
      const bytes = readFileSync(join(DIST, path === '/' ? 'index.html' : path));
      raw = bytes.length;
      brotli = brotli11(bytes);
    } catch { /* not a file of dist/ (an API call) */ }
    return { path, raw, served: f.served, brotli };
  });
}

const server = await new Server().start();
const browser = await launch('chromium');
const rows = [];
const note = (measure, value, against) => {
  rows.push({ measure, value, against });
  console.log(`${measure}: ${value}${against ? ` (${against})` : ''}`);
};

try {
  const files = await firstLoad(browser, server.url);
  const sum = (key) => files.reduce((n, f) => n + f[key], 0);
  for (const f of files) {
    // Named without the build's content hash, so each run's figure stands beside the last.
    note(`first load: ${unhashed(f.path)}`, `${f.brotli.toLocaleString('en')} bytes brotli`, `${f.raw.toLocaleString('en')} raw, ${f.served.toLocaleString('en')} as served`);
  }
  note('first load: everything the sign-in screen needs', `${sum('brotli').toLocaleString('en')} bytes brotli`,
    `${sum('raw').toLocaleString('en')} raw, ${sum('served').toLocaleString('en')} as served; budget 256,000 brotli`);

  // The parts loaded on first use (scripts/app.sh), which the sign-in
  // screen does not fetch, each with the chunks of code it shares with
  // other parts: the split's loader names, above each chunk, the parts
  // that fetch it.
  for (const dir of readdirSync(join(DIST, 'app'))) {
    const at = (name) => readFileSync(join(DIST, 'app', dir, name));
    const loader = at('__wasm_split.js').toString();
    const chunks = new Map();
    for (const [, parts, n] of loader.matchAll(/\/\* ([a-z_, ]+) \*\/\nconst __chunk_(\d+)/g)) {
      const size = brotli11(at(`chunk_${n}.wasm`));
      for (const part of parts.split(', ')) chunks.set(part, [...(chunks.get(part) ?? []), size]);
    }
    const part = (name) => {
      const own = brotli11(at(`split_${name}.wasm`));
      const shared = chunks.get(name) ?? [];
      return { own, raw: at(`split_${name}.wasm`).length, shared, all: shared.reduce((n, c) => n + c, own) };
    };
    for (const name of readdirSync(join(DIST, 'app', dir)).filter((n) => PART.test(n) && n.startsWith('split_'))) {
      const p = part(name.slice('split_'.length, -'.wasm'.length));
      note(`part loaded on first use: ${name}`, `${p.own.toLocaleString('en')} bytes brotli`,
        `${p.raw.toLocaleString('en')} raw; with the ${p.shared.length} chunks it fetches: ${p.all.toLocaleString('en')} brotli`);
    }
    const signedIn = part('signed_in');
    note('signed in: everything the chat list needs (first load + signed_in part + its chunks)',
      `${(sum('brotli') + signedIn.all).toLocaleString('en')} bytes brotli`, `${signedIn.shared.length + 1} files after the first load`);
  }

  // The seeder talks to the server directly from a bare page (no app).
  const seeder = await browser.newContext();
  await seeder.request.post(`${server.url}/api/signup`, {
    data: { username: 'seeder', password: 'correct horse battery' },
  });
  const group = async (name) =>
    (await (await seeder.request.post(`${server.url}/api/chats/group`, { data: { name } })).json()).chat;
  const [big, ten, small] = [await group('Big'), await group('Ten'), await group('Small')];
  // Messages `from` up to (not including) `to` of `n` into each chat, over
  // one socket of a page closed after, so its memory is not the reader's.
  const seed = async (chats) => {
    const seedPage = await seeder.newPage();
    await seedPage.goto(`${server.url}/api/me`);
    await seedPage.evaluate(async ({ chats }) => {
    const ws = new WebSocket(location.origin.replace('http', 'ws') + '/ws');
    await new Promise((r) => { ws.onopen = r; });
    ws.send(JSON.stringify({ t: 'hello', c: { version: 2, cursors: [] } }));
    let acked = 0;
    let wake = () => {};
    ws.onmessage = (e) => {
      if (e.data.startsWith('{"t":"sent"')) { acked += 1; wake(); }
    };
    let sent = 0;
    for (const { id, from, to, n } of chats) {
      for (let i = from; i < to; i++) {
        while (sent - acked > 2000) await new Promise((r) => { wake = r; });
        const text = `message ${i} of ${n}: the quick brown fox jumps over the lazy dog`;
        ws.send(JSON.stringify({ t: 'send', c: { chat: id, id: `m${id}-${i}`, content: { kind: 'text', text } } }));
        sent += 1;
      }
    }
    while (acked < sent) await new Promise((r) => { wake = r; });
    ws.close();
    }, { chats });
    await seedPage.close();
  };
  const sizes = [[big, BIG], [ten, TEN], [small, SMALL]];
  await seed(sizes.map(([chat, n]) => ({ id: chat.id, from: 0, to: 1, n })));

  const reader = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  // The app's wasm memory, for the memory figures; and when the chat list
  // is first painted, for the cold start.
  await reader.addInitScript(() => {
    addEventListener('courier-started', (e) => { window.__wasmMemory = e.detail.wasm.memory; });
    const painted = () => {
      if (document.querySelector('nav[aria-label=Chats] li button')) window.__listPainted = performance.now();
      else requestAnimationFrame(painted);
    };
    requestAnimationFrame(painted);
  });
  let page = await reader.newPage();
  const online = (p) => p.waitForFunction(() => document.querySelector('[aria-label=Connection]')?.dataset.state === 'online');
  await page.goto(server.url);
  await page.getByRole('button', { name: 'Create an account' }).click();
  await page.getByLabel('Username', { exact: true }).fill('reader');
  await page.getByLabel('Password', { exact: true }).fill('correct horse battery');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await online(page);
  const me = await (await reader.request.get(`${server.url}/api/me`)).json();

  // How much of `chat` the app's IndexedDB in `p` holds: its cursor.
  const cursor = (p, chat) => p.evaluate(async ({ db, chat }) => {
    const open = indexedDB.open(db);
    const database = await new Promise((r, j) => { open.onsuccess = () => r(open.result); open.onerror = j; });
    const get = database.transaction('cursors').objectStore('cursors').get(chat);
    const cursor = await new Promise((r) => { get.onsuccess = () => r(get.result); });
    database.close();
    return { held: cursor?.held ?? 0, floor: cursor?.floor ?? 0 };
  }, { db: `courier-${me.me.id}`, chat });
  const holds = async (p, chat, n) => {
    while ((await cursor(p, chat.id)).held < n) await p.waitForTimeout(50);
  };
  for (const [chat] of sizes) {
    await reader.request.post(`${server.url}/api/invites/${chat.invite}/join`);
    await holds(page, chat, 1);
  }
  // The rest of a chat comes while the tab is closed; reopened, the app
  // resumes by cursor and stores all of it.
  const resume = async (chat, n) => {
    await page.close();
    const started = Date.now();
    await seed([{ id: chat.id, from: 1, to: n, n }]);
    console.log(`seeded ${n - 1} messages in ${Date.now() - started} ms`);
    page = await reader.newPage();
    const t0 = Date.now();
    await page.goto(server.url);
    await holds(page, chat, n);
    return Date.now() - t0;
  };
  // The reader's tab after a garbage collection, by kind: resident memory
  // of each renderer process (the seeder's pages are closed by then), the
  // JS heap, the wasm linear memory and the DOM's nodes.
  const metrics = async () => {
    const cdp = await reader.newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = await cdp.send('Runtime.getHeapUsage');
    const dom = await cdp.send('Memory.getDOMCounters');
    await cdp.detach();
    const wasm = await page.evaluate(() => window.__wasmMemory?.buffer.byteLength ?? 0);
    const renderers = rendererPss();
    return { pss: renderers[0] ?? 0, renderers, heap: heap.usedSize, wasm, nodes: dom.nodes, listeners: dom.jsEventListeners };
  };
  const split = (m) => `JS heap ${mb(m.heap)}, wasm memory ${mb(m.wasm)}, ${m.nodes} DOM nodes, ${m.listeners} listeners; `
    + `renderers ${m.renderers.map(mb).join(' + ')}`;
  const domCount = (p = page) => p.evaluate(() => document.getElementsByTagName('*').length);
  const open = async (title, last, p = page) => {
    await p.getByRole('navigation', { name: 'Chats' }).getByRole('button', { name: new RegExp(`^${title}`) }).click();
    const t0 = Date.now();
    await p.getByRole('list', { name: 'Messages' }).getByText(last, { exact: false }).waitFor();
    return Date.now() - t0;
  };

  const smallSync = await resume(small, SMALL);
  const tenSync = await resume(ten, TEN);
  note('sync 10,000 missed messages into IndexedDB (tab reopened)', `${tenSync} ms`, `${Math.round(TEN / (tenSync / 1000))} messages/s; 100 messages: ${smallSync} ms`);
  const memTen = await metrics();
  const bigSync = await resume(big, BIG);
  await seeder.close();
  note(`sync ${BIG.toLocaleString('en')} missed messages into IndexedDB (tab reopened)`, `${bigSync} ms`, `${Math.round(BIG / (bigSync / 1000))} messages/s`);
  const memBig = await metrics();
  note(`tab memory (its renderer's PSS), ${(BIG + TEN + SMALL).toLocaleString('en')} messages cached`, mb(memBig.pss),
    `${(TEN + SMALL).toLocaleString('en')} cached: ${mb(memTen.pss)}, ${(memBig.pss / memTen.pss).toFixed(2)}×`);
  note(`tab memory by kind, ${(BIG + TEN + SMALL).toLocaleString('en')} cached`, split(memBig), `${(TEN + SMALL).toLocaleString('en')} cached: ${split(memTen)}`);

  // Cold start: a reload until the chat list is painted from IndexedDB
  // (median of 5), before the socket has said anything.
  const starts = [];
  for (let i = 0; i < 5; i++) {
    await page.reload();
    await page.waitForFunction(() => window.__listPainted !== undefined);
    starts.push(Math.round(await page.evaluate(() => window.__listPainted)));
  }
  note('cold start: reload to a painted chat list (median of 5)', `${median(starts)} ms`, `all: ${starts.join(', ')} ms`);

  // One open is noisy (a garbage collection, a first read of the store):
  // five of each, alternating so each remounts the chat, and their median.
  const [smallOpens, bigOpens] = [[], []];
  let smallDom, bigDom;
  for (let i = 0; i < 5; i++) {
    smallOpens.push(await open('Small', `message ${SMALL - 1} of ${SMALL}`));
    smallDom = await domCount();
    bigOpens.push(await open('Big', `message ${BIG - 1} of ${BIG}`));
    bigDom = await domCount();
  }
  const [smallOpen, bigOpen] = [median(smallOpens), median(bigOpens)];
  note(`open a ${BIG.toLocaleString('en')}-message chat (median of 5)`, `${bigOpen} ms`,
    `100 messages: ${smallOpen} ms, ${(bigOpen / Math.max(smallOpen, 1)).toFixed(2)}×; first opens ${bigOpens[0]} and ${smallOpens[0]} ms`);
  note(`DOM elements, ${BIG.toLocaleString('en')}-message chat open`, `${bigDom}`, `100 messages: ${smallDom}, ${(bigDom / smallDom).toFixed(2)}×`);
  const memOpen = await metrics();
  note(`tab memory with the ${BIG.toLocaleString('en')}-message chat open`, mb(memOpen.pss), split(memOpen));

  // Scroll back through history: each step to the top loads older messages.
  const list = page.getByRole('list', { name: 'Messages' });
  let maxDom = bigDom;
  const t0 = Date.now();
  for (let i = 0; i < 30; i++) {
    await list.evaluate((ul) => { ul.scrollTop = 0; ul.dispatchEvent(new Event('scroll')); });
    await page.waitForTimeout(100);
    maxDom = Math.max(maxDom, await domCount());
  }
  const oldest = await list.locator('li .text').first().textContent();
  note('scrolling back 30 times: most DOM elements', `${maxDom}`, `${Date.now() - t0} ms; reached "${oldest?.slice(0, 24)}"`);

  // A new device of the reader's: each chat's newest page, then older
  // pages from the server as it scrolls back.
  const laptop = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  await laptop.request.post(`${server.url}/api/signin`, { data: { username: 'reader', password: 'correct horse battery' } });
  const fresh = await laptop.newPage();
  const t1 = Date.now();
  await fresh.goto(server.url);
  // Only once the app has made its database: reading first would make an
  // empty one.
  await online(fresh);
  await holds(fresh, big, BIG);
  const newDevice = Date.now() - t1;
  const taken = await cursor(fresh, big.id);
  note(`new device: ${BIG.toLocaleString('en')}-message chat ready`, `${newDevice} ms`,
    `holds ${taken.held - taken.floor} of its messages; the tab reopened above took ${bigSync} ms for all`);
  const freshOpen = await open('Big', `message ${BIG - 1} of ${BIG}`, fresh);
  note(`new device: open the ${BIG.toLocaleString('en')}-message chat`, `${freshOpen} ms`);
  const freshList = fresh.getByRole('list', { name: 'Messages' });
  let freshDom = await domCount(fresh);
  const t2 = Date.now();
  for (let i = 0; i < 30; i++) {
    await freshList.evaluate((ul) => { ul.scrollTop = 0; ul.dispatchEvent(new Event('scroll')); });
    await fresh.waitForTimeout(100);
    freshDom = Math.max(freshDom, await domCount(fresh));
  }
  const reached = await freshList.locator('li .text').first().textContent();
  const after = await cursor(fresh, big.id);
  note('new device: scrolling back 30 times, older pages from the server', `${freshDom} DOM elements at most`,
    `${Date.now() - t2} ms; reached "${reached?.slice(0, 24)}"; holds ${after.held - after.floor}`);

  // Each figure beside the one the previous run wrote.
  const out = new URL('./BROWSER.md', import.meta.url);
  const previous = new Map();
  try {
    for (const line of readFileSync(out, 'utf8').split('\n').slice(4)) {
      const [, measure, value] = line.split(' | ').length > 2 ? [null, ...line.slice(2).split(' | ')] : [];
      if (measure) previous.set(measure, value);
    }
  } catch { /* the first run */ }
  const md = ['# Browser figures (`node bench/browser.mjs`, headless Chromium)', '',
    '| measure | value | previous run | against |', '|---|---|---|---|',
    ...rows.map((r) => `| ${r.measure} | ${r.value} | ${previous.get(r.measure) ?? ''} | ${r.against ?? ''} |`), ''].join('\n');
  writeFileSync(out, md);
} finally {
  await browser.close();
  await server.dispose();
}
