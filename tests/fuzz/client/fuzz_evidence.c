/* fuzz_evidence.c — evidence_check on fuzzed evidence files (JSON an
 * outsider hands over): what it accepts holds two notes of one log, the
 * smaller first, and is conclusive only for the kinds that prove a fork. */
#include "../fuzz.h"

#include "client/evidence.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *ev = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
    struct evidence_verdict vd;
    struct err e;
    err_init(&e);
    if (!ev)
        return 0;
    if (evidence_check(ev, &vd, &e) == 0) {
        FUZZ_CHECK(vd.a.size <= vd.b.size);
        FUZZ_CHECK(strcmp(vd.a.origin, vd.b.origin) == 0);
        FUZZ_CHECK(vd.a.size != vd.b.size || memcmp(vd.a.root, vd.b.root, 32) != 0);
        FUZZ_CHECK(!vd.conclusive || strcmp(vd.kind, "consistency") != 0);
        FUZZ_CHECK(vd.why[0] != '\0');
    } else {
        FUZZ_CHECK(e.code != ERR_OK && e.msg[0] != '\0');
    }
    json_decref(ev);
    return 0;
}
