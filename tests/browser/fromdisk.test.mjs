// A page saved to disk works against the server (issue #11, "A page you can
// check"): opened from a file:// URL (origin "null"), its scripts may read the
// public log and post to the anonymous endpoint without credentials, and may
// not read any route a session authenticates, even in a browser signed in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BASE, useBrowser, session, login } from './lib.mjs';

useBrowser();

test('a signing page opened from disk reaches the public and anonymous endpoints, no others', async () => {
  const { context, page } = await session();
  await login(page, 'bob');
  const dir = mkdtempSync(path.join(tmpdir(), 'dissent-disk-'));
  const file = path.join(dir, 'saved.html');
  writeFileSync(file, '<!doctype html><meta charset="utf-8"><title>saved page</title><p>saved</p>');
  await page.goto(pathToFileURL(file).href);
  const r = await page.evaluate(async (base) => {
    const out = {};
    const read = async (p, init) => {
      try {
        const res = await fetch(base + p, { credentials: 'omit', ...init });
        return { status: res.status, body: await res.text() };
      } catch (e) {
        return { blocked: String(e) };
      }
    };
    out.origin = self.origin;
    out.checkpoint = await read('/api/v1/log/checkpoint');
    out.release = await read('/api/v1/client/release');
    out.rosters = await read('/api/v1/rosters');
    out.css = await read('/static/dissent.css');
    out.ring = await read(`/api/v1/public/rings/${'0'.repeat(128)}`);
    // a JSON POST needs a preflight: answered for the anonymous endpoint only
    out.anon = await read('/api/v1/anonymous/memos/aaaaaaaaaaaaaaaaaaaaaaaaaa/signatures', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"signatures":[{}]}',
    });
    out.me = await read('/api/v1/me', { credentials: 'include' });
    out.memos = await read('/api/v1/memos', { credentials: 'include' });
    out.sign = await read('/api/v1/memos/aaaaaaaaaaaaaaaaaaaaaaaaaa/signatures', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}', credentials: 'include',
    });
    return out;
  }, BASE);
  assert.equal(r.origin, 'null', 'a file:// page has origin null');
  assert.equal(r.checkpoint.status, 200, 'the checkpoint is readable');
  assert.ok(JSON.parse(r.checkpoint.body).note.includes('\n\n'), 'with its signed note');
  assert.equal(r.release.status, 200, 'the release manifest is readable');
  assert.ok(JSON.parse(r.release.body).manifest.startsWith('dissent-client-release-v1\n'));
  assert.equal(r.rosters.status, 200);
  assert.equal(r.css.status, 200, 'static files load');
  assert.equal(r.ring.status, 404, 'a ring by digest is readable (here: none has this digest)');
  assert.equal(JSON.parse(r.ring.body).error.code, 'not_found');
  assert.ok(r.anon.status >= 400 && r.anon.status < 500, `the anonymous endpoint answers (${r.anon.status})`);
  assert.ok(JSON.parse(r.anon.body).error.code, 'with a readable error');
  for (const k of ['me', 'memos', 'sign'])
    assert.ok(r[k].blocked, `a cookie route (${k}) is not readable from another origin: ${JSON.stringify(r[k])}`);
  await context.close();
  rmSync(dir, { recursive: true, force: true });
});
