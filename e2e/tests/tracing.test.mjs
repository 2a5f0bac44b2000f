// End-to-end: family tracing pages (en/uk/ru) on a phone, axe-core on every page state.
// The seed meeting's example: a mother's request for "Сашко Коваленко, about 9" finds the boy
// registered as "Oleksandr Kovalenko, 2015" / "Aleksandr Kowalenko" (demo data).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, phone, axe, shot, login } from './harness.mjs';

let server;
let browser;
let requestUrl; // the request filed through the form

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

test('a family-links caseworker files a tracing request (en), with clear errors first', async () => {
  const page = await phone(browser, server.url);
  await login(page, server.url, server.logins.case_worker, 'en');
  await page.click('nav a[href="/tracing"]');
  await page.waitForSelector('h1');
  assert.equal(await page.textContent('h1'), 'Family tracing');
  // The demo request of the NGO is listed, with nothing personal on the list.
  assert.ok((await page.$$('.cards li')).length >= 1, 'the demo request is listed');
  assert.doesNotMatch(await page.textContent('main'), /Коваленко/);
  await check(page, 't01-tracing-list-en');

  await page.click('a[href="/tracing/new"]');
  await page.waitForSelector('#given');
  await check(page, 't02-tracing-new-en');
  // Nothing filled in: the errors name the fields, and nothing is filed.
  await page.click('button.primary');
  await page.waitForSelector('#error-summary');
  const summary = await page.textContent('#error-summary');
  assert.match(summary, /relationship/);
  assert.match(summary, /legal basis/);
  await check(page, 't03-tracing-errors-en');
  await page.fill('#given', 'Сашко');
  await page.fill('#family', 'Коваленко');
  await page.check('#sex-male');
  await page.fill('#age', '9');
  await page.fill('#mother_name', 'Фейкова');
  await page.check('#rel-mother');
  await page.fill('#contact', 'DEMO desk, +000 000 0000');
  await page.check('#basis-child_protection_mandate');
  await Promise.all([page.waitForURL(/\/tracing\/[0-9a-f-]+\?filed=1/), page.click('button.primary')]);
  requestUrl = page.url().split('?')[0];
  assert.match(await page.textContent('.notice'), /filed/);
  // The filing organisation sees the requester; it does not get candidate lists.
  assert.match(await page.textContent('main'), /DEMO desk/);
  assert.equal(await page.$('#candidates'), null);
  await check(page, 't04-tracing-filed-en');
  await page.context().close();
});

test('the child-protection officer sees the boy as the first candidate, explained (uk)', async () => {
  assert.ok(requestUrl, 'the filing test made a request');
  const page = await phone(browser, server.url);
  await login(page, server.url, server.logins.child_protection_officer, 'uk');
  await page.goto(requestUrl);
  await page.waitForSelector('#candidates');
  const first = await page.textContent('#candidates li:first-child');
  assert.match(first, /Oleksandr Kovalenko/);
  assert.match(first, /те саме ім'я в іншій формі/);
  assert.match(first, /Збіг \d+ %/);
  // Another organisation's officer never sees who asked.
  assert.doesNotMatch(await page.textContent('main'), /DEMO desk/);
  await check(page, 't05-tracing-candidates-uk');

  // The boy's case page lists the requests that may be about him.
  await Promise.all([page.waitForURL(/\/cases\/[0-9a-f-]+$/), page.click('#candidates li:first-child a')]);
  await page.waitForSelector('#tracing');
  const section = await page.textContent('#tracing');
  assert.match(section, /повноважень із захисту дітей/);
  assert.match(section, /DEMO Safe House NGO/);
  assert.doesNotMatch(section, /DEMO desk|\+000/);
  await check(page, 't06-case-tracing-uk');
  await page.context().close();
});

test('the same section in Russian, and withdrawal takes the request out (ru, en)', async () => {
  const cpo = await phone(browser, server.url);
  await login(cpo, server.url, server.logins.child_protection_officer, 'ru');
  await cpo.goto(requestUrl);
  await cpo.waitForSelector('#candidates');
  await Promise.all([cpo.waitForURL(/\/cases\/[0-9a-f-]+$/), cpo.click('#candidates li:first-child a')]);
  const caseUrl = cpo.url();
  await cpo.waitForSelector('#tracing');
  assert.match(await cpo.textContent('#tracing'), /Запросы на розыск/);
  const before = (await cpo.$$('#tracing .candidates > li')).length;
  assert.ok(before >= 2, 'the demo request and the new one');
  await check(cpo, 't07-case-tracing-ru');

  const worker = await phone(browser, server.url);
  await login(worker, server.url, server.logins.case_worker, 'en');
  await worker.goto(requestUrl);
  await Promise.all([worker.waitForURL(/withdrawn=1/), worker.click('#withdraw-h ~ form button')]);
  assert.match(await worker.textContent('.status'), /Withdrawn/);
  await check(worker, 't08-tracing-withdrawn-en');

  await cpo.goto(caseUrl);
  await cpo.waitForSelector('#tracing');
  assert.equal((await cpo.$$('#tracing .candidates > li')).length, before - 1, 'the withdrawn request is no longer a candidate');
  await worker.context().close();
  await cpo.context().close();
});
