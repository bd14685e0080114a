// bench-browser.mjs — prove time of the signing module in Chromium (through
// the page API and its Worker, as a member's browser runs it) at 2^12 and
// 2^16 members, next to the native prover (tools/wasm/ringtool, the code
// `dissent sign --anonymous` runs) on the same rings in the same run, and
// the ratio, on one Worker and on the Workers the page uses (one per core,
// at most 4: the prover's first fold level split between them), with the
// load average (the machine may be shared); and the ring's download at each size: the binary form the
// memo page fetches by digest (web/static/anon/rings.js) against the hex
// strings of the JSON facts, the first time and from the page's cache; and
// the longest a helper Worker kept the page waiting for its next message,
// against its deadline (dissent-ring.js, helperDeadline). Figures are printed, never asserted (`make bench`).
//
//   node tools/wasm/bench-browser.mjs [LOG2_SIZES...]     default: 12 16
//
// Needs build/wasm/dissent-ring.wasm and build/wasm/ringtool (make wasm,
// make build/wasm/ringtool), Chromium and tests/browser's playwright-core.
// Serves web/static/anon/ and the module itself from a throwaway loopback
// server, with the CSP that dissent serves them with.
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BUILD = process.env.BUILD ? path.resolve(ROOT, process.env.BUILD) : path.join(ROOT, 'build');
const TOOL = path.join(BUILD, 'wasm/ringtool');
const WASM = path.join(BUILD, 'wasm/dissent-ring.wasm');
const require = createRequire(path.join(ROOT, 'tests/browser/package.json'));
const { chromium } = require('playwright-core');
const sizes = (process.argv.slice(2).length ? process.argv.slice(2) : ['12', '16']).map(Number);
const SCOPE = 'dissent-anon-v2\nbench.local/log\nbenchmemo';
const MSG = 'dissent-anon-v2\nsign\n0\n1\n' + 'ab'.repeat(32);
const REPS = Number(process.env.BENCH_REPS || 3);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dissent-wbench-'));
const rings = {};
for (const lg of sizes) {
  const file = path.join(tmp, `ring-${lg}.bin`);
  const [index, sk] = execFileSync(TOOL, ['ring', String(1 << lg), file], { encoding: 'utf8' }).trim().split(' ');
  const bin = fs.readFileSync(file);
  // the ring as the full public facts carry it: hex strings in JSON
  const facts = Buffer.from(JSON.stringify({ rings: [{ keys: Array.from({ length: bin.length / 32 }, (_, i) => bin.subarray(32 * i, 32 * i + 32).toString('hex')) }] }));
  // named like the server names it (any 128 hex digits do for this server)
  const digest = crypto.createHash('sha512').update(bin).digest('hex');
  rings[lg] = { file, index: Number(index), sk, bin, facts, digest };
}
const byDigest = new Map(Object.values(rings).map((r) => [r.digest, r]));

