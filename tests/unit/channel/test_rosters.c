/* Tests for the rosters of ring keys (src/channel/rosters.c) through channel/chan.h: enrollment
 * with a proof of possession bound to the member and organization, re-keying, keys never enrolled
 * twice, roster snapshots by size, and who may enroll. */
#include "unit/channel/fixture.h"

/* The roster of org at size (0: now); the caller frees it. */
static json_t *roster(struct fx *f, const char *org, int64_t size)
{
    struct err e;
    json_t *out = NULL;
    err_init(&e);
    fx_ok(chan_roster_get(f->c, &f->p, org, size, &out, &e), &e);
    return out;
}

static void test_enroll_and_rekey(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct fx_key k1, k2, kb;
    json_t *out = NULL, *r;
    char pop[2 * RING_POP_BYTES + 1];

    err_init(&e);
    fx_keypair(&k1);
    fx_keypair(&k2);
    fx_keypair(&kb);

    r = roster(f, "state", 0);
    assert_int_equal(fx_int(r, "size", NULL), 0);
    assert_int_equal(fx_int(r, "count", NULL), 0);
    json_decref(r);

    fx_challenge(f, &f->alice);
    fx_pop(&k1, &f->alice, pop);
    fx_ok(chan_roster_enroll(f->c, &f->p, &f->alice, k1.pk_hex, pop, fx_chal, &out, &e), &e);
    assert_false(json_is_true(json_object_get(out, "rekeyed")));
    assert_int_equal(fx_int(out, "count", NULL), 1);
    assert_string_equal(json_string_value(json_array_get(json_object_get(out, "keys"), 0)),
                        k1.pk_hex);
    assert_int_equal(strlen(json_string_value(json_object_get(out, "digest"))),
                     2 * RING_DIGEST_BYTES);
    json_decref(out);

    /* the same key again */
    fx_refused(fx_enroll(f, &f->alice, &k1, &e), &e, ERR_CONFLICT, "already your enrolled key");
    /* bob cannot enroll alice's key: it was enrolled before */
    fx_refused(fx_enroll(f, &f->bob, &k1, &e), &e, ERR_CONFLICT, "enrolled before");

    /* proofs bound to another member, another organization, another key */
    fx_challenge(f, &f->alice);
    fx_pop(&kb, &f->alice, pop);
    fx_refused(chan_roster_enroll(f->c, &f->p, &f->bob, kb.pk_hex, pop, fx_chal, &out, &e), &e,
               ERR_CRYPTO, "does not verify");
    fx_challenge(f, &f->alice);
    fx_pop(&k2, &f->alice, pop);
    fx_refused(chan_roster_enroll(f->c, &f->p, &f->alice, kb.pk_hex, pop, fx_chal, &out, &e), &e,
               ERR_CRYPTO, NULL);
    {
        struct actor other = f->alice;
        other.org = "usaid";
        fx_challenge(f, &other);
        fx_pop(&k2, &other, pop);
        fx_refused(chan_roster_enroll(f->c, &f->p, &f->alice, k2.pk_hex, pop, fx_chal, &out, &e),
                   &e, ERR_CRYPTO, NULL);
    }
    /* malformed input */
    fx_challenge(f, &f->alice);
    fx_pop(&k2, &f->alice, pop);
    fx_refused(chan_roster_enroll(f->c, &f->p, &f->alice, "abcd", pop, fx_chal, &out, &e), &e,
               ERR_INVALID, "'public_key'");
    fx_refused(chan_roster_enroll(f->c, &f->p, &f->alice, k2.pk_hex, "zz", fx_chal, &out, &e), &e,
               ERR_INVALID, "'proof'");
    fx_refused(chan_roster_enroll(f->c, &f->p, &f->alice, NULL, pop, fx_chal, &out, &e), &e,
               ERR_INVALID, NULL);
    /* only members enroll */
    fx_refused(fx_enroll(f, &f->rev, &k2, &e), &e, ERR_FORBIDDEN, "enroll");
    fx_refused(fx_enroll(f, &f->adm, &k2, &e), &e, ERR_FORBIDDEN, NULL);
    r = roster(f, "state", 0);
    assert_int_equal(fx_int(r, "size", NULL), 1);
    json_decref(r);

    /* re-keying: the old key leaves in the same step */
    fx_challenge(f, &f->alice);
    fx_pop(&k2, &f->alice, pop);
    fx_ok(chan_roster_enroll(f->c, &f->p, &f->alice, k2.pk_hex, pop, fx_chal, &out, &e), &e);
    assert_true(json_is_true(json_object_get(out, "rekeyed")));
    assert_int_equal(fx_int(out, "size", NULL), 3);
    assert_int_equal(fx_int(out, "count", NULL), 1);
    assert_string_equal(json_string_value(json_array_get(json_object_get(out, "keys"), 0)),
                        k2.pk_hex);
    json_decref(out);
    /* an old key never comes back */
    fx_refused(fx_enroll(f, &f->alice, &k1, &e), &e, ERR_CONFLICT, "enrolled before");

    /* bob joins; the roster as it was after its first entry is still there */
    fx_ok(fx_enroll(f, &f->bob, &kb, &e), &e);
    r = roster(f, "state", 1);
    assert_int_equal(fx_int(r, "size", NULL), 1);
    assert_int_equal(fx_int(r, "count", NULL), 1);
    assert_string_equal(json_string_value(json_array_get(json_object_get(r, "keys"), 0)),
                        k1.pk_hex);
    json_decref(r);
    r = roster(f, "state", 0);
    assert_int_equal(fx_int(r, "size", NULL), 4);
    assert_int_equal(fx_int(r, "count", NULL), 2);
    json_decref(r);
    fx_refused(chan_roster_get(f->c, &f->p, "state", 5, &out, &e), &e, ERR_INVALID,
               "4 published entries");
    fx_refused(chan_roster_get(f->c, &f->p, "state", -1, &out, &e), &e, ERR_INVALID, NULL);
    fx_refused(chan_roster_get(f->c, &f->p, "nowhere", 0, &out, &e), &e, ERR_NOT_FOUND, NULL);
}

