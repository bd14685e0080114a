/* Tests for src/cli: dispatch, usage errors, help for every command, option
 * parsing, input limits, output helpers, and remote commands against a fake
 * HTTP responder on loopback. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/input.h"
#include "cli/out.h"
#include "unit/client/fake_http.h"
#include "unit/test_tmp.h"

/* Captured output of one cli_main run. */
struct run {
    int status;
    char *out;
    char *err;
};

static struct run run_argv(int argc, char **argv)
{
    struct run r;
    size_t on = 0, en = 0;
    FILE *o = open_memstream(&r.out, &on);
    FILE *e = open_memstream(&r.err, &en);
    assert_non_null(o);
    assert_non_null(e);
    cli_set_streams(o, e);
    r.status = cli_main(argc, argv);
    cli_set_streams(NULL, NULL);
    fclose(o);
    fclose(e);
    return r;
}

/* Runs "dissent" with the given words (NULL-terminated). */
static struct run run(const char *first, ...)
{
    char *argv[32];
    int argc = 0;
    va_list ap;
    const char *w;
    argv[argc++] = (char *)"dissent";
    va_start(ap, first);
    for (w = first; w && argc < 31; w = va_arg(ap, const char *))
        argv[argc++] = (char *)w;
    va_end(ap);
    argv[argc] = NULL;
    return run_argv(argc, argv);
}

static void run_free(struct run *r)
{
    free(r->out);
    free(r->err);
}

static void test_main_help(void **state)
{
    (void)state;
    struct run r = run("--help", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "usage: dissent <command>"));
    assert_non_null(strstr(r.out, "memo "));
    assert_non_null(strstr(r.out, "review "));
    run_free(&r);

    r = run(NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "usage:"));
    run_free(&r);

    r = run("--version", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "dissent " DISSENT_VERSION));
    run_free(&r);
}

static void test_unknown(void **state)
{
    (void)state;
    struct run r = run("frobnicate", NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "dissent: unknown command 'frobnicate'"));
    run_free(&r);

    r = run("memo", "nwe", NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "did you mean 'memo new'"));
    run_free(&r);

    r = run("--frob", NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "unknown option '--frob'"));
    run_free(&r);

    r = run("memo", "list", "--frob", NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "unknown option '--frob' for 'dissent memo list'"));
    assert_non_null(strstr(r.err, "see 'dissent memo list --help'"));
    run_free(&r);

    r = run("memo", NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "'memo' needs a command"));
    run_free(&r);

    r = run("help", "memo", "nothing", NULL);
    assert_int_equal(r.status, 2);
    run_free(&r);
}

static void test_arguments(void **state)
{
    (void)state;
    struct run r = run("memo", "show", NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "missing argument ID for 'dissent memo show'"));
    run_free(&r);

    r = run("memo", "diff", "abc", "1", NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "missing argument TO"));
    run_free(&r);

    r = run("memo", "diff", "abc", "1", "two", NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "TO must be a whole number"));
    run_free(&r);

    r = run("sign", "a", "b", NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "unexpected argument 'b'"));
    run_free(&r);

    r = run("memo", "show", "abc", "--version", NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "option --version needs a value"));
    run_free(&r);

    r = run("memo", "list", "--json=yes", NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "takes no value"));
    run_free(&r);

    r = run("memo", "new", "--channel", "c", "--title", "t", "--title", "u", NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "--title is given more than once"));
    run_free(&r);

    r = run("memo", "new", "--channel=c", "--title", "t", "--body", "x", NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "missing option --marking"));
    run_free(&r);

    r = run("memo", "new", "--channel=c", "--title", "t", "--marking", "SBU", NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "--body TEXT or --body-file FILE"));
    run_free(&r);

    r = run("review", "answer", "m", "--body", "x", "--body-file", "f", NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "not both"));
    run_free(&r);

    r = run("memo", "list", "--scope", "everything", NULL);
    assert_int_equal(r.status, 2);
    run_free(&r);

    r = run("admin", "holiday", "add", "sd", "25/12/2026", "Christmas", NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "DATE must be a date"));
    run_free(&r);
}

