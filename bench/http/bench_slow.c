/* bench_slow — /healthz latency while 1,000 slow clients hold connections
 * (printed, never asserted).
 *
 * Starts the real server on loopback (its default limits), then measures
 * GET /healthz, each on a fresh connection as a load balancer's health check
 * does, in three settings:
 *   baseline   no other clients;
 *   held       1,000 connections that send one header line every 2 s,
 *              from 40 loopback addresses, with a cap of 2,048 so that all
 *              of them stay open (what idle sockets cost the polling threads);
 *   at the cap the same 1,000 against the default cap of 1,024: the server is
 *              under pressure and closes waiting heads, the clients reconnect
 *              at once (what churn at the cap costs).
 * Prints p50, p99 and max, and each p99 as a ratio to the baseline's.
 * Goal (issue #12): p99 <= 100 ms with 1,000 slow connections.
 *
 * Usage: bench_slow [slow-connections] (default 1000).
 */
#include "../bench_figures.h"
#include "base/log.h"
#include "base/util.h"
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define N_PROBES 2000
#define N_ADDRS  40
#define EVERY_S  2.0
#define SLOW_MAX 4000

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void h_hello(struct http_request *req, struct http_response *res, void *app)
{
    (void)req;
    (void)app;
    http_reply_json(res, 200, json_object());
}

static const struct http_route routes[] = {
    {.method = "GET", .pattern = "/api/v1/hello", .handler = h_hello},
};

/* ---- the slow crowd -------------------------------------------------- */

struct slow {
    int fd;
    double next; /* when to send the next header line */
    int lines;
};

struct crowd {
    unsigned short port;
    int n;
    struct slow s[SLOW_MAX];
    int ep;
    volatile int stop;
    long reconnects; /* connections the server closed, opened again */
    pthread_t thread;
};

static void slow_open(struct crowd *c, int i)
{
    struct sockaddr_in src = {.sin_family = AF_INET};
    struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons(c->port)};
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.u32 = (uint32_t)i};
    char a[32];
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

    c->s[i].fd = fd;
    c->s[i].lines = 0;
    c->s[i].next = now_s();
    if (fd < 0)
        return;
    snprintf(a, sizeof a, "127.0.0.%d", 2 + i % N_ADDRS);
    inet_pton(AF_INET, a, &src.sin_addr);
    inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
    if (bind(fd, (struct sockaddr *)&src, sizeof src) != 0 ||
        (connect(fd, (struct sockaddr *)&dst, sizeof dst) != 0 && errno != EINPROGRESS) ||
        epoll_ctl(c->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
        close(fd);
        c->s[i].fd = -1;
    }
}

static void slow_close(struct crowd *c, int i)
{
    if (c->s[i].fd >= 0) {
        epoll_ctl(c->ep, EPOLL_CTL_DEL, c->s[i].fd, NULL);
        close(c->s[i].fd);
        c->s[i].fd = -1;
    }
}

/* Keeps n connections trickling; one the server ends is opened again. */
static void *crowd_main(void *arg)
{
    struct crowd *c = arg;
    struct epoll_event evs[256];
    char buf[4096];

    for (int i = 0; i < c->n; i++)
        slow_open(c, i);
    while (!c->stop) {
        double now = now_s();
        int k = epoll_wait(c->ep, evs, 256, 20);
        for (int j = 0; j < k; j++) {
            int i = (int)evs[j].data.u32;
            ssize_t got = c->s[i].fd >= 0 ? recv(c->s[i].fd, buf, sizeof buf, 0) : 1;
            if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
                slow_close(c, i);
                slow_open(c, i);
                c->reconnects++;
            }
        }
        for (int i = 0; i < c->n; i++) {
            struct slow *s = &c->s[i];
            if (s->fd < 0) {
                slow_open(c, i);
                continue;
            }
            if (now < s->next)
                continue;
            if (s->lines == 0)
                (void)!send(s->fd, "GET /healthz HTTP/1.1\r\nHost: bench\r\n", 36, MSG_NOSIGNAL);
            else
                (void)!send(s->fd, "X-Slow: 1\r\n", 11, MSG_NOSIGNAL);
            s->lines++;
            s->next = now + EVERY_S;
        }
    }
    for (int i = 0; i < c->n; i++)
        slow_close(c, i);
    return NULL;
}

/* ---- the health check ------------------------------------------------ */

/* One GET /healthz on a fresh connection: seconds, or -1 on failure. */
static double probe(unsigned short port)
{
    static const char req[] = "GET /healthz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n";
    struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons(port)};
    struct timeval tv = {.tv_sec = 10};
    char buf[2048];
    size_t got = 0;
    ssize_t k;
    double t0 = now_s();
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int ok;

    if (fd < 0)
        return -1;
    inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ok = connect(fd, (struct sockaddr *)&dst, sizeof dst) == 0 &&
         send(fd, req, sizeof req - 1, MSG_NOSIGNAL) == (ssize_t)(sizeof req - 1);
    while (ok && (k = recv(fd, buf + got, sizeof buf - 1 - got, 0)) > 0)
        got += (size_t)k;
    close(fd);
    buf[got] = '\0';
    return ok && strncmp(buf, "HTTP/1.1 200", 12) == 0 ? now_s() - t0 : -1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

