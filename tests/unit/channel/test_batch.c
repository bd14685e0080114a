/* Tests for publication in shuffled batches (src/channel/batch.c) through
 * channel/chan.h: enrollments and anonymous signatures are queued, not in
 * the log and not in the public facts before their batch; chan_batch_tick
 * publishes what is due as contiguous leaves with one rounded time, and
 * nothing twice; after downtime it catches up; the entries of one chain (a
 * re-key's retire and rekey leaves) keep their order; the receipt verifies
 * with the log key and promises the next batch time. */
#include "unit/channel/fixture.h"

#include "proto/receipt.h"
#include "store/store.h"

#define T_ACCEPT "2026-03-02T10:15:07Z"
#define T_DUE    1772449200 /* 2026-03-02T11:00:00Z */

static int64_t log_size(struct fx *f)
{
    struct err e;
    json_t *cp = NULL;
    int64_t n;
    err_init(&e);
    fx_ok(chan_log_checkpoint(f->c, &cp, &e), &e);
    n = json_integer_value(json_object_get(cp, "size"));
    json_decref(cp);
    return n;
}

/* Leaves [start, end) as parsed objects in an array. */
static json_t *leaves(struct fx *f, int64_t start, int64_t end)
{
    struct err e;
    json_t *out = NULL, *arr = json_array(), *l;
    size_t i;
    err_init(&e);
    fx_ok(chan_log_leaves(f->c, start, end, &out, &e), &e);
    json_array_foreach(json_object_get(out, "leaves"), i, l) json_array_append_new(
        arr, json_loads(json_string_value(json_object_get(l, "data")), 0, NULL));
    json_decref(out);
    return arr;
}

static void tick(struct fx *f, int64_t now)
{
    struct err e;
    err_init(&e);
    fx_ok(chan_batch_tick(f->c, now, &e), &e);
}

static void test_enrollments_wait_for_their_batch(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct fx_key ka, kb, kb2;
    json_t *l, *out = NULL;
    int64_t n0 = log_size(f);
    size_t i;

    err_init(&e);
    chan_batch_set_interval(f->c, 3600);
    assert_int_equal(chan_batch_due(f->c, T_DUE - 2693), T_DUE);
    assert_int_equal(chan_batch_due(f->c, T_DUE), T_DUE + 3600);
    fx_clock(T_ACCEPT);
    fx_keypair(&ka);
    fx_keypair(&kb);
    fx_keypair(&kb2);
    fx_ok(fx_enroll(f, &f->alice, &ka, &e), &e);
    fx_ok(fx_enroll(f, &f->bob, &kb, &e), &e);
    fx_ok(fx_enroll(f, &f->bob, &kb2, &e), &e); /* a re-key: retire, then rekey */
    assert_int_equal(log_size(f), n0);
    fx_ok(chan_roster_get(f->c, &f->p, "state", 0, &out, &e), &e);
    assert_int_equal(fx_int(out, "count", NULL), 0);
    json_decref(out);

    tick(f, T_DUE - 1); /* not yet due */
    assert_int_equal(log_size(f), n0);
    tick(f, T_DUE);
    assert_int_equal(log_size(f), n0 + 4);
    tick(f, T_DUE + 5); /* idempotent */
    assert_int_equal(log_size(f), n0 + 4);

    l = leaves(f, n0, n0 + 4);
    {
        int64_t last_bob_size = -1;
        json_t *x;
        json_array_foreach(l, i, x)
        {
            const char *key = json_string_value(json_object_get(x, "public_key"));
            assert_string_equal(json_string_value(json_object_get(x, "kind")), "roster");
            /* one time for the batch, rounded to the interval */
            assert_string_equal(json_string_value(json_object_get(x, "at")),
                                "2026-03-02T11:00:00Z");
            /* the chain of the roster keeps its order: sizes ascend */
            assert_true(json_integer_value(json_object_get(x, "size")) > last_bob_size);
            last_bob_size = json_integer_value(json_object_get(x, "size"));
            (void)key;
        }
    }
    json_decref(l);
    fx_ok(chan_roster_get(f->c, &f->p, "state", 0, &out, &e), &e);
    assert_int_equal(fx_int(out, "count", NULL), 2);
    json_decref(out);
    fx_clock(NULL);
    chan_batch_set_interval(f->c, 0);
}

static void test_catch_up_after_downtime(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct fx_key kc;
    json_t *l;
    int64_t n0 = log_size(f);

    err_init(&e);
    chan_batch_set_interval(f->c, 3600);
    fx_clock(T_ACCEPT);
    fx_keypair(&kc);
    fx_ok(fx_enroll(f, &f->carol, &kc, &e), &e);
    assert_int_equal(log_size(f), n0);
    /* the server was down from 10:30 to 14:20: one batch, at 14:00 */
    tick(f, T_DUE + 3 * 3600 + 1200);
    assert_int_equal(log_size(f), n0 + 1);
    l = leaves(f, n0, n0 + 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(l, 0), "at")),
                        "2026-03-02T14:00:00Z");
    json_decref(l);
    fx_clock(NULL);
    chan_batch_set_interval(f->c, 0);
}

