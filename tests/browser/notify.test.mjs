// Notifications in real Chromium: the unread count in the header, the
// notifications page (open one, mark one read, mark all read) and the
// choices on the account page. Makes its own memo on the shared demo server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, pageErrors, useBrowser, session, go, login, shot, memoId } from './lib.mjs';

useBrowser();

let rita; // the policy office's page
let alice;
let memo;

// Marks everything read on the notifications page (the demo's account events).
async function clearAll(page) {
  await page.goto(`${BASE}/notifications`);
  const all = page.locator('#mark-all-read');
  if (await all.count()) await go(page, all);
  assert.equal(await page.locator('#unread-count').count(), 0, 'no unread marker left');
}

test('rita starts with nothing unread', async () => {
  ({ page: rita } = await session());
  await login(rita, 'rita');
  await clearAll(rita);
  ({ page: alice } = await session());
  await login(alice, 'alice');
  await clearAll(alice);
});

test('a submission shows as unread in the header of every page, and opening it reads it', async () => {
  await alice.goto(`${BASE}/memos/new`);
  await alice.getByLabel('Title').fill('Staff the Lagos consulate again');
  await alice.getByLabel('Classification marking').selectOption('SBU');
  await alice.getByLabel('Text').fill('The closure harms families.\n');
  await go(alice, alice.getByRole('button', { name: 'Save draft' }));
  memo = memoId(alice);
  await go(alice, alice.getByRole('button', { name: 'Circulate for co-signature' }));
  await alice.locator('#submit-confirm').check();
  await go(alice, alice.getByRole('button', { name: 'Submit to the policy office' }));

  for (const path of ['/', '/account', '/public']) {
    await rita.goto(`${BASE}${path}`);
    assert.equal(await rita.locator('#unread-count').textContent(), '1', `unread count on ${path}`);
  }
  const link = rita.getByRole('link', { name: /Notifications/ });
  assert.match(await link.textContent(), /1 unread/, 'the count is said in words too');
  await go(rita, link);
  await shot(rita, 'notifications-rita');
  const row = rita.locator('.notification-unread').first();
  assert.match(await row.textContent(), /A memo was submitted to the policy office/);
  assert.match(await row.textContent(), /Unread/, 'unread is said in words, not by colour alone');
  assert.doesNotMatch(await row.textContent(), /Lagos/, 'no title in the notification');
  await go(rita, row.getByRole('link', { name: /submitted/ }));
  assert.equal(memoId(rita), memo, 'opening it goes to the memo');
  assert.equal(await rita.locator('#unread-count').count(), 0, 'and reads it');
  await rita.goto(`${BASE}/notifications`);
  assert.match(await rita.locator('.notification').first().textContent(), /Read/);
});

test('mark one read, then mark all read', async () => {
  await alice.goto(`${BASE}/memos/${memo}`);
  await rita.goto(`${BASE}/memos/${memo}`);
  await go(rita, rita.getByRole('button', { name: 'Acknowledge receipt' }));
  // alice writes twice: rita has two unread messages
  for (const text of ['Here are the post reports.', 'And the budget.']) {
    await alice.goto(`${BASE}/memos/${memo}`);
    await alice.getByLabel('Write a message').fill(text);
    await go(alice, alice.getByRole('button', { name: /Send message/ }));
  }
  await rita.goto(`${BASE}/notifications`);
  assert.equal(await rita.locator('#unread-count').textContent(), '2');
  await go(rita, rita.getByRole('button', { name: /Mark read/ }).first());
  assert.equal(await rita.locator('#unread-count').textContent(), '1');
  await go(rita, rita.getByRole('button', { name: /Mark all 1 as read/ }));
  assert.equal(await rita.locator('#unread-count').count(), 0);
  assert.match(await rita.locator('.notice').textContent(), /Marked as read/);
});

test('rita chooses a mail address and a daily digest; the choices hold', async () => {
  await rita.goto(`${BASE}/account`);
  await rita.getByLabel('Mail address for notifications').fill('rita@example.org');
  const kind = rita.locator('#kind-submitted');
  await kind.getByLabel('Daily digest').check();
  await rita.locator('#kind-missed').getByLabel('Off').check();
  await shot(rita, 'account-notifications');
  await go(rita, rita.getByRole('button', { name: 'Save notification choices' }));
  assert.match(await rita.locator('.notice').textContent(), /notification choices are saved/);
  assert.equal(await rita.getByLabel('Mail address for notifications').inputValue(), 'rita@example.org');
  assert.ok(await rita.locator('#kind-submitted').getByLabel('Daily digest').isChecked());
  assert.ok(await rita.locator('#kind-missed').getByLabel('Off').isChecked());
  assert.ok(await rita.locator('#kind-reminder').getByLabel('Immediately').isChecked());
  // a refused address is said, and nothing changes
  await rita.getByLabel('Mail address for notifications').fill('not an address');
  await rita.evaluate(() => document.querySelector('#address').setAttribute('type', 'text'));
  await go(rita, rita.getByRole('button', { name: 'Save notification choices' }));
  assert.match(await rita.locator('main').textContent(), /must be a mail address/);
  await rita.goto(`${BASE}/account`);
  assert.equal(await rita.getByLabel('Mail address for notifications').inputValue(), 'rita@example.org');
  assert.deepEqual(pageErrors, []);
});
