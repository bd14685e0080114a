// keystore.js — where this browser keeps a member's ring key: the sealed
// key file (the CLI's format: Argon2id + XChaCha20-Poly1305 under the
// member's passphrase), never the bare key, in this site's localStorage,
// one entry per username. Clearing the site's data deletes it; the backup
// file brings it back.
const PREFIX = 'dissent-ring-key:v1:';

const hex = (b) => Array.from(b, (v) => v.toString(16).padStart(2, '0')).join('');
const unhex = (h) => Uint8Array.from(h.match(/../g) || [], (x) => parseInt(x, 16));

// {file: Uint8Array(138), pk: hex, org, saved} or null.
export function loadKey(username) {
  try {
    const v = JSON.parse(localStorage.getItem(PREFIX + username) || 'null');
    if (!v || typeof v.file !== 'string' || v.file.length !== 276) return null;
    return { ...v, file: unhex(v.file) };
  } catch {
    return null;
  }
}

// Stores a sealed key file; throws if the browser refuses (storage off or full).
export function saveKey(username, file, pk, org) {
  const entry = JSON.stringify({ file: hex(file), pk: hex(pk), org, saved: new Date().toISOString() });
  localStorage.setItem(PREFIX + username, entry);
  if (localStorage.getItem(PREFIX + username) !== entry) throw new Error('this browser did not keep the key');
}

export { hex, unhex };
