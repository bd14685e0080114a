// Accessibility in real Chromium: axe-core's WCAG 2.2 A and AA rules over
// every page, as each role sees it (member, drafter, reviewer, leadership,
// auditor, admin), the public pages, the login, setup and second-factor
// pages, error pages and notifications; each memo state is visited with a
// memo made here. Also: the memo's main actions come first in tab order,
// and overdue is said in words (the overdue pages themselves need a moved
// clock: deadlines_flow.test.mjs checks them with the same rules).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { BASE, pageErrors, useBrowser, session, go, login, memoId } from './lib.mjs';
import { violations } from './axe.mjs';

useBrowser();

// Every page is checked; the failures are gathered so one run names them all.
const failures = [];
let pages = 0;
async function check(page, name) {
  pages++;
  const v = await violations(page);
  for (const x of v)
    failures.push(`${name} ${new URL(page.url()).pathname}: ${x.id} (${x.impact}) ${x.help}\n${x.nodes.slice(0, 4).map((n) => `      ${n}`).join('\n')}`);
}

// The elements Tab reaches, in order, as "tag:text" strings.
async function tabOrder(page) {
  return page.locator('body').evaluate((body) => {
    const all = body.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]');
    return [...all]
      .filter((el) => el.tabIndex >= 0 && !el.disabled && el.getClientRects().length > 0)
      .map((el) => `${el.tagName.toLowerCase()}:${(el.textContent || el.value || '').trim().replace(/\s+/g, ' ')}`);
  });
}

function firstIndex(list, re) {
  const i = list.findIndex((x) => re.test(x));
  assert.ok(i >= 0, `${re} is reachable by Tab: ${list.join(' | ')}`);
  return i;
}

const who = {};
let memo; // goes through every state
let withdrawn;
const TITLE = 'Accessibility: publish the consular wait times';

// RFC 4648 base32 to bytes, and the RFC 6238 code of KEY at unix time T.
function base32(s) {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, value = 0;
  const out = [];
  for (const ch of s) {
    value = (value << 5) | abc.indexOf(ch);
    bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 0xff); bits -= 8; }
  }
  return Buffer.from(out);
}
function totp(key, t) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(Math.floor(t / 30)));
  const h = crypto.createHmac('sha1', key).update(msg).digest();
  const o = h[h.length - 1] & 15;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0');
}

test('axe runs, and finds a fault planted in a page', async () => {
  const { context, page } = await session();
  await page.goto(`${BASE}/login`);
  await page.evaluate(() => {
    const i = document.createElement('input');
    document.querySelector('main').append(i); // a field without a label
  });
  const v = await violations(page);
  assert.ok(v.some((x) => x.id === 'label'), `the unlabelled field is found: ${JSON.stringify(v)}`);
  await context.close();
});

test('public pages, the login form and error pages, without a session', async () => {
  const { context, page } = await session();
  await page.goto(`${BASE}/login`);
  await check(page, 'login');
  await page.getByLabel('Username').fill('alice');
  await page.getByLabel('Password').fill('not-her-password');
  await go(page, page.getByRole('button', { name: 'Log in' }));
  await check(page, 'login refused');
  await page.goto(`${BASE}/memos/new`);
  await check(page, 'login (sent from a page)');
  for (const [path, name] of [['/public', 'public record'], ['/public/channels/dissent', 'public channel'],
    ['/help/anonymous', 'help: anonymous'], ['/no-such-page', 'error 404'], ['/setup/not-a-token', 'setup: unknown link'],
    ['/public/channels/nosuch', 'public channel: unknown']]) {
    await page.goto(`${BASE}${path}`);
    await check(page, name);
  }
  await context.close();
});

