/* fuzz_time.c — time_parse_utc, checked by formatting the result again. */
#include "../fuzz.h"

#include "base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);
    int64_t t = 0;

    if (time_parse_utc(s, &t) == 0) {
        char out[21];
        size_t n = strlen(s);
        FUZZ_CHECK(n == 10 || n == 20);
        time_format_utc(out, t);
        if (n == 20)
            FUZZ_CHECK(strcmp(out, s) == 0);
        else
            FUZZ_CHECK(memcmp(out, s, 10) == 0 && strcmp(out + 10, "T00:00:00Z") == 0);
    }
    free(s);
    return 0;
}
