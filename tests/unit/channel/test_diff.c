/* Tests for src/channel/diff.c through chan_memo_diff (channel/chan.h): line
 * diffs between versions — common prefix and suffix, insertions, removals,
 * replacements, empty lines, a version against itself, and bodies too large
 * for the alignment table (shown as removed-then-added). */
#include "unit/channel/fixture.h"

/* The diff of versions from and to of id as "op text" lines joined by '|'. */
static char *diff(struct fx *f, const char *id, int from, int to)
{
    struct err e;
    json_t *out = NULL, *l;
    struct buf b;
    size_t i;
    char *s;
    err_init(&e);
    buf_init(&b, 1 << 22);
    fx_ok(chan_memo_diff(f->c, &f->p, &f->alice, id, from, to, &out, &e), &e);
    json_array_foreach(json_object_get(out, "lines"), i, l)
    {
        assert_int_equal(buf_printf(&b, NULL, "%s%s%s", i ? "|" : "",
                                    json_string_value(json_object_get(l, "op")),
                                    json_string_value(json_object_get(l, "text"))),
                         0);
    }
    json_decref(out);
    s = strdup(buf_str(&b));
    buf_release(&b);
    return s;
}

/* Saves body as the next version of id. */
static void revise(struct fx *f, const char *id, const char *body)
{
    struct err e;
    json_t *out = NULL;
    err_init(&e);
    fx_ok(chan_memo_revise(f->c, &f->p, &f->alice, id, &(struct chan_version_input){.body = body},
                           &out, &e),
          &e);
    json_decref(out);
}

static void expect_diff(struct fx *f, const char *id, int from, int to, const char *want)
{
    char *got = diff(f, id, from, to);
    assert_string_equal(got, want);
    free(got);
}

static void test_small_diffs(void **state)
{
    struct fx *f = *state;
    char id[RANDOM_ID_LEN + 1];

    fx_memo(f, &f->alice, "dissent", "a\nb\nc", id); /* 1 */
    revise(f, id, "a\nx\nb\nc");                     /* 2: insertion */
    revise(f, id, "a\nc");                           /* 3: removals */
    revise(f, id, "p\nq");                           /* 4: all new */
    revise(f, id, "p\n\nq\n");                       /* 5: empty lines */
    expect_diff(f, id, 1, 1, " a| b| c");
    expect_diff(f, id, 1, 2, " a|+x| b| c");
    expect_diff(f, id, 2, 1, " a|-x| b| c");
    expect_diff(f, id, 2, 3, " a|-x|-b| c");
    expect_diff(f, id, 3, 4, "-a|-c|+p|+q");
    expect_diff(f, id, 4, 5, " p|+| q");
    {
        /* the reply names both versions' titles and markings */
        struct err e;
        json_t *out = NULL;
        err_init(&e);
        fx_ok(chan_memo_diff(f->c, &f->p, &f->alice, id, 1, 5, &out, &e), &e);
        assert_int_equal(fx_int(out, "from", NULL), 1);
        assert_int_equal(fx_int(out, "to", NULL), 5);
        assert_string_equal(
            json_string_value(json_object_get(json_object_get(out, "marking"), "to")), "SBU");
        json_decref(out);
        fx_refused(chan_memo_diff(f->c, &f->p, &f->alice, id, 0, 1, &out, &e), &e, ERR_NOT_FOUND,
                   NULL);
    }
}

static void test_large_diff(void **state)
{
    struct fx *f = *state;
    char id[RANDOM_ID_LEN + 1];
    struct buf a, b;
    char *got;
    enum { LINES = 2100 }; /* 2101^2 cells: over the alignment table's limit */

    buf_init(&a, 1 << 20);
    buf_init(&b, 1 << 20);
    for (int i = 0; i < LINES; i++) {
        assert_int_equal(buf_printf(&a, NULL, "a%d\n", i), 0);
        assert_int_equal(buf_printf(&b, NULL, "b%d\n", i), 0);
    }
    assert_int_equal(buf_printf(&a, NULL, "same"), 0);
    assert_int_equal(buf_printf(&b, NULL, "same"), 0);
    fx_memo(f, &f->alice, "dissent", buf_str(&a), id);
    revise(f, id, buf_str(&b));
    got = diff(f, id, 1, 2);
    /* every old line removed, then every new line added, then the common tail */
    assert_int_equal(strncmp(got, "-a0|-a1|", 8), 0);
    assert_non_null(strstr(got, "-a2099|+b0|+b1|"));
    assert_non_null(strstr(got, "+b2099| same"));
    free(got);
    buf_release(&a);
    buf_release(&b);
}

/* The word diff of versions from and to as "op[text]" runs. */
static char *words(struct fx *f, const char *id, int from, int to)
{
    struct err e;
    json_t *out = NULL, *w;
    struct buf b;
    size_t i;
    char *s;
    err_init(&e);
    buf_init(&b, 1 << 22);
    fx_ok(chan_memo_diff(f->c, &f->p, &f->alice, id, from, to, &out, &e), &e);
    json_array_foreach(json_object_get(out, "words"), i, w)
    {
        assert_int_equal(buf_printf(&b, NULL, "%s[%s]", json_string_value(json_object_get(w, "op")),
                                    json_string_value(json_object_get(w, "text"))),
                         0);
    }
    json_decref(out);
    s = strdup(buf_str(&b));
    buf_release(&b);
    return s;
}

/* Beside the lines, the words: a changed word inside a line shows as that
 * word, runs of one kind are joined, and the texts give both versions back. */
static void test_word_diff(void **state)
{
    struct fx *f = *state;
    char id[RANDOM_ID_LEN + 1], *got;

    fx_memo(f, &f->alice, "dissent", "Reopen the visa section now.\nTwo officers.", id);
    revise(f, id, "Reopen the consular visa section soon.\nTwo officers.");
    revise(f, id, "Reopen the consular visa section soon.\nTwo officers.\n\nThree, later.");
    got = words(f, id, 1, 2);
    assert_string_equal(got, " [Reopen the ]+[consular ] [visa section ]-[now.]+[soon.] [\nTwo "
                             "officers.]");
    free(got);
    got = words(f, id, 2, 3);
    assert_string_equal(got, " [Reopen the consular visa section soon.\nTwo officers.]+[\n\nThree, "
                             "later.]");
    free(got);
    got = words(f, id, 3, 3);
    assert_string_equal(got, " [Reopen the consular visa section soon.\nTwo officers.\n\nThree, "
                             "later.]");
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_diffs),
        cmocka_unit_test(test_large_diff),
        cmocka_unit_test(test_word_diff),
    };
    return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
