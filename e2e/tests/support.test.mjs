// End-to-end: support, rights and justice on the pages (phone viewport, axe-core on every page).
// The demo seeds services, a rights history and an accepted shelter referral on one case.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, phone, axe, shot, login, apiLogin } from './harness.mjs';

let server;
let browser;
let supportCase; // id of the demo case with the rights history and referrals

before(async () => {
  server = await startServer();
  browser = await launch();
  // Find the seeded case through the API: the caseworker's case in its recovery period.
  const cw = server.logins.case_worker;
  const token = await apiLogin(server.url, cw);
  const list = await (await fetch(`${server.url}/api/v1/cases`, { headers: { authorization: `Bearer ${token}` } })).json();
  supportCase = list.cases.find((c) => c.status === 'recovery_period').id;
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

test('caseworker: rights with legal basis, services and referrals, cooperation on the case page', async () => {
  const page = await phone(browser, server.url);
  await login(page, server.url, server.logins.case_worker, 'en');
  await page.goto(`${server.url}/cases/${supportCase}`);
  const section = page.locator('#support');
  assert.match(await section.textContent(), /Information on rights, in a language understood — Informed/);
  assert.match(await section.textContent(), /Conv\. 12\(1\)\(d\), 15\(1\)/);
  assert.match(await section.textContent(), /Safe accommodation — Accepted/);
  assert.match(await section.textContent(), /Legal aid — Referred, waiting for the provider/);
  assert.match(await section.textContent(), /Not decided yet/);
  await check(page, 'support-01-case-en');

  // A refusal without its reason is refused, specifically.
  await page.click('#support summary');
  await page.selectOption('#support-right', 'residence_permit');
  await page.selectOption('#support-status', 'refused');
  await page.click('#support form[action$="/support"] button');
  await page.waitForSelector('#support .error-summary');
  assert.match(await page.textContent('#support .error-summary'), /needs the reason it was refused/);
  await check(page, 'support-02-right-error-en');

  // With a reason it is recorded and listed.
  await page.selectOption('#support-right', 'residence_permit');
  await page.selectOption('#support-status', 'requested');
  await Promise.all([page.waitForURL(/support=1/), page.click('#support form[action$="/support"] button')]);
  assert.match(await page.textContent('#support'), /Renewable residence permit — Requested/);

  // Refer to a ranked service: without consent refused, with it recorded.
  const counselling = await page.$eval('#support-offer', (sel) => [...sel.options].find((o) => /Counselling/.test(o.text)).value);
  await page.selectOption('#support-offer', counselling);
  await page.click('#refer-service button');
  await page.waitForSelector('#support .error-summary');
  assert.match(await page.textContent('#support .error-summary'), /informed consent/);
  await page.selectOption('#support-offer', counselling);
  await page.check('#refer-consent');
  await Promise.all([page.waitForURL(/support=1/), page.click('#refer-service button')]);
  assert.match(await page.textContent('#support'), /Psychological support — Referred, waiting for the provider/);

  // The person declines to cooperate: recorded, and support stays as it was.
  await page.click('#justice-form summary');
  await page.selectOption('#support-cooperation', 'declined');
  await Promise.all([page.waitForURL(/support=1/), page.click('form:has(#support-cooperation) button')]);
  const text = await page.textContent('#support');
  assert.match(text, /Declined to cooperate/);
  assert.match(text, /Safe accommodation — Accepted/);
  await check(page, 'support-03-recorded-en');
});

test('provider: sees the referral, not the case file; starts the service', async () => {
  const page = await phone(browser, server.url);
  await login(page, server.url, server.logins.service_provider, 'en');
  await page.goto(`${server.url}/service-referrals`);
  await check(page, 'support-04-provider-inbox-en');
  await Promise.all([page.waitForURL(/service-referrals\//), page.click('ul.cases li:has-text("Accepted") a')]);
  const body = await page.textContent('main');
  assert.match(body, /Safe accommodation/);
  assert.match(body, /a safe place away from the city/);
  assert.doesNotMatch(body, /Fatima|Exampleova|domestic work/);
  await check(page, 'support-05-provider-referral-en');
  await Promise.all([page.waitForURL(/done=1/), page.click('button:has-text("Start the service")')]);
  assert.match(await page.textContent('main'), /Started/);

  // The case file itself is not there for the provider.
  const res = await page.goto(`${server.url}/cases/${supportCase}`);
  assert.equal(res.status(), 404);
});

test('the support section in Ukrainian', async () => {
  const page = await phone(browser, server.url);
  await login(page, server.url, server.logins.case_worker, 'uk');
  await page.goto(`${server.url}/cases/${supportCase}`);
  assert.match(await page.textContent('#support'), /Права, послуги і правосуддя/);
  await check(page, 'support-06-case-uk');
});

test('closing with an open accepted referral needs a word on it', async () => {
  const page = await phone(browser, server.url);
  await login(page, server.url, server.logins.case_worker, 'en');
  await page.goto(`${server.url}/cases/${supportCase}`);
  await page.click('section[aria-labelledby="closure-h"] summary');
  await page.check('#closure-integrated');
  await page.click('form[action$="/closure"] button');
  await page.waitForSelector('section[aria-labelledby="closure-h"] .error-summary');
  assert.match(await page.textContent('section[aria-labelledby="closure-h"] .error-summary'), /accepted service referral is still open/);
  await check(page, 'support-07-closure-open-referrals-en');
  await page.check('#closure-integrated');
  await page.check('#closure-open-continue');
  await Promise.all([page.waitForURL(/closed=1/), page.click('form[action$="/closure"] button')]);
  assert.match(await page.textContent('#support'), /Safe accommodation — Started/);
});
