/* util.c — hex, identifiers, parsing, UTF-8, time. */
#include "base/util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hex_encode(char *out, const unsigned char *in, size_t n)
{
    sodium_bin2hex(out, 2 * n + 1, in, n);
}

int hex_decode(unsigned char *out, size_t n, const char *hex)
{
    size_t got = 0;
    int rc = -1;
    if (strlen(hex) == 2 * n && sodium_hex2bin(out, n, hex, 2 * n, NULL, &got, NULL) == 0 &&
        got == n)
        rc = 0;
    return rc;
}

void random_id(char out[RANDOM_ID_LEN + 1])
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
    unsigned char raw[17] = {0};
    randombytes_buf(raw, 16);
    /* 26 groups of 5 bits cover 130 bits; the last 2 bits are zero padding. */
    for (int i = 0; i < RANDOM_ID_LEN; i++) {
        int bit = i * 5;
        unsigned v = ((unsigned)raw[bit / 8] << 8 | raw[bit / 8 + 1]) >> (11 - bit % 8);
        out[i] = alphabet[v & 31];
    }
    out[RANDOM_ID_LEN] = '\0';
}

int parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    int rc = -1;
    int neg = 0;
    uint64_t v = 0;
    const char *p = s;

    if (!s || !*s)
        goto out;
    if (*p == '-') {
        neg = 1;
        p++;
    }
    if (!*p || strlen(p) > 19)
        goto out;
    for (; *p; p++) {
        if (*p < '0' || *p > '9')
            goto out;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (!neg && v > (uint64_t)INT64_MAX)
        goto out;
    if (neg && v > (uint64_t)INT64_MAX + 1)
        goto out;
    {
        int64_t r = neg ? (int64_t)(0 - v) : (int64_t)v;
        if (r < min || r > max)
            goto out;
        *out = r;
        rc = 0;
    }
out:
    return rc;
}

int utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        size_t k;
        uint32_t cp;
        if (c == 0)
            return 0;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xc2 && c <= 0xdf) {
            k = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            k = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            k = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (n - i <= k)
            return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((p[i + j] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (p[i + j] & 0x3f);
        }
        if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += k + 1;
    }
    return 1;
}

size_t utf8_len(const char *s, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xc0) != 0x80)
            count++;
    return count;
}

size_t text_control_len(const char *s, const char *keep)
{
    unsigned char c = (unsigned char)s[0];
    if (c == 0)
        return 0;
    if (c < 0x20)
        return strchr(keep, (char)c) ? 0 : 1;
    if (c == 0x7f)
        return 1;
    if (c == 0xc2 && (unsigned char)s[1] >= 0x80 && (unsigned char)s[1] <= 0x9f)
        return 2;
    return 0;
}

void text_clean_copy(char *out, size_t n, const char *s, const char *keep, char repl)
{
    size_t i = 0, j = 0;
    while (s[i] && j + 1 < n) {
        size_t k = text_control_len(s + i, keep);
        if (k) {
            out[j++] = repl;
            i += k;
        } else {
            out[j++] = s[i++];
        }
    }
    if (s[i] && j > 0) {
        /* cut: not inside a UTF-8 sequence */
        size_t k = j - 1, len;
        unsigned char lead;
        while (k > 0 && ((unsigned char)out[k] & 0xc0) == 0x80)
            k--;
        lead = (unsigned char)out[k];
        len = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
        if (k + len > j)
            j = k;
    }
    out[j] = '\0';
}

int64_t now_utc(void)
{
    const char *fake = getenv("DISSENT_FAKE_NOW");
    int64_t t;
    if (fake && *fake && time_parse_utc(fake, &t) == 0)
        return t;
    return (int64_t)time(NULL);
}

/* Howard Hinnant's public-domain civil calendar algorithms, written from the
 * published description. */
int64_t days_from_civil(int y, unsigned m, unsigned d)
{
    int64_t yy = (int64_t)y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    unsigned yoe = (unsigned)(yy - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (*m <= 2));
}

/* Writes v as exactly w decimal digits (v is already in range). */
static void put_digits(char *p, unsigned v, int w)
{
    for (int i = w - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

void time_format_utc(char out[21], int64_t t)
{
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    unsigned secs = (unsigned)(t - days * 86400);
    int y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    memcpy(out, "0000-00-00T00:00:00Z", 21);
    put_digits(out, (unsigned)(y < 0 ? 0 : y % 10000), 4);
    put_digits(out + 5, m, 2);
    put_digits(out + 8, d, 2);
    put_digits(out + 11, secs / 3600, 2);
    put_digits(out + 14, secs / 60 % 60, 2);
    put_digits(out + 17, secs % 60, 2);
}

static int parse_fixed(const char *s, size_t n, unsigned *out)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return 0;
}

int time_parse_utc(const char *s, int64_t *out)
{
    int rc = -1;
    unsigned y, mo, d, h = 0, mi = 0, se = 0;
    size_t n = strlen(s);
    static const unsigned mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (n != 10 && n != 20)
        goto out;
    if (parse_fixed(s, 4, &y) || s[4] != '-' || parse_fixed(s + 5, 2, &mo) || s[7] != '-' ||
        parse_fixed(s + 8, 2, &d))
        goto out;
    if (n == 20 && (s[10] != 'T' || parse_fixed(s + 11, 2, &h) || s[13] != ':' ||
                    parse_fixed(s + 14, 2, &mi) || s[16] != ':' || parse_fixed(s + 17, 2, &se) ||
                    s[19] != 'Z'))
        goto out;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || se > 59)
        goto out;
    {
        int64_t days = days_from_civil((int)y, mo, d);
        int y2;
        unsigned m2, d2;
        civil_from_days(days, &y2, &m2, &d2);
        if (m2 != mo || d2 != d) /* 29 February of a common year */
            goto out;
        *out = days * 86400 + h * 3600 + mi * 60 + se;
        rc = 0;
    }
out:
    return rc;
}
