/* bench_log — durable appends to the channel's transparency log through the
 * real path (printed, never asserted).
 *
 * Each append is chan_log_append: the leaf JSON (a version-like event with
 * five paragraph digests) stamped and serialized canonically, its leaf hash,
 * the log's size read from tlog_leaves, tlog_append reading the left
 * siblings from tlog_tree, the leaf row and the new node rows inserted —
 * all in the real SQLite store (WAL, the store's own pragmas).
 *
 *   1. batched: transactions of BATCH appends, up to N leaves, with the rate
 *      of each tenth of the run (does it hold as the tree grows?);
 *   2. per-append commits (what one request per event costs), on a smaller
 *      count bounded in time, in a fresh database;
 *   3. the ratio, then a checkpoint and an inclusion proof at the final size.
 *
 * Usage: bench_log [N] [db-dir]   (N default 100000; try 1000000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "channel/chan.h"
#include "channel/chan_internal.h"
#include "store/keydir.h"
#include "unit/test_tmp.h"

#define BATCH              1000
#define PER_COMMIT_MAX     3000
#define PER_COMMIT_SECONDS 5.0

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const struct err *e)
{
    fprintf(stderr, "bench_log: %s: %s\n", what, e ? e->msg : "");
    exit(1);
}

/* A leaf like a version event (the kind with the most bytes). */
static json_t *event(long i)
{
    static const char h[] = "5be1c0a9a5e9e2d4f0b5c1e3d2a4f6b8c0d2e4f6a8b0c2d4e6f8a0b2c4d6e8f0";
    return json_pack("{s:i,s:s,s:s,s:s,s:s,s:[s,s,s,s,s]}", "version", (int)(i % 7) + 1, "hash", h,
                     "marking", "SBU", "channel", "dissent", "digest", h, "paragraphs", h, h, h, h,
                     h);
}

/* Removes the SQLite database path, its -wal and -shm, and the key
 * directory the store made beside it (store/keydir.h). */
static void remove_db(const char *path)
{
    char p[1100];
    struct err e;
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
    err_init(&e);
    if (keydir_default_path(path, p, sizeof p, &e) == 0 && tt_rm_tree(p) != 0)
        fprintf(stderr, "bench_log: could not remove %s\n", p);
}

static const char MEMO[] = "abcdefghijklmnopqrstuvwxyz";

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 100000;
    const char *dir = argc > 2 ? argv[2] : ".";
    char path[1024];
    struct chan *c = NULL;
    struct err e;
    double t0, t, batched_rate, per_rate;
    long done = 0, per = 0;
    json_t *out = NULL;

    err_init(&e);
    if (n < BATCH * 10)
        n = BATCH * 10;
    n -= n % (BATCH * 10);

    /* 1. batched */
    snprintf(path, sizeof path, "%s/bench_log_batched.db", dir);
    remove_db(path);
    if (chan_open(&c, path, &e))
        die("open", &e);
    printf("durable appends through chan_log_append, %ld leaves in transactions of %d (%s)\n", n,
           BATCH, path);
    t0 = now();
    t = t0;
    for (int tenth = 1; tenth <= 10; tenth++) {
        long stop = n / 10 * tenth;
        for (; done < stop; done += BATCH) {
            if (store_begin(c->st, &e))
                die("begin", &e);
            for (long i = done; i < done + BATCH; i++)
                if (chan_log_append(c, event(i), MEMO, "version", 1, &e))
                    die("append", &e);
            if (store_commit(c->st, &e))
                die("commit", &e);
        }
        double t1 = now();
        printf("  leaves %8ld..%8ld  %9.0f appends/s\n", stop - n / 10, stop - 1,
               (double)(n / 10) / (t1 - t));
        t = t1;
    }
    batched_rate = (double)n / (now() - t0);
    printf("  overall            %9.0f appends/s  (%.2f s)\n", batched_rate, now() - t0);

    /* 3. reads at the final size */
    t0 = now();
    for (int i = 0; i < 100; i++) {
        if (chan_log_checkpoint(c, &out, &e))
            die("checkpoint", &e);
        json_decref(out);
    }
    printf("  signed checkpoint at %ld leaves: %.1f us\n", n, (now() - t0) / 100 * 1e6);
    t0 = now();
    for (int i = 0; i < 1000; i++) {
        if (chan_log_inclusion(c, (int64_t)((unsigned long)i * 7919u % (unsigned long)n), n, &out,
                               &e))
            die("inclusion", &e);
        json_decref(out);
    }
    printf("  inclusion proof at %ld leaves: %.1f us\n", n, (now() - t0) / 1000 * 1e6);
    chan_close(c);
    c = NULL;

    /* 2. one commit per append */
    snprintf(path, sizeof path, "%s/bench_log_single.db", dir);
    remove_db(path);
    if (chan_open(&c, path, &e))
        die("open", &e);
    t0 = now();
    while (per < PER_COMMIT_MAX && now() - t0 < PER_COMMIT_SECONDS) {
        if (store_begin(c->st, &e) || chan_log_append(c, event(per), MEMO, "version", 1, &e) ||
            store_commit(c->st, &e))
            die("append", &e);
        per++;
    }
    per_rate = (double)per / (now() - t0);
    printf("one commit per append: %ld leaves, %9.0f appends/s\n", per, per_rate);
    printf("batched / per-append commit: %.1fx\n", batched_rate / per_rate);
    chan_close(c);
    remove_db(path);
    snprintf(path, sizeof path, "%s/bench_log_batched.db", dir);
    remove_db(path);
    return 0;
}
