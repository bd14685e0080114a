/* store.h — the one storage interface of dissent.
 *
 * The channel layer calls only these functions: no SQL leaves src/store/.
 * Each function works inside the caller's transaction when one is open
 * (store_begin … store_commit), so a request's changes commit together or
 * not at all. Inside one, some writes that return nothing (a memo's key, a
 * drafter, a version, a signature and its count, a log leaf and nodes) may
 * be sent with the next store call on PostgreSQL (db_exec_later): their
 * failure is then reported by that call or by store_commit, with the same
 * error code, and the transaction is to be rolled back as after any
 * failure. Results are C structs: strings and arrays in them are
 * allocated from the pool the caller passes and live as long as it (a list
 * comes back as an array and its length); key sets (struct st_keys), which
 * can hold 2^16 keys, are malloc'd and freed by st_keys_release. Binary
 * values stay binary. The store knows no memo state by number: a query that
 * filters by state takes the set from the caller as a mask of
 * (1u << CHAN_STATE_x) bits (STORE_STATE_BIT). Backends: SQLite (a file path)
 * and PostgreSQL ("postgres://…" or "postgresql://…", an existing database),
 * both behind the driver interface db.h.
 */
#ifndef DISSENT_STORE_STORE_H
#define DISSENT_STORE_STORE_H

#include "base/err.h"
#include "base/pool.h"
#include <stddef.h>
#include <stdint.h>

struct store;
struct keydir;

/* Opens (creating a SQLite file 0600 if needed) and migrates the database
 * at url, with the key directory beside it (keydir_default_path):
 * store_open_keys(out, url, NULL, 0, e). */
int store_open(struct store **out, const char *url, struct err *e) WUR;

/* Do not refuse a database whose rows are not encrypted yet (dissent migrate). */
#define STORE_OPEN_UNMIGRATED 1u
/* Opens the database at url with the key directory keys (NULL: the default
 * beside the database, see store/keydir.h): creates the directory and the
 * data-encryption key when both are new, refuses key files or a directory
 * others may access, a data key that is not the database's, and (unless
 * flags has STORE_OPEN_UNMIGRATED) a database written before encryption at
 * rest, saying to run `dissent migrate`. Memo titles and text, verification
 * keys, answers, extension reasons and messages are encrypted and decrypted
 * inside the store: callers pass and get plaintext. */
int store_open_keys(struct store **out, const char *url, const char *keys, unsigned flags,
                    struct err *e) WUR;
void store_close(struct store *s);

/* What store_at_rest_migrate did. */
struct store_migration {
    int already;         /* nothing to do: the database was migrated before */
    int log_key_moved;   /* meta's log key went to the key directory */
    int64_t memo_keys;   /* memo keys made */
    int64_t values;      /* text values encrypted */
    int commit_key_made; /* commit.key was created (channel/commit_key.c) */
};
/* Brings a database of before encryption at rest up to date in one
 * transaction: moves the log key from meta to the key directory and
 * encrypts every memo text in place. Running it again changes nothing.
 * Open the store with STORE_OPEN_UNMIGRATED first. */
int store_at_rest_migrate(struct store *s, struct store_migration *r, struct err *e) WUR;

/* Replaces the data key: writes a new one to data.key.new, re-wraps every
 * memo key under it and records its id in one transaction, then renames
 * data.key.new over data.key (an open that finds the database already on
 * the new key finishes an interrupted rename). The memo keys, and so the
 * ciphertexts, do not change. *memos: memo keys re-wrapped. */
int store_rotate_data_key(struct store *s, int64_t *memos, struct err *e) WUR;

/* The store's key directory (for the channel's log key, store/keydir.h). */
const struct keydir *store_keydir(struct store *s);

int store_begin(struct store *s, struct err *e) WUR;
/* A read-only snapshot without the write lock; end it with store_rollback. */
int store_begin_read(struct store *s, struct err *e) WUR;
/* A write transaction that takes no writers' lock (db_begin_unordered):
 * for reads that record themselves in the access log, which nothing
 * numbers or orders, so a member's memo reads on several servers do not
 * queue behind one server's writer on PostgreSQL. It only reads and
 * inserts (UPDATE and DELETE fail); anything that appends to the log,
 * numbers rows or changes them needs store_begin. */
int store_begin_unordered(struct store *s, struct err *e) WUR;
int store_commit(struct store *s, struct err *e) WUR;
void store_rollback(struct store *s);
/* Group commit on this connection (db_group_begin / db_group_end): between
 * the two, each store_begin … store_commit is a savepoint of one durable
 * transaction that store_group_end(s, 1, e) commits. */
int store_group_begin(struct store *s, struct err *e) WUR;
int store_group_end(struct store *s, int commit, struct err *e) WUR;

/* Statements run on the store's connection since it was opened
 * (db_statements). */
uint64_t store_statements(const struct store *s);

/* Key/value settings (never secrets: those live in the key directory). *out is NULL when absent. */
int store_meta_get(struct store *s, struct pool *p, const char *key, char **out, struct err *e) WUR;
int store_meta_set(struct store *s, const char *key, const char *value, struct err *e) WUR;

/* ---- organizations and members ---- */
struct st_member {
    int64_t id;
    char *username;
    char *display_name;
    int64_t org_id;
    char *org_slug;
    unsigned roles; /* CHAN_ROLE_* bits, see channel/roles.h */
    char *password_hash;
    int disabled;
};

int store_org_insert(struct store *s, const char *slug, const char *name, int64_t now, int64_t *id,
                     struct err *e) WUR;
/* Returns 0 and sets *id, or -1 with ERR_NOT_FOUND. */
int store_org_by_slug(struct store *s, const char *slug, int64_t *id, struct err *e) WUR;
struct st_org {
    char *slug;
    char *name;
    int64_t members; /* how many members it has */
};
/* Every organization, by slug. */
int store_org_list(struct store *s, struct pool *p, struct st_org **out, size_t *n,
                   struct err *e) WUR;

