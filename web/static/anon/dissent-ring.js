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
// is dropped and the proof made with the Workers left (one, at least); one
// that fails during a proof (an error, a crash) is ended and its groups
// folded by the main Worker. A helper that does not answer a step (start,
// load the ring, fold its part) within helperDeadline(count) is taken for
// hung and ended the same way, so no helper can make a proof wait for ever.
// Progress never goes back: work done again is spread over what is left
// of the bar.
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
  // autoStart: a call starts the Worker if it is not running (the main
  // Worker); a helper is started only by DissentRing.helper, so that
  // nothing (a level above all) is sent to a fresh one that holds no ring.
  constructor(url, name, onFail, autoStart = true) {
    this.url = url;
    this.name = name;
    this.onFail = onFail;
    this.autoStart = autoStart;
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
      if (progress) {
        if (p.arm) p.arm(); // working: its deadline starts again
        if (p.onProgress) p.onProgress(progress.done, progress.total);
        return;
      }
      this.pending.delete(id);
      clearTimeout(p.timer);
      if (error) p.reject(new RingError(error.code, error.message));
      else p.resolve(result);
    };
    w.onerror = (ev) => {
      ev.preventDefault();
      this.onFail(this, `the signing worker failed: ${ev.message || 'could not start'}`);
    };
    // an answer that could not be read would leave its call waiting for ever
    // (a listener: not every browser has Worker.onmessageerror)
    w.addEventListener('messageerror', () => this.onFail(this, 'an answer of the signing worker could not be read'));
    this.worker = w;
    this.generation++;
    return w;
  }

  // Ends the Worker, failing every pending call with code.
  stop(code = 'cancelled', message = 'cancelled') {
    if (this.worker) this.worker.terminate();
    this.worker = null;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new RingError(code, message));
    }
    this.pending.clear();
  }

  // transfer: buffers moved to the Worker (secret bytes are not copied).
  // deadline (ms, 0: none): with no answer and no progress message for that
  // long, the Worker is taken for hung and stopped (every pending call fails
  // with code "timeout"); each progress message starts the time again.
  call(op, args, { onProgress, transfer = [], deadline = 0 } = {}) {
    const w = this.autoStart ? this.start() : this.worker;
    if (!w) return Promise.reject(new RingError('unavailable', `${this.name} is not running`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const p = { resolve, reject, onProgress, timer: 0, arm: null };
      if (deadline > 0) {
        p.arm = () => {
          clearTimeout(p.timer);
          p.timer = setTimeout(() => this.stop('timeout',
            `${this.name} did not answer '${op}' within ${Math.round(deadline / 1000)} s`), deadline);
        };
        p.arm();
      }
      this.pending.set(id, p);
      try {
        w.postMessage({ id, op, args }, transfer);
      } catch (e) {
        this.pending.delete(id);
        clearTimeout(p.timer);
        reject(new RingError('invalid_input', e.message || String(e)));
      }
    });
  }
}

// Rings this large or larger are proved on several Workers (below, a proof
// takes under a quarter of a second on one, and loading the ring into the
// helpers would cost more than it saves).
const SPLIT_MIN = 1024;

// How long a helper Worker may take over one step (starting, loading a
// ring of count keys, folding its part of a proof over it) before it is
// taken for hung, ended, and the proof made without it: 60 s plus 1 ms a
// key (2 min 6 s at 2^16 keys). While it folds, each progress message
// starts the time again, so only a helper that has stopped is cut off.
// The margin over what a step takes here: docs/architecture.md.
export function helperDeadline(count) {
  return 60000 + Math.max(0, count | 0);
}

// Progress as the person sees it, for onProgress(done, total): one total
// (the first reported) and never going back. When work is done again (the
// groups of a helper that failed, a proof begun again, the one-Worker
// path after a split), the bar does not step back: from where it is, what
// is left of the new attempt fills what is left of the bar.
function monotone(onProgress) {
  if (!onProgress) return () => {};
  let total = 0, shown = 0, last = 0, fromRaw = 0, fromShown = 0;
  return (done, t) => {
    if (!(t > 0)) return;
    if (!total) total = t;
    const raw = Math.min(total, Math.max(0, (done * total) / t));
    if (raw < last) { fromRaw = raw; fromShown = shown; } // a setback: anchor here
    last = raw;
    const v = raw >= total ? total
      : Math.floor(fromShown + ((total - fromShown) * (raw - fromRaw)) / (total - fromRaw));
    shown = Math.max(shown, Math.min(total, v));
    onProgress(shown, total);
  };
}

const live = (h) => h && h.ch.worker && h.ch.generation === h.generation;

const cores = () => {
  const n = (typeof navigator !== 'undefined' && navigator.hardwareConcurrency) || 1;
  return Math.max(1, Math.min(n, 4));
};

