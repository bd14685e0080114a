/* evidence.c — building and checking fork evidence (client/evidence.h). */
#include "client/evidence.h"

#include "base/buf.h"
#include "base/util.h"
#include "client/files.h"
#include "client/loghistory.h"
#include "tlog/cosignature.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Opens note with v into cp. */
static int open_note(const struct tlog_verifier *v, const char *note, struct tlog_checkpoint *cp,
                     const char *which, struct err *e)
{
    struct err why;
    err_init(&why);
    if (!note || tlog_checkpoint_open(cp, note, strlen(note), v, &why) != 0)
        return err_set(e, ERR_INVALID, "note %s does not open with the log key: %.160s", which,
                       note ? why.msg : "missing");
    return 0;
}

static json_t *proof_json(const struct tlog_proof *p)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && p && i < p->len; i++) {
        char b[48];
        logc_hash_encode(p->hash[i], b);
        json_array_append_new(arr, json_string(b));
    }
    return arr;
}

static int proof_from(const json_t *arr, struct tlog_proof *p, const char *what, struct err *e)
{
    size_t i;
    json_t *it;
    if (!json_is_array(arr) || json_array_size(arr) > TLOG_PROOF_MAX)
        return err_set(e, ERR_INVALID, "%s must be a list of at most %d hashes", what,
                       TLOG_PROOF_MAX);
    p->len = json_array_size(arr);
    json_array_foreach(arr, i, it)
    {
        if (logc_hash_decode(json_string_value(it), p->hash[i]) != 0)
            return err_set(e, ERR_INVALID, "%s: hash %zu is not base64 of 32 bytes", what, i + 1);
    }
    return 0;
}

int evidence_build(const struct tlog_verifier *v, const char *note_a, const char *note_b,
                   const struct tlog_proof *served, const char *by, json_t **out, struct err *e)
{
    struct tlog_checkpoint a, b;
    char vk[TLOG_VERIFIER_KEY_MAX], at[24];
    const char *lo, *hi;
    json_t *o;

    if (open_note(v, note_a, &a, "A", e) != 0 || open_note(v, note_b, &b, "B", e) != 0 ||
        tlog_verifier_format(v, vk, e) != 0)
        return -1;
    if (a.size == b.size && memcmp(a.root, b.root, TLOG_HASH_SIZE) == 0)
        return err_set(e, ERR_INVALID, "the two notes are the same checkpoint: no contradiction");
    lo = a.size <= b.size ? note_a : note_b;
    hi = a.size <= b.size ? note_b : note_a;
    time_format_utc(at, now_utc());
    o = json_pack("{s:s,s:s,s:[s,s],s:s,s:{s:s,s:s}}", "format", EVIDENCE_FORMAT, "log_key", vk,
                  "notes", lo, hi, "kind", a.size == b.size ? "same-size" : "consistency", "found",
                  "by", by ? by : "dissent", "at", at);
    if (o && a.size != b.size)
        json_object_set_new(o, "consistency",
                            json_pack("{s:I,s:I,s:o}", "from",
                                      (json_int_t)(a.size < b.size ? a.size : b.size), "to",
                                      (json_int_t)(a.size < b.size ? b.size : a.size), "proof",
                                      proof_json(served)));
    if (!o)
        return err_set(e, ERR_NOMEM, "out of memory");
    *out = o;
    return 0;
}

void evidence_subtree_at(uint64_t m, size_t i, uint64_t *start, unsigned *height)
{
    uint64_t s = 0;
    size_t k = 0;
    for (int bit = 63; bit >= 0; bit--) {
        if (!(m >> bit & 1))
            continue;
        if (k == i) {
            *start = s;
            *height = (unsigned)bit;
            return;
        }
        s += (uint64_t)1 << bit;
        k++;
    }
    *start = s;
    *height = 0;
}

/* The node of height h whose leftmost leaf is leaf_hash, from the first h
 * hashes of its inclusion proof (all right siblings: the leaf starts its
 * perfect subtree). */
static int subtree_node(const unsigned char leaf_hash[TLOG_HASH_SIZE], const struct tlog_proof *p,
                        unsigned h, unsigned char out[TLOG_HASH_SIZE])
{
    if (p->len < h)
        return -1;
    memcpy(out, leaf_hash, TLOG_HASH_SIZE);
    for (unsigned i = 0; i < h; i++)
        tlog_hash_children(out, out, p->hash[i]);
    return 0;
}

/* Checks the subtree claim: frontier of a (size m, root ra), leaf s with
 * hash lh and proof p in b (size n, root rb). */
