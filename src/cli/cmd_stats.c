/* cmd_stats.c — `dissent stats`: a channel's responsiveness recomputed
 * from the public log, never trusting the server's own figures. The leaves
 * are fetched, re-hashed and checked against the signed checkpoint (the
 * pinned key, the history of checkpoints seen); the figures are computed
 * with the one definition the server uses (proto/stats.h through
 * client/stats.h) and compared with what the server publishes. */
#include "cli/commands.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "cli/cli.h"
#include "client/logclient.h"
#include "client/stats.h"

/* Every leaf of the checkpoint's tree, checked against its root: the
 * array of their data. Returns 0 or -1 (ERR_CRYPTO: leaves that do not hash
 * to the signed root). */
static int checked_leaves(struct client *c, const struct tlog_checkpoint *cp, json_t **out,
                          struct err *e)
{
    int rc = -1;
    uint64_t n = cp->size;
    unsigned char(*hashes)[TLOG_HASH_SIZE] = NULL;
    unsigned char root[TLOG_HASH_SIZE];
    json_t *rows = NULL, *all = json_array(), *row;
    size_t i;

    if (!all || n > SIZE_MAX / TLOG_HASH_SIZE ||
        !(hashes = malloc((size_t)(n ? n : 1) * TLOG_HASH_SIZE))) {
        err_set(e, ERR_NOMEM, "out of memory for %" PRIu64 " leaves", n);
        goto out;
    }
    for (uint64_t at = 0; at < n; at += LOGC_PAGE) {
        uint64_t to = n - at < LOGC_PAGE ? n : at + LOGC_PAGE;
        if (logc_fetch_leaves(c, at, to, &rows, hashes + at, e))
            goto out;
        json_array_foreach(rows, i, row) json_array_append(all, json_object_get(row, "data"));
        json_decref(rows);
        rows = NULL;
    }
    logc_root_of(hashes, n, root);
    if (memcmp(root, cp->root, sizeof root) != 0) {
        err_set(e, ERR_CRYPTO,
                "LOG INCONSISTENT: the leaves served do not hash to the signed root of %" PRIu64
                " leaves",
                n);
        goto out;
    }
    *out = all;
    all = NULL;
    rc = 0;
out:
    json_decref(rows);
    json_decref(all);
    free(hashes);
    return rc;
}

static int slug_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' ||
              *s == '-'))
            return 0;
    return 1;
}

static void print_deadline(FILE *f, const char *what, const json_t *d)
{
    fprintf(f, "  %-24s %lld met, %lld missed, %lld not yet due (%lld overdue now)\n", what,
            (long long)json_integer_value(json_object_get(d, "met")),
            (long long)json_integer_value(json_object_get(d, "missed")),
            (long long)json_integer_value(json_object_get(d, "pending")),
            (long long)json_integer_value(json_object_get(d, "overdue_now")));
}

static void print_median(FILE *f, const char *what, const json_t *d)
{
    const json_t *m = json_object_get(d, "median_working_days");
    if (json_is_number(m))
        fprintf(f, "  %-24s %g working days\n", what, json_number_value(m));
    else
        fprintf(f, "  %-24s none yet\n", what);
}

static void print_figures(FILE *f, const json_t *mine, const char *name, uint64_t leaves)
{
    size_t i;
    json_t *m;
    fprintf(f, "%s (%s), as of %s, from %" PRIu64 " leaves checked against the signed checkpoint\n",
            name, json_string_value(json_object_get(mine, "channel")),
            json_string_value(json_object_get(mine, "as_of")), leaves);
    fprintf(f, "  %-24s %lld\n", "memos submitted",
            (long long)json_integer_value(json_object_get(mine, "memos_submitted")));
    print_deadline(f, "acknowledgements", json_object_get(mine, "acknowledgement"));
    print_deadline(f, "answers", json_object_get(mine, "answer"));
    print_median(f, "median to acknowledge", json_object_get(mine, "acknowledgement"));
    print_median(f, "median to answer", json_object_get(mine, "answer"));
    fprintf(f, "  %-24s %lld memos\n", "overdue now",
            (long long)json_integer_value(json_object_get(mine, "overdue_now")));
    fprintf(f, "  %-24s %lld\n", "missed deadlines logged",
            (long long)json_integer_value(json_object_get(mine, "missed_leaves")));
    json_array_foreach(json_object_get(mine, "months"), i, m)
    {
        fprintf(f, "  %-24s %lld met, %lld missed\n",
                json_string_value(json_object_get(m, "month")),
                (long long)json_integer_value(json_object_get(m, "met")),
                (long long)json_integer_value(json_object_get(m, "missed")));
    }
}

