// The second factor in Chromium: a member sets up an authenticator app from
// the account page (the code computed here, HMAC-SHA1 over the key shown,
// RFC 6238), signs out, signs in with the password and then the code; a
// wrong code is refused; a recovery code turns it off again. Uses dan, whom
// no other browser test signs in as.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { BASE, useBrowser, session, go, shot, pageErrors } from './lib.mjs';

useBrowser();

// RFC 4648 base32 (upper case, no padding) to bytes.
function base32(s) {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, value = 0;
  const out = [];
  for (const ch of s) {
    const v = abc.indexOf(ch);
    assert.ok(v >= 0, `base32 letter ${ch}`);
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

// The 6-digit TOTP code of key at unix time t (seconds).
function totp(key, t) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(Math.floor(t / 30)));
  const h = crypto.createHmac('sha1', key).update(msg).digest();
  const o = h[h.length - 1] & 15;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0');
}

const now = () => Date.now() / 1000;

test('a member sets up a second factor and signs in with a code', async () => {
  const { context, page } = await session();
  // password sign-in, then the account's second-factor page
  await page.goto(`${BASE}/login`);
  await page.getByLabel('Username').fill('dan');
  await page.getByLabel('Password').fill('dan-demo-pass');
  await go(page, page.getByRole('button', { name: 'Log in' }));
  await page.goto(`${BASE}/account/totp`);
  await go(page, page.getByRole('button', { name: 'Set up' }));
  const secret = (await page.locator('#totp-secret').textContent()).trim();
  assert.match(secret, /^[A-Z2-7]{32}$/);
  assert.match(await page.locator('#totp-uri').textContent(), /^otpauth:\/\/totp\/.*:dan\?secret=/);
  const key = base32(secret);
  await shot(page, 'totp-enroll');

  // a wrong first code does not turn it on
  await page.getByLabel('Code the app shows now').fill('000000');
  await go(page, page.getByRole('button', { name: 'Turn on' }));
  assert.match(await page.locator('#error').textContent(), /does not match/);
  await go(page, page.getByRole('button', { name: 'Start again with a new key' }));
  const secret2 = (await page.locator('#totp-secret').textContent()).trim();
  assert.notEqual(secret2, secret, 'a new key');
  const key2 = base32(secret2);
  await page.getByLabel('Code the app shows now').fill(totp(key2, now()));
  await go(page, page.getByRole('button', { name: 'Turn on' }));
  const codes = await page.locator('#recovery-codes li').allTextContents();
  assert.equal(codes.length, 10);
  for (const c of codes) assert.match(c, /^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
  await shot(page, 'totp-recovery-codes');
  assert.ok(key.length === 20 && key2.length === 20);

  // sign out, then in: the password, then the code
  await go(page, page.getByRole('button', { name: /log out/i }));
  await page.goto(`${BASE}/login`);
  await page.getByLabel('Username').fill('dan');
  await page.getByLabel('Password').fill('dan-demo-pass');
  await go(page, page.getByRole('button', { name: 'Log in' }));
  assert.match(await page.locator('h1').textContent(), /Second step/);
  assert.equal((await context.cookies()).filter((c) => c.name === 'dissent_session').length, 0,
    'no session before the code');
  await page.getByLabel('Code').fill('123456');
  await go(page, page.getByRole('button', { name: 'Sign in' }));
  assert.match(await page.locator('#error').textContent(), /Wrong code/);
  await shot(page, 'totp-wrong-code');
  // the code of the next step: the one of now confirmed the key and is used up
  await page.getByLabel('Code').fill(totp(key2, now() + 30));
  await go(page, page.getByRole('button', { name: 'Sign in' }));
  assert.equal(new URL(page.url()).pathname, '/', 'signed in');
  assert.equal((await context.cookies()).filter((c) => c.name === 'dissent_session').length, 1);

  // a recovery code turns it off again (the demo stays as it was)
  await page.goto(`${BASE}/account/totp`);
  await page.getByLabel('Code the app shows now, or a recovery code').fill(codes[0]);
  await go(page, page.getByRole('button', { name: 'Turn off' }));
  await page.getByRole('button', { name: 'Set up' }).waitFor();
  assert.deepEqual(pageErrors, []);
  await context.close();
});
