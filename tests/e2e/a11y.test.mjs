// Every screen a person visits passes axe-core (WCAG 2.2 A/AA and best
// practices) in the light and the dark theme, wide and phone-sized, in
// English and in Arabic, in each browser.
import { test } from 'node:test';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eachBrowser, uniqueName } from './harness.mjs';
import { auditThemes } from './axe.mjs';
import { expect } from './expect.mjs';

/** A small photo drawn in the page, saved where the file picker can take it. */
async function photo(page, name) {
  const b64 = await page.evaluate(async () => {
    const c = document.createElement('canvas');
    c.width = 320; c.height = 240;
    const g = c.getContext('2d');
    g.fillStyle = '#4a8'; g.fillRect(0, 0, 320, 240);
    const blob = await new Promise((r) => c.toBlob(r, 'image/jpeg', 0.9));
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let s = '';
    for (const b of bytes) s += String.fromCharCode(b);
    return btoa(s);
  });
  const path = join(tmpdir(), `${name}-${process.pid}.jpg`);
  writeFileSync(path, Buffer.from(b64, 'base64'));
  return path;
}

eachBrowser((person) => {
  test('every screen passes axe in both themes', async () => {
    const failures = [];
    const check = async (p, screen) => auditThemes(p.page, screen).catch((e) => failures.push(e.message));
    const ana = await person();
    const ben = await person();
    await ana.goto('/');
    await ana.page.getByRole('button', { name: 'Create an account' }).waitFor();
    await check(ana, 'sign-in');
    await ana.page.getByRole('button', { name: 'Create an account' }).click();
    await check(ana, 'sign-up');
    ana.username = uniqueName('ana');
    await ana.page.getByLabel('Username', { exact: true }).fill(ana.username);
    await ana.page.getByLabel('Password', { exact: true }).fill('correct horse battery');
    await ana.page.getByRole('button', { name: 'Sign up' }).click();
    await ana.waitOnline();
    const b = uniqueName('ben');
    await ben.signUp(b);
    await check(ana, 'the empty chat list');

    await ana.page.getByRole('button', { name: 'New chat' }).click();
    await check(ana, 'the new chat menu');
    await ana.page.getByRole('menuitem', { name: 'New group' }).click();
    const making = ana.page.getByRole('dialog', { name: 'New group' });
    await check(ana, "a new group's name");
    await making.getByLabel('Group name').fill('Weekend trip');
    await making.getByRole('button', { name: 'Next' }).click();
    await making.getByRole('searchbox').fill(b);
    await making.getByRole('button', { name: new RegExp(`@${b}$`) }).click();
    await check(ana, "a new group's people");
    await making.getByRole('button', { name: 'Create' }).click();
    await ana.waitChatOpen('Weekend trip');
    await ana.send('Who is in for Saturday?');
    await check(ana, 'a new group');
    await ana.page.getByRole('button', { name: 'Members' }).click();
    await check(ana, 'the members panel');
    await ana.page.getByRole('button', { name: 'Settings' }).click();
    await check(ana, 'the settings panel');
    await ana.page.getByRole('button', { name: 'Settings' }).click();
    const link = await ana.inviteLink();

    await ana.startDirect(b);
    await ana.send('Hi Ben! Are you coming? https://example.com');
    await ben.openChat(ana.username);
    await ben.send('Yes!\nSee you there.');
    await ana.waitTexts(['Hi Ben! Are you coming? https://example.com', 'Yes!\nSee you there.']);
    await check(ana, 'a direct chat');
    const yes = ana.messages().filter({ has: ana.page.locator('p.text', { hasText: 'See you there' }) });
    await yes.locator('.text').click();
    await check(ana, "a message's actions");
    await ana.page.getByRole('menuitem', { name: 'React 👍' }).click();
    await yes.locator('.text').click();
    await ana.page.getByRole('menuitem', { name: 'Reply' }).click();
    await check(ana, 'replying');
    await ana.send('Great!');
    await yes.locator('.text').click();
    await ana.page.getByRole('menuitem', { name: 'Forward' }).click();
    await check(ana, 'the forward dialog');
    await ana.page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await ana.page.getByRole('button', { name: 'Chat options' }).click();
    await check(ana, 'the chat options');
    await ana.page.getByRole('button', { name: 'Chat options' }).click();
    await ana.page.getByRole('button', { name: 'Search in this chat' }).click();
    await ana.page.getByRole('dialog').or(ana.page.locator('.panel')).getByRole('searchbox').fill('see');
    await ana.page.waitForTimeout(500);
    await check(ana, 'search in a chat');
    await ana.page.getByRole('button', { name: 'Search in this chat' }).click();

    // Media: a photo in the tray, then sent, then in the viewer.
    await ana.page.locator('.composer input.picker').setInputFiles([await photo(ana.page, 'a11y')]);
    await ana.page.locator('.attachments progress').waitFor();
    await ana.page.waitForFunction(() => [...document.querySelectorAll('.attachments progress')].every((e) => e.value === e.max));
    await check(ana, 'the attachment tray');
    await ana.send('The station');
    await ana.page.waitForFunction(() => !document.querySelector('.attachments'));
    // Read by Ben, whose chat is open: its line is drawn for the last time
    // (a viewer opened on a line drawn anew closes with it).
    await expect(() => ana.messages().last().locator('.state.read').count(), 1, 'the photo is read');
    await ana.messages().last().locator('button.photo').click();
    await ana.page.getByRole('dialog').waitFor();
    await check(ana, 'the media viewer');
    await ana.page.keyboard.press('Escape');
    await ana.page.getByRole('button', { name: 'Record a voice message' }).click();
    await ana.page.locator('.recording:not([hidden])').waitFor();
    await check(ana, 'the voice recorder');
    await ana.page.locator('.recording').getByRole('button', { name: 'Cancel' }).click();

    await ana.page.getByRole('searchbox', { name: 'Search', exact: true }).fill('e');
    await ana.page.getByRole('list', { name: 'Search results' }).waitFor();
    await check(ana, 'search over chats, people and messages');
    await ana.page.getByRole('searchbox', { name: 'Search', exact: true }).fill('');
    await ana.page.getByRole('button', { name: 'Edit folders' }).click();
    await check(ana, 'the folder editor');
    await ana.page.getByRole('dialog', { name: 'Edit folders' }).getByRole('button', { name: 'New folder' }).click();
    await check(ana, 'a new folder');
    await ana.page.keyboard.press('Escape');
    await ana.page.getByRole('dialog', { name: 'Edit folders' }).waitFor({ state: 'detached' });
    await ana.page.getByRole('button', { name: 'Preferences' }).click();
    await check(ana, 'the preferences');
    await ana.page.getByRole('button', { name: 'Close' }).click();
    await ana.page.getByRole('button', { name: 'Accounts' }).click();
    await check(ana, 'the account menu');
    await ana.page.getByRole('button', { name: 'Accounts' }).click();
    await ana.page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await check(ana, 'the sign-out dialog');
    await ana.page.getByRole('dialog', { name: 'Sign out' }).getByRole('button', { name: 'Cancel' }).click();

    const guest = await person();
    await guest.page.goto(link);
    await guest.page.getByRole('button', { name: 'Join chat' }).waitFor();
    await check(guest, 'joining by link');
    await guest.page.getByLabel('Display name').fill('Gus');
    await guest.page.getByRole('button', { name: 'Join chat' }).click();
    await guest.waitOnline();
    await check(guest, "a guest's chat");

    await ana.createChannel('Daily News');
    await ana.send('Edition one.');
    await check(ana, 'a channel');
    if (failures.length) throw new Error(failures.join('\n'));
  });

  test('every screen passes axe in Arabic on a phone', async () => {
    const failures = [];
    const check = async (p, screen) => auditThemes(p.page, screen).catch((e) => failures.push(e.message));
    const viewport = { width: 390, height: 844 };
    const amal = await person({ viewport, locale: 'ar' });
    const ben = await person({ viewport });
    const page = amal.page;
    await amal.goto('/');
    await page.getByRole('button', { name: 'إنشاء حساب جديد', exact: true }).waitFor();
    await check(amal, 'sign-in');
    await amal.signUpInArabic(uniqueName('amal'), 'أمل');
    const b = uniqueName('ben');
    await ben.signUp(b);
    await check(amal, 'the empty chat list');
    await page.getByRole('button', { name: 'محادثة جديدة' }).click();
    await check(amal, 'the new chat menu');
    await page.getByRole('menuitem', { name: 'محادثة خاصة جديدة' }).click();
    await page.getByRole('dialog').getByRole('searchbox').fill(b);
    await page.getByRole('dialog').getByRole('button', { name: new RegExp(`@${b}$`) }).waitFor();
    await check(amal, 'a new private chat');
    await page.getByRole('dialog').getByRole('button', { name: new RegExp(`@${b}$`) }).click();
    await amal.waitChatOpen(b);
    const box = page.getByRole('textbox', { name: 'رسالة', exact: true });
    await box.fill('مرحبا Ben! هل ستأتي؟');
    await box.press('Enter');
    await ben.openChat('أمل');
    await ben.send('Yes!');
    await page.getByRole('list', { name: 'الرسائل' }).getByText('Yes!').waitFor();
    await check(amal, 'a chat');
    await page.getByRole('list', { name: 'الرسائل' }).getByText('Yes!').click();
    await check(amal, "a message's actions");
    await page.getByRole('button', { name: 'خيارات المحادثة' }).click();
    await check(amal, 'the chat options');
    await page.getByRole('button', { name: 'رجوع' }).click();
    await check(amal, 'the chat list');
    await page.getByRole('button', { name: 'التفضيلات' }).click();
    await check(amal, 'the preferences');
    if (failures.length) throw new Error(failures.join('\n'));
  });
});
