/* keys.h — the fixed log key of the tlog harnesses (seed 0x01 repeated),
 * named "fuzz.example/log"; seeds in the corpora are signed with it. */
#ifndef DISSENT_TESTS_FUZZ_TLOG_KEYS_H
#define DISSENT_TESTS_FUZZ_TLOG_KEYS_H

#include "tlog/note.h"

#include <stdlib.h>
#include <string.h>

#define FUZZ_LOG_NAME "fuzz.example/log"

static inline void fuzz_log_signer(struct tlog_signer *s)
{
    unsigned char seed[TLOG_SEED_SIZE];
    struct err e;
    memset(seed, 1, sizeof seed);
    if (tlog_signer_from_seed(s, FUZZ_LOG_NAME, seed, &e) != 0)
        abort();
}

#endif
