// End-to-end: security keys (issue 6, ASVS 6.3.3 at L3) in headless Chromium on a phone, with
// Chromium's virtual authenticator (CDP WebAuthn domain: CTAP2 over USB, user verification on)
// standing in for a hardware key. A user adds a key from the account page, signs out, signs in
// with password + key, and renews their recovery codes after a step-up with password + key; in
// English and Ukrainian, with axe-core on every page state. Without JavaScript the
// second-factor page says a key needs it, and a TOTP code still works.
// WebAuthn needs a host name, so the browser uses localhost (the server's relying party).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, phone, axe, shot, login, secondFactor } from './harness.mjs';

let server;
let browser;
let base;

before(async () => {
  server = await startServer();
  browser = await launch();
  base = server.url.replace('127.0.0.1', 'localhost');
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

async function virtualKey(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2', transport: 'usb', hasResidentKey: false,
      hasUserVerification: true, isUserVerified: true,
    },
  });
  return {
    async credentials() {
      return (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
    },
  };
}

const texts = {
  en: {
    title: 'Security keys', name: 'Blue key', signIn: 'Use security key', never: 'Never',
    stepUp: 'Use security key and make new codes', codes: 'Your recovery codes',
  },
  uk: {
    title: 'Ключі безпеки', name: 'Синій ключ', signIn: 'Використати ключ безпеки', never: 'Ніколи',
    stepUp: 'Використати ключ безпеки й створити нові коди', codes: 'Ваші резервні коди',
  },
};

async function enrolThenSignInWithKey(who, lang, n) {
  const t = texts[lang];
  const page = await phone(browser, base);
  const key = await virtualKey(page);
  await login(page, base, who, lang);
  await Promise.all([page.waitForURL(/\/account$/), page.click('a[href="/account"]')]);
  await Promise.all([page.waitForURL(/\/account\/security-keys$/), page.click('a[href="/account/security-keys"]')]);
  assert.equal(await page.textContent('h1'), t.title);
  // The script revealed the form (it stays hidden without JavaScript).
  assert.equal(await page.locator('form[data-webauthn="create"]').isVisible(), true);
  await check(page, `${n}0-security-keys-${lang}`);
  await page.fill('#name', t.name);
  await page.click('form[data-webauthn="create"] button[type=submit]');
  await page.waitForSelector('ul.security-keys li.card');
  const row = page.locator('ul.security-keys li.card').first();
  assert.match(await row.textContent(), new RegExp(t.name));
  assert.match(await row.textContent(), new RegExp(t.never));
  assert.equal((await key.credentials()).length, 1, 'the authenticator holds one credential');
  await check(page, `${n}1-security-key-added-${lang}`);

  // Sign out, then in again: password, then the key instead of a code.
  await Promise.all([page.waitForURL(/\/login/), page.click('form[action="/logout"] button')]);
  await page.goto(`${base}/login?lang=${lang}`);
  await page.fill('#email', who.email);
  await page.fill('#password', who.password);
  await Promise.all([page.waitForURL(`${base}/login/mfa`), page.click('button[type=submit].primary')]);
  const use = page.locator('form[data-webauthn="get"] button.key');
  assert.equal(await use.textContent(), t.signIn);
  await check(page, `${n}2-sign-in-with-key-${lang}`);
  await Promise.all([page.waitForURL(`${base}/`), use.click()]);
  const [credential] = await key.credentials();
  assert.ok(credential.signCount >= 1, 'the key signed the sign-in');
  await page.goto(`${base}/account/security-keys`);
  assert.doesNotMatch(await page.locator('ul.security-keys li.card').first().textContent(), new RegExp(t.never));
  await check(page, `${n}3-security-key-used-${lang}`);

  // New recovery codes: the step-up is answered with the password and the key, and the session
  // goes on under a new cookie.
  const cookieBefore = (await page.context().cookies()).find((c) => c.name === 'harbour_session').value;
  const counted = (await key.credentials())[0].signCount;
  await page.goto(`${base}/account/recovery-codes`);
  const stepUp = page.locator('form[data-webauthn="get"]');
  assert.equal(await stepUp.isVisible(), true);
  assert.equal(await stepUp.locator('button.key').textContent(), t.stepUp);
  await check(page, `${n}4-step-up-with-key-${lang}`);
  await page.fill('#key-password', who.password);
  await Promise.all([page.waitForSelector('.recovery-codes'), stepUp.locator('button.key').click()]);
  assert.equal(await page.textContent('h1'), t.codes);
  assert.equal(await page.locator('.recovery-codes li').count(), 10);
  assert.ok((await key.credentials())[0].signCount > counted, 'the key signed the step-up');
  const cookieAfter = (await page.context().cookies()).find((c) => c.name === 'harbour_session').value;
  assert.notEqual(cookieAfter, cookieBefore, 'the session id rotated at the step-up');
  await check(page, `${n}5-step-up-codes-${lang}`);
  await page.context().close();
}

test('a guardian adds a security key, signs in and steps up with it (English)', async () => {
  await enrolThenSignInWithKey(server.logins.guardian, 'en', 9);
});

test('a decision maker adds a security key, signs in and steps up with it (Ukrainian)', async () => {
  await enrolThenSignInWithKey(server.logins.decision_maker, 'uk', 9);
});

test('without JavaScript the key step says it needs JavaScript, and a code still works', async () => {
  const who = server.logins.guardian;
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${base}/login?lang=en`);
  await page.fill('#email', who.email);
  await page.fill('#password', who.password);
  await Promise.all([page.waitForURL(`${base}/login/mfa`), page.click('button[type=submit].primary')]);
  assert.match(await page.locator('main').innerText(), /needs JavaScript/);
  assert.equal(await page.locator('form[data-webauthn="get"]').isVisible(), false);
  await shot(page, '94-key-without-javascript-en');
  await secondFactor(page, base, who);
  assert.equal(page.url(), `${base}/`);
  await context.close();
});
