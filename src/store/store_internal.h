/* store_internal.h — shared by the files of src/store/ only. */
#ifndef DISSENT_STORE_INTERNAL_H
#define DISSENT_STORE_INTERNAL_H

#include "store/db.h"
#include "store/keydir.h"
#include "store/seal.h"
#include "store/store.h"

struct store {
    struct db *db;
    struct keydir keys;
    unsigned char data_key[SEAL_KEY_SIZE]; /* wraps each memo's key; wiped on close */
    /* The key store_memo_key_new made last, for store_memo_key: a memo is
     * made and its first version sealed in one transaction, which need not
     * read back the key it has just stored. Forgotten (wiped) when a
     * transaction or a group's operation begins or ends. */
    int64_t new_key_memo; /* 0: none */
    unsigned char new_key[SEAL_KEY_SIZE];
};

/* Forgets new_key (store.c). */
void store_forget_new_key(struct store *s);

/* ---- encryption at rest (at_rest.c) ---- */
#define STORE_AD_MAX 128
/* The associated data of a sealed field: of the memo itself (row NULL), or
 * of row number row_no ("version", "message") of the memo. */
void store_ad(char out[STORE_AD_MAX], int64_t memo_id, const char *row, int64_t row_no,
              const char *field);
/* Seals / opens a text value with a memo key; NULL stays NULL. */
int store_seal_text(struct pool *p, const unsigned char key[SEAL_KEY_SIZE], const char *ad,
                    const char *plain, char **out, struct err *e) WUR;
int store_open_text(struct pool *p, const unsigned char key[SEAL_KEY_SIZE], const char *ad,
                    const char *sealed, char **out, struct err *e) WUR;
/* The key of a memo: read and unwrapped (store_memo_key), unwrapped from
 * its stored form (store_memo_key_unwrap), or made and stored for a new
 * memo (store_memo_key_new). The caller wipes key. */
int store_memo_key(struct store *s, int64_t memo_id, unsigned char key[SEAL_KEY_SIZE],
                   struct err *e) WUR;
int store_memo_key_unwrap(struct store *s, int64_t memo_id, const char *wrapped,
                          unsigned char key[SEAL_KEY_SIZE], struct err *e) WUR;
int store_memo_key_new(struct store *s, int64_t memo_id, unsigned char key[SEAL_KEY_SIZE],
                       struct err *e) WUR;
/* Opens the key directory (keys_path, or the default for db_url) into
 * s->keys, refusing one others may access; before the database is touched. */
int store_keys_open(struct store *s, const char *keys_path, const char *db_url, struct err *e) WUR;
/* Loads or makes the data key, and refuses a database with plaintext rows
 * unless flags has STORE_OPEN_UNMIGRATED. */
int store_at_rest_open(struct store *s, int flags, struct err *e) WUR;

/* Applies every migration the database lacks, each in its own transaction. */
int store_migrate(struct store *s, struct err *e) WUR;

/* Copies column col of the current row into p; NULL stays NULL. */
char *store_col_dup(struct pool *p, struct db_stmt *st, int col);

/* Copies text column col into *out (SQL NULL gives NULL). -1 only when out of memory. */
int store_col_text(struct pool *p, struct db_stmt *st, int col, char **out, struct err *e) WUR;

/* A list being collected from rows into pool memory. */
struct store_vec {
    void *items;
    size_t n, cap;
};
/* Appends one zeroed element of size bytes; returns it, or NULL (ERR_NOMEM in e). */
void *store_push(struct pool *p, struct store_vec *v, size_t size, struct err *e);

/* Fills item (a zeroed list element) from the current row. */
typedef int (*store_row_fn)(struct pool *p, struct db_stmt *st, void *item, struct err *e);

/* Runs sql and appends one element of size bytes per row to v, each filled
 * by fill. v keeps what was collected even on failure (all in p). */
int store_rows(struct store *s, struct pool *p, struct store_vec *v, size_t size, store_row_fn fill,
               struct err *e, const char *sql, const char *types, ...) WUR;

