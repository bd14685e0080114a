// enroll.js — the account page's "key for anonymous co-signing": makes a
// ring key in the browser (in the signing Worker), seals it under the
// member's passphrase in the CLI's key-file format, keeps the sealed file in
// this browser (keystore.js) and offers it as a download, then enrolls the
// public key with a proof of possession over the server's single-use
// challenge (POST /api/v1/rosters/challenge, POST /api/v1/rosters/keys).
// The order keeps a key from being enrolled that this browser could not
// keep. A key file from the CLI can be brought here instead.
import { DissentRing } from './dissent-ring.js';
import { loadKey, saveKey, hex, unhex } from './keystore.js';

const section = document.getElementById('ring-key');
const status = document.getElementById('rk-status');
const make = document.getElementById('rk-make');
const imp = document.getElementById('rk-import');
const backupRow = document.getElementById('rk-backup-row');
const backup = document.getElementById('rk-backup');
const { username, org, csrf } = section.dataset;
const dr = new DissentRing();

function say(text, kind) {
  status.textContent = text;
  status.className = kind ? `notice notice-${kind}` : '';
}

function offerBackup(file) {
  const url = URL.createObjectURL(new Blob([file], { type: 'application/octet-stream' }));
  backup.href = url;
  backupRow.hidden = false;
}

async function api(path, body) {
  const res = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    credentials: 'same-origin',
    // public reads are cacheable for a few seconds (http/cache.c): the
    // roster asked for right after enrolling must be the server's now
    cache: 'no-store',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error((data.error && data.error.message) || data.message || `the server answered ${res.status}`);
  return data;
}

// Is pk an active key of the org's roster?
async function enrolled(pkHex) {
  try {
    const r = await api(`/api/v1/rosters/${encodeURIComponent(org)}`);
    const keys = r.keys || r.members || [];
    return keys.some((k) => (typeof k === 'string' ? k : k.public_key) === pkHex);
  } catch {
    return false;
  }
}

async function enroll(sk, pkHex) {
  const ch = await api('/api/v1/rosters/challenge', {});
  const ctx = await dr.popContext(ch.origin, org, username, ch.challenge);
  const pop = await dr.popSign(sk, ctx);
  await api('/api/v1/rosters/keys', { public_key: pkHex, proof: hex(pop), challenge: ch.challenge });
}

async function show() {
  const k = loadKey(username);
  if (!k) {
    say('This browser has no key for you yet.');
    make.hidden = false;
    imp.hidden = false;
    return;
  }
  offerBackup(k.file);
  imp.hidden = false;
  if (await enrolled(k.pk))
    say(`This browser keeps your key, and it is enrolled for ${org}. Key: ${k.pk.slice(0, 16)}…`, 'ok');
  else
    say(`This browser keeps your key (${k.pk.slice(0, 16)}…), but it is not in ${org}'s current list of keys.`);
}

make.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const p1 = document.getElementById('rk-pass').value, p2 = document.getElementById('rk-pass2').value;
  if (p1.length < 8) return say('The passphrase needs at least 8 characters.', 'danger');
  if (p1 !== p2) return say('The two passphrases differ.', 'danger');
  const button = make.querySelector('button');
  button.disabled = true;
  let sk = null;
  try {
    say('Making your key and locking it with your passphrase (a few seconds)…');
    const kp = await dr.keygen();
    sk = kp.sk;
    const file = await dr.sealKeyFile(sk, p1);
    saveKey(username, file, kp.pk, org);
    offerBackup(file);
    say('Enrolling your key…');
    await enroll(sk, hex(kp.pk));
    make.hidden = true;
    make.reset();
    say(`Your key is enrolled for ${org} and kept in this browser. Download the backup file now and keep it safe.`, 'ok');
  } catch (e) {
    say(`Your key could not be enrolled: ${e.message}`, 'danger');
  } finally {
    if (sk) sk.fill(0);
    button.disabled = false;
  }
});

imp.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = document.getElementById('rk-file').files[0];
  const pass = document.getElementById('rk-file-pass').value;
  if (!f) return say('Choose a key file first.', 'danger');
  let sk = null;
  try {
    const file = new Uint8Array(await f.arrayBuffer());
    const opened = await dr.openKeyFile(file, pass);
    sk = opened.sk;
    saveKey(username, file, opened.pk, org);
    if (!(await enrolled(hex(opened.pk)))) {
      say('Enrolling this key…');
      await enroll(sk, hex(opened.pk));
    }
    imp.reset();
    await show();
  } catch (e) {
    say(e.code === 'unauthorized' ? 'That passphrase does not open this key file.' : `That key file cannot be used: ${e.message}`, 'danger');
  } finally {
    if (sk) sk.fill(0);
  }
});

show();
