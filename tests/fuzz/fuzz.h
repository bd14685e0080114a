/* fuzz.h — shared helpers of the libFuzzer harnesses (tests/fuzz/<layer>/fuzz_*.c).
 *
 * Each harness is one LLVMFuzzerTestOneInput that hands its input to one
 * parser, checks what can be checked about the result, and frees everything.
 * FUZZ_CHECK aborts on a broken invariant, which libFuzzer reports as a crash. */
#ifndef DISSENT_TESTS_FUZZ_H
#define DISSENT_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* A malloc'd NUL-terminated copy of data[0..n), for functions that take a C
 * string (an embedded NUL simply ends the string early). */
static inline char *fuzz_cstr(const uint8_t *data, size_t n)
{
    char *s = malloc(n + 1);
    if (!s)
        abort();
    if (n)
        memcpy(s, data, n);
    s[n] = '\0';
    return s;
}

#endif
