/* cmd_verify.c — `dissent verify FILE`: checks a copy of a memo against the
 * transparency log, paragraph by paragraph; and `dissent memo render`, which
 * prints the official rendering that such a copy is made from. */
#include "cli/commands.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cli/cli.h"
#include "cli/input.h"
#include "cli/out.h"
#include "cli/remote.h"
#include "client/copycheck.h"
#include "client/logclient.h"

#include <sodium.h>

/* Largest copy read (the server's renderings are at most 4 MiB). */
#define VERIFY_FILE_MAX (4u << 20)

/* What one run found. */
struct verdict {
    const char *result; /* exact, differs, no_match, unverifiable */
    char memo[32];
    int version;
    char at[24];
    uint64_t leaf_index;
    struct tlog_checkpoint cp;
    json_t *cmp;      /* copy_compare's result */
    json_t *paras;    /* the copy's paragraphs (text) */
    json_t *versions; /* every version leaf of the memo (data strings), for a key that opens none */
    size_t registered;
    char message[ERR_MSG_MAX];
};

/* The first words of a paragraph, at most about 60 bytes, cut at a space
 * (never inside a UTF-8 sequence). */
static void first_words(const char *s, char *out, size_t n)
{
    size_t len = strlen(s), cut = len;
    if (n < 8) {
        out[0] = '\0';
        return;
    }
    if (len > 60) {
        cut = 60;
        while (cut > 20 && s[cut] != ' ')
            cut--;
        while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
            cut--;
    }
    if (cut + 4 > n)
        cut = n - 4;
    while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
        cut--;
    snprintf(out, n, "%.*s%s", (int)cut, s, cut < len ? "..." : "");
}

/* Does text look like Markdown (a heading, a list, emphasis at a line start)? */
static int looks_like_markdown(const char *text)
{
    const char *p = text;
    while (*p) {
        if ((p[0] == '#' && (p[1] == ' ' || p[1] == '#')) ||
            ((p[0] == '*' || p[0] == '-') && p[1] == ' '))
            return 1;
        p = strchr(p, '\n');
        if (!p)
            break;
        p++;
    }
    return 0;
}

static const char *para_text(const struct verdict *d, const json_t *entry)
{
    json_int_t k = json_integer_value(json_object_get(entry, "copy"));
    const char *s = k > 0 ? json_string_value(json_array_get(d->paras, (size_t)(k - 1))) : NULL;
    return s ? s : "";
}

static void print_json(struct cli_ctx *ctx, const struct verdict *d)
{
    json_t *o = json_pack("{s:s,s:s}", "result", d->result, "message", d->message), *list, *it;
    char r64[48];
    size_t i;
    if (!o)
        return;
    if (d->memo[0]) {
        json_object_set_new(o, "memo", json_string(d->memo));
        json_object_set_new(o, "version", json_integer(d->version));
    }
    if (d->at[0]) {
        logc_hash_encode(d->cp.root, r64);
        json_object_set_new(o, "registered_at", json_string(d->at));
        json_object_set_new(o, "leaf_index", json_integer((json_int_t)d->leaf_index));
        json_object_set_new(o, "inclusion_verified", json_true());
        json_object_set_new(o, "checkpoint",
                            json_pack("{s:s,s:I,s:s}", "origin", d->cp.origin, "size",
                                      (json_int_t)d->cp.size, "root", r64));
    }
    if (d->cmp) {
        list = json_array();
        json_array_foreach(json_object_get(d->cmp, "paragraphs"), i, it)
        {
            json_t *row = json_deep_copy(it);
            const char *st = out_jstr(it, "status");
            char words[96];
            if (row && st && (strcmp(st, "changed") == 0 || strcmp(st, "added") == 0)) {
                first_words(para_text(d, it), words, sizeof words);
                json_object_set_new(row, "first_words", json_string(words));
            }
            json_array_append_new(list, row);
        }
        json_object_set_new(o, "paragraphs", list);
        json_object_set_new(o, "matching", json_incref(json_object_get(d->cmp, "matching")));
        json_object_set_new(o, "moved", json_incref(json_object_get(d->cmp, "moved")));
        json_object_set_new(o, "marking", json_incref(json_object_get(d->cmp, "marking")));
        json_object_set_new(o, "registered_paragraphs", json_integer((json_int_t)d->registered));
        json_object_set_new(o, "copy_paragraphs",
                            json_integer((json_int_t)json_array_size(d->paras)));
    }
    json_dumpf(o, ctx->out, JSON_INDENT(2) | JSON_SORT_KEYS);
    fputc('\n', ctx->out);
    json_decref(o);
}

