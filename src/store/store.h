/* store.h — the one storage interface of dissent.
 *
 * The channel layer calls only these functions: no SQL leaves src/store/.
 * Each function works inside the caller's transaction when one is open
 * (store_begin … store_commit), so a request's changes commit together or
 * not at all. Strings in returned structs are allocated from the pool the
 * caller passes and live as long as it. List results come back as jansson
 * arrays owned by the caller (json_decref). Backends: SQLite (a file path)
 * and PostgreSQL ("postgres://…" or "postgresql://…", an existing database),
 * both behind the driver interface db.h.
 */
#ifndef DISSENT_STORE_STORE_H
#define DISSENT_STORE_STORE_H

#include "base/err.h"
#include "base/pool.h"
#include <jansson.h>
#include <stdint.h>

struct store;

/* Opens (creating a SQLite file if needed) and migrates the database at url. */
int store_open(struct store **out, const char *url, struct err *e) WUR;
void store_close(struct store *s);

int store_begin(struct store *s, struct err *e) WUR;
/* A read-only snapshot without the write lock; end it with store_rollback. */
int store_begin_read(struct store *s, struct err *e) WUR;
int store_commit(struct store *s, struct err *e) WUR;
void store_rollback(struct store *s);

/* Key/value settings (installation secrets, the log's key, …). *out is NULL when absent. */
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
int store_org_list(struct store *s, json_t **out, struct err *e) WUR;

int store_member_insert(struct store *s, const struct st_member *m, int64_t now, int64_t *id,
                        struct err *e) WUR;
/* Fills *m (strings from p); -1 with ERR_NOT_FOUND if there is no such member. */
int store_member_by_username(struct store *s, struct pool *p, const char *username,
                             struct st_member *m, struct err *e) WUR;
int store_member_by_id(struct store *s, struct pool *p, int64_t id, struct st_member *m,
                       struct err *e) WUR;
int store_member_update(struct store *s, const struct st_member *m, struct err *e) WUR;
int store_member_list(struct store *s, json_t **out, struct err *e) WUR;
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
};

int store_channel_insert(struct store *s, const struct st_channel *c, int64_t now, int64_t *id,
                         struct err *e) WUR;
int store_channel_by_slug(struct store *s, struct pool *p, const char *slug, struct st_channel *c,
                          struct err *e) WUR;
int store_channel_by_id(struct store *s, struct pool *p, int64_t id, struct st_channel *c,
                        struct err *e) WUR;
/* Array of {slug,name,preset,ceiling(int),timezone,ack_amount,…}. */
int store_channel_list(struct store *s, json_t **out, struct err *e) WUR;
int store_holiday_add(struct store *s, int64_t channel_id, int64_t day, const char *name,
                      struct err *e) WUR;
/* Days (since 1970-01-01) sorted; *days is allocated from p. */
int store_holiday_days(struct store *s, struct pool *p, int64_t channel_id, int64_t **days,
                       size_t *n, struct err *e) WUR;
/* Array of {day(int),name}. */
int store_holiday_list(struct store *s, int64_t channel_id, json_t **out, struct err *e) WUR;

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
    char *verify_key; /* 64 hex: the key of the keyed paragraph digests (copy checking) */
};

int store_memo_insert(struct store *s, struct st_memo *m, struct err *e) WUR;
int store_memo_by_public_id(struct store *s, struct pool *p, const char *public_id,
                            struct st_memo *m, struct err *e) WUR;
/* Writes every mutable field of m. */
int store_memo_save(struct store *s, const struct st_memo *m, struct err *e) WUR;

int store_drafter_add(struct store *s, int64_t memo_id, int64_t member_id, struct err *e) WUR;
/* *yes = 1 if member drafts memo. */
int store_is_drafter(struct store *s, int64_t memo_id, int64_t member_id, int *yes,
                     struct err *e) WUR;
int store_drafter_count(struct store *s, int64_t memo_id, int64_t *n, struct err *e) WUR;
/* Array of usernames. */
int store_drafter_list(struct store *s, int64_t memo_id, json_t **out, struct err *e) WUR;

int store_version_insert(struct store *s, const struct st_version *v, struct err *e) WUR;
int store_version_get(struct store *s, struct pool *p, int64_t memo_id, int number,
                      struct st_version *v, struct err *e) WUR;
/* Array of {number,hash,title,marking(int),author,created_at(int)}. */
int store_version_list(struct store *s, int64_t memo_id, json_t **out, struct err *e) WUR;

enum store_memo_scope {
    STORE_SCOPE_MINE,     /* drafted or signed by member */
    STORE_SCOPE_SIGNABLE, /* circulating */
    STORE_SCOPE_QUEUE,    /* submitted, acknowledged or answered; by nearest deadline */
    STORE_SCOPE_ALL_SUBMITTED,
};
/* Array of {id,channel,state(int),title,marking(int),latest_version,created_at,submitted_at,
 * ack_due,acknowledged_at,answer_due,answered_at,signatures(int)}. */
