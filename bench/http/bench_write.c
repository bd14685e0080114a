/* bench_write — the real `dissent serve` under concurrent load (printed,
 * never asserted; issue #12):
 *
 *   1. named co-signatures over HTTP, durable (SQLite synchronous=FULL):
 *      CONNS keep-alive connections each signing and withdrawing on their
 *      own (member, memo) pair, with group commit and, in the same run, with
 *      `--group-commit off` (one commit per request): requests/s, p50, p99,
 *      and the writes per commit the server counted; then group commit
 *      again once the roll holds OTHER_MEMBERS more members (of another
 *      organization), and once every memo also holds ANON_PER_MEMO
 *      anonymous signatures (rows with 2.4 KB proofs and their running
 *      totals, put in by SQL; their counts go into every named signature's
 *      leaf): neither may slow a write down;
 *   2. /healthz p99 meanwhile (a probe every 10 ms on its own connection);
 *   3. public reads (GET /api/v1/log/checkpoint, a signed checkpoint) with
 *      `--workers 2` against `--workers 1`;
 *   4. on PostgreSQL: two `serve` processes on one database against one
 *      (each --workers 2, the same connections split between them), for
 *      public checkpoint reads and for members reading a memo page (GET
 *      /api/v1/memos/:id, which records the read in the access log);
 *   5. 304 answers to the checkpoint (If-None-Match with its ETag);
 *   6. anonymous co-signatures on a ring of 2^BENCH_ANON_LOG2 keys (default
 *      16) from BENCH_ANON_CLIENTS connections (256: a crowd signing at
 *      once, whose batches grow with it), sustained: a database
 *      seeded in-process (members and ring keys through the store, the
 *      memo through the channel), a pool of BENCH_ANON_PROOFS valid proofs
 *      (32) made before the server starts; each connection posts one proof
 *      per request. A proof counts once (its tag's sequence number), so after
 *      the pool's first pass the posts are replays, which the server verifies
 *      in full and only then refuses (409 at the recheck on the writer): the
 *      verification work per request is the same. Verified requests/s and
 *      /healthz p50/p99 meanwhile, with proofs batched across requests
 *      (--verify-window 50, the default) against each request verified alone
 *      (--verify-window 0), and the batch sizes the server counted.
 * Every figure also goes to $DISSENT_BENCH_FIGURES (bench/bench_figures.h),
 * from which scripts/bench.sh prints the goals table.
 * On PostgreSQL too when DISSENT_BENCH_PG_URL names an empty database
 * (scripts/bench.sh starts a throwaway one: fsync off there, so its commit
 * figures say nothing about disks). The bench, the servers and PostgreSQL
 * share this machine's cores: two processes cannot double anything on two
 * cores; the ratio says what one more process costs or gains here.
 *
 * The server is the `dissent` binary beside the bench directory
 * (build/dissent), on a database `dissent demo` made; the load is libcurl.
 * Usage: bench_write [seconds per run] (default 4); BENCH_WRITE_PG_ONLY=1
 * runs the PostgreSQL part only, BENCH_WRITE_ANON_ONLY=1 the anonymous one,
 * BENCH_WRITE_READS_ONLY=1 the checkpoint reads (200s and 304s, same run),
 * BENCH_WRITE_WRITES_ONLY=1 the named co-signatures on SQLite,
 * BENCH_ANON_LOG2=0 skips it.
 */
#include "../bench_figures.h"
#include "base/util.h"
#include "channel/chan.h"
#include "channel/roles.h"
#include "proto/anon.h"
#include "ring/triptych.h"
#include "store/store.h"
#include "unit/test_tmp.h"

#include <curl/curl.h>
#include <errno.h>
#include <sodium.h>
#include <sqlite3.h>
#include <jansson.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CONNS         32
#define OTHER_MEMBERS 100000 /* members of another organization, for the roll run */
#define ANON_PER_MEMO 8000   /* anonymous signatures per memo, for the last run */
#define NMEMOS        8
#define MAX_LAT       400000
#define READERS       16
#define URL_MAX       256
#define PATH_MAX_     4096

static const char *const users[] = {"alice", "bob", "carol", "dan"};
#define NUSERS 4

static char dissent_bin[PATH_MAX_];
static char dir[PATH_MAX_];
static char base_url[URL_MAX];
/* The checkpoint's ETag (304 reads). */
static char checkpoint_etag[128];
/* Anonymous co-signatures: the endpoint, and the bodies of the proof pool. */
static char anon_path[128];
static char **anon_bodies;
static size_t anon_n;
static char tokens[NUSERS][128];
static char memos[NMEMOS][64];
static volatile int stop_load;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The server running now, which die() stops: an orphan would hold the
 * caller's pipes open. */
static pid_t running_server;

static void die(const char *what)
{
    fprintf(stderr, "bench_write: %s\n", what);
    if (running_server > 0)
        kill(running_server, SIGTERM);
    exit(1);
}

struct body {
    char *p;
    size_t n;
};

static size_t collect(char *p, size_t size, size_t n, void *u)
{
    struct body *b = u;
    size_t k = size * n;
    char *q = realloc(b->p, b->n + k + 1);
    if (!q)
        return 0;
    memcpy(q + b->n, p, k);
    b->p = q;
    b->n += k;
    b->p[b->n] = '\0';
    return k;
}

static size_t sink(char *p, size_t size, size_t n, void *u)
{
    (void)p;
    (void)u;
    return size * n;
}

/* One request on h; returns the status (0 on a transport failure). */
static long request(CURL *h, const char *method, const char *path, const char *token,
                    const char *json, struct body *out)
{
    char url[URL_MAX * 2], auth[200];
    struct curl_slist *hd = NULL;
    long status = 0;
    snprintf(url, sizeof url, "%s%s", base_url, path);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, json);
    if (!json)
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    if (token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        hd = curl_slist_append(hd, auth);
    }
    hd = curl_slist_append(hd, "Content-Type: application/json");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, out ? collect : sink);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hd);
    return status;
}