/* Every command and group answers --help (and `help PATH`) with its usage. */
static void check_help(const struct cli_cmd *cmds, char **words, int depth)
{
    for (const struct cli_cmd *c = cmds; c->name; c++) {
        char *argv[12];
        char want[160] = "usage: dissent";
        int argc = 0;
        struct run r;

        words[depth] = (char *)c->name;
        argv[argc++] = (char *)"dissent";
        for (int i = 0; i <= depth; i++) {
            argv[argc++] = words[i];
            size_t len = strlen(want);
            snprintf(want + len, sizeof want - len, " %s", words[i]);
        }
        argv[argc++] = (char *)"--help";
        argv[argc] = NULL;
        r = run_argv(argc, argv);
        /* Local commands print their own help on stdout: check the status only. */
        if (r.status != 0 || (!c->raw && !strstr(r.out, want)))
            fail_msg("'%s --help' gave %d: %s", want, r.status, r.out);
        assert_non_null(c->summary);
        run_free(&r);

        /* dissent help WORDS... */
        argv[1] = (char *)"help";
        for (int i = 0; i <= depth; i++)
            argv[2 + i] = words[i];
        argv[3 + depth] = NULL;
        r = run_argv(3 + depth, argv);
        if (r.status != 0 || (!c->raw && !strstr(r.out, want)))
            fail_msg("'help' for '%s' gave %d", want, r.status);
        run_free(&r);

        if (c->subs) {
            assert_null(c->run);
            check_help(c->subs, words, depth + 1);
        } else {
            assert_true((c->run != NULL) != (c->raw != NULL));
            assert_non_null(c->usage);
        }
    }
}

static void test_help_everywhere(void **state)
{
    (void)state;
    char *words[8];
    check_help(cli_commands(), words, 0);

    struct run r = run("memo", "new", "--help", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "--body-file FILE"));
    assert_non_null(strstr(r.out, "--server URL"));
    assert_non_null(strstr(r.out, "--json"));
    run_free(&r);

    /* Local commands answer --help themselves instead of running. */
    r = run("serve", "--help", NULL);
    assert_int_equal(r.status, 0);
    run_free(&r);
}

static void test_input_file(void **state)
{
    (void)state;
    char path[TT_PATH_MAX];
    int fd = mkstemp(tt_template(path, sizeof path, "dissent-cli"));
    struct buf b;
    struct err e;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "h\xc3\xa9llo\n", 7), 7);
    assert_int_equal(input_read_text(path, 100, &b, &e), 0);
    assert_string_equal(buf_str(&b), "h\xc3\xa9llo\n");
    buf_release(&b);
    assert_int_equal(input_read_text(path, 4, &b, &e), -1);
    assert_int_equal(e.code, ERR_TOO_LARGE);
    assert_non_null(strstr(e.msg, "larger than the limit of 4 bytes"));
    assert_int_equal(write(fd, "\xff", 1), 1);
    assert_int_equal(input_read_text(path, 100, &b, &e), -1);
    assert_non_null(strstr(e.msg, "not UTF-8"));
    close(fd);
    unlink(path);
    assert_int_equal(input_read_text(path, 100, &b, &e), -1);
    assert_int_equal(e.code, ERR_IO);
}

static void test_output(void **state)
{
    (void)state;
    char *text = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&text, &n);
    char t[40];
    struct out_table tb;
    static const char *const head[] = {"ID", "TITLE"};
    static const char *const row1[] = {"a", "short"};
    static const char *const row2[] = {"bbbb", "\xc3\xa9t\xc3\xa9\x1b[2J and a long tail"};

    out_text(f, "ok\n\x1b[31mred\t\xc2\x9b");
    fputc('|', f);
    out_table_init(&tb, 2, head);
    out_table_max_width(&tb, 1, 12);
    out_table_add(&tb, row1);
    out_table_add(&tb, row2);
    out_table_print(&tb, f);
    out_table_release(&tb);
    fclose(f);
    assert_string_equal(text, "ok\n?[31mred\t?|"
                              "ID    TITLE\n"
                              "a     short\n"
                              "bbbb  \xc3\xa9t\xc3\xa9 [2J a...\n");
    free(text);
    assert_string_equal(out_time("2026-11-03T09:30:00Z", t, sizeof t), "2026-11-03 09:30 UTC");
    assert_string_equal(out_time(NULL, t, sizeof t), "-");
}

/* ---- remote commands against the fake responder ----------------------- */

static struct fake_http fake;
static char server[64];

static void fake_start(const char *const *replies, size_t n)
{
    assert_int_equal(fake_http_start(&fake, replies, n), 0);
    snprintf(server, sizeof server, "http://127.0.0.1:%d", fake.port);
    setenv("DISSENT_SERVER", server, 1);
}

