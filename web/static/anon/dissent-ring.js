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
// Cancelling (signal.abort()) stops the Worker at once: the pending calls
// fail with code "cancelled", rings loaded before are gone (load them
// again), and the next call starts a fresh Worker.

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

export class DissentRing {
  // workerUrl: where ring-worker.js is (default: beside this file).
  constructor({ workerUrl = new URL('ring-worker.js', import.meta.url) } = {}) {
    this.workerUrl = workerUrl;
    this.worker = null;
    this.pending = new Map();
    this.nextId = 1;
    this.generation = 0;
    for (const m of METHODS) this[m] = (...args) => this.call(m, args);
  }

  start() {
    if (this.worker) return this.worker;
    // credentials 'omit': loading the signing code says nothing about who loads it
    const w = new Worker(this.workerUrl, { type: 'module', name: 'dissent-ring', credentials: 'omit' });
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
      this.stop('unavailable', `the signing worker failed: ${ev.message || 'could not start'}`);
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

  call(op, args, { onProgress, signal } = {}) {
    if (signal && signal.aborted) return Promise.reject(new RingError('cancelled', 'cancelled'));
    const w = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onAbort = () => this.stop('cancelled', 'the proof was cancelled');
      const settle = (f) => (v) => {
        if (signal) signal.removeEventListener('abort', onAbort);
        f(v);
      };
      this.pending.set(id, { resolve: settle(resolve), reject: settle(reject), onProgress });
      if (signal) signal.addEventListener('abort', onAbort, { once: true });
      w.postMessage({ id, op, args });
    });
  }

  // A ring handle {id, count, digest, generation} for prove and verify.
  async ring(keys) {
    const r = await this.call('ring', [keys]);
    return { ...r, generation: this.generation };
  }

  freeRing(ring) {
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
    return this.call('prove', [this.ringId(ring), index, sk, scope, message], opts);
  }

  // The tag (32 bytes) if the proof verifies; rejects otherwise (code
  // "verification_failed": does not verify; "invalid_input": malformed).
  verify(ring, proof, scope, message) {
    return this.call('verify', [this.ringId(ring), proof, scope, message]);
  }
}
