// ring-worker.js — runs the signing module (ring-core.js over
// dissent-ring.wasm) in a Web Worker, so a proof over a large ring never
// freezes the page. Started by dissent-ring.js; pages do not talk to it
// directly. Messages in: {id, op, args}; out: {id, result} or
// {id, error: {code, message}}, and {id, progress: {done, total}} while a
// proof runs. Rings stay in the Worker (args name them by ring id); secret
// keys come in with the one call that needs them and are not kept.
// A proof split between Workers (dissent-ring.js): proveBegin here, then
// foldPart here and in helper Workers (each has loaded the same ring), then
// proveFinish here; the level and the parts travel as transferred buffers
// and are zeroed once copied into the module (ring-core.js). foldAgain folds
// here the groups of a helper that failed, from the proof's state.
import { instantiate, RingError } from './ring-core.js';

let current = 0; // id of the call being served (for progress messages)
let lastPost = 0;
const rings = new Map();
let nextRing = 1;
const provers = new Map(); // proofs begun here (proveBegin), by id
let nextProver = 1;

const hooks = {
  onProgress(done, total) {
    // at most ~30 messages a second, and always the last one
    const now = performance.now();
    if (done === total || now - lastPost > 33) {
      lastPost = now;
      postMessage({ id: current, progress: { done, total } });
    }
    return false; // cancelling is the page's worker.terminate()
  },
};

// The module, compiled once (op "module" hands it to helper Workers, which
// then neither fetch nor compile it and run the code the engine already
// optimized). A helper's first message is "init" with it (or null: fetch).
let compiled = null;
let ready = null;
function load(module) {
  ready = (async () => {
    if (!module) {
      const url = new URL('dissent-ring.wasm', import.meta.url);
      const res = await fetch(url, { credentials: 'omit' });
      if (!res.ok) throw new RingError('unavailable', `the signing module is not available (${res.status})`);
      module = await WebAssembly.compile(await res.arrayBuffer());
    }
    compiled = module;
    return instantiate(module, hooks);
  })();
  return ready;
}

function ringOf(id) {
  const r = rings.get(id);
  if (!r) throw new RingError('invalid_input', `no ring ${id} in this worker`);
  return r;
}

const ops = {
  ring(core, keys) {
    const r = core.ring(keys);
    const id = nextRing++;
    rings.set(id, r);
    return { id, count: r.count, digest: r.digest };
  },
  freeRing(core, id) {
    const r = rings.get(id);
    if (r) { r.free(); rings.delete(id); }
    return true;
  },
  prove(core, ringId, index, sk, scope, message) {
    return core.prove(ringOf(ringId), index, sk, scope, message);
  },
  proveBegin(core, ringId, index, sk, scope, message) {
    const pr = core.proverBegin(ringOf(ringId), index, sk, scope, message);
    const id = nextProver++;
    provers.set(id, pr);
    return { id, groups: pr.groups, rows: pr.rows, level: pr.level };
  },
  // The level and the parts are secret: zeroed even when the call fails
  // before they reach the module (an unknown ring or proof).
  foldPart(core, ringId, level, r0, r1) {
    try {
      return core.foldPart(ringOf(ringId), level, r0, r1);
    } finally {
      if (level instanceof Uint8Array) level.fill(0);
    }
  },
  // The groups [r0, r1) of a proof begun here whose helper Worker failed:
  // folded from the state, the level never leaves the module.
  foldAgain(core, proverId, ringId, r0, r1) {
    const pr = provers.get(proverId);
    if (!pr) throw new RingError('wrong_state', `no proof ${proverId} begun in this worker`);
    return core.proverFoldPart(pr, ringOf(ringId), r0, r1);
  },
  proveFinish(core, proverId, parts) {
    try {
      const pr = provers.get(proverId);
      if (!pr) throw new RingError('wrong_state', `no proof ${proverId} begun in this worker`);
      provers.delete(proverId);
      return core.proverFinish(pr, parts);
    } finally {
      for (const p of parts || []) if (p instanceof Uint8Array) p.fill(0);
    }
  },
  proveAbort(core, proverId) {
    const pr = provers.get(proverId);
    if (pr) { provers.delete(proverId); core.proverFree(pr); }
    return true;
  },
  verify(core, ringId, proof, scope, message) {
    return core.verify(ringOf(ringId), proof, scope, message);
  },
};

const allowed = new Set(['keygen', 'publicKey', 'sealKeyFile', 'openKeyFile', 'keyFilePublic',
  'popSign', 'popVerify', 'tag', 'proofLength', 'proofTag', 'anonScope', 'anonMessage',
  'popContext', 'ringCheck', 'pointIsValid', 'oneWayMap', 'hashToGroup', 'expandMessageXmd', 'scalarMultBase']);

onmessage = async (ev) => {
  const { id, op, args } = ev.data;
  try {
    if (op === 'init' && !ready) {
      const m = args[0] instanceof WebAssembly.Module ? args[0] : null;
      await load(m).catch(() => (m ? load(null) : Promise.reject(new RingError('unavailable', 'the signing module did not load'))));
      postMessage({ id, result: true });
      return;
    }
    const core = await (ready || load(null));
    if (op === 'module') { postMessage({ id, result: compiled }); return; }
    current = id;
    let result;
    if (ops[op]) result = ops[op](core, ...args);
    else if (allowed.has(op)) result = core[op](...args);
    else throw new RingError('invalid_input', `no operation '${op}'`);
    // secret bytes (a level, a part) move to the receiver, not copied
    const moved = result instanceof Uint8Array ? result : result && result.level;
    postMessage({ id, result }, moved ? [moved.buffer] : []);
  } catch (e) {
    postMessage({ id, error: { code: e.code || 'internal', message: e.message || String(e) } });
  }
};
