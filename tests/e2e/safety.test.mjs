// What keeps people safe from each other, seen in real browsers: the app
// runs under its Content Security Policy; a person can block another and
// leave a group; a send the server asks to wait for goes out by itself.
// Every test runs once per browser in BROWSERS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eachBrowser, stored, uniqueName } from './harness.mjs';
import { expect } from './expect.mjs';

eachBrowser((person) => {
  test('the app runs under its security policy; unknown API paths are JSON', async () => {
    const alice = await person();
    const response = await alice.page.goto(alice.server.url);
    const csp = response.headers()['content-security-policy'];
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(response.headers()['x-content-type-options'], 'nosniff');
    await alice.signUpHere(uniqueName('alice'));
    await alice.waitOnline();
    const api = await alice.page.request.get(`${alice.server.url}/api/no-such-thing`);
    assert.equal(api.status(), 404);
    assert.deepEqual(await api.json(), { error: 'not_found' });
    // Every test's `errors` also holds any policy violation; none here.
    assert.deepEqual(alice.errors, []);
  });

  test('blocking a person stops their messages; leaving a group takes it away', async () => {
    const [alice, bob] = [await person(), await person()];
    const [a, b] = [uniqueName('alice'), uniqueName('bob')];
    await alice.signUp(a);
    await bob.signUp(b);
    await alice.startDirect(b);
    await alice.send('hello there');
    await bob.openChat(a);
    await bob.waitTexts(['hello there']);

    // Bob blocks Alice from the chat's options.
    await bob.page.getByRole('button', { name: 'Chat options' }).click();
    await bob.page.getByRole('button', { name: 'Block' }).click();
    await expect(() => bob.page.getByRole('status').filter({ hasText: 'You blocked this person' }).count(), 1, 'told who is blocked');
    await alice.send('are you there?');
    const refused = alice.messages().filter({ hasText: 'are you there?' });
    await expect(() => refused.locator('.failure').textContent(), (t) => t?.includes('you cannot message this person'), 'the send is refused, and why');
    await bob.page.waitForTimeout(300);
    await bob.waitTexts(['hello there']);
    // Unblocked, the next one arrives.
    await bob.page.getByRole('button', { name: 'Unblock' }).click();
    await expect(() => bob.page.getByRole('button', { name: 'Block' }).count(), 1, 'unblocked');
    await alice.send('now?');
    await bob.waitTexts(['hello there', 'now?']);

    // Bob joins Alice's group, then leaves it from its options.
    const group = uniqueName('club');
    await alice.createGroup(group);
    const link = await alice.inviteLink();
    await bob.joinByLink(link);
    await bob.waitChatOpen(group);
    await bob.page.getByRole('button', { name: 'Chat options' }).click();
    await bob.page.getByRole('button', { name: 'Leave group' }).click();
    await expect(() => bob.chatLink(group).count(), 0, 'the group is gone from the list');
    await alice.send('bob left?');
    await alice.page.reload();
    await alice.waitOnline();
    await expect(() => alice.chatLink(group).textContent(), (t) => t?.includes('bob left?'), 'the group goes on');
    assert.deepEqual([...alice.errors, ...bob.errors], []);
  });

  test('a group one was removed from while away is gone when the app opens again', async () => {
    const [alice, bob] = [await person(), await person()];
    await alice.signUp(uniqueName('alice'));
    await bob.signUp(uniqueName('bob'));
    const group = uniqueName('club');
    await alice.createGroup(group);
    const link = await alice.inviteLink();
    await bob.joinByLink(link);
    await bob.waitChatOpen(group);
    await expect(() => bob.chatLink(group).count(), 1, 'in the list');
    // Bob closes the app; meanwhile Alice removes him.
    await bob.page.goto('about:blank');
    const chat = (await stored(alice.page, 'chats')).find((c) => c.title === group).id;
    const me = await (await bob.page.request.get(`${bob.server.url}/api/me`)).json();
    const removed = await alice.page.request.post(`${alice.server.url}/api/chats/${chat}/members/${me.me.id}`, { data: { action: 'remove' } });
    assert.equal(removed.status(), 204);
    await bob.goto('/');
    await bob.waitOnline();
    await expect(() => bob.chatLink(group).count(), 0, 'the group is gone from the list');
    assert.equal((await stored(bob.page, 'chats')).filter((c) => c.title === group).length, 0, 'and from IndexedDB');
    assert.deepEqual([...alice.errors, ...bob.errors], []);
  });
});

// A server that lets each person send one message a second (bursts of 3).
eachBrowser((person) => {
  test('messages sent faster than the server allows all go out, in order', async () => {
    const [alice, bob] = [await person(), await person()];
    const [a, b] = [uniqueName('alice'), uniqueName('bob')];
    await alice.signUp(a);
    await bob.signUp(b);
    await alice.startDirect(b);
    const texts = Array.from({ length: 8 }, (_, i) => `quick ${i + 1}`);
    for (const text of texts) await alice.send(text);
    await bob.openChat(a);
    await expect(() => bob.texts(), (t) => JSON.stringify(t) === JSON.stringify(texts), 'all eight, in order', 20000);
    const states = await alice.messages().locator('.state').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    assert.ok(states.every((s) => s !== 'Failed'), `none failed: ${states}`);
    assert.deepEqual([...alice.errors, ...bob.errors], []);
  });
}, { serverArgs: ['--sends-per-second', '1'] });
