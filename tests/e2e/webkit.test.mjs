// The core flows in WebKit (Safari's engine), each with a person in Chromium
// on the other side: sign up, a 1:1 chat both ways, a guest by link, a
// reload with the server down, and the outbox that waits for it.
import { after, before, describe, test } from 'node:test';
import { Person, Server, WEBKIT, launch, uniqueName } from './harness.mjs';
import { WebKitPerson } from './webkit.mjs';
import { expect } from './expect.mjs';

describe('webkit', { skip: !WEBKIT && 'E2E_BROWSERS leaves out webkit' }, () => {
  let chromium;
  let server;
  const people = [];
  before(async () => {
    chromium = await launch('chromium');
    server = await new Server().start();
  });
  after(async () => {
    for (const p of people) await p.close().catch(() => {});
    await chromium?.close();
    await server?.dispose();
  });
  const inWebKit = async () => { const p = await WebKitPerson.open(server); people.push(p); return p; };
  const inChromium = async () => { const p = await Person.open(chromium, server); people.push(p); return p; };

  test('signs up and chats one to one with Chromium, both ways', async () => {
    const [ana, ben] = [await inWebKit(), await inChromium()];
    await ana.signUp(uniqueName('ana'));
    await ben.signUp(uniqueName('ben'));
    await ana.startDirect(ben.username);
    await ana.send('hello from WebKit');
    await ben.openChat(ana.username);
    await ben.waitTexts(['hello from WebKit']);
    await ben.send('hello from Chromium');
    await ana.waitTexts(['hello from WebKit', 'hello from Chromium']);
    await ana.close();
  });

  test('a guest joins by invite link, with no account, and chats', async () => {
    const [host, guest] = [await inChromium(), await inWebKit()];
    await host.signUp(uniqueName('host'));
    await host.createGroup('Picnic');
    const link = await host.inviteLink();
    await guest.joinAsGuest(link, 'Gus in WebKit');
    await guest.waitChatOpen('Picnic');
    await guest.send('hi from a WebKit guest');
    await host.waitTexts(['hi from a WebKit guest']);
    await host.send('welcome, Gus');
    await guest.waitTexts(['hi from a WebKit guest', 'welcome, Gus']);
    await guest.close();
  });

  test('with the server down a reload shows the chats, and what is written meanwhile goes out once, in order', async () => {
    const [ana, ben] = [await inWebKit(), await inChromium()];
    await ana.signUp(uniqueName('ana'));
    await ben.signUp(uniqueName('ben'));
    await ana.startDirect(ben.username);
    await ana.send('online first');
    await ben.openChat(ana.username);
    await ben.waitTexts(['online first']);
    await expect(() => ana.session.executeScript('return !!navigator.serviceWorker?.controller'), true, 'a controlling service worker');

    await server.stop();
    await expect(() => ana.connection(), (s) => s !== 'online', 'WebKit sees the server gone');
    await ana.reload();
    await ana.openChat(ben.username);
    await ana.waitTexts(['online first']);
    await ana.send('offline one');
    await ana.send('offline two');
    await expect(() => ana.pending(), 2, 'two pending');
    await ana.reload();
    await ana.openChat(ben.username);
    await ana.waitTexts(['online first', 'offline one', 'offline two']);
    await ana.send('offline three, after a reload');
    await expect(() => ana.pending(), 3, 'three pending across the reload');

    await server.start();
    const expected = ['online first', 'offline one', 'offline two', 'offline three, after a reload'];
    await ben.waitTexts(expected);
    await expect(() => ana.pending(), 0, 'nothing pending');
    await ana.waitTexts(expected);
    await ana.close();
  });
});
