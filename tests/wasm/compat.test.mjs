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

// As the page's Workers do (web/static/anon/dissent-ring.js): the first fold level split between three
// module instances, each with its own copy of the ring; the level and the parts are zeroed once used.
test('a proof split between three module instances verifies with the C verifier; foreign parts are refused', async () => {
  const file = path.join(tmp, 'ring-split.bin');
  const [index, skHex] = run(TOOL, ['ring', '1300', file]).split(' ');
  const keys = new Uint8Array(fs.readFileSync(file));
  const cores = [c, await instantiate(fs.readFileSync(WASM)), await instantiate(fs.readFileSync(WASM))];
  const rings = cores.map((m) => m.ring(keys));
  const b = c.proverBegin(rings[0], Number(index), fromHex(skHex), enc.encode(SCOPE), enc.encode(MSG));
  assert.equal(b.level.length, 1376);
  const cuts = [0, Math.floor(b.groups / 3), Math.floor((2 * b.groups) / 3), b.groups];
  const levels = cores.map(() => b.level.slice());
  const parts = cores.map((m, i) => m.foldPart(rings[i], levels[i], cuts[i], cuts[i + 1]));
  assert.ok(levels.every((l) => l.every((x) => x === 0)), 'each level copy is zeroed once used');
  // a part of another ring: refused by the instance asked to fold it
  const other = c.ring(keys.slice(32));
  assert.throws(() => cores[1].foldPart(other, b.level.slice(), 0, 1), { code: 'invalid_input' });
  other.free();
  // parts out of order: refused, and the state is spent (a second begin for the real proof)
  assert.throws(() => c.proverFinish(b, [parts[1], parts[0], parts[2]].map((p) => p.slice())), { code: 'invalid_input' });
  const b2 = c.proverBegin(rings[0], Number(index), fromHex(skHex), enc.encode(SCOPE), enc.encode(MSG));
  const parts2 = cores.map((m, i) => m.foldPart(rings[i], b2.level.slice(), cuts[i], cuts[i + 1]));
  const proof = c.proverFinish(b2, parts2);
  assert.ok(parts2.every((p) => p.every((x) => x === 0)), 'the parts are zeroed once used');
  assert.equal(proof.length, c.proofLength(1300));
  assert.equal(run(TOOL, ['verify', file, toHex(proof), SCOPE, MSG]), toHex(c.tag(fromHex(skHex), enc.encode(SCOPE))));
  // A spent state is refused, not used after it was freed (its memory may hold another proof's
  // state by then); freeing it again does nothing.
  const b3 = c.proverBegin(rings[0], Number(index), fromHex(skHex), enc.encode(SCOPE), enc.encode(MSG));
  assert.throws(() => c.proverFinish(b2, parts2.map((p) => p.slice())), { code: 'wrong_state' });
  c.proverFree(b2);
  // A level shorter than a level is refused (the module would read past it) and zeroed.
  const short = b3.level.slice(0, 96);
  assert.throws(() => cores[1].foldPart(rings[1], short, 0, 1), { code: 'invalid_input' });
  assert.ok(short.every((x) => x === 0), 'the refused level is zeroed');
  c.proverFree(b3);
  for (const r of rings) r.free();
});

// As the page does when a helper Worker fails (web/static/anon/dissent-ring.js): its groups are folded
// again by the instance that began the proof, from the proof's state (the level is not handed back).
test('a part folded again from the prover state is the helper\'s part, byte for byte, and the proof verifies', async () => {
  const file = path.join(tmp, 'ring-again.bin');
  const [index, skHex] = run(TOOL, ['ring', '1300', file]).split(' ');
  const keys = new Uint8Array(fs.readFileSync(file));
  const helper = await instantiate(fs.readFileSync(WASM));
  const rings = [c.ring(keys), helper.ring(keys)];
  const b = c.proverBegin(rings[0], Number(index), fromHex(skHex), enc.encode(SCOPE), enc.encode(MSG));
  const cut = Math.floor(b.groups / 2);
  const mine = c.foldPart(rings[0], b.level.slice(), 0, cut);
  const theirs = helper.foldPart(rings[1], b.level.slice(), cut, b.groups);
  const again = c.proverFoldPart(b, rings[0], cut, b.groups);
  assert.equal(toHex(again), toHex(theirs), 'the same bytes as the helper\'s part');
  assert.throws(() => c.proverFoldPart(b, rings[0], cut, b.groups + 1), { code: 'invalid_input' });
  const proof = c.proverFinish(b, [mine, again]);
  assert.equal(run(TOOL, ['verify', file, toHex(proof), SCOPE, MSG]), toHex(c.tag(fromHex(skHex), enc.encode(SCOPE))));
  assert.throws(() => c.proverFoldPart(b, rings[0], 0, cut), { code: 'wrong_state' }, 'a spent state is refused');
  for (const r of rings) r.free();
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
