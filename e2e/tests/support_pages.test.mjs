// End-to-end: the rest of support, rights and justice on the pages — justice and redress in
// full, a durable solution with its risk assessment, follow-ups, handovers with consent and the
// receiving organisation's transfer inbox, a child's named guardian and family tracing, and the
// "rights overdue" filter of the case list (phone viewport, axe-core on every page).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, phone, axe, shot, login, apiLogin } from './harness.mjs';

let server;
let browser;
let adultCase; // the caseworker's adult case that is not the seeded support case
let childCase; // a child without a guardian, seen by the child-protection officer

before(async () => {
  server = await startServer();
  browser = await launch();
  const get = async (who, path) => {
    const token = await apiLogin(server.url, who);
    return (await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } })).json();
  };
  const mine = await get(server.logins.case_worker, '/api/v1/cases?minority=adult');
  adultCase = mine.cases.find((c) => c.status !== 'recovery_period').id;
  const cpo = server.logins.child_protection_officer;
  const token = await apiLogin(server.url, cpo);
  const children = await (await fetch(`${server.url}/api/v1/cases?minority=child`, { headers: { authorization: `Bearer ${token}` } })).json();
  for (const c of children.cases) {
    const view = await (await fetch(`${server.url}/api/v1/cases/${c.id}`, { headers: { authorization: `Bearer ${token}` } })).json();
    if (!view.guardian && !view.support.named_guardian) { childCase = c.id; break; }
  }
  assert.ok(adultCase && childCase, 'the demo has an adult case and a child without a guardian');
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

const submitted = (page, form) => Promise.all([page.waitForURL(/support=1/), page.click(`${form} button[type=submit]`)]);

