/* cmd_web.c — `dissent verify-web --server URL`: is the web client this
 * server serves the release its transparency log records? */
#include "cli/commands.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "client/logclient.h"
#include "client/webcheck.h"

struct webrun {
    struct client c;
    struct tlog_verifier v;
    struct tlog_checkpoint cp;
    json_t *leaves; /* [0, cp.size), re-hashed to cp.root */
    json_t *latest; /* the log's last client-release leaf, or NULL */
    int64_t match;  /* the leaf of the served manifest, or -1 */
    struct webck_manifest m;
    int64_t claimed;  /* the leaf the server says records its release, or -1 */
    json_t *problems; /* sentences */
    json_t *files;    /* [{path, ok, served_sha256?, logged_sha256, error?}] */
};

/* A JSON string from printf arguments (NULL when out of memory). */
static json_t *json_pack_string_fmt(const char *fmt, ...) PRINTF_LIKE(1, 2);
static json_t *json_pack_string_fmt(const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return json_string(text);
}

/* Every leaf of the checkpoint cp, their root checked against it. */
static int fetch_log(struct webrun *w, struct err *e)
{
    int rc = -1;
    unsigned char(*hashes)[TLOG_HASH_SIZE] = calloc(w->cp.size ? w->cp.size : 1, TLOG_HASH_SIZE);
    unsigned char root[TLOG_HASH_SIZE];
    if (!hashes)
        return err_set(e, ERR_NOMEM, "out of memory");
    if (logc_fetch_leaves(&w->c, 0, w->cp.size, &w->leaves, hashes, e))
        goto out;
    logc_root_of((const unsigned char(*)[TLOG_HASH_SIZE])hashes, w->cp.size, root);
    if (memcmp(root, w->cp.root, sizeof root) != 0) {
        err_set(e, ERR_CRYPTO,
                "LOG INCONSISTENT: the log's leaves do not hash to the root of its signed "
                "checkpoint (size %" PRIu64 "): the server changed or invented a leaf",
                w->cp.size);
        goto out;
    }
    rc = 0;
out:
    free(hashes);
    return rc;
}

/* The manifest the server describes, parsed. */
static int fetch_manifest(struct webrun *w, struct err *e)
{
    struct client_reply r;
    int rc = -1;
    const char *text;
    client_reply_init(&r);
    if (client_request(&w->c, "GET", "/api/v1/client/release", NULL, &r, e))
        goto out;
    text = json_string_value(json_object_get(r.json, "manifest"));
    if (!text) {
        err_set(e, ERR_IO, "the server's /api/v1/client/release has no manifest");
        goto out;
    }
    rc = webck_manifest_parse(text, json_string_length(json_object_get(r.json, "manifest")), &w->m,
                              e);
out:
    client_reply_release(&r);
    return rc;
}

/* Fetches every served path of the manifest and compares its SHA-256. */
static void check_files(struct webrun *w)
{
    size_t i;
    json_t *it;
    json_array_foreach(w->m.entries, i, it)
    {
        const char *path = json_string_value(json_object_get(it, "path"));
        const char *want = json_string_value(json_object_get(it, "sha256"));
        struct client_reply r;
        struct err fe;
        char got[65];
        json_t *row;
        if (!json_is_true(json_object_get(it, "served")))
            continue;
        client_reply_init(&r);
        err_init(&fe);
        row = json_pack("{s:s,s:s}", "path", path, "logged_sha256", want);
        if (client_get_text(&w->c, path, &r, &fe)) {
            json_object_set_new(row, "ok", json_false());
            json_object_set_new(row, "error", json_string(fe.msg));
        } else {
            webck_sha256_hex(r.raw.data ? r.raw.data : "", r.raw.len, got);
            json_object_set_new(row, "served_sha256", json_string(got));
            json_object_set_new(row, "ok", json_boolean(strcmp(got, want) == 0));
        }
        json_array_append_new(w->files, row);
        client_reply_release(&r);
    }
}

