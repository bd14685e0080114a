// The signing module (build/wasm/dissent-ring.wasm) under Node.js: the
// shared vectors, and the C protocol functions' bytes (make wasm-test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { instantiate, toHex, RingError } from '../../web/static/anon/ring-core.js';
import { vectorChecks, VECTOR_FILES } from './checks.mjs';

const WASM = process.env.DISSENT_WASM || 'build/wasm/dissent-ring.wasm';
const VECTORS = process.env.DISSENT_VECTORS || '../shared/vectors';
const enc = new TextEncoder();

async function core(opts) {
  return instantiate(fs.readFileSync(WASM), opts);
}

test('the shared vectors (RFC 9496 ristretto255, RFC 9380 hashing) pass in WebAssembly', async () => {
  const files = {};
  for (const [k, rel] of Object.entries(VECTOR_FILES)) files[k] = fs.readFileSync(path.join(VECTORS, rel), 'utf8');
  const r = await vectorChecks(await core(), files);
  assert.deepEqual(r.failures, []);
  assert.ok(r.passed >= 16 + 30 + 11 + 6 + 10, `every vector line counted (${r.passed})`);
});

test('keys, tags, proofs and the protocol texts', async () => {
  const c = await core();
  const { pk, sk } = c.keygen();
  assert.deepEqual(c.publicKey(sk), pk);
  const scope = c.anonScope('dissent.local/log', 'memo123');
  assert.equal(new TextDecoder().decode(scope), 'dissent-anon-v2\ndissent.local/log\nmemo123');
  assert.equal(new TextDecoder().decode(c.anonMessage(3, 2, 'ab'.repeat(32))),
    `dissent-anon-v2\nsign\n3\n2\n${'ab'.repeat(32)}`);
  assert.equal(new TextDecoder().decode(c.anonMessage(4n, 0, null)), 'dissent-anon-v2\nwithdraw\n4');
  assert.equal(new TextDecoder().decode(c.popContext('o', 'state', 'alice', 'c'.repeat(64))),
    `dissent-enroll-v2\no\nstate\nalice\n${'c'.repeat(64)}`);

  const keys = new Uint8Array(5 * 32);
  const members = [];
  for (let i = 0; i < 5; i++) {
    const k = i === 2 ? { pk, sk } : c.keygen();
    members.push(k);
    keys.set(k.pk, 32 * i);
  }
  const ring = c.ring(keys);
  assert.equal(ring.count, 5);
  const msg = c.anonMessage(0, 1, 'cd'.repeat(32));
  const proof = c.prove(ring, 2, sk, scope, msg);
  assert.equal(proof.length, c.proofLength(5));
  const tag = c.verify(ring, proof, scope, msg);
  assert.deepEqual(tag, c.tag(sk, scope));
  assert.deepEqual(c.proofTag(proof), tag);
  // another message, a changed byte, the wrong key: refused with the C error codes
  assert.throws(() => c.verify(ring, proof, scope, c.anonMessage(1, 1, 'cd'.repeat(32))), (e) => e.code === 'verification_failed');
  const bad = proof.slice();
  bad[bad.length - 40] ^= 1;
  assert.throws(() => c.verify(ring, bad, scope, msg), RingError);
  assert.throws(() => c.prove(ring, 1, sk, scope, msg), /does not match ring key 1/);

  const pop = c.popSign(sk, enc.encode('ctx'));
  assert.ok(c.popVerify(pop, pk, enc.encode('ctx')));
  assert.ok(!c.popVerify(pop, pk, enc.encode('ctx2')));
  ring.free();
});

test('a proof reports its progress and can be cancelled from the callback', async () => {
  let calls = 0, last = -1, total = 0, stopAt = 0;
  const c = await core({
    onProgress(done, t) { calls++; assert.ok(done >= last); last = done; total = t; return stopAt && calls >= stopAt; },
  });
  const keys = new Uint8Array(300 * 32);
  let me;
  for (let i = 0; i < 300; i++) { const k = c.keygen(); keys.set(k.pk, 32 * i); if (i === 100) me = k; }
  const ring = c.ring(keys);
  const scope = enc.encode('s'), msg = enc.encode('m');
  c.prove(ring, 100, me.sk, scope, msg);
  assert.ok(calls >= 2 && last === total, `progress ${calls} calls, ${last}/${total}`);
  calls = 0; last = -1; stopAt = 1;
  assert.throws(() => c.prove(ring, 100, me.sk, scope, msg), (e) => e.code === 'wrong_state' && /cancelled/.test(e.message));
});

test('key files: sealed here, opened here; wrong passphrase refused', async () => {
  const c = await core();
  const { pk, sk } = c.keygen();
  const file = c.sealKeyFile(sk, 'correct horse', { opslimit: 1, memlimit: 8192 });
  assert.equal(file.length, 138);
  assert.equal(toHex(file.slice(0, 4)), toHex(enc.encode('DSRK')));
  assert.deepEqual(c.keyFilePublic(file), pk);
  assert.deepEqual(c.openKeyFile(file, 'correct horse'), { sk, pk });
  assert.throws(() => c.openKeyFile(file, 'wrong horse'), (e) => e.code === 'unauthorized');
});
