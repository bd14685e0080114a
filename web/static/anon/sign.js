// sign.js — the memo page's "Co-sign anonymously": sign the shown version,
// move the signature to it, or withdraw it, with the ring key this browser
// keeps (keystore.js), without the member's sign-in.
//
// Every step is the CLI's (`dissent sign --anonymous`, src/cli/cmd_anon.c):
//  1. the memo's public facts, the log's signed checkpoint and every leaf up
//     to it are fetched without cookies (credentials 'omit'); the rings'
//     keys come in binary by digest and are kept between signatures
//     (rings.js);
//  2. the Worker runs the CLI's own checks on them (client/ringcheck.c and
//     client/receipts.c compiled into the WebAssembly module): the checkpoint
//     is signed by the log key this browser pinned on first use, the leaves
//     hash to its root, every ring of the memo is the roster the log's leaves
//     rebuild, every version the log's; kept receipts are checked too;
//  3. the verified anonymity set of the ring the member chose (their
//     organization's, or the coalition's: the CLI's --ring) is shown, and
//     below the member's bar (or the memo's minimum) nothing is proved;
//  4. the key file is opened with the passphrase, the proof is made in the
//     Worker (progress bar, Cancel), and posted without cookies;
//  5. the signed receipt is kept in this browser and checked later.
import { DissentRing, RingError } from './dissent-ring.js';
import { loadKey, hex } from './keystore.js';
import { loadReceipts, saveReceipts, pinnedLogKey, pinLogKey, loadMinRing, saveMinRing } from './keeps.js';
import { fetchRing, keepRings, forgetRings, keysHex } from './rings.js';

const section = document.getElementById('anon');
const $ = (id) => document.getElementById(id);
const status = $('anon-status'), form = $('anon-form'), pass = $('anon-pass'), minInput = $('anon-min');
const signBtn = $('anon-sign'), withdrawBtn = $('anon-withdraw');
const progressRow = $('anon-progress-row'), progress = $('anon-progress'), cancelBtn = $('anon-cancel');
const setLine = $('anon-set'), problemsList = $('anon-problems'), receiptBox = $('anon-receipt');
const checkBtn = $('anon-receipts-check'), receiptsLine = $('anon-receipts');
const kindBox = $('anon-kind'), kindOrg = $('anon-kind-org'), kindCoalition = $('anon-kind-coalition');
const { memo, username } = section.dataset;
const shown = Number(section.dataset.version);
const shownHash = section.dataset.versionHash;
const origin = location.origin;
const dr = new DissentRing();
let busy = false;
let abort = null;
// Rings decoded in the Worker, by digest: a second signature in the same
// ring skips decoding its keys (gone with the Worker when a proof is cancelled).
const decoded = new Map();
const COALITION = '_coalition';

function say(text, kind) {
  status.textContent = text;
  status.className = kind ? `notice notice-${kind}` : '';
}

class Refusal extends Error {}

// GET or POST without cookies or any other credential: the anonymous flow
// never says who is asking.
async function anonFetch(path, body) {
  const res = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    credentials: 'omit',
    cache: 'no-store',
    referrerPolicy: 'no-referrer',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const msg = (data.error && data.error.message) || `the server answered ${res.status}`;
    throw new Refusal(res.status === 429 ? `The server is busy: ${msg}. Nothing was counted; try again in a minute.` : `The server refused: ${msg}.`);
  }
  return data;
}

// The receipts of this member on this memo, newest action first.
function memoReceipts(all) {
  return all.filter((r) => r.server === origin && r.receipt && r.receipt.memo === memo)
    .sort((a, b) => b.receipt.seq - a.receipt.seq);
}

function describe(r) {
  const a = r.receipt.action;
  const what = a === 'withdrawn' ? 'withdrew your signature' : `signed version ${r.receipt.version}`;
  const state = r.state === 'kept' ? 'published' : `to be published by ${r.receipt.publish_by}`;
  return `${what} (${state})`;
}

