/* fixture.h — shared fixtures of the channel's unit tests.
 *
 * Every test program drives the channel through its public interface
 * (channel/chan.h) on a real SQLite file in a fresh mkdtemp directory:
 * organizations, members logged in with chan_login, two channels (one per
 * preset), memos driven to a state, the log's size, and anonymous proofs
 * built with src/ring/ the way a client builds them.
 *
 * Functions are static inline so that a test program may use any subset. */
#ifndef DISSENT_TESTS_UNIT_CHANNEL_FIXTURE_H
#define DISSENT_TESTS_UNIT_CHANNEL_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/pool.h"
#include "base/util.h"
#include "channel/chan.h"
#include "channel/roles.h"
#include "store/store.h"
#include "proto/anon.h"
#include "ring/keyfile.h"
#include "ring/triptych.h"
#include "unit/test_tmp.h"

/* The password every fixture member has. */
#define FX_PASSWORD "correct horse battery"

struct fx {
    char dir[TT_PATH_MAX];
    char db[TT_PATH_MAX + 32];
    struct chan *c;
    struct pool p; /* the actors' strings and the scratch of every call */
    /* alice, bob: members of "state"; carol: member of "usaid"; rev: the
     * policy office; lead: leadership; aud: auditor; adm: admin. */
    struct actor alice, bob, carol, rev, lead, aud, adm;
};

/* Pins the channel's clock (DISSENT_FAKE_NOW, read by now_utc); NULL unpins. */
static inline void fx_clock(const char *rfc3339)
{
    if (rfc3339)
        setenv("DISSENT_FAKE_NOW", rfc3339, 1);
    else
        unsetenv("DISSENT_FAKE_NOW");
}

/* Asserts that a call failed with code, and that its message contains want
 * (if not NULL). */
static inline void fx_refused(int rc, const struct err *e, enum err_code code, const char *want)
{
    if (rc != -1 || e->code != code)
        fail_msg("expected %s, got rc %d, %s: %s", err_code_name(code), rc, err_code_name(e->code),
                 e->msg);
    if (want && !strstr(e->msg, want))
        fail_msg("message '%s' does not contain '%s'", e->msg, want);
}

/* Asserts success, printing the error otherwise. */
static inline void fx_ok(int rc, const struct err *e)
{
    if (rc != 0)
        fail_msg("call failed: %s: %s", err_code_name(e->code), e->msg);
}

/* Creates a member with roles in org and logs them in into *a. */
static inline void fx_member(struct fx *f, struct actor *a, const char *username, const char *org,
                             unsigned roles)
{
    struct err e;
    json_t *out = NULL;
    char *token = NULL;
    struct chan_member_input in = {
        .username = username, .display_name = username, .org = org, .roles = roles};
    err_init(&e);
    fx_ok(chan_member_create(f->c, &f->p, NULL, &in, &out, &e), &e);
    json_decref(out);
    /* The operator's local way: no server path sets a password. */
    fx_ok(chan_local_set_password(f->c, &f->p, username, FX_PASSWORD, &e), &e);
    fx_ok(chan_login(f->c, &f->p, username, FX_PASSWORD, "local", &token, a, &e), &e);
}

/* A plain member of "state" named username, put in through the store (no
 * password, no login: quick, for tests that need hundreds); returns the id. */
static inline int64_t fx_plain_member(struct fx *f, const char *username)
{
    struct err e;
    int64_t org = 0, id = 0;
    struct st_member x = {.username = (char *)username,
                          .display_name = (char *)username,
                          .password_hash = "",
                          .roles = CHAN_ROLE_MEMBER};
    err_init(&e);
    fx_ok(store_org_by_slug(chan_store(f->c), "state", &org, &e), &e);
    x.org_id = org;
    fx_ok(store_member_insert(chan_store(f->c), &x, 1, &id, &e), &e);
    return id;
}

/* Opens a channel on a new store with the orgs "state" and "usaid" and the
 * channels "dissent" (state-dissent, ceiling SBU) and "eu" (eu-directive,
 * ceiling SECRET); with people != 0 also the seven fixture members. */
