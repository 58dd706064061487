// Three Courier nodes on PostgreSQL + NATS behind nginx: people whose
// sockets are on different nodes chat in one group; the node holding the
// most of them is killed with SIGKILL mid-conversation; they reconnect
// through nginx to the others and nothing is lost or doubled.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BROWSERS, Cluster, Person, launch, uniqueName } from './harness.mjs';
import { expect } from './expect.mjs';

for (const browserName of BROWSERS) {
  describe(`${browserName}`, () => {
    let browser;
    let cluster;
    const people = [];

    before(async () => {
      browser = await launch(browserName);
      cluster = await new Cluster(3).start();
    });
    after(async () => {
      for (const p of people) await p.close().catch(() => {});
      await browser?.close();
      await cluster?.dispose();
    });

    test('a group across three nodes survives one node being killed', async () => {
      for (let i = 0; i < 3; i++) people.push(await Person.open(browser, cluster));
      const [alice, bob, carol] = people;
      await alice.signUp(uniqueName('alice'));
      await bob.signUp(uniqueName('bob'));
      await carol.signUp(uniqueName('carol'));
      await alice.createGroup('Relay');
      const link = await alice.inviteLink();
      await bob.joinByLink(link);
      await carol.joinByLink(link);
      await carol.waitChatOpen('Relay');
      await bob.waitChatOpen('Relay');

      // nginx spreads connections round robin; make sure the sockets are
      // not all on one node before relying on it.
      const spread = () => cluster.sockets().filter((n) => n > 0).length;
      for (let tries = 0; spread() < 2 && tries < 6; tries++) {
        await bob.page.reload();
        await bob.waitOnline();
        await bob.openChat('Relay');
      }
      await expect(() => cluster.sockets().reduce((a, b) => a + b, 0), 3, 'three sockets open');
      assert.ok(spread() >= 2, `sockets on ${spread()} node(s): ${cluster.sockets()}`);

      await alice.send('one');
      await bob.waitTexts(['one']);
      await bob.send('two');
      await carol.waitTexts(['one', 'two']);
      await carol.send('three');
      const before = ['one', 'two', 'three'];
      for (const p of people) await p.waitTexts(before);

      const counts = cluster.sockets();
      const victim = counts.indexOf(Math.max(...counts));
      await cluster.nodes[victim].stop();
      await alice.send('four');
      await bob.send('five');
      await carol.send('six');

      const all = (texts) => texts.length === 6 && new Set(texts).size === 6;
      for (const p of people) await expect(() => p.texts(), all, 'six messages, each once', 30000);
      const seen = await Promise.all(people.map((p) => p.texts()));
      assert.deepEqual(seen[1], seen[0], 'everyone sees one order');
      assert.deepEqual(seen[2], seen[0], 'everyone sees one order');
      assert.deepEqual(seen[0].slice(0, 3), before);
      for (const p of people) {
        await expect(() => p.page.locator('.state[aria-label="Pending"]').count(), 0, 'nothing left pending');
      }
      assert.deepEqual(people.flatMap((p) => p.errors), []);
    });
  });
}
