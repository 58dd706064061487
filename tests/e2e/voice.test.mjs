// Voice and round video messages across engines: recorded from a fake
// microphone and camera in one browser, played in the other, both ways.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BROWSERS, Person, Server, launch, uniqueName } from './harness.mjs';
import { expect } from './expect.mjs';

/** Plays the last message's media element and says how far it got. */
async function plays(p, selector, start) {
  const media = p.messages().last().locator(selector);
  await media.waitFor({ state: 'attached' });
  await start();
  // Played past its first 0.3 s (Firefox may report a decode error at
  // the very end of a recorded WebM, after playing all of it).
  return expect(() => media.evaluate((m) => ({ t: m.currentTime, error: m.error?.code ?? null })),
    (s) => s.t > 0.3, 'playing', 20000);
}

const pairs = BROWSERS.length > 1 ? [[BROWSERS[0], BROWSERS[1]], [BROWSERS[1], BROWSERS[0]]] : [];

describe('voice and round video messages between engines', () => {
  const browsers = {};
  let server;
  const people = [];
  before(async () => {
    for (const name of BROWSERS) browsers[name] = await launch(name);
    server = await new Server().start();
  });
  after(async () => {
    for (const p of people) await p.close().catch(() => {});
    for (const b of Object.values(browsers)) await b.close();
    await server?.dispose();
  });

  for (const name of BROWSERS) {
    test(`in ${name} a held voice recording slid away is cancelled, and letting go sends`, async () => {
      const alice = await Person.open(browsers[name], server);
      people.push(alice);
      const b = uniqueName('bob');
      const bob = await Person.open(browsers[name], server);
      people.push(bob);
      await bob.signUp(b);
      await alice.signUp(uniqueName('alice'));
      await alice.startDirect(b);
      const mic = await alice.page.getByRole('button', { name: 'Record a voice message' }).boundingBox();
      const [x, y] = [mic.x + mic.width / 2, mic.y + mic.height / 2];
      await alice.page.mouse.move(x, y);
      await alice.page.mouse.down();
      await expect(() => alice.page.locator('.recording time').textContent(), '0:01', 'recording while held', 10000);
      await expect(() => alice.page.locator('.slide-hint').textContent(), (t) => t?.includes('Slide to cancel'));
      await alice.page.mouse.move(x - 200, y, { steps: 8 });
      await alice.page.mouse.up();
      await expect(() => alice.page.locator('.recording').isHidden(), true, 'cancelled');
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(await alice.messages().locator('.voice').count(), 0, 'nothing sent');
      // Held, then let go where it was pressed: sent.
      await alice.page.mouse.move(x, y);
      await alice.page.mouse.down();
      await expect(() => alice.page.locator('.recording time').textContent(), '0:01', 'recording while held', 10000);
      await alice.page.mouse.up();
      await expect(() => alice.messages().last().locator('.voice').count(), 1, 'sent on letting go', 20000);
      assert.deepEqual(alice.errors, []);
    });
  }

  for (const [from, to] of pairs) {
    test(`a voice message recorded in ${from} plays in ${to}`, async () => {
      const alice = await Person.open(browsers[from], server);
      const bob = await Person.open(browsers[to], server);
      people.push(alice, bob);
      const [a, b] = [uniqueName('alice'), uniqueName('bob')];
      await alice.signUp(a);
      await bob.signUp(b);
      await alice.startDirect(b);
      // Tap to start, "Send" to stop and send.
      await alice.page.getByRole('button', { name: 'Record a voice message' }).click();
      await expect(() => alice.page.locator('.recording time').textContent(), '0:02', 'the timer runs', 10000);
      await alice.page.locator('.recording').getByRole('button', { name: 'Send' }).click();
      await expect(() => alice.messages().last().locator('.voice').count(), 1, 'sent as a voice message', 20000);
      const wave = await alice.messages().last().locator('.wave span').count();
      assert.ok(wave >= 50, `a waveform of ${wave} samples`);

      await bob.openChat(a);
      const voice = bob.messages().last().locator('.voice');
      await expect(() => voice.getAttribute('aria-label'), (l) => /^Voice message, 0:0[2-4]$/.test(l ?? ''), 'its length');
      await expect(() => voice.getByRole('img', { name: 'Not listened to yet' }).count(), 1, 'unheard');
      await plays(bob, 'audio', () => voice.getByRole('button', { name: 'Play', exact: true }).click());
      await expect(() => voice.getByRole('img', { name: 'Not listened to yet' }).count(), 0, 'heard');
      await voice.getByRole('button', { name: 'Playback speed' }).click();
      assert.equal(await voice.locator('audio').evaluate((m) => m.playbackRate), 1.5);
      assert.equal((await voice.getByRole('button', { name: 'Playback speed' }).textContent()).trim(), '1.5×');
      assert.deepEqual([...alice.errors, ...bob.errors], []);
    });

    test(`a round video recorded in ${from} plays in ${to}`, async () => {
      const alice = await Person.open(browsers[from], server);
      const bob = await Person.open(browsers[to], server);
      people.push(alice, bob);
      const [a, b] = [uniqueName('alice'), uniqueName('bob')];
      await alice.signUp(a);
      await bob.signUp(b);
      await alice.startDirect(b);
      await alice.page.getByRole('button', { name: 'Record a video message' }).click();
      await expect(() => alice.page.locator('.recording video').evaluate((v) => v.videoWidth), (w) => w > 0, 'the preview shows the camera');
      await expect(() => alice.page.locator('.recording time').textContent(), '0:02', 'the timer runs', 10000);
      await alice.page.locator('.recording').getByRole('button', { name: 'Send' }).click();
      await bob.openChat(a);
      const round = bob.messages().last().locator('video.round');
      await expect(() => round.count(), 1, 'a round video', 20000);
      assert.ok(await round.evaluate((v) => /^url\("data:image\/png/.test(v.style.backgroundImage)), 'a placeholder from the sender');
      await expect(() => round.evaluate((v) => v.muted && !v.paused && v.currentTime > 0), true, 'plays silently on screen', 20000);
      await plays(bob, 'video.round', () => round.click());
      assert.ok(await round.evaluate((v) => v.videoWidth > 0 && !v.muted), 'a picture, with sound after the click');
      const [w, h] = await round.evaluate((v) => [v.videoWidth, v.videoHeight]);
      assert.equal(w, h, `sent square, not ${w}×${h}`);
      assert.deepEqual([...alice.errors, ...bob.errors], []);
    });
  }
});
