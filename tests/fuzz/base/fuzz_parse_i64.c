/* fuzz_parse_i64.c — parse_i64 against strtoll, with fuzzed bounds. */
#include "../fuzz.h"

#include "base/util.h"

#include <errno.h>
#include <inttypes.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int64_t lo = INT64_MIN, hi = INT64_MAX, v = 0;
    char *s;
    int rc;

    /* the first 16 bytes (when there are) give the bounds */
    if (size >= 16) {
        memcpy(&lo, data, 8);
        memcpy(&hi, data + 8, 8);
        data += 16;
        size -= 16;
    }
    s = fuzz_cstr(data, size);
    rc = parse_i64(s, lo, hi, &v);
    {
        /* reference: optional '-', 1..19 digits, nothing else, in range */
        const char *p = s[0] == '-' ? s + 1 : s;
        size_t nd = strspn(p, "0123456789");
        int ok = nd >= 1 && nd <= 19 && p[nd] == '\0';
        long long r = 0;
        if (ok) {
            errno = 0;
            r = strtoll(s, NULL, 10);
            ok = errno == 0 && r >= lo && r <= hi;
        }
        FUZZ_CHECK((rc == 0) == ok);
        if (ok)
            FUZZ_CHECK(v == r);
    }
    free(s);
    return 0;
}
