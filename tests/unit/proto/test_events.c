/* Tests for src/proto/events.c: the table of leaf kinds driven field by
 * field (a leaf of every kind and variant built from the table passes; each
 * field missing, of the wrong type, or one too many is named), the builders'
 * exact bytes (the leaves the channel writes), the day-only time of
 * anonymous leaves, and proto_leaf_encode refusing what the table does not
 * allow. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "proto/commit.h"
#include "proto/events.h"
#include "proto/names.h"

#define H64  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define MEMO "abcdefghijklmnopqrstuvwxyz"

/* A valid value of the field's type. */
static json_t *sample(const struct proto_field *f)
{
    switch (f->type) {
    case PROTO_TIME:
        return json_string("2026-11-20T15:00:00Z");
    case PROTO_TIME_OR_NULL:
        return json_null();
    case PROTO_DAY:
        return json_string("2026-11-20");
    case PROTO_MEMO_ID:
        return json_string(MEMO);
    case PROTO_NUMBER:
        return json_integer(3);
    case PROTO_COUNT:
        return json_integer(0);
    case PROTO_SLUG:
        return json_string("state");
    case PROTO_HEX64:
        return json_string(H64);
    case PROTO_HEX128:
        return json_string(H64 H64);
    case PROTO_DIGESTS:
        return json_pack("[s]", H64);
    case PROTO_OBJECT:
        return json_object();
    case PROTO_NAME:
        return json_string(f->names[0]);
    }
    return NULL;
}

/* A value of the wrong type for the field. */
static json_t *wrong(const struct proto_field *f)
{
    switch (f->type) {
    case PROTO_NUMBER:
        return json_integer(0);
    case PROTO_COUNT:
        return json_integer(-1);
    case PROTO_OBJECT:
        return json_array();
    case PROTO_DIGESTS:
        return json_array();
    case PROTO_HEX64:
    case PROTO_HEX128:
        return json_string("0123456789ABCDEF");
    default:
        return json_string("not valid!");
    }
}

/* A leaf of kind k (with the variant's fields when v is not NULL) built
 * from the table alone. */
static json_t *leaf_of(const struct proto_kind *k, const struct proto_variant *v)
{
    json_t *o = json_pack("{s:i,s:s,s:s}", "v", 1, "kind", k->kind, "at",
                          k->at == PROTO_AT_DAY ? "2026-11-20" : "2026-11-20T15:00:00Z");
    assert_non_null(o);
    if (k->memo)
        json_object_set_new(o, "memo", json_string(MEMO));
    for (const struct proto_field *f = k->fields; f->name; f++)
        json_object_set_new(o, f->name, sample(f));
    if (v) {
        json_object_set_new(o, k->selector, json_string(v->value));
        for (const struct proto_field *f = v->fields; f->name; f++)
            json_object_set_new(o, f->name, sample(f));
    }
    return o;
}

/* proto_leaf_check on o's canonical encoding; e receives the error. */
static int check_obj(const json_t *o, struct err *e)
{
    char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    int rc;
    assert_non_null(s);
    err_init(e);
    rc = proto_leaf_check(s, strlen(s), NULL, e);
    free(s);
    return rc;
}

/* Every field of the leaf: removed, it is named missing; made wrong, it is
 * named; an extra field is named. */
static void exercise(json_t *o, const char *kind)
{
    struct err e;
    const char *key;
    json_t *val;
    void *tmp;
    assert_int_equal(check_obj(o, &e), 0);
    json_object_foreach_safe(o, tmp, key, val)
    {
        json_t *copy = json_deep_copy(o);
        if (strcmp(key, "v") == 0 || strcmp(key, "kind") == 0) {
            json_decref(copy);
            continue;
        }
        json_object_del(copy, key);
        assert_int_equal(check_obj(copy, &e), -1);
        assert_non_null(strstr(e.msg, key));
        json_decref(copy);
    }
    json_object_set_new(o, "signer", json_string("alice"));
    assert_int_equal(check_obj(o, &e), -1);
    assert_non_null(strstr(e.msg, "unexpected field 'signer'"));
    assert_non_null(strstr(e.msg, kind));
    json_object_del(o, "signer");
}

