/* anon.c — choosing a ring and a version, proving, and re-verifying the
 * anonymous signatures of a memo from its public facts. */
#include "client/anon.h"
#include "proto/anon.h"

#include "base/util.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MSG_MAX 256

static const char *jstr(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static json_int_t jint(const json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

int anon_is_coalition(const char *organization)
{
    return organization && strcmp(organization, PROTO_COALITION) == 0;
}

int anon_find_ring(const json_t *pub, const uint8_t pk[RING_POINT_BYTES], struct anon_choice *out,
                   struct err *e)
{
    return anon_find_ring_kind(pub, pk, 0, out, e);
}

int anon_find_ring_kind(const json_t *pub, const uint8_t pk[RING_POINT_BYTES], int coalition,
                        struct anon_choice *out, struct err *e)
{
    char hex[2 * RING_POINT_BYTES + 1];
    const json_t *rings = json_object_get(pub, "rings");
    size_t i, j;
    json_t *r, *k;
    int best = 0;

    memset(out, 0, sizeof *out);
    hex_encode(hex, pk, RING_POINT_BYTES);
    json_array_foreach(rings, i, r)
    {
        int no = (int)jint(r, "ring");
        json_array_foreach(json_object_get(r, "keys"), j, k)
        {
            const char *s = json_string_value(k);
            if (s && strcmp(s, hex) == 0 && no > best && jstr(r, "organization") &&
                anon_is_coalition(jstr(r, "organization")) == !!coalition) {
                best = no;
                out->organization = jstr(r, "organization");
                out->ring = no;
                out->index = j;
                out->count = json_array_size(json_object_get(r, "keys"));
                out->ring_obj = r;
                break;
            }
        }
    }
    if (!best && coalition)
        return err_set(e, ERR_NOT_FOUND,
                       "your key is not in the coalition ring of this memo (enrolled after it "
                       "opened, or re-keyed since? ask a drafter to refresh its rings)");
    if (!best)
        return err_set(e, ERR_NOT_FOUND,
                       "your key is not in a ring of your organization on this memo (enrolled "
                       "after it opened? ask a drafter to refresh its rings; an organization "
                       "below the channel's minimum has no ring of its own: sign in the "
                       "coalition ring with --ring coalition)");
    return 0;
}

int anon_find_version(const json_t *pub, int want, int *number, const char **hash, struct err *e)
{
    const json_t *vs = json_object_get(pub, "versions");
    size_t i;
    json_t *v;
    int last = 0;
    *hash = NULL;
    json_array_foreach(vs, i, v)
    {
        int n = (int)jint(v, "number");
        if (!jstr(v, "hash"))
            continue;
        if ((want && n == want) || (!want && n > last)) {
            *hash = jstr(v, "hash");
            *number = n;
        }
        if (n > last)
            last = n;
    }
    if (!*hash) {
        if (last == 0)
            return err_set(e, ERR_NOT_FOUND, "the memo has no versions to sign");
        return err_set(e, ERR_NOT_FOUND, "this memo has versions 1 to %d, not %d", last, want);
    }
    return 0;
}

void anon_ring_free(struct ring_keys *ring)
{
    ring_keys_free(ring);
}

int anon_scope(const json_t *pub, char *buf, size_t n, size_t *len, struct err *e)
{
    const char *memo = jstr(pub, "memo"), *origin = jstr(pub, "origin");
    if (!memo || !memo[0] || !origin || !origin[0])
        return err_set(e, ERR_INVALID,
                       "the public facts name no memo or no log origin (a server older than "
                       "anonymous protocol v2?)");
    *len = proto_anon_scope(buf, n, origin, memo);
    if (*len == 0 || *len >= n)
        return err_set(e, ERR_INVALID, "the memo id or the log origin is too long");
    return 0;
}

int64_t anon_next_seq(const json_t *pub, const char *tag_hex)
{
    size_t i;
    json_t *q;
    json_array_foreach(json_object_get(pub, "sequences"), i, q)
    {
        const char *t = jstr(q, "tag");
        if (t && strcmp(t, tag_hex) == 0)
            return jint(q, "next");
    }
    return 0;
}

int anon_tag(const json_t *pub, const uint8_t sk[RING_SCALAR_BYTES], char tag_hex[65],
             struct err *e)
{
    uint8_t tag[RING_POINT_BYTES];
    char scope[PROTO_ANON_SCOPE_MAX];
    size_t scope_len;
    if (anon_scope(pub, scope, sizeof scope, &scope_len, e) ||
        ring_tag(tag, sk, (const uint8_t *)scope, scope_len, e))
        return -1;
    hex_encode(tag_hex, tag, sizeof tag);
    return 0;
}

int anon_ring_build(const json_t *ring_obj, struct ring_keys **out, struct err *e)
{
    int rc = -1;
    const json_t *keys = json_object_get(ring_obj, "keys");
    size_t n = json_array_size(keys), i;
    uint8_t(*k)[RING_POINT_BYTES] = NULL;
    char digest[2 * RING_DIGEST_BYTES + 1];
    const char *want = jstr(ring_obj, "digest");
    json_t *v;

    *out = NULL;
    if (n == 0 || n > RING_MAX_MEMBERS) {
        rc = err_set(e, ERR_INVALID, "ring %lld of '%s' has %zu keys",
                     (long long)jint(ring_obj, "ring"),
                     jstr(ring_obj, "organization") ? jstr(ring_obj, "organization") : "?", n);
        goto out;
    }
    k = calloc(n, sizeof *k);
    if (!k) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    json_array_foreach(keys, i, v)
    {
        const char *s = json_string_value(v);
        if (!s || strlen(s) != 2 * RING_POINT_BYTES || hex_decode(k[i], RING_POINT_BYTES, s)) {
            rc = err_set(e, ERR_INVALID, "key %zu of ring %lld of '%s' is not 64 hex digits", i,
                         (long long)jint(ring_obj, "ring"),
                         jstr(ring_obj, "organization") ? jstr(ring_obj, "organization") : "?");
            goto out;
        }
    }
    if (ring_keys_new(out, (const uint8_t(*)[RING_POINT_BYTES])k, n, e))
        goto out;
    hex_encode(digest, ring_keys_digest(*out), RING_DIGEST_BYTES);
    if (!want || strcmp(want, digest) != 0 || jint(ring_obj, "count") != (json_int_t)n) {
        rc = err_set(e, ERR_CRYPTO,
                     "ring %lld of '%s': the published digest or count does not "
                     "match its keys",
                     (long long)jint(ring_obj, "ring"),
                     jstr(ring_obj, "organization") ? jstr(ring_obj, "organization") : "?");
        ring_keys_free(*out);
        *out = NULL;
        goto out;
    }
    rc = 0;
out:
    free(k);
    return rc;
}

const json_t *anon_signature_by_tag(const json_t *pub, const char *tag_hex)
{
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(pub, "signatures"), i, s)
    {
        const char *t = jstr(s, "tag");
        if (t && strcmp(t, tag_hex) == 0)
            return s;
    }
    return NULL;
}

int anon_prove(const json_t *pub, const struct ring_keys *ring, const struct anon_choice *ch,
               const uint8_t sk[RING_SCALAR_BYTES], int64_t seq, int version,
               const char *version_hash, char **proof_b64, uint8_t tag[RING_POINT_BYTES],
               struct err *e)
{
    int rc = -1;
    char msg[MSG_MAX], scope[PROTO_ANON_SCOPE_MAX];
    size_t msg_len, b64_len, scope_len;
    uint8_t *proof = NULL;
    size_t proof_len = 0;

    *proof_b64 = NULL;
    if (anon_scope(pub, scope, sizeof scope, &scope_len, e))
        goto out;
    if (seq < 0) {
        rc = err_set(e, ERR_INVALID, "a sequence number is not negative");
        goto out;
    }
    msg_len = proto_anon_message(msg, sizeof msg, (uint64_t)seq, version, version_hash);
    if (msg_len == 0 || msg_len >= sizeof msg) {
        rc = err_set(e, ERR_INVALID, "the version hash is too long");
        goto out;
    }
    if (ring_prove(&proof, &proof_len, ring, ch->index, sk, (const uint8_t *)scope, scope_len,
                   (const uint8_t *)msg, msg_len, e) ||
        ring_proof_tag(tag, proof, proof_len, e))
        goto out;
    b64_len = sodium_base64_ENCODED_LEN(proof_len, sodium_base64_VARIANT_ORIGINAL);
    *proof_b64 = malloc(b64_len);
    if (!*proof_b64) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    sodium_bin2base64(*proof_b64, b64_len, proof, proof_len, sodium_base64_VARIANT_ORIGINAL);
    rc = 0;
out:
    free(proof);
    return rc;
}

json_t *anon_request(int version, int64_t seq, const struct anon_choice *ch, const char *proof_b64)
{
    json_t *item =
        json_pack("{s:o,s:s,s:i,s:I,s:s}", "version", version ? json_integer(version) : json_null(),
                  "organization", ch->organization, "ring", ch->ring, "seq", (json_int_t)seq,
                  "proof", proof_b64);
    return item ? json_pack("{s:[o]}", "signatures", item) : NULL;
}

/* ---- re-verification ---- */

/* Adds count to the {key: value, count} row of arr (created if missing). */
static void count_add(json_t *arr, const char *key, json_t *value)
{
    size_t i;
    json_t *row;
    json_array_foreach(arr, i, row)
    {
        if (json_equal(json_object_get(row, key), value)) {
            json_object_set_new(row, "count", json_integer(jint(row, "count") + 1));
            json_decref(value);
            return;
        }
    }
    json_array_append_new(arr, json_pack("{s:o,s:i}", key, value, "count", 1));
}

static int cmp_rows_version(const void *a, const void *b)
{
    json_int_t x = jint(*(json_t *const *)a, "version"), y = jint(*(json_t *const *)b, "version");
    return (x > y) - (x < y);
}

static int cmp_rows_org(const void *a, const void *b)
{
    const char *x = jstr(*(json_t *const *)a, "organization");
    const char *y = jstr(*(json_t *const *)b, "organization");
    return strcmp(x ? x : "", y ? y : "");
}

/* Sorts the rows of arr in place, as the server orders them. */
static void sort_rows(json_t *arr, int (*cmp)(const void *, const void *))
{
    size_t n = json_array_size(arr);
    json_t **items = n ? calloc(n, sizeof *items) : NULL;
    if (!items)
        return;
    for (size_t i = 0; i < n; i++)
        items[i] = json_incref(json_array_get(arr, i));
    qsort(items, n, sizeof *items, cmp);
    json_array_clear(arr);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, items[i]);
    free(items);
}