static int remote_setup(void **state)
{
    (void)state;
    setenv("DISSENT_CONFIG", "/tmp/dissent-cli-test-none/session.json", 1);
    setenv("DISSENT_TOKEN", "test-token", 1);
    unsetenv("DISSENT_PASSWORD");
    return 0;
}

static const char memo_json[] =
    "{\"id\":\"m1\",\"channel\":\"sd\",\"state\":\"acknowledged\",\"title\":\"Visa policy\","
    "\"marking\":\"SBU\",\"drafters\":[\"alice\",\"bob\"],\"latest_version\":2,"
    "\"version\":{\"number\":2,\"hash\":\"ab12\",\"title\":\"Visa policy\",\"marking\":\"SBU\","
    "\"body\":\"We disagree.\\n\",\"created_at\":\"2026-11-03T09:30:00Z\"},"
    "\"counts\":{\"total\":3,\"by_version\":[{\"version\":2,\"count\":3}],"
    "\"by_organization\":[{\"organization\":\"state\",\"count\":3}]},"
    "\"review\":{\"submitted_at\":\"2026-11-04T10:00:00Z\",\"acknowledge_due\":"
    "\"2026-11-06T10:00:00Z\",\"acknowledged_at\":\"2026-11-05T08:00:00Z\",\"answer_due\":"
    "\"2026-12-16T10:00:00Z\",\"extended\":false,\"overdue\":true,\"overdue_what\":\"answer\"}}";

static void test_memo_new(void **state)
{
    (void)state;
    char *reply = fake_http_reply(201, memo_json);
    const char *replies[] = {reply};
    fake_start(replies, 1);
    struct run r =
        run("memo", "new", "--channel", "sd", "--title", "Visa policy", "--marking", "SBU",
            "--body", "We disagree.", "--co-drafter", "bob", "--co-drafter", "carol", NULL);
    fake_http_stop(&fake);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "m1\n");
    assert_non_null(strstr(fake.request[0], "POST /api/v1/memos HTTP/1.1"));
    assert_non_null(strstr(fake.request[0], "Authorization: Bearer test-token"));
    assert_non_null(strstr(fake.request[0], "\"co_drafters\":[\"bob\",\"carol\"]"));
    assert_non_null(strstr(fake.request[0], "\"marking\":\"SBU\""));
    run_free(&r);
    free(reply);
}

static void test_memo_show(void **state)
{
    (void)state;
    char *reply = fake_http_reply(200, memo_json);
    const char *replies[] = {reply};
    fake_start(replies, 1);
    struct run r = run("memo", "show", "m1", NULL);
    fake_http_stop(&fake);
    assert_int_equal(r.status, 0);
    assert_true(strncmp(r.out, "=====", 5) == 0);
    assert_non_null(strstr(r.out, " SBU ====="));
    assert_non_null(strstr(r.out, "We disagree.\n"));
    assert_non_null(strstr(r.out, "OVERDUE"));
    assert_non_null(strstr(r.out, "answer by          2026-12-16 10:00 UTC"));
    assert_non_null(strstr(r.out, "Drafters     alice, bob"));
    run_free(&r);
    free(reply);
}

/* A reply of the signer list: n rows and next_after (NULL: the last page). */
static char *signers_page(size_t n, const char *next)
{
    static const char row[] = "{\"username\":\"u\",\"display_name\":\"U\",\"organization\":"
                              "\"state\",\"version\":1,\"signed_at\":\"2026-11-03T09:30:00Z\"}";
    size_t cap = 64 + n * sizeof row + 64, len = 0;
    char *body = malloc(cap), *reply;
    assert_non_null(body);
    len += (size_t)snprintf(body, cap, "{\"memo\":\"m1\",\"signatures\":[");
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(body + len, cap - len, "%s%s", i ? "," : "", row);
    snprintf(body + len, cap - len, "],\"next_after\":%s%s%s}", next ? "\"" : "",
             next ? next : "null", next ? "\"" : "");
    reply = fake_http_reply(200, body);
    free(body);
    return reply;
}

/* memo signers pages through the list, and a lying server cannot keep it
 * asking for ever: a key that goes back (the old check only wanted it to
 * differ from the last, so two keys in turn looped for ever, the list
 * growing), or a short page that claims a next one, is refused. */
