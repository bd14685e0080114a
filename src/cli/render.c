/* render.c — memos for people. */
#include "cli/render.h"

#include <string.h>

#include "cli/cli.h"
#include "cli/out.h"

void render_username(FILE *f, const json_t *who)
{
    const char *name = json_is_string(who) ? json_string_value(who) : out_jstr(who, "username");
    out_text(f, name ? name : "?");
}

/* The review object of a memo or summary: nested "review", else the memo. */
static const json_t *review_of(const json_t *memo)
{
    const json_t *r = json_object_get(memo, "review");
    return json_is_object(r) ? r : memo;
}

static void field(FILE *f, const char *label, const char *value)
{
    fprintf(f, "%-12s ", label);
    out_text(f, value && value[0] ? value : "-");
    fputc('\n', f);
}

void render_counts(FILE *f, const json_t *counts)
{
    char t[32];
    size_t i;
    json_t *row;
    fprintf(f, "%-12s %s", "Signatures", out_jtext(counts, "total", t, sizeof t));
    const json_t *bv = json_object_get(counts, "by_version");
    if (json_array_size(bv)) {
        fputs("  (", f);
        json_array_foreach(bv, i, row)
        {
            char v[32], c[32];
            fprintf(f, "%sv%s: %s", i ? ", " : "", out_jtext(row, "version", v, sizeof v),
                    out_jtext(row, "count", c, sizeof c));
        }
        fputs(")", f);
    }
    fputc('\n', f);
    const json_t *bo = json_object_get(counts, "by_organization");
    json_array_foreach(bo, i, row)
    {
        char c[32];
        fprintf(f, "%-12s ", i ? "" : "  by org");
        out_text(f, out_jstr(row, "organization") ? out_jstr(row, "organization") : "?");
        fprintf(f, ": %s\n", out_jtext(row, "count", c, sizeof c));
    }
}

static void timeline_row(FILE *f, const char *label, const char *when, const char *note)
{
    char t[40];
    fprintf(f, "  %-18s %s", label, out_time(when, t, sizeof t));
    if (note && note[0]) {
        fputs("  ", f);
        out_text(f, note);
    }
    fputc('\n', f);
}

static void render_review(FILE *f, const json_t *memo)
{
    const json_t *rv = review_of(memo);
    char done[64], t[40];
    const char *what;
    size_t i;
    json_t *m;

    if (!out_jstr(rv, "submitted_at"))
        return;
    fputs("\nReview\n", f);
    timeline_row(f, "submitted", out_jstr(rv, "submitted_at"), NULL);
    if (out_jstr(rv, "acknowledged_at")) {
        snprintf(done, sizeof done, "(due %s)",
                 out_time(out_jstr(rv, "acknowledge_due"), t, sizeof t));
        timeline_row(f, "acknowledged", out_jstr(rv, "acknowledged_at"), done);
    } else {
        timeline_row(f, "acknowledge by", out_jstr(rv, "acknowledge_due"), NULL);
    }
    if (out_jstr(rv, "answered_at")) {
        snprintf(done, sizeof done, "(due %s)", out_time(out_jstr(rv, "answer_due"), t, sizeof t));
        timeline_row(f, "answered", out_jstr(rv, "answered_at"), done);
    } else {
        timeline_row(f, "answer by", out_jstr(rv, "answer_due"),
                     json_is_true(json_object_get(rv, "extended")) ? "(extended)" : NULL);
    }
    if (json_is_true(json_object_get(rv, "extended"))) {
        fprintf(f, "  %-18s ", "extension reason");
        out_text(f, out_jstr(rv, "extension_reason") ? out_jstr(rv, "extension_reason") : "-");
        fputc('\n', f);
    }
    if (out_jstr(rv, "closed_at"))
        timeline_row(f, "closed", out_jstr(rv, "closed_at"), NULL);
    if (json_is_true(json_object_get(rv, "overdue"))) {
        what = out_jstr(rv, "overdue_what");
        fputs("  OVERDUE: the ", f);
        out_text(f, what ? what : "response");
        fputs(" is late\n", f);
    }
    json_array_foreach(json_object_get(rv, "missed"), i, m)
    {
        fputs("  MISSED: the ", f);
        out_text(f, out_jstr(m, "deadline") ? out_jstr(m, "deadline") : "?");
        fprintf(f, " was due %s", out_time(out_jstr(m, "due"), t, sizeof t));
        if (out_jstr(m, "met_at"))
            fprintf(f, ", met late %s\n", out_time(out_jstr(m, "met_at"), t, sizeof t));
        else
            fputs(", not met\n", f);
    }
    if (out_jstr(rv, "answer")) {
        fputs("\nAnswer of the policy office\n\n", f);
        out_text(f, out_jstr(rv, "answer"));
        fputc('\n', f);
    }
}