int store_member_insert(struct store *s, const struct st_member *m, int64_t now, int64_t *id,
                        struct err *e) WUR;
/* Fills *m (strings from p); -1 with ERR_NOT_FOUND if there is no such member. */
int store_member_by_username(struct store *s, struct pool *p, const char *username,
                             struct st_member *m, struct err *e) WUR;
int store_member_by_id(struct store *s, struct pool *p, int64_t id, struct st_member *m,
                       struct err *e) WUR;
int store_member_update(struct store *s, const struct st_member *m, struct err *e) WUR;
/* At most limit members by username, after the username after ('' for the
 * first page); password_hash is left NULL. Read by index, a page at a
 * time. */
int store_member_page(struct store *s, struct pool *p, const char *after, int limit,
                      struct st_member **out, size_t *n, struct err *e) WUR;
int store_member_count(struct store *s, int64_t *out, struct err *e) WUR;

/* Sessions are found by the SHA-256 of their token; the token itself is never stored. */
int store_session_insert(struct store *s, const unsigned char token_hash[32], int64_t member_id,
                         const char *csrf, int64_t now, int64_t expires_at, struct err *e) WUR;
/* Returns 0 with the member and csrf, or -1 with ERR_UNAUTHORIZED when absent or expired. */
int store_session_lookup(struct store *s, struct pool *p, const unsigned char token_hash[32],
                         int64_t now, int64_t *session_id, char **csrf, struct st_member *m,
                         struct err *e) WUR;
int store_session_delete(struct store *s, int64_t session_id, struct err *e) WUR;

int store_login_failure_add(struct store *s, const char *username, int64_t now, struct err *e) WUR;
int store_login_failure_count(struct store *s, const char *username, int64_t since, int64_t *n,
                              struct err *e) WUR;
int store_login_failure_clear(struct store *s, const char *username, struct err *e) WUR;

/* ---- channels ---- */
struct st_term {
    int amount;
    int unit; /* CHAN_UNIT_* */
};

struct st_channel {
    int64_t id;
    char *slug;
    char *name;
    char *preset;
    char *timezone;
    int ceiling; /* CHAN_MARK_* */
    struct st_term ack, answer, ext;
    int min_ring; /* fewest keys in a ring that takes anonymous signatures */
};

int store_channel_insert(struct store *s, const struct st_channel *c, int64_t now, int64_t *id,
                         struct err *e) WUR;
int store_channel_by_slug(struct store *s, struct pool *p, const char *slug, struct st_channel *c,
                          struct err *e) WUR;
int store_channel_by_id(struct store *s, struct pool *p, int64_t id, struct st_channel *c,
                        struct err *e) WUR;
/* Every channel, by slug. */
int store_channel_list(struct store *s, struct pool *p, struct st_channel **out, size_t *n,
                       struct err *e) WUR;
int store_holiday_add(struct store *s, int64_t channel_id, int64_t day, const char *name,
                      struct err *e) WUR;
/* Days (since 1970-01-01) sorted; *days is allocated from p. */
int store_holiday_days(struct store *s, struct pool *p, int64_t channel_id, int64_t **days,
                       size_t *n, struct err *e) WUR;
struct st_holiday {
    int64_t day; /* since 1970-01-01 */
    char *name;
};
/* The holidays of a channel, by day. */
int store_holiday_list(struct store *s, struct pool *p, int64_t channel_id, struct st_holiday **out,
                       size_t *n, struct err *e) WUR;

/* ---- memos and versions ---- */
struct st_memo {
    int64_t id;
    char *public_id;
    int64_t channel_id;
    int state; /* CHAN_STATE_* */
    int64_t created_by;
    int64_t created_at;
    int latest_version;
    int64_t submitted_at, ack_due, acknowledged_at, answer_due; /* 0 when unset */
    int extended;
    int64_t extended_by; /* the member who granted the extension, 0 if none */
    char *extension_reason;
    int64_t answered_at;
    char *answer;
    int64_t closed_at, withdrawn_at, updated_at;
};

struct st_version {
    int64_t memo_id;
    int number;
    char *hash; /* 64 hex */
    char *title;
    int marking;
    char *body;
    int64_t author_id;
    char *author; /* username, filled by reads */
    int64_t created_at;
    char *verify_key;  /* 64 hex: the key of the keyed paragraph digests (copy checking) */
    char *change_note; /* what the author says changed, or NULL (encrypted at rest) */
};

int store_memo_insert(struct store *s, struct st_memo *m, struct err *e) WUR;
int store_memo_by_public_id(struct store *s, struct pool *p, const char *public_id,
                            struct st_memo *m, struct err *e) WUR;
struct st_counts;
/* A memo (as store_memo_by_public_id), its latest version (as
 * store_version_get) and its named counts (as store_counts), in one
 * statement: what a memo's page shows first, in one round trip on
 * PostgreSQL. */
int store_memo_latest(struct store *s, struct pool *p, const char *public_id, struct st_memo *m,
                      struct st_version *v, struct st_counts *counts, struct err *e) WUR;
/* Writes every mutable field of m. */
int store_memo_save(struct store *s, const struct st_memo *m, struct err *e) WUR;
/* Sets only the memo's updated_at: all a co-signature changes in its row
 * (store_memo_save would unwrap the data key and seal the texts again).
 * ERR_NOT_FOUND if there is no such memo. */
int store_memo_touch(struct store *s, int64_t memo_id, int64_t updated_at, struct err *e) WUR;

int store_drafter_add(struct store *s, int64_t memo_id, int64_t member_id, struct err *e) WUR;
/* *yes = 1 if member drafts memo. */
int store_is_drafter(struct store *s, int64_t memo_id, int64_t member_id, int *yes,
                     struct err *e) WUR;
