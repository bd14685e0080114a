/* test_static.c — embedded static files, files added at start-up (the
 * browser's signing module), and the anon/ folder. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/static.h"

static void test_embedded_anon_folder(void **state)
{
    (void)state;
    const struct static_file *f = static_find("anon/ring-core.js");
    assert_non_null(f);
    assert_string_equal(f->content_type, "text/javascript; charset=utf-8");
    assert_non_null(static_find("dissent.css"));
    assert_null(static_find("anon/nothing.js"));
    assert_null(static_find("ring-core.js")); /* only under its folder */
}

static void test_add_file(void **state)
{
    (void)state;
    char path[] = "/tmp/dissent-static-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const unsigned char data[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
    assert_int_equal(write(fd, data, sizeof data), (ssize_t)sizeof data);
    close(fd);

    struct err e;
    err_init(&e);
    assert_null(static_find("anon/test.wasm"));
    assert_int_equal(static_add_file("anon/test.wasm", path, "application/wasm", &e), 0);
    unlink(path); /* read once at start-up: the file may go */
    const struct static_file *f = static_find("anon/test.wasm");
    assert_non_null(f);
    assert_string_equal(f->content_type, "application/wasm");
    assert_int_equal(f->len, sizeof data);
    assert_memory_equal(f->data, data, sizeof data);
    uint8_t h[32];
    char hex[65];
    crypto_hash_sha256(h, data, sizeof data);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    assert_int_equal(strlen(f->etag), 16);
    assert_memory_equal(f->etag, hex, 16);

    /* a name taken (embedded or added) is refused, and so is a missing file */
    assert_int_equal(static_add_file("anon/test.wasm", path, "application/wasm", &e), -1);
    assert_int_equal(e.code, ERR_CONFLICT);
    assert_int_equal(static_add_file("dissent.css", "/etc/hostname", "text/css", &e), -1);
    assert_int_equal(e.code, ERR_CONFLICT);
    assert_int_equal(static_add_file("anon/other.wasm", path, "application/wasm", &e), -1);
    assert_int_equal(e.code, ERR_NOT_FOUND);
    assert_null(static_find("anon/other.wasm"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_embedded_anon_folder),
        cmocka_unit_test(test_add_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
