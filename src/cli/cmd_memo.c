/* cmd_memo.c — `dissent memo ...`. */
#include "client/anon.h"
#include "cli/commands.h"

#include <stdlib.h>
#include <string.h>

#include "base/form.h"
#include "base/pool.h"
#include "cli/cli.h"
#include "cli/out.h"
#include "cli/remote.h"
#include "cli/render.h"
#include "proto/pagekey.h"

#define VERSION_MAX 1000000LL

static int render_new(struct cli_ctx *ctx, const json_t *memo, struct err *e)
{
    (void)e;
    out_text(ctx->out, out_jstr(memo, "id") ? out_jstr(memo, "id") : "?");
    fputc('\n', ctx->out);
    return 0;
}

int cmd_memo_new(struct cli_ctx *ctx)
{
    int status;
    struct err e;
    char *text = NULL;
    json_t *body = NULL, *co = NULL;
    const char *u;

    err_init(&e);
    if ((status = cli_require(ctx, "channel", "title", "marking", (const char *)NULL)) != CLI_OK ||
        (status = remote_body_usage(ctx, 0)) != CLI_OK)
        return status;
    status = CLI_FAIL;
    if (remote_body_text(ctx, 0, &text, &e) != 0)
        goto fail;
    body = json_pack("{s:s, s:s, s:s, s:s}", "channel", cli_opt(ctx, "channel"), "title",
                     cli_opt(ctx, "title"), "marking", cli_opt(ctx, "marking"), "body", text);
    if (!body) {
        err_set(&e, ERR_INVALID, "channel, title and marking must be UTF-8 text");
        goto fail;
    }
    if (cli_opt(ctx, "co-drafter")) {
        co = json_array();
        for (size_t i = 0; co && (u = cli_opt_nth(ctx, "co-drafter", i)) != NULL; i++)
            if (json_array_append_new(co, json_string(u)) != 0) {
                err_set(&e, ERR_INVALID, "co-drafter '%s' is not a valid user name", u);
                goto fail;
            }
        if (!co || json_object_set_new(body, "co_drafters", co) != 0) {
            co = NULL;
            err_set(&e, ERR_NOMEM, "out of memory");
            goto fail;
        }
        co = NULL;
    }
    status = remote_run(ctx, "POST", "/api/v1/memos", body, render_new);
    goto out;
fail:
    status = cli_fail(ctx, &e);
out:
    if (co)
        json_decref(co);
    if (body)
        json_decref(body);
    free(text);
    return status;
}

static int render_version_created(struct cli_ctx *ctx, const json_t *v, struct err *e)
{
    char n[32];
    (void)e;
    /* The reply is the version, or the memo with its new latest version. */
    if (json_is_object(json_object_get(v, "version")))
        v = json_object_get(v, "version");
    fprintf(ctx->out, "version %s of memo ", out_jtext(v, "number", n, sizeof n));
    out_text(ctx->out, ctx->args[0]);
    fputs(" recorded\n", ctx->out);
    return 0;
}

