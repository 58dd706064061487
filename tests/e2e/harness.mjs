// End-to-end helpers: a real courier-server on a real port, real browsers
// (Debian's Chromium and Firefox ESR through playwright-core), and a small
// language of acts and checks on what a person sees.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import { chromium, firefox } from 'playwright-core';
import { expect } from './expect.mjs';

const root = new URL('../..', import.meta.url).pathname;
export const SERVER_BIN = process.env.COURIER_SERVER_BIN ?? join(root, 'target/server/courier-server');
export const DIST = process.env.COURIER_DIST ?? join(root, 'dist');

const ASKED = (process.env.E2E_BROWSERS ?? 'chromium,firefox,webkit').split(',').filter(Boolean);
/** Browsers Playwright drives, to run every test in: E2E_BROWSERS=chromium,firefox,webkit
 * (the default) or any of them. */
export const BROWSERS = ASKED.filter((b) => b !== 'webkit');
/** Whether the WebKit subset runs (tests/e2e/webkit.test.mjs: WebDriver, not Playwright). */
export const WEBKIT = ASKED.includes('webkit');

/** Runs `body` once per browser, in a `describe` with its own browser and
 * server (started with `serverArgs`, after `prepare(server)` if given);
 * `body` gets `person(opts)`, which opens a person closed after, and an
 * object whose `server` is that server once started. */
export function eachBrowser(body, { serverArgs = [], prepare } = {}) {
  for (const browserName of BROWSERS) {
    describe(browserName, () => {
      let browser;
      let server;
      const people = [];
      before(async () => {
        browser = await launch(browserName);
        server = new Server({ args: serverArgs });
        await prepare?.(server);
        await server.start();
      });
      after(async () => {
        for (const p of people) await p.close().catch(() => {});
        await browser?.close();
        await server?.dispose();
      });
      body(async (opts) => {
        const p = await Person.open(browser, server, opts);
        people.push(p);
        return p;
      }, { get server() { return server; } });
    });
  }
}

export async function launch(name) {
  if (name === 'chromium') {
    return chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        // A fake camera and microphone, allowed without asking.
        // The fake screen: getDisplayMedia shares a 1280×720 "monitor".
        '--use-fake-device-for-media-stream=display-media-type=monitor', '--use-fake-ui-for-media-stream',
        '--autoplay-policy=no-user-gesture-required'],
    });
  }
  if (name === 'firefox') {
    return firefox.launch({
      channel: 'moz-firefox',
      executablePath: '/usr/bin/firefox-esr',
      firefoxUserPrefs: {
        'media.navigator.streams.fake': true,
        'media.navigator.permission.disabled': true,
        'media.autoplay.default': 0,
        // TURN and ICE over loopback (the tests' coturn listens there).
        'media.peerconnection.ice.loopback': true,
      },
    });
  }
  throw new Error(`unknown browser ${name}`);
}

/** A courier-server with its own data directory; stop() and start() keep
 * both. `args` are more flags (a cluster node's database and bus). */
export class Server {
  constructor({ args = [] } = {}) {
    this.data = mkdtempSync(join(tmpdir(), 'courier-e2e-'));
    this.port = 0;
    this.proc = null;
    this.args = args;
  }

  async start() {
    // Every test user comes from 127.0.0.1, and some tests fill a chat
    // with hundreds of messages at once: the limits on new users and on
    // sends are the server tests' to check (server/tests/abuse.rs).
    const limits = { '--new-users-per-hour': '0', '--sends-per-second': '100000' };
    const flags = ['--listen', `127.0.0.1:${this.port}`, '--data', this.data, '--static-dir', DIST,
      ...Object.entries(limits).filter(([flag]) => !this.args.includes(flag)).flat()];
    const proc = spawn(SERVER_BIN, [...flags, ...this.args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn' },
    });
    this.proc = proc;
    proc.stderr.on('data', (d) => { if (process.env.E2E_SERVER_LOG) process.stderr.write(d); });
    const url = await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 15000);
      proc.stdout.on('data', (d) => {
        out += d;
        const m = out.match(/running at (http:\/\/[^\s/]+)/);
        if (m) { clearTimeout(timer); resolve(m[1]); }
      });
      proc.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
    });
    this.url = url;
    this.port = Number(new URL(url).port);
    return this;
  }

  /** SIGKILL: the harshest way down. */
  async stop() {
    if (!this.proc) return;
    const proc = this.proc;
    this.proc = null;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
  }

  async dispose() {
    await this.stop();
    rmSync(this.data, { recursive: true, force: true });
  }
}