static inline void fx_open(struct fx *f, int people)
{
    struct err e;
    json_t *out = NULL;
    /* rings of 2 keys, as in the demo (a real channel: 10 unless set) */
    struct chan_channel_input dissent = {.slug = "dissent",
                                         .name = "Dissent",
                                         .preset = "state-dissent",
                                         .ceiling = "SBU",
                                         .min_ring = 2};
    struct chan_channel_input eu = {
        .slug = "eu", .name = "EU", .preset = "eu-directive", .ceiling = "SECRET", .min_ring = 2};

    memset(f, 0, sizeof *f);
    err_init(&e);
    fx_clock(NULL);
    tt_mkdtemp(f->dir, sizeof f->dir, "dissent-chan");
    snprintf(f->db, sizeof f->db, "%s/test.db", f->dir);
    pool_init(&f->p, 1u << 26);
    fx_ok(chan_open(&f->c, f->db, &e), &e);
    /* Publish at once; the tests of batches (test_batch.c) set an interval. */
    chan_batch_set_interval(f->c, 0);
    fx_ok(chan_org_create(f->c, NULL, "state", "Department of State", &out, &e), &e);
    json_decref(out);
    fx_ok(chan_org_create(f->c, NULL, "usaid", "USAID", &out, &e), &e);
    json_decref(out);
    fx_ok(chan_channel_create(f->c, &f->p, NULL, &dissent, &out, &e), &e);
    json_decref(out);
    fx_ok(chan_channel_create(f->c, &f->p, NULL, &eu, &out, &e), &e);
    json_decref(out);
    if (people) {
        fx_member(f, &f->alice, "alice", "state", CHAN_ROLE_MEMBER);
        fx_member(f, &f->bob, "bob", "state", CHAN_ROLE_MEMBER);
        fx_member(f, &f->carol, "carol", "usaid", CHAN_ROLE_MEMBER);
        fx_member(f, &f->rev, "rev", "state", CHAN_ROLE_REVIEWER);
        fx_member(f, &f->lead, "lead", "state", CHAN_ROLE_LEADERSHIP);
        fx_member(f, &f->aud, "aud", "state", CHAN_ROLE_AUDITOR);
        fx_member(f, &f->adm, "adm", "state", CHAN_ROLE_ADMIN);
    }
}

/* Closes the channel and removes its directory, whatever the store made in
 * it (the database, its side files, the key directory of src/store/keydir.c). */
static inline void fx_close(struct fx *f)
{
    chan_close(f->c);
    f->c = NULL;
    pool_release(&f->p);
    assert_int_equal(tt_rm_tree(f->dir), 0);
    fx_clock(NULL);
}

/* cmocka group setup and teardown: one store with the members for the whole
 * program (password hashing is slow), a fresh memo per test. */
static inline int fx_group_setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    fx_open(f, 1);
    *state = f;
    return 0;
}

static inline int fx_group_teardown(void **state)
{
    struct fx *f = *state;
    fx_close(f);
    free(f);
    return 0;
}

/* A memo drafted by a on channel; its id goes to id. */
static inline void fx_memo(struct fx *f, const struct actor *a, const char *channel,
                           const char *body, char id[RANDOM_ID_LEN + 1])
{
    struct err e;
    json_t *out = NULL;
    struct chan_version_input in = {.title = "A dissent", .marking = "SBU", .body = body};
    err_init(&e);
    fx_ok(chan_memo_create(f->c, &f->p, a, channel, &in, NULL, 0, &out, &e), &e);
    snprintf(id, RANDOM_ID_LEN + 1, "%s", json_string_value(json_object_get(out, "id")));
    json_decref(out);
}

/* Runs one state change that must succeed; returns the memo's new state name
 * (static storage). */
static inline const char *fx_act(struct fx *f, const struct actor *a, const char *id,
                                 enum chan_op op, const char *text)
{
    static char state[32];
    struct err e;
    json_t *out = NULL;
    err_init(&e);
    fx_ok(chan_memo_act(f->c, &f->p, a, id, op, text, &out, &e), &e);
    snprintf(state, sizeof state, "%s", json_string_value(json_object_get(out, "state")));
    json_decref(out);
    return state;
}