int cmd_memo_edit(struct cli_ctx *ctx)
{
    int status;
    struct err e;
    struct buf path;
    struct client_reply r;
    char *text = NULL;
    json_t *body = NULL;
    const json_t *latest;
    const char *title, *marking, *old_body;

    err_init(&e);
    buf_init(&path, 0);
    client_reply_init(&r);
    if ((status = remote_body_usage(ctx, 1)) != CLI_OK)
        goto out;
    if (!cli_opt(ctx, "title") && !cli_opt(ctx, "marking") && !cli_opt(ctx, "body") &&
        !cli_opt(ctx, "body-file")) {
        status = cli_usage_error(ctx, "nothing to change: give --title, --marking, --body or "
                                      "--body-file");
        goto out;
    }
    status = CLI_FAIL;
    if (remote_body_text(ctx, 1, &text, &e) != 0 ||
        remote_memo_path(&path, ctx->args[0], NULL, &e) != 0 ||
        remote_call(ctx, "GET", buf_str(&path), NULL, &r, &e) != 0)
        goto fail;
    /* Unspecified fields carry over from the latest version. */
    latest = json_object_get(r.json, "version");
    title = cli_opt(ctx, "title") ? cli_opt(ctx, "title") : out_jstr(latest, "title");
    marking = cli_opt(ctx, "marking") ? cli_opt(ctx, "marking") : out_jstr(latest, "marking");
    old_body = out_jstr(latest, "body");
    if (!title || !marking || (!text && !old_body)) {
        err_set(&e, ERR_IO, "the server's memo has no latest version to carry fields over from");
        goto fail;
    }
    body = json_pack("{s:s, s:s, s:s}", "title", title, "marking", marking, "body",
                     text ? text : old_body);
    if (body && cli_opt(ctx, "note") &&
        json_object_set_new(body, "change_note", json_string(cli_opt(ctx, "note")))) {
        json_decref(body);
        body = NULL;
    }
    if (!body) {
        err_set(&e, ERR_INVALID, "title and marking must be UTF-8 text");
        goto fail;
    }
    buf_release(&path);
    if (remote_memo_path(&path, ctx->args[0], "/versions", &e) != 0)
        goto fail;
    status = remote_run(ctx, "POST", buf_str(&path), body, render_version_created);
    goto out;
fail:
    status = cli_fail(ctx, &e);
out:
    if (body)
        json_decref(body);
    client_reply_release(&r);
    buf_release(&path);
    free(text);
    return status;
}

int cmd_memo_show(struct cli_ctx *ctx)
{
    int status = CLI_FAIL;
    struct err e;
    struct buf path;
    struct client_reply memo, ver;
    const char *vopt = cli_opt(ctx, "version");
    long long n = 0;
    char suffix[48];

    err_init(&e);
    buf_init(&path, 0);
    client_reply_init(&memo);
    client_reply_init(&ver);
    if (vopt && cli_arg_i64(vopt, "--version", 1, VERSION_MAX, &n, &e) != 0) {
        status = cli_usage_error(ctx, "%s", e.msg);
        goto out;
    }
    if (cli_flag(ctx, "json")) {
        snprintf(suffix, sizeof suffix, "/versions/%lld", n);
        if (remote_memo_path(&path, ctx->args[0], vopt ? suffix : NULL, &e) != 0)
            goto fail;
        status = remote_run(ctx, "GET", buf_str(&path), NULL, NULL);
        goto out;
    }
    if (remote_memo_path(&path, ctx->args[0], NULL, &e) != 0 ||
        remote_call(ctx, "GET", buf_str(&path), NULL, &memo, &e) != 0)
        goto fail;
    if (vopt) {
        buf_release(&path);
        snprintf(suffix, sizeof suffix, "/versions/%lld", n);
        if (remote_memo_path(&path, ctx->args[0], suffix, &e) != 0 ||
            remote_call(ctx, "GET", buf_str(&path), NULL, &ver, &e) != 0)
            goto fail;
    }
    render_memo(ctx->out, memo.json, vopt ? ver.json : NULL);
    status = CLI_OK;
    goto out;
fail:
    status = cli_fail(ctx, &e);
out:
    client_reply_release(&memo);
    client_reply_release(&ver);
    buf_release(&path);
    return status;
}

static int render_diff(struct cli_ctx *ctx, const json_t *d, struct err *e)
{
    char from[32], to[32];
    size_t i;
    json_t *l;
    (void)e;
    fprintf(ctx->out, "--- version %s\n+++ version %s\n", out_jtext(d, "from", from, sizeof from),
            out_jtext(d, "to", to, sizeof to));
    json_array_foreach(json_object_get(d, "lines"), i, l)
    {
        const char *op = out_jstr(l, "op");
        char c = op && (op[0] == '+' || op[0] == '-') ? op[0] : ' ';
        fputc(c, ctx->out);
        out_text(ctx->out, out_jstr(l, "text") ? out_jstr(l, "text") : "");
        fputc('\n', ctx->out);
    }
    return 0;
}

