// The web interface in real Chromium: every role, by clicking, against a
// fresh demo server (run.sh starts it and sets DISSENT_URL).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, dialogs, pageErrors, useBrowser, session, go, login, shot, memoId } from './lib.mjs';

useBrowser();

const people = {};
let memo; // the lifecycle memo's id

test('a page without a session sends to the login form, and back after it', async () => {
  const { context, page } = await session();
  await page.goto(`${BASE}/memos/new`);
  assert.equal(new URL(page.url()).pathname, '/login');
  await shot(page, 'login');
  await page.getByLabel('Username').fill('alice');
  await page.getByLabel('Password').fill('wrong-password');
  await go(page, page.getByRole('button', { name: 'Log in' }));
  await assert.doesNotReject(page.getByRole('alert').waitFor());
  assert.equal(await page.getByLabel('Username').inputValue(), 'alice', 'the username is kept');
  await page.getByLabel('Password').fill('alice-demo-pass');
  await go(page, page.getByRole('button', { name: 'Log in' }));
  assert.equal(new URL(page.url()).pathname, '/memos/new');
  const cookies = await context.cookies();
  const c = cookies.find((x) => x.name === 'dissent_session');
  assert.ok(c, 'session cookie set');
  assert.equal(c.httpOnly, true);
  assert.equal(c.sameSite, 'Strict');
  await context.close();
});

test('alice drafts, previews, revises and circulates a memo', async () => {
  const { page } = (people.alice = await session());
  await login(page, 'alice');
  await shot(page, 'home-alice-empty');
  await go(page, page.getByRole('link', { name: 'Draft a new memo' }));
  await page.getByLabel('Title').fill('Reopen the visa section in Lagos');
  await page.getByLabel('Classification marking').selectOption('SBU');
  const options = await page.locator('#marking option').allTextContents();
  assert.deepEqual(options, ['Choose a marking…', 'UNCLASSIFIED', 'SBU', 'CONFIDENTIAL'], 'no default; only markings up to the ceiling');
  await page.getByLabel('Text').fill('## Summary\n\nThe closure harms **families** and trade.\n\n## Recommendation\n\nReopen with two officers on rotation.\n');
  await go(page, page.getByRole('button', { name: 'Preview' }));
  const preview = page.locator('.preview .memo-text');
  assert.equal(await preview.locator('strong').textContent(), 'families');
  assert.equal(await page.getByLabel('Title').inputValue(), 'Reopen the visa section in Lagos', 'kept after preview');
  await shot(page, 'memo-new-preview');
  await go(page, page.getByRole('button', { name: 'Save draft' }));
  memo = memoId(page);
  assert.match(await page.locator('.notice').textContent(), /Draft created/);
  assert.equal(await page.locator('.banner-top').textContent(), 'SBU');
  assert.equal(await page.locator('.banner-bottom').textContent(), 'SBU');

  await go(page, page.getByRole('link', { name: /Edit/ }));
  await page.getByLabel('Text').fill('## Summary\n\nThe closure harms families and trade.\n\n## Recommendation\n\nReopen with two officers on rotation, reviewed in 90 days.\n');
  await go(page, page.getByRole('button', { name: 'Save new version' }));
  assert.match(await page.locator('.memo-meta').first().textContent(), /Version 2 of 2/);
  await go(page, page.getByRole('button', { name: 'Circulate for co-signature' }));
  assert.match(await page.locator('.badge').first().textContent(), /circulating/);
});

