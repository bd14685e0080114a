// Shared by every browser test file (*.test.mjs): the Chromium launch, one
// context per person, and the small steps every test uses. run.sh starts a
// fresh demo server and sets DISSENT_URL; the files run one after another
// against it, so each file makes its own memos and must not assume others'.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const BASE = process.env.DISSENT_URL;
export const OUT = process.env.DISSENT_OUTPUT || 'output';
const EXE = process.env.DISSENT_CHROMIUM || '/usr/bin/chromium';
assert.ok(BASE, 'DISSENT_URL must be set (run tests/browser/run.sh)');

let browser;
export const dialogs = [];
export const pageErrors = [];

// Registers the hooks that start Chromium before the file's tests and stop it after.
export function useBrowser() {
  before(async () => {
    browser = await chromium.launch({
      executablePath: EXE,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  after(async () => {
    if (browser) await browser.close();
  });
}

// A fresh browser context (its own cookies) for one person.
export async function session(viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport });
  // Playwright waits 30 s by default for an element, a click or a page; CI's
  // machine may be loaded, and a wait that ends early costs nothing.
  context.setDefaultTimeout(60000);
  context.setDefaultNavigationTimeout(60000);
  const page = await context.newPage();
  page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => {
    // Pages refused on purpose (401, 403, 404) log "Failed to load resource"; anything else
    // (a CSP violation, a script error) is a failure.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(m.text());
  });
  page.on('response', (r) => {
    const u = new URL(r.url());
    if ((u.pathname.startsWith('/static/') || u.pathname === '/favicon.ico') && r.status() >= 400)
      pageErrors.push(`${r.status()} ${u.pathname}`);
  });
  return { context, page };
}

// Clicks something that submits a form or follows a link, and waits for the new page.
export async function go(page, locator) {
  const [response] = await Promise.all([page.waitForNavigation(), locator.click()]);
  return response;
}

export async function login(page, user, password = `${user}-demo-pass`) {
  await page.goto(`${BASE}/login`);
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill(password);
  await go(page, page.getByRole('button', { name: 'Log in' }));
  assert.equal(new URL(page.url()).pathname, '/', `${user} lands on home`);
}

export async function shot(page, name, opts = {}) {
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true, ...opts });
}

export function memoId(page) {
  const m = new URL(page.url()).pathname.match(/^\/memos\/([a-z0-9]+)/);
  assert.ok(m, `a memo URL: ${page.url()}`);
  return m[1];
}

// Drafts a memo on /memos/new (the marking must be chosen: there is no
// default) and returns its id.
export async function newMemo(page, { title, body = 'Text.\n', marking = 'SBU' }) {
  await page.goto(`${BASE}/memos/new`);
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Classification marking').selectOption(marking);
  await page.getByLabel('Text').fill(body);
  await go(page, page.getByRole('button', { name: 'Save draft' }));
  return memoId(page);
}

// Ticks the "I understand" box of a step that cannot be undone (what:
// 'submit', 'withdraw' or 'close') and presses its button.
export async function confirmAndGo(page, what, button) {
  await page.locator(`#${what}-confirm`).check();
  return go(page, page.getByRole('button', { name: button }));
}

// Makes and enrolls a ring key on the account page of the signed-in page's
// member (the account page's "Make and enroll my key"), kept in this
// browser context under passphrase. Returns {file (hex), pk (hex)} as stored.
export async function enrollKey(page, user, passphrase) {
  await page.goto(`${BASE}/account`);
  const status = page.locator('#rk-status');
  await status.getByText('This browser has no key for you yet.').waitFor();
  await page.getByLabel('Passphrase for the key').fill(passphrase);
  await page.getByLabel('Passphrase again').fill(passphrase);
  await page.getByRole('button', { name: 'Make and enroll my key' }).click();
  await status.getByText(/Your key is enrolled for /).waitFor({ timeout: 60000 });
  return page.evaluate((u) => JSON.parse(localStorage.getItem(`dissent-ring-key:v1:${u}`)), user);
}

// Drafts a memo as the signed-in page's member and circulates it; returns its id.
export async function circulatedMemo(page, title, body) {
  const id = await newMemo(page, { title, body });
  await go(page, page.getByRole('button', { name: 'Circulate for co-signature' }));
  return id;
}
