/* fuzz_session.c — session_load on a fuzzed session file. */
#include "../fuzz.h"
#include "tmpfile.h"

#include "client/session.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_tmpfile_init("session");
    atexit(fuzz_tmpfile_remove);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct session s;
    struct err e;
    int found = -1;

    fuzz_tmpfile_write(data, size);
    err_init(&e);
    if (session_load(fuzz_path, &s, &found, &e) == 0) {
        FUZZ_CHECK(found == 1);
        FUZZ_CHECK(memchr(s.server, '\0', sizeof s.server) &&
                   memchr(s.token, '\0', sizeof s.token) &&
                   memchr(s.username, '\0', sizeof s.username));
        FUZZ_CHECK(!s.loose_mode);
        session_wipe(&s);
    } else {
        FUZZ_CHECK(found == 1 && e.code != ERR_OK);
        for (size_t i = 0; i < sizeof s.token; i++)
            FUZZ_CHECK(s.token[i] == '\0'); /* the token is wiped on failure */
    }
    return 0;
}