static void problem(json_t *problems, const char *fmt, ...) PRINTF_LIKE(2, 3);

static void problem(json_t *problems, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    json_array_append_new(problems, json_string(text));
}

/* One published signature, decoded. */
struct sig_item {
    const json_t *obj;
    uint8_t *proof;
    size_t proof_len;
    char msg[MSG_MAX];
    size_t msg_len;
    int valid; /* shape, tag, ring and version known */
    int verified;
    int pre_v2; /* verifies only with protocol v1's bytes: made before v2 */
};

/* The hash of version number n in pub, or NULL. */
static const char *version_hash(const json_t *pub, json_int_t n)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(pub, "versions"), i,
                       v) if (jint(v, "number") == n) return jstr(v, "hash");
    return NULL;
}

/* Does item it (seq 0: a tag's first action) verify over ring with protocol
 * v1's scope and message? A signature stored before the upgrade does; a v2
 * proof never does (its scope and message differ). */
static int verifies_as_v1(const json_t *pub, const struct ring_keys *ring,
                          const struct sig_item *it)
{
    char scope[PROTO_ANON_SCOPE_MAX], msg[MSG_MAX];
    const char *memo = jstr(pub, "memo"), *hash = version_hash(pub, jint(it->obj, "version"));
    size_t sl, ml;
    struct err e;
    err_init(&e);
    if (!memo || !hash || jint(it->obj, "seq") != 0)
        return 0;
    sl = proto_anon_scope_v1(scope, sizeof scope, memo);
    ml = proto_anon_message_v1(msg, sizeof msg, hash);
    if (sl == 0 || sl >= sizeof scope || ml == 0 || ml >= sizeof msg)
        return 0;
    return ring_verify(ring, it->proof, it->proof_len, (const uint8_t *)scope, sl,
                       (const uint8_t *)msg, ml, NULL, &e) == 0;
}

