// Signing anonymously from the memo page (issue #11): a member whose
// browser keeps an enrolled key co-signs, moves the signature to a new
// version, withdraws it and signs again, all in the browser: the page checks
// the memo's rings against the transparency log first (the CLI's checks,
// compiled to WebAssembly), shows the anonymity set, proves in the Worker
// and posts without cookies. The counts change only as they should, the
// CLI's verify-signatures agrees, the key exported to the CLI gives the same
// tag (one member, one signature), and a ring the log does not back is
// refused with nothing sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { instantiate, toHex, fromHex } from '../../web/static/anon/ring-core.js';
import { BASE, useBrowser, session, go, login, shot, pageErrors, enrollKey, circulatedMemo } from './lib.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = process.env.DISSENT_BIN || path.join(ROOT, 'build/dissent');
const WASM = process.env.DISSENT_WASM || path.join(ROOT, 'build/wasm/dissent-ring.wasm');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dissent-websign-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
// the CLI keeps its pins and receipts here, not in the home of whoever runs the tests
const cliEnv = { ...process.env, HOME: tmp, XDG_CONFIG_HOME: path.join(tmp, 'config'),
  DISSENT_LOG_KEYS: path.join(tmp, 'log-keys.json'), DISSENT_RECEIPTS: path.join(tmp, 'receipts.json') };
