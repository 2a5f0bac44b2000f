// End-to-end: the coordinator's statistics dashboard in all three languages at a phone viewport,
// axe-core on each, suppression marked, no script; other roles are refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launch, phone, axe, shot, login } from './harness.mjs';

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

const headings = { en: 'Statistics', uk: 'Статистика', ru: 'Статистика' };
const suppressedWord = { en: /Counted from the case journals/, uk: /Пораховано з журналів справ/, ru: /Подсчитано по журналам дел/ };
// Cells that are zero by definition (an outcome before a decision, late for a right without a
// deadline) are marked "not applicable", distinct from "[x]" (suppressed).
const notApplicable = { en: 'n/a', uk: 'н/з', ru: 'н/п' };

for (const lang of ['en', 'uk', 'ru']) {
  test(`coordinator dashboard in ${lang}: controlled tables, SVG chart, accessible`, async () => {
    const page = await phone(browser, server.url);
    await login(page, server.url, server.logins.coordinator, lang);
    // The coordinator's navigation leads to the dashboard.
    await Promise.all([page.waitForURL(`${server.url}/statistics`), page.click('nav a[href="/statistics"]')]);
    assert.equal(await page.getAttribute('html', 'lang'), lang);
    assert.equal((await page.textContent('h1')).trim(), headings[lang]);
    assert.match(await page.textContent('main'), suppressedWord[lang]);
    // The demo holds three cases: every published cell is suppressed and says so.
    const cells = await page.$$eval('table#by-quarter td', (tds) => tds.map((td) => td.textContent.trim()));
    assert.ok(cells.length > 0);
    assert.ok(cells.every((c) => c === '[x]'), `a count below k was shown: ${cells}`);
    // The charts are server-rendered SVG with a title; nothing runs in the page.
    assert.equal(await page.locator('figure.chart svg[role=img] > title').count(), 2);
    // Rights access: one row per right of the catalogue and the total, every figure controlled;
    // the chart marks suppressed figures (dashed, x); the late list shows counts only.
    const rightRows = await page.locator('table#rights tbody tr').count();
    assert.ok(rightRows >= 10, `rights rows: ${rightRows}`);
    const rightCells = await page.$$eval('table#rights td', (tds) => tds.map((td) => td.textContent.trim()));
    const na = notApplicable[lang];
    assert.ok(rightCells.every((c) => c === '[x]' || c === na || /^\d+( %)?$/.test(c)), `${rightCells}`);
    assert.ok(rightCells.includes(na), 'late is not applicable to a right without a deadline');
    // Decisions by quarter and outcome: "no decision yet" has no outcome, never suppressed.
    const rgCells = await page.$$eval('table#rg td', (tds) => tds.map((td) => td.textContent.trim()));
    assert.ok(rgCells.includes(na), `${rgCells}`);
    assert.ok(rgCells.every((c) => c === '[x]' || c === na || /^\d+$/.test(c)), `${rgCells}`);
    assert.ok(rightCells.filter((c) => /^\d+$/.test(c)).every((c) => Number(c) >= 10), 'a rights count below k was shown');
    assert.ok((await page.locator('#rights-chart-title').count()) === 1);
    assert.ok((await page.locator('figure.chart svg rect[stroke-dasharray]').count()) > 0, 'suppressed rights are marked');
    const late = await page.$$eval('#late-rights dd', (dds) => dds.map((dd) => dd.textContent.trim()));
    assert.ok(late.length >= 2, `late rights: ${late}`);
    assert.ok(late.every((c) => c === '[x]' || Number(c) >= 10));
    assert.ok((await page.locator('#redress dd').count()) >= 5);
    assert.equal(await page.locator('script').count(), 0);
    assert.ok((await page.locator('table#timeliness tbody tr').count()) >= 4);
    const v = await axe(page);
    await shot(page, `statistics-${lang}`);
    assert.deepEqual(v, [], `axe-core: ${JSON.stringify(v, null, 1)}`);
    assert.deepEqual(page.externalRequests, []);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    assert.equal(overflow, false, 'the dashboard scrolls sideways on a 360 px phone');
    await page.context().close();
  });
}

test('a first responder is refused the dashboard and has no link to it', async () => {
  const page = await phone(browser, server.url);
  await login(page, server.url, server.logins.first_responder, 'en');
  assert.equal(await page.locator('nav a[href="/statistics"]').count(), 0);
  const res = await page.goto(`${server.url}/statistics`);
  assert.equal(res.status(), 403);
  await page.context().close();
});
