// ring-core.js — the ring signatures of dissent in JavaScript, by running
// the project's own C (src/ring, src/proto/anon.c) compiled to WebAssembly
// (`make wasm`, tools/wasm/api.h). Works in a Worker, a page and Node.js.
//
//   import { instantiate } from './ring-core.js';
//   const core = await instantiate(wasmBytesOrResponse, { onProgress(done, total) {} });
//   const { pk, sk } = core.keygen();
//
// Every function takes and returns Uint8Array (32-byte keys and tags,
// 64-byte proofs of possession, 138-byte key files) or strings for the
// protocol texts, and throws a RingError (with .code, e.g. "invalid_input",
// "unauthorized" for a wrong passphrase, "wrong_state" for a cancelled proof)
// when the C function fails. Secrets copied into the module's memory are
// wiped there when the call returns. Documented for page authors in
// docs/architecture.md ("Anonymous signing in the browser").

export class RingError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'RingError';
    this.code = code;
  }
}

// The few WASI calls the module makes (tools/wasm/build.sh): randomness,
// stderr for a fatal message, exit, clocks. No file system, no network.
function wasiImports(getMemory, log) {
  const ENOSYS = 52, EBADF = 8;
  return {
    random_get(ptr, len) {
      const buf = new Uint8Array(getMemory().buffer, ptr, len);
      // getRandomValues fills at most 65536 bytes a call
      for (let off = 0; off < len; off += 65536)
        crypto.getRandomValues(buf.subarray(off, Math.min(len, off + 65536)));
      return 0;
    },
    fd_write(fd, iovs, iovsLen, nwritten) {
      if (fd !== 1 && fd !== 2) return EBADF;
      const mem = getMemory();
      const view = new DataView(mem.buffer);
      let text = '', total = 0;
      for (let i = 0; i < iovsLen; i++) {
        const p = view.getUint32(iovs + 8 * i, true), n = view.getUint32(iovs + 8 * i + 4, true);
        text += new TextDecoder().decode(new Uint8Array(mem.buffer, p, n));
        total += n;
      }
      view.setUint32(nwritten, total, true);
      log(text);
      return 0;
    },
    fd_close() { return 0; },
    fd_seek() { return ENOSYS; },
    fd_fdstat_get() { return ENOSYS; },
    proc_exit(code) { throw new RingError('internal_error', `the signing module stopped (exit ${code})`); },
    clock_time_get(id, precision, out) {
      const ns = BigInt(Math.round((id === 0 ? Date.now() : performance.now()) * 1e6));
      new DataView(getMemory().buffer).setBigUint64(out, ns, true);
      return 0;
    },
  };
}

// Compiles the module from bytes (ArrayBuffer, Uint8Array), a Response or
// a WebAssembly.Module, and returns the API object below.
export async function instantiate(source, opts = {}) {
  const onProgress = opts.onProgress || (() => 0);
  const log = opts.log || ((t) => console.warn('dissent-ring:', t));
  let memory = null;
  const imports = {
    wasi_snapshot_preview1: wasiImports(() => memory, log),
    dissent: { progress: (done, total) => (onProgress(done >>> 0, total >>> 0) ? 1 : 0) },
  };
  let instance;
  if (source instanceof WebAssembly.Module) {
    instance = await WebAssembly.instantiate(source, imports);
  } else if (typeof Response !== 'undefined' && source instanceof Response) {
    const bytes = await source.arrayBuffer();
    ({ instance } = await WebAssembly.instantiate(bytes, imports));
  } else {
    ({ instance } = await WebAssembly.instantiate(source, imports));
  }
  memory = instance.exports.memory;
  instance.exports._initialize();
  return makeApi(instance.exports, () => memory);
}

