// Languages and themes: the browser's language picks the app's, Arabic
// mirrors the layout while messages keep their own direction, and the
// Preferences panel switches the language and the theme for good.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eachBrowser, uniqueName } from './harness.mjs';
import { expect } from './expect.mjs';

/** `<html lang dir data-theme>`, as "lang,dir,theme". */
function htmlAttrs(p) {
  return p.page.evaluate(() => {
    const html = document.documentElement;
    return [html.lang, html.dir, html.getAttribute('data-theme') ?? ''].join();
  });
}

/** The page's background as a relative luminance, 0 (black) to 1 (white). */
async function background(p) {
  const color = await p.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const [r, g, b] = color.match(/[\d.]+/g).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}

function waitOnline(p) {
  return expect(() => p.page.locator('.conn').getAttribute('data-state'), 'online', 'online');
}

eachBrowser((person, env) => {
  test('an Arabic browser gets the app in Arabic, right to left; messages keep their direction', async () => {
    const p = await person({ locale: 'ar' });
    const page = p.page;
    await p.goto('/');
    await expect(() => htmlAttrs(p), 'ar,rtl,', '<html lang="ar" dir="rtl">');
    await expect(() => page.getByRole('heading', { level: 2 }).textContent(), 'تسجيل الدخول', 'the sign-in form in Arabic');
    assert.equal(await page.getByRole('button', { name: 'Create an account' }).count(), 0, 'no English left');

    await page.getByRole('button', { name: 'إنشاء حساب جديد', exact: true }).click();
    await page.getByLabel('اسم المستخدم', { exact: true }).fill(uniqueName('amal'));
    await page.getByLabel('كلمة المرور', { exact: true }).fill('correct horse battery');
    await page.getByRole('button', { name: 'إنشاء الحساب', exact: true }).click();
    await waitOnline(p);
    assert.equal(await page.locator('.conn').textContent(), 'متصل');

    await page.getByRole('button', { name: 'محادثة جديدة' }).click();
    await page.getByRole('menuitem', { name: 'مجموعة جديدة' }).click();
    await page.getByLabel('اسم المجموعة').fill('Notes');
    await page.getByRole('button', { name: 'التالي' }).click();
    await page.getByRole('button', { name: 'إنشاء', exact: true }).click();
    await p.waitChatOpen('Notes');
    // Fluent's Arabic plural: one member is "عضو واحد", not "1 عضو".
    await expect(() => page.locator('.chat-title .muted').textContent(), 'عضو واحد', 'the Arabic singular');

    // The chat list is on the right of the chat, as Arabic reads.
    const list = await page.locator('aside.sidebar').boundingBox();
    const chat = await page.locator('main.pane').boundingBox();
    assert.ok(list.x > chat.x, `list at x=${list.x} is right of the chat at x=${chat.x}`);
    assert.ok(list.x >= chat.x + chat.width - 1, 'the panes do not overlap');

    await page.getByRole('textbox', { name: 'رسالة', exact: true }).fill('Hello from an English sentence');
    await page.getByRole('textbox', { name: 'رسالة', exact: true }).press('Enter');
    const messages = page.getByRole('list', { name: 'الرسائل' }).locator('li.msg');
    await expect(() => messages.locator('.text').allTextContents(), (t) => t[0] === 'Hello from an English sentence', 'the message shown');
    // Polled: the line is drawn anew once the server has the message, and
    // a replaced element has no computed style.
    const text = messages.last().locator('.text');
    await expect(() => text.getAttribute('dir'), 'auto');
    await expect(() => text.evaluate((el) => getComputedStyle(el).direction), 'ltr', 'the English message reads left to right');
    await expect(() => messages.last().evaluate((el) => getComputedStyle(el).direction), 'rtl', 'its bubble sits in the right-to-left UI');
    assert.equal(await page.locator('.composer').evaluate((el) => getComputedStyle(el).direction), 'rtl');
    // Own messages sit on the inline end's opposite side: the left in Arabic.
    const bubble = await messages.last().boundingBox();
    const pane = await page.locator('ul.messages').boundingBox();
    assert.ok(bubble.x - pane.x < pane.x + pane.width - (bubble.x + bubble.width), 'own bubble on the left');
    assert.deepEqual(p.errors, []);
  });

  test('a person switches the language to French and the theme, and both stay', async (t) => {
    const p = await person();
    const page = p.page;
    await p.signUp(uniqueName('fanny'));
    await expect(() => htmlAttrs(p), 'en,ltr,');

    await page.getByRole('button', { name: 'Preferences' }).click();
    await page.getByRole('dialog', { name: 'Preferences' }).getByLabel('Language').selectOption('fr');
    await expect(() => htmlAttrs(p), 'fr,ltr,', '<html lang="fr">');
    await expect(() => page.getByRole('button', { name: 'Se déconnecter' }).count(), 1, 'French labels');
    assert.equal(await page.getByRole('button', { name: 'Nouvelle discussion' }).count(), 1);
    assert.equal(await page.getByRole('button', { name: 'Sign out' }).count(), 0);
    // The panel stays open in the new language.
    await expect(() => page.getByRole('dialog', { name: 'Préférences' }).count(), 1, 'the panel still open');

    await page.reload();
    await waitOnline(p);
    await expect(() => htmlAttrs(p), 'fr,ltr,', 'still French after a reload');
    assert.equal(await page.locator('.conn').textContent(), 'En ligne');
    await page.getByRole('button', { name: 'Nouvelle discussion' }).click();
    await page.getByRole('menuitem', { name: 'Nouveau groupe' }).click();
    await page.getByLabel('Nom du groupe').fill('Club');
    await page.getByRole('button', { name: 'Suivant' }).click();
    await page.getByRole('button', { name: 'Créer', exact: true }).click();
    await p.waitChatOpen('Club');
    await expect(() => page.locator('.chat-title .muted').textContent(), '1 membre');

    await page.getByRole('button', { name: 'Préférences' }).click();
    const theme = page.getByRole('dialog', { name: 'Préférences' }).getByLabel('Thème');
    await page.emulateMedia({ colorScheme: 'light' });
    assert.ok((await background(p)) > 0.8, 'light by default on a light system');
    await theme.selectOption('dark');
    await expect(() => htmlAttrs(p), 'fr,ltr,dark');
    await expect(() => background(p), (l) => l < 0.2, 'a dark background');

    // Light wins over a dark system, and System follows it again. (Firefox
    // under playwright-core 1.64 ignores the emulated scheme: there the
    // system stays light and only the explicit choices are checked.)
    await page.emulateMedia({ colorScheme: 'dark' });
    const systemDark = await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches);
    if (!systemDark) t.diagnostic('prefers-color-scheme emulation not supported: System is checked as light');
    await theme.selectOption('light');
    await expect(() => htmlAttrs(p), 'fr,ltr,light');
    await expect(() => background(p), (l) => l > 0.8, 'a light background on a dark system');
    await theme.selectOption({ value: '' });
    await expect(() => htmlAttrs(p), 'fr,ltr,');
    await expect(() => background(p), (l) => (systemDark ? l < 0.2 : l > 0.8), 'the system\'s scheme again');

    await theme.selectOption('dark');
    await page.reload();
    await waitOnline(p);
    await expect(() => htmlAttrs(p), 'fr,ltr,dark', 'the theme kept after a reload');

    // French is fetched when chosen (the first load carries English only);
    // the service worker keeps it, so the app opens in French offline too.
    await expect(() => page.evaluate(() => !!navigator.serviceWorker?.controller), true, 'a controlling service worker');
    await env.server.stop();
    await page.reload();
    await expect(() => page.locator('.conn').getAttribute('data-state'), (s) => s !== 'online', 'offline');
    await expect(() => page.getByRole('button', { name: 'Nouvelle discussion' }).count(), 1, 'French with the server down');
    await env.server.start();
    await waitOnline(p);
    assert.deepEqual(p.errors, []);
  });
});
