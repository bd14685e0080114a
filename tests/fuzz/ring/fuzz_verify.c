/* fuzz_verify.c — ring_verify against a fixed ring of 5 keys with fuzzed
 * proof bytes. An input whose first byte is odd is a list of patches
 * (2 bytes of offset, 1 byte to xor) applied to a valid proof made at
 * start-up (with a deterministic random source, so findings reproduce);
 * any other input is the proof itself. Invariants: a proof that verifies is
 * exactly the valid one (no malleability), carries its tag, and the batch
 * verifier agrees with the single one. */
#include "../fuzz.h"
#include "rng.h"

#include "ring/triptych.h"

#define NKEYS 5
static const uint8_t scope[] = "memo-fuzz";
static const uint8_t msg[] = "version-fuzz";
static struct ring_keys *ring;
static uint8_t *valid;
static size_t valid_len;
static uint8_t valid_tag[RING_POINT_BYTES];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    uint8_t keys[NKEYS][RING_POINT_BYTES], sk[NKEYS][RING_SCALAR_BYTES];
    struct err e;
    (void)argc;
    (void)argv;
    fuzz_rng_install();
    if (ring_init(&e) != 0)
        abort();
    for (int i = 0; i < NKEYS; i++) {
        memset(sk[i], 0, RING_SCALAR_BYTES);
        sk[i][0] = (uint8_t)(7 + 3 * i);
        if (ring_public_key(keys[i], sk[i], &e) != 0)
            abort();
    }
    if (ring_keys_new(&ring, (const uint8_t(*)[RING_POINT_BYTES])keys, NKEYS, &e) != 0 ||
        ring_prove(&valid, &valid_len, ring, 2, sk[2], scope, sizeof scope - 1, msg, sizeof msg - 1,
                   &e) != 0 ||
        ring_tag(valid_tag, sk[2], scope, sizeof scope - 1, &e) != 0 ||
        ring_verify(ring, valid, valid_len, scope, sizeof scope - 1, msg, sizeof msg - 1, NULL,
                    &e) != 0)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *proof;
    size_t len;
    uint8_t tag[RING_POINT_BYTES], tag2[RING_POINT_BYTES];
    struct err e;
    int ok;

    if (size && (data[0] & 1)) {
        proof = malloc(valid_len);
        if (!proof)
            abort();
        memcpy(proof, valid, valid_len);
        len = valid_len;
        for (size_t i = 1; i + 3 <= size; i += 3) {
            size_t off = ((size_t)data[i] << 8 | data[i + 1]) % valid_len;
            proof[off] ^= data[i + 2];
        }
    } else {
        proof = malloc(size ? size : 1);
        if (!proof)
            abort();
        if (size)
            memcpy(proof, data, size);
        len = size;
    }
    err_init(&e);
    ok = ring_verify(ring, proof, len, scope, sizeof scope - 1, msg, sizeof msg - 1, tag, &e) == 0;
    if (ok) {
        FUZZ_CHECK(len == valid_len && memcmp(proof, valid, len) == 0);
        FUZZ_CHECK(memcmp(tag, valid_tag, sizeof tag) == 0);
        FUZZ_CHECK(ring_proof_tag(tag2, proof, len, &e) == 0 && memcmp(tag, tag2, sizeof tag) == 0);
    } else {
        FUZZ_CHECK(e.code == ERR_INVALID || e.code == ERR_CRYPTO);
    }
    {
        struct ring_batch_item it = {
            .proof = proof, .proof_len = len, .msg = msg, .msg_len = sizeof msg - 1};
        FUZZ_CHECK((ring_verify_batch(ring, scope, sizeof scope - 1, &it, 1, &e) == 0) == ok);
    }
    free(proof);
    return 0;
}