/* A memo by alice on "dissent", driven to state (a chan_state value). */
static inline void fx_memo_in(struct fx *f, int state, char id[RANDOM_ID_LEN + 1])
{
    fx_memo(f, &f->alice, "dissent", "We disagree.\n\nHere is why.", id);
    if (state == CHAN_STATE_DRAFT)
        return;
    if (state == CHAN_STATE_WITHDRAWN) {
        fx_act(f, &f->alice, id, CHAN_OP_WITHDRAW, NULL);
        return;
    }
    fx_act(f, &f->alice, id, CHAN_OP_CIRCULATE, NULL);
    if (state == CHAN_STATE_CIRCULATING)
        return;
    fx_act(f, &f->alice, id, CHAN_OP_SUBMIT, NULL);
    if (state == CHAN_STATE_SUBMITTED)
        return;
    fx_act(f, &f->rev, id, CHAN_OP_ACKNOWLEDGE, NULL);
    if (state == CHAN_STATE_ACKNOWLEDGED)
        return;
    fx_act(f, &f->rev, id, CHAN_OP_ANSWER, "Thank you; we considered it.");
    if (state == CHAN_STATE_ANSWERED)
        return;
    fx_act(f, &f->rev, id, CHAN_OP_CLOSE, NULL);
}

/* The memo as a reads it (latest version); the caller frees it. */
static inline json_t *fx_get(struct fx *f, const struct actor *a, const char *id)
{
    struct err e;
    json_t *out = NULL;
    err_init(&e);
    fx_ok(chan_memo_get(f->c, &f->p, a, id, 0, &out, &e), &e);
    return out;
}

/* The number of leaves in the transparency log. */
static inline int64_t fx_log_size(struct fx *f)
{
    struct err e;
    json_t *out = NULL;
    int64_t n;
    err_init(&e);
    fx_ok(chan_log_checkpoint(f->c, &out, &e), &e);
    n = json_integer_value(json_object_get(out, "size"));
    json_decref(out);
    return n;
}

/* json_integer_value of obj.k1.k2 (k2 may be NULL). */
static inline json_int_t fx_int(const json_t *obj, const char *k1, const char *k2)
{
    const json_t *v = json_object_get(obj, k1);
    if (k2)
        v = json_object_get(v, k2);
    return json_integer_value(v);
}

/* The count of key (a version number or an organization slug) in a
 * {by_version|by_organization:[{version|organization, count}]} object; 0 if absent. */
static inline json_int_t fx_count_of(const json_t *counts, const char *list, const char *key,
                                     json_int_t version, const char *org)
{
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(counts, list), i, row)
    {
        const json_t *k = json_object_get(row, key);
        if ((org && json_is_string(k) && strcmp(json_string_value(k), org) == 0) ||
            (!org && json_integer_value(k) == version))
            return json_integer_value(json_object_get(row, "count"));
    }
    return 0;
}

/* ---- anonymous co-signatures, built as a client builds them ----
 * The bytes signed are the protocol's (proto/anon.h); these two functions
 * are the only place the tests name them. */

static inline size_t fx_pop_context(char *buf, size_t n, const char *origin, const char *org,
                                    const char *username, const char *challenge)
{
    return proto_pop_context(buf, n, origin, org, username, challenge);
}

static inline size_t fx_anon_message(char *buf, size_t n, int64_t seq, int version,
                                     const char *version_hash)
{
    return proto_anon_message(buf, n, (uint64_t)seq, version, version_hash);
}

static inline size_t fx_anon_scope(char *buf, size_t n, const char *origin, const char *memo)
{
    return proto_anon_scope(buf, n, origin, memo);
}

/* The installation's origin and the last enrollment challenge fx_challenge
 * got: what fx_pop signs (protocol v2). */
static char fx_origin[256];
static char fx_chal[65];

/* Asks the channel for a's enrollment challenge (into fx_chal). One who may
 * not enroll gets none: fx_chal is then 64 zeros, and enrolling is refused
 * for the role first. */
