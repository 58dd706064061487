// Screenshots of every screen, wide and phone-sized, light and dark, for a
// person to look at: `node tests/e2e/screenshots.mjs [out-dir]` (after a build).
import { mkdirSync, writeFileSync } from 'node:fs';
import { Person, Server, launch, uniqueName } from './harness.mjs';

const out = process.argv[2] ?? 'tests/e2e/artifacts';
mkdirSync(out, { recursive: true });
const server = await new Server().start();
const browser = await launch('chromium');

/** Sends an album of three photos drawn in the page and a text file,
 * then a larger file whose upload is paused, so its message shows its
 * progress. Returns a function that cancels that upload. */
async function sendMedia(p, send, cancelName = 'Cancel upload') {
  const photos = [];
  for (const [i, hue] of [[1, 200], [2, 30], [3, 120]]) {
    const b64 = await p.page.evaluate(async (hue) => {
      const c = document.createElement('canvas');
      c.width = 800; c.height = 600;
      const g = c.getContext('2d');
      g.fillStyle = `hsl(${hue} 60% 55%)`;
      g.fillRect(0, 0, 800, 600);
      g.fillStyle = `hsl(${hue} 60% 35%)`;
      g.beginPath(); g.arc(400, 300, 180, 0, 7); g.fill();
      const blob = await new Promise((r) => c.toBlob(r, 'image/jpeg', 0.9));
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let s = '';
      for (const b of bytes) s += String.fromCharCode(b);
      return btoa(s);
    }, hue);
    photos.push(`${out}/photo-${i}.jpg`);
    writeFileSync(photos.at(-1), Buffer.from(b64, 'base64'));
  }
  writeFileSync(`${out}/itinerary.txt`, 'Saturday: train at 9.\n'.repeat(2000));
  const picker = p.page.locator('.composer input.picker');
  await picker.setInputFiles([...photos, `${out}/itinerary.txt`]);
  const tray = p.page.locator('.attachments li');
  for (let i = 0; i < 4; i++) await tray.nth(i).locator('progress[value]').waitFor();
  await p.page.waitForFunction(() => [...document.querySelectorAll('.attachments progress')].every((e) => e.value === e.max));
  await send('Photos from Saturday');
  await p.page.waitForFunction(() => !document.querySelector('.attachments'));
  writeFileSync(`${out}/rehearsal.bin`, Buffer.alloc(40 * 1024 * 1024, 7));
  await picker.setInputFiles([`${out}/rehearsal.bin`]);
  await p.page.waitForFunction(() => document.querySelector('.attachments progress')?.value > 0);
  await p.page.locator('.attachments li button').first().click();
  await send('The rehearsal, on its way');
  await p.page.waitForTimeout(800);
  return async () => {
    await p.page.locator('.msg .uploading').getByRole('button', { name: cancelName }).click();
    // A photo in the tray, with "send as files".
    await picker.setInputFiles([photos[0]]);
    await p.page.locator('.attachments progress').waitFor();
  };
}

const sizes = { wide: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };

try {
  for (const [size, viewport] of Object.entries(sizes)) {
    for (const scheme of ['light', 'dark']) {
      const shot = async (p, name) => p.page.screenshot({ path: `${out}/${name}-${size}-${scheme}.png` });
      const alice = await Person.open(browser, server, { viewport });
      const bob = await Person.open(browser, server, { viewport });
      const guest = await Person.open(browser, server, { viewport });
      for (const p of [alice, bob, guest]) await p.page.emulateMedia({ colorScheme: scheme });
      await alice.goto('/');
      await alice.page.waitForTimeout(500);
      await shot(alice, 'signin');
      const b = uniqueName('bob');
      await alice.signUp(uniqueName('alice'));
      await bob.signUp(b);
      await shot(alice, 'empty');
      await alice.createGroup('Weekend trip');
      const link = await alice.inviteLink();
      await alice.send('Who is in for Saturday? 🚆');
      await alice.startDirect(b);
      await alice.send('Hi Bob! Are you coming?');
      await alice.send('A longer message to see how a bubble wraps when the text goes on for a while, as messages do.');
      await bob.openChat(alice.username);
      await bob.send('Yes!\nSee you there.');
      await alice.page.waitForTimeout(500);
      await shot(alice, 'chat');
      const cancel = await sendMedia(alice, (text) => alice.send(text));
      await alice.page.waitForTimeout(800);
      await shot(alice, 'media');
      await cancel();
      await alice.page.waitForTimeout(800);
      await shot(alice, 'attach');
      await alice.page.locator('.attachments').getByRole('button', { name: 'Cancel upload' }).click();
      await alice.page.locator('.media.album button.photo').first().click();
      await alice.page.waitForTimeout(500);
      await shot(alice, 'viewer');
      await alice.page.keyboard.press('Escape');
      if (size === 'phone') {
        await alice.showList();
        await shot(alice, 'list');
        await alice.openChat(b);
      }
      // Everyday tools: the message's actions, options, search, forwarding.
      const yes = () => alice.page.getByRole('list', { name: 'Messages' }).locator('.text', { hasText: 'Yes!' });
      await yes().click();
      await shot(alice, 'message-actions');
      await alice.page.getByRole('menuitem', { name: 'React 👍' }).click();
      await yes().click();
      await alice.page.getByRole('menuitem', { name: 'Pin', exact: true }).click();
      await yes().click();
      await alice.page.getByRole('menuitem', { name: 'Reply' }).click();
      await alice.send('Great, see you! The train leaves at 9.');
      for (let i = 1; i <= 25; i++) await alice.send(`Checklist item ${i}`);
      await alice.page.getByRole('list', { name: 'Messages' }).evaluate((ul) => { ul.scrollTop = 0; });
      await alice.page.waitForTimeout(400);
      await alice.page.getByRole('list', { name: 'Messages' }).evaluate((ul) => { ul.scrollTop = 60; });
      await alice.page.waitForTimeout(400);
      await shot(alice, 'scrolled-up');
      await alice.page.getByRole('button', { name: 'Jump to the newest message' }).click();
      await yes().click();
      await alice.page.getByRole('menuitem', { name: 'Forward' }).click();
      await shot(alice, 'forward');
      await alice.page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
      await alice.page.getByRole('button', { name: 'Chat options' }).click();
      await shot(alice, 'options');
      await alice.page.getByRole('button', { name: 'Chat options' }).click();
      if (size === 'phone') await alice.showList();
      await alice.page.getByRole('searchbox', { name: 'Search', exact: true }).fill('you');
      await alice.page.waitForTimeout(500);
      await shot(alice, 'search');
      await alice.page.getByRole('searchbox', { name: 'Search', exact: true }).fill('');
      // The user's own folders, and the accounts of this browser.
      const folders = alice.page.getByRole('dialog', { name: 'Edit folders' });
      await alice.page.getByRole('button', { name: 'Edit folders' }).click();
      await folders.getByRole('button', { name: 'New folder' }).click();
      await folders.getByLabel('Groups').check();
      await shot(alice, 'folder-edit');
      await folders.getByRole('button', { name: 'Done' }).click();
      await folders.getByRole('button', { name: 'Save' }).click();
      await alice.page.getByRole('tab', { name: 'New folder' }).click();
      await shot(alice, 'folder-tab');
      await alice.page.getByRole('tab', { name: 'All' }).click();
      await alice.page.getByRole('button', { name: 'Accounts' }).click();
      await shot(alice, 'accounts');
      await alice.page.getByRole('button', { name: 'Accounts' }).click();
      await alice.page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await shot(alice, 'sign-out');
      await alice.page.getByRole('dialog', { name: 'Sign out' }).getByRole('button', { name: 'Cancel' }).click();
      if (size === 'phone') await alice.openChat(b);
      await alice.page.getByRole('button', { name: 'Members' }).click().catch(() => {});
      await shot(alice, 'members');
      await guest.page.goto(link);
      await guest.page.waitForTimeout(500);
      await shot(guest, 'join');
      await guest.page.getByLabel('Display name').fill('Gus');
      await guest.page.getByRole('button', { name: 'Join chat' }).click();
      await guest.waitOnline();
      await guest.page.waitForTimeout(500);
      await shot(guest, 'guest');

      // A channel: the owner's settings and members, a subscriber's view.
      await alice.createChannel('Daily News');
      await alice.send('Edition one: the trains run on time.');
      await alice.openSettings();
      await alice.page.getByLabel('Public handle').fill(uniqueName('news'));
      await alice.page.getByRole('button', { name: 'Save' }).click();
      await alice.page.waitForTimeout(500);
      await shot(alice, 'channel-settings');
      const handle = await alice.page.getByLabel('Public handle').inputValue();
      await bob.joinPublic(handle);
      await bob.waitChatOpen('Daily News');
      await bob.page.waitForTimeout(800);
      await shot(bob, 'channel-subscriber');
      await alice.page.getByRole('button', { name: 'Members' }).click();
      await alice.page.waitForTimeout(500);
      await shot(alice, 'channel-members');
      for (const p of [alice, bob, guest]) await p.close();
    }

    // Arabic: the whole layout mirrored, mixed-direction messages.
    const shot = async (p, name) => p.page.screenshot({ path: `${out}/${name}-${size}-ar.png` });
    const amal = await Person.open(browser, server, { viewport, locale: 'ar' });
    const bob = await Person.open(browser, server, { viewport });
    const page = amal.page;
    await amal.goto('/');
    await page.waitForTimeout(500);
    await shot(amal, 'signin');
    await amal.signUpInArabic(uniqueName('amal'), 'أمل');
    const b = uniqueName('bob');
    await bob.signUp(b);
    await shot(amal, 'empty');
    await page.getByRole('button', { name: 'محادثة جديدة' }).click();
    await shot(amal, 'new-menu');
    await page.getByRole('menuitem', { name: 'مجموعة جديدة' }).click();
    await page.getByLabel('اسم المجموعة').fill('رحلة نهاية الأسبوع');
    await page.getByRole('button', { name: 'التالي' }).click();
    await page.getByRole('dialog').getByRole('searchbox').fill(b);
    await page.getByRole('dialog').getByRole('button', { name: new RegExp(`@${b}$`) }).click();
    await shot(amal, 'new-group');
    await page.getByRole('button', { name: 'إنشاء', exact: true }).click();
    await amal.waitChatOpen('رحلة');
    const box = page.getByRole('textbox', { name: 'رسالة', exact: true });
    await box.fill('من سيأتي يوم السبت؟ 🚆');
    await box.press('Enter');
    if (size === 'phone') await page.getByRole('button', { name: 'رجوع' }).click();
    await page.getByRole('button', { name: 'محادثة جديدة' }).click();
    await page.getByRole('menuitem', { name: 'محادثة خاصة جديدة' }).click();
    await page.getByRole('dialog').getByRole('searchbox').fill(b);
    await page.getByRole('dialog').getByRole('button', { name: new RegExp(`@${b}$`) }).click();
    await amal.waitChatOpen(b);
    await box.fill('مرحبا Bob! هل ستأتي؟');
    await box.press('Enter');
    await box.fill('A message in English stays left to right.');
    await box.press('Enter');
    await bob.openChat('أمل');
    await bob.send('Yes!\nSee you there.');
    await page.waitForTimeout(800);
    await shot(amal, 'chat');
    const cancel = await sendMedia(amal, async (text) => {
      await box.fill(text === 'Photos from Saturday' ? 'صور يوم السبت' : 'التسجيل في الطريق');
      await box.press('Enter');
    }, 'إلغاء الرفع');
    await page.waitForTimeout(800);
    await shot(amal, 'media');
    await cancel();
    await page.waitForTimeout(800);
    await shot(amal, 'attach');
    await page.locator('.attachments').getByRole('button', { name: 'إلغاء الرفع' }).click();
    await page.getByRole('list', { name: 'الرسائل' }).locator('li.msg').first().click();
    await page.waitForTimeout(300);
    await shot(amal, 'actions');
    await page.getByRole('list', { name: 'الرسائل' }).locator('li.msg').first().click();
    await page.getByRole('button', { name: 'خيارات المحادثة' }).click();
    await page.waitForTimeout(500);
    await shot(amal, 'options');
    await page.getByRole('button', { name: 'خيارات المحادثة' }).click();
    await page.getByRole('button', { name: 'تسجيل الخروج', exact: true }).click();
    await shot(amal, 'sign-out');
    await page.getByRole('dialog', { name: 'تسجيل الخروج' }).getByRole('button', { name: 'إلغاء' }).click();
    if (size === 'phone') {
      await page.getByRole('button', { name: 'رجوع' }).click();
      await shot(amal, 'list');
    }
    await page.getByRole('button', { name: 'التفضيلات' }).click();
    await page.waitForTimeout(300);
    await shot(amal, 'prefs');
    await page.getByRole('button', { name: 'إغلاق' }).click();
    await page.locator('.chat-row', { hasText: 'رحلة' }).click();
    await page.getByRole('button', { name: 'الأعضاء' }).click();
    await page.waitForTimeout(500);
    await shot(amal, 'members');
    await page.getByRole('button', { name: 'الإعدادات' }).click();
    await page.waitForTimeout(500);
    await shot(amal, 'settings');
    for (const p of [amal, bob]) await p.close();
  }
} finally {
  await browser.close();
  await server.dispose();
}
console.log(`screenshots in ${out}`);
