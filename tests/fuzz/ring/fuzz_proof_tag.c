/* fuzz_proof_tag.c — ring_proof_tag on fuzzed proof bytes. */
#include "../fuzz.h"

#include "ring/triptych.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct err e;
    (void)argc;
    (void)argv;
    if (ring_init(&e) != 0)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t j[RING_POINT_BYTES];
    struct err e;
    ring_point p;

    err_init(&e);
    if (ring_proof_tag(j, data, size, &e) != 0) {
        FUZZ_CHECK(e.code == ERR_INVALID);
        return 0;
    }
    FUZZ_CHECK(size >= RING_PROOF_HEADER + RING_POINT_BYTES);
    FUZZ_CHECK(memcmp(j, data + RING_PROOF_HEADER, RING_POINT_BYTES) == 0);
    FUZZ_CHECK(ring_point_decode(&p, j, 0, "tag", &e) == 0);
    return 0;
}
