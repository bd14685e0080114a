/* schema.c — versioned migrations. Each entry moves the schema from version
 * i to i+1; the applied version is kept in meta('schema_version'). Never edit
 * a released migration: add a new one.
 *
 * There is one list for both backends, written in SQLite's dialect with the
 * portable types INTEGER (64-bit), TEXT and BLOB. The PostgreSQL driver
 * translates it word by word (db_pg.c, pg_translate_ddl): INTEGER PRIMARY
 * KEY to an identity column, INTEGER to BIGINT, BLOB to BYTEA, TEXT to TEXT
 * COLLATE "C", WITHOUT ROWID dropped. Write new migrations in that subset:
 * no AUTOINCREMENT, no SQLite-only functions, ALTER TABLE … ADD COLUMN only. */
#include "store/store_internal.h"

#include "base/util.h"

#include <stdint.h>
#include <stdio.h>

static const char *const migrations[] = {
    /* 1: the channel */
    "CREATE TABLE organizations(\n"
    "  id INTEGER PRIMARY KEY, slug TEXT NOT NULL UNIQUE, name TEXT NOT NULL,\n"
    "  created_at INTEGER NOT NULL);\n"
    "CREATE TABLE members(\n"
    "  id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE, display_name TEXT NOT NULL,\n"
    "  org_id INTEGER NOT NULL REFERENCES organizations(id), roles INTEGER NOT NULL,\n"
    "  password_hash TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,\n"
    "  created_at INTEGER NOT NULL);\n"
    "CREATE TABLE sessions(\n"
    "  id INTEGER PRIMARY KEY, token_hash BLOB NOT NULL UNIQUE,\n"
    "  member_id INTEGER NOT NULL REFERENCES members(id), csrf TEXT NOT NULL,\n"
    "  created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);\n"
    "CREATE TABLE login_failures(username TEXT NOT NULL, at INTEGER NOT NULL);\n"
    "CREATE INDEX login_failures_user ON login_failures(username, at);\n"
    "CREATE TABLE channels(\n"
    "  id INTEGER PRIMARY KEY, slug TEXT NOT NULL UNIQUE, name TEXT NOT NULL,\n"
    "  preset TEXT NOT NULL, ceiling INTEGER NOT NULL, timezone TEXT NOT NULL,\n"
    "  ack_amount INTEGER NOT NULL, ack_unit INTEGER NOT NULL,\n"
    "  answer_amount INTEGER NOT NULL, answer_unit INTEGER NOT NULL,\n"
    "  ext_amount INTEGER NOT NULL, ext_unit INTEGER NOT NULL,\n"
    "  created_at INTEGER NOT NULL);\n"
    "CREATE TABLE holidays(\n"
    "  channel_id INTEGER NOT NULL REFERENCES channels(id), day INTEGER NOT NULL,\n"
    "  name TEXT NOT NULL, PRIMARY KEY(channel_id, day));\n"
    "CREATE TABLE memos(\n"
    "  id INTEGER PRIMARY KEY, public_id TEXT NOT NULL UNIQUE,\n"
    "  channel_id INTEGER NOT NULL REFERENCES channels(id), state INTEGER NOT NULL,\n"
    "  created_by INTEGER NOT NULL REFERENCES members(id), created_at INTEGER NOT NULL,\n"
    "  latest_version INTEGER NOT NULL DEFAULT 0,\n"
    "  submitted_at INTEGER, ack_due INTEGER, acknowledged_at INTEGER, answer_due INTEGER,\n"
    "  extended INTEGER NOT NULL DEFAULT 0, extension_reason TEXT, answered_at INTEGER,\n"
    "  answer TEXT, closed_at INTEGER, withdrawn_at INTEGER, updated_at INTEGER NOT NULL);\n"
    "CREATE TABLE memo_drafters(\n"
    "  memo_id INTEGER NOT NULL REFERENCES memos(id), member_id INTEGER NOT NULL REFERENCES "
    "members(id),\n"
    "  PRIMARY KEY(memo_id, member_id));\n"
    "CREATE TABLE versions(\n"
    "  memo_id INTEGER NOT NULL REFERENCES memos(id), number INTEGER NOT NULL,\n"
    "  hash TEXT NOT NULL, title TEXT NOT NULL, marking INTEGER NOT NULL, body TEXT NOT NULL,\n"
    "  author_id INTEGER NOT NULL REFERENCES members(id), created_at INTEGER NOT NULL,\n"
    "  verify_key TEXT, PRIMARY KEY(memo_id, number));\n"
    "CREATE TABLE signatures(\n"
    "  memo_id INTEGER NOT NULL REFERENCES memos(id), member_id INTEGER NOT NULL REFERENCES "
    "members(id),\n"
    "  version INTEGER NOT NULL, signed_at INTEGER NOT NULL, PRIMARY KEY(memo_id, member_id));\n"
    "CREATE TABLE signature_counts(\n"
    "  memo_id INTEGER NOT NULL, version INTEGER NOT NULL, org_id INTEGER NOT NULL,\n"
    "  count INTEGER NOT NULL CHECK(count >= 0), PRIMARY KEY(memo_id, version, org_id));\n"
    "CREATE TABLE signature_events(\n"
    "  memo_id INTEGER NOT NULL, at INTEGER NOT NULL, delta INTEGER NOT NULL);\n"
    "CREATE INDEX signature_events_memo ON signature_events(memo_id, at);\n"
    "CREATE TABLE messages(\n"
    "  id INTEGER PRIMARY KEY, memo_id INTEGER NOT NULL REFERENCES memos(id),\n"
    "  author_id INTEGER NOT NULL REFERENCES members(id), body TEXT NOT NULL,\n"
    "  created_at INTEGER NOT NULL);\n"
    "CREATE INDEX messages_memo ON messages(memo_id, id);\n"
    "CREATE TABLE access_log(\n"
    "  id INTEGER PRIMARY KEY, memo_id INTEGER NOT NULL REFERENCES memos(id),\n"
    "  reader_id INTEGER NOT NULL REFERENCES members(id), what TEXT NOT NULL, at INTEGER NOT "
    "NULL);\n"
    "CREATE INDEX access_log_memo ON access_log(memo_id, id);\n",
    /* 2: the transparency log (docs/protocol-tlog.md) and signature commitments */
    "CREATE TABLE tlog_leaves(\n"
    "  idx INTEGER PRIMARY KEY, data BLOB NOT NULL, memo TEXT, kind TEXT NOT NULL,\n"
    "  version INTEGER);\n"
    "CREATE INDEX tlog_leaves_memo ON tlog_leaves(memo, kind, version);\n"
    "CREATE TABLE tlog_nodes(\n"
    "  level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,\n"
    "  PRIMARY KEY(level, idx)) WITHOUT ROWID;\n"
    "ALTER TABLE signatures ADD COLUMN salt TEXT;\n",
    /* 3: rosters of ring keys, memo rings, anonymous co-signatures */
    "CREATE TABLE roster_entries(\n"
    "  org_id INTEGER NOT NULL REFERENCES organizations(id), seq INTEGER NOT NULL,\n"
    "  added INTEGER NOT NULL, public_key BLOB NOT NULL,\n"
    "  member_id INTEGER NOT NULL REFERENCES members(id), at INTEGER NOT NULL,\n"
    "  PRIMARY KEY(org_id, seq));\n"
    "CREATE UNIQUE INDEX roster_key_once ON roster_entries(public_key) WHERE added = 1;\n"
    "CREATE TABLE memo_rings(\n"
    "  memo_id INTEGER NOT NULL REFERENCES memos(id), org_id INTEGER NOT NULL,\n"
    "  ring_no INTEGER NOT NULL, roster_size INTEGER NOT NULL, digest TEXT NOT NULL,\n"
    "  count INTEGER NOT NULL, created_at INTEGER NOT NULL,\n"
    "  PRIMARY KEY(memo_id, org_id, ring_no));\n"
    "CREATE TABLE memo_ring_keys(\n"
    "  memo_id INTEGER NOT NULL, org_id INTEGER NOT NULL, ring_no INTEGER NOT NULL,\n"
    "  pos INTEGER NOT NULL, public_key BLOB NOT NULL, member_id INTEGER NOT NULL,\n"
    "  PRIMARY KEY(memo_id, org_id, ring_no, pos));\n"
    "CREATE TABLE anon_signatures(\n"
    "  memo_id INTEGER NOT NULL REFERENCES memos(id), tag BLOB NOT NULL,\n"
    "  version INTEGER NOT NULL, org_id INTEGER NOT NULL, ring_no INTEGER NOT NULL,\n"
    "  proof BLOB NOT NULL, day INTEGER NOT NULL, PRIMARY KEY(memo_id, tag));\n",
    /* 4: the access log keeps the reader's capacity at the time of the read
     * (roles, drafter), so a later role does not re-expose an earlier read;
     * older rows count as a plain member's reads */
    "ALTER TABLE access_log ADD COLUMN roles INTEGER NOT NULL DEFAULT 0;\n"
    "ALTER TABLE access_log ADD COLUMN drafter INTEGER NOT NULL DEFAULT 0;\n",
    /* 5: anonymous protocol v2 — the sequence number of every tag of a memo
     * (kept after a withdrawal, so an old proof cannot come back), the
     * minimum ring size of a channel, and single-use enrollment challenges */
    "CREATE TABLE anon_sequences(\n"
    "  memo_id INTEGER NOT NULL REFERENCES memos(id), tag BLOB NOT NULL,\n"
    "  next_seq INTEGER NOT NULL, PRIMARY KEY(memo_id, tag));\n"
    "INSERT INTO anon_sequences(memo_id, tag, next_seq) SELECT memo_id, tag, 1 FROM "
    "anon_signatures;\n"
    "ALTER TABLE channels ADD COLUMN min_ring INTEGER NOT NULL DEFAULT 10;\n"
    "CREATE TABLE enroll_challenges(\n"
    "  member_id INTEGER NOT NULL REFERENCES members(id), challenge BLOB NOT NULL,\n"
    "  expires_at INTEGER NOT NULL, PRIMARY KEY(member_id));\n",
    /* 6: encryption at rest (at_rest.c): each memo's key, wrapped by the
     * installation's data key; the text columns hold sealed values. */
    "ALTER TABLE memos ADD COLUMN data_key TEXT;\n",
    /* 7: accounts without shared secrets (setup links, recovery codes, account
     * events), throttling per username and client address, idle sessions */
    "CREATE TABLE account_setups(\n"
    "  member_id INTEGER PRIMARY KEY REFERENCES members(id),\n"
    "  token_hash BLOB NOT NULL UNIQUE, kind TEXT NOT NULL,\n"
    "  created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);\n"
    "CREATE TABLE account_recovery(\n"
    "  member_id INTEGER PRIMARY KEY REFERENCES members(id),\n"
    "  code_hash BLOB NOT NULL, created_at INTEGER NOT NULL);\n"
    "CREATE TABLE account_events(\n"
    "  id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL REFERENCES members(id),\n"
    "  kind TEXT NOT NULL, actor TEXT, detail TEXT NOT NULL, at INTEGER NOT NULL,\n"
    "  seen INTEGER NOT NULL DEFAULT 0);\n"
    "CREATE INDEX account_events_member ON account_events(member_id, id);\n"
    "CREATE TABLE login_throttle(\n"
    "  username TEXT NOT NULL, client TEXT NOT NULL, failures INTEGER NOT NULL,\n"
    "  last_at INTEGER NOT NULL, PRIMARY KEY(username, client));\n"
    "CREATE INDEX login_throttle_at ON login_throttle(last_at);\n"
    "CREATE INDEX login_throttle_client ON login_throttle(client, last_at);\n"
    "ALTER TABLE sessions ADD COLUMN last_seen INTEGER NOT NULL DEFAULT 0;\n",
    /* 8: publication in shuffled batches (channel/batch.c): what was
     * accepted and waits for its batch (no time of acceptance is kept, only
     * the batch it belongs to), and each tag's sequence number as published */
    "CREATE TABLE batch_queue(\n"
    "  id INTEGER PRIMARY KEY, kind TEXT NOT NULL, chain TEXT NOT NULL, fields TEXT NOT NULL,\n"
    "  memo TEXT, memo_id INTEGER, tag BLOB, version INTEGER NOT NULL DEFAULT 0,\n"
    "  org_id INTEGER, ring_no INTEGER, proof BLOB, seq INTEGER,\n"
    "  prev_version INTEGER NOT NULL DEFAULT 0, due INTEGER NOT NULL);\n"
    "CREATE INDEX batch_queue_due ON batch_queue(due);\n"
    "CREATE INDEX batch_queue_memo ON batch_queue(memo_id, tag);\n"
    "ALTER TABLE anon_sequences ADD COLUMN pub_next INTEGER NOT NULL DEFAULT 0;\n"
    "UPDATE anon_sequences SET pub_next = next_seq;\n",
    /* 9: a missed deadline is written to the log once: the leaf's index
     * column `version` holds the deadline (1 acknowledgement, 2 answer), and
     * the database itself refuses a second leaf for the same one */
    "CREATE UNIQUE INDEX tlog_deadline_missed ON tlog_leaves(memo, version)\n"
    "  WHERE kind = 'deadline-missed';\n"
    /* and who granted the extension, for the memo's timeline */
    "ALTER TABLE memos ADD COLUMN extended_by INTEGER;\n"
    /* and a version's optional change note (sealed like its text) */
    "ALTER TABLE versions ADD COLUMN change_note TEXT;\n",
    /* 10: notifications (channel/notify.c): in-app rows, each member's
     * choice per kind, mail addresses, the mail outbox and each channel's
     * reminder lead. A row's dedupe key makes a reminder or a missed
     * deadline notify once however often the job runs. */
    "CREATE TABLE notifications(\n"
    "  id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL REFERENCES members(id),\n"
    "  kind TEXT NOT NULL, event TEXT NOT NULL, memo_id INTEGER REFERENCES memos(id),\n"
    "  dedupe TEXT, at INTEGER NOT NULL, read_at INTEGER, mail INTEGER NOT NULL DEFAULT 0);\n"
    "CREATE INDEX notifications_member ON notifications(member_id, id);\n"
    "CREATE UNIQUE INDEX notifications_once ON notifications(member_id, dedupe);\n"
    "CREATE INDEX notifications_mail ON notifications(mail, member_id);\n"
    "CREATE TABLE notify_prefs(\n"
    "  member_id INTEGER NOT NULL REFERENCES members(id), kind TEXT NOT NULL,\n"
    "  mode INTEGER NOT NULL, PRIMARY KEY(member_id, kind));\n"
    "CREATE TABLE member_mail(\n"
    "  member_id INTEGER PRIMARY KEY REFERENCES members(id), address TEXT NOT NULL,\n"
    "  digest_at INTEGER NOT NULL DEFAULT 0);\n"
    "CREATE TABLE mail_outbox(\n"
    "  id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL REFERENCES members(id),\n"
    "  count INTEGER NOT NULL, digest INTEGER NOT NULL, created_at INTEGER NOT NULL,\n"
    "  attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL, done_at INTEGER,\n"
    "  outcome TEXT);\n"
    "CREATE INDEX mail_outbox_due ON mail_outbox(done_at, next_at);\n"
    "CREATE TABLE channel_reminders(\n"
    "  channel_id INTEGER PRIMARY KEY REFERENCES channels(id), working_days INTEGER NOT NULL);\n",
    /* 11: the second factor (totp.c): TOTP secrets sealed under the data key,
     * one-time recovery codes (hashed), pending logins between the password
     * and the code; a second factor is required of privileged roles unless
     * an admin turns the policy off. */
    "CREATE TABLE totp(\n"
    "  member_id INTEGER NOT NULL PRIMARY KEY REFERENCES members(id),\n"
    "  secret TEXT NOT NULL, confirmed INTEGER NOT NULL DEFAULT 0,\n"
    "  last_step INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL);\n"
    "CREATE TABLE totp_recovery(\n"
    "  id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL REFERENCES members(id),\n"
    "  code_hash BLOB NOT NULL, used_at INTEGER);\n"
    "CREATE INDEX totp_recovery_member ON totp_recovery(member_id);\n"
    "CREATE TABLE login_pending(\n"
    "  token_hash BLOB NOT NULL PRIMARY KEY, member_id INTEGER NOT NULL REFERENCES members(id),\n"
    "  client TEXT NOT NULL, tries INTEGER NOT NULL DEFAULT 0, expires_at INTEGER NOT NULL);\n"
    "INSERT INTO meta(key, value) VALUES('totp_required', '1') ON CONFLICT DO NOTHING;\n",
    /* 12: leadership's reminders to the policy office (channel/remind.c): who
     * asked about which memo when, for its timeline and to notify once */
    "CREATE TABLE leadership_reminders(\n"
    "  id INTEGER PRIMARY KEY, memo_id INTEGER NOT NULL REFERENCES memos(id),\n"
    "  member_id INTEGER NOT NULL REFERENCES members(id), at INTEGER NOT NULL);\n"
    "CREATE INDEX leadership_reminders_memo ON leadership_reminders(memo_id, at);\n",
    /* 13: a key's removal is found by index. The active keys of a roster
     * (added, with no later removal: store_roster_active, store_roster_list)
     * looked for each key's removal by scanning the organization's entries,
     * quadratic in the roster: a memo of an organization of 2^16 members
     * could not open its rings in an hour. */
    "CREATE INDEX roster_removed ON roster_entries(org_id, public_key, seq) WHERE added = 0;\n",
    /* 14: the anonymous protocol each stored signature was made under
     * (docs/protocol-ring.md §15): 2 for those accepted from now on, NULL
     * for those stored before, until `dissent migrate` re-verifies each
     * proof once and marks it 2 or 1 (0: verifies with neither);
     * signatures marked 1 (made before v2) are listed but not counted */
    "ALTER TABLE anon_signatures ADD COLUMN protocol INTEGER;\n",
    /* 15: what the queue holds back from the published named counts, per
     * memo, version and organization (store/batch.c keeps it with each queued
     * and each published entry): the counts read it in one indexed lookup
     * instead of summing the memo's whole queue, which grew with every
     * co-signature of a batch interval and was read twice per write */
    "CREATE TABLE batch_held(\n"
    "  memo_id INTEGER NOT NULL, version INTEGER NOT NULL, org_id INTEGER NOT NULL,\n"
    "  n INTEGER NOT NULL, PRIMARY KEY(memo_id, version, org_id));\n"
    "INSERT INTO batch_held(memo_id, version, org_id, n) SELECT memo_id, v, o, SUM(d) FROM ("
    "SELECT memo_id, version AS v, org_id AS o, -1 AS d FROM batch_queue WHERE kind = "
    "'signature' AND version > 0 UNION ALL SELECT memo_id, prev_version, org_id, 1 FROM "
    "batch_queue WHERE kind = 'signature' AND prev_version > 0) x WHERE o IS NOT NULL GROUP BY "
    "memo_id, v, o;\n",
    /* 16: every named co-signature asks whether its organization has as
     * many active members as the channel's minimum ring (channel/events.c);
     * without an index that question scanned every member of every
     * organization on each write */
    "CREATE INDEX IF NOT EXISTS members_org ON members(org_id, disabled);\n",
    /* 17: a memo's signature milestones are kept as its signature leaves
     * are appended (channel/timeline.c), with the running total they are
     * counted from: a memo's page read and parsed every signature leaf of
     * the memo (50,000 signatures: 80-150 ms per page view) to find them.
     * Memos signed before are noted on their next signature leaf. */
    "CREATE TABLE IF NOT EXISTS memo_signature_totals(memo TEXT PRIMARY KEY, total INTEGER NOT "
    "NULL);\n"
    "CREATE TABLE IF NOT EXISTS memo_milestones(\n"
    "  memo TEXT NOT NULL, idx INTEGER NOT NULL, mark INTEGER NOT NULL, PRIMARY KEY(memo, idx));\n",
    /* 18: a memo ring is fetched by its digest (GET
     * /api/v1/public/rings/:digest, store_ring_by_digest), public and on
     * every anonymous signer's path; without an index each fetch scanned
     * every ring of every memo, a table that grows with memos times
     * organizations (200,000 rings: 19 ms a fetch) */
    "CREATE INDEX IF NOT EXISTS memo_rings_digest ON memo_rings(digest);\n",
    /* 19: a roster's published size subtracts its queued enrollments
     * (store_batch_roster_pending) on every roster fetch (GET
     * /api/v1/rosters/:org) and every ring opened; without an index each
     * scanned the whole batch queue, which holds every co-signature of the
     * batch interval (20,000 queued: 1 ms a fetch). Partial: only the
     * roster entries, so a queued co-signature costs no index write. */
    "CREATE INDEX IF NOT EXISTS batch_queue_roster ON batch_queue(org_id) WHERE kind = 'roster';\n",
    /* 20: every login first deletes the expired and idle sessions
     * (store_sessions_purge), inside its write transaction; without these
     * indexes each login scanned every live session while holding the
     * writer (100,000 sessions: 7 ms a login). One index per side of the
     * OR: both backends read them together (SQLite's multi-index OR,
     * PostgreSQL's BitmapOr). */
    "CREATE INDEX IF NOT EXISTS sessions_expires ON sessions(expires_at);\n"
    "CREATE INDEX IF NOT EXISTS sessions_idle ON sessions(last_seen, created_at);\n",
    /* 21: a member's memo list (the default "my memos") starts from the
     * member's drafts and named signatures (STORE_MEMO_REL_*_SQL); it asked
     * of every memo whether the member drafted or signed it (20,000 memos:
     * 12-25 ms a list) */
    "CREATE INDEX IF NOT EXISTS memo_drafters_member ON memo_drafters(member_id);\n"
    "CREATE INDEX IF NOT EXISTS signatures_member ON signatures(member_id);\n",
    /* 22: a memo's anonymous counts (every memo view, and every named
     * co-signature's leaf) counted the rows of anon_signatures, each with
     * its proof: a page read per signature (STORE_ANON_COUNTS_SQL)... */
    "CREATE INDEX IF NOT EXISTS anon_signatures_counts ON anon_signatures(memo_id, version, "
    "org_id, protocol);\n",
    /* 23: ... and are now running totals, kept with every anonymous write
     * (rosters.c), derived here from the signatures already there (the
     * index of 22 still serves store_anon_pre_v2's count of v1 rows) */
    "CREATE TABLE IF NOT EXISTS anon_signature_counts(\n"
    "  memo_id INTEGER NOT NULL, version INTEGER NOT NULL, org_id INTEGER NOT NULL,\n"
    "  n INTEGER NOT NULL CHECK(n >= 0), PRIMARY KEY(memo_id, version, org_id));\n"
    "DELETE FROM anon_signature_counts;\n"
    "INSERT INTO anon_signature_counts(memo_id, version, org_id, n) SELECT memo_id, version, "
    "org_id, COUNT(*) FROM anon_signatures WHERE COALESCE(protocol, 2) <> 1 GROUP BY memo_id, "
    "version, org_id;\n",
    /* 24: a tree node is kept under the leaf whose append completes it (and
     * its level), no longer under (level, idx): a group commit's dozen
     * leaves completed nodes on up to 20 levels, one B-tree page each (about
     * 10 of the group's 47 WAL pages). In tlog_tree the nodes go in append
     * order, onto the table's last page or two (store/tlog.c). Idempotent,
     * as a rerun from an older version must be: tlog_nodes is made (empty)
     * when a rerun finds it gone. */
    "CREATE TABLE IF NOT EXISTS tlog_tree(\n"
    "  completed_by INTEGER NOT NULL, level INTEGER NOT NULL, hash BLOB NOT NULL,\n"
    "  PRIMARY KEY(completed_by, level)) WITHOUT ROWID;\n"
    "CREATE TABLE IF NOT EXISTS tlog_nodes(\n"
    "  level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,\n"
    "  PRIMARY KEY(level, idx)) WITHOUT ROWID;\n"
    "INSERT INTO tlog_tree(completed_by, level, hash) SELECT ((idx + 1) << CAST(level AS INT)) - "
    "1, level, hash FROM tlog_nodes;\n"
    "DROP TABLE tlog_nodes;\n",
    /* 25: the signer list (GET /api/v1/memos/:id/signatures) is read a
     * page at a time in signing order (STORE_SIGNER_PAGE_SQL); without this
     * index each page sorted every signature of the memo */
    "CREATE INDEX IF NOT EXISTS signatures_order ON signatures(memo_id, signed_at, member_id);\n",
    /* 26: a tag's sequence number is written when its signature is
     * accepted, before its shuffled batch is published: under a rowid the
     * rows numbered the arrivals, and a copy of the database gave the order
     * the batch hides. Keyed by (memo, tag) alone, the rows lie in the
     * tags' random order (on PostgreSQL the copy below is in that order; a
     * heap keeps later inserts in theirs: docs/threat-model.md).
     * Idempotent: a rerun copies the table again. */
    "CREATE TABLE IF NOT EXISTS anon_sequences_keyed(\n"
    "  memo_id INTEGER NOT NULL REFERENCES memos(id), tag BLOB NOT NULL,\n"
    "  next_seq INTEGER NOT NULL, pub_next INTEGER NOT NULL DEFAULT 0,\n"
    "  PRIMARY KEY(memo_id, tag)) WITHOUT ROWID;\n"
    "INSERT INTO anon_sequences_keyed(memo_id, tag, next_seq, pub_next) SELECT memo_id, tag, "
    "next_seq, pub_next FROM anon_sequences ORDER BY memo_id, tag;\n"
    "DROP TABLE anon_sequences;\n"
    "ALTER TABLE anon_sequences_keyed RENAME TO anon_sequences;\n",
};

