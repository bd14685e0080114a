/* fuzz_leaf_check.c — proto_leaf_check (the monitor's logc_leaf_check) on
 * fuzzed log leaves: what it accepts is a canonical JSON object of a kind
 * of the table. */
#include "../fuzz.h"

#include "proto/events.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *o = NULL;
    struct err e;

    err_init(&e);
    if (proto_leaf_check((const char *)data, size, &o, &e) == 0) {
        char *again;
        FUZZ_CHECK(json_is_object(o));
        FUZZ_CHECK(json_integer_value(json_object_get(o, "v")) == 1);
        FUZZ_CHECK(proto_kind_find(json_string_value(json_object_get(o, "kind"))) != NULL);
        again = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
        FUZZ_CHECK(again && strlen(again) == size && memcmp(again, data, size) == 0);
        free(again);
        json_decref(o);
    } else {
        FUZZ_CHECK(o == NULL && e.code == ERR_INVALID && e.msg[0]);
    }
    /* without asking for the object */
    FUZZ_CHECK((proto_leaf_check((const char *)data, size, NULL, &e) == 0) == (o != NULL));
    return 0;
}
