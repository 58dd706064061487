// 1:1 calls between engines, with the browsers' fake camera and
// microphone: a video call each way between Chromium and Firefox, with
// frames decoded and sound arriving on both sides as the call's own
// statistics (getStats, in "Call info") show them; crossing calls ending in
// one; the callee's second tab going quiet when the first answers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BROWSERS, Person, Server, Turn, launch, uniqueName } from './harness.mjs';
import { auditThemes } from './axe.mjs';
import { expect } from './expect.mjs';

const pairs = BROWSERS.length > 1 ? [[BROWSERS[0], BROWSERS[1]], [BROWSERS[1], BROWSERS[0]]] : [];

const callScreen = (p) => p.page.getByRole('dialog', { name: 'Call' });
const status = (p) => callScreen(p).getByRole('status').textContent();
/** The figure beside `label` in "Call info". */
const figure = (p, label) => callScreen(p).locator('dt', { hasText: label }).locator('xpath=following-sibling::dd[1]').textContent();

/** Waits for media to flow (the timer runs), then for frames and sound per getStats. */
async function flowing(p, video) {
  await expect(() => status(p), (s) => /^\d+:\d\d$/.test(s ?? ''), 'the call timer runs', 30000);
  await callScreen(p).getByRole('button', { name: 'Call info' }).click();
  if (video) {
    await expect(async () => Number(await figure(p, 'Video frames decoded')), (n) => n > 10, 'video frames decoded', 20000);
  }
  await expect(async () => Number(await figure(p, 'Audio energy received')), (n) => n > 0, 'sound arrives', 20000);
  const mark = callScreen(p).locator('.call-who').getByRole('img');
  const quality = await expect(() => mark.getAttribute('aria-label'), (l) => /^Connection: (good|fair|poor)$/.test(l ?? ''), 'the connection\'s quality marked');
  return {
    quality,
    frames: Number(await figure(p, 'Video frames decoded')),
    energy: Number(await figure(p, 'Audio energy received')),
    codecs: await figure(p, 'Codecs'),
    path: await figure(p, 'Connection'),
  };
}

/**
 * Picks the last microphone listed in `p`'s "Devices" (Chromium's fake
 * device has three, Firefox's one): the other side still hears it, and
 * the choice stays picked.
 */
async function switchMicrophone(p, other, engine) {
  await callScreen(p).getByRole('button', { name: 'Devices' }).click();
  const mic = callScreen(p).getByRole('combobox', { name: 'Microphone' });
  const named = await expect(() => mic.locator('option').allTextContents(), (o) => o.length > 0, `microphones listed in ${engine}`);
  console.log(`# ${engine} microphones: ${JSON.stringify(named)}`);
  assert.ok(named.every((n) => n.length > 0), 'each microphone named');
  if (named.length < 2) return;
  const last = await mic.locator('option').last().getAttribute('value');
  await mic.selectOption(last);
  // Sound from the old microphone has arrived by now; the new one's must.
  await new Promise((r) => setTimeout(r, 2000));
  const before = Number(await figure(other, 'Audio energy received'));
  await expect(async () => Number(await figure(other, 'Audio energy received')), (n) => n > before, 'sound from the new microphone arrives', 20000);
  const devices = callScreen(p).getByRole('button', { name: 'Devices' });
  await devices.click();
  await devices.click();
  await expect(() => mic.inputValue(), last, 'the choice stays picked');
}

/**
 * A headset plugged in mid-call shows in the open Microphone list at once.
 * A headless browser cannot plug a device in: the page's device list gains
 * one and the browser's own `devicechange` event fires, as when one comes.
 */
async function plugHeadset(p, engine) {
  await p.page.evaluate(() => {
    const devices = navigator.mediaDevices;
    const listed = devices.enumerateDevices.bind(devices);
    const headset = Object.create(MediaDeviceInfo.prototype, {
      deviceId: { value: 'usb-headset' },
      kind: { value: 'audioinput' },
      label: { value: 'USB Headset' },
      groupId: { value: 'usb' },
    });
    devices.enumerateDevices = async () => [...(await listed()), headset];
    devices.dispatchEvent(new Event('devicechange'));
  });
  const mic = callScreen(p).getByRole('combobox', { name: 'Microphone' });
  await expect(() => mic.locator('option').allTextContents(), (o) => o.includes('USB Headset'), `the headset listed in ${engine}`);
}

/**
 * Picks the last speaker (Chromium's fake output has three; Firefox lists
 * none, so it shows no picker): the call's sound plays on it.
 */
async function switchSpeaker(p, engine) {
  const speaker = callScreen(p).getByRole('combobox', { name: 'Speaker' });
  const named = await speaker.locator('option').allTextContents();
  console.log(`# ${engine} speakers: ${JSON.stringify(named)}`);
  if (named.length === 0) return;
  const last = await speaker.locator('option').last().getAttribute('value');
  await speaker.selectOption(last);
  const sinks = () => p.page.evaluate(() => [...document.querySelectorAll('.call audio, .call video.remote')].map((e) => e.sinkId));
  await expect(sinks, (ids) => ids.length > 0 && ids.every((id) => id === last), 'the call plays on the chosen speaker');
}

