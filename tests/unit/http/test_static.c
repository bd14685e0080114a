/* Tests for src/http/static.c: embedded static files, files added at
 * start-up (the browser's signing module), the anon/ folder, content types,
 * the files that may run WebAssembly, the manifest of served files
 * (embedded, added, then with an override directory: its files replace or
 * join the embedded ones; dot files, links and folders are never served),
 * and refusals. Serving an
 * overridden file is driven end to end in tests/e2e/test_verify_web.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "http/static.h"
#include "unit/test_tmp.h"

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[256];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void hex_of(const void *data, size_t len, char out[65])
{
    unsigned char h[32];
    crypto_hash_sha256(h, data, len);
    hex_encode(out, h, sizeof h);
}

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
    char path[TT_PATH_MAX];
    int fd = mkstemp(tt_template(path, sizeof path, "dissent-static"));
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

    /* an added file is part of the client release: the manifest lists it */
    {
        struct buf b;
        size_t n = 0;
        char line[128];
        buf_init(&b, 1u << 20);
        assert_int_equal(static_manifest(&b, &n, &e), 0);
        snprintf(line, sizeof line, "%s /static/anon/test.wasm\n", hex);
        assert_non_null(strstr(buf_str(&b), line));
        buf_release(&b);
    }
}

static void test_types(void **state)
{
    (void)state;
    assert_string_equal(static_content_type("a.css"), "text/css; charset=utf-8");
    assert_string_equal(static_content_type("a.js"), "text/javascript; charset=utf-8");
    assert_string_equal(static_content_type("ring.wasm"), "application/wasm");
    assert_string_equal(static_content_type("sign.html"), "text/html; charset=utf-8");
    assert_string_equal(static_content_type("css"), "application/octet-stream");
    assert_string_equal(static_content_type("a.exe"), "application/octet-stream");
    assert_true(static_allows_wasm("anon/ring-worker.js"));
    assert_false(static_allows_wasm("anon"));
    assert_false(static_allows_wasm("upload.js"));
    assert_false(static_allows_wasm("anon-worker.js"));
}

/* Each manifest line is "<hex> /static/<name>" of a file served now, sorted. */
static void test_manifest_embedded(void **state)
{
    struct buf b;
    struct err e;
    size_t n = 0, lines = 0;
    char prev[160] = "";
    const char *p;
    (void)state;
    err_init(&e);
    buf_init(&b, 1u << 20);
    static_clear_override();
    assert_int_equal(static_manifest(&b, &n, &e), 0);
    assert_true(n >= 4);
    for (p = buf_str(&b); *p; lines++) {
        const char *nl = strchr(p, '\n');
        char name[160], want[65];
        const struct static_file *f;
        assert_non_null(nl);
        assert_true(nl - p > 74);
        assert_memory_equal(p + 64, " /static/", 9);
        snprintf(name, sizeof name, "%.*s", (int)(nl - p - 73), p + 73);
        assert_true(strcmp(prev, name) < 0);
        snprintf(prev, sizeof prev, "%s", name);
        f = static_find(name);
        assert_non_null(f);
        hex_of(f->data, f->len, want);
        assert_memory_equal(p, want, 64);
        assert_memory_equal(f->etag, want, 16);
        /* embed.sh types the built-in files as static_content_type types overrides */
        assert_string_equal(f->content_type, static_content_type(name));
        p = nl + 1;
    }
    assert_int_equal(lines, n);
    assert_non_null(strstr(buf_str(&b), " /static/dissent.css\n"));
    buf_release(&b);
}

static void test_manifest_override(void **state)
{
    char dir[TT_PATH_MAX], path[TT_PATH_MAX + 64], want[65], line[128];
    struct buf plain, over;
    struct err e;
    size_t n0 = 0, n1 = 0;
    (void)state;
    err_init(&e);
    buf_init(&plain, 1u << 20);
    buf_init(&over, 1u << 20);
    static_clear_override();
    assert_int_equal(static_manifest(&plain, &n0, &e), 0);

    tt_mkdtemp(dir, sizeof dir, "dissent-static");
    write_file(dir, "ui.css", "body{color:red}");
    write_file(dir, "new.js", "1;");
    write_file(dir, ".hidden.js", "secret");
    snprintf(path, sizeof path, "%s/link.css", dir);
    assert_int_equal(symlink("/etc/passwd", path), 0);
    snprintf(path, sizeof path, "%s/sub", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    assert_int_equal(static_set_override(dir, &e), 0);
    assert_int_equal(static_manifest(&over, &n1, &e), 0);
    /* one file more (new.js); ui.css now the override's bytes */
    assert_int_equal(n1, n0 + 1);
    hex_of("body{color:red}", 15, want);
    snprintf(line, sizeof line, "%s /static/ui.css\n", want);
    assert_non_null(strstr(buf_str(&over), line));
    hex_of("1;", 2, want);
    snprintf(line, sizeof line, "%s /static/new.js\n", want);
    assert_non_null(strstr(buf_str(&over), line));
    assert_null(strstr(buf_str(&over), "hidden"));
    assert_null(strstr(buf_str(&over), "link.css"));
    assert_null(strstr(buf_str(&over), "/static/sub"));
    /* an overridden file may change without a restart: no immutable URL */
    {
        struct pool p;
        pool_init(&p, 4096);
        assert_string_equal(static_url("ui.css", &p), "/static/ui.css");
        assert_non_null(strstr(static_url("dissent.css", &p), "/static/dissent.css?v="));
        pool_release(&p);
    }
    /* the other embedded files are unchanged */
    assert_non_null(strstr(buf_str(&over), " /static/dissent.css\n"));
    assert_true(strcmp(buf_str(&plain), buf_str(&over)) != 0);

    /* a file removed since the start is no longer listed */
    snprintf(path, sizeof path, "%s/new.js", dir);
    assert_int_equal(unlink(path), 0);
    buf_reset(&over);
    assert_int_equal(static_manifest(&over, &n1, &e), 0);
    assert_int_equal(n1, n0);

    static_clear_override();
    buf_reset(&over);
    assert_int_equal(static_manifest(&over, &n1, &e), 0);
    assert_string_equal(buf_str(&over), buf_str(&plain));

    /* refusals */
    assert_int_equal(static_set_override("/nonexistent/dissent-static", &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    snprintf(path, sizeof path, "%s/ui.css", dir);
    assert_int_equal(static_set_override(path, &e), -1);

    assert_int_equal(tt_rm_tree(dir), 0);
    buf_release(&plain);
    buf_release(&over);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_embedded_anon_folder),
        cmocka_unit_test(test_add_file),
        cmocka_unit_test(test_types),
        cmocka_unit_test(test_manifest_embedded),
        cmocka_unit_test(test_manifest_override),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