int store_drafter_count(struct store *s, int64_t memo_id, int64_t *n, struct err *e) WUR;
/* Removes member from the drafters of memo; ERR_NOT_FOUND when not one. */
int store_drafter_remove(struct store *s, int64_t memo_id, int64_t member_id, struct err *e) WUR;
/* A member as others see them. */
struct st_person {
    char *username;
    char *display_name;
};
/* The drafters of a memo, by username. */
int store_drafter_list(struct store *s, struct pool *p, int64_t memo_id, struct st_person **out,
                       size_t *n, struct err *e) WUR;

int store_version_insert(struct store *s, const struct st_version *v, struct err *e) WUR;
int store_version_get(struct store *s, struct pool *p, int64_t memo_id, int number,
                      struct st_version *v, struct err *e) WUR;
/* As store_version_get without the text: title, body and verify_key are
 * NULL, neither read nor decrypted (a body is kilobytes), for the views
 * that show none (a memo "without text", as a sign answers). */
int store_version_head(struct store *s, struct pool *p, int64_t memo_id, int number,
                       struct st_version *v, struct err *e) WUR;
/* One version without its text, with its named co-signatures. */
struct st_version_info {
    int number;
    char *hash;
    char *title;
    int marking;
    char *author;      /* username */
    char *author_name; /* the author's display name */
    int64_t created_at;
    int64_t signatures;
    char *change_note; /* or NULL */
};
/* The versions of a memo, by number. */
int store_version_list(struct store *s, struct pool *p, int64_t memo_id,
                       struct st_version_info **out, size_t *n, struct err *e) WUR;

/* The set bit of one memo state in a state mask. */
#define STORE_STATE_BIT(state) (1u << (unsigned)(state))

enum store_memo_order {
    STORE_ORDER_UPDATED,    /* most recently changed first */
    STORE_ORDER_DEADLINE,   /* nearest deadline first (see deadline_ack_states) */
    STORE_ORDER_SUBMITTED,  /* most recently submitted first */
    STORE_ORDER_NEWEST,     /* most recently created first */
    STORE_ORDER_OLDEST,     /* first created first */
    STORE_ORDER_SIGNATURES, /* most named and anonymous co-signatures first */
};
/* How the listing member relates to the memos of a list (with member_id). */
enum store_memo_relation {
    STORE_REL_ANY,     /* drafts it or co-signed it */
    STORE_REL_DRAFTER, /* drafts it */
    STORE_REL_SIGNER,  /* co-signed it by name and does not draft it */
};
/* Which memos store_memo_list returns. Ties in every order are broken by
 * the newest memo first, so pages of one query never overlap. */
struct st_memo_filter {
    int64_t member_id; /* > 0: only memos this member relates to as `relation` says */
    enum store_memo_relation relation;
    unsigned states;    /* mask of STORE_STATE_BIT: only memos in these states; 0: any */
    int64_t channel_id; /* > 0: only this channel's memos */
    unsigned markings;  /* mask of 1 << marking of the latest version; 0: any */
    /* > 0: only memos whose date (created_at, or submitted_at when
     * date_submitted) is >= date_from, and < date_to. */
    int date_submitted;
    int64_t date_from, date_to;
    /* 1: only memos past an open deadline at now (ack_due < now in the
     * states ack_open, or answer_due < now in answer_open); -1: only the
     * others; 0: either. */
    int overdue;
    int64_t now;
    unsigned ack_open, answer_open;
    enum store_memo_order order;
    /* STORE_ORDER_DEADLINE: memos in these states sort by their
     * acknowledgement deadline, those in deadline_answer_states (0: all
     * others) by their answer deadline, the rest last. */
    unsigned deadline_ack_states, deadline_answer_states;
    int limit;  /* at most this many (1 or more) */
    int offset; /* after skipping this many */
};
/* One memo in a list: its latest version's title and marking, and its
 * named co-signatures on every version. Times are 0 when unset. */
struct st_memo_info {
    char *public_id;
    char *channel; /* slug */
    int state;
    char *title;
    int marking;
    int latest_version;
    int64_t created_at, submitted_at, ack_due, acknowledged_at, answer_due, answered_at;
    int64_t signatures;
    int64_t reminded_at; /* leadership's last reminder to the policy office, 0 if none */
    int64_t id;          /* internal: the access log records each title a list shows */
};
int store_memo_list(struct store *s, struct pool *p, const struct st_memo_filter *f,
                    struct st_memo_info **out, size_t *n, struct err *e) WUR;
/* How many memos f selects, ignoring its limit and offset. */
int store_memo_count(struct store *s, const struct st_memo_filter *f, int64_t *total,
                     struct err *e) WUR;

/* ---- leadership's reminders to the policy office ---- */
/* Records that member_id (leadership) reminded the policy office of memo_id at `at`;
 * *id is the reminder's number. */
int store_reminder_add(struct store *s, int64_t memo_id, int64_t member_id, int64_t at, int64_t *id,
                       struct err *e) WUR;
/* When memo_id was last reminded (0: never). */
int store_reminder_last(struct store *s, int64_t memo_id, int64_t *at, struct err *e) WUR;
/* The times memo_id was reminded, oldest first. */
int store_reminder_times(struct store *s, struct pool *p, int64_t memo_id, int64_t **at, size_t *n,
                         struct err *e) WUR;

/* ---- named co-signatures and their counts ---- */
/* *version = 0 when member has not signed. */
int store_signature_get(struct store *s, int64_t memo_id, int64_t member_id, int *version,
                        struct err *e) WUR;
/* salt: hex of the random salt of the signer's commitment in the log. */
int store_signature_put(struct store *s, int64_t memo_id, int64_t member_id, int version,
                        const char *salt, int64_t now, struct err *e) WUR;
int store_signature_delete(struct store *s, int64_t memo_id, int64_t member_id, struct err *e) WUR;
/* Adds delta to the count of (memo, version, org); also records a timeline event. */
int store_count_adjust(struct store *s, int64_t memo_id, int version, int64_t org_id, int delta,
                       int64_t now, struct err *e) WUR;
