/* Tests for the web pages (src/http/pages*.c): the real server with the
 * real route table, a real channel on a temporary SQLite file seeded through
 * chan.h, driven by libcurl. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "channel/roles.h"
#include "http/app.h"
#include "http/pages.h"
#include "unit/test_tmp.h"

#define MEMO_TITLE     "<script>alert(1)</script>"
#define MEMO_BODY      "Consular help matters **most** in a crisis: keep-the-posts-open."
#define MEMO_TEXT_MARK "keep-the-posts-open"
#define LOGIN_TOKEN    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" /* 43 base64url characters */

static struct chan *chan;
static struct app app;
static struct http_server *srv;
static struct http_route *routes;
static unsigned short port;
static char dir[TT_PATH_MAX], dbpath[TT_PATH_MAX + 32];
static char memo_id[64];

struct reply {
    long status;
    char *body;
    size_t len;
    char location[512];
    char cookie[512]; /* the whole Set-Cookie value of dissent_session */
    char csp[512];
};

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
    struct reply *r = ud;
    char *nb = realloc(r->body, r->len + sz * n + 1);
    assert_non_null(nb);
    r->body = nb;
    memcpy(r->body + r->len, p, sz * n);
    r->len += sz * n;
    r->body[r->len] = '\0';
    return sz * n;
}

static void header_value(const char *line, size_t n, const char *name, char *out, size_t outn)
{
    size_t k = strlen(name);
    if (n > k + 1 && strncasecmp(line, name, k) == 0 && line[k] == ':') {
        const char *v = line + k + 1;
        size_t vl = n - k - 1;
        while (vl && (*v == ' '))
            v++, vl--;
        while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n'))
            vl--;
        if (vl >= outn)
            vl = outn - 1;
        memcpy(out, v, vl);
        out[vl] = '\0';
    }
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
    struct reply *r = ud;
    header_value(p, sz * n, "Location", r->location, sizeof r->location);
    header_value(p, sz * n, "Content-Security-Policy", r->csp, sizeof r->csp);
    if (sz * n > 27 && strncasecmp(p, "Set-Cookie: dissent_session", 27) == 0)
        header_value(p, sz * n, "Set-Cookie", r->cookie, sizeof r->cookie);
    return sz * n;
}

/* One request. cookie: the session token or NULL; body: a form or NULL (GET). */
static struct reply request(const char *path, const char *cookie, const char *body)
{
    struct reply r = {0};
    char url[1024], hdr[600];
    struct curl_slist *h = NULL;
    CURL *c = curl_easy_init();
    assert_non_null(c);
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", port, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
    if (cookie) {
        snprintf(hdr, sizeof hdr, "dissent_session=%s", cookie);
        curl_easy_setopt(c, CURLOPT_COOKIE, hdr);
    } else if (body && strncmp(path, "/login", 6) == 0) {
        /* The login form's pre-session token, as a browser would hold it. */
        curl_easy_setopt(c, CURLOPT_COOKIE, "dissent_login=" LOGIN_TOKEN);
    }
    if (body) {
        h = curl_slist_append(h, "Content-Type: application/x-www-form-urlencoded");
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    }
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    if (!r.body)
        r.body = calloc(1, 1);
    return r;
}

static void reply_free(struct reply *r)
{
    free(r->body);
    r->body = NULL;
}

/* Logs in through the form; returns the session token (static storage per slot). */
static const char *login(const char *user, const char *password, char token[256])
{
    char form[256];
    struct reply r;
    char *semi;
    snprintf(form, sizeof form, "username=%s&password=%s&login_csrf=" LOGIN_TOKEN, user, password);
    r = request("/login", NULL, form);
    assert_int_equal(r.status, 303);
    assert_string_equal(r.location, "/");
    assert_true(strncmp(r.cookie, "dissent_session=", 16) == 0);
    semi = strchr(r.cookie + 16, ';');
    assert_non_null(semi);
    assert_true((size_t)(semi - (r.cookie + 16)) < 256);
    memcpy(token, r.cookie + 16, (size_t)(semi - (r.cookie + 16)));
    token[semi - (r.cookie + 16)] = '\0';
    reply_free(&r);
    return token;
}