static void print_human(struct cli_ctx *ctx, const struct verdict *d)
{
    FILE *f = ctx->out;
    char t[40], words[96];
    size_t i, n[5] = {0, 0, 0, 0, 0};
    json_t *it;
    static const char *const names[] = {"same", "changed", "added", "removed", "moved"};

    if (strcmp(d->result, "unverifiable") == 0) {
        fputs("CANNOT CHECK: ", f);
        out_text(f, d->message);
        fputc('\n', f);
        return;
    }
    if (!d->at[0]) {
        fputs("NO MATCH: ", f);
        out_text(f, d->message);
        fputc('\n', f);
        return;
    }
    json_array_foreach(json_object_get(d->cmp, "paragraphs"), i, it)
    {
        const char *st = out_jstr(it, "status");
        for (size_t k = 0; st && k < 5; k++)
            if (strcmp(st, names[k]) == 0)
                n[k]++;
    }
    if (strcmp(d->result, "exact") == 0)
        fprintf(f, "EXACT MATCH: this copy is version %d of memo %s\n", d->version, d->memo);
    else if (strcmp(d->result, "no_match") == 0) {
        fputs("NO MATCH: ", f);
        out_text(f, d->message);
        fputc('\n', f);
    } else
        fprintf(f, "DIFFERS from version %d of memo %s\n", d->version, d->memo);
    fprintf(f, "  registered %s (log leaf %" PRIu64 ")\n", out_time(d->at, t, sizeof t),
            d->leaf_index);
    fprintf(f,
            "  inclusion proof checked against the checkpoint of %" PRIu64 " leaves signed by %s\n",
            d->cp.size, d->cp.origin);
    {
        const json_t *mk = json_object_get(d->cmp, "marking");
        const char *ms = out_jstr(mk, "status") ? out_jstr(mk, "status") : "";
        const char *reg = out_jstr(mk, "registered") ? out_jstr(mk, "registered") : "?";
        if (strcmp(ms, "same") == 0) {
            fprintf(f, "  marking: %s, as registered\n", reg);
        } else if (strcmp(ms, "missing") == 0) {
            fprintf(f, "  MARKING MISSING: the copy has no banner; the registered marking is %s\n",
                    reg);
        } else {
            json_t *b;
            fputs("  MARKING CHANGED: the copy's banners say", f);
            json_array_foreach(json_object_get(mk, "copy"), i, b)
            {
                fputs(i ? ", " : " ", f);
                out_text(f, json_string_value(b));
            }
            fprintf(f, "; the registered marking is %s\n", reg);
        }
    }
    if (strcmp(d->result, "exact") == 0) {
        fprintf(f, "  all %zu paragraphs match (white space and line wrapping do not count)\n",
                d->registered);
        return;
    }
    if (strcmp(d->result, "no_match") == 0)
        return;
    fprintf(f,
            "  %zu of %zu registered paragraphs match in place; %zu moved, %zu changed, %zu "
            "added, %zu removed\n\n",
            n[0], d->registered, n[4], n[1], n[2], n[3]);
    json_array_foreach(json_object_get(d->cmp, "paragraphs"), i, it)
    {
        const char *st = out_jstr(it, "status");
        json_int_t r = json_integer_value(json_object_get(it, "registered"));
        json_int_t c = json_integer_value(json_object_get(it, "copy"));
        if (!st)
            continue;
        if (strcmp(st, "same") == 0) {
            fprintf(f, "  paragraph %lld: same\n", (long long)r);
        } else if (strcmp(st, "moved") == 0) {
            fprintf(f, "  paragraph %lld: MOVED (unchanged, now the copy's paragraph %lld)\n",
                    (long long)r, (long long)c);
        } else if (strcmp(st, "removed") == 0) {
            fprintf(f, "  paragraph %lld: REMOVED (not in the copy)\n", (long long)r);
        } else {
            first_words(para_text(d, it), words, sizeof words);
            if (strcmp(st, "changed") == 0)
                fprintf(f, "  paragraph %lld: CHANGED (the copy's paragraph %lld): \"",
                        (long long)r, (long long)c);
            else
                fprintf(f, "  ADDED in the copy as its paragraph %lld: \"", (long long)c);
            out_text(f, words);
            fputs("\"\n", f);
        }
    }
}

