/* cmd_access.c — `dissent access-log [ID]`, and the auditor's search of the
 * whole log: `dissent access-log [--memo ID] [--member U] [--from DAY]
 * [--to DAY] [--page N] [--per-page N] [--csv]`. */
#include "cli/commands.h"

#include "base/form.h"
#include "base/pool.h"
#include "cli/cli.h"
#include "cli/out.h"
#include "cli/remote.h"
#include "client/client.h"

#include <string.h>

/* Other members' reads, which drafters see only as counts per day. */
static void render_days(struct cli_ctx *ctx, const json_t *days)
{
    static const char *const head[] = {"DAY (UTC)", "READS", "LISTED", "MEMBERS"};
    struct out_table t;
    size_t i;
    json_t *x;
    fputs("\nreads by other members (counted per day; their names are not shown to drafters):\n",
          ctx->out);
    if (json_array_size(days) == 0) {
        fputs("none\n", ctx->out);
        return;
    }
    out_table_init(&t, 4, head);
    json_array_foreach(days, i, x)
    {
        char reads[32], listed[32], readers[32];
        const char *row[] = {out_jstr(x, "day"), out_jtext(x, "reads", reads, sizeof reads),
                             out_jtext(x, "listed", listed, sizeof listed),
                             out_jtext(x, "readers", readers, sizeof readers)};
        out_table_add(&t, row);
    }
    out_table_print(&t, ctx->out);
    out_table_release(&t);
}

static int render_log(struct cli_ctx *ctx, const json_t *reply, struct err *e)
{
    static const char *const head_memo[] = {"AT", "READER", "AS", "WHAT"};
    static const char *const head_all[] = {"AT", "MEMO", "TITLE", "READER", "AS", "WHAT"};
    int all = ctx->nargs == 0;
    struct out_table t;
    size_t i;
    json_t *x;
    (void)e;
    out_table_init(&t, all ? 6 : 4, all ? head_all : head_memo);
    json_array_foreach(json_object_get(reply, "entries"), i, x)
    {
        char when[40];
        out_time(out_jstr(x, "at"), when, sizeof when);
        const char *row_all[] = {when,
                                 out_jstr(x, "memo"),
                                 out_jstr(x, "title"),
                                 out_jstr(x, "reader"),
                                 out_jstr(x, "as"),
                                 out_jstr(x, "what")};
        const char *row_memo[] = {when, out_jstr(x, "reader"), out_jstr(x, "as"),
                                  out_jstr(x, "what")};
        out_table_add(&t, all ? row_all : row_memo);
    }
    out_table_print(&t, ctx->out);
    out_table_release(&t);
    if (json_is_true(json_object_get(reply, "truncated"))) {
        char max[32];
        fprintf(ctx->out,
                "(only the newest %s reads are shown; auditors page through them all "
                "with `dissent access-log --memo ID --page N`)\n",
                out_jtext(reply, "shown_max", max, sizeof max));
    }
    if (out_jstr(reply, "view") && strcmp(out_jstr(reply, "view"), "drafter") == 0)
        render_days(ctx, json_object_get(reply, "member_reads"));
    if (all && json_object_get(reply, "total")) {
        char total[32], page[32], pages[32];
        fprintf(ctx->out, "\n%s reads match; page %s of %s (--page N for another)\n",
                out_jtext(reply, "total", total, sizeof total),
                out_jtext(reply, "page", page, sizeof page),
                out_jtext(reply, "pages", pages, sizeof pages));
    }
    return 0;
}

/* The path of the auditor's search with the options as its query. */
static const char *search_path(struct cli_ctx *ctx, struct pool *p, int csv)
{
    static const char *const opts[][2] = {{"memo", "memo"}, {"member", "member"},
                                          {"from", "from"}, {"to", "to"},
                                          {"page", "page"}, {"per-page", "per_page"}};
    const char *path = csv ? "/api/v1/access-log.csv?" : "/api/v1/access-log?";
    for (size_t i = 0; path && i < sizeof opts / sizeof opts[0]; i++) {
        const char *v = cli_opt(ctx, opts[i][0]);
        if (v)
            path = pool_printf(p, "%s%s=%s&", path, opts[i][1], form_encode(v, p));
    }
    return path;
}

/* --csv: the export, written as the server sent it. */
static int export_csv(struct cli_ctx *ctx, const char *path)
{
    struct client c;
    struct client_reply r;
    struct err e;
    int have_token = 0, status = CLI_OK;
    err_init(&e);
    client_init(&c);
    client_reply_init(&r);
    if (remote_client(ctx, &c, &have_token, &e) || client_get_text(&c, path, &r, &e))
        status = cli_fail(ctx, &e);
    else
        fwrite(r.raw.data ? r.raw.data : "", 1, r.raw.len, ctx->out);
    client_reply_release(&r);
    client_release(&c);
    return status;
}

int cmd_access_log(struct cli_ctx *ctx)
{
    static const char *const search[] = {"memo", "member", "from", "to", "page", "per-page", "csv"};
    struct pool p;
    const char *path;
    int status;
    if (ctx->nargs > 0) {
        for (size_t i = 0; i < sizeof search / sizeof search[0]; i++)
            if (cli_opt(ctx, search[i]))
                return cli_usage_error(ctx, "--%s searches the whole log: give no ID", search[i]);
        return remote_memo_run(ctx, "GET", "/access-log", NULL, render_log);
    }
    pool_init(&p, 1u << 20);
    path = search_path(ctx, &p, cli_flag(ctx, "csv"));
    if (!path) {
        struct err e;
        err_init(&e);
        err_set(&e, ERR_NOMEM, "out of memory");
        status = cli_fail(ctx, &e);
    } else if (cli_flag(ctx, "csv"))
        status = export_csv(ctx, path);
    else
        status = remote_run(ctx, "GET", path, NULL, render_log);
    pool_release(&p);
    return status;
}
