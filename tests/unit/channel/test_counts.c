/* Tests for the counts (src/channel/counts.c) through channel/chan.h: after every step of a long
 * mixed sequence of named and anonymous signatures, moves and withdrawals, the combined counts
 * (total, by version, by organization, named and anonymous parts) equal
 * those of a model of who signed what, equal those recomputed from the
 * signer list and the public signatures, and are the same in every place
 * that shows them (chan_counts, the memo, the public facts, the log). */
#include "unit/channel/fixture.h"

#define PEOPLE   3
#define VERSIONS 2

static struct fx_key keys[PEOPLE], uma_key;

static int setup(void **state)
{
    struct fx *f;
    struct err e;
    fx_group_setup(state);
    f = *state;
    err_init(&e);
    for (int i = 0; i < PEOPLE; i++)
        fx_keypair(&keys[i]);
    fx_ok(fx_enroll(f, &f->alice, &keys[0], &e), &e);
    fx_ok(fx_enroll(f, &f->bob, &keys[1], &e), &e);
    fx_ok(fx_enroll(f, &f->carol, &keys[2], &e), &e);
    fx_usaid_second(f, &uma_key);
    return 0;
}

/* Counts by version (1..VERSIONS) and organization (0: state, 1: usaid). */
struct tally {
    int total, v[VERSIONS + 1], org[2];
};

static void tally_add(struct tally *t, int version, const char *org)
{
    t->total++;
    t->v[version]++;
    t->org[strcmp(org, "state") == 0 ? 0 : 1]++;
}

/* Asserts that a {total, by_version, by_organization} object equals t, and
 * that its rows sum to its total. */
static void expect_tally(const json_t *c, const struct tally *t)
{
    json_int_t sum_v = 0, sum_o = 0;
    size_t i;
    json_t *row;
    assert_int_equal(fx_int(c, "total", NULL), t->total);
    for (int v = 1; v <= VERSIONS; v++)
        assert_int_equal(fx_count_of(c, "by_version", "version", v, NULL), t->v[v]);
    assert_int_equal(fx_count_of(c, "by_organization", "organization", 0, "state"), t->org[0]);
    assert_int_equal(fx_count_of(c, "by_organization", "organization", 0, "usaid"), t->org[1]);
    json_array_foreach(json_object_get(c, "by_version"), i, row) sum_v +=
        json_integer_value(json_object_get(row, "count"));
    json_array_foreach(json_object_get(c, "by_organization"), i, row) sum_o +=
        json_integer_value(json_object_get(row, "count"));
    assert_int_equal(sum_v, t->total);
    assert_int_equal(sum_o, t->total);
}

