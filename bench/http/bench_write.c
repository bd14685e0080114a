/* bench_write — the real `dissent serve` under concurrent load (printed,
 * never asserted; issue #12):
 *
 *   1. named co-signatures over HTTP, durable (SQLite synchronous=FULL):
 *      CONNS keep-alive connections each signing and withdrawing on their
 *      own (member, memo) pair, with group commit and, in the same run, with
 *      `--group-commit off` (one commit per request): requests/s, p50, p99,
 *      and the writes per commit the server counted;
 *   2. /healthz p99 meanwhile (a probe every 10 ms on its own connection);
 *   3. public reads (GET /api/v1/log/checkpoint, a signed checkpoint) with
 *      `--workers 2` against `--workers 1`;
 *   4. on PostgreSQL: two `serve` processes on one database against one
 *      (each --workers 2, the same connections split between them), for
 *      public checkpoint reads and for members reading a memo page (GET
 *      /api/v1/memos/:id, which records the read in the access log).
 * On PostgreSQL too when DISSENT_BENCH_PG_URL names an empty database
 * (scripts/bench.sh starts a throwaway one: fsync off there, so its commit
 * figures say nothing about disks). The bench, the servers and PostgreSQL
 * share this machine's cores: two processes cannot double anything on two
 * cores; the ratio says what one more process costs or gains here.
 *
 * The server is the `dissent` binary beside the bench directory
 * (build/dissent), on a database `dissent demo` made; the load is libcurl.
 * Usage: bench_write [seconds per run] (default 4); BENCH_WRITE_PG_ONLY=1
 * runs the PostgreSQL part only.
 */
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CONNS     32
#define NMEMOS    8
#define MAX_LAT   400000
#define READERS   16
#define URL_MAX   256
#define PATH_MAX_ 4096

static const char *const users[] = {"alice", "bob", "carol", "dan"};
#define NUSERS 4

static char dissent_bin[PATH_MAX_];
static char dir[PATH_MAX_];
static char base_url[URL_MAX];
/* The server a load thread talks to (NULL: base_url). */
static _Thread_local const char *thread_base;
static char tokens[NUSERS][128];
static char memos[NMEMOS][64];
static volatile int stop_load;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "bench_write: %s\n", what);
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
    snprintf(url, sizeof url, "%s%s", thread_base ? thread_base : base_url, path);
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
              "--log-level", "error", "--max-connections", "2048", (char *)NULL);
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

/* ---- load ---- */

struct worker {
    pthread_t t;
    int id;
    int writes;       /* 1: sign/unsign; 0: checkpoint reads; 2: memo page reads */
    const char *base; /* the server, or NULL for base_url */
    double *lat;
    size_t n, errors, turns;
};

static void *load_main(void *arg)
{
    struct worker *w = arg;
    CURL *h = handle();
    int user = w->id % NUSERS, memo = (w->id / NUSERS) % NMEMOS, signed_ = 0;
    char path[128];
    thread_base = w->base;
    if (w->writes == 2)
        snprintf(path, sizeof path, "/api/v1/memos/%s", memos[memo]);
    else
        snprintf(path, sizeof path, "/api/v1/memos/%s/signatures", memos[memo]);
    while (!stop_load && w->n < MAX_LAT) {
        double t0 = now_s();
        long st;
        if (w->writes == 2)
            st = request(h, "GET", path, tokens[user], NULL, NULL);
        else if (w->writes)
            st = request(h, signed_ ? "DELETE" : "POST", path, tokens[user], signed_ ? NULL : "{}",
                         NULL);
        else
            st = request(h, "GET", "/api/v1/log/checkpoint", NULL, NULL, NULL);
        if (st >= 200 && st < 300) {
            w->lat[w->n++] = now_s() - t0;
            if (w->writes == 1)
                signed_ = !signed_;
        } else if (w->writes == 1 && st == 409) {
            w->turns++; /* the pair was left signed by the run before: turn around */
            signed_ = !signed_;
        } else {
            w->errors++;
        }
    }
    curl_easy_cleanup(h);
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
    double rps, p50, p99, health_p99, per_commit;
    size_t errors, turns;
};

/* nbases servers (bases[i], or base_url when nbases is 0): connection i
 * talks to server i % nbases. */