/* Compares the figures both computed; names the first that differs in
 * what (empty when they agree). */
static void compare(const json_t *mine, const json_t *theirs, char *what, size_t n)
{
    what[0] = '\0';
    for (const char *const *k = stats_figure_keys; *k; k++)
        if (!json_equal(json_object_get(mine, *k), json_object_get(theirs, *k))) {
            snprintf(what, n, "%s", *k);
            return;
        }
}

int cmd_stats(struct cli_ctx *ctx)
{
    int status = CLI_FAIL, differ = 0;
    struct err e;
    struct client c;
    struct tlog_verifier v;
    struct tlog_checkpoint cp;
    const char *only = cli_opt(ctx, "channel"), *at = cli_opt(ctx, "at");
    int64_t now = now_utc();
    json_t *leaves = NULL, *list = NULL, *report = json_array(), *ch;
    size_t i;

    err_init(&e);
    client_init(&c);
    if (only && !slug_ok(only)) {
        fprintf(ctx->err, "dissent stats: --channel must be a channel's slug (a-z, 0-9, . _ -)\n");
        status = CLI_USAGE;
        goto out;
    }
    if (at && time_parse_utc(at, &now)) {
        fprintf(ctx->err, "dissent stats: --at must be a UTC time YYYY-MM-DDTHH:MM:SSZ\n");
        status = CLI_USAGE;
        goto out;
    }
    if (cmd_log_client(ctx, &c, &e) || cmd_log_trusted_key(ctx, &c, &v, &e) ||
        cmd_log_checked_checkpoint(&c, &v, &cp, &e) || checked_leaves(&c, &cp, &leaves, &e) ||
        logc_get(&c, "/api/v1/public/channels", &list, &e))
        goto fail;
    json_array_foreach(json_object_get(list, "channels"), i, ch)
    {
        const char *slug = json_string_value(json_object_get(ch, "slug"));
        char path[160], differs[64];
        json_t *theirs = NULL, *mine = NULL;
        if (!slug || !slug_ok(slug) || (only && strcmp(only, slug) != 0))
            continue;
        snprintf(path, sizeof path, "/api/v1/public/channels/%s/stats", slug);
        if (logc_get(&c, path, &theirs, &e) ||
            stats_recompute(leaves, slug, json_object_get(theirs, "calendar"), now, &mine, &e)) {
            json_decref(theirs);
            goto fail;
        }
        /* the server counted its log as it was; compare when it is the same log */
        differs[0] = '\0';
        if ((uint64_t)json_integer_value(json_object_get(theirs, "log_size")) == cp.size &&
            json_equal(json_object_get(theirs, "as_of"), json_object_get(mine, "as_of")))
            compare(mine, theirs, differs, sizeof differs);
        else
            snprintf(differs, sizeof differs, "(not compared)");
        json_object_set_new(mine, "channel_name", json_incref(json_object_get(ch, "name")));
        json_object_set_new(mine, "log_size", json_integer((json_int_t)cp.size));
        json_object_set(mine, "calendar", json_object_get(theirs, "calendar"));
        json_object_set_new(mine, "server_agrees",
                            differs[0] == '(' ? json_null() : json_boolean(!differs[0]));
        if (!cli_flag(ctx, "json")) {
            print_figures(ctx->out, mine, json_string_value(json_object_get(ch, "name")), cp.size);
            if (differs[0] == '(')
                fprintf(ctx->out, "  the server's figures were for another moment or log size: "
                                  "not compared\n\n");
            else if (differs[0])
                fprintf(ctx->out, "  THE SERVER'S FIGURES DIFFER: %s\n\n", differs);
            else
                fprintf(ctx->out, "  the server publishes the same figures\n\n");
        }
        differ |= differs[0] && differs[0] != '(';
        json_array_append_new(report, mine);
        json_decref(theirs);
    }
    if (only && json_array_size(report) == 0) {
        err_set(&e, ERR_NOT_FOUND, "the server has no channel '%s'", only);
        goto fail;
    }
    if (cli_flag(ctx, "json")) {
        json_t *o = json_pack("{s:O}", "channels", report);
        json_dumpf(o, ctx->out, JSON_INDENT(2) | JSON_SORT_KEYS);
        fputc('\n', ctx->out);
        json_decref(o);
    }
    status = differ ? CLI_FAIL : CLI_OK;
    goto out;
fail:
    status = cli_fail(ctx, &e);
out:
    json_decref(leaves);
    json_decref(list);
    json_decref(report);
    client_release(&c);
    return status;
}