/* Decodes signature s into it; a problem is recorded when it cannot be used. */
static void sig_decode(const json_t *pub, const json_t *s, struct sig_item *it, json_t *problems)
{
    const char *tag = jstr(s, "tag"), *b64 = jstr(s, "proof");
    const char *hash = version_hash(pub, jint(s, "version"));
    uint8_t j[RING_POINT_BYTES];
    char jhex[2 * RING_POINT_BYTES + 1];
    size_t n;
    struct err e;

    err_init(&e);
    it->obj = s;
    if (!tag || !b64 || !jstr(s, "organization") || !json_is_integer(json_object_get(s, "ring")) ||
        !json_is_integer(json_object_get(s, "seq")) || jint(s, "seq") < 0) {
        problem(problems, "a published signature lacks its tag, proof, organization, ring or seq");
        return;
    }
    if (!hash) {
        problem(problems, "signature %.16s… names version %lld, which the memo does not have", tag,
                (long long)jint(s, "version"));
        return;
    }
    n = strlen(b64);
    it->proof = malloc(n + 1);
    if (!it->proof || sodium_base642bin(it->proof, n + 1, b64, n, NULL, &it->proof_len, NULL,
                                        sodium_base64_VARIANT_ORIGINAL) != 0) {
        problem(problems, "signature %.16s…: the proof is not standard base64", tag);
        return;
    }
    if (ring_proof_tag(j, it->proof, it->proof_len, &e)) {
        problem(problems, "signature %.16s…: %s", tag, e.msg);
        return;
    }
    hex_encode(jhex, j, sizeof j);
    if (strcmp(jhex, tag) != 0) {
        problem(problems, "signature %.16s…: the published tag is not the proof's tag", tag);
        return;
    }
    it->msg_len = proto_anon_message(it->msg, sizeof it->msg, (uint64_t)jint(s, "seq"),
                                     (int)jint(s, "version"), hash);
    it->valid = it->msg_len > 0 && it->msg_len < sizeof it->msg;
}

