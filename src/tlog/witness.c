/* witness.c — add-checkpoint: parse, check against the last cosigned
 * checkpoint, verify consistency, save, cosign. */
#include "tlog/witness.h"

#include "base/util.h"
#include "tlog/checkpoint.h"
#include "tlog/cosignature.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define HASH_B64_LEN 44

void tlog_witness_init(struct tlog_witness *w, const struct tlog_signer *key,
                       const struct tlog_witness_store *store)
{
    memset(w, 0, sizeof *w);
    w->key = *key;
    w->store = *store;
}

void tlog_witness_release(struct tlog_witness *w)
{
    tlog_signer_wipe(&w->key);
}

int tlog_witness_add_log(struct tlog_witness *w, const struct tlog_verifier *log, struct err *e)
{
    for (size_t i = 0; i < w->nlogs; i++)
        if (strcmp(w->logs[i].name, log->name) == 0)
            return err_set(e, ERR_INVALID, "log %s is given twice", log->name);
    if (w->nlogs == TLOG_WITNESS_LOGS_MAX)
        return err_set(e, ERR_INVALID, "a witness follows at most %d logs", TLOG_WITNESS_LOGS_MAX);
    w->logs[w->nlogs++] = *log;
    return 0;
}

/* Canonical decimal ("0" or no leading zero), at most TLOG_MAX_SIZE. */
static int parse_dec(const char *s, size_t len, uint64_t *out)
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

int tlog_witness_parse_request(const char *body, size_t len, uint64_t *old_size,
                               struct tlog_proof *proof, size_t *note_off, struct err *e)
{
    size_t pos = 0;
    const char *nl = memchr(body, '\n', len);
    if (len < 4 || memcmp(body, "old ", 4) != 0 || !nl)
        return err_set(e, ERR_INVALID, "request must start with an \"old <size>\" line");
    if (parse_dec(body + 4, (size_t)(nl - body) - 4, old_size) != 0)
        return err_set(e, ERR_INVALID, "old size must be a decimal number without leading zeros");
    pos = (size_t)(nl - body) + 1;
    proof->len = 0;
    for (;;) {
        unsigned char h[TLOG_HASH_SIZE + 1];
        char check[HASH_B64_LEN + 1];
        size_t n = 0;
        if (pos >= len)
            return err_set(e, ERR_INVALID, "request has no blank line before the checkpoint");
        nl = memchr(body + pos, '\n', len - pos);
        if (!nl)
            return err_set(e, ERR_INVALID, "request has no blank line before the checkpoint");
        size_t ll = (size_t)(nl - (body + pos));
        if (ll == 0) {
            pos++;
            break;
        }
        if (proof->len == TLOG_PROOF_MAX - 1)
            return err_set(e, ERR_INVALID, "request has more than 63 consistency proof lines");
        if (ll != HASH_B64_LEN ||
            sodium_base642bin(h, sizeof h, body + pos, ll, NULL, &n, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0 ||
            n != TLOG_HASH_SIZE)
            return err_set(e, ERR_INVALID, "consistency proof line %zu is not base64 of 32 bytes",
                           proof->len + 1);
        sodium_bin2base64(check, sizeof check, h, TLOG_HASH_SIZE, sodium_base64_VARIANT_ORIGINAL);
        if (memcmp(check, body + pos, HASH_B64_LEN) != 0)
            return err_set(e, ERR_INVALID, "consistency proof line %zu is not canonical base64",
                           proof->len + 1);
        memcpy(proof->hash[proof->len++], h, TLOG_HASH_SIZE);
        pos += ll + 1;
    }
    *note_off = pos;
    return 0;
}

int tlog_witness_format_request(uint64_t old_size, const struct tlog_proof *proof, const char *note,
                                size_t note_len, struct buf *out, struct err *e)
{
    char b64[HASH_B64_LEN + 1];
    if (buf_printf(out, e, "old %" PRIu64 "\n", old_size) != 0)
        return -1;
    for (size_t i = 0; i < proof->len; i++) {
        sodium_bin2base64(b64, sizeof b64, proof->hash[i], TLOG_HASH_SIZE,
                          sodium_base64_VARIANT_ORIGINAL);
        if (buf_printf(out, e, "%s\n", b64) != 0)
            return -1;
    }
    if (buf_puts(out, "\n", e) != 0)
        return -1;
    return buf_append(out, note, note_len, e);
}

static const struct tlog_verifier *find_log(const struct tlog_witness *w, const char *origin,
                                            size_t len)
{
    for (size_t i = 0; i < w->nlogs; i++)
        if (strlen(w->logs[i].name) == len && memcmp(w->logs[i].name, origin, len) == 0)
            return &w->logs[i];
    return NULL;
}

int tlog_witness_add_checkpoint(struct tlog_witness *w, const char *body, size_t len, uint64_t now,
                                struct tlog_witness_result *res, struct buf *out, struct err *e)
{
    int rc = -1, have;
    uint64_t old_size;
    size_t off;
    struct tlog_proof proof;
    struct tlog_note note, prev_note;
    struct tlog_checkpoint cp, prev;
    const struct tlog_verifier *log;
    const char *nl;
    char hex[2 * TLOG_KEY_ID_SIZE + 1];
    struct buf stored;

