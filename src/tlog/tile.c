/* tile.c — C2SP tlog-tiles paths (tlog/tile.h). */
#include "tlog/tile.h"

#include <stdio.h>
#include <string.h>

/* Three decimal digits, the value in *v. */
static int three_digits(const char *s, size_t len, unsigned *v)
{
    int ok = len == 3;
    *v = 0;
    for (size_t i = 0; ok && i < 3; i++) {
        ok = s[i] >= '0' && s[i] <= '9';
        *v = *v * 10 + (unsigned)(s[i] - '0');
    }
    return ok;
}

/* A decimal number without leading zeros, from lo to hi. */
static int small_number(const char *s, unsigned lo, unsigned hi, unsigned *v)
{
    size_t len = strlen(s);
    int ok = len >= 1 && len <= 3 && (len == 1 || s[0] != '0');
    *v = 0;
    for (size_t i = 0; ok && i < len; i++) {
        ok = s[i] >= '0' && s[i] <= '9';
        *v = *v * 10 + (unsigned)(s[i] - '0');
    }
    return ok && *v >= lo && *v <= hi;
}

int tlog_tile_parse(const char *const *segs, size_t n, struct tlog_tile *out, struct err *e)
{
    int rc = -1;
    size_t i = 1, groups = 0;
    uint64_t index = 0;
    unsigned v = 0, width = TLOG_TILE_WIDTH;
    int last = 0;

    memset(out, 0, sizeof *out);
    if (n < 2)
        goto out;
    if (strcmp(segs[0], "entries") == 0)
        out->entries = 1;
    else if (small_number(segs[0], 0, 6, &v))
        out->level = v;
    else
        goto out;
    for (; i < n && !last; i++, groups++) {
        const char *s = segs[i];
        size_t len = strlen(s);
        if (s[0] == 'x') {
            if (!three_digits(s + 1, len - 1, &v) || (groups == 0 && v == 0))
                goto out;
        } else if (len == 5 && memcmp(s + 3, ".p", 2) == 0) {
            if (!three_digits(s, 3, &v) || i + 2 != n || !small_number(segs[i + 1], 1, 255, &width))
                goto out;
            last = 1;
            i++; /* the width element */
        } else if (three_digits(s, len, &v)) {
            if (i + 1 != n)
                goto out;
            last = 1;
        } else {
            goto out;
        }
        if (groups == TLOG_TILE_INDEX_SEGMENTS)
            goto out;
        index = index * 1000 + v;
    }
    if (!last || i != n)
        goto out;
    out->index = index;
    out->width = width;
    rc = 0;
out:
    if (rc)
        err_set(e, ERR_NOT_FOUND, "no such tile: see C2SP tlog-tiles for the path scheme");
    return rc;
}

int tlog_tile_path(const struct tlog_tile *t, char *out, size_t len)
{
    unsigned g[TLOG_TILE_INDEX_SEGMENTS + 1];
    size_t ng = 0, at = 0;
    uint64_t x = t->index;
    int k;
    do {
        g[ng++] = (unsigned)(x % 1000);
        x /= 1000;
    } while (x && ng < sizeof g / sizeof g[0]);
    k = t->entries ? snprintf(out, len, "tile/entries") : snprintf(out, len, "tile/%u", t->level);
    for (size_t i = ng; k >= 0 && (size_t)k < len - at && i-- > 0;) {
        at += (size_t)k;
        k = snprintf(out + at, len - at, i ? "/x%03u" : "/%03u", g[i]);
    }
    if (k >= 0 && (size_t)k < len - at && t->width < TLOG_TILE_WIDTH) {
        at += (size_t)k;
        k = snprintf(out + at, len - at, ".p/%u", t->width);
    }
    return k >= 0 && (size_t)k < len - at ? 0 : -1;
}
