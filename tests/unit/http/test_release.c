/* Tests for src/http/release.c: the manifest of the web client release —
 * its header and version lines, one line per served file and per template,
 * the digest of exactly its bytes — and a refused version string. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "http/release.h"
#include "http/static.h"
#include "http/tmpl.h"
#include "unit/test_tmp.h"

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static void test_build(void **state)
{
    struct web_release r, again;
    struct err e;
    struct buf files;
    size_t nfiles = 0;
    unsigned char h[32];
    char hex[65], line[160];
    (void)state;
    err_init(&e);
    static_clear_override();
    web_release_init(&r);
    web_release_init(&again);
    buf_init(&files, 1u << 20);
    assert_int_equal(r.leaf_index, -1);
    assert_int_equal(web_release_build(&r, "1.2.3-rc.1", &e), 0);
    assert_string_equal(r.version, "1.2.3-rc.1");
    assert_int_equal(strncmp(buf_str(&r.manifest), WEB_RELEASE_HEADER "\nversion 1.2.3-rc.1\n",
                             strlen(WEB_RELEASE_HEADER) + 20),
                     0);
    assert_int_equal(static_manifest(&files, &nfiles, &e), 0);
    assert_int_equal(r.files, (int64_t)(nfiles + tmpl_builtin_count));
    assert_int_equal(count_lines(buf_str(&r.manifest)), 2 + nfiles + tmpl_builtin_count);
    /* the served files, then the templates */
    assert_non_null(strstr(buf_str(&r.manifest), buf_str(&files)));
    crypto_hash_sha256(h, (const unsigned char *)tmpl_builtin[0].text,
                       strlen(tmpl_builtin[0].text));
    hex_encode(hex, h, sizeof h);
    snprintf(line, sizeof line, "%s template/%s.html\n", hex, tmpl_builtin[0].name);
    assert_non_null(strstr(buf_str(&r.manifest), line));
    /* the digest is of the manifest's bytes */
    crypto_hash_sha256(h, (const unsigned char *)r.manifest.data, r.manifest.len);
    hex_encode(hex, h, sizeof h);
    assert_string_equal(r.digest, hex);
    /* the same build, the same digest; another version, another */
    assert_int_equal(web_release_build(&again, "1.2.3-rc.1", &e), 0);
    assert_string_equal(again.digest, r.digest);
    assert_int_equal(web_release_build(&again, "1.2.4", &e), 0);
    assert_string_not_equal(again.digest, r.digest);
    web_release_release(&r);
    web_release_release(&again);
    buf_release(&files);
}

static void test_override_changes_digest(void **state)
{
    char dir[TT_PATH_MAX], path[TT_PATH_MAX + 64];
    struct web_release a, b;
    struct err e;
    FILE *f;
    (void)state;
    err_init(&e);
    web_release_init(&a);
    web_release_init(&b);
    static_clear_override();
    assert_int_equal(web_release_build(&a, "1.0", &e), 0);
    tt_mkdtemp(dir, sizeof dir, "dissent-release");
    snprintf(path, sizeof path, "%s/dissent.css", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("/* another look */", f);
    fclose(f);
    assert_int_equal(static_set_override(dir, &e), 0);
    assert_int_equal(web_release_build(&b, "1.0", &e), 0);
    assert_string_not_equal(a.digest, b.digest);
    assert_int_equal(a.files, b.files);
    static_clear_override();
    assert_int_equal(tt_rm_tree(dir), 0);
    web_release_release(&a);
    web_release_release(&b);
}

static void test_refused(void **state)
{
    struct web_release r;
    struct err e;
    (void)state;
    err_init(&e);
    web_release_init(&r);
    assert_int_equal(web_release_build(&r, "1.0 beta", &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    assert_non_null(strstr(e.msg, "1.0 beta"));
    assert_int_equal(web_release_build(&r, "", &e), -1);
    assert_int_equal(web_release_build(&r, "1.0/../x", &e), -1);
    web_release_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build),
        cmocka_unit_test(test_override_changes_digest),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