// What this browser remembers of the member's anonymous actions here, and
// the sign button's words: "move" when the last signature is on another version.
function remember() {
  const mine = memoReceipts(loadReceipts(username));
  const line = $('anon-remembered');
  checkBtn.hidden = loadReceipts(username).length === 0;
  if (!mine.length) {
    line.hidden = true;
    signBtn.textContent = `Co-sign version ${shown} anonymously`;
    return null;
  }
  const last = mine[0];
  line.hidden = false;
  line.textContent = `This browser's last anonymous action on this memo: you ${describe(last)}.`;
  const signedOther = last.receipt.action !== 'withdrawn' && last.receipt.version !== shown;
  signBtn.textContent = signedOther ? `Move my anonymous signature to version ${shown}` : `Co-sign version ${shown} anonymously`;
  return last;
}

// The log key this browser trusts for this site: pinned on first use, like
// the CLI's (a key the server says replaced the log's first key is refused).
async function logKey() {
  const pinned = pinnedLogKey();
  if (pinned) return { key: pinned, first: false };
  const k = await anonFetch('/api/v1/log/key');
  if (k.key_changed || (k.first_verifier_key && k.first_verifier_key !== k.verifier_key))
    throw new Refusal('The public log now signs with another key than the one it was made with. This browser will not trust it on first use: ask your institution which key is right.');
  pinLogKey(k.verifier_key);
  return { key: k.verifier_key, first: true };
}

// The keys of every ring of the facts (fetched with keys omitted), from this
// browser's cache or the server, put back into the facts as the checks read
// them. Returns {bytes: digest → keys, fetched: [{digest, keys}] from the
// network, stats}.
async function ringsInto(pub) {
  const bytes = new Map(), fetched = [], stats = { network: 0, cache: 0, downloaded: 0 };
  for (const r of pub.rings || []) {
    let got;
    try {
      got = bytes.has(r.digest) ? { keys: bytes.get(r.digest), from: 'cache', bytes: 0 } : await fetchRing('', r.digest, r.count);
    } catch (e) {
      throw new Refusal(`${e.message[0].toUpperCase()}${e.message.slice(1)}: nothing was proved or sent.`);
    }
    bytes.set(r.digest, got.keys);
    r.keys = keysHex(got.keys);
    stats[got.from]++;
    stats.downloaded += got.bytes;
    if (got.from === 'network') fetched.push({ digest: r.digest, keys: got.keys });
  }
  return { bytes, fetched, stats };
}

// Steps 1 and 2: the public facts and the log, checked in the Worker.
async function checkedFacts() {
  const pub = await anonFetch(`/api/v1/public/memos/${encodeURIComponent(memo)}?keys=omit`);
  if (pub.memo !== memo) throw new Refusal('The server answered for another memo.');
  const rings = await ringsInto(pub);
  const { key, first } = await logKey();
  const cp = await anonFetch('/api/v1/log/checkpoint');
  const leaves = [];
  // every leaf up to the checkpoint: the roster is rebuilt from all of them
  for (let start = 0; start < cp.size;) {
    const page = await anonFetch(`/api/v1/log/leaves?start=${start}&end=${Math.min(cp.size, start + 1000)}`);
    if (!page.leaves || !page.leaves.length) break;
    leaves.push(...page.leaves);
    start += page.leaves.length;
  }
  let res;
  try {
    res = await dr.ringCheck({ verifier_key: key, note: cp.note, leaves, public: pub, server: origin,
      now: Math.floor(Date.now() / 1000), receipts: loadReceipts(username) });
  } catch (e) {
    if (e.code === 'unavailable') throw e;
    throw new Refusal(`The public log does not check out: ${e.message}. Nothing was proved or sent.`);
  }
  // only rings that passed the checks are kept; a kept one that failed is
  // dropped (fetched again next time)
  if (res.problems.length) await forgetRings('', [...rings.bytes.keys()]);
  else await keepRings('', rings.fetched);
  section.dataset.ringsFetched = String(rings.stats.network);
  section.dataset.ringsCached = String(rings.stats.cache);
  section.dataset.ringsBytes = String(rings.stats.downloaded);
  saveReceipts(username, res.receipts);
  return { pub, res, key, first, rings: rings.bytes };
}