/* Finds the version leaf of d->memo / d->version in the memo's leaves. */
static int find_version_leaf(struct client *c, struct verdict *d, char **data, struct err *e)
{
    int rc = -1;
    struct buf path;
    json_t *o = NULL, *row;
    size_t i;

    buf_init(&path, 4096);
    /* the version leaves only: a memo's leaves come in pages, and on a memo
     * with many signatures a later version is pages away */
    if (buf_puts(&path, "/api/v1/log/memos/", e) || client_path_segment(&path, d->memo, e) ||
        buf_puts(&path, "?kind=version", e) || logc_get(c, buf_str(&path), &o, e))
        goto out;
    json_array_foreach(json_object_get(o, "leaves"), i, row)
    {
        const char *s = json_string_value(json_object_get(row, "data"));
        json_t *leaf = s ? json_loads(s, JSON_REJECT_DUPLICATES, NULL) : NULL;
        int is_version =
            leaf && strcmp(out_jstr(leaf, "kind") ? out_jstr(leaf, "kind") : "", "version") == 0;
        int hit = is_version &&
                  json_integer_value(json_object_get(leaf, "version")) == d->version &&
                  json_is_integer(json_object_get(row, "index"));
        if (is_version && d->versions)
            json_array_append(d->versions, leaf);
        json_decref(leaf);
        if (hit && !*data) {
            d->leaf_index = (uint64_t)json_integer_value(json_object_get(row, "index"));
            *data = strdup(s);
            if (!*data) {
                err_set(e, ERR_NOMEM, "out of memory");
                goto out;
            }
        }
    }
    if (*data) {
        rc = 0;
        goto out;
    }
    err_set(e, ERR_NOT_FOUND, "the log holds no version %d of memo %s", d->version, d->memo);
out:
    json_decref(o);
    buf_release(&path);
    return rc;
}

int cmd_verify(struct cli_ctx *ctx)
{
    int status = CLI_FAIL;
    struct err e, why;
    struct buf text;
    struct client c;
    struct tlog_verifier v;
    struct verdict d;
    struct tlog_proof proof;
    unsigned char key[COPY_KEY_SIZE], h[TLOG_HASH_SIZE];
    char *data = NULL;
    int whole = 0;
    json_t *leaf = NULL;

    err_init(&e);
    err_init(&why);
    buf_init(&text, VERIFY_FILE_MAX);
    client_init(&c);
    memset(&d, 0, sizeof d);
    if (input_read_text(ctx->args[0], VERIFY_FILE_MAX, &text, &e))
        goto fail;
    d.versions = json_array();
    if (copyc_find_key(buf_str(&text), d.memo, &d.version, key, &why)) {
        d.result = "unverifiable";
        if (strstr(why.msg, "more than one")) {
            snprintf(d.message, sizeof d.message, "%.60s: %.190s", ctx->args[0], why.msg);
            memset(d.memo, 0, sizeof d.memo);
            goto report;
        }
        snprintf(d.message, sizeof d.message,
                 "%s has no verification line ('%s <memo> <version> <key>'), so it cannot be "
                 "checked%s; the line is at the foot of an official rendering ('dissent memo "
                 "render ID')",
                 ctx->args[0], COPY_VERIFY_PREFIX,
                 looks_like_markdown(buf_str(&text)) ? " (it looks like a Markdown copy)" : "");
        memset(d.memo, 0, sizeof d.memo);
        goto report;
    }
    if (cmd_log_client(ctx, &c, &e) || cmd_log_trusted_key(ctx, &c, &v, &e))
        goto fail;
    if (find_version_leaf(&c, &d, &data, &e)) {
        if (e.code != ERR_NOT_FOUND)
            goto fail;
        d.result = "no_match";
        snprintf(d.message, sizeof d.message, "%.160s at %.80s", e.msg, c.server);
        goto report;
    }
    /* The checkpoint is fetched after the leaf, so it covers it. */
    if (logc_leaf_check(data, strlen(data), &leaf, &why)) {
        err_set(&e, ERR_CRYPTO, "the log's leaf %" PRIu64 " for this version is malformed: %s",
                d.leaf_index, why.msg);
        goto fail;
    }
    if (cmd_log_checked_checkpoint(&c, &v, &d.cp, &e))
        goto fail;
    logc_leaf_hash(data, strlen(data), h);
    if (d.leaf_index >= d.cp.size) {
        err_set(&e, ERR_CRYPTO,
                "leaf %" PRIu64 " is beyond the signed checkpoint (%" PRIu64 " leaves)",
                d.leaf_index, d.cp.size);
        goto fail;
    }
    if (logc_fetch_inclusion(&c, d.leaf_index, d.cp.size, &proof, &e))
        goto fail;
    if (logc_verify_inclusion(d.leaf_index, d.cp.size, h, &proof, d.cp.root, &why)) {
        err_set(&e, ERR_CRYPTO,
                "LOG INCONSISTENT: the version's leaf %" PRIu64 " is not in the signed tree: %s",
                d.leaf_index, why.msg);
        goto fail;
    }
    snprintf(d.at, sizeof d.at, "%s", out_jstr(leaf, "at") ? out_jstr(leaf, "at") : "");
    d.registered = json_array_size(json_object_get(leaf, "paragraphs"));
    if (copyc_compare(key, buf_str(&text), leaf, &d.paras, &d.cmp, &whole, &e))
        goto fail;
    if (whole && json_is_true(json_object_get(d.cmp, "exact")) &&
        strcmp(out_jstr(json_object_get(d.cmp, "marking"), "status"), "same") == 0) {
        d.result = "exact";
        snprintf(d.message, sizeof d.message,
                 "exact match with version %d of memo %s registered at %s", d.version, d.memo,
                 d.at);
    } else if (json_integer_value(json_object_get(d.cmp, "matching")) == 0 &&
               json_integer_value(json_object_get(d.cmp, "moved")) == 0) {
        /* Nothing matches: say what can be told. A version's key opens
         * that version only, so an altered key opens none. */
        size_t i;
        json_t *vl;
        int opens = 0;
        json_array_foreach(d.versions, i, vl) if (copyc_opens(key, d.paras, vl)) opens =
            (int)json_integer_value(json_object_get(vl, "version"));
        d.result = "no_match";
        if (opens)
            snprintf(d.message, sizeof d.message,
                     "the copy's key opens version %d of memo %s, not version %d: its "
                     "verification line was edited",
                     opens, d.memo, d.version);
        else
            snprintf(d.message, sizeof d.message,
                     "this key does not open any version of memo %s: the key in the "
                     "verification line was altered, or the text is not this memo's (nothing "
                     "can be said about version %d)",
                     d.memo, d.version);
    } else {
        d.result = "differs";
        snprintf(d.message, sizeof d.message, "the copy differs from version %d of memo %s",
                 d.version, d.memo);
    }
report:
    if (cli_flag(ctx, "json"))
        print_json(ctx, &d);
    else
        print_human(ctx, &d);
    status = strcmp(d.result, "exact") == 0 ? CLI_OK : CLI_FAIL;
    goto out;
fail:
    status = cli_fail(ctx, &e);
out:
    sodium_memzero(key, sizeof key);
    free(data);
    json_decref(leaf);
    json_decref(d.versions);
    json_decref(d.cmp);
    json_decref(d.paras);
    client_release(&c);
    buf_release(&text);
    return status;
}

