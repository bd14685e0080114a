/* Tests for src/client: server URLs, error replies, path escaping, the
 * saved session (mode 0600), and requests against a fake HTTP responder. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/client.h"
#include "client/session.h"
#include "unit/client/fake_http.h"
#include "unit/test_tmp.h"

static void test_server_url(void **state)
{
    (void)state;
    struct client c;
    struct err e;
    client_init(&c);
    assert_string_equal(c.server, CLIENT_DEFAULT_SERVER);
    assert_int_equal(client_set_server(&c, "https://dissent.example.org/", &e), 0);
    assert_string_equal(c.server, "https://dissent.example.org");
    assert_int_equal(client_set_server(&c, "http://10.0.0.1:8080/base//", &e), 0);
    assert_string_equal(c.server, "http://10.0.0.1:8080/base");
    assert_int_equal(client_set_server(&c, "ftp://x", &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    assert_non_null(strstr(e.msg, "http://"));
    assert_int_equal(client_set_server(&c, "http://", &e), -1);
    assert_int_equal(client_set_server(&c, "http://user:pw@host", &e), -1);
    assert_int_equal(client_set_server(&c, "http://host/?q=1", &e), -1);
    assert_int_equal(client_set_server(&c, "http://ho st", &e), -1);
    assert_int_equal(client_set_token(&c, "abc.DEF-123", &e), 0);
    assert_int_equal(client_set_token(&c, "abc\r\nX-Evil: 1", &e), -1);
    assert_int_equal(client_set_token(&c, "", &e), -1);
    client_release(&c);
    assert_int_equal(c.token[0], 0);
}

static void test_error_reply(void **state)
{
    (void)state;
    struct err e;
    const char *body =
        "{\"error\":{\"code\":\"wrong_state\",\"message\":\"memo is not circulating\"}}";
    assert_int_equal(client_error_from_reply(409, body, strlen(body), &e), -1);
    assert_int_equal(e.code, ERR_STATE);
    assert_string_equal(e.msg, "memo is not circulating");

    body = "{\"error\":{\"code\":\"method_not_allowed\",\"message\":\"use POST\"}}";
    assert_int_equal(client_error_from_reply(405, body, strlen(body), &e), -1);
    assert_int_equal(e.code, ERR_UNSUPPORTED);

    /* Control characters in a message cannot reach the terminal. */
    body = "{\"error\":{\"code\":\"forbidden\",\"message\":\"no\\u001b[2J way\"}}";
    assert_int_equal(client_error_from_reply(403, body, strlen(body), &e), -1);
    assert_int_equal(e.code, ERR_FORBIDDEN);
    assert_null(strchr(e.msg, 0x1b));

    /* C1 controls too (U+009B is a CSI, like ESC [): one space each; other
     * characters, multi-byte ones included, as they are. */
    body = "{\"error\":{\"code\":\"forbidden\",\"message\":"
           "\"a\\u009b31mb\\u0085c\\u001b[0m\\u0007 \\u00e9\\u20ac\\ud83d\\ude00\\u00a0d\"}}";
    assert_int_equal(client_error_from_reply(403, body, strlen(body), &e), -1);
    assert_string_equal(e.msg, "a 31mb c [0m  \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xc2\xa0"
                               "d");
    body = "{\"error\":{\"code\":\"forbidden\\u009b31m\"}}";
    assert_int_equal(client_error_from_reply(403, body, strlen(body), &e), -1);
    assert_null(strstr(e.msg, "\xc2\x9b"));

    body = "<html>Bad Gateway</html>";
    assert_int_equal(client_error_from_reply(502, body, strlen(body), &e), -1);
    assert_int_equal(e.code, ERR_INTERNAL);
    assert_non_null(strstr(e.msg, "502"));

    assert_int_equal(client_error_from_reply(404, NULL, 0, &e), -1);
    assert_int_equal(e.code, ERR_NOT_FOUND);
    assert_int_equal(client_code_from_name("too_many_requests", 400), ERR_RATE);
    assert_int_equal(client_code_from_name("something_new", 401), ERR_UNAUTHORIZED);
}