test('bob co-signs, alice revises, bob moves his signature, carol co-signs', async () => {
  const { page: bob } = (people.bob = await session());
  await login(bob, 'bob');
  await go(bob, bob.getByRole('link', { name: 'Reopen the visa section in Lagos' }));
  // A plain member is told what the access log keeps of the reading, and who sees it.
  assert.match(await bob.locator('#reading-notice').textContent(),
    /Your reading is recorded\. The drafters see only a daily count of member reads, not your name; auditors see your name/);
  await go(bob, bob.getByRole('button', { name: 'Co-sign version 2' }));
  assert.match(await bob.locator('.signed-here').textContent(), /You co-signed this version/);

  const alice = people.alice.page;
  await alice.goto(`${BASE}/memos/${memo}`);
  await go(alice, alice.getByRole('link', { name: /Edit/ }));
  await alice.getByLabel('Title').fill('Reopen the visa section in Lagos now');
  await go(alice, alice.getByRole('button', { name: 'Save new version' }));
  assert.match(await alice.locator('.memo-meta').first().textContent(), /Version 3 of 3/);

  await bob.goto(`${BASE}/memos/${memo}`);
  assert.match(await bob.locator('#signatures').textContent(), /Your signature is on version 2/);
  await go(bob, bob.getByRole('button', { name: 'Move my signature to version 3' }));
  assert.match(await bob.locator('.notice').textContent(), /now stands on this version/);

  const { page: carol } = (people.carol = await session());
  await login(carol, 'carol');
  await go(carol, carol.getByRole('link', { name: 'Reopen the visa section in Lagos now' }));
  await go(carol, carol.getByRole('button', { name: 'Co-sign version 3' }));
  assert.equal(await carol.locator('.big-count strong').textContent(), '2');
  assert.equal(await carol.locator('svg.chart-svg polyline').count(), 1, 'the chart is drawn');
  await shot(carol, 'memo-carol-signed');

  // The diff between two versions, inline and side by side.
  await alice.goto(`${BASE}/memos/${memo}`);
  await alice.getByLabel('From').selectOption('1');
  await alice.getByLabel('To').selectOption('3');
  await go(alice, alice.getByRole('button', { name: 'Compare' }));
  assert.match(await alice.locator('h1').textContent(), /Changes from version 1 to 3/);
  assert.ok(await alice.locator('tr.diff-add').count() > 0);
  assert.match(await alice.locator('.change-note').textContent(), /Title changed/);
  await shot(alice, 'diff-inline');
  await alice.getByLabel('Layout').selectOption('side');
  await go(alice, alice.getByRole('button', { name: 'Compare' }));
  assert.ok(await alice.locator('td.diff-add').count() > 0);
  await shot(alice, 'diff-side');
  await alice.goto(`${BASE}/memos/${memo}?version=1`);
  assert.match(await alice.locator('.notice-warn').textContent(), /You are reading version 1/);
});

test('alice submits; rita acknowledges, extends with a reason, writes, answers', async () => {
  const alice = people.alice.page;
  await alice.goto(`${BASE}/memos/${memo}`);
  await shot(alice, 'memo-alice-circulating');
  await alice.locator('#submit-confirm').check();
  await go(alice, alice.getByRole('button', { name: 'Submit to the policy office' }));
  assert.match(await alice.locator('.badge').first().textContent(), /submitted/);
  assert.match(await alice.locator('#review').textContent(), /Acknowledgement\s+due/);

  const { page: rita } = (people.rita = await session());
  await login(rita, 'rita');
  assert.equal(await rita.locator('#queue-h').textContent(), 'Review queue');
  assert.match(await rita.locator('.memo-table').first().textContent(), /Acknowledge by/);
  await shot(rita, 'home-rita-queue');
  await go(rita, rita.getByRole('link', { name: 'Reopen the visa section in Lagos now' }));
  await go(rita, rita.getByRole('button', { name: 'Acknowledge receipt' }));
  assert.match(await rita.locator('.notice').textContent(), /Acknowledged/);

  // An empty reason is refused, clearly, and nothing changes.
  await go(rita, rita.getByRole('button', { name: 'Extend the deadline' }));
  assert.match(await rita.locator('#extend-error').textContent(), /Write something/);
  await rita.getByLabel('Reason').fill('Consultation with the posts in the region takes time.');
  await go(rita, rita.getByRole('button', { name: 'Extend the deadline' }));
  assert.match(await rita.locator('#review').textContent(), /Consultation with the posts/);

  await rita.getByLabel('Write a message').fill('We have asked the regional bureau for figures.');
  await go(rita, rita.getByRole('button', { name: 'Send message' }));
  assert.match(await rita.locator('#messages').textContent(), /regional bureau/);

  await rita.getByLabel('Answer').fill('We agree to reopen the section **in March**, with two officers.');
  await shot(rita, 'memo-rita-review');
  await go(rita, rita.getByRole('button', { name: 'Send the answer' }));
  assert.match(await rita.locator('.answer').textContent(), /in March/);
  assert.match(await rita.locator('.badge').first().textContent(), /answered/);
});