/* The CSRF token printed in a page's forms. */
static void csrf_of(const char *page, char out[128])
{
    const char *p = strstr(page, "name=\"csrf\" value=\"");
    size_t n;
    assert_non_null(p);
    p += strlen("name=\"csrf\" value=\"");
    n = strcspn(p, "\"");
    assert_true(n > 0 && n < 128);
    memcpy(out, p, n);
    out[n] = '\0';
}

static int setup(void **state)
{
    struct err e;
    struct pool p;
    struct actor alice;
    char *token;
    json_t *out = NULL;
    size_t nroutes;
    struct http_server_config cfg = {0};
    static const struct {
        const char *user, *name, *org;
        unsigned roles;
    } people[] = {
        {"alice", "Alice Archer", "state", CHAN_ROLE_MEMBER},
        {"bob", "Bob Baker", "state", CHAN_ROLE_MEMBER},
        {"rita", "Rita Reyes", "state", CHAN_ROLE_REVIEWER},
        {"audrey", "Audrey Auditor", "state", CHAN_ROLE_AUDITOR},
        {"admin", "Ada Admin", "ops", CHAN_ROLE_ADMIN},
    };
    struct chan_channel_input ch = {.slug = "dissent",
                                    .name = "Dissent Channel",
                                    .preset = "state-dissent",
                                    .ceiling = "CONFIDENTIAL"};
    struct chan_version_input v = {.title = MEMO_TITLE, .marking = "SBU", .body = MEMO_BODY};
    (void)state;

    err_init(&e);
    pool_init(&p, 8 << 20);
    tt_mkdtemp(dir, sizeof dir, "dissent-test-pages");
    snprintf(dbpath, sizeof dbpath, "%s/test.db", dir);
    assert_int_equal(chan_open(&chan, dbpath, &e), 0);
    assert_int_equal(chan_org_create(chan, NULL, "state", "Department of State", &out, &e), 0);
    json_decref(out);
    assert_int_equal(chan_org_create(chan, NULL, "ops", "Operations", &out, &e), 0);
    json_decref(out);
    for (size_t i = 0; i < ARRAY_LEN(people); i++) {
        char pw[64];
        struct chan_member_input in = {.username = people[i].user,
                                       .display_name = people[i].name,
                                       .org = people[i].org,
                                       .roles = people[i].roles};
        snprintf(pw, sizeof pw, "%s-test-pass", people[i].user);
        assert_int_equal(chan_member_create(chan, &p, NULL, &in, &out, &e), 0);
        json_decref(out);
        assert_int_equal(chan_local_set_password(chan, &p, people[i].user, pw, &e), 0);
    }
    assert_int_equal(chan_channel_create(chan, &p, NULL, &ch, &out, &e), 0);
    json_decref(out);
    /* Privileged test accounts sign in with the password alone, as in the
     * demo; test_must_enroll_first turns the policy on. */
    {
        int off = 0;
        assert_int_equal(chan_totp_policy(chan, &p, NULL, &off, &out, &e), 0);
        json_decref(out);
    }
    assert_int_equal(chan_login(chan, &p, "alice", "alice-test-pass", "local", &token, &alice, &e),
                     0);
    assert_int_equal(chan_memo_create(chan, &p, &alice, "dissent", &v, NULL, 0, &out, &e), 0);
    snprintf(memo_id, sizeof memo_id, "%s", json_string_value(json_object_get(out, "id")));
    json_decref(out);
    assert_int_equal(chan_logout(chan, &alice, &e), 0);
    pool_release(&p);

    app.chan = chan;
    assert_int_equal(app_routes(&routes, &nroutes, &e), 0);
    cfg.listen_addr = "127.0.0.1";
    cfg.port = 0;
    cfg.max_body = APP_MAX_BODY;
    cfg.routes = routes;
    cfg.nroutes = nroutes;
    cfg.app = &app;
    cfg.html_error = pages_html_error;
    assert_int_equal(http_server_start(&srv, &cfg, &e), 0);
    port = http_server_port(srv);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    http_server_stop(srv);
    free(routes);
    chan_close(chan);
    return tt_rm_tree(dir); /* the database, its side files and its keys */
}

