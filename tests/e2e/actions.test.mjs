// Message actions between two people in real browsers: reply (quoted),
// edit (marked "edited"), reactions with counts, pin (the bar on top) and
// delete for everyone. Every test runs once per browser in BROWSERS.
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

  test('reply, edit, react, pin and delete reach the other person', async () => {
    const [alice, bob] = [await person(), await person()];
    const [a, b] = [uniqueName('alice'), uniqueName('bob')];
    await alice.signUp(a);
    await bob.signUp(b);
    await bob.startDirect(a);
    await bob.send('Lunch at noon?');
    await alice.openChat(b);
    await alice.waitTexts(['Lunch at noon?']);

    // Reply: quoted above the answer, on both sides.
    await (await select(alice, 'Lunch at noon?')).getByRole('menuitem', { name: 'Reply' }).click();
    await expect(() => alice.page.getByRole('status').filter({ hasText: 'Reply to' }).count(), 1, 'replying bar');
    await alice.send('Yes!');
    for (const p of [alice, bob]) {
      await p.waitTexts(['Lunch at noon?', 'Yes!']);
      // Named for screen readers as "Reply to <sender>: <words>" (the
      // hidden parts may come with a space of their own).
      const name = new RegExp(`^Reply to ${b} ?: Lunch at noon\\?$`);
      await expect(() => message(p, 'Yes!').getByRole('button', { name }).count(), 1, 'the quote');
    }

    // Edit: only one's own; the other sees the new text marked edited.
    const bobsTools = await select(bob, 'Yes!');
    assert.equal(await bobsTools.getByRole('menuitem', { name: 'Edit' }).count(), 0, 'no editing another\'s message');
    assert.equal(await bobsTools.getByRole('menuitem', { name: 'Delete for everyone' }).count(), 0, 'nor deleting it');
    await bobsTools.getByRole('menuitem', { name: 'React 👍' }).click();
    await (await select(alice, 'Yes!')).getByRole('menuitem', { name: 'Edit' }).click();
    const box = alice.page.getByRole('textbox', { name: 'Message', exact: true });
    await expect(() => box.inputValue(), 'Yes!', 'the text to edit');
    await box.fill('Yes, at 12:30');
    await box.press('Enter');
    for (const p of [alice, bob]) {
      await p.waitTexts(['Lunch at noon?', 'Yes, at 12:30']);
      await expect(() => message(p, 'Yes, at 12:30').locator('.edited').count(), 1, 'marked edited');
      const chip = message(p, 'Yes, at 12:30').getByRole('button', { name: `👍 1, from ${b}`, exact: true });
      await expect(() => chip.textContent(), '👍 1', 'bob\'s reaction, named');
    }

    // Reactions add up, each with who gave it; one's own is pressed and
    // can be taken back.
    const thumbs = (p) => message(p, 'Yes, at 12:30').locator('.reaction');
    await thumbs(alice).click();
    for (const p of [alice, bob]) {
      await expect(() => thumbs(p).getAttribute('aria-label'), `👍 2, from ${b}, ${a}`, 'two reactions, both named');
      await expect(() => thumbs(p).textContent(), '👍 2', 'counted');
      assert.equal(await thumbs(p).getAttribute('title'), `${b}, ${a}`, 'who reacted, on hover');
    }
    assert.equal(await thumbs(alice).getAttribute('aria-pressed'), 'true');
    assert.equal(await thumbs(bob).getAttribute('aria-pressed'), 'true');
    await thumbs(bob).click();
    for (const p of [alice, bob]) {
      await expect(() => thumbs(p).getAttribute('aria-label'), `👍 1, from ${a}`, 'bob took his back');
    }
    assert.equal(await thumbs(bob).getAttribute('aria-pressed'), 'false');

    // Pin: the bar on top, for both.
    await (await select(bob, 'Lunch at noon?')).getByRole('menuitem', { name: 'Pin' }).click();
    for (const p of [alice, bob]) {
      await expect(() => p.page.getByRole('button', { name: 'Pinned message' }).textContent(), (t) => t?.includes('Lunch at noon?'), 'pinned bar');
    }

    // Delete for everyone: gone on both sides, its edited text too.
    await (await select(alice, 'Yes, at 12:30')).getByRole('menuitem', { name: 'Delete for everyone' }).click();
    for (const [p, other] of [[alice, b], [bob, a]]) {
      await p.waitTexts(['Lunch at noon?']);
      // The chat list's preview goes back to the newest post still there.
      await expect(() => p.chatLink(other).textContent(), (t) => t.includes('Lunch at noon?') && !t.includes('12:30'), 'the preview forgets the deleted text');
      const all = [...await stored(p.page, 'messages'), ...await stored(p.page, 'loose'), ...await stored(p.page, 'outbox'), ...await stored(p.page, 'chats')];
      assert.equal(all.filter((m) => JSON.stringify(m).includes('12:30')).length, 0, 'nothing of the deleted text stays in IndexedDB');
    }
    assert.deepEqual([...alice.errors, ...bob.errors], []);
  });

  test('formatting shows as elements, links open safely, markup stays text', async () => {
    const [alice, bob] = [await person(), await person()];
    const [a, b] = [uniqueName('alice'), uniqueName('bob')];
    await alice.signUp(a);
    await bob.signUp(b);
    await alice.startDirect(b);
    await alice.send('**big** news, _really_: `cargo run` at https://example.org/a?b=1.');
    await bob.openChat(a);
    await bob.waitTexts(['big news, really: cargo run at https://example.org/a?b=1.']);
    const text = bob.messages().last().locator('.text');
    assert.equal(await text.locator('strong').textContent(), 'big');
    assert.equal(await text.locator('em').textContent(), 'really');
    assert.equal(await text.locator('code').textContent(), 'cargo run');
    const link = text.getByRole('link');
    assert.equal(await link.getAttribute('href'), 'https://example.org/a?b=1');
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
    await alice.send('<b>not bold</b> javascript:alert(1)');
    await bob.waitTexts(['big news, really: cargo run at https://example.org/a?b=1.', '<b>not bold</b> javascript:alert(1)']);
    assert.equal(await bob.messages().last().locator('.text b, .text a').count(), 0, 'no markup, no link from text that is not one');
  });

  test('a half-written message survives messages arriving meanwhile', async () => {
    const [alice, bob] = [await person(), await person()];
    const [a, b] = [uniqueName('alice'), uniqueName('bob')];
    await alice.signUp(a);
    await bob.signUp(b);
    await alice.startDirect(b);
    const box = alice.page.getByRole('textbox', { name: 'Message', exact: true });
    await box.fill('half a tho');
    await bob.openChat(a);
    for (const text of ['one', 'two', 'three']) await bob.send(text);
    await alice.waitTexts(['one', 'two', 'three']);
    assert.equal(await box.inputValue(), 'half a tho', 'the draft is still there');
  });
});
