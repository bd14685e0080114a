/* fuzz_verifier.c — tlog_verifier_parse: strict, so formatting what was
 * accepted gives back the input. */
#include "../fuzz.h"

#include "tlog/note.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tlog_verifier v, v2;
    struct err e;
    char out[TLOG_VERIFIER_KEY_MAX];
    unsigned char id[TLOG_KEY_ID_SIZE];

    err_init(&e);
    if (tlog_verifier_parse(&v, (const char *)data, size, &e) != 0) {
        FUZZ_CHECK(e.code == ERR_INVALID);
        return 0;
    }
    FUZZ_CHECK(tlog_name_valid(v.name, strlen(v.name)));
    tlog_key_id(v.name, v.pk, id);
    FUZZ_CHECK(memcmp(id, v.key_id, sizeof id) == 0);
    FUZZ_CHECK(tlog_verifier_format(&v, out, &e) == 0);
    FUZZ_CHECK(strlen(out) == size && memcmp(out, data, size) == 0);
    FUZZ_CHECK(tlog_verifier_init(&v2, v.name, v.pk, &e) == 0);
    FUZZ_CHECK(memcmp(v2.key_id, v.key_id, sizeof id) == 0);
    return 0;
}
