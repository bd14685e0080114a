/* cmd_access.c — `dissent access-log [ID]`. */
#include "cli/commands.h"

#include "cli/cli.h"
#include "cli/out.h"
#include "cli/remote.h"

static int render_log(struct cli_ctx *ctx, const json_t *reply, struct err *e)
{
    static const char *const head_memo[] = {"AT", "READER", "WHAT"};
    static const char *const head_all[] = {"AT", "MEMO", "READER", "WHAT"};
    int all = ctx->nargs == 0;
    struct out_table t;
    size_t i;
    json_t *x;
    (void)e;
    out_table_init(&t, all ? 4 : 3, all ? head_all : head_memo);
    json_array_foreach(json_object_get(reply, "entries"), i, x)
    {
        char when[40];
        out_time(out_jstr(x, "at"), when, sizeof when);
        const char *row_all[] = {when, out_jstr(x, "memo"), out_jstr(x, "reader"),
                                 out_jstr(x, "what")};
        const char *row_memo[] = {when, out_jstr(x, "reader"), out_jstr(x, "what")};
        out_table_add(&t, all ? row_all : row_memo);
    }
    out_table_print(&t, ctx->out);
    out_table_release(&t);
    return 0;
}

int cmd_access_log(struct cli_ctx *ctx)
{
    if (ctx->nargs == 0)
        return remote_run(ctx, "GET", "/api/v1/access-log", NULL, render_log);
    return remote_memo_run(ctx, "GET", "/access-log", NULL, render_log);
}