/* Verifies the signatures of one ring: one batch, then one by one if it fails. */
static void verify_ring(const json_t *pub, const json_t *ring_obj, struct sig_item *items,
                        size_t count, json_t *problems)
{
    const char *org = jstr(ring_obj, "organization");
    json_int_t no = jint(ring_obj, "ring");
    char scope[PROTO_ANON_SCOPE_MAX];
    size_t scope_len = 0;
    struct ring_keys *ring = NULL;
    struct ring_batch_item *batch = NULL;
    size_t *which = NULL, n = 0;
    struct err e;

    err_init(&e);
    if (anon_scope(pub, scope, sizeof scope, &scope_len, &e) ||
        anon_ring_build(ring_obj, &ring, &e)) {
        problem(problems, "%s", e.msg);
        goto out;
    }
    batch = calloc(count + 1, sizeof *batch);
    which = calloc(count + 1, sizeof *which);
    if (!batch || !which) {
        problem(problems, "out of memory");
        goto out;
    }
    {
        /* Protocol v2 rules, re-checked here rather than trusted to the
         * server: a proof on a ring below the channel's minimum hides its
         * signer among too few; a proof with another radix than the one
         * clients use singles out its maker's software. */
        size_t keys = json_array_size(json_object_get(ring_obj, "keys"));
        json_int_t min = jint(pub, "min_ring");
        struct ring_params want;
        int have_params = ring_params_for(keys, &want, &e) == 0;
        for (size_t i = 0; i < count; i++) {
            const json_t *s = items[i].obj;
            if (!items[i].valid || jint(s, "ring") != no ||
                strcmp(jstr(s, "organization"), org) != 0)
                continue;
            if (((json_int_t)keys < (min > 2 ? min : 2) || !have_params ||
                 items[i].proof_len != ring_proof_len(want) || items[i].proof[1] != want.n ||
                 items[i].proof[2] != want.m) &&
                verifies_as_v1(pub, ring, &items[i])) {
                /* v1 allowed any ring and radix */
                items[i].pre_v2 = 1;
                items[i].valid = 0;
            } else if ((json_int_t)keys < (min > 2 ? min : 2)) {
                problem(problems,
                        "signature %s is on ring %lld of '%s', which has %zu keys, fewer than "
                        "the channel's minimum of %lld: the server should have refused it",
                        jstr(s, "tag"), (long long)no, org, keys, (long long)(min > 2 ? min : 2));
                items[i].valid = 0;
            } else if (!have_params || items[i].proof_len != ring_proof_len(want) ||
                       items[i].proof[1] != want.n || items[i].proof[2] != want.m) {
                problem(problems,
                        "signature %s on ring %lld of '%s' (%zu keys) is not made with the "
                        "radix and digits of protocol v2 (%u, %u; %zu bytes): the server "
                        "should have refused it",
                        jstr(s, "tag"), (long long)no, org, keys, have_params ? want.n : 0,
                        have_params ? want.m : 0, have_params ? ring_proof_len(want) : 0);
                items[i].valid = 0;
            }
        }
        err_init(&e);
    }
    for (size_t i = 0; i < count; i++) {
        const json_t *s = items[i].obj;
        if (!items[i].valid || jint(s, "ring") != no || strcmp(jstr(s, "organization"), org) != 0)
            continue;
        batch[n].proof = items[i].proof;
        batch[n].proof_len = items[i].proof_len;
        batch[n].msg = (const uint8_t *)items[i].msg;
        batch[n].msg_len = items[i].msg_len;
        which[n++] = i;
    }
    if (n == 0)
        goto out;
    if (ring_verify_batch(ring, (const uint8_t *)scope, scope_len, batch, n, &e) == 0) {
        for (size_t i = 0; i < n; i++)
            items[which[i]].verified = 1;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const json_t *s = items[which[i]].obj;
        err_init(&e);
        if (ring_verify(ring, batch[i].proof, batch[i].proof_len, (const uint8_t *)scope, scope_len,
                        batch[i].msg, batch[i].msg_len, NULL, &e) == 0)
            items[which[i]].verified = 1;
        else if (verifies_as_v1(pub, ring, &items[which[i]]))
            items[which[i]].pre_v2 = 1;
        else
            problem(problems,
                    "signature %s (version %lld) does not verify against ring %lld of "
                    "'%s': %s",
                    jstr(s, "tag"), (long long)jint(s, "version"), (long long)no, org, e.msg);
    }
out:
    ring_keys_free(ring);
    free(batch);
    free(which);
}

