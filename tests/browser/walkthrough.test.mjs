// The fixes from the walkthrough (issue #13): the marking must be chosen and
// a refused choice comes back; submit / withdraw / close ask for a ticked
// box that says what the step means; co-drafters are added and removed on
// the memo page; counted words agree with their numbers; an ended session
// is said to have expired; on a phone the co-sign action is near the top;
// a word-level diff sits beside the line diff; the auditor searches the
// access log with titles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, useBrowser, session, go, login, memoId, shot, newMemo, confirmAndGo } from './lib.mjs';

useBrowser();
let alice, id;

test('the marking has no default, and a refused choice is kept for correction', async () => {
  ({ page: alice } = await session());
  await login(alice, 'alice');
  await alice.goto(`${BASE}/memos/new`);
  assert.equal(await alice.locator('#marking').inputValue(), '', 'nothing chosen');
  assert.equal(await alice.locator('#marking').getAttribute('required'), '');
  await alice.getByLabel('Title').fill('Walkthrough: staff the night desk');
  await alice.getByLabel('Text').fill('One officer at night is not enough.\n');
  // Without a choice the browser asks first; the server refuses it too.
  assert.equal(await alice.locator('#marking:invalid').count(), 1);
  await alice.locator('#marking').evaluate((s) => s.removeAttribute('required'));
  let res = await go(alice, alice.getByRole('button', { name: 'Save draft' }));
  assert.equal(res.status(), 400);
  assert.match(await alice.getByRole('alert').textContent(), /marking.*required/i);
  assert.equal(await alice.getByLabel('Title').inputValue(), 'Walkthrough: staff the night desk');
  // A marking above the ceiling stays shown as chosen, said to be above it.
  await alice.locator('#marking').evaluate((s) => {
    const o = document.createElement('option');
    o.value = 'SECRET';
    s.appendChild(o);
    s.value = 'SECRET';
  });
  res = await go(alice, alice.getByRole('button', { name: 'Save draft' }));
  assert.equal(res.status(), 400);
  assert.equal(await alice.locator('#marking').inputValue(), 'SECRET');
  assert.match(await alice.locator('#marking option:checked').textContent(), /above this channel's ceiling/);
  await alice.getByLabel('Classification marking').selectOption('SBU');
  await go(alice, alice.getByRole('button', { name: 'Save draft' }));
  id = memoId(alice);
  await shot(alice, 'walkthrough-created');
});

test('the edit page names the next version, and the diff counts in words that agree', async () => {
  await alice.goto(`${BASE}/memos/${id}/edit`);
  const hint = await alice.locator('main .hint').first().textContent();
  assert.match(hint, /Saving creates version 2;/);
  assert.doesNotMatch(hint, /\+1/);
  await alice.getByLabel('Text').fill('One officer at night is not enough.\nTwo would be.\n');
  await go(alice, alice.getByRole('button', { name: 'Save new version' }));
  await alice.goto(`${BASE}/memos/${id}/diff?from=1&to=2`);
  const summary = await alice.locator('.diff-summary').textContent();
  assert.match(summary, /1 line added/);
  assert.doesNotMatch(await alice.locator('main').textContent(), /\b1 lines\b/);
  // Beside the line diff, the words: only what was added is marked.
  assert.match(await alice.locator('#word-diff ins').first().textContent(), /Two would be\./);
  assert.equal(await alice.locator('#word-diff del').count(), 0);
});

test('co-drafters are added and removed on the memo page; the last one stays', async () => {
  await alice.goto(`${BASE}/memos/${id}`);
  assert.equal(await alice.locator('#drafters form[action$="/remove"]').count(), 0, 'alone: no remove');
  await alice.getByLabel('Add a co-drafter (username)').fill('bob');
  await go(alice, alice.getByRole('button', { name: 'Add co-drafter' }));
  assert.match(await alice.locator('#drafters').textContent(), /bob/);
  assert.match(await alice.locator('.notice').first().textContent(), /co-drafter is added/);
  await alice.getByLabel('Add a co-drafter (username)').fill('ghost');
  const res = await go(alice, alice.getByRole('button', { name: 'Add co-drafter' }));
  assert.equal(res.status(), 404);
  assert.equal(await alice.getByLabel('Add a co-drafter (username)').inputValue(), 'ghost');
  await go(alice, alice.locator('form[action$="/drafters/bob/remove"] button'));
  assert.doesNotMatch(await alice.locator('#drafters .drafter-list').textContent(), /bob/);
});

test('submit asks for a ticked box saying what it means', async () => {
  await go(alice, alice.getByRole('button', { name: 'Circulate for co-signature' }));
  const what = await alice.locator('#submit-what').textContent();
  assert.match(what, /policy office/);
  assert.match(await alice.locator('#withdraw-what').textContent(), /cannot be reopened/);
  assert.equal(await alice.locator('#submit-confirm').getAttribute('required'), '');
  await alice.locator('#submit-confirm').evaluate((c) => c.removeAttribute('required'));
  const res = await go(alice, alice.getByRole('button', { name: 'Submit to the policy office' }));
  assert.equal(res.status(), 400);
  assert.match(await alice.locator('#submit-error').textContent(), /Tick the box/);
  assert.match(await alice.locator('.badge').first().textContent(), /circulating/);
  await confirmAndGo(alice, 'submit', 'Submit to the policy office');
  assert.match(await alice.locator('.badge').first().textContent(), /submitted/);
});

test('withdraw asks too, and the co-sign action is near the top on a phone', async () => {
  const other = await newMemo(alice, { title: 'Walkthrough: a memo to withdraw' });
  await go(alice, alice.getByRole('button', { name: 'Circulate for co-signature' }));
  assert.match(await alice.locator('#drafter-sign-note').textContent(), /Drafting is not a co-signature/);
  const { page: bob } = await session({ width: 390, height: 844 });
  await login(bob, 'bob');
  await bob.goto(`${BASE}/memos/${other}`);
  const sign = bob.locator('#signatures form[action$="/sign"] button');
  const box = await sign.boundingBox();
  const text = await bob.locator('.memo-text').boundingBox();
  assert.ok(box && text && box.y < text.y, `the co-sign button comes before the text (y=${box && box.y})`);
  await shot(bob, 'walkthrough-phone');
  await alice.goto(`${BASE}/memos/${other}`);
  await confirmAndGo(alice, 'withdraw', 'Withdraw the memo');
  assert.match(await alice.locator('.badge').first().textContent(), /withdrawn/);
});

test('a page reached after the session ended says it expired', async () => {
  const { page, context } = await session();
  await login(page, 'carol');
  const [c] = (await context.cookies()).filter((x) => x.name === 'dissent_session');
  await context.addCookies([{ ...c, value: 'expired-session-token' }]);
  await page.goto(`${BASE}/memos/new`);
  assert.equal(new URL(page.url()).pathname, '/login');
  assert.match(await page.locator('#session-expired').textContent(), /session has expired/);
});

test('the auditor finds the reads by memo, with titles, and can download them', async () => {
  const { page: ian } = await session();
  await login(ian, 'ian');
  await go(ian, ian.getByRole('link', { name: 'Access log' }).first());
  await ian.getByLabel('Memo id').fill(id);
  await ian.getByLabel('Reader (username)').fill('alice');
  await go(ian, ian.getByRole('button', { name: 'Show reads' }));
  assert.match(await ian.locator('#audit-summary').textContent(), /reads? match/);
  assert.match(await ian.locator('#audit-log').textContent(), /Walkthrough: staff the night desk/);
  const csv = await ian.locator('#audit-csv').getAttribute('href');
  assert.match(csv, new RegExp(`^/audit\\.csv\\?memo=${id}&member=alice`));
  const res = await ian.request.get(`${BASE}${csv}`);
  assert.equal(res.status(), 200);
  assert.match(res.headers()['content-type'], /^text\/csv/);
  await shot(ian, 'walkthrough-audit');
});