static inline void fx_challenge(struct fx *f, const struct actor *a)
{
    struct err e;
    json_t *out = NULL;
    err_init(&e);
    if (chan_roster_challenge(f->c, a, &out, &e)) {
        assert_int_equal(e.code, ERR_FORBIDDEN);
        memset(fx_chal, '0', 64);
        fx_chal[64] = '\0';
        return;
    }
    snprintf(fx_chal, sizeof fx_chal, "%s", json_string_value(json_object_get(out, "challenge")));
    snprintf(fx_origin, sizeof fx_origin, "%s", json_string_value(json_object_get(out, "origin")));
    json_decref(out);
}

/* A ring key pair. */
struct fx_key {
    uint8_t pk[RING_POINT_BYTES];
    uint8_t sk[RING_SCALAR_BYTES];
    char pk_hex[2 * RING_POINT_BYTES + 1];
};

static inline void fx_keypair(struct fx_key *k)
{
    struct err e;
    err_init(&e);
    fx_ok(ring_keypair(k->pk, k->sk, &e), &e);
    hex_encode(k->pk_hex, k->pk, RING_POINT_BYTES);
}

/* The proof of possession (hex) of k for member a. */
static inline void fx_pop(const struct fx_key *k, const struct actor *a,
                          char out[2 * RING_POP_BYTES + 1])
{
    struct err e;
    char ctx[PROTO_POP_CONTEXT_MAX];
    uint8_t sig[RING_POP_BYTES];
    size_t n = fx_pop_context(ctx, sizeof ctx, fx_origin, a->org, a->username, fx_chal);
    err_init(&e);
    fx_ok(ring_pop_sign(sig, k->sk, (const uint8_t *)ctx, n, &e), &e);
    hex_encode(out, sig, RING_POP_BYTES);
}

/* Enrolls k as a's ring key; returns the channel's status. */
static inline int fx_enroll(struct fx *f, const struct actor *a, const struct fx_key *k,
                            struct err *e)
{
    char pop[2 * RING_POP_BYTES + 1];
    json_t *out = NULL;
    int rc;
    fx_challenge(f, a);
    fx_pop(k, a, pop);
    rc = chan_roster_enroll(f->c, &f->p, a, k->pk_hex, pop, fx_chal, &out, e);
    json_decref(out);
    return rc;
}

/* The fixture fx_public last read, so that fx_anon_item_with can read a
 * tag's current sequence number (protocol v2) even from older facts. */
static struct fx *fx_last;

/* A second member of "usaid", uma, with the ring key k enrolled: a ring
 * needs 2 keys at least (protocol v2), so carol's organization gets one
 * only with her. */
static inline void fx_usaid_second(struct fx *f, struct fx_key *k)
{
    struct actor uma;
    struct err e;
    err_init(&e);
    fx_member(f, &uma, "uma", "usaid", CHAN_ROLE_MEMBER);
    fx_keypair(k);
    fx_ok(fx_enroll(f, &uma, k, &e), &e);
}

/* The public facts of a memo; the caller frees them. */
static inline json_t *fx_public(struct fx *f, const char *id)
{
    struct err e;
    json_t *out = NULL;
    fx_last = f;
    err_init(&e);
    fx_ok(chan_public_memo(f->c, &f->p, id, &out, &e), &e);
    return out;
}

/* The hash of version `version` in the public facts pub. */
static inline const char *fx_version_hash(const json_t *pub, int version)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(pub, "versions"), i, v)
    {
        if (json_integer_value(json_object_get(v, "number")) == version)
            return json_string_value(json_object_get(v, "hash"));
    }
    fail_msg("no version %d in the public memo", version);
    return NULL;
}

/* One anonymous signature item: k signs `version` (0: withdraw) of memo id
 * on ring `ring` of org as published in pub, at its tag's current sequence
 * number (protocol v2; read afresh, so each item is the signer's next
 * action; a test of replays reuses an item). msg_hash, when not NULL, replaces the signed
 * version's hash (to build a proof of something else); scope, when not
 * NULL, replaces the whole scope (origin and memo id). Returns the item. */
