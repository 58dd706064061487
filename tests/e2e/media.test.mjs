// Files end to end: photos with their EXIF position stripped (unless sent
// as files) and their placeholders, a large file paused and resumed, a
// message shown at once and sent only when its upload is done, also after
// a reload, an upload that outlives the server being killed,
// who may fetch a file (not a stranger, not a member removed from the
// chat), and a disappearing message's file leaving the server's disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, openSync, readdirSync, statSync, writeSync, closeSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eachBrowser, stored, uniqueName } from './harness.mjs';
import { expect } from './expect.mjs';

const dir = mkdtempSync(join(tmpdir(), 'courier-media-'));
const MB = 1024 * 1024;

// The bytes of an EXIF block (APP1) whose GPS directory holds a latitude
// reference "N" and a marker string no encoder writes by itself.
const GPS_MARK = 'GPS-SECRET-PLACE';
function exifWithGps() {
  const tiff = [];
  const u16 = (v) => tiff.push((v >> 8) & 255, v & 255);
  const u32 = (v) => { u16(v >>> 16); u16(v & 0xffff); };
  tiff.push(0x4d, 0x4d); u16(42); u32(8); // big-endian TIFF, IFD0 at 8
  u16(1); u16(0x8825); u16(4); u32(1); u32(26); u32(0); // IFD0: GPSInfo → 26
  u16(2); // GPS IFD: two entries
  u16(0x0001); u16(2); u32(2); tiff.push(0x4e, 0, 0, 0); // GPSLatitudeRef "N"
  u16(0x001b); u16(7); u32(GPS_MARK.length); u32(26 + 2 + 24 + 4); // GPSProcessingMethod
  u32(0);
  for (const c of GPS_MARK) tiff.push(c.charCodeAt(0));
  const body = [...Buffer.from('Exif\0\0'), ...tiff];
  const length = body.length + 2;
  return Buffer.from([0xff, 0xe1, length >> 8, length & 255, ...body]);
}

/** A JPEG drawn by the browser, with GPS EXIF put in after its SOI. */
async function photoWithGps(page, name, hue) {
  const b64 = await page.evaluate(async (hue) => {
    const c = document.createElement('canvas');
    c.width = 640; c.height = 480;
    const g = c.getContext('2d');
    g.fillStyle = `hsl(${hue} 70% 50%)`;
    g.fillRect(0, 0, 640, 480);
    g.fillStyle = '#fff';
    g.fillRect(100, 100, 200, 120);
    const blob = await new Promise((r) => c.toBlob(r, 'image/jpeg', 0.9));
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let s = '';
    for (const b of bytes) s += String.fromCharCode(b);
    return btoa(s);
  }, hue);
  const jpeg = Buffer.from(b64, 'base64');
  const withGps = Buffer.concat([jpeg.subarray(0, 2), exifWithGps(), jpeg.subarray(2)]);
  assert.ok(withGps.includes(GPS_MARK));
  const path = join(dir, name);
  writeFileSync(path, withGps);
  return path;
}

/** A file of `size` bytes of a repeating pattern, written in 8 MB steps. */
function bigFile(name, size) {
  const path = join(dir, name);
  const fd = openSync(path, 'w');
  const step = Buffer.alloc(8 * MB);
  for (let i = 0; i < step.length; i++) step[i] = (i * 31) & 255;
  for (let at = 0; at < size; at += step.length) writeSync(fd, step, 0, Math.min(step.length, size - at));
  closeSync(fd);
  return path;
}

/** The tray's line for a file being uploaded. */
function tray(p, name) {
  return p.page.getByRole('list', { name: 'Files to send' }).getByRole('listitem').filter({ hasText: name });
}

async function attach(p, paths) {
  await p.page.locator('input.picker').setInputFiles(paths);
}

/**
 * Attaches with each chunk of an upload held back 100 ms, for a test
 * that pauses an upload midway: at full speed here a 60 MB upload may
 * end before the click on "Pause" lands.
 */
