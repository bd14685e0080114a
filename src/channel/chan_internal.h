/* chan_internal.h — shared by the files of src/channel/ only. */
#ifndef DISSENT_CHANNEL_INTERNAL_H
#define DISSENT_CHANNEL_INTERNAL_H

#include "channel/chan.h"
#include "channel/roles.h"
#include "channel/rules.h"
#include "store/store.h"
#include "tlog/hash.h"
#include "tlog/note.h"

/* A decoded memo ring kept for reuse (rings.c). */
#define CHAN_RING_CACHE 8
struct ring_keys;
/* A decoded ring shared by whoever holds a reference: the cache holds one,
 * and a verification waiting in a batch of another thread (chan_anon_check)
 * another, so evicting it from the cache never frees it under that batch. */
struct chan_ring_ref {
    int refs; /* atomic */
    struct ring_keys *ring;
};
struct chan_ring_slot {
    int64_t memo_id, org_id;
    int ring_no;
    struct chan_ring_ref *ref; /* NULL: empty slot */
    uint64_t used;             /* clock of the last use */
};

struct chan {
    struct store *st;
    int64_t batch_interval;     /* seconds; 0: publish at once (batch.c) */
    struct tlog_signer log_key; /* signs checkpoints; wiped on close */
    /* the verifier key of the log's first key (meta log_first_key, recorded
     * when the log was made), and whether log_key differs from it */
    char log_first_key[TLOG_VERIFIER_KEY_MAX];
    int log_key_changed;
    unsigned char commit_key[32]; /* derives commitment salts (commit_key.c); wiped */
    int commit_key_made;          /* 1: commit.key was created by this open */
    int64_t commit_key_since;     /* log size when it came into use (commit_key.c) */
    struct chan_ring_slot rings[CHAN_RING_CACHE];
    uint64_t ring_clock;
    const struct chan_mailer *mailer; /* the mail jobs send through it; NULL: no mail (notify.c) */
    /* The last checkpoint this connection signed (log.c): a note for the
     * same size and root under the same key is byte-equal (Ed25519 is
     * deterministic), so it is reused instead of signed again. Per
     * connection, like the ring cache: no lock. */
    int64_t cp_size;
    unsigned char cp_root[TLOG_HASH_SIZE];
    struct buf cp_note; /* empty: nothing signed yet */
};

/* A memo loaded for one operation, with how the actor relates to it. */
struct memo_ctx {
    struct st_memo m;
    struct st_channel ch;
    unsigned rel;       /* CHAN_REL_* */
    unsigned roles;     /* the actor's CHAN_ROLE_* */
    int signed_version; /* the actor's co-signature, 0 if none */
    /* The named counts when read with the memo (chan_memo_load_latest),
     * else NULL: chan_memo_json reads them. */
    const struct st_counts *named;
};

/* Checks a text field: well-formed UTF-8, at most max code points, and (if
 * required) not blank. NULL passes when not required. */
int chan_check_text(const char *field, const char *s, size_t max, int required, struct err *e) WUR;
/* Checks a slug or username: 1..CHAN_SLUG_MAX of [a-z0-9._-], starting alnum. */
int chan_check_slug(const char *field, const char *s, struct err *e) WUR;

/* Loads memo id for actor a; ERR_NOT_FOUND when it does not exist or a may
 * not even read it (so its existence does not leak). */
int chan_memo_load(struct chan *c, struct pool *p, const struct actor *a, const char *id,
                   struct memo_ctx *x, struct err *e) WUR;
/* chan_memo_load, with the memo's latest version into *v and its named
 * counts into x->named, all in the statement that reads the memo
 * (store_memo_latest): a member's memo page without a version asked for. */
int chan_memo_load_latest(struct chan *c, struct pool *p, const struct actor *a, const char *id,
                          struct memo_ctx *x, struct st_version *v, struct err *e) WUR;
/* ERR_FORBIDDEN unless a may take action on the loaded memo. */
int chan_require(const struct actor *a, const struct memo_ctx *x, int action, const char *what,
                 struct err *e) WUR;
