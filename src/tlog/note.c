/* note.c — C2SP signed notes with Ed25519, and key strings. */
#include "tlog/note.h"

#include "base/util.h"

#include <sodium.h>
#include <string.h>

static const char EM_DASH_SP[] = "\xe2\x80\x94 "; /* U+2014 and a space */
#define EM_DASH_SP_LEN 4
static const char SIGNER_PREFIX[] = "PRIVATE+KEY+";
#define SIGNER_PREFIX_LEN 12

static int crypto_ready(struct err *e)
{
    if (sodium_init() < 0)
        return err_set(e, ERR_CRYPTO, "libsodium could not be initialised");
    return 0;
}

/* Decodes one code point of well-formed UTF-8 at s (n bytes left); sets *used. */
static uint32_t utf8_next(const unsigned char *s, size_t n, size_t *used)
{
    uint32_t c = s[0];
    if (c < 0x80 || n < 2) {
        *used = 1;
        return c;
    }
    if (c < 0xe0) {
        *used = 2;
        return ((c & 0x1f) << 6) | (s[1] & 0x3f);
    }
    if (c < 0xf0 || n < 4) {
        *used = n < 3 ? n : 3;
        return n < 3 ? 0xfffd : ((c & 0x0f) << 12) | ((uint32_t)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
    }
    *used = 4;
    return ((c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3f) << 12) | ((uint32_t)(s[2] & 0x3f) << 6) |
           (s[3] & 0x3f);
}

/* Unicode White_Space code points. */
static int unicode_space(uint32_t c)
{
    return (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0x85 || c == 0xa0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f ||
           c == 0x205f || c == 0x3000;
}

int tlog_name_valid(const char *name, size_t len)
{
    if (len == 0 || len > TLOG_NAME_MAX || !utf8_valid(name, len))
        return 0;
    const unsigned char *s = (const unsigned char *)name;
    for (size_t i = 0; i < len;) {
        size_t used;
        uint32_t c = utf8_next(s + i, len - i, &used);
        if (c < 0x20 || c == 0x7f || c == '+' || unicode_space(c))
            return 0;
        i += used;
    }
    return 1;
}

void tlog_key_id(const char *name, const unsigned char pk[TLOG_PUBLIC_KEY_SIZE],
                 unsigned char out[TLOG_KEY_ID_SIZE])
{
    tlog_key_id_alg(name, TLOG_ALG_ED25519, pk, out);
}

void tlog_key_id_alg(const char *name, unsigned char alg,
                     const unsigned char pk[TLOG_PUBLIC_KEY_SIZE],
                     unsigned char out[TLOG_KEY_ID_SIZE])
{
    const unsigned char sep[2] = {'\n', alg};
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)name, strlen(name));
    crypto_hash_sha256_update(&st, sep, sizeof sep);
    crypto_hash_sha256_update(&st, pk, TLOG_PUBLIC_KEY_SIZE);
    crypto_hash_sha256_final(&st, h);
    memcpy(out, h, TLOG_KEY_ID_SIZE);
}

/* Decodes canonical, padded standard base64 s[0..len) into at most max bytes.
 * Canonical: re-encoding gives back exactly s (no stray bits, no whitespace). */