static void test_anonymous_signatures_and_receipts(void **state)
{
    struct fx *f = *state;
    struct err e;
    char id[RANDOM_ID_LEN + 1];
    json_t *pub, *items, *out = NULL, *res, *key = NULL, *l;
    struct fx_key ka, kb;
    unsigned char pk[32];
    int64_t n0;
    size_t i;
    json_t *x;

    err_init(&e);
    /* a ring of two: enrolled and published at once */
    fx_keypair(&ka);
    fx_keypair(&kb);
    fx_ok(fx_enroll(f, &f->alice, &ka, &e), &e);
    fx_ok(fx_enroll(f, &f->bob, &kb, &e), &e);
    fx_memo_in(f, CHAN_STATE_CIRCULATING, id);
    pub = fx_public(f, id);
    chan_batch_set_interval(f->c, 3600);
    fx_clock(T_ACCEPT);
    n0 = log_size(f);
    items = json_array();
    json_array_append_new(items, fx_anon_item(pub, id, &ka, "state", 1, 1));
    json_array_append_new(items, fx_anon_item(pub, id, &kb, "state", 1, 1));
    json_decref(pub);
    fx_ok(chan_anon_submit(f->c, &f->p, id, items, NULL, &out, &e), &e);
    json_decref(items);
    assert_int_equal(log_size(f), n0);

    /* the receipt: signed by the log key, promising the next batch time */
    fx_ok(chan_log_key(f->c, &key, &e), &e);
    assert_int_equal(
        hex_decode(pk, sizeof pk, json_string_value(json_object_get(key, "public_key"))), 0);
    json_decref(key);
    json_array_foreach(json_object_get(out, "results"), i, res)
    {
        json_t *rc = json_object_get(res, "receipt"), *body = json_object_get(rc, "receipt");
        const char *sig = json_string_value(json_object_get(rc, "signature"));
        assert_string_equal(json_string_value(json_object_get(body, "publish_by")),
                            "2026-03-02T11:00:00Z");
        assert_string_equal(json_string_value(json_object_get(body, "memo")), id);
        fx_ok(proto_receipt_verify(body, sig, pk, &e), &e);
        json_object_set_new(body, "publish_by", json_string("2026-03-03T11:00:00Z"));
        assert_int_equal(proto_receipt_verify(body, sig, pk, &e), -1);
        assert_int_equal(e.code, ERR_CRYPTO);
    }
    json_decref(out);

    /* nothing public before the batch: no signature, no sequence, no count */
    pub = fx_public(f, id);
    assert_int_equal(json_array_size(json_object_get(pub, "signatures")), 0);
    assert_int_equal(json_array_size(json_object_get(pub, "sequences")), 0);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(json_object_get(pub, "counts"), "anonymous"), "total")),
                     0);
    assert_non_null(strstr(
        json_string_value(json_object_get(json_object_get(pub, "batch"), "note")), "11:00 UTC"));
    json_decref(pub);

    tick(f, T_DUE);
    assert_int_equal(log_size(f), n0 + 2);
    l = leaves(f, n0, n0 + 2);
    json_array_foreach(l, i, x)
    {
        assert_string_equal(json_string_value(json_object_get(x, "kind")), "anonymous-signature");
        assert_string_equal(json_string_value(json_object_get(x, "at")), "2026-03-02");
    }
    /* the counts of the second leaf include both: they follow log order */
    assert_int_equal(json_integer_value(
                         json_object_get(json_object_get(json_array_get(l, 1), "counts"), "total")),
                     2);
    json_decref(l);
    pub = fx_public(f, id);
    assert_int_equal(json_array_size(json_object_get(pub, "signatures")), 2);
    json_array_foreach(json_object_get(pub, "sequences"), i, x)
        assert_int_equal(json_integer_value(json_object_get(x, "next")), 1);
    json_decref(pub);
    fx_clock(NULL);
    chan_batch_set_interval(f->c, 0);
}

/* Replaying a public proof answers the same before and after its signer
 * acts again within a batch: the answer does not depend on the tag's
 * current (unpublished) sequence number. */
static void test_replays_tell_nothing_pending(void **state)
{
    struct fx *f = *state;
    struct err e;
    char id[RANDOM_ID_LEN + 1], before[ERR_MSG_MAX];
    json_t *pub, *old, *next;
    struct fx_key ka, kb;

    err_init(&e);
    fx_keypair(&ka);
    fx_keypair(&kb);
    fx_ok(fx_enroll(f, &f->alice, &ka, &e), &e);
    fx_ok(fx_enroll(f, &f->bob, &kb, &e), &e);
    fx_memo_in(f, CHAN_STATE_CIRCULATING, id);
    pub = fx_public(f, id);
    old = fx_anon_item(pub, id, &ka, "state", 1, 1); /* published at once (interval 0) */
    fx_ok(fx_anon_submit1(f, id, json_deep_copy(old), NULL, &e), &e);
    json_decref(pub);
    chan_batch_set_interval(f->c, 3600);
    fx_clock(T_ACCEPT);
    /* anyone replays the published proof */
    fx_refused(fx_anon_submit1(f, id, json_deep_copy(old), NULL, &e), &e, ERR_CONFLICT,
               "stale anonymous signature");
    snprintf(before, sizeof before, "%s", e.msg);
    /* alice acts again (sequence 1, as published): queued, not published */
    pub = fx_public(f, id);
    next = fx_anon_item(pub, id, &ka, "state", 1, 1);
    assert_int_equal(fx_int(next, "seq", NULL), 1);
    fx_ok(fx_anon_submit1(f, id, next, NULL, &e), &e);
    json_decref(pub);
    fx_refused(fx_anon_submit1(f, id, json_deep_copy(old), NULL, &e), &e, ERR_CONFLICT,
               "stale anonymous signature");
    assert_string_equal(e.msg, before);
    assert_null(strstr(e.msg, "is at sequence"));
    json_decref(old);
    fx_clock(NULL);
    chan_batch_set_interval(f->c, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_enrollments_wait_for_their_batch),
        cmocka_unit_test(test_catch_up_after_downtime),
        cmocka_unit_test(test_anonymous_signatures_and_receipts),
        cmocka_unit_test(test_replays_tell_nothing_pending),
    };
    return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