async function attachSlowly(p, paths) {
  await p.page.route(/\/api\/uploads\/[^/]+$/, async (route) => {
    if (route.request().method() === 'PATCH') await new Promise((r) => setTimeout(r, 100));
    // The server may be down (a test stops it): the request fails as it would.
    await route.continue().catch(() => {});
  });
  await attach(p, paths);
}

/** The sizes of the blobs a file's bytes are kept in on the server's
 * disk: `<data>/blobs/files/<id>/<start>-<nonce>` (server/src/kernel/blob.rs,
 * features/media/service.rs). */
function blobsOf(server, id) {
  const at = join(server.data, 'blobs', 'files', id);
  return existsSync(at) ? readdirSync(at).map((name) => statSync(join(at, name)).size) : [];
}

/** What `fetch` in a person's page gets for a URL: status, and for a
 * JPEG whether it has EXIF and the GPS marker. */
function fetchIn(p, url, headers = {}) {
  return p.page.evaluate(async ({ url, headers, mark }) => {
    const r = await fetch(url, { headers });
    const bytes = new Uint8Array(await r.arrayBuffer());
    const text = Array.from(bytes.subarray(0, 4096), (b) => String.fromCharCode(b)).join('');
    return {
      status: r.status,
      range: r.headers.get('content-range'),
      type: r.headers.get('content-type'),
      jpeg: bytes[0] === 0xff && bytes[1] === 0xd8,
      exif: text.includes('Exif\0\0'),
      gps: bytes.length < 4 * 1024 * 1024 && Array.from(bytes, (b) => String.fromCharCode(b)).join('').includes(mark),
      length: bytes.length,
    };
  }, { url, headers, mark: GPS_MARK });
}

