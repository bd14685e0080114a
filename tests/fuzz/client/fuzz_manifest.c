/* fuzz_manifest.c — webck_manifest_parse on a fuzzed release manifest (the
 * text a server sends at GET /api/v1/client/release). */
#include "../fuzz.h"

#include "client/webcheck.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct webck_manifest m;
    struct err e;
    size_t i;
    json_t *it;

    err_init(&e);
    webck_manifest_init(&m);
    if (webck_manifest_parse((const char *)data, size, &m, &e) == 0) {
        FUZZ_CHECK(strlen(m.version) >= 1 && strlen(m.version) <= 64);
        FUZZ_CHECK(strlen(m.sha256) == 64);
        json_array_foreach(m.entries, i, it)
        {
            const char *p = json_string_value(json_object_get(it, "path"));
            FUZZ_CHECK(p && strlen(json_string_value(json_object_get(it, "sha256"))) == 64);
            /* a served path is a file under /static/, at most one folder deep,
             * no part starting with a dot */
            if (p[0] == '/') {
                const char *slash = strchr(p + 8, '/');
                FUZZ_CHECK(strncmp(p, "/static/", 8) == 0 && p[8] && p[8] != '.');
                FUZZ_CHECK(!slash || (slash[1] && slash[1] != '.' && !strchr(slash + 1, '/')));
            }
            FUZZ_CHECK(json_is_true(json_object_get(it, "served")) == (p[0] == '/'));
        }
    } else {
        FUZZ_CHECK(e.code == ERR_INVALID && m.entries == NULL);
    }
    webck_manifest_release(&m);
    return 0;
}
