/* fuzz_state.c — logc_state_load on a fuzzed monitor state file: what it
 * accepts has a valid key and a range whose root is the saved root, and can
 * take another leaf. */
#include "../fuzz.h"
#include "tmpfile.h"

#include "client/logclient.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_tmpfile_init("state");
    atexit(fuzz_tmpfile_remove);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct logc_state s;
    struct err e;
    int found = -1;

    fuzz_tmpfile_write(data, size);
    err_init(&e);
    if (logc_state_load(fuzz_path, &s, &found, &e) == 0) {
        unsigned char h[TLOG_HASH_SIZE], leaf[TLOG_HASH_SIZE] = {0};
        struct tlog_verifier v;
        FUZZ_CHECK(found == 1);
        FUZZ_CHECK(s.range.size == s.size && s.range.n <= 64);
        logc_range_root(&s.range, h);
        FUZZ_CHECK(memcmp(h, s.root, sizeof h) == 0);
        FUZZ_CHECK(tlog_verifier_parse(&v, s.verifier_key, strlen(s.verifier_key), &e) == 0);
        FUZZ_CHECK(memchr(s.server, '\0', sizeof s.server) &&
                   memchr(s.checked_at, '\0', sizeof s.checked_at));
        if (logc_range_append(&s.range, leaf, &e) == 0)
            FUZZ_CHECK(s.range.n <= 64);
    } else {
        FUZZ_CHECK(e.code != ERR_OK); /* found is not meaningful on failure */
    }
    return 0;
}
