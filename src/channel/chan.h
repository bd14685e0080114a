/* chan.h — the channel: every operation of dissent's domain.
 *
 * Each operation checks who may do it (rules.h), when (the state machine),
 * validates its input, and makes its change in one store transaction: it
 * commits whole or not at all. Outputs are jansson objects owned by the
 * caller; inputs are plain C strings (NULL = absent) that the caller has
 * checked only for type. Every operation returns 0 or -1 with details in e.
 * Strings are copied or allocated from the request pool p.
 *
 * The access log (access.h): every output carrying memo text (titles
 * included) or signer identities is recorded in the operation's own
 * transaction; writes return the memo without text (chan_memo_json's
 * "text_included": false) and record nothing.
 */
#ifndef DISSENT_CHANNEL_CHAN_H
#define DISSENT_CHANNEL_CHAN_H

#include "base/buf.h"
#include "base/err.h"
#include "base/pool.h"
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct chan;
struct store;
struct store_migration;

/* Limits on what comes from outside (characters are Unicode code points). */
#define CHAN_TITLE_MAX             200
#define CHAN_BODY_MAX              100000
#define CHAN_TEXT_MAX              10000 /* reasons, answers, messages */
#define CHAN_NAME_MAX              100   /* display and organization names */
#define CHAN_SLUG_MAX              64    /* usernames and slugs: [a-z0-9._-] */
#define CHAN_PASSWORD_MIN          10
#define CHAN_PASSWORD_MAX          256
#define CHAN_DRAFTERS_MAX          20
#define CHAN_LIST_MAX              500
#define CHAN_SESSION_SECONDS       (12 * 3600)
#define CHAN_LOGIN_FAILURES_MAX    5 /* failures of one (user, address) before delays start */
#define CHAN_LOGIN_WINDOW_SECONDS  (15 * 60)
#define CHAN_LOGIN_DELAY_MAX       (15 * 60)   /* the longest delay between two tries */
#define CHAN_LOGIN_FORGET_SECONDS  (24 * 3600) /* failures older than this are forgotten */
#define CHAN_LOGIN_CLIENT_MAX      50    /* failures of one address, any username, per window */
#define CHAN_LOGIN_ROWS_MAX        10000 /* throttling rows kept at most */
#define CHAN_SESSION_IDLE_SECONDS  (30 * 60)
#define CHAN_SESSION_TOUCH_SECONDS 300
#define CHAN_SETUP_SECONDS         (72 * 3600)
#define CHAN_LOGIN_PENDING_SECONDS 300 /* between the password and the second factor */
#define CHAN_TOTP_TRIES_MAX        5   /* wrong codes before a pending login ends */
#define CHAN_TOTP_RECOVERY_CODES   10

/* Who is acting: filled by chan_login / chan_authenticate. */
struct actor {
    int64_t id;
    const char *username;
    const char *display_name;
    const char *org;
    int64_t org_id;
    unsigned roles;
    int64_t session_id;
    const char *csrf;
    /* Set by chan_login and chan_setup_complete: the password was right but
     * the account has a second factor, so the token returned is a pending
     * login (chan_login_second), not a session. */
    int second_factor;
    /* Set by chan_authenticate and the logins: the installation requires a
     * second factor of the actor's roles and the actor has none yet, so the
     * session may only set one up (the HTTP layer refuses everything else). */
    int must_enroll;
};

/* Opens the store at db_url (creating and migrating it) with the key
 * directory beside it: chan_open_keys(out, db_url, NULL, e). */
int chan_open(struct chan **out, const char *db_url, struct err *e) WUR;
/* Opens the store at db_url with the key directory keys (NULL: the default,
 * store/keydir.h), which holds the log's signing key (made on first use) and
 * the data-encryption key; see store_open_keys for what is refused. */
int chan_open_keys(struct chan **out, const char *db_url, const char *keys, struct err *e) WUR;
/* chan_open_keys, and the log's origin (`--log-origin`): the name of a new
 * log key (checked as a C2SP origin, tlog_origin_check), or the origin an
 * existing log must have (refused otherwise, naming both and the key id).
 * NULL keeps the default (dissent.local/log-<random> for a new log). */
int chan_open_origin(struct chan **out, const char *db_url, const char *keys, const char *origin,
                     struct err *e) WUR;
/* `dissent migrate`: brings the database at db_url up to date with the key
 * directory keys (store_at_rest_migrate), then opens it as chan_open_keys
 * does, to check that the log key loads. *r says what was done. */
int chan_migrate(const char *db_url, const char *keys, struct store_migration *r,
                 struct err *e) WUR;
/* `dissent migrate --rotate-data-key`: replaces the data key of the
 * database at db_url (store_rotate_data_key); *memos: memo keys re-wrapped. */
int chan_rotate_data_key(const char *db_url, const char *keys, int64_t *memos, struct err *e) WUR;
void chan_close(struct chan *c);
/* The store, for the local commands that seed it. */
struct store *chan_store(struct chan *c);

/* Group commit (the server's one writer, docs/architecture.md): between
 * chan_group_begin and chan_group_end, every operation on c runs in a
 * savepoint of one transaction, so it stays all or nothing on its own, and
 * chan_group_end(c, 1, e) makes all of them durable with one commit. No
 * operation of the group may be acknowledged before that returned 0; after
 * a failure (or commit = 0) none of them happened. Background jobs never
 * use a group: they have their own connection (their own struct chan). */
int chan_group_begin(struct chan *c, struct err *e) WUR;
int chan_group_end(struct chan *c, int commit, struct err *e) WUR;

