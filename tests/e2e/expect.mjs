// Polls until a value satisfies a check: the UI is asynchronous, so a check
// waits for what a person would eventually see, up to a deadline.
import assert from 'node:assert/strict';

export async function expect(read, check, what = '', timeout = 15000) {
  const ok = typeof check === 'function' ? check : (v) => v === check;
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await read();
      if (ok(last)) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      assert.fail(`timed out waiting for ${what || String(check)}; last saw ${JSON.stringify(last?.message ?? last)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