struct st_version_count {
    int version;
    int64_t count;
};
struct st_org_count {
    char *organization; /* slug */
    int64_t count;
};
/* Co-signatures of a memo: the total, per version (by version) and per
 * organization (by slug); groups with no signature are left out. */
struct st_counts {
    int64_t total;
    struct st_version_count *by_version;
    size_t n_version;
    struct st_org_count *by_org;
    size_t n_org;
};
/* The named co-signature counts of a memo as published: the running
 * counts without the named actions still queued for their batch
 * (channel/batch.c). */
int store_counts(struct store *s, struct pool *p, int64_t memo_id, struct st_counts *out,
                 struct err *e) WUR;
/* The counts recomputed from the signatures themselves (to prove they never drift). */
int store_counts_recomputed(struct store *s, struct pool *p, int64_t memo_id, struct st_counts *out,
                            struct err *e) WUR;
struct st_signer {
    char *username;
    char *display_name;
    char *organization; /* slug */
    int version;
    int64_t signed_at;
    int64_t member_id; /* with signed_at, the key a page goes on after */
};
/* At most limit named co-signers of a memo, in the order they signed (then
 * by member id), after the key (after_at, after_member): (INT64_MIN, 0)
 * for the first page. Read by index, one page at a time. */
int store_signer_page(struct store *s, struct pool *p, int64_t memo_id, int64_t after_at,
                      int64_t after_member, int limit, struct st_signer **out, size_t *n,
                      struct err *e) WUR;
struct st_tally {
    int64_t at;
    int64_t total;
};
/* The running total after each change, in time order; changes at the same
 * instant share the total after all of them. */
int store_signature_timeline(struct store *s, struct pool *p, int64_t memo_id,
                             struct st_tally **out, size_t *n, struct err *e) WUR;

/* ---- review messages ---- */
int store_message_insert(struct store *s, int64_t memo_id, int64_t author_id, const char *body,
                         int64_t now, struct err *e) WUR;
struct st_message {
    char *author; /* username */
    char *display_name;
    unsigned roles; /* the author's CHAN_ROLE_* bits */
    char *body;
    int64_t created_at;
};
/* The messages about a memo, oldest first. */
int store_message_list(struct store *s, struct pool *p, int64_t memo_id, struct st_message **out,
                       size_t *n, struct err *e) WUR;

/* ---- the access log (access.c) ---- */
/* One read of memo text, titles or signer identities. The store records
 * whether the reader was a drafter of the memo at that moment itself. */
struct st_read {
    int64_t memo_id, reader_id;
    unsigned roles;   /* the reader's CHAN_ROLE_* bits at the time of the read */
    const char *what; /* what was read: "text of version 2", "signer list", … */
    int64_t at;
};
int store_access_insert(struct store *s, const struct st_read *r, struct err *e) WUR;
/* The same read of n memos (a list's titles): one row per id, r->memo_id
 * unused, in one statement per 128 ids rather than one per id (always the
 * same text, so one entry in a statement cache). Ids must be > 0. */
int store_access_insert_many(struct store *s, const struct st_read *r, const int64_t *memo_ids,
                             size_t n, struct err *e) WUR;
struct st_access {
    char *memo;   /* public id */
    char *reader; /* username */
    char *display_name;
    char *what;
    int64_t at;
    unsigned roles; /* at the time of the read */
    int drafter;    /* the reader drafted the memo at the time of the read */
    char *title;    /* the memo's latest title, opened; NULL unless f->titles */
    int64_t memo_id;
};
/* Which reads a list returns. */
struct st_access_filter {
    int64_t memo_id;      /* 0: of every memo */
    unsigned named_roles; /* 0: every read; else only reads by a drafter or by a
                           * holder of one of these role bits */
    const char *memo;     /* a memo's public id; NULL: every memo */
    const char *reader;   /* a reader's username; NULL: every reader */
    int64_t from, to;     /* reads at >= from, at < to; 0: no bound */
    int64_t offset;       /* rows skipped (newest first) before the list starts */
    int titles;           /* 1: open each row's memo title into st_access.title */
    int limit;
};
/* Reads matching f, newest first, at most f->limit after f->offset. */
int store_access_list(struct store *s, struct pool *p, const struct st_access_filter *f,
                      struct st_access **out, size_t *n, struct err *e) WUR;
/* How many reads match f (its limit, offset and titles aside). */
int store_access_count(struct store *s, const struct st_access_filter *f, int64_t *n,
                       struct err *e) WUR;
struct st_access_day {
    int64_t day;     /* days since 1970-01-01 (UTC) */
    int64_t reads;   /* every read that day */
    int64_t listed;  /* of them, titles seen in a memo list (what = listed_what) */
    int64_t readers; /* distinct readers */
};
/* The reads of memo_id that f->named_roles does NOT select (by no drafter
 * and by no holder of those roles), counted per UTC day, newest first, at
 * most f->limit days. */
int store_access_days(struct store *s, struct pool *p, const struct st_access_filter *f,
                      const char *listed_what, struct st_access_day **out, size_t *n,
                      struct err *e) WUR;

/* ---- the transparency log's storage (the tree logic is src/tlog/) ---- */
/* Number of leaves. */
int store_tlog_size(struct store *s, int64_t *size, struct err *e) WUR;
/* Appends leaf number idx (must equal the current size) with its data and
 * index fields (memo public id or NULL, kind, version or 0). */
int store_tlog_leaf_insert(struct store *s, int64_t idx, const char *data, const char *memo,
                           const char *kind, int version, struct err *e) WUR;
int store_tlog_node_put(struct store *s, unsigned level, int64_t idx, const unsigned char hash[32],
                        struct err *e) WUR;
/* ERR_NOT_FOUND if the node was never stored. */
int store_tlog_node_get(struct store *s, unsigned level, int64_t idx, unsigned char out[32],
                        struct err *e) WUR;