/* Marks the installation as a demo (`dissent demo`), and tells whether it is one. */
int chan_mark_demo(struct chan *c, struct err *e) WUR;
int chan_demo_marker(struct chan *c, int *is_demo, struct err *e) WUR;

/* ---- accounts and sessions ---- */
/* Checks a password (Argon2id) and, on success, creates a session and
 * returns its bearer token (from p) and the actor. When the account has a
 * second factor, no session is made: *token is a pending login
 * (CHAN_LOGIN_PENDING_SECONDS, single use) for chan_login_second and
 * a->second_factor is 1. Throttled per (username,
 * client address): failures from one address delay that address only, with
 * delays that grow (ERR_RATE), so nobody locks the owner out from elsewhere.
 * It costs one password hash whether the account exists, is disabled, has
 * no password yet or not. client: the caller's address ("local" for local
 * commands). Also purges expired and idle sessions. */
int chan_login(struct chan *c, struct pool *p, const char *username, const char *password,
               const char *client, char **token, struct actor *a, struct err *e) WUR;
/* Finds the session of a bearer token. ERR_UNAUTHORIZED if none, if it
 * expired, or if it went unused for CHAN_SESSION_IDLE_SECONDS (then it is
 * deleted). Records its use at most every CHAN_SESSION_TOUCH_SECONDS. */
int chan_authenticate(struct chan *c, struct pool *p, const char *token, struct actor *a,
                      struct err *e) WUR;
int chan_logout(struct chan *c, const struct actor *a, struct err *e) WUR;
/* {username, display_name, organization, roles:[…]} */
json_t *chan_actor_json(const struct actor *a);
/* Hashes a password for storage (Argon2id). Returns 0 or -1. */
int chan_password_hash(const char *password, char out[128], struct err *e) WUR;

/* ---- administration (admins; also used by `dissent init` with actor NULL) ---- */
int chan_org_create(struct chan *c, const struct actor *a, const char *slug, const char *name,
                    json_t **out, struct err *e) WUR;
int chan_org_list(struct chan *c, const struct actor *a, json_t **out, struct err *e) WUR;

struct chan_member_input {
    const char *username, *display_name, *org;
    unsigned roles;
};
/* Creates an account with no password and a one-time setup link: the
 * member object plus "setup": {token, path, expires_at}. The token is shown
 * this once (only its hash is kept); the member opens the link and chooses
 * the password (chan_setup_complete). Recorded as an account event. */
int chan_member_create(struct chan *c, struct pool *p, const struct actor *a,
                       const struct chan_member_input *in, json_t **out, struct err *e) WUR;
/* roles / disabled: NULL leaves them as they are. Nobody sets a member's
 * password here. Disabling ends every session of the member and voids the
 * setup link; enabling revives neither. Each change is an account event. */
int chan_member_update(struct chan *c, struct pool *p, const struct actor *a, const char *username,
                       const unsigned *roles, const int *disabled, json_t **out, struct err *e) WUR;
/* The members, a page at a time (admins): {members:[member…], next_after},
 * by username, at most limit (1 to CHAN_MEMBERS_PAGE_MAX) after the username
 * after (NULL or "": the first page); next_after is the last username of a
 * full page, null on the last. chan_members_page_args parses the query's
 * after and limit (NULL or "": absent), ERR_INVALID for a limit out of range
 * or an after that is not a username. */
#define CHAN_MEMBERS_PAGE_DEFAULT 200
#define CHAN_MEMBERS_PAGE_MAX     1000
int chan_members_page_args(const char *after, const char *limit, int *limit_out, struct err *e) WUR;
int chan_member_list(struct chan *c, const struct actor *a, const char *after, int limit,
                     json_t **out, struct err *e) WUR;

/* Anonymous signatures: the default fewest keys a ring needs (a channel
 * may set another, never below CHAN_MIN_RING_FLOOR; a one-key ring names its
 * signer). */
#define CHAN_MIN_RING_DEFAULT 10
#define CHAN_MIN_RING_FLOOR   2
struct chan_channel_input {
    const char *slug, *name, *preset, *ceiling, *timezone; /* timezone may be NULL */
    int min_ring;                                          /* 0: CHAN_MIN_RING_DEFAULT */
};
int chan_channel_create(struct chan *c, struct pool *p, const struct actor *a,
                        const struct chan_channel_input *in, json_t **out, struct err *e) WUR;
int chan_channel_get(struct chan *c, struct pool *p, const char *slug, json_t **out,
                     struct err *e) WUR;
int chan_channel_list(struct chan *c, json_t **out, struct err *e) WUR;
/* date "YYYY-MM-DD" */
int chan_holiday_add(struct chan *c, struct pool *p, const struct actor *a, const char *slug,
                     const char *date, const char *name, json_t **out, struct err *e) WUR;

/* ---- memos ---- */
struct chan_version_input {
    const char *title, *marking, *body; /* NULL: carry over from the latest version */
    const char *change_note;            /* revise: what changed, optional (NULL or blank: none) */
};
/* The longest change note, in characters. */
#define CHAN_CHANGE_NOTE_MAX 500
int chan_memo_create(struct chan *c, struct pool *p, const struct actor *a, const char *channel,
                     const struct chan_version_input *in, const char *const *co_drafters,
                     size_t n_co_drafters, json_t **out, struct err *e) WUR;
/* The memo with version `version` (0: latest) including its text. Recorded in the access log. */
int chan_memo_get(struct chan *c, struct pool *p, const struct actor *a, const char *id,
                  int version, json_t **out, struct err *e) WUR;
