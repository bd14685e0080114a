/* guard.c — absolute deadlines per request phase, per-address connection
 * limits and pressure (see guard.h). */
#include "http/guard.h"

#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <string.h>
#include <time.h>

enum phase { PH_HEAD, PH_BODY, PH_WORK, PH_DOOMED };

/* Open connections of one address (IPv4 address or IPv6 /64). */
struct addr_count {
    struct addr_count *next;
    unsigned char key[16];
    unsigned n;
};

struct guard_conn {
    struct guard_conn *prev, *next; /* in the list of its phase (head or body) */
    struct addr_count *addr;        /* NULL when not counted against an address */
    int64_t since_ms;               /* start of the current phase */
    int fd;
    int started; /* the request line is in (guard_line_done) */
    enum phase phase;
};

/* Connections of one phase, oldest first: appending at the end with the
 * current time keeps them in deadline order. */
struct conn_list {
    struct guard_conn *first, *last;
};

struct guard {
    struct guard_config cfg;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t reaper;
    struct conn_list head, body;
    struct addr_count **buckets;
    size_t nbuckets; /* a power of two */
    unsigned char hash_key[crypto_shorthash_KEYBYTES];
    int64_t wake_ms; /* when the reaper wakes next, unless woken */
    unsigned high;   /* open connections at which pressure begins */
    struct guard_stats st;
    int stopping;
    char r408[512]; /* the 408 reply, whole */
    size_t r408_len;
};

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void list_append(struct conn_list *l, struct guard_conn *c)
{
    c->next = NULL;
    c->prev = l->last;
    if (l->last)
        l->last->next = c;
    else
        l->first = c;
    l->last = c;
}

static void list_remove(struct conn_list *l, struct guard_conn *c)
{
    if (c->prev)
        c->prev->next = c->next;
    else
        l->first = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        l->last = c->prev;
    c->prev = c->next = NULL;
}

static struct conn_list *list_of(struct guard *g, struct guard_conn *c)
{
    struct conn_list *l = NULL;
    if (c->phase == PH_HEAD)
        l = &g->head;
    else if (c->phase == PH_BODY)
        l = &g->body;
    return l;
}

/* Moves c to phase p (now). Wakes the reaper only if c's deadline comes
 * before the reaper's next waking (rarely: it wakes at least every second,
 * and deadlines are seconds away), so a request costs no thread switch. */
static void set_phase(struct guard *g, struct guard_conn *c, enum phase p)
{
    struct conn_list *l = list_of(g, c);
    if (c->phase == PH_DOOMED)
        return;
    if (l)
        list_remove(l, c);
    c->phase = p;
    c->since_ms = now_ms();
    l = list_of(g, c);
    if (l) {
        int64_t deadline = c->since_ms + (p == PH_HEAD ? g->cfg.head_ms : g->cfg.body_ms);
        list_append(l, c);
        if (deadline < g->wake_ms)
            pthread_cond_signal(&g->wake);
    }
}

static void update_pressure(struct guard *g)
{
    int p = g->st.open >= g->high;
    if (p && !g->st.pressure)
        pthread_cond_signal(&g->wake);
    __atomic_store_n(&g->st.pressure, p, __ATOMIC_RELAXED);
}

/* Ends c now: the library sees the end of the stream and closes it. A
 * request that had begun first gets the 408 (the library has queued no
 * reply while a head or body is still coming, so these are the only bytes
 * going out; best effort: a full send buffer drops it). */
static void doom(struct guard *g, struct guard_conn *c, uint64_t *counter)
{
    struct conn_list *l = list_of(g, c);
    if (l)
        list_remove(l, c);
    if (c->started || c->phase == PH_BODY)
        (void)send(c->fd, g->r408, g->r408_len, MSG_NOSIGNAL | MSG_DONTWAIT);
    c->phase = PH_DOOMED;
    shutdown(c->fd, SHUT_RDWR);
    (*counter)++;
}

/* The whole 408 reply, once: the library is not the one sending it. */
static void make_408(struct guard *g)
{
    char body[320];
    int n = snprintf(body, sizeof body,
                     "{\"error\":{\"code\":\"%s\",\"message\":\"the request did not arrive in "
                     "time: its head must be complete within %u ms, its body within %u ms of "
                     "the head\"}}",
                     err_code_name(ERR_TIMEOUT), g->cfg.head_ms, g->cfg.body_ms);
    int m = n > 0 && (size_t)n < sizeof body
                ? snprintf(g->r408, sizeof g->r408,
                           "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\n"
                           "Content-Length: %d\r\nConnection: close\r\nCache-Control: no-store\r\n"
                           "X-Content-Type-Options: nosniff\r\n\r\n%s",
                           n, body)
                : -1;
    g->r408_len = m > 0 && (size_t)m < sizeof g->r408 ? (size_t)m : 0;
}