/* "You may: sign, counts": what the server would accept from the reader now
 * (the memo's "can"), so the CLI never guesses at permissions. */
static void render_can(FILE *f, const json_t *memo)
{
    const char *key;
    json_t *val;
    int any = 0;
    if (!json_is_object(json_object_get(memo, "can")))
        return;
    fputs("\nYou may:", f);
    json_object_foreach(json_object_get(memo, "can"), key, val) if (json_is_true(val))
    {
        fputs(any ? ", " : " ", f);
        out_text(f, key);
        any = 1;
    }
    fputs(any ? "\n" : " read only\n", f);
}

void render_memo(FILE *f, const json_t *memo, const json_t *version)
{
    const json_t *v = version ? version : json_object_get(memo, "version");
    const char *marking =
        out_jstr(v, "marking") ? out_jstr(v, "marking") : out_jstr(memo, "marking");
    const char *title = out_jstr(v, "title") ? out_jstr(v, "title") : out_jstr(memo, "title");
    const char *body = out_jstr(v, "body");
    char num[32], latest[32], line[160], t[40];
    const json_t *drafters = json_object_get(memo, "drafters");
    const json_t *counts = json_object_get(memo, "counts");
    size_t i;
    json_t *d;

    out_banner(f, marking);
    field(f, "Title", title);
    field(f, "Marking", marking);
    field(f, "Memo", out_jstr(memo, "id"));
    field(f, "Channel", out_jstr(memo, "channel"));
    if (json_is_true(json_object_get(review_of(memo), "overdue"))) {
        const char *what = out_jstr(review_of(memo), "overdue_what");
        snprintf(line, sizeof line, "%s  (OVERDUE: %s)",
                 out_jstr(memo, "state") ? out_jstr(memo, "state") : "-", what ? what : "late");
        field(f, "State", line);
    } else {
        field(f, "State", out_jstr(memo, "state"));
    }
    out_jtext(v, "number", num, sizeof num);
    out_jtext(memo, "latest_version", latest, sizeof latest);
    if (strcmp(latest, "-") != 0 && strcmp(latest, num) != 0)
        snprintf(line, sizeof line, "%s (latest is %s)", num, latest);
    else
        snprintf(line, sizeof line, "%s", num);
    field(f, "Version", line);
    if (out_jstr(v, "hash"))
        field(f, "Commitment", out_jstr(v, "hash"));
    if (out_jstr(v, "created_at"))
        field(f, "Created", out_time(out_jstr(v, "created_at"), t, sizeof t));
    fprintf(f, "%-12s ", "Drafters");
    json_array_foreach(drafters, i, d)
    {
        if (i)
            fputs(", ", f);
        render_username(f, d);
    }
    fputs(json_array_size(drafters) ? "\n" : "-\n", f);
    if (json_is_object(counts))
        render_counts(f, counts);
    fputs("\n", f);
    out_text(f, body ? body : "(no text)");
    if (!body || !body[0] || body[strlen(body) - 1] != '\n')
        fputc('\n', f);
    render_review(f, memo);
    render_can(f, memo);
    if (out_jstr(v, "verify_key") && out_jstr(memo, "id")) {
        /* The line `dissent verify` reads: a copy of this text can be checked. */
        fputs("\ndissent-verify: ", f);
        out_text(f, out_jstr(memo, "id"));
        fputc(' ', f);
        out_text(f, num);
        fputc(' ', f);
        out_text(f, out_jstr(v, "verify_key"));
        fputs("\n\n", f);
    }
    out_banner(f, marking);
}

