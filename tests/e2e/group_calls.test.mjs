// A group's video chat through the server's own SFU, with the browsers'
// fake cameras and microphones: three members (across Chromium and
// Firefox) each get the others' voices and cameras, a shared screen
// reaches the others, a raised hand and a muted microphone show on every
// screen, and the call stays in the chat when the last one leaves; after
// the server restarts mid-call, its members are back in it by themselves;
// in a cluster, members on two nodes are in one call, on one SFU.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BROWSERS, Cluster, Person, Server, launch, uniqueName } from './harness.mjs';
import { auditThemes } from './axe.mjs';
import { expect } from './expect.mjs';

// Ann and Cy in the first engine, Bob in the second: each engine sends to
// and gets from the other.
const engines = [BROWSERS[0], BROWSERS[1] ?? BROWSERS[0], BROWSERS[0]];

const callScreen = (p) => p.page.getByRole('dialog', { name: 'Video chat' });
const status = (p) => callScreen(p).getByRole('status').textContent();
const tile = (p, name) => callScreen(p).getByRole('list', { name: 'Participants' }).getByRole('listitem').filter({ hasText: name });

/** How far each of the page's media elements matching `selector` has
 * played (for a video, the frames it has shown), and the video's size:
 * what a person sees moving. */
const playing = (p, selector) => p.page.evaluate((selector) => [...document.querySelectorAll(selector)]
  .map((m) => ({
    // Firefox counts a stream's frames only in its own mozPaintedFrames.
    played: m instanceof HTMLVideoElement ? m.getVideoPlaybackQuality().totalVideoFrames || (m.mozPaintedFrames ?? 0) : m.currentTime,
    width: m.videoWidth ?? 0,
  })), selector);

/** Waits until `count` elements matching `selector` play on: a size if
 * video, and frames or time that move on between two looks. */
async function flows(p, selector, count, what) {
  const first = await expect(() => playing(p, selector),
    (ms) => ms.length === count && ms.every((m) => m.played > 0 && (!selector.includes('video') || m.width > 0)),
    `${what} in ${p.engine}`, 30000);
  await expect(() => playing(p, selector),
    (ms) => ms.length === count && ms.every((m, i) => m.played > first[i].played + 5 * Number(selector.includes('video'))),
    `${what} moving on in ${p.engine}`, 15000);
  return first.map((m) => m.width);
}

