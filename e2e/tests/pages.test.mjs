// End-to-end: the pages in headless Chromium at a 360×740 phone viewport, axe-core on every page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, phone, axe, shot, login, secondFactor } from './harness.mjs';

let server;
let browser;
let childCase; // URL of the case the responder creates
const axeReport = [];

before(async () => {
  server = await startServer();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.stop();
  console.log(`axe-core: ${axeReport.length} page states checked, serious/critical violations: ${axeReport.reduce((n, r) => n + r.violations, 0)}`);
  const largest = axeReport.reduce((a, b) => (b.bytes > a.bytes ? b : a), { bytes: 0 });
  console.log(`largest page: ${largest.name}, ${largest.bytes} bytes of HTML (plus the one stylesheet; no script, no fonts, no images)`);
});

async function check(page, name) {
  // UTF-8 bytes of the page as rendered (before axe-core is injected); CSS is added in the summary.
  const bytes = await page.evaluate(() => new TextEncoder().encode(document.documentElement.outerHTML).length);
  const v = await axe(page);
  axeReport.push({ name, violations: v.length, bytes });
  await shot(page, name);
  assert.deepEqual(v, [], `axe-core found serious or critical violations on ${name}: ${JSON.stringify(v, null, 1)}`);
  assert.deepEqual(page.externalRequests, [], `requests left the server on ${name}`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  assert.equal(overflow, false, `${name} scrolls sideways on a 360 px phone`);
}

test('login page: keyboard only, clear errors, language switch', async () => {
  const page = await phone(browser, server.url);
  await page.goto(`${server.url}/login?lang=en`);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await check(page, '01-login-en');

  // Keyboard only: Tab to the e-mail field, type, Tab on, submit with Enter.
  let tabs = 0;
  while ((await page.evaluate(() => document.activeElement?.id)) !== 'email') {
    await page.keyboard.press('Tab');
    tabs += 1;
    assert.ok(tabs < 15, 'the e-mail field cannot be reached by keyboard');
  }
  await page.keyboard.type(server.logins.first_responder.email);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'password');
  await page.keyboard.type('wrong password, surely');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.error-summary');
  assert.match(await page.textContent('.error-summary'), /e-mail address or password is not correct/);
  await check(page, '02-login-error-en');

  // Empty password: the message sits next to the field.
  await page.fill('#email', server.logins.first_responder.email);
  await page.click('button.primary');
  await page.waitForSelector('#password-error');
  assert.match(await page.textContent('#password-error'), /Enter your password/);
  assert.equal(await page.getAttribute('#password', 'aria-invalid'), 'true');

  // The language switch on the login page.
  await page.click('button[lang=uk]');
  await page.waitForFunction(() => document.documentElement.lang === 'uk');
  assert.equal(await page.textContent('h1'), 'Вхід');
  await check(page, '03-login-uk');
  await page.click('button[lang=ru]');
  await page.waitForFunction(() => document.documentElement.lang === 'ru');
  assert.equal(await page.textContent('h1'), 'Вход');

  // Log in by keyboard in Ukrainian.
  await page.click('button[lang=uk]');
  await page.waitForFunction(() => document.documentElement.lang === 'uk');
  await page.focus('#email');
  await page.keyboard.type(server.logins.first_responder.email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(server.logins.first_responder.password);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'lang');
  await page.keyboard.press('Tab');
  await Promise.all([page.waitForURL(`${server.url}/login/mfa`), page.keyboard.press('Enter')]);
  await secondFactor(page, server.url, server.logins.first_responder);
  assert.equal(await page.getAttribute('html', 'lang'), 'uk');
  await page.context().close();
});