struct figures {
    double p50, p99, max;
    int failed;
};

static struct figures measure(unsigned short port)
{
    static double t[N_PROBES];
    struct figures f = {0};
    int n = 0;
    for (int i = 0; i < N_PROBES; i++) {
        double s = probe(port);
        if (s < 0)
            f.failed++;
        else
            t[n++] = s;
    }
    if (n) {
        qsort(t, (size_t)n, sizeof t[0], cmp_double);
        f.p50 = t[n / 2];
        f.p99 = t[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1];
        f.max = t[n - 1];
    }
    return f;
}

static void print_row(const char *what, struct figures f, const struct figures *base)
{
    printf("  %-40s p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms", what, f.p50 * 1e3, f.p99 * 1e3,
           f.max * 1e3);
    if (base && base->p99 > 0)
        printf("  p99 x%.1f of baseline", f.p99 / base->p99);
    if (f.failed)
        printf("  (%d of %d failed)", f.failed, N_PROBES);
    printf("\n");
}

static struct http_server *serve(unsigned max_connections)
{
    struct http_server *srv = NULL;
    struct err e;
    struct http_server_config cfg = {
        .listen_addr = "127.0.0.1",
        .routes = routes,
        .nroutes = 1,
        .max_connections = max_connections,
    };
    err_init(&e);
    if (http_server_start(&srv, &cfg, &e)) {
        fprintf(stderr, "bench_slow: %s\n", e.msg);
        exit(1);
    }
    return srv;
}

/* Runs the crowd against a fresh server with the given cap; prints a row. */
static struct figures with_crowd(const char *what, int n, unsigned cap, const struct figures *base)
{
    static struct crowd c;
    struct http_server *srv = serve(cap);
    struct figures f;
    double t0;
    memset(&c, 0, sizeof c);
    c.port = http_server_port(srv);
    c.n = n;
    c.ep = epoll_create1(0);
    if (c.ep < 0 || pthread_create(&c.thread, NULL, crowd_main, &c) != 0) {
        fprintf(stderr, "bench_slow: cannot start the slow clients\n");
        exit(1);
    }
    sleep(2); /* let them all connect and start trickling */
    t0 = now_s();
    f = measure(c.port);
    c.stop = 1;
    pthread_join(c.thread, NULL);
    close(c.ep);
    print_row(what, f, base);
    printf("  %-40s %ld connections closed by the server and reopened in %.1f s\n", "",
           c.reconnects, now_s() - t0 + 2);
    http_server_stop(srv);
    return f;
}

int main(int argc, char **argv)
{
    int64_t arg = 1000;
    int n;
    struct rlimit rl;
    struct http_server *srv;
    struct figures base, held, capped;
    char what[80];

    log_set_level(LOG_ERROR); /* one line per request would swamp the figures */
    if (argc > 1 && parse_i64(argv[1], 1, SLOW_MAX, &arg)) {
        fprintf(stderr, "usage: bench_slow [slow-connections, 1..%d]\n", SLOW_MAX);
        return 2;
    }
    n = (int)arg;
    /* Client and server sockets live in this one process. */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 16384 ? 16384 : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        rl.rlim_cur < (rlim_t)(2 * n + 2200)) {
        n = rl.rlim_cur > 2400 ? (int)(rl.rlim_cur - 2200) / 2 : 100;
        printf("  (open-file limit %llu: %d slow connections)\n", (unsigned long long)rl.rlim_cur,
               n);
    }
    printf("/healthz, each on a fresh connection, %d requests per row:\n", N_PROBES);
    srv = serve(0);
    for (int i = 0; i < 200; i++) /* warm up */
        (void)probe(http_server_port(srv));
    base = measure(http_server_port(srv));
    http_server_stop(srv);
    print_row("baseline (no other clients)", base, NULL);
    snprintf(what, sizeof what, "%d slow connections held (cap 2048)", n);
    held = with_crowd(what, n, 2048, &base);
    snprintf(what, sizeof what, "%d slow connections at the cap (1024)", n);
    capped = with_crowd(what, n, 0, &base);
    bench_figure("slow_n", n, "");
    bench_figure("slow_health_p99_ms", (held.p99 > capped.p99 ? held.p99 : capped.p99) * 1e3, "ms");
    bench_figure("slow_baseline_p99_ms", base.p99 * 1e3, "ms");
    printf("goal (issue #12): p99 <= 100 ms with 1,000 slow connections\n");
    return 0;
}