static void test_table_driven(void **state)
{
    (void)state;
    struct err e;
    size_t kinds = 0;
    for (const struct proto_kind *k = proto_kinds; k->kind; k++, kinds++) {
        json_t *o = leaf_of(k, NULL);
        assert_ptr_equal(proto_kind_find(k->kind), k);
        exercise(o, k->kind);
        /* each field of the wrong type is named */
        for (const struct proto_field *f = k->fields; f->name; f++) {
            json_t *copy = json_deep_copy(o);
            json_object_set_new(copy, f->name, wrong(f));
            assert_int_equal(check_obj(copy, &e), -1);
            assert_non_null(strstr(e.msg, f->name));
            json_decref(copy);
        }
        /* a memo on a leaf about no memo, or none on a memo's leaf */
        if (k->memo)
            json_object_del(o, "memo");
        else
            json_object_set_new(o, "memo", json_string(MEMO));
        assert_int_equal(check_obj(o, &e), -1);
        json_decref(o);
        /* the time at the other precision */
        o = leaf_of(k, NULL);
        json_object_set_new(
            o, "at", json_string(k->at == PROTO_AT_DAY ? "2026-11-20T15:00:00Z" : "2026-11-20"));
        assert_int_equal(check_obj(o, &e), -1);
        assert_non_null(strstr(e.msg, "'at'"));
        json_decref(o);
        for (const struct proto_variant *v = k->variants; v && v->value; v++) {
            o = leaf_of(k, v);
            exercise(o, k->kind);
            json_decref(o);
        }
    }
    assert_int_equal(kinds, 9);
    assert_null(proto_kind_find("gossip"));
    assert_null(proto_kind_find(NULL));
}

/* Encodes fields as kind at t for memo; returns the bytes (free), which
 * proto_leaf_check accepts. */
static char *encode(json_t *fields, const char *kind, const char *t, const char *memo)
{
    int64_t when = 0;
    char *data = NULL;
    struct err e;
    err_init(&e);
    assert_int_equal(time_parse_utc(t, &when), 0);
    assert_int_equal(proto_leaf_encode(fields, kind, when, memo, &data, &e), 0);
    assert_non_null(data);
    /* the writer checks the object only: its bytes must pass the reader's check */
    assert_int_equal(proto_leaf_check(data, strlen(data), NULL, &e), 0);
    return data;
}

