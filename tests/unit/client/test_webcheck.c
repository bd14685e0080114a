/* Tests for src/client/webcheck.c: manifests parsed strictly (header,
 * version, "<hex> <path>" lines, no duplicates, every line ended), the
 * client-release leaves found among others (the last, and the one of a
 * given manifest; a malformed one is an error), and the verdict: no
 * release, an unlogged manifest, an older release, another version or
 * count, or nothing wrong. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/webcheck.h"
#include "proto/events.h"

#define H1 "1111111111111111111111111111111111111111111111111111111111111111"
#define H2 "2222222222222222222222222222222222222222222222222222222222222222"

static const char good[] = WEBCK_HEADER "\n"
                                        "version 0.1.0-dev\n" H1 " /static/dissent.css\n" H2
                                        " /static/anon/ring-worker.js\n" H1 " template/memo.html\n";

static int parse(const char *text, struct webck_manifest *m, struct err *e)
{
    return webck_manifest_parse(text, strlen(text), m, e);
}

static void test_parse(void **state)
{
    struct webck_manifest m;
    struct err e;
    char want[65];
    json_t *x;
    (void)state;
    err_init(&e);
    webck_manifest_init(&m);
    assert_int_equal(parse(good, &m, &e), 0);
    assert_string_equal(m.version, "0.1.0-dev");
    webck_sha256_hex(good, strlen(good), want);
    assert_string_equal(m.sha256, want);
    assert_int_equal(json_array_size(m.entries), 3);
    x = json_array_get(m.entries, 1);
    assert_string_equal(json_string_value(json_object_get(x, "path")),
                        "/static/anon/ring-worker.js");
    assert_string_equal(json_string_value(json_object_get(x, "sha256")), H2);
    assert_true(json_is_true(json_object_get(x, "served")));
    assert_true(json_is_false(json_object_get(json_array_get(m.entries, 2), "served")));
    webck_manifest_release(&m);
}

static void test_parse_refused(void **state)
{
    static const char *const bad[] = {
        "",
        "dissent-client-release-v2\nversion 1\n",
        WEBCK_HEADER "\n",
        WEBCK_HEADER "\nversion \n",
        WEBCK_HEADER "\nversion 1 2\n",
        WEBCK_HEADER "\nversion 1\n" H1 " /static/a.css",                 /* no LF */
        WEBCK_HEADER "\nversion 1\n" H1 "  /static/a.css\n",              /* two spaces */
        WEBCK_HEADER "\nversion 1\nABCD /static/a.css\n",                 /* short hex */
        WEBCK_HEADER "\nversion 1\n" H1 " /etc/passwd\n",                 /* another path */
        WEBCK_HEADER "\nversion 1\n" H1 " /static/../x\n",                /* a dot name */
        WEBCK_HEADER "\nversion 1\n" H1 " /static/a/b/c\n",               /* two folders */
        WEBCK_HEADER "\nversion 1\n" H1 " /static/.a/b\n",                /* a dot folder */
        WEBCK_HEADER "\nversion 1\n" H1 " /static/a/\n",                  /* no name */
        WEBCK_HEADER "\nversion 1\n" H1 " template/memo\n",               /* no .html */
        WEBCK_HEADER "\nversion 1\n" H1 " /static/a\n" H2 " /static/a\n", /* twice */
    };
    struct webck_manifest m;
    struct err e;
    (void)state;
    webck_manifest_init(&m);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err_init(&e);
        if (parse(bad[i], &m, &e) != -1)
            fail_msg("manifest %zu was accepted", i);
        assert_int_equal(e.code, ERR_INVALID);
        assert_null(m.entries);
    }
    /* a hex digest in capitals is not the canonical form */
    {
        char up[sizeof good];
        memcpy(up, good, sizeof good);
        up[strlen(WEBCK_HEADER) + 19] = 'A';
        assert_int_equal(parse(up, &m, &e), -1);
    }
}

/* The canonical bytes of a leaf of kind with fields, as the server logs it. */
static json_t *row(int64_t index, json_t *fields, const char *kind, const char *memo)
{
    char *data = NULL;
    struct err e;
    json_t *r;
    err_init(&e);
    assert_int_equal(proto_leaf_encode(fields, kind, 1764500000, memo, &data, &e), 0);
    r = json_pack("{s:I,s:s}", "index", (json_int_t)index, "data", data);
    free(data);
    return r;
}

static void test_releases(void **state)
{
    struct err e;
    json_t *leaves = json_array(), *latest = NULL;
    int64_t match = 7;
    struct webck_manifest m;
    json_t *problems = json_array();
    (void)state;
    err_init(&e);
    webck_manifest_init(&m);
    assert_int_equal(parse(good, &m, &e), 0);

    /* none yet */
    json_array_append_new(leaves, row(0, proto_leaf_roster("state", "add", H1, 1), "roster", NULL));
    assert_int_equal(webck_releases(leaves, m.sha256, &latest, &match, &e), 0);
    assert_null(latest);
    assert_int_equal(match, -1);
    assert_int_equal(webck_release_problems(NULL, -1, &m, problems), 1);
    assert_non_null(strstr(json_string_value(json_array_get(problems, 0)), "no client release"));

    /* leaf 1: this manifest; leaf 2: another */
    json_array_append_new(leaves, row(1, proto_leaf_client_release("0.1.0-dev", m.sha256, 3),
                                      "client-release", NULL));
    assert_int_equal(webck_releases(leaves, m.sha256, &latest, &match, &e), 0);
    assert_int_equal(match, 1);
    assert_int_equal(json_integer_value(json_object_get(latest, "index")), 1);
    json_array_clear(problems);
    assert_int_equal(webck_release_problems(latest, match, &m, problems), 0);
    json_decref(latest);

    json_array_append_new(
        leaves, row(2, proto_leaf_client_release("0.2.0", H2, 3), "client-release", NULL));
    assert_int_equal(webck_releases(leaves, m.sha256, &latest, &match, &e), 0);
    assert_int_equal(match, 1);
    assert_int_equal(json_integer_value(json_object_get(latest, "index")), 2);
    assert_int_equal(webck_release_problems(latest, match, &m, problems), 1);
    assert_non_null(strstr(json_string_value(json_array_get(problems, 0)), "later release"));
    json_array_clear(problems);
    /* a manifest the log never saw */
    assert_int_equal(webck_release_problems(latest, -1, &m, problems), 1);
    assert_non_null(strstr(json_string_value(json_array_get(problems, 0)), "in no client-release"));
    json_decref(latest);

    /* the latest with the right digest but another version or count */
    json_array_append_new(
        leaves, row(3, proto_leaf_client_release("9.9", m.sha256, 4), "client-release", NULL));
    assert_int_equal(webck_releases(leaves, m.sha256, &latest, &match, &e), 0);
    assert_int_equal(match, 3);
    json_array_clear(problems);
    assert_int_equal(webck_release_problems(latest, match, &m, problems), 2);
    json_decref(latest);

    /* a malformed release leaf is an error, not skipped */
    json_array_append_new(leaves, json_pack("{s:i,s:s}", "index", 4, "data",
                                            "{\"kind\":\"client-release\",\"v\":1}"));
    assert_int_equal(webck_releases(leaves, m.sha256, &latest, &match, &e), -1);
    assert_int_equal(e.code, ERR_CRYPTO);
    assert_null(latest);

    json_decref(problems);
    json_decref(leaves);
    webck_manifest_release(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_parse_refused),
        cmocka_unit_test(test_releases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
