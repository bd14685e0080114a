/* checkpoint.c — checkpoint note texts: format, strict parse, sign, open. */
#include "tlog/checkpoint.h"

#include "tlog/proof.h"

#include <inttypes.h>
#include <sodium.h>
#include <string.h>

#define ROOT_B64_LEN 44 /* base64 of 32 bytes, with one '=' */

/* Checks one DNS label s[0..n). */
static int label_ok(const char *s, size_t n)
{
    if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return 0;
    return 1;
}

int tlog_origin_check(const char *origin, struct err *e)
{
    size_t len = strnlen(origin, TLOG_NAME_MAX + 1), host_len, dots = 0;
    const char *slash, *colon, *p;

    if (len == 0)
        return err_set(e, ERR_INVALID, "the log origin is empty (e.g. example.gov/dissent)");
    if (len > TLOG_NAME_MAX)
        return err_set(e, ERR_INVALID, "the log origin is longer than %d bytes", TLOG_NAME_MAX);
    if (strstr(origin, "://"))
        return err_set(e, ERR_INVALID,
                       "the log origin \"%s\" has a scheme: write it without one "
                       "(C2SP tlog-checkpoint: a schema-less URL, e.g. example.gov/dissent)",
                       origin);
    if (!tlog_name_valid(origin, len))
        return err_set(e, ERR_INVALID,
                       "the log origin must hold no space, '+' or control character "
                       "(C2SP tlog-checkpoint, signed-note key names)");
    slash = strchr(origin, '/');
    host_len = slash ? (size_t)(slash - origin) : len;
    colon = memchr(origin, ':', host_len);
    if (colon) {
        size_t digits = host_len - (size_t)(colon + 1 - origin);
        if (digits == 0 || digits > 5 || strspn(colon + 1, "0123456789") < digits)
            return err_set(e, ERR_INVALID, "the port of the log origin must be 1 to 5 digits");
        host_len = (size_t)(colon - origin);
    }
    for (p = origin;;) {
        const char *dot = memchr(p, '.', host_len - (size_t)(p - origin));
        size_t n = dot ? (size_t)(dot - p) : host_len - (size_t)(p - origin);
        if (!label_ok(p, n))
            return err_set(e, ERR_INVALID,
                           "the host of the log origin \"%.*s\" is not a lowercase DNS name "
                           "(labels of letters, digits and '-', e.g. example.gov)",
                           (int)host_len, origin);
        if (!dot)
            break;
        dots++;
        p = dot + 1;
    }
    if (dots == 0)
        return err_set(e, ERR_INVALID,
                       "the host of the log origin must be a domain name with a dot, naming "
                       "the institution (e.g. example.gov/dissent)");
    if (slash) {
        for (p = slash; *p; p++)
            if (*p <= 0x20 || *p >= 0x7f || *p == '\\' || *p == '?' || *p == '#')
                return err_set(e, ERR_INVALID,
                               "the path of the log origin must be printable ASCII without "
                               "'\\', '?' or '#'");
        if (origin[len - 1] == '/')
            return err_set(e, ERR_INVALID, "the log origin must not end with '/'");
    }
    return 0;
}

int tlog_checkpoint_init(struct tlog_checkpoint *c, const char *origin, uint64_t size,
                         const unsigned char root[TLOG_HASH_SIZE], struct err *e)
{
    size_t len = strnlen(origin, TLOG_NAME_MAX + 1);
    if (!tlog_name_valid(origin, len))
        return err_set(e, ERR_INVALID,
                       "checkpoint origin must be 1 to %d bytes of UTF-8 without spaces, '+' or "
                       "control characters",
                       TLOG_NAME_MAX);
    if (size > TLOG_MAX_SIZE)
        return err_set(e, ERR_INVALID, "tree size %" PRIu64 " is over the limit of %" PRIu64, size,
                       TLOG_MAX_SIZE);
    memcpy(c->origin, origin, len);
    c->origin[len] = '\0';
    c->size = size;
    memcpy(c->root, root, TLOG_HASH_SIZE);
    return 0;
}