int cmd_memo_diff(struct cli_ctx *ctx)
{
    int status;
    struct err e;
    struct buf path;
    long long from, to;
    char suffix[80];

    err_init(&e);
    buf_init(&path, 0);
    if (cli_arg_i64(ctx->args[1], "FROM", 1, VERSION_MAX, &from, &e) != 0 ||
        cli_arg_i64(ctx->args[2], "TO", 1, VERSION_MAX, &to, &e) != 0)
        return cli_usage_error(ctx, "%s", e.msg);
    snprintf(suffix, sizeof suffix, "/diff?from=%lld&to=%lld", from, to);
    if (remote_memo_path(&path, ctx->args[0], suffix, &e) != 0)
        status = cli_fail(ctx, &e);
    else
        status = remote_run(ctx, "GET", buf_str(&path), NULL, render_diff);
    buf_release(&path);
    return status;
}

/* "Page 1 of 3 (57 memos)" under a list that has more than one page. */
static void render_pages(struct cli_ctx *ctx, const json_t *reply)
{
    json_int_t page = json_integer_value(json_object_get(reply, "page"));
    json_int_t pages = json_integer_value(json_object_get(reply, "pages"));
    json_int_t total = json_integer_value(json_object_get(reply, "total"));
    if (pages > 1)
        fprintf(ctx->out, "Page %lld of %lld (%lld memos)%s\n", (long long)page, (long long)pages,
                (long long)total, page < pages ? "; --page N for another" : "");
    if (json_is_true(json_object_get(reply, "search_limited")))
        fprintf(ctx->out,
                "Only the first %lld memos of the list were searched: narrow it with "
                "--state, --channel or --from.\n",
                (long long)json_integer_value(json_object_get(reply, "searched")));
}

static int render_list(struct cli_ctx *ctx, const json_t *reply, struct err *e)
{
    const char *scope = json_string_value(json_object_get(reply, "scope"));
    int due = scope && (strcmp(scope, "queue") == 0 || strcmp(scope, "all") == 0 ||
                        strcmp(scope, "archive") == 0);
    if (due && render_memo_list_due_reply(ctx, reply, e))
        return -1;
    if (!due)
        render_memo_list(ctx->out, json_object_get(reply, "memos"), 0);
    render_pages(ctx, reply);
    return 0;
}

int cmd_memo_list(struct cli_ctx *ctx)
{
    /* option name → query parameter; the server checks every value */
    static const char *const opts[][2] = {
        {"scope", "scope"},     {"search", "q"},    {"state", "state"}, {"channel", "channel"},
        {"marking", "marking"}, {"from", "from"},   {"to", "to"},       {"overdue", "overdue"},
        {"sort", "sort"},       {"limit", "limit"}, {"page", "page"},
    };
    static const char *const scopes[] = {"mine",  "drafted", "signed", "signable",
                                         "queue", "all",     "archive"};
    const char *scope = cli_opt(ctx, "scope");
    struct pool p;
    char *path;
    const char *sep = "?";
    int rc, ok = !scope;
    for (size_t i = 0; scope && i < ARRAY_LEN(scopes); i++)
        ok |= strcmp(scope, scopes[i]) == 0;
    if (!ok)
        return cli_usage_error(ctx,
                               "--scope must be mine, drafted, signed, signable, queue, all or "
                               "archive, not '%s'",
                               scope);
    pool_init(&p, 1u << 16);
    path = pool_strdup(&p, "/api/v1/memos");
    for (size_t i = 0; path && i < ARRAY_LEN(opts); i++) {
        const char *v = cli_opt(ctx, opts[i][0]);
        char *enc;
        if (!v)
            continue;
        enc = form_encode(v, &p);
        path = enc ? pool_printf(&p, "%s%s%s=%s", path, sep, opts[i][1], enc) : NULL;
        sep = "&";
    }
    if (!path) {
        pool_release(&p);
        return cli_usage_error(ctx, "out of memory");
    }
    rc = remote_run(ctx, "GET", path, NULL, render_list);
    pool_release(&p);
    return rc;
}

