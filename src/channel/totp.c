/* totp.c — RFC 6238 codes with liboath, the otpauth URI, recovery codes. */
#include "channel/totp.h"

#include <liboath/oath.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int oath_ok;
static pthread_once_t oath_once = PTHREAD_ONCE_INIT;

static void oath_start(void)
{
    oath_ok = oath_init() == OATH_OK;
}

int64_t totp_step(int64_t now)
{
    return now / TOTP_PERIOD;
}

int totp_code(const unsigned char *secret, size_t len, int64_t step, char out[TOTP_DIGITS + 1],
              struct err *e)
{
    pthread_once(&oath_once, oath_start);
    if (!oath_ok)
        return err_set(e, ERR_INTERNAL, "liboath could not start");
    if (oath_totp_generate((const char *)secret, len, (time_t)(step * TOTP_PERIOD), TOTP_PERIOD,
                           OATH_TOTP_DEFAULT_START_TIME, TOTP_DIGITS, out) != OATH_OK)
        return err_set(e, ERR_INTERNAL, "liboath could not compute a code");
    return 0;
}

int totp_check(const unsigned char *secret, size_t len, int64_t now, int64_t last_step,
               const char *code, int64_t *step, struct err *e)
{
    int rc = -1;
    char typed[TOTP_DIGITS + 1], want[TOTP_DIGITS + 1];
    size_t n = 0;
    int64_t base = totp_step(now);

    *step = 0;
    /* Digits only, spaces allowed (apps show "123 456"). */
    for (const char *s = code ? code : ""; *s; s++) {
        if (*s == ' ')
            continue;
        if (*s < '0' || *s > '9' || n == TOTP_DIGITS) {
            n = 0;
            break;
        }
        typed[n++] = *s;
    }
    typed[n] = '\0';
    for (int64_t d = -TOTP_WINDOW; d <= TOTP_WINDOW; d++) {
        int same;
        if (totp_code(secret, len, base + d, want, e))
            goto out;
        same = n == TOTP_DIGITS && sodium_memcmp(typed, want, TOTP_DIGITS) == 0;
        /* The latest matching step wins; a used step never does. */
        if (same && base + d > last_step)
            *step = base + d;
    }
    rc = 0;
out:
    sodium_memzero(want, sizeof want);
    sodium_memzero(typed, sizeof typed);
    return rc;
}

char *totp_base32(struct pool *p, const unsigned char *secret, size_t len)
{
    char *b32 = NULL, *out = NULL;
    size_t n = 0;
    pthread_once(&oath_once, oath_start);
    if (!oath_ok || oath_base32_encode((const char *)secret, len, &b32, &n) != OATH_OK)
        return NULL;
    while (n > 0 && b32[n - 1] == '=')
        n--;
    out = pool_alloc(p, n + 1);
    if (out) {
        memcpy(out, b32, n);
        out[n] = '\0';
    }
    sodium_memzero(b32, n);
    free(b32);
    return out;
}

/* Percent-encodes s (unreserved characters stay), from p. */
static char *pct(struct pool *p, const char *s)
{
    size_t n = strlen(s);
    char *out = pool_alloc(p, 3 * n + 1), *o = out;
    if (!out)
        return NULL;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
            ch == '-' || ch == '.' || ch == '_' || ch == '~') {
            *o++ = (char)ch;
        } else {
            snprintf(o, 4, "%%%02X", ch);
            o += 3;
        }
    }
    *o = '\0';
    return out;
}

char *totp_uri(struct pool *p, const unsigned char *secret, size_t len, const char *issuer,
               const char *account)
{
    char *b32 = totp_base32(p, secret, len), *is = pct(p, issuer), *ac = pct(p, account);
    if (!b32 || !is || !ac)
        return NULL;
    return pool_printf(
        p, "otpauth://totp/%s:%s?secret=%s&issuer=%s&algorithm=SHA1&digits=%d&period=%d", is, ac,
        b32, is, TOTP_DIGITS, TOTP_PERIOD);
}

/* RFC 4648 base32, lower case: letters and 2-7, no 0/1/8/9 to misread. */
static const char b32_alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

void totp_recovery_new(char out[TOTP_RECOVERY_TEXT + 1], unsigned char hash[32])
{
    unsigned char raw[TOTP_RECOVERY_BYTES];
    char plain[TOTP_RECOVERY_CHARS + 1];
    size_t bit = 0, o = 0;
    randombytes_buf(raw, sizeof raw);
    for (size_t i = 0; i < TOTP_RECOVERY_CHARS; i++, bit += 5) {
        unsigned v = 0;
        for (size_t b = 0; b < 5; b++)
            v = (v << 1) | ((raw[(bit + b) / 8] >> (7 - (bit + b) % 8)) & 1u);
        plain[i] = b32_alphabet[v];
    }
    plain[TOTP_RECOVERY_CHARS] = '\0';
    for (size_t i = 0; i < TOTP_RECOVERY_CHARS; i++) {
        if (i && i % 4 == 0)
            out[o++] = '-';
        out[o++] = plain[i];
    }
    out[o] = '\0';
    crypto_hash_sha256(hash, (const unsigned char *)plain, TOTP_RECOVERY_CHARS);
    sodium_memzero(raw, sizeof raw);
    sodium_memzero(plain, sizeof plain);
}

int totp_recovery_hash(const char *typed, unsigned char hash[32])
{
    char plain[TOTP_RECOVERY_CHARS + 1];
    size_t n = 0;
    int rc = -1;
    for (const char *s = typed ? typed : ""; *s; s++) {
        char ch = *s;
        if (ch == '-' || ch == ' ')
            continue;
        if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        if (n == TOTP_RECOVERY_CHARS || !strchr(b32_alphabet, ch) || ch == '\0')
            goto out;
        plain[n++] = ch;
    }
    if (n != TOTP_RECOVERY_CHARS)
        goto out;
    crypto_hash_sha256(hash, (const unsigned char *)plain, TOTP_RECOVERY_CHARS);
    rc = 0;
out:
    sodium_memzero(plain, sizeof plain);
    return rc;
}