static void test_login_form_sets_cookie(void **state)
{
    char token[256];
    struct reply r;
    (void)state;
    r = request("/login", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "<form method=\"post\" action=\"/login\""));
    assert_non_null(strstr(r.csp, "script-src 'self'"));
    reply_free(&r);

    /* Login CSRF: a form posted without this site's pre-session token is refused. */
    r = request("/login", NULL, "username=alice&password=alice-test-pass");
    assert_int_equal(r.status, 403);
    assert_string_equal(r.cookie, "");
    reply_free(&r);

    r = request("/login", NULL, "username=alice&password=alice-test-pass&login_csrf=" LOGIN_TOKEN);
    assert_int_equal(r.status, 303);
    assert_string_equal(r.location, "/");
    assert_non_null(strstr(r.cookie, "HttpOnly"));
    assert_non_null(strstr(r.cookie, "SameSite=Strict"));
    reply_free(&r);

    /* Wrong password: the form again, with the username kept, and no cookie. */
    r = request("/login", NULL, "username=alice&password=not-the-password&login_csrf=" LOGIN_TOKEN);
    assert_int_equal(r.status, 401);
    assert_string_equal(r.cookie, "");
    assert_non_null(strstr(r.body, "value=\"alice\""));
    assert_non_null(strstr(r.body, "role=\"alert\""));
    reply_free(&r);

    login("alice", "alice-test-pass", token);
    r = request("/", token, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "My memos"));
    reply_free(&r);
}

static void test_safe_next(void **state)
{
    static const char *const bad[] = {"/\t/evil.example",
                                      "//evil.example",
                                      "/\\evil.example",
                                      "https://evil.example/",
                                      "/%2F%2Fevil.example",
                                      "/%09/evil.example",
                                      "javascript:alert(1)",
                                      "/ /evil.example",
                                      "/\r\nLocation: //evil",
                                      "evil.example",
                                      "",
                                      "/a//b"};
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_string_equal(page_safe_next(bad[i]), "/");
    assert_string_equal(page_safe_next(NULL), "/");
    assert_string_equal(page_safe_next("/memos/abc"), "/memos/abc");
    assert_string_equal(page_safe_next("/memos/abc/diff?from=1&to=2"),
                        "/memos/abc/diff?from=1&to=2");
}

static void test_pages_need_login(void **state)
{
    struct reply r;
    char path[128];
    (void)state;
    r = request("/", NULL, NULL);
    assert_int_equal(r.status, 303);
    assert_string_equal(r.location, "/login");
    reply_free(&r);

    snprintf(path, sizeof path, "/memos/%s", memo_id);
    r = request(path, NULL, NULL);
    assert_int_equal(r.status, 303);
    assert_true(strncmp(r.location, "/login?next=/memos/", 19) == 0);
    assert_null(strstr(r.body, MEMO_TEXT_MARK));
    reply_free(&r);

    /* A session cookie that opens no session any more: the login page
     * says the session expired. */
    r = request(path, "not-a-session", NULL);
    assert_int_equal(r.status, 303);
    assert_true(strncmp(r.location, "/login?expired=1&next=/memos/", 29) == 0);
    reply_free(&r);
    r = request("/login?expired=1&next=/", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "Your session has expired"));
    reply_free(&r);
    r = request("/login", NULL, NULL);
    assert_null(strstr(r.body, "Your session has expired"));
    reply_free(&r);

    /* The public page needs no login; an unknown page is an HTML 404. */
    r = request("/public", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "Public record"));
    reply_free(&r);
    /* So is the help on what an anonymous signer's connection still shows. */
    r = request("/help/anonymous", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "network address"));
    assert_non_null(strstr(r.body, "Tor Browser"));
    assert_non_null(strstr(r.body, "--proxy socks5h://127.0.0.1:9050"));
    assert_non_null(strstr(r.body, "dissent verify-web"));
    reply_free(&r);
    r = request("/no-such-page", NULL, NULL);
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(r.body, "Not found"));
    reply_free(&r);
}