/* A member's memos (?1, the member's id) in the memo list's WHERE
 * (memos.c; the tests check their plans): the memos they draft, those they
 * co-signed by name and do not draft, and either. */
#define STORE_MEMO_REL_DRAFTER_SQL                                                                 \
    "x.id IN (SELECT d.memo_id FROM memo_drafters d WHERE d.member_id = ?1)"
#define STORE_MEMO_REL_SIGNER_SQL                                                                  \
    "x.id IN (SELECT g.memo_id FROM signatures g WHERE g.member_id = ?1) AND NOT EXISTS(SELECT "   \
    "1 FROM memo_drafters d WHERE d.memo_id = x.id AND d.member_id = ?1)"
#define STORE_MEMO_REL_ANY_SQL                                                                     \
    "x.id IN (SELECT d.memo_id FROM memo_drafters d WHERE d.member_id = ?1 UNION SELECT "          \
    "g.memo_id FROM signatures g WHERE g.member_id = ?1)"

/* Fills a struct st_leaf (item) from an (idx, data) row: data must be
 * UTF-8 text without NUL (ERR_DB otherwise). A store_row_fn. */
int store_leaf_row(struct pool *p, struct db_stmt *st, void *item, struct err *e) WUR;

/* Fills *out from rows_sql, a query of (version, organization slug, n) rows
 * taking the memo id as ?1 and no other parameter (STORE_COUNT_ROWS'
 * shape), summed by store_count_row and store_counts_set. */
int store_counts_query(struct store *s, struct pool *p, int64_t memo_id, struct st_counts *out,
                       struct err *e, const char *rows_sql) WUR;

/* Writes "col IN (…)" for the states in mask (STORE_STATE_BIT), or a false
 * condition for the empty set. The SQL holds only numbers made here. */
void store_state_in(char *buf, size_t n, const char *col, unsigned mask);

/* Re-seals every TOTP secret under the fresh data key (the key rotation,
 * inside its transaction). */
int store_totp_rotate(struct store *s, struct pool *p, const unsigned char fresh[SEAL_KEY_SIZE],
                      struct err *e) WUR;

/* ---- signature counts (signatures.c) ----
 * The rows the published named counts of memo M (an SQL expression) are
 * summed from: (version, organization slug, n), one per version and
 * organization of signature_counts and of batch_held (what the batch queue
 * holds back: -1 on a queued action's version, +1 on the one before;
 * channel/batch.c, store/batch.c). Summed in C (store_count_row), not in SQL: the
 * GROUP BYs and ORDER BY cost four temporary B-trees on every write. */
#define STORE_COUNT_ROWS(M)                                                                        \
    "SELECT x.version, o.slug, x.n FROM (SELECT version, org_id, count AS n FROM "                 \
    "signature_counts WHERE memo_id = " M " UNION ALL SELECT version, org_id, n FROM batch_held "  \
    "WHERE memo_id = " M ") x LEFT JOIN organizations o ON o.id = x.org_id"
/* Adds the count row in columns col (version), col + 1 (organization slug,
 * NULL: counted by version only) and col + 2 (n) to v (st_version_count)
 * and o (st_org_count), one entry each per row (store_counts_set merges
 * them by sorting: no search per row, however many organizations). */
int store_count_row(struct pool *p, struct db_stmt *st, int col, struct store_vec *v,
                    struct store_vec *o, struct err *e) WUR;
/* Sets out's lists from v and o (store_count_row's), entries of one version
 * or organization summed, those whose sum is not positive left out; by
 * version ascending and by slug (byte order, as PostgreSQL's text columns
 * compare here too: db_pg.c); the total is the sum over versions. */
void store_counts_set(struct st_counts *out, const struct store_vec *v, const struct store_vec *o);

/* ---- the transparency log (tlog.c) ----
 * store_tlog_memo_range's query for one kind of leaf about a memo (the
 * public memo page asks for its missed deadlines on every view): found by
 * (memo, kind) in index tlog_leaves_memo; "(? IS NULL OR kind = ?)" in one
 * text left SQLite only the memo, every leaf of it read and sorted, each
 * co-signature's included, to find none or a few. */
