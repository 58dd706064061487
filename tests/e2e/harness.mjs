// End-to-end helpers: a real courier-server on a real port, real browsers
// (Debian's Chromium and Firefox ESR through playwright-core), and a small
// language of acts and checks on what a person sees.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, firefox } from 'playwright-core';
import { expect } from './expect.mjs';

const root = new URL('../..', import.meta.url).pathname;
export const SERVER_BIN = process.env.COURIER_SERVER_BIN ?? join(root, 'target/server/courier-server');
export const DIST = process.env.COURIER_DIST ?? join(root, 'dist');

/** Browsers to run every test in: E2E_BROWSERS=chromium,firefox (the default). */
export const BROWSERS = (process.env.E2E_BROWSERS ?? 'chromium,firefox').split(',').filter(Boolean);

export async function launch(name) {
  if (name === 'chromium') {
    return chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }
  if (name === 'firefox') {
    return firefox.launch({ channel: 'moz-firefox', executablePath: '/usr/bin/firefox-esr' });
  }
  throw new Error(`unknown browser ${name}`);
}

/** A courier-server with its own data directory; stop() and start() keep both. */
export class Server {
  constructor() {
    this.data = mkdtempSync(join(tmpdir(), 'courier-e2e-'));
    this.port = 0;
    this.proc = null;
  }

  async start() {
    const proc = spawn(SERVER_BIN, ['--listen', `127.0.0.1:${this.port}`, '--data', this.data, '--static-dir', DIST], {
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

let counter = 0;
/** A username no other test uses. */
export function uniqueName(prefix) {
  counter += 1;
  return `${prefix}${process.pid % 10000}${counter}`.toLowerCase();
}

/** One person: a browser context (own cookies, own IndexedDB) and a page. */
export class Person {
  static async open(browser, server, { viewport } = {}) {
    const context = await browser.newContext({ viewport: viewport ?? { width: 1200, height: 800 } });
    const page = await context.newPage();
    const person = new Person(context, page, server);
    page.on('dialog', (d) => { person.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
    page.on('pageerror', (e) => person.errors.push(String(e)));
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
    this.username = username;
    await this.goto('/');
    const page = this.page;
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Username', { exact: true }).fill(username);
    await page.getByLabel('Password', { exact: true }).fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign up' }).click();
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

  async startDirect(username) {
    await this.showList();
    await this.page.getByLabel('Username to chat with').fill(username);
    await this.page.getByRole('button', { name: 'Start chat' }).click();
    await this.waitChatOpen(username);
  }

  async createGroup(name) {
    await this.showList();
    await this.page.getByLabel('New group name').fill(name);
    await this.page.getByRole('button', { name: 'Create group' }).click();
    await this.waitChatOpen(name);
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

  messages() {
    return this.page.getByRole('list', { name: 'Messages' }).getByRole('listitem');
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