/* ---- per-address counts ---------------------------------------------- */

/* The address a limit applies to: IPv4 as IPv4-mapped IPv6, IPv6 cut to /64
 * (one host usually has a whole /64 to pick addresses from). */
static void addr_key(const struct sockaddr *a, unsigned char key[16])
{
    memset(key, 0, 16);
    if (a && a->sa_family == AF_INET) {
        const struct sockaddr_in *a4 = (const struct sockaddr_in *)a;
        key[10] = key[11] = 0xff;
        memcpy(key + 12, &a4->sin_addr, 4);
    } else if (a && a->sa_family == AF_INET6) {
        const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)a;
        memcpy(key, &a6->sin6_addr, 16);
        if (!IN6_IS_ADDR_V4MAPPED(&a6->sin6_addr))
            memset(key + 8, 0, 8);
    }
}

/* The bucket of key: keyed (SipHash), so that nobody can pick addresses
 * that all land in one chain. */
static struct addr_count **bucket(struct guard *g, const unsigned char key[16])
{
    unsigned char h[crypto_shorthash_BYTES];
    uint64_t v = 0;
    crypto_shorthash(h, key, 16, g->hash_key);
    for (size_t i = 0; i < sizeof v; i++)
        v = v << 8 | h[i];
    return &g->buckets[v & (g->nbuckets - 1)];
}

static struct addr_count *addr_find(struct guard *g, const unsigned char key[16])
{
    struct addr_count *a = *bucket(g, key);
    while (a && memcmp(a->key, key, 16) != 0)
        a = a->next;
    return a;
}

static void addr_release(struct guard *g, struct addr_count *a)
{
    struct addr_count **p = bucket(g, a->key);
    if (--a->n > 0)
        return;
    while (*p != a)
        p = &(*p)->next;
    *p = a->next;
    free(a);
}

/* ---- the reaper ------------------------------------------------------ */

static void *reaper_main(void *arg)
{
    struct guard *g = arg;
    pthread_mutex_lock(&g->lock);
    while (!g->stopping) {
        int64_t now = now_ms();
        int64_t next = now + 1000;
        int64_t head_ms = g->cfg.head_ms;
        struct timespec until;

        while (g->head.first && g->head.first->since_ms + head_ms <= now)
            doom(g, g->head.first, &g->st.closed_head);
        while (g->body.first && g->body.first->since_ms + (int64_t)g->cfg.body_ms <= now)
            doom(g, g->body.first, &g->st.closed_body);
        if (g->st.pressure && GUARD_PRESSURE_MS < g->cfg.head_ms) {
            head_ms = GUARD_PRESSURE_MS;
            while (g->head.first && g->head.first->since_ms + head_ms <= now)
                doom(g, g->head.first, &g->st.closed_pressure);
        }
        if (g->head.first && g->head.first->since_ms + head_ms < next)
            next = g->head.first->since_ms + head_ms;
        if (g->body.first && g->body.first->since_ms + (int64_t)g->cfg.body_ms < next)
            next = g->body.first->since_ms + g->cfg.body_ms;
        g->wake_ms = next;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += (next - now) / 1000;
        until.tv_nsec += (long)((next - now) % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&g->wake, &g->lock, &until);
    }
    pthread_mutex_unlock(&g->lock);
    return NULL;
}

/* ---- interface ------------------------------------------------------- */

int guard_start(struct guard **out, const struct guard_config *cfg, struct err *e)
{
    int rc = -1;
    struct guard *g = NULL;
    pthread_condattr_t ca;
    int made = 0; /* 1 lock, 2 + condition, 3 + thread */

    *out = NULL;
    if (!cfg->max_connections || !cfg->head_ms || !cfg->body_ms) {
        err_set(e, ERR_INVALID, "connection cap and deadlines must be positive");
        goto out;
    }
    if (sodium_init() < 0) {
        err_set(e, ERR_INTERNAL, "libsodium cannot start");
        goto out;
    }
    g = calloc(1, sizeof *g);
    if (!g) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    g->cfg = *cfg;
    make_408(g);
    g->high = cfg->max_connections - cfg->max_connections / 4;
    g->nbuckets = 16;
    while (g->nbuckets < cfg->max_connections && g->nbuckets < ((size_t)1 << 20))
        g->nbuckets *= 2;
    g->buckets = calloc(g->nbuckets, sizeof *g->buckets);
    if (!g->buckets) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    randombytes_buf(g->hash_key, sizeof g->hash_key);
    if (pthread_mutex_init(&g->lock, NULL) == 0)
        made = 1;
    if (made == 1 && pthread_condattr_init(&ca) == 0) {
        if (pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 &&
            pthread_cond_init(&g->wake, &ca) == 0)
            made = 2;
        pthread_condattr_destroy(&ca);
    }
    if (made == 2 && pthread_create(&g->reaper, NULL, reaper_main, g) == 0)
        made = 3;
    if (made != 3) {
        err_set(e, ERR_INTERNAL, "cannot start the connection guard");
        goto out;
    }
    *out = g;
    g = NULL;
    rc = 0;
out:
    if (g) {
        if (made >= 2)
            pthread_cond_destroy(&g->wake);
        if (made >= 1)
            pthread_mutex_destroy(&g->lock);
        free(g->buckets);
        free(g);
    }
    return rc;
}

