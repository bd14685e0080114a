/* api.c — the WebAssembly module's exports (see api.h): argument plumbing
 * only; every byte of crypto is made by src/ring and src/proto. */
#include "api.h"

#include "client/receipts.h"
#include "client/ringcheck.h"
#include "proto/anon.h"
#include "ring/group.h"
#include "ring/h2c.h"
#include "ring/keyfile.h"
#include "ring/triptych.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct err last;

/* The page's progress function (web/static/anon/ring-worker.js). */
__attribute__((import_module("dissent"), import_name("progress"))) int
dw_progress_import(size_t done, size_t total);

/* Keeps the error and returns rc (-1 on failure), so calls read as
 * `return keep(f(..., &e), &e)`. */
static int keep(int rc, const struct err *e)
{
    if (rc != 0)
        last = *e;
    return rc;
}

void *dw_alloc(size_t n)
{
    return calloc(1, n ? n : 1);
}

void dw_free(void *p, size_t n)
{
    if (!p)
        return;
    sodium_memzero(p, n);
    free(p);
}

const char *dw_error_message(void)
{
    return last.msg;
}

const char *dw_error_code(void)
{
    return err_code_name(last.code);
}

int dw_keygen(uint8_t *pk, uint8_t *sk)
{
    struct err e;
    err_init(&e);
    return keep(ring_keypair(pk, sk, &e), &e);
}

int dw_public_key(uint8_t *pk, const uint8_t *sk)
{
    struct err e;
    err_init(&e);
    return keep(ring_public_key(pk, sk, &e), &e);
}

int dw_keyfile_seal(uint8_t *out, const uint8_t *sk, const char *pass, size_t pass_len,
                    uint32_t opslimit, uint32_t memlimit)
{
    struct err e;
    err_init(&e);
    return keep(ring_keyfile_seal(out, sk, pass, pass_len, opslimit, memlimit, &e), &e);
}

int dw_keyfile_open(uint8_t *sk, uint8_t *pk, const uint8_t *in, size_t in_len, const char *pass,
                    size_t pass_len)
{
    struct err e;
    err_init(&e);
    return keep(ring_keyfile_open(sk, pk, in, in_len, pass, pass_len, &e), &e);
}

int dw_keyfile_public(uint8_t *pk, const uint8_t *in, size_t in_len)
{
    struct err e;
    err_init(&e);
    return keep(ring_keyfile_public(pk, in, in_len, &e), &e);
}

int dw_pop_sign(uint8_t *sig, const uint8_t *sk, const uint8_t *ctx, size_t ctx_len)
{
    struct err e;
    err_init(&e);
    return keep(ring_pop_sign(sig, sk, ctx, ctx_len, &e), &e);
}

int dw_pop_verify(const uint8_t *sig, const uint8_t *pk, const uint8_t *ctx, size_t ctx_len)
{
    struct err e;
    err_init(&e);
    return keep(ring_pop_verify(sig, pk, ctx, ctx_len, &e), &e);
}

int dw_tag(uint8_t *j, const uint8_t *sk, const uint8_t *scope, size_t scope_len)
{
    struct err e;
    err_init(&e);
    return keep(ring_tag(j, sk, scope, scope_len, &e), &e);
}

struct ring_keys *dw_ring_new(const uint8_t *keys, size_t count)
{
    struct err e;
    struct ring_keys *r = NULL;
    err_init(&e);
    if (keep(ring_keys_new(&r, (const uint8_t(*)[RING_POINT_BYTES])keys, count, &e), &e) != 0)
        return NULL;
    return r;
}

void dw_ring_free(struct ring_keys *r)
{
    ring_keys_free(r);
}

const uint8_t *dw_ring_digest(const struct ring_keys *r)
{
    return ring_keys_digest(r);
}

size_t dw_proof_len(size_t count)
{
    struct ring_params p;
    struct err e;
    err_init(&e);
    if (keep(ring_params_for(count, &p, &e), &e) != 0)
        return 0;
    return ring_proof_len(p);
}

static int progress_relay(void *arg, size_t done, size_t total)
{
    (void)arg;
    return dw_progress_import(done, total);
}

/* Copies a proof (len bytes, malloc'd: freed here) into out (out_len
 * bytes). Returns 0, or -1 when the sizes differ (a bug: ERR_INTERNAL). */
static int hand_over(uint8_t *out, size_t out_len, uint8_t *proof, size_t len)
{
    int rc = 0;
    if (len != out_len) {
        err_set(&last, ERR_INTERNAL, "proof of %zu bytes for a buffer of %zu", len, out_len);
        rc = -1;
    } else {
        memcpy(out, proof, len);
    }
    free(proof);
    return rc;
}