static int render_versions(struct cli_ctx *ctx, const json_t *reply, struct err *e)
{
    static const char *const head[] = {"VER",     "CREATED",    "AUTHOR",
                                       "MARKING", "COMMITMENT", "TITLE"};
    struct out_table t;
    size_t i;
    json_t *v;
    (void)e;
    out_table_init(&t, 6, head);
    out_table_max_width(&t, 4, 12);
    out_table_max_width(&t, 5, 60);
    json_array_foreach(json_object_get(reply, "versions"), i, v)
    {
        char n[32], when[40];
        const char *row[] = {out_jtext(v, "number", n, sizeof n),
                             out_time(out_jstr(v, "created_at"), when, sizeof when),
                             out_jstr(v, "author"),
                             out_jstr(v, "marking"),
                             out_jstr(v, "hash"),
                             out_jstr(v, "title")};
        out_table_add(&t, row);
    }
    out_table_print(&t, ctx->out);
    out_table_release(&t);
    return 0;
}

int cmd_memo_versions(struct cli_ctx *ctx)
{
    return remote_memo_run(ctx, "GET", "/versions", NULL, render_versions);
}

int cmd_memo_circulate(struct cli_ctx *ctx)
{
    return remote_memo_run(ctx, "POST", "/circulate", NULL, render_state_reply);
}

static int render_reminded(struct cli_ctx *ctx, const json_t *reply, struct err *e)
{
    char when[40];
    (void)e;
    fprintf(ctx->out, "Reminded the policy office of %s at %s; every reviewer is notified.\n",
            out_jstr(reply, "memo"), out_time(out_jstr(reply, "reminded_at"), when, sizeof when));
    return 0;
}

int cmd_memo_remind(struct cli_ctx *ctx)
{
    return remote_memo_run(ctx, "POST", "/remind", NULL, render_reminded);
}

/* Prints how many rings a refresh added. */
static int render_rings_refreshed(struct cli_ctx *ctx, const json_t *reply, struct err *e)
{
    size_t i;
    json_t *r;
    (void)e;
    fprintf(ctx->out, "%lld ring(s) added to memo ",
            (long long)json_integer_value(json_object_get(reply, "rings_added")));
    out_text(ctx->out, ctx->args[0]);
    fputc('\n', ctx->out);
    json_array_foreach(json_object_get(reply, "rings"), i, r)
    {
        const char *org = json_string_value(json_object_get(r, "organization"));
        fputs("  ", ctx->out);
        out_text(ctx->out, anon_is_coalition(org) ? "coalition (every organization)" : org);
        fprintf(ctx->out, " ring %lld: %lld keys\n",
                (long long)json_integer_value(json_object_get(r, "ring")),
                (long long)json_integer_value(json_object_get(r, "count")));
    }
    return 0;
}

int cmd_memo_refresh_rings(struct cli_ctx *ctx)
{
    return remote_memo_run(ctx, "POST", "/rings/refresh", NULL, render_rings_refreshed);
}

int cmd_memo_withdraw(struct cli_ctx *ctx)
{
    return remote_memo_run(ctx, "POST", "/withdraw", NULL, render_state_reply);
}

static int render_drafters(struct cli_ctx *ctx, const json_t *memo, struct err *e)
{
    size_t i;
    json_t *d;
    (void)e;
    fputs("drafters of memo ", ctx->out);
    out_text(ctx->out, ctx->args[0]);
    fputs(":", ctx->out);
    json_array_foreach(json_object_get(memo, "drafters"), i, d)
    {
        fputs(i ? ", " : " ", ctx->out);
        render_username(ctx->out, d);
    }
    fputc('\n', ctx->out);
    return 0;
}

int cmd_memo_add_drafter(struct cli_ctx *ctx)
{
    int status;
    json_t *body = json_pack("{s:s}", "username", ctx->args[1]);
    if (!body)
        return cli_usage_error(ctx, "USER must be UTF-8 text");
    status = remote_memo_run(ctx, "POST", "/drafters", body, render_drafters);
    json_decref(body);
    return status;
}

