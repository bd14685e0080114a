/* rings.c — rings of member keys, their digest, and proof parameters
 * (docs/protocol-ring.md §4, §5). */
#include "ring/triptych.h"

#include "ring/internal.h"

#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char DST_RING[] = "DISSENT-RING-V1-RING-DIGEST";

/* ---------- rings ---------- */

struct decode_job {
    struct ring_keys *r;
    size_t lo, hi;
    size_t bad; /* first bad index, or SIZE_MAX */
};

static void *decode_run(void *arg)
{
    struct decode_job *j = arg;
    j->bad = SIZE_MAX;
    for (size_t i = j->lo; i < j->hi; i++) {
        if (ring_point_decode(&j->r->keys[i], j->r->enc[i], 0, "key", NULL) != 0) {
            j->bad = i;
            break;
        }
    }
    return NULL;
}

int ring_keys_new(struct ring_keys **out, const uint8_t (*keys)[RING_POINT_BYTES], size_t count,
                  struct err *e)
{
    struct ring_keys *r = NULL;
    *out = NULL;
    if (count == 0 || count > RING_MAX_MEMBERS)
        return err_set(e, ERR_INVALID, "a ring holds 1 to %u keys, not %zu", RING_MAX_MEMBERS,
                       count);
    if (ring_init(e) != 0)
        return -1;
    r = calloc(1, sizeof *r);
    if (!r)
        goto nomem;
    r->count = count;
    r->keys = malloc(count * sizeof *r->keys);
    r->enc = malloc(count * sizeof *r->enc);
    if (!r->keys || !r->enc)
        goto nomem;
    memcpy(r->enc, keys, count * sizeof *r->enc);

    struct decode_job jobs[2] = {{r, 0, count, SIZE_MAX}, {r, count, count, SIZE_MAX}};
    pthread_t tid;
    int spawned = 0;
    if (count >= 256 && ring_ncores() > 1) {
        jobs[0].hi = count / 2;
        jobs[1].lo = count / 2;
        spawned = pthread_create(&tid, NULL, decode_run, &jobs[1]) == 0;
        if (!spawned)
            jobs[0].hi = count;
    }
    decode_run(&jobs[0]);
    if (spawned)
        pthread_join(tid, NULL);
    size_t bad = jobs[0].bad != SIZE_MAX ? jobs[0].bad : (spawned ? jobs[1].bad : SIZE_MAX);
    if (bad != SIZE_MAX) {
        err_set(e, ERR_INVALID,
                "ring key %zu is not a canonical ristretto255 encoding of a point other than "
                "the identity",
                bad);
        ring_keys_free(r);
        return -1;
    }

    crypto_hash_sha512_state st;
    uint8_t hdr[1 + sizeof DST_RING - 1 + 8];
    hdr[0] = (uint8_t)(sizeof DST_RING - 1);
    memcpy(hdr + 1, DST_RING, sizeof DST_RING - 1);
    ring_put_u64(hdr + sizeof DST_RING, (uint64_t)count);
    crypto_hash_sha512_init(&st);
    crypto_hash_sha512_update(&st, hdr, sizeof hdr);
    crypto_hash_sha512_update(&st, &r->enc[0][0], count * 32);
    crypto_hash_sha512_final(&st, r->digest);
    *out = r;
    return 0;
nomem:
    ring_keys_free(r);
    return err_set(e, ERR_NOMEM, "out of memory for a ring of %zu keys", count);
}

int ring_key_check(const uint8_t pk[RING_POINT_BYTES], struct err *e)
{
    ring_point p;
    return ring_point_decode(&p, pk, 0, "the ring key", e);
}

void ring_keys_free(struct ring_keys *r)
{
    if (!r)
        return;
    free(r->keys);
    free(r->enc);
    free(r);
}

size_t ring_keys_count(const struct ring_keys *r)
{
    return r->count;
}

const uint8_t *ring_keys_digest(const struct ring_keys *r)
{
    return r->digest;
}

/* ---------- parameters ---------- */

unsigned ring_params_digits(size_t count, unsigned n)
{
    unsigned m = 1;
    size_t cap = n;
    while (cap < count) {
        cap *= n;
        m++;
    }
    return m;
}

int ring_params_for(size_t count, struct ring_params *p, struct err *e)
{
    if (count == 0 || count > RING_MAX_MEMBERS)
        return err_set(e, ERR_INVALID, "a ring holds 1 to %u keys, not %zu", RING_MAX_MEMBERS,
                       count);
    /* the radix table of docs/protocol-ring.md §5 (chosen from the
     * measurements of §10): the fastest prover whose proof stays within
     * 2.5 KB, and radix 4 (the smallest proofs) where proving is quick
     * anyway. Every client and the server use this one table. */
    if (count <= RING_RADIX4_MAX)
        p->n = 4;
    else if (count <= RING_RADIX16_MAX)
        p->n = 16;
    else if (count <= RING_RADIX8_MAX)
        p->n = 8;
    else
        p->n = 4;
    p->m = ring_params_digits(count, p->n);
    return 0;
}

size_t ring_proof_len(struct ring_params p)
{
    return RING_PROOF_HEADER + 32u * (5u + 2u * p.m) + 32u * (p.m * (p.n - 1u) + 3u);
}

int ring_params_valid(struct ring_params p, size_t count)
{
    if (p.n != 2 && p.n != 4 && p.n != 8 && p.n != 16)
        return 0;
    return p.m == ring_params_digits(count, p.n);
}
