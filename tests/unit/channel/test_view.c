/* Tests for src/channel/view.c through channel/chan.h: the JSON shape of a
 * memo (docs/api.md) as every operation returns it; what is personal to the
 * reader (my_signature); and that readers who may not see a memo's text get
 * it from no operation (lists, counts, renderings included). */
#include "unit/channel/fixture.h"

static void expect_keys(const json_t *obj, const char *const *keys)
{
    assert_true(json_is_object(obj));
    for (const char *const *k = keys; *k; k++)
        if (!json_object_get(obj, *k))
            fail_msg("key '%s' is missing", *k);
}

/* Keys only a read with text carries: write replies carry none of them
 * (docs/api.md, "The access log"). */
static const char *const text_top[] = {"title", "reading", NULL};
static const char *const text_version[] = {"title", "body", "verify_key", NULL};
static const char *const text_review[] = {"answer", "extension_reason", NULL};

static void expect_absent(const json_t *obj, const char *const *keys)
{
    for (const char *const *k = keys; *k; k++)
        if (json_object_get(obj, *k))
            fail_msg("key '%s' is in a reply without text", *k);
}

/* text: the memo was read with its text (else: a write's reply). */
static void expect_memo_shape(const json_t *m, int text)
{
    static const char *const top[] = {
        "id",           "channel",        "channel_name", "timezone",      "state",  "marking",
        "drafters",     "latest_version", "my_signature", "version",       "counts", "review",
        "withdrawn_at", "created_at",     "updated_at",   "text_included", NULL};
    static const char *const version[] = {"number", "hash",       "marking",
                                          "author", "created_at", NULL};
    static const char *const counts[] = {"total", "by_version", "by_organization",
                                         "named", "anonymous",  NULL};
    static const char *const review[] = {"submitted_at",
                                         "acknowledge_due",
                                         "acknowledge_due_local",
                                         "acknowledged_at",
                                         "answer_due",
                                         "answer_due_local",
                                         "extended",
                                         "answered_at",
                                         "closed_at",
                                         "overdue",
                                         "overdue_what",
                                         "next_due",
                                         "due_soon",
                                         NULL};
    const json_t *can = json_object_get(m, "can");
    const char *key;
    json_t *val;
    size_t i;
    json_t *d;

    expect_keys(m, top);
    expect_keys(json_object_get(m, "version"), version);
    expect_keys(json_object_get(m, "counts"), counts);
    expect_keys(json_object_get(m, "review"), review);
    assert_int_equal(json_is_true(json_object_get(m, "text_included")), text);
    if (text) {
        expect_keys(m, text_top);
        expect_keys(json_object_get(m, "version"), text_version);
        expect_keys(json_object_get(m, "review"), text_review);
    } else {
        expect_absent(m, text_top);
        expect_absent(json_object_get(m, "version"), text_version);
        expect_absent(json_object_get(m, "review"), text_review);
    }
    json_array_foreach(json_object_get(m, "drafters"), i, d)
    {
        assert_true(json_is_string(json_object_get(d, "username")));
        assert_true(json_is_string(json_object_get(d, "display_name")));
    }
    assert_true(json_is_boolean(json_object_get(json_object_get(m, "review"), "overdue")));
    assert_true(json_is_boolean(json_object_get(json_object_get(m, "review"), "due_soon")));
    assert_true(json_is_boolean(json_object_get(json_object_get(m, "review"), "extended")));
    /* "can": what the reader may do now, every key a boolean */
    {
        static const char *const can_keys[] = {
            "edit",    "add_drafter",   "circulate",   "sign",   "move",       "unsign",
            "submit",  "withdraw",      "acknowledge", "extend", "answer",     "close",
            "message", "read_messages", "signers",     "counts", "access_log", "refresh_rings",
            NULL};
        expect_keys(can, can_keys);
        json_object_foreach((json_t *)can, key, val)
        {
            if (!json_is_boolean(val))
                fail_msg("can.%s is not a boolean", key);
        }
    }
    assert_non_null(json_object_get(json_object_get(m, "review"), "next"));
    assert_true(json_is_array(json_object_get(json_object_get(m, "review"), "missed")));
}

