/* fuzz_copy_find_key.c — copy_find_key on a fuzzed copy of a memo. */
#include "../fuzz.h"

#include "base/util.h"
#include "proto/copycheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    char memo[32];
    int version = 0;
    unsigned char key[COPY_KEY_SIZE];
    struct err e;

    memset(memo, 'x', sizeof memo);
    err_init(&e);
    if (copy_find_key(text, memo, &version, key, &e) == 0) {
        FUZZ_CHECK(strstr(text, COPY_VERIFY_PREFIX) != NULL);
        FUZZ_CHECK(memchr(memo, '\0', sizeof memo) && strlen(memo) == RANDOM_ID_LEN);
        FUZZ_CHECK(version >= 1 && version <= 1000000);
        FUZZ_CHECK(strstr(text, memo) != NULL);
    } else {
        FUZZ_CHECK(e.code == ERR_INVALID);
    }
    free(text);
    return 0;
}
