/* cmd_access.c — `dissent access-log [ID]`. */
#include "cli/commands.h"

#include "cli/cli.h"
#include "cli/out.h"
#include "cli/remote.h"

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
    static const char *const head_all[] = {"AT", "MEMO", "READER", "AS", "WHAT"};
    int all = ctx->nargs == 0;
    struct out_table t;
    size_t i;
    json_t *x;
    (void)e;
    out_table_init(&t, all ? 5 : 4, all ? head_all : head_memo);
    json_array_foreach(json_object_get(reply, "entries"), i, x)
    {
        char when[40];
        out_time(out_jstr(x, "at"), when, sizeof when);
        const char *row_all[] = {when, out_jstr(x, "memo"), out_jstr(x, "reader"),
                                 out_jstr(x, "as"), out_jstr(x, "what")};
        const char *row_memo[] = {when, out_jstr(x, "reader"), out_jstr(x, "as"),
                                  out_jstr(x, "what")};
        out_table_add(&t, all ? row_all : row_memo);
    }
    out_table_print(&t, ctx->out);
    out_table_release(&t);
    if (out_jstr(reply, "view") && strcmp(out_jstr(reply, "view"), "drafter") == 0)
        render_days(ctx, json_object_get(reply, "member_reads"));
    return 0;
}

int cmd_access_log(struct cli_ctx *ctx)
{
    if (ctx->nargs == 0)
        return remote_run(ctx, "GET", "/api/v1/access-log", NULL, render_log);
    return remote_memo_run(ctx, "GET", "/access-log", NULL, render_log);
}