/* ---- dissent memo render ----------------------------------------------- */

int cmd_memo_render(struct cli_ctx *ctx)
{
    int status = CLI_FAIL;
    struct err e;
    struct client c;
    struct client_reply r;
    struct buf path;
    const char *vopt = cli_opt(ctx, "version");
    long long n = 0;
    char suffix[64];
    int have_token = 0;

    err_init(&e);
    client_init(&c);
    client_reply_init(&r);
    buf_init(&path, 0);
    if (vopt && cli_arg_i64(vopt, "--version", 1, 1000000, &n, &e)) {
        status = cli_usage_error(ctx, "%s", e.msg);
        goto out;
    }
    if (!vopt) {
        /* The latest version: ask the memo. */
        if (remote_memo_path(&path, ctx->args[0], NULL, &e) ||
            remote_call(ctx, "GET", buf_str(&path), NULL, &r, &e))
            goto fail;
        n = (long long)json_integer_value(json_object_get(r.json, "latest_version"));
        if (n < 1) {
            err_set(&e, ERR_IO, "the server's memo has no latest version");
            goto fail;
        }
        buf_release(&path);
    }
    snprintf(suffix, sizeof suffix, "/versions/%lld/rendering", n);
    if (remote_memo_path(&path, ctx->args[0], suffix, &e) ||
        remote_client(ctx, &c, &have_token, &e))
        goto fail;
    if (client_get_text(&c, buf_str(&path), &r, &e)) {
        if (e.code == ERR_UNAUTHORIZED) {
            size_t len = strlen(e.msg);
            snprintf(e.msg + len, sizeof e.msg - len, " (run 'dissent login')");
        }
        goto fail;
    }
    if (cli_flag(ctx, "json")) {
        json_t *o = json_pack("{s:s,s:I,s:s%}", "memo", ctx->args[0], "version", (json_int_t)n,
                              "rendering", buf_str(&r.raw), r.raw.len);
        if (!o) {
            err_set(&e, ERR_IO, "the rendering is not UTF-8 text");
            goto fail;
        }
        json_dumpf(o, ctx->out, JSON_INDENT(2) | JSON_SORT_KEYS);
        fputc('\n', ctx->out);
        json_decref(o);
    } else {
        out_text(ctx->out, buf_str(&r.raw));
    }
    status = CLI_OK;
    goto out;
fail:
    status = cli_fail(ctx, &e);
out:
    client_reply_release(&r);
    client_release(&c);
    buf_release(&path);
    return status;
}
