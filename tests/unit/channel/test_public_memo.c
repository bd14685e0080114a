/* Tests for the public facts of a memo (src/channel/public_memo.c) through channel/chan.h: shown to
 * anyone from circulation on, never for a draft; enough to re-verify every
 * anonymous signature (versions with hashes, rings with keys and digests,
 * signatures with proofs, counts), and nothing private: no title, body,
 * drafter, signer name or answer. */
#include "unit/channel/fixture.h"

static void test_shape_and_privacy(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct fx_key ka, kb;
    json_t *pub = NULL, *memo, *v, *r, *out = NULL;
    char id[RANDOM_ID_LEN + 1], *dump;
    static const char *const keys[] = {"memo",  "state",      "versions",
                                       "rings", "signatures", "counts"};
    struct chan_version_input in = {
        .title = "Confidential title", .marking = "SBU", .body = "Confidential body."};

    err_init(&e);
    fx_keypair(&ka);
    fx_keypair(&kb);
    fx_ok(fx_enroll(f, &f->alice, &ka, &e), &e);
    fx_ok(fx_enroll(f, &f->bob, &kb, &e), &e); /* a ring needs 2 keys */
    fx_ok(chan_memo_create(f->c, &f->p, &f->alice, "dissent", &in, NULL, 0, &out, &e), &e);
    snprintf(id, sizeof id, "%s", json_string_value(json_object_get(out, "id")));
    json_decref(out);

    /* a draft is nobody's business */
    fx_refused(chan_public_memo(f->c, &f->p, id, &pub, &e), &e, ERR_NOT_FOUND,
               "open for signatures");
    fx_refused(chan_public_memo(f->c, &f->p, "nope", &pub, &e), &e, ERR_NOT_FOUND, NULL);
    fx_refused(chan_public_memo(f->c, &f->p, NULL, &pub, &e), &e, ERR_NOT_FOUND, NULL);

    fx_act(f, &f->alice, id, CHAN_OP_CIRCULATE, NULL);
    fx_ok(chan_sign(f->c, &f->p, &f->bob, id, 0, &out, &e), &e);
    json_decref(out);
    pub = fx_public(f, id);
    fx_ok(fx_anon_submit1(f, id, fx_anon_item(pub, id, &ka, "state", 1, 1), NULL, &e), &e);
    json_decref(pub);
    pub = fx_public(f, id);

    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        assert_non_null(json_object_get(pub, keys[i]));
    assert_string_equal(json_string_value(json_object_get(pub, "memo")), id);
    assert_string_equal(json_string_value(json_object_get(pub, "state")), "circulating");
    /* the version hash is the one readers see */
    memo = fx_get(f, &f->alice, id);
    v = json_array_get(json_object_get(pub, "versions"), 0);
    assert_int_equal(fx_int(v, "number", NULL), 1);
    assert_string_equal(
        json_string_value(json_object_get(v, "hash")),
        json_string_value(json_object_get(json_object_get(memo, "version"), "hash")));
    assert_int_equal(json_object_size(v), 2);
    json_decref(memo);
    r = json_array_get(json_object_get(pub, "rings"), 0);
    assert_string_equal(json_string_value(json_object_get(r, "organization")), "state");
    assert_int_equal(json_array_size(json_object_get(r, "keys")), fx_int(r, "count", NULL));
    assert_null(json_object_get(r, "org_id")); /* internal ids stay inside */
    assert_int_equal(json_array_size(json_object_get(pub, "signatures")), 1);
    assert_int_equal(fx_int(pub, "counts", "total"), 2);
    assert_int_equal(fx_int(json_object_get(pub, "counts"), "named", "total"), 1);
    assert_int_equal(fx_int(json_object_get(pub, "counts"), "anonymous", "total"), 1);

    dump = json_dumps(pub, JSON_COMPACT);
    assert_non_null(dump);
    assert_null(strstr(dump, "Confidential"));
    assert_null(strstr(dump, "alice"));
    assert_null(strstr(dump, "\"username\""));
    assert_null(strstr(dump, "\"title\""));
    assert_null(strstr(dump, "\"body\""));
    assert_null(strstr(dump, "\"drafters\""));
    free(dump);
    json_decref(pub);

    /* still public after submission and answer, and the answer is not in it */
    fx_act(f, &f->alice, id, CHAN_OP_SUBMIT, NULL);
    fx_act(f, &f->rev, id, CHAN_OP_ACKNOWLEDGE, NULL);
    fx_act(f, &f->rev, id, CHAN_OP_ANSWER, "Confidential answer.");
    pub = fx_public(f, id);
    assert_string_equal(json_string_value(json_object_get(pub, "state")), "answered");
    dump = json_dumps(pub, JSON_COMPACT);
    assert_null(strstr(dump, "Confidential"));
    free(dump);
    json_decref(pub);
}

/* Outsiders find a memo's public facts by its id or a copy's verification
 * line; a draft stays unknown; what is neither is refused with a reason. */
