// End-to-end: the second factor (enrolment with a QR code, recovery codes, a wrong code, an
// administrator's reset, renewal after a step-up), break-glass and an erased case's page, in headless Chromium on a phone, with axe-core on every page state.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, phone, axe, shot, login, secondFactor, totp, totpAt, apiLogin } from './harness.mjs';

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

test('a new case worker sets up an authenticator from a QR code and keeps the recovery codes', async () => {
  const admin = await phone(browser, server.url);
  await login(admin, server.url, server.logins.admin, 'en');
  await admin.goto(`${server.url}/admin`);
  await admin.fill('#email', 'new.worker@demo.invalid');
  await admin.selectOption('#role', 'case_worker');
  const ngo = await admin.$$eval('#org option', (os) => os.find((o) => /NGO/.test(o.textContent)).value);
  await admin.selectOption('#org', ngo);
  await admin.fill('#password', 'a long enough demo password');
  await Promise.all([admin.waitForURL(/added=1/), admin.click('form[action="/admin/users"] button[type=submit]')]);
  await admin.context().close();

  const page = await phone(browser, server.url);
  await page.goto(`${server.url}/login?lang=en`);
  await page.fill('#email', 'new.worker@demo.invalid');
  await page.fill('#password', 'a long enough demo password');
  await page.selectOption('#lang', 'en');
  await Promise.all([page.waitForURL(`${server.url}/login/enrol`), page.click('button[type=submit].primary')]);
  assert.equal(await page.textContent('h1'), 'Set up your authenticator');
  assert.equal(await page.locator('figure.qr svg').count(), 1);
  await check(page, '60-mfa-enrol-en');
  const secret = (await page.textContent('#secret')).replace(/\s/g, '');
  // A wrong code: a clear error, and a fresh QR code to scan.
  await page.fill('#code', '000000');
  await page.click('button[type=submit].primary');
  await page.waitForSelector('#code-error');
  await check(page, '61-mfa-enrol-error-en');
  const fresh = (await page.textContent('#secret')).replace(/\s/g, '');
  assert.notEqual(fresh, secret);
  await page.fill('#code', totpAt(fresh, Math.floor(Date.now() / 30000)));
  await page.click('button[type=submit].primary');
  await page.waitForSelector('.recovery-codes');
  assert.equal(await page.locator('.recovery-codes li').count(), 10);
  await check(page, '62-mfa-recovery-en');
  await Promise.all([page.waitForURL(`${server.url}/`), page.click('a.button.primary')]);
  await page.context().close();
});

test('a wrong code is refused clearly, then the right one lets the decision maker in', async () => {
  const page = await phone(browser, server.url);
  const who = server.logins.decision_maker;
  await page.goto(`${server.url}/login?lang=uk`);
  await page.fill('#email', who.email);
  await page.fill('#password', who.password);
  await page.selectOption('#lang', 'uk');
  await Promise.all([page.waitForURL(`${server.url}/login/mfa`), page.click('button[type=submit].primary')]);
  await check(page, '63-mfa-uk');
  await page.fill('#code', '000000');
  await page.click('button[type=submit].primary');
  await page.waitForSelector('#code-error');
  assert.equal(await page.getAttribute('#code', 'aria-invalid'), 'true');
  await check(page, '64-mfa-error-uk');
  await secondFactor(page, server.url, who);
  await page.context().close();
});

