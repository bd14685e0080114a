/* cosignature.c — C2SP cosignature/v1: witness keys, cosigning, verifying. */
#include "tlog/cosignature.h"

#include "base/util.h"

#include <inttypes.h>
#include <sodium.h>
#include <string.h>

static const char PRIVATE_PREFIX[] = "PRIVATE+KEY+";
/* "cosignature/v1\ntime " + 19 digits + "\n" */
#define HEADER_MAX 48

/* Makes the signed message of a cosignature: header, time line, note text. */
static int signed_message(struct buf *msg, const char *text, size_t len, uint64_t timestamp,
                          struct err *e)
{
    if (buf_printf(msg, e, "cosignature/v1\ntime %" PRIu64 "\n", timestamp) != 0)
        return -1;
    return buf_append(msg, text, len, e);
}

static void put_be64(unsigned char *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (unsigned char)(v & 0xff);
        v >>= 8;
    }
}

static uint64_t get_be64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return v;
}

int tlog_cosigner_generate(struct tlog_signer *s, const char *name, struct err *e)
{
    unsigned char seed[TLOG_SEED_SIZE];
    int rc;
    if (sodium_init() < 0)
        return err_set(e, ERR_CRYPTO, "libsodium could not be initialised");
    randombytes_buf(seed, sizeof seed);
    rc = tlog_signer_from_seed_alg(s, name, TLOG_ALG_COSIGNATURE_V1, seed, e);
    sodium_memzero(seed, sizeof seed);
    return rc;
}

int tlog_cosigner_format(const struct tlog_signer *s, char out[TLOG_SIGNER_KEY_MAX], struct err *e)
{
    unsigned char seed[TLOG_SEED_SIZE];
    int rc;
    crypto_sign_ed25519_sk_to_seed(seed, s->sk);
    rc = tlog_key_string_format(out, TLOG_SIGNER_KEY_MAX, PRIVATE_PREFIX, s->pub.name,
                                s->pub.key_id, TLOG_ALG_COSIGNATURE_V1, seed, e);
    sodium_memzero(seed, sizeof seed);
    return rc;
}

int tlog_cosigner_parse(struct tlog_signer *signer, const char *s, size_t len, struct err *e)
{
    return tlog_signer_parse_alg(signer, s, len, TLOG_ALG_COSIGNATURE_V1, e);
}

int tlog_cosigner_key_format(const struct tlog_verifier *v, char out[TLOG_VERIFIER_KEY_MAX],
                             struct err *e)
{
    return tlog_key_string_format(out, TLOG_VERIFIER_KEY_MAX, "", v->name, v->key_id,
                                  TLOG_ALG_COSIGNATURE_V1, v->pk, e);
}

int tlog_cosigner_key_parse(struct tlog_verifier *v, const char *s, size_t len, struct err *e)
{
    unsigned char id[TLOG_KEY_ID_SIZE];
    memset(v, 0, sizeof *v);
    if (tlog_key_string_parse(s, len, TLOG_ALG_COSIGNATURE_V1, v->name, id, v->pk, e) != 0)
        return -1;
    tlog_key_id_alg(v->name, TLOG_ALG_COSIGNATURE_V1, v->pk, v->key_id);
    if (memcmp(id, v->key_id, TLOG_KEY_ID_SIZE) != 0)
        return err_set(e, ERR_INVALID,
                       "key id in the witness key string does not match its name and key");
    return 0;
}

int tlog_cosign(const char *text, size_t len, uint64_t timestamp, const struct tlog_signer *s,
                struct buf *out, struct err *e)
{
    int rc = -1;
    unsigned char bin[TLOG_COSIGNATURE_SIZE];
    struct buf msg;

    buf_init(&msg, TLOG_NOTE_MAX + HEADER_MAX);
    if (sodium_init() < 0) {
        err_set(e, ERR_CRYPTO, "libsodium could not be initialised");
        goto out;
    }
    if (len == 0 || text[len - 1] != '\n') {
        err_set(e, ERR_INVALID, "note text must be non-empty and end with a newline");
        goto out;
    }
    if (timestamp > TLOG_COSIGNATURE_TIME_MAX) {
        err_set(e, ERR_INVALID, "cosignature time %" PRIu64 " is over 2^63-1", timestamp);
        goto out;
    }
    if (signed_message(&msg, text, len, timestamp, e) != 0)
        goto out;
    memcpy(bin, s->pub.key_id, TLOG_KEY_ID_SIZE);
    put_be64(bin + TLOG_KEY_ID_SIZE, timestamp);
    if (crypto_sign_detached(bin + TLOG_KEY_ID_SIZE + 8, NULL, (const unsigned char *)msg.data,
                             msg.len, s->sk) != 0) {
        err_set(e, ERR_CRYPTO, "Ed25519 signing failed");
        goto out;
    }
    if (tlog_note_sig_line(out, s->pub.name, bin, sizeof bin, e) != 0)
        goto out;
    rc = 0;
out:
    buf_release(&msg);
    return rc;
}

int tlog_cosignature_verify(const struct tlog_note *n, const struct tlog_verifier *v,
                            uint64_t *timestamp, struct err *e)
{
    int rc = -1, found = 0;
    uint64_t latest = 0;
    char hex[2 * TLOG_KEY_ID_SIZE + 1];
    struct buf msg;

    buf_init(&msg, TLOG_NOTE_MAX + HEADER_MAX);
    hex_encode(hex, v->key_id, TLOG_KEY_ID_SIZE);
    if (sodium_init() < 0) {
        err_set(e, ERR_CRYPTO, "libsodium could not be initialised");
        goto out;
    }
    for (size_t i = 0; i < n->nsigs; i++) {
        const struct tlog_note_sig *sig = &n->sigs[i];
        unsigned char bin[TLOG_COSIGNATURE_SIZE + 1];
        size_t len = 0;
        uint64_t t;
        if (!tlog_note_sig_is(sig, v))
            continue; /* another key's signature */
        if (tlog_note_sig_decode(sig, bin, sizeof bin, &len) != 0 || len != TLOG_COSIGNATURE_SIZE) {
            err_set(e, ERR_CRYPTO, "cosignature by witness %s (key id %s) is malformed", v->name,
                    hex);
            goto out;
        }
        t = get_be64(bin + TLOG_KEY_ID_SIZE);
        if (t > TLOG_COSIGNATURE_TIME_MAX) {
            err_set(e, ERR_CRYPTO, "cosignature by witness %s (key id %s) has a time over 2^63-1",
                    v->name, hex);
            goto out;
        }
        buf_reset(&msg);
        if (signed_message(&msg, n->text, n->text_len, t, e) != 0)
            goto out;
        if (crypto_sign_verify_detached(bin + TLOG_KEY_ID_SIZE + 8, (const unsigned char *)msg.data,
                                        msg.len, v->pk) != 0) {
            err_set(e, ERR_CRYPTO, "cosignature by witness %s (key id %s) does not verify", v->name,
                    hex);
            goto out;
        }
        if (!found || t > latest)
            latest = t;
        found = 1;
    }
    if (!found) {
        err_set(e, ERR_CRYPTO, "checkpoint has no cosignature by witness %s (key id %s)", v->name,
                hex);
        goto out;
    }
    if (timestamp)
        *timestamp = latest;
    rc = 0;
out:
    buf_release(&msg);
    return rc;
}