/* One leaf: its index and its data, UTF-8 text (NUL-terminated, len bytes). */
struct st_leaf {
    int64_t index;
    char *data;
    size_t len;
};
/* The last leaf of kind (one about no memo, like "client-release"), into
 * *out (data from p); *found is 0 when the log has none. Returns 0 or -1. */
int store_tlog_last_of_kind(struct store *s, struct pool *p, const char *kind, struct st_leaf *out,
                            int *found, struct err *e) WUR;
/* Leaves [start, end), by index. */
int store_tlog_leaves(struct store *s, struct pool *p, int64_t start, int64_t end,
                      struct st_leaf **out, size_t *n, struct err *e) WUR;
/* Leaves about one memo (optionally one kind; kind NULL = all), by index. */
int store_tlog_memo_leaves(struct store *s, struct pool *p, const char *memo, const char *kind,
                           struct st_leaf **out, size_t *n, struct err *e) WUR;
/* At most STORE_MEMO_LEAVES_MAX leaves about memo (kind as above) with an
 * index in (after, before), by index: a page of them. */
#define STORE_MEMO_LEAVES_MAX 10000
int store_tlog_memo_range(struct store *s, struct pool *p, const char *memo, const char *kind,
                          int64_t after, int64_t before, struct st_leaf **out, size_t *n,
                          struct err *e) WUR;
/* What a memo's timeline is made of: every leaf about it that is not a
 * signature, and its signature leaves up to the cap, by index (so that the
 * review's steps are never cut off by a memo's many signatures). */
int store_tlog_memo_events(struct store *s, struct pool *p, const char *memo, struct st_leaf **out,
                           size_t *n, struct err *e) WUR;
/* The same, only those with an index below `before` (none when before <= 0). */
int store_tlog_memo_leaves_before(struct store *s, struct pool *p, const char *memo,
                                  const char *kind, int64_t before, struct st_leaf **out, size_t *n,
                                  struct err *e) WUR;
/* The leaves of memo's review that its timeline shows ("state",
 * "deadline-missed"), by index; read by index, so a memo's many
 * signatures cost nothing here. */
int store_tlog_memo_review(struct store *s, struct pool *p, const char *memo, struct st_leaf **out,
                           size_t *n, struct err *e) WUR;
/* At most limit signature leaves ("signature", "anonymous-signature") of
 * memo with an index in (after, before), by index. */
int store_tlog_memo_signatures(struct store *s, struct pool *p, const char *memo, int64_t after,
                               int64_t before, int limit, struct st_leaf **out, size_t *n,
                               struct err *e) WUR;

/* ---- signature milestones (milestones.c) ----
 * What a memo's timeline shows of its signatures is kept as its signature
 * leaves are appended (channel/timeline.c decides what a milestone is). */
/* The running total of memo's published signature leaves (the last one's
 * counts.total): *found 0 (and *total 0) for a memo whose signatures were
 * never noted (store_memo_sig_total_set), e.g. one signed before schema 17. */
int store_memo_sig_total(struct store *s, const char *memo, int *found, int64_t *total,
                         struct err *e) WUR;
/* Sets memo's running total (inserting its row the first time). Held on
 * PostgreSQL (db_exec_later): a failure surfaces at the next statement or
 * the commit. */
int store_memo_sig_total_set(struct store *s, const char *memo, int64_t total, struct err *e) WUR;
/* A signature milestone: the leaf at which memo's total reached mark. */
struct st_milestone {
    struct st_leaf leaf;
    int64_t mark;
};
/* Keeps that memo's signature leaf at index reached mark (replacing the
 * mark of a row already there for that leaf). Held as above. */
int store_milestone_add(struct store *s, const char *memo, int64_t index, int64_t mark,
                        struct err *e) WUR;
/* memo's kept milestones with their leaves, by index: only rows whose leaf
 * is a signature leaf of that memo. */
int store_memo_milestones(struct store *s, struct pool *p, const char *memo,
                          struct st_milestone **out, size_t *n, struct err *e) WUR;

/* The salt of a member's signature commitment (hex), or NULL when unsigned. */
int store_signature_salt(struct store *s, struct pool *p, int64_t memo_id, int64_t member_id,
                         char **salt, struct err *e) WUR;

/* ---- missed deadlines written to the log (deadlines.c) ---- */
/* The index column `version` of a "deadline-missed" leaf names its
 * deadline; (memo, deadline) is unique (schema 9). */
#define STORE_DL_ACK    1
#define STORE_DL_ANSWER 2
/* The public ids (from p) of at most limit memos, oldest first, with a
 * deadline that passed before now unmet — its time is set, it is earlier
 * than now, and neither the acknowledgement (resp. answer) nor a withdrawal
 * came by it — and no "deadline-missed" leaf for that deadline yet. */
int store_deadline_unlogged(struct store *s, struct pool *p, int64_t now, int limit, char ***out,
                            size_t *n, struct err *e) WUR;

/* ---- rosters of ring keys and anonymous co-signatures ---- */
/* A member's enrollment challenge (one at a time: a new one replaces the
 * last; expired ones of anyone are dropped). */
int store_enroll_challenge_put(struct store *s, int64_t member_id, const unsigned char ch[32],
                               int64_t expires_at, int64_t now, struct err *e) WUR;
/* Takes (deletes) member's challenge ch if it is there and not expired at
 * now: *found 1, else 0. */
int store_enroll_challenge_take(struct store *s, int64_t member_id, const unsigned char ch[32],
                                int64_t now, int *found, struct err *e) WUR;
/* The roster of an organization is an append-only list of entries: a key
 * added (added = 1) or removed (0). The active set at size n is what the
 * first n entries leave. */
int store_roster_size(struct store *s, int64_t org_id, int64_t *size, struct err *e) WUR;
int store_roster_append(struct store *s, int64_t org_id, int added, const unsigned char pk[32],
                        int64_t member_id, int64_t now, struct err *e) WUR;
