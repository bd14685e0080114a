/* Tests for the rings of a memo (src/channel/rings.c) through channel/chan.h: a memo binds, per
 * organization, to the roster snapshot taken when it starts circulating; a refresh adds keys of
 * members who have none in the ring, never a second key of a member who has one (so a re-keyed
 * member gets no second tag). */
#include "unit/channel/fixture.h"

/* The ring object (org, n) of the public facts, or NULL. */
static const json_t *ring_of(const json_t *pub, const char *org, int n)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(pub, "rings"), i, r)
    {
        if (strcmp(json_string_value(json_object_get(r, "organization")), org) == 0 &&
            json_integer_value(json_object_get(r, "ring")) == n)
            return r;
    }
    return NULL;
}

/* 1 if ring r holds the key k. */
static int ring_has(const json_t *r, const struct fx_key *k)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(r, "keys"), i, v)
    {
        if (strcmp(json_string_value(v), k->pk_hex) == 0)
            return 1;
    }
    return 0;
}

static int refresh(struct fx *f, const struct actor *a, const char *id, int *added, struct err *e)
{
    json_t *out = NULL;
    int rc;
    err_init(e);
    rc = chan_memo_refresh_rings(f->c, &f->p, a, id, &out, e);
    if (rc == 0) {
        *added = (int)fx_int(out, "rings_added", NULL);
        assert_non_null(json_object_get(out, "rings"));
    }
    json_decref(out);
    return rc;
}