static void test_path_segment(void **state)
{
    (void)state;
    struct buf b;
    struct err e;
    buf_init(&b, 100);
    assert_int_equal(client_path_segment(&b, "abc-_.~Z9", &e), 0);
    assert_int_equal(client_path_segment(&b, "../x?y=1#z /", &e), 0);
    assert_string_equal(buf_str(&b), "abc-_.~Z9..%2Fx%3Fy%3D1%23z%20%2F");
    buf_release(&b);
}

static char tmpdir[TT_PATH_MAX];

static int make_tmpdir(void **state)
{
    (void)state;
    tt_mkdtemp(tmpdir, sizeof tmpdir, "dissent-test");
    return 0;
}

static int remove_tmpdir(void **state)
{
    (void)state;
    return tt_rm_tree(tmpdir);
}

/* A server reply without a usable token keeps nothing; a good one is saved. */
static void test_session_keep(void **state)
{
    (void)state;
    struct session s = {0}, t;
    struct err e;
    char path[320], longtok[CLIENT_TOKEN_MAX + 8];
    int found = 0, existed = 0;
    json_t *none = json_pack("{s:s}", "csrf", "x");
    json_t *big, *good = json_pack("{s:s}", "token", "tok-123");

    memset(longtok, 'a', sizeof longtok - 1);
    longtok[sizeof longtok - 1] = '\0';
    big = json_pack("{s:s}", "token", longtok);
    snprintf(path, sizeof path, "%s/keep.json", tmpdir);
    err_init(&e);
    assert_int_equal(session_keep(path, "http://127.0.0.1:1", "alice", none, &s, &e), -1);
    assert_int_equal(e.code, ERR_IO);
    assert_int_equal(session_keep(path, "http://127.0.0.1:1", "alice", big, &s, &e), -1);
    assert_int_equal(session_load(path, &t, &found, &e), 0);
    assert_int_equal(found, 0);
    assert_int_equal(session_keep(path, "http://127.0.0.1:1", "alice", good, &s, &e), 0);
    assert_int_equal(session_load(path, &t, &found, &e), 0);
    assert_int_equal(found, 1);
    assert_string_equal(t.token, "tok-123");
    assert_string_equal(t.username, "alice");
    assert_string_equal(t.server, "http://127.0.0.1:1");
    assert_int_equal(session_remove(path, &existed, &e), 0);
    json_decref(none);
    json_decref(big);
    json_decref(good);
}

static void test_session_roundtrip(void **state)
{
    (void)state;
    struct session s, t;
    struct err e;
    struct stat st;
    char path[2 * TT_PATH_MAX], dir[TT_PATH_MAX + 64];
    int found = 0, existed = 0;

    snprintf(dir, sizeof dir, "%s/nested/dissent", tmpdir);
    snprintf(path, sizeof path, "%s/session.json", dir);
    assert_int_equal(session_load(path, &t, &found, &e), 0);
    assert_int_equal(found, 0);

    memset(&s, 0, sizeof s);
    snprintf(s.server, sizeof s.server, "http://127.0.0.1:8080");
    snprintf(s.token, sizeof s.token, "secret-token");
    snprintf(s.username, sizeof s.username, "alice");
    assert_int_equal(session_save(path, &s, &e), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);

    assert_int_equal(session_load(path, &t, &found, &e), 0);
    assert_int_equal(found, 1);
    assert_int_equal(t.loose_mode, 0);
    assert_string_equal(t.server, s.server);
    assert_string_equal(t.token, s.token);
    assert_string_equal(t.username, s.username);

    /* Saving again replaces the file and keeps the mode. */
    snprintf(s.token, sizeof s.token, "second");
    assert_int_equal(session_save(path, &s, &e), 0);
    assert_int_equal(session_load(path, &t, &found, &e), 0);
    assert_string_equal(t.token, "second");
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(session_load(path, &t, &found, &e), 0);
    assert_int_equal(t.loose_mode, 1);

    assert_int_equal(session_remove(path, &existed, &e), 0);
    assert_int_equal(existed, 1);
    assert_int_equal(session_remove(path, &existed, &e), 0);
    assert_int_equal(existed, 0);
    session_wipe(&t);
    assert_int_equal(t.token[0], 0);
}

