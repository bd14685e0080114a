// Byte compatibility between the signing module and the native C (make
// wasm-test): proofs made by either verify in the other with the same tag,
// and key files sealed by either open in the other (`dissent key` for the
// CLI's side, tools/wasm/ringtool for the C library functions it calls).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { instantiate, toHex, fromHex } from '../../web/static/anon/ring-core.js';

const WASM = process.env.DISSENT_WASM || 'build/wasm/dissent-ring.wasm';
const BIN = process.env.DISSENT_BIN || 'build/dissent';
const TOOL = process.env.DISSENT_RINGTOOL || 'build/wasm/ringtool';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dissent-wasm-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const enc = new TextEncoder();
const run = (cmd, args) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

const c = await instantiate(fs.readFileSync(WASM));
const SCOPE = 'dissent-anon-v2\ndissent.local/log\nmemo7';
const MSG = 'dissent-anon-v2\nsign\n0\n1\n' + 'ef'.repeat(32);

test('a proof made by the C prover verifies in WebAssembly, with the same tag', () => {
  const keys = path.join(tmp, 'ring-c.bin');
  const [index, skHex] = run(TOOL, ['ring', '37', keys]).split(' ');
  const proof = fromHex(run(TOOL, ['prove', keys, index, skHex, SCOPE, MSG]));
  const ring = c.ring(new Uint8Array(fs.readFileSync(keys)));
  const tag = c.verify(ring, proof, enc.encode(SCOPE), enc.encode(MSG));
  assert.equal(toHex(tag), toHex(c.tag(fromHex(skHex), enc.encode(SCOPE))));
  // and a byte changed is refused by both
  const bad = proof.slice();
  bad[100] ^= 4;
  assert.throws(() => c.verify(ring, bad, enc.encode(SCOPE), enc.encode(MSG)));
  ring.free();
});

test('a proof made in WebAssembly verifies with the C verifier, with the same tag', () => {
  const keys = new Uint8Array(70 * 32);
  let me;
  for (let i = 0; i < 70; i++) { const k = c.keygen(); keys.set(k.pk, 32 * i); if (i === 41) me = k; }
  const file = path.join(tmp, 'ring-w.bin');
  fs.writeFileSync(file, keys);
  const ring = c.ring(keys);
  const proof = c.prove(ring, 41, me.sk, enc.encode(SCOPE), enc.encode(MSG));
  const tag = run(TOOL, ['verify', file, toHex(proof), SCOPE, MSG]);
  assert.equal(tag, toHex(c.tag(me.sk, enc.encode(SCOPE))));
  // the C verifier refuses it for another message
  assert.throws(() => run(TOOL, ['verify', file, toHex(proof), SCOPE, MSG + 'x']));
  ring.free();
});

// The radix table (docs/protocol-ring.md §5) is one for both cores: past 4,096 keys both provers use
// radix 16 (padded to 16^4 = 65,536, which the fold never computes), and each verifies the other's.
test('on a ring of more than 4,096 keys both provers use radix 16, and each verifies the other', () => {
  const keys = path.join(tmp, 'ring-big.bin');
  const [index, skHex] = run(TOOL, ['ring', '4100', keys]).split(' ');
  const ring = c.ring(new Uint8Array(fs.readFileSync(keys)));
  const fromC = fromHex(run(TOOL, ['prove', keys, index, skHex, SCOPE, MSG]));
  const fromW = c.prove(ring, Number(index), fromHex(skHex), enc.encode(SCOPE), enc.encode(MSG));
  for (const proof of [fromC, fromW]) {
    assert.deepEqual([proof[1], proof[2], proof.length], [16, 4, 2436]);
    assert.equal(proof.length, c.proofLength(4100));
  }
  const tag = toHex(c.tag(fromHex(skHex), enc.encode(SCOPE)));
  assert.equal(toHex(c.verify(ring, fromC, enc.encode(SCOPE), enc.encode(MSG))), tag);
  assert.equal(run(TOOL, ['verify', keys, toHex(fromW), SCOPE, MSG]), tag);
  ring.free();
});

test('a key file sealed in WebAssembly opens in the CLI, giving the same key and tag', () => {
  const { pk, sk } = c.keygen();
  const file = path.join(tmp, 'browser.key'), pass = path.join(tmp, 'pass');
  fs.writeFileSync(pass, 'a long passphrase\n');
  fs.writeFileSync(file, c.sealKeyFile(sk, 'a long passphrase'), { mode: 0o600 }); // the CLI's cost
  assert.equal(JSON.parse(run(BIN, ['key', 'show', '--key', file, '--json'])).public_key, toHex(pk));
  const [cpk, ctag] = run(TOOL, ['open', file, pass, SCOPE]).split(' ');
  assert.equal(cpk, toHex(pk));
  assert.equal(ctag, toHex(c.tag(sk, enc.encode(SCOPE))));
  fs.writeFileSync(pass, 'another passphrase\n');
  assert.throws(() => run(TOOL, ['open', file, pass, SCOPE]));
});

test('a key file made by `dissent key new` opens in WebAssembly, giving the same key and tag', () => {
  const file = path.join(tmp, 'cli.key'), pass = path.join(tmp, 'pass2');
  fs.writeFileSync(pass, 'cli passphrase 9\n');
  const pk = JSON.parse(run(BIN, ['key', 'new', '--key', file, '--passphrase-file', pass, '--json'])).public_key;
  const opened = c.openKeyFile(new Uint8Array(fs.readFileSync(file)), 'cli passphrase 9');
  assert.equal(toHex(opened.pk), pk);
  const [, ctag] = run(TOOL, ['open', file, pass, SCOPE]).split(' ');
  assert.equal(toHex(c.tag(opened.sk, enc.encode(SCOPE))), ctag);
  assert.throws(() => c.openKeyFile(new Uint8Array(fs.readFileSync(file)), 'cli passphrase 8'), (e) => e.code === 'unauthorized');
});