static int subtree_check(const struct logc_range *fr, const struct tlog_checkpoint *a,
                         const struct tlog_checkpoint *b, uint64_t s,
                         const unsigned char lh[TLOG_HASH_SIZE], const struct tlog_proof *p,
                         struct err *e)
{
    unsigned char r[TLOG_HASH_SIZE], node[TLOG_HASH_SIZE];
    struct err why;
    size_t j;
    uint64_t start = 0;
    unsigned h = 0;

    err_init(&why);
    if (fr->size != a->size || fr->n != (size_t)__builtin_popcountll(a->size))
        return err_set(e, ERR_INVALID, "the frontier is not that of %" PRIu64 " leaves", a->size);
    logc_range_root(fr, r);
    if (memcmp(r, a->root, sizeof r) != 0)
        return err_set(e, ERR_INVALID, "the frontier does not hash to the root of note A");
    for (j = 0; j < fr->n; j++) {
        evidence_subtree_at(a->size, j, &start, &h);
        if (start == s)
            break;
    }
    if (j == fr->n)
        return err_set(e, ERR_INVALID,
                       "leaf %" PRIu64 " does not start one of the subtrees of note A's frontier",
                       s);
    if (tlog_verify_inclusion(s, b->size, lh, p, b->root, &why) != 0)
        return err_set(e, ERR_INVALID,
                       "the inclusion proof of leaf %" PRIu64
                       " does not verify against note B: %.120s",
                       s, why.msg);
    if (subtree_node(lh, p, h, node) != 0)
        return err_set(e, ERR_INVALID, "the inclusion proof is too short");
    if (memcmp(node, fr->hash[j], TLOG_HASH_SIZE) == 0)
        return err_set(e, ERR_INVALID,
                       "the subtree of leaves %" PRIu64 "..%" PRIu64
                       " is the same in both trees: no contradiction there",
                       start, start + ((uint64_t)1 << h) - 1);
    return 0;
}

int evidence_add_subtree(json_t *ev, const struct logc_range *frontier, uint64_t leaf_index,
                         const unsigned char leaf_hash[TLOG_HASH_SIZE],
                         const struct tlog_proof *incl, struct err *e)
{
    struct evidence_verdict vd;
    json_t *fr = json_array(), *sub;
    char lh[48];
    if (!fr)
        return err_set(e, ERR_NOMEM, "out of memory");
    if (evidence_check(ev, &vd, e) != 0) {
        json_decref(fr);
        return -1;
    }
    if (vd.a.size == vd.b.size) {
        json_decref(fr);
        return err_set(e, ERR_INVALID, "same-size evidence needs no subtree");
    }
    if (subtree_check(frontier, &vd.a, &vd.b, leaf_index, leaf_hash, incl, e) != 0) {
        json_decref(fr);
        return -1;
    }
    for (size_t i = 0; i < frontier->n; i++) {
        char b[48];
        logc_hash_encode(frontier->hash[i], b);
        json_array_append_new(fr, json_string(b));
    }
    logc_hash_encode(leaf_hash, lh);
    sub = json_pack("{s:o,s:I,s:s,s:o}", "frontier", fr, "leaf_index", (json_int_t)leaf_index,
                    "leaf_hash", lh, "proof", proof_json(incl));
    if (!sub)
        return err_set(e, ERR_NOMEM, "out of memory");
    json_object_set_new(ev, "subtree", sub);
    json_object_set_new(ev, "kind", json_string("subtree"));
    return 0;
}

/* Lists the signature lines of note (at most EVIDENCE_SIGNERS_MAX). */
static void list_signers(const char *note, struct evidence_signer *out, size_t *n)
{
    struct tlog_note parsed;
    *n = 0;
    if (tlog_note_parse(&parsed, note, strlen(note), NULL) != 0)
        return;
    for (size_t i = 0; i < parsed.nsigs && *n < EVIDENCE_SIGNERS_MAX; i++, (*n)++) {
        struct evidence_signer *s = &out[*n];
        memset(s, 0, sizeof *s);
        memcpy(s->name, parsed.sigs[i].name, parsed.sigs[i].name_len);
        hex_encode(s->key_id, parsed.sigs[i].key_id, TLOG_KEY_ID_SIZE);
    }
}