static void test_session_invalid(void **state)
{
    (void)state;
    struct session t;
    struct err e;
    char path[TT_PATH_MAX + 64];
    int found;
    FILE *f;
    snprintf(path, sizeof path, "%s/broken.json", tmpdir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"server\": 5}", f);
    fclose(f);
    assert_int_equal(session_load(path, &t, &found, &e), -1);
    assert_int_equal(found, 1);
    assert_non_null(strstr(e.msg, path));
    unlink(path);
}

static void test_session_path(void **state)
{
    (void)state;
    char p[256];
    struct err e;
    setenv("DISSENT_CONFIG", "/x/y.json", 1);
    assert_int_equal(session_path(p, sizeof p, &e), 0);
    assert_string_equal(p, "/x/y.json");
    unsetenv("DISSENT_CONFIG");
    setenv("XDG_CONFIG_HOME", "/cfg", 1);
    assert_int_equal(session_path(p, sizeof p, &e), 0);
    assert_string_equal(p, "/cfg/dissent/session.json");
    unsetenv("XDG_CONFIG_HOME");
    setenv("HOME", "/home/z", 1);
    assert_int_equal(session_path(p, sizeof p, &e), 0);
    assert_string_equal(p, "/home/z/.config/dissent/session.json");
}

static void test_request_ok(void **state)
{
    (void)state;
    struct fake_http f;
    struct client c;
    struct client_reply r;
    struct err e;
    char url[64];
    char *reply = fake_http_reply(201, "{\"id\":\"abc\",\"state\":\"draft\"}");
    const char *replies[] = {reply};
    json_t *body = json_pack("{s:s}", "title", "T");

    assert_int_equal(fake_http_start(&f, replies, 1), 0);
    client_init(&c);
    client_reply_init(&r);
    snprintf(url, sizeof url, "http://127.0.0.1:%d", f.port);
    assert_int_equal(client_set_server(&c, url, &e), 0);
    assert_int_equal(client_set_token(&c, "tok-1", &e), 0);
    assert_int_equal(client_request(&c, "POST", "/api/v1/memos", body, &r, &e), 0);
    fake_http_stop(&f);
    assert_int_equal(r.status, 201);
    assert_string_equal(json_string_value(json_object_get(r.json, "id")), "abc");
    assert_non_null(strstr(f.request[0], "POST /api/v1/memos HTTP/1.1\r\n"));
    assert_non_null(strstr(f.request[0], "Authorization: Bearer tok-1\r\n"));
    assert_non_null(strstr(f.request[0], "Content-Type: application/json\r\n"));
    assert_non_null(strstr(f.request[0], "\r\n\r\n{\"title\":\"T\"}"));
    client_reply_release(&r);
    client_release(&c);
    json_decref(body);
    free(reply);
}

static void test_request_error_reply(void **state)
{
    (void)state;
    struct fake_http f;
    struct client c;
    struct client_reply r;
    struct err e;
    char url[64];
    char *reply = fake_http_reply(
        409, "{\"error\":{\"code\":\"wrong_state\",\"message\":\"memo is already submitted\"}}");
    const char *replies[] = {reply};

    assert_int_equal(fake_http_start(&f, replies, 1), 0);
    client_init(&c);
    client_reply_init(&r);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", f.port);
    assert_int_equal(client_set_server(&c, url, &e), 0);
    assert_int_equal(client_request(&c, "DELETE", "/api/v1/memos/x/signatures", NULL, &r, &e), -1);
    fake_http_stop(&f);
    assert_int_equal(r.status, 409);
    assert_int_equal(e.code, ERR_STATE);
    assert_string_equal(e.msg, "memo is already submitted");
    assert_non_null(strstr(f.request[0], "DELETE /api/v1/memos/x/signatures HTTP/1.1"));
    assert_null(strstr(f.request[0], "Authorization:"));
    client_reply_release(&r);
    free(reply);
}

static void test_request_too_large(void **state)
{
    (void)state;
    struct fake_http f;
    struct client c;
    struct client_reply r;
    struct err e;
    char url[64];
    size_t n = 200000;
    char *big = malloc(n + 16);
    char *reply;
    assert_non_null(big);
    memset(big, 'a', n + 16);
    big[0] = '"';
    big[n + 1] = '"';
    big[n + 2] = '\0';
    reply = fake_http_reply(200, big);
    const char *replies[] = {reply};

    assert_int_equal(fake_http_start(&f, replies, 1), 0);
    client_init(&c);
    c.max_response = 100000;
    client_reply_init(&r);
    snprintf(url, sizeof url, "http://127.0.0.1:%d", f.port);
    assert_int_equal(client_set_server(&c, url, &e), 0);
    assert_int_equal(client_request(&c, "GET", "/api/v1/memos", NULL, &r, &e), -1);
    fake_http_stop(&f);
    assert_int_equal(e.code, ERR_TOO_LARGE);
    assert_non_null(strstr(e.msg, "larger than 100000 bytes"));
    client_reply_release(&r);
    free(reply);
    free(big);
}