export class DissentRing {
  // workerUrl: where ring-worker.js is (default: beside this file).
  // workers: how many Workers a proof may use (default: the cores, at most 4).
  // helperDeadline: (count) → ms a helper may take over one step (above).
  constructor({ workerUrl = new URL('ring-worker.js', import.meta.url), workers = cores(),
    helperDeadline: deadline = helperDeadline } = {}) {
    this.workerUrl = workerUrl;
    this.helperDeadline = deadline;
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
        (c, msg) => c.stop('unavailable', msg), false);
      this.helpers.push(ch);
    }
    const ch = this.helpers[i];
    if (!ch.worker) {
      const module = this.main.call('module', []).catch(() => null);
      ch.start();
      const generation = ch.generation;
      ch.ready = module.then((m) => ch.call('init', [m], { deadline: this.helperDeadline(0) }));
      // a helper that cannot start (or not in time) is stopped, and started
      // afresh next time
      ch.ready.catch((e) => {
        if (ch.generation === generation) ch.stop('unavailable', e && e.message ? e.message : 'failed to start');
      });
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
      const loading = ch.ready.then(() => ch.call('ring', [keys], { deadline: this.helperDeadline(count) }));
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

  // The proof (Uint8Array); opts.onProgress(done, total) while it runs (one
  // total, done never going back), opts.signal (an AbortSignal) to cancel.
  prove(ring, index, sk, scope, message, opts = {}) {
    const progress = monotone(opts.onProgress);
    return this.cancellable(opts.signal, async () => {
      const id = this.ringId(ring);
      // each helper's start and ring load has its deadline: this ends
      const loaded = await Promise.all(ring.helpers || []);
      for (let attempt = 0; ; attempt++) {
        const helpers = loaded.filter(live);
        if (!helpers.length) return this.proveOne(id, index, sk, scope, message, progress);
        try {
          return await this.proveSplit(id, ring.count, helpers, index, sk, scope, message, progress);
        } catch (e) {
          // a zero response (probability about 2^-250): begin again, as the C prover does
          if (e.code === 'retry' && attempt < 3) continue;
          if (e.code === 'retry') throw new RingError('internal', 'could not produce a proof without zero responses');
          throw e;
        }
      }
    });
  }

  proveOne(id, index, sk, scope, message, onProgress) {
    this.lastProofWorkers = 1;
    return this.main.call('prove', [id, index, sk, scope, message], { onProgress });
  }

  // One proof with the first fold level split between the main Worker and
  // helpers: [{ch, id}] (the ring's id in each; count: its keys). A helper
  // that fails, crashes or passes its deadline is ended and its groups are
  // folded by the main Worker from the proof's state (foldAgain: the level
  // is not sent again); the proof is the same either way.
  async proveSplit(id, count, helpers, index, sk, scope, message, onProgress) {
    const main = this.main.generation;
    const b = await this.main.call('proveBegin', [id, index, sk, scope, message]);
    const k = Math.min(1 + helpers.length, b.groups);
    const done = new Array(k).fill(0);
    const report = () => onProgress(done.reduce((x, y) => x + y, 0), b.rows);
    const parts = [];
    let dropped = 0;
    try {
      for (let i = 0; i < k; i++) {
        const r0 = Math.floor((b.groups * i) / k), r1 = Math.floor((b.groups * (i + 1)) / k);
        const onPart = (d) => { done[i] = d; report(); };
        if (i === 0) {
          // each Worker gets its own copy of the level, moved to it
          const level = b.level.slice();
          parts.push(this.main.call('foldPart', [id, level, r0, r1], { transfer: [level.buffer], onProgress: onPart }));
          continue;
        }
        const h = helpers[i - 1];
        let part;
        if (live(h)) { // a helper that died since is sent nothing
          const level = b.level.slice();
          part = h.ch.call('foldPart', [h.id, level, r0, r1], {
            transfer: [level.buffer], onProgress: onPart, deadline: this.helperDeadline(count),
          });
        } else {
          part = Promise.reject(new RingError('unavailable', 'the helper stopped'));
        }
        parts.push(part.catch((e) => {
          if (e.code === 'cancelled') throw e;
          if (h.ch.generation === h.generation) h.ch.stop('unavailable', 'dropped');
          dropped++;
          done[i] = 0;
          report();
          if (!this.main.worker || this.main.generation !== main) throw e;
          return this.main.call('foldAgain', [b.id, id, r0, r1], { onProgress: onPart });
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
    let got;
    try {
      got = await Promise.all(parts);
    } catch (e) {
      // zero what arrived; the state in the main Worker is freed
      for (const p of parts) p.then((x) => x.fill(0), () => {});
      if (this.main.worker) this.main.call('proveAbort', [b.id]).catch(() => {});
      throw e;
    }
    this.lastProofWorkers = k - dropped;
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
