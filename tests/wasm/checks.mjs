// checks.mjs — the shared-vector checks of the signing module, run the
// same way under Node.js (vectors.test.mjs, on ring-core.js directly) and
// in Chromium (tests/browser/wasm.test.mjs, through the Worker of
// dissent-ring.js): `core` is either, every call awaited.
//
// vectorChecks must stay self-contained (no imports, no outer names): the
// browser test sends its source text into the page.

// files: the texts of ../shared/vectors ristretto255/{encodings,bad_encodings,map}.txt,
// h2c/hash_to_ristretto255.txt and h2c/expand_message_xmd_sha512.json.
// Returns {passed, failures: [text]}; each vector line counts once.
export async function vectorChecks(core, files) {
  const hex = (b) => Array.from(b, (v) => v.toString(16).padStart(2, '0')).join('');
  const unhex = (h) => {
    const b = new Uint8Array(h.length / 2);
    for (let i = 0; i < b.length; i++) b[i] = parseInt(h.substr(2 * i, 2), 16);
    return b;
  };
  const lines = (t) => t.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const failures = [];
  let passed = 0;
  const check = (ok, what) => { if (ok) passed++; else failures.push(what); };

  // RFC 9496 A.1: i*B for i = 0..15, all canonical
  const enc = lines(files.encodings);
  for (let i = 0; i < enc.length; i++) {
    const s = new Uint8Array(32);
    s[0] = i;
    const got = hex(await core.scalarMultBase(s));
    check(got === enc[i] && (await core.pointIsValid(unhex(enc[i]), true)) &&
      (await core.pointIsValid(unhex(enc[i]), false)) === (i !== 0), `encodings line ${i}: ${got}`);
  }
  // RFC 9496 A.2: every bad encoding is refused
  for (const l of lines(files.bad)) check(!(await core.pointIsValid(unhex(l), true)), `bad encoding accepted: ${l}`);
  // RFC 9496 A.3: the one-way map
  for (const l of lines(files.map)) {
    const [input, want] = l.split(' ');
    const got = hex(await core.oneWayMap(unhex(input)));
    check(got === want, `map ${input.slice(0, 16)}…: ${got}`);
  }
  // RFC 9380 hash_to_ristretto255
  for (const l of lines(files.h2c)) {
    const [dst, msg, want] = l.split(' ');
    const got = hex(await core.hashToGroup(unhex(msg), unhex(dst)));
    check(got === want, `hash_to_ristretto255 ${msg.slice(0, 16)}: ${got}`);
  }
  // RFC 9380 expand_message_xmd(SHA-512)
  const xmd = JSON.parse(files.xmd);
  const dst = new TextEncoder().encode(xmd.DST);
  for (const t of xmd.tests) {
    const len = parseInt(t.len_in_bytes, 16);
    const got = hex(await core.expandMessageXmd(new TextEncoder().encode(t.msg), dst, len));
    check(got === t.uniform_bytes, `expand_message_xmd '${t.msg.slice(0, 16)}' ${len}: ${got.slice(0, 16)}…`);
  }
  return { passed, failures };
}

// The paths of the files vectorChecks reads, under the vectors folder.
export const VECTOR_FILES = {
  encodings: 'ristretto255/encodings.txt',
  bad: 'ristretto255/bad_encodings.txt',
  map: 'ristretto255/map.txt',
  h2c: 'h2c/hash_to_ristretto255.txt',
  xmd: 'h2c/expand_message_xmd_sha512.json',
};