void render_memo_state(FILE *f, const json_t *memo)
{
    const json_t *rv = review_of(memo);
    const char *state = out_jstr(memo, "state");
    const char *next = out_jstr(rv, "next");
    char t[40];

    fputs("memo ", f);
    out_text(f, out_jstr(memo, "id") ? out_jstr(memo, "id") : "?");
    fputs(" is now ", f);
    out_text(f, state ? state : "?");
    fputc('\n', f);
    if (!state)
        return;
    /* What the policy office owes next is the server's to say (review.next). */
    if (next && strcmp(next, "acknowledge") == 0)
        fprintf(f, "acknowledgement due %s\n",
                out_time(out_jstr(rv, "acknowledge_due") ? out_jstr(rv, "acknowledge_due")
                                                         : out_jstr(rv, "ack_due"),
                         t, sizeof t));
    if (next)
        fprintf(f, "answer due %s%s\n", out_time(out_jstr(rv, "answer_due"), t, sizeof t),
                json_is_true(json_object_get(rv, "extended")) ? " (extended)" : "");
}

/* The next deadline of a memo in review, as the server computed it. */
static const char *next_due(const json_t *memo)
{
    return out_jstr(review_of(memo), "next_due");
}

void render_memo_list(FILE *f, const json_t *memos, int with_deadlines)
{
    struct out_table t;
    static const char *const head[] = {"ID", "STATE", "MARKING", "VER", "SIGNED", "DUE", "TITLE"};
    static const char *const head_short[] = {"ID", "STATE", "MARKING", "VER", "SIGNED", "TITLE"};
    size_t i;
    json_t *m;

    out_table_init(&t, with_deadlines ? 7 : 6, with_deadlines ? head : head_short);
    out_table_max_width(&t, with_deadlines ? 6 : 5, 60);
    json_array_foreach(memos, i, m)
    {
        char ver[32], signed_n[32], due[64], t2[40];
        const json_t *counts = json_object_get(m, "counts");
        const json_t *rv = review_of(m);
        out_jtext(m, "latest_version", ver, sizeof ver);
        if (json_is_object(counts))
            out_jtext(counts, "total", signed_n, sizeof signed_n);
        else
            out_jtext(m, "signatures", signed_n, sizeof signed_n);
        snprintf(due, sizeof due, "%s%s", next_due(m) ? out_time(next_due(m), t2, sizeof t2) : "-",
                 json_is_true(json_object_get(rv, "overdue")) ? " OVERDUE" : "");
        const char *row7[] = {
            out_jstr(m, "id"),   out_jstr(m, "state"), out_jstr(m, "marking"), ver, signed_n, due,
            out_jstr(m, "title")};
        const char *row6[] = {out_jstr(m, "id"), out_jstr(m, "state"), out_jstr(m, "marking"), ver,
                              signed_n,          out_jstr(m, "title")};
        out_table_add(&t, with_deadlines ? row7 : row6);
    }
    out_table_print(&t, f);
    out_table_release(&t);
}

int render_state_reply(struct cli_ctx *ctx, const json_t *memo, struct err *e)
{
    (void)e;
    render_memo_state(ctx->out, memo);
    return 0;
}

int render_memo_list_due_reply(struct cli_ctx *ctx, const json_t *reply, struct err *e)
{
    (void)e;
    render_memo_list(ctx->out, json_object_get(reply, "memos"), 1);
    return 0;
}