eachBrowser((person) => {
  test('an album of photos reaches the other side without its GPS position', async () => {
    const [alice, bob, carol] = [await person(), await person(), await person()];
    const [a, b] = [uniqueName('alice'), uniqueName('bob')];
    await alice.signUp(a);
    await bob.signUp(b);
    await carol.signUp(uniqueName('carol'));
    await alice.startDirect(b);
    const photos = [];
    for (const [i, hue] of [[1, 0], [2, 120], [3, 240]]) photos.push(await photoWithGps(alice.page, `trip-${i}.jpg`, hue));
    await attach(alice, photos);
    for (let i = 1; i <= 3; i++) {
      await expect(() => tray(alice, `trip-${i}.jpg`).getByRole('status').textContent(), 'Uploaded', `trip-${i}.jpg uploaded`);
    }
    await alice.send('Our trip');
    await bob.openChat(a);
    await bob.waitTexts(['Our trip']);
    const album = bob.messages().last().locator('.media.album img');
    await expect(() => album.count(), 3, 'three photos in one album');
    await expect(() => album.evaluateAll((imgs) => imgs.every((i) => i.complete && i.naturalWidth === 640)), true, 'photos shown');
    // Each came with its shape and a placeholder made in the sender's
    // browser (a thumbhash), drawn behind it before its bytes arrive.
    const frames = bob.messages().last().locator('button.photo');
    assert.deepEqual(await frames.evaluateAll((bs) => bs.map((b) => [b.style.aspectRatio, /^url\("data:image\/png/.test(b.style.backgroundImage)])),
      [['640 / 480', true], ['640 / 480', true], ['640 / 480', true]]);
    // The viewer: arrows, zoom, Escape back to the photo.
    await bob.messages().last().getByRole('button', { name: 'Open photo' }).first().click();
    const viewer = bob.page.getByRole('dialog', { name: 'Photo viewer' });
    await expect(() => viewer.locator('.viewer-bar .muted').textContent(), '1 / 3');
    await bob.page.keyboard.press('ArrowRight');
    await expect(() => viewer.locator('.viewer-bar .muted').textContent(), '2 / 3', 'the next photo');
    await viewer.getByRole('button', { name: 'Zoom' }).click();
    assert.match(await viewer.locator('.viewer-stage img').getAttribute('style'), /scale\(2\)/);
    assert.ok(await viewer.getByRole('link', { name: 'Download' }).getAttribute('download'));
    await bob.page.keyboard.press('Escape');
    await expect(() => viewer.count(), 0, 'closed');
    assert.equal(await bob.page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Open photo', 'focus back on the photo');
    const src = await album.first().getAttribute('src');
    const got = await fetchIn(bob, src);
    assert.deepEqual([got.status, got.type, got.jpeg, got.exif, got.gps], [200, 'image/jpeg', true, false, false],
      'a JPEG with no EXIF and no GPS position');
    // Without bob's account in the query: carol's own session asks.
    const stranger = await fetchIn(carol, src.split('?')[0]);
    assert.equal(stranger.status, 404, 'a stranger gets 404');
    assert.deepEqual([...alice.errors, ...bob.errors], []);
  });

  test('a removed member gets 404 for the file', async () => {
    const [ana, ben] = [await person(), await person()];
    const b = uniqueName('ben');
    await ana.signUp(uniqueName('ana'));
    await ben.signUp(b);
    const group = uniqueName('crew');
    await ana.createGroup(group);
    const link = await ana.inviteLink();
    await ben.joinByLink(link);
    await ben.waitChatOpen(group);
    const size = 100 * 1024;
    await attach(ana, [bigFile('minutes.bin', size)]);
    await expect(() => tray(ana, 'minutes.bin').getByRole('status').textContent(), 'Uploaded', 'uploaded');
    await ana.send('the minutes');
    await ben.waitTexts(['the minutes']);
    const file = ben.messages().last().locator('a.file');
    await expect(() => file.textContent(), (t) => t.includes('minutes.bin'), 'the file shown to ben');
    const href = await file.getAttribute('href');
    const before = await fetchIn(ben, href);
    assert.deepEqual([before.status, before.length], [200, size], 'a member reads the file');

    await ana.page.getByRole('button', { name: 'Members' }).click();
    await ana.page.getByRole('button', { name: `Remove ${b}` }).click();
    await expect(() => ben.page.getByText('You are no longer a member of this chat.').count(), 1, 'told they are out');
    await expect(() => ben.chatLink(group).count(), 0, 'the chat left the list');
    const after = await fetchIn(ben, href);
    assert.equal(after.status, 404, 'the removed member gets 404');
    assert.ok(after.length < size, 'and none of the bytes');
    const bare = await fetchIn(ben, href.split('?')[0]);
    assert.equal(bare.status, 404, 'by the bare address too');
    const owner = await fetchIn(ana, href.split('?')[0]);
    assert.deepEqual([owner.status, owner.length], [200, size], 'ana still reads it');
    assert.deepEqual([...ana.errors, ...ben.errors], []);
  });

  test('a disappearing message\'s file is gone from the store after it expires', async () => {
    const [alice, bob] = [await person(), await person()];
    const [a, b] = [uniqueName('alice'), uniqueName('bob')];
    await alice.signUp(a);
    await bob.signUp(b);
    await alice.startDirect(b);
    await bob.openChat(a);
    // A short timer, set through the API as the everyday test does.
    const chat = (await stored(alice.page, 'chats')).find((c) => c.title === b).id;
    const ttl = await alice.page.evaluate(async (chat) => (await fetch(`/api/chats/${chat}`, {
      method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ttl_s: 5 }),
    })).status, chat);
    assert.equal(ttl, 200);

    const size = 300 * 1024;
    // The file's id, from where the tus upload was created.
    const created = alice.page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/uploads');
    await attach(alice, [bigFile('fleeting.bin', size)]);
    const id = (await created).headers().location.split('/').pop();
    await expect(() => tray(alice, 'fleeting.bin').getByRole('status').textContent(), 'Uploaded', 'uploaded');
    const kept = blobsOf(alice.server, id);
    assert.equal(kept.reduce((sum, n) => sum + n, 0), size, `its bytes in the blob store (${kept})`);
    const media = `/api/media/${id}`;
    const before = await fetchIn(alice, media);
    assert.deepEqual([before.status, before.length], [200, size], 'served before it expires');

    await alice.send('gone in a moment');
    await bob.waitTexts(['gone in a moment']);
    const href = await bob.messages().last().locator('a.file').getAttribute('href');
    assert.equal(href.split('?')[0], media, 'bob was shown this file');
    await bob.waitTexts([]);
    await alice.waitTexts([]);
    await expect(() => blobsOf(alice.server, id).length, 0, 'its bytes gone from the blob store', 20000);
    for (const p of [alice, bob]) {
      const got = await fetchIn(p, media);
      assert.equal(got.status, 404, `${p.username} gets 404`);
    }
    assert.deepEqual([...alice.errors, ...bob.errors], []);
  });

  test('a 200 MB file shows its progress, pauses, resumes and downloads on the other side', async () => {
    const [alice, bob] = [await person(), await person()];
    const [a, b] = [uniqueName('alice'), uniqueName('bob')];
    await alice.signUp(a);
    await bob.signUp(b);
    await alice.startDirect(b);
    const size = 200 * MB;
    await attach(alice, [bigFile('archive.bin', size)]);
    const line = tray(alice, 'archive.bin');
    const progress = line.locator('progress');
    await expect(() => progress.evaluate((p) => p.value), (v) => v > 0, 'progress shown');
    await line.getByRole('button', { name: 'Pause upload' }).click();
    await expect(() => line.getByRole('status').textContent(), 'Paused');
    const paused = await progress.evaluate((p) => p.value);
    await new Promise((r) => setTimeout(r, 1000));
    // At most the chunk in flight when pausing lands.
    const later = await progress.evaluate((p) => p.value);
    assert.ok(later - paused <= 2 * MB, `paused at ${paused}, then ${later}`);
    assert.ok(later < size, 'not done while paused');
    await line.getByRole('button', { name: 'Resume upload' }).click();
    await expect(() => line.getByRole('status').textContent(), 'Uploaded', 'uploaded', 120000);
    await alice.send('the archive');
    await bob.openChat(a);
    await bob.waitTexts(['the archive']);
    const link = bob.messages().last().locator('a.file');
    await expect(() => link.textContent(), (t) => t.includes('archive.bin') && t.includes('200.0 MB'), 'name and size');
    const head = await fetchIn(bob, await link.getAttribute('href'), { Range: 'bytes=209715100-' });
    assert.deepEqual([head.status, head.range, head.length], [206, `bytes 209715100-209715199/${size}`, 100]);
  });

  test('an upload a reload interrupted shows as such and resumes from the server\'s offset', async () => {
    const [alice, bob] = [await person(), await person()];
    const [a, b] = [uniqueName('alice'), uniqueName('bob')];
    await alice.signUp(a);
    await bob.signUp(b);
    await alice.startDirect(b);
    const path = bigFile('long-take.bin', 60 * MB);
    await attachSlowly(alice, [path]);
    const line = tray(alice, 'long-take.bin');
    await expect(() => line.locator('progress').evaluate((p) => p.value), (v) => v > 4 * MB, 'some sent');
    await line.getByRole('button', { name: 'Pause upload' }).click();
    await expect(() => line.getByRole('status').textContent(), 'Paused');
    await new Promise((r) => setTimeout(r, 500));
    const held = await line.locator('progress').evaluate((p) => p.value);
    await alice.page.reload();
    await alice.waitOnline();
    await alice.openChat(b);
    await expect(() => line.getByRole('status').textContent(), 'Interrupted: choose the file again to go on', 'shown as interrupted');
    const offsets = [];
    alice.page.on('request', (r) => {
      if (r.method() === 'PATCH') offsets.push(Number(r.headers()['upload-offset']));
    });
    await attach(alice, [path]);
    await expect(() => line.getByRole('status').textContent(), 'Uploaded', 'uploaded', 60000);
    assert.ok(offsets.length > 0 && offsets[0] >= held, `resumed at ${offsets[0]}, not from 0 (held ${held})`);
    await alice.send('the long take');
    await bob.openChat(a);
    await bob.waitTexts(['the long take']);
    const href = await bob.messages().last().locator('a.file').getAttribute('href');
    const whole = await fetchIn(bob, href);
    assert.deepEqual([whole.status, whole.length], [200, 60 * MB]);
  });

  test('an upload goes on after the server is killed mid-way', async () => {
    const [alice, bob] = [await person(), await person()];
    const [a, b] = [uniqueName('alice'), uniqueName('bob')];
    await alice.signUp(a);
    await bob.signUp(b);
    await alice.startDirect(b);
    await attachSlowly(alice, [bigFile('survivor.bin', 60 * MB)]);
    const line = tray(alice, 'survivor.bin');
    await expect(() => line.locator('progress').evaluate((p) => p.value), (v) => v > 4 * MB, 'some sent');
    await line.getByRole('button', { name: 'Pause upload' }).click();
    const server = alice.server;
    await server.stop();
    await line.getByRole('button', { name: 'Resume upload' }).click();
    await new Promise((r) => setTimeout(r, 1500));
    await server.start();
    await expect(() => line.getByRole('status').textContent(), 'Uploaded', 'uploaded after the restart', 60000);
    await alice.waitOnline();
    await alice.send('made it');
    await bob.waitOnline();
    await bob.openChat(a);
    await bob.waitTexts(['made it']);
    const href = await bob.messages().last().locator('a.file').getAttribute('href');
    const whole = await fetchIn(bob, href);
    assert.deepEqual([whole.status, whole.length], [200, 60 * MB]);
  });

  test('a message with a file shows at once with its progress and goes only when the upload is done', async () => {
    const [alice, bob] = [await person(), await person()];
    const [a, b] = [uniqueName('alice'), uniqueName('bob')];
    await alice.signUp(a);
    await bob.signUp(b);
    await alice.startDirect(b);
    await alice.send('hello');
    await bob.openChat(a);
    await bob.waitTexts(['hello']);
    await attachSlowly(alice, [bigFile('held.bin', 60 * MB)]);
    const line = tray(alice, 'held.bin');
    await expect(() => line.locator('progress').evaluate((p) => p.value), (v) => v > 0, 'uploading');
    await line.getByRole('button', { name: 'Pause upload' }).click();
    await alice.send('held back');
    const mine = alice.messages().filter({ hasText: 'held back' });
    await expect(() => mine.locator('.uploading progress').count(), 1, 'its progress in the message');
    await expect(() => mine.getByRole('status').textContent(), 'Paused');
    assert.equal(await mine.locator('.state.pending').count(), 1, 'pending');
    assert.equal(await alice.page.locator('.attachments').count(), 0, 'the tray is empty');
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await bob.messages().filter({ hasText: 'held back' }).count(), 0, 'not sent while its file uploads');
    await mine.getByRole('button', { name: 'Resume upload' }).click();
    await bob.waitTexts(['hello', 'held back']);
    await expect(() => bob.messages().last().locator('a.file').textContent(), (t) => t.includes('held.bin'), 'the file arrives');
    await expect(() => mine.locator('.state.pending').count(), 0, 'sent');
    assert.deepEqual([...alice.errors, ...bob.errors], []);
  });

  test('a sent message whose upload a reload ended shows as interrupted and goes when its file is chosen again', async () => {
    const [alice, bob] = [await person(), await person()];
    const [a, b] = [uniqueName('alice'), uniqueName('bob')];
    await alice.signUp(a);
    await bob.signUp(b);
    await alice.startDirect(b);
    const path = bigFile('after-reload.bin', 60 * MB);
    await attachSlowly(alice, [path]);
    const line = tray(alice, 'after-reload.bin');
    await expect(() => line.locator('progress').evaluate((p) => p.value), (v) => v > 4 * MB, 'some sent');
    await line.getByRole('button', { name: 'Pause upload' }).click();
    await alice.send('after the reload');
    const mine = alice.messages().filter({ hasText: 'after the reload' });
    await expect(() => mine.getByRole('status').textContent(), 'Paused');
    await new Promise((r) => setTimeout(r, 500));
    const held = await mine.locator('progress').evaluate((p) => p.value);
    await alice.page.reload();
    await alice.waitOnline();
    await alice.openChat(b);
    await expect(() => mine.getByRole('status').textContent(), 'Upload interrupted: choose the files again to send', 'shown as interrupted');
    assert.equal(await alice.page.locator('.attachments').count(), 0, 'not in the tray as well');
    const offsets = [];
    alice.page.on('request', (r) => {
      if (r.method() === 'PATCH') offsets.push(Number(r.headers()['upload-offset']));
    });
    await mine.locator('input.picker').setInputFiles([path]);
    await bob.openChat(a);
    await bob.waitTexts(['after the reload']);
    assert.ok(offsets.length > 0 && offsets[0] >= held, `resumed at ${offsets[0]}, not from 0 (held ${held})`);
    const href = await bob.messages().last().locator('a.file').getAttribute('href');
    const whole = await fetchIn(bob, href);
    assert.deepEqual([whole.status, whole.length], [200, 60 * MB]);
  });

  test('a sent message whose upload a reload ended can be deleted, and the server lets its bytes go', async () => {
    const [alice, bob] = [await person(), await person()];
    const [a, b] = [uniqueName('alice'), uniqueName('bob')];
    await alice.signUp(a);
    await bob.signUp(b);
    await alice.startDirect(b);
    await attachSlowly(alice, [bigFile('given-up.bin', 60 * MB)]);
    const line = tray(alice, 'given-up.bin');
    await expect(() => line.locator('progress').evaluate((p) => p.value), (v) => v > 0, 'some sent');
    await line.getByRole('button', { name: 'Pause upload' }).click();
    await alice.send('never mind');
    const upload = await alice.page.evaluate(() => Object.entries(localStorage).find(([k]) => k.includes('given-up.bin'))?.[1].split(' ')[0]);
    assert.ok(upload, 'the upload is remembered');
    await alice.page.reload();
    await alice.waitOnline();
    await alice.openChat(b);
    const mine = alice.messages().filter({ hasText: 'never mind' });
    await mine.getByRole('button', { name: 'Delete' }).click();
    await expect(() => mine.count(), 0, 'the message is gone');
    const status = () => alice.page.evaluate((id) => fetch(`/api/uploads/${id}`, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } }).then((r) => r.status), upload);
    await expect(status, 404, 'the upload is ended on the server');
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await alice.messages().filter({ hasText: 'never mind' }).count(), 0, 'nothing was sent');
    await bob.openChat(a);
    assert.equal(await bob.messages().filter({ hasText: 'never mind' }).count(), 0);
  });

  test('a large photo shows as its thumbnail in the chat and whole in the viewer, and a video with its poster', async () => {
    const [alice, bob] = [await person(), await person()];
    const [a, b] = [uniqueName('alice'), uniqueName('bob')];
    await alice.signUp(a);
    await bob.signUp(b);
    await alice.startDirect(b);
    const drawn = await alice.page.evaluate(async () => {
      const c = document.createElement('canvas');
      c.width = 2000; c.height = 1500;
      const g = c.getContext('2d');
      g.fillStyle = '#c84'; g.fillRect(0, 0, 2000, 1500);
      g.fillStyle = '#248'; g.fillRect(500, 400, 1000, 700);
      const photo = await new Promise((r) => c.toBlob(r, 'image/jpeg', 0.9));
      // Two seconds of a moving canvas, recorded as WebM.
      const v = document.createElement('canvas');
      v.width = 320; v.height = 240;
      const vg = v.getContext('2d');
      const recorder = new MediaRecorder(v.captureStream(25), { mimeType: 'video/webm' });
      const parts = [];
      recorder.ondataavailable = (e) => parts.push(e.data);
      recorder.start();
      for (let i = 0; i < 50; i++) {
        vg.fillStyle = `hsl(${i * 7} 70% 50%)`; vg.fillRect(0, 0, 320, 240);
        await new Promise((r) => setTimeout(r, 40));
      }
      await new Promise((r) => { recorder.onstop = r; recorder.stop(); });
      const bytes = async (blob) => Array.from(new Uint8Array(await blob.arrayBuffer()));
      return { photo: await bytes(photo), video: await bytes(new Blob(parts, { type: 'video/webm' })) };
    });
    await alice.page.locator('.composer input.picker').setInputFiles([
      { name: 'wide.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(drawn.photo) },
      { name: 'clip.webm', mimeType: 'video/webm', buffer: Buffer.from(drawn.video) },
    ]);
    await alice.send('big photo and a clip');
    await bob.openChat(a);
    await bob.waitTexts(['big photo and a clip']);
    const album = bob.messages().last().locator('.media.album');
    const img = album.locator('button.photo img');
    await expect(() => img.evaluate((i) => i.complete && i.naturalWidth), 640, 'the thumbnail in the chat');
    const video = album.locator('video');
    const poster = await video.getAttribute('poster');
    assert.ok(poster && poster !== await video.getAttribute('src'), 'a poster of its own');
    const got = await fetchIn(bob, poster);
    assert.deepEqual([got.status, got.type], [200, 'image/jpeg'], 'the poster is a picture');
    assert.equal(await video.evaluate((v) => v.style.aspectRatio), '320 / 240', 'sized before it loads');
    await album.getByRole('button', { name: 'Open photo' }).click();
    const whole = bob.page.getByRole('dialog', { name: 'Photo viewer' }).locator('.viewer-stage img');
    await expect(() => whole.evaluate((i) => i.complete && i.naturalWidth), 2000, 'the whole photo in the viewer');
    assert.deepEqual([...alice.errors, ...bob.errors], []);
  });

  test('files attached and not sent go when the chat is closed', async () => {
    const [alice, bob] = [await person(), await person()];
    const [a, b] = [uniqueName('alice'), uniqueName('bob')];
    await alice.signUp(a);
    await bob.signUp(b);
    await alice.createGroup('Elsewhere');
    await alice.startDirect(b);
    const uploads = [];
    alice.page.on('response', (r) => {
      if (r.request().method() === 'POST' && r.url().endsWith('/api/uploads')) uploads.push(r.headers().location.split('/').pop());
    });
    // One still on its way and one already up: neither is sent, so both go.
    await attach(alice, [bigFile('left-behind.bin', 60 * MB), bigFile('left-done.bin', MB / 4)]);
    await expect(() => tray(alice, 'left-behind.bin').locator('progress').evaluate((p) => p.value), (v) => v > 0, 'uploading');
    await expect(() => tray(alice, 'left-done.bin').getByRole('status').textContent(), 'Uploaded', 'the small one is up');
    assert.equal(uploads.length, 2, 'two uploads made');
    await alice.openChat('Elsewhere');
    const status = (id) => alice.page.evaluate((id) => fetch(`/api/uploads/${id}`, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } }).then((r) => r.status), id);
    await expect(() => Promise.all(uploads.map(status)), (s) => s.every((code) => code === 404), 'both uploads are ended on the server');
    await alice.openChat(b);
    assert.equal(await alice.page.locator('.attachments').count(), 0, 'nothing left in the tray');
  });

  test('a photo sent as a file keeps its original bytes', async () => {
    const [alice, bob] = [await person(), await person()];
    const [a, b] = [uniqueName('alice'), uniqueName('bob')];
    await alice.signUp(a);
    await bob.signUp(b);
    await alice.startDirect(b);
    const path = await photoWithGps(alice.page, 'original.jpg', 60);
    await attach(alice, [path]);
    await alice.page.getByRole('checkbox', { name: 'Send as files, uncompressed' }).check();
    await expect(() => tray(alice, 'original.jpg').getByRole('status').textContent(), 'Uploaded', 'uploaded as it is');
    await alice.send('the original');
    await bob.openChat(a);
    await bob.waitTexts(['the original']);
    const link = bob.messages().last().locator('a.file');
    await expect(() => link.textContent(), (t) => t.includes('original.jpg'), 'a file, not a photo');
    const got = await fetchIn(bob, await link.getAttribute('href'));
    assert.deepEqual([got.status, got.exif, got.gps], [200, true, true], 'the bytes as they were chosen');
  });
});