/* {memo, versions:[{number, hash, title, …}]}; the titles are recorded in the access log. */
int chan_memo_versions(struct chan *c, struct pool *p, const struct actor *a, const char *id,
                       json_t **out, struct err *e) WUR;
int chan_memo_revise(struct chan *c, struct pool *p, const struct actor *a, const char *id,
                     const struct chan_version_input *in, json_t **out, struct err *e) WUR;
int chan_memo_diff(struct chan *c, struct pool *p, const struct actor *a, const char *id, int from,
                   int to, json_t **out, struct err *e) WUR;
/* Memo lists (find.c). Pages hold CHAN_PAGE_DEFAULT memos unless asked
 * for up to CHAN_PAGE_MAX; a search reads at most CHAN_SEARCH_SCAN_MAX memos
 * of the list (in its order) and has at most CHAN_SEARCH_MAX characters in
 * at most CHAN_SEARCH_WORDS words. */
#define CHAN_PAGE_DEFAULT    50
#define CHAN_PAGE_MAX        200
#define CHAN_OFFSET_MAX      1000000
#define CHAN_SEARCH_MAX      200
#define CHAN_SEARCH_WORDS    16
#define CHAN_SEARCH_SCAN_MAX 1000
/* A list query as the API's query string gives it: every field a string,
 * NULL or "" when not given, checked by the channel (ERR_INVALID says what
 * is wrong with which).
 *   scope   mine (drafted or co-signed), drafted, signed (co-signed by
 *           name, not drafted), signable (circulating; members), queue
 *           (under review), all (submitted on), archive (answered and
 *           closed; the last three for the policy office and leadership)
 *   q       words that must all occur in the title or the latest text
 *           (ASCII letters in any case)
 *   state, marking  names, several separated by commas
 *   channel a channel's slug
 *   from, to  YYYY-MM-DD (UTC days, inclusive) of creation, or of
 *           submission in queue, all and archive
 *   overdue true or false
 *   sort    updated, newest, oldest, submitted, deadline, signatures
 *   limit   1..CHAN_PAGE_MAX; offset, or page (1 = first), not both */
struct chan_memo_query {
    const char *scope, *q, *state, *channel, *marking, *from, *to, *overdue, *sort;
    const char *limit, *offset, *page;
};
/* {scope, memos:[{id, channel, state, title, marking, …, overdue, next_due,
 * reminded_at}], total, limit, offset, page, pages, sort, date_field,
 * filters:{given filters}, and with q: searched, search_limited}. Each
 * title listed is recorded in the access log. */
int chan_memo_find(struct chan *c, const struct actor *a, const struct chan_memo_query *q,
                   json_t **out, struct err *e) WUR;
/* chan_memo_find of scope alone (NULL = "mine"), first page. */
int chan_memo_list(struct chan *c, const struct actor *a, const char *scope, json_t **out,
                   struct err *e) WUR;
/* Leadership reminds the policy office of memo id, under review: every
 * reviewer is notified and the memo's timeline shows it. At most once per
 * memo in CHAN_REMIND_GAP seconds (ERR_CONFLICT). {memo, reminded_at}. */
#define CHAN_REMIND_GAP 86400
int chan_memo_remind(struct chan *c, struct pool *p, const struct actor *a, const char *id,
                     json_t **out, struct err *e) WUR;
int chan_memo_add_drafter(struct chan *c, struct pool *p, const struct actor *a, const char *id,
                          const char *username, json_t **out, struct err *e) WUR;
/* Removes username from the drafters (a drafter may remove any co-drafter,
 * themselves included), under the same rule as adding one (draft or
 * circulating). ERR_NOT_FOUND when username drafts nothing here,
 * ERR_CONFLICT for the last drafter: a memo always has one. Replies with the
 * memo without text. */
int chan_memo_remove_drafter(struct chan *c, struct pool *p, const struct actor *a, const char *id,
                             const char *username, json_t **out, struct err *e) WUR;

/* State changes. text: the reason (extend) or the answer (answer); NULL otherwise. */
enum chan_op {
    CHAN_OP_CIRCULATE,
    CHAN_OP_SUBMIT,
    CHAN_OP_ACKNOWLEDGE,
    CHAN_OP_EXTEND,
    CHAN_OP_ANSWER,
    CHAN_OP_CLOSE,
    CHAN_OP_WITHDRAW,
};
int chan_memo_act(struct chan *c, struct pool *p, const struct actor *a, const char *id,
                  enum chan_op op, const char *text, json_t **out, struct err *e) WUR;
/* The memo as a write's reply shows it to a (its state, counts, review and
 * a's signature; no text, no timeline), read in a snapshot of its own: the
 * reply to a write that has committed, built off the writer. Errors as
 * reading the memo (ERR_NOT_FOUND when a may not read it). */
int chan_memo_reply(struct chan *c, struct pool *p, const struct actor *a, const char *id,
                    json_t **out, struct err *e) WUR;

/* ---- named co-signatures ---- */
/* Signs version (0: latest), or moves the actor's signature to it. *out: the
 * memo as chan_memo_reply shows it, in the write's transaction; out NULL:
 * no reply is built (the caller reads it after the commit). chan_unsign
 * alike. */
int chan_sign(struct chan *c, struct pool *p, const struct actor *a, const char *id, int version,
              json_t **out, struct err *e) WUR;
int chan_unsign(struct chan *c, struct pool *p, const struct actor *a, const char *id, json_t **out,
                struct err *e) WUR;
