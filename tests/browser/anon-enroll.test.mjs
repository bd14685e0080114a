// Enrolling a ring key from the account page (issue #11): the browser makes
// the key, keeps it sealed in the CLI's key-file format, offers the backup
// download, and enrolls it with a proof of possession; the backup opens in
// the CLI with the same public key and tag, and brings the key back into a
// browser whose storage was lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { BASE, useBrowser, session, login, shot, pageErrors } from './lib.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TOOL = process.env.DISSENT_RINGTOOL || path.join(ROOT, 'build/wasm/ringtool');
const BIN = process.env.DISSENT_BIN || path.join(ROOT, 'build/dissent');
const run = (cmd, args) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dissent-benroll-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const PASS = 'dan ring passphrase';

useBrowser();

async function rosterKeys(page, org) {
  return page.evaluate(async (org) => (await (await fetch(`/api/v1/rosters/${org}`, { cache: 'no-store' })).json()).keys, org);
}

test('dan makes and enrolls a key on the account page; the backup works with the CLI and in another browser', async () => {
  const { context, page } = await session();
  await login(page, 'dan');
  await page.goto(`${BASE}/account`);
  const status = page.locator('#rk-status');
  await assert.doesNotReject(status.getByText('This browser has no key for you yet.').waitFor());
  const before = await rosterKeys(page, 'state');
  await page.getByLabel('Passphrase for the key').fill(PASS);
  await page.getByLabel('Passphrase again').fill(PASS + 'x');
  await page.getByRole('button', { name: 'Make and enroll my key' }).click();
  await status.getByText('The two passphrases differ.').waitFor();
  await page.getByLabel('Passphrase again').fill(PASS);
  await page.getByRole('button', { name: 'Make and enroll my key' }).click();
  await status.getByText(/Your key is enrolled for state/).waitFor({ timeout: 60000 });
  await shot(page, 'account-ring-key');

  const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('dissent-ring-key:v1:dan')));
  assert.equal(stored.file.length, 276, 'the sealed key file, never the bare key, is stored');
  const after = await rosterKeys(page, 'state');
  assert.equal(after.length, before.length + 1);
  assert.ok(after.includes(stored.pk), 'the roster holds the new key');

  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#rk-backup').click()]);
  const keyFile = path.join(tmp, 'ring.key');
  await download.saveAs(keyFile);
  assert.equal(fs.readFileSync(keyFile).toString('hex'), stored.file, 'the download is the stored file');
  assert.equal(JSON.parse(run(BIN, ['key', 'show', '--key', keyFile, '--json'])).public_key, stored.pk);
  const pass = path.join(tmp, 'pass');
  fs.writeFileSync(pass, PASS + '\n');
  const scope = 'dissent-anon-v2\nsome.origin\nsomememo';
  const [cliPk, cliTag] = run(TOOL, ['open', keyFile, pass, scope]).split(' ');
  assert.equal(cliPk, stored.pk);

  await page.reload();
  await status.getByText(/keeps your key, and it is enrolled for state/).waitFor();
  await context.close();

  // another browser: no key until the backup is brought in (no second enrollment)
  const other = await session();
  await login(other.page, 'dan');
  await other.page.goto(`${BASE}/account`);
  const st2 = other.page.locator('#rk-status');
  await st2.getByText('This browser has no key for you yet.').waitFor();
  await other.page.locator('#rk-file').setInputFiles(keyFile);
  await other.page.getByLabel('Its passphrase').fill('not it at all');
  await other.page.getByRole('button', { name: 'Use this key file' }).click();
  await st2.getByText('That passphrase does not open this key file.').waitFor({ timeout: 60000 });
  await other.page.getByLabel('Its passphrase').fill(PASS);
  await other.page.getByRole('button', { name: 'Use this key file' }).click();
  await st2.getByText(/keeps your key, and it is enrolled for state/).waitFor({ timeout: 60000 });
  assert.equal((await rosterKeys(other.page, 'state')).length, after.length, 'no second enrollment');
  // the same tag in the browser as in the C for this key
  const tag = await other.page.evaluate(async ([scope, pass]) => {
    const { DissentRing } = await import('/static/anon/dissent-ring.js');
    const { loadKey, hex } = await import('/static/anon/keystore.js');
    const dr = new DissentRing();
    const { sk } = await dr.openKeyFile(loadKey('dan').file, pass);
    return hex(await dr.tag(sk, new TextEncoder().encode(scope)));
  }, [scope, PASS]);
  assert.equal(tag, cliTag, 'one key, one tag');
  await other.context.close();
  assert.deepEqual(pageErrors, []);
});

test('the key section is for members only: rita (a reviewer) does not see it', async () => {
  const { context, page } = await session();
  await login(page, 'rita');
  await page.goto(`${BASE}/account`);
  await page.getByRole('heading', { name: 'Change your password' }).waitFor();
  assert.equal(await page.locator('#ring-key').count(), 0);
  await context.close();
});
