// The browser's signing module in Chromium, through the page API
// (web/static/anon/dissent-ring.js → Worker → dissent-ring.wasm): the shared
// vectors pass; proofs and key files cross between the browser and the C
// (tools/wasm/ringtool, `dissent key show`) with the same tags; progress is
// reported and a proof can be cancelled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { BASE, useBrowser, session, login, pageErrors } from './lib.mjs';
import { vectorChecks, VECTOR_FILES } from '../wasm/checks.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TOOL = process.env.DISSENT_RINGTOOL || path.join(ROOT, 'build/wasm/ringtool');
const BIN = process.env.DISSENT_BIN || path.join(ROOT, 'build/dissent');
const VECTORS = process.env.DISSENT_VECTORS || path.join(ROOT, '../shared/vectors');
const SCOPE = 'dissent-anon-v2\ndissent.local/log\nmemo-browser';
const MSG = 'dissent-anon-v2\nsign\n0\n1\n' + '12'.repeat(32);
const run = (cmd, args) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dissent-bwasm-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

useBrowser();

// A page of the site with the API loaded as window.dr (helpers: hex in and out).
async function ringPage() {
  const { context, page } = await session();
  await page.goto(`${BASE}/`);
  await page.evaluate(async () => {
    const { DissentRing } = await import('/static/anon/dissent-ring.js');
    window.dr = new DissentRing();
    window.hx = (b) => Array.from(b, (v) => v.toString(16).padStart(2, '0')).join('');
    window.unhx = (h) => Uint8Array.from(h.match(/../g) || [], (x) => parseInt(x, 16));
    window.te = (s) => new TextEncoder().encode(s);
  });
  return { context, page };
}

test('the shared vectors pass in Chromium (through the Worker)', async () => {
  const files = {};
  for (const [k, rel] of Object.entries(VECTOR_FILES)) files[k] = fs.readFileSync(path.join(VECTORS, rel), 'utf8');
  const { context, page } = await ringPage();
  const r = await page.evaluate(`(${vectorChecks.toString()})(window.dr, ${JSON.stringify(files)})`);
  assert.deepEqual(r.failures, []);
  assert.ok(r.passed >= 73, `every vector line counted (${r.passed})`);
  await context.close();
  assert.deepEqual(pageErrors, []);
});

test('proofs cross between Chromium and the C verifier and prover, with the same tags', async () => {
  const keysFile = path.join(tmp, 'ring.bin');
  const [index, skHex] = run(TOOL, ['ring', '150', keysFile]).split(' ');
  const keysHex = fs.readFileSync(keysFile).toString('hex');
  const cProof = run(TOOL, ['prove', keysFile, index, skHex, SCOPE, MSG]);
  const { context, page } = await ringPage();
  const r = await page.evaluate(async ([keysHex, index, skHex, scope, msg, cProof]) => {
    const ring = await dr.ring(unhx(keysHex));
    const steps = [];
    const proof = await dr.prove(ring, Number(index), unhx(skHex), te(scope), te(msg), {
      onProgress: (done, total) => steps.push([done, total]),
    });
    return {
      proof: hx(proof),
      steps,
      tag: hx(await dr.tag(unhx(skHex), te(scope))),
      cTag: hx(await dr.verify(ring, unhx(cProof), te(scope), te(msg))),
      refused: await dr.verify(ring, unhx(cProof), te(scope), te(msg + 'x')).then(() => 'accepted', (e) => e.code),
    };
  }, [keysHex, index, skHex, SCOPE, MSG, cProof]);
  assert.equal(r.cTag, r.tag, 'the C proof verifies in the browser with the signer\'s tag');
  assert.equal(r.refused, 'verification_failed');
  assert.equal(run(TOOL, ['verify', keysFile, r.proof, SCOPE, MSG]), r.tag, 'the browser proof verifies in C');
  assert.ok(r.steps.length >= 1, 'progress was reported');
  const last = r.steps[r.steps.length - 1];
  assert.equal(last[0], last[1], 'progress ends at its total');
  await context.close();
});

