/* Tests for src/channel/access.c: who the drafters see by name, and the
 * whole path through a real channel on a temporary SQLite file: write
 * replies carry no text and record nothing, reads record a row with the
 * reader's capacity, and the drafters' view counts other members per day
 * while the auditor's names everyone. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/pool.h"
#include "base/util.h"
#include "channel/access.h"
#include "channel/chan.h"

static void test_capacity(void **state)
{
    (void)state;
    assert_string_equal(chan_access_as(CHAN_ROLE_MEMBER, 1), "drafter");
    assert_string_equal(chan_access_as(CHAN_ROLE_MEMBER | CHAN_ROLE_REVIEWER, 0), "reviewer");
    assert_string_equal(chan_access_as(CHAN_ROLE_LEADERSHIP, 0), "leadership");
    assert_string_equal(chan_access_as(CHAN_ROLE_AUDITOR, 0), "auditor");
    assert_string_equal(chan_access_as(CHAN_ROLE_MEMBER, 0), "member");
    assert_true(chan_access_named(CHAN_ROLE_MEMBER, 1));
    assert_true(chan_access_named(CHAN_ROLE_REVIEWER, 0));
    assert_true(chan_access_named(CHAN_ROLE_LEADERSHIP, 0));
    assert_true(chan_access_named(CHAN_ROLE_AUDITOR, 0));
    assert_false(chan_access_named(CHAN_ROLE_MEMBER, 0));
    assert_false(chan_access_named(0, 0));
}

static struct chan *chan;
static char dbpath[64];

static void person(struct pool *p, const char *user, unsigned roles, struct actor *a)
{
    struct err e;
    char pw[64], *token;
    json_t *out = NULL;
    struct chan_member_input in = {
        .username = user, .display_name = user, .org = "state", .password = pw, .roles = roles};
    err_init(&e);
    snprintf(pw, sizeof pw, "%s-test-pass", user);
    if (chan_member_create(chan, p, NULL, &in, &out, &e) ||
        chan_login(chan, p, user, pw, &token, a, &e))
        fail_msg("%s: %s", user, e.msg);
    json_decref(out);
}

/* Rows of the access log read by user. */
static size_t rows_of(struct pool *p, const struct actor *auditor, const char *user)
{
    struct err e;
    json_t *log = NULL, *x;
    size_t i, n = 0;
    err_init(&e);
    if (chan_access_log(chan, p, auditor, NULL, &log, &e))
        fail_msg("access log: %s", e.msg);
    json_array_foreach(json_object_get(log, "entries"), i, x) n +=
        strcmp(json_string_value(json_object_get(x, "reader")), user) == 0;
    json_decref(log);
    return n;
}

/* Whether o (recursively) holds the string s anywhere. */
static int holds(const json_t *o, const char *s)
{
    char *t = json_dumps(o, 0);
    int r = t && strstr(t, s) != NULL;
    free(t);
    return r;
}