static inline json_t *fx_anon_item_with(const json_t *pub, const char *id, const struct fx_key *k,
                                        const char *org, int ring, int version,
                                        const char *msg_hash, const char *scope)
{
    struct err e;
    size_t i, index = SIZE_MAX, count = 0;
    json_t *r, *robj = NULL, *item;
    uint8_t(*keys)[RING_POINT_BYTES] = NULL;
    struct ring_keys *rk = NULL;
    uint8_t *proof = NULL;
    size_t proof_len = 0, msg_len;
    char msg[160], sc[PROTO_ANON_SCOPE_MAX], tag_hex[2 * RING_POINT_BYTES + 1];
    uint8_t tag[RING_POINT_BYTES];
    int64_t seq = 0;
    char *b64;
    const char *hash = msg_hash ? msg_hash : version ? fx_version_hash(pub, version) : NULL;

    err_init(&e);
    json_array_foreach(json_object_get(pub, "rings"), i, r)
    {
        if (strcmp(json_string_value(json_object_get(r, "organization")), org) == 0 &&
            json_integer_value(json_object_get(r, "ring")) == ring)
            robj = r;
    }
    assert_non_null(robj);
    count = json_array_size(json_object_get(robj, "keys"));
    keys = calloc(count, sizeof *keys);
    assert_non_null(keys);
    for (i = 0; i < count; i++) {
        assert_int_equal(
            hex_decode(keys[i], RING_POINT_BYTES,
                       json_string_value(json_array_get(json_object_get(robj, "keys"), i))),
            0);
        if (memcmp(keys[i], k->pk, RING_POINT_BYTES) == 0)
            index = i;
    }
    assert_true(index != SIZE_MAX);
    fx_ok(ring_keys_new(&rk, (const uint8_t(*)[RING_POINT_BYTES])keys, count, &e), &e);
    if (!scope) {
        fx_anon_scope(sc, sizeof sc, json_string_value(json_object_get(pub, "origin")), id);
        scope = sc;
    }
    /* the sequence number now published for the tag this proof will carry */
    fx_ok(ring_tag(tag, k->sk, (const uint8_t *)scope, strlen(scope), &e), &e);
    hex_encode(tag_hex, tag, sizeof tag);
    {
        json_t *now = NULL;
        if (fx_last)
            fx_ok(chan_public_memo(fx_last->c, &fx_last->p, id, &now, &e), &e);
        json_array_foreach(json_object_get(now ? now : pub, "sequences"), i, r)
        {
            if (strcmp(json_string_value(json_object_get(r, "tag")), tag_hex) == 0)
                seq = json_integer_value(json_object_get(r, "next"));
        }
        json_decref(now);
    }
    msg_len = fx_anon_message(msg, sizeof msg, seq, version, hash);
    fx_ok(ring_prove(&proof, &proof_len, rk, index, k->sk, (const uint8_t *)scope, strlen(scope),
                     (const uint8_t *)msg, msg_len, &e),
          &e);
    b64 = malloc(sodium_base64_ENCODED_LEN(proof_len, sodium_base64_VARIANT_ORIGINAL));
    assert_non_null(b64);
    sodium_bin2base64(b64, sodium_base64_ENCODED_LEN(proof_len, sodium_base64_VARIANT_ORIGINAL),
                      proof, proof_len, sodium_base64_VARIANT_ORIGINAL);
    item =
        json_pack("{s:o,s:s,s:i,s:I,s:s}", "version", version ? json_integer(version) : json_null(),
                  "organization", org, "ring", ring, "seq", (json_int_t)seq, "proof", b64);
    free(b64);
    free(proof);
    free(keys);
    ring_keys_free(rk);
    return item;
}

static inline json_t *fx_anon_item(const json_t *pub, const char *id, const struct fx_key *k,
                                   const char *org, int ring, int version)
{
    return fx_anon_item_with(pub, id, k, org, ring, version, NULL, NULL);
}

/* Submits one item (stolen); returns the channel's status and, on success,
 * the item's status ("added", …) in status. */
static inline int fx_anon_submit1(struct fx *f, const char *id, json_t *item, char status[16],
                                  struct err *e)
{
    json_t *items = json_array(), *out = NULL;
    int rc;
    json_array_append_new(items, item);
    rc = chan_anon_submit(f->c, &f->p, id, items, NULL, &out, e);
    if (rc == 0 && status)
        snprintf(status, 16, "%s",
                 json_string_value(json_object_get(
                     json_array_get(json_object_get(out, "results"), 0), "status")));
    json_decref(out);
    json_decref(items);
    return rc;
}

#endif