static void print_human(const struct cli_ctx *ctx, const struct webrun *w, int ok)
{
    size_t i, served = 0;
    json_t *it;
    FILE *o = ctx->out;
    json_array_foreach(w->files, i, it)
    {
        const char *path = json_string_value(json_object_get(it, "path"));
        served++;
        if (json_is_true(json_object_get(it, "ok"))) {
            fprintf(o, "  ok       %s\n", path);
        } else if (json_object_get(it, "error")) {
            fprintf(o, "  MISSING  %s: %s\n", path,
                    json_string_value(json_object_get(it, "error")));
        } else {
            fprintf(o, "  CHANGED  %s: served sha256 %s, the logged release says %s\n", path,
                    json_string_value(json_object_get(it, "served_sha256")),
                    json_string_value(json_object_get(it, "logged_sha256")));
        }
    }
    json_array_foreach(w->problems, i, it) fprintf(o, "  PROBLEM  %s\n", json_string_value(it));
    if (ok) {
        fprintf(o,
                "OK: the %zu files %s serves are client release %s, logged at leaf %lld "
                "(checkpoint of %" PRIu64 " leaves, signed by the pinned log key)\n",
                served, w->c.server, w->m.version,
                (long long)json_integer_value(json_object_get(w->latest, "index")), w->cp.size);
        fprintf(o,
                "   %zu page templates are recorded in the release too; they are rendered with "
                "data, so only the files above can be compared from outside.\n",
                json_array_size(w->m.entries) - served);
        return;
    }
    fputs("MISMATCH: what this server serves is not the release its log records", o);
    {
        const char *sep = ": ";
        json_array_foreach(w->files, i, it)
        {
            if (json_is_true(json_object_get(it, "ok")))
                continue;
            fprintf(o, "%s%s", sep, json_string_value(json_object_get(it, "path")));
            sep = ", ";
        }
    }
    fputs("\n", o);
}

int cmd_verify_web(struct cli_ctx *ctx)
{
    int status = CLI_FAIL, ok;
    struct webrun w;
    struct err e;
    size_t i;
    json_t *it;

    memset(&w, 0, sizeof w);
    w.claimed = -1;
    err_init(&e);
    client_init(&w.c);
    webck_manifest_init(&w.m);
    w.match = -1;
    w.problems = json_array();
    w.files = json_array();
    if (!w.problems || !w.files) {
        err_set(&e, ERR_NOMEM, "out of memory");
        goto fail;
    }
    /* No session: what anyone would be served. The log is checked like
     * every log client does (pinned key, witness policy, history). */
    if (cmd_anon_client(ctx, &w.c, &e) || cmd_log_trusted_key(ctx, &w.c, &w.v, &e) ||
        cmd_log_checked_checkpoint(&w.c, &w.v, &w.cp, &e) || fetch_log(&w, &e))
        goto fail;
    if (fetch_manifest(&w, &e) != 0) {
        /* a server of before client releases, or one hiding its manifest */
        char text[ERR_MSG_MAX + 96];
        if (e.code == ERR_NOMEM)
            goto fail;
        snprintf(text, sizeof text, "the server publishes no release manifest (%s)", e.msg);
        json_array_append_new(w.problems, json_string(text));
        if (webck_releases(w.leaves, "", &w.latest, &w.match, &e))
            goto fail;
        if (!w.latest)
            webck_release_problems(NULL, -1, &w.m, w.problems);
    } else {
        if (webck_releases(w.leaves, w.m.sha256, &w.latest, &w.match, &e))
            goto fail;
        /* Only a manifest the log holds as its latest release says what the
         * files should be. */
        if (webck_release_problems(w.latest, w.match, &w.m, w.problems) == 0)
            check_files(&w);
        else if (w.match < 0 && w.claimed >= 0 && (uint64_t)w.claimed >= w.cp.size)
            /* under witnesses the published checkpoint lags the newest leaves */
            json_array_append_new(
                w.problems,
                json_pack_string_fmt("the server says its release is leaf %lld, beyond the signed "
                                     "checkpoint of %llu leaves: if it was just restarted, check "
                                     "again once a newer checkpoint is published",
                                     (long long)w.claimed, (unsigned long long)w.cp.size));
    }
    ok = json_array_size(w.problems) == 0;
    json_array_foreach(w.files, i, it) ok = ok && json_is_true(json_object_get(it, "ok"));
    if (cli_flag(ctx, "json")) {
        json_t *rep =
            json_pack("{s:b,s:s,s:s,s:s,s:I,s:O,s:O,s:{s:I}}", "ok", ok, "server", w.c.server,
                      "version", w.m.version, "manifest_sha256", w.m.sha256, "leaf_index",
                      (json_int_t)(w.match >= 0 ? w.match : -1), "files", w.files, "problems",
                      w.problems, "log", "size", (json_int_t)w.cp.size);
        json_dumpf(rep, ctx->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', ctx->out);
        json_decref(rep);
    } else {
        print_human(ctx, &w, ok);
    }
    status = ok ? CLI_OK : CLI_FAIL;
    goto out;
fail:
    status = cli_fail(ctx, &e);
out:
    json_decref(w.leaves);
    json_decref(w.latest);
    json_decref(w.problems);
    json_decref(w.files);
    webck_manifest_release(&w.m);
    client_release(&w.c);
    return status;
}