static void test_reads_and_views(void **state)
{
    struct err e;
    struct pool p;
    struct actor alice, bob, carol, rita, ian;
    json_t *out = NULL, *log = NULL, *x;
    char id[64];
    size_t i;
    int fd, bob_named = 0;
    struct chan_channel_input ch = {.slug = "dissent",
                                    .name = "Dissent Channel",
                                    .preset = "state-dissent",
                                    .ceiling = "CONFIDENTIAL"};
    struct chan_version_input v = {.title = "TITLE-MARK", .marking = "SBU", .body = "BODY-MARK"};
    (void)state;

    err_init(&e);
    pool_init(&p, 8 << 20);
    snprintf(dbpath, sizeof dbpath, "/tmp/dissent-test-access-XXXXXX");
    fd = mkstemp(dbpath);
    assert_true(fd >= 0);
    close(fd);
    unlink(dbpath);
    assert_int_equal(chan_open(&chan, dbpath, &e), 0);
    assert_int_equal(chan_org_create(chan, NULL, "state", "Department of State", &out, &e), 0);
    json_decref(out);
    assert_int_equal(chan_channel_create(chan, &p, NULL, &ch, &out, &e), 0);
    json_decref(out);
    person(&p, "alice", CHAN_ROLE_MEMBER, &alice);
    person(&p, "bob", CHAN_ROLE_MEMBER, &bob);
    person(&p, "carol", CHAN_ROLE_MEMBER, &carol);
    person(&p, "rita", CHAN_ROLE_REVIEWER, &rita);
    person(&p, "ian", CHAN_ROLE_AUDITOR, &ian);

    /* Writes answer without text and record nothing. */
    assert_int_equal(chan_memo_create(chan, &p, &alice, "dissent", &v, NULL, 0, &out, &e), 0);
    snprintf(id, sizeof id, "%s", json_string_value(json_object_get(out, "id")));
    assert_false(holds(out, "TITLE-MARK"));
    assert_false(holds(out, "BODY-MARK"));
    assert_true(json_is_false(json_object_get(out, "text_included")));
    assert_null(json_object_get(out, "reading"));
    json_decref(out);
    assert_int_equal(chan_memo_add_drafter(chan, &p, &alice, id, "carol", &out, &e), 0);
    assert_false(holds(out, "TITLE-MARK"));
    json_decref(out);
    assert_int_equal(chan_memo_act(chan, &p, &alice, id, CHAN_OP_CIRCULATE, NULL, &out, &e), 0);
    assert_false(holds(out, "BODY-MARK"));
    json_decref(out);
    assert_int_equal(chan_sign(chan, &p, &bob, id, 0, &out, &e), 0);
    assert_false(holds(out, "BODY-MARK"));
    assert_int_equal(json_integer_value(json_object_get(out, "my_signature")), 1);
    json_decref(out);
    assert_int_equal(rows_of(&p, &ian, "alice"), 0);
    assert_int_equal(rows_of(&p, &ian, "bob"), 0);

    /* Reads record a row each, and tell the reader what is kept. */
    assert_int_equal(chan_memo_get(chan, &p, &bob, id, 0, &out, &e), 0);
    assert_true(holds(out, "BODY-MARK"));
    x = json_object_get(out, "reading");
    assert_string_equal(json_string_value(json_object_get(x, "as")), "member");
    assert_string_equal(json_string_value(json_object_get(x, "drafters_see")), "daily count");
    assert_string_equal(json_string_value(json_object_get(x, "auditors_see")), "name");
    json_decref(out);
    assert_int_equal(chan_memo_list(chan, &bob, "signable", &out, &e), 0);
    assert_true(holds(out, "TITLE-MARK"));
    json_decref(out);
    assert_int_equal(rows_of(&p, &ian, "bob"), 2);
    assert_int_equal(chan_memo_versions(chan, &p, &carol, id, &out, &e), 0);
    json_decref(out);
    assert_int_equal(chan_memo_get(chan, &p, &carol, id, 0, &out, &e), 0);
    x = json_object_get(out, "reading");
    assert_string_equal(json_string_value(json_object_get(x, "as")), "drafter");
    assert_string_equal(json_string_value(json_object_get(x, "drafters_see")), "name");
    json_decref(out);
    assert_int_equal(rows_of(&p, &ian, "carol"), 2);
    assert_int_equal(chan_memo_act(chan, &p, &alice, id, CHAN_OP_SUBMIT, NULL, &out, &e), 0);
    json_decref(out);
    assert_int_equal(chan_memo_get(chan, &p, &rita, id, 0, &out, &e), 0);
    json_decref(out);

    /* The drafters: rita and carol by name, bob only in the day's count. */
    assert_int_equal(chan_access_log(chan, &p, &alice, id, &log, &e), 0);
    assert_string_equal(json_string_value(json_object_get(log, "view")), "drafter");
    assert_false(holds(json_object_get(log, "entries"), "\"bob\""));
    assert_true(holds(json_object_get(log, "entries"), "\"rita\""));
    assert_true(holds(json_object_get(log, "entries"), "\"carol\""));
    x = json_array_get(json_object_get(log, "member_reads"), 0);
    assert_int_equal(json_array_size(json_object_get(log, "member_reads")), 1);
    assert_int_equal(json_integer_value(json_object_get(x, "reads")), 2);
    assert_int_equal(json_integer_value(json_object_get(x, "listed")), 1);
    assert_int_equal(json_integer_value(json_object_get(x, "readers")), 1);
    {
        char today[21];
        time_format_utc(today, now_utc());
        today[10] = '\0';
        assert_string_equal(json_string_value(json_object_get(x, "day")), today);
    }
    json_decref(log);

    /* The auditor: everyone by name, with the capacity of the read. */
    assert_int_equal(chan_access_log(chan, &p, &ian, id, &log, &e), 0);
    assert_string_equal(json_string_value(json_object_get(log, "view")), "auditor");
    assert_int_equal(json_array_size(json_object_get(log, "member_reads")), 0);
    json_array_foreach(json_object_get(log, "entries"), i, x)
    {
        const char *who = json_string_value(json_object_get(x, "reader"));
        const char *as = json_string_value(json_object_get(x, "as"));
        if (strcmp(who, "bob") == 0) {
            bob_named++;
            assert_string_equal(as, "member");
        } else if (strcmp(who, "carol") == 0) {
            assert_string_equal(as, "drafter");
        } else if (strcmp(who, "rita") == 0) {
            assert_string_equal(as, "reviewer");
        }
    }
    assert_int_equal(bob_named, 2);
    json_decref(log);

    /* A plain member may not read the memo's log at all. */
    assert_int_not_equal(chan_access_log(chan, &p, &bob, id, &log, &e), 0);
    assert_int_equal(e.code, ERR_FORBIDDEN); /* bob signed: he reads it, not its log */

    chan_close(chan);
    unlink(dbpath);
    {
        char side[96];
        snprintf(side, sizeof side, "%s-wal", dbpath);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", dbpath);
        unlink(side);
    }
    pool_release(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_capacity),
        cmocka_unit_test(test_reads_and_views),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