test('lena (leadership) sees the submitted memo and its answer', async () => {
  const { page: lena } = (people.lena = await session());
  await login(lena, 'lena');
  assert.match(await lena.locator('#submitted-h').textContent(), /Submitted memos and answers/);
  await shot(lena, 'home-lena');
  await go(lena, lena.getByRole('link', { name: 'Reopen the visa section in Lagos now' }));
  assert.match(await lena.locator('.answer').textContent(), /We agree to reopen/);
  assert.equal(await lena.getByRole('button', { name: 'Send the answer' }).count(), 0);
  await shot(lena, 'memo-lena-answered');
  // Print view: banners kept, navigation gone.
  await lena.emulateMedia({ media: 'print' });
  assert.equal(await lena.locator('.site-header').isVisible(), false);
  assert.equal(await lena.locator('.banner-top').isVisible(), true);
  await shot(lena, 'memo-print');
  await lena.emulateMedia({ media: 'screen' });
});

test('alice reads who read her memo, and who signed', async () => {
  const alice = people.alice.page;
  await alice.goto(`${BASE}/memos/${memo}`);
  assert.match(await alice.locator('#messages').textContent(), /regional bureau/);
  await go(alice, alice.getByRole('link', { name: 'Who read this memo, and when' }));
  // By name: the policy office and leadership; the co-signers bob and carol
  // (plain members) only in the day's count of member reads.
  const log = await alice.locator('table').first().textContent();
  for (const who of ['Rita Reyes', 'Lena Lund'])
    assert.match(log, new RegExp(who));
  for (const who of ['Bob Baker', 'Carol Chen'])
    assert.doesNotMatch(await alice.locator('main').textContent(), new RegExp(who));
  const counts = await alice.locator('#member-reads tbody').textContent();
  assert.match(counts, /\d{4}-\d{2}-\d{2}/);
  await shot(alice, 'access-log');
  await alice.goto(`${BASE}/memos/${memo}`);
  await go(alice, alice.getByRole('link', { name: 'See who signed' }));
  const signers = await alice.locator('table').textContent();
  assert.match(signers, /Bob Baker/);
  assert.match(signers, /Carol Chen/);
  await shot(alice, 'signers');
});

test('ian (auditor) reads the whole access log', async () => {
  const { page: ian, context } = await session();
  await login(ian, 'ian');
  assert.match(await ian.locator('#log-h').textContent(), /Access log/);
  assert.match(await ian.locator('#account-events').textContent(), /Account created/);
  assert.match(await ian.locator('main').textContent(), /signer list/);
  await shot(ian, 'home-ian');
  await context.close();
});