test('alice (drafter): home, new memo, refused form, preview, draft, edit, versions, circulating', async () => {
  const { page } = (who.alice = await session());
  await login(page, 'alice');
  await check(page, 'home: drafter');
  await go(page, page.getByRole('link', { name: 'Draft a new memo' }));
  await check(page, 'new memo');
  // past the browser's own checks, to the server's refusal
  await page.evaluate(() => document.querySelectorAll('[required]').forEach((e) => e.removeAttribute('required')));
  await go(page, page.getByRole('button', { name: 'Save draft' }));
  await check(page, 'new memo refused');
  await page.getByLabel('Title').fill(TITLE);
  await page.getByLabel('Classification marking').selectOption('SBU');
  await page.getByLabel('Text').fill('## Summary\n\nPublish the [wait times](https://example.org/wait).\n\n- each post\n- each month\n');
  await go(page, page.getByRole('button', { name: 'Preview' }));
  await check(page, 'new memo preview');
  await go(page, page.getByRole('button', { name: 'Save draft' }));
  memo = memoId(page);
  await check(page, 'memo: draft (drafter)');
  await go(page, page.getByRole('link', { name: /Edit/ }));
  await check(page, 'edit');
  await page.getByLabel('Text').fill('## Summary\n\nPublish the [wait times](https://example.org/wait), monthly.\n');
  await go(page, page.getByRole('button', { name: 'Save new version' }));
  await check(page, 'memo: draft, version 2');
  await go(page, page.getByRole('button', { name: 'Circulate for co-signature' }));
  await check(page, 'memo: circulating (drafter)');
  // the drafter's main action comes before the text's links and the history
  const order = await tabOrder(page);
  assert.ok(firstIndex(order, /^button:Submit to the policy office$/) < firstIndex(order, /^a:wait times$/),
    'Submit comes before the memo text in tab order');
  await page.goto(`${BASE}/memos/${memo}/diff?from=1&to=2`);
  await check(page, 'diff inline');
  await page.goto(`${BASE}/memos/${memo}/diff?from=1&to=2&view=side`);
  await check(page, 'diff side by side');
  await page.goto(`${BASE}/memos/${memo}?version=1`);
  await check(page, 'memo: an older version');
  for (const [path, name] of [['/account', 'account'], ['/account/totp', 'account: second factor'],
    ['/notifications', 'notifications'], [`/memos/${memo}/access`, 'access log of a memo'],
    [`/memos/${memo}/signers`, 'signers']]) {
    await page.goto(`${BASE}${path}`);
    await check(page, name);
  }
  // a second memo, withdrawn
  await page.goto(`${BASE}/memos/new`);
  await page.getByLabel('Title').fill('Accessibility: a memo withdrawn');
  await page.getByLabel('Classification marking').selectOption('UNCLASSIFIED');
  await page.getByLabel('Text').fill('Withdrawn.\n');
  await go(page, page.getByRole('button', { name: 'Save draft' }));
  withdrawn = memoId(page);
  await go(page, page.getByRole('button', { name: 'Circulate for co-signature' }));
  await page.locator('#withdraw-confirm').check();
  await go(page, page.getByRole('button', { name: 'Withdraw the memo' }));
  await page.goto(`${BASE}/memos/${withdrawn}`);
  await check(page, 'memo: withdrawn');
});

test('bob (member) and carol (another organization) co-sign', async () => {
  const { page: bob, context } = await session();
  await login(bob, 'bob');
  await check(bob, 'home: member');
  await bob.goto(`${BASE}/memos/${memo}`);
  await check(bob, 'memo: circulating (member)');
  const order = await tabOrder(bob);
  assert.ok(firstIndex(order, /^button:Co-sign version 2$/) < firstIndex(order, /^a:wait times$/),
    'Co-sign comes before the memo text in tab order');
  await go(bob, bob.getByRole('button', { name: 'Co-sign version 2' }));
  await check(bob, 'memo: co-signed (member)');
  await bob.goto(`${BASE}/memos/${memo}?version=1`);
  await check(bob, 'memo: older version (member)');
  await context.close();
  const { page: carol, context: cc } = await session({ width: 390, height: 844 });
  await login(carol, 'carol');
  await check(carol, 'home: member (phone)');
  await carol.goto(`${BASE}/memos/${memo}`);
  await check(carol, 'memo: circulating (member, phone)');
  await go(carol, carol.getByRole('button', { name: 'Co-sign version 2' }));
  await check(carol, 'memo: chart of co-signatures (phone)');
  // the chart's axes say what is plotted, and in what
  const labels = await carol.locator('svg.chart-svg text').allTextContents();
  assert.ok(labels.includes('co-signatures (count)'), `a y axis title: ${labels}`);
  assert.ok(labels.some((t) => /^date \(America\/New_York\)$/.test(t)), `an x axis title: ${labels}`);
  await cc.close();
});