static int b64_decode(unsigned char *bin, size_t max, size_t *bin_len, const char *s, size_t len)
{
    size_t n = 0;
    char check[TLOG_SIG_MAX * 4 / 3 + 8];
    if (len == 0 || len % 4 != 0 || len >= sizeof check)
        return -1;
    if (sodium_base642bin(bin, max, s, len, NULL, &n, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
        return -1;
    if (sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL) != len + 1)
        return -1;
    sodium_bin2base64(check, sizeof check, bin, n, sodium_base64_VARIANT_ORIGINAL);
    int same = memcmp(check, s, len) == 0;
    sodium_memzero(check, len + 1); /* it may be the encoding of a secret seed */
    if (!same)
        return -1;
    *bin_len = n;
    return 0;
}

int tlog_verifier_init(struct tlog_verifier *v, const char *name,
                       const unsigned char pk[TLOG_PUBLIC_KEY_SIZE], struct err *e)
{
    char n[TLOG_NAME_MAX + 1];
    unsigned char k[TLOG_PUBLIC_KEY_SIZE];
    size_t len = strnlen(name, TLOG_NAME_MAX + 1);
    if (!tlog_name_valid(name, len))
        return err_set(e, ERR_INVALID,
                       "key name must be 1 to %d bytes of UTF-8 without spaces, '+' or control "
                       "characters",
                       TLOG_NAME_MAX);
    /* copies first: name or pk may point into v */
    memcpy(n, name, len);
    memcpy(k, pk, TLOG_PUBLIC_KEY_SIZE);
    memset(v, 0, sizeof *v);
    memcpy(v->name, n, len);
    memcpy(v->pk, k, TLOG_PUBLIC_KEY_SIZE);
    tlog_key_id(v->name, v->pk, v->key_id);
    return 0;
}

int tlog_key_string_format(char *out, size_t cap, const char *prefix, const char *name,
                           const unsigned char key_id[TLOG_KEY_ID_SIZE], unsigned char alg,
                           const unsigned char key[32], struct err *e)
{
    unsigned char typed[33];
    char hex[2 * TLOG_KEY_ID_SIZE + 1];
    char b64[sodium_base64_ENCODED_LEN(33, sodium_base64_VARIANT_ORIGINAL)];
    int rc = -1, n;

    typed[0] = alg;
    memcpy(typed + 1, key, 32);
    hex_encode(hex, key_id, TLOG_KEY_ID_SIZE);
    sodium_bin2base64(b64, sizeof b64, typed, sizeof typed, sodium_base64_VARIANT_ORIGINAL);
    n = snprintf(out, cap, "%s%s+%s+%s", prefix, name, hex, b64);
    if (n < 0 || (size_t)n >= cap) {
        err_set(e, ERR_INTERNAL, "key string does not fit its buffer");
        goto out;
    }
    rc = 0;
out:
    sodium_memzero(typed, sizeof typed);
    sodium_memzero(b64, sizeof b64);
    return rc;
}

int tlog_verifier_format(const struct tlog_verifier *v, char out[TLOG_VERIFIER_KEY_MAX],
                         struct err *e)
{
    return tlog_key_string_format(out, TLOG_VERIFIER_KEY_MAX, "", v->name, v->key_id,
                                  TLOG_ALG_ED25519, v->pk, e);
}

int tlog_key_string_parse(const char *s, size_t len, unsigned char alg,
                          char name[TLOG_NAME_MAX + 1], unsigned char key_id[TLOG_KEY_ID_SIZE],
                          unsigned char key[32], struct err *e)
{
    int rc = -1;
    const char *p1, *p2;
    char hex[2 * TLOG_KEY_ID_SIZE + 1];
    unsigned char typed[33];
    size_t n = 0;

    if (len > TLOG_VERIFIER_KEY_MAX || memchr(s, '\0', len)) {
        err_set(e, ERR_INVALID, "key string is malformed or longer than %d bytes",
                TLOG_VERIFIER_KEY_MAX - 1);
        goto out;
    }
    p1 = memchr(s, '+', len);
    p2 = p1 ? memchr(p1 + 1, '+', len - (size_t)(p1 + 1 - s)) : NULL;
    if (!p2) {
        err_set(e, ERR_INVALID, "key string must be <name>+<key id>+<key>");
        goto out;
    }
    if (!tlog_name_valid(s, (size_t)(p1 - s))) {
        err_set(e, ERR_INVALID, "key string has an invalid key name");
        goto out;
    }
    memcpy(name, s, (size_t)(p1 - s));
    name[p1 - s] = '\0';
    if (p2 - p1 - 1 != 2 * TLOG_KEY_ID_SIZE) {
        err_set(e, ERR_INVALID, "key id in a key string must be 8 hex digits");
        goto out;
    }
    memcpy(hex, p1 + 1, 2 * TLOG_KEY_ID_SIZE);
    hex[2 * TLOG_KEY_ID_SIZE] = '\0';
    for (size_t i = 0; i < 2 * TLOG_KEY_ID_SIZE; i++)
        if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
            hex[0] = 'x'; /* only lowercase, as written: makes hex_decode fail */
    if (hex_decode(key_id, TLOG_KEY_ID_SIZE, hex) != 0) {
        err_set(e, ERR_INVALID, "key id in a key string must be 8 lowercase hex digits");
        goto out;
    }
    if (b64_decode(typed, sizeof typed, &n, p2 + 1, len - (size_t)(p2 + 1 - s)) != 0 ||
        n != sizeof typed) {
        err_set(e, ERR_INVALID, "key in a key string must be canonical base64 of 33 bytes");
        goto out;
    }
    if (typed[0] != alg) {
        err_set(e, ERR_INVALID, "key type 0x%02x is not the expected type 0x%02x", typed[0], alg);
        goto out;
    }
    memcpy(key, typed + 1, 32);
    rc = 0;
out:
    sodium_memzero(typed, sizeof typed);
    return rc;
}

int tlog_verifier_parse(struct tlog_verifier *v, const char *s, size_t len, struct err *e)
{
    unsigned char id[TLOG_KEY_ID_SIZE];
    memset(v, 0, sizeof *v);
    if (tlog_key_string_parse(s, len, TLOG_ALG_ED25519, v->name, id, v->pk, e) != 0)
        return -1;
    tlog_key_id(v->name, v->pk, v->key_id);
    if (memcmp(id, v->key_id, TLOG_KEY_ID_SIZE) != 0)
        return err_set(e, ERR_INVALID, "key id in the key string does not match its name and key");
    return 0;
}

int tlog_signer_from_seed_alg(struct tlog_signer *s, const char *name, unsigned char alg,
                              const unsigned char seed[TLOG_SEED_SIZE], struct err *e)
{
    unsigned char pk[TLOG_PUBLIC_KEY_SIZE];
    if (crypto_ready(e) != 0)
        return -1;
    if (crypto_sign_seed_keypair(pk, s->sk, seed) != 0) {
        tlog_signer_wipe(s);
        return err_set(e, ERR_CRYPTO, "could not derive an Ed25519 key pair");
    }
    if (tlog_verifier_init(&s->pub, name, pk, e) != 0) {
        tlog_signer_wipe(s);
        return -1;
    }
    tlog_key_id_alg(s->pub.name, alg, s->pub.pk, s->pub.key_id);
    return 0;
}

int tlog_signer_from_seed(struct tlog_signer *s, const char *name,
                          const unsigned char seed[TLOG_SEED_SIZE], struct err *e)
{
    return tlog_signer_from_seed_alg(s, name, TLOG_ALG_ED25519, seed, e);
}

int tlog_signer_generate(struct tlog_signer *s, const char *name, struct err *e)
{
    unsigned char seed[TLOG_SEED_SIZE];
    int rc;
    if (crypto_ready(e) != 0)
        return -1;
    randombytes_buf(seed, sizeof seed);
    rc = tlog_signer_from_seed(s, name, seed, e);
    sodium_memzero(seed, sizeof seed);
    return rc;
}

void tlog_signer_wipe(struct tlog_signer *s)
{
    sodium_memzero(s, sizeof *s);
}

int tlog_signer_format(const struct tlog_signer *s, char out[TLOG_SIGNER_KEY_MAX], struct err *e)
{
    unsigned char seed[TLOG_SEED_SIZE];
    int rc;
    crypto_sign_ed25519_sk_to_seed(seed, s->sk);
    rc = tlog_key_string_format(out, TLOG_SIGNER_KEY_MAX, SIGNER_PREFIX, s->pub.name, s->pub.key_id,
                                TLOG_ALG_ED25519, seed, e);
    sodium_memzero(seed, sizeof seed);
    return rc;
}

int tlog_signer_parse_alg(struct tlog_signer *signer, const char *s, size_t len, unsigned char alg,
                          struct err *e)
{
    int rc = -1;
    unsigned char seed[TLOG_SEED_SIZE], id[TLOG_KEY_ID_SIZE];
    char name[TLOG_NAME_MAX + 1];

    if (len < SIGNER_PREFIX_LEN || memcmp(s, SIGNER_PREFIX, SIGNER_PREFIX_LEN) != 0) {
        err_set(e, ERR_INVALID, "signer key string must start with PRIVATE+KEY+");
        goto out;
    }
    if (tlog_key_string_parse(s + SIGNER_PREFIX_LEN, len - SIGNER_PREFIX_LEN, alg, name, id, seed,
                              e) != 0)
        goto out;
    if (tlog_signer_from_seed_alg(signer, name, alg, seed, e) != 0)
        goto out;
    if (memcmp(id, signer->pub.key_id, TLOG_KEY_ID_SIZE) != 0) {
        err_set(e, ERR_INVALID, "key id in the signer key string does not match its name and key");
        goto out;
    }
    rc = 0;
out:
    if (rc != 0)
        tlog_signer_wipe(signer);
    sodium_memzero(seed, sizeof seed);
    return rc;
}

int tlog_signer_parse(struct tlog_signer *signer, const char *s, size_t len, struct err *e)
{
    return tlog_signer_parse_alg(signer, s, len, TLOG_ALG_ED25519, e);
}

int tlog_note_sig_is(const struct tlog_note_sig *sig, const struct tlog_verifier *v)
{
    size_t name_len = strlen(v->name);
    return sig->name_len == name_len && memcmp(sig->name, v->name, name_len) == 0 &&
           memcmp(sig->key_id, v->key_id, TLOG_KEY_ID_SIZE) == 0;
}

int tlog_note_sig_decode(const struct tlog_note_sig *sig, unsigned char *bin, size_t max,
                         size_t *len)
{
    return b64_decode(bin, max, len, sig->b64, sig->b64_len);
}

int tlog_note_sig_line(struct buf *out, const char *name, const unsigned char *bin, size_t n,
                       struct err *e)
{
    char b64[sodium_base64_ENCODED_LEN(TLOG_SIG_MAX, sodium_base64_VARIANT_ORIGINAL)];
    if (n > TLOG_SIG_MAX)
        return err_set(e, ERR_INVALID, "a signature is longer than %d bytes", TLOG_SIG_MAX);
    sodium_bin2base64(b64, sizeof b64, bin, n, sodium_base64_VARIANT_ORIGINAL);
    if (buf_puts(out, EM_DASH_SP, e) != 0 || buf_puts(out, name, e) != 0 ||
        buf_printf(out, e, " %s\n", b64) != 0)
        return -1;
    return 0;
}

/* Checks the byte rules shared by whole notes and texts to sign. */
static int note_bytes_ok(const char *s, size_t len, struct err *e)
{
    if (!utf8_valid(s, len))
        return err_set(e, ERR_INVALID, "note is not valid UTF-8");
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 && s[i] != '\n')
            return err_set(e, ERR_INVALID, "note contains a control character (byte 0x%02x)",
                           (unsigned char)s[i]);
    return 0;
}

