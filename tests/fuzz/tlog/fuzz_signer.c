/* fuzz_signer.c — tlog_signer_parse: strict, so formatting what was accepted
 * gives back the input; its public half is the key of its seed. */
#include "../fuzz.h"

#include "tlog/note.h"

#include <sodium.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tlog_signer s, s2;
    struct err e;
    char out[TLOG_SIGNER_KEY_MAX];

    err_init(&e);
    if (tlog_signer_parse(&s, (const char *)data, size, &e) != 0) {
        static const struct tlog_signer zero;
        FUZZ_CHECK(e.code == ERR_INVALID);
        FUZZ_CHECK(memcmp(&s, &zero, sizeof s) == 0); /* wiped */
        return 0;
    }
    FUZZ_CHECK(tlog_signer_format(&s, out, &e) == 0);
    FUZZ_CHECK(strlen(out) == size && memcmp(out, data, size) == 0);
    FUZZ_CHECK(tlog_signer_from_seed(&s2, s.pub.name, s.sk, &e) == 0);
    FUZZ_CHECK(memcmp(&s2.pub, &s.pub, sizeof s.pub) == 0);
    FUZZ_CHECK(memcmp(s2.sk, s.sk, sizeof s.sk) == 0);
    sodium_memzero(out, sizeof out);
    tlog_signer_wipe(&s);
    tlog_signer_wipe(&s2);
    return 0;
}
