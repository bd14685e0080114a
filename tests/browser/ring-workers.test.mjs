// The browser prover on several Workers (web/static/anon/dissent-ring.js,
// issue #11): the first level of the fold split between the main Worker and
// helper Workers gives a proof the C verifier (tools/wasm/ringtool) accepts
// with the signer's tag; progress rises to its total across the parts;
// cancelling stops every Worker and the next proof works; a helper that is
// gone is left out and the proof is still made.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { BASE, useBrowser, session, pageErrors } from './lib.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TOOL = process.env.DISSENT_RINGTOOL || path.join(ROOT, 'build/wasm/ringtool');
const SCOPE = 'dissent-anon-v2\ndissent.local/log\nmemo-workers';
const MSG = 'dissent-anon-v2\nsign\n0\n1\n' + '34'.repeat(32);
const run = (cmd, args) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dissent-bworkers-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

useBrowser();

// A page with DissentRing loaded; window.dr uses `workers` Workers.
async function ringPage(workers) {
  const { context, page } = await session();
  await page.goto(`${BASE}/`);
  await page.evaluate(async (workers) => {
    const { DissentRing } = await import('/static/anon/dissent-ring.js');
    window.dr = new DissentRing({ workers });
    window.hx = (b) => Array.from(b, (v) => v.toString(16).padStart(2, '0')).join('');
    window.unhx = (h) => Uint8Array.from(h.match(/../g) || [], (x) => parseInt(x, 16));
    window.te = (s) => new TextEncoder().encode(s);
  }, workers);
  return { context, page };
}

const keysFile = path.join(tmp, 'ring.bin');
const [INDEX, SK] = run(TOOL, ['ring', '1500', keysFile]).split(' ');
const KEYS = fs.readFileSync(keysFile).toString('hex');

test('a proof made on three Workers verifies in C with the signer\'s tag', async () => {
  const { context, page } = await ringPage(3);
  const r = await page.evaluate(async ([keysHex, index, skHex, scope, msg]) => {
    const ring = await dr.ring(unhx(keysHex));
    const steps = [];
    const proof = await dr.prove(ring, Number(index), unhx(skHex), te(scope), te(msg), {
      onProgress: (done, total) => steps.push([done, total]),
    });
    return { proof: hx(proof), steps, workers: dr.lastProofWorkers,
      helpers: dr.helpers.filter((h) => h.worker).length,
      tag: hx(await dr.tag(unhx(skHex), te(scope))),
      again: hx(await dr.verify(ring, proof, te(scope), te(msg))) };
  }, [KEYS, INDEX, SK, SCOPE, MSG]);
  assert.equal(r.workers, 3, 'the first level was split three ways');
  assert.equal(r.helpers, 2, 'two helper Workers');
  assert.equal(run(TOOL, ['verify', keysFile, r.proof, SCOPE, MSG]), r.tag, 'the C verifier accepts it');
  assert.equal(r.again, r.tag, 'the browser verifier accepts it');
  const totals = new Set(r.steps.map((s) => s[1]));
  assert.equal(totals.size, 1, 'one total across every part');
  for (let i = 1; i < r.steps.length; i++) assert.ok(r.steps[i][0] >= r.steps[i - 1][0], 'progress never goes back');
  const last = r.steps[r.steps.length - 1];
  assert.equal(last[0], last[1], 'progress ends at its total');
  await context.close();
  assert.deepEqual(pageErrors, []);
});

test('cancelling stops every Worker; the next proof uses them again', async () => {
  const { context, page } = await ringPage(2);
  const r = await page.evaluate(async ([keysHex, index, skHex, scope, msg]) => {
    const ring = await dr.ring(unhx(keysHex));
    const ac = new AbortController();
    const outcome = await dr.prove(ring, Number(index), unhx(skHex), te(scope), te(msg), {
      signal: ac.signal, onProgress: () => ac.abort(),
    }).then(() => 'finished', (e) => e.code);
    const running = [dr.worker, ...dr.helpers.map((h) => h.worker)].filter(Boolean).length;
    const stale = await dr.prove(ring, Number(index), unhx(skHex), te(scope), te(msg)).then(() => 'proved', (e) => e.code);
    const again = await dr.ring(unhx(keysHex));
    const proof = await dr.prove(again, Number(index), unhx(skHex), te(scope), te(msg));
    return { outcome, running, stale, proof: hx(proof), workers: dr.lastProofWorkers,
      tag: hx(await dr.tag(unhx(skHex), te(scope))) };
  }, [KEYS, INDEX, SK, SCOPE, MSG]);
  assert.equal(r.outcome, 'cancelled');
  assert.equal(r.running, 0, 'no Worker left running');
  assert.equal(r.stale, 'wrong_state', 'a ring of the stopped Workers must be loaded again');
  assert.equal(r.workers, 2);
  assert.equal(run(TOOL, ['verify', keysFile, r.proof, SCOPE, MSG]), r.tag);
  await context.close();
});

test('a helper that is gone is left out, and the proof is still made', async () => {
  const { context, page } = await ringPage(3);
  const r = await page.evaluate(async ([keysHex, index, skHex, scope, msg]) => {
    const ring = await dr.ring(unhx(keysHex));
    dr.helpers[1].stop('unavailable', 'gone'); // as if it had failed
    const proof = await dr.prove(ring, Number(index), unhx(skHex), te(scope), te(msg));
    return { proof: hx(proof), workers: dr.lastProofWorkers, tag: hx(await dr.tag(unhx(skHex), te(scope))) };
  }, [KEYS, INDEX, SK, SCOPE, MSG]);
  assert.equal(r.workers, 2);
  assert.equal(run(TOOL, ['verify', keysFile, r.proof, SCOPE, MSG]), r.tag);
  await context.close();
});