static void test_post_without_csrf_is_refused(void **state)
{
    char token[256], csrf[128], path[128], form[256];
    struct reply r;
    (void)state;
    login("alice", "alice-test-pass", token);
    snprintf(path, sizeof path, "/memos/%s/circulate", memo_id);

    r = request(path, token, "shown=1");
    assert_int_equal(r.status, 403);
    assert_non_null(strstr(r.body, "security token"));
    reply_free(&r);
    r = request(path, token, "csrf=0123456789abcdef&shown=1");
    assert_int_equal(r.status, 403);
    reply_free(&r);

    /* Nothing changed: the memo is still a draft. */
    snprintf(path, sizeof path, "/memos/%s", memo_id);
    r = request(path, token, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "badge-draft"));
    csrf_of(r.body, csrf);
    reply_free(&r);

    /* With the token it is done, and answered with 303. */
    snprintf(path, sizeof path, "/memos/%s/circulate", memo_id);
    snprintf(form, sizeof form, "csrf=%s&shown=1", csrf);
    r = request(path, token, form);
    assert_int_equal(r.status, 303);
    assert_non_null(strstr(r.location, memo_id));
    reply_free(&r);
    snprintf(path, sizeof path, "/memos/%s", memo_id);
    r = request(path, token, NULL);
    assert_non_null(strstr(r.body, "badge-circulating"));
    reply_free(&r);
}

