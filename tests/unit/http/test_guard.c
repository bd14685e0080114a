/* Tests for src/http/guard: deadlines, per-address limits and pressure, on
 * socket pairs standing in for client connections (the guard shuts down the
 * server's end; the test watches the client's). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/guard.h"

struct pair {
    int server, client;
};

static struct pair pair_new(void)
{
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    return (struct pair){.server = sv[0], .client = sv[1]};
}

static void pair_close(struct pair p)
{
    close(p.server);
    close(p.client);
}

/* Did the guard end the server's side within wait_ms? */
static int ended(struct pair p, int wait_ms)
{
    struct pollfd pf = {.fd = p.client, .events = POLLIN};
    char b;
    return poll(&pf, 1, wait_ms) == 1 && recv(p.client, &b, 1, MSG_DONTWAIT) == 0;
}

/* Did the guard answer 408 (the JSON error shape) and end the server's side
 * within wait_ms? */
static int ended_408(struct pair p, int wait_ms)
{
    struct pollfd pf = {.fd = p.client, .events = POLLIN};
    char b[1024];
    size_t n = 0;
    ssize_t k = 1;
    while (k > 0 && n < sizeof b - 1 && poll(&pf, 1, wait_ms) == 1) {
        k = recv(p.client, b + n, sizeof b - 1 - n, MSG_DONTWAIT);
        n += k > 0 ? (size_t)k : 0;
    }
    b[n] = '\0';
    return k == 0 && strncmp(b, "HTTP/1.1 408 ", 13) == 0 &&
           strstr(b, "\r\n\r\n{\"error\":{\"code\":\"timeout\",\"message\":\"") != NULL;
}

static struct sockaddr_in6 v6(const char *text)
{
    struct sockaddr_in6 a = {.sin6_family = AF_INET6};
    assert_int_equal(inet_pton(AF_INET6, text, &a.sin6_addr), 1);
    return a;
}

static struct sockaddr_in v4(const char *text)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    assert_int_equal(inet_pton(AF_INET, text, &a.sin_addr), 1);
    return a;
}

#define SA(x) ((const struct sockaddr *)&(x))

static struct guard *start(unsigned max, unsigned per_address, unsigned head_ms, unsigned body_ms)
{
    struct guard *g = NULL;
    struct guard_config cfg = {
        .max_connections = max, .per_address = per_address, .head_ms = head_ms, .body_ms = body_ms};
    struct err e;
    err_init(&e);
    assert_int_equal(guard_start(&g, &cfg, &e), 0);
    return g;
}

static void test_head_deadline_not_extended(void **state)
{
    struct guard *g = start(100, 0, 300, 10000);
    struct sockaddr_in a = v4("192.0.2.1");
    struct pair p = pair_new();
    struct guard_conn *c = guard_open(g, p.server, SA(a));
    struct guard_stats st;
    (void)state;
    assert_false(ended(p, 150));
    /* A refused head is no answered request: the clock keeps running. */
    guard_request_done(g, c);
    assert_true(ended(p, 400));
    guard_stats(g, &st);
    assert_int_equal(st.closed_head, 1);
    assert_int_equal(st.open, 1); /* until the server closes it */
    guard_close(g, c);
    guard_stats(g, &st);
    assert_int_equal(st.open, 0);
    pair_close(p);
    guard_stop(g);
}

/* A head whose request line came but not the rest: 408, then the end. */
static void test_head_started_408(void **state)
{
    struct guard *g = start(100, 0, 300, 10000);
    struct sockaddr_in a = v4("192.0.2.1");
    struct pair p = pair_new();
    struct guard_conn *c = guard_open(g, p.server, SA(a));
    (void)state;
    guard_line_done(g, c);
    assert_true(ended_408(p, 600));
    guard_close(g, c);
    pair_close(p);
    guard_stop(g);
}

static void test_phases(void **state)
{
    struct guard *g = start(100, 0, 300, 300);
    struct sockaddr_in a = v4("192.0.2.1");
    struct pair p = pair_new(), q = pair_new();
    struct guard_conn *c = guard_open(g, p.server, SA(a));
    struct guard_conn *d = guard_open(g, q.server, SA(a));
    struct guard_stats st;
    (void)state;
    /* p: head in, then its body stalls: the body deadline ends it. */
    guard_head_done(g, c);
    /* q: head and body in; the handler may take as long as it takes. */
    guard_head_done(g, d);
    guard_body_done(g, d);
    assert_true(ended_408(p, 600)); /* a request had begun: told why */
    assert_false(ended(q, 500));
    /* The answer is sent: q waits for its next head, on a fresh deadline. */
    guard_request_done(g, d);
    assert_false(ended(q, 150));
    assert_true(ended(q, 400)); /* nothing of a request came: no reply */
    guard_stats(g, &st);
    assert_int_equal(st.closed_body, 1);
    assert_int_equal(st.closed_head, 1);
    guard_close(g, c);
    guard_close(g, d);
    pair_close(p);
    pair_close(q);
    guard_stop(g);
}

