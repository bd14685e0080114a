// The browser prover on several Workers (web/static/anon/dissent-ring.js,
// issue #11): the first level of the fold split between the main Worker and
// helper Workers gives a proof the C verifier (tools/wasm/ringtool) accepts
// with the signer's tag; progress rises to its total across the parts;
// cancelling stops every Worker and the next proof works; a helper that is
// gone is left out and the proof is still made; a helper that hangs (never
// answers) is ended after its deadline and one that crashes is ended, its
// groups folded by the main Worker, progress never stepping back; helpers
// are never sent the secret key.
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

// Faults injected into the page's Workers (the page's Worker class is
// replaced before DissentRing starts any): faults[name] = {hang: op} holds
// back the Worker's answer to op for ever (it never answers), {crash: op}
// ends the Worker with an error event instead of its answer to op, and
// {garble: op} turns its answer to op into a messageerror event (an answer
// that cannot be read), {crashOn: op, victim: name} ends Worker victim with an error event when
// this Worker is sent op. window.__w.log records what each Worker was sent
// (name, serial: which Worker of that name, op, whether any argument holds
// the secret key's bytes); window.__w.ended the Workers ended by the page.
async function faultyPage(workers, faults, opts = {}) {
  const { context, page } = await session();
  await page.goto(`${BASE}/`);
  await page.evaluate(async ([workers, faults, opts]) => {
    const W = window.Worker;
    const w = window.__w = { log: [], ended: [], byName: {}, sk: null };
    let serial = 0;
    const holds = (v, sk) => {
      if (!sk) return false;
      if (v instanceof ArrayBuffer) v = new Uint8Array(v);
      if (v instanceof Uint8Array) {
        outer: for (let i = 0; i + sk.length <= v.length; i++) {
          for (let j = 0; j < sk.length; j++) if (v[i + j] !== sk[j]) continue outer;
          return true;
        }
        return false;
      }
      if (Array.isArray(v)) return v.some((x) => holds(x, sk));
      return false;
    };
    window.Worker = class extends W {
      constructor(url, o) {
        super(url, o);
        this.__name = (o && o.name) || '';
        this.__serial = ++serial;
        this.__ops = new Map();
        w.byName[this.__name] = this;
        this.addEventListener('message', (ev) => {
          const f = faults[this.__name] || {};
          const op = this.__ops.get(ev.data.id);
          if (ev.data.progress || !op) return;
          if (f.hang === op) ev.stopImmediatePropagation();
          else if (f.crash === op) { ev.stopImmediatePropagation(); this.__crash(); }
          else if (f.garble === op) { // as when the answer cannot be deserialized
            ev.stopImmediatePropagation();
            this.dispatchEvent(new MessageEvent('messageerror'));
          }
        });
      }
      __crash() {
        W.prototype.terminate.call(this);
        this.dispatchEvent(new ErrorEvent('error', { message: 'crashed (test)', cancelable: true }));
      }
      postMessage(m, ...rest) {
        this.__ops.set(m.id, m.op);
        w.log.push({ name: this.__name, serial: this.__serial, op: m.op, secret: holds(m.args, w.sk) });
        const f = faults[this.__name] || {};
        if (f.crashOn === m.op && w.byName[f.victim]) w.byName[f.victim].__crash();
        return super.postMessage(m, ...rest);
      }
      terminate() {
        w.ended.push(this.__name);
        return super.terminate();
      }
    };
    const { DissentRing } = await import('/static/anon/dissent-ring.js');
    window.dr = new DissentRing({ workers, ...(opts.deadline ? { helperDeadline: () => opts.deadline } : {}) });
    window.hx = (b) => Array.from(b, (v) => v.toString(16).padStart(2, '0')).join('');
    window.unhx = (h) => Uint8Array.from(h.match(/../g) || [], (x) => parseInt(x, 16));
    window.te = (s) => new TextEncoder().encode(s);
    // a proof, or 'hung' when nothing came for a minute (the code before
    // the deadlines waited for ever)
    window.proveOrHang = async (keysHex, index, skHex, scope, msg) => {
      w.sk = unhx(skHex);
      const steps = [];
      const guard = new Promise((resolve) => setTimeout(() => resolve('hung'), 60000));
      const work = (async () => {
        const ring = await dr.ring(unhx(keysHex));
        const proof = await dr.prove(ring, Number(index), unhx(skHex), te(scope), te(msg), {
          onProgress: (done, total) => steps.push([done, total]),
        });
        return hx(proof);
      })().catch((e) => `failed: ${e.code} ${e.message}`);
      const proof = await Promise.race([work, guard]);
      return { proof, steps, workers: dr.lastProofWorkers, log: w.log, ended: w.ended,
        tag: hx(await dr.tag(unhx(skHex), te(scope))) };
    };
  }, [workers, faults, opts]);
  return { context, page };
}

// Progress seen by the page: one total, never going back, ending at the total.
function assertProgress(steps) {
  assert.ok(steps.length > 0, 'progress was reported');
  assert.equal(new Set(steps.map((s) => s[1])).size, 1, 'one total across the whole proof');
  for (let i = 1; i < steps.length; i++)
    assert.ok(steps[i][0] >= steps[i - 1][0], `progress never goes back (${steps[i - 1][0]} then ${steps[i][0]})`);
  const last = steps[steps.length - 1];
  assert.equal(last[0], last[1], 'progress ends at its total');
}

