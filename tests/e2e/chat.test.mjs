// Courier end to end: people in real browsers against a real server.
// Every test runs once per browser in BROWSERS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eachBrowser, uniqueName } from './harness.mjs';
import { expect } from './expect.mjs';

eachBrowser((person) => {
  test('two people sign up and chat both ways in a 1:1 chat', async () => {
    const alice = await person();
    const bob = await person();
    const [a, b] = [uniqueName('alice'), uniqueName('bob')];
    await alice.signUp(a);
    await bob.signUp(b);
    await alice.startDirect(b);
    await alice.send('Hi Bob!');
    await expect(() => alice.messages().last().locator('.state').getAttribute('aria-label'),
      (s) => ['Sent', 'Delivered'].includes(s), 'committed: sent, or already on bob\'s device');
    await expect(() => bob.chatLink(a).textContent(), (t) => t.includes('Hi Bob!'), 'preview in the chat list');
    await expect(() => bob.chatLink(a).getByLabel(/unread/).textContent(), (t) => t.trim() === '1', 'one unread');
    await bob.openChat(a);
    await bob.waitTexts(['Hi Bob!']);
    await bob.send('Hello Alice,\nhow are you?');
    await alice.waitTexts(['Hi Bob!', 'Hello Alice,\nhow are you?']);
    const sender = await alice.messages().last().locator('.sender').textContent();
    assert.equal(sender.trim(), b);
    assert.deepEqual([...alice.errors, ...bob.errors], []);
  });

  test('three people chat in a group joined by its invite link', async () => {
    const [alice, bob, carol] = [await person(), await person(), await person()];
    await alice.signUp(uniqueName('alice'));
    await bob.signUp(uniqueName('bob'));
    await carol.signUp(uniqueName('carol'));
    await alice.createGroup('Trio');
    const link = await alice.inviteLink();
    assert.match(link, /\/join\/[A-Za-z0-9_-]+$/);
    await bob.joinByLink(link);
    await bob.waitChatOpen('Trio');
    await carol.joinByLink(link);
    await carol.waitChatOpen('Trio');
    await alice.send('one from alice');
    await bob.waitTexts(['one from alice']);
    await bob.send('two from bob');
    await carol.waitTexts(['one from alice', 'two from bob']);
    await carol.send('three from carol');
    for (const p of [alice, bob, carol]) {
      await p.waitTexts(['one from alice', 'two from bob', 'three from carol']);
    }
  });

  test('a guest opens an invite link, picks a name and chats', async () => {
    const alice = await person();
    await alice.signUp(uniqueName('alice'));
    await alice.createGroup('Picnic');
    const link = await alice.inviteLink();
    const guest = await person({ viewport: { width: 390, height: 800 } });
    await guest.page.goto(link);
    await expect(() => guest.page.getByRole('heading', { name: /Picnic/ }).count(), 1, 'the invite title');
    await guest.page.getByLabel('Display name').fill('Gus the Guest');
    await guest.page.getByRole('button', { name: 'Join chat' }).click();
    await guest.waitChatOpen('Picnic');
    await guest.waitOnline();
    await guest.send('hi from a guest');
    await alice.waitTexts(['hi from a guest']);
    assert.equal((await alice.messages().last().locator('.sender').textContent()).trim(), 'Gus the Guest');
    await alice.send('welcome, Gus');
    await guest.waitTexts(['hi from a guest', 'welcome, Gus']);

    // The guest keeps everything by choosing a username and password.
    await guest.showList();
    const form = guest.page.getByRole('form', { name: 'Keep my chats' });
    await form.getByLabel('Username').fill(uniqueName('gus'));
    await form.getByLabel('Password').fill('my own password');
    await form.getByRole('button', { name: 'Keep my chats' }).click();
    await expect(() => guest.page.getByRole('form', { name: 'Keep my chats' }).count(), 0, 'the banner gone');
    await guest.openChat('Picnic');
    await guest.waitTexts(['hi from a guest', 'welcome, Gus']);
  });

  test('a message with HTML shows as text and runs nothing', async () => {
    const [alice, bob] = [await person(), await person()];
    const b = uniqueName('bob');
    await alice.signUp(uniqueName('alice'));
    await bob.signUp(b);
    await alice.startDirect(b);
    const evil = ['<img src=x onerror=alert(1)>', '<script>alert(2)</script><b>bold?</b>'];
    for (const text of evil) await alice.send(text);
    await bob.openChat(alice.username);
    await bob.waitTexts(evil);
    for (const p of [alice, bob]) {
      const list = p.page.getByRole('list', { name: 'Messages' });
      assert.equal(await list.locator('img, script, b').count(), 0, 'no element made from the text');
      assert.deepEqual(p.dialogs, [], 'no script ran');
    }
  });

  test('bad input gets a clear error and the other person goes on', async () => {
    const [alice, bob] = [await person(), await person()];
    const b = uniqueName('bob');
    await alice.signUp(uniqueName('alice'));
    await bob.signUp(b);
    await alice.startDirect(b);
    await alice.send('before');
    await bob.openChat(alice.username);
    await bob.waitTexts(['before']);

    // Over the length limit: the composer says so and sends nothing.
    await alice.send('x'.repeat(4097));
    const alert = alice.page.getByRole('alert');
    await expect(() => alert.textContent(), (t) => /too long/i.test(t), 'a too-long alert');

    // Malformed frames and a frame for someone else's chat, straight onto
    // the wire with Alice's session: each gets its error code.
    const foreign = await bob.page.evaluate(async () => {
      const r = await fetch('/api/chats/group', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Bob only' }) });
      return (await r.json()).chat.id;
    });
    const codes = await alice.page.evaluate(async (foreignChat) => {
      const ws = new WebSocket(location.origin.replace(/^http/, 'ws') + '/ws');
      const errors = [];
      let welcome;
      const got = new Promise((resolve) => {
        ws.onmessage = (e) => {
          const f = JSON.parse(e.data);
          if (f.t === 'welcome') welcome = f.c;
          if (f.t === 'error') errors.push(f.c.code);
          if (errors.length === 4) resolve();
        };
      });
      await new Promise((r) => { ws.onopen = r; });
      ws.send(JSON.stringify({ t: 'hello', c: { version: 2, cursors: [] } }));
      ws.send('{"t":"send","c":');
      ws.send(JSON.stringify({ t: 'teleport', c: {} }));
      ws.send(JSON.stringify({ t: 'send', c: { chat: foreignChat, id: 'intrude1', content: { kind: 'text', text: 'let me in' } } }));
      await new Promise((r) => setTimeout(r, 200));
      ws.send(JSON.stringify({ t: 'send', c: { chat: welcome.chats[0].id, id: 'long1', content: { kind: 'text', text: 'y'.repeat(5000) } } }));
      await got;
      ws.close();
      return errors;
    }, foreign);
    assert.deepEqual(codes, ['bad_frame', 'bad_frame', 'not_member', 'text_too_long']);

    await alice.send('after');
    await bob.waitTexts(['before', 'after']);
    await bob.send('still fine');
    await alice.waitTexts(['before', 'after', 'still fine']);
  });
});