/** The parts of the app loaded on first use (scripts/app.sh) that `p`'s page has fetched. */
const partsFetched = (p) => p.page.evaluate(() => performance.getEntriesByType('resource')
  .map((e) => new URL(e.name).pathname.split('/').pop()).filter((n) => /^(split|chunk)_.*\.wasm$/.test(n)));

/** Signs both up and opens their 1:1 chat on the caller's side. */
async function meet(caller, callee) {
  const names = [uniqueName('ann'), uniqueName('bob')];
  await callee.signUp(names[1]);
  await caller.signUp(names[0]);
  await caller.startDirect(names[1]);
  return { caller, callee, names };
}

describe('calls between engines', () => {
  let server;
  let browsers = {};
  let people = [];
  before(async () => {
    server = await new Server().start();
  });
  /** The last test's pages and browsers closed. */
  async function closeAll() {
    for (const p of people) await p.close().catch(() => {});
    for (const b of Object.values(browsers)) await b.close().catch(() => {});
    [people, browsers] = [[], {}];
  }
  after(async () => {
    await closeAll();
    await server?.dispose();
  });

  /**
   * Two people with a 1:1 chat, the caller's open, each in a browser of
   * the engine named. Each test has browsers of its own: in one Chromium,
   * a camera opened in a new context after another test's call gets no
   * frames from the fake device (a plain getUserMedia there hangs too).
   */
  async function pair(callerIn, calleeIn) {
    await closeAll();
    for (const name of new Set([callerIn, calleeIn])) browsers[name] = await launch(name);
    const caller = await Person.open(browsers[callerIn], server);
    const callee = await Person.open(browsers[calleeIn], server);
    people.push(caller, callee);
    return meet(caller, callee);
  }

  for (const [from, to] of pairs) {
    test(`a video call from ${from} to ${to}: both see and hear the other, and it stays in the chat`, async () => {
      const { caller, callee, names } = await pair(from, to);
      // The calls code is not in the first load: each page fetches it when
      // a call first needs it.
      // (Starting the chat fetched the New-chat dialog's part.)
      for (const p of [caller, callee]) assert.ok(!(await partsFetched(p)).includes('split_calls.wasm'), 'no calls code fetched before a call');
      await caller.page.getByRole('button', { name: 'Video call' }).click();
      await expect(() => status(caller), (s) => s === 'Calling…' || s === 'Ringing…', 'calling');
      await expect(() => status(callee), 'Incoming video call', 'it rings there', 15000);
      for (const p of [caller, callee]) assert.ok((await partsFetched(p)).includes('split_calls.wasm'), 'the calls code fetched for the call');
      await expect(() => callScreen(callee).getByRole('heading').textContent(), names[0], 'the caller named');
      await expect(() => status(caller), 'Ringing…', 'the caller hears it ring');
      await auditThemes(callee.page, `an incoming call in ${to}`);
      // Answered by keyboard: the answer button has focus.
      await callee.page.keyboard.press('Enter');
      const [mine, theirs] = await Promise.all([flowing(caller, true), flowing(callee, true)]).catch(async (e) => {
        for (const p of [caller, callee]) console.log('# info', await callScreen(p).locator('.call-info').textContent().catch(() => '-'));
        throw e;
      });
      console.log(`# ${from}→${to} getStats: caller ${JSON.stringify(mine)}, callee ${JSON.stringify(theirs)}`);
      assert.match(mine.codecs, /video\//, 'a video codec received');
      await switchMicrophone(caller, callee, from);
      await plugHeadset(caller, from);
      await switchSpeaker(caller, from);
      await auditThemes(caller.page, `a call with its info in ${from}`);
      await caller.page.setViewportSize({ width: 390, height: 844 });
      await auditThemes(caller.page, `a call on a phone in ${from}`);
      await callScreen(caller).getByRole('button', { name: 'Hang up' }).click();
      await expect(() => status(callee), 'Call ended', 'ended on the other side');
      await expect(() => callScreen(callee).count(), 0, 'the screen closes', 10000);
      // The call stays in the chat as an event both see.
      await callee.openChat(names[0]);
      await expect(() => callee.messages().last().textContent(), (t) => /Video call, 0:\d\d/.test(t ?? ''), 'the call in the chat');
      await expect(() => caller.messages().last().textContent(), (t) => /Video call, 0:\d\d/.test(t ?? ''), 'the call in the chat');
    });
  }

  for (const name of BROWSERS) {
    test(`in ${name} calls that cross end in one call, and a declined call says so`, async () => {
      const { caller, callee, names } = await pair(name, name);
      await callee.openChat(names[0]);
      // Both call at once: each page clicks at the same moment of the
      // machine's clock (clicked in turn, the first one's call may ring
      // on the second page before it clicks).
      const at = Date.now() + 500;
      await Promise.all([caller, callee].map((p) => p.page.getByRole('button', { name: 'Voice call' }).evaluate(
        (button, at) => new Promise((done) => setTimeout(() => done(button.click()), at - Date.now())), at)));
      await Promise.all([flowing(caller, false), flowing(callee, false)]);
      await callScreen(callee).getByRole('button', { name: 'Hang up' }).click();
      await expect(() => callScreen(caller).count(), 0, 'over for both', 15000);
      await expect(() => caller.messages().filter({ hasText: 'Call,' }).count(), 1, 'one call in the chat');

      await caller.page.getByRole('button', { name: 'Voice call' }).click();
      await expect(() => status(callee), 'Incoming call', 'it rings', 15000);
      await callScreen(callee).getByRole('button', { name: 'Decline' }).click();
      await expect(() => status(caller), 'Declined call', 'the caller is told');
      await expect(() => callee.messages().last().textContent(), (t) => t?.includes('Declined call'), 'in the chat');
    });
  }

  test('a call goes on when the socket reconnects mid-call (the server restarts)', async () => {
    const [from, to] = pairs[0] ?? [BROWSERS[0], BROWSERS[0]];
    const { caller, callee } = await pair(from, to);
    await caller.page.getByRole('button', { name: 'Video call' }).click();
    await expect(() => status(callee), 'Incoming video call', 'it rings', 15000);
    await callScreen(callee).getByRole('button', { name: 'Answer' }).click();
    const before = await Promise.all([flowing(caller, true), flowing(callee, true)]);
    await server.stop();
    await new Promise((r) => setTimeout(r, 2000));
    await server.start();
    for (const p of [caller, callee]) await p.waitOnline();
    // Media kept flowing, and flows on after the ICE restart.
    for (const [i, p] of [caller, callee].entries()) {
      await expect(async () => Number(await figure(p, 'Video frames decoded')), (n) => n > before[i].frames + 30, `frames still decoded in ${p === caller ? from : to}`, 20000);
    }
    assert.match(await status(caller), /^\d+:\d\d$/, 'still in the call');
    // Minimised, the call is a bar and the app is usable under it.
    await callScreen(caller).getByRole('button', { name: 'Minimise' }).click();
    const bar = caller.page.getByRole('region', { name: 'Call' });
    await expect(() => bar.getByRole('status').textContent(), (s) => /^\d+:\d\d$/.test(s ?? ''), 'the bar keeps time');
    await caller.page.getByRole('button', { name: 'Search in this chat' }).click();
    await expect(() => caller.page.getByRole('searchbox', { name: 'Search in this chat' }).count(), 1, 'the chat under the bar works');
    await bar.getByRole('button', { name: 'Minimise' }).click();
    await expect(() => callScreen(caller).count(), 1, 'full screen again');
    await callScreen(caller).getByRole('button', { name: 'Hang up' }).click();
    await expect(() => callScreen(callee).count(), 0, 'over', 15000);
  });

  test('the callee\'s second tab stops ringing when the first answers', async () => {
    const name = BROWSERS[0];
    const { caller, callee, names } = await pair(name, name);
    const second = await Person.open(browsers[name], server);
    people.push(second);
    await second.signIn(names[1]);
    await caller.page.getByRole('button', { name: 'Voice call' }).click();
    await expect(() => status(callee), 'Incoming call', 'rings on the first', 15000);
    await expect(() => status(second), 'Incoming call', 'rings on the second', 15000);
    await callScreen(callee).getByRole('button', { name: 'Answer' }).click();
    await expect(() => callScreen(second).count(), 0, 'the second stops ringing', 10000);
    await flowing(caller, false);
    await callScreen(caller).getByRole('button', { name: 'Hang up' }).click();
    await expect(() => callScreen(callee).count(), 0, 'over', 15000);
  });
});

describe('calls through a TURN relay only', () => {
  const browsers = {};
  let server;
  let turn;
  const people = [];
  before(async () => {
    for (const name of BROWSERS) browsers[name] = await launch(name);
    turn = await new Turn().start();
    server = await new Server({ args: turn.serverArgs() }).start();
  });
  after(async () => {
    for (const p of people) await p.close().catch(() => {});
    for (const b of Object.values(browsers)) await b.close();
    await server?.dispose();
    await turn?.dispose();
  });

  test('a video call between engines goes through coturn', async () => {
    const [from, to] = pairs[0] ?? [BROWSERS[0], BROWSERS[0]];
    const caller = await Person.open(browsers[from], server);
    const callee = await Person.open(browsers[to], server);
    people.push(caller, callee);
    await meet(caller, callee);
    await caller.page.getByRole('button', { name: 'Video call' }).click();
    await expect(() => status(callee), 'Incoming video call', 'it rings', 15000);
    await callScreen(callee).getByRole('button', { name: 'Answer' }).click();
    const stats = await Promise.all([flowing(caller, true), flowing(callee, true)]);
    console.log(`# relayed getStats: ${JSON.stringify(stats)}`);
    for (const s of stats) assert.equal(s.path, 'relay', 'the path is the relay');
    await callScreen(caller).getByRole('button', { name: 'Hang up' }).click();
  });
});
