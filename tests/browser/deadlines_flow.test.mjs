// Issue 13's "done when", in real Chromium: a memo walked through submission
// on a server whose clock is then moved past both deadlines. The reviewer
// gets the reminder by mail (a real SMTP server, tests/e2e/smtp_sink.py) and
// in the app; the server writes the missed deadlines as log leaves and shows
// them on the public pages; `dissent stats` recomputes the same figures from
// the public log. The pages only a moved clock shows (overdue, missed) are
// checked with axe-core too, and overdue is said in words. Last, the auditor
// finds the reviewer's reads by filtering the access log by memo, member and day.
//
// This file starts its own server (run.sh's shared one keeps the real
// clock): the binary from DISSENT_BIN, set by run.sh; the clock pinned with
// DISSENT_FAKE_NOW and moved by restarting the server, as the end-to-end
// tests do. A moved clock ends sessions: everyone signs in again.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { useBrowser, session, go, shot, memoId, pageErrors } from './lib.mjs';
import { violations } from './axe.mjs';

useBrowser();

const BIN = process.env.DISSENT_BIN;
const here = path.dirname(fileURLToPath(import.meta.url));
const SINK = path.join(here, '..', 'e2e', 'smtp_sink.py');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dissent-deadlines-'));
const DB = path.join(tmp, 'dissent.db');
const MAILS = path.join(tmp, 'mails');
const T0 = '2026-11-20T15:00:00Z'; // Friday: submitted; the acknowledgement is due Tue 24 Nov
const T1 = '2026-11-23T15:00:00Z'; // Monday: one working day before, the reminder
const T2 = '2027-03-01T12:00:00Z'; // past the acknowledgement's and the answer's deadlines
const TITLE = 'Deadlines: answer the consular staffing memo';