static void test_find(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct buf copy;
    json_t *out = NULL;
    char circ[RANDOM_ID_LEN + 1], draft[RANDOM_ID_LEN + 1], padded[64], *line;

    err_init(&e);
    buf_init(&copy, 1u << 20);
    fx_memo_in(f, CHAN_STATE_CIRCULATING, circ);
    fx_memo_in(f, CHAN_STATE_DRAFT, draft);

    snprintf(padded, sizeof padded, "  %s\n", circ);
    fx_ok(chan_public_find(f->c, &f->p, padded, &out, &e), &e);
    assert_string_equal(json_string_value(json_object_get(out, "memo")), circ);
    assert_string_equal(json_string_value(json_object_get(out, "found_by")), "id");
    json_decref(out);

    /* the whole copy, or its verification line alone */
    fx_ok(chan_memo_rendering(f->c, &f->p, &f->alice, circ, 1, &copy, &e), &e);
    assert_non_null(buf_str(&copy));
    fx_ok(chan_public_find(f->c, &f->p, buf_str(&copy), &out, &e), &e);
    assert_string_equal(json_string_value(json_object_get(out, "memo")), circ);
    assert_string_equal(json_string_value(json_object_get(out, "found_by")), "verification line");
    assert_int_equal(fx_int(out, "version", NULL), 1);
    assert_true(json_is_true(json_object_get(out, "version_registered")));
    json_decref(out);
    line = strstr(buf_str(&copy), "dissent-verify:");
    assert_non_null(line);
    *strchr(line, '\n') = '\0';
    fx_ok(chan_public_find(f->c, &f->p, line, &out, &e), &e);
    assert_string_equal(json_string_value(json_object_get(out, "memo")), circ);
    json_decref(out);

    fx_refused(chan_public_find(f->c, &f->p, draft, &out, &e), &e, ERR_NOT_FOUND, NULL);
    fx_refused(chan_public_find(f->c, &f->p, "", &out, &e), &e, ERR_INVALID, "identifier");
    fx_refused(chan_public_find(f->c, &f->p, "hello there", &out, &e), &e, ERR_INVALID, "neither");
    fx_refused(chan_public_find(f->c, &f->p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", &out, &e), &e,
               ERR_INVALID, "a-z, 2-7");
    fx_refused(chan_public_find(f->c, &f->p, "dissent-verify: nope", &out, &e), &e, ERR_INVALID,
               "verification line");
    buf_release(&copy);
}

/* The facts without keys keep every ring's digest and count; the keys come
 * by digest, 32 bytes each in ring order, the same as the facts' hex. */
static void test_rings_by_digest(void **state)
{
    struct fx *f = *state;
    struct err e;
    struct fx_key ka, kb;
    struct buf keys;
    json_t *full, *lean = NULL, *r, *l;
    char id[RANDOM_ID_LEN + 1], hex[65], bad[129];
    size_t i;

    err_init(&e);
    buf_init(&keys, 1u << 20);
    fx_keypair(&ka);
    fx_keypair(&kb);
    fx_ok(fx_enroll(f, &f->alice, &ka, &e), &e);
    fx_ok(fx_enroll(f, &f->bob, &kb, &e), &e);
    fx_memo_in(f, CHAN_STATE_CIRCULATING, id);
    full = fx_public(f, id);
    fx_ok(chan_public_memo_keys(f->c, &f->p, id, 0, &lean, &e), &e);
    assert_int_equal(json_array_size(json_object_get(lean, "rings")),
                     json_array_size(json_object_get(full, "rings")));
    assert_true(json_array_size(json_object_get(full, "rings")) > 0);
    json_array_foreach(json_object_get(full, "rings"), i, r)
    {
        const char *digest = json_string_value(json_object_get(r, "digest"));
        l = json_array_get(json_object_get(lean, "rings"), i);
        assert_null(json_object_get(l, "keys"));
        assert_string_equal(json_string_value(json_object_get(l, "digest")), digest);
        assert_int_equal(fx_int(l, "count", NULL), fx_int(r, "count", NULL));
        buf_reset(&keys);
        fx_ok(chan_public_ring(f->c, digest, &keys, &e), &e);
        assert_int_equal(keys.len, 32 * (size_t)fx_int(r, "count", NULL));
        for (size_t k = 0; k < keys.len / 32; k++) {
            hex_encode(hex, (const unsigned char *)keys.data + 32 * k, 32);
            assert_string_equal(hex,
                                json_string_value(json_array_get(json_object_get(r, "keys"), k)));
        }
    }
    memset(bad, '0', 128);
    bad[128] = '\0';
    fx_refused(chan_public_ring(f->c, bad, &keys, &e), &e, ERR_NOT_FOUND, "digest");
    bad[0] = 'A';
    fx_refused(chan_public_ring(f->c, bad, &keys, &e), &e, ERR_INVALID, "128 lowercase hex");
    fx_refused(chan_public_ring(f->c, "abc", &keys, &e), &e, ERR_INVALID, NULL);
    fx_refused(chan_public_ring(f->c, NULL, &keys, &e), &e, ERR_INVALID, NULL);
    json_decref(full);
    json_decref(lean);
    buf_release(&keys);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shape_and_privacy),
        cmocka_unit_test(test_rings_by_digest),
        cmocka_unit_test(test_find),
    };
    return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
