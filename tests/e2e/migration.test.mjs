// Protocol version 2 meets what version 1 left: a server database and a
// browser's IndexedDB written by the version-1 release (tests/fixtures/
// make-v1.mjs) open in place, and the message that waited in the old
// outbox goes out once; an app whose version the server no longer speaks
// updates itself and loses nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eachBrowser, stored, uniqueName } from './harness.mjs';
import { expect } from './expect.mjs';

const here = new URL('.', import.meta.url).pathname;
const root = join(here, '../..');
const IDB = JSON.parse(readFileSync(join(here, 'fixtures/v1-indexeddb.json'), 'utf8'));
const SQLITE = readFileSync(join(root, 'server/tests/fixtures/v1-sqlite.sql'));
const OFFLINE_TEXT = 'written offline in version 1';

/** Writes the fixture's databases into this origin's IndexedDB as they were. */
function seedIndexedDb(page) {
  return page.evaluate(async (fixture) => {
    for (const [name, { version, stores }] of Object.entries(fixture.databases)) {
      const db = await new Promise((resolve, reject) => {
        const open = indexedDB.open(name, version);
        open.onupgradeneeded = () => {
          for (const store of Object.keys(stores)) open.result.createObjectStore(store);
        };
        open.onsuccess = () => resolve(open.result);
        open.onerror = reject;
      });
      const tx = db.transaction(Object.keys(stores), 'readwrite');
      for (const [store, records] of Object.entries(stores)) {
        for (const [key, value] of records) tx.objectStore(store).put(value, key);
      }
      await new Promise((resolve, reject) => { tx.oncomplete = resolve; tx.onerror = reject; });
      db.close();
    }
  }, IDB);
}

eachBrowser((person, world) => {
  test('a database and an IndexedDB of version 1 open in version 2, and the old outbox goes out once', async () => {
    const alice = await person();
    await alice.goto('/');
    await seedIndexedDb(alice.page);
    await alice.signIn('alicev1');
    await alice.openChat('bobv1');
    const expected = ['hello from version 1', 'an answer', 'a typo here', OFFLINE_TEXT];
    await alice.waitTexts(expected);
    await expect(() => alice.page.locator('.state[aria-label="Pending"]').count(), 0, 'the old outbox went out');

    const bob = await person();
    await bob.signIn('bobv1');
    await bob.openChat('alicev1');
    await bob.waitTexts(expected);

    const messages = await stored(alice.page, 'messages');
    assert.ok(messages.length >= 8, 'the cached history is kept');
    assert.deepEqual(messages.filter((m) => 'text' in m), [], 'no record of version 1 is left');
    const posts = messages.filter((m) => !m.act && !m.deleted);
    assert.ok(posts.every((m) => m.content?.kind === 'text'), 'every post has text content');
    assert.deepEqual(await stored(alice.page, 'outbox'), []);
    assert.deepEqual([...alice.errors, ...bob.errors], []);
  });

  test('an app the server no longer speaks to updates itself and keeps what it had to send', async () => {
    const [alice, bob] = [await person(), await person()];
    const b = uniqueName('bob');
    await alice.signUp(uniqueName('alice'));
    await bob.signUp(b);
    await alice.startDirect(b);
    await alice.send('before the update');
    await bob.openChat(alice.username);
    await bob.waitTexts(['before the update']);
    await expect(() => alice.page.evaluate(() => !!navigator.serviceWorker?.controller), true, 'a controlling service worker');

    // The server goes down for an update; meanwhile Alice writes.
    await world.server.stop();
    await expect(() => alice.page.getByRole('status', { name: 'Connection' }).getAttribute('data-state'), 'offline');
    await alice.send('written during the update');
    // This tab's app is now older than the server: its next hello says
    // version 1, which the real server refuses.
    let aged = false;
    await alice.page.routeWebSocket(/\/ws/, (ws) => {
      const upstream = ws.connectToServer();
      ws.onMessage((message) => {
        const frame = JSON.parse(message);
        if (frame.t === 'hello' && !aged) {
          aged = true;
          frame.c.version = 1;
        }
        upstream.send(JSON.stringify(frame));
      });
    });
    let loads = 0;
    alice.page.on('load', () => { loads += 1; });
    await world.server.start();

    await expect(() => aged && loads, 1, 'refused, the app reloads itself once');
    await alice.waitOnline();
    await alice.openChat(b);
    await alice.waitTexts(['before the update', 'written during the update']);
    await bob.waitTexts(['before the update', 'written during the update']);
    await expect(() => alice.page.locator('.state[aria-label="Pending"]').count(), 0, 'nothing pending');
    assert.deepEqual([...alice.errors, ...bob.errors], []);
  });
}, {
  // The first test's server starts on the fixture's data.
  prepare: (server) => execFileSync('sqlite3', [join(server.data, 'courier.db')], { input: SQLITE }),
});