/* The signer list, a page at a time: {memo, signatures:[{username,
 * display_name, organization, version, signed_at}], next_after}, in the
 * order they signed (then by member), at most limit (1 to
 * CHAN_SIGNERS_PAGE_MAX, default CHAN_SIGNERS_PAGE_DEFAULT) after the key
 * after_at-after_member; next_after is the after of the next page
 * ("SIGNED_AT-MEMBER", the last row's key), null on the last. Every page read
 * is recorded in the access log. */
#define CHAN_SIGNERS_PAGE_DEFAULT 200
#define CHAN_SIGNERS_PAGE_MAX     1000
struct chan_signers_page {
    int64_t after_at; /* INT64_MIN with after_member 0: the first page */
    int64_t after_member;
    int limit;
};
/* Parses the query's after and limit (either NULL or empty: absent) into
 * *pg; ERR_INVALID for a limit out of range or an after that is not a
 * key. */
int chan_signers_page_args(const char *after, const char *limit, struct chan_signers_page *pg,
                           struct err *e) WUR;
int chan_signers(struct chan *c, struct pool *p, const struct actor *a, const char *id,
                 const struct chan_signers_page *pg, json_t **out, struct err *e) WUR;
int chan_counts(struct chan *c, struct pool *p, const struct actor *a, const char *id, json_t **out,
                struct err *e) WUR;
/* The actor's receipt for their named signature on memo id: the salt that
 * opens the commitment of their signature leaves, the commitment, and those
 * leaves: {memo, username, salt, commitment, rule, leaves:[{index, action,
 * version, at}]}. The salt is the same across moves, withdrawals and
 * re-signatures (protocol v2). ERR_NOT_FOUND when no leaf carries it. */
int chan_signer_receipt(struct chan *c, struct pool *p, const struct actor *a, const char *id,
                        json_t **out, struct err *e) WUR;

/* ---- review messages and the access log ---- */
/* The messages; recorded in the access log. */
int chan_messages(struct chan *c, struct pool *p, const struct actor *a, const char *id,
                  json_t **out, struct err *e) WUR;
int chan_message_post(struct chan *c, struct pool *p, const struct actor *a, const char *id,
                      const char *body, json_t **out, struct err *e) WUR;
/* id NULL: the whole log (auditors); else one memo's (drafters, auditors).
 * {memo?, view: "auditor"|"drafter", entries:[{memo, reader, display_name, as,
 * what, at}], member_reads:[{day, reads, listed, readers}]}: auditors see every
 * read by name; drafters by name only their co-drafters', the policy office's,
 * leadership's and auditors' reads, and other members' reads counted per UTC
 * day (access.c). */
int chan_access_log(struct chan *c, struct pool *p, const struct actor *a, const char *id,
                    json_t **out, struct err *e) WUR;
/* The auditor's search of the whole access log. */
#define CHAN_ACCESS_PAGE_DEFAULT 50
#define CHAN_ACCESS_PAGE_MAX     500
#define CHAN_ACCESS_EXPORT_MAX   20000
struct chan_access_query {
    const char *memo;      /* a memo's public id; NULL or "": every memo */
    const char *member;    /* a reader's username; NULL or "": every reader */
    const char *from, *to; /* "YYYY-MM-DD", UTC days, both included; NULL or "": open */
    int64_t page;          /* from 1; 0: 1 */
    int64_t per_page;      /* 1 … CHAN_ACCESS_PAGE_MAX; 0: CHAN_ACCESS_PAGE_DEFAULT */
    int export;            /* 1: every matching read (page ignored), refused past
                            * CHAN_ACCESS_EXPORT_MAX so that nothing is cut silently */
};
/* Auditors only: the reads matching q, newest first, with each memo's latest
 * title. {view:"auditor", filters:{memo, member, from, to}, total, page,
 * per_page, pages, entries:[{memo, title, reader, display_name, as, what,
 * at}], member_reads:[]}. Showing a title is a read: each memo in the reply
 * records one row by the auditor (CHAN_ACCESS_AUDITED, or CHAN_ACCESS_EXPORTED
 * for an export) in the same transaction. ERR_INVALID for a malformed date
 * or page, ERR_NOT_FOUND for an unknown memo or member. */
int chan_access_search(struct chan *c, struct pool *p, const struct actor *a,
                       const struct chan_access_query *q, json_t **out, struct err *e) WUR;

/* ---- the public transparency log (no login) ---- */
#define CHAN_LOG_PAGE 1000
/* {origin, verifier_key, key_id, public_key, algorithm, first_verifier_key,
 * key_changed}: first_verifier_key is the key the log was made with (meta
 * log_first_key); key_changed is true when the log now signs with another. */
int chan_log_key(struct chan *c, json_t **out, struct err *e) WUR;
/* {origin, size, root (base64), note (the signed C2SP checkpoint)} */
int chan_log_checkpoint(struct chan *c, json_t **out, struct err *e) WUR;
/* Size of a checkpoint validator (chan_log_checkpoint_tag). */
#define CHAN_LOG_TAG_SIZE 32
/* The current checkpoint's validator without signing or formatting it: a
 * SHA-256 over the log's public key, the tree size and the root, read in one
 * snapshot. Equal tags mean equal checkpoints (the signature is
 * deterministic); any new leaf or another key gives another tag. For
 * If-None-Match on the public checkpoint. Returns 0, or -1 with e. */
int chan_log_checkpoint_tag(struct chan *c, unsigned char tag[CHAN_LOG_TAG_SIZE],
                            struct err *e) WUR;
/* chan_log_checkpoint, and when tag is not NULL the validator of the very
 * checkpoint returned (the same snapshot), as chan_log_checkpoint_tag
 * would give it. Returns 0, or -1 with e. */