static void test_builders_bytes(void **state)
{
    (void)state;
    char *d;
    char commitment[65];
    unsigned char h[32];
    char hex[65];

    d = encode(proto_leaf_roster("state", "add", H64, 1), "roster", "2026-11-23T10:00:00Z", NULL);
    assert_string_equal(
        d, "{\"action\":\"add\",\"at\":\"2026-11-23T10:00:00Z\",\"kind\":\"roster\","
           "\"organization\":\"state\",\"public_key\":\"" H64 "\",\"size\":1,\"v\":1}");
    free(d);

    d = encode(proto_leaf_client_release("0.1.0-dev", H64, 12), "client-release",
               "2026-11-23T10:00:00Z", NULL);
    assert_string_equal(d, "{\"at\":\"2026-11-23T10:00:00Z\",\"files\":12,\"kind\":"
                           "\"client-release\",\"manifest\":\"" H64
                           "\",\"v\":1,\"version\":\"0.1.0-dev\"}");
    free(d);
    {
        /* a version with a space, or a release about a memo, is refused */
        struct err e2;
        char *bad = NULL;
        err_init(&e2);
        assert_int_equal(proto_leaf_encode(proto_leaf_client_release("1.0 beta", H64, 1),
                                           "client-release", 1700000000, NULL, &bad, &e2),
                         -1);
        assert_non_null(strstr(e2.msg, "version"));
        assert_int_equal(proto_leaf_encode(proto_leaf_client_release("1.0", H64, 1),
                                           "client-release", 1700000000, MEMO, &bad, &e2),
                         -1);
        assert_null(bad);
    }

    d = encode(proto_leaf_ring("state", 2, 7, H64 H64, 5), "ring", "2026-11-23T10:00:00Z", MEMO);
    assert_string_equal(d, "{\"at\":\"2026-11-23T10:00:00Z\",\"count\":5,\"digest\":\"" H64 H64
                           "\",\"kind\":\"ring\",\"memo\":\"" MEMO
                           "\",\"organization\":\"state\",\"ring\":2,\"roster_size\":7,\"v\":1}");
    free(d);

    /* anonymous: the day only, whatever the time of the append */
    {
        int64_t t = 0;
        assert_int_equal(time_parse_utc("2026-11-23T23:59:59Z", &t), 0);
        d = encode(proto_leaf_anon_signature(t, "moved", 2, "state", 1, H64, json_object()),
                   "anonymous-signature", "2026-11-24T00:00:05Z", MEMO);
    }
    assert_string_equal(d, "{\"action\":\"moved\",\"at\":\"2026-11-23\",\"counts\":{},\"kind\":"
                           "\"anonymous-signature\",\"memo\":\"" MEMO
                           "\",\"organization\":\"state\",\"ring\":1,\"tag\":\"" H64
                           "\",\"v\":1,\"version\":2}");
    free(d);

    /* a privileged role granted: the day, the role, never who */
    {
        int64_t t = 0;
        assert_int_equal(time_parse_utc("2026-11-23T17:42:10Z", &t), 0);
        d = encode(proto_leaf_role(t, "grant", "reviewer"), "role", "2026-11-23T17:42:10Z", NULL);
    }
    assert_string_equal(d, "{\"action\":\"grant\",\"at\":\"2026-11-23\",\"kind\":\"role\","
                           "\"role\":\"reviewer\",\"v\":1}");
    free(d);
    {
        struct err e;
        err_init(&e);
        /* "member" is no privileged role, and a role leaf names no memo */
        assert_int_equal(
            proto_leaf_encode(proto_leaf_role(0, "grant", "member"), "role", 0, NULL, &d, &e), -1);
        assert_int_equal(
            proto_leaf_encode(proto_leaf_role(0, "revoke", "admin"), "role", 0, MEMO, &d, &e), -1);
        assert_int_equal(proto_leaf_check("{\"action\":\"revoke\",\"at\":\"2026-11-23\","
                                          "\"kind\":\"role\",\"role\":\"admin\",\"username\":"
                                          "\"alice\",\"v\":1}",
                                          strlen("{\"action\":\"revoke\",\"at\":\"2026-11-23\","
                                                 "\"kind\":\"role\",\"role\":\"admin\","
                                                 "\"username\":\"alice\",\"v\":1}"),
                                          NULL, &e),
                         -1);
        assert_non_null(strstr(e.msg, "username"));
    }

    /* the signer's commitment, recomputed independently */
    proto_signer_commitment("00ff", MEMO, "bob", commitment);
    {
        static const char pre[] = "dissent-signer-v1\n00ff\n" MEMO "\nbob";
        crypto_hash_sha256(h, (const unsigned char *)pre, sizeof pre - 1);
        hex_encode(hex, h, 32);
        assert_string_equal(commitment, hex);
    }
    d = encode(proto_leaf_signature("withdraw", 4, commitment, json_pack("{s:i}", "total", 0)),
               "signature", "2026-11-20T15:00:00Z", MEMO);
    assert_non_null(strstr(d, "\"action\":\"withdraw\""));
    assert_non_null(strstr(d, "\"counts\":{\"total\":0}"));
    free(d);
}