test('alice submits; rita (policy office) acknowledges, extends, writes, answers, closes', async () => {
  const alice = who.alice.page;
  await alice.goto(`${BASE}/memos/${memo}`);
  await alice.locator('#submit-confirm').check();
  await go(alice, alice.getByRole('button', { name: 'Submit to the policy office' }));
  await check(alice, 'memo: submitted (drafter)');
  await alice.goto(`${BASE}/memos/${memo}/signers`);
  await check(alice, 'signers (with names)');

  const { page: rita, context } = await session();
  await login(rita, 'rita');
  await check(rita, 'home: policy office');
  await rita.goto(`${BASE}/memos/${memo}`);
  await check(rita, 'memo: submitted (policy office)');
  const order = await tabOrder(rita);
  assert.ok(firstIndex(order, /^button:Acknowledge receipt$/) < firstIndex(order, /^a:wait times$/),
    'Acknowledge comes before the memo text in tab order');
  await go(rita, rita.getByRole('button', { name: 'Acknowledge receipt' }));
  await check(rita, 'memo: acknowledged (policy office)');
  const after = await tabOrder(rita);
  assert.ok(firstIndex(after, /^a:Write the answer$/) < firstIndex(after, /^a:wait times$/),
    'the way to the answer comes before the memo text in tab order');
  await go(rita, rita.getByRole('button', { name: 'Extend the deadline' }));
  await check(rita, 'memo: extension refused');
  await rita.getByLabel('Reason').fill('The posts report monthly.');
  await go(rita, rita.getByRole('button', { name: 'Extend the deadline' }));
  await rita.getByLabel('Write a message').fill('Which posts first?');
  await go(rita, rita.getByRole('button', { name: 'Send message' }));
  await check(rita, 'memo: extended, a message');
  await rita.getByLabel('Answer').fill('We will publish them **in March**.');
  await go(rita, rita.getByRole('button', { name: 'Send the answer' }));
  await check(rita, 'memo: answered (policy office)');
  await rita.goto(`${BASE}/notifications`);
  await check(rita, 'notifications: policy office');
  await alice.goto(`${BASE}/memos/${memo}`);
  await check(alice, 'memo: answered (drafter)');
  await alice.goto(`${BASE}/notifications`);
  await check(alice, 'notifications: drafter (unread)');
  await alice.goto(`${BASE}/public?memo=${memo}`);
  await check(alice, 'public facts of a memo');
  // an outsider checks a copy: exact, then altered
  await alice.goto(`${BASE}/memos/${memo}`);
  const href = await alice.getByRole('link', { name: 'Official text' }).getAttribute('href');
  const copy = await (await alice.request.get(`${BASE}${href}`)).text();
  const { page: out, context: oc } = await session();
  await out.goto(`${BASE}/public`);
  await out.getByLabel('The copy, with its verification line').fill(copy);
  await go(out, out.getByRole('button', { name: 'Check this copy' }));
  await check(out, 'public: a copy checked, exact');
  await out.getByLabel('The copy, with its verification line').fill(copy.replace('Publish the', 'Hide the'));
  await go(out, out.getByRole('button', { name: 'Check this copy' }));
  await check(out, 'public: a copy checked, altered');
  await oc.close();
  await rita.goto(`${BASE}/memos/${memo}`);
  const close = rita.getByRole('button', { name: 'Close the memo' });
  if (await close.count()) {
    await rita.locator('#close-confirm').check();
    await go(rita, close);
    await check(rita, 'memo: closed');
  }
  await context.close();
});