static int parse_sig_line(struct tlog_note_sig *sig, const char *line, size_t len, struct err *e)
{
    int rc = -1;
    unsigned char bin[TLOG_SIG_MAX];
    size_t n = 0;
    const char *sp;

    if (len < EM_DASH_SP_LEN || memcmp(line, EM_DASH_SP, EM_DASH_SP_LEN) != 0) {
        err_set(e, ERR_INVALID, "signature line must start with an em dash (U+2014) and a space");
        goto out;
    }
    line += EM_DASH_SP_LEN;
    len -= EM_DASH_SP_LEN;
    sp = memchr(line, ' ', len);
    if (!sp) {
        err_set(e, ERR_INVALID, "signature line must be \"— <name> <signature>\"");
        goto out;
    }
    sig->name = line;
    sig->name_len = (size_t)(sp - line);
    if (!tlog_name_valid(sig->name, sig->name_len)) {
        err_set(e, ERR_INVALID, "signature line has an invalid key name");
        goto out;
    }
    sig->b64 = sp + 1;
    sig->b64_len = len - sig->name_len - 1;
    if (b64_decode(bin, sizeof bin, &n, sig->b64, sig->b64_len) != 0 || n <= TLOG_KEY_ID_SIZE) {
        err_set(e, ERR_INVALID, "signature must be canonical base64 of 5 to %d bytes",
                TLOG_SIG_MAX);
        goto out;
    }
    memcpy(sig->key_id, bin, TLOG_KEY_ID_SIZE);
    rc = 0;
out:
    return rc;
}