int cmd_memo_remove_drafter(struct cli_ctx *ctx)
{
    struct buf path;
    struct err e;
    int status;
    err_init(&e);
    /* The username is one escaped path segment after /drafters/. */
    if (remote_memo_path(&path, ctx->args[0], "/drafters/", &e))
        return cli_fail(ctx, &e);
    if (client_path_segment(&path, ctx->args[1], &e))
        status = cli_fail(ctx, &e);
    else
        status = remote_run(ctx, "DELETE", buf_str(&path), NULL, render_drafters);
    buf_release(&path);
    return status;
}

static int render_signers(struct cli_ctx *ctx, const json_t *reply, struct err *e)
{
    static const char *const head[] = {"USER", "NAME", "ORGANIZATION", "VERSION", "SIGNED"};
    struct out_table t;
    size_t i;
    json_t *s;
    (void)e;
    out_table_init(&t, 5, head);
    json_array_foreach(json_object_get(reply, "signatures"), i, s)
    {
        char v[32], when[40];
        const char *row[] = {out_jstr(s, "username"), out_jstr(s, "display_name"),
                             out_jstr(s, "organization"), out_jtext(s, "version", v, sizeof v),
                             out_time(out_jstr(s, "signed_at"), when, sizeof when)};
        out_table_add(&t, row);
    }
    out_table_print(&t, ctx->out);
    out_table_release(&t);
    return 0;
}

/* The whole signer list, a page of CLI_SIGNERS_PAGE at a time (the server
 * gives at most 1,000 a request), each page recorded in the access log; the
 * table (or, with --json, one reply with every signature and next_after
 * null) once the last page is in. At most CLI_SIGNERS_MAX in all: a server
 * that never ends its list fills no memory. */
#define CLI_SIGNERS_PAGE 1000
#define CLI_SIGNERS_MAX  1000000

