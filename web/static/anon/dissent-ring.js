// dissent-ring.js — the page's handle on anonymous signing: every call runs
// in a Web Worker (ring-worker.js) on the project's own C compiled to
// WebAssembly, and answers with a Promise. See docs/architecture.md
// ("Anonymous signing in the browser") for the whole API.
//
//   import { DissentRing } from '/static/anon/dissent-ring.js';
//   const dr = new DissentRing();
//   const { pk, sk } = await dr.keygen();
//   const ring = await dr.ring(keys);            // keys: Uint8Array, 32 bytes a member
//   const proof = await dr.prove(ring, index, sk, scope, message,
//                                { onProgress: (done, total) => ..., signal });
//
// A proof uses several cores: on a machine with k > 1 of them (at most 4
// used) ring() also loads a ring of 1024 keys or more into k-1 helper
// Workers (started on first use, then reused), and prove() splits the
// first level of the prover's fold (most of its work) between the main
// Worker and the helpers, each folding its share of the groups; the main
// Worker, which alone holds the secret key, completes the proof. The bytes are those a single Worker
// makes. Helpers get the module the main Worker compiled (they neither
// fetch nor compile it). A helper that fails to start or to load the ring
// is dropped and the proof made with the Workers left (one, at least).
//
// Cancelling (signal.abort()) stops every Worker at once: the pending calls
// fail with code "cancelled", rings loaded before are gone (load them
// again), and the next call starts fresh Workers.

export class RingError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'RingError';
    this.code = code;
  }
}

const METHODS = ['keygen', 'publicKey', 'sealKeyFile', 'openKeyFile', 'keyFilePublic', 'popSign',
  'popVerify', 'tag', 'proofLength', 'proofTag', 'anonScope', 'anonMessage', 'popContext', 'ringCheck',
  'pointIsValid', 'oneWayMap', 'hashToGroup', 'expandMessageXmd', 'scalarMultBase'];

// One Worker and its pending calls.
class Channel {
  constructor(url, name, onFail) {
    this.url = url;
    this.name = name;
    this.onFail = onFail;
    this.worker = null;
    this.pending = new Map();
    this.nextId = 1;
    this.generation = 0;
  }

  start() {
    if (this.worker) return this.worker;
    // credentials 'omit': loading the signing code says nothing about who loads it
    const w = new Worker(this.url, { type: 'module', name: this.name, credentials: 'omit' });
    w.onmessage = (ev) => {
      const { id, result, error, progress } = ev.data;
      const p = this.pending.get(id);
      if (!p) return;
      if (progress) { if (p.onProgress) p.onProgress(progress.done, progress.total); return; }
      this.pending.delete(id);
      if (error) p.reject(new RingError(error.code, error.message));
      else p.resolve(result);
    };
    w.onerror = (ev) => {
      ev.preventDefault();
      this.onFail(this, `the signing worker failed: ${ev.message || 'could not start'}`);
    };
    this.worker = w;
    this.generation++;
    return w;
  }

  // Ends the Worker, failing every pending call with code.
  stop(code = 'cancelled', message = 'cancelled') {
    if (this.worker) this.worker.terminate();
    this.worker = null;
    for (const p of this.pending.values()) p.reject(new RingError(code, message));
    this.pending.clear();
  }

  // transfer: buffers moved to the Worker (secret bytes are not copied).
  call(op, args, { onProgress, transfer = [] } = {}) {
    const w = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      w.postMessage({ id, op, args }, transfer);
    });
  }
}

// Rings this large or larger are proved on several Workers (below, a proof
// takes under a quarter of a second on one, and loading the ring into the
// helpers would cost more than it saves).
const SPLIT_MIN = 1024;

const cores = () => {
  const n = (typeof navigator !== 'undefined' && navigator.hardwareConcurrency) || 1;
  return Math.max(1, Math.min(n, 4));
};