/* The server's own leaf: which deadline, when due, when it noticed. */
static void test_deadline_missed(void **state)
{
    (void)state;
    int64_t due = 0, at = 0;
    char *d;
    struct err e;
    assert_int_equal(time_parse_utc("2026-11-24T22:59:59Z", &due), 0);
    assert_int_equal(time_parse_utc("2026-11-25T00:00:07Z", &at), 0);
    d = encode(proto_leaf_deadline_missed("acknowledgement", due, at), "deadline-missed",
               "2026-11-30T12:00:00Z", MEMO);
    assert_string_equal(d, "{\"at\":\"2026-11-25T00:00:07Z\",\"deadline\":\"acknowledgement\","
                           "\"due\":\"2026-11-24T22:59:59Z\",\"kind\":\"deadline-missed\","
                           "\"memo\":\"" MEMO "\",\"v\":1}");
    free(d);
    assert_null(proto_leaf_deadline_missed("answer", 0, at));
    /* a name the table does not know never reaches the log */
    err_init(&e);
    d = NULL;
    assert_int_equal(proto_leaf_encode(proto_leaf_deadline_missed("reply", due, at),
                                       "deadline-missed", at, MEMO, &d, &e),
                     -1);
    assert_null(d);
    /* it names a memo */
    err_init(&e);
    assert_int_equal(proto_leaf_encode(proto_leaf_deadline_missed("answer", due, at),
                                       "deadline-missed", at, NULL, &d, &e),
                     -1);
}

static void test_state_variants(void **state)
{
    (void)state;
    char *d;
    int64_t due = 0;
    unsigned char h[32];
    char hex[65], want[160];
    unsigned char salt[PROTO_SALT_BYTES];
    assert_int_equal(time_parse_utc("2026-11-25T04:59:59Z", &due), 0);

    d = encode(proto_leaf_state("submitted", "submitted", 1, due, 0, "x", "y", NULL), "state",
               "2026-11-20T15:00:00Z", MEMO);
    assert_string_equal(d, "{\"acknowledge_due\":\"2026-11-25T04:59:59Z\",\"answer_due\":null,"
                           "\"at\":\"2026-11-20T15:00:00Z\",\"event\":\"submitted\",\"kind\":"
                           "\"state\",\"latest_version\":1,\"memo\":\"" MEMO
                           "\",\"state\":\"submitted\",\"v\":1}");
    free(d);

    /* v2: the reason and the answer are salted commitments, not their hashes */
    memset(salt, 7, sizeof salt);
    assert_null(proto_leaf_state("extended", "acknowledged", 2, 0, due, "more time", NULL, NULL));
    d = encode(proto_leaf_state("extended", "acknowledged", 2, 0, due, "more time", NULL, salt),
               "state", "2026-11-20T15:00:00Z", MEMO);
    crypto_hash_sha256(h, (const unsigned char *)"more time", 9);
    hex_encode(hex, h, 32);
    assert_null(strstr(d, hex));
    proto_text_commitment(salt, "reason", "more time", hex);
    snprintf(want, sizeof want, "\"reason_commitment\":\"%s\"", hex);
    assert_non_null(strstr(d, want));
    assert_non_null(strstr(d, "\"answer_due\":\"2026-11-25T04:59:59Z\""));
    assert_null(strstr(d, "acknowledge_due"));
    free(d);

    d = encode(proto_leaf_state("answered", "answered", 2, due, due, NULL, "Yes.", salt), "state",
               "2026-11-20T15:00:00Z", MEMO);
    crypto_hash_sha256(h, (const unsigned char *)"Yes.", 4);
    hex_encode(hex, h, 32);
    assert_null(strstr(d, hex));
    proto_text_commitment(salt, "answer", "Yes.", hex);
    snprintf(want, sizeof want, "\"answer_commitment\":\"%s\"", hex);
    assert_null(strstr(d, "answer_hash"));
    assert_non_null(strstr(d, want));
    assert_null(strstr(d, "_due"));
    free(d);

    /* no extra field for the other events */
    d = encode(proto_leaf_state("closed", "closed", 2, due, due, "r", "a", NULL), "state",
               "2026-11-20T15:00:00Z", MEMO);
    assert_string_equal(d, "{\"at\":\"2026-11-20T15:00:00Z\",\"event\":\"closed\",\"kind\":"
                           "\"state\",\"latest_version\":2,\"memo\":\"" MEMO
                           "\",\"state\":\"closed\",\"v\":1}");
    free(d);
}