static void test_title_renders_escaped(void **state)
{
    char token[256], path[128];
    struct reply r;
    (void)state;
    login("alice", "alice-test-pass", token);
    snprintf(path, sizeof path, "/memos/%s", memo_id);
    r = request(path, token, NULL);
    assert_int_equal(r.status, 200);
    {
        /* the one script of the memo page is the anonymous signing flow's
         * static file; the title's never becomes one */
        static const char ours[] = "<script type=\"module\" src=\"/static/anon/sign.js\"></script>";
        const char *at = strstr(r.body, "<script");
        assert_non_null(at);
        assert_memory_equal(at, ours, sizeof ours - 1);
        assert_null(strstr(at + 1, "<script"));
    }
    assert_non_null(strstr(r.body, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null(strstr(r.body, "<strong>most</strong>")); /* Markdown rendered */
    assert_non_null(strstr(r.body, "banner-sbu"));
    reply_free(&r);
    r = request("/", token, NULL);
    assert_null(strstr(r.body, "<script"));
    assert_non_null(strstr(r.body, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    reply_free(&r);
}

static void test_admin_never_sees_memo_text(void **state)
{
    char token[256], path[160];
    static const char *const pages[] = {
        "/", "", "/signers", "/access", "/diff?from=1&to=1", "/edit", "@/memos/new"};
    struct reply r;
    (void)state;
    login("admin", "admin-test-pass", token);
    for (size_t i = 0; i < ARRAY_LEN(pages); i++) {
        if (pages[i][0] == '@')
            snprintf(path, sizeof path, "%s", pages[i] + 1);
        else if (i == 0)
            snprintf(path, sizeof path, "/");
        else
            snprintf(path, sizeof path, "/memos/%s%s", memo_id, pages[i]);
        r = request(path, token, NULL);
        assert_null(strstr(r.body, MEMO_TEXT_MARK));
        assert_null(strstr(r.body, "alert(1)"));
        if (i > 0) /* the member list of the admin's home names her; nothing else may */
            assert_null(strstr(r.body, "Alice Archer"));
        if (i == 0) {
            assert_int_equal(r.status, 200);
            assert_non_null(strstr(r.body, "Members and roles"));
            assert_null(strstr(r.body, "My memos"));
        } else {
            assert_true(r.status == 403 || r.status == 404);
        }
        reply_free(&r);
    }
}

static void test_refused_form_keeps_text(void **state)
{
    char token[256], csrf[128], form[512];
    struct reply r;
    (void)state;
    login("alice", "alice-test-pass", token);
    r = request("/memos/new", token, NULL);
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, ">SECRET<")); /* above the channel's ceiling: not offered */
    csrf_of(r.body, csrf);
    reply_free(&r);
    snprintf(form, sizeof form,
             "csrf=%s&channel=dissent&title=Kept+title&marking=SECRET&body=Kept%%0D%%0Abody&save=1",
             csrf);
    r = request("/memos/new", token, form);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "ceiling"));
    assert_non_null(strstr(r.body, "value=\"Kept title\""));
    assert_non_null(strstr(r.body, ">Kept\nbody</textarea>"));
    reply_free(&r);

    /* Preview renders Markdown server-side and saves nothing. */
    snprintf(form, sizeof form,
             "csrf=%s&channel=dissent&title=T&marking=SBU&body=**bold**&preview=1", csrf);
    r = request("/memos/new", token, form);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "<strong>bold</strong>"));
    reply_free(&r);

    /* A reviewer's empty answer is refused on the memo page with a message. */
    login("rita", "rita-test-pass", token);
    r = request("/", token, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "Review queue"));
    reply_free(&r);
}

/* The memo page offers exactly what the API's "can" object says the reader
 * may do: the page decides nothing itself (issue 8). Runs after the memo is
 * circulating. */
static void test_memo_page_follows_can(void **state)
{
    static const struct {
        const char *user, *password;
    } readers[] = {
        {"alice", "alice-test-pass"},
        {"bob", "bob-test-pass"},
    };
    static const struct {
        const char *can, *marker;
    } offers[] = {
        {"sign", "Co-sign version 1"},
        {"unsign", "Withdraw my signature"},
        {"edit", "Edit: save a new version"},
        {"circulate", "Circulate for co-signature"},
        {"submit", "Submit to the policy office"},
        {"withdraw", "Withdraw the memo"},
        {"refresh_rings", "Refresh the signing rings"},
        {"access_log", "Who read this memo, and when"},
        {"signers", "See who signed"},
        {"acknowledge", "Acknowledge receipt"},
        {"answer", "Send the answer"},
        {"extend", "Extend the deadline"},
    };
    char token[256], path[256];
    int offered = 0, withheld = 0;
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(readers); i++) {
        struct reply api, page;
        json_t *memo, *can;
        login(readers[i].user, readers[i].password, token);
        snprintf(path, sizeof path, "/api/v1/memos/%s", memo_id);
        api = request(path, token, NULL);
        assert_int_equal(api.status, 200);
        memo = json_loads(api.body, 0, NULL);
        assert_non_null(memo);
        can = json_object_get(memo, "can");
        assert_true(json_is_object(can));
        snprintf(path, sizeof path, "/memos/%s", memo_id);
        page = request(path, token, NULL);
        assert_int_equal(page.status, 200);
        for (size_t k = 0; k < ARRAY_LEN(offers); k++) {
            json_t *v = json_object_get(can, offers[k].can);
            int shown = strstr(page.body, offers[k].marker) != NULL;
            assert_true(json_is_boolean(v));
            if (json_is_true(v) != shown)
                fail_msg("%s: can.%s is %s but the page %s '%s'", readers[i].user, offers[k].can,
                         json_is_true(v) ? "true" : "false", shown ? "shows" : "lacks",
                         offers[k].marker);
            offered += shown;
            withheld += !shown;
        }
        /* who may sign is told, beside the anonymous way, what the server
         * still sees of the connection */
        if (json_is_true(json_object_get(can, "sign")) !=
            (strstr(page.body, "<a href=\"/help/anonymous\">") != NULL))
            fail_msg("%s: the link to /help/anonymous goes with can.sign", readers[i].user);
        json_decref(memo);
        reply_free(&api);
        reply_free(&page);
    }
    /* both kinds were seen: the drafter edits, the member signs, neither acknowledges */
    assert_true(offered > 2);
    assert_true(withheld > 2);
}