test('caseworker: justice and redress, a durable solution, follow-ups and a transfer from the case page', async () => {
  const page = await phone(browser, server.url);
  await login(page, server.url, server.logins.case_worker, 'en');

  // The case list offers the "rights overdue" filter and keeps it across the submit; every
  // case it lists carries its count of late rights.
  await page.goto(`${server.url}/cases`);
  await page.check('#f-rights-overdue');
  await Promise.all([page.waitForURL(/rights_overdue=true/), page.click('form.filters button')]);
  assert.equal(await page.isChecked('#f-rights-overdue'), true);
  const cards = await page.$$eval('ul.cards li.card', (ls) => ls.map((l) => l.textContent));
  for (const c of cards) assert.match(c, /rights? overdue/);
  await check(page, 'support-pages-01-cases-rights-filter-en');

  await page.goto(`${server.url}/cases/${adultCase}`);
  await check(page, 'support-pages-02-case-en');

  // Justice and redress: a compensation amount that is not an amount is refused, specifically.
  await page.click('#justice-form summary');
  await page.selectOption('#support-cooperation', 'cooperating');
  await page.fill('#justice-lawyer', 'DEMO Lawyer Example');
  await page.fill('#proc-kind-new', 'criminal');
  await page.fill('#proc-stage-new', 'investigation');
  await page.fill('#justice-protection', 'witness anonymity\nseparate waiting room');
  await page.fill('#permit-basis-new', 'personal situation');
  await page.fill('#permit-outcome-new', 'applied');
  await page.fill('#comp-from-new', 'perpetrator');
  await page.fill('#comp-claimed-new', 'a lot');
  await page.fill('#comp-currency-new', 'eur');
  await page.selectOption('#justice-np', 'requested');
  await page.click('#justice-form button[type=submit]');
  await page.waitForSelector('#support .error-summary');
  assert.match(await page.textContent('#support .error-summary'), /amount is not valid/);

  await page.click('#justice-form summary');
  await page.selectOption('#support-cooperation', 'cooperating');
  await page.fill('#justice-lawyer', 'DEMO Lawyer Example');
  await page.fill('#proc-kind-new', 'criminal');
  await page.fill('#proc-stage-new', 'investigation');
  await page.fill('#comp-from-new', 'perpetrator');
  await page.fill('#comp-claimed-new', '1500.5');
  await page.fill('#comp-currency-new', 'eur');
  await page.selectOption('#justice-np', 'requested');
  await page.fill('#justice-np-outcome', 'pending');
  await submitted(page, '#justice-form');
  let text = await page.textContent('#support');
  assert.match(text, /Legal representative\s*DEMO Lawyer Example/);
  assert.match(text, /criminal — investigation/);
  assert.match(text, /Claimed 1500\.50 EUR/);
  assert.match(text, /Non-punishment\s*Requested — pending/);
  // The form starts from what is recorded: the proceeding is kept when only the lawyer changes.
  await page.click('#justice-form summary');
  assert.equal(await page.inputValue('#proc-kind-1'), 'criminal');

  // A return without a risk assessment is refused; with one it is recorded.
  await page.click('#durable-solution-form summary');
  await page.check('#solution-return');
  await page.fill('#solution-country', 'md');
  await page.click('#durable-solution-form button[type=submit]');
  await page.waitForSelector('#support .error-summary');
  assert.match(await page.textContent('#support .error-summary'), /risk and security assessment/);
  await page.click('#durable-solution-form summary');
  await page.check('#solution-return');
  await page.fill('#solution-country', 'md');
  await page.fill('#solution-risk', 'DEMO: family safe, recruiter in prison');
  await submitted(page, '#durable-solution-form');
  text = await page.textContent('#support');
  assert.match(text, /Voluntary return.*\(MD\)/);
  assert.match(text, /Risk and security assessment: DEMO: family safe/);

  await page.fill('#follow-up-notes', 'DEMO: phoned, settled in, school next month');
  await submitted(page, '#follow-up');
  assert.match(await page.textContent('#support'), /phoned, settled in/);

  // A transfer needs the adult's consent; with it, it waits for the other organisation.
  await page.click('#handover-form summary');
  await page.check('#handover-transfer');
  await page.selectOption('#handover-org', { label: 'DEMO Child Protection Service (fictional)' });
  await page.fill('#handover-purpose', 'DEMO: specialised follow-up');
  await page.click('#handover-form button[type=submit]');
  await page.waitForSelector('#support .error-summary');
  assert.match(await page.textContent('#support .error-summary'), /only with their consent/);
  await page.click('#handover-form summary');
  await page.check('#handover-transfer');
  await page.selectOption('#handover-org', { label: 'DEMO Child Protection Service (fictional)' });
  await page.fill('#handover-purpose', 'DEMO: specialised follow-up');
  await page.check('#handover-consent');
  await submitted(page, '#handover-form');
  assert.match(await page.textContent('#support'), /Transfer to another organisation → DEMO Child Protection Service \(fictional\): DEMO: specialised follow-up \(waiting for the organisation's answer\)/);
  await check(page, 'support-pages-03-case-recorded-en');
});

test('the receiving organisation accepts the transfer from its inbox, in Ukrainian', async () => {
  // Not for roles that hand no case over.
  const responder = await phone(browser, server.url);
  await login(responder, server.url, server.logins.first_responder, 'en');
  const res = await responder.goto(`${server.url}/transfers`);
  assert.equal(res.status(), 403);
  assert.equal((await responder.goto(`${server.url}/cases/${adultCase}`)).status(), 404);

  const page = await phone(browser, server.url);
  await login(page, server.url, server.logins.child_protection_officer, 'uk');
  // Until it accepts, the case file is not there for the receiving organisation.
  assert.equal((await page.goto(`${server.url}/cases/${adultCase}`)).status(), 404);
  await page.goto(`${server.url}/transfers`);
  const inbox = await page.textContent('main');
  assert.match(inbox, /Справи, передані вашій організації/);
  assert.match(inbox, /від DEMO Safe House NGO \(fictional\)/);
  assert.doesNotMatch(inbox, /specialised follow-up/, 'the inbox shows nothing of the case');
  await check(page, 'support-pages-04-transfers-uk');
  await Promise.all([page.waitForURL(/transferred=1/), page.click('ul.transfers button[value=accept]')]);
  assert.match(await page.textContent('main'), /Тепер справа належить вашій організації/);
  assert.match(await page.textContent('#support'), /прийнято/);
  await page.goto(`${server.url}/transfers`);
  assert.match(await page.textContent('main'), /Жодне передання не очікує/);
});

test('a child: guardian named by person and organisation, family tracing, no return without a determination (Russian)', async () => {
  const page = await phone(browser, server.url);
  await login(page, server.url, server.logins.child_protection_officer, 'ru');
  await page.goto(`${server.url}/cases/${childCase}`);
  await page.click('#name-guardian summary');
  await page.fill('#guardian-name', 'DEMO Olena Example');
  await page.fill('#guardian-org', 'DEMO Guardianship Office');
  await submitted(page, '#name-guardian');
  let text = await page.textContent('#support');
  assert.match(text, /Опекун \(лицо и организация\)\s*DEMO Olena Example \(DEMO Guardianship Office\)/);

  await page.check('#tracing-requested');
  await submitted(page, '#family-tracing');
  assert.match(await page.textContent('#support'), /Розыск семьи\s*Запрошен/);

  // The domain refuses a child's return without a best-interests determination: said plainly.
  await page.click('#durable-solution-form summary');
  await page.check('#solution-return');
  await page.fill('#solution-country', 'ua');
  await page.fill('#solution-risk', 'DEMO: risk assessed by the guardianship office');
  await page.click('#durable-solution-form button[type=submit]');
  await page.waitForSelector('#support .error-summary');
  assert.match(await page.textContent('#support .error-summary'), /сначала нужно определение наилучших интересов/);
  await check(page, 'support-pages-05-child-ru');
});