int dw_prove(uint8_t *out, size_t out_len, const struct ring_keys *r, size_t index,
             const uint8_t *sk, const uint8_t *scope, size_t scope_len, const uint8_t *msg,
             size_t msg_len)
{
    struct err e;
    uint8_t *proof = NULL;
    size_t len = 0;
    const struct ring_progress pr = {.fn = progress_relay, .arg = NULL};
    err_init(&e);
    if (keep(ring_prove_progress(&proof, &len, r, index, sk, scope, scope_len, msg, msg_len, &pr,
                                 &e),
             &e) != 0)
        return -1;
    return hand_over(out, out_len, proof, len);
}

struct ring_prover *dw_prover_begin(const struct ring_keys *r, size_t index, const uint8_t *sk,
                                    const uint8_t *scope, size_t scope_len, const uint8_t *msg,
                                    size_t msg_len)
{
    struct err e;
    struct ring_params p;
    struct ring_prover *st = NULL;
    err_init(&e);
    if (keep(ring_params_for(ring_keys_count(r), &p, &e), &e) != 0 ||
        keep(ring_prover_begin(&st, p, r, index, sk, scope, scope_len, msg, msg_len, &e), &e) != 0)
        return NULL;
    return st;
}

void dw_prover_free(struct ring_prover *st)
{
    ring_prover_free(st);
}

size_t dw_prover_groups(const struct ring_prover *st)
{
    return ring_prover_groups(st);
}

size_t dw_prover_rows(const struct ring_prover *st)
{
    return ring_prover_rows(st);
}

size_t dw_level_len(void)
{
    return RING_LEVEL_BYTES;
}

void dw_prover_level(const struct ring_prover *st, uint8_t *out)
{
    ring_prover_level(st, out);
}

size_t dw_fold_part_len(const uint8_t *level, size_t r0, size_t r1)
{
    return ring_fold_part_len(level, r0, r1);
}

int dw_fold_part(uint8_t *out, size_t out_len, const struct ring_keys *r, const uint8_t *level,
                 size_t r0, size_t r1)
{
    struct err e;
    const struct ring_progress pr = {.fn = progress_relay, .arg = NULL};
    err_init(&e);
    return keep(ring_fold_part(out, out_len, r, level, r0, r1, &pr, &e), &e);
}

int dw_prover_finish(struct ring_prover *st, uint8_t *out, size_t out_len, const uint8_t *parts,
                     size_t parts_len)
{
    struct err e;
    uint8_t *proof = NULL;
    size_t len = 0;
    const struct ring_progress pr = {.fn = progress_relay, .arg = NULL};
    err_init(&e);
    int f = ring_prover_finish(st, &proof, &len, parts, parts_len, &pr, &e);
    if (f != 0)
        return f > 0 ? 1 : keep(-1, &e);
    return hand_over(out, out_len, proof, len);
}

int dw_verify(const struct ring_keys *r, const uint8_t *proof, size_t proof_len,
              const uint8_t *scope, size_t scope_len, const uint8_t *msg, size_t msg_len,
              uint8_t *tag)
{
    struct err e;
    err_init(&e);
    return keep(ring_verify(r, proof, proof_len, scope, scope_len, msg, msg_len, tag, &e), &e);
}

int dw_proof_tag(uint8_t *j, const uint8_t *proof, size_t proof_len)
{
    struct err e;
    err_init(&e);
    return keep(ring_proof_tag(j, proof, proof_len, &e), &e);
}

/* A proto_* length as the export's result: -1 (with an error) when cut. */
static int fitted(size_t len, size_t n)
{
    if (len >= n) {
        err_set(&last, ERR_TOO_LARGE, "the text needs %zu bytes, the buffer has %zu", len + 1, n);
        return -1;
    }
    return (int)len;
}

int dw_anon_scope(char *buf, size_t n, const char *origin, const char *memo)
{
    return fitted(proto_anon_scope(buf, n, origin, memo), n);
}

int dw_anon_message(char *buf, size_t n, uint64_t seq, int version, const char *version_hash)
{
    return fitted(proto_anon_message(buf, n, seq, version, version_hash), n);
}

int dw_pop_context(char *buf, size_t n, const char *origin, const char *org, const char *username,
                   const char *challenge)
{
    return fitted(proto_pop_context(buf, n, origin, org, username, challenge), n);
}