static struct figures run_load_on(int nconn, int writes, double seconds, char (*bases)[URL_MAX],
                                  int nbases)
{
    struct worker *w = calloc((size_t)nconn, sizeof *w);
    struct probe *pr = calloc(1, sizeof *pr);
    double *all, t0, t1, groups0, writes0;
    size_t total = 0, k = 0;
    struct figures f = {0};
    if (!w || !pr)
        die("out of memory");
    groups0 = writes == 1 ? metric("dissent_http_write_groups_total{result=\"any\"}") : 0;
    writes0 = writes == 1 ? metric("dissent_http_writes_total") : 0;
    stop_load = 0;
    t0 = now_s();
    for (int i = 0; i < nconn; i++) {
        w[i].id = i;
        w[i].writes = writes;
        w[i].base = nbases ? bases[i % nbases] : NULL;
        w[i].lat = malloc(MAX_LAT * sizeof(double));
        if (!w[i].lat || pthread_create(&w[i].t, NULL, load_main, &w[i]) != 0)
            die("thread");
    }
    if (pthread_create(&pr->t, NULL, probe_main, pr) != 0)
        die("thread");
    usleep((useconds_t)(seconds * 1e6));
    stop_load = 1;
    for (int i = 0; i < nconn; i++) {
        pthread_join(w[i].t, NULL);
        total += w[i].n;
        f.errors += w[i].errors;
        f.turns += w[i].turns;
    }
    t1 = now_s();
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
    f.p50 = pct(all, total, 0.50) * 1000;
    f.p99 = pct(all, total, 0.99) * 1000;
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
    printf("  %-44s %8.0f/s  p50 %6.2f ms  p99 %6.2f ms  %5.1f writes/commit  /healthz p99 "
           "%6.2f ms",
           what, f.rps, f.p50, f.p99, f.per_commit, f.health_p99);
    if (base && base->rps > 0)
        printf("  (%.2fx)", f.rps / base->rps);
    if (f.errors)
        printf("  [%zu failed]", f.errors);
    if (f.turns)
        printf("  [%zu 409s: pairs left signed before]", f.turns);
    printf("\n");
}

/* Sign/unsign with group commit on and off, on one database. */
static void bench_writes(const char *label, const char *db, double seconds)
{
    struct figures on, off;
    pid_t pid;
    demo(db);
    pid = server_start(db, "2", "off");
    setup_data();
    off = run_load(CONNS, 1, seconds);
    server_stop(pid);
    pid = server_start(db, "2", "on");
    on = run_load(CONNS, 1, seconds);
    server_stop(pid);
    printf("named co-signatures over HTTP, durable, %d connections (%s):\n", CONNS, label);
    print_writes("one commit per request (--group-commit off)", off, NULL);
    print_writes("group commit (default)", on, &off);
}

static void bench_reads(const char *db, double seconds)
{
    struct figures one, two;
    pid_t pid = server_start(db, "1", "on");
    one = run_load(READERS, 0, seconds);
    server_stop(pid);
    pid = server_start(db, "2", "on");
    two = run_load(READERS, 0, seconds);
    server_stop(pid);
    printf("public checkpoint reads (GET /api/v1/log/checkpoint), %d connections:\n", READERS);
    printf("  --workers 1  %8.0f/s  p50 %6.2f ms  p99 %6.2f ms  /healthz p99 %6.2f ms\n", one.rps,
           one.p50, one.p99, one.health_p99);
    printf("  --workers 2  %8.0f/s  p50 %6.2f ms  p99 %6.2f ms  /healthz p99 %6.2f ms  (%.2fx)\n",
           two.rps, two.p50, two.p99, two.health_p99, one.rps > 0 ? two.rps / one.rps : 0);
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
    snprintf(dir, sizeof dir, "/tmp/dissent-bench-write-XXXXXX");
    if (!mkdtemp(dir))
        die("mkdtemp");
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    printf("bench_write: the real server under load, %.0f s per run (figures, never asserted)\n",
           seconds);
    snprintf(db, sizeof db, "%s/w.db", dir);
    if (!getenv("BENCH_WRITE_PG_ONLY")) {
        bench_writes("SQLite, synchronous=FULL", db, seconds);
        bench_reads(db, seconds);
    }
    if (pg && *pg) {
        char keys[PATH_MAX_ + 16];
        snprintf(keys, sizeof keys, "%s/pg.keys", dir);
        setenv("DISSENT_KEYS", keys, 1);
        bench_writes("PostgreSQL, the bench's server runs with fsync off", pg, seconds);
        bench_two_servers(pg, seconds);
        unsetenv("DISSENT_KEYS");
    }
    {
        char cmd[PATH_MAX_ + 16];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "bench_write: could not remove %s\n", dir);
    }
    curl_global_cleanup();
    return 0;
}
