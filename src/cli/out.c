/* out.c — rendering replies for people. */
#include "cli/out.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

void out_text(FILE *f, const char *s)
{
    for (const char *p = s; p && *p;) {
        size_t k = text_control_len(p, "\n\t");
        fputc(k ? '?' : *p, f);
        p += k ? k : 1;
    }
}

void out_text_indented(FILE *f, const char *s, const char *indent)
{
    const char *p = s;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char *line = strndup(p, n);
        fputs(indent, f);
        out_text(f, line ? line : "?");
        fputc('\n', f);
        free(line);
        p += n + (nl ? 1 : 0);
    }
}

const char *out_time(const char *t, char *out, size_t n)
{
    int64_t v;
    if (!t || !t[0]) {
        snprintf(out, n, "-");
    } else if (time_parse_utc(t, &v) == 0) {
        char iso[21];
        time_format_utc(iso, v);
        /* "YYYY-MM-DDTHH:MM:SSZ" -> "YYYY-MM-DD HH:MM UTC" */
        snprintf(out, n, "%.10s %.5s UTC", iso, iso + 11);
    } else {
        text_clean_copy(out, n, t, "", '?');
    }
    return out;
}

void out_banner(FILE *f, const char *marking)
{
    char m[61];
    size_t len, width = 72, side;
    text_clean_copy(m, sizeof m, marking && marking[0] ? marking : "UNMARKED", "", '?');
    len = strlen(m);
    side = (width - len - 2) / 2;
    for (size_t i = 0; i < side; i++)
        fputc('=', f);
    fputc(' ', f);
    fputs(m, f);
    fputc(' ', f);
    for (size_t i = 0; i < width - len - 2 - side; i++)
        fputc('=', f);
    fputc('\n', f);
}

const char *out_jstr(const json_t *o, const char *key)
{
    return o ? json_string_value(json_object_get(o, key)) : NULL;
}

const char *out_jtext(const json_t *o, const char *key, char *out, size_t n)
{
    json_t *v = o ? json_object_get(o, key) : NULL;
    if (json_is_string(v))
        snprintf(out, n, "%s", json_string_value(v));
    else if (json_is_integer(v))
        snprintf(out, n, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(out, n, "%g", json_real_value(v));
    else if (json_is_true(v))
        snprintf(out, n, "yes");
    else if (json_is_false(v))
        snprintf(out, n, "no");
    else
        snprintf(out, n, "-");
    return out;
}

void out_table_init(struct out_table *t, size_t ncols, const char *const *headers)
{
    memset(t, 0, sizeof *t);
    t->ncols = ncols > OUT_TABLE_COLS ? OUT_TABLE_COLS : ncols;
    out_table_add(t, headers);
}

void out_table_max_width(struct out_table *t, size_t i, size_t width)
{
    if (i < t->ncols)
        t->maxw[i] = width;
}

/* Copies s cleaned to one line and cut to at most max characters (0: no cap);
 * a cut cell ends with "...". */
static char *clean_cell(const char *s, size_t max)
{
    size_t len = strlen(s), total = 0, keep, chars = 0, j = 0;
    char *c = malloc(len + 4);
    if (!c)
        return NULL;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xc0) != 0x80)
            total++;
    keep = (max && total > max) ? (max > 3 ? max - 3 : max) : total;
    for (size_t i = 0; i < len;) {
        unsigned char b = (unsigned char)s[i];
        size_t k = text_control_len(s + i, "");
        if ((b & 0xc0) != 0x80 && chars++ == keep)
            break;
        /* a control, C1 included (2 bytes, one character), is one space */
        c[j++] = k ? ' ' : (char)b;
        i += k ? k : 1;
    }
    if (keep < total && max > 3) {
        memcpy(c + j, "...", 3);
        j += 3;
    }
    c[j] = '\0';
    return c;
}

void out_table_add(struct out_table *t, const char *const *cells)
{
    if (t->oom)
        return;
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        char **p = realloc(t->cells, cap * t->ncols * sizeof *p);
        if (!p) {
            t->oom = 1;
            return;
        }
        t->cells = p;
        t->cap = cap;
    }
    for (size_t i = 0; i < t->ncols; i++) {
        const char *s = cells[i] ? cells[i] : "-";
        t->cells[t->nrows * t->ncols + i] = clean_cell(s, t->nrows ? t->maxw[i] : 0);
    }
    t->nrows++;
}

static size_t width_of(const char *s)
{
    return s ? utf8_len(s, strlen(s)) : 0;
}

void out_table_print(const struct out_table *t, FILE *f)
{
    size_t w[OUT_TABLE_COLS] = {0};
    if (t->oom) {
        fputs("(out of memory)\n", f);
        return;
    }
    if (t->nrows <= 1) {
        fputs("(none)\n", f);
        return;
    }
    for (size_t r = 0; r < t->nrows; r++)
        for (size_t i = 0; i < t->ncols; i++) {
            size_t cw = width_of(t->cells[r * t->ncols + i]);
            if (cw > w[i])
                w[i] = cw;
        }
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t i = 0; i < t->ncols; i++) {
            const char *s = t->cells[r * t->ncols + i];
            fputs(s ? s : "?", f);
            if (i + 1 < t->ncols)
                for (size_t k = width_of(s); k < w[i] + 2; k++)
                    fputc(' ', f);
        }
        fputc('\n', f);
    }
}

void out_table_release(struct out_table *t)
{
    for (size_t k = 0; k < t->nrows * t->ncols; k++)
        free(t->cells[k]);
    free(t->cells);
    memset(t, 0, sizeof *t);
}