function makeApi(x, mem) {
  const enc = new TextEncoder(), dec = new TextDecoder();
  const bytes = () => new Uint8Array(mem().buffer);

  function cstr(ptr) {
    const b = bytes();
    let end = ptr;
    while (b[end]) end++;
    return dec.decode(b.subarray(ptr, end));
  }
  function fail() {
    throw new RingError(cstr(x.dw_error_code()), cstr(x.dw_error_message()));
  }

  // Runs fn with module buffers: each spec is a Uint8Array to copy in, a
  // string (UTF-8, NUL-terminated), or a number of bytes to receive. The
  // buffers are wiped and freed afterwards, whatever happens.
  function withBufs(specs, fn) {
    const bufs = [];
    try {
      for (const s of specs) {
        let data = null, len;
        if (typeof s === 'number') len = s;
        else if (typeof s === 'string') { data = enc.encode(s + '\0'); len = data.length; }
        else { data = s; len = s.length; }
        const p = x.dw_alloc(len);
        if (!p) throw new RingError('out_of_memory', 'out of memory in the signing module');
        bufs.push({ p, len });
        if (data) bytes().set(data, p);
      }
      return fn(...bufs.map((b) => b.p));
    } finally {
      for (const b of bufs) x.dw_free(b.p, b.len);
    }
  }
  const out = (p, n) => bytes().slice(p, p + n);
  const u8 = (v, what, n) => {
    if (typeof v === 'string') v = enc.encode(v);
    if (!(v instanceof Uint8Array)) throw new RingError('invalid_input', `${what} must be bytes`);
    if (n !== undefined && v.length !== n)
      throw new RingError('invalid_input', `${what} must be ${n} bytes, not ${v.length}`);
    return v;
  };

  // Groups [r0, r1) of the level at lp (module memory) over ring, as new bytes.
  function foldFrom(lp, ring, r0, r1) {
    const n = x.dw_fold_part_len(lp, r0, r1);
    if (!n) throw new RingError('invalid_input', `no part [${r0}, ${r1})`);
    return withBufs([n], (o) => {
      if (x.dw_fold_part(o, n, ring.handle(), lp, r0, r1) !== 0) fail();
      return out(o, n);
    });
  }

  const api = {
    keygen() {
      return withBufs([32, 32], (pk, sk) => {
        if (x.dw_keygen(pk, sk) !== 0) fail();
        return { pk: out(pk, 32), sk: out(sk, 32) };
      });
    },
    publicKey(sk) {
      return withBufs([32, u8(sk, 'secret key', 32)], (pk, s) => {
        if (x.dw_public_key(pk, s) !== 0) fail();
        return out(pk, 32);
      });
    },
    // The CLI's key file (docs/protocol-ring.md "Key files"); cost defaults
    // to the CLI's (3 passes over 64 MiB).
    sealKeyFile(sk, passphrase, { opslimit = 3, memlimit = 64 * 1024 * 1024 } = {}) {
      const pass = enc.encode(passphrase);
      return withBufs([138, u8(sk, 'secret key', 32), pass], (o, s, p) => {
        if (x.dw_keyfile_seal(o, s, p, pass.length, opslimit, memlimit) !== 0) fail();
        return out(o, 138);
      });
    },
    openKeyFile(file, passphrase) {
      const pass = enc.encode(passphrase);
      const f = u8(file, 'key file');
      return withBufs([32, 32, f, pass], (s, pk, fp, p) => {
        if (x.dw_keyfile_open(s, pk, fp, f.length, p, pass.length) !== 0) fail();
        return { sk: out(s, 32), pk: out(pk, 32) };
      });
    },
    keyFilePublic(file) {
      const f = u8(file, 'key file');
      return withBufs([32, f], (pk, fp) => {
        if (x.dw_keyfile_public(pk, fp, f.length) !== 0) fail();
        return out(pk, 32);
      });
    },
    popSign(sk, context) {
      const c = u8(context, 'context');
      return withBufs([64, u8(sk, 'secret key', 32), c], (sig, s, cp) => {
        if (x.dw_pop_sign(sig, s, cp, c.length) !== 0) fail();
        return out(sig, 64);
      });
    },
    popVerify(sig, pk, context) {
      const c = u8(context, 'context');
      return withBufs([u8(sig, 'proof of possession', 64), u8(pk, 'public key', 32), c],
        (sp, pp, cp) => x.dw_pop_verify(sp, pp, cp, c.length) === 0);
    },
    tag(sk, scope) {
      const sc = u8(scope, 'scope');
      return withBufs([32, u8(sk, 'secret key', 32), sc], (j, s, scp) => {
        if (x.dw_tag(j, s, scp, sc.length) !== 0) fail();
        return out(j, 32);
      });
    },
    // A ring: keys is a Uint8Array of count*32 bytes (the roster in order).
    // Free it with ring.free() when done (it holds decoded keys).
    ring(keys) {
      const k = u8(keys, 'ring keys');
      if (k.length % 32) throw new RingError('invalid_input', 'ring keys must be 32 bytes each');
      const count = k.length / 32;
      const h = withBufs([k], (kp) => x.dw_ring_new(kp, count));
      if (!h) fail();
      let live = true;
      return {
        count,
        digest: out(x.dw_ring_digest(h), 64),
        handle: () => { if (!live) throw new RingError('wrong_state', 'the ring was freed'); return h; },
        free() { if (live) { x.dw_ring_free(h); live = false; } },
      };
    },
    proofLength(count) {
      const n = x.dw_proof_len(count);
      if (!n) fail();
      return n;
    },
    // Proves membership of ring key number index; progress goes to the
    // onProgress given to instantiate (return true from it to cancel).
    prove(ring, index, sk, scope, message) {
      const sc = u8(scope, 'scope'), m = u8(message, 'message');
      const len = api.proofLength(ring.count);
      return withBufs([len, u8(sk, 'secret key', 32), sc, m], (o, s, scp, mp) => {
        if (x.dw_prove(o, len, ring.handle(), index, s, scp, sc.length, mp, m.length) !== 0) fail();
        return out(o, len);
      });
    },
    // The prover in phases, for a proof split between Workers
    // (docs/architecture.md): proverBegin makes the state (in this module's
    // memory) and the first fold level's secret inputs (level: bytes to
    // hand to foldPart, wiped by whoever receives them); foldPart folds
    // groups [r0, r1) of that level over a ring (any instance holding the
    // same ring); proverFinish takes every part in order and makes the
    // proof. The level and the parts are zeroed here once copied into the
    // module (they are as secret as the key).
    proverBegin(ring, index, sk, scope, message) {
      const sc = u8(scope, 'scope'), m = u8(message, 'message');
      const st = withBufs([u8(sk, 'secret key', 32), sc, m], (s, scp, mp) =>
        x.dw_prover_begin(ring.handle(), index, s, scp, sc.length, mp, m.length));
      if (!st) fail();
      const n = x.dw_level_len();
      let level;
      try {
        level = withBufs([n], (l) => { x.dw_prover_level(st, l); return out(l, n); });
      } catch (e) {
        x.dw_prover_free(st); // the state holds the secrets: never left behind
        throw e;
      }
      return { handle: st, groups: x.dw_prover_groups(st), rows: x.dw_prover_rows(st), level, count: ring.count };
    },
    foldPart(ring, level, r0, r1) {
      let l;
      try {
        // exactly the level's size: C reads that many bytes from it
        l = u8(level, 'level', x.dw_level_len());
      } catch (e) {
        if (level instanceof Uint8Array) level.fill(0);
        throw e;
      }
      try {
        return withBufs([l], (lp) => foldFrom(lp, ring, r0, r1));
      } finally {
        l.fill(0);
      }
    },
    // foldPart for a proof begun in this module, with the level read from
    // its state (prover.handle) straight into module memory: the groups of
    // a helper Worker that failed are folded here without the level ever
    // reaching JavaScript.
    proverFoldPart(prover, ring, r0, r1) {
      if (!prover.handle) throw new RingError('wrong_state', 'this proof was already finished or freed');
      return withBufs([x.dw_level_len()], (lp) => {
        x.dw_prover_level(prover.handle, lp);
        return foldFrom(lp, ring, r0, r1);
      });
    },
    // Spends the state (prover.handle) whatever happens; throws RingError
    // "retry" in the rare case the proof must begin again.
    proverFinish(prover, parts) {
      try {
        if (!prover.handle) throw new RingError('wrong_state', 'this proof was already finished or freed');
        const len = api.proofLength(prover.count);
        let total = 0;
        for (const p of parts) total += u8(p, 'part').length;
        return withBufs([len, total], (o, pp) => {
          let at = pp;
          for (const p of parts) { bytes().set(p, at); at += p.length; p.fill(0); }
          const rc = x.dw_prover_finish(prover.handle, o, len, pp, total);
          if (rc === 1) throw new RingError('retry', 'the proof must begin again');
          if (rc !== 0) fail();
          return out(o, len);
        });
      } finally {
        for (const p of parts) if (p instanceof Uint8Array) p.fill(0);
        if (prover.handle) x.dw_prover_free(prover.handle);
        prover.handle = 0; // freed: a second finish or free is refused, not a use after free
      }
    },
    proverFree(prover) {
      if (prover.handle) x.dw_prover_free(prover.handle);
      prover.handle = 0;
    },
    // The tag J when the proof verifies; throws RingError (code "verification_failed"
    // for a proof that does not verify, "invalid_input" for a malformed one).
    verify(ring, proof, scope, message) {
      const p = u8(proof, 'proof'), sc = u8(scope, 'scope'), m = u8(message, 'message');
      return withBufs([p, sc, m, 32], (pp, scp, mp, j) => {
        if (x.dw_verify(ring.handle(), pp, p.length, scp, sc.length, mp, m.length, j) !== 0) fail();
        return out(j, 32);
      });
    },
    proofTag(proof) {
      const p = u8(proof, 'proof');
      return withBufs([32, p], (j, pp) => {
        if (x.dw_proof_tag(j, pp, p.length) !== 0) fail();
        return out(j, 32);
      });
    },
    // The protocol texts (src/proto/anon.c), byte for byte the CLI's.
    anonScope(origin, memo) {
      return withBufs([1024, origin, memo], (b, o, mm) => {
        const n = x.dw_anon_scope(b, 1024, o, mm);
        if (n < 0) fail();
        return out(b, n);
      });
    },
    // versionHash null or undefined: the withdrawal message.
    anonMessage(seq, version, versionHash) {
      const specs = [1024];
      if (versionHash != null) specs.push(versionHash);
      return withBufs(specs, (b, h) => {
        const n = x.dw_anon_message(b, 1024, BigInt(seq), version | 0, versionHash != null ? h : 0);
        if (n < 0) fail();
        return out(b, n);
      });
    },
    popContext(origin, org, username, challenge) {
      return withBufs([2048, origin, org, username, challenge], (b, o, g, u, c) => {
        const n = x.dw_pop_context(b, 2048, o, g, u, c);
        if (n < 0) fail();
        return out(b, n);
      });
    },
    // The CLI's ring and receipt checks against the log (client/ringcheck.c,
    // client/receipts.c; tools/wasm/api.h, dw_ring_check) over what the
    // page fetched: request {verifier_key, note, leaves, public, server,
    // now, receipts}; the answer {size, problems, sets, receipts, tally,
    // report}. Throws when the log contradicts its checkpoint or the key.
    ringCheck(request) {
      const text = enc.encode(JSON.stringify(request));
      const p = withBufs([text], (t) => x.dw_ring_check(t, text.length));
      if (!p) fail();
      const b = bytes();
      let end = p;
      while (b[end]) end++;
      const answer = dec.decode(b.subarray(p, end));
      x.dw_free(p, end - p + 1);
      return JSON.parse(answer);
    },
    // For the shared test vectors.
    pointIsValid(enc32, allowIdentity = false) {
      return withBufs([u8(enc32, 'point', 32)], (p) => x.dw_point_check(p, allowIdentity ? 1 : 0) === 0);
    },
    oneWayMap(in64) {
      return withBufs([32, u8(in64, 'map input', 64)], (o, i) => {
        if (x.dw_one_way_map(o, i) !== 0) fail();
        return out(o, 32);
      });
    },
    hashToGroup(msg, dst) {
      const m = u8(msg, 'message'), d = u8(dst, 'DST');
      return withBufs([32, m, d], (o, mp, dp) => {
        if (x.dw_hash_to_group(o, mp, m.length, dp, d.length) !== 0) fail();
        return out(o, 32);
      });
    },
    expandMessageXmd(msg, dst, len) {
      const m = u8(msg, 'message'), d = u8(dst, 'DST');
      return withBufs([len, m, d], (o, mp, dp) => {
        if (x.dw_expand_xmd(o, len, mp, m.length, dp, d.length) !== 0) fail();
        return out(o, len);
      });
    },
    scalarMultBase(s32) {
      return withBufs([32, u8(s32, 'scalar', 32)], (o, s) => {
        if (x.dw_scalarmult_base(o, s) !== 0) fail();
        return out(o, 32);
      });
    },
  };
  return api;
}

export function toHex(b) {
  return Array.from(b, (v) => v.toString(16).padStart(2, '0')).join('');
}

export function fromHex(h) {
  if (h.length % 2 || /[^0-9a-fA-F]/.test(h)) throw new RingError('invalid_input', 'bad hex');
  const b = new Uint8Array(h.length / 2);
  for (let i = 0; i < b.length; i++) b[i] = parseInt(h.substr(2 * i, 2), 16);
  return b;
}
