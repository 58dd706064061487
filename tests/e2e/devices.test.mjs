// Devices, seen in real browsers: each sign-in is listed in Preferences
// with where it runs; signing one out from another takes it to the
// sign-in screen; a new password signs out every other device.
// Every test runs once per browser in BROWSERS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eachBrowser, uniqueName } from './harness.mjs';
import { expect } from './expect.mjs';

eachBrowser((person) => {
  test('Preferences list the devices; one signs another out, and a new password signs out the rest', async () => {
    const [laptop, phone, tablet] = [await person(), await person(), await person()];
    const name = uniqueName('alice');
    await laptop.signUp(name);
    await phone.signIn(name);
    await tablet.signIn(name);

    const page = laptop.page;
    await page.getByRole('button', { name: 'Preferences' }).click();
    const devices = page.getByRole('region', { name: 'Devices' });
    const rows = devices.getByRole('listitem');
    await expect(() => rows.count(), 3, 'three devices listed');
    await expect(() => rows.filter({ hasText: 'This device' }).count(), 1, 'this one marked');
    const browser = (await rows.first().locator('.device-name').textContent()).trim();
    assert.match(browser, / on /, 'named by browser and system');

    // Rename this device.
    await devices.getByRole('button', { name: 'Rename' }).click();
    await devices.getByLabel('Device name').fill('Work laptop');
    await devices.getByRole('button', { name: 'Save' }).click();
    await expect(() => rows.filter({ hasText: 'Work laptop' }).count(), 1, 'renamed');

    // Sign the phone out from here: it lands on the sign-in screen.
    const others = devices.getByRole('button', { name: /^Sign out / });
    await expect(() => others.count(), 2, 'two others to sign out');
    await others.first().click();
    await expect(() => rows.count(), 2, 'one device fewer');
    const signedOut = async () => (await phone.page.getByRole('button', { name: 'Sign in' }).count())
      + (await tablet.page.getByRole('button', { name: 'Sign in' }).count());
    await expect(signedOut, 1, 'the device signed out shows the sign-in screen');

    // A new password: wrong current one first, then right.
    await devices.getByLabel('Current password').fill('not my password');
    await devices.getByLabel('New password').fill('a brand new secret');
    await devices.getByRole('button', { name: 'Change password' }).click();
    await expect(() => devices.getByRole('alert').textContent(), (t) => t?.includes('current password is wrong'), 'a wrong password is refused');
    await devices.getByLabel('Current password').fill('correct horse battery');
    await devices.getByLabel('New password').fill('a brand new secret');
    await devices.getByRole('button', { name: 'Change password' }).click();
    await expect(() => devices.getByRole('status').textContent(), (t) => t?.includes('other devices were signed out'), 'told');
    await expect(signedOut, 2, 'every other device is signed out');
    await expect(() => rows.count(), 1, 'only this device is left');
    // This one goes on.
    await laptop.waitOnline();
    assert.deepEqual([...laptop.errors, ...phone.errors, ...tablet.errors], []);
  });
});