static void test_memo_signers_pages(void **state)
{
    (void)state;
    char *full = signers_page(1000, "5-2"), *back = signers_page(1000, "5-1"),
         *last = signers_page(2, NULL), *short_next = signers_page(3, "9-9");
    const char *good[] = {full, last}, *looping[] = {full, back}, *lying[] = {short_next};
    struct run r;

    fake_start(good, 2);
    r = run("memo", "signers", "m1", "--json", NULL);
    fake_http_stop(&fake);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(fake.request[1], "after=5-2"));
    assert_non_null(strstr(r.out, "\"next_after\":null"));
    run_free(&r);

    fake_start(looping, 2);
    r = run("memo", "signers", "m1", NULL);
    fake_http_stop(&fake);
    assert_int_not_equal(r.status, 0);
    assert_non_null(strstr(r.err, "not a page key after the last"));
    run_free(&r);

    fake_start(lying, 1);
    r = run("memo", "signers", "m1", NULL);
    fake_http_stop(&fake);
    assert_int_not_equal(r.status, 0);
    assert_non_null(strstr(r.err, "gave a page of 3"));
    run_free(&r);
    free(full);
    free(back);
    free(last);
    free(short_next);
}

/* A memo title with a C1 control (U+009B, a CSI: "\u009b31m" turns the
 * terminal red) is printed by memo list without the raw bytes. */
static void test_memo_list_c1_title(void **state)
{
    (void)state;
    char *reply = fake_http_reply(
        200,
        "{\"memos\":[{\"id\":\"m1\",\"state\":\"draft\",\"marking\":\"SBU\","
        "\"latest_version\":1,\"signatures\":0,\"title\":\"Visa\\u009b31m policy \\u00e9\"}]}");
    const char *replies[] = {reply};
    fake_start(replies, 1);
    struct run r = run("memo", "list", NULL);
    fake_http_stop(&fake);
    assert_int_equal(r.status, 0);
    assert_null(strstr(r.out, "\xc2\x9b"));
    assert_non_null(strstr(r.out, "Visa 31m policy \xc3\xa9"));
    run_free(&r);
    free(reply);
}

static void test_memo_edit_carries_over(void **state)
{
    (void)state;
    char *r1 = fake_http_reply(200, memo_json);
    char *r2 = fake_http_reply(201, "{\"number\":3}");
    const char *replies[] = {r1, r2};
    fake_start(replies, 2);
    struct run r = run("memo", "edit", "m1", "--title", "New title", NULL);
    fake_http_stop(&fake);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "version 3 of memo m1"));
    assert_non_null(strstr(fake.request[0], "GET /api/v1/memos/m1 HTTP/1.1"));
    assert_non_null(strstr(fake.request[1], "POST /api/v1/memos/m1/versions HTTP/1.1"));
    assert_non_null(strstr(fake.request[1], "\"title\":\"New title\""));
    assert_non_null(strstr(fake.request[1], "\"marking\":\"SBU\""));
    assert_non_null(strstr(fake.request[1], "\"body\":\"We disagree.\\n\""));
    run_free(&r);
    free(r1);
    free(r2);
}

static void test_json_and_errors(void **state)
{
    (void)state;
    char *r1 = fake_http_reply(200, "{\"total\": 3}");
    char *r2 = fake_http_reply(409, "{\"error\":{\"code\":\"wrong_state\","
                                    "\"message\":\"memo m1 is not circulating\"}}");
    char *r3 = fake_http_reply(401, "{\"error\":{\"code\":\"unauthorized\","
                                    "\"message\":\"session expired\"}}");
    const char *replies[] = {r1, r2, r3};
    fake_start(replies, 3);
    struct run r = run("memo", "counts", "m1", "--json", NULL);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "{\"total\": 3}\n");
    run_free(&r);
    r = run("sign", "m1", "--version", "2", NULL);
    assert_int_equal(r.status, 1);
    assert_string_equal(r.err, "dissent: memo m1 is not circulating\n");
    assert_non_null(strstr(fake.request[1], "{\"version\":2}"));
    run_free(&r);
    r = run("memo", "list", NULL);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "dissent: session expired (run 'dissent login' again)"));
    run_free(&r);
    fake_http_stop(&fake);
    free(r1);
    free(r2);
    free(r3);
}

