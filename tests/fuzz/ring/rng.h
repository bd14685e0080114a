/* rng.h — a deterministic libsodium random source for the ring harnesses, so
 * that a crash found with a proof or key file made at start-up reproduces.
 * splitmix64: not for secrets, only for fuzzing. Install it before anything
 * calls sodium_init (ring_init does). */
#ifndef DISSENT_TESTS_FUZZ_RING_RNG_H
#define DISSENT_TESTS_FUZZ_RING_RNG_H

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>

static uint64_t fuzz_rng_state = 0x0123456789abcdefull;

static uint64_t fuzz_rng_next(void)
{
    uint64_t z = (fuzz_rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static const char *fuzz_rng_name(void)
{
    return "fuzz-splitmix64";
}

static uint32_t fuzz_rng_random(void)
{
    return (uint32_t)fuzz_rng_next();
}

static void fuzz_rng_buf(void *const buf, const size_t size)
{
    unsigned char *p = buf;
    for (size_t i = 0; i < size; i++)
        p[i] = (unsigned char)fuzz_rng_next();
}

static struct randombytes_implementation fuzz_rng = {
    .implementation_name = fuzz_rng_name,
    .random = fuzz_rng_random,
    .buf = fuzz_rng_buf,
};

static inline void fuzz_rng_install(void)
{
    if (randombytes_set_implementation(&fuzz_rng) != 0 || sodium_init() < 0)
        abort();
}

#endif