test('lena (leadership) and ian (auditor)', async () => {
  const { page: lena, context } = await session();
  await login(lena, 'lena');
  await check(lena, 'home: leadership');
  await lena.goto(`${BASE}/memos/${memo}`);
  await check(lena, 'memo (leadership)');
  await lena.goto(`${BASE}/public/channels/dissent`);
  await check(lena, 'public channel, with its chart');
  const labels = await lena.locator('figure.chart svg text').allTextContents();
  assert.ok(labels.includes('deadlines') && labels.includes('month the deadline fell due'), `axis titles: ${labels}`);
  await context.close();
  const { page: ian, context: ic } = await session();
  await login(ian, 'ian');
  await check(ian, 'home: auditor');
  await ian.goto(`${BASE}/memos/${memo}`);
  await check(ian, 'memo (auditor)');
  await ian.goto(`${BASE}/memos/${memo}/access`);
  await check(ian, 'access log of a memo (auditor)');
  await ic.close();
});

test('admin: accounts, a refused form, the setup link; the new member sets a password and a second factor', async () => {
  const { page: admin, context } = await session();
  await login(admin, 'admin');
  await check(admin, 'home: admin');
  const res = await admin.goto(`${BASE}/memos/${memo}`);
  assert.ok([403, 404].includes(res.status()));
  await check(admin, `error ${res.status()}`);
  await admin.goto(`${BASE}/`);
  await admin.locator('summary', { hasText: 'Add a member' }).click();
  await admin.getByLabel('Full name').fill('Ada Access');
  await admin.getByLabel('Username', { exact: true }).fill('Ada!');
  await go(admin, admin.getByRole('button', { name: 'Add member' }));
  await check(admin, 'home: admin, refused form');
  await admin.getByLabel('Username', { exact: true }).fill('ada');
  await go(admin, admin.getByRole('button', { name: 'Add member' }));
  await check(admin, 'home: admin, setup link');
  const link = await admin.getByLabel('Setup link').inputValue();
  await context.close();

  const { page, context: ac } = await session();
  await page.goto(link);
  await check(page, 'setup');
  await page.getByLabel('New password', { exact: true }).fill('ada-long-password');
  await page.getByLabel('New password again').fill('ada-other-password');
  await go(page, page.getByRole('button', { name: 'Set password and sign in' }));
  await check(page, 'setup refused');
  await page.getByLabel('New password', { exact: true }).fill('ada-long-password');
  await page.getByLabel('New password again').fill('ada-long-password');
  await go(page, page.getByRole('button', { name: 'Set password and sign in' }));
  await check(page, 'setup done: recovery code');
  await page.goto(`${BASE}/account/totp`);
  await go(page, page.getByRole('button', { name: 'Set up' }));
  await check(page, 'second factor: enroll');
  const key = base32((await page.locator('#totp-secret').textContent()).trim());
  await page.getByLabel('Code the app shows now').fill(totp(key, Date.now() / 1000));
  await go(page, page.getByRole('button', { name: 'Turn on' }));
  await check(page, 'second factor: recovery codes');
  await go(page, page.getByRole('button', { name: /log out/i }));
  await page.goto(`${BASE}/login`);
  await page.getByLabel('Username').fill('ada');
  await page.getByLabel('Password').fill('ada-long-password');
  await go(page, page.getByRole('button', { name: 'Log in' }));
  await check(page, 'login: second step');
  await page.getByLabel('Code').fill('000000');
  await go(page, page.getByRole('button', { name: 'Sign in' }));
  await check(page, 'login: second step refused');
  await ac.close();
});

test('no WCAG 2.2 A/AA violation on any page', () => {
  assert.equal(failures.length, 0, `${failures.length} violation(s):\n${failures.join('\n')}`);
  assert.ok(pages >= 50, `pages checked: ${pages}`);
  assert.deepEqual(pageErrors, []);
});