static void test_per_address(void **state)
{
    struct guard *g = start(100, 2, 10000, 10000);
    struct sockaddr_in a = v4("198.51.100.7"), b = v4("198.51.100.8");
    struct sockaddr_in6 mapped = v6("::ffff:198.51.100.7");
    struct sockaddr_in6 h1 = v6("2001:db8:1:2::1"), h2 = v6("2001:db8:1:2:ffff::9");
    struct sockaddr_in6 other = v6("2001:db8:1:3::1");
    struct pair p[8];
    struct guard_conn *c[8];
    struct guard_stats st;
    (void)state;
    for (int i = 0; i < 8; i++)
        p[i] = pair_new();
    c[0] = guard_open(g, p[0].server, SA(a));
    c[1] = guard_open(g, p[1].server, SA(mapped)); /* the same address, mapped */
    assert_false(guard_admit(g, SA(a)));
    assert_false(guard_admit(g, SA(mapped)));
    assert_true(guard_admit(g, SA(b)));
    /* Over the limit anyway (two threads raced past admit): ended at once. */
    c[2] = guard_open(g, p[2].server, SA(a));
    assert_true(ended(p[2], 100));
    assert_false(ended(p[0], 0));
    assert_false(ended(p[1], 0));
    /* IPv6: one /64 is one address. */
    c[3] = guard_open(g, p[3].server, SA(h1));
    c[4] = guard_open(g, p[4].server, SA(h2));
    assert_false(guard_admit(g, SA(h1)));
    assert_true(guard_admit(g, SA(other)));
    c[5] = guard_open(g, p[5].server, SA(other));
    assert_false(ended(p[5], 0));
    /* A connection closing frees its place. */
    guard_close(g, c[0]);
    assert_true(guard_admit(g, SA(a)));
    c[0] = guard_open(g, p[6].server, SA(a));
    assert_false(ended(p[6], 50));
    guard_stats(g, &st);
    assert_int_equal(st.refused_address, 4); /* three admits and one open */
    assert_int_equal(st.open, 6);
    for (int i = 0; i < 6; i++)
        guard_close(g, c[i]);
    for (int i = 0; i < 8; i++)
        pair_close(p[i]);
    guard_stop(g);
}

static void test_pressure(void **state)
{
    /* Pressure at 3 of 4 connections; the head deadline is far away. */
    struct guard *g = start(4, 0, 60000, 60000);
    struct sockaddr_in a = v4("203.0.113.5");
    struct pair p[4];
    struct guard_conn *c[4];
    struct guard_stats st;
    int n = 0;
    (void)state;
    for (int i = 0; i < 4; i++)
        p[i] = pair_new();
    c[0] = guard_open(g, p[0].server, SA(a));
    c[1] = guard_open(g, p[1].server, SA(a));
    guard_head_done(g, c[1]); /* c[1] is busy with its body: not idle */
    assert_false(guard_pressure(g));
    c[2] = guard_open(g, p[2].server, SA(a));
    assert_true(guard_pressure(g));
    assert_false(guard_full(g));
    /* At the cap, keep-alive ends (guard_full) until a place is free. */
    c[3] = guard_open(g, p[3].server, SA(a));
    assert_true(guard_full(g));
    guard_close(g, c[3]);
    assert_false(guard_full(g));
    /* The waiting heads older than GUARD_PRESSURE_MS go, the busy one stays. */
    assert_false(ended(p[0], (int)GUARD_PRESSURE_MS / 2));
    assert_true(ended(p[0], (int)GUARD_PRESSURE_MS + 500));
    assert_false(ended(p[1], 0));
    guard_close(g, c[0]);
    assert_false(guard_pressure(g));
    for (int i = 1; i < 3; i++)
        n += ended(p[i], 0);
    guard_stats(g, &st);
    assert_int_equal(st.closed_pressure, 1 + (uint64_t)n);
    for (int i = 1; i < 3; i++)
        guard_close(g, c[i]);
    for (int i = 0; i < 4; i++)
        pair_close(p[i]);
    guard_stop(g);
}

static void test_config(void **state)
{
    struct guard *g = NULL;
    struct guard_config cfg = {.max_connections = 0, .head_ms = 1, .body_ms = 1};
    struct err e;
    (void)state;
    err_init(&e);
    assert_int_equal(guard_start(&g, &cfg, &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    assert_null(g);
    guard_stop(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_head_deadline_not_extended),
        cmocka_unit_test(test_phases),
        cmocka_unit_test(test_head_started_408),
        cmocka_unit_test(test_per_address),
        cmocka_unit_test(test_pressure),
        cmocka_unit_test(test_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