static void test_snapshot_and_refresh(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct fx_key ka, kb, kc, kd, kb2, ku;
    struct actor dave;
    json_t *pub, *roster = NULL;
    const json_t *r;
    char id[RANDOM_ID_LEN + 1], draft[RANDOM_ID_LEN + 1];
    int added = -1;

    err_init(&e);
    /* a memo that circulates before anyone enrolled has no ring */
    fx_memo_in(f, CHAN_STATE_CIRCULATING, id);
    pub = fx_public(f, id);
    assert_int_equal(json_array_size(json_object_get(pub, "rings")), 0);
    json_decref(pub);

    fx_keypair(&ka);
    fx_keypair(&kb);
    fx_keypair(&kc);
    fx_keypair(&kd);
    fx_keypair(&kb2);
    fx_ok(fx_enroll(f, &f->alice, &ka, &e), &e);
    fx_ok(fx_enroll(f, &f->bob, &kb, &e), &e);
    fx_ok(fx_enroll(f, &f->carol, &kc, &e), &e);

    /* that memo gets rings when a drafter refreshes: state's and the
     * coalition's (all three keys); usaid has one key, fewer than the
     * channel's minimum (2 here, never less) */
    fx_ok(refresh(f, &f->alice, id, &added, &e), &e);
    assert_int_equal(added, 2);
    pub = fx_public(f, id);
    assert_null(ring_of(pub, "usaid", 1));
    json_decref(pub);
    /* usaid's ring 1 comes with its second key (and coalition ring 2) */
    fx_usaid_second(f, &ku);
    fx_ok(refresh(f, &f->alice, id, &added, &e), &e);
    assert_int_equal(added, 2);

    fx_memo_in(f, CHAN_STATE_CIRCULATING, id);
    pub = fx_public(f, id);
    assert_int_equal(json_array_size(json_object_get(pub, "rings")), 3);
    r = ring_of(pub, "state", 1);
    assert_non_null(r);
    assert_int_equal(fx_int(r, "count", NULL), 2);
    assert_int_equal(json_array_size(json_object_get(r, "keys")), 2);
    assert_true(ring_has(r, &ka) && ring_has(r, &kb));
    assert_int_equal(fx_int(r, "roster_size", NULL), 2);
    /* its digest is the roster's at that size */
    fx_ok(chan_roster_get(f->c, &f->p, "state", 2, &roster, &e), &e);
    assert_string_equal(json_string_value(json_object_get(r, "digest")),
                        json_string_value(json_object_get(roster, "digest")));
    json_decref(roster);
    r = ring_of(pub, "usaid", 1);
    assert_non_null(r);
    assert_int_equal(fx_int(r, "count", NULL), 2);
    assert_true(ring_has(r, &kc) && ring_has(r, &ku));
    json_decref(pub);

    /* nothing new: no ring */
    fx_ok(refresh(f, &f->alice, id, &added, &e), &e);
    assert_int_equal(added, 0);

    /* bob re-keys: his new key does not enter a ring that holds his old one */
    fx_ok(fx_enroll(f, &f->bob, &kb2, &e), &e);
    fx_ok(refresh(f, &f->alice, id, &added, &e), &e);
    assert_int_equal(added, 0);
    pub = fx_public(f, id);
    assert_null(ring_of(pub, "state", 2));
    assert_false(ring_has(ring_of(pub, "state", 1), &kb2));
    json_decref(pub);

    /* a new member: ring 2 holds ring 1 and the new key (and so does
     * coalition ring 2) */
    fx_member(f, &dave, "dave", "state", CHAN_ROLE_MEMBER);
    fx_ok(fx_enroll(f, &dave, &kd, &e), &e);
    fx_ok(refresh(f, &f->alice, id, &added, &e), &e);
    assert_int_equal(added, 2);
    pub = fx_public(f, id);
    r = ring_of(pub, "_coalition", 2);
    assert_non_null(r);
    assert_int_equal(fx_int(r, "count", NULL), 5);
    assert_true(ring_has(r, &kd) && !ring_has(r, &kb2));
    json_decref(pub);
    pub = fx_public(f, id);
    r = ring_of(pub, "state", 2);
    assert_non_null(r);
    assert_int_equal(fx_int(r, "count", NULL), 3);
    assert_true(ring_has(r, &ka) && ring_has(r, &kb) && ring_has(r, &kd));
    assert_false(ring_has(r, &kb2));
    assert_true(ring_has(ring_of(pub, "state", 1), &kb)); /* ring 1 does not change */
    assert_int_equal(fx_int(ring_of(pub, "state", 1), "count", NULL), 2);
    assert_null(ring_of(pub, "usaid", 2));
    json_decref(pub);

    /* a memo circulated now takes the roster as it is: bob's new key */
    fx_memo_in(f, CHAN_STATE_CIRCULATING, draft);
    pub = fx_public(f, draft);
    r = ring_of(pub, "state", 1);
    assert_int_equal(fx_int(r, "count", NULL), 3);
    assert_true(ring_has(r, &kb2));
    assert_false(ring_has(r, &kb));
    json_decref(pub);

    /* refusals: not a drafter, wrong state */
    fx_refused(refresh(f, &f->bob, id, &added, &e), &e, ERR_FORBIDDEN, "refresh the rings");
    fx_refused(refresh(f, &f->rev, id, &added, &e), &e, ERR_NOT_FOUND, NULL);
    fx_memo_in(f, CHAN_STATE_DRAFT, draft);
    fx_refused(refresh(f, &f->alice, draft, &added, &e), &e, ERR_STATE, "only a circulating memo");
    fx_act(f, &f->alice, id, CHAN_OP_SUBMIT, NULL);
    fx_refused(refresh(f, &f->alice, id, &added, &e), &e, ERR_STATE, "only a circulating memo");
}

/* The coalition ring: every organization's active keys in one ring, in
 * slug order; a member of an organization too small for its own ring is in
 * it; no ring of a memo ever gives a member a second key. */