/* ERR_FORBIDDEN unless a holds one of roles (a NULL actor is the local operator). */
int chan_require_role(const struct actor *a, unsigned roles, const char *what, struct err *e) WUR;

/* JSON helpers: a UTC time as RFC 3339 (null for 0); a role-bit set as names. */
json_t *chan_time_json(int64_t t);
json_t *chan_roles_json(unsigned roles);

/* The deadlines a memo missed as JSON: [{deadline, due, met_at}] (deadline.h). */
struct chan_deadlines;
json_t *chan_missed_json(const struct chan_deadlines *d);

/* The memo as JSON: state, review (deadlines from deadline.h), drafters,
 * counts, "can" (can.h, for version v or else the latest) and (if v) the
 * version. With text (a read), the title, the version's text and
 * verification key, the answer and the extension's reason, "reading" (what
 * the access log records of this read: the caller records it) and the
 * timeline; without (a write's reply), none of these. */
int chan_memo_json(struct chan *c, const struct memo_ctx *x, const struct st_version *v, int text,
                   int64_t now, json_t **out, struct err *e) WUR;

/* Notes a signature leaf of memo ("signature" or "anonymous-signature", at
 * index, its counts' total) as it is appended, in the append's transaction:
 * the milestone it reaches, if any, and the memo's running total
 * (store_memo_sig_total), which the memo's timeline reads instead of every
 * signature leaf. A memo signed before they were kept is replayed from its
 * leaves first, once. Returns 0 or -1. */
int chan_timeline_note_signature(struct chan *c, const char *memo, int64_t index, int64_t total,
                                 struct err *e) WUR;
/* The memo's events in order, for its page (timeline.c): [{at, what, …}]
 * with what one of drafted, version, circulated, submitted, acknowledged,
 * extended, answered, closed, withdrawn, signatures, message (text and
 * CHAN_CAN_READ_MESSAGES only), missed (a deadline-missed leaf), and last
 * due (the deadline owed next), reminded (leadership reminded the policy office). The extension's
 * reason only with text. */
int chan_timeline_json(struct chan *c, const struct memo_ctx *x, int text, int64_t now,
                       json_t **out, struct err *e) WUR;

/* Ends an operation's transaction: commits when rc is 0 (a failed commit
 * drops *out, if out is not NULL, and fails), else rolls back. Returns the
 * final status. */
int chan_tx_end(struct chan *c, int rc, json_t **out, struct err *e) WUR;

/* The memo as JSON with its latest version, without text (chan_memo_json):
 * the reply of every write, which therefore records no read. out NULL:
 * nothing is read or built (a write whose caller reads the reply after its
 * commit, chan_memo_reply). */
int chan_memo_view(struct chan *c, struct pool *p, const struct memo_ctx *x, int64_t now,
                   json_t **out, struct err *e) WUR;

/* ---- the access log (access.c, access.h) ---- */
/* Records, in the caller's transaction, that a read `what` of memo_id: text,
 * titles or signers. */
int chan_access_record(struct chan *c, const struct actor *a, int64_t memo_id, const char *what,
                       int64_t now, struct err *e) WUR;
/* {recorded, as, drafters_see: "name"|"daily count", auditors_see: "name"}:
 * what the access log keeps of the actor's read of x, for the memo page. */
json_t *chan_reading_json(const struct memo_ctx *x);

/* A line diff of two texts: array of {op:" "|"+"|"-", text}. */
int chan_diff_lines(const char *a, const char *b, json_t **out, struct err *e) WUR;
/* A word diff of two texts: array of {op, text} where each text is a run of
 * words and the white space between them with one op (consecutive tokens
 * of one op joined), so that the " " and "-" texts give a back and the " "
 * and "+" texts give b. Same alignment and bounds as the line diff. */
int chan_diff_words(const char *a, const char *b, json_t **out, struct err *e) WUR;

/* Fills the calendar of a channel from the store (holidays allocated from p). */
struct cal_calendar;
int chan_calendar_load(struct chan *c, struct pool *p, int64_t channel_id, struct cal_calendar *cal,
                       struct err *e) WUR;