int dw_point_check(const uint8_t *in, int allow_identity)
{
    struct err e;
    ring_point p;
    err_init(&e);
    return keep(ring_point_decode(&p, in, allow_identity, "point", &e), &e);
}

int dw_one_way_map(uint8_t *out, const uint8_t *in64)
{
    return crypto_core_ristretto255_from_hash(out, in64);
}

int dw_hash_to_group(uint8_t *out, const uint8_t *msg, size_t msg_len, const uint8_t *dst,
                     size_t dst_len)
{
    struct err e;
    err_init(&e);
    return keep(ring_hash_to_group(out, msg, msg_len, dst, dst_len, &e), &e);
}

int dw_expand_xmd(uint8_t *out, size_t out_len, const uint8_t *msg, size_t msg_len,
                  const uint8_t *dst, size_t dst_len)
{
    struct err e;
    err_init(&e);
    return keep(ring_expand_message_xmd(out, out_len, msg, msg_len, dst, dst_len, &e), &e);
}

int dw_scalarmult_base(uint8_t *out, const uint8_t *s)
{
    if (ring_scalar_is_zero(s)) {
        memset(out, 0, RING_POINT_BYTES);
        return 0;
    }
    if (!ring_scalar_is_canonical(s) || crypto_scalarmult_ristretto255_base(out, s) != 0)
        return err_set(&last, ERR_INVALID, "the scalar is not canonical");
    return 0;
}

/* The receipts part of dw_ring_check: checks req's receipts against the
 * verified leaves and sets "receipts", "tally" and "report" in out. */
static int check_receipts(const json_t *req, const json_t *leaves, const struct tlog_verifier *v,
                          json_t *out, struct err *e)
{
    int rc = -1;
    json_t *arr = json_deep_copy(json_object_get(req, "receipts"));
    char *text = NULL;
    size_t text_len = 0;
    FILE *f = NULL;
    struct receipts_tally t;
    const char *server = json_string_value(json_object_get(req, "server"));

    if (!arr)
        arr = json_array();
    if (!json_is_array(arr) || !server) {
        err_set(e, ERR_INVALID, "receipts must be an array and server a string");
        goto out;
    }
    f = open_memstream(&text, &text_len);
    if (!f) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    receipts_check(arr, server, NULL, leaves, v->pk,
                   json_integer_value(json_object_get(req, "now")), f, &t);
    fclose(f);
    f = NULL;
    if (json_object_set(out, "receipts", arr) ||
        json_object_set_new(out, "tally",
                            json_pack("{s:I,s:I,s:I,s:I,s:I}", "total", (json_int_t)t.total, "kept",
                                      (json_int_t)t.kept, "pending", (json_int_t)t.pending,
                                      "broken", (json_int_t)t.broken, "invalid",
                                      (json_int_t)t.invalid)) ||
        json_object_set_new(out, "report", json_string(text ? text : ""))) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = 0;
out:
    if (f)
        fclose(f);
    free(text);
    json_decref(arr);
    return rc;
}

char *dw_ring_check(const char *request, size_t len)
{
    struct err e;
    json_t *req = NULL, *problems = json_array(), *sets = NULL, *out = NULL;
    const json_t *leaves;
    const char *key, *note;
    struct tlog_verifier v;
    struct tlog_checkpoint cp;
    char *text = NULL;

    err_init(&e);
    req = json_loadb(request, len, JSON_REJECT_DUPLICATES, NULL);
    key = json_string_value(json_object_get(req, "verifier_key"));
    note = json_string_value(json_object_get(req, "note"));
    leaves = json_object_get(req, "leaves");
    if (!problems) {
        err_set(&e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (!json_is_object(req) || !key || !note || !json_is_object(json_object_get(req, "public"))) {
        err_set(&e, ERR_INVALID,
                "a ring check needs a JSON object with verifier_key, note, leaves and public");
        goto out;
    }
    if (tlog_verifier_parse(&v, key, strlen(key), &e) ||
        ringck_log_verify(&v, note, strlen(note), leaves, &cp, &e) ||
        ringck_check(json_object_get(req, "public"), leaves, problems, &sets, &e))
        goto out;
    out =
        json_pack("{s:I,s:O,s:O}", "size", (json_int_t)cp.size, "problems", problems, "sets", sets);
    if (!out) {
        err_set(&e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (check_receipts(req, leaves, &v, out, &e))
        goto out;
    text = json_dumps(out, JSON_COMPACT);
    if (!text)
        err_set(&e, ERR_NOMEM, "out of memory");
out:
    if (!text)
        last = e;
    json_decref(req);
    json_decref(problems);
    json_decref(sets);
    json_decref(out);
    return text;
}