test('key files cross between Chromium and the CLI, giving the same key and tag', async () => {
  const pass = path.join(tmp, 'pass');
  fs.writeFileSync(pass, 'browser passphrase\n');
  const cliKey = path.join(tmp, 'cli.key');
  const cliPk = JSON.parse(run(BIN, ['key', 'new', '--key', cliKey, '--passphrase-file', pass, '--json'])).public_key;
  const [, cliTag] = run(TOOL, ['open', cliKey, pass, SCOPE]).split(' ');
  const { context, page } = await ringPage();
  const r = await page.evaluate(async ([cliFile, scope]) => {
    const opened = await dr.openKeyFile(unhx(cliFile), 'browser passphrase');
    const wrong = await dr.openKeyFile(unhx(cliFile), 'not the passphrase').then(() => 'opened', (e) => e.code);
    const { pk, sk } = await dr.keygen();
    const sealed = await dr.sealKeyFile(sk, 'browser passphrase');
    return { pk: hx(opened.pk), tag: hx(await dr.tag(opened.sk, te(scope))), wrong,
      newPk: hx(pk), newTag: hx(await dr.tag(sk, te(scope))), sealed: hx(sealed) };
  }, [fs.readFileSync(cliKey).toString('hex'), SCOPE]);
  assert.equal(r.pk, cliPk);
  assert.equal(r.tag, cliTag, 'one key, one tag, whichever side opened it');
  assert.equal(r.wrong, 'unauthorized');
  const browserKey = path.join(tmp, 'browser.key');
  fs.writeFileSync(browserKey, Buffer.from(r.sealed, 'hex'), { mode: 0o600 });
  assert.equal(JSON.parse(run(BIN, ['key', 'show', '--key', browserKey, '--json'])).public_key, r.newPk);
  assert.equal(run(TOOL, ['open', browserKey, pass, SCOPE]), `${r.newPk} ${r.newTag}`);
  await context.close();
});

test('a proof can be cancelled, and the next one works', async () => {
  const { context, page } = await ringPage();
  const r = await page.evaluate(async () => {
    const keys = new Uint8Array(4096 * 32);
    let me;
    for (let i = 0; i < 16; i++) { const k = await dr.keygen(); keys.set(k.pk, 32 * i); if (i === 5) me = k; }
    for (let i = 16; i < 4096; i++) keys.set(keys.subarray(32 * (i % 16), 32 * (i % 16) + 32), 32 * i);
    const ring = await dr.ring(keys);
    const ac = new AbortController();
    let seen = 0;
    const outcome = await dr.prove(ring, 5, me.sk, te('s'), te('m'), {
      signal: ac.signal,
      onProgress: () => { seen++; ac.abort(); },
    }).then(() => 'finished', (e) => e.code);
    const again = await dr.ring(keys.subarray(0, 16 * 32));
    const proof = await dr.prove(again, 5, me.sk, te('s'), te('m'));
    const tag = await dr.verify(again, proof, te('s'), te('m'));
    return { outcome, seen, ok: hx(tag) === hx(await dr.tag(me.sk, te('s'))) };
  });
  assert.equal(r.outcome, 'cancelled');
  assert.ok(r.seen >= 1);
  assert.ok(r.ok, 'a fresh worker proves after a cancel');
  await context.close();
});

test('the signing Worker and its module load without cookies, even for a signed-in member', async () => {
  const { context, page } = await session();
  await login(page, 'bob');
  // Each request is recorded when it is made; its headers are awaited before the checks (an
  // async handler that pushed after awaiting them raced the checks on a busy machine).
  const pending = [];
  context.on('request', (req) => {
    const path = new URL(req.url()).pathname;
    if (path.startsWith('/static/anon/'))
      pending.push(req.allHeaders().then((h) => ({ path, cookie: h.cookie || '' })));
  });
  await page.evaluate(async () => {
    const { DissentRing } = await import('/static/anon/dissent-ring.js');
    await new DissentRing().keygen();
  });
  const seen = await Promise.all(pending);
  // Playwright reports the page's requests (the Worker's script among them), not always those made
  // inside the Worker (its module imports, the .wasm, fetched with credentials 'omit' in ring-worker.js).
  const worker = seen.filter((s) => s.path === '/static/anon/ring-worker.js');
  assert.ok(worker.length >= 1, `the Worker's script was requested (${seen.map((s) => s.path)})`);
  assert.ok(seen.some((s) => s.cookie.includes('dissent_session')), 'the page itself is signed in');
  for (const s of seen.filter((x) => x.path !== '/static/anon/dissent-ring.js'))
    assert.equal(s.cookie, '', `${s.path} carries no cookie`);
  await context.close();
});