/* The roster entry at seq (0-based: the entry that made the roster's size
 * seq + 1) of an organization: *added (1 enrolled, 0 removed) and its key;
 * *found = 0 if none. */
int store_roster_entry(struct store *s, int64_t org_id, int64_t seq, int *added,
                       unsigned char pk[32], int *found, struct err *e) WUR;
/* The member's active key (added and not removed), *found = 0 if none. */
int store_roster_member_key(struct store *s, int64_t org_id, int64_t member_id,
                            unsigned char pk[32], int *found, struct err *e) WUR;
/* An ordered set of ring public keys with the member each belongs to
 * (member ids stay inside the server). pk is one contiguous array, the
 * shape src/ring/ takes. Up to 2^16 keys, so it is malloc'd, not pooled. */
struct st_keys {
    unsigned char (*pk)[32];
    int64_t *member;
    size_t n;
};
/* An empty set. */
void st_keys_init(struct st_keys *k);
/* Frees what k holds and leaves it empty. */
void st_keys_release(struct st_keys *k);
/* Appends one key (growing the arrays). */
int st_keys_add(struct st_keys *k, const unsigned char pk[32], int64_t member, struct err *e) WUR;

/* Active keys at roster size n, in the order they were added. *out is
 * initialized here; release it even on failure. */
int store_roster_active(struct store *s, int64_t org_id, int64_t n, struct st_keys *out,
                        struct err *e) WUR;
struct st_roster {
    int64_t org_id;
    char *organization; /* slug */
    char *name;
    int64_t size;   /* entries */
    int64_t active; /* keys added and not removed */
};
/* Every organization with its roster, by slug. */
int store_roster_list(struct store *s, struct pool *p, struct st_roster **out, size_t *n,
                      struct err *e) WUR;

/* Records ring ring_no of an organization for a memo, with its keys in order. */
int store_ring_insert(struct store *s, int64_t memo_id, int64_t org_id, int ring_no,
                      int64_t roster_size, const char *digest, const struct st_keys *keys,
                      int64_t now, struct err *e) WUR;
struct st_ring {
    int64_t org_id;
    char *organization; /* slug; "" for the coalition ring (org_id 0) */
    int ring;           /* 1, 2, … per organization */
    int64_t roster_size;
    char *digest; /* hex */
    int64_t count;
};
/* The rings of a memo, by organization then number, the coalition's
 * (org_id 0) last. */
int store_ring_list(struct store *s, struct pool *p, int64_t memo_id, struct st_ring **out,
                    size_t *n, struct err *e) WUR;
/* Keys of one memo ring in order. *out is initialized here; release it
 * even on failure. */
int store_ring_keys(struct store *s, int64_t memo_id, int64_t org_id, int ring_no,
                    struct st_keys *out, struct err *e) WUR;
/* A memo ring whose digest (hex) is digest: *found 1 and its memo, organization
 * (0: the coalition) and number, or *found 0. */
int store_ring_by_digest(struct store *s, const char *digest, int *found, int64_t *memo_id,
                         int64_t *org_id, int *ring_no, struct err *e) WUR;

/* The anonymous signature of tag on memo: *version 0 if none. */
int store_anon_get(struct store *s, int64_t memo_id, const unsigned char tag[32], int *version,
                   struct err *e) WUR;
/* The ring kind of tag's signature on memo as accepted: its latest queued
 * action if any (a withdrawal: none), else its published signature. *found
 * 1 and *org_id the organization of its ring (0: the coalition ring) when
 * the tag has a signature; *found 0 otherwise. */
int store_anon_ring_org(struct store *s, int64_t memo_id, const unsigned char tag[32], int *found,
                        int64_t *org_id, struct err *e) WUR;
int store_anon_put(struct store *s, int64_t memo_id, const unsigned char tag[32], int version,
                   int64_t org_id, int ring_no, const unsigned char *proof, size_t proof_len,
                   int64_t day, struct err *e) WUR;
int store_anon_delete(struct store *s, int64_t memo_id, const unsigned char tag[32],
                      struct err *e) WUR;
/* The sequence number of tag on memo: how many of its anonymous actions
 * (sign, move, withdraw) were accepted; 0 for a tag never seen. It survives
 * a withdrawal. */
int store_anon_seq(struct store *s, int64_t memo_id, const unsigned char tag[32], int64_t *seq,
                   struct err *e) WUR;
/* Sets the sequence number of tag on memo to seq (creating it). */
int store_anon_seq_set(struct store *s, int64_t memo_id, const unsigned char tag[32], int64_t seq,
                       struct err *e) WUR;
struct st_anon_seq {
    unsigned char tag[32];
    int64_t next; /* the sequence number the tag's next action carries */
};
/* Every tag ever used on memo with its sequence number, by tag. */
int store_anon_seq_list(struct store *s, struct pool *p, int64_t memo_id, struct st_anon_seq **out,
                        size_t *n, struct err *e) WUR;
struct st_anon {
    unsigned char tag[32];
    int64_t seq; /* the sequence number its message carries */
    int version;
    char *organization; /* slug; "" for the coalition ring */
    int ring;
    unsigned char *proof;
    size_t proof_len;
};
/* The anonymous signatures of a memo, by tag. */
int store_anon_list(struct store *s, struct pool *p, int64_t memo_id, struct st_anon **out,
                    size_t *n, struct err *e) WUR;
/* The counts of anonymous signatures (as store_counts), without those
 * marked as made before protocol v2 (store_anon_mark). */
int store_anon_counts(struct store *s, struct pool *p, int64_t memo_id, struct st_counts *out,
                      struct err *e) WUR;
/* *n: how many anonymous signatures of memo are marked as made before
 * protocol v2 (listed, not counted). */
int store_anon_pre_v2(struct store *s, int64_t memo_id, int64_t *n, struct err *e) WUR;
/* A stored anonymous signature whose protocol is not yet known (stored
 * before schema 14). */
