/* Tests for src/client/loghistory.c: the witness policy file (witness and
 * quorum lines, comments, errors naming the line) and the checkpoint history
 * (absent, saved, reopened with the log key, damaged or another key refused). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/util.h"
#include "client/loghistory.h"
#include "tlog/cosignature.h"
#include "unit/test_tmp.h"

static char dir[TT_PATH_MAX];

static int setup(void **state)
{
    (void)state;
    tt_mkdtemp(dir, sizeof dir, "dissent-loghist");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    assert_int_equal(tt_rm_tree(dir), 0);
    return 0;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_policy_file(void **state)
{
    (void)state;
    struct tlog_signer w1, w2;
    struct tlog_policy p;
    struct err e;
    char k1[TLOG_VERIFIER_KEY_MAX], k2[TLOG_VERIFIER_KEY_MAX], path[TT_PATH_MAX + 64], text[1024];
    err_init(&e);
    assert_int_equal(tlog_cosigner_generate(&w1, "w.example/1", &e), 0);
    assert_int_equal(tlog_cosigner_generate(&w2, "w.example/2", &e), 0);
    assert_int_equal(tlog_cosigner_key_format(&w1.pub, k1, &e), 0);
    assert_int_equal(tlog_cosigner_key_format(&w2.pub, k2, &e), 0);
    snprintf(path, sizeof path, "%s/policy", dir);

    unsetenv("DISSENT_WITNESS_POLICY");
    assert_int_equal(loghist_policy_load(&p, &e), 0);
    assert_int_equal(p.n, 0);

    setenv("DISSENT_WITNESS_POLICY", path, 1);
    snprintf(text, sizeof text, "# two witnesses\n\nwitness %s\nwitness %s\n", k1, k2);
    write_file(path, text);
    assert_int_equal(loghist_policy_load(&p, &e), 0);
    assert_int_equal(p.n, 2);
    assert_int_equal(p.k, 2); /* default: all */
    snprintf(text, sizeof text, "witness %s\nwitness %s\nquorum 1\n", k1, k2);
    write_file(path, text);
    assert_int_equal(loghist_policy_load(&p, &e), 0);
    assert_int_equal(p.k, 1);

    snprintf(text, sizeof text, "witness %s\nmax-age 600\n", k1);
    write_file(path, text);
    assert_int_equal(loghist_policy_load(&p, &e), 0);
    assert_int_equal(p.max_age, 600);
    snprintf(text, sizeof text, "witness %s\nmax-age soon\n", k1);
    write_file(path, text);
    assert_int_equal(loghist_policy_load(&p, &e), -1);
    snprintf(text, sizeof text, "witness %s\nquorum 3\n", k1);
    write_file(path, text);
    assert_int_equal(loghist_policy_load(&p, &e), -1);
    snprintf(text, sizeof text, "witness %s\nwitnes %s\n", k1, k2);
    write_file(path, text);
    assert_int_equal(loghist_policy_load(&p, &e), -1);
    assert_non_null(strstr(e.msg, "line 2"));
    write_file(path, "quorum 1\n");
    assert_int_equal(loghist_policy_load(&p, &e), -1);
    /* the C2SP tlog-policy form, through the same file */
    {
        char h1[2 * TLOG_PUBLIC_KEY_SIZE + 1];
        hex_encode(h1, w1.pub.pk, TLOG_PUBLIC_KEY_SIZE);
        snprintf(text, sizeof text,
                 "witness one %s\nwitness two %s\ngroup both all one two\nquorum both\n", h1, k2);
        write_file(path, text);
        assert_int_equal(loghist_policy_load(&p, &e), 0);
        assert_int_equal(p.tree, 1);
        assert_int_equal(p.n, 2);
        snprintf(text, sizeof text, "witness one %s\nquorum two\n", h1);
        write_file(path, text);
        assert_int_equal(loghist_policy_load(&p, &e), -1);
        assert_non_null(strstr(e.msg, path));
        assert_non_null(strstr(e.msg, "line 2: two is not defined"));
    }
    snprintf(path, sizeof path, "%s/missing", dir);
    setenv("DISSENT_WITNESS_POLICY", path, 1);
    assert_int_equal(loghist_policy_load(&p, &e), -1);
    unsetenv("DISSENT_WITNESS_POLICY");
    tlog_signer_wipe(&w1);
    tlog_signer_wipe(&w2);
}

