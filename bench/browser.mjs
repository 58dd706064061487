// The app's side of "a 100,000-message chat that stays light", measured in
// headless Chromium against a real server:
// - time to sync 10,000 (then 100,000) messages into IndexedDB after joining;
// - time to open a chat and the page's DOM element count, for a chat of 100
//   messages (the baseline) and one of 100,000;
// - DOM elements after scrolling far back into the 100,000;
// - the tab's memory (JS heap + array buffers such as wasm memory) with
//   10,100 messages cached, against 110,100 cached.
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
  const seedPage = await seeder.newPage();
  await seedPage.goto(`${server.url}/api/me`);
  const started = Date.now();
  await seedPage.evaluate(async ({ chats }) => {
    const ws = new WebSocket(location.origin.replace('http', 'ws') + '/ws');
    await new Promise((r) => { ws.onopen = r; });
    ws.send(JSON.stringify({ t: 'hello', c: { version: 1, cursors: [] } }));
    let acked = 0;
    let wake = () => {};
    ws.onmessage = (e) => {
      if (e.data.startsWith('{"t":"sent"')) { acked += 1; wake(); }
    };
    let sent = 0;
    for (const { id, n } of chats) {
      for (let i = 0; i < n; i++) {
        while (sent - acked > 2000) await new Promise((r) => { wake = r; });
        const text = `message ${i} of ${n}: the quick brown fox jumps over the lazy dog`;
        ws.send(JSON.stringify({ t: 'send', c: { chat: id, id: `m${id}-${i}`, text } }));
        sent += 1;
      }
    }
    while (acked < sent) await new Promise((r) => { wake = r; });
    ws.close();
  }, { chats: [{ id: big.id, n: BIG }, { id: ten.id, n: TEN }, { id: small.id, n: SMALL }] });
  console.log(`seeded ${BIG + TEN + SMALL} messages in ${Date.now() - started} ms`);

  const reader = await browser.newContext({ viewport: { width: 1200, height: 800 } });
  const page = await reader.newPage();
  await page.goto(server.url);
  await page.getByRole('button', { name: 'Create an account' }).click();
  await page.getByLabel('Username', { exact: true }).fill('reader');
  await page.getByLabel('Password', { exact: true }).fill('correct horse battery');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.waitForFunction(() => document.querySelector('[aria-label=Connection]')?.dataset.state === 'online');
  const me = await (await reader.request.get(`${server.url}/api/me`)).json();

  // How much of `chat` the app's IndexedDB holds (its cursor), read in the page.
  const held = (chat) => page.evaluate(async ({ db, chat }) => {
    const open = indexedDB.open(db);
    const database = await new Promise((r, j) => { open.onsuccess = () => r(open.result); open.onerror = j; });
    const get = database.transaction('cursors').objectStore('cursors').get(chat);
    const cursor = await new Promise((r) => { get.onsuccess = () => r(get.result); });
    database.close();
    return cursor?.held ?? 0;
  }, { db: `courier-${me.me.id}`, chat });
  const join = async (chat, n) => {
    const t0 = Date.now();
    await reader.request.post(`${server.url}/api/invites/${chat.invite}/join`);
    while ((await held(chat.id)) < n) await page.waitForTimeout(50);
    return Date.now() - t0;
  };
  // Resident memory of this browser's renderer processes (the reader's tab;
  // the seeder's page is closed by then), after a garbage collection: it
  // counts the wasm heap, which the JS heap figures do not.
  const metrics = async () => {
    const cdp = await reader.newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.detach();
    return rendererRss();
  };
  const domCount = () => page.evaluate(() => document.getElementsByTagName('*').length);
  const open = async (title, last) => {
    await page.getByRole('navigation', { name: 'Chats' }).getByRole('button', { name: new RegExp(`^${title}`) }).click();
    const t0 = Date.now();
    await page.getByRole('list', { name: 'Messages' }).getByText(last, { exact: false }).waitFor();
    return Date.now() - t0;
  };

  await seeder.close();
  const smallSync = await join(small, SMALL);
  const tenSync = await join(ten, TEN);
  note('sync 10,000 messages into IndexedDB', `${tenSync} ms`, `${Math.round(TEN / (tenSync / 1000))} messages/s; 100 messages: ${smallSync} ms`);
  const memTen = await metrics();
  const bigSync = await join(big, BIG);
  note(`sync ${BIG.toLocaleString('en')} messages into IndexedDB`, `${bigSync} ms`, `${Math.round(BIG / (bigSync / 1000))} messages/s`);
  const memBig = await metrics();
  note(`tab memory, ${(BIG + TEN + SMALL).toLocaleString('en')} messages cached`, `${(memBig / 1e6).toFixed(1)} MB`,
    `${(TEN + SMALL).toLocaleString('en')} cached: ${(memTen / 1e6).toFixed(1)} MB, ${(memBig / memTen).toFixed(2)}×`);

  const smallOpen = await open('Small', `message ${SMALL - 1} of ${SMALL}`);
  const smallDom = await domCount();
  const bigOpen = await open('Big', `message ${BIG - 1} of ${BIG}`);
  const bigDom = await domCount();
  note(`open a ${BIG.toLocaleString('en')}-message chat`, `${bigOpen} ms`, `100 messages: ${smallOpen} ms, ${(bigOpen / Math.max(smallOpen, 1)).toFixed(2)}×`);
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

  const md = ['# Browser figures (`node bench/browser.mjs`, headless Chromium)', '',
    '| measure | value | against |', '|---|---|---|',
    ...rows.map((r) => `| ${r.measure} | ${r.value} | ${r.against ?? ''} |`), ''].join('\n');
  writeFileSync(new URL('./BROWSER.md', import.meta.url), md);
} finally {
  await browser.close();
  await server.dispose();
}