const cli = (args) => {
  try {
    return { code: 0, out: execFileSync(BIN, args, { encoding: 'utf8', env: cliEnv, stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (e) {
    return { code: e.status, out: `${e.stdout}${e.stderr}` };
  }
};
const PASS = { alice: 'alice ring passphrase', bob: 'bob ring passphrase' };

useBrowser();

// The anonymous counts as published: {total, v1, v2, ...}.
async function anonCounts(id) {
  const pub = await (await fetch(`${BASE}/api/v1/public/memos/${id}`)).json();
  const out = { total: pub.counts.anonymous.total };
  for (const r of pub.counts.anonymous.by_version) out[`v${r.version}`] = r.count;
  return out;
}

// Records every request of the anonymous flow (public facts, log, the
// anonymous endpoint) with all its headers, cookies included.
function watchAnonymous(page) {
  const seen = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (/^\/api\/v1\/(anonymous|public|log)\//.test(u.pathname))
      seen.push(r.allHeaders().then((h) => ({ method: r.method(), path: u.pathname, search: u.search, headers: h })));
  });
  return async () => Promise.all(seen);
}

const status = (page) => page.locator('#anon-status');

// Waits for the line (#anon-status by default) to say re; on a timeout, fails with what it says.
async function waitStatus(page, re, line = status(page)) {
  try {
    await line.getByText(re).waitFor({ timeout: 60000 });
  } catch (e) {
    assert.fail(`the line never said ${re}: it says "${await line.textContent()}"`);
  }
}

let memo;
let bobTag;
let bobKey;
let aliceKey;

test('bob co-signs anonymously from the memo page, moves, withdraws and signs again; no cookie is sent', async () => {
  const alice = await session();
  const bob = await session();
  await login(alice.page, 'alice');
  await login(bob.page, 'bob');
  aliceKey = await enrollKey(alice.page, 'alice', PASS.alice);
  bobKey = await enrollKey(bob.page, 'bob', PASS.bob);
  memo = await circulatedMemo(alice.page, 'Publish the embassy security reviews', 'All of them, redacted where needed.\n');
  const requests = watchAnonymous(bob.page);
  const page = bob.page;
  await page.goto(`${BASE}/memos/${memo}`);
  const section = page.locator('#anon');
  await section.getByRole('heading', { name: 'Co-sign anonymously' }).waitFor();
  await shot(page, 'websign-memo');

  // below the member's own bar (10 by default): refused, nothing proved or sent
  await page.getByLabel('Passphrase of your key').fill(PASS.bob);
  await page.getByRole('button', { name: 'Co-sign version 1 anonymously' }).click();
  await waitStatus(page, /hides you among \d+ members only, fewer than 10/);
  assert.equal((await requests()).filter((r) => r.method === 'POST').length, 0, 'nothing sent');
  // the facts came without keys, the ring's keys in binary by its digest
  const ringGets = async () => (await requests()).filter((r) => r.path.startsWith('/api/v1/public/rings/'));
  assert.ok((await requests()).some((r) => r.path === `/api/v1/public/memos/${memo}` && r.search === '?keys=omit'),
    'the public facts are fetched without the rings\' keys');
  // (state's ring; and the coalition's when other tests enrolled a member elsewhere)
  const lean = await (await fetch(`${BASE}/api/v1/public/memos/${memo}?keys=omit`)).json();
  const digests = new Set(lean.rings.map((r) => r.digest));
  assert.deepEqual(new Set((await ringGets()).map((r) => r.path.split('/').pop())), digests,
    'every ring of the memo was downloaded by its digest');
  assert.equal((await ringGets()).length, digests.size, 'once each');
  assert.equal(await section.getAttribute('data-rings-fetched'), String(digests.size));
  assert.equal(await section.getAttribute('data-rings-bytes'), String(32 * lean.rings.reduce((n, r) => n + r.count, 0)),
    '32 bytes a member');
  assert.deepEqual(await anonCounts(memo), { total: 0 });

  // a wrong passphrase says so
  await page.getByLabel('Sign only if I am hidden among at least').fill('2');
  await page.getByLabel('Passphrase of your key').fill('not the passphrase');
  await page.getByRole('button', { name: 'Co-sign version 1 anonymously' }).click();
  await waitStatus(page, 'That passphrase does not open the key kept in this browser.');

  await page.getByLabel('Passphrase of your key').fill(PASS.bob);
  await page.getByRole('button', { name: 'Co-sign version 1 anonymously' }).click();
  await waitStatus(page, /Your anonymous signature on version 1 was accepted/);
  assert.match(await page.locator('#anon-set').textContent(), /You are one of \d+ enrolled members of state/);
  assert.match(await page.locator('#anon-receipt').textContent(), /publish/);
  assert.equal(await page.getByLabel('Passphrase of your key').inputValue(), '', 'the passphrase is not kept in the form');
  await shot(page, 'websign-signed');
  assert.deepEqual(await anonCounts(memo), { total: 1, v1: 1 });
  bobTag = (await page.locator('#anon-receipt [data-tag]').getAttribute('data-tag'));
  assert.match(bobTag, /^[0-9a-f]{64}$/);

  // alice makes version 2; bob moves his anonymous signature to it
  await alice.page.goto(`${BASE}/memos/${memo}/edit`);
  await alice.page.getByLabel('Text').fill('All of them, redacted where needed, within 90 days.\n');
  await go(alice.page, alice.page.getByRole('button', { name: 'Save new version' }));
  await page.goto(`${BASE}/memos/${memo}`);
  await page.locator('#anon-remembered').getByText(/signed version 1/).waitFor();
  await page.getByLabel('Passphrase of your key').fill(PASS.bob);
  await page.getByRole('button', { name: 'Move my anonymous signature to version 2' }).click();
  await waitStatus(page, /Your anonymous signature was moved to version 2/);
  assert.deepEqual(await anonCounts(memo), { total: 1, v2: 1 });

  await page.getByLabel('Passphrase of your key').fill(PASS.bob);
  await page.getByRole('button', { name: 'Withdraw my anonymous signature' }).click();
  await waitStatus(page, /Your anonymous signature was withdrawn/);
  assert.deepEqual(await anonCounts(memo), { total: 0 });

  // the keyboard alone: the passphrase, then Enter signs the shown version
  await page.getByLabel('Passphrase of your key').focus();
  await page.keyboard.type(PASS.bob);
  await page.keyboard.press('Enter');
  await waitStatus(page, /Your anonymous signature on version 2 was accepted/);
  assert.deepEqual(await anonCounts(memo), { total: 1, v2: 1 });
  assert.equal(await page.locator('#anon-receipt [data-tag]').getAttribute('data-tag'), bobTag, 'one member, one tag');

  // the promises of the four receipts were kept (published at once here)
  await page.getByRole('button', { name: 'Check that the server kept its promises' }).click();
  await page.locator('#anon-receipts').getByText(/4 kept/).waitFor({ timeout: 60000 });

  // not one request of the anonymous flow carried a cookie
  const all = await requests();
  assert.ok(all.some((r) => r.method === 'POST' && r.path.startsWith('/api/v1/anonymous/')), 'the flow posted');
  for (const r of all) assert.equal(r.headers.cookie, undefined, `${r.method} ${r.path} carries no cookie`);
  assert.equal(all.filter((r) => r.method === 'POST').length, 4, 'four actions, four posts');
  // the ring was kept between signatures (and page loads): downloaded once
  assert.equal((await ringGets()).length, digests.size, 'no ring was downloaded again');
  assert.equal(await section.getAttribute('data-rings-fetched'), '0');
  assert.equal(await section.getAttribute('data-rings-cached'), String(lean.rings.length));

  // an outsider re-verifies with the CLI and gets the same count
  const v = cli(['verify-signatures', memo, '--server', BASE]);
  assert.equal(v.code, 0, v.out);
  assert.match(v.out, /1 anonymous signatures published, 1 verify/);
  assert.match(v.out, /per version: +v2: 1/);
  assert.match(v.out, /OK: every signature verifies/);
  await alice.context.close();
  await bob.context.close();
  assert.deepEqual(pageErrors, []);
});

test('a ring is served in binary by its digest, immutable, and the facts can leave the keys out', async () => {
  const full = await (await fetch(`${BASE}/api/v1/public/memos/${memo}`)).json();
  const lean = await (await fetch(`${BASE}/api/v1/public/memos/${memo}?keys=omit`)).json();
  assert.ok(full.rings.length >= 1);
  assert.deepEqual(lean.rings, full.rings.map(({ keys, ...rest }) => rest), 'the same rings, without keys');
  for (const r of full.rings) {
    const res = await fetch(`${BASE}/api/v1/public/rings/${r.digest}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/octet-stream');
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(res.headers.get('access-control-allow-origin'), '*', 'a page opened from disk may read it');
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(body.length, 32 * r.count);
    assert.equal(body.toString('hex'), r.keys.join(''), 'the keys of the facts, in ring order');
    const again = await fetch(`${BASE}/api/v1/public/rings/${r.digest}`, { headers: { 'If-None-Match': res.headers.get('etag') } });
    assert.equal(again.status, 304);
  }
  const bad = await fetch(`${BASE}/api/v1/public/rings/${'A'.repeat(128)}`);
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).error.code, 'invalid_input');
  const none = await fetch(`${BASE}/api/v1/public/rings/${'0'.repeat(128)}`);
  assert.equal(none.status, 404);
  assert.equal((await none.json()).error.code, 'not_found');
  const odd = await fetch(`${BASE}/api/v1/public/memos/${memo}?keys=all`);
  assert.equal(odd.status, 400);
});

test('the page keeps the 16 rings it checked last, the oldest going first', async () => {
  const { context, page } = await session();
  await page.goto(`${BASE}/login`);
  const r = await page.evaluate(async () => {
    const { keepRings, KEEP_MAX } = await import('/static/anon/rings.js');
    const d = (i) => i.toString(16).padStart(128, '0');
    for (let i = 0; i <= KEEP_MAX; i++) await keepRings('', [{ digest: d(i), keys: new Uint8Array(32).fill(i) }]);
    const urls = (await (await caches.open('dissent-rings:v1')).keys()).map((q) => q.url.split('/').pop());
    return { max: KEEP_MAX, urls, first: d(0), last: d(KEEP_MAX) };
  });
  assert.equal(r.urls.length, r.max);
  assert.ok(!r.urls.includes(r.first), 'the oldest was dropped');
  assert.ok(r.urls.includes(r.last));
  await context.close();
});

test('the key kept by the browser, exported to the CLI, gives the same tag: still one signature', async () => {
  const keyFile = path.join(tmp, 'bob-ring.key');
  fs.writeFileSync(keyFile, Buffer.from(bobKey.file, 'hex'));
  const passFile = path.join(tmp, 'bob-pass');
  fs.writeFileSync(passFile, `${PASS.bob}\n`);
  const r = cli(['sign', memo, '--anonymous', '--key', keyFile, '--passphrase-file', passFile,
    '--min-ring', '2', '--server', BASE]);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /anonymous signature replaced: version 2/);
  assert.match(r.out, new RegExp(`tag: ${bobTag}`));
  assert.deepEqual(await anonCounts(memo), { total: 1, v2: 1 });
});

test('the Cancel button stops the proof: the Worker is ended, nothing is sent, and the next try works', async () => {
  const { context, page } = await session();
  await login(page, 'bob');
  await page.evaluate((k) => localStorage.setItem('dissent-ring-key:v1:bob', JSON.stringify(k)), bobKey);
  // The demo's ring is so small that a proof ends before anyone could press
  // Cancel: the Worker's answer to "prove" is held back (never delivered)
  // while __hold is set, so the proof is still running as far as the page knows.
  await context.addInitScript(() => {
    const W = window.Worker;
    window.__anon = { hold: true, proves: 0, terminated: 0 };
    window.Worker = class extends W {
      constructor(...a) {
        super(...a);
        const held = new Set();
        this.__held = held;
        this.addEventListener('message', (ev) => {
          if (held.has(ev.data.id) && !ev.data.progress) ev.stopImmediatePropagation();
        });
      }
      postMessage(m, ...rest) {
        if (m && m.op === 'prove') {
          window.__anon.proves++;
          if (window.__anon.hold) this.__held.add(m.id);
        }
        return super.postMessage(m, ...rest);
      }
      terminate() {
        window.__anon.terminated++;
        return super.terminate();
      }
    };
  });
  const requests = watchAnonymous(page);
  await page.goto(`${BASE}/memos/${memo}`);
  await page.getByLabel('Sign only if I am hidden among at least').fill('2');
  await page.getByLabel('Passphrase of your key').fill(PASS.bob);
  await page.getByRole('button', { name: 'Co-sign version 2 anonymously' }).click();
  const cancel = page.getByRole('button', { name: 'Cancel' });
  await cancel.waitFor({ timeout: 60000 });
  await page.locator('#anon-progress').waitFor();
  assert.equal(await page.evaluate(() => window.__anon.proves), 1, 'the proof started');
  await cancel.press('Enter'); // the keyboard: Cancel has the focus while proving
  await waitStatus(page, 'Cancelled: nothing was sent.');
  assert.equal(await page.evaluate(() => window.__anon.terminated), 1, 'the Worker running the proof was ended');
  assert.equal(await page.locator('#anon-progress-row').isVisible(), false);
  assert.equal((await requests()).filter((r) => r.method === 'POST').length, 0, 'nothing sent');
  assert.deepEqual(await anonCounts(memo), { total: 1, v2: 1 });
  // the next try starts a fresh Worker (the rings loaded in the old one are gone) and is accepted
  await page.evaluate(() => { window.__anon.hold = false; });
  await page.getByLabel('Passphrase of your key').fill(PASS.bob);
  await page.getByRole('button', { name: 'Co-sign version 2 anonymously' }).click();
  await waitStatus(page, /Your anonymous signature on version 2 was accepted/);
  assert.equal(await page.locator('#anon-receipt [data-tag]').getAttribute('data-tag'), bobTag, 'the same tag');
  assert.deepEqual(await anonCounts(memo), { total: 1, v2: 1 }, 'still one signature');
  await context.close();
});

test('the receipt is checked later: pending, then a broken promise when the log hides the action, kept against the real log', async () => {
  const { context, page } = await session();
  await login(page, 'bob');
  await page.evaluate((k) => localStorage.setItem('dissent-ring-key:v1:bob', JSON.stringify(k)), bobKey);
  // the log as it was before this action
  const before = await (await fetch(`${BASE}/api/v1/log/checkpoint`, { cache: 'no-store' })).json();
  await page.goto(`${BASE}/memos/${memo}`);
  await page.getByLabel('Sign only if I am hidden among at least').fill('2');
  await page.getByLabel('Passphrase of your key').fill(PASS.bob);
  await page.getByRole('button', { name: 'Co-sign version 2 anonymously' }).click();
  await waitStatus(page, /Your anonymous signature on version 2 was accepted/);
  const receiptText = await page.locator('#anon-receipt').textContent();
  const kept = await page.evaluate(() => JSON.parse(localStorage.getItem('dissent-receipts:v1:bob')));
  assert.equal(kept.length, 1);
  assert.equal(kept[0].receipt.tag, bobTag);
  assert.ok(receiptText.includes(kept[0].receipt.publish_by), 'the promise shown is the receipt kept');

  // a server that serves the log as it was, without the action (a split view)
  await page.route('**/api/v1/log/checkpoint', (route) => route.fulfill({ json: before }));
  const check = page.getByRole('button', { name: 'Check that the server kept its promises' });
  const line = page.locator('#anon-receipts');
  await check.click();
  await waitStatus(page, /Of the 1 receipts this browser keeps for this site: 0 kept, 1 still to be published/, line);
  // an hour later, still not in the log: the promise is broken, said in red
  await page.evaluate(() => { const real = Date.now; Date.now = () => real() + 3600 * 1000; });
  await check.click();
  await waitStatus(page, /1 BROKEN: the server promised to publish these actions and did not/, line);
  assert.match(await line.getAttribute('class'), /notice-danger/);
  // the real log has it: kept
  await page.unroute('**/api/v1/log/checkpoint');
  await check.click();
  await waitStatus(page, /Of the 1 receipts this browser keeps for this site: 1 kept \(/, line);
  assert.doesNotMatch(await line.getAttribute('class') || '', /notice-danger/);
  await context.close();
});

test('a ring the log does not back is refused, on a phone-sized screen, and nothing is sent', async () => {
  const { context, page } = await session({ width: 390, height: 844 });
  await login(page, 'alice');
  // this browser keeps alice's key (as her own would)
  await page.evaluate((k) => localStorage.setItem('dissent-ring-key:v1:alice', JSON.stringify(k)), aliceKey);
  const requests = watchAnonymous(page);
  // a server that slips a key of its own into the ring, with the count and
  // digest made to match (only the log can tell)
  const core = await instantiate(fs.readFileSync(WASM));
  const planted = toHex(core.keygen().pk);
  const full = await (await fetch(`${BASE}/api/v1/public/memos/${memo}`)).json();
  const forged = new Map();
  await page.route((u) => u.pathname === `/api/v1/public/memos/${memo}`, async (route) => {
    const res = await route.fetch();
    const pub = await res.json();
    for (const r of pub.rings) {
      if (r.organization !== 'state') continue;
      const keys = full.rings.find((x) => x.organization === 'state' && x.ring === r.ring).keys.concat(planted);
      r.count = keys.length;
      const ring = core.ring(fromHex(keys.join('')));
      r.digest = toHex(ring.digest);
      ring.free();
      forged.set(r.digest, Buffer.from(keys.join(''), 'hex'));
    }
    await route.fulfill({ response: res, json: pub });
  });
  await page.route('**/api/v1/public/rings/*', async (route) => {
    const body = forged.get(new URL(route.request().url()).pathname.split('/').pop());
    if (body) await route.fulfill({ status: 200, contentType: 'application/octet-stream', body });
    else await route.continue();
  });
  await page.goto(`${BASE}/memos/${memo}`);
  await page.getByLabel('Sign only if I am hidden among at least').fill('2');
  await page.getByLabel('Passphrase of your key').fill(PASS.alice);
  await page.getByRole('button', { name: 'Co-sign version 2 anonymously' }).click();
  await waitStatus(page, /do not match the public log/);
  assert.match(await page.locator('#anon-problems').textContent(), /not the ring the transparency log records|not the roster/);
  await shot(page, 'websign-refused-phone');
  assert.equal(await page.getByRole('button', { name: 'Check that the server kept its promises' }).isVisible(), false,
    'no receipts in this browser: nothing to check');
  assert.equal(await page.locator('#anon-progress-row').isVisible(), false);
  assert.equal((await requests()).filter((r) => r.method === 'POST').length, 0, 'nothing sent');
  assert.deepEqual(await anonCounts(memo), { total: 1, v2: 1 });
  // a ring that failed the checks is not kept
  const kept = await page.evaluate(async () => (await (await caches.open('dissent-rings:v1')).keys()).map((r) => r.url));
  for (const d of forged.keys()) assert.ok(!kept.some((u) => u.endsWith(d)), 'the forged ring is not kept');
  // the section fits the screen: nothing wider than the viewport
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `the page is ${wide}px wide on a 390px screen`);
  await context.close();
});

test('without a key in this browser the section says where to make one', async () => {
  const { context, page } = await session();
  await login(page, 'dan');
  await page.goto(`${BASE}/memos/${memo}`);
  await page.locator('#anon-status').getByText(/This browser keeps no key for you/).waitFor();
  assert.ok(await page.locator('#anon a[href="/account#ring-key"]').count() > 0);
  assert.equal(await page.locator('#anon-form').isVisible(), false);
  await context.close();
});

test('a member chooses the coalition ring: the page shows its checked size, and a signature stays in the ring it was made in', async () => {
  const carol = await session({ width: 390, height: 844 });
  const bob = await session();
  await login(carol.page, 'carol');
  await login(bob.page, 'bob');
  await bob.page.evaluate((k) => localStorage.setItem('dissent-ring-key:v1:bob', JSON.stringify(k)), bobKey);
  // carol is eeas's only enrolled member: eeas has no ring of its own, the coalition does
  await enrollKey(carol.page, 'carol', 'carol ring passphrase');
  const alice = await session();
  await login(alice.page, 'alice');
  const id = await circulatedMemo(alice.page, 'Keep the consular hotline open at night', 'Every night.\n');
  await alice.context.close();
  const pub = await (await fetch(`${BASE}/api/v1/public/memos/${id}`)).json();
  const co = pub.rings.find((r) => r.organization === '_coalition');
  assert.ok(co, 'the memo has a coalition ring');
  assert.equal(pub.rings.some((r) => r.organization === 'eeas'), false, 'and no ring for eeas');

  const page = carol.page;
  await page.goto(`${BASE}/memos/${id}`);
  const kinds = page.getByRole('group', { name: 'Hide me among' });
  await kinds.getByText(`the ${co.count} members of the coalition`).waitFor();
  assert.equal(await kinds.getByRole('radio', { name: /my organization/ }).isDisabled(), true, 'eeas has no group of its own');
  await page.getByLabel('Sign only if I am hidden among at least').fill('2');
  await page.getByLabel('Passphrase of your key').fill('carol ring passphrase');
  // the coalition is a choice, never a default: the form asks for it
  await page.getByRole('button', { name: 'Co-sign version 1 anonymously' }).click();
  assert.equal(await kinds.getByRole('radio', { name: /coalition/ }).evaluate((el) => el.validity.valueMissing), true,
    'the form asks which group');
  assert.equal(await page.locator('#anon-status').innerText(), '', 'nothing started');
  await kinds.getByRole('radio', { name: /coalition/ }).check();
  await page.getByRole('button', { name: 'Co-sign version 1 anonymously' }).click();
  await waitStatus(page, /Your anonymous signature on version 1 was accepted/);
  assert.match(await page.locator('#anon-set').textContent(),
    new RegExp(`You are one of ${co.count} members of the coalition \\(every organization`));
  await shot(page, 'websign-coalition-phone');
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `the page is ${wide}px wide on a 390px screen`);
  let after = await (await fetch(`${BASE}/api/v1/public/memos/${id}`)).json();
  assert.deepEqual(after.counts.anonymous, { total: 1, by_version: [{ version: 1, count: 1 }], by_organization: [] });
  assert.deepEqual(after.signatures.map((s) => s.organization), ['_coalition']);

  // bob signs in state's ring, then asks for the coalition: his signature stays in state's ring
  const bp = bob.page;
  await bp.goto(`${BASE}/memos/${id}`);
  await bp.getByLabel('Sign only if I am hidden among at least').fill('2');
  await bp.getByLabel('Passphrase of your key').fill(PASS.bob);
  await bp.getByRole('button', { name: 'Co-sign version 1 anonymously' }).click();
  await waitStatus(bp, /Your anonymous signature on version 1 was accepted/);
  assert.match(await bp.locator('#anon-set').textContent(), /You are one of \d+ enrolled members of state/);
  await bp.getByRole('group', { name: 'Hide me among' }).getByRole('radio', { name: /coalition/ }).check();
  await bp.getByLabel('Passphrase of your key').fill(PASS.bob);
  await bp.getByRole('button', { name: 'Co-sign version 1 anonymously' }).click();
  await waitStatus(bp, /Your anonymous signature on version 1 was accepted/);
  assert.match(await bp.locator('#anon-set').textContent(), /Your signature on this memo is in your organization's group: it stays there/);
  after = await (await fetch(`${BASE}/api/v1/public/memos/${id}`)).json();
  assert.equal(after.counts.anonymous.total, 2, 'two members, two signatures');
  assert.deepEqual(after.counts.anonymous.by_organization, [{ organization: 'state', count: 1 }]);

  const v = cli(['verify-signatures', id, '--server', BASE]);
  assert.equal(v.code, 0, v.out);
  assert.match(v.out, /2 anonymous signatures published, 2 verify/);
  assert.match(v.out, /in the coalition: +1 \(counted in the total only\)/);
  await carol.context.close();
  await bob.context.close();
});