int chan_log_checkpoint_tagged(struct chan *c, json_t **out, unsigned char *tag, struct err *e) WUR;
/* {size, leaves:[{index, data, leaf_hash}]} for start <= index < end (at most CHAN_LOG_PAGE). */
int chan_log_leaves(struct chan *c, int64_t start, int64_t end, json_t **out, struct err *e) WUR;
/* {memo, leaves:[…], more}: the leaves about one memo, the first page of
 * them (as chan_log_memo_page with no kind, from the start). */
int chan_log_memo(struct chan *c, const char *memo, json_t **out, struct err *e) WUR;
/* A page of the leaves about memo: those of kind (NULL: every kind; a kind
 * is 1 to 32 lower-case letters and dashes) with an index above after (-1:
 * from the first), at most STORE_MEMO_LEAVES_MAX; "more" is true when the
 * page is full (ask again from its last index). ERR_NOT_FOUND when the log
 * has nothing about memo. */
int chan_log_memo_page(struct chan *c, const char *memo, const char *kind, int64_t after,
                       json_t **out, struct err *e) WUR;
/* {index, size, leaf_hash, proof:[base64…]} */
int chan_log_inclusion(struct chan *c, int64_t index, int64_t size, json_t **out,
                       struct err *e) WUR;
/* {from, to, proof:[base64…]} */
int chan_log_consistency(struct chan *c, int64_t from, int64_t to, json_t **out, struct err *e) WUR;
/* The C2SP tlog-tiles tile t (tlog/tile.h) of the current tree, appended to
 * out: for a hash tile the t->width 32-byte node hashes, for an entry bundle
 * each leaf as a big-endian uint16 length and the leaf's bytes (the bytes
 * whose RFC 9162 leaf hash is in the tree; docs/protocol-tlog.md). A tile the
 * tree does not cover yet (index·256 + width beyond the nodes at its level)
 * is ERR_NOT_FOUND. Returns 0 or -1. */
struct tlog_tile;
int chan_log_tile(struct chan *c, const struct tlog_tile *t, struct buf *out, struct err *e) WUR;

/* The web client release the server starts serving (release.c): version
 * (a slug), manifest (64 lowercase hex: the SHA-256 of the release's
 * manifest, http/release.h) and the number of entries it lists. Appends a
 * "client-release" leaf unless the log's last one records the same
 * manifest and version; either way *index is that leaf's index, and
 * *appended says whether it is new. Idempotent: restarting the same build
 * appends nothing. Returns 0 or -1. */
int chan_client_release(struct chan *c, const char *version, const char *manifest, int64_t files,
                        int64_t *index, int *appended, struct err *e) WUR;

/* The official plain-text rendering of a version (with its verification
 * line), for readers of the memo. Recorded in the access log. */
int chan_memo_rendering(struct chan *c, struct pool *p, const struct actor *a, const char *id,
                        int version, struct buf *out, struct err *e) WUR;

/* ---- rosters and anonymous co-signatures (docs/protocol-ring.md) ---- */
#define CHAN_ANON_BATCH_MAX 100
/* {rosters:[{organization, name, size, active}]} — public. */
int chan_roster_list(struct chan *c, json_t **out, struct err *e) WUR;

/* Makes a log written by protocol v1 checkable again (`dissent migrate`,
 * docs/protocol-tlog.md `roster`): v1 logged a re-key as one `rekey` leaf
 * whose size skips one, the retired key nowhere. For each such gap not yet
 * filled, appends (at once, in one transaction) the `retire` leaf the
 * re-key implied: size = the gap, key = the roster entry the database
 * removed there. Leaves already in the log never change; a client replaying
 * the roster fills each gap with its later retire leaf. *appended: how
 * many were appended (0 when the log has no v1 gap). Returns 0 or -1
 * (ERR_INVALID when the database does not explain a gap). */
int chan_roster_fill_v1_gaps(struct chan *c, int64_t *appended, struct err *e) WUR;

/* What chan_anon_mark_v1 found. */
struct chan_anon_marks {
    int64_t checked; /* stored anonymous signatures re-verified */
    int64_t v1;      /* of those, made before protocol v2 (marked 1) */
    int64_t neither; /* verify with neither protocol's bytes (marked 0) */
};
/* Re-verifies once every stored anonymous signature not yet marked with
 * its protocol (`dissent migrate`, docs/protocol-ring.md §15): a proof that
 * verifies with protocol v2's bytes is marked 2; one that verifies only
 * with v1's (the memo id as scope, "dissent-anon-v1\nsign\n" hash) is marked
 * 1, and from then on listed but not counted; one that verifies with
 * neither is marked 0 (still counted) and reported. One transaction; a second call
 * finds nothing to check. Leaves already in the log never change. Returns
 * 0 or -1. */
int chan_anon_mark_v1(struct chan *c, struct chan_anon_marks *m, struct err *e) WUR;
/* The active keys of an organization's roster at size (0: now):
 * {organization, size, count, keys:[hex], digest} — public. */
int chan_roster_get(struct chan *c, struct pool *p, const char *org, int64_t size, json_t **out,
                    struct err *e) WUR;
/* How long an enrollment challenge stays good. */
#define CHAN_ENROLL_CHALLENGE_S 300
/* A fresh single-use enrollment challenge for the actor (a member):
 * {challenge (64 hex), expires_at, origin}. It replaces any earlier one. */