int cmd_memo_signers(struct cli_ctx *ctx)
{
    int status = CLI_FAIL;
    struct err e;
    struct buf path;
    char after[PROTO_PAGE_KEY_MAX] = "";
    struct proto_page_key last = {.at = -1, .member = 0};
    json_t *all = json_array(), *memo = NULL, *whole = NULL;

    err_init(&e);
    if (!all) {
        err_set(&e, ERR_NOMEM, "out of memory");
        return cli_fail(ctx, &e);
    }
    for (;;) {
        struct client_reply r;
        const char *next;
        int rc;
        if (remote_memo_path(&path, ctx->args[0], "/signatures", &e) != 0)
            goto out;
        rc = buf_printf(&path, &e, "?limit=%d%s%s", CLI_SIGNERS_PAGE, after[0] ? "&after=" : "",
                        after);
        client_reply_init(&r);
        if (rc == 0)
            rc = remote_call(ctx, "GET", buf_str(&path), NULL, &r, &e);
        buf_release(&path);
        if (rc == 0 && !json_is_array(json_object_get(r.json, "signatures")))
            rc = err_set(&e, ERR_IO, "the server's signer list has no signatures");
        next = rc == 0 ? json_string_value(json_object_get(r.json, "next_after")) : NULL;
        if (rc == 0) {
            size_t got = json_array_size(json_object_get(r.json, "signatures"));
            struct proto_page_key key = {0};
            /* a page holds at most what was asked, a page with a next is
             * full, and its key is strictly after the last (proto/pagekey.h):
             * else a lying server would keep the CLI asking for ever */
            if (got > CLI_SIGNERS_PAGE || (next && got != CLI_SIGNERS_PAGE))
                rc = err_set(&e, ERR_IO, "the server's signer list gave a page of %zu", got);
            else if (next && (strlen(next) >= sizeof after || proto_page_key_parse(next, &key) ||
                              !proto_page_key_after(&key, &last)))
                rc =
                    err_set(&e, ERR_IO, "the server's next_after is not a page key after the last");
            else if (json_array_size(all) + got > CLI_SIGNERS_MAX)
                rc = err_set(&e, ERR_TOO_LARGE,
                             "the server's signer list has more than %d signatures",
                             CLI_SIGNERS_MAX);
            if (rc == 0 && next)
                last = key;
        }
        if (rc == 0) {
            json_array_extend(all, json_object_get(r.json, "signatures"));
            if (!memo)
                memo = json_incref(json_object_get(r.json, "memo"));
        }
        if (rc == 0 && next)
            snprintf(after, sizeof after, "%s", next);
        client_reply_release(&r);
        if (rc != 0)
            goto out;
        if (!next)
            break;
    }
    whole = json_pack("{s:O?,s:O,s:n}", "memo", memo, "signatures", all, "next_after");
    if (!whole) {
        err_set(&e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (cli_flag(ctx, "json")) {
        char *text = json_dumps(whole, JSON_COMPACT);
        if (!text) {
            err_set(&e, ERR_NOMEM, "out of memory");
            goto out;
        }
        fprintf(ctx->out, "%s\n", text);
        free(text);
    } else if (render_signers(ctx, whole, &e) != 0) {
        goto out;
    }
    status = CLI_OK;
out:
    if (status != CLI_OK)
        cli_fail(ctx, &e);
    json_decref(whole);
    json_decref(memo);
    json_decref(all);
    return status;
}

static int render_receipt(struct cli_ctx *ctx, const json_t *reply, struct err *e)
{
    size_t i;
    json_t *l;
    char a[32], b[32];
    (void)e;
    fputs("memo        ", ctx->out);
    out_text(ctx->out, out_jstr(reply, "memo"));
    fputs("\nsigner      ", ctx->out);
    out_text(ctx->out, out_jstr(reply, "username"));
    fputs("\nsalt        ", ctx->out);
    out_text(ctx->out, out_jstr(reply, "salt"));
    fputs("\ncommitment  ", ctx->out);
    out_text(ctx->out, out_jstr(reply, "commitment"));
    fputs("\nrule        ", ctx->out);
    out_text(ctx->out, out_jstr(reply, "rule"));
    fputc('\n', ctx->out);
    json_array_foreach(json_object_get(reply, "leaves"), i, l)
    {
        fprintf(ctx->out, "log leaf %s: %s, version %s\n", out_jtext(l, "index", a, sizeof a),
                out_jstr(l, "action") ? out_jstr(l, "action") : "?",
                out_jtext(l, "version", b, sizeof b));
    }
    return 0;
}

int cmd_memo_receipt(struct cli_ctx *ctx)
{
    return remote_memo_run(ctx, "GET", "/signatures/receipt", NULL, render_receipt);
}

static int render_counts_reply(struct cli_ctx *ctx, const json_t *reply, struct err *e)
{
    (void)e;
    render_counts(ctx->out, reply);
    return 0;
}

int cmd_memo_counts(struct cli_ctx *ctx)
{
    return remote_memo_run(ctx, "GET", "/counts", NULL, render_counts_reply);
}

static int render_messages(struct cli_ctx *ctx, const json_t *reply, struct err *e)
{
    size_t i;
    json_t *m;
    (void)e;
    if (json_array_size(json_object_get(reply, "messages")) == 0)
        fputs("(no messages)\n", ctx->out);
    json_array_foreach(json_object_get(reply, "messages"), i, m)
    {
        char when[40];
        const char *body = out_jstr(m, "body") ? out_jstr(m, "body") : "";
        if (i)
            fputc('\n', ctx->out);
        fprintf(ctx->out, "%s  ", out_time(out_jstr(m, "created_at"), when, sizeof when));
        out_text(ctx->out, out_jstr(m, "author") ? out_jstr(m, "author") : "?");
        if (out_jstr(m, "role")) {
            fputs(" (", ctx->out);
            out_text(ctx->out, out_jstr(m, "role"));
            fputs(")", ctx->out);
        }
        fputc('\n', ctx->out);
        out_text_indented(ctx->out, body, "    ");
    }
    return 0;
}

int cmd_memo_messages(struct cli_ctx *ctx)
{
    return remote_memo_run(ctx, "GET", "/messages", NULL, render_messages);
}
