// rings.js — the keys of a memo's rings, fetched once and kept.
//
// The public facts are fetched with `?keys=omit`: each ring there is its
// digest and count. The keys themselves come from
// /api/v1/public/rings/<digest>, 32 bytes per member in ring order (the
// compressed point encodings the roster and the proofs use): a ring of 2^16
// members is 2 MiB in binary, against 4.4 MB as the hex strings of the JSON
// facts. Random points do not compress further (gzip gains nothing on them),
// so the binary encoding is the compression.
//
// A ring named by its digest never changes, so it is kept: in the Cache API
// (cache "dissent-rings:v1", one entry per digest) where the browser offers
// it, and the server marks the answer immutable for the HTTP cache besides
// (a page opened from disk has no Cache API). Nothing kept is trusted: the
// caller runs the CLI's ring checks on the keys (the digest and count of the
// ring leaf, the roster the log's leaves rebuild) whether they came from the
// network or from the cache, keeps a ring only after it passed them
// (keepRings), and drops it when it did not (forgetRings), so a bad copy is
// fetched again next time. Requests carry no cookie and no referrer.
const CACHE = 'dissent-rings:v1';

const ringPath = (digest) => `/api/v1/public/rings/${digest}`;

async function openCache() {
  try {
    return typeof caches === 'undefined' ? null : await caches.open(CACHE);
  } catch {
    return null; // private windows, file:// pages: no Cache API
  }
}

// The keys of the ring with this digest (hex) and count: {keys: Uint8Array
// (32 × count), from: 'cache' | 'network', bytes (as downloaded), ms}.
// Throws an Error with a plain message when the server answers otherwise.
export async function fetchRing(base, digest, count) {
  if (!/^[0-9a-f]{128}$/.test(digest)) throw new Error('the server named a ring by something other than a digest');
  const url = base + ringPath(digest);
  const t0 = performance.now();
  const cache = await openCache();
  let res = cache ? await cache.match(url).catch(() => undefined) : undefined;
  const from = res ? 'cache' : 'network';
  if (!res) {
    res = await fetch(url, { credentials: 'omit', referrerPolicy: 'no-referrer', cache: 'default' });
    if (!res.ok) throw new Error(`the server did not send the signing group's keys (${res.status})`);
  }
  const keys = new Uint8Array(await res.arrayBuffer());
  if (keys.length !== 32 * count)
    throw new Error(`the server sent ${keys.length} bytes for a group of ${count} keys`);
  return { keys, from, bytes: from === 'network' ? keys.length : 0, ms: performance.now() - t0 };
}

// How many rings are kept at most (2 MiB each at 2^16 members): the oldest
// kept go first.
export const KEEP_MAX = 16;

// Keeps rings that passed the checks: [{digest, keys}]. Best effort.
export async function keepRings(base, rings) {
  const cache = await openCache();
  if (!cache) return;
  for (const r of rings) {
    const url = base + ringPath(r.digest);
    if (await cache.match(url).catch(() => undefined)) continue;
    await cache.put(url, new Response(r.keys, { headers: { 'Content-Type': 'application/octet-stream' } })).catch(() => {});
  }
  const kept = await cache.keys().catch(() => []); // in the order they were put
  for (const req of kept.slice(0, Math.max(0, kept.length - KEEP_MAX))) await cache.delete(req).catch(() => {});
}

// Forgets kept rings (by digest): they failed a check.
export async function forgetRings(base, digests) {
  const cache = await openCache();
  if (!cache) return;
  for (const d of digests) await cache.delete(base + ringPath(d)).catch(() => {});
}

// Hex strings of the keys, as the public facts carry them (the checks'
// input is the facts' JSON).
export function keysHex(keys) {
  const out = new Array(keys.length / 32);
  const tab = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
  for (let i = 0; i < out.length; i++) {
    let s = '';
    for (let j = 32 * i; j < 32 * i + 32; j++) s += tab[keys[j]];
    out[i] = s;
  }
  return out;
}
