// WebKit, Safari's engine, as Debian ships it: WebKitGTK's MiniBrowser driven
// by WebKitWebDriver over W3C WebDriver (selenium-webdriver; Playwright cannot
// drive a stock WebKit). It has no headless mode, so each driver runs under
// its own Xvfb; a driver holds one session, so each person has a driver.
import { spawn } from 'node:child_process';
import { Builder, By, Key } from 'selenium-webdriver';
import { freePort } from './harness.mjs';
import { expect } from './expect.mjs';

const MINIBROWSER = process.env.E2E_MINIBROWSER ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

/** An XPath string literal for `s` (which holds no double quote). */
const lit = (s) => `"${s}"`;

export class WebKitPerson {
  static async open(server) {
    const port = await freePort();
    // Its own process group, so closing ends Xvfb, the driver and the browser.
    const driver = spawn('xvfb-run', ['-a', 'WebKitWebDriver', `--port=${port}`], { stdio: 'ignore', detached: true });
    const exited = new Promise((r) => driver.once('exit', r));
    await expect(() => fetch(`http://127.0.0.1:${port}/status`).then((r) => r.ok), true, 'WebKitWebDriver to listen');
    const session = await new Builder().usingServer(`http://127.0.0.1:${port}`).withCapabilities({
      browserName: 'MiniBrowser',
      // Any argument given replaces the driver's own, --automation among them.
      'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
    }).build();
    return new WebKitPerson(session, server, driver, exited);
  }

  constructor(session, server, driver, exited) {
    this.session = session;
    this.server = server;
    this.driver = driver;
    this.exited = exited;
  }

  async goto(path = '/') {
    await this.session.get(this.server.url + path);
  }

  async reload() {
    await this.session.navigate().refresh();
  }

  /** The first element `xpath` finds once it is shown. */
  async find(xpath, what = xpath) {
    return expect(async () => {
      const [el] = await this.session.findElements(By.xpath(xpath));
      return el && (await el.isDisplayed()) ? el : null;
    }, (el) => !!el, what);
  }

  async click(xpath, what) {
    await (await this.find(xpath, what)).click();
  }

  /** Types into the input a visible label names. */
  async fill(label, text) {
    const input = await this.find(`//label[normalize-space(text()[1])=${lit(label)}]//input`, `the ${label} field`);
    await input.clear();
    await input.sendKeys(text);
  }

  button(name) {
    return `//button[normalize-space(.)=${lit(name)} or @aria-label=${lit(name)}]`;
  }

  async connection() {
    return this.session.executeScript("return document.querySelector('[role=status].conn')?.dataset.state");
  }

  async waitOnline() {
    await expect(() => this.connection(), 'online', 'WebKit online');
  }

  async signUp(username) {
    this.username = username;
    await this.goto('/');
    await this.click(this.button('Create an account'));
    await this.fill('Username', username);
    await this.fill('Password', 'correct horse battery');
    await this.click(this.button('Sign up'));
    await this.waitOnline();
  }

  async startDirect(username) {
    await this.click(this.button('New chat'));
    await this.click(`//*[@role='menuitem' and normalize-space(.)='New private chat']`);
    const dialog = "//*[@role='dialog']";
    const search = await this.find(`${dialog}//input[@type='search']`, 'the people search');
    await search.sendKeys(username);
    await this.click(`${dialog}//li//button[contains(normalize-space(.), ${lit(`@${username}`)})]`, `@${username} found`);
    await this.waitChatOpen(username);
  }

  async title() {
    return this.session.executeScript("return document.querySelector('main h2')?.textContent ?? ''");
  }

  async waitChatOpen(title) {
    await expect(() => this.title(), (t) => t.includes(title), `${title} open in WebKit`);
  }

  chatLink(title) {
    // A row reads its avatar's letter, then the title, the time, the preview.
    return `//nav[@aria-label='Chats']//li//button[contains(normalize-space(.), ${lit(title)})]`;
  }

  async openChat(title) {
    await this.click(this.chatLink(title), `${title} in the chat list`);
    await this.waitChatOpen(title);
  }

  /** Joins a chat by its invite link as a guest: a name, no account. */
  async joinAsGuest(link, name) {
    await this.session.get(link);
    await this.fill('Display name', name);
    await this.click(this.button('Join chat'));
    await this.waitOnline();
  }

  async send(text) {
    const box = await this.find("//textarea[@aria-label='Message']", 'the composer');
    await box.sendKeys(text, Key.ENTER);
  }

  async texts() {
    return this.session.executeScript(
      "return [...document.querySelectorAll('ul[aria-label=Messages] li .text')].map((e) => e.textContent)");
  }

  async waitTexts(expected) {
    await expect(() => this.texts(), (t) => JSON.stringify(t) === JSON.stringify(expected), `WebKit shows ${JSON.stringify(expected)}`);
  }

  /** How many of the open chat's messages wait to be sent. */
  async pending() {
    return this.session.executeScript("return document.querySelectorAll('li[data-pending]').length");
  }

  async close() {
    await this.session.quit().catch(() => {});
    try { process.kill(-this.driver.pid, 'SIGTERM'); } catch { /* gone */ }
    await this.exited;
  }
}