/* Asserts every view of the counts of memo id against the model. */
static void check(struct fx *f, const char *id, const int named[PEOPLE], const int anon[PEOPLE])
{
    static const char *const orgs[PEOPLE] = {"state", "state", "usaid"};
    struct err e;
    struct tally tn = {0}, ta = {0}, all = {0}, rn = {0}, ra = {0};
    json_t *c = NULL, *signers = NULL, *pub, *memo, *row, *leaves = NULL, *last = NULL;
    size_t i;

    err_init(&e);
    for (int p = 0; p < PEOPLE; p++) {
        if (named[p]) {
            tally_add(&tn, named[p], orgs[p]);
            tally_add(&all, named[p], orgs[p]);
        }
        if (anon[p]) {
            tally_add(&ta, anon[p], orgs[p]);
            tally_add(&all, anon[p], orgs[p]);
        }
    }
    /* the counts against the model */
    fx_ok(chan_counts(f->c, &f->p, &f->alice, id, &c, &e), &e);
    expect_tally(c, &all);
    expect_tally(json_object_get(c, "named"), &tn);
    expect_tally(json_object_get(c, "anonymous"), &ta);

    /* recomputed from the signatures themselves */
    fx_ok(chan_signers(f->c, &f->p, &f->alice, id, NULL, &signers, &e), &e);
    json_array_foreach(json_object_get(signers, "signatures"), i, row)
        tally_add(&rn, (int)fx_int(row, "version", NULL),
                  json_string_value(json_object_get(row, "organization")));
    pub = fx_public(f, id);
    json_array_foreach(json_object_get(pub, "signatures"), i, row)
        tally_add(&ra, (int)fx_int(row, "version", NULL),
                  json_string_value(json_object_get(row, "organization")));
    expect_tally(json_object_get(c, "named"), &rn);
    expect_tally(json_object_get(c, "anonymous"), &ra);

    /* the same counts everywhere */
    json_object_del(c, "memo");
    json_object_del(c, "timeline");
    json_object_del(c, "batch");
    assert_true(json_equal(json_object_get(pub, "counts"), c));
    memo = fx_get(f, &f->alice, id);
    assert_true(json_equal(json_object_get(memo, "counts"), c));
    /* the latest signature leaf of the memo carries the counts after it */
    fx_ok(chan_log_memo(f->c, id, &leaves, &e), &e);
    json_array_foreach(json_object_get(leaves, "leaves"), i, row)
    {
        json_t *d = json_loads(json_string_value(json_object_get(row, "data")), 0, NULL);
        assert_non_null(d);
        if (json_object_get(d, "counts")) {
            json_decref(last);
            last = d;
        } else {
            json_decref(d);
        }
    }
    if (last)
        assert_true(json_equal(json_object_get(last, "counts"), c));
    json_decref(last);
    json_decref(leaves);
    json_decref(memo);
    json_decref(pub);
    json_decref(signers);
    json_decref(c);
}

static void test_mixed_sequence(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL, *pub = NULL;
    const struct actor *who[PEOPLE] = {&f->alice, &f->bob, &f->carol};
    static const char *const orgs[PEOPLE] = {"state", "state", "usaid"};
    int named[PEOPLE] = {0}, anon[PEOPLE] = {0};
    char id[RANDOM_ID_LEN + 1];
    uint32_t seed = 12345;
    int done[2] = {0, 0};

    err_init(&e);
    fx_memo_in(f, CHAN_STATE_CIRCULATING, id);
    fx_ok(chan_memo_revise(f->c, &f->p, &f->alice, id,
                           &(struct chan_version_input){.body = "Version two."}, &out, &e),
          &e);
    json_decref(out);
    pub = fx_public(f, id);
    check(f, id, named, anon);

    for (int step = 0; step < 40; step++) {
        int p, version, kind, rc;
        char status[16];
        seed = seed * 1103515245u + 12345u;
        p = (int)((seed >> 8) % PEOPLE);
        version = (int)((seed >> 12) % (VERSIONS + 1)); /* 0: withdraw */
        kind = (int)((seed >> 16) % 2);
        err_init(&e);
        if (kind == 0) {
            rc = version ? chan_sign(f->c, &f->p, who[p], id, version, &out, &e)
                         : chan_unsign(f->c, &f->p, who[p], id, &out, &e);
            if (rc == 0) {
                json_decref(out);
                named[p] = version;
                done[0]++;
            } else {
                /* refused only when nothing would change; counts stay */
                fx_refused(rc, &e, ERR_CONFLICT, NULL);
                assert_int_equal(named[p], version);
            }
        } else {
            rc = fx_anon_submit1(f, id, fx_anon_item(pub, id, &keys[p], orgs[p], 1, version),
                                 status, &e);
            if (rc == 0) {
                assert_string_equal(status, !version             ? "withdrawn"
                                            : !anon[p]           ? "added"
                                            : anon[p] == version ? "replaced"
                                                                 : "moved");
                anon[p] = version;
                done[1]++;
            } else {
                fx_refused(rc, &e, ERR_CONFLICT, "no anonymous signature");
                assert_int_equal(anon[p], 0);
            }
        }
        check(f, id, named, anon);
    }
    /* the sequence did exercise both kinds */
    assert_true(done[0] >= 8 && done[1] >= 8);
    json_decref(pub);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mixed_sequence),
    };
    return cmocka_run_group_tests(tests, setup, fx_group_teardown);
}