int store_memo_list(struct store *s, enum store_memo_scope scope, int64_t member_id, int limit,
                    json_t **out, struct err *e) WUR;

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
/* {total, by_version:[{version,count}], by_organization:[{organization,count}]}. */
int store_counts(struct store *s, int64_t memo_id, json_t **out, struct err *e) WUR;
/* The counts recomputed from the signatures themselves (to prove they never drift). */
int store_counts_recomputed(struct store *s, int64_t memo_id, json_t **out, struct err *e) WUR;
/* Array of {username,display_name,organization,version,signed_at(int)}. */
int store_signer_list(struct store *s, int64_t memo_id, json_t **out, struct err *e) WUR;
/* Array of {at(int), total(int)}: running total after each change, in time
 * order; changes at the same instant share the total after all of them. */
int store_signature_timeline(struct store *s, int64_t memo_id, json_t **out, struct err *e) WUR;

/* ---- review messages and the access log ---- */
int store_message_insert(struct store *s, int64_t memo_id, int64_t author_id, const char *body,
                         int64_t now, struct err *e) WUR;
/* Array of {author,display_name,roles(int),body,created_at(int)}. */
int store_message_list(struct store *s, int64_t memo_id, json_t **out, struct err *e) WUR;

int store_access_insert(struct store *s, int64_t memo_id, int64_t reader_id, const char *what,
                        int64_t now, struct err *e) WUR;
/* memo_id 0: the whole log. Array of {memo,reader,display_name,what,at(int)}, newest first. */
int store_access_list(struct store *s, int64_t memo_id, int limit, json_t **out, struct err *e) WUR;

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
/* Leaves [start, end) as an array of {index, data}. */
int store_tlog_leaves(struct store *s, int64_t start, int64_t end, json_t **out, struct err *e) WUR;
/* Leaves about one memo (optionally one kind; kind NULL = all), as {index, data}. */
int store_tlog_memo_leaves(struct store *s, const char *memo, const char *kind, json_t **out,
                           struct err *e) WUR;
/* The salt of a member's signature commitment (hex), or NULL when unsigned. */
int store_signature_salt(struct store *s, struct pool *p, int64_t memo_id, int64_t member_id,
                         char **salt, struct err *e) WUR;

/* ---- rosters of ring keys and anonymous co-signatures ---- */
/* The roster of an organization is an append-only list of entries: a key
 * added (added = 1) or removed (0). The active set at size n is what the
 * first n entries leave. */
int store_roster_size(struct store *s, int64_t org_id, int64_t *size, struct err *e) WUR;
int store_roster_append(struct store *s, int64_t org_id, int added, const unsigned char pk[32],
                        int64_t member_id, int64_t now, struct err *e) WUR;
/* The member's active key (added and not removed), *found = 0 if none. */
int store_roster_member_key(struct store *s, int64_t org_id, int64_t member_id,
                            unsigned char pk[32], int *found, struct err *e) WUR;
/* Active keys at roster size n, in the order they were added: array of
 * {public_key (hex), member (id)}; member ids stay inside the server. */
int store_roster_active(struct store *s, int64_t org_id, int64_t n, json_t **out,
                        struct err *e) WUR;
/* Organizations with their roster sizes: [{organization, size, active}]. */
int store_roster_list(struct store *s, json_t **out, struct err *e) WUR;

int store_ring_insert(struct store *s, int64_t memo_id, int64_t org_id, int ring_no,
                      int64_t roster_size, const char *digest, const json_t *keys, int64_t now,
                      struct err *e) WUR;
/* Rings of a memo: [{org_id, organization, ring, roster_size, digest, count}]. */
int store_ring_list(struct store *s, int64_t memo_id, json_t **out, struct err *e) WUR;
/* Keys of one memo ring in order: array of {public_key (hex), member (id)}. */
int store_ring_keys(struct store *s, int64_t memo_id, int64_t org_id, int ring_no, json_t **out,
                    struct err *e) WUR;

/* The anonymous signature of tag on memo: *version 0 if none. */
int store_anon_get(struct store *s, int64_t memo_id, const unsigned char tag[32], int *version,
                   struct err *e) WUR;
int store_anon_put(struct store *s, int64_t memo_id, const unsigned char tag[32], int version,
                   int64_t org_id, int ring_no, const unsigned char *proof, size_t proof_len,
                   int64_t day, struct err *e) WUR;
int store_anon_delete(struct store *s, int64_t memo_id, const unsigned char tag[32],
                      struct err *e) WUR;
/* [{tag (hex), version, organization, ring, proof (base64)}] */
int store_anon_list(struct store *s, int64_t memo_id, json_t **out, struct err *e) WUR;
/* {total, by_version, by_organization} of anonymous signatures. */
int store_anon_counts(struct store *s, int64_t memo_id, json_t **out, struct err *e) WUR;

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

#endif
