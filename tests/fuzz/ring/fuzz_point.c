/* fuzz_point.c — ring_point_decode. A 32-byte input is one encoding; any
 * other input is read as text, one 64-digit hex encoding per line (the
 * layout of ../shared/vectors/ristretto255/ text files, which seed it). */
#include "../fuzz.h"

#include "base/util.h"
#include "ring/group.h"

static void one(const uint8_t in[RING_POINT_BYTES])
{
    ring_point p;
    uint8_t out[RING_POINT_BYTES];
    struct err e;
    int with = ring_point_decode(&p, in, 1, "point", &e) == 0;
    int without = ring_point_decode(&p, in, 0, "point", &e) == 0;

    FUZZ_CHECK(!without || with);
    if (with) {
        FUZZ_CHECK(ring_point_decode(&p, in, 1, "point", &e) == 0);
        ring_point_encode(out, &p);
        FUZZ_CHECK(memcmp(out, in, RING_POINT_BYTES) == 0); /* canonical only */
        FUZZ_CHECK(without == !ring_point_is_identity(&p));
    } else {
        FUZZ_CHECK(e.code == ERR_INVALID);
    }
}

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
    if (size == RING_POINT_BYTES) {
        one(data);
        return 0;
    }
    for (size_t i = 0; i < size;) {
        const uint8_t *nl = memchr(data + i, '\n', size - i);
        size_t len = nl ? (size_t)(nl - (data + i)) : size - i;
        if (len == 64) {
            char hex[65];
            uint8_t bin[RING_POINT_BYTES];
            memcpy(hex, data + i, 64);
            hex[64] = '\0';
            if (hex_decode(bin, sizeof bin, hex) == 0)
                one(bin);
        }
        i += len + 1;
    }
    return 0;
}