static CURL *handle(void)
{
    CURL *h = curl_easy_init();
    if (!h)
        die("curl");
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    return h;
}

/* ---- the server ---- */

static pid_t server_start(const char *db, const char *workers, const char *group)
{
    char port_file[PATH_MAX_ + 16];
    pid_t pid;
    snprintf(port_file, sizeof port_file, "%s/port", dir);
    unlink(port_file);
    fflush(stdout); /* the child must not print what is buffered here */
    pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout))
            _exit(127);
        execl(dissent_bin, dissent_bin, "serve", "--db", db, "--listen", "127.0.0.1:0",
              "--port-file", port_file, "--workers", workers, "--group-commit", group,
              "--log-level", "error", "--max-connections", "2048",
              /* every connection here comes from 127.0.0.1, standing for a crowd */
              "--per-address-connections", "0", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 400; i++) {
        FILE *f = fopen(port_file, "r");
        unsigned port = 0;
        if (f) {
            int got = fscanf(f, "%u", &port);
            fclose(f);
            if (got == 1 && port) {
                snprintf(base_url, sizeof base_url, "http://127.0.0.1:%u", port);
                running_server = pid;
                return pid;
            }
        }
        usleep(25000);
    }
    die("the server did not start");
    return -1;
}

static void server_stop(pid_t pid)
{
    int st;
    kill(pid, SIGTERM);
    waitpid(pid, &st, 0);
    if (pid == running_server)
        running_server = 0;
}

/* Metric `name` (the first sample of it) from /metrics, or -1. */
static double metric(const char *name)
{
    CURL *h = handle();
    struct body b = {0};
    double v = -1;
    if (request(h, "GET", "/metrics", NULL, NULL, &b) == 200 && b.p) {
        const char *at = strstr(b.p, name);
        while (at && (at > b.p && at[-1] != '\n'))
            at = strstr(at + 1, name);
        if (at) {
            at += strlen(name);
            at += strcspn(at, " ");
            v = strtod(at, NULL);
        }
    }
    free(b.p);
    curl_easy_cleanup(h);
    return v;
}

/* Logs the demo members in and makes NMEMOS circulating memos. */
static void setup_data(void)
{
    CURL *h = handle();
    char json[256], path[128];
    for (int u = 0; u < NUSERS; u++) {
        struct body b = {0};
        json_t *j;
        snprintf(json, sizeof json, "{\"username\":\"%s\",\"password\":\"%s-demo-pass\"}", users[u],
                 users[u]);
        if (request(h, "POST", "/api/v1/login", NULL, json, &b) != 200 || !b.p)
            die("login");
        j = json_loads(b.p, 0, NULL);
        if (!j || !json_string_value(json_object_get(j, "token")))
            die("login reply");
        snprintf(tokens[u], sizeof tokens[u], "%s", json_string_value(json_object_get(j, "token")));
        json_decref(j);
        free(b.p);
    }
    for (int m = 0; m < NMEMOS; m++) {
        struct body b = {0};
        json_t *j;
        snprintf(json, sizeof json,
                 "{\"channel\":\"dissent\",\"title\":\"Bench %d\",\"marking\":\"SBU\","
                 "\"body\":\"Everyone signs this at once.\"}",
                 m);
        if (request(h, "POST", "/api/v1/memos", tokens[0], json, &b) != 201 || !b.p)
            die("memo create");
        j = json_loads(b.p, 0, NULL);
        if (!j || !json_string_value(json_object_get(j, "id")))
            die("memo reply");
        snprintf(memos[m], sizeof memos[m], "%s", json_string_value(json_object_get(j, "id")));
        json_decref(j);
        free(b.p);
        snprintf(path, sizeof path, "/api/v1/memos/%s/circulate", memos[m]);
        if (request(h, "POST", path, tokens[0], "{}", NULL) != 200)
            die("circulate");
    }
    curl_easy_cleanup(h);
}

/* ---- load ----
 * The load runs on raw keep-alive HTTP/1.1 connections that LOAD_THREADS
 * threads drive with epoll, the way wrk drives them. An earlier version gave
 * each connection a thread and a libcurl handle: at 20,000 checkpoint reads/s
 * that client took 40% of this 2-core machine's CPU, which the server under
 * test then lacked, so the figures said more about the client than the
 * server. Each response is its header block and Content-Length bytes (the
 * server answers every request with a length); a connection the server
 * closes is opened again and counted as an error. */

enum { LOAD_READS, LOAD_SIGN, LOAD_PAGES, LOAD_ANON, LOAD_304 };

#define LOAD_THREADS 1
#define IN_MAX       (256 * 1024)

/* One connection of the load and what it has done. */
struct worker {
    int id, nconn;
    int writes;       /* LOAD_*: sign/unsign, checkpoint reads, memo page reads, ... */
    const char *base; /* the server, or NULL for base_url */
    double *lat;
    size_t n, errors, turns, accepted;
    int fd, signed_, busy;
    size_t next; /* the next anonymous proof */
    double t0;   /* when the request in flight was sent */
    char path[128];
    char *in;
    size_t have;
};