/* The memo page tells its reader what the access log records of the read and
 * who sees it, in words that depend on the reader's capacity. */
static void test_memo_page_tells_readers(void **state)
{
    static const struct {
        const char *user, *password, *said, *unsaid;
    } readers[] = {
        {"alice", "alice-test-pass", "Your co-drafters and auditors see your name", "daily count"},
        {"bob", "bob-test-pass",
         "The drafters see only a daily count of member reads, not your "
         "name; auditors see your name",
         "You read as"},
        {"rita", "rita-test-pass",
         "You read as the policy office: the drafters and auditors "
         "see your name",
         "daily count"},
    };
    struct err e;
    struct pool p;
    struct actor alice;
    char *tok, token[256], path[256], id[64];
    json_t *out = NULL;
    struct chan_version_input v = {.title = "Tell readers", .marking = "SBU", .body = "Text."};
    (void)state;
    err_init(&e);
    pool_init(&p, 1 << 20);
    assert_int_equal(chan_login(chan, &p, "alice", "alice-test-pass", "local", &tok, &alice, &e),
                     0);
    assert_int_equal(chan_memo_create(chan, &p, &alice, "dissent", &v, NULL, 0, &out, &e), 0);
    snprintf(id, sizeof id, "%s", json_string_value(json_object_get(out, "id")));
    json_decref(out);
    assert_int_equal(chan_memo_act(chan, &p, &alice, id, CHAN_OP_CIRCULATE, NULL, &out, &e), 0);
    json_decref(out);
    for (size_t i = 0; i < ARRAY_LEN(readers); i++) {
        struct reply page;
        if (strcmp(readers[i].user, "rita") == 0) { /* the office reads from submission on */
            assert_int_equal(chan_memo_act(chan, &p, &alice, id, CHAN_OP_SUBMIT, NULL, &out, &e),
                             0);
            json_decref(out);
        }
        login(readers[i].user, readers[i].password, token);
        snprintf(path, sizeof path, "/memos/%s", id);
        page = request(path, token, NULL);
        assert_int_equal(page.status, 200);
        if (!strstr(page.body, "Your reading is recorded.") || !strstr(page.body, readers[i].said))
            fail_msg("%s's page does not say '%s'", readers[i].user, readers[i].said);
        if (strstr(page.body, readers[i].unsaid))
            fail_msg("%s's page says '%s'", readers[i].user, readers[i].unsaid);
        reply_free(&page);
    }
    assert_int_equal(chan_logout(chan, &alice, &e), 0);
    pool_release(&p);
}

/* The auditor reads every memo's access log, though not the memo: the
 * page must not depend on reading the memo's versions. */
static void test_auditor_reads_memo_access_page(void **state)
{
    char token[256], path[256];
    struct reply page;
    (void)state;
    login("audrey", "audrey-test-pass", token);
    snprintf(path, sizeof path, "/memos/%s/access", memo_id);
    page = request(path, token, NULL);
    assert_int_equal(page.status, 200);
    assert_non_null(strstr(page.body, "As an auditor you see every read by name"));
    assert_null(strstr(page.body, "alert(1)"));
    reply_free(&page);
}