void guard_stop(struct guard *g)
{
    if (!g)
        return;
    pthread_mutex_lock(&g->lock);
    g->stopping = 1;
    pthread_cond_signal(&g->wake);
    pthread_mutex_unlock(&g->lock);
    pthread_join(g->reaper, NULL);
    /* Connections still counted (none, if the caller kept the contract). */
    for (size_t i = 0; i < g->nbuckets; i++) {
        while (g->buckets[i]) {
            struct addr_count *a = g->buckets[i];
            g->buckets[i] = a->next;
            free(a);
        }
    }
    pthread_cond_destroy(&g->wake);
    pthread_mutex_destroy(&g->lock);
    free(g->buckets);
    free(g);
}

int guard_admit(struct guard *g, const struct sockaddr *addr)
{
    unsigned char key[16];
    struct addr_count *a;
    int ok = 1;
    if (!g->cfg.per_address)
        return 1;
    addr_key(addr, key);
    pthread_mutex_lock(&g->lock);
    a = addr_find(g, key);
    if (a && a->n >= g->cfg.per_address) {
        g->st.refused_address++;
        ok = 0;
    }
    pthread_mutex_unlock(&g->lock);
    return ok;
}

struct guard_conn *guard_open(struct guard *g, int fd, const struct sockaddr *addr)
{
    struct guard_conn *c = calloc(1, sizeof *c);
    unsigned char key[16];

    if (!c) {
        shutdown(fd, SHUT_RDWR);
        return NULL;
    }
    c->fd = fd;
    c->phase = PH_WORK; /* set_phase below moves it to the head list */
    addr_key(addr, key);
    pthread_mutex_lock(&g->lock);
    __atomic_add_fetch(&g->st.open, 1, __ATOMIC_RELAXED);
    if (g->cfg.per_address) {
        struct addr_count *a = addr_find(g, key);
        if (!a && (a = calloc(1, sizeof *a)) != NULL) {
            struct addr_count **b = bucket(g, key);
            memcpy(a->key, key, 16);
            a->next = *b;
            *b = a;
        }
        if (a && a->n < g->cfg.per_address) {
            a->n++;
            c->addr = a;
        }
    }
    if (g->cfg.per_address && !c->addr)
        doom(g, c, &g->st.refused_address); /* over the limit (or out of memory) */
    else
        set_phase(g, c, PH_HEAD);
    update_pressure(g);
    pthread_mutex_unlock(&g->lock);
    return c;
}

void guard_head_done(struct guard *g, struct guard_conn *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&g->lock);
    if (c->phase == PH_HEAD)
        set_phase(g, c, PH_BODY);
    pthread_mutex_unlock(&g->lock);
}

void guard_line_done(struct guard *g, struct guard_conn *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&g->lock);
    c->started = 1;
    pthread_mutex_unlock(&g->lock);
}

void guard_body_done(struct guard *g, struct guard_conn *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&g->lock);
    set_phase(g, c, PH_WORK);
    pthread_mutex_unlock(&g->lock);
}

void guard_request_done(struct guard *g, struct guard_conn *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&g->lock);
    if (c->phase != PH_HEAD) /* an answered request, not a refused head, restarts the clock */
        set_phase(g, c, PH_HEAD);
    c->started = 0; /* the next request has not begun */
    pthread_mutex_unlock(&g->lock);
}

void guard_close(struct guard *g, struct guard_conn *c)
{
    struct conn_list *l;
    if (!c)
        return;
    pthread_mutex_lock(&g->lock);
    l = list_of(g, c);
    if (l)
        list_remove(l, c);
    if (c->addr)
        addr_release(g, c->addr);
    __atomic_sub_fetch(&g->st.open, 1, __ATOMIC_RELAXED);
    update_pressure(g);
    pthread_mutex_unlock(&g->lock);
    free(c);
}

int guard_pressure(struct guard *g)
{
    return __atomic_load_n(&g->st.pressure, __ATOMIC_RELAXED);
}

int guard_full(struct guard *g)
{
    return __atomic_load_n(&g->st.open, __ATOMIC_RELAXED) >= g->cfg.max_connections;
}

void guard_stats(struct guard *g, struct guard_stats *out)
{
    pthread_mutex_lock(&g->lock);
    *out = g->st;
    pthread_mutex_unlock(&g->lock);
}
