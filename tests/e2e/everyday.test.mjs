// Everyday messaging between people in real browsers: read receipts,
// typing, presence, forwarding, delete for me, search (CJK, in a chat and
// across chats), drafts shared by two devices of one account, scheduled
// and disappearing messages, and a long chat that stays light as you
// scroll back through it. Every test runs once per browser in BROWSERS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eachBrowser, stored, uniqueName } from './harness.mjs';
import { expect } from './expect.mjs';

eachBrowser((person) => {
  const message = (p, text) => p.messages().filter({ has: p.page.locator('.text', { hasText: text }) });
  const select = async (p, text) => {
    await message(p, text).locator('.text').click();
    return p.page.getByRole('menu', { name: 'Message actions' });
  };
  const status = (p) => p.page.getByRole('main').locator('.chat-title .muted');
  // Posts `number 0` to `number n-1` over a socket of `p`'s, in their first
  // chat, then each of `then` (send or act bodies without the chat).
  const bulk = (p, n, then = []) => p.page.evaluate(async ({ n, then }) => {
    await new Promise((resolve) => {
      const ws = new WebSocket(location.origin.replace('http', 'ws') + '/ws');
      ws.onopen = () => ws.send(JSON.stringify({ t: 'hello', c: { version: 2, cursors: [] } }));
      let acked = 0;
      ws.onmessage = (e) => {
        const f = JSON.parse(e.data);
        if (f.t === 'welcome') {
          const chat = f.c.chats[0].id;
          for (let i = 0; i < n; i++) ws.send(JSON.stringify({ t: 'send', c: { chat, id: `bulk-${i}`, content: { kind: 'text', text: `number ${i}` } } }));
          for (const [t, c] of then) ws.send(JSON.stringify({ t, c: { chat, ...c } }));
        }
        if (f.t === 'sent' && ++acked === n + then.length) { ws.close(); resolve(); }
      };
    });
  }, { n, then });

  test('read receipts, typing, presence, forwarding and delete for me', async () => {
    const [alice, bob] = [await person(), await person()];
    const [a, b] = [uniqueName('alice'), uniqueName('bob')];
    await alice.signUp(a);
    await bob.signUp(b);
    await bob.startDirect(a);
    await expect(() => status(bob).textContent(), 'online', 'alice is online');
    await bob.send('Are you there?');
    await expect(() => message(bob, 'Are you there?').locator('.state').getAttribute('aria-label'), 'Delivered', 'on alice\'s device');
    await alice.openChat(b);
    await expect(() => message(bob, 'Are you there?').locator('.state').getAttribute('aria-label'), 'Read', 'read once alice opened it');

    // Typing shows under the other person's title.
    await alice.page.getByRole('textbox', { name: 'Message', exact: true }).pressSequentially('I am');
    await expect(() => status(bob).textContent(), `${a} typing…`, 'typing line');

    // Forward bob's message into alice's own group: it names bob.
    await alice.createGroup('Notes');
    // Answering at once still marks what was answered read.
    await bob.send('Lunch?');
    await expect(() => message(bob, 'Lunch?').locator('.state').getAttribute('aria-label'), 'Delivered', 'not read yet');
    await alice.openChat(b);
    await alice.send('Yes!');
    await expect(() => message(bob, 'Lunch?').locator('.state').getAttribute('aria-label'), 'Read', 'read by answering');
    await (await select(alice, 'Are you there?')).getByRole('menuitem', { name: 'Forward' }).click();
    await alice.page.getByRole('dialog', { name: 'Forward to…' }).getByRole('button', { name: 'Notes' }).click();
    await alice.waitChatOpen('Notes');
    await alice.waitTexts(['Are you there?']);
    await expect(() => alice.messages().last().locator('.forwarded').textContent(), `Forwarded from ${b}`);

    // Delete for me: gone here, still there for bob.
    await alice.openChat(b);
    await (await select(alice, 'Are you there?')).getByRole('menuitem', { name: 'Delete for me' }).click();
    await alice.waitTexts(['Lunch?', 'Yes!']);
    await bob.waitTexts(['Are you there?', 'Lunch?', 'Yes!']);

    // Hiding one's last seen: the other sees "last seen recently".
    await alice.page.getByRole('button', { name: 'Preferences' }).click();
    await alice.page.getByLabel('Hide my last seen time').check();
    await alice.page.getByRole('button', { name: 'Close' }).click();
    await bob.page.reload();
    await bob.waitOnline();
    await bob.openChat(a);
    await expect(() => status(bob).textContent(), 'last seen recently', 'hidden presence');
    assert.deepEqual([...alice.errors, ...bob.errors], []);
  });

  test('search finds Chinese, Japanese and Korean text in this device and on the server, and jumps to it', async () => {
    const [alice, bob] = [await person(), await person()];
    const [a, b] = [uniqueName('alice'), uniqueName('bob')];
    await alice.signUp(a);
    await bob.signUp(b);
    await alice.startDirect(b);
    await alice.send('明天我们在东京见面');
    await alice.send('Встреча ПЕРЕНЕСЕНА');
    await alice.send('plain words');
    await alice.send('会議は明日の十時です');
    await alice.send('내일 회의가 있어요');
    await bob.openChat(a);
    await bob.waitTexts(['明天我们在东京见面', 'Встреча ПЕРЕНЕСЕНА', 'plain words', '会議は明日の十時です', '내일 회의가 있어요']);
    await bob.showList();
    const box = bob.page.getByRole('searchbox', { name: 'Search', exact: true });
    await box.fill('东京');
    const results = bob.page.getByRole('list', { name: 'Search results' });
    await expect(() => results.getByRole('button').count(), 1, 'one hit');
    await box.fill('は明日の');
    await expect(() => results.getByRole('button').allTextContents(), (h) => h.length === 1 && h[0].includes('会議は明日の十時です'), 'Japanese, mid-sentence');
    await box.fill('회의가');
    await expect(() => results.getByRole('button').allTextContents(), (h) => h.length === 1 && h[0].includes('내일 회의가 있어요'), 'Korean');
    await box.fill('перенесена');
    await expect(() => results.getByRole('button').first().textContent(), (t) => t?.includes('Встреча ПЕРЕНЕСЕНА'), 'case-folded Cyrillic');
    await results.getByRole('button').first().click();
    await bob.waitChatOpen(a);
    await expect(() => message(bob, 'Встреча').getAttribute('class'), (c) => c?.includes('flash'), 'the hit flashes');

    // Within the chat.
    await bob.page.getByRole('button', { name: 'Search in this chat' }).click();
    await bob.page.getByRole('searchbox', { name: 'Search in this chat' }).fill('words');
    await expect(() => bob.page.getByRole('main').getByRole('list', { name: 'Search results' }).getByRole('button').count(), 1);
    assert.deepEqual([...alice.errors, ...bob.errors], []);
  });

  test('opening a chat with unread messages marks where they start', async () => {
    const [alice, bob] = [await person(), await person()];
    const [a, b] = [uniqueName('alice'), uniqueName('bob')];
    await alice.signUp(a);
    await bob.signUp(b);
    await alice.startDirect(b);
    await alice.send('seen already');
    await bob.openChat(a);
    await bob.waitTexts(['seen already']);
    await expect(() => bob.chatLink(a).getByLabel(/unread/).count(), 0, 'read once it settled on screen');
    await bob.createGroup('Elsewhere');
    for (const text of ['new one', 'new two', 'new three']) await alice.send(text);
    await expect(() => bob.chatLink(a).getByLabel(/unread/).textContent(), (t) => t?.trim() === '3', 'three unread');
    await bob.openChat(a);
    const items = bob.page.getByRole('list', { name: 'Messages' }).locator(':scope > li');
    await expect(async () => {
      const all = await items.allTextContents();
      const at = all.findIndex((t) => t.includes('Unread messages'));
      return at > 0 && all[at - 1].includes('seen already') && all[at + 1].includes('new one');
    }, true, 'the divider sits before the first unread');
    await expect(() => message(alice, 'new three').locator('.state').getAttribute('aria-label'), 'Read',
      'all three were on screen, so all are read');
  });

  test('only what came on screen is read', async () => {
    const [alice, bob] = [await person(), await person()];
    const [a, b] = [uniqueName('alice'), uniqueName('bob')];
    await alice.signUp(a);
    await bob.signUp(b);
    await alice.startDirect(b);
    await alice.send('seen already');
    await bob.openChat(a);
    await bob.waitTexts(['seen already']);
    await expect(() => bob.chatLink(a).getByLabel(/unread/).count(), 0, 'read once it settled on screen');
    await bob.createGroup('Elsewhere');
    for (let i = 1; i <= 40; i++) await alice.send(`line ${i}`);
    const unread = () => bob.chatLink(a).getByLabel(/unread/).textContent().then((t) => Number(t.trim()));
    await expect(unread, 40, 'forty unread');
    await bob.openChat(a);
    await expect(() => bob.page.getByRole('list', { name: 'Messages' }).locator('li.unread-divider').textContent(), 'Unread messages');
    await bob.page.waitForTimeout(1000);
    const left = await unread();
    assert.ok(left > 0 && left < 40, `the lines on screen are read, the rest not (${left} left)`);
    const tick = () => message(alice, 'line 40').locator('.state').getAttribute('aria-label');
    assert.equal(await tick(), 'Delivered', 'not read before it was on screen');
    const down = bob.page.getByRole('button', { name: 'Jump to the newest message' });
    await down.click();
    await expect(tick, 'Read', 'read once brought to the newest');
    await expect(() => bob.chatLink(a).getByLabel(/unread/).count(), 0, 'nothing left unread');
    await expect(() => down.count(), 0, 'at the newest, the button goes');
    const list = bob.page.getByRole('list', { name: 'Messages' });
    await list.evaluate((ul) => { ul.scrollTop = 0; });
    await expect(() => down.count(), 1, 'scrolled up, it is back');
  });

  test('a draft follows its writer to another device', async () => {
    const [laptop, phone] = [await person(), await person()];
    const a = uniqueName('alice');
    await laptop.signUp(a);
    await laptop.createGroup('Plans');
    await phone.signIn(a);
    await expect(() => phone.chatLink('Plans').count(), 1);
    await laptop.page.getByRole('textbox', { name: 'Message', exact: true }).fill('half a thought');
    await expect(() => phone.chatLink('Plans').textContent(), (t) => t?.includes('Draft: half a thought'), 'draft in the list');
    await phone.openChat('Plans');
    await expect(() => phone.page.getByRole('textbox', { name: 'Message', exact: true }).inputValue(), 'half a thought');
  });

  test('read on one device is read on the others, edits follow, and a new device agrees', async () => {
    const [laptop, phone, bob] = [await person(), await person(), await person()];
    const [a, b] = [uniqueName('alice'), uniqueName('bob')];
    await laptop.signUp(a);
    await bob.signUp(b);
    await phone.signIn(a);
    await bob.startDirect(a);
    for (const text of ['one', 'two', 'three']) await bob.send(text);
    const unread = (p) => p.chatLink(b).getByLabel(/unread/);
    for (const p of [laptop, phone]) await expect(() => unread(p).textContent(), (t) => t?.trim() === '3', 'three unread on each device');

    await laptop.openChat(b);
    await laptop.waitTexts(['one', 'two', 'three']);
    await expect(() => unread(laptop).count(), 0, 'read on the laptop');
    await expect(() => unread(phone).count(), 0, 'and so on the phone');

    await laptop.send('tpyo');
    await (await select(laptop, 'tpyo')).getByRole('menuitem', { name: 'Edit' }).click();
    const box = laptop.page.getByRole('textbox', { name: 'Message', exact: true });
    await expect(() => box.inputValue(), 'tpyo', 'the text to edit');
    await box.fill('typo fixed');
    await box.press('Enter');
    await phone.openChat(b);
    await phone.waitTexts(['one', 'two', 'three', 'typo fixed']);
    await expect(() => message(phone, 'typo fixed').locator('.edited').count(), 1, 'the edit reached the phone');

    const tablet = await person();
    await tablet.signIn(a);
    await expect(() => tablet.chatLink(b).textContent(), (t) => t?.includes('typo fixed'), 'the chat and its messages on a new device');
    assert.equal(await unread(tablet).count(), 0, 'a new device knows what was read elsewhere');
  });

  test('a scheduled message posts itself; a disappearing one goes from both sides', async () => {
    const [alice, bob] = [await person(), await person()];
    const [a, b] = [uniqueName('alice'), uniqueName('bob')];
    await alice.signUp(a);
    await bob.signUp(b);
    await alice.startDirect(b);
    await bob.openChat(a);

    const box = alice.page.getByRole('textbox', { name: 'Message', exact: true });
    await box.fill('good morning');
    await alice.page.getByRole('button', { name: 'Schedule message' }).click();
    // Local time five seconds from now, as the datetime-local field takes it
    // (which writes no seconds when they are zero).
    const at = await alice.page.evaluate(() => {
      const d = new Date(Date.now() + 5000);
      const p = (n) => String(n).padStart(2, '0');
      const seconds = d.getSeconds() ? `:${p(d.getSeconds())}` : '';
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}${seconds}`;
    });
    await alice.page.getByLabel('Send at').fill(at);
    await alice.page.getByRole('button', { name: 'Schedule', exact: true }).click();
    await expect(() => alice.page.locator('.scheduled summary').textContent(), '1 scheduled message');
    assert.deepEqual(await bob.texts(), [], 'not before its time');
    await bob.waitTexts(['good morning']);
    await alice.waitTexts(['good morning']);

    // Disappearing messages: either person picks a timer in the chat's
    // options, and the other's options show it.
    await bob.page.getByRole('button', { name: 'Chat options' }).click();
    await bob.page.getByLabel('Auto-delete messages').selectOption({ label: 'After 1 week' });
    await bob.page.getByRole('button', { name: 'Chat options' }).click();
    const options = alice.page.getByRole('button', { name: 'Chat options' });
    await expect(async () => {
      await options.click();
      const picked = await alice.page.getByLabel('Auto-delete messages').evaluate((s) => s.selectedOptions[0].textContent);
      await options.click();
      return picked;
    }, 'After 1 week', 'the timer bob set');
    // Then a short custom timer, set through the API.
    const id = (await stored(alice.page, 'chats')).find((c) => c.title === b).id;
    const res = await alice.page.evaluate(async (id) => (await fetch(`/api/chats/${id}`, {
      method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ttl_s: 2 }),
    })).status, id);
    assert.equal(res, 200);
    await alice.send('this goes away');
    await bob.waitTexts(['good morning', 'this goes away']);
    await expect(() => message(bob, 'this goes away').getByLabel('Disappears when its timer runs out').count(), 1, 'timer mark');
    await bob.waitTexts(['good morning']);
    await alice.waitTexts(['good morning']);
    for (const p of [alice, bob]) {
      const kept = (await stored(p.page, 'messages')).filter((m) => JSON.stringify(m).includes('this goes away'));
      assert.equal(kept.length, 0, 'gone from IndexedDB too');
    }
    assert.deepEqual([...alice.errors, ...bob.errors], []);
  });

  test('folders, pinned, muted and archived chats, and mentions that break through', async () => {
    const [alice, bob] = [await person(), await person()];
    const [a, b] = [uniqueName('alice'), uniqueName('bob')];
    await alice.signUp(a);
    await bob.signUp(b);
    await alice.createGroup('Quiet');
    const link = await alice.inviteLink();
    await alice.createGroup('Busy');
    await bob.joinByLink(link);
    await bob.startDirect(a);
    await bob.openChat('Quiet');

    // Alice mutes Quiet and pins it; it goes on top of her list.
    await alice.openChat('Quiet');
    await alice.page.getByRole('button', { name: 'Chat options' }).click();
    await alice.page.getByLabel('Mute').check();
    await alice.page.getByLabel('Pin to top').check();
    const titles = () => alice.page.getByRole('navigation', { name: 'Chats' }).locator('.chat-row .title').allTextContents();
    await expect(async () => (await titles())[0], 'Quiet', 'pinned on top');
    await alice.openChat('Busy');

    // In the muted chat, a mention of alice still stands out.
    await bob.send('nothing much');
    await expect(() => alice.chatLink('Quiet').locator('.badge.muted').textContent(), '1', 'grey unread count');
    await bob.send(`@${a} look at this`);
    await expect(() => alice.chatLink('Quiet').getByLabel('You were mentioned').count(), 1, 'the mention shows');
    await alice.openChat('Quiet');
    await expect(() => message(alice, 'look at this').locator('.mention').textContent(), `@${a}`, 'highlighted');

    // Folders filter the list; archiving moves a chat out of the main list.
    await alice.page.getByRole('tab', { name: 'Personal' }).click();
    assert.deepEqual(await titles(), [b]);
    await alice.page.getByRole('tab', { name: 'All' }).click();
    await alice.openChat('Busy');
    await alice.page.getByRole('button', { name: 'Chat options' }).click();
    await alice.page.getByLabel('Archive').check();
    await expect(async () => (await titles()).includes('Busy'), false, 'out of All');
    await alice.page.getByRole('tab', { name: 'Archived' }).click();
    await expect(titles, (t) => JSON.stringify(t) === '["Busy"]', 'in the archive');
    assert.deepEqual([...alice.errors, ...bob.errors], []);
  });

  test('a folder of one\'s own shows the chats it takes and follows to another device', async () => {
    const [laptop, phone, bob] = [await person(), await person(), await person()];
    const [a, b] = [uniqueName('alice'), uniqueName('bob')];
    await laptop.signUp(a);
    await bob.signUp(b);
    for (const name of ['Work A', 'Work B', 'Family']) await laptop.createGroup(name);
    await bob.startDirect(a);
    await expect(() => laptop.chatLink(b).count(), 1);
    const titles = (p) => p.page.getByRole('navigation', { name: 'Chats' }).locator('.chat-row .title').allTextContents()
      .then((t) => JSON.stringify(t.sort()));
    const work = JSON.stringify([b, 'Work A', 'Work B'].sort());

    // Groups, but never Family, and the chat with bob always.
    await laptop.page.getByRole('button', { name: 'Edit folders' }).click();
    const dialog = laptop.page.getByRole('dialog', { name: 'Edit folders' });
    await dialog.getByRole('button', { name: 'New folder' }).click();
    await dialog.getByLabel('Folder name').fill('Work');
    await dialog.getByLabel('Groups').check();
    await dialog.getByLabel('Family').selectOption('never');
    await dialog.getByLabel(b).selectOption('always');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(() => dialog.count(), 0, 'saved and closed');
    await laptop.page.getByRole('tab', { name: 'Work', exact: true }).click();
    await expect(() => titles(laptop), work, 'the folder holds its chats');

    // The phone has it too; deleting it there takes it off the laptop.
    await phone.signIn(a);
    await phone.page.getByRole('tab', { name: 'Work', exact: true }).click();
    await expect(() => titles(phone), work, 'the same folder on the phone');
    await phone.page.getByRole('button', { name: 'Edit folders' }).click();
    const onPhone = phone.page.getByRole('dialog', { name: 'Edit folders' });
    await onPhone.getByRole('button', { name: 'Delete' }).click();
    await onPhone.getByRole('button', { name: 'Save' }).click();
    await expect(() => laptop.page.getByRole('tab', { name: 'Work', exact: true }).count(), 0, 'gone from the laptop');
    await expect(() => titles(laptop), JSON.stringify([b, 'Family', 'Work A', 'Work B'].sort()), 'back to all chats');
    assert.deepEqual([...laptop.errors, ...phone.errors, ...bob.errors], []);
  });

  test('notifications: for a chat not in view, not for a muted one, but for a mention', async () => {
    const [alice, bob] = [await person(), await person()];
    // The browser's own notifications, each also noted where the test can read it.
    await alice.context.addInitScript(() => {
      window.notes = [];
      window.Notification = class extends window.Notification {
        static get permission() { return 'granted'; }
        static requestPermission() { return Promise.resolve('granted'); }
        constructor(title, options) {
          super(title, options);
          window.notes.push({ title, body: options?.body });
          window.lastNote = this;
        }
      };
    });
    const [a, b] = [uniqueName('alice'), uniqueName('bob')];
    await alice.signUp(a);
    await bob.signUp(b);
    await bob.createGroup('Quiet');
    await alice.joinByLink(await bob.inviteLink());
    await alice.waitChatOpen('Quiet');
    await alice.page.getByRole('button', { name: 'Chat options' }).click();
    await alice.page.getByLabel('Mute').check();
    await bob.startDirect(a);
    await alice.page.getByRole('button', { name: 'Preferences' }).click();
    await alice.page.getByLabel('Notifications of new messages').check();
    await alice.page.getByRole('button', { name: 'Close' }).click();
    const notes = () => alice.page.evaluate(() => JSON.stringify(window.notes));

    await alice.openChat(b);
    await bob.openChat('Quiet');
    await bob.send('nothing much');
    await bob.send(`@${a} look here`);
    await expect(notes, JSON.stringify([{ title: 'Quiet', body: `${b}: @${a} look here` }]), 'only the mention, muted as it is');
    await bob.openChat(a);
    await bob.send('you are here');
    await alice.waitTexts(['you are here']);
    await alice.openChat('Quiet');
    await bob.send('ping');
    await expect(notes, JSON.stringify([{ title: 'Quiet', body: `${b}: @${a} look here` }, { title: b, body: 'ping' }]),
      'a chat not in view, and none for the one in view');
    await alice.page.evaluate(() => window.lastNote.onclick());
    await alice.waitChatOpen(b);
    assert.deepEqual([...alice.errors, ...bob.errors], []);
  });

  test('two tabs of one person share one database without duplicates', async () => {
    const [alice, bob] = [await person(), await person()];
    const [a, b] = [uniqueName('alice'), uniqueName('bob')];
    await alice.signUp(a);
    await bob.signUp(b);
    await bob.startDirect(a);
    const second = await alice.context.newPage();
    await second.goto(alice.server.url);
    await bob.send('one');
    await bob.send('two');
    const unread = (page) => page.getByRole('navigation', { name: 'Chats' }).getByLabel(/unread/).count();
    await expect(() => unread(second), 1, 'unread in the second tab');
    await alice.openChat(b);
    await alice.waitTexts(['one', 'two']);
    await expect(() => unread(second), 0, 'read in one tab is read in the other');
    await alice.send('three');
    await second.getByRole('navigation', { name: 'Chats' }).getByRole('button', { name: new RegExp(`^${b}`) }).click();
    await expect(() => second.getByRole('list', { name: 'Messages' }).locator('li .text').allTextContents(),
      (t) => JSON.stringify(t) === '["one","two","three"]', 'each message once');
    // The first tab stores its ack and the second its own copy of the
    // event: what the database settles on is each message once.
    const held = async () => ({ count: (await stored(second, 'messages')).length, outbox: (await stored(second, 'outbox')).length });
    await expect(held, (h) => h.count === 3 && h.outbox === 0, 'each message stored once, nothing left to send');
    await second.close();
  });

  test('a long chat opens on a new device with its newest page, and loads older ones by cursor as you scroll back, in a small DOM', async () => {
    const [alice, bob] = [await person(), await person()];
    const [a, b] = [uniqueName('alice'), uniqueName('bob')];
    await alice.signUp(a);
    await bob.signUp(b);
    await alice.startDirect(b);
    // 600 messages straight over a socket of alice's.
    await bulk(alice, 600);
    // Bob's laptop has never seen the chat.
    const laptop = await person();
    await laptop.signIn(b);
    const held = async () => (await stored(laptop.page, 'messages')).length;
    await laptop.openChat(a);
    await expect(() => laptop.messages().last().locator('.text').textContent(), 'number 599', 'the newest');
    assert.equal(await held(), 200, 'one page of the newest is all a new device takes');
    const count = () => laptop.messages().count();
    assert.ok((await count()) <= 250, `at most a window of messages, got ${await count()}`);
    const list = laptop.page.getByRole('list', { name: 'Messages' });
    const loading = laptop.page.getByRole('status').filter({ hasText: 'Loading older messages' });
    const first = () => laptop.messages().first().locator('.text').textContent();
    let most = 0;
    for (let i = 0; i < 60 && (await first()) !== 'number 0'; i++) {
      const top = await first();
      await list.evaluate((ul) => { ul.scrollTop = 0; });
      await laptop.page.waitForTimeout(150);
      await expect(() => loading.count(), 0, 'the older page came');
      // What was at the top stays on screen as older messages come in above it.
      const place = await message(laptop, top).first().evaluate((li) => {
        const [at, box] = [li.getBoundingClientRect(), li.parentElement.getBoundingClientRect()];
        return at.bottom > box.top && at.top < box.bottom;
      });
      assert.ok(place, `"${top}" stayed in view`);
      most = Math.max(most, await count());
    }
    await expect(first, 'number 0', 'scrolled back to the first');
    assert.equal(await held(), 600, 'every page came once');
    assert.ok(most <= 250, `the window stays small: ${most}`);
    assert.deepEqual([...alice.errors, ...bob.errors, ...laptop.errors], []);
  });

  test('on a new device, a quote, the pinned bar and a date still reach what only the server has', async () => {
    const [alice, bob] = [await person(), await person()];
    const [a, b] = [uniqueName('alice'), uniqueName('bob')];
    await alice.signUp(a);
    await bob.signUp(b);
    await alice.startDirect(b);
    await bulk(alice, 300, [
      ['act', { id: 'pin-first', act: { do: 'pin', target: 1, on: true } }],
      ['send', { id: 'answer', content: { kind: 'text', text: 'about the very first' }, reply_to: 1 }],
    ]);
    const laptop = await person();
    await laptop.signIn(b);
    await laptop.openChat(a);
    await expect(() => laptop.messages().last().locator('.text').textContent(), 'about the very first', 'the newest');
    assert.equal(await message(laptop, 'number 0').count(), 0, 'the first is not on this device');

    // The quote and the pinned bar stand in for what is not here.
    const quote = (p) => message(p, 'about the very first').getByRole('button', { name: /^Reply to/ });
    const bar = (p) => p.page.getByRole('button', { name: 'Pinned message' });
    await expect(() => quote(laptop).textContent(), 'Reply to An earlier message', 'a stand-in quote');
    await expect(() => bar(laptop).textContent(), (t) => t?.includes('An earlier message'), 'the pinned bar, before its message is here');

    // A date before everything held lands on the first message of that day.
    await laptop.page.getByRole('button', { name: 'Chat options' }).click();
    const today = await laptop.page.evaluate(() => {
      const d = new Date();
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    });
    await laptop.page.getByLabel('Jump to date').fill(today);
    await expect(() => message(laptop, 'number 0').isVisible(), true, 'the first message of today, in view', 30000);
    await expect(() => bar(laptop).textContent(), (t) => t?.includes('number 0'), 'now the bar shows it');

    // On another new device, clicking the quote brings its message.
    const tablet = await person();
    await tablet.signIn(b);
    // Search finds it on the server, though this device lacks it.
    await tablet.page.getByRole('searchbox', { name: 'Search', exact: true }).fill('number 0');
    await expect(() => tablet.page.getByRole('list', { name: 'Search results' }).getByRole('button').allTextContents(),
      (hits) => hits.length === 1 && hits[0].includes('number 0'), 'the server\'s hit');
    await tablet.page.getByRole('searchbox', { name: 'Search', exact: true }).fill('');
    await tablet.openChat(a);
    await expect(() => quote(tablet).textContent(), 'Reply to An earlier message');
    await quote(tablet).click();
    await expect(() => message(tablet, 'number 0').isVisible(), true, 'the quoted message came from the server', 30000);
    await expect(() => bar(tablet).textContent(), (t) => t?.includes('number 0'), 'and the pinned bar shows it');
    assert.deepEqual([...alice.errors, ...bob.errors, ...laptop.errors, ...tablet.errors], []);
  });
});