static void test_shape_in_every_reply(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL;
    char id[RANDOM_ID_LEN + 1];

    err_init(&e);
    fx_ok(
        chan_memo_create(f->c, &f->p, &f->alice, "dissent",
                         &(struct chan_version_input){.title = "T", .marking = "SBU", .body = "B"},
                         NULL, 0, &out, &e),
        &e);
    expect_memo_shape(out, 0);
    assert_string_equal(json_string_value(json_object_get(out, "channel_name")), "Dissent");
    assert_true(json_is_null(json_object_get(json_object_get(out, "review"), "submitted_at")));
    assert_true(json_is_null(json_object_get(out, "withdrawn_at")));
    snprintf(id, sizeof id, "%s", json_string_value(json_object_get(out, "id")));
    json_decref(out);

    fx_ok(chan_memo_revise(f->c, &f->p, &f->alice, id, &(struct chan_version_input){.body = "C"},
                           &out, &e),
          &e);
    expect_memo_shape(out, 0);
    json_decref(out);
    fx_ok(chan_memo_add_drafter(f->c, &f->p, &f->alice, id, "carol", &out, &e), &e);
    expect_memo_shape(out, 0);
    json_decref(out);
    fx_ok(chan_memo_act(f->c, &f->p, &f->alice, id, CHAN_OP_CIRCULATE, NULL, &out, &e), &e);
    expect_memo_shape(out, 0);
    json_decref(out);
    fx_ok(chan_sign(f->c, &f->p, &f->bob, id, 0, &out, &e), &e);
    expect_memo_shape(out, 0);
    /* my_signature is the reader's own */
    assert_int_equal(fx_int(out, "my_signature", NULL), 2);
    assert_true(json_is_true(json_object_get(json_object_get(out, "can"), "unsign")));
    assert_false(json_is_true(json_object_get(json_object_get(out, "can"), "sign")));
    assert_false(json_is_true(json_object_get(json_object_get(out, "can"), "edit")));
    json_decref(out);
    out = fx_get(f, &f->alice, id);
    assert_true(json_is_null(json_object_get(out, "my_signature")));
    assert_true(json_is_true(json_object_get(json_object_get(out, "can"), "edit")));
    assert_true(json_is_true(json_object_get(json_object_get(out, "can"), "sign")));
    assert_int_equal(fx_int(out, "counts", "total"), 1);
    json_decref(out);
    fx_ok(chan_unsign(f->c, &f->p, &f->bob, id, &out, &e), &e);
    expect_memo_shape(out, 0);
    json_decref(out);
    fx_ok(chan_memo_act(f->c, &f->p, &f->alice, id, CHAN_OP_SUBMIT, NULL, &out, &e), &e);
    expect_memo_shape(out, 0);
    assert_true(json_is_string(json_object_get(json_object_get(out, "review"), "submitted_at")));
    json_decref(out);
    out = fx_get(f, &f->rev, id);
    expect_memo_shape(out, 1);
    json_decref(out);
}

/* Readers who may not see a memo's text get it from no operation. */
static void test_no_text_for_others(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL;
    struct buf b;
    char id[RANDOM_ID_LEN + 1], *dump;
    const struct actor *outsiders[] = {&f->bob, &f->aud, &f->adm};

    err_init(&e);
    buf_init(&b, 1 << 20);
    fx_memo(f, &f->alice, "dissent", "Words only readers see.", id);
    fx_act(f, &f->alice, id, CHAN_OP_CIRCULATE, NULL);
    /* every member reads a circulating memo, the office does not yet */
    out = fx_get(f, &f->bob, id);
    json_decref(out);
    fx_refused(chan_memo_get(f->c, &f->p, &f->rev, id, 0, &out, &e), &e, ERR_NOT_FOUND, NULL);
    fx_refused(chan_memo_rendering(f->c, &f->p, &f->lead, id, 0, &b, &e), &e, ERR_NOT_FOUND, NULL);
    fx_act(f, &f->alice, id, CHAN_OP_SUBMIT, NULL);
    for (size_t i = 0; i < sizeof outsiders / sizeof outsiders[0]; i++) {
        const struct actor *a = outsiders[i];
        assert_int_equal(chan_memo_get(f->c, &f->p, a, id, 0, &out, &e), -1);
        assert_int_equal(chan_memo_versions(f->c, &f->p, a, id, &out, &e), -1);
        assert_int_equal(chan_memo_diff(f->c, &f->p, a, id, 1, 1, &out, &e), -1);
        assert_int_equal(chan_memo_rendering(f->c, &f->p, a, id, 0, &b, &e), -1);
        assert_int_equal(chan_counts(f->c, &f->p, a, id, &out, &e), -1);
        assert_int_equal(chan_signers(f->c, &f->p, a, id, NULL, &out, &e), -1);
        assert_int_equal(chan_messages(f->c, &f->p, a, id, &out, &e), -1);
    }
    assert_int_equal(b.len, 0);
    /* lists carry summaries, never text */
    fx_ok(chan_memo_list(f->c, &f->rev, "queue", &out, &e), &e);
    dump = json_dumps(out, JSON_COMPACT);
    assert_null(strstr(dump, "Words only"));
    assert_null(strstr(dump, "\"body\""));
    free(dump);
    json_decref(out);
    /* the official rendering, for a reader: banner, title, body, verify line */
    fx_ok(chan_memo_rendering(f->c, &f->p, &f->rev, id, 0, &b, &e), &e);
    assert_non_null(strstr(buf_str(&b), "SBU"));
    assert_non_null(strstr(buf_str(&b), "A dissent"));
    assert_non_null(strstr(buf_str(&b), "Words only readers see."));
    {
        char line[64];
        snprintf(line, sizeof line, "dissent-verify: %s 1 ", id);
        assert_non_null(strstr(buf_str(&b), line));
    }
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shape_in_every_reply),
        cmocka_unit_test(test_no_text_for_others),
    };
    return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
