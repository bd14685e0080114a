// ring-worker.js — runs the signing module (ring-core.js over
// dissent-ring.wasm) in a Web Worker, so a proof over a large ring never
// freezes the page. Started by dissent-ring.js; pages do not talk to it
// directly. Messages in: {id, op, args}; out: {id, result} or
// {id, error: {code, message}}, and {id, progress: {done, total}} while a
// proof runs. Rings stay in the Worker (args name them by ring id); secret
// keys come in with the one call that needs them and are not kept.
import { instantiate, RingError } from './ring-core.js';

let current = 0; // id of the call being served (for progress messages)
let lastPost = 0;
const rings = new Map();
let nextRing = 1;

const ready = (async () => {
  const url = new URL('dissent-ring.wasm', import.meta.url);
  const res = await fetch(url, { credentials: 'omit' });
  if (!res.ok) throw new RingError('unavailable', `the signing module is not available (${res.status})`);
  return instantiate(await res.arrayBuffer(), {
    onProgress(done, total) {
      // at most ~30 messages a second, and always the last one
      const now = performance.now();
      if (done === total || now - lastPost > 33) {
        lastPost = now;
        postMessage({ id: current, progress: { done, total } });
      }
      return false; // cancelling is the page's worker.terminate()
    },
  });
})();

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
    const core = await ready;
    current = id;
    let result;
    if (ops[op]) result = ops[op](core, ...args);
    else if (allowed.has(op)) result = core[op](...args);
    else throw new RingError('invalid_input', `no operation '${op}'`);
    postMessage({ id, result });
  } catch (e) {
    postMessage({ id, error: { code: e.code || 'internal', message: e.message || String(e) } });
  }
};