// What each helper Worker was sent: its ring, its module and levels, never the key.
function assertHelpersSawNoKey(log) {
  for (const m of log.filter((x) => x.name.startsWith('dissent-ring-helper'))) {
    assert.ok(['init', 'ring', 'foldPart', 'freeRing'].includes(m.op), `a helper was sent '${m.op}'`);
    assert.equal(m.secret, false, `a helper's '${m.op}' held the secret key`);
  }
}

// A bigger ring, so that a proof reports progress many times.
const bigFile = path.join(tmp, 'ring4096.bin');
const [BIG_INDEX, BIG_SK] = run(TOOL, ['ring', '4096', bigFile]).split(' ');
const BIG = fs.readFileSync(bigFile).toString('hex');

test('a helper that never answers its part is ended after its deadline, and the proof is made on the Workers left', { timeout: 180000 }, async () => {
  const { context, page } = await faultyPage(3, { 'dissent-ring-helper-1': { hang: 'foldPart' } }, { deadline: 3000 });
  const r = await page.evaluate((a) => proveOrHang(...a), [KEYS, INDEX, SK, SCOPE, MSG]);
  assert.notEqual(r.proof, 'hung', 'the proof did not wait for ever');
  assert.ok(r.ended.includes('dissent-ring-helper-1'), 'the helper that did not answer was ended');
  assert.ok(r.log.some((m) => m.name === 'dissent-ring' && m.op === 'foldAgain'), 'its groups were folded by the main Worker');
  assert.equal(run(TOOL, ['verify', keysFile, r.proof, SCOPE, MSG]), r.tag, 'the C verifier accepts the proof');
  assertProgress(r.steps);
  assertHelpersSawNoKey(r.log);
  await context.close();
});

test('a helper that never starts or never loads the ring is ended after its deadline, and the main Worker proves alone', { timeout: 300000 }, async () => {
  for (const op of ['init', 'ring']) {
    const { context, page } = await faultyPage(2, { 'dissent-ring-helper-1': { hang: op } }, { deadline: 3000 });
    const r = await page.evaluate((a) => proveOrHang(...a), [KEYS, INDEX, SK, SCOPE, MSG]);
    assert.notEqual(r.proof, 'hung', `the proof did not wait for ever (helper stuck in '${op}')`);
    assert.ok(r.ended.includes('dissent-ring-helper-1'), `the helper stuck in '${op}' was ended`);
    assert.equal(r.workers, 1, 'made on the main Worker');
    assert.equal(run(TOOL, ['verify', keysFile, r.proof, SCOPE, MSG]), r.tag);
    assertProgress(r.steps);
    await context.close();
  }
});

test('a helper that crashes with its part done: the part is folded again, progress never goes back', { timeout: 180000 }, async () => {
  const { context, page } = await faultyPage(2, { 'dissent-ring-helper-1': { crash: 'foldPart' } });
  const r = await page.evaluate((a) => proveOrHang(...a), [BIG, BIG_INDEX, BIG_SK, SCOPE, MSG]);
  assert.notEqual(r.proof, 'hung');
  assert.ok(r.log.some((m) => m.name === 'dissent-ring' && m.op === 'foldAgain'), 'its groups were folded by the main Worker');
  assert.equal(r.log.filter((m) => m.op === 'proveBegin').length, 1, 'the proof was not begun again');
  assert.equal(run(TOOL, ['verify', bigFile, r.proof, SCOPE, MSG]), r.tag, 'the C verifier accepts the proof');
  assertProgress(r.steps);
  assertHelpersSawNoKey(r.log);
  await context.close();
  assert.deepEqual(pageErrors, []);
});

test('a helper whose answer cannot be read is ended, and its groups are folded by the main Worker', { timeout: 180000 }, async () => {
  const { context, page } = await faultyPage(2, { 'dissent-ring-helper-1': { garble: 'foldPart' } });
  const r = await page.evaluate((a) => proveOrHang(...a), [KEYS, INDEX, SK, SCOPE, MSG]);
  assert.notEqual(r.proof, 'hung', 'the proof did not wait for the answer that never came');
  assert.ok(r.ended.includes('dissent-ring-helper-1'), 'the helper was ended');
  assert.ok(r.log.some((m) => m.name === 'dissent-ring' && m.op === 'foldAgain'), 'its groups were folded by the main Worker');
  assert.equal(run(TOOL, ['verify', keysFile, r.proof, SCOPE, MSG]), r.tag);
  assertProgress(r.steps);
  await context.close();
});

test('a helper that crashes while the main Worker begins the proof is sent no level, and the proof is made', { timeout: 180000 }, async () => {
  const { context, page } = await faultyPage(2, { 'dissent-ring': { crashOn: 'proveBegin', victim: 'dissent-ring-helper-1' } });
  const r = await page.evaluate((a) => proveOrHang(...a), [KEYS, INDEX, SK, SCOPE, MSG]);
  assert.notEqual(r.proof, 'hung');
  assert.equal(run(TOOL, ['verify', keysFile, r.proof, SCOPE, MSG]), r.tag);
  // a level goes only to a Worker that holds the ring (the one that crashed
  // is not started again behind the page's back to be sent one)
  const loaded = new Set(r.log.filter((m) => m.op === 'ring').map((m) => `${m.name}#${m.serial}`));
  for (const m of r.log.filter((x) => x.op === 'foldPart'))
    assert.ok(loaded.has(`${m.name}#${m.serial}`), `a level was sent to ${m.name} #${m.serial}, which never loaded the ring`);
  assertProgress(r.steps);
  assertHelpersSawNoKey(r.log);
  await context.close();
});
