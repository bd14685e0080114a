/* remote.c — server and token resolution, requests, bodies. */
#include "cli/remote.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cli/input.h"
#include "client/session.h"

int remote_client(const struct cli_ctx *ctx, struct client *c, int *have_token, struct err *e)
{
    int rc = -1;
    struct session s;
    int found = 0;
    char path[SESSION_PATH_MAX];
    const char *flag = cli_opt(ctx, "server");
    const char *env = getenv("DISSENT_SERVER");
    const char *tok = getenv("DISSENT_TOKEN");

    memset(&s, 0, sizeof s);
    client_init(c);
    *have_token = 0;
    if (session_path(path, sizeof path, NULL) == 0) {
        if (session_load(path, &s, &found, e) != 0)
            goto out;
        if (found && s.loose_mode)
            fprintf(ctx->err, "dissent: warning: %s is readable by others; run 'chmod 600 %s'\n",
                    path, path);
    }
    if (flag && flag[0]) {
        if (client_set_server(c, flag, e) != 0)
            goto out;
    } else if (env && env[0]) {
        if (client_set_server(c, env, e) != 0) {
            err_set(e, ERR_INVALID, "DISSENT_SERVER: %.200s", e->msg);
            goto out;
        }
    } else if (found) {
        if (client_set_server(c, s.server, e) != 0)
            goto out;
    }
    if (tok && tok[0]) {
        if (client_set_token(c, tok, e) != 0) {
            err_set(e, ERR_INVALID, "DISSENT_TOKEN: %.200s", e->msg);
            goto out;
        }
        *have_token = 1;
    } else if (found) {
        char saved[CLIENT_URL_MAX];
        if (client_normalize_server(s.server, saved, sizeof saved, NULL) == 0 &&
            strcmp(saved, c->server) == 0) {
            if (client_set_token(c, s.token, e) != 0)
                goto out;
            *have_token = 1;
        }
    }
    rc = 0;
out:
    session_wipe(&s);
    return rc;
}

int remote_call(const struct cli_ctx *ctx, const char *method, const char *path, const json_t *body,
                struct client_reply *r, struct err *e)
{
    int rc = -1;
    int have_token = 0;
    struct client c;

    client_init(&c);
    if (remote_client(ctx, &c, &have_token, e) != 0)
        goto out;
    if (client_request(&c, method, path, body, r, e) != 0) {
        if (e && e->code == ERR_UNAUTHORIZED) {
            size_t len = strlen(e->msg);
            snprintf(e->msg + len, sizeof e->msg - len, "%s",
                     have_token ? " (run 'dissent login' again)"
                                : " (not logged in: run 'dissent login')");
        }
        goto out;
    }
    rc = 0;
out:
    client_release(&c);
    return rc;
}

int remote_run(struct cli_ctx *ctx, const char *method, const char *path, const json_t *body,
               remote_render_fn render)
{
    int status = CLI_FAIL;
    struct client_reply r;
    struct err e;

    err_init(&e);
    client_reply_init(&r);
    if (remote_call(ctx, method, path, body, &r, &e) != 0)
        goto out;
    if (cli_flag(ctx, "json")) {
        fwrite(buf_str(&r.raw), 1, r.raw.len, ctx->out);
        if (r.raw.len == 0 || r.raw.data[r.raw.len - 1] != '\n')
            fputc('\n', ctx->out);
    } else if (render && render(ctx, r.json, &e) != 0) {
        goto out;
    }
    status = CLI_OK;
out:
    if (status != CLI_OK)
        cli_fail(ctx, &e);
    client_reply_release(&r);
    return status;
}

int remote_path(struct buf *out, const char *prefix, const char *segment, const char *suffix,
                struct err *e)
{
    buf_init(out, 4096);
    if (buf_printf(out, e, "/api/v1/%s/", prefix) != 0 ||
        client_path_segment(out, segment, e) != 0 || buf_puts(out, suffix ? suffix : "", e) != 0) {
        buf_release(out);
        return -1;
    }
    return 0;
}

int remote_memo_path(struct buf *out, const char *id, const char *suffix, struct err *e)
{
    if (!id[0])
        return err_set(e, ERR_INVALID, "memo id is empty");
    return remote_path(out, "memos", id, suffix, e);
}

int remote_memo_run(struct cli_ctx *ctx, const char *method, const char *suffix, const json_t *body,
                    remote_render_fn render)
{
    int status;
    struct err e;
    struct buf path;
    err_init(&e);
    if (remote_memo_path(&path, ctx->args[0], suffix, &e) != 0)
        return cli_fail(ctx, &e);
    status = remote_run(ctx, method, buf_str(&path), body, render);
    buf_release(&path);
    return status;
}

int remote_body_text(const struct cli_ctx *ctx, int optional, char **text, struct err *e)
{
    const char *body = cli_opt(ctx, "body");
    const char *file = cli_opt(ctx, "body-file");
    struct buf b;

    *text = NULL;
    if (body && file)
        return err_set(e, ERR_INVALID, "give either --body or --body-file, not both");
    if (!body && !file) {
        if (optional)
            return 0;
        return err_set(e, ERR_INVALID, "the text is missing: give --body TEXT or --body-file FILE");
    }
    if (body) {
        if (!utf8_valid(body, strlen(body)))
            return err_set(e, ERR_INVALID, "--body is not UTF-8 text");
        if (strlen(body) > INPUT_FILE_MAX)
            return err_set(e, ERR_TOO_LARGE, "--body is larger than %u bytes", INPUT_FILE_MAX);
        *text = strdup(body);
        if (!*text)
            return err_set(e, ERR_NOMEM, "out of memory");
        return 0;
    }
    if (input_read_text(file, INPUT_FILE_MAX, &b, e) != 0)
        return -1;
    *text = buf_detach(&b);
    buf_release(&b);
    if (!*text)
        return err_set(e, ERR_NOMEM, "out of memory");
    return 0;
}

int remote_body_usage(const struct cli_ctx *ctx, int optional)
{
    int both = cli_opt(ctx, "body") && cli_opt(ctx, "body-file");
    int none = !cli_opt(ctx, "body") && !cli_opt(ctx, "body-file");
    if (both)
        return cli_usage_error(ctx, "give either --body or --body-file, not both");
    if (none && !optional)
        return cli_usage_error(ctx, "the text is missing: give --body TEXT or --body-file FILE");
    return CLI_OK;
}