static void test_coalition(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct fx_key ka, kb, kc, kc2, ku;
    json_t *pub, *roster = NULL;
    const json_t *r;
    char id[RANDOM_ID_LEN + 1], id2[RANDOM_ID_LEN + 1];
    int added = -1;

    err_init(&e);
    fx_keypair(&ka);
    fx_keypair(&kb);
    fx_keypair(&kc);
    fx_keypair(&kc2);
    fx_ok(fx_enroll(f, &f->alice, &ka, &e), &e);
    fx_ok(fx_enroll(f, &f->carol, &kc, &e), &e);
    /* one key each: no organization has a ring, the coalition has two keys */
    fx_memo_in(f, CHAN_STATE_CIRCULATING, id);
    pub = fx_public(f, id);
    assert_int_equal(json_array_size(json_object_get(pub, "rings")), 1);
    assert_null(ring_of(pub, "state", 1));
    r = ring_of(pub, "_coalition", 1);
    assert_non_null(r);
    /* state's keys, then usaid's (slug order); roster_size sums both */
    assert_int_equal(fx_int(r, "count", NULL), 2);
    assert_string_equal(json_string_value(json_array_get(json_object_get(r, "keys"), 0)),
                        ka.pk_hex);
    assert_string_equal(json_string_value(json_array_get(json_object_get(r, "keys"), 1)),
                        kc.pk_hex);
    assert_int_equal(fx_int(r, "roster_size", NULL), 2);
    json_decref(pub);

    /* bob enrolls: state's ring 1 and coalition ring 2 (ring 1 + bob) */
    fx_ok(fx_enroll(f, &f->bob, &kb, &e), &e);
    fx_ok(refresh(f, &f->alice, id, &added, &e), &e);
    assert_int_equal(added, 2);
    pub = fx_public(f, id);
    assert_non_null(ring_of(pub, "state", 1));
    r = ring_of(pub, "_coalition", 2);
    assert_non_null(r);
    assert_int_equal(fx_int(r, "count", NULL), 3);
    assert_string_equal(json_string_value(json_array_get(json_object_get(r, "keys"), 2)),
                        kb.pk_hex);
    assert_int_equal(fx_int(r, "roster_size", NULL), 3);
    json_decref(pub);

    /* carol re-keys and uma enrolls: usaid reaches the minimum, but its
     * ring 1 would hold carol's new key while the coalition holds her old
     * one (two tags): it is not made; the coalition takes uma only */
    fx_ok(fx_enroll(f, &f->carol, &kc2, &e), &e);
    fx_usaid_second(f, &ku);
    fx_ok(refresh(f, &f->alice, id, &added, &e), &e);
    assert_int_equal(added, 1);
    pub = fx_public(f, id);
    assert_null(ring_of(pub, "usaid", 1));
    r = ring_of(pub, "_coalition", 3);
    assert_non_null(r);
    assert_true(ring_has(r, &ku) && ring_has(r, &kc) && !ring_has(r, &kc2));
    json_decref(pub);

    /* a memo opened now: usaid's ring is the roster, the coalition all four
     * active keys, and a ring leaf's digest is the roster's */
    fx_memo_in(f, CHAN_STATE_CIRCULATING, id2);
    pub = fx_public(f, id2);
    r = ring_of(pub, "usaid", 1);
    assert_non_null(r);
    assert_true(ring_has(r, &kc2) && ring_has(r, &ku));
    r = ring_of(pub, "_coalition", 1);
    assert_int_equal(fx_int(r, "count", NULL), 4);
    assert_true(ring_has(r, &kc2) && !ring_has(r, &kc));
    fx_ok(chan_roster_get(f->c, &f->p, "usaid", 0, &roster, &e), &e);
    assert_string_equal(json_string_value(json_object_get(ring_of(pub, "usaid", 1), "digest")),
                        json_string_value(json_object_get(roster, "digest")));
    json_decref(roster);
    json_decref(pub);
}

/* One organization with keys: its ring, and no coalition (it would be the
 * same ring, counted for nobody). */
static void test_no_coalition_of_one(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct fx_key ka, kb;
    json_t *pub;
    char id[RANDOM_ID_LEN + 1];

    err_init(&e);
    fx_keypair(&ka);
    fx_keypair(&kb);
    fx_ok(fx_enroll(f, &f->alice, &ka, &e), &e);
    fx_ok(fx_enroll(f, &f->bob, &kb, &e), &e);
    fx_memo_in(f, CHAN_STATE_CIRCULATING, id);
    pub = fx_public(f, id);
    assert_int_equal(json_array_size(json_object_get(pub, "rings")), 1);
    assert_non_null(ring_of(pub, "state", 1));
    assert_null(ring_of(pub, "_coalition", 1));
    json_decref(pub);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_snapshot_and_refresh),
        cmocka_unit_test_setup_teardown(test_coalition, fx_group_setup, fx_group_teardown),
        cmocka_unit_test_setup_teardown(test_no_coalition_of_one, fx_group_setup,
                                        fx_group_teardown),
    };
    return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