#define STORE_TLOG_MEMO_KIND_SQL                                                                   \
    "SELECT idx, data FROM tlog_leaves WHERE memo = ? AND kind = ? AND idx > ? AND idx < ? ORDER " \
    "BY idx LIMIT ?"

/* ---- the access log (access.c) ----
 * The lists and counts of reads, of one memo (MEMO STORE_ACCESS_OF_MEMO:
 * a drafter's access-log page, an auditor's search by memo) or of every
 * memo (STORE_ACCESS_OF_ALL, ?1 bound to 0); parameters ?1 … ?6: memo id,
 * named roles, memo public id, reader, from, to. One memo's reads are found
 * by index access_log_memo, newest first without sorting; "(?1 = 0 OR
 * a.memo_id = ?1)" in one text made SQLite scan the whole log, which grows
 * with every read, from the newest back. The list's LIMIT and OFFSET are
 * printf's %d and %lld. */
#define STORE_ACCESS_OF_MEMO "a.memo_id = ?1"
#define STORE_ACCESS_OF_ALL  "?1 = 0"
#define STORE_ACCESS_FROM                                                                          \
    "FROM access_log a JOIN memos x ON x.id = a.memo_id JOIN members m ON m.id = a.reader_id "
#define STORE_ACCESS_WHERE(MEMO)                                                                   \
    "WHERE " MEMO " AND (?2 = 0 OR a.drafter = 1 OR (a.roles & ?2) <> 0) AND (?3 IS NULL OR "      \
    "x.public_id = ?3) AND (?4 IS NULL OR m.username = ?4) AND (?5 = 0 OR a.at >= ?5) AND (?6 = "  \
    "0 OR a.at < ?6)"
#define STORE_ACCESS_LIST_SQL(MEMO)                                                                \
    "SELECT x.public_id, m.username, m.display_name, a.what, a.at, a.roles, a.drafter, x.id, "     \
    "x.latest_version, v.title, x.data_key " STORE_ACCESS_FROM                                     \
    "LEFT JOIN versions v ON v.memo_id = x.id AND v.number = "                                     \
    "x.latest_version " STORE_ACCESS_WHERE(MEMO) " ORDER BY a.id DESC LIMIT %d OFFSET %lld"
#define STORE_ACCESS_COUNT_SQL(MEMO) "SELECT COUNT(*) " STORE_ACCESS_FROM STORE_ACCESS_WHERE(MEMO)

/* ---- account events (accounts.c) ----
 * store_account_events' query, of one member (WHO STORE_EVENTS_OF_MEMBER,
 * bound to her id: every login asks for her unseen events) or of everyone
 * (STORE_EVENTS_OF_ALL, bound to the id a page is before: the auditor's
 * list is read a page at a time, newest first by the primary key, no
 * sort). One member's are found by index
 * account_events_member, newest first without sorting; "(? = 0 OR
 * a.member_id = ?)" in one text made SQLite scan every member's events
 * from the newest back, all of them for a member with none unseen. */
#define STORE_ACCOUNT_EVENTS_SQL(WHO)                                                              \
    "SELECT a.id, m.username, a.kind, a.actor, a.detail, a.at, a.seen FROM account_events a JOIN " \
    "members m ON m.id = a.member_id WHERE " WHO " AND (? = 0 OR a.seen = 0) ORDER BY a.id DESC "  \
    "LIMIT ?"
#define STORE_EVENTS_OF_MEMBER "a.member_id = ?"
#define STORE_EVENTS_OF_ALL    "a.id < ?"

/* ---- the batch queue (batch.c) ----
 * store_batch_due's query, run by the batch tick every second inside a
 * write transaction. By (due, id), the order of the index batch_queue_due
 * (its key and the rowid): ORDER BY id alone made SQLite scan the whole
 * queue, every entry of later batches and its proof included, to find the
 * due ones. store_batch_due puts them back in order of acceptance. */
#define STORE_BATCH_DUE_SQL                                                                        \
    "SELECT id, kind, chain, fields, memo, memo_id, tag, version, org_id, ring_no, seq, proof, "   \
    "due, prev_version FROM batch_queue WHERE due <= ? ORDER BY due, id"