int chan_roster_challenge(struct chan *c, const struct actor *a, json_t **out, struct err *e) WUR;
/* Enrolls the actor's ring public key (hex) with a proof of possession (hex,
 * ring_pop_sign over proto_pop_context with this installation's origin and
 * the actor's challenge, which it uses up); replaces (re-keys) an earlier
 * key. */
int chan_roster_enroll(struct chan *c, struct pool *p, const struct actor *a, const char *pk_hex,
                       const char *pop_hex, const char *challenge_hex, json_t **out,
                       struct err *e) WUR;
/* Drafters: adds to the memo's rings the keys of members who have none in them. */
int chan_memo_refresh_rings(struct chan *c, struct pool *p, const struct actor *a, const char *id,
                            json_t **out, struct err *e) WUR;
/* Public facts of a memo open for signatures: {memo, state, versions:[{number, hash}],
 * rings:[{organization, ring, roster_size, digest, count, keys}], signatures:[{tag,
 * version, organization, ring, proof}], counts} — enough to re-verify everything. */
int chan_public_memo(struct chan *c, struct pool *p, const char *id, json_t **out,
                     struct err *e) WUR;
/* chan_public_memo, with every ring's "keys" left out when with_keys is 0
 * (the rings' digests and counts stay): the browser then fetches each ring
 * once, in binary, by its digest (chan_public_ring), and keeps it. */
int chan_public_memo_keys(struct chan *c, struct pool *p, const char *id, int with_keys,
                          json_t **out, struct err *e) WUR;
/* Appends to out the keys of the memo ring whose digest (hex, as in the public
 * facts and the ring leaves) is digest: 32 bytes per member, in ring order. A
 * ring's keys are the same whichever memo holds it (the digest covers the
 * count and every key), so the answer never changes. ERR_INVALID for a digest
 * that is not 128 lowercase hex digits, ERR_NOT_FOUND for one no ring has. */
int chan_public_ring(struct chan *c, const char *digest, struct buf *out, struct err *e) WUR;
/* Outsiders' lookup: query is a memo's id or a copy's verification line
 * ("dissent-verify: <memo> <version> <key>", alone or inside a pasted copy).
 * chan_public_memo of that memo plus {found_by: "id"|"verification line",
 * and for a line: version, version_registered}. ERR_INVALID when the query
 * is neither; ERR_NOT_FOUND as chan_public_memo. */
int chan_public_find(struct chan *c, struct pool *p, const char *query, json_t **out,
                     struct err *e) WUR;
/* The caller's budget of verification work: spend(ctx, cost) is called once
 * per request, after every cheap check passed and before any proof is
 * verified, with cost = items × ring size; it returns 0, or -1 with e
 * (ERR_RATE) to refuse the request (nothing counted). */
struct chan_work {
    int (*spend)(void *ctx, uint64_t cost, struct err *e);
    void *ctx;
};
/* Anonymous co-signatures on one memo and one ring, verified in one batch:
 * items [{version (null: withdraw), organization, ring, seq, proof
 * (base64)}] (protocol v2). Each action of a tag must carry the tag's
 * sequence number (ERR_CONFLICT otherwise); a later signature with the same
 * tag replaces the earlier. No actor. work may be NULL (no budget). */
int chan_anon_submit(struct chan *c, struct pool *p, const char *memo_id, const json_t *items,
                     const struct chan_work *work, json_t **out, struct err *e) WUR;
/* chan_anon_submit in two steps, so that the server verifies proofs on a
 * reader, outside every write lock (docs/architecture.md). chan_anon_verify:
 * every check on one read snapshot (spending work's budget as
 * chan_anon_submit does), then the batch verification outside any
 * transaction; *out (from p) holds what was verified. chan_anon_commit:
 * one write transaction that rechecks the memo's state and each tag's
 * sequence number (ERR_CONFLICT if a tag acted since: nothing counted),
 * then counts and logs as chan_anon_submit. The two may run on different
 * connections of one database; nothing of the request is counted twice,
 * since each proof is bound to its tag's sequence number. */
struct chan_anon_verified;
int chan_anon_verify(struct chan *c, struct pool *p, const char *memo_id, const json_t *items,
                     const struct chan_work *work, struct chan_anon_verified **out,
                     struct err *e) WUR;
int chan_anon_commit(struct chan *c, struct pool *p, const struct chan_anon_verified *v,
                     json_t **out, struct err *e) WUR;
/* chan_anon_verify in two steps again, so that a server can verify the
 * proofs of many requests on one ring together (docs/architecture.md,
 * "Verification batched across requests"). chan_anon_check: every check
 * of chan_anon_verify but the arithmetic; *out (from p) holds a reference
 * to the ring, kept until chan_anon_verify_checked (or
 * chan_anon_checked_release). chan_anon_batch_key: requests with the same
 * key (a string in *v) are on one ring and one scope, and may be verified
 * together; chan_anon_proofs: how many proofs v carries. */
int chan_anon_check(struct chan *c, struct pool *p, const char *memo_id, const json_t *items,
                    const struct chan_work *work, struct chan_anon_verified **out,
                    struct err *e) WUR;
const char *chan_anon_batch_key(const struct chan_anon_verified *v);
size_t chan_anon_proofs(const struct chan_anon_verified *v);
/* Verifies the proofs of n checked requests (any thread, no connection, no
 * lock): those with the same key in one batch verification; when a batch
 * fails, each half is verified again, down to single requests, so a bad
 * proof fails its own request and nobody else's. rcs[i] is 0 when every
 * proof of v[i] verified (v[i] may then go to chan_anon_commit), else -1
 * with errs[i] (ERR_CRYPTO, ERR_INVALID, as chan_anon_verify). Releases
 * every v's ring. Returns the number of batch verifications it ran (1 per
 * key when every proof is good). */
