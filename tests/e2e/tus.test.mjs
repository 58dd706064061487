// The tus upload endpoint against a tus client it was not written with:
// tus-js-client, unmodified, from Node. A file sent in several PATCHes and
// read back whole and by range, an upload stopped and resumed by another
// client from the server's offset, one terminated, and one that another
// person can neither see nor read.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as tus from 'tus-js-client';
import { Server, uniqueName } from './harness.mjs';

const MB = 1024 * 1024;
const sha = (bytes) => createHash('sha256').update(bytes).digest('hex');

describe('tus-js-client', () => {
  let server;
  let alice;
  let bob;

  /** Signs a new user up over HTTP: their session cookie. */
  async function signUp(prefix) {
    const res = await fetch(`${server.url}/api/signup`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: uniqueName(prefix), password: 'correct horse battery' }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  }

  const head = (url, cookie) => fetch(url, { method: 'HEAD', headers: { Cookie: cookie, 'Tus-Resumable': '1.0.0' } });
  const media = (url, cookie, headers = {}) =>
    fetch(`${server.url}/api/media/${url.split('/').pop()}`, { headers: { Cookie: cookie, ...headers } });

  /** Uploads `bytes` as `cookie`'s user with tus-js-client, aborted once the
   * server has accepted `stopAt` bytes if given. Settles with the upload's
   * URL (`null` if aborted), the Upload-Offset of each PATCH, each progress. */
  function send(bytes, cookie, { stopAt, ...options } = {}) {
    const patches = [];
    const progress = [];
    let upload;
    const done = new Promise((resolve, reject) => {
      upload = new tus.Upload(bytes, {
        endpoint: `${server.url}/api/uploads`,
        headers: { Cookie: cookie },
        chunkSize: MB,
        retryDelays: null, // a failure fails the test instead of being retried
        metadata: { filename: 'photo.bin', filetype: 'application/octet-stream' },
        onBeforeRequest: (req) => {
          if (req.getMethod() === 'PATCH') patches.push(Number(req.getHeader('Upload-Offset')));
        },
        onProgress: (sent, total) => {
          assert.equal(total, bytes.length);
          progress.push(sent);
        },
        // Stopped where the server's answer put it, so its offset is known.
        onChunkComplete: (_, accepted) => {
          if (accepted >= stopAt) upload.abort().then(() => resolve(null), reject);
        },
        onSuccess: () => resolve(upload.url),
        onError: reject,
        ...options,
      });
      upload.start();
    });
    return done.then((url) => ({ url, patches, progress, upload }));
  }

  before(async () => {
    server = await new Server().start();
    alice = await signUp('tusalice');
    bob = await signUp('tusbob');
  });
  after(() => server?.dispose());

  test('a file goes up in several PATCHes and comes back the same, whole and by range', async () => {
    const bytes = randomBytes(5 * MB + 12345);
    const { url, patches, progress } = await send(bytes, alice);
    assert.match(url, new RegExp(`^${server.url}/api/uploads/[0-9a-f]{32}$`));
    assert.deepEqual(patches, [0, 1, 2, 3, 4, 5].map((i) => i * MB));
    assert.ok(progress.length >= 6, `progress ${progress}`);
    assert.equal(progress.at(-1), bytes.length);

    const whole = await media(url, alice);
    assert.equal(whole.status, 200);
    assert.match(whole.headers.get('content-disposition'), /filename="photo\.bin"/);
    assert.equal(sha(Buffer.from(await whole.arrayBuffer())), sha(bytes));

    const part = await media(url, alice, { Range: 'bytes=100-199' });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 100-199/${bytes.length}`);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), bytes.subarray(100, 200));
  });

  test('an aborted upload is resumed by a new client from the server\'s offset', async () => {
    const bytes = randomBytes(5 * MB);
    const first = await send(bytes, alice, { chunkSize: MB / 2, stopAt: 2 * MB });
    assert.equal(first.url, null, 'the first upload was aborted, not finished');
    const url = first.upload.url;
    assert.deepEqual(first.patches, [0, 1, 2, 3].map((i) => i * MB / 2));
    const standing = await head(url, alice);
    assert.equal(standing.status, 200);
    assert.equal(standing.headers.get('upload-length'), String(bytes.length));
    const offset = Number(standing.headers.get('upload-offset'));
    assert.equal(offset, 2 * MB);
    assert.equal((await media(url, alice)).status, 404, 'an unfinished upload is not served');

    const second = await send(bytes, alice, { chunkSize: MB / 2, uploadUrl: url });
    assert.equal(second.url, url);
    assert.deepEqual(second.patches, [4, 5, 6, 7, 8, 9].map((i) => i * MB / 2), 'resumed from the server\'s offset');
    assert.equal(second.progress[0], offset);
    const got = await media(url, alice);
    assert.equal(got.status, 200);
    assert.equal(sha(Buffer.from(await got.arrayBuffer())), sha(bytes));
  });

  test('a terminated upload is gone', async () => {
    const { url } = await send(randomBytes(300_000), alice);
    assert.equal((await head(url, alice)).status, 200);
    await tus.Upload.terminate(url, { headers: { Cookie: alice } });
    assert.equal((await head(url, alice)).status, 404);
    assert.equal((await media(url, alice)).status, 404);
  });

  test('another person can neither see nor read an upload', async () => {
    const bytes = randomBytes(200_000);
    const { url } = await send(bytes, alice);
    assert.equal((await head(url, bob)).status, 404);
    assert.equal((await media(url, bob)).status, 404);
    assert.equal((await media(url, bob, { Range: 'bytes=0-9' })).status, 404);
    const mine = await media(url, alice);
    assert.equal(sha(Buffer.from(await mine.arrayBuffer())), sha(bytes));
  });
});