struct st_anon_unmarked {
    int64_t memo_id;
    char *memo; /* public id */
    unsigned char tag[32];
    int64_t seq; /* the sequence number its message carries, if v2 */
    int version;
    int64_t org_id; /* 0: the coalition ring */
    int ring;
    unsigned char *proof;
    size_t proof_len;
};
/* Every stored anonymous signature not yet marked, by memo then tag. */
int store_anon_unmarked(struct store *s, struct pool *p, struct st_anon_unmarked **out, size_t *n,
                        struct err *e) WUR;
/* Marks the anonymous signature of tag on memo as made under protocol
 * (1 or 2; 0: verifies with neither, still counted), if it is not marked
 * yet. */
int store_anon_mark(struct store *s, int64_t memo_id, const unsigned char tag[32], int protocol,
                    struct err *e) WUR;

/* ---- the batch queue (channel/batch.c): accepted, not yet published ---- */
struct st_batch_entry {
    int64_t id;   /* order of acceptance (never published) */
    char *kind;   /* the leaf kind: "anonymous-signature", "roster" */
    char *chain;  /* entries of one chain keep their order within a batch */
    char *fields; /* the leaf's fields as JSON, without "at" and "counts" */
    char *memo;   /* public id, or NULL */
    int64_t memo_id;
    unsigned char tag[32]; /* anonymous: the tag */
    int has_tag;
    int version; /* anonymous: the version signed, 0 to withdraw */
    int64_t org_id;
    int ring_no;
    unsigned char *proof; /* anonymous: the proof (NULL otherwise) */
    size_t proof_len;
    int64_t seq;      /* anonymous: the sequence number the proof carries */
    int prev_version; /* named: the version signed before (0: none) */
    int64_t due;      /* the batch time it is promised for */
};
/* Queues b (b->id is ignored) in the caller's transaction. */
int store_batch_put(struct store *s, const struct st_batch_entry *b, struct err *e) WUR;
/* Every queued entry due at or before due_by (INT64_MAX: all), in order of
 * acceptance. */
int store_batch_due(struct store *s, struct pool *p, int64_t due_by, struct st_batch_entry **out,
                    size_t *n, struct err *e) WUR;
/* Removes a published entry (b as store_batch_due read it). */
int store_batch_delete(struct store *s, const struct st_batch_entry *b, struct err *e) WUR;
/* The latest queued anonymous action of tag on memo: *found 0 if none,
 * else *version (0: a withdrawal). */
int store_batch_anon_latest(struct store *s, int64_t memo_id, const unsigned char tag[32],
                            int *found, int *version, struct err *e) WUR;
/* Active (not disabled) members of an organization, counted up to at_most
 * (0: all of them): a caller that compares with a threshold reads no more
 * of a large organization than it needs (by index: members_org). */
int store_org_active_members(struct store *s, int64_t org_id, int64_t at_most, int64_t *n,
                             struct err *e) WUR;
/* Queued roster entries of an organization (not yet in the log). */
int store_batch_roster_pending(struct store *s, int64_t org_id, int64_t *n, struct err *e) WUR;
/* Sets the published sequence number of tag on memo (the one the public
 * facts show; the live one is store_anon_seq). */
int store_anon_pub_seq_set(struct store *s, int64_t memo_id, const unsigned char tag[32],
                           int64_t next, struct err *e) WUR;

/* ---- figures for /metrics (no memo content, no names) ---- */
/* Which memo states count (bit 1 << state), set by the caller's policy:
 * under review, and an acknowledgement or an answer still owed. */
struct store_due_states {
    unsigned under_review, ack_open, answer_open;
};
/* Leaves in the log, memos in a state of due->under_review, and memos past
 * an open deadline at now: ack_due < now in due->ack_open, or answer_due <
 * now in due->answer_open. */
int store_stats(struct store *s, int64_t now, const struct store_due_states *due, int64_t *leaves,
                int64_t *under_review, int64_t *overdue, struct err *e) WUR;

/* ---- accounts: setup links, recovery codes, account events, sign-in
 * throttling and idle sessions (accounts.c) ---- */

/* Replaces the member's setup link by one whose token has SHA-256
 * token_hash; kind is "created" or "reset". */
int store_setup_put(struct store *s, int64_t member_id, const unsigned char token_hash[32],
                    const char *kind, int64_t now, int64_t expires_at, struct err *e) WUR;
/* Finds a setup link by the SHA-256 of its token: the member, the kind
 * (from p) and when it expires. -1 with ERR_NOT_FOUND if there is none. */
int store_setup_find(struct store *s, struct pool *p, const unsigned char token_hash[32],
                     int64_t *member_id, char **kind, int64_t *expires_at, struct err *e) WUR;
/* Voids the member's setup link, if any. */
int store_setup_delete(struct store *s, int64_t member_id, struct err *e) WUR;

/* Sets the SHA-256 of the member's recovery code (replacing the old one). */
int store_recovery_put(struct store *s, int64_t member_id, const unsigned char code_hash[32],
                       int64_t now, struct err *e) WUR;
/* The hash of the member's recovery code; *found = 0 if the member has none. */
int store_recovery_get(struct store *s, int64_t member_id, unsigned char code_hash[32], int *found,
                       struct err *e) WUR;

/* Sets the member's password hash ("" = no password: nothing verifies). */
int store_member_set_password(struct store *s, int64_t member_id, const char *hash,
                              struct err *e) WUR;

/* Ends every session of the member except except_session (0: all of them),
 * and every pending login of the member (store_login_pending_end). */
int store_sessions_end(struct store *s, int64_t member_id, int64_t except_session,
                       struct err *e) WUR;
/* The id of the session whose token has SHA-256 token_hash (0 if none). */
int store_session_id(struct store *s, const unsigned char token_hash[32], int64_t *id,
                     struct err *e) WUR;
