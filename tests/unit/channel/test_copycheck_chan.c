/* Tests for src/channel/copycheck_chan.c through channel/chan.h: a copy of
 * an official rendering checked against the transparency log (exact,
 * re-wrapped, partly changed, wrong key, unknown version), with the leaf's
 * inclusion verified; malformed copies refused. */
#include "unit/channel/fixture.h"

/* The official rendering of version 1 of id, as the reader rev gets it. */
static char *rendering(struct fx *f, const char *id)
{
    struct err e;
    struct buf b;
    char *s;
    err_init(&e);
    buf_init(&b, 1 << 20);
    fx_ok(chan_memo_rendering(f->c, &f->p, &f->rev, id, 1, &b, &e), &e);
    s = strdup(buf_str(&b));
    buf_release(&b);
    assert_non_null(s);
    return s;
}

static json_t *check(struct fx *f, const char *text)
{
    struct err e;
    json_t *out = NULL;
    err_init(&e);
    fx_ok(chan_copy_check(f->c, text, &out, &e), &e);
    return out;
}

/* Replaces the first occurrence of from in s (in place, same length). */
static void replace(char *s, const char *from, const char *to)
{
    char *at = strstr(s, from);
    assert_non_null(at);
    assert_int_equal(strlen(from), strlen(to));
    memcpy(at, to, strlen(to));
}

static void test_copy_check(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL, *p;
    char id[RANDOM_ID_LEN + 1], later[RANDOM_ID_LEN + 1], *text, *copy;
    size_t i, changed = 0;

    err_init(&e);
    fx_memo(f, &f->alice, "dissent", "First paragraph here.\n\nSecond one.\n\nThird and last.", id);
    fx_act(f, &f->alice, id, CHAN_OP_SUBMIT, NULL);
    /* a later leaf, so that the inclusion proof is not trivial */
    fx_memo_in(f, CHAN_STATE_CIRCULATING, later);
    text = rendering(f, id);

    out = check(f, text);
    assert_true(json_is_true(json_object_get(out, "found")));
    assert_true(json_is_true(json_object_get(out, "exact")));
    assert_string_equal(json_string_value(json_object_get(out, "result")), "exact match");
    assert_string_equal(json_string_value(json_object_get(out, "memo")), id);
    assert_int_equal(fx_int(out, "version", NULL), 1);
    assert_true(json_is_true(json_object_get(out, "inclusion_verified")));
    assert_int_equal(fx_int(out, "registered_paragraphs", NULL), 4); /* title + 3 */
    assert_int_equal(fx_int(out, "copy_paragraphs", NULL), 4);
    assert_true(fx_int(out, "leaf_index", NULL) < fx_int(out, "log_size", NULL));
    json_decref(out);

    /* re-wrapped: still exact */
    copy = strdup(text);
    assert_non_null(copy);
    replace(copy, "Third and last.", "Third\nand last.");
    out = check(f, copy);
    assert_true(json_is_true(json_object_get(out, "exact")));
    json_decref(out);

    /* one paragraph changed: a partial match naming it */
    replace(copy, "Second one.", "Second two.");
    out = check(f, copy);
    assert_false(json_is_true(json_object_get(out, "exact")));
    assert_non_null(strstr(json_string_value(json_object_get(out, "result")), "partial"));
    json_array_foreach(json_object_get(out, "paragraphs"), i, p)
    {
        if (strcmp(json_string_value(json_object_get(p, "status")), "changed") == 0) {
            changed++;
            assert_string_equal(json_string_value(json_object_get(p, "excerpt")), "Second two.");
        }
    }
    assert_int_equal(changed, 1);
    json_decref(out);
    free(copy);

    /* another key: nothing matches */
    copy = strdup(text);
    {
        char *line = strstr(copy, "dissent-verify: ");
        char *key;
        assert_non_null(line);
        key = strrchr(strstr(line, " 1 "), ' ') + 1;
        key[0] = key[0] == 'a' ? 'b' : 'a';
    }
    out = check(f, copy);
    assert_false(json_is_true(json_object_get(out, "exact")));
    assert_non_null(strstr(json_string_value(json_object_get(out, "result")), "no match"));
    json_decref(out);
    free(copy);

    /* a version the log does not hold */
    copy = strdup(text);
    {
        char from[64], to[64];
        snprintf(from, sizeof from, "%s 1 ", id);
        snprintf(to, sizeof to, "%s 7 ", id);
        replace(copy, from, to);
    }
    out = check(f, copy);
    assert_false(json_is_true(json_object_get(out, "found")));
    json_decref(out);
    free(copy);

    /* malformed copies */
    fx_refused(chan_copy_check(f->c, "no verification line at all", &out, &e), &e, ERR_INVALID,
               NULL);
    fx_refused(chan_copy_check(f->c, "bad \xff text", &out, &e), &e, ERR_INVALID, "UTF-8");
    fx_refused(chan_copy_check(f->c, NULL, &out, &e), &e, ERR_TOO_LARGE, NULL);
    {
        size_t n = 4u * CHAN_BODY_MAX + 1;
        char *big = malloc(n + 1);
        assert_non_null(big);
        memset(big, 'a', n);
        big[n] = '\0';
        fx_refused(chan_copy_check(f->c, big, &out, &e), &e, ERR_TOO_LARGE, NULL);
        free(big);
    }
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_copy_check),
    };
    return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