int tlog_note_parse(struct tlog_note *n, const char *msg, size_t len, struct err *e)
{
    size_t split, pos;

    n->text = NULL;
    n->text_len = 0;
    n->nsigs = 0;
    if (len > TLOG_NOTE_MAX)
        return err_set(e, ERR_TOO_LARGE, "note is longer than %d bytes", TLOG_NOTE_MAX);
    if (note_bytes_ok(msg, len, e) != 0)
        return -1;
    if (len == 0 || msg[len - 1] != '\n')
        return err_set(e, ERR_INVALID, "note must end with a newline");
    /* The text ends at the last blank line. */
    for (split = len - 1; split > 0; split--)
        if (msg[split - 1] == '\n' && msg[split] == '\n')
            break;
    if (split == 0)
        return err_set(e, ERR_INVALID, "note has no blank line before its signatures");
    n->text = msg;
    n->text_len = split; /* includes the text's final newline at split-1 */
    pos = split + 1;
    if (pos == len)
        return err_set(e, ERR_INVALID, "note has no signature");
    while (pos < len) {
        const char *nl = memchr(msg + pos, '\n', len - pos);
        size_t line_len = (size_t)(nl - (msg + pos));
        if (n->nsigs == TLOG_NOTE_SIGS_MAX)
            return err_set(e, ERR_TOO_LARGE, "note has more than %d signatures",
                           TLOG_NOTE_SIGS_MAX);
        if (parse_sig_line(&n->sigs[n->nsigs], msg + pos, line_len, e) != 0)
            return -1;
        n->nsigs++;
        pos += line_len + 1;
    }
    return 0;
}