size_t chan_anon_verify_checked(struct chan_anon_verified *const *v, size_t n, int *rcs,
                                struct err *errs);
/* Drops v's ring reference if it still holds one (NULL is fine). */
void chan_anon_checked_release(struct chan_anon_verified *v);

/* ---- publication in shuffled batches (batch.c, docs/protocol-tlog.md "Batches") ----
 * Anonymous signature actions and roster changes are not appended to the
 * log when they are accepted: they are queued (in the accepting
 * transaction) and published together at the next multiple of the batch
 * interval, in random order, with times rounded to the interval, so that
 * nobody can order them against each other or against second-stamped
 * leaves. */
#define CHAN_BATCH_INTERVAL_DEFAULT 3600
#define CHAN_BATCH_INTERVAL_MAX     604800
/* Sets the interval in seconds (0: publish each entry at once, as it is
 * accepted — tests and demos only: no protection against a stopwatch). */
void chan_batch_set_interval(struct chan *c, int64_t seconds);
int64_t chan_batch_interval(const struct chan *c);
/* The batch time an entry accepted at now is promised for: the next
 * multiple of the interval after now (now itself with interval 0). */
int64_t chan_batch_due(const struct chan *c, int64_t now);
/* Publishes, in one transaction, every queued entry due at or before now
 * (all of them if all), shuffled, as contiguous leaves whose time is now
 * rounded down to the interval. *published (may be NULL) counts them.
 * Idempotent: nothing queued, nothing done. */
int chan_batch_publish(struct chan *c, int64_t now, int all, size_t *published, struct err *e) WUR;
/* The background job (serve): chan_batch_publish of what is due at now.
 * After downtime it publishes every overdue entry in one batch. */
int chan_batch_tick(struct chan *c, int64_t now, struct err *e) WUR;
/* {interval, next_at, note}: when the next batch is published — the same
 * whether anything is queued or not (a flag that flips would be a
 * stopwatch). */
json_t *chan_batch_json(const struct chan *c, int64_t now);

/* A channel's public responsiveness (no login): proto/stats.h's figures over
 * every leaf of the log at time now, plus {channel_name, log_size (the
 * leaves counted), calendar: {timezone, holidays: ["YYYY-MM-DD"…]}} — what
 * `dissent stats` needs to recompute them. ERR_NOT_FOUND for an unknown
 * channel. */
int chan_channel_stats(struct chan *c, struct pool *p, const char *slug, int64_t now, json_t **out,
                       struct err *e) WUR;

/* Figures for /metrics: log leaves, memos under review, memos overdue. */
int chan_stats(struct chan *c, int64_t *leaves, int64_t *under_review, int64_t *overdue,
               struct err *e) WUR;

/* ---- the server's own jobs (cli/serve_ticker.h runs them) ---- */
/* Writes a "deadline-missed" leaf (proto/events.h) for every deadline of
 * the policy office that passed unmet before now (deadline.h's rule: met
 * late, or still open, or open when the memo was withdrawn) and has none
 * yet: one leaf per memo and deadline, ever. Catches up on everything
 * missed while the server was down. *written: leaves written. Each memo in
 * its own transaction; on failure, what was written before stays. */
int chan_deadline_missed_log(struct chan *c, int64_t now, size_t *written, struct err *e) WUR;
/* chan_deadline_missed_log as a ticker job (logs how many it wrote). */
int chan_deadline_tick(struct chan *c, int64_t now, struct err *e) WUR;

/* Checks a copy (the official rendering's text, with its verification line)
 * against the version registered in the log, paragraph by paragraph, and
 * verifies the leaf's inclusion proof. No login. {memo, version, found,
 * result, exact, registered_at, leaf_index, log_size, inclusion_verified,
 * registered_paragraphs, copy_paragraphs, paragraphs:[{status, registered,
 * copy, excerpt?}]}. */
int chan_copy_check(struct chan *c, const char *text, json_t **out, struct err *e) WUR;

/* ---- accounts without shared secrets (account.c) ----
 *
 * The admin never sets or learns a password. A new account, and a reset,
 * get a one-time setup link (256-bit random token, only its SHA-256 kept,
 * valid CHAN_SETUP_SECONDS, single use) which the admin hands over; the
 * member opens it and chooses the password. Completing the link issues a
 * recovery code (shown once, kept hashed); completing a reset link needs it,
 * so whoever holds only the link (the admin who made it) cannot complete a
 * reset. Every change to an account is an account event, shown to the
 * member and to auditors. */

/* Admins: ends every session of the member, clears the password and issues
 * a new setup link (voiding the old): {username, setup:{token, path,
 * expires_at}}. ERR_CONFLICT when the member has no recovery code (nobody
 * but the member could complete the link; disable the account instead). */
int chan_member_reset(struct chan *c, struct pool *p, const struct actor *a, const char *username,
                      json_t **out, struct err *e) WUR;

/* What a setup link is for, without using it (no login):
 * {username, display_name, kind: "created"|"reset", needs_recovery_code,
 * expires_at}. ERR_NOT_FOUND when the token is unknown, used, expired or
 * the account is disabled. */
int chan_setup_info(struct chan *c, struct pool *p, const char *token, json_t **out,
                    struct err *e) WUR;

/* Completes a setup link: sets the password (recovery_code needed for a
 * reset link, else ignored), voids the link, ends every other session,
 * issues a new recovery code and signs the member in (token and actor as
 * chan_login). out: {recovery_code, notices:[account events not shown
 * before, now marked shown]}. ERR_FORBIDDEN for a wrong recovery
 * code (the link stays valid). */
