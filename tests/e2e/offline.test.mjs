// Offline: the app opens from the service worker and IndexedDB with the
// server down, photos seen before still show, and what is written
// meanwhile goes out once, in order.
import { after, before, describe, test } from 'node:test';
import { BROWSERS, Person, Server, launch, uniqueName } from './harness.mjs';
import { expect } from './expect.mjs';

async function waitServiceWorker(p) {
  await expect(() => p.page.evaluate(() => !!navigator.serviceWorker?.controller), true, 'a controlling service worker');
}

for (const browserName of BROWSERS) {
  describe(`${browserName} offline`, () => {
    let browser;
    let server;
    before(async () => {
      browser = await launch(browserName);
      server = await new Server().start();
    });
    after(async () => {
      await browser?.close();
      await server?.dispose();
    });

    test('with the server stopped a reload shows the chat list and history', async () => {
      const [alice, bob] = [await Person.open(browser, server), await Person.open(browser, server)];
      const b = uniqueName('bob');
      await alice.signUp(uniqueName('alice'));
      await bob.signUp(b);
      await alice.startDirect(b);
      await alice.send('kept offline 1');
      await alice.send('kept offline 2');
      await bob.openChat(alice.username);
      await bob.waitTexts(['kept offline 1', 'kept offline 2']);
      await waitServiceWorker(bob);

      await server.stop();
      await bob.page.reload();
      await expect(() => bob.page.getByRole('status', { name: 'Connection' }).getAttribute('data-state'), (s) => s !== 'online');
      await expect(() => bob.chatLink(alice.username).count(), 1, 'the stored chat in the list');
      await bob.openChat(alice.username);
      await bob.waitTexts(['kept offline 1', 'kept offline 2']);
      // A part of the app never used yet comes from the service worker too.
      await bob.page.getByRole('button', { name: 'Preferences' }).click();
      await expect(() => bob.page.getByRole('combobox', { name: 'Theme' }).count(), 1, 'the preferences, loaded on first use, offline');
      await bob.page.getByRole('button', { name: 'Close' }).click();
      await server.start();
      await bob.waitOnline();
      await alice.close();
      await bob.close();
    });

    test('photos seen online still show with the server stopped', async () => {
      const [alice, bob] = [await Person.open(browser, server), await Person.open(browser, server)];
      const b = uniqueName('bob');
      await alice.signUp(uniqueName('alice'));
      await bob.signUp(b);
      await waitServiceWorker(bob);
      await alice.startDirect(b);
      await alice.send('hi');
      await bob.openChat(alice.username);
      await bob.waitTexts(['hi']);
      const png = await alice.page.evaluate(async () => {
        const c = document.createElement('canvas');
        c.width = 320; c.height = 240;
        const g = c.getContext('2d');
        g.fillStyle = '#3a7'; g.fillRect(0, 0, 320, 240);
        const blob = await new Promise((r) => c.toBlob(r, 'image/png'));
        return Array.from(new Uint8Array(await blob.arrayBuffer()));
      });
      await alice.page.locator('input.picker').setInputFiles({ name: 'seen.png', mimeType: 'image/png', buffer: Buffer.from(png) });
      await alice.send('a photo');
      await bob.waitTexts(['hi', 'a photo']);
      const shown = () => bob.messages().last().locator('.media img').evaluate((i) => i.complete && i.naturalWidth);
      await expect(shown, 320, 'shown online');
      await expect(() => bob.page.evaluate(async () => {
        const kept = await (await caches.open('courier-media-v1')).keys();
        return kept.some((r) => new URL(r.url).pathname.startsWith('/api/media/'));
      }), true, 'a copy kept on the device');

      await server.stop();
      await bob.page.reload();
      await expect(() => bob.chatLink(alice.username).count(), 1, 'the stored chat in the list');
      await bob.openChat(alice.username);
      await bob.waitTexts(['hi', 'a photo']);
      await expect(shown, 320, 'shown with the server stopped');
      await server.start();
      await bob.waitOnline();
      await alice.close();
      await bob.close();
    });

    test('messages written while the server is down go out once, in order, even across a reload', async () => {
      const [alice, bob] = [await Person.open(browser, server), await Person.open(browser, server)];
      const b = uniqueName('bob');
      await alice.signUp(uniqueName('alice'));
      await bob.signUp(b);
      await alice.startDirect(b);
      await alice.send('online first');
      await bob.openChat(alice.username);
      await bob.waitTexts(['online first']);
      await waitServiceWorker(alice);

      await server.stop();
      await expect(() => alice.page.getByRole('status', { name: 'Connection' }).getAttribute('data-state'), 'offline');
      await alice.send('offline one');
      await alice.send('offline two');
      await expect(() => alice.messages().last().locator('.state').getAttribute('aria-label'), 'Pending');
      await alice.page.reload();
      await alice.openChat(b);
      await alice.waitTexts(['online first', 'offline one', 'offline two']);
      await alice.send('offline three, after a reload');
      await expect(() => alice.page.locator('li[data-pending] .state[aria-label="Pending"]').count(), 3, 'three pending');

      await server.start();
      const expected = ['online first', 'offline one', 'offline two', 'offline three, after a reload'];
      await bob.waitTexts(expected);
      await alice.waitTexts(expected);
      await expect(() => alice.page.locator('.state[aria-label="Pending"]').count(), 0, 'nothing pending');
      // Exactly once: a fresh device of Bob's gets the same history from the server.
      await bob.page.reload();
      await bob.openChat(alice.username);
      await bob.waitTexts(expected);
      const fresh = await Person.open(browser, server);
      await fresh.goto('/');
      await fresh.page.getByLabel('Username', { exact: true }).fill(b);
      await fresh.page.getByLabel('Password', { exact: true }).fill('correct horse battery');
      await fresh.page.getByRole('button', { name: 'Sign in' }).click();
      await fresh.waitOnline();
      await fresh.openChat(alice.username);
      await fresh.waitTexts(expected);
      for (const p of [alice, bob, fresh]) await p.close();
    });
  });
}