/* Each ring of an organization must hold every key of the one before it. */
static void check_ring_chain(const json_t *rings, json_t *problems)
{
    size_t i, j, a, b;
    json_t *r, *q, *k, *l;
    json_array_foreach(rings, i, r)
    {
        const char *org = jstr(r, "organization");
        json_int_t no = jint(r, "ring");
        int seen_prev = 0;
        if (!org)
            continue;
        json_array_foreach(rings, j, q)
        {
            const char *qo = jstr(q, "organization");
            if (!qo || strcmp(qo, org) != 0 || jint(q, "ring") != no - 1)
                continue;
            seen_prev = 1;
            json_array_foreach(json_object_get(q, "keys"), a, k)
            {
                int found = 0;
                json_array_foreach(json_object_get(r, "keys"), b, l) if (json_equal(k, l)) found =
                    1;
                if (!found)
                    problem(problems, "ring %lld of '%s' lacks a key of ring %lld", (long long)no,
                            org, (long long)(no - 1));
            }
        }
        if (no < 1 || (no > 1 && !seen_prev))
            problem(problems, "ring %lld of '%s' has no ring %lld before it", (long long)no, org,
                    (long long)(no - 1));
    }
}

int anon_verify_public(const json_t *pub, json_t **report, struct err *e)
{
    int rc = -1;
    const json_t *rings = json_object_get(pub, "rings");
    const json_t *sigs = json_object_get(pub, "signatures");
    const json_t *server = json_object_get(json_object_get(pub, "counts"), "anonymous");
    size_t nsig = json_array_size(sigs), i, j, verified = 0, pre = 0;
    struct sig_item *items = NULL;
    json_t *problems = json_array(), *ring_rows = json_array(), *byv = json_array(),
           *byo = json_array(), *r, *s, *mine = NULL, *pre_tags = json_array();
    /* what a server not yet migrated counts: the v2 signatures and those
     * stored before v2 (recognized, to say what the operator can do) */
    json_t *allv = json_array(), *allo = json_array();

    *report = NULL;
    if (!jstr(pub, "memo") || !json_is_array(rings) || !json_is_array(sigs) ||
        !json_is_array(json_object_get(pub, "versions"))) {
        rc = err_set(e, ERR_INVALID, "the reply is not the public facts of a memo");
        goto out;
    }
    items = calloc(nsig + 1, sizeof *items);
    if (!items || !problems || !ring_rows || !byv || !byo || !pre_tags || !allv || !allo) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    check_ring_chain(rings, problems);
    json_array_foreach(sigs, i, s)
    {
        sig_decode(pub, s, &items[i], problems);
        for (j = 0; j < i; j++)
            if (jstr(s, "tag") && jstr(items[j].obj, "tag") &&
                strcmp(jstr(s, "tag"), jstr(items[j].obj, "tag")) == 0) {
                problem(problems, "tag %s is published twice: one member counted twice",
                        jstr(s, "tag"));
                items[i].valid = 0;
            }
    }
    json_array_foreach(rings, i, r)
    {
        json_array_append_new(ring_rows,
                              json_pack("{s:s?,s:I,s:I,s:s?}", "organization",
                                        jstr(r, "organization"), "ring", jint(r, "ring"), "count",
                                        (json_int_t)json_array_size(json_object_get(r, "keys")),
                                        "digest", jstr(r, "digest")));
        verify_ring(pub, r, items, nsig, problems);
    }
    for (i = 0; i < nsig; i++) {
        if (items[i].pre_v2 || items[i].verified) {
            count_add(allv, "version", json_integer(jint(items[i].obj, "version")));
            if (!anon_is_coalition(jstr(items[i].obj, "organization")))
                count_add(allo, "organization", json_string(jstr(items[i].obj, "organization")));
        }
        if (items[i].pre_v2) {
            /* made before v2: shown, never counted (a v1 tag is not its
             * signer's v2 tag, so counting both could count one member
             * twice) */
            pre++;
            json_array_append_new(pre_tags, json_string(jstr(items[i].obj, "tag")));
            continue;
        }
        if (!items[i].verified) {
            if (items[i].valid) {
                int known = 0;
                json_array_foreach(
                    rings, j, r) if (jint(r, "ring") == jint(items[i].obj, "ring") &&
                                     strcmp(jstr(r, "organization") ? jstr(r, "organization") : "",
                                            jstr(items[i].obj, "organization")) == 0) known = 1;
                if (!known)
                    problem(problems,
                            "signature %s names ring %lld of '%s', which the memo does "
                            "not have",
                            jstr(items[i].obj, "tag"), (long long)jint(items[i].obj, "ring"),
                            jstr(items[i].obj, "organization"));
            }
            continue;
        }
        verified++;
        count_add(byv, "version", json_integer(jint(items[i].obj, "version")));
        /* a coalition signature counts in the total only */
        if (!anon_is_coalition(jstr(items[i].obj, "organization")))
            count_add(byo, "organization", json_string(jstr(items[i].obj, "organization")));
    }
    sort_rows(byv, cmp_rows_version);
    sort_rows(byo, cmp_rows_org);
    sort_rows(allv, cmp_rows_version);
    sort_rows(allo, cmp_rows_org);
    mine = json_pack("{s:I,s:O,s:O}", "total", (json_int_t)verified, "by_version", byv,
                     "by_organization", byo);
    if (!server) {
        problem(problems, "the server publishes no anonymous counts");
    } else if (pre && jint(server, "total") == (json_int_t)(verified + pre) &&
               json_equal(json_object_get(server, "by_version"), allv) &&
               json_equal(json_object_get(server, "by_organization"), allo)) {
        /* a server upgraded from v1 whose operator has not run migrate */
        problem(problems,
                "the server counts %zu anonymous signature%s made before protocol v2 (%lld in "
                "all; %zu verify under v2): a member who signed under v1 and again under v2 is "
                "counted twice; its operator should run 'dissent migrate', which sets them aside",
                pre, pre == 1 ? "" : "s", (long long)jint(server, "total"), verified);
    } else {
        /* the server counts the v2 signatures only, and says how many
         * made before v2 it set aside (docs/protocol-ring.md §15) */
        if (jint(server, "total") != (json_int_t)verified)
            problem(problems, "the server counts %lld anonymous signatures; %zu verify",
                    (long long)jint(server, "total"), verified);
        if (!json_equal(json_object_get(server, "by_version"), byv))
            problem(problems, "the server's anonymous counts per version differ from the "
                              "recomputed ones");
        if (!json_equal(json_object_get(server, "by_organization"), byo))
            problem(problems, "the server's anonymous counts per organization differ from the "
                              "recomputed ones");
        if (jint(pub, "pre_v2") != (json_int_t)pre)
            problem(problems,
                    "the server sets aside %lld anonymous signatures as made before protocol "
                    "v2; %zu verify only with v1's bytes",
                    (long long)jint(pub, "pre_v2"), pre);
    }
    *report = json_pack("{s:s,s:b,s:O,s:I,s:I,s:O,s:O,s:O,s:O}", "memo", jstr(pub, "memo"), "ok",
                        json_array_size(problems) == 0, "rings", ring_rows, "signatures",
                        (json_int_t)nsig, "verified", (json_int_t)verified, "counts", mine,
                        "server_counts", server ? (json_t *)server : json_null(), "problems",
                        problems, "pre_v2", pre_tags);
    rc = *report ? 0 : err_set(e, ERR_NOMEM, "out of memory");
out:
    for (i = 0; items && i < nsig; i++)
        free(items[i].proof);
    free(items);
    json_decref(problems);
    json_decref(ring_rows);
    json_decref(byv);
    json_decref(byo);
    json_decref(mine);
    json_decref(pre_tags);
    json_decref(allv);
    json_decref(allo);
    return rc;
}
