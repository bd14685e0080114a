/* Tests for src/channel/release.c: a client release is logged once per
 * manifest and version (restarting the same build appends nothing), a new
 * manifest or version appends a new leaf, and the leaf read back from the
 * public log is the one the monitor's table accepts. */
#include "unit/channel/fixture.h"

#include "proto/events.h"

#define M1 "1111111111111111111111111111111111111111111111111111111111111111"
#define M2 "2222222222222222222222222222222222222222222222222222222222222222"

/* The leaf at index, checked against the table of leaf kinds. */
static json_t *leaf_at(struct fx *f, int64_t index)
{
    struct err e;
    json_t *out = NULL, *leaf = NULL;
    const char *data;
    err_init(&e);
    fx_ok(chan_log_leaves(f->c, index, index + 1, &out, &e), &e);
    data = json_string_value(
        json_object_get(json_array_get(json_object_get(out, "leaves"), 0), "data"));
    assert_non_null(data);
    fx_ok(proto_leaf_check(data, strlen(data), &leaf, &e), &e);
    json_decref(out);
    return leaf;
}

static void test_release_once(void **state)
{
    struct fx *f = *state;
    struct err e;
    int64_t size = fx_log_size(f), index = -1, again = -1;
    int appended = 0;
    json_t *leaf;

    err_init(&e);
    fx_ok(chan_client_release(f->c, "0.1.0-dev", M1, 7, &index, &appended, &e), &e);
    assert_int_equal(appended, 1);
    assert_int_equal(index, size);
    assert_int_equal(fx_log_size(f), size + 1);
    leaf = leaf_at(f, index);
    assert_string_equal(json_string_value(json_object_get(leaf, "kind")), "client-release");
    assert_string_equal(json_string_value(json_object_get(leaf, "manifest")), M1);
    assert_string_equal(json_string_value(json_object_get(leaf, "version")), "0.1.0-dev");
    assert_int_equal(json_integer_value(json_object_get(leaf, "files")), 7);
    assert_null(json_object_get(leaf, "memo"));
    json_decref(leaf);

    /* the same build again (a restart): nothing appended, the same leaf */
    fx_ok(chan_client_release(f->c, "0.1.0-dev", M1, 7, &again, &appended, &e), &e);
    assert_int_equal(appended, 0);
    assert_int_equal(again, index);
    assert_int_equal(fx_log_size(f), size + 1);

    /* other files: a new release */
    fx_ok(chan_client_release(f->c, "0.1.0-dev", M2, 8, &again, &appended, &e), &e);
    assert_int_equal(appended, 1);
    assert_int_equal(again, size + 1);
    /* the same files under another version: a new release too */
    fx_ok(chan_client_release(f->c, "0.2.0", M2, 8, &again, &appended, &e), &e);
    assert_int_equal(appended, 1);
    assert_int_equal(again, size + 2);
    /* back to the first build: logged again, because it is the latest now */
    fx_ok(chan_client_release(f->c, "0.1.0-dev", M1, 7, &again, &appended, &e), &e);
    assert_int_equal(appended, 1);
    assert_int_equal(fx_log_size(f), size + 4);
}

static void test_release_refused(void **state)
{
    struct fx *f = *state;
    struct err e;
    int64_t size = fx_log_size(f), index = -1;
    int appended = 1;

    /* a leaf the table does not allow is never logged */
    err_init(&e);
    fx_refused(chan_client_release(f->c, "1.0 beta", M1, 1, &index, &appended, &e), &e,
               ERR_INTERNAL, "version");
    fx_refused(chan_client_release(f->c, "1.0", "not-hex", 1, &index, &appended, &e), &e,
               ERR_INTERNAL, "manifest");
    assert_int_equal(appended, 0);
    assert_int_equal(fx_log_size(f), size);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_release_once),
        cmocka_unit_test(test_release_refused),
    };
    return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