function showProblems(problems) {
  problemsList.replaceChildren(...problems.map((p) => Object.assign(document.createElement('li'), { textContent: p })));
  problemsList.hidden = problems.length === 0;
}

function showTally(res) {
  const t = res.tally;
  receiptsLine.hidden = false;
  if (!t.total) { receiptsLine.textContent = 'This browser keeps no receipts for this site.'; return; }
  const parts = [`${t.kept} kept`];
  if (t.pending) parts.push(`${t.pending} still to be published`);
  if (t.broken) parts.push(`${t.broken} BROKEN: the server promised to publish these actions and did not`);
  if (t.invalid) parts.push(`${t.invalid} not validly signed`);
  receiptsLine.textContent = `Of the ${t.total} receipts this browser keeps for this site: ${parts.join(', ')} (checked against the public log at size ${res.size}).`;
  receiptsLine.className = t.broken || t.invalid ? 'notice notice-danger' : '';
}

// The newest ring of one kind holding pk: {ring object, index} or null. The
// kinds are the member's organization's rings and the coalition's (every
// organization's members, counted in the total only): the CLI's --ring.
function findRing(pub, pkHex, coalition) {
  let best = null;
  for (const r of pub.rings || []) {
    if ((r.organization === COALITION) !== coalition) continue;
    const i = (r.keys || []).indexOf(pkHex);
    if (i >= 0 && (!best || r.ring > best.ring.ring)) best = { ring: r, index: i };
  }
  return best;
}