int chan_setup_complete(struct chan *c, struct pool *p, const char *token, const char *password,
                        const char *recovery_code, char **session_token, struct actor *a,
                        json_t **out, struct err *e) WUR;

/* The actor changes their own password (the current one is required): ends
 * their other sessions. out: {password_changed: true}. */
int chan_password_change(struct chan *c, struct pool *p, const struct actor *a, const char *current,
                         const char *password, json_t **out, struct err *e) WUR;

/* The actor makes a new recovery code (the current password is required;
 * the old code stops working). out: {recovery_code}. */
int chan_recovery_code_new(struct chan *c, struct pool *p, const struct actor *a,
                           const char *current, json_t **out, struct err *e) WUR;

/* The actor's account: {member, has_recovery_code, events:[{kind, by,
 * detail, at, seen}]} (newest first). */
int chan_account_get(struct chan *c, struct pool *p, const struct actor *a, json_t **out,
                     struct err *e) WUR;
/* The account events the actor has not been shown yet, as an array (newest
 * first), now marked as shown. */
int chan_account_notices(struct chan *c, struct pool *p, const struct actor *a, json_t **out,
                         struct err *e) WUR;
/* How many account events the actor has not been shown. */
int chan_account_unseen(struct chan *c, struct pool *p, const struct actor *a, size_t *n,
                        struct err *e) WUR;
/* Auditors: every account's events a page at a time, newest first:
 * {events:[{id, username, kind, by, detail, at}], next_before}, at most
 * limit (1 to CHAN_EVENTS_PAGE_MAX) with an id below before (0: the
 * newest); next_before is the before of the next older page, null on the
 * last. chan_events_page_args parses the query's before and limit (NULL or
 * "": absent; ERR_INVALID for a limit out of range or a before that is not
 * an id). */
#define CHAN_EVENTS_PAGE_DEFAULT 200
#define CHAN_EVENTS_PAGE_MAX     500
int chan_events_page_args(const char *before, const char *limit, int64_t *before_out,
                          int *limit_out, struct err *e) WUR;
int chan_account_events(struct chan *c, struct pool *p, const struct actor *a, int64_t before,
                        int limit, json_t **out, struct err *e) WUR;

/* The local operator only (`dissent init`, `dissent demo`, working on the
 * database file): sets a member's password directly, voiding any setup
 * link and any pending login (made with the old password). The HTTP layer
 * never calls this. */
int chan_local_set_password(struct chan *c, struct pool *p, const char *username,
                            const char *password, struct err *e) WUR;

/* ---- the second factor: TOTP (second_factor.c, totp.c) ----
 *
 * A member may add an authenticator app (RFC 6238, 6 digits, 30 s): the
 * secret is made here, shown once (base32 and an otpauth:// URI), sealed at
 * rest, and in force only once a first valid code confirms it. Each code is
 * accepted once (±1 step). Confirming issues CHAN_TOTP_RECOVERY_CODES
 * one-time recovery codes (kept hashed). Nobody but the member can turn it
 * off, and only with a current code: no admin path removes it. */

/* The second step of a sign-in: the pending login token from chan_login
 * and a current code (or an unused recovery code). Throttled like
 * passwords per (username, client); a pending login takes
 * CHAN_TOTP_TRIES_MAX wrong codes, then the password is needed again. On
 * success: a session, as chan_login. */
int chan_login_second(struct chan *c, struct pool *p, const char *pending, const char *code,
                      const char *client, char **token, struct actor *a, struct err *e) WUR;
/* {enabled, enrollment_pending, recovery_codes_left, policy_required,
 * required (the policy applies to the actor's roles)} */
int chan_totp_status(struct chan *c, struct pool *p, const struct actor *a, json_t **out,
                     struct err *e) WUR;
/* Starts an enrollment: a new secret, unconfirmed, replacing an unconfirmed
 * one: {secret (base32), otpauth_uri, algorithm, digits, period}.
 * ERR_CONFLICT when a second factor is already in force. */
int chan_totp_enroll(struct chan *c, struct pool *p, const struct actor *a, json_t **out,
                     struct err *e) WUR;
/* Confirms the enrollment with a current code: {enabled: true,
 * recovery_codes: [10 codes, shown this once]}. ERR_FORBIDDEN for a wrong
 * code (throttled), ERR_STATE without a started enrollment. */
int chan_totp_confirm(struct chan *c, struct pool *p, const struct actor *a, const char *code,
                      json_t **out, struct err *e) WUR;
/* Turns the actor's second factor off: code is a current code or an unused
 * recovery code. {enabled: false}. */
int chan_totp_disable(struct chan *c, struct pool *p, const struct actor *a, const char *code,
                      json_t **out, struct err *e) WUR;
/* New recovery codes (the old stop working), with a current code:
 * {recovery_codes:[…]}. */
int chan_totp_recovery_new(struct chan *c, struct pool *p, const struct actor *a, const char *code,
                           json_t **out, struct err *e) WUR;
/* Whether the installation requires a second factor of reviewers,
 * leadership, auditors and admins (new installations: yes). */
int chan_totp_policy_get(struct chan *c, struct pool *p, int *required, struct err *e) WUR;
/* Admins (NULL actor: the local operator): sets the policy when required
 * is not NULL; {totp_required}. */
int chan_totp_policy(struct chan *c, struct pool *p, const struct actor *a, const int *required,
                     json_t **out, struct err *e) WUR;

#endif
