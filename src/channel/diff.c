/* diff.c — a line diff between two versions' texts.
 *
 * Common leading and trailing lines are matched first; the rest is aligned
 * by a longest-common-subsequence table when it is small enough (at most
 * DIFF_CELLS_MAX cells), else shown as removed-then-added. Bodies are
 * bounded (CHAN_BODY_MAX), so time and memory are bounded too. */
#include "channel/chan_internal.h"

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

static int emit(json_t *arr, const char *op, const struct line *l)
{
    return json_array_append_new(arr, json_pack("{s:s,s:s%}", "op", op, "text", l->s, l->n));
}

int chan_diff_lines(const char *a, const char *b, json_t **out, struct err *e)
{
    int rc = -1;
    struct line *la = NULL, *lb = NULL;
    size_t na = 0, nb = 0, pre = 0, suf = 0;
    uint32_t *t = NULL;
    json_t *arr = json_array();

    if (!arr || split_lines(a, &la, &na) || split_lines(b, &lb, &nb)) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    while (pre < na && pre < nb && same(&la[pre], &lb[pre]))
        pre++;
    while (suf < na - pre && suf < nb - pre && same(&la[na - 1 - suf], &lb[nb - 1 - suf]))
        suf++;
    for (size_t i = 0; i < pre; i++)
        emit(arr, " ", &la[i]);
    {
        size_t ma = na - pre - suf, mb = nb - pre - suf;
        struct line *xa = la + pre, *xb = lb + pre;
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
                    emit(arr, " ", &xa[i]);
                    i++;
                    j++;
                } else if (i < ma &&
                           (j == mb || t[(i + 1) * (mb + 1) + j] >= t[i * (mb + 1) + j + 1])) {
                    emit(arr, "-", &xa[i++]);
                } else {
                    emit(arr, "+", &xb[j++]);
                }
            }
        } else {
            for (size_t i = 0; i < ma; i++)
                emit(arr, "-", &xa[i]);
            for (size_t j = 0; j < mb; j++)
                emit(arr, "+", &xb[j]);
        }
    }
    for (size_t i = na - suf; i < na; i++)
        emit(arr, " ", &la[i]);
    *out = arr;
    arr = NULL;
    rc = 0;
out:
    free(t);
    free(la);
    free(lb);
    json_decref(arr);
    return rc;
}