/* ---- the transparency log (log.c, events.c) ---- */
/* Loads the log's signing key, creating it on first use with origin as
 * its name (NULL: dissent.local/log-<random>; else checked with
 * tlog_origin_check). A key that exists must have origin as its name, when
 * one is given (the message names both, and the key id). Records the first
 * key's verifier string in meta (log_first_key) and sets log_key_changed
 * when the key loaded differs from it. */
int chan_log_load_key(struct chan *c, const char *origin, struct err *e) WUR;
/* Appends one event leaf (steals leaf; adds v, kind, at, memo) inside the
 * caller's transaction. */
int chan_log_append(struct chan *c, json_t *leaf, const char *memo, const char *kind, int version,
                    struct err *e) WUR;
/* The events. */
int chan_event_version(struct chan *c, const struct memo_ctx *x, const struct st_version *v,
                       struct err *e) WUR;
/* A named signature's leaf (action add, move or withdraw of version; the
 * signer's version before, 0 if none; the signer's organization): at once,
 * or queued for the next batch when the organization has fewer active
 * members than the channel's minimum ring (batch.c). */
int chan_event_signature(struct chan *c, const struct memo_ctx *x, const char *action, int version,
                         int prev_version, int64_t org_id, const char *username, const char *salt,
                         struct err *e) WUR;
int chan_event_state(struct chan *c, const struct memo_ctx *x, const char *event,
                     struct err *e) WUR;
/* ---- the commitment key (commit_key.c) ---- */
/* Loads commit.key from the key directory into c->commit_key, creating it
 * for an installation that has none yet (refused when the database says it
 * had one: restore the key directory). */
int chan_commit_key_load(struct chan *c, struct err *e) WUR;
/* The salt (hex, from p) of username's commitment on memo (public id):
 * the old log-seed derivation if a leaf of the memo carries that
 * commitment (published before commit.key), else the commitment key's.
 * Inside the caller's transaction. */
int chan_signer_salt(struct chan *c, struct pool *p, const char *memo, const char *username,
                     char **salt, struct err *e) WUR;

/* ---- the batch queue (batch.c) ---- */
/* Queues b inside the caller's transaction; sets b->due to the promised
 * batch time (chan_batch_due). With interval 0 publishes it at once. */
int chan_batch_queue(struct chan *c, struct st_batch_entry *b, int64_t now, struct err *e) WUR;
/* The size of org's roster as published in the log (queued entries left
 * out): what rings and the public roster are made from. */
int chan_roster_published_size(struct chan *c, int64_t org_id, int64_t *size, struct err *e) WUR;
/* The receipt of an anonymous action: {receipt, signature} (proto/receipt.h). */
json_t *chan_batch_receipt(struct chan *c, const char *memo, const char *tag, int64_t seq,
                           const char *action, int version, const char *org, int ring, int64_t due);

/* Appends a public "role" leaf for every privileged role (reviewer,
 * leadership, auditor, admin) that an account had in before and not in
 * after ("revoke"), then for every one it gained ("grant"): the role and the
 * day, never the account. Inside the caller's transaction. */
int chan_event_roles(struct chan *c, unsigned before, unsigned after, struct err *e) WUR;
/* ---- counts (counts.c) ---- */
/* Named and anonymous counts together: {total, by_version, by_organization,
 * named:{…}, anonymous:{…}}. */
int chan_counts_combined(struct chan *c, int64_t memo_id, json_t **out, struct err *e) WUR;
/* The same with the named counts already read (named; NULL: read them). */
int chan_counts_combined_with(struct chan *c, int64_t memo_id, const struct st_counts *named,
                              json_t **out, struct err *e) WUR;

/* ---- rings (rings.c) ---- */
/* Snapshots (or refreshes) the rings of every organization with enrolled
 * keys for memo x; *made counts the rings added. Caller's transaction. */
/* The fewest keys a ring of a memo of channel ch needs to take anonymous
 * signatures: the channel's min_ring, never below CHAN_MIN_RING_FLOOR. */