export class DissentRing {
  // workerUrl: where ring-worker.js is (default: beside this file).
  // workers: how many Workers a proof may use (default: the cores, at most 4).
  constructor({ workerUrl = new URL('ring-worker.js', import.meta.url), workers = cores() } = {}) {
    this.workerUrl = workerUrl;
    this.workers = Math.min(4, Math.max(1, workers | 0)); // each Worker holds a copy of the ring
    this.main = new Channel(workerUrl, 'dissent-ring', (ch, msg) => this.stop('unavailable', msg));
    this.helpers = []; // Channels, started with the first ring
    this.lastProofWorkers = 0; // Workers the last proof was made on (for benchmarks, tests)
    for (const m of METHODS) this[m] = (...args) => this.call(m, args);
  }

  get worker() { return this.main.worker; }
  get generation() { return this.main.generation; }

  // Ends every Worker, failing every pending call with code.
  stop(code = 'cancelled', message = 'cancelled') {
    this.main.stop(code, message);
    for (const h of this.helpers) h.stop(code, message);
  }

  // Runs fn (a Promise maker) with signal aborting every Worker.
  async cancellable(signal, fn) {
    if (signal && signal.aborted) throw new RingError('cancelled', 'cancelled');
    const onAbort = () => this.stop('cancelled', 'the proof was cancelled');
    if (signal) signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await fn();
    } finally {
      if (signal) signal.removeEventListener('abort', onAbort);
    }
  }

  call(op, args, { onProgress, signal } = {}) {
    return this.cancellable(signal, () => this.main.call(op, args, { onProgress }));
  }

  // Helper i, started if it is not running: it gets the module the main
  // Worker compiled (or fetches it itself when that fails).
  helper(i) {
    while (this.helpers.length <= i) {
      const ch = new Channel(this.workerUrl, `dissent-ring-helper-${this.helpers.length + 1}`,
        (c, msg) => c.stop('unavailable', msg));
      this.helpers.push(ch);
    }
    const ch = this.helpers[i];
    if (!ch.worker) {
      const module = this.main.call('module', []).catch(() => null);
      ch.start();
      ch.ready = module.then((m) => ch.call('init', [m]));
      // a helper that cannot start is stopped (and started afresh next time)
      ch.ready.catch((e) => ch.stop('unavailable', e && e.message ? e.message : 'failed to start'));
    }
    return ch;
  }

  // A ring handle {id, count, digest, generation} for prove and verify.
  async ring(keys) {
    // the helpers load it too, at the same time as the main Worker (prove
    // waits for them); a small ring proves on the main Worker alone (faster
    // than sharing). Helpers are started first, so that the main Worker
    // hands them its module before it gets busy decoding the ring.
    const helpers = [];
    const count = keys && keys.length ? Math.floor(keys.length / 32) : 0;
    for (let i = 0; count >= SPLIT_MIN && i < this.workers - 1; i++) {
      const ch = this.helper(i);
      const generation = ch.generation;
      const loading = ch.ready.then(() => ch.call('ring', [keys]));
      helpers.push(loading.then((h) => ({ ch, id: h.id, generation }), () => null));
    }
    let r;
    try {
      r = await this.call('ring', [keys]);
    } catch (e) {
      for (const p of helpers) p.then((h) => h && h.ch.call('freeRing', [h.id]).catch(() => {}));
      throw e;
    }
    const ring = { ...r, generation: this.generation };
    Object.defineProperty(ring, 'helpers', { value: helpers, enumerable: false });
    return ring;
  }

  freeRing(ring) {
    for (const p of ring.helpers || [])
      p.then((h) => { if (h && h.ch.worker && h.ch.generation === h.generation) h.ch.call('freeRing', [h.id]).catch(() => {}); });
    if (!this.worker || ring.generation !== this.generation) return Promise.resolve(true);
    return this.call('freeRing', [ring.id]);
  }

  ringId(ring) {
    if (!this.worker || ring.generation !== this.generation)
      throw new RingError('wrong_state', 'this ring was loaded in a stopped worker: load it again');
    return ring.id;
  }

  // The proof (Uint8Array); opts.onProgress(done, total) while it runs,
  // opts.signal (an AbortSignal) to cancel.
  prove(ring, index, sk, scope, message, opts = {}) {
    return this.cancellable(opts.signal, async () => {
      const id = this.ringId(ring);
      const helpers = (await Promise.all(ring.helpers || [])).filter(
        (h) => h && h.ch.worker && h.ch.generation === h.generation);
      if (!helpers.length) return this.proveOne(id, index, sk, scope, message, opts.onProgress);
      for (let attempt = 0; ; attempt++) {
        try {
          return await this.proveSplit(id, helpers, index, sk, scope, message, opts.onProgress);
        } catch (e) {
          // a zero response (probability about 2^-250): begin again, as the C prover does
          if (e.code === 'retry' && attempt < 3) continue;
          if (e.code === 'retry') throw new RingError('internal', 'could not produce a proof without zero responses');
          if (e.code !== 'helper_failed') throw e;
          // a helper failed: drop it, make the proof on the main Worker alone
          e.helper.stop('unavailable', 'dropped');
          return this.proveOne(id, index, sk, scope, message, opts.onProgress);
        }
      }
    });
  }

  proveOne(id, index, sk, scope, message, onProgress) {
    this.lastProofWorkers = 1;
    return this.main.call('prove', [id, index, sk, scope, message], { onProgress });
  }

  // One proof with the first fold level split between the main Worker and
  // helpers: [{ch, id}] (the ring's id in each).
  async proveSplit(id, helpers, index, sk, scope, message, onProgress) {
    const b = await this.main.call('proveBegin', [id, index, sk, scope, message]);
    const k = Math.min(1 + helpers.length, b.groups);
    const done = new Array(k).fill(0);
    const report = () => { if (onProgress) onProgress(done.reduce((x, y) => x + y, 0), b.rows); };
    const parts = [];
    try {
      for (let i = 0; i < k; i++) {
        const r0 = Math.floor((b.groups * i) / k), r1 = Math.floor((b.groups * (i + 1)) / k);
        // each Worker gets its own copy of the level, moved to it
        const level = b.level.slice();
        const ch = i === 0 ? this.main : helpers[i - 1].ch;
        const rid = i === 0 ? id : helpers[i - 1].id;
        const opts = { transfer: [level.buffer], onProgress: (d) => { done[i] = d; report(); } };
        parts.push(ch.call('foldPart', [rid, level, r0, r1], opts).catch((e) => {
          if (i === 0 || e.code === 'cancelled') throw e;
          throw Object.assign(new RingError('helper_failed', e.message), { helper: ch });
        }));
      }
    } catch (e) {
      // nothing was sent yet for a part that threw: free the state, keep no level
      for (const p of parts) p.then((x) => x.fill(0), () => {});
      if (this.main.worker) this.main.call('proveAbort', [b.id]).catch(() => {});
      throw e;
    } finally {
      b.level.fill(0);
    }
    this.lastProofWorkers = k;
    let got;
    try {
      got = await Promise.all(parts);
    } catch (e) {
      // zero what arrived; the state in the main Worker is freed
      for (const p of parts) p.then((x) => x.fill(0), () => {});
      if (this.main.worker) this.main.call('proveAbort', [b.id]).catch(() => {});
      throw e;
    }
    return this.main.call('proveFinish', [b.id, got], {
      onProgress, transfer: got.map((p) => p.buffer),
    });
  }

  // The tag (32 bytes) if the proof verifies; rejects otherwise (code
  // "verification_failed": does not verify; "invalid_input": malformed).
  verify(ring, proof, scope, message) {
    return this.call('verify', [this.ringId(ring), proof, scope, message]);
  }
}
