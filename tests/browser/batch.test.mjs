// Counts as published: the memo page and the public record say how this
// server publishes signatures (batches, or at once on this test server),
// next to the counts, for members and for anyone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, useBrowser, session, go, login, memoId } from './lib.mjs';

useBrowser();

test('the memo page and the public record say how counts are published', async () => {
  const { page } = await session();
  await login(page, 'alice');
  await page.goto(`${BASE}/memos/new`);
  await page.getByLabel('Title').fill('Publish the consular wait times');
  await page.getByLabel('Classification marking').selectOption('SBU');
  await page.getByLabel('Text').fill('Every post, every month.\n');
  await go(page, page.getByRole('button', { name: 'Save draft' }));
  const id = memoId(page);
  await go(page, page.getByRole('button', { name: 'Circulate for co-signature' }));
  assert.match(await page.locator('#batch-note').textContent(), /Counts as published: .*at once/);
  const { page: anyone } = await session();
  await anyone.goto(`${BASE}/public?memo=${id}#counts`);
  assert.match(await anyone.locator('#batch-note').textContent(), /Counts as published/);
});
