// The memo's timeline and the channel's public responsiveness page in real
// Chromium: every event in order, deadlines in words ("met on …", "due in N
// working days (Wed 2 Dec)"), never "Due by", one time zone said once; the
// public figures linked from the public record, the chart's axis labelled
// and missed bars told apart by more than colour. Makes its own memo.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, pageErrors, useBrowser, session, go, login, shot, memoId } from './lib.mjs';

useBrowser();

const DAY = /(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)( \d{4})?/;
let memo;

// The timeline's entries as their visible text, one string each.
async function entries(page) {
  return (await page.locator('#timeline > li').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
}

test('the timeline tells the story of a memo in order, in words', async () => {
  const { context, page: alice } = await session();
  await login(alice, 'alice');
  await go(alice, alice.getByRole('link', { name: 'Draft a new memo' }));
  await alice.getByLabel('Title').fill('Timeline: staff the consular hotline');
  await alice.getByLabel('Classification marking').selectOption('SBU');
  await alice.getByLabel('Text').fill('The hotline is unstaffed at night.\n');
  await go(alice, alice.getByRole('button', { name: 'Save draft' }));
  memo = memoId(alice);
  await go(alice, alice.getByRole('link', { name: /Edit/ }));
  await alice.getByLabel('Text').fill('The hotline is unstaffed at night and on weekends.\n');
  await alice.getByLabel('What changed').fill('Weekends added');
  await go(alice, alice.getByRole('button', { name: 'Save new version' }));
  await go(alice, alice.getByRole('button', { name: 'Circulate for co-signature' }));
  await alice.locator('#submit-confirm').check();
  await go(alice, alice.getByRole('button', { name: 'Submit to the policy office' }));

  let tl = await entries(alice);
  assert.match(tl[0], /^Drafted \d{4}-\d\d-\d\d \d\d:\d\d by Alice Archer$/);
  assert.match(tl[1], /^Version 2 saved .* by Alice Archer: “Weekends added”$/, 'with its change note');
  assert.match(tl[2], /^Opened for co-signatures /);
  assert.match(tl[3], /^Submitted to the policy office /);
  // what is owed, in working days and with its day
  assert.match(tl[4], new RegExp(`^Acknowledgement (due in \\d+ working days?|due today) \\(${DAY.source}\\)$`));
  assert.match(tl[5], new RegExp(`^Answer due in \\d+ working days \\(${DAY.source}\\)$`));
  assert.doesNotMatch(tl.join(' | '), /due due/, 'the label and its words read as one');
  const html = await alice.content();
  assert.doesNotMatch(html, /Due by/);
  // one time zone, said once; no zone name beside each time
  assert.equal((html.match(/America\/New_York/g) || []).length, 1);
  assert.match(await alice.locator('#tz-note').textContent(), /Times in America\/New_York/);
  assert.doesNotMatch(tl.join(' '), /\b(EST|EDT|UTC)\b/);
  await shot(alice, 'timeline-submitted');

  const { context: rc, page: rita } = await session();
  await login(rita, 'rita');
  await rita.goto(`${BASE}/memos/${memo}`);
  await go(rita, rita.getByRole('button', { name: 'Acknowledge receipt' }));
  await rita.getByLabel('Reason').fill('We consult the posts first.');
  await go(rita, rita.getByRole('button', { name: 'Extend the deadline' }));
  await rita.getByLabel('Write a message').fill('Which posts are affected?');
  await go(rita, rita.getByRole('button', { name: 'Send message' }));

  await alice.reload();
  tl = await entries(alice);
  const ack = tl.find((t) => t.startsWith('Acknowledged'));
  assert.match(ack, new RegExp(`met on ${DAY.source}$`), 'a deadline met reads "met on …"');
  const ext = tl.find((t) => t.startsWith('Answer deadline extended'));
  assert.match(ext, new RegExp(`by Rita Reyes \\(the policy office\\), from ${DAY.source} to ${DAY.source}\\. Reason: We consult the posts first\\.`));
  assert.ok(tl.some((t) => /^Message from .* \(policy office\)/.test(t)), 'messages are in the timeline');
  assert.match(tl[tl.length - 1], /^Answer due in \d+ working days/, 'what is owed comes last');
  // in order: each entry with a time is not earlier than the one before
  const times = await alice.locator('#timeline time').evaluateAll((ts) => ts.map((t) => t.getAttribute('datetime')));
  assert.deepEqual([...times].sort(), times);
  await shot(alice, 'timeline-acknowledged');
  await rc.close();
  await context.close();
});

test('the public record links each channel\'s responsiveness, computed from the log', async () => {
  const { context, page } = await session();
  await page.goto(`${BASE}/public`);
  await go(page, page.getByRole('link', { name: 'Dissent Channel' }));
  assert.equal(new URL(page.url()).pathname, '/public/channels/dissent');
  assert.match(await page.locator('h1').textContent(), /How the policy office answers on Dissent Channel/);
  assert.match(await page.locator('#f-ack').textContent(), /^\d+ met, \d+ missed/);
  assert.match(await page.locator('#f-ack-median').textContent(), /working day|none yet/);
  assert.match(await page.locator('main').textContent(), /dissent stats --server URL --channel dissent/);
  // the acknowledgement met above falls due in some month: a chart and its table
  const chart = page.locator('figure.chart svg');
  assert.equal(await chart.count(), 1);
  assert.match(await chart.locator('title').first().textContent(), /Deadlines met and missed, by the month they fell due/);
  assert.ok((await chart.locator('text').allTextContents()).includes('deadlines'), 'the y axis says what it counts');
  assert.match(await page.locator('figcaption').textContent(), /missed \(hatched\)/);
  assert.equal(await page.locator('#months tbody tr').count() >= 1, true);
  await shot(page, 'public-channel');
  assert.deepEqual(pageErrors, []);
  await context.close();
});