function b64(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

async function act(withdraw) {
  if (busy) return;
  const stored = loadKey(username);
  if (!stored) return;
  const passphrase = pass.value;
  pass.value = '';
  busy = true;
  signBtn.disabled = withdrawBtn.disabled = true;
  showProblems([]);
  receiptBox.hidden = true;
  let sk = null, ring = null;
  try {
    say('Checking this memo\'s signing group against the public log…');
    const checked = await checkedFacts();
    const { pub, res, key, first } = checked;
    if (res.problems.length) {
      showProblems(res.problems);
      throw new Refusal('The server\'s signing groups for this memo do not match the public log (below): nothing was proved or sent.');
    }
    labelKinds(pub, stored);
    let coalition = chosenCoalition();
    let found = findRing(pub, stored.pk, coalition);
    if (!found && !coalition && findRing(pub, stored.pk, true))
      throw new Refusal('Your organization has no signing group of its own for this memo (too few of its members are enrolled). You can sign among the members of every organization instead: choose it above.');
    if (!found)
      throw new Refusal('Your key is not in this memo\'s signing group: it was enrolled after the memo started circulating. Ask a drafter to refresh the signing rings, or sign by name.');
    saveMinRing(Number(minInput.value));
    const minimum = Math.max(Number(minInput.value) || 10, Number(pub.min_ring) || 2, 2);
    const keyId = key.split('+')[1] || '?';
    // the verified anonymity set of a ring, refused below the bar
    const showSet = (f, note) => {
      const set = res.sets.find((s) => s.organization === f.ring.organization && s.ring === f.ring.ring);
      const members = set ? set.members : 0;
      const among = f.ring.organization === COALITION
        ? `members of the coalition (every organization; counted in the memo's total only)`
        : `enrolled members of ${f.ring.organization}`;
      setLine.hidden = false;
      setLine.textContent = `${note || ''}You are one of ${members.toLocaleString('en')} ${among} (ring ${f.ring.ring}), checked against the public log at size ${res.size} (log key ID ${keyId}${first ? ', remembered by this browser from now on' : ''}).`;
      if (members < minimum)
        throw new Refusal(`This group hides you among ${members} members only, fewer than ${minimum}: an anonymous signature would be too easy to attribute. Nothing was proved or sent. Sign by name, wait until more members enroll (a drafter can then refresh the rings), ${f.ring.organization === COALITION ? '' : 'sign among the members of every organization, '}or lower your bar above.`);
    };
    showSet(found);
    let number = 0, hash = null;
    if (!withdraw) {
      const v = (pub.versions || []).find((x) => x.number === shown);
      if (!v || v.hash !== shownHash)
        throw new Refusal(`Version ${shown} as shown here is not the version the public log records: nothing was proved or sent.`);
      number = v.number;
      hash = v.hash;
    }

    say('Opening your key with your passphrase (a few seconds)…');
    try {
      ({ sk } = await dr.openKeyFile(stored.file, passphrase));
    } catch (e) {
      if (e.code === 'unauthorized') throw new Refusal('That passphrase does not open the key kept in this browser.');
      throw e;
    }
    const scope = await dr.anonScope(pub.origin, pub.memo);
    const tag = hex(await dr.tag(sk, scope));
    // the latest accepted action decides: a pending receipt, else the log
    const mine = memoReceipts(loadReceipts(username)).filter((x) => x.receipt.tag === tag);
    const pending = mine.find((x) => x.state === 'pending');
    let signed = (pub.signatures || []).find((s) => s.tag === tag) || null;
    if (pending) signed = pending.receipt.action !== 'withdrawn' ? pending.receipt : null;
    if (withdraw && !signed) throw new Refusal('You have no anonymous signature on this memo to withdraw.');
    // one signature per member per memo, on one kind of ring: a signature is
    // moved or withdrawn where it was made (the server refuses the other kind)
    if (signed && (signed.organization === COALITION) !== coalition) {
      coalition = !coalition;
      const there = findRing(pub, stored.pk, coalition);
      if (!there) throw new Refusal('Your signature on this memo is in a signing group that no longer holds your key: nothing was proved or sent.');
      found = there;
      const radio = kindBox.querySelector(`input[value="${coalition ? 'coalition' : 'organization'}"]`);
      if (radio) radio.checked = true;
      showSet(found, `Your signature on this memo is in ${coalition ? 'the coalition\'s group' : 'your organization\'s group'}: it stays there (one member, one signature). `);
    }
    const { ring: r, index } = found;
    let seq = ((pub.sequences || []).find((q) => q.tag === tag) || { next: 0 }).next;
    for (const x of mine) if (x.state === 'pending' && x.receipt.seq + 1 > seq) seq = x.receipt.seq + 1;
    const message = await dr.anonMessage(seq, number, hash);

    say(`Making your anonymous signature on this device (a group of ${r.keys.length} keys)…`);
    ring = decoded.get(r.digest);
    if (!ring) {
      ring = await dr.ring(checked.rings.get(r.digest));
      decoded.set(r.digest, ring);
    }
    progress.value = 0;
    progressRow.hidden = false;
    abort = new AbortController();
    cancelBtn.focus();
    const proof = await dr.prove(ring, index, sk, scope, message, {
      onProgress: (done, total) => { progress.max = total || 1; progress.value = done; },
      signal: abort.signal,
    });
    sk.fill(0);
    sk = null;
    progressRow.hidden = true;

    say('Sending it, without your sign-in…');
    const reply = await anonFetch(`/api/v1/anonymous/memos/${encodeURIComponent(memo)}/signatures`, {
      signatures: [{ version: withdraw ? null : number, organization: r.organization, ring: r.ring, seq, proof: b64(proof) }],
    });
    const result = (reply.results || [])[0] || {};
    if (result.receipt && result.receipt.receipt) {
      const all = loadReceipts(username);
      all.push({ server: origin, receipt: result.receipt.receipt, signature: result.receipt.signature, state: 'pending' });
      saveReceipts(username, all);
    }
    const words = result.status === 'withdrawn' ? 'Your anonymous signature was withdrawn.'
      : result.status === 'moved' ? `Your anonymous signature was moved to version ${number}.`
        : `Your anonymous signature on version ${number} was accepted.`;
    say(words, 'ok');
    showReceipt(result);
    remember();
  } catch (e) {
    progressRow.hidden = true;
    if (e instanceof RingError && e.code === 'cancelled') decoded.clear(); // the Worker is gone
    if (e instanceof RingError && e.code === 'cancelled') say('Cancelled: nothing was sent.');
    else if (e instanceof Refusal) say(e.message, 'danger');
    else say(`Nothing was sent: ${e.message}`, 'danger');
  } finally {
    if (sk) sk.fill(0);
    abort = null;
    busy = false;
    signBtn.disabled = withdrawBtn.disabled = false;
    // the Cancel button that had the focus is hidden again: keyboard users
    // go on from the sign button, the status above it already announced
    if (document.activeElement === cancelBtn || document.activeElement === document.body) signBtn.focus();
  }
}

function showReceipt(result) {
  const rc = (result.receipt && result.receipt.receipt) || {};
  const p = document.createElement('p');
  p.textContent = result.receipt
    ? `The server signed a promise (a receipt) to publish this in its public log by ${rc.publish_by}; the counts change when it is published (reload the page to see them). This browser keeps the receipt and checks the promise each time you sign here, or when you ask below.`
    : 'The server sent no signed receipt: nothing holds it to publishing this action.';
  const t = document.createElement('p');
  t.className = 'hint';
  t.append('Your signature\'s tag on this memo (the same whichever device or tool signs): ');
  const code = Object.assign(document.createElement('span'), { className: 'mono hash', textContent: result.tag || '?' });
  code.dataset.tag = result.tag || '';
  t.append(code);
  receiptBox.replaceChildren(p, t);
  receiptBox.hidden = false;
}

async function checkReceipts() {
  if (busy) return;
  busy = true;
  checkBtn.disabled = true;
  receiptsLine.hidden = false;
  receiptsLine.className = '';
  receiptsLine.textContent = 'Checking your receipts against the public log…';
  try {
    const { res } = await checkedFacts();
    showTally(res);
    remember();
  } catch (e) {
    receiptsLine.textContent = e instanceof Refusal ? e.message : `The receipts could not be checked: ${e.message}`;
    receiptsLine.className = 'notice notice-danger';
  } finally {
    busy = false;
    checkBtn.disabled = false;
  }
}

// Which kind of ring the member chose: false for their organization's, true
// for the coalition's.
function chosenCoalition() {
  const c = kindBox.querySelector('input[name="anon-kind"]:checked');
  return !kindBox.hidden && c !== null && c.value === 'coalition';
}

// Offers the choice when the memo has a coalition ring, with the sizes the
// server states (the set shown when signing is the one checked against the log).
function labelKinds(pub, stored) {
  const newest = (coalition) => (pub.rings || []).filter((r) => (coalition ? r.organization === COALITION
    : r.organization === stored.org)).sort((a, b) => b.ring - a.ring)[0];
  const org = newest(false), co = newest(true);
  if (!co) { kindBox.hidden = true; return; }
  const orgRadio = kindBox.querySelector('input[value="organization"]');
  kindCoalition.textContent = `the ${co.count.toLocaleString('en')} members of the coalition (every organization; counted in the memo's total only)`;
  kindBox.hidden = false;
  // (a key kept without its organization's name: which ring is decided when signing)
  if (!stored.org) return;
  kindOrg.textContent = org ? `the ${org.count.toLocaleString('en')} enrolled members of ${org.organization}` : 'the members of my organization (too few are enrolled for a group of their own)';
  orgRadio.disabled = !org;
  if (!org && orgRadio.checked) orgRadio.checked = false;
}

// The rings' sizes for the choice, before anything is checked: the facts
// without keys (a few hundred bytes).
async function offerKinds(stored) {
  try {
    labelKinds(await anonFetch(`/api/v1/public/memos/${encodeURIComponent(memo)}?keys=omit`), stored);
  } catch {
    /* offered again when signing */
  }
}

minInput.value = String(loadMinRing());
minInput.addEventListener('change', () => saveMinRing(Number(minInput.value)));
form.addEventListener('submit', (ev) => { ev.preventDefault(); act(false); });
withdrawBtn.addEventListener('click', () => act(true));
cancelBtn.addEventListener('click', () => { if (abort) abort.abort(); });
checkBtn.addEventListener('click', checkReceipts);

if (!loadKey(username)) {
  status.replaceChildren('This browser keeps no key for you. ',
    Object.assign(document.createElement('a'), { href: '/account#ring-key', textContent: 'Make one on your account page' }),
    ' (it takes a minute), then come back here.');
} else {
  form.hidden = false;
  remember();
  offerKinds(loadKey(username));
}