test('a first responder refers an unaccompanied presumed child in Ukrainian on a phone', async () => {
  const page = await phone(browser, server.url);
  await login(page, server.url, server.logins.first_responder, 'uk');
  assert.equal(await page.textContent('h1'), 'Направлення');
  await check(page, '10-responder-home-uk');

  await page.click('a.button.primary');
  await page.waitForSelector('#given');
  await check(page, '11-referral-person-uk');
  // Nothing entered: a clear message next to the name.
  await page.click('button[value=next]');
  await page.waitForSelector('#given-error');
  assert.match(await page.textContent('#given-error'), /ім'я або прізвище/);
  await check(page, '12-referral-person-error-uk');

  await page.fill('#given', 'Марія');
  await page.fill('#family', 'Тестова');
  await page.check('#sex-female');
  await page.check('#bk-uncertain');
  await page.fill('#age_min', '14');
  await page.fill('#age_max', '18');
  await page.fill('#nationality', 'UA');
  await page.fill('#language', 'uk');
  await page.check('#unaccompanied');
  await page.click('button[value=next]');

  // Screening: the quick screen for a presumed child, then the full child list.
  await page.waitForSelector('text=Імовірно дитина');
  const flags = await page.$$('input[name=flag]');
  assert.ok(flags.length >= 5, 'the quick-screen checklist is shown');
  await flags[0].check();
  await page.click('button[value=quick]');
  await page.waitForSelector('.result');
  assert.match(await page.textContent('.result'), /захисту дітей/);
  await check(page, '13-referral-quick-screen-uk');
  await page.click('button[value=mode-full]');
  await page.waitForSelector('input[name=observed]');
  const observed = await page.$$('input[name=observed]');
  for (const i of [0, 1, 2, 20, 21, 22, 40, 41]) if (observed[i]) await observed[i].check();
  await page.click('button[value=full]');
  await page.waitForSelector('.result');
  assert.match(await page.textContent('.result'), /не рішення|рішення/);
  await check(page, '14-referral-full-screen-uk');
  await page.click('button[value=next]');

  // A child needs no consent: the child's views instead.
  await page.waitForSelector('#child_views');
  await page.fill('#child_views', 'ДЕМО: хоче зателефонувати тітці');
  await page.check('#form-sexual');
  await page.fill('#summary', 'ДЕМО: зустріли на пункті пропуску');
  await check(page, '15-referral-consent-uk');
  await page.click('button[value=next]');

  await page.waitForSelector('button[value=refer]');
  assert.match(await page.textContent('main'), /Марія Тестова/);
  await check(page, '16-referral-review-uk');
  await Promise.all([page.waitForURL(/\/cases\/[0-9a-f-]+\?created=1/), page.click('button[value=refer]')]);
  childCase = page.url().split('?')[0];

  // The case page: presumed child, the guardian alert, the child-safeguards panel.
  const main = await page.textContent('main');
  assert.match(main, /Імовірно дитина/);
  assert.match(main, /Опікуна не призначено/);
  assert.match(main, /Гарантії захисту дитини/);
  assert.match(main, /Записано скринінг/);
  // Weight: the case page (HTML + CSS, there is no JS) stays under 60 KB.
  const bytes = await page.evaluate(async (u) => {
    const html = await (await fetch(u)).arrayBuffer();
    const css = await (await fetch('/static/harbour.css')).arrayBuffer();
    return html.byteLength + css.byteLength;
  }, childCase);
  console.log(`case page weight (HTML + CSS, uncompressed): ${bytes} bytes`);
  assert.ok(bytes < 60000, `case page weighs ${bytes} bytes`);
  await check(page, '17-case-created-uk');
  await page.context().close();
});

test('the same person referred again: the possible duplicate is shown before any case is created', async () => {
  const page = await phone(browser, server.url);
  await login(page, server.url, server.logins.first_responder, 'en');
  await page.goto(`${server.url}/referrals/new`);
  await page.fill('#given', 'Марія');
  await page.fill('#family', 'Тестова');
  await page.check('#bk-uncertain');
  await page.fill('#age_min', '15');
  await page.fill('#age_max', '17');
  await page.click('button[value=next]');
  await page.click('button[value=next]');
  await page.waitForSelector('#child_views');
  await page.click('button[value=next]');
  await page.click('button[value=refer]');
  await page.waitForSelector('.duplicate');
  assert.match(await page.textContent('.duplicate'), /may already have a case/);
  await check(page, '20-referral-duplicate-en');
  await Promise.all([page.waitForURL(/\?attached=1/), page.click('.duplicate button[value^="attach:"]')]);
  assert.equal(page.url().split('?')[0], childCase, 'the referral joined the existing case');
  assert.match(await page.textContent('main'), /Another referral added/);

  // An adult who does not consent is counted with nothing that identifies them.
  await page.goto(`${server.url}/notifications/new`);
  await page.check('#age-adult');
  await page.fill('#nationality', 'MD');
  await page.check('#form-forced_labour');
  await check(page, '21-anonymous-notification-en');
  await Promise.all([page.waitForURL(/counted=1/), page.click('button.primary')]);
  assert.match(await page.textContent('.notice'), /Counted/);
  await page.context().close();
});

test('a decision maker decides reasonable grounds in English and sees the recovery period', async () => {
  assert.ok(childCase, 'the referral test made a case');
  const page = await phone(browser, server.url);
  await login(page, server.url, server.logins.decision_maker, 'en');
  assert.equal(await page.textContent('h1'), 'Decisions awaited');
  const queue = await page.$$eval('.cards a', (as) => as.map((a) => a.getAttribute('href')));
  assert.ok(queue.includes(new URL(childCase).pathname), 'the new case is in the queue');
  await check(page, '30-decider-queue-en');

  await page.goto(childCase);
  await page.waitForSelector('#form-reasonable_grounds');
  await check(page, '31-case-decider-en');
  // Reasons are mandatory: nothing is written without them.
  await page.check('#reasonable_grounds-positive');
  await page.click('#form-reasonable_grounds button[type=submit]');
  await page.waitForSelector('#reasonable_grounds-reasons-error');
  assert.match(await page.textContent('#reasonable_grounds-reasons-error'), /reasons/);
  assert.doesNotMatch(await page.textContent('#timeline'), /Reasonable-grounds decision/);
  await check(page, '32-case-decision-error-en');

  await page.fill('#reasonable_grounds-reasons', 'DEMO: consistent account; indicators of deception and coercion');
  await Promise.all([page.waitForURL(/decided=1/), page.click('#form-reasonable_grounds button[type=submit]')]);
  const main = await page.textContent('main');
  assert.match(main, /The decision has been recorded/);
  assert.match(main, /Recovery period ends/);
  assert.match(main, /days left/);
  assert.match(await page.textContent('.status'), /Recovery period/);
  await check(page, '33-case-recovery-period-en');

  // Switching language on the case page keeps the user on the page, in Russian.
  await page.click('button[lang=ru]');
  await page.waitForFunction(() => document.documentElement.lang === 'ru');
  assert.equal(page.url().split('?')[0], childCase);
  assert.match(await page.textContent('main'), /Период восстановления/);
  await check(page, '34-case-ru');

  // The case list with filters.
  await page.goto(`${server.url}/cases?minority=presumed_child`);
  await check(page, '35-cases-filtered-ru');
  assert.ok((await page.$$('.cards li')).length >= 1);
  await page.context().close();
});

test('a child-protection officer appoints a guardian and the alert goes', async () => {
  const page = await phone(browser, server.url);
  await login(page, server.url, server.logins.child_protection_officer, 'uk');
  await page.goto(childCase);
  await page.waitForSelector('#guardian');
  assert.match(await page.textContent('.alerts'), /Опікуна не призначено/);
  await check(page, '36-case-guardian-form-uk');
  await Promise.all([page.waitForURL(/guardian=1/), page.click('form[action$="/guardian"] button')]);
  const main = await page.textContent('main');
  assert.match(main, /Опікуна призначено/);
  assert.doesNotMatch(main, /Опікуна не призначено/);
  assert.match(main, /Призначено опікуна/, 'the timeline shows the appointment');
  await check(page, '37-case-guardian-appointed-uk');

  // The child asks for the conclusive decision now (reasons required).
  await page.click('form[action$="/requests"] button');
  await page.waitForSelector('#requests-h ~ .error-summary');
  await page.fill('#early_conclusive-reasons', 'ДЕМО: дитина хоче якнайшвидше рішення, щоб поїхати до тітки');
  await Promise.all([page.waitForURL(/requested=1/), page.click('form[action$="/requests"] button')]);
  assert.match(await page.textContent('.status'), /Очікує остаточного рішення/);
  assert.match(await page.textContent('#timeline'), /дострокове остаточне рішення/);
  await check(page, '38-case-early-conclusive-uk');
  await page.context().close();
});

test('an organisation that is not involved cannot open the case', async () => {
  const page = await phone(browser, server.url);
  await login(page, server.url, server.logins.case_worker, 'en');
  await check(page, '40-caseworker-home-en');
  const res = await page.goto(childCase);
  assert.equal(res.status(), 404);
  assert.doesNotMatch(await page.textContent('body'), /Марія|Тестова/);
  await check(page, '41-case-not-found-en');
  await page.context().close();
});

test('a case worker closes a case, with the reason required', async () => {
  const page = await phone(browser, server.url);
  await login(page, server.url, server.logins.case_worker, 'en');
  const href = await page.$eval('.card:has-text("Awaiting reasonable-grounds decision") a', (a) => a.getAttribute('href'));
  await page.goto(`${server.url}${href}`);
  await page.click('#closure-h ~ details summary');
  await page.click('form[action$="/closure"] button');
  await page.waitForSelector('#closure-h ~ .error-summary');
  assert.match(await page.textContent('#closure-h ~ .error-summary'), /Choose why/);
  assert.equal(await page.$eval('#closure-h ~ details', (d) => d.open), true, 'the form stays open after an error');
  await page.check('#closure-support_completed');
  await page.fill('#closure-notes', 'DEMO: moved on to long-term support');
  await Promise.all([page.waitForURL(/closed=1/), page.click('form[action$="/closure"] button')]);
  assert.match(await page.textContent('.status'), /Closed/);
  assert.match(await page.textContent('#timeline'), /Support completed/);
  await check(page, '45-case-closed-en');
  await page.context().close();
});

test('an administrator manages users; an auditor reads the access log, never the case', async () => {
  const page = await phone(browser, server.url);
  await login(page, server.url, server.logins.admin, 'uk');
  await page.click('a.button.primary');
  await page.waitForSelector('#orgs-h');
  await check(page, '50-admin-uk');
  // A clear error next to the field, nothing created.
  await page.fill('#email', 'new.responder@demo.invalid');
  await page.fill('#password', 'short');
  await page.click('form[action="/admin/users"] button[type=submit]');
  await page.waitForSelector('#password-error');
  assert.match(await page.textContent('#password-error'), /12 символів/);
  await check(page, '51-admin-error-uk');
  await page.fill('#password', 'a long enough demo password');
  await Promise.all([page.waitForURL(/added=1/), page.click('form[action="/admin/users"] button[type=submit]')]);
  assert.match(await page.textContent('main'), /new\.responder@demo\.invalid/);
  // Administrators cannot read cases.
  const res = await page.goto(childCase);
  assert.equal(res.status(), 404);
  await page.context().close();

  const auditor = await phone(browser, server.url);
  await login(auditor, server.url, server.logins.auditor, 'en');
  await auditor.goto(`${server.url}/audit?case=${childCase.split('/').pop()}`);
  const log = await auditor.textContent('main');
  assert.match(log, /decider@demo\.invalid/);
  assert.match(log, /responder@demo\.invalid/);
  assert.doesNotMatch(log, /Марія|Тестова/);
  await check(auditor, '52-audit-en');
  await auditor.context().close();
});

test('logging out ends the server session', async () => {
  const page = await phone(browser, server.url);
  await login(page, server.url, server.logins.decision_maker, 'en');
  await Promise.all([page.waitForURL(/\/login/), page.click('header button.link')]);
  const res = await page.goto(`${server.url}/`);
  assert.match(res.url(), /\/login/);
  await page.context().close();
});
