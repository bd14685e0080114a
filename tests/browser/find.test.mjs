// Finding memos in real Chromium (issue #13, "Finding things"): the list
// page's search and filters (a bad filter explained on the page), another
// member never finding a draft, leadership's reminder to the policy office
// from the list, and outsiders finding a memo's public facts by its id or by
// pasting a copy's verification line. Makes its own memos.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, pageErrors, useBrowser, session, go, login, shot, memoId } from './lib.mjs';
import { assertAccessible } from './axe.mjs';

useBrowser();

let memo;

async function draft(page, title, marking, text) {
  await page.goto(`${BASE}/`);
  await go(page, page.getByRole('link', { name: 'Draft a new memo' }));
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('Classification marking').selectOption(marking);
  await page.getByLabel('Text').fill(text);
  await go(page, page.getByRole('button', { name: 'Save draft' }));
  return memoId(page);
}

test('the list page searches and filters; others never find a draft', async () => {
  const { context, page: alice } = await session();
  await login(alice, 'alice');
  memo = await draft(alice, 'Find: the walrus memo', 'SBU', 'Counting every narwhal.\n');
  const other = await draft(alice, 'Find: a second memo', 'UNCLASSIFIED', 'Nothing of narwhals here? Yes, narwhal.\n');

  await go(alice, alice.getByRole('link', { name: 'Find memos' }));
  await alice.getByLabel('Words to find').fill('NARWHAL walrus');
  await go(alice, alice.getByRole('button', { name: 'Find' }));
  let table = await alice.locator('#found').textContent();
  assert.match(table, /Find: the walrus memo/);
  assert.doesNotMatch(table, /Find: a second memo/);
  assert.match(await alice.locator('#found-h').textContent(), /^1 memo/);

  // filters: the marking narrows a search to the other memo
  await alice.getByLabel('Words to find').fill('narwhal');
  await alice.locator('details.find-filters summary').click();
  await alice.getByLabel('Marking').selectOption('UNCLASSIFIED');
  await alice.getByLabel('State').selectOption('draft');
  await go(alice, alice.getByRole('button', { name: 'Find' }));
  table = await alice.locator('#found').textContent();
  assert.match(table, /Find: a second memo/);
  assert.doesNotMatch(table, /walrus/);
  assert.equal(new URL(alice.url()).searchParams.get('marking'), 'UNCLASSIFIED');
  await shot(alice, 'find-filters');
  await assertAccessible(alice, 'the list page, filters open');

  // a bad filter is a message, with the form kept
  const res = await alice.goto(`${BASE}/memos?scope=mine&q=narwhal&from=2026-02-31x`);
  assert.equal(res.status(), 400);
  assert.match(await alice.getByRole('alert').first().textContent(), /From must be a date/);
  assert.equal(await alice.getByLabel('Words to find').inputValue(), 'narwhal');
  await assertAccessible(alice, 'the list page with a refused filter');

  // "My memos" on the home page, split into drafted and co-signed
  await alice.goto(`${BASE}/`);
  assert.equal(await alice.locator('#drafted-h').textContent(), 'Memos I draft');
  assert.equal(await alice.locator('#signed-h').textContent(), 'Memos I co-signed');

  const { context: bc, page: bob } = await session();
  await login(bob, 'bob');
  for (const q of ['narwhal', 'walrus']) {
    await bob.goto(`${BASE}/memos?scope=mine&q=${q}`);
    assert.doesNotMatch(await bob.content(), /walrus memo|second memo/);
    await bob.goto(`${BASE}/memos?scope=signable&q=${q}`);
    assert.doesNotMatch(await bob.content(), /walrus memo|second memo/);
  }
  assert.match(await bob.locator('#found').textContent(), /No memo matches/);
  assert.ok(other);
  await bc.close();
  await context.close();
  assert.deepEqual(pageErrors, []);
});

test('leadership reminds the policy office from the list', async () => {
  const { context, page: alice } = await session();
  await login(alice, 'alice');
  await alice.goto(`${BASE}/memos/${memo}`);
  await go(alice, alice.getByRole('button', { name: 'Circulate for co-signature' }));
  await alice.locator('#submit-confirm').check();
  await go(alice, alice.getByRole('button', { name: 'Submit to the policy office' }));
  await context.close();

  const { context: lc, page: lena } = await session();
  await login(lena, 'lena');
  await go(lena, lena.getByRole('link', { name: 'Find memos' }));
  assert.equal(await lena.getByLabel('List').inputValue(), 'all');
  await go(lena, lena.getByRole('button', { name: 'Remind the policy office of Find: the walrus memo' }));
  assert.match(await lena.getByRole('status').first().textContent(), /The policy office was reminded/);
  assert.match(await lena.locator('#remind').textContent(), /last reminded/);
  await shot(lena, 'find-remind');
  await assertAccessible(lena, "leadership's list with reminders");
  await lc.close();

  const { context: rc, page: rita } = await session();
  await login(rita, 'rita');
  await rita.goto(`${BASE}/notifications`);
  assert.match(await rita.locator('main').textContent(), /Leadership asks the policy office about a memo/);
  await rita.goto(`${BASE}/memos/${memo}`);
  assert.match(await rita.locator('#timeline').textContent(), /Leadership reminded the policy office/);
  await rc.close();
  assert.deepEqual(pageErrors, []);
});

test('outsiders find a memo by its id or a verification line', async () => {
  const { context, page: alice } = await session();
  await login(alice, 'alice');
  const copy = await (await alice.request.get(`${BASE}/api/v1/memos/${memo}/versions/1/rendering`)).text();
  const line = copy.split('\n').find((l) => l.startsWith('dissent-verify:'));
  assert.ok(line, 'the rendering has its verification line');
  await context.close();

  const { context: ac, page: anyone } = await session();
  await anyone.goto(`${BASE}/public`);
  await anyone.getByLabel('Memo identifier or verification line').fill(memo);
  await go(anyone, anyone.getByRole('button', { name: 'Find this memo' }));
  assert.equal(await anyone.locator('#found-memo').textContent(), memo);
  assert.match(await anyone.locator('#found-by').textContent(), /its id/);

  await anyone.getByLabel('Memo identifier or verification line').fill(line);
  await go(anyone, anyone.getByRole('button', { name: 'Find this memo' }));
  assert.equal(await anyone.locator('#found-memo').textContent(), memo);
  assert.match(await anyone.locator('#found-by').textContent(), /verification line, which names version 1 \(registered in the log\)/);
  assert.doesNotMatch(new URL(anyone.url()).search, /dissent-verify/, 'the line is not in the address');
  await shot(anyone, 'find-public');
  await assertAccessible(anyone, 'the public lookup by verification line');

  await anyone.getByLabel('Memo identifier or verification line').fill('not a memo');
  const res = await go(anyone, anyone.getByRole('button', { name: 'Find this memo' }));
  assert.equal(res.status(), 400);
  assert.match(await anyone.locator('#lookup-error').textContent(), /neither a memo identifier/);
  await assertAccessible(anyone, 'the public lookup refused');
  await ac.close();
  assert.deepEqual(pageErrors, []);
});
