// Keyboard and screen readers: a person who uses no mouse replies, reacts,
// edits and deletes; a message reads as sender, text, time and state; new
// messages are announced once; Telegram's shortcuts work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eachBrowser, uniqueName } from './harness.mjs';
import { expect } from './expect.mjs';

/** What has focus: its role and accessible name, as the page knows them. */
function focused(p) {
  return p.page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return { tag: 'BODY', role: null, label: null };
    return { tag: el.tagName, role: el.getAttribute('role'), label: el.getAttribute('aria-label') ?? el.textContent?.trim() };
  });
}

/** Presses `key` until the focused element's name is `name` (at most 20 times). */
async function pressUntil(p, key, name) {
  for (let i = 0; i < 20; i++) {
    if ((await focused(p)).label === name) return;
    await p.page.keyboard.press(key);
  }
  assert.fail(`never reached "${name}" with ${key}; at ${JSON.stringify(await focused(p))}`);
}

eachBrowser((person) => {
  async function pair() {
    const [ana, ben] = [await person(), await person()];
    const [a, b] = [uniqueName('ana'), uniqueName('ben')];
    await ana.signUp(a);
    await ben.signUp(b);
    await ben.startDirect(a);
    await ben.send('Lunch at noon?');
    await ana.openChat(b);
    await ana.waitTexts(['Lunch at noon?']);
    return { ana, ben };
  }

  test('replying, reacting, editing and deleting with the keyboard alone', async () => {
    const { ana, ben } = await pair();
    const keys = ana.page.keyboard;
    await ana.page.getByRole('textbox', { name: 'Message', exact: true }).focus();
    // Back from the composer to the list, then up to the newest message.
    await keys.press('Shift+Tab');
    await keys.press('Shift+Tab');
    assert.equal((await focused(ana)).tag, 'UL', 'the list is the tab stop before a message was focused');
    await keys.press('ArrowUp');
    assert.match((await focused(ana)).label, /^ben\d+, Lunch at noon\?, \d\d:\d\d$/, 'read as sender, text, time');

    // React: Enter opens the menu on its first reaction.
    await keys.press('Enter');
    await ana.page.getByRole('menu', { name: 'Message actions' }).waitFor();
    assert.deepEqual(await focused(ana), { tag: 'BUTTON', role: 'menuitem', label: 'React 👍' });
    await keys.press('Enter');
    await expect(() => ben.messages().locator('.reaction').allTextContents(), (t) => t.join() === '👍 1', 'Ben sees the reaction');
    await expect(() => ana.messages().locator('.reaction').count(), 1, 'and Ana');
    await expect(async () => (await focused(ana)).label ?? '', (l) => l.includes('Lunch at noon?'), 'focus back on the message');

    // Escape closes the menu and gives focus back.
    await keys.press('Enter');
    await ana.page.getByRole('menu').waitFor();
    await keys.press('Escape');
    await ana.page.getByRole('menu').waitFor({ state: 'detached' });
    await expect(async () => (await focused(ana)).label ?? '', (l) => l.includes('Lunch at noon?'), 'Escape gives focus back');

    // Reply from the menu: the composer takes focus with the quote.
    await keys.press('Enter');
    await pressUntil(ana, 'ArrowDown', 'Reply');
    await keys.press('Enter');
    assert.equal((await focused(ana)).tag, 'TEXTAREA');
    await keys.type('Yes!');
    await keys.press('Enter');
    await expect(() => ben.messages().last().locator('.quote-text').textContent(), 'Lunch at noon?', 'Ben sees the reply quoted');
    // Only a message the server took can be edited: Ana's page may hear
    // back after Ben got it.
    await expect(() => ana.messages().last().locator('.state:is(.sent, .delivered, .read)').count(), 1, 'the reply is sent');

    // Up in the empty composer edits the last own message; Escape leaves.
    await keys.press('ArrowUp');
    await ana.page.getByRole('status').filter({ hasText: 'Editing' }).waitFor();
    await keys.press('Escape');
    await ana.page.getByRole('status').filter({ hasText: 'Editing' }).waitFor({ state: 'detached' });
    await expect(() => ana.page.getByRole('textbox', { name: 'Message', exact: true }).inputValue(), '', 'the box is empty again');
    await keys.press('ArrowUp');
    await keys.press('ControlOrMeta+a');
    await keys.type('Yes, at 12:30');
    await keys.press('Enter');
    await ben.waitTexts(['Lunch at noon?', 'Yes, at 12:30']);
    await expect(() => ben.messages().last().locator('.edited').count(), 1, 'marked edited');

    // Delete: back to the list (past the reply's quote, a button of its
    // own), down to the own message, the context-menu key.
    for (let i = 0; i < 10 && (await focused(ana)).tag !== 'LI'; i++) await keys.press('Shift+Tab');
    assert.match((await focused(ana)).label, /Lunch at noon\?/, 'the list keeps its place');
    await keys.press('ArrowDown');
    await expect(async () => (await focused(ana)).label ?? '', (l) => /Yes, at 12:30, edited, \d\d:\d\d, (Sent|Delivered|Read)$/.test(l), 'an own message says how far it got');
    await keys.press('Shift+F10');
    await pressUntil(ana, 'End', 'Delete for everyone');
    await keys.press('Enter');
    await ben.waitTexts(['Lunch at noon?']);
    await ana.waitTexts(['Lunch at noon?']);
    await expect(async () => (await focused(ana)).label ?? '', (l) => l.includes('Lunch at noon?'), 'focus goes to the neighbour');
    assert.deepEqual(ana.errors, []);
  });

  test('a right-click opens the actions as a menu, and the shortcuts work', async () => {
    const { ana, ben } = await pair();
    await ana.messages().first().locator('.text').click({ button: 'right' });
    await ana.page.getByRole('menu', { name: 'Message actions' }).waitFor();
    await ana.page.keyboard.press('Escape');
    await ana.page.getByRole('menu').waitFor({ state: 'detached' });

    // Ctrl+F searches the open chat.
    await ana.page.keyboard.press('ControlOrMeta+f');
    await expect(async () => (await focused(ana)).label, 'Search in this chat', 'the chat search has focus');
    await ana.page.keyboard.type('noon');
    await ana.page.locator('.panel .search-hit').first().waitFor();
    await ana.page.keyboard.press('Escape');
    await ana.page.locator('.panel').waitFor({ state: 'detached' });
    assert.equal((await focused(ana)).label, 'Search in this chat', 'focus back on the search button');

    // Alt+Down and Alt+Up move to the chat below and above in the list.
    await ana.createGroup('Book club');
    const rows = ana.page.getByRole('navigation', { name: 'Chats' }).locator('.chat-row .title');
    await expect(() => rows.count(), 2);
    const [first, second] = await rows.allTextContents();
    await ana.openChat(first);
    await ana.page.keyboard.press('Alt+ArrowDown');
    await ana.waitChatOpen(second);
    await ana.page.keyboard.press('Alt+ArrowDown');
    await ana.waitChatOpen(second);
    await ana.page.keyboard.press('Alt+ArrowUp');
    await ana.waitChatOpen(first);
  });

  test("a new message is announced once, and one's own are not", async () => {
    const { ana, ben } = await pair();
    // Every text the polite live region is given, as a screen reader hears it.
    await ana.page.evaluate(() => {
      window.heard = [];
      const region = document.querySelector('main [aria-live="polite"].visually-hidden');
      new MutationObserver(() => window.heard.push(region.textContent)).observe(region, { childList: true, characterData: true, subtree: true });
    });
    await ben.send('Are you coming?');
    await ana.waitTexts(['Lunch at noon?', 'Are you coming?']);
    await ana.send('On my way');
    await ben.messages().filter({ hasText: 'On my way' }).locator('.text').click();
    await ben.page.getByRole('menuitem', { name: 'React 👍' }).click();
    await expect(() => ana.messages().locator('.reaction').count(), 1, 'the reaction arrives');
    await ana.page.waitForTimeout(500);
    const heard = await ana.page.evaluate(() => window.heard.filter((t) => t));
    assert.equal(heard.length, 1, `announced once: ${JSON.stringify(heard)}`);
    assert.match(heard[0], /^ben\d+, Are you coming\?, \d\d:\d\d$/);
  });
});
