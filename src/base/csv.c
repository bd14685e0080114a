/* csv.c — RFC 4180 fields with spreadsheet formulas defused (csv.h). */
#include "base/csv.h"

#include <string.h>

/* Whether a spreadsheet could take a cell starting with c for a formula. */
static int formula_start(char c)
{
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

int csv_field(struct buf *b, const char *s, int first, struct err *e)
{
    const char *v = s ? s : "";
    int defuse = formula_start(v[0]);
    int quote = defuse || strpbrk(v, ",\"\r\n") != NULL;

    if (!first && buf_append(b, ",", 1, e))
        return -1;
    if (!quote)
        return buf_puts(b, v, e);
    if (buf_puts(b, defuse ? "\"'" : "\"", e))
        return -1;
    for (const char *q; (q = strchr(v, '"')) != NULL; v = q + 1)
        if (buf_append(b, v, (size_t)(q - v), e) || buf_append(b, "\"\"", 2, e))
            return -1;
    return buf_puts(b, v, e) || buf_append(b, "\"", 1, e) ? -1 : 0;
}

int csv_end(struct buf *b, struct err *e)
{
    return buf_append(b, "\r\n", 2, e);
}
