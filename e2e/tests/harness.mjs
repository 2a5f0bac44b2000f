// Shared helpers: a real `harbour serve --demo` in a temp dir, headless Chromium, axe-core.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..', '..');
export const shots = process.env.HARBOUR_E2E_SCREENSHOTS || join(here, '..', 'screenshots');
const axeSource = readFileSync(join(here, '..', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

export function harbourBinary() {
  return process.env.HARBOUR_BIN || join(root, 'target', 'debug', 'harbour');
}

/** Start a demo server; resolves to { url, logins: {role: {email, password}}, stop }. */
export async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), 'harbour-e2e-'));
  const child = spawn(harbourBinary(), ['serve', '--demo', '--bind', '127.0.0.1:0'], {
    cwd: dir, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}${err}`)), 60000);
    child.stdout.on('data', (d) => {
      out += d;
      if (/^Try: /m.test(out)) { clearTimeout(timer); resolve(); }
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${err}`)));
  });
  await ready;
  const url = out.match(/Harbour is running at (http:\/\/\S+?)\/? /)[1];
  const logins = {};
  for (const m of out.matchAll(/^\s+(\S+@\S+)\s+password (\S+)\s+role (\S+)(?:\s+totp (\S+))?/gm)) {
    logins[m[3]] = { email: m[1], password: m[2], totp: m[4] };
  }
  return {
    url, logins,
    stop() { child.kill('SIGINT'); rmSync(dir, { recursive: true, force: true }); },
  };
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A phone-sized page (360×740) that fails the test on any request leaving the server. */
export async function phone(browser, base) {
  // bypassCSP only so that axe-core can be injected; the pages themselves carry no inline script.
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 1, bypassCSP: true });
  const page = await context.newPage();
  page.externalRequests = [];
  page.consoleErrors = [];
  page.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('data:')) page.externalRequests.push(r.url()); });
  page.on('console', (m) => { if (m.type() === 'error') page.consoleErrors.push(m.text()); });
  return page;
}

/** Run axe-core on the page; returns serious or critical violations (the test asserts none). */
export async function axe(page) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export async function shot(page, name) {
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

export async function login(page, base, who, lang) {
  await page.goto(`${base}/login${lang ? `?lang=${lang}` : ''}`);
  await page.fill('#email', who.email);
  await page.fill('#password', who.password);
  if (lang) await page.selectOption('#lang', lang);
  const next = who.totp ? `${base}/login/mfa` : `${base}/`;
  await Promise.all([page.waitForURL(next), page.click('button[type=submit].primary')]);
  if (who.totp) await secondFactor(page, base, who);
}

/** On the second-factor page: type the user's current TOTP code and continue home. */
export async function secondFactor(page, base, who) {
  await page.fill('#code', await totp(who.totp));
  await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit].primary')]);
}

function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0; let value = 0; const out = [];
  for (const c of text.replace(/[\s=]/g, '').toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(c); bits += 5;
    if (bits >= 8) { bits -= 8; out.push((value >>> bits) & 0xff); }
  }
  return Buffer.from(out);
}

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s) of a time step. */
export function totpAt(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const d = createHmac('sha1', base32(secret)).update(counter).digest();
  const o = d[19] & 0x0f;
  const bin = ((d[o] & 0x7f) << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3];
  return String(bin % 1000000).padStart(6, '0');
}

// Each code works once: remember the last step answered per secret, as the server does.
const lastStep = new Map();

/** The next code an authenticator would give: a step near now not used yet (waits if needed). */
export async function totp(secret) {
  for (;;) {
    const now = Math.floor(Date.now() / 30000);
    const last = lastStep.get(secret) ?? 0;
    // Never the previous step: the server stops taking it at the next step boundary, and a
    // login on a loaded machine can straddle one (the server accepts now and now + 1 too).
    const step = [now, now + 1].find((s) => s > last);
    if (step !== undefined) { lastStep.set(secret, step); return totpAt(secret, step); }
    await new Promise((r) => setTimeout(r, 5000));
  }
}

/** Log in through the API as a demo user, answering the second factor; resolves to a bearer token. */
export async function apiLogin(base, who) {
  const post = async (path, body) => (await fetch(`${base}${path}`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  })).json();
  const first = await post('/api/v1/auth/login', { email: who.email, password: who.password });
  if (!first.mfa_required) return first.token;
  const done = await post('/api/v1/auth/mfa', { challenge: first.challenge, code: await totp(who.totp) });
  return done.token;
}