let port, url, server, sink, memo;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls fn until it gives something true. 60 s by default: CI's machine may
// be loaded, and a wait that ends early costs nothing.
async function until(what, fn, ms = 60000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

function stop(child) {
  if (!child || child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGTERM'); });
}

// The SMTP server: Debian's python3-aiosmtpd, which may not be in the first python3.
async function startSink() {
  const py = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import aiosmtpd']).status === 0);
  assert.ok(py, 'python3-aiosmtpd is missing (scripts/deps.sh test)');
  fs.mkdirSync(MAILS, { recursive: true });
  const pf = path.join(tmp, 'smtp.port');
  sink = spawn(py, [SINK, MAILS, pf, '0'], { stdio: 'ignore' });
  return Number(await until('the SMTP sink', () => fs.existsSync(pf) && fs.readFileSync(pf, 'utf8').trim()));
}
let smtpPort;

// serve with its clock pinned at NOW, on the same port each time (the public URL names it).
async function serveAt(now) {
  await stop(server);
  const pf = path.join(tmp, 'port');
  fs.rmSync(pf, { force: true });
  const log = fs.openSync(path.join(tmp, 'serve.log'), 'a');
  server = spawn(BIN, ['serve', '--db', DB, '--listen', `127.0.0.1:${port}`, '--port-file', pf,
    '--batch-interval', '0', '--smtp-insecure'], {
    stdio: ['ignore', log, log],
    env: { ...process.env, DISSENT_FAKE_NOW: now, DISSENT_SMTP: `smtp://127.0.0.1:${smtpPort}`,
      DISSENT_MAIL_FROM: 'dissent@dissent.test', DISSENT_PUBLIC_URL: url },
  });
  await until(`the server at ${now}`, () => fs.existsSync(pf) && fs.readFileSync(pf, 'utf8').trim());
}

async function signIn(page, user) {
  await page.goto(`${url}/login`);
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill(`${user}-demo-pass`);
  await go(page, page.getByRole('button', { name: 'Log in' }));
  assert.equal(new URL(page.url()).pathname, '/', `${user} is signed in`);
}

// The mails the sink holds for ADDRESS, oldest first.
function mailsTo(address) {
  return fs.readdirSync(MAILS).filter((f) => f.endsWith('.eml')).sort()
    .map((f) => fs.readFileSync(path.join(MAILS, f), 'utf8'))
    .filter((m) => m.split('\n').includes(`X-Envelope-To: ${address}`));
}

async function accessible(page, name) {
  const v = await violations(page);
  assert.deepEqual(v.map((x) => `${x.id}: ${x.nodes.join(' / ')}`), [], `${name}: WCAG A/AA violations`);
}

after(async () => {
  await stop(server);
  await stop(sink);
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('setup: a demo database, an SMTP server, a server whose clock reads Friday 20 Nov', async () => {
  assert.ok(BIN, 'DISSENT_BIN must be set (run.sh sets it)');
  execFileSync(BIN, ['demo', '--db', DB], { stdio: 'ignore' });
  smtpPort = await startSink();
  port = await freePort();
  url = `http://127.0.0.1:${port}`;
  await serveAt(T0);
});

test('on Friday: rita gives a mail address; alice drafts, bob co-signs, alice submits', async () => {
  const { page: rita, context: rc } = await session();
  await signIn(rita, 'rita');
  await rita.goto(`${url}/account`);
  await rita.getByLabel('Mail address for notifications').fill('rita@example.org');
  await go(rita, rita.getByRole('button', { name: 'Save notification choices' }));
  assert.match(await rita.locator('.notice').textContent(), /notification choices are saved/);

  const { page: alice, context: ac } = await session();
  await signIn(alice, 'alice');
  await go(alice, alice.getByRole('link', { name: 'Draft a new memo' }));
  await alice.getByLabel('Title').fill(TITLE);
  await alice.getByLabel('Classification marking').selectOption('SBU');
  await alice.getByLabel('Text').fill('The consular section needs two more officers.\n');
  await go(alice, alice.getByRole('button', { name: 'Save draft' }));
  memo = memoId(alice);
  await go(alice, alice.getByRole('button', { name: 'Circulate for co-signature' }));
  const { page: bob, context: bc } = await session();
  await signIn(bob, 'bob');
  await bob.goto(`${url}/memos/${memo}`);
  await go(bob, bob.getByRole('button', { name: 'Co-sign version 1' }));
  await alice.reload();
  await alice.locator('#submit-confirm').check();
  await go(alice, alice.getByRole('button', { name: 'Submit to the policy office' }));
  assert.match(await alice.locator('#review').textContent(), /Acknowledgement\s+due/);
  // the submission reaches rita by mail before the clock moves
  await until('the submission mail to rita', () => mailsTo('rita@example.org').length >= 1);
  // let rita's mails leave before the clock moves (the mail job runs every 2 s): the next
  // test counts hers
  await until("rita's outbox to drain", () => execFileSync('sqlite3', [DB,
    "SELECT COUNT(*) FROM mail_outbox o JOIN members m ON m.id = o.member_id WHERE m.username = 'rita' AND o.done_at IS NULL",
  ]).toString().trim() === '0');
  for (const c of [rc, ac, bc]) await c.close();
});

test('on Monday: the reminder reaches rita by mail and in the app', async () => {
  const before = mailsTo('rita@example.org').length;
  await serveAt(T1);
  await until('the reminder mail', () => mailsTo('rita@example.org').length > before);
  const mail = mailsTo('rita@example.org').at(-1);
  assert.match(mail, new RegExp(`${url}/notifications`), 'the mail links to the notifications');
  assert.doesNotMatch(mail, /consular|Deadlines:/, 'no title in the mail');
  assert.doesNotMatch(mail, new RegExp(memo), 'nor the memo id');

  const { page: rita, context } = await session();
  await signIn(rita, 'rita');
  assert.ok(Number(await rita.locator('#unread-count').textContent()) >= 1, 'an unread marker');
  await go(rita, rita.getByRole('link', { name: /Notifications/ }));
  const row = rita.locator('.notification-unread', { hasText: 'acknowledgement is due soon' });
  assert.equal(await row.count(), 1, 'the reminder is in the app');
  assert.match(await row.textContent(), /Unread/);
  await accessible(rita, 'notifications with a reminder');
  await go(rita, row.getByRole('link').first());
  assert.equal(memoId(rita), memo, 'the reminder leads to the memo');
  await shot(rita, 'deadlines-reminder');
  await context.close();
});

test('past both deadlines: the server logs them missed, the pages say so, in words', async () => {
  await serveAt(T2);
  const facts = await until('two missed-deadline leaves', async () => {
    const r = await fetch(`${url}/api/v1/public/memos/${memo}`);
    const d = await r.json();
    return d.review && d.review.missed_leaves.length === 2 ? d : null;
  });
  assert.deepEqual(facts.review.missed_leaves.map((l) => l.deadline).sort(), ['acknowledgement', 'answer']);
  const leaves = facts.review.missed_leaves.map((l) => l.index);
  // the leaves are in the public log, as kind deadline-missed
  const log = await (await fetch(`${url}/api/v1/log/memos/${memo}`)).json();
  assert.equal(log.leaves.filter((l) => l.data.includes('"kind":"deadline-missed"')).length, 2);

  const { page, context } = await session();
  await page.goto(`${url}/public?memo=${memo}`);
  const missed = await page.locator('#missed').textContent();
  assert.match(missed, /The policy office missed a deadline on this memo/);
  for (const i of leaves) assert.match(missed, new RegExp(`leaf ${i}:`));
  await accessible(page, 'public facts of a memo with missed deadlines');

  await page.goto(`${url}/public/channels/dissent`);
  const fig = async (id) => (await page.locator(`#${id}`).textContent()).replace(/\s+/g, ' ').trim();
  const shown = {
    ack: await fig('f-ack'), answer: await fig('f-answer'), overdue: await fig('f-overdue'),
    leaves: await fig('f-leaves'), submitted: await fig('f-submitted'),
  };
  assert.equal(shown.submitted, '1');
  assert.equal(shown.ack, '0 met, 1 missed');
  assert.equal(shown.answer, '0 met, 1 missed');
  assert.equal(shown.overdue, '1 memo (overdue)', 'overdue in words, not colour alone');
  assert.equal(shown.leaves, '2');
  await accessible(page, 'public channel with missed deadlines');
  await shot(page, 'deadlines-public-channel');

  // anyone recomputes the same figures from the public log
  const out = execFileSync(BIN, ['stats', '--server', url, '--channel', 'dissent', '--json'], {
    env: { ...process.env, DISSENT_FAKE_NOW: T2, DISSENT_CONFIG: path.join(tmp, 'nobody.json'),
      DISSENT_LOG_KEYS: path.join(tmp, 'logkeys.json'), DISSENT_LOG_HISTORY: path.join(tmp, 'history'),
      XDG_CONFIG_HOME: tmp },
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  });
  const st = JSON.parse(out).channels[0];
  assert.equal(st.server_agrees, true, 'dissent stats agrees with the server');
  assert.equal(`${st.acknowledgement.met} met, ${st.acknowledgement.missed} missed`, shown.ack);
  assert.equal(`${st.answer.met} met, ${st.answer.missed} missed`, shown.answer);
  assert.equal(String(st.missed_leaves), shown.leaves);
  assert.equal(String(st.memos_submitted), shown.submitted);
  assert.equal(st.overdue_now, 1);
  await context.close();

  // the memo's own page and the policy office's home, overdue in words
  const { page: rita, context: rc } = await session();
  await signIn(rita, 'rita');
  const row = rita.locator('tr', { hasText: TITLE }).first();
  assert.match(await row.textContent(), /Overdue/, 'an overdue row says so in words');
  await accessible(rita, 'home of the policy office with an overdue memo');
  await rita.goto(`${url}/memos/${memo}`);
  assert.match(await rita.locator('.notice-danger').first().textContent(), /is overdue/);
  const tl = (await rita.locator('#timeline > li').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
  assert.equal(tl.filter((t) => t.startsWith('Deadline missed')).length, 2, `the timeline: ${tl.join(' | ')}`);
  assert.ok(tl.some((t) => /missed by \d+ working days/.test(t)), 'missed by N working days');
  await accessible(rita, 'memo with missed deadlines (policy office)');
  await shot(rita, 'deadlines-memo-overdue');
  await rc.close();

  // the drafter's own list says it too, not only with the row's red edge
  const { page: alice, context: ac } = await session();
  await signIn(alice, 'alice');
  assert.match(await alice.locator('tr', { hasText: TITLE }).first().textContent(), /Overdue/,
    'overdue in words in the drafter\'s list');
  await accessible(alice, 'home of the drafter with an overdue memo');
  await ac.close();

  const { page: lena, context: lc } = await session();
  await signIn(lena, 'lena');
  assert.match(await lena.locator('#overdue-h').textContent(), /Overdue/);
  assert.match(await lena.locator('tr', { hasText: TITLE }).first().textContent(), /Overdue/);
  await accessible(lena, 'home of leadership with an overdue memo');
  await shot(lena, 'deadlines-home-lena');
  await lc.close();
});

test('the auditor finds the reviewer\'s reads by filtering the access log', async () => {
  const { page: ian, context } = await session();
  await signIn(ian, 'ian');
  await go(ian, ian.getByRole('link', { name: 'Access log' }).first());
  assert.equal(new URL(ian.url()).pathname, '/audit');
  // rita's reads of the memo on Monday, the day of the reminder: the memo,
  // the member and the day, typed in the filter form
  await ian.getByLabel('Memo id').fill(memo);
  await ian.getByLabel('Reader (username)').fill('rita');
  await ian.getByLabel('From (UTC day)').fill('2026-11-23');
  await ian.getByLabel('To (UTC day, included)').fill('2026-11-23');
  await go(ian, ian.getByRole('button', { name: 'Show reads' }));
  const q = new URL(ian.url()).searchParams;
  assert.deepEqual([q.get('memo'), q.get('member'), q.get('from'), q.get('to')],
    [memo, 'rita', '2026-11-23', '2026-11-23'], 'the filters are in the address');
  const rows = ian.locator('#audit-log tbody tr');
  const n = await rows.count();
  assert.ok(n >= 1, 'rita\'s Monday reads are found');
  assert.match(await ian.locator('#audit-summary').textContent(), new RegExp(`^${n} reads? match`));
  const cells = [];
  for (let i = 0; i < n; i++) {
    const row = rows.nth(i);
    const tds = (await row.locator('td').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
    cells.push(tds);
    assert.match(tds[0], /2026-11-23/, 'read on Monday');
    assert.match(tds[2], /Rita Reyes rita/, 'by rita');
    const link = row.locator('td').nth(1).getByRole('link', { name: TITLE });
    assert.equal(await link.getAttribute('href'), `/memos/${memo}/access`, 'the title links to the memo\'s reads');
  }
  assert.ok(cells.some((c) => c[4] === 'text of version 1'), `the memo's text was read: ${JSON.stringify(cells)}`);
  await accessible(ian, 'the access log, filtered');
  await shot(ian, 'deadlines-audit-filtered');

  // the days after the missed deadlines hold more of her reads; none of another reader's
  await ian.getByLabel('To (UTC day, included)').fill('2027-03-01');
  await go(ian, ian.getByRole('button', { name: 'Show reads' }));
  assert.ok(await rows.count() > n, 'the wider range finds her later reads too');
  for (const t of await rows.locator('td:nth-child(3)').allTextContents()) assert.match(t, /rita/);

  // and the title link leads to the memo's own access log, with her reads
  await go(ian, rows.first().getByRole('link', { name: TITLE }));
  assert.equal(new URL(ian.url()).pathname, `/memos/${memo}/access`);
  assert.match(await ian.locator('main').textContent(), /Rita Reyes/);
  await context.close();
  assert.deepEqual(pageErrors, []);
});
