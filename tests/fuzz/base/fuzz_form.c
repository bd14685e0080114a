/* fuzz_form.c — form_parse (x-www-form-urlencoded bodies and query strings). */
#include "../fuzz.h"

#include "base/form.h"
#include "base/pool.h"
#include "base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pool pool;
    struct form f;
    struct err e;
    const struct form_limits lim = {.max_fields = 8, .max_name = 16, .max_value = 64};
    const struct form_limits *which = size && (data[0] & 1) ? &lim : NULL;

    pool_init(&pool, 4u << 20);
    err_init(&e);
    if (form_parse(&f, (const char *)data, size, which, &pool, &e) != 0) {
        FUZZ_CHECK(f.n == 0 && f.fields == NULL);
        FUZZ_CHECK(e.code == ERR_INVALID || e.code == ERR_TOO_LARGE || e.code == ERR_NOMEM);
        goto out;
    }
    FUZZ_CHECK(f.n <= (which ? which->max_fields : 64));
    for (size_t i = 0; i < f.n; i++) {
        const char *name = f.fields[i].name;
        const char *value = f.fields[i].value;
        size_t nl = strlen(name), vl = strlen(value);
        char *enc, *dec = NULL;
        size_t dl = 0;

        FUZZ_CHECK(nl >= 1 && nl <= (which ? which->max_name : 128));
        FUZZ_CHECK(vl <= (which ? which->max_value : 65536));
        FUZZ_CHECK(utf8_valid(name, nl) && utf8_valid(value, vl));
        FUZZ_CHECK(form_get(&f, name) != NULL && form_count(&f, name) >= 1);

        /* encode then decode gives the value back */
        enc = form_encode(value, &pool);
        FUZZ_CHECK(enc != NULL);
        FUZZ_CHECK(form_decode(enc, strlen(enc), 0, &pool, &dec, &dl, &e) == 0);
        FUZZ_CHECK(dl == vl && memcmp(dec, value, vl) == 0);
    }
out:
    pool_release(&pool);
    return 0;
}