/* When the session was last used: the later of its creation and its last touch. */
int store_session_activity(struct store *s, int64_t session_id, int64_t *last, struct err *e) WUR;
/* Records that the session was used at now. */
int store_session_touch(struct store *s, int64_t session_id, int64_t now, struct err *e) WUR;
/* Deletes sessions expired at now or unused since idle_since. */
int store_sessions_purge(struct store *s, int64_t now, int64_t idle_since, struct err *e) WUR;

/* An account event: something done to a member's account, shown to the
 * member and to auditors. actor: username of who did it, NULL for the
 * operator on the server's console. */
struct st_account_event {
    int64_t id;
    char *username; /* whose account */
    char *kind;     /* created, reset, roles_changed, disabled, enabled, password_set, ... */
    char *actor;    /* NULL: the operator */
    char *detail;
    int64_t at;
    int seen; /* the member has been shown it */
};
int store_account_event_add(struct store *s, int64_t member_id, const char *kind, const char *actor,
                            const char *detail, int64_t now, int seen, struct err *e) WUR;
/* Events newest first: of one member (member_id > 0) or of all (0);
 * only_unseen keeps those the member has not been shown. At most limit;
 * *out from p. */
int store_account_events(struct store *s, struct pool *p, int64_t member_id, int only_unseen,
                         int limit, struct st_account_event **out, size_t *n, struct err *e) WUR;
/* Everyone's events newest first with an id below before (0: the newest),
 * at most limit: one page of the auditor's list, read by the primary key. */
int store_account_events_before(struct store *s, struct pool *p, int64_t before, int limit,
                                struct st_account_event **out, size_t *n, struct err *e) WUR;
/* Marks every event of the member as shown to them. */
int store_account_events_seen(struct store *s, int64_t member_id, struct err *e) WUR;

/* Failed sign-ins per (username as typed, client address). *failures and
 * *last_at are 0 when there is no row. */
int store_throttle_get(struct store *s, const char *username, const char *client, int64_t *failures,
                       int64_t *last_at, struct err *e) WUR;
/* Failures of one client address, over every username, since since. */
int store_throttle_client(struct store *s, const char *client, int64_t since, int64_t *failures,
                          struct err *e) WUR;
/* Counts one more failure of (username, client) at now. */
int store_throttle_fail(struct store *s, const char *username, const char *client, int64_t now,
                        struct err *e) WUR;
int store_throttle_clear(struct store *s, const char *username, const char *client,
                         struct err *e) WUR;
/* Deletes rows older than before, then the oldest rows beyond max_rows. */
int store_throttle_trim(struct store *s, int64_t before, int64_t max_rows, struct err *e) WUR;
/* Number of rows (for tests of the bound). */
int store_throttle_rows(struct store *s, int64_t *n, struct err *e) WUR;

/* ---- the second factor: TOTP secrets, recovery codes, pending logins
 * (totp.c) ---- */
#define STORE_TOTP_SECRET_MAX 64
/* A member's TOTP secret, opened (the caller wipes it with sodium_memzero). */
struct st_totp {
    int found;         /* the member has a secret (confirmed or not) */
    int confirmed;     /* a first valid code confirmed it: it is in force */
    int64_t last_step; /* the last time step whose code was accepted */
    unsigned char secret[STORE_TOTP_SECRET_MAX];
    size_t secret_len;
};
/* Stores a new, unconfirmed secret for the member (replacing any), sealed
 * under the data key; last_step 0. */
int store_totp_put(struct store *s, int64_t member_id, const unsigned char *secret, size_t len,
                   int64_t now, struct err *e) WUR;
/* Reads and opens the member's secret; t->found = 0 when there is none. */
int store_totp_get(struct store *s, int64_t member_id, struct st_totp *t, struct err *e) WUR;
/* *confirmed = 1 when the member has a second factor in force. */
int store_totp_confirmed(struct store *s, int64_t member_id, int *confirmed, struct err *e) WUR;
/* Records that the code of time step step was used (no code of it or an
 * earlier step is accepted again); confirm != 0 also puts the secret in force. */
int store_totp_used(struct store *s, int64_t member_id, int64_t step, int confirm,
                    struct err *e) WUR;
/* Removes the member's secret and recovery codes, and ends the member's
 * pending logins (they waited for a code of that secret). */
int store_totp_delete(struct store *s, int64_t member_id, struct err *e) WUR;
/* Replaces the member's recovery codes by n new ones, given as SHA-256 hashes. */
int store_totp_codes_put(struct store *s, int64_t member_id, const unsigned char (*hashes)[32],
                         size_t n, struct err *e) WUR;
/* Uses up the member's unused recovery code with SHA-256 hash: *used = 1
 * if there was one (now it is used), 0 otherwise. */
int store_totp_code_use(struct store *s, int64_t member_id, const unsigned char hash[32],
                        int64_t now, int *used, struct err *e) WUR;
/* The member's unused recovery codes. */
int store_totp_codes_left(struct store *s, int64_t member_id, int64_t *n, struct err *e) WUR;

/* A login between the password and the second factor: its token's SHA-256,
 * the member, the client address, until expires_at (also deletes the
 * expired ones). */
int store_login_pending_put(struct store *s, const unsigned char token_hash[32], int64_t member_id,
                            const char *client, int64_t now, int64_t expires_at, struct err *e) WUR;
/* The member and the wrong codes tried so far of a live pending login;
 * ERR_UNAUTHORIZED when there is none (unknown, used or expired). */
int store_login_pending_get(struct store *s, const unsigned char token_hash[32], int64_t now,
                            int64_t *member_id, int64_t *tries, struct err *e) WUR;
/* Counts one wrong code on the pending login. */
int store_login_pending_tried(struct store *s, const unsigned char token_hash[32],
                              struct err *e) WUR;
int store_login_pending_delete(struct store *s, const unsigned char token_hash[32],
                               struct err *e) WUR;
/* Ends every pending login of the member: whatever ends the member's sessions
 * or changes the password or the second factor ends these too. */
int store_login_pending_end(struct store *s, int64_t member_id, struct err *e) WUR;

#endif