describe('a group video chat through the SFU', () => {
  let server;
  const browsers = {};
  const people = [];
  before(async () => {
    server = await new Server().start();
    for (const name of new Set(engines)) browsers[name] = await launch(name);
  });
  after(async () => {
    for (const p of people) await p.close().catch(() => {});
    for (const b of Object.values(browsers)) await b.close().catch(() => {});
    await server?.dispose();
  });

  test(`three members in ${[...new Set(engines)].join(' and ')} see and hear each other, share a screen, raise a hand`, async () => {
    const names = ['ann', 'bob', 'cy'].map(uniqueName);
    for (const engine of engines) {
      const p = await Person.open(browsers[engine], server);
      p.engine = engine;
      people.push(p);
    }
    const [ann, bob, cy] = people;
    for (const [i, p] of people.entries()) await p.signUp(names[i]);
    const group = uniqueName('Standup');
    await ann.createGroup(group, [names[1], names[2]]);

    await ann.page.getByRole('button', { name: 'Start video chat' }).click();
    await expect(() => status(ann), '1 participant', 'ann in the call', 20000);
    for (const [i, p] of [bob, cy].entries()) {
      await p.openChat(group);
      const bar = p.page.getByRole('region', { name: 'Video chat' });
      const going = `Video chat · ${i + 1} participant${i ? 's' : ''}`;
      await expect(() => bar.textContent(), (t) => t?.startsWith(going), `the call shown in ${p.engine}`);
      await bar.getByRole('button', { name: 'Join the video chat' }).click();
      await expect(() => status(p), `${i + 2} participants`, `in the call in ${p.engine}`, 20000);
    }
    for (const p of people) await expect(() => status(p), '3 participants', `three in the call in ${p.engine}`, 20000);

    // Everyone's camera on: each sees the two others' and hears their voices.
    for (const p of people) await callScreen(p).getByRole('button', { name: 'Camera' }).click();
    for (const p of people) {
      await flows(p, '.group-tile video:not(.mine)', 2, 'the others\' cameras');
      await flows(p, '.group-call audio', 2, 'the others\' voices');
    }

    // One in Chromium shares a screen (its fake one is 1280×720; headless
    // Firefox has no screen to share: NotFoundError): it reaches both
    // others large, and nobody else's shows.
    const sharer = people.find((p) => p.engine === 'chromium');
    if (sharer) {
      const sharerName = names[people.indexOf(sharer)];
      await callScreen(sharer).getByRole('button', { name: 'Share screen' }).click();
      for (const p of people.filter((p) => p !== sharer)) {
        await expect(() => callScreen(p).getByRole('figure').textContent(), `Screen of ${sharerName}`, `the shared screen named in ${p.engine}`, 20000);
        const [width] = await flows(p, '.group-screen video', 1, 'the shared screen');
        assert.ok(width >= 640, `the screen comes large to ${p.engine} (${width} px wide)`);
      }
    }

    // Headless Firefox has no screen to share: its member is told so.
    const screenless = people.find((p) => p.engine === 'firefox');
    if (screenless) {
      await callScreen(screenless).getByRole('button', { name: 'Share screen' }).click();
      await expect(() => callScreen(screenless).getByRole('alert').textContent(), 'The screen could not be shared', `a failed share said in ${screenless.engine}`);
    }

    // The call's statistics and devices, as in a 1:1 call.
    await callScreen(ann).getByRole('button', { name: 'Call info' }).click();
    const frames = () => callScreen(ann).locator('dt', { hasText: 'Video frames decoded' }).locator('xpath=following-sibling::dd[1]').textContent();
    await expect(async () => Number(await frames()), (n) => n > 10, 'frames decoded, per getStats', 20000);
    const quality = await callScreen(ann).locator('.call-who').getByRole('img').getAttribute('aria-label');
    assert.match(quality ?? '', /^Connection: (good|fair|poor)$/, 'the connection\'s quality marked');
    await callScreen(ann).getByRole('button', { name: 'Devices' }).click();
    await expect(() => callScreen(ann).getByRole('combobox', { name: 'Microphone' }).locator('option').count(), (n) => n > 0, 'the microphones listed');

    // Bob raises his hand, Cy mutes: everyone sees both.
    await callScreen(bob).getByRole('button', { name: 'Raise hand' }).click();
    await callScreen(cy).getByRole('button', { name: 'Mute' }).click();
    for (const p of people) {
      await expect(() => tile(p, names[1]).getByRole('img', { name: 'hand raised' }).count(), 1, `bob's hand in ${p.engine}`);
      await expect(() => tile(p, names[2]).getByRole('img', { name: 'muted' }).count(), 1, `cy muted in ${p.engine}`);
    }
    assert.equal(await callScreen(cy).getByRole('button', { name: 'Mute' }).getAttribute('aria-pressed'), 'true');

    await auditThemes(ann.page, `a group call in ${ann.engine}`);
    await auditThemes(bob.page, `a group call in ${bob.engine}`);
    await bob.page.setViewportSize({ width: 390, height: 844 });
    await auditThemes(bob.page, `a group call on a phone in ${bob.engine}`);

    // Minimised, the call leaves the chat usable; the last one out ends it.
    await callScreen(cy).getByRole('button', { name: 'Minimise' }).click();
    await expect(() => callScreen(cy).count(), 0, 'the call minimised');
    await cy.page.getByRole('region', { name: 'Video chat' }).getByRole('button', { name: 'Leave' }).click();
    for (const p of [ann, bob]) await expect(() => status(p), '2 participants', `cy gone in ${p.engine}`);
    await flows(bob, '.group-tile video:not(.mine)', 1, 'ann\'s camera after cy left');
    for (const p of [ann, bob]) await callScreen(p).getByRole('button', { name: 'Leave' }).click();
    for (const p of people) {
      await expect(() => p.messages().last().textContent(), (t) => /Video call, \d+:\d\d/.test(t ?? ''), `the call in the chat in ${p.engine}`);
      assert.deepEqual(p.errors, [], `no errors in ${p.engine}`);
    }
  });
  /** Ann and Bob, in the first two engines, each on the server of
   * `servers` at their place, in a group of Ann's named after `title`. */
  async function twoInAGroup(servers, title) {
    const names = ['ann', 'bob'].map(uniqueName);
    const two = [];
    for (const [i, engine] of engines.slice(0, 2).entries()) {
      const p = await Person.open(browsers[engine], servers[i]);
      p.engine = engine;
      people.push(p);
      two.push(p);
    }
    for (const [i, p] of two.entries()) await p.signUp(names[i]);
    const group = uniqueName(title);
    await two[0].createGroup(group, [names[1]]);
    return { two, names, group };
  }

  test('after the server restarts, the call\'s members join it again by themselves, cameras on', async () => {
    const { two, names, group } = await twoInAGroup([server, server], 'Night shift');
    const [ann, bob] = two;
    await ann.page.getByRole('button', { name: 'Start video chat' }).click();
    await expect(() => status(ann), '1 participant', 'ann in the call', 20000);
    await bob.openChat(group);
    await bob.page.getByRole('region', { name: 'Video chat' }).getByRole('button', { name: 'Join the video chat' }).click();
    for (const p of two) await expect(() => status(p), '2 participants', `both in the call in ${p.engine}`, 20000);
    for (const p of two) await callScreen(p).getByRole('button', { name: 'Camera' }).click();
    await callScreen(bob).getByRole('button', { name: 'Mute' }).click();
    for (const p of two) await flows(p, '.group-tile video:not(.mine)', 1, 'the other\'s camera');

    // The server (and its SFU, and the call it held) goes away and comes back.
    await server.stop();
    await new Promise((r) => setTimeout(r, 1000));
    await server.start();
    for (const p of two) {
      await p.waitOnline();
      await expect(() => status(p), '2 participants', `back in the call in ${p.engine}`, 30000);
    }
    for (const p of two) await flows(p, '.group-tile video:not(.mine)', 1, 'the other\'s camera again');
    await expect(() => tile(ann, names[1]).getByRole('img', { name: 'muted' }).count(), 1, 'bob still muted');
    for (const p of two) await callScreen(p).getByRole('button', { name: 'Leave' }).click();
    for (const p of two) assert.deepEqual(p.errors, [], `no errors in ${p.engine}`);
  });

  test('in a cluster, members whose pages are on two nodes are in one call and see each other', async () => {
    const cluster = await new Cluster(2).start();
    try {
      // Each page on a node of its own (not through nginx, which might put
      // both on one).
      const { two, group } = await twoInAGroup(cluster.nodes, 'Two sites');
      const [ann, bob] = two;
      await ann.page.getByRole('button', { name: 'Start video chat' }).click();
      await expect(() => status(ann), '1 participant', 'ann in the call on the first node', 20000);
      // Bob's node hears of the call from Ann's, and his join goes to it.
      await bob.openChat(group);
      const bar = bob.page.getByRole('region', { name: 'Video chat' });
      await expect(() => bar.textContent(), (t) => t?.startsWith('Video chat · 1 participant'), 'the call shown on the second node');
      await bar.getByRole('button', { name: 'Join the video chat' }).click();
      for (const p of two) await expect(() => status(p), '2 participants', `one call of two in ${p.engine}`, 20000);
      for (const p of two) await callScreen(p).getByRole('button', { name: 'Camera' }).click();
      for (const p of two) {
        await flows(p, '.group-tile video:not(.mine)', 1, 'the other\'s camera across nodes');
        await flows(p, '.group-call audio', 1, 'the other\'s voice across nodes');
      }
      for (const p of two) await callScreen(p).getByRole('button', { name: 'Leave' }).click();
      for (const p of two) {
        await expect(() => p.messages().last().textContent(), (t) => /Video call, \d+:\d\d/.test(t ?? ''), `the call in the chat in ${p.engine}`);
        assert.deepEqual(p.errors, [], `no errors in ${p.engine}`);
      }
    } finally {
      await cluster.dispose();
    }
  });
});
