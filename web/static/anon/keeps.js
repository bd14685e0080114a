// keeps.js — what the anonymous flow remembers in this browser besides the
// key (keystore.js), in this site's localStorage:
//  - the receipts of the member's anonymous actions, in the CLI's shape
//    ({server, receipt, signature, state}: client/receipts.h), one list per
//    username: the server's signed promises, checked later against the log;
//  - the log's verifier key, pinned on first use (the CLI's log-keys.json).
// Clearing the site's data forgets both: the receipts are then gone as
// evidence, and the next check pins the log key again.
const RECEIPTS = 'dissent-receipts:v1:';
const LOG_KEY = 'dissent-log-key:v1';

export function loadReceipts(username) {
  try {
    const v = JSON.parse(localStorage.getItem(RECEIPTS + username) || '[]');
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}

export function saveReceipts(username, list) {
  localStorage.setItem(RECEIPTS + username, JSON.stringify(list));
}

export function pinnedLogKey() {
  return localStorage.getItem(LOG_KEY);
}

export function pinLogKey(key) {
  localStorage.setItem(LOG_KEY, key);
}

// The member's own bar: the fewest members to hide among (the CLI's
// --min-ring), 10 unless the member chose otherwise in this browser.
const MIN_RING = 'dissent-anon-min:v1';

export function loadMinRing() {
  const n = Number(localStorage.getItem(MIN_RING));
  return Number.isInteger(n) && n >= 2 ? n : 10;
}

export function saveMinRing(n) {
  if (Number.isInteger(n) && n >= 2) localStorage.setItem(MIN_RING, String(n));
}
