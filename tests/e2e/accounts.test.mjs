// Several accounts signed in in one browser: each with its own database and
// socket, switched from the top bar, shown side by side in two tabs, signed
// out one at a time; and the ticks a sender sees as a message to one of
// them is sent, delivered (stored on a device) and read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eachBrowser, uniqueName } from './harness.mjs';
import { expect } from './expect.mjs';

eachBrowser((person) => {
  const tick = (p, text) => p.messages().filter({ has: p.page.locator('.text', { hasText: text }) })
    .locator('.state').getAttribute('aria-label');
  const whoami = (page) => page.getByRole('button', { name: 'Accounts' }).textContent();
  const switchTo = async (page, name) => {
    await page.getByRole('button', { name: 'Accounts' }).click();
    await page.getByRole('dialog', { name: 'Accounts' }).getByRole('button', { name: new RegExp(name) }).click();
    await expect(() => whoami(page), (t) => t?.includes(name), `switched to ${name}`);
  };

  test('two accounts in one browser: switched, side by side, signed out apart', async () => {
    const [alice, bob] = [await person(), await person()];
    const [work, home, b] = [uniqueName('work'), uniqueName('home'), uniqueName('bob')];
    await alice.signUp(work);
    await bob.signUp(b);
    await alice.page.getByRole('button', { name: 'Accounts' }).click();
    await alice.page.getByRole('button', { name: 'Add account' }).click();
    await alice.signUpHere(home);
    await expect(() => whoami(alice.page), (t) => t?.includes(home), 'the added account shows');

    // No device of "work" is connected: bob's message to it is only sent.
    await bob.startDirect(home);
    await bob.send('for home');
    await expect(() => tick(bob, 'for home'), 'Delivered', 'home is online');
    await expect(() => alice.chatLink(b).textContent(), (t) => t?.includes('for home'));
    await bob.startDirect(work);
    await bob.send('for work');
    await expect(() => tick(bob, 'for work'), 'Sent');
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await tick(bob, 'for work'), 'Sent', 'still only sent');

    // Switching to "work" fetches its chats; its device now holds the message.
    await switchTo(alice.page, work);
    await expect(() => alice.chatLink(b).textContent(), (t) => t?.includes('for work'), "work's own chat list");
    await expect(() => tick(bob, 'for work'), 'Delivered', 'delivered once work connected');
    await alice.openChat(b);
    await alice.waitTexts(['for work']);
    await expect(() => tick(bob, 'for work'), 'Read', 'read once opened');
    const databases = await alice.page.evaluate(async () => (await indexedDB.databases())
      .map((d) => d.name).filter((n) => n.startsWith('courier-')));
    assert.equal(databases.length, 2, 'a database per account');

    // A second tab opens the account used last and can show the other.
    const second = await alice.context.newPage();
    await second.goto(alice.server.url);
    await expect(() => whoami(second), (t) => t?.includes(work), 'the last used account');
    await switchTo(second, home);
    await bob.openChat(home);
    await bob.send('while work is open too');
    const homeChat = second.getByRole('navigation', { name: 'Chats' }).getByRole('button', { name: new RegExp(`^${b}`) });
    await expect(() => homeChat.textContent(), (t) => t?.includes('while work is open too'), 'home live in tab two');
    await alice.page.reload();
    await expect(() => whoami(alice.page), (t) => t?.includes(work), 'a reload keeps the tab\'s account');
    await alice.waitOnline();

    // Signing out of work, removing its messages from this browser, leaves
    // home signed in and its database alone.
    await alice.page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await alice.page.getByRole('dialog', { name: 'Sign out' })
      .getByRole('button', { name: 'Sign out and remove this account\'s messages from this browser' }).click();
    await expect(() => whoami(alice.page), (t) => t?.includes(home), 'the other account remains');
    await expect(async () => (await alice.page.evaluate(() => indexedDB.databases())).map((d) => d.name).filter((n) => n.startsWith('courier-')).length,
      1, 'only the remaining account\'s database stays');
    await alice.waitOnline();
    await alice.page.getByRole('button', { name: 'Accounts' }).click();
    const listed = alice.page.getByRole('dialog', { name: 'Accounts' }).locator('.account .name');
    await expect(() => listed.allTextContents(), (t) => JSON.stringify(t) === JSON.stringify([home]), 'work is gone from the list');
    assert.deepEqual([...alice.errors, ...bob.errors], []);
  });
});
