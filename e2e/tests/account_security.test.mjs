// End-to-end: a user's own sessions and security notices (issue 6: ASVS 7.5.2, 7.4.3, 6.3.7) in
// headless Chromium on a phone, with axe-core on every page state, in English and Ukrainian.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, phone, axe, shot, login, totp } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

async function check(page, name) {
  const v = await axe(page);
  await shot(page, name);
  assert.deepEqual(v, [], `axe-core found serious or critical violations on ${name}: ${JSON.stringify(v, null, 1)}`);
  assert.deepEqual(page.externalRequests, [], `requests left the server on ${name}`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  assert.equal(overflow, false, `${name} scrolls sideways on a 360 px phone`);
}

test('signed in twice, the coordinator ends the other session from the sessions page', async () => {
  const who = server.logins.coordinator;
  const here = await phone(browser, server.url);
  const there = await phone(browser, server.url);
  await login(there, server.url, who, 'en');
  await login(here, server.url, who, 'en');
  await Promise.all([here.waitForURL(/\/account$/), here.click('a[href="/account"]')]);
  await check(here, '80-account-en');
  await Promise.all([here.waitForURL(/\/account\/sessions$/), here.click('a[href="/account/sessions"]')]);
  assert.equal(await here.textContent('h1'), 'Your sessions');
  assert.equal(await here.locator('ul.sessions li.card').count(), 2);
  assert.equal(await here.locator('ul.sessions li.card.current').count(), 1);
  await check(here, '81-sessions-en');
  const other = here.locator('ul.sessions li.card:not(.current)');
  await Promise.all([here.waitForURL(/\/account\/sessions$/), other.locator('button[type=submit]').click()]);
  assert.equal(await here.locator('ul.sessions li.card').count(), 1);
  assert.equal(await here.locator('form[action="/account/sessions/end-others"]').count(), 0);
  await check(here, '82-sessions-ended-en');
  // The other browser is signed out: its next page is the login page.
  await there.goto(`${server.url}/account`);
  assert.match(there.url(), /\/login$/);
  // This one still works.
  await here.goto(`${server.url}/account`);
  assert.equal(await here.textContent('h1'), 'Your account');
  await here.context().close();
  await there.context().close();
});

test('after renewing the recovery codes, the other session ends and home shows a notice (Ukrainian)', async () => {
  const who = server.logins.first_responder;
  const other = await phone(browser, server.url);
  await login(other, server.url, who, 'uk');
  const page = await phone(browser, server.url);
  await login(page, server.url, who, 'uk');
  await page.goto(`${server.url}/account/recovery-codes`);
  await page.fill('#password', who.password);
  await page.fill('#code', await totp(who.totp));
  await page.click('button[type=submit].primary');
  await page.waitForSelector('.recovery-codes');
  await Promise.all([page.waitForURL(`${server.url}/`), page.click('a.button.primary')]);
  const banner = page.locator('section.security-banner');
  assert.equal(await banner.count(), 1);
  assert.match(await banner.textContent(), /Ваші коди відновлення оновлено/);
  await check(page, '83-notice-banner-uk');
  // The session in the other browser ended with the renewal.
  await other.goto(`${server.url}/cases`);
  assert.match(other.url(), /\/login$/);
  // Read: the banner goes, the account page still lists the notice.
  await Promise.all([page.waitForURL(`${server.url}/`), banner.locator('button[type=submit]').click()]);
  assert.equal(await page.locator('section.security-banner').count(), 0);
  await page.goto(`${server.url}/account`);
  assert.match(await page.textContent('main'), /Ваші коди відновлення оновлено/);
  await check(page, '84-account-notices-uk');
  await page.context().close();
  await other.context().close();
});