/* Connects w to its server (blocking; epoll only waits for answers). */
static int conn_open(struct worker *w)
{
    const char *base = w->base ? w->base : base_url;
    const char *colon = strrchr(base, ':');
    struct sockaddr_in a = {.sin_family = AF_INET};
    int one = 1;
    w->have = 0;
    w->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (w->fd < 0 || !colon)
        return -1;
    a.sin_port = htons((uint16_t)strtoul(colon + 1, NULL, 10));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(w->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return connect(w->fd, (struct sockaddr *)&a, sizeof a);
}

/* Sends w's next request: what it is depends on the load and, for
 * sign/unsign, on whether the pair is signed now. */
static int conn_send(struct worker *w)
{
    const char *method = "GET", *path = "/api/v1/log/checkpoint", *token = NULL, *json = NULL;
    char head[1024];
    size_t jlen;
    int hlen;
    if (w->writes == LOAD_ANON) {
        method = "POST", path = anon_path, json = anon_bodies[w->next % anon_n];
        w->next += (size_t)w->nconn;
    } else if (w->writes == LOAD_PAGES) {
        path = w->path, token = tokens[w->id % NUSERS];
    } else if (w->writes == LOAD_SIGN) {
        method = w->signed_ ? "DELETE" : "POST", path = w->path, token = tokens[w->id % NUSERS];
        json = w->signed_ ? NULL : "{}";
    }
    jlen = json ? strlen(json) : 0;
    hlen = snprintf(head, sizeof head,
                    "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%s%s%s%s%s"
                    "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                    method, path, token ? "Authorization: Bearer " : "", token ? token : "",
                    token ? "\r\n" : "", w->writes == LOAD_304 ? "If-None-Match: " : "",
                    w->writes == LOAD_304 ? checkpoint_etag : "",
                    w->writes == LOAD_304 ? "\r\n" : "", jlen);
    if (hlen < 0 || (size_t)hlen >= sizeof head)
        return -1;
    w->t0 = now_s();
    w->busy = 1;
    for (size_t off = 0, total = (size_t)hlen + jlen; off < total;) {
        const char *from = off < (size_t)hlen ? head + off : json + (off - (size_t)hlen);
        size_t len = off < (size_t)hlen ? (size_t)hlen - off : total - off;
        ssize_t k = send(w->fd, from, len, MSG_NOSIGNAL);
        if (k <= 0)
            return -1;
        off += (size_t)k;
    }
    return 0;
}

/* The status of the first whole response in w->in, which it then drops;
 * 0 while the response is incomplete, -1 when it cannot be one. */
static long conn_take(struct worker *w)
{
    char *end, *cl;
    size_t head, total;
    long status;
    w->in[w->have] = '\0';
    end = strstr(w->in, "\r\n\r\n");
    if (!end)
        return w->have >= IN_MAX - 1 ? -1 : 0;
    head = (size_t)(end - w->in) + 4;
    if (strncmp(w->in, "HTTP/1.1 ", 9) != 0)
        return -1;
    status = strtol(w->in + 9, NULL, 10);
    cl = strstr(w->in, "\r\nContent-Length:"); /* the server's spelling */
    total = head + (cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0);
    if (total >= IN_MAX)
        return -1;
    if (w->have < total)
        return 0;
    memmove(w->in, w->in + total, w->have - total);
    w->have -= total;
    return status;
}

/* Counts the answer to w's request. */
static void conn_count(struct worker *w, long st)
{
    double took = now_s() - w->t0;
    int ok = st >= 200 && st < 300;
    w->busy = 0;
    if (stop_load)
        return; /* answered after the run's end: not in its figures */
    if (w->writes == LOAD_ANON)
        ok = st == 200 || st == 409; /* 409: verified in full, then refused as a replay */
    else if (w->writes == LOAD_304)
        ok = st == 304;
    if (ok) {
        w->lat[w->n++] = took;
        w->accepted += w->writes == LOAD_ANON && st == 200;
        if (w->writes == LOAD_SIGN)
            w->signed_ = !w->signed_;
    } else if (w->writes == LOAD_SIGN && st == 409) {
        w->turns++; /* the pair was left signed by the run before: turn around */
        w->signed_ = !w->signed_;
    } else {
        w->errors++;
    }
}

/* Opens w again after a failure and sends its next request; a connection
 * that cannot be opened again is left closed (counted in the errors). */
static void conn_restart(struct worker *w, int ep)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = w};
    if (w->fd >= 0)
        close(w->fd);
    w->errors++;
    if (conn_open(w) != 0 || epoll_ctl(ep, EPOLL_CTL_ADD, w->fd, &ev) != 0 || conn_send(w) != 0) {
        if (w->fd >= 0)
            close(w->fd);
        w->fd = -1;
    }
}

/* One loader: the connections first, first + step, ... of w. */
struct loader {
    pthread_t t;
    struct worker *w;
    int nconn, first, step;
};

static void *loader_main(void *arg)
{
    struct loader *l = arg;
    struct epoll_event evs[64];
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0)
        die("epoll");
    for (int i = l->first; i < l->nconn; i += l->step) {
        struct worker *w = &l->w[i];
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = w};
        int memo = (w->id / NUSERS) % NMEMOS;
        snprintf(w->path, sizeof w->path,
                 w->writes == LOAD_PAGES ? "/api/v1/memos/%s" : "/api/v1/memos/%s/signatures",
                 memos[memo]);
        w->next = (size_t)w->id;
        w->in = malloc(IN_MAX);
        if (!w->in)
            die("out of memory");
        if (conn_open(w) != 0 || epoll_ctl(ep, EPOLL_CTL_ADD, w->fd, &ev) != 0 || conn_send(w) != 0)
            conn_restart(w, ep);
    }
    while (!stop_load) {
        int n = epoll_wait(ep, evs, 64, 50);
        for (int k = 0; k < n && !stop_load; k++) {
            struct worker *w = evs[k].data.ptr;
            ssize_t r = read(w->fd, w->in + w->have, IN_MAX - 1 - w->have);
            long st;
            if (r <= 0) {
                conn_restart(w, ep);
                continue;
            }
            w->have += (size_t)r;
            while ((st = conn_take(w)) > 0) {
                conn_count(w, st);
                if (w->n < MAX_LAT && conn_send(w) != 0) {
                    conn_restart(w, ep);
                    break;
                }
            }
            if (st < 0)
                conn_restart(w, ep);
        }
    }
    for (int i = l->first; i < l->nconn; i += l->step) {
        if (l->w[i].fd >= 0)
            close(l->w[i].fd);
        free(l->w[i].in);
    }
    close(ep);
    return NULL;
}