int tlog_checkpoint_format(const struct tlog_checkpoint *c, struct buf *out, struct err *e)
{
    char b64[ROOT_B64_LEN + 1];
    sodium_bin2base64(b64, sizeof b64, c->root, TLOG_HASH_SIZE, sodium_base64_VARIANT_ORIGINAL);
    return buf_printf(out, e, "%s\n%" PRIu64 "\n%s\n", c->origin, c->size, b64);
}

/* Parses a canonical decimal: "0" or [1-9][0-9]*, at most TLOG_MAX_SIZE. */
static int parse_size(const char *s, size_t len, uint64_t *out)
{
    uint64_t v = 0;
    if (len == 0 || len > 19 || (len > 1 && s[0] == '0'))
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (TLOG_MAX_SIZE - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

int tlog_checkpoint_parse(struct tlog_checkpoint *c, const char *text, size_t len, struct err *e)
{
    const char *line[3];
    size_t line_len[3];
    size_t pos = 0, n = 0;
    unsigned char root[TLOG_HASH_SIZE];
    char check[ROOT_B64_LEN + 1];
    uint64_t size;

    if (len == 0 || text[len - 1] != '\n')
        return err_set(e, ERR_INVALID, "checkpoint text must end with a newline");
    for (int i = 0; i < 3; i++) {
        if (pos >= len)
            return err_set(e, ERR_INVALID,
                           "checkpoint text must have three lines (origin, size, root)");
        const char *nl = memchr(text + pos, '\n', len - pos);
        line[i] = text + pos;
        line_len[i] = (size_t)(nl - line[i]);
        pos += line_len[i] + 1;
    }
    if (pos != len)
        return err_set(e, ERR_INVALID,
                       "checkpoint has extension lines, which dissent does not accept");
    if (!tlog_name_valid(line[0], line_len[0]))
        return err_set(e, ERR_INVALID, "checkpoint origin is empty or not a valid key name");
    if (parse_size(line[1], line_len[1], &size) != 0)
        return err_set(e, ERR_INVALID,
                       "checkpoint tree size must be a decimal number without leading zeros, at "
                       "most %" PRIu64,
                       TLOG_MAX_SIZE);
    if (line_len[2] != ROOT_B64_LEN ||
        sodium_base642bin(root, sizeof root, line[2], line_len[2], NULL, &n, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        n != TLOG_HASH_SIZE)
        return err_set(e, ERR_INVALID, "checkpoint root must be the base64 of 32 bytes");
    sodium_bin2base64(check, sizeof check, root, sizeof root, sodium_base64_VARIANT_ORIGINAL);
    if (memcmp(check, line[2], ROOT_B64_LEN) != 0)
        return err_set(e, ERR_INVALID, "checkpoint root is not canonical base64");
    memcpy(c->origin, line[0], line_len[0]);
    c->origin[line_len[0]] = '\0';
    c->size = size;
    memcpy(c->root, root, TLOG_HASH_SIZE);
    return 0;
}

int tlog_checkpoint_sign(const struct tlog_checkpoint *c, const struct tlog_signer *s,
                         struct buf *out, struct err *e)
{
    int rc = -1;
    struct buf text;
    buf_init(&text, TLOG_NAME_MAX + 128);
    if (strcmp(c->origin, s->pub.name) != 0) {
        err_set(e, ERR_INVALID, "checkpoint origin \"%s\" differs from the signing key name \"%s\"",
                c->origin, s->pub.name);
        goto out;
    }
    if (tlog_checkpoint_format(c, &text, e) != 0)
        goto out;
    if (tlog_note_sign(text.data, text.len, s, out, e) != 0)
        goto out;
    rc = 0;
out:
    buf_release(&text);
    return rc;
}

int tlog_checkpoint_open(struct tlog_checkpoint *c, const char *msg, size_t len,
                         const struct tlog_verifier *v, struct err *e)
{
    struct tlog_note note;
    struct tlog_checkpoint tmp;
    if (tlog_note_parse(&note, msg, len, e) != 0)
        return -1;
    if (tlog_note_verify(&note, v, e) != 0)
        return -1;
    if (tlog_checkpoint_parse(&tmp, note.text, note.text_len, e) != 0)
        return -1;
    if (strcmp(tmp.origin, v->name) != 0)
        return err_set(e, ERR_INVALID, "checkpoint origin differs from the log's key name \"%s\"",
                       v->name);
    *c = tmp;
    return 0;
}
