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
import { Server, launch } from '../tests/e2e/harness.mjs';

const BIG = Number(process.env.BENCH_BIG ?? 100_000);
const TEN = 10_000;
const SMALL = 100;

/** Bytes resident in the renderer processes descended from this process. */
function rendererRss() {
  const parent = new Map();
  const info = new Map();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      parent.set(pid, status.match(/^PPid:\s+(\d+)/m)?.[1]);
      info.set(pid, {
        rss: Number(status.match(/^VmRSS:\s+(\d+)/m)?.[1] ?? 0) * 1024,
        renderer: readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer'),
      });
    } catch { /* gone meanwhile */ }
  }
  const ours = (pid) => {
    for (let p = pid; p && p !== '1'; p = parent.get(p)) if (p === String(process.pid)) return true;
    return false;
  };
  let total = 0;
  for (const [pid, { rss, renderer }] of info) if (renderer && ours(pid)) total += rss;
  return total;
}

const server = await new Server().start();
const browser = await launch('chromium');
const rows = [];
const note = (measure, value, against) => {
  rows.push({ measure, value, against });
  console.log(`${measure}: ${value}${against ? ` (${against})` : ''}`);
};

try {
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
  // Resident memory of this browser's renderer processes (the reader's tab;
  // the seeder's pages are closed by then), after a garbage collection: it
  // counts the wasm heap, which the JS heap figures do not.
  const metrics = async () => {
    const cdp = await reader.newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.detach();
    return rendererRss();
  };
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
  note(`tab memory, ${(BIG + TEN + SMALL).toLocaleString('en')} messages cached`, `${(memBig / 1e6).toFixed(1)} MB`,
    `${(TEN + SMALL).toLocaleString('en')} cached: ${(memTen / 1e6).toFixed(1)} MB, ${(memBig / memTen).toFixed(2)}×`);

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
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const [smallOpen, bigOpen] = [median(smallOpens), median(bigOpens)];
  note(`open a ${BIG.toLocaleString('en')}-message chat (median of 5)`, `${bigOpen} ms`,
    `100 messages: ${smallOpen} ms, ${(bigOpen / Math.max(smallOpen, 1)).toFixed(2)}×; first opens ${bigOpens[0]} and ${smallOpens[0]} ms`);
  note(`DOM elements, ${BIG.toLocaleString('en')}-message chat open`, `${bigDom}`, `100 messages: ${smallDom}, ${(bigDom / smallDom).toFixed(2)}×`);
  const memOpen = await metrics();
  note(`tab memory with the ${BIG.toLocaleString('en')}-message chat open`, `${(memOpen / 1e6).toFixed(1)} MB`);

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

  const md = ['# Browser figures (`node bench/browser.mjs`, headless Chromium)', '',
    '| measure | value | against |', '|---|---|---|',
    ...rows.map((r) => `| ${r.measure} | ${r.value} | ${r.against ?? ''} |`), ''].join('\n');
  writeFileSync(new URL('./BROWSER.md', import.meta.url), md);
} finally {
  await browser.close();
  await server.dispose();
}