/* The applied version, read inside the caller's transaction. */
static int schema_version(struct store *s, int64_t *have, struct err *e)
{
    int rc = -1, r;
    const char *t;
    struct db_stmt *st = db_query(s->db, e, DB_SCHEMA_VERSION_SQL, NULL);
    *have = 0;
    if (!st)
        goto out;
    r = db_next(st, e);
    if (r < 0)
        goto out;
    t = r ? db_text(st, 0) : NULL;
    if (t && parse_i64(t, 0, INT32_MAX, have)) {
        rc = err_set(e, ERR_DB, "the database's schema version '%s' is not a number", t);
        goto out;
    }
    rc = 0;
out:
    db_finish(st);
    return rc;
}

/* Each step reads the version and applies the next migration inside one
 * write transaction (db_begin), so two processes starting together on the
 * same database apply each migration once: the second waits, then sees the
 * first one's version. */
int store_migrate(struct store *s, struct err *e)
{
    int rc = -1;
    int64_t have = 0;
    char num[24];

    /* the migrations move the version themselves */
    db_schema_guard(s->db, 0);
    for (;;) {
        if (db_begin(s->db, e))
            goto out;
        if (db_exec_script(
                s->db, "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)",
                e) ||
            schema_version(s, &have, e))
            goto fail;
        if (have > (int64_t)ARRAY_LEN(migrations)) {
            err_set(e, ERR_DB,
                    "the database has schema version %lld, newer than this dissent knows (%zu)",
                    (long long)have, ARRAY_LEN(migrations));
            goto fail;
        }
        if (have == (int64_t)ARRAY_LEN(migrations))
            break;
        snprintf(num, sizeof num, "%lld", (long long)have + 1);
        if (db_exec_script(s->db, migrations[have], e) ||
            db_exec(s->db, e,
                    "INSERT INTO meta(key, value) VALUES('schema_version', ?) ON CONFLICT(key) DO "
                    "UPDATE SET value = excluded.value",
                    "s", num) ||
            db_commit(s->db, e))
            goto fail;
    }
    if (db_commit(s->db, e))
        goto fail;
    db_schema_guard(s->db, (int64_t)ARRAY_LEN(migrations));
    rc = 0;
    goto out;
fail:
    db_rollback(s->db);
out:
    return rc;
}
