// Two people through the cluster's load balancer (scripts/cluster.sh must be
// running): they chat, one node is killed with SIGKILL mid-conversation,
// and both go on with nothing lost or doubled. Usage:
//   node tests/e2e/cluster-check.mjs [http://127.0.0.1:8080] [pid-of-a-node]
import assert from 'node:assert/strict';
import { Person, launch, uniqueName } from './harness.mjs';

const url = process.argv[2] ?? 'http://127.0.0.1:8080';
const victim = Number(process.argv[3] ?? 0);
const browser = await launch(process.env.E2E_BROWSER ?? 'chromium');
const server = { url };
try {
  const [alice, bob] = [await Person.open(browser, server), await Person.open(browser, server)];
  const b = uniqueName('bob');
  await alice.signUp(uniqueName('alice'));
  await bob.signUp(b);
  await alice.startDirect(b);
  await alice.send('before the kill');
  await bob.openChat(alice.username);
  await bob.waitTexts(['before the kill']);
  if (victim) process.kill(victim, 'SIGKILL');
  await alice.send('after the kill 1');
  await bob.send('after the kill 2');
  const expected = ['before the kill', 'after the kill 1', 'after the kill 2'];
  await alice.waitTexts(expected);
  await bob.waitTexts(expected);
  assert.equal(await alice.page.locator('.state[aria-label="Pending"]').count(), 0);
  console.log('cluster check passed:', expected.length, 'messages, each once, in order, on both sides');
  await alice.close();
  await bob.close();
} finally {
  await browser.close();
}