static void test_history(void **state)
{
    (void)state;
    struct tlog_signer log, other;
    struct tlog_checkpoint cp, got;
    struct buf note, read;
    struct err e;
    unsigned char root[32];
    int found = 1;
    err_init(&e);
    buf_init(&note, TLOG_NOTE_MAX);
    buf_init(&read, TLOG_NOTE_MAX);
    setenv("DISSENT_LOG_HISTORY", dir, 1);
    assert_int_equal(tlog_signer_generate(&log, "example.org/log", &e), 0);
    assert_int_equal(tlog_signer_generate(&other, "example.org/log", &e), 0);

    assert_int_equal(loghist_load(&log.pub, &got, &read, &found, &e), 0);
    assert_int_equal(found, 0);

    memset(root, 7, sizeof root);
    assert_int_equal(tlog_checkpoint_init(&cp, "example.org/log", 12, root, &e), 0);
    assert_int_equal(tlog_checkpoint_sign(&cp, &log, &note, &e), 0);
    assert_int_equal(loghist_save(&log.pub, note.data, note.len, &e), 0);
    assert_int_equal(loghist_load(&log.pub, &got, &read, &found, &e), 0);
    assert_int_equal(found, 1);
    assert_int_equal(got.size, 12);
    assert_memory_equal(got.root, root, 32);
    assert_int_equal(read.len, note.len);

    /* another key with the same origin: the history does not open */
    buf_reset(&read);
    assert_int_equal(loghist_load(&other.pub, &got, &read, &found, &e), -1);

    /* every note seen is kept, once per checkpoint, and found again */
    {
        char path[256];
        struct buf other_note, again;
        unsigned char root2[32];
        struct tlog_checkpoint cp2;
        buf_init(&other_note, TLOG_NOTE_MAX);
        buf_init(&again, TLOG_NOTE_MAX);
        assert_int_equal(loghist_seen_find(&log.pub, 12, root, &again, &found, &e), 0);
        assert_int_equal(found, 0);
        assert_int_equal(loghist_seen_add(&log.pub, note.data, note.len, &e), 0);
        memset(root2, 9, sizeof root2);
        assert_int_equal(tlog_checkpoint_init(&cp2, "example.org/log", 12, root2, &e), 0);
        assert_int_equal(tlog_checkpoint_sign(&cp2, &log, &other_note, &e), 0);
        assert_int_equal(loghist_seen_add(&log.pub, other_note.data, other_note.len, &e), 0);
        /* a second copy of the first (say, newer cosignatures) is not written again */
        assert_int_equal(loghist_seen_add(&log.pub, other_note.data, other_note.len, &e), 0);
        assert_int_equal(loghist_seen_find(&log.pub, 12, root, &again, &found, &e), 0);
        assert_int_equal(found, 1);
        assert_int_equal(again.len, note.len);
        assert_memory_equal(again.data, note.data, note.len);
        buf_reset(&again);
        assert_int_equal(loghist_seen_find(&log.pub, 12, root2, &again, &found, &e), 0);
        assert_int_equal(found, 1);
        assert_memory_equal(again.data, other_note.data, other_note.len);
        /* a note of another key is not kept */
        buf_reset(&again);
        assert_int_equal(loghist_seen_add(&other.pub, note.data, note.len, &e), -1);
        assert_int_equal(loghist_evidence_path(&log.pub, 12, 15, path, sizeof path, &e), 0);
        assert_non_null(strstr(path, "-12-15.json"));
        assert_int_equal(strncmp(path, dir, strlen(dir)), 0);
        buf_release(&other_note);
        buf_release(&again);
    }

    /* a damaged history is an error, not a fresh start */
    note.data[0] ^= 1;
    assert_int_equal(loghist_save(&log.pub, note.data, note.len, &e), 0);
    buf_reset(&read);
    assert_int_equal(loghist_load(&log.pub, &got, &read, &found, &e), -1);
    assert_non_null(strstr(e.msg, "does not open"));

    unsetenv("DISSENT_LOG_HISTORY");
    tlog_signer_wipe(&log);
    tlog_signer_wipe(&other);
    buf_release(&note);
    buf_release(&read);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_policy_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_history, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
