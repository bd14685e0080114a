/* out.h — human-readable output: safe text, dates, aligned tables, the
 * classification banner, and small JSON accessors for rendering replies. */
#ifndef DISSENT_CLI_OUT_H
#define DISSENT_CLI_OUT_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

/* Writes text from the server as is, except control characters other than
 * newline and tab, which become '?': a memo cannot drive the terminal. */
void out_text(FILE *f, const char *s);

/* Like out_text, starting each line with indent; ends with a newline. */
void out_text_indented(FILE *f, const char *s, const char *indent);

/* Formats an RFC 3339 UTC time "2026-11-03T09:30:00Z" as
 * "2026-11-03 09:30 UTC" into out (size n); NULL or "" gives "-", anything
 * unparsable is copied (cleaned). Returns out. */
const char *out_time(const char *rfc3339, char *out, size_t n);

/* Prints the marking as a banner line, e.g. "==== SECRET ====". */
void out_banner(FILE *f, const char *marking);

/* The string member key of o, or NULL. */
const char *out_jstr(const json_t *o, const char *key);

/* The member key of o written as text into out (strings as is, numbers in
 * decimal, true/false, null and missing as "-"). Returns out. */
const char *out_jtext(const json_t *o, const char *key, char *out, size_t n);

#define OUT_TABLE_COLS 8

/* An aligned table: a header row and rows of cells, printed with columns
 * padded to their widest cell (counted in characters). Cells are copied and
 * cleaned of control characters; long cells are cut to the column maximum. */
struct out_table {
    size_t ncols;
    size_t nrows; /* including the header */
    size_t cap;
    char **cells; /* nrows * ncols, owned */
    size_t maxw[OUT_TABLE_COLS];
    int oom;
};

/* Prepares a table with ncols (<= OUT_TABLE_COLS) and its header cells. */
void out_table_init(struct out_table *t, size_t ncols, const char *const *headers);

/* Caps the width of column i (characters; longer cells end with "..."). */
void out_table_max_width(struct out_table *t, size_t i, size_t width);

/* Adds one row of ncols cells (NULL cells print as "-"). */
void out_table_add(struct out_table *t, const char *const *cells);

/* Prints the table, or "(none)" when it has no rows but the header. */
void out_table_print(const struct out_table *t, FILE *f);

/* Frees the cells. */
void out_table_release(struct out_table *t);

#endif