static void test_login_saves_session(void **state)
{
    (void)state;
    char dir[TT_PATH_MAX];
    char cfg[TT_PATH_MAX + 32], pwfile[TT_PATH_MAX + 32];
    FILE *f;
    tt_mkdtemp(dir, sizeof dir, "dissent-cli");
    snprintf(cfg, sizeof cfg, "%s/s.json", dir);
    snprintf(pwfile, sizeof pwfile, "%s/pw", dir);
    f = fopen(pwfile, "w");
    assert_non_null(f);
    fputs("hunter2\n", f);
    fclose(f);
    setenv("DISSENT_CONFIG", cfg, 1);
    unsetenv("DISSENT_TOKEN");

    char *r1 = fake_http_reply(200, "{\"token\":\"T0K\",\"csrf\":\"c\",\"member\":{\"username\":"
                                    "\"alice\",\"display_name\":\"Alice\",\"organization\":"
                                    "\"state\",\"roles\":[\"member\"]}}");
    char *r2 = fake_http_reply(200, "{\"username\":\"alice\",\"display_name\":\"Alice\","
                                    "\"roles\":[\"member\"]}");
    char *r3 = fake_http_reply(200, "{}");
    const char *replies[] = {r1, r2, r3};
    fake_start(replies, 3);
    struct run r = run("login", "--user", "alice", "--password-file", pwfile, NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "logged in to http://127.0.0.1:"));
    assert_non_null(strstr(fake.request[0], "{\"username\":\"alice\",\"password\":\"hunter2\"}"));
    assert_null(strstr(fake.request[0], "Authorization"));
    assert_int_equal(access(cfg, R_OK), 0);
    run_free(&r);
    /* The saved token is used for the same server... */
    unsetenv("DISSENT_SERVER");
    r = run("whoami", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(fake.request[1], "Authorization: Bearer T0K"));
    run_free(&r);
    r = run("logout", NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(fake.request[2], "POST /api/v1/logout"));
    assert_int_equal(access(cfg, F_OK), -1);
    run_free(&r);
    fake_http_stop(&fake);
    assert_int_equal(tt_rm_tree(dir), 0);
    setenv("DISSENT_CONFIG", "/tmp/dissent-cli-test-none/session.json", 1);
    setenv("DISSENT_TOKEN", "test-token", 1);
    free(r1);
    free(r2);
    free(r3);
}

static void test_token_not_sent_elsewhere(void **state)
{
    (void)state;
    char dir[TT_PATH_MAX];
    char cfg[TT_PATH_MAX + 32];
    FILE *f;
    tt_mkdtemp(dir, sizeof dir, "dissent-cli");
    snprintf(cfg, sizeof cfg, "%s/s.json", dir);
    f = fopen(cfg, "w");
    assert_non_null(f);
    fputs("{\"server\":\"http://other.example:8080\",\"token\":\"SAVED\",\"username\":\"a\"}", f);
    fclose(f);
    chmod(cfg, 0600);
    setenv("DISSENT_CONFIG", cfg, 1);
    unsetenv("DISSENT_TOKEN");
    char *r1 = fake_http_reply(200, "{\"memos\":[]}");
    const char *replies[] = {r1};
    fake_start(replies, 1);
    struct run r = run("memo", "list", "--server", server, NULL);
    fake_http_stop(&fake);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "(none)\n");
    assert_null(strstr(fake.request[0], "SAVED"));
    run_free(&r);
    assert_int_equal(tt_rm_tree(dir), 0);
    setenv("DISSENT_CONFIG", "/tmp/dissent-cli-test-none/session.json", 1);
    setenv("DISSENT_TOKEN", "test-token", 1);
    free(r1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_main_help),
        cmocka_unit_test(test_unknown),
        cmocka_unit_test(test_arguments),
        cmocka_unit_test(test_help_everywhere),
        cmocka_unit_test(test_input_file),
        cmocka_unit_test(test_output),
        cmocka_unit_test(test_memo_new),
        cmocka_unit_test(test_memo_show),
        cmocka_unit_test(test_memo_signers_pages),
        cmocka_unit_test(test_memo_list_c1_title),
        cmocka_unit_test(test_memo_edit_carries_over),
        cmocka_unit_test(test_json_and_errors),
        cmocka_unit_test(test_login_saves_session),
        cmocka_unit_test(test_token_not_sent_elsewhere),
    };
    return cmocka_run_group_tests_name("cli", tests, remote_setup, NULL);
}