/* /healthz probes every 10 ms while the load runs. */
struct probe {
    pthread_t t;
    double lat[4096];
    size_t n, errors;
};

static void *probe_main(void *arg)
{
    struct probe *p = arg;
    CURL *h = handle();
    while (!stop_load && p->n < 4096) {
        double t0 = now_s();
        if (request(h, "GET", "/healthz", NULL, NULL, NULL) == 200)
            p->lat[p->n++] = now_s() - t0;
        else
            p->errors++;
        usleep(10000);
    }
    curl_easy_cleanup(h);
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double q)
{
    if (!n)
        return 0;
    qsort(v, n, sizeof *v, cmp_double);
    return v[(size_t)((double)(n - 1) * q)];
}

struct figures {
    double rps, p50, p99, health_p50, health_p99, per_commit;
    double cpu_us; /* the server's CPU time (user + system) per answered request */
    size_t errors, turns, accepted;
};

/* CPU seconds (user + system, all threads) process pid has used so far,
 * from /proc/pid/stat; -1 when unknown. */
static double process_cpu_s(pid_t pid)
{
    char path[64], line[1024];
    unsigned long long utime = 0, stime = 0;
    const char *at;
    FILE *f;
    double s = -1;
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    f = fopen(path, "r");
    if (!f)
        return -1;
    /* fields 14 and 15 (utime, stime) follow the command, which may hold spaces */
    if (fgets(line, sizeof line, f) && (at = strrchr(line, ')')) &&
        sscanf(at + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) ==
            2)
        s = (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
    fclose(f);
    return s;
}

/* nbases servers (bases[i], or base_url when nbases is 0): connection i
 * talks to server i % nbases. */
static struct figures run_load_on(int nconn, int writes, double seconds, char (*bases)[URL_MAX],
                                  int nbases)
{
    struct worker *w = calloc((size_t)nconn, sizeof *w);
    struct probe *pr = calloc(1, sizeof *pr);
    struct loader loaders[LOAD_THREADS];
    double *all, t0, t1, groups0, writes0, cpu0 = -1, cpu1 = -1;
    size_t total = 0, k = 0;
    struct figures f = {0};
    if (!w || !pr)
        die("out of memory");
    groups0 = writes == 1 ? metric("dissent_http_write_groups_total{result=\"any\"}") : 0;
    writes0 = writes == 1 ? metric("dissent_http_writes_total") : 0;
    stop_load = 0;
    if (!nbases && running_server)
        cpu0 = process_cpu_s(running_server);
    t0 = now_s();
    for (int i = 0; i < nconn; i++) {
        w[i].id = i;
        w[i].nconn = nconn;
        w[i].writes = writes;
        w[i].base = nbases ? bases[i % nbases] : NULL;
        w[i].fd = -1;
        w[i].lat = malloc(MAX_LAT * sizeof(double));
        if (!w[i].lat)
            die("out of memory");
    }
    for (int t = 0; t < LOAD_THREADS; t++) {
        loaders[t] = (struct loader){.w = w, .nconn = nconn, .first = t, .step = LOAD_THREADS};
        if (pthread_create(&loaders[t].t, NULL, loader_main, &loaders[t]) != 0)
            die("thread");
    }
    if (pthread_create(&pr->t, NULL, probe_main, pr) != 0)
        die("thread");
    usleep((useconds_t)(seconds * 1e6));
    stop_load = 1;
    t1 = now_s();
    if (cpu0 >= 0)
        cpu1 = process_cpu_s(running_server);
    for (int t = 0; t < LOAD_THREADS; t++)
        pthread_join(loaders[t].t, NULL);
    for (int i = 0; i < nconn; i++) {
        total += w[i].n;
        f.errors += w[i].errors;
        f.turns += w[i].turns;
        f.accepted += w[i].accepted;
    }
    pthread_join(pr->t, NULL);
    all = malloc((total + 1) * sizeof *all);
    if (!all)
        die("out of memory");
    for (int i = 0; i < nconn; i++) {
        memcpy(all + k, w[i].lat, w[i].n * sizeof *all);
        k += w[i].n;
        free(w[i].lat);
    }
    f.rps = (double)total / (t1 - t0);
    f.cpu_us = cpu1 >= cpu0 && cpu0 >= 0 && total ? (cpu1 - cpu0) / (double)total * 1e6 : 0;
    f.p50 = pct(all, total, 0.50) * 1000;
    f.p99 = pct(all, total, 0.99) * 1000;
    f.health_p50 = pct(pr->lat, pr->n, 0.50) * 1000;
    f.health_p99 = pct(pr->lat, pr->n, 0.99) * 1000;
    if (writes == 1) {
        double g = metric("dissent_http_write_groups_total{result=\"any\"}") - groups0;
        double n = metric("dissent_http_writes_total") - writes0;
        f.per_commit = g > 0 ? n / g : 0;
    }
    free(all);
    free(pr);
    free(w);
    return f;
}

static struct figures run_load(int nconn, int writes, double seconds)
{
    return run_load_on(nconn, writes, seconds, NULL, 0);
}

static void demo(const char *db)
{
    char cmd[3 * PATH_MAX_];
    snprintf(cmd, sizeof cmd, "'%s' demo --db '%s' > /dev/null", dissent_bin, db);
    if (system(cmd) != 0)
        die("dissent demo failed");
}

static void print_writes(const char *what, struct figures f, const struct figures *base)
{
    char cpu[32] = "   - "; /* not measured: no server of ours, or several */
    if (f.cpu_us > 0)
        snprintf(cpu, sizeof cpu, "%5.0f", f.cpu_us);
    printf("  %-44s %8.0f/s  p50 %6.2f ms  p99 %6.2f ms  %5.1f writes/commit  %s us CPU/req  "
           "/healthz p99 %6.2f ms",
           what, f.rps, f.p50, f.p99, f.per_commit, cpu, f.health_p99);
    if (base && base->rps > 0)
        printf("  (%.2fx)", f.rps / base->rps);
    if (f.errors)
        printf("  [%zu failed]", f.errors);
    if (f.turns)
        printf("  [%zu 409s: pairs left signed before]", f.turns);
    printf("\n");
}

/* Runs sql on the SQLite file db while no server runs; dies saying what
 * failed. */
static void run_sql(const char *db, const char *sql, const char *what)
{
    sqlite3 *h = NULL;
    if (sqlite3_open(db, &h) != SQLITE_OK || sqlite3_exec(h, sql, NULL, NULL, NULL) != SQLITE_OK)
        die(what);
    sqlite3_close(h);
}

/* Adds OTHER_MEMBERS members of a new organization to the SQLite file db,
 * in one transaction, while no server runs (as a deployment's roll). */
static void add_other_members(const char *db)
{
    char sql[768];
    snprintf(sql, sizeof sql,
             "BEGIN; INSERT INTO organizations(slug, name, created_at) VALUES('bench-others', "
             "'Others', 0); WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE "
             "i < %d) INSERT INTO members(username, display_name, org_id, roles, password_hash, "
             "created_at) SELECT 'other' || i, 'Other', (SELECT id FROM organizations WHERE slug "
             "= 'bench-others'), 1, '!', 0 FROM c; COMMIT;",
             OTHER_MEMBERS);
    run_sql(db, sql, "adding members to the bench database failed");
}

/* Adds ANON_PER_MEMO anonymous signatures to every memo of the SQLite file
 * db (random tags, proofs of a v2 proof's size), with the counts a server
 * keeps of them, while no server runs. */
static void add_anon_signatures(const char *db)
{
    char sql[1024];
    snprintf(sql, sizeof sql,
             "BEGIN; WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < %d) "
             "INSERT INTO anon_signatures(memo_id, tag, version, org_id, ring_no, proof, day, "
             "protocol) SELECT m.id, randomblob(32), m.latest_version, (SELECT MIN(id) FROM "
             "organizations), 1, zeroblob(2436), 20000, 2 FROM memos m, c; DELETE FROM "
             "anon_signature_counts; INSERT INTO anon_signature_counts(memo_id, version, org_id, "
             "n) SELECT memo_id, version, org_id, COUNT(*) FROM anon_signatures WHERE "
             "COALESCE(protocol, 2) <> 1 GROUP BY memo_id, version, org_id; COMMIT;",
             ANON_PER_MEMO);
    run_sql(db, sql, "adding anonymous signatures to the bench database failed");
}

/* Sign/unsign with group commit on and off, on one database; on SQLite,
 * group commit again once the roll holds OTHER_MEMBERS more members (what a
 * write reads must not grow with the whole membership). */
static void bench_writes(const char *label, const char *db, double seconds)
{
    struct figures on, off, big = {0}, anon = {0};
    int sqlite = strncmp(label, "SQLite", 6) == 0;
    pid_t pid;
    demo(db);
    pid = server_start(db, "2", "off");
    setup_data();
    off = run_load(CONNS, 1, seconds);
    server_stop(pid);
    pid = server_start(db, "2", "on");
    on = run_load(CONNS, 1, seconds);
    server_stop(pid);
    if (sqlite) {
        add_other_members(db);
        pid = server_start(db, "2", "on");
        big = run_load(CONNS, 1, seconds);
        server_stop(pid);
        add_anon_signatures(db);
        pid = server_start(db, "2", "on");
        anon = run_load(CONNS, 1, seconds);
        server_stop(pid);
    }
    printf("named co-signatures over HTTP, durable, %d connections (%s):\n", CONNS, label);
    print_writes("one commit per request (--group-commit off)", off, NULL);
    print_writes("group commit (default)", on, &off);
    if (sqlite) {
        char what[64];
        snprintf(what, sizeof what, "group commit, %d more members on the roll", OTHER_MEMBERS);
        print_writes(what, big, &on);
        snprintf(what, sizeof what, "the same, %d anonymous signatures per memo", ANON_PER_MEMO);
        print_writes(what, anon, &on);
    }
    if (sqlite) {
        bench_figure("named_http_rps", on.rps, "/s");
        bench_figure("named_http_big_roll_rps", big.rps, "/s");
        bench_figure("named_http_many_anon_rps", anon.rps, "/s");
        bench_figure("named_http_p99_ms", on.p99, "ms");
        bench_figure("named_http_health_p99_ms", on.health_p99, "ms");
        bench_figure("named_http_per_commit", on.per_commit, "writes/commit");
        bench_figure("named_http_cpu_us", on.cpu_us, "us/request");
        bench_figure("named_http_one_commit_rps", off.rps, "/s");
        bench_figure("named_http_ratio", off.rps > 0 ? on.rps / off.rps : 0, "x");
    } else {
        bench_figure("named_http_pg_rps", on.rps, "/s");
        bench_figure("named_http_pg_ratio", off.rps > 0 ? on.rps / off.rps : 0, "x");
    }
}

static size_t on_header(char *p, size_t size, size_t n, void *u)
{
    size_t k = size * n;
    (void)u;
    if (k > 6 && strncasecmp(p, "ETag: ", 6) == 0)
        snprintf(checkpoint_etag, sizeof checkpoint_etag, "%.*s", (int)strcspn(p + 6, "\r\n"),
                 p + 6);
    return k;
}

/* The checkpoint's ETag, for the 304 reads. */
static void fetch_etag(void)
{
    CURL *h = handle();
    checkpoint_etag[0] = '\0';
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    (void)request(h, "GET", "/api/v1/log/checkpoint", NULL, NULL, NULL);
    curl_easy_cleanup(h);
    if (!checkpoint_etag[0])
        die("the checkpoint has no ETag");
}

static void bench_reads(const char *db, double seconds)
{
    struct figures one, two, nm;
    pid_t pid = server_start(db, "1", "on");
    one = run_load(READERS, 0, seconds);
    server_stop(pid);
    pid = server_start(db, "2", "on");
    two = run_load(READERS, 0, seconds);
    fetch_etag();
    nm = run_load(READERS, LOAD_304, seconds);
    server_stop(pid);
    printf("public checkpoint reads (GET /api/v1/log/checkpoint), %d connections:\n", READERS);
    printf("  --workers 1  %8.0f/s  p50 %6.2f ms  p99 %6.2f ms  /healthz p99 %6.2f ms\n", one.rps,
           one.p50, one.p99, one.health_p99);
    printf("  --workers 2  %8.0f/s  p50 %6.2f ms  p99 %6.2f ms  /healthz p99 %6.2f ms  (%.2fx)\n",
           two.rps, two.p50, two.p99, two.health_p99, one.rps > 0 ? two.rps / one.rps : 0);
    printf("  304s (If-None-Match), --workers 2  %8.0f/s  p50 %6.2f ms  p99 %6.2f ms  (%.2fx the "
           "200s)%s\n",
           nm.rps, nm.p50, nm.p99, two.rps > 0 ? nm.rps / two.rps : 0,
           nm.errors ? "  [some were not 304]" : "");
    bench_figure("checkpoint_rps", two.rps, "/s");
    bench_figure("checkpoint_one_worker_rps", one.rps, "/s");
    bench_figure("checkpoint_304_rps", nm.rps, "/s");
    bench_figure("checkpoint_304_ratio", two.rps > 0 ? nm.rps / two.rps : 0, "x");
}

static void print_reads(const char *what, struct figures f, const struct figures *base)
{
    printf("  %-36s %8.0f/s  p50 %6.2f ms  p99 %6.2f ms  /healthz p99 %6.2f ms", what, f.rps, f.p50,
           f.p99, f.health_p99);
    if (base && base->rps > 0)
        printf("  (%.2fx)", f.rps / base->rps);
    if (f.errors)
        printf("  [%zu failed]", f.errors);
    printf("\n");
}

/* Two `serve` processes on one PostgreSQL database against one, on the data
 * bench_writes left (its members' sessions and memos). */
static void bench_two_servers(const char *db, double seconds)
{
    static char bases[2][URL_MAX];
    struct figures one[2], two[2];
    static const char *const what[2] = {"public checkpoint reads", "members' memo page reads"};
    pid_t a, b;
    a = server_start(db, "2", "on");
    snprintf(bases[0], sizeof bases[0], "%s", base_url);
    for (int k = 0; k < 2; k++)
        one[k] = run_load_on(READERS, k ? 2 : 0, seconds, bases, 1);
    b = server_start(db, "2", "on");
    snprintf(bases[1], sizeof bases[1], "%s", base_url);
    snprintf(base_url, sizeof base_url, "%s", bases[0]); /* /healthz probes: the first */
    for (int k = 0; k < 2; k++)
        two[k] = run_load_on(READERS, k ? 2 : 0, seconds, bases, 2);
    server_stop(b);
    server_stop(a);
    printf("two `serve` processes on one PostgreSQL database against one (--workers 2 each, "
           "%d connections in all):\n",
           READERS);
    for (int k = 0; k < 2; k++) {
        char label[96];
        snprintf(label, sizeof label, "%s, one process", what[k]);
        print_reads(label, one[k], NULL);
        snprintf(label, sizeof label, "%s, two processes", what[k]);
        print_reads(label, two[k], &one[k]);
    }
    bench_figure("two_serve_checkpoint_rps", two[0].rps, "/s");
    bench_figure("two_serve_checkpoint_ratio", one[0].rps > 0 ? two[0].rps / one[0].rps : 0, "x");
    bench_figure("two_serve_pages_rps", two[1].rps, "/s");
    bench_figure("two_serve_pages_ratio", one[1].rps > 0 ? two[1].rps / one[1].rps : 0, "x");
}

/* ---- anonymous co-signatures ---- */

static unsigned env_unsigned(const char *name, unsigned dflt, unsigned lo, unsigned hi)
{
    const char *v = getenv(name);
    int64_t n;
    if (!v || !*v)
        return dflt;
    if (parse_i64(v, lo, hi, &n))
        die("a BENCH_ANON_* setting is out of range");
    return (unsigned)n;
}

static void check(int rc, const char *what, const struct err *e)
{
    if (rc) {
        fprintf(stderr, "bench_write: %s: %s\n", what, e->msg);
        exit(1);
    }
}

/* A database with one organization of 2^log2n members, each with a ring
 * key on the roster (through the store: enrolling 2^16 members one by one
 * is not what is measured), and one circulating memo whose ring 1 holds
 * them all; then nproofs proofs of the first members, as a client makes
 * them (anon_bodies). */
static void anon_setup(const char *db, unsigned log2n, size_t nproofs)
{
    size_t n = (size_t)1 << log2n;
    uint8_t(*pk)[RING_POINT_BYTES] = malloc(n * sizeof *pk);
    uint8_t(*sk)[RING_SCALAR_BYTES] = malloc(nproofs * sizeof *sk);
    uint8_t(*keys)[RING_POINT_BYTES] = malloc(n * sizeof *keys);
    struct chan *c = NULL;
    struct pool p;
    struct err e;
    json_t *out = NULL, *pub = NULL, *r, *ring = NULL;
    struct actor a;
    char *token = NULL, hash[128], id[RANDOM_ID_LEN + 1], scope[PROTO_ANON_SCOPE_MAX], msg[256];
    const char *vhash = NULL;
    int64_t org = 0;
    struct ring_keys *rk = NULL;
    double t0 = now_s(), t1;
    size_t i, scope_len, msg_len;
    struct chan_member_input in = {
        .username = "drafter", .display_name = "Drafter", .org = "org", .roles = CHAN_ROLE_MEMBER};
    struct chan_channel_input ci = {.slug = "dissent",
                                    .name = "Dissent",
                                    .preset = "state-dissent",
                                    .ceiling = "SECRET",
                                    .timezone = "UTC"};
    struct chan_version_input vi = {
        .title = "Everyone signs", .marking = "SBU", .body = "We disagree, all of us."};

    err_init(&e);
    pool_init(&p, 256u << 20);
    if (!pk || !sk || !keys)
        die("out of memory");
    check(chan_open(&c, db, &e), "open", &e);
    check(chan_org_create(c, NULL, "org", "Org", &out, &e), "org", &e);
    json_decref(out);
    check(chan_member_create(c, &p, NULL, &in, &out, &e), "member", &e);
    json_decref(out);
    check(chan_local_set_password(c, &p, "drafter", "drafter-bench-pass", &e), "password", &e);
    check(chan_channel_create(c, &p, NULL, &ci, &out, &e), "channel", &e);
    json_decref(out);
    for (i = 0; i < n; i++) {
        uint8_t s_[RING_SCALAR_BYTES];
        check(ring_keypair(pk[i], s_, &e), "keypair", &e);
        if (i < nproofs)
            memcpy(sk[i], s_, sizeof s_);
        sodium_memzero(s_, sizeof s_);
    }
    check(chan_password_hash("bench-member-pass", hash, &e), "hash", &e);
    check(store_begin(chan_store(c), &e), "begin", &e);
    check(store_org_by_slug(chan_store(c), "org", &org, &e), "org", &e);
    for (i = 0; i < n; i++) {
        char name[32];
        int64_t mid = 0;
        struct st_member m = {.username = name,
                              .display_name = name,
                              .org_id = org,
                              .roles = CHAN_ROLE_MEMBER,
                              .password_hash = hash};
        snprintf(name, sizeof name, "m%zu", i);
        check(store_member_insert(chan_store(c), &m, 1, &mid, &e), "member", &e);
        check(store_roster_append(chan_store(c), org, 1, pk[i], mid, 1, &e), "roster", &e);
    }
    check(store_commit(chan_store(c), &e), "commit", &e);
    check(chan_login(c, &p, "drafter", "drafter-bench-pass", "local", &token, &a, &e), "login", &e);
    check(chan_memo_create(c, &p, &a, "dissent", &vi, NULL, 0, &out, &e), "memo", &e);
    snprintf(id, sizeof id, "%s", json_string_value(json_object_get(out, "id")));
    json_decref(out);
    check(chan_memo_act(c, &p, &a, id, CHAN_OP_CIRCULATE, NULL, &out, &e), "circulate", &e);
    json_decref(out);
    check(chan_public_memo(c, &p, id, &pub, &e), "public memo", &e);
    json_array_foreach(
        json_object_get(pub, "rings"), i,
        r) if (strcmp(json_string_value(json_object_get(r, "organization")), "org") == 0) ring = r;
    json_array_foreach(json_object_get(pub, "versions"), i,
                       r) if (json_integer_value(json_object_get(r, "number")) == 1) vhash =
        json_string_value(json_object_get(r, "hash"));
    if (!ring || !vhash || json_array_size(json_object_get(ring, "keys")) != n)
        die("the memo has no ring of every member");
    for (i = 0; i < n; i++)
        if (hex_decode(keys[i], RING_POINT_BYTES,
                       json_string_value(json_array_get(json_object_get(ring, "keys"), i))))
            die("a ring key");
    check(ring_keys_new(&rk, (const uint8_t(*)[RING_POINT_BYTES])keys, n, &e), "ring", &e);
    t1 = now_s();
    printf("anonymous co-signatures: seeded %zu members with ring keys and a memo with their "
           "ring in %.1f s\n",
           n, t1 - t0);
    scope_len = proto_anon_scope(scope, sizeof scope,
                                 json_string_value(json_object_get(pub, "origin")), id);
    msg_len = proto_anon_message(msg, sizeof msg, 0, 1, vhash);
    if (scope_len >= sizeof scope || msg_len >= sizeof msg)
        die("scope or message");
    anon_bodies = calloc(nproofs, sizeof *anon_bodies);
    if (!anon_bodies)
        die("out of memory");
    for (i = 0; i < nproofs; i++) {
        size_t at = SIZE_MAX, proof_len = 0, b64_len;
        uint8_t *proof = NULL;
        char *b64;
        for (size_t k = 0; k < n && at == SIZE_MAX; k++)
            if (memcmp(keys[(i + k) % n], pk[i], RING_POINT_BYTES) == 0)
                at = (i + k) % n;
        if (at == SIZE_MAX)
            die("a member's key is not in the ring");
        check(ring_prove(&proof, &proof_len, rk, at, sk[i], (const uint8_t *)scope, scope_len,
                         (const uint8_t *)msg, msg_len, &e),
              "prove", &e);
        b64_len = sodium_base64_ENCODED_LEN(proof_len, sodium_base64_VARIANT_ORIGINAL);
        b64 = malloc(b64_len);
        anon_bodies[i] = malloc(b64_len + 128);
        if (!b64 || !anon_bodies[i])
            die("out of memory");
        sodium_bin2base64(b64, b64_len, proof, proof_len, sodium_base64_VARIANT_ORIGINAL);
        snprintf(anon_bodies[i], b64_len + 128,
                 "{\"signatures\":[{\"version\":1,\"organization\":\"org\",\"ring\":1,"
                 "\"seq\":0,\"proof\":\"%s\"}]}",
                 b64);
        free(b64);
        free(proof);
    }
    anon_n = nproofs;
    printf("  a pool of %zu proofs made in %.1f s (%.2f s each, the native prover)\n", nproofs,
           now_s() - t1, (now_s() - t1) / (double)nproofs);
    snprintf(anon_path, sizeof anon_path, "/api/v1/anonymous/memos/%s/signatures", id);
    sodium_memzero(sk, nproofs * sizeof *sk);
    ring_keys_free(rk);
    json_decref(pub);
    chan_close(c);
    pool_release(&p);
    free(pk);
    free(sk);
    free(keys);
}

static void print_anon(const char *what, struct figures f, double batches, double items,
                       double runs, const struct figures *base)
{
    printf("  %-40s %7.1f/s  p50 %7.1f ms  p99 %7.1f ms  /healthz p50 %5.2f ms  p99 %6.2f ms", what,
           f.rps, f.p50, f.p99, f.health_p50, f.health_p99);
    if (base && base->rps > 0)
        printf("  (%.2fx)", f.rps / base->rps);
    printf("\n    %zu counted, the rest verified and refused as replays", f.accepted);
    if (batches > 0)
        printf("; %.0f batches, %.1f proofs per batch, %.0f batch verifications", batches,
               items / batches, runs);
    if (f.errors)
        printf("  [%zu failed]", f.errors);
    printf("\n");
}

static void bench_anon(double seconds)
{
    unsigned log2n = env_unsigned("BENCH_ANON_LOG2", 16, 0, 20);
    unsigned nproofs = env_unsigned("BENCH_ANON_PROOFS", 32, 1, 100000);
    unsigned clients = env_unsigned("BENCH_ANON_CLIENTS", 256, 1, 1000);
    char db[PATH_MAX_ + 16];
    struct figures alone, batched;
    double b0, i0, r0, b1, i1, r1;
    static const char *const batches = "dissent_http_batches_total{";
    static const char *const items = "dissent_http_batched_items_total{";
    static const char *const runs = "dissent_http_batch_runs_total{";
    pid_t pid;

    if (log2n < 4)
        return;
    snprintf(db, sizeof db, "%s/anon.db", dir);
    anon_setup(db, log2n, nproofs);
    /* the endpoint's work budget is not what is measured */
    setenv("DISSENT_ANON_BUDGET", "1099511627776,1099511627776,1,1000000000", 1);
    /* the batch sizes come from /metrics, which counts no anonymous request
     * unless told to (http_server_config count_anonymous) */
    setenv("DISSENT_BENCH_COUNT_ANONYMOUS", "1", 1);
    setenv("DISSENT_VERIFY_WINDOW", "0", 1);
    pid = server_start(db, "2", "on");
    alone = run_load((int)clients, LOAD_ANON, seconds);
    b0 = metric(batches), i0 = metric(items), r0 = metric(runs);
    server_stop(pid);
    setenv("DISSENT_VERIFY_WINDOW", "50", 1);
    pid = server_start(db, "2", "on");
    batched = run_load((int)clients, LOAD_ANON, seconds);
    b1 = metric(batches), i1 = metric(items), r1 = metric(runs);
    server_stop(pid);
    unsetenv("DISSENT_VERIFY_WINDOW");
    unsetenv("DISSENT_ANON_BUDGET");
    unsetenv("DISSENT_BENCH_COUNT_ANONYMOUS");
    printf("anonymous co-signatures on a ring of 2^%u = %zu keys, %u connections, one proof per "
           "request:\n",
           log2n, (size_t)1 << log2n, clients);
    print_anon("each request alone (--verify-window 0)", alone, b0, i0, r0, NULL);
    print_anon("batched across requests (50 ms window)", batched, b1, i1, r1, &alone);
    bench_figure("anon_log2", log2n, "");
    bench_figure("anon_rps", batched.rps, "/s");
    bench_figure("anon_health_p50_ms", batched.health_p50, "ms");
    bench_figure("anon_health_p99_ms", batched.health_p99, "ms");
    bench_figure("anon_alone_rps", alone.rps, "/s");
    bench_figure("anon_ratio", alone.rps > 0 ? batched.rps / alone.rps : 0, "x");
    bench_figure("anon_batch_mean", b1 > 0 ? i1 / b1 : 0, "proofs");
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 4;
    char db[PATH_MAX_ + 16];
    const char *pg = getenv("DISSENT_BENCH_PG_URL");
    const char *slash = strrchr(argv[0], '/');

    if (seconds <= 0)
        seconds = 4;
    /* build/bench/http/bench_write -> build/dissent */
    snprintf(dissent_bin, sizeof dissent_bin, "%.*s/../../dissent",
             slash ? (int)(slash - argv[0]) : 1, slash ? argv[0] : ".");
    if (access(dissent_bin, X_OK) != 0)
        die("no dissent binary beside the bench directory (make all)");
    tt_template(dir, sizeof dir, "dissent-bench-write");
    if (!mkdtemp(dir))
        die("mkdtemp");
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    printf("bench_write: the real server under load, %.0f s per run (figures, never asserted)\n",
           seconds);
    snprintf(db, sizeof db, "%s/w.db", dir);
    if (getenv("BENCH_WRITE_ANON_ONLY")) {
        bench_anon(seconds);
        pg = NULL;
    } else if (getenv("BENCH_WRITE_READS_ONLY")) {
        /* the checkpoint's 200s and 304s alone, on a fresh demo database */
        demo(db);
        bench_reads(db, seconds);
        pg = NULL;
    } else if (getenv("BENCH_WRITE_WRITES_ONLY")) {
        bench_writes("SQLite, synchronous=FULL", db, seconds);
        pg = NULL;
    } else if (!getenv("BENCH_WRITE_PG_ONLY")) {
        bench_writes("SQLite, synchronous=FULL", db, seconds);
        bench_reads(db, seconds);
        bench_anon(seconds);
    }
    if (pg && *pg) {
        char keys[PATH_MAX_ + 16];
        snprintf(keys, sizeof keys, "%s/pg.keys", dir);
        setenv("DISSENT_KEYS", keys, 1);
        bench_writes("PostgreSQL, the bench's server runs with fsync off", pg, seconds);
        bench_two_servers(pg, seconds);
        unsetenv("DISSENT_KEYS");
    }
    if (tt_rm_tree(dir) != 0)
        fprintf(stderr, "bench_write: could not remove %s\n", dir);
    curl_global_cleanup();
    return 0;
}