/* ---- statements on every request, found by index (the tests check
 * these very texts' plans) ----
 * store_org_active_members: an organization's active members, up to a
 * bound (members_org; every named co-signature asks). */
#define STORE_ORG_ACTIVE_MEMBERS_SQL                                                               \
    "SELECT COUNT(*) FROM (SELECT 1 FROM members WHERE org_id = ? AND disabled = 0 LIMIT ?) x"
/* store_batch_roster_pending: a roster's queued enrollments
 * (batch_queue_roster; every roster fetch and ring opened). */
#define STORE_ROSTER_PENDING_SQL                                                                   \
    "SELECT COUNT(*) FROM batch_queue WHERE kind = 'roster' AND org_id = ?"
/* store_signer_page: one page of a memo's named co-signers after the key
 * (signed_at, member_id), in that order, read by the index signatures_order
 * (schema 25): no scan of the memo's signatures and no sort, however many
 * there are (100,000 co-signers: the whole list was 10 MB a reply). */
#define STORE_SIGNER_PAGE_SQL                                                                      \
    "SELECT m.username, m.display_name, o.slug, g.version, g.signed_at, g.member_id FROM "         \
    "signatures g JOIN members m ON m.id = g.member_id JOIN organizations o ON o.id = m.org_id "   \
    "WHERE g.memo_id = ? AND (g.signed_at, g.member_id) > (?, ?) ORDER BY g.signed_at, "           \
    "g.member_id LIMIT ?"
/* store_member_page: one page of the members by username after a
 * username ('' for the first), read by the username's unique index: no scan
 * of every member and no sort (GET /api/v1/members, the admin page). */
#define STORE_MEMBER_PAGE_SQL                                                                      \
    "SELECT m.id, m.username, m.display_name, m.org_id, o.slug, m.roles, '', m.disabled FROM "     \
    "members m JOIN organizations o ON o.id = m.org_id WHERE m.username > ? ORDER BY m.username "  \
    "LIMIT ?"
/* store_sessions_purge: expired and idle sessions (sessions_expires,
 * sessions_idle; every login). */
#define STORE_SESSIONS_PURGE_SQL                                                                   \
    "DELETE FROM sessions WHERE expires_at <= ? OR (last_seen < ? AND created_at < ?)"
/* store_anon_pre_v2: a memo's signatures marked protocol v1 (public memo
 * facts), counted on the index anon_signatures_counts. */
#define STORE_ANON_PRE_V2_SQL                                                                      \
    "SELECT COUNT(*) FROM anon_signatures WHERE memo_id = ? AND protocol = 1"
/* store_anon_counts: a memo's anonymous counts by version and organization
 * (protocol v2 and unmarked rows), from their running totals
 * (anon_signature_counts, rosters.c): counting the rows of anon_signatures
 * read a page per signature, each holding a ~2.4 KB proof (60,000
 * signatures: 140 ms, for every memo view and every named co-signature of
 * that memo, on the writer). */
#define STORE_ANON_COUNTS_SQL                                                                      \
    "SELECT c.version, o.slug, c.n FROM anon_signature_counts c LEFT JOIN organizations o ON "     \
    "o.id = c.org_id WHERE c.memo_id = ?1 AND c.n > 0"
/* store_ring_by_digest: a memo ring by its digest (memo_rings_digest;
 * every anonymous signer's ring fetch). */
#define STORE_RING_BY_DIGEST_SQL                                                                   \
    "SELECT memo_id, org_id, ring_no FROM memo_rings WHERE digest = ? ORDER BY memo_id, org_id, "  \
    "ring_no LIMIT 1"
/* store_tlog_memo_review: a memo's review leaves (tlog_leaves_memo; every
 * memo page, however many signature leaves the memo has). */
#define STORE_TLOG_MEMO_REVIEW_SQL                                                                 \
    "SELECT idx, data FROM tlog_leaves WHERE memo = ? AND kind IN ('deadline-missed', 'state') "   \
    "ORDER BY idx"

#endif