const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";
const server = http.createServer((req, res) => {
  const u = new URL(req.url, 'http://x');
  let file = null, type = 'text/javascript';
  const m = u.pathname.match(/^\/static\/anon\/([a-z-]+\.js)$/);
  if (m) file = path.join(ROOT, 'web/static/anon', m[1]);
  else if (u.pathname === '/static/anon/dissent-ring.wasm') { file = WASM; type = 'application/wasm'; }
  else if (u.pathname.startsWith('/ring-')) { file = rings[Number(u.pathname.slice(6))]?.file; type = 'application/octet-stream'; }
  else if (u.pathname.startsWith('/api/v1/public/rings/')) {
    // as dissent serves it: binary, immutable
    const r = byDigest.get(u.pathname.split('/').pop());
    if (!r) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': r.bin.length,
      'cache-control': 'public, max-age=31536000, immutable', etag: `"${r.digest.slice(0, 32)}"` });
    res.end(r.bin);
    return;
  } else if (u.pathname.startsWith('/facts-')) {
    const r = rings[Number(u.pathname.slice(7))];
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': r.facts.length, 'cache-control': 'no-store' });
    res.end(r.facts);
    return;
  }
  else if (u.pathname === '/') { res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': CSP }); res.end('<!doctype html><title>bench</title>'); return; }
  if (!file || !fs.existsSync(file)) { res.writeHead(404); res.end(); return; }
  res.writeHead(200, { 'content-type': type, 'content-security-policy': CSP });
  fs.createReadStream(file).pipe(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: process.env.DISSENT_CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
});
try {
  const page = await browser.newPage();
  await page.goto(base + '/');
  const cores = await page.evaluate(async () => {
    // the longest a helper Worker keeps the page waiting for its next
    // message (an answer or a progress message), by operation: what its
    // deadline (helperDeadline) must cover
    const W = window.Worker;
    window.__waits = {};
    window.Worker = class extends W {
      constructor(url, o) {
        super(url, o);
        const helper = o && o.name && o.name.startsWith('dissent-ring-helper');
        this.__sent = new Map();
        this.addEventListener('message', (ev) => {
          const s = this.__sent.get(ev.data.id);
          if (!helper || !s) return;
          const now = performance.now();
          window.__waits[s.op] = Math.max(window.__waits[s.op] || 0, now - s.t);
          s.t = now;
          if (!ev.data.progress) this.__sent.delete(ev.data.id);
        });
      }
      postMessage(m, ...rest) {
        if (m && m.op) this.__sent.set(m.id, { op: m.op, t: performance.now() });
        return super.postMessage(m, ...rest);
      }
    };
    const { DissentRing } = await import('/static/anon/dissent-ring.js');
    window.drs = { one: new DissentRing({ workers: 1 }), all: new DissentRing() };
    await window.drs.one.proofLength(1); // starts the Worker and compiles the module
    await window.drs.all.proofLength(1);
    return { hc: navigator.hardwareConcurrency, workers: window.drs.all.workers };
  });
  const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(`ring proof: Chromium ${browser.version()} (WebAssembly; navigator.hardwareConcurrency ${cores.hc}) vs native ringtool (${os.cpus().length} cores)`);
  console.log('members   Workers  browser prove (first)   native prove   ratio   load average 1/5/15 min   (median of ' + REPS + ')');
  for (const lg of sizes) {
    const r = rings[lg];
    const native = [];
    for (let i = 0; i < REPS; i++) {
      const res = spawnSync(TOOL, ['prove', r.file, String(r.index), r.sk, SCOPE, MSG], { encoding: 'utf8' });
      native.push(Number(/prove_ms ([\d.]+)/.exec(res.stderr)[1]));
    }
    const med = (a) => a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)];
    const n = med(native);
    let single = 0;
    for (const which of ['one', 'all']) {
      const times = await page.evaluate(async ([which, lg, index, skHex, scope, msg, reps]) => {
        const dr = drs[which];
        const keys = new Uint8Array(await (await fetch(`/ring-${lg}`)).arrayBuffer());
        const sk = Uint8Array.from(skHex.match(/../g), (x) => parseInt(x, 16));
        const te = (s) => new TextEncoder().encode(s);
        const t0 = performance.now();
        const ring = await dr.ring(keys);
        const load = performance.now() - t0;
        const out = [];
        let workers = 0;
        for (let i = 0; i < reps; i++) {
          const t = performance.now();
          await dr.prove(ring, index, sk, te(scope), te(msg));
          out.push(performance.now() - t);
          workers = dr.lastProofWorkers;
        }
        await dr.freeRing(ring);
        const waits = window.__waits;
        window.__waits = {};
        const { helperDeadline } = await import('/static/anon/dissent-ring.js');
        return { load, out, workers, waits, deadline: helperDeadline(ring.count) };
      }, [which, lg, r.index, r.sk, SCOPE, MSG, REPS]);
      const b = med(times.out);
      if (which === 'one') single = b;
      const speedup = which === 'all' && single ? `, ${(single / b).toFixed(2)}x one Worker` : '';
      console.log(`2^${lg} = ${String(1 << lg).padEnd(6)} ${String(times.workers).padStart(4)}   ${(b / 1000).toFixed(3).padStart(8)} s (${(times.out[0] / 1000).toFixed(3)} s)  ${(n / 1000).toFixed(3).padStart(8)} s    ${(b / n).toFixed(1).padStart(5)}x   ${load()}   (ring load in the Worker ${(times.load / 1000).toFixed(3)} s${speedup})`);
      const w = Object.entries(times.waits);
      if (w.length) {
        const worst = Math.max(...w.map(([, ms]) => ms));
        console.log(`          helper steps, longest wait for a message: ${w.map(([op, ms]) => `${op} ${(ms / 1000).toFixed(3)} s`).join(', ')}; ` +
          `deadline ${(times.deadline / 1000).toFixed(0)} s = ${Math.floor(times.deadline / worst)}x the longest`);
      }
    }
  }
  // The ring's download, as the memo page makes it (rings.js), over loopback
  // (a member's network adds its own time: bytes / bandwidth).
  console.log('ring download (loopback; gzip -6 sizes for comparison)');
  for (const lg of sizes) {
    const r = rings[lg];
    const d = await page.evaluate(async ([lg, digest, count]) => {
      const { fetchRing, keepRings, forgetRings } = await import('/static/anon/rings.js');
      await forgetRings(location.origin, [digest]);
      let t = performance.now();
      const pub = await (await fetch(`/facts-${lg}`, { cache: 'no-store' })).json();
      const hexKeys = pub.rings[0].keys;
      const fromHex = new Uint8Array(32 * hexKeys.length);
      for (let i = 0; i < hexKeys.length; i++) for (let j = 0; j < 32; j++) fromHex[32 * i + j] = parseInt(hexKeys[i].substr(2 * j, 2), 16);
      const hexMs = performance.now() - t;
      const first = await fetchRing(location.origin, digest, count);
      await keepRings(location.origin, [{ digest, keys: first.keys }]);
      const again = await fetchRing(location.origin, digest, count);
      const same = first.keys.every((v, i) => v === fromHex[i] && v === again.keys[i]);
      return { hexMs, first: { from: first.from, bytes: first.bytes, ms: first.ms }, again: { from: again.from, bytes: again.bytes, ms: again.ms }, same };
    }, [lg, r.digest, r.bin.length / 32]);
    const gz = (b) => zlib.gzipSync(b, { level: 6 }).length;
    const mb = (n) => `${n.toLocaleString('en')} B`;
    console.log(`2^${lg}: hex JSON facts ${mb(r.facts.length)} (gzip ${mb(gz(r.facts))}) fetched+parsed in ${(d.hexMs / 1000).toFixed(3)} s; ` +
      `binary by digest ${mb(r.bin.length)} (gzip ${mb(gz(r.bin))}) first ${(d.first.ms / 1000).toFixed(3)} s (${d.first.from}, ${mb(d.first.bytes)}), ` +
      `again ${(d.again.ms / 1000).toFixed(3)} s (${d.again.from}, ${mb(d.again.bytes)} downloaded)${d.same ? '' : '  KEYS DIFFER'}`);
  }
} finally {
  await browser.close();
  server.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