    buf_init(&stored, TLOG_NOTE_MAX);
    memset(res, 0, sizeof *res);
    res->status = 400;
    if (tlog_witness_parse_request(body, len, &old_size, &proof, &off, e) != 0)
        goto out;
    if (tlog_note_parse(&note, body + off, len - off, e) != 0)
        goto out;
    nl = memchr(note.text, '\n', note.text_len);
    log = find_log(w, note.text, (size_t)(nl - note.text));
    if (!log) {
        res->status = 404;
        err_set(e, ERR_NOT_FOUND, "this witness does not follow the log of this checkpoint");
        goto out;
    }
    hex_encode(hex, log->key_id, TLOG_KEY_ID_SIZE);
    if (tlog_note_verify(&note, log, e) != 0) {
        char got[64] = "";
        /* expected vs got: the key ids of the note's signature lines */
        for (size_t i = 0; i < note.nsigs && strlen(got) + 12 < sizeof got; i++) {
            char h[2 * TLOG_KEY_ID_SIZE + 1];
            size_t at = strlen(got);
            hex_encode(h, note.sigs[i].key_id, TLOG_KEY_ID_SIZE);
            snprintf(got + at, sizeof got - at, "%s%s", at ? ", " : "", h);
        }
        res->status = 403;
        err_set(e, ERR_CRYPTO,
                "checkpoint is not signed by the key of log %.100s (expected key id %s, the note "
                "carries key ids %s)",
                log->name, hex, got);
        goto out;
    }
    if (tlog_checkpoint_parse(&cp, note.text, note.text_len, e) != 0)
        goto out;
    if (old_size > cp.size) {
        err_set(e, ERR_INVALID, "old size %" PRIu64 " is larger than the checkpoint's size",
                old_size);
        goto out;
    }
    if (old_size == 0 && proof.len != 0) {
        err_set(e, ERR_INVALID, "a request with old size 0 must carry no proof");
        goto out;
    }
    have = w->store.load(w->store.ctx, log->name, &stored, e);
    if (have < 0) {
        res->status = 500;
        goto out;
    }
    prev.size = 0;
    if (have) {
        /* our own record: it was verified before it was saved, but the file
         * may have been damaged or replaced since */
        if (tlog_note_parse(&prev_note, stored.data, stored.len, e) != 0 ||
            tlog_note_verify(&prev_note, log, e) != 0 ||
            tlog_checkpoint_parse(&prev, prev_note.text, prev_note.text_len, e) != 0) {
            char why[sizeof e->msg];
            memcpy(why, e->msg, sizeof why);
            res->status = 500;
            err_set(e, ERR_INTERNAL, "the witness's state for log %s is damaged: %.200s", log->name,
                    why);
            goto out;
        }
    }
    if (old_size != prev.size) {
        res->status = 409;
        res->size_conflict = 1;
        res->latest_size = prev.size;
        err_set(e, ERR_CONFLICT,
                "old size %" PRIu64
                " is not the size of the last checkpoint cosigned for %s (%" PRIu64 ")",
                old_size, log->name, prev.size);
        goto out;
    }
    if (have && prev.size == cp.size) {
        if (memcmp(prev.root, cp.root, TLOG_HASH_SIZE) != 0) {
            res->status = 409;
            err_set(e, ERR_CONFLICT,
                    "log %s shows a different root for size %" PRIu64
                    " than the one this witness cosigned: a fork",
                    log->name, cp.size);
            goto out;
        }
    } else if (have && prev.size > 0) {
        if (tlog_verify_consistency(prev.size, cp.size, prev.root, cp.root, &proof, e) != 0) {
            res->status = 422;
            err_set(e, ERR_CRYPTO,
                    "checkpoint of %s at size %" PRIu64
                    " is not consistent with the one this witness cosigned at size %" PRIu64,
                    log->name, cp.size, prev.size);
            goto out;
        }
    }
    if (w->store.save(w->store.ctx, log->name, body + off, len - off, e) != 0) {
        res->status = 500;
        goto out;
    }
    if (tlog_cosign(note.text, note.text_len, now, &w->key, out, e) != 0) {
        res->status = 500;
        goto out;
    }
    res->status = 200;
    res->latest_size = cp.size;
    rc = 0;
out:
    buf_release(&stored);
    return rc;
}