/**
 * Debian's coturn on a free port, sharing a secret with Courier (TURN's
 * REST credentials): calls relayed through it, on loopback.
 */
export class Turn {
  constructor() {
    this.secret = randomBytes(16).toString('hex');
    this.dir = mkdtempSync(join(tmpdir(), 'courier-turn-'));
  }

  async start() {
    this.port = await freePort();
    const relayPorts = 40000 + (this.port % 20000);
    this.proc = spawn('turnserver', ['-n', '--no-cli', '--no-tls', '--no-dtls',
      '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${this.port}`,
      '--use-auth-secret', `--static-auth-secret=${this.secret}`, '--realm=courier.test',
      // Both browsers are on this machine: their relayed peers are loopback.
      '--allow-loopback-peers', `--min-port=${relayPorts}`, `--max-port=${relayPorts + 200}`,
      '--log-file=stdout', `--pidfile=${join(this.dir, 'turn.pid')}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`turnserver did not start: ${out}`)), 10000);
      this.proc.stdout.on('data', (d) => {
        out += d;
        if (process.env.E2E_TURN_LOG) process.stderr.write(d);
        if (/Total General servers/.test(out)) { clearTimeout(timer); resolve(); }
      });
      this.proc.on('exit', (code) => reject(new Error(`turnserver exited ${code}: ${out}`)));
    });
    return this;
  }

  /** The server's flags for calls relayed through this TURN server only. */
  serverArgs() {
    return ['--turn-url', `turn:127.0.0.1:${this.port}?transport=udp`, '--turn-secret', this.secret, '--turn-relay-only'];
  }

  async dispose() {
    this.proc?.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const POSTGRES = process.env.E2E_POSTGRES ?? 'postgres://root@127.0.0.1:5432';
const NATS = process.env.E2E_NATS ?? 'nats://127.0.0.1:4222';

function psql(database, sql) {
  execFileSync('psql', ['-q', '-v', 'ON_ERROR_STOP=1', '-d', `${POSTGRES}/${database}`, '-c', sql]);
}

export async function freePort() {
  const probe = createServer();
  await new Promise((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address();
  await new Promise((r) => probe.close(r));
  return port;
}

/** `n` courier-server nodes on a fresh PostgreSQL database and NATS,
 * behind nginx (WebSocket-aware) at `url`, as scripts/cluster.sh runs them. */
export class Cluster {
  constructor(n = 3) {
    this.database = `courier_e2e_${process.pid}_${Date.now()}`;
    this.nodes = Array.from({ length: n }, () => new Server({
      args: ['--postgres', `${POSTGRES}/${this.database}`, '--nats', NATS, '--nats-subject', `courier.e2e.${this.database}`],
    }));
    this.dir = mkdtempSync(join(tmpdir(), 'courier-nginx-'));
  }

  async start() {
    psql('postgres', `CREATE DATABASE ${this.database}`);
    for (const node of this.nodes) await node.start();
    const port = await freePort();
    const upstreams = this.nodes.map((n) => `server 127.0.0.1:${n.port};`).join(' ');
    writeFileSync(join(this.dir, 'nginx.conf'), `
worker_processes 1;
error_log ${this.dir}/error.log;
pid ${this.dir}/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  upstream courier { ${upstreams} }
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://courier;
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_read_timeout 120s;
      proxy_next_upstream error timeout;
    }
  }
}`);
    execFileSync('nginx', ['-p', this.dir, '-c', 'nginx.conf']);
    this.url = `http://127.0.0.1:${port}`;
    return this;
  }

  /** Open WebSockets each node holds (nginx keeps no idle upstream connections). */
  sockets() {
    return this.nodes.map((n) => (n.proc
      ? execFileSync('ss', ['-Htn', 'state', 'established', `( sport = :${n.port} )`]).toString().split('\n').filter(Boolean).length
      : 0));
  }

  async dispose() {
    try { execFileSync('nginx', ['-p', this.dir, '-c', 'nginx.conf', '-s', 'stop'], { stdio: 'ignore' }); } catch { /* not running */ }
    for (const node of this.nodes) await node.dispose();
    psql('postgres', `DROP DATABASE IF EXISTS ${this.database} WITH (FORCE)`);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

let counter = 0;
/** A username no other test uses. */
export function uniqueName(prefix) {
  counter += 1;
  return `${prefix}${process.pid % 10000}${counter}`.toLowerCase();
}

/** Every record of one store of the page's account's IndexedDB database;
 * of `messages`, every message, out of the blocks it keeps them in. */
export function stored(page, name) {
  return page.evaluate(async (name) => {
    const { me } = await (await fetch('/api/me')).json();
    const db = await new Promise((resolve, reject) => {
      const open = indexedDB.open(`courier-${me.id}`);
      open.onsuccess = () => resolve(open.result);
      open.onerror = reject;
    });
    const all = await new Promise((resolve) => {
      const q = db.transaction(name).objectStore(name).getAll();
      q.onsuccess = () => resolve(q.result);
    });
    db.close();
    return name === 'messages' ? all.flat() : all;
  }, name);
}

/** One person: a browser context (own cookies, own IndexedDB) and a page. */
export class Person {
  /** `locale` (e.g. 'ar') is the browser's language, as navigator.languages says. */
  static async open(browser, server, { viewport, locale } = {}) {
    const context = await browser.newContext({ viewport: viewport ?? { width: 1200, height: 800 }, ...(locale && { locale }) });
    // Anything the Content Security Policy blocks is an error (below).
    await context.addInitScript(() => document.addEventListener('securitypolicyviolation',
      (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`)));
    const page = await context.newPage();
    const person = new Person(context, page, server);
    page.on('dialog', (d) => { person.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
    page.on('pageerror', (e) => person.errors.push(String(e)));
    // A Rust panic's message (console_error_panic_hook), which the
    // pageerror that follows it ('unreachable') does not carry.
    page.on('console', (m) => { if (m.type() === 'error' && m.text().includes('panicked')) person.errors.push(m.text()); });
    page.on('console', (m) => { if (m.text().includes('CSP violation')) person.errors.push(m.text()); });
    return person;
  }

  constructor(context, page, server) {
    this.context = context;
    this.page = page;
    this.server = server;
    this.dialogs = [];
    this.errors = [];
  }

  async goto(path = '/') {
    await this.page.goto(this.server.url + path);
  }

  async signUp(username) {
    await this.goto('/');
    await this.signUpHere(username);
  }

  /** Fills in the sign-up form on screen: the first account, or one more. */
  async signUpHere(username) {
    this.username = username;
    const page = this.page;
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Username', { exact: true }).fill(username);
    await page.getByLabel('Password', { exact: true }).fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await this.waitOnline();
  }

  /** The sign-up form in Arabic (the page's language is 'ar'), from the sign-in screen. */
  async signUpInArabic(username, name) {
    this.username = username;
    const page = this.page;
    await page.getByRole('button', { name: 'إنشاء حساب جديد', exact: true }).click();
    await page.getByLabel('اسم المستخدم', { exact: true }).fill(username);
    await page.getByLabel('كلمة المرور', { exact: true }).fill('correct horse battery');
    await page.getByLabel('الاسم الظاهر', { exact: true }).fill(name);
    await page.getByRole('button', { name: 'إنشاء الحساب', exact: true }).click();
    await page.locator('.conn[data-state="online"]').waitFor();
  }

  /** Signs in to an account made elsewhere (another device of the person). */
  async signIn(username) {
    this.username = username;
    await this.goto('/');
    await this.page.getByLabel('Username', { exact: true }).fill(username);
    await this.page.getByLabel('Password', { exact: true }).fill('correct horse battery');
    await this.page.getByRole('button', { name: 'Sign in' }).click();
    await this.waitOnline();
  }

  async waitOnline() {
    await expect(() => this.page.getByRole('status', { name: 'Connection' }).getAttribute('data-state'), 'online');
  }

  /** On a phone-sized screen the chat list is behind the chat: go back to it. */
  async showList() {
    const back = this.page.getByRole('button', { name: 'Back' });
    if (await back.isVisible()) await back.click();
  }

  /** "New chat" → "New private chat": finds the person by username and opens the chat. */
  async startDirect(username) {
    await this.showList();
    await this.page.getByRole('button', { name: 'New chat' }).click();
    await this.page.getByRole('menuitem', { name: 'New private chat' }).click();
    const dialog = this.page.getByRole('dialog', { name: 'New private chat' });
    await dialog.getByRole('searchbox').fill(username);
    await dialog.getByRole('button', { name: new RegExp(`@${username}$`) }).click();
    await this.waitChatOpen(username);
  }

  /** "New chat" → "New group": its name, then (optionally) people by username. */
  async createGroup(name, members = []) {
    await this.showList();
    await this.page.getByRole('button', { name: 'New chat' }).click();
    await this.page.getByRole('menuitem', { name: 'New group' }).click();
    const dialog = this.page.getByRole('dialog', { name: 'New group' });
    await dialog.getByLabel('Group name').fill(name);
    await dialog.getByRole('button', { name: 'Next' }).click();
    for (const username of members) {
      await dialog.getByRole('searchbox').fill(username);
      await dialog.getByRole('button', { name: new RegExp(`@${username}$`) }).click();
    }
    await dialog.getByRole('button', { name: 'Create' }).click();
    await this.waitChatOpen(name);
  }

  async createChannel(name) {
    await this.showList();
    await this.page.getByRole('button', { name: 'New chat' }).click();
    await this.page.getByRole('menuitem', { name: 'New channel' }).click();
    const dialog = this.page.getByRole('dialog', { name: 'New channel' });
    await dialog.getByLabel('Channel name').fill(name);
    await dialog.getByRole('button', { name: 'Create' }).click();
    await this.waitChatOpen(name);
  }

  /** Finds a public group or channel by its @handle in the search and joins it. */
  async joinPublic(handle) {
    await this.showList();
    await this.page.getByRole('searchbox', { name: 'Search', exact: true }).fill(`@${handle}`);
    await this.page.getByRole('list', { name: 'Public groups and channels' }).getByRole('button', { name: new RegExp(`@${handle} `) }).click();
  }

  /** Opens the open chat's settings panel (admins only). */
  async openSettings() {
    const button = this.page.getByRole('button', { name: 'Settings' });
    if ((await button.getAttribute('aria-expanded')) !== 'true') await button.click();
  }

  async waitChatOpen(title) {
    await expect(() => this.page.getByRole('main').getByRole('heading', { level: 2 }).textContent(), (t) => t?.includes(title));
  }

  async openChat(title) {
    await this.showList();
    await this.chatLink(title).click();
    await this.waitChatOpen(title);
  }

  chatLink(title) {
    return this.page.getByRole('navigation', { name: 'Chats' }).getByRole('button', { name: new RegExp(`^${title}`) });
  }

  async inviteLink() {
    await this.page.getByRole('button', { name: 'Members' }).click();
    const link = await this.page.getByLabel('Invite link').inputValue();
    await this.page.getByRole('button', { name: 'Members' }).click();
    return link;
  }

  async joinByLink(link) {
    await this.page.goto(link);
    await this.page.getByRole('button', { name: 'Join chat' }).click();
    await this.waitOnline();
  }

  async send(text) {
    const box = this.page.getByRole('textbox', { name: 'Message', exact: true });
    await box.fill(text);
    await box.press('Enter');
  }

  /** The open chat's messages (not its day and unread dividers). */
  messages() {
    return this.page.getByRole('list', { name: 'Messages' }).locator('li.msg');
  }

  /** The texts of the open chat's messages, in order. */
  async texts() {
    return this.page.getByRole('list', { name: 'Messages' }).locator('li .text').allTextContents();
  }

  async waitTexts(expected) {
    await expect(() => this.texts(), (t) => JSON.stringify(t) === JSON.stringify(expected), `messages ${JSON.stringify(expected)}`);
  }

  async close() {
    await this.context.close();
  }
}