static void test_version_leaf(void **state)
{
    (void)state;
    unsigned char key[COPY_KEY_SIZE];
    char *d;
    json_t *o = NULL;
    struct err e;
    for (size_t i = 0; i < sizeof key; i++)
        key[i] = (unsigned char)i;
    d = encode(proto_leaf_version(1, H64, "SBU", "dissent", key, "Title", "One.\n\nTwo."),
               "version", "2026-11-20T15:00:00Z", MEMO);
    err_init(&e);
    assert_int_equal(proto_leaf_check(d, strlen(d), &o, &e), 0);
    assert_int_equal(json_array_size(json_object_get(o, "paragraphs")), 3);
    assert_string_equal(json_string_value(json_object_get(o, "marking")), "SBU");
    json_decref(o);
    free(d);
}

static void test_encode_refuses(void **state)
{
    (void)state;
    char *d = (char *)"unchanged";
    struct err e;

    /* a value the table does not allow */
    err_init(&e);
    assert_int_equal(proto_leaf_encode(proto_leaf_roster("state", "add", "xyz", 1), "roster",
                                       1700000000, NULL, &d, &e),
                     -1);
    assert_null(d);
    assert_int_equal(e.code, ERR_INTERNAL);
    assert_non_null(strstr(e.msg, "public_key"));
    /* a roster leaf about a memo */
    err_init(&e);
    assert_int_equal(proto_leaf_encode(proto_leaf_roster("state", "add", H64, 1), "roster",
                                       1700000000, MEMO, &d, &e),
                     -1);
    assert_int_equal(e.code, ERR_INTERNAL);
    /* an unknown event, an unknown kind, out of memory */
    err_init(&e);
    assert_int_equal(
        proto_leaf_encode(proto_leaf_state("gossip", "closed", 1, 0, 0, NULL, NULL, NULL), "state",
                          1700000000, MEMO, &d, &e),
        -1);
    err_init(&e);
    assert_int_equal(proto_leaf_encode(json_object(), "gossip", 1700000000, MEMO, &d, &e), -1);
    assert_int_equal(e.code, ERR_INTERNAL);
    err_init(&e);
    assert_int_equal(proto_leaf_encode(NULL, "state", 1700000000, MEMO, &d, &e), -1);
    assert_int_equal(e.code, ERR_NOMEM);
}

static void test_check_encoding(void **state)
{
    (void)state;
    struct err e;
    static const char *const bad[] = {
        "[1]",
        "{\"v\": 1}",
        "{\"v\":1,\"kind\":\"state\"}",
        "{\"v\":1,\"v\":1}",
        "{\"kind\":\"state\",\"v\":2}",
        "{\"v\":1}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err_init(&e);
        assert_int_equal(proto_leaf_check(bad[i], strlen(bad[i]), NULL, &e), -1);
        assert_int_equal(e.code, ERR_INVALID);
    }
    static const char gossip[] = "{\"kind\":\"gossip\",\"v\":1}";
    err_init(&e);
    assert_int_equal(proto_leaf_check(gossip, sizeof gossip - 1, NULL, &e), -1);
    assert_non_null(strstr(e.msg, "unknown kind 'gossip'"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_driven),    cmocka_unit_test(test_builders_bytes),
        cmocka_unit_test(test_state_variants),  cmocka_unit_test(test_version_leaf),
        cmocka_unit_test(test_encode_refuses),  cmocka_unit_test(test_check_encoding),
        cmocka_unit_test(test_deadline_missed),
    };
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