int64_t chan_min_ring(const struct st_channel *ch);
/* Inside the caller's transaction: the active ring key of member m (if
 * any) leaves its organization's roster (a remove entry and a "retire"
 * leaf), so no later ring snapshot or refresh holds it. Called when an
 * account is disabled. */
int chan_roster_retire_member(struct chan *c, const struct st_member *m, struct err *e) WUR;
int chan_rings_open(struct chan *c, const struct memo_ctx *x, int *made, struct err *e) WUR;
/* Builds a ring from keys (at least one) and its digest in hex. *ring is the caller's. */
int chan_ring_from_keys(const struct st_keys *keys, struct ring_keys **ring, char digest[129],
                        struct err *e) WUR;
/* The keys as a JSON array of hex strings (member ids stay inside). */
json_t *chan_keys_json(const struct st_keys *keys);
/* Finds or decodes ring (memo, org, ring_no); *out is borrowed from c's
 * cache and valid until the next call. */
int chan_ring_cached(struct chan *c, int64_t memo_id, int64_t org_id, int ring_no,
                     const struct ring_keys **out, struct err *e) WUR;
/* As chan_ring_cached, with a reference of the caller's own to the ring
 * (*out stays valid until chan_ring_ref_put, from any thread). */
int chan_ring_cached_ref(struct chan *c, int64_t memo_id, int64_t org_id, int ring_no,
                         struct chan_ring_ref **out, struct err *e) WUR;
/* Drops a reference (NULL is fine); the last one frees the ring. Thread-safe. */
void chan_ring_ref_put(struct chan_ring_ref *r);
/* Frees the cached rings (those still referenced elsewhere stay until put). */
void chan_ring_cache_release(struct chan *c);

/* A fresh random salt or key as hex (2n+1 bytes from p). */
char *chan_random_hex(struct pool *p, size_t n);

/* ---- sessions and passwords (auth.c), shared with account.c ---- */
/* Fills a from a member row (strings borrowed from m). */
void chan_actor_from_member(struct actor *a, const struct st_member *m);
/* Creates a session for a inside the caller's transaction (purging expired
 * and idle ones first); *token from p, a->csrf set. */
int chan_session_create(struct chan *c, struct pool *p, struct actor *a, char **token,
                        struct err *e) WUR;
/* Verifies password against hash with one full Argon2id verification even
 * when hash is NULL or "" (no password): *ok = 1 only for a real match. */
int chan_password_verify(const char *hash, const char *password, int *ok, struct err *e) WUR;
/* ERR_RATE when (username, client) owes a delay or client failed too often. */
int chan_login_throttled(struct chan *c, const char *username, const char *client, int64_t now,
                         struct err *e) WUR;
/* Counts a failure of (username, client), keeping the rows bounded. */
int chan_login_failed(struct chan *c, const char *username, const char *client, int64_t now,
                      struct err *e) WUR;

/* After a right password (inside the caller's transaction): a session, or
 * a pending login when the account has a second factor (a->second_factor
 * then 1); *token from p. Sets a->must_enroll. (second_factor.c) */
int chan_session_or_pending(struct chan *c, struct pool *p, struct actor *a, const char *client,
                            char **token, struct err *e) WUR;
/* Sets a->must_enroll: the policy requires a second factor of a's roles and
 * a has none in force. */
int chan_must_enroll(struct chan *c, struct pool *p, struct actor *a, struct err *e) WUR;

/* ---- accounts (account.c), shared with admin.c ---- */
/* Role bits as text, "member, reviewer" (from p; "" if out of memory). */
const char *chan_roles_text(struct pool *p, unsigned roles);
/* Issues a new setup link of kind for the member (voiding the old) inside
 * the caller's transaction: *setup = {token, path, expires_at}. */
int chan_setup_issue(struct chan *c, struct pool *p, int64_t member_id, const char *kind,
                     int64_t now, json_t **setup, struct err *e) WUR;
/* Records an account event of member_id done by a (NULL: the operator). */
int chan_account_event(struct chan *c, int64_t member_id, const char *kind, const struct actor *a,
                       const char *detail, int64_t now, int seen, struct err *e) WUR;

#endif