test('the admin manages accounts but cannot reach memo text or signers', async () => {
  const { page: admin, context } = await session();
  await login(admin, 'admin');
  const main = await admin.locator('main').textContent();
  assert.match(main, /Organizations/);
  assert.match(main, /Members and roles/);
  assert.doesNotMatch(main, /Reopen the visa|consular|closure harms/i, 'no memo on admin home');
  await shot(admin, 'home-admin');
  const res = await admin.goto(`${BASE}/memos/${memo}`);
  assert.ok([403, 404].includes(res.status()), `memo page for admin: ${res.status()}`);
  assert.doesNotMatch(await admin.locator('body').textContent(), /closure harms/);
  const res2 = await admin.goto(`${BASE}/memos/${memo}/signers`);
  assert.ok([403, 404].includes(res2.status()));
  assert.doesNotMatch(await admin.locator('body').textContent(), /Bob Baker|Carol Chen/);

  // A refused form keeps what was typed.
  await admin.goto(`${BASE}/`);
  await admin.locator('summary', { hasText: 'Add a member' }).click();
  await admin.getByLabel('Full name').fill('Mona Mills');
  await admin.getByLabel('Username', { exact: true }).fill('Mona Mills!');
  assert.equal(await admin.locator('#members input[type=password]').count(), 0, 'the admin never types a password');
  await go(admin, admin.getByRole('button', { name: 'Add member' }));
  assert.equal(await admin.getByLabel('Full name').inputValue(), 'Mona Mills');
  assert.ok(await admin.locator('#members .field-error').count() > 0, 'the error is next to the form');
  await admin.getByLabel('Username', { exact: true }).fill('mona');
  await go(admin, admin.getByRole('button', { name: 'Add member' }));
  assert.match(await admin.locator('#members table').textContent(), /Mona Mills/);
  // The one-time setup link is shown once, and the member chooses the password through it.
  const link = await admin.getByLabel('Setup link').inputValue();
  assert.match(link, /\/setup\/[A-Za-z0-9_-]{43}$/);
  await shot(admin, 'admin-setup-link');
  await admin.goto(`${BASE}/`);
  assert.equal(await admin.getByLabel('Setup link').count(), 0, 'never shown again');

  const { page: mona, context: monaContext } = await session();
  await mona.goto(link);
  assert.match(await mona.locator('main').textContent(), /Mona Mills/);
  await mona.getByLabel('New password', { exact: true }).fill('mona-long-password');
  await mona.getByLabel('New password again').fill('mona-long-password');
  await shot(mona, 'setup');
  await go(mona, mona.getByRole('button', { name: 'Set password and sign in' }));
  const code = (await mona.locator('.recovery-code').textContent()).trim();
  assert.match(code, /^[a-z2-7]{5}(-[a-z2-7]{5}){4}$/, 'a recovery code is shown once');
  await mona.goto(`${BASE}/account`);
  assert.match(await mona.locator('#events').textContent(), /Account created/);
  await shot(mona, 'account');
  // The link worked once.
  const again = await mona.goto(link);
  assert.equal(again.status(), 404);
  await monaContext.close();

  // A reset ends mona's sessions and gives a link the admin cannot complete alone.
  await admin.goto(`${BASE}/`);
  await go(admin, admin.getByRole('button', { name: 'Reset the password of mona' }));
  const resetLink = await admin.getByLabel('Setup link').inputValue();
  await admin.goto(resetLink);
  assert.equal(await admin.getByLabel('Recovery code').count(), 1, 'a reset link asks for the recovery code');
  await admin.goto(`${BASE}/`);

  await admin.locator('summary', { hasText: 'Add an organization' }).click();
  await admin.getByLabel('Name', { exact: true }).first().fill('Ministry of Trade');
  await admin.locator('#org-slug').fill('trade');
  await go(admin, admin.getByRole('button', { name: 'Add organization' }));
  assert.match(await admin.locator('#organizations table').textContent(), /Ministry of Trade/);
  await context.close();
});

test('a memo titled <script>alert(1)</script> renders inert', async () => {
  const alice = people.alice.page;
  const before = dialogs.length;
  await alice.goto(`${BASE}/memos/new`);
  await alice.getByLabel('Title').fill('<script>alert(1)</script>');
  await alice.getByLabel('Classification marking').selectOption('SBU');
  await alice.getByLabel('Text').fill('<img src=x onerror="alert(2)">\n\n[click](javascript:alert(3))\n\n<script>alert(4)</script>\n');
  await go(alice, alice.getByRole('button', { name: 'Preview' }));
  await go(alice, alice.getByRole('button', { name: 'Save draft' }));
  const id = memoId(alice);
  assert.equal(await alice.locator('h1#memo-title').textContent(), '<script>alert(1)</script>');
  assert.equal(await alice.locator('.memo-text img').count(), 0);
  await go(alice, alice.getByRole('button', { name: 'Circulate for co-signature' }));
  await alice.goto(`${BASE}/`);
  assert.match(await alice.locator('.memo-table').first().textContent(), /<script>alert\(1\)<\/script>/);
  const bob = people.bob.page;
  await bob.goto(`${BASE}/`);
  await go(bob, bob.getByRole('link', { name: '<script>alert(1)</script>' }));
  assert.equal(memoId(bob), id);
  await bob.locator('.memo-text a').click({ timeout: 30000 }).catch(() => {});
  await bob.waitForTimeout(300);
  assert.equal(dialogs.length, before, `no dialog fired: ${dialogs.join(', ')}`);
  await shot(bob, 'memo-xss-inert');
});