/* Submitting cannot be undone: without the ticked box the memo page comes
 * back with the reason and nothing changes; ticked, it is done. */
static void test_submit_needs_confirmation(void **state)
{
    char token[256], csrf[128], path[128], form[256];
    struct reply r;
    (void)state;
    login("alice", "alice-test-pass", token);
    snprintf(path, sizeof path, "/memos/%s", memo_id);
    r = request(path, token, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "badge-circulating"));
    assert_non_null(strstr(r.body, "name=\"confirm\" value=\"yes\" required"));
    assert_non_null(strstr(r.body, "Submitting sends version 1 and its co-signatures"));
    csrf_of(r.body, csrf);
    reply_free(&r);

    snprintf(path, sizeof path, "/memos/%s/submit", memo_id);
    snprintf(form, sizeof form, "csrf=%s&shown=1", csrf);
    r = request(path, token, form);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "Tick the box to confirm that you want to submit"));
    assert_non_null(strstr(r.body, "badge-circulating"));
    reply_free(&r);
    snprintf(form, sizeof form, "csrf=%s&shown=1&confirm=no", csrf);
    r = request(path, token, form);
    assert_int_equal(r.status, 400);
    reply_free(&r);

    snprintf(form, sizeof form, "csrf=%s&shown=1&confirm=yes", csrf);
    r = request(path, token, form);
    assert_int_equal(r.status, 303);
    reply_free(&r);
    snprintf(path, sizeof path, "/memos/%s", memo_id);
    r = request(path, token, NULL);
    assert_non_null(strstr(r.body, "badge-submitted"));
    reply_free(&r);
}

/* With the policy on, a reviewer without a second factor who signs in with
 * the password reaches only the enrollment: pages redirect there. */
static void test_must_enroll_first(void **state)
{
    char token[256];
    struct reply r;
    struct err e;
    struct pool p;
    json_t *out = NULL;
    int on = 1, off = 0;
    (void)state;
    err_init(&e);
    pool_init(&p, 1 << 20);
    assert_int_equal(chan_totp_policy(chan, &p, NULL, &on, &out, &e), 0);
    json_decref(out);
    login("rita", "rita-test-pass", token);
    r = request("/", token, NULL);
    assert_int_equal(r.status, 303);
    assert_string_equal(r.location, "/account/totp");
    reply_free(&r);
    r = request("/memos/new", token, NULL);
    assert_int_equal(r.status, 303);
    assert_string_equal(r.location, "/account/totp");
    reply_free(&r);
    r = request("/account/totp", token, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "Your roles require a second factor"));
    assert_non_null(strstr(r.body, "action=\"/account/totp\""));
    reply_free(&r);
    /* a plain member is not concerned */
    login("alice", "alice-test-pass", token);
    r = request("/", token, NULL);
    assert_int_equal(r.status, 200);
    reply_free(&r);
    assert_int_equal(chan_totp_policy(chan, &p, NULL, &off, &out, &e), 0);
    json_decref(out);
    pool_release(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_form_sets_cookie),
        cmocka_unit_test(test_safe_next),
        cmocka_unit_test(test_pages_need_login),
        cmocka_unit_test(test_post_without_csrf_is_refused),
        cmocka_unit_test(test_memo_page_follows_can),
        cmocka_unit_test(test_title_renders_escaped),
        cmocka_unit_test(test_admin_never_sees_memo_text),
        cmocka_unit_test(test_refused_form_keeps_text),
        cmocka_unit_test(test_memo_page_tells_readers),
        cmocka_unit_test(test_auditor_reads_memo_access_page),
        cmocka_unit_test(test_submit_needs_confirmation),
        cmocka_unit_test(test_must_enroll_first),
    };
    int rc;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = cmocka_run_group_tests(tests, setup, teardown);
    curl_global_cleanup();
    return rc;
}