size_t evidence_witnesses(const json_t *ev, const struct tlog_policy *p,
                          struct evidence_verdict *vd)
{
    size_t both = 0;
    for (size_t w = 0; w < p->n; w++) {
        int in[2] = {0, 0};
        char hex[2 * TLOG_KEY_ID_SIZE + 1];
        hex_encode(hex, p->w[w].key_id, TLOG_KEY_ID_SIZE);
        for (size_t k = 0; k < 2; k++) {
            const char *note = json_string_value(json_array_get(json_object_get(ev, "notes"), k));
            struct tlog_note parsed;
            uint64_t t = 0;
            if (!note || tlog_note_parse(&parsed, note, strlen(note), NULL) != 0 ||
                tlog_cosignature_verify(&parsed, &p->w[w], &t, NULL) != 0)
                continue;
            in[k] = 1;
            for (size_t i = 0; i < vd->nsigners[k]; i++)
                if (strcmp(vd->signers[k][i].name, p->w[w].name) == 0 &&
                    strcmp(vd->signers[k][i].key_id, hex) == 0) {
                    vd->signers[k][i].witness = 1;
                    vd->signers[k][i].time = t;
                }
        }
        both += in[0] && in[1];
    }
    return both;
}

int evidence_check(const json_t *ev, struct evidence_verdict *vd, struct err *e)
{
    struct tlog_verifier v;
    const json_t *notes = json_object_get(ev, "notes");
    const char *fmt = json_string_value(json_object_get(ev, "format"));
    const char *key = json_string_value(json_object_get(ev, "log_key"));
    const char *kind = json_string_value(json_object_get(ev, "kind"));
    struct err why;

    err_init(&why);
    memset(vd, 0, sizeof *vd);
    if (!json_is_object(ev) || !fmt || strcmp(fmt, EVIDENCE_FORMAT) != 0)
        return err_set(e, ERR_INVALID, "not dissent log evidence (format must be %s)",
                       EVIDENCE_FORMAT);
    if (!key || strlen(key) >= sizeof vd->log_key ||
        tlog_verifier_parse(&v, key, strlen(key), &why))
        return err_set(e, ERR_INVALID, "log_key is not a verifier key: %.160s", why.msg);
    memcpy(vd->log_key, key, strlen(key) + 1);
    if (!json_is_array(notes) || json_array_size(notes) != 2)
        return err_set(e, ERR_INVALID, "notes must hold exactly two signed checkpoints");
    if (open_note(&v, json_string_value(json_array_get(notes, 0)), &vd->a, "A", e) != 0 ||
        open_note(&v, json_string_value(json_array_get(notes, 1)), &vd->b, "B", e) != 0)
        return -1;
    if (vd->a.size > vd->b.size)
        return err_set(e, ERR_INVALID, "note A must be the smaller tree");
    list_signers(json_string_value(json_array_get(notes, 0)), vd->signers[0], &vd->nsigners[0]);
    list_signers(json_string_value(json_array_get(notes, 1)), vd->signers[1], &vd->nsigners[1]);
    if (vd->a.size == vd->b.size && memcmp(vd->a.root, vd->b.root, TLOG_HASH_SIZE) == 0)
        return err_set(e, ERR_INVALID, "the two notes are the same checkpoint: no contradiction");
    if (!kind)
        return err_set(e, ERR_INVALID, "kind is missing");
    snprintf(vd->kind, sizeof vd->kind, "%s", kind);
    if (strcmp(kind, "same-size") == 0) {
        if (vd->a.size != vd->b.size)
            return err_set(e, ERR_INVALID, "same-size evidence with two sizes");
        vd->conclusive = 1;
        snprintf(vd->why, sizeof vd->why,
                 "the log signed two different roots for the same tree size %" PRIu64
                 ": it forked or rewrote its history",
                 vd->a.size);
        return 0;
    }
    if (vd->a.size == vd->b.size)
        return err_set(e, ERR_INVALID, "two roots of one size: the kind must be same-size");
    if (vd->a.size == 0)
        return err_set(e, ERR_INVALID, "an empty tree is a prefix of every tree: no contradiction");
    if (strcmp(kind, "subtree") == 0) {
        const json_t *s = json_object_get(ev, "subtree");
        struct logc_range fr;
        struct tlog_proof p;
        unsigned char lh[TLOG_HASH_SIZE];
        const json_t *hs = json_object_get(s, "frontier"), *it;
        json_int_t idx = json_integer_value(json_object_get(s, "leaf_index"));
        size_t i;
        logc_range_init(&fr);
        if (!json_is_array(hs) || json_array_size(hs) > 64 ||
            !json_is_integer(json_object_get(s, "leaf_index")) || idx < 0 ||
            logc_hash_decode(json_string_value(json_object_get(s, "leaf_hash")), lh) != 0)
            return err_set(e, ERR_INVALID, "subtree needs frontier, leaf_index and leaf_hash");
        fr.size = vd->a.size;
        fr.n = json_array_size(hs);
        json_array_foreach(hs, i, it)
        {
            if (logc_hash_decode(json_string_value(it), fr.hash[i]) != 0)
                return err_set(e, ERR_INVALID, "frontier hash %zu is not base64 of 32 bytes",
                               i + 1);
        }
        if (proof_from(json_object_get(s, "proof"), &p, "subtree proof", e) != 0 ||
            subtree_check(&fr, &vd->a, &vd->b, (uint64_t)idx, lh, &p, e) != 0)
            return -1;
        vd->conclusive = 1;
        snprintf(vd->why, sizeof vd->why,
                 "the tree of %" PRIu64 " leaves holds, where leaf %lld starts, a subtree that "
                 "differs from the one the tree of %" PRIu64
                 " leaves holds there: it does not extend it, the log rewrote its history",
                 vd->b.size, (long long)idx, vd->a.size);
        return 0;
    }
    if (strcmp(kind, "consistency") == 0) {
        const json_t *c = json_object_get(ev, "consistency");
        struct tlog_proof p;
        if (json_integer_value(json_object_get(c, "from")) != (json_int_t)vd->a.size ||
            json_integer_value(json_object_get(c, "to")) != (json_int_t)vd->b.size)
            return err_set(e, ERR_INVALID, "consistency must go from note A's size to note B's");
        if (proof_from(json_object_get(c, "proof"), &p, "consistency proof", e) != 0)
            return -1;
        if (tlog_verify_consistency(vd->a.size, vd->b.size, vd->a.root, vd->b.root, &p, &why) == 0)
            return err_set(e, ERR_INVALID,
                           "the consistency proof verifies: the two checkpoints are consistent");
        snprintf(vd->why, sizeof vd->why,
                 "the consistency proof the log served from size %" PRIu64 " to %" PRIu64
                 " does not verify (%.80s); an honest log can always give one: ask it for "
                 "/api/v1/log/proof/consistency?from=%" PRIu64 "&to=%" PRIu64,
                 vd->a.size, vd->b.size, why.msg, vd->a.size, vd->b.size);
        return 0;
    }
    return err_set(e, ERR_INVALID, "unknown kind \"%.40s\" (same-size, subtree, consistency)",
                   kind);
}