test('a form posted without its CSRF token is refused and changes nothing', async () => {
  const bob = people.bob.page;
  await bob.goto(`${BASE}/memos/${memo}`);
  const before = await bob.locator('.badge').first().textContent();
  const alice = people.alice.page;
  await alice.goto(`${BASE}/memos/new`);
  await alice.getByLabel('Title').fill('Keep the library open');
  await alice.getByLabel('Classification marking').selectOption('SBU');
  await alice.getByLabel('Text').fill('Please.');
  await go(alice, alice.getByRole('button', { name: 'Save draft' }));
  const id = memoId(alice);
  await alice.locator('form[action$="/circulate"] input[name="csrf"]').evaluate((el) => el.remove());
  const res = await go(alice, alice.getByRole('button', { name: 'Circulate for co-signature' }));
  assert.equal(res.status(), 403);
  assert.match(await alice.locator('main').textContent(), /security token/);
  await alice.goto(`${BASE}/memos/${id}`);
  assert.match(await alice.locator('.badge').first().textContent(), /draft/, 'still a draft');
  assert.equal(before.trim().length > 0, true);
});

test('a marking above the channel ceiling is refused with a clear message, keeping the text', async () => {
  const alice = people.alice.page;
  await alice.goto(`${BASE}/memos/new`);
  await alice.getByLabel('Title').fill('Too secret for this channel');
  await alice.getByLabel('Text').fill('Typed text that must survive.');
  await alice.locator('#marking').evaluate((s) => {
    const o = document.createElement('option');
    o.value = 'SECRET';
    o.textContent = 'SECRET';
    s.appendChild(o);
    s.value = 'SECRET';
  });
  const res = await go(alice, alice.getByRole('button', { name: 'Save draft' }));
  assert.equal(res.status(), 400);
  assert.match(await alice.getByRole('alert').textContent(), /ceiling/);
  assert.equal(await alice.getByLabel('Text').inputValue(), 'Typed text that must survive.');
  assert.equal(await alice.getByLabel('Title').inputValue(), 'Too secret for this channel');
  await shot(alice, 'memo-new-refused');
});

test('home, memo and public pages on a phone; public page without login', async () => {
  const { page, context } = await session({ width: 390, height: 844 });
  await page.goto(`${BASE}/public`);
  assert.match(await page.locator('h1').textContent(), /Public record/);
  assert.match(await page.locator('main').textContent(), /Latest signed checkpoint/);
  await shot(page, 'public-phone');
  await login(page, 'bob');
  await shot(page, 'home-bob-phone');
  await page.goto(`${BASE}/memos/${memo}`);
  await shot(page, 'memo-bob-phone');
  // Keyboard: the skip link is the first stop and is visible when focused.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'skip');
  await context.close();
  const desk = await session();
  await desk.page.goto(`${BASE}/public`);
  await shot(desk.page, 'public');
  await desk.context.close();
});

test('an outsider checks a copy on the public page: exact, then one paragraph altered', async () => {
  // alice saves the official text of her memo (the link under the memo text) ...
  const { page: a, context: ac } = await session();
  await login(a, 'alice');
  await a.goto(`${BASE}/memos/${memo}`);
  const href = await a.getByRole('link', { name: 'Official text' }).getAttribute('href');
  const copy = await (await a.request.get(`${BASE}${href}`)).text();
  assert.match(copy, /dissent-verify: [a-z0-9]{26} \d+ [0-9a-f]{64}/);
  await ac.close();
  // ... and someone with no account checks it.
  const { page, context } = await session();
  await page.goto(`${BASE}/public`);
  await page.getByLabel('The copy, with its verification line').fill(copy);
  await go(page, page.getByRole('button', { name: 'Check this copy' }));
  assert.match(await page.locator('#check-result').textContent(), /Exact match/);
  const lines = copy.split('\n');
  const i = lines.findIndex((l, k) => k > 2 && l.trim().length > 20 && !l.startsWith('dissent-verify'));
  lines[i] = 'Altered: ' + lines[i];
  await page.getByLabel('The copy, with its verification line').fill(lines.join('\n'));
  await go(page, page.getByRole('button', { name: 'Check this copy' }));
  assert.match(await page.locator('#check-result').textContent(), /Partial match/);
  assert.match(await page.locator('table').first().textContent(), /changed\s*Altered:/);
  await shot(page, 'public-check-altered');
  await context.close();
});

test('no script errors or CSP violations on any page visited', () => {
  assert.deepEqual(pageErrors, []);
});