int tlog_note_verify(const struct tlog_note *n, const struct tlog_verifier *v, struct err *e)
{
    int found = 0;
    unsigned char bin[TLOG_SIG_MAX];

    if (crypto_ready(e) != 0)
        return -1;
    for (size_t i = 0; i < n->nsigs; i++) {
        const struct tlog_note_sig *sig = &n->sigs[i];
        size_t len = 0;
        if (!tlog_note_sig_is(sig, v))
            continue; /* someone else's signature */
        if (tlog_note_sig_decode(sig, bin, sizeof bin, &len) != 0 ||
            len != TLOG_KEY_ID_SIZE + TLOG_SIGNATURE_SIZE)
            return err_set(e, ERR_CRYPTO, "signature by %s is not an Ed25519 signature", v->name);
        if (crypto_sign_verify_detached(bin + TLOG_KEY_ID_SIZE, (const unsigned char *)n->text,
                                        n->text_len, v->pk) != 0)
            return err_set(e, ERR_CRYPTO, "signature by %s does not verify", v->name);
        found = 1;
    }
    if (!found)
        return err_set(e, ERR_CRYPTO, "note is not signed by %s", v->name);
    return 0;
}

int tlog_note_sign(const char *text, size_t len, const struct tlog_signer *s, struct buf *out,
                   struct err *e)
{
    unsigned char bin[TLOG_KEY_ID_SIZE + TLOG_SIGNATURE_SIZE];

    if (crypto_ready(e) != 0)
        return -1;
    if (len == 0 || text[len - 1] != '\n')
        return err_set(e, ERR_INVALID, "note text must be non-empty and end with a newline");
    if (len > TLOG_NOTE_MAX)
        return err_set(e, ERR_TOO_LARGE, "note text is longer than %d bytes", TLOG_NOTE_MAX);
    if (note_bytes_ok(text, len, e) != 0)
        return -1;
    memcpy(bin, s->pub.key_id, TLOG_KEY_ID_SIZE);
    if (crypto_sign_detached(bin + TLOG_KEY_ID_SIZE, NULL, (const unsigned char *)text, len,
                             s->sk) != 0)
        return err_set(e, ERR_CRYPTO, "Ed25519 signing failed");
    if (buf_append(out, text, len, e) != 0 || buf_puts(out, "\n", e) != 0 ||
        tlog_note_sig_line(out, s->pub.name, bin, sizeof bin, e) != 0)
        return -1;
    return 0;
}
