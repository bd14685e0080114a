// bench-browser.mjs — prove time of the signing module in Chromium (through
// the page API and its Worker, as a member's browser runs it) at 2^12 and
// 2^16 members, next to the native prover (tools/wasm/ringtool, the code
// `dissent sign --anonymous` runs) on the same rings in the same run, and
// the ratio. Figures are printed, never asserted (`make bench`).
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
  rings[lg] = { file, index: Number(index), sk };
}

const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";
const server = http.createServer((req, res) => {
  const u = new URL(req.url, 'http://x');
  let file = null, type = 'text/javascript';
  const m = u.pathname.match(/^\/static\/anon\/([a-z-]+\.js)$/);
  if (m) file = path.join(ROOT, 'web/static/anon', m[1]);
  else if (u.pathname === '/static/anon/dissent-ring.wasm') { file = WASM; type = 'application/wasm'; }
  else if (u.pathname.startsWith('/ring-')) { file = rings[Number(u.pathname.slice(6))]?.file; type = 'application/octet-stream'; }
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
  await page.evaluate(async () => {
    const { DissentRing } = await import('/static/anon/dissent-ring.js');
    window.dr = new DissentRing();
    await window.dr.proofLength(1); // starts the Worker and compiles the module
  });
  console.log(`ring proof: Chromium ${browser.version()} (WebAssembly, one Worker) vs native ringtool (${os.cpus().length} cores)`);
  console.log('members   browser prove   native prove   ratio   (median of ' + REPS + ')');
  for (const lg of sizes) {
    const r = rings[lg];
    const times = await page.evaluate(async ([lg, index, skHex, scope, msg, reps]) => {
      const keys = new Uint8Array(await (await fetch(`/ring-${lg}`)).arrayBuffer());
      const sk = Uint8Array.from(skHex.match(/../g), (x) => parseInt(x, 16));
      const te = (s) => new TextEncoder().encode(s);
      const t0 = performance.now();
      const ring = await dr.ring(keys);
      const load = performance.now() - t0;
      const out = [];
      for (let i = 0; i < reps; i++) {
        const t = performance.now();
        await dr.prove(ring, index, sk, te(scope), te(msg));
        out.push(performance.now() - t);
      }
      await dr.freeRing(ring);
      return { load, out };
    }, [lg, r.index, r.sk, SCOPE, MSG, REPS]);
    const native = [];
    for (let i = 0; i < REPS; i++) {
      const res = spawnSync(TOOL, ['prove', r.file, String(r.index), r.sk, SCOPE, MSG], { encoding: 'utf8' });
      native.push(Number(/prove_ms ([\d.]+)/.exec(res.stderr)[1]));
    }
    const med = (a) => a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)];
    const b = med(times.out), n = med(native);
    console.log(`2^${lg} = ${String(1 << lg).padEnd(6)} ${(b / 1000).toFixed(3).padStart(8)} s      ${(n / 1000).toFixed(3).padStart(8)} s    ${(b / n).toFixed(1).padStart(5)}x   (ring load in the Worker ${(times.load / 1000).toFixed(3)} s)`);
  }
} finally {
  await browser.close();
  server.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