static void test_request_not_json(void **state)
{
    (void)state;
    struct fake_http f;
    struct client c;
    struct client_reply r;
    struct err e;
    char url[64];
    const char *replies[] = {"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 6\r\n"
                             "Connection: close\r\n\r\n<html>"};

    assert_int_equal(fake_http_start(&f, replies, 1), 0);
    client_init(&c);
    client_reply_init(&r);
    snprintf(url, sizeof url, "http://127.0.0.1:%d", f.port);
    assert_int_equal(client_set_server(&c, url, &e), 0);
    assert_int_equal(client_request(&c, "GET", "/api/v1/me", NULL, &r, &e), -1);
    fake_http_stop(&f);
    assert_non_null(strstr(e.msg, "not JSON"));
    client_reply_release(&r);
}

/* The Content-Type of a reply that is not JSON is the server's text too: its
 * controls (ESC, C1) do not reach the message. */
static void test_request_not_json_type(void **state)
{
    (void)state;
    struct fake_http f;
    struct client c;
    struct client_reply r;
    struct err e;
    char url[64];
    const char *replies[] = {"HTTP/1.1 200 OK\r\nContent-Type: text/html\x1b[2J\xc2\x9b"
                             "31m\xc3\xa9\r\nContent-Length: 6\r\n"
                             "Connection: close\r\n\r\n<html>"};

    assert_int_equal(fake_http_start(&f, replies, 1), 0);
    client_init(&c);
    client_reply_init(&r);
    snprintf(url, sizeof url, "http://127.0.0.1:%d", f.port);
    assert_int_equal(client_set_server(&c, url, &e), 0);
    assert_int_equal(client_request(&c, "GET", "/api/v1/me", NULL, &r, &e), -1);
    fake_http_stop(&f);
    assert_non_null(strstr(e.msg, "not JSON (text/html [2J 31m\xc3\xa9)"));
    assert_null(strchr(e.msg, 0x1b));
    assert_null(strstr(e.msg, "\xc2\x9b"));
    client_reply_release(&r);
}

static void test_connection_refused(void **state)
{
    (void)state;
    struct client c;
    struct client_reply r;
    struct err e;
    char url[64];
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    /* Take a free port and keep it, bound but not listening, until the
     * request is done: nobody listens there, and nobody can start to (a
     * port closed again could be taken meanwhile, or be the one the kernel
     * picks as the request's own source port, which then connects to
     * itself). */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);

    client_init(&c);
    client_reply_init(&r);
    snprintf(url, sizeof url, "http://127.0.0.1:%d", ntohs(a.sin_port));
    assert_int_equal(client_set_server(&c, url, &e), 0);
    assert_int_equal(client_request(&c, "GET", "/api/v1/me", NULL, &r, &e), -1);
    assert_int_equal(e.code, ERR_IO);
    char want[128];
    snprintf(want, sizeof want, "cannot reach the server at %s: connection refused", url);
    assert_string_equal(e.msg, want);
    client_reply_release(&r);
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_server_url),          cmocka_unit_test(test_error_reply),
        cmocka_unit_test(test_path_segment),        cmocka_unit_test(test_session_roundtrip),
        cmocka_unit_test(test_session_keep),        cmocka_unit_test(test_session_invalid),
        cmocka_unit_test(test_session_path),        cmocka_unit_test(test_request_ok),
        cmocka_unit_test(test_request_error_reply), cmocka_unit_test(test_request_too_large),
        cmocka_unit_test(test_request_not_json),    cmocka_unit_test(test_request_not_json_type),
        cmocka_unit_test(test_connection_refused),
    };
    return cmocka_run_group_tests_name("client", tests, make_tmpdir, remove_tmpdir);
}