int evidence_load(const char *path, json_t **out, struct err *e)
{
    int rc = -1, found = 0;
    struct buf b;
    json_error_t je;

    buf_init(&b, EVIDENCE_FILE_MAX);
    if (files_read_optional(path, &b, &found, e) != 0)
        goto out;
    if (!found) {
        err_set(e, ERR_IO, "cannot read %s: %s", path, strerror(ENOENT));
        goto out;
    }
    *out = json_loadb(buf_str(&b), b.len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        err_set(e, ERR_INVALID, "%s is not a JSON object (line %d: %.80s)", path, je.line, je.text);
        goto out;
    }
    rc = 0;
out:
    buf_release(&b);
    return rc;
}

int evidence_save(const char *path, const json_t *ev, struct err *e)
{
    char *text = json_dumps(ev, JSON_INDENT(2) | JSON_SORT_KEYS);
    int rc;
    if (!text)
        return err_set(e, ERR_NOMEM, "out of memory");
    rc = files_write_private(path, text, strlen(text), e);
    free(text);
    return rc;
}

void evidence_keep(const struct tlog_verifier *v, const json_t *ev, struct err *e)
{
    struct evidence_verdict vd;
    struct err se;
    char path[FILES_PATH_MAX], msg[ERR_MSG_MAX];
    enum err_code code = e->code;
    err_init(&se);
    if (evidence_check(ev, &vd, &se) != 0 ||
        loghist_evidence_path(v, vd.a.size, vd.b.size, path, sizeof path, &se) != 0 ||
        evidence_save(path, ev, &se) != 0) {
        memcpy(msg, e->msg, sizeof msg);
        err_set(e, code, "%.170s (no evidence written: %.60s)", msg, se.msg);
        return;
    }
    memcpy(msg, e->msg, sizeof msg);
    err_set(e, code, "%.120s (evidence kept: %.110s)", msg, path);
}

void evidence_keep_notes(const struct tlog_verifier *v, const char *old_note, const char *new_note,
                         const struct tlog_proof *served, const char *by, struct err *e)
{
    json_t *ev = NULL;
    struct err se;
    err_init(&se);
    if (evidence_build(v, old_note, new_note, served, by, &ev, &se) == 0)
        evidence_keep(v, ev, e);
    json_decref(ev);
}
