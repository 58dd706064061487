// Roles and moderation in real browsers: channels where only admins post,
// bans, and invite links that stop working (used up, revoked) or need an
// admin's approval. Every test runs once per browser in BROWSERS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eachBrowser, uniqueName } from './harness.mjs';
import { expect } from './expect.mjs';

eachBrowser((person) => {
  test('a channel found by @handle: subscribers read and see views, only admins post', async () => {
    const [owner, reader] = [await person(), await person()];
    await owner.signUp(uniqueName('owner'));
    await reader.signUp(uniqueName('reader'));
    const handle = uniqueName('news');
    await owner.createChannel('Daily News');
    await owner.openSettings();
    await owner.page.getByLabel('Public handle').fill(`@${handle}`);
    await owner.page.getByRole('button', { name: 'Save' }).click();
    await expect(() => owner.page.getByRole('status').filter({ hasText: 'Saved' }).count(), 1, 'saved');
    await owner.send('Edition one');
    await expect(() => owner.messages().last().locator('.state').getAttribute('aria-label'), 'Sent');

    // Found by title and by @handle in the one search box, in its section.
    await reader.showList();
    await reader.page.getByRole('searchbox', { name: 'Search', exact: true }).fill('daily ne');
    await reader.page.getByRole('list', { name: 'Public groups and channels' }).getByRole('button', { name: /Daily News/ }).waitFor();
    await reader.joinPublic(handle);
    await reader.waitChatOpen('Daily News');
    await reader.waitTexts(['Edition one']);
    const sender = await reader.messages().last().locator('.sender').textContent();
    assert.equal(sender.trim(), 'Daily News', 'an unsigned post is the channel\'s');
    await expect(() => reader.page.getByRole('main').locator('.chat-title .muted').textContent(), (t) => t.startsWith('2 subscribers'));
    assert.equal(await reader.page.getByRole('textbox', { name: 'Message', exact: true }).count(), 0, 'no composer for a subscriber');
    await expect(() => reader.page.getByRole('note').textContent(), 'Only admins post in this channel.');
    await expect(() => reader.messages().last().locator('.views').getAttribute('aria-label'), '1 view', 'its own view counted');
    assert.equal(await reader.page.getByRole('button', { name: 'Settings' }).count(), 0, 'subscribers have no settings');
    assert.deepEqual([...owner.errors, ...reader.errors], []);
  });

  test('a banned member loses the chat and cannot come back by its link', async () => {
    const [alice, bob] = [await person(), await person()];
    await alice.signUp(uniqueName('alice'));
    const b = uniqueName('bob');
    await bob.signUp(b);
    await alice.createGroup('Club');
    const link = await alice.inviteLink();
    await bob.joinByLink(link);
    await bob.waitChatOpen('Club');
    await bob.send('hello club');
    await alice.waitTexts(['hello club']);

    await alice.page.getByRole('button', { name: 'Members' }).click();
    await alice.page.getByRole('button', { name: `Ban ${b}` }).click();
    await expect(() => bob.page.getByText('You are no longer a member of this chat.').count(), 1, 'told they are out');
    await expect(() => bob.chatLink('Club').count(), 0, 'the chat left the list');
    await bob.page.goto(link);
    await bob.page.getByRole('button', { name: 'Join chat' }).click();
    await expect(() => bob.page.getByRole('alert').textContent(), 'Banned from this chat');
    assert.deepEqual([...alice.errors, ...bob.errors], []);
  });

  test('invite links: used up and revoked links are refused, approval links wait for an admin', async () => {
    const [alice, bob, carol, dave] = [await person(), await person(), await person(), await person()];
    await alice.signUp(uniqueName('alice'));
    await bob.signUp(uniqueName('bob'));
    const d = uniqueName('dave');
    await dave.signUp(d);
    await alice.createGroup('Guild');
    await alice.openSettings();
    const links = alice.page.getByRole('list', { name: 'Invite links' }).getByRole('listitem');
    await expect(() => links.count(), 1, 'the main link');
    const form = alice.page.getByRole('form', { name: 'New invite link' });
    await form.getByLabel('Usage limit').fill('1');
    await form.getByRole('button', { name: 'Create link' }).click();
    await expect(() => links.count(), 2, 'a second link');
    const once = await links.nth(1).locator('code').textContent();
    assert.match(await links.nth(1).textContent(), /0 of 1 used/);

    await bob.joinByLink(once);
    await bob.waitChatOpen('Guild');
    await carol.page.goto(once);
    await expect(() => carol.page.getByRole('alert').textContent(), 'Invite link has reached its usage limit');
    assert.equal(await carol.page.getByRole('button', { name: 'Join chat' }).isDisabled(), true);

    const main = await links.first().locator('code').textContent();
    await links.first().getByRole('button', { name: /^Revoke/ }).click();
    await expect(() => links.first().locator('code').textContent(), (t) => t !== main, 'a new main link');
    await carol.page.goto(main);
    await expect(() => carol.page.getByRole('alert').textContent(), 'Invite link was revoked');

    await form.getByLabel('Admins approve new members').check();
    await form.getByRole('button', { name: 'Create link' }).click();
    await expect(() => links.filter({ hasText: 'needs approval' }).count(), 1);
    const ask = await links.filter({ hasText: 'needs approval' }).locator('code').textContent();
    await dave.page.goto(ask);
    await dave.page.getByRole('button', { name: 'Request to join' }).click();
    await expect(() => dave.page.getByRole('status').filter({ hasText: 'request to join was sent' }).count(), 1);
    await dave.goto('/');
    await dave.waitOnline();
    assert.equal(await dave.chatLink('Guild').count(), 0, 'not in before approval');

    await alice.page.getByRole('button', { name: 'Settings' }).click();
    await alice.openSettings();
    await alice.page.getByRole('button', { name: `Approve ${d}` }).click();
    await expect(() => dave.chatLink('Guild').count(), 1, 'in once approved');
    assert.deepEqual([...alice.errors, ...bob.errors, ...carol.errors, ...dave.errors], []);
  });
});
