/* render.h — how memos look on a terminal: the full view of `memo show`,
 * one-line state changes, and memo lists with deadlines. */
#ifndef DISSENT_CLI_RENDER_H
#define DISSENT_CLI_RENDER_H

#include "base/err.h"
#include <jansson.h>
#include <stdio.h>

/* Prints a memo object (docs/api.md) in full: marking banner, title, state,
 * version, drafters, counts, the text as is, the review timeline with
 * deadlines and overdue, the verification line ("dissent-verify: <memo>
 * <version> <key>", when the version has a key) and the banner again. When
 * version is non-NULL it is the version to show (with "body") instead of the
 * memo's latest. */
void render_memo(FILE *f, const json_t *memo, const json_t *version);

/* Prints "memo ID is now STATE" and the deadlines that matter in that state. */
void render_memo_state(FILE *f, const json_t *memo);

/* Prints a list of memo summaries as a table (with due dates when
 * with_deadlines is set). */
void render_memo_list(FILE *f, const json_t *memos, int with_deadlines);

/* Prints a user name given as a string or as an object with "username". */
void render_username(FILE *f, const json_t *who);

/* Prints a counts object: total, per version, per organization. */
void render_counts(FILE *f, const json_t *counts);

struct cli_ctx;

/* remote_render_fn forms of the above for remote_run: the memo's new state;
 * a {"memos":[...]} reply with due dates. Return 0. */
int render_state_reply(struct cli_ctx *ctx, const json_t *memo, struct err *e);
int render_memo_list_due_reply(struct cli_ctx *ctx, const json_t *reply, struct err *e);

#endif
