/* Tests for src/client/smtp.c: what --smtp accepts (TLS unless a loopback
 * test says otherwise, no credentials in the URL), and the message it
 * writes (headers that cannot be split, CRLF lines). Sending itself is
 * tested against a real SMTP server in tests/e2e/test_notify.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "client/smtp.h"

static void test_init(void **state)
{
    struct smtp s;
    struct err e;
    (void)state;
    err_init(&e);
    assert_int_equal(smtp_init(&s, "smtp://mail.example.org:587", 0, "d@example.org", "u", "p", &e),
                     0);
    smtp_release(&s);
    assert_int_equal(smtp_init(&s, "smtps://mail.example.org", 0, "d@example.org", NULL, NULL, &e),
                     0);
    assert_int_equal(smtp_init(&s, "http://mail.example.org", 0, "d@example.org", NULL, NULL, &e),
                     -1);
    assert_int_equal(
        smtp_init(&s, "smtp://user:pw@mail.example.org", 0, "d@example.org", NULL, NULL, &e), -1);
    assert_non_null(strstr(e.msg, "credentials"));
    /* clear text only to this machine */
    assert_int_equal(smtp_init(&s, "smtp://mail.example.org", 1, "d@example.org", NULL, NULL, &e),
                     -1);
    assert_non_null(strstr(e.msg, "--smtp-insecure"));
    assert_int_equal(smtp_init(&s, "smtp://127.0.0.1:2525", 1, "d@example.org", NULL, NULL, &e), 0);
    assert_int_equal(smtp_init(&s, "smtp://[::1]:2525", 1, "d@example.org", NULL, NULL, &e), 0);
    assert_int_equal(smtp_init(&s, "smtp://localhost", 1, "d@example.org", NULL, NULL, &e), 0);
    assert_int_equal(smtp_init(&s, "smtp://127.0.0.1", 0, "not an address", NULL, NULL, &e), -1);
    assert_int_equal(smtp_url_loopback("smtp://127.9.9.9:25"), 1);
    assert_int_equal(smtp_url_loopback("smtp://128.0.0.1:25"), 0);
    assert_int_equal(smtp_url_loopback("smtp://localhost.evil.example"), 0);
}

static void test_message(void **state)
{
    struct buf b;
    struct err e;
    (void)state;
    err_init(&e);
    buf_init(&b, 1 << 16);
    /* 2026-11-30T12:34:56Z is a Monday */
    assert_int_equal(smtp_message("d@example.org", "r@example.org", "dissent: news", "one\ntwo\n",
                                  1796042096, &b, &e),
                     0);
    assert_non_null(strstr(buf_str(&b), "Date: Mon, 30 Nov 2026 12:34:56 +0000\r\n"));
    assert_non_null(strstr(buf_str(&b), "To: <r@example.org>\r\n"));
    assert_non_null(strstr(buf_str(&b), "@example.org>\r\nMIME-Version"));
    assert_non_null(strstr(buf_str(&b), "\r\n\r\none\r\ntwo\r\n"));
    assert_null(strstr(buf_str(&b), "two\n\n"));
    assert_int_equal(
        smtp_message("d@example.org", "r@example.org\r\nBcc: x@y.z", "s", "b", 0, &b, &e), -1);
    assert_int_equal(
        smtp_message("d@example.org", "r@example.org", "s\r\nBcc: x@y.z", "b", 0, &b, &e), -1);
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init),
        cmocka_unit_test(test_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
