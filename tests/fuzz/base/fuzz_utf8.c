/* fuzz_utf8.c — utf8_valid against a straightforward reference decoder. */
#include "../fuzz.h"

#include "base/util.h"

/* Decodes one scalar value at s[0..n); returns its length, or 0 if invalid. */
static size_t ref_one(const uint8_t *s, size_t n)
{
    uint32_t cp;
    size_t len;
    if (s[0] == 0)
        return 0;
    if (s[0] < 0x80)
        return 1;
    if ((s[0] & 0xe0) == 0xc0) {
        len = 2;
        cp = s[0] & 0x1f;
    } else if ((s[0] & 0xf0) == 0xe0) {
        len = 3;
        cp = s[0] & 0x0f;
    } else if ((s[0] & 0xf8) == 0xf0) {
        len = 4;
        cp = s[0] & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000))
        return 0; /* overlong */
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int want = 1;
    size_t cps = 0;
    for (size_t i = 0; i < size && want;) {
        size_t k = ref_one(data + i, size - i);
        if (!k)
            want = 0;
        i += k;
        cps++;
    }
    FUZZ_CHECK(utf8_valid((const char *)data, size) == want);
    if (want)
        FUZZ_CHECK(utf8_len((const char *)data, size) == cps);
    return 0;
}
