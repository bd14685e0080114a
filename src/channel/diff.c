/* diff.c — a line diff and a word diff between two versions' texts.
 *
 * Common leading and trailing lines are matched first; the rest is aligned
 * by a longest-common-subsequence table when it is small enough (at most
 * DIFF_CELLS_MAX cells), else shown as removed-then-added. Bodies are
 * bounded (CHAN_BODY_MAX), so time and memory are bounded too. */
#include "channel/chan_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define DIFF_CELLS_MAX (4u * 1024 * 1024)

struct line {
    const char *s;
    size_t n;
};

/* Splits text into lines (without their "\n"); *out is malloc'ed. */
static int split_lines(const char *text, struct line **out, size_t *count)
{
    size_t n = 1, i = 0;
    const char *p;
    struct line *ls;
    for (p = text; *p; p++)
        n += *p == '\n';
    ls = calloc(n, sizeof *ls);
    if (!ls)
        return -1;
    p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        ls[i].s = p;
        ls[i].n = len;
        i++;
        p += len + (nl ? 1 : 0);
    }
    *out = ls;
    *count = i;
    return 0;
}

static int same(const struct line *a, const struct line *b)
{
    return a->n == b->n && memcmp(a->s, b->s, a->n) == 0;
}

/* Appends one token with op; with merge, a token whose op is that of the
 * last entry is joined to it ("+" "a" then "+" " b" gives "+" "a b"). */
static int emit_tok(json_t *arr, const char *op, const struct line *l, int merge)
{
    size_t n = json_array_size(arr);
    json_t *last = n ? json_array_get(arr, n - 1) : NULL;
    if (merge && last && strcmp(json_string_value(json_object_get(last, "op")), op) == 0) {
        json_t *t = json_object_get(last, "text");
        size_t tn = json_string_length(t);
        char *joined = malloc(tn + l->n + 1);
        int rc;
        if (!joined)
            return -1;
        memcpy(joined, json_string_value(t), tn);
        memcpy(joined + tn, l->s, l->n);
        joined[tn + l->n] = '\0';
        rc = json_object_set_new(last, "text", json_stringn(joined, tn + l->n));
        free(joined);
        return rc;
    }
    return json_array_append_new(arr, json_pack("{s:s,s:s%}", "op", op, "text", l->s, l->n));
}

/* The diff of the token lists la and lb (each la[i] a line or a word),
 * appended to arr; merge joins runs of one op (words). */
static int diff_tokens(const struct line *la, size_t na, const struct line *lb, size_t nb,
                       int merge, json_t *arr)
{
    size_t pre = 0, suf = 0;
    uint32_t *t = NULL;
    while (pre < na && pre < nb && same(&la[pre], &lb[pre]))
        pre++;
    while (suf < na - pre && suf < nb - pre && same(&la[na - 1 - suf], &lb[nb - 1 - suf]))
        suf++;
    for (size_t i = 0; i < pre; i++)
        emit_tok(arr, " ", &la[i], merge);
    {
        size_t ma = na - pre - suf, mb = nb - pre - suf;
        const struct line *xa = la + pre, *xb = lb + pre;
        if ((ma + 1) * (mb + 1) <= DIFF_CELLS_MAX &&
            (t = calloc((ma + 1) * (mb + 1), sizeof *t)) != NULL) {
            /* t[i][j] = LCS length of xa[i..] and xb[j..] */
            for (size_t i = ma; i-- > 0;)
                for (size_t j = mb; j-- > 0;) {
                    uint32_t *cell = &t[i * (mb + 1) + j];
                    if (same(&xa[i], &xb[j]))
                        *cell = t[(i + 1) * (mb + 1) + j + 1] + 1;
                    else {
                        uint32_t down = t[(i + 1) * (mb + 1) + j], right = t[i * (mb + 1) + j + 1];
                        *cell = down > right ? down : right;
                    }
                }
            size_t i = 0, j = 0;
            while (i < ma || j < mb) {
                if (i < ma && j < mb && same(&xa[i], &xb[j])) {
                    emit_tok(arr, " ", &xa[i], merge);
                    i++;
                    j++;
                } else if (i < ma &&
                           (j == mb || t[(i + 1) * (mb + 1) + j] >= t[i * (mb + 1) + j + 1])) {
                    emit_tok(arr, "-", &xa[i++], merge);
                } else {
                    emit_tok(arr, "+", &xb[j++], merge);
                }
            }
        } else {
            for (size_t i = 0; i < ma; i++)
                emit_tok(arr, "-", &xa[i], merge);
            for (size_t j = 0; j < mb; j++)
                emit_tok(arr, "+", &xb[j], merge);
        }
    }
    for (size_t i = na - suf; i < na; i++)
        emit_tok(arr, " ", &la[i], merge);
    free(t);
    return 0;
}

/* Splits text into words and the runs of white space between them, each a
 * token (so that joining the tokens gives the text back); *out is malloc'ed. */
static int split_words(const char *text, struct line **out, size_t *count)
{
    size_t n = 1, i = 0;
    const char *p;
    struct line *ts;
    for (p = text; *p; p++)
        n += p == text || (isspace((unsigned char)*p) != isspace((unsigned char)p[-1]));
    ts = calloc(n, sizeof *ts);
    if (!ts)
        return -1;
    for (p = text; *p;) {
        int sp = isspace((unsigned char)*p) != 0;
        const char *q = p;
        while (*q && (isspace((unsigned char)*q) != 0) == sp)
            q++;
        ts[i].s = p;
        ts[i].n = (size_t)(q - p);
        i++;
        p = q;
    }
    *out = ts;
    *count = i;
    return 0;
}

/* A diff of a and b in tokens split by split (lines or words). */
static int diff_texts(const char *a, const char *b,
                      int (*split)(const char *, struct line **, size_t *), int merge, json_t **out,
                      struct err *e)
{
    int rc = -1;
    struct line *la = NULL, *lb = NULL;
    size_t na = 0, nb = 0;
    json_t *arr = json_array();
    if (!arr || split(a, &la, &na) || split(b, &lb, &nb) ||
        diff_tokens(la, na, lb, nb, merge, arr)) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    *out = arr;
    arr = NULL;
    rc = 0;
out:
    free(la);
    free(lb);
    json_decref(arr);
    return rc;
}

int chan_diff_lines(const char *a, const char *b, json_t **out, struct err *e)
{
    return diff_texts(a, b, split_lines, 0, out, e);
}

int chan_diff_words(const char *a, const char *b, json_t **out, struct err *e)
{
    return diff_texts(a, b, split_words, 1, out, e);
}