static void test_roster_list(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL, *row;
    size_t i;
    int seen = 0;

    err_init(&e);
    fx_ok(chan_roster_list(f->c, &out, &e), &e);
    json_array_foreach(json_object_get(out, "rosters"), i, row)
    {
        if (strcmp(json_string_value(json_object_get(row, "organization")), "state") == 0) {
            assert_int_equal(fx_int(row, "size", NULL), 4);
            assert_int_equal(fx_int(row, "active", NULL), 2);
            assert_true(json_is_string(json_object_get(row, "name")));
            seen = 1;
        }
    }
    assert_true(seen);
    json_decref(out);
}

/* The digest a roster publishes is the one of the ring its keys make. */
static void test_digest_matches_ring(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *r = roster(f, "state", 0), *keys = json_object_get(r, "keys");
    size_t n = json_array_size(keys);
    uint8_t(*k)[RING_POINT_BYTES] = calloc(n, sizeof *k);
    struct ring_keys *ring = NULL;
    char hex[2 * RING_DIGEST_BYTES + 1];

    err_init(&e);
    assert_non_null(k);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(
            hex_decode(k[i], RING_POINT_BYTES, json_string_value(json_array_get(keys, i))), 0);
    fx_ok(ring_keys_new(&ring, (const uint8_t(*)[RING_POINT_BYTES])k, n, &e), &e);
    hex_encode(hex, ring_keys_digest(ring), RING_DIGEST_BYTES);
    assert_string_equal(hex, json_string_value(json_object_get(r, "digest")));
    ring_keys_free(ring);
    free(k);
    json_decref(r);
}

/* KNOWN BUG (reported, not fixed here: it needs a new roster leaf action
 * that the log monitor must learn too): ../shared/DESIGN.md requires that
 * "disabled or departed members' keys leave later snapshots". Disabling an
 * account leaves its key active, so every memo that opens later still
 * takes it into its ring, and the departed member can still co-sign
 * anonymously. Skipped unless DISSENT_TEST_KNOWN_BUGS is set. */
static void test_disabled_member_leaves_roster(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct fx_key k;
    struct actor gus;
    json_t *out = NULL, *r;
    int off = 1;
    int64_t count;

    if (!getenv("DISSENT_TEST_KNOWN_BUGS"))
        skip();
    err_init(&e);
    fx_member(f, &gus, "gus", "usaid", CHAN_ROLE_MEMBER);
    fx_keypair(&k);
    fx_ok(fx_enroll(f, &gus, &k, &e), &e);
    r = roster(f, "usaid", 0);
    count = fx_int(r, "count", NULL);
    json_decref(r);
    fx_ok(chan_member_update(f->c, &f->p, NULL, "gus", NULL, &off, &out, &e), &e);
    json_decref(out);
    r = roster(f, "usaid", 0);
    assert_int_equal(fx_int(r, "count", NULL), count - 1);
    json_decref(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_enroll_and_rekey),
        cmocka_unit_test(test_roster_list),
        cmocka_unit_test(test_digest_matches_ring),
        cmocka_unit_test(test_disabled_member_leaves_roster),
    };
    return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