test('a guardian opens an unrelated case in an emergency; the auditor sees why', async () => {
  const decider = await phone(browser, server.url);
  await login(decider, server.url, server.logins.decision_maker, 'en');
  await decider.goto(`${server.url}/cases`);
  const cases = await decider.$$eval('a[href^="/cases/"]', (as) => [...new Set(as.map((a) => a.getAttribute('href')))]
    .filter((h) => /^\/cases\/[0-9a-f-]{36}$/.test(h)));
  await decider.context().close();
  assert.ok(cases.length > 0);

  const page = await phone(browser, server.url);
  await login(page, server.url, server.logins.guardian, 'en');
  let hidden;
  for (const c of cases) {
    const res = await page.goto(`${server.url}${c}`);
    if (res.status() === 404) { hidden = c; break; }
  }
  assert.ok(hidden, 'the guardian is not appointed to every demo case');
  await check(page, '65-break-glass-offer-en');
  await Promise.all([page.waitForURL(/break-glass$/), page.click(`a[href="${hidden}/break-glass"]`)]);
  await check(page, '66-break-glass-form-en');
  await page.click('button[type=submit].primary');
  await page.waitForSelector('#reason-error');
  await check(page, '67-break-glass-error-en');
  await page.fill('#reason', 'Fake test: night call from the shelter');
  await Promise.all([page.waitForURL(/purpose=emergency/), page.click('button[type=submit].primary')]);
  assert.notEqual(await page.textContent('h1'), 'Not found');
  await page.context().close();

  const auditor = await phone(browser, server.url);
  await login(auditor, server.url, server.logins.auditor, 'en');
  await auditor.goto(`${server.url}/audit?case=${hidden.split('/').pop()}`);
  const main = await auditor.textContent('main');
  assert.match(main, /break_glass_read/);
  assert.match(main, /Fake test: night call from the shelter/);
  assert.match(main, /guardian@demo\.invalid/);
  await check(auditor, '68-audit-break-glass-en');
  await auditor.context().close();
});

test('an administrator resets a lost second factor; the administrator answers one too', async () => {
  const admin = await phone(browser, server.url);
  assert.ok(server.logins.admin.totp, 'the demo prints the administrator\'s authenticator secret');
  await login(admin, server.url, server.logins.admin, 'en');
  await admin.goto(`${server.url}/admin`);
  await check(admin, '69-admin-reset-buttons-en');
  const card = admin.locator('li.card', { hasText: 'new.worker@demo.invalid' });
  await Promise.all([admin.waitForURL(/reset=1/), card.locator('button[type=submit]').click()]);
  assert.match(await admin.textContent('main'), /The second factor was reset/);
  await check(admin, '70-admin-reset-done-en');
  await admin.context().close();

  // At the next login the case worker sets up a new authenticator.
  const page = await phone(browser, server.url);
  await page.goto(`${server.url}/login?lang=en`);
  await page.fill('#email', 'new.worker@demo.invalid');
  await page.fill('#password', 'a long enough demo password');
  await Promise.all([page.waitForURL(`${server.url}/login/enrol`), page.click('button[type=submit].primary')]);
  await page.context().close();
});

test('a decision maker renews the recovery codes after confirming password and code', async () => {
  const who = server.logins.decision_maker;
  const page = await phone(browser, server.url);
  await login(page, server.url, who, 'en');
  await Promise.all([page.waitForURL(/recovery-codes$/), page.click('a[href="/account/recovery-codes"]')]);
  await check(page, '71-recovery-renew-en');
  await page.fill('#password', 'not the password');
  await page.fill('#code', '000000');
  await page.click('button[type=submit].primary');
  await page.waitForSelector('#password-error');
  await check(page, '72-recovery-renew-error-en');
  await page.fill('#password', who.password);
  await page.fill('#code', await totp(who.totp));
  await page.click('button[type=submit].primary');
  await page.waitForSelector('.recovery-codes');
  assert.equal(await page.locator('.recovery-codes li').count(), 10);
  await check(page, '73-recovery-renewed-en');
  // The new session cookie works.
  await page.goto(`${server.url}/cases`);
  assert.equal(await page.textContent('h1'), 'Cases');
  await page.context().close();
});

test('an erased case shows when and why, and nothing of the person', async () => {
  const who = server.logins.decision_maker;
  const token = await apiLogin(server.url, who);
  const auth = { authorization: `Bearer ${token}` };
  const list = await (await fetch(`${server.url}/api/v1/cases?limit=5`, { headers: auth })).json();
  const id = list.cases[list.cases.length - 1].id;
  const erased = await fetch(`${server.url}/api/v1/cases/${id}/erasure`, {
    method: 'POST', headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ reasons: 'Fake request of the person (e2e test)' }),
  });
  assert.equal(erased.status, 200);
  const page = await phone(browser, server.url);
  await login(page, server.url, who, 'en');
  const res = await page.goto(`${server.url}/cases/${id}`);
  assert.equal(res.status(), 410);
  assert.equal(await page.textContent('h1'), 'This case was erased');
  await check(page, '74-erased-case-en');
  await page.context().close();
});
