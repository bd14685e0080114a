/* bench_tlog — figures for src/tlog (printed, never asserted).
 *
 *   1. 10^6 appends into the in-memory node store;
 *   2. inclusion and consistency proof generation at 10^6 leaves (memory);
 *   3. durable appends into a real SQLite file (WAL, synchronous=FULL):
 *      tables leaves(idx, hash) and nodes(level, idx, hash), batched into
 *      transactions of 1,000 leaves, against the naive one-commit-per-append
 *      baseline measured in the same run on a smaller count;
 *   4. proof generation reading nodes from that SQLite file;
 *   5. checkpoint signing and opening.
 *
 * Usage: bench_tlog [db-path] (default: next to the binary). Goals on the
 * 2-core dev machine: >= 50,000 durable appends/s, <= 50 us per inclusion proof.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "tlog/checkpoint.h"
#include "tlog/memstore.h"
#include "tlog/tree.h"

#define N_LEAVES          1000000
#define BATCH             1000
#define NAIVE_LEAVES      2000
#define NAIVE_MAX_SECONDS 4.0
#define N_PROOFS          100000
#define N_SQL_PROOFS      20000

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 0x243f6a8885a308d3ULL;
static uint64_t rnd(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1dULL;
}

static void leaf_hash(uint64_t i, unsigned char out[TLOG_HASH_SIZE])
{
    char data[48];
    int n = snprintf(data, sizeof data, "bench event %llu", (unsigned long long)i);
    tlog_hash_leaf(out, data, (size_t)n);
}

static void die(const char *what, const struct err *e)
{
    fprintf(stderr, "bench_tlog: %s: %s\n", what, e ? e->msg : "");
    exit(1);
}

/* ---- an SQLite node store, as the channel's store layer could write it ---- */

struct sqlstore {
    sqlite3 *db;
    sqlite3_stmt *get, *put_node, *put_leaf;
};

static int sql_get(void *ctx, unsigned level, uint64_t index, unsigned char out[TLOG_HASH_SIZE],
                   struct err *e)
{
    struct sqlstore *s = ctx;
    int rc = -1;
    sqlite3_bind_int(s->get, 1, (int)level);
    sqlite3_bind_int64(s->get, 2, (sqlite3_int64)index);
    int step = sqlite3_step(s->get);
    if (step == SQLITE_ROW && sqlite3_column_bytes(s->get, 0) == TLOG_HASH_SIZE) {
        memcpy(out, sqlite3_column_blob(s->get, 0), TLOG_HASH_SIZE);
        rc = 0;
    } else if (step == SQLITE_DONE) {
        err_set(e, ERR_NOT_FOUND, "node (%u, %llu) is not stored", level,
                (unsigned long long)index);
    } else {
        err_set(e, ERR_DB, "sqlite: %s", sqlite3_errmsg(s->db));
    }
    sqlite3_reset(s->get);
    return rc;
}

static void sql_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "bench_tlog: sqlite: %s: %s\n", sql, msg ? msg : "");
        exit(1);
    }
}

static void sql_open(struct sqlstore *s, const char *path)
{
    char wal[1100], shm[1100];
    snprintf(wal, sizeof wal, "%s-wal", path);
    snprintf(shm, sizeof shm, "%s-shm", path);
    unlink(path);
    unlink(wal);
    unlink(shm);
    if (sqlite3_open(path, &s->db) != SQLITE_OK)
        die("sqlite open", NULL);
    sql_exec(s->db, "PRAGMA journal_mode=WAL");
    sql_exec(s->db, "PRAGMA synchronous=FULL");     /* every commit is on disk (WAL fsync) */
    sql_exec(s->db, "PRAGMA cache_size=-65536");    /* 64 MiB page cache */
    sql_exec(s->db, "PRAGMA mmap_size=1073741824"); /* reads through mmap, not read(2) */
    sql_exec(s->db, "CREATE TABLE leaves(idx INTEGER PRIMARY KEY, hash BLOB NOT NULL)");
    sql_exec(s->db,
             "CREATE TABLE nodes(level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, "
             "PRIMARY KEY(level, idx)) WITHOUT ROWID");
    if (sqlite3_prepare_v2(s->db, "SELECT hash FROM nodes WHERE level = ?1 AND idx = ?2", -1,
                           &s->get, NULL) ||
        sqlite3_prepare_v2(s->db, "INSERT INTO nodes(level, idx, hash) VALUES (?1, ?2, ?3)", -1,
                           &s->put_node, NULL) ||
        sqlite3_prepare_v2(s->db, "INSERT INTO leaves(idx, hash) VALUES (?1, ?2)", -1, &s->put_leaf,
                           NULL))
        die("sqlite prepare", NULL);
}

static void sql_close(struct sqlstore *s, const char *path)
{
    char wal[1100], shm[1100];
    sqlite3_finalize(s->get);
    sqlite3_finalize(s->put_node);
    sqlite3_finalize(s->put_leaf);
    sqlite3_close(s->db);
    snprintf(wal, sizeof wal, "%s-wal", path);
    snprintf(shm, sizeof shm, "%s-shm", path);
    unlink(path);
    unlink(wal);
    unlink(shm);
}

static void sql_step_reset(struct sqlstore *s, sqlite3_stmt *st)
{
    if (sqlite3_step(st) != SQLITE_DONE) {
        fprintf(stderr, "bench_tlog: sqlite: %s\n", sqlite3_errmsg(s->db));
        exit(1);
    }
    sqlite3_reset(st);
}

/* One append inside the caller's transaction: the leaf row and the new nodes. */
static void sql_append(struct sqlstore *s, const struct tlog_node_source *src, uint64_t size,
                       const unsigned char lh[TLOG_HASH_SIZE])
{
    struct tlog_appended out;
    struct err e;
    err_init(&e);
    if (tlog_append(src, size, lh, &out, &e) != 0)
        die("append", &e);
    sqlite3_bind_int64(s->put_leaf, 1, (sqlite3_int64)size);
    sqlite3_bind_blob(s->put_leaf, 2, lh, TLOG_HASH_SIZE, SQLITE_STATIC);
    sql_step_reset(s, s->put_leaf);
    for (size_t i = 0; i < out.count; i++) {
        sqlite3_bind_int(s->put_node, 1, (int)out.nodes[i].level);
        sqlite3_bind_int64(s->put_node, 2, (sqlite3_int64)out.nodes[i].index);
        sqlite3_bind_blob(s->put_node, 3, out.nodes[i].hash, TLOG_HASH_SIZE, SQLITE_STATIC);
        sql_step_reset(s, s->put_node);
    }
}

/* Proof timing over any source; returns microseconds per proof. With db,
 * each proof runs in its own read transaction, as one API request would
 * (without one, every SELECT opens and closes a WAL read transaction). */
static double time_inclusion(const struct tlog_node_source *src, sqlite3 *db, uint64_t n, int count)
{
    struct tlog_proof p;
    struct err e;
    err_init(&e);
    double t0 = now();
    for (int i = 0; i < count; i++) {
        if (db)
            sql_exec(db, "BEGIN");
        if (tlog_prove_inclusion(src, rnd() % n, n, &p, &e) != 0)
            die("prove inclusion", &e);
        if (db)
            sql_exec(db, "COMMIT");
    }
    return (now() - t0) * 1e6 / count;
}

static double time_consistency(const struct tlog_node_source *src, sqlite3 *db, uint64_t n,
                               int count)
{
    struct tlog_proof p;
    struct err e;
    err_init(&e);
    double t0 = now();
    for (int i = 0; i < count; i++) {
        uint64_t m = 1 + rnd() % n;
        if (db)
            sql_exec(db, "BEGIN");
        if (tlog_prove_consistency(src, m, n, &p, &e) != 0)
            die("prove consistency", &e);
        if (db)
            sql_exec(db, "COMMIT");
    }
    return (now() - t0) * 1e6 / count;
}

int main(int argc, char **argv)
{
    double t_start = now();
    struct err e;
    err_init(&e);
    static unsigned char(*lh)[TLOG_HASH_SIZE];
    lh = malloc((size_t)N_LEAVES * TLOG_HASH_SIZE);
    if (!lh)
        die("out of memory", NULL);

    /* leaf hashes (what the channel hands to the log) */
    double t0 = now();
    for (uint64_t i = 0; i < N_LEAVES; i++)
        leaf_hash(i, lh[i]);
    double t_leaf = now() - t0;
    printf("leaf hashing:            %9.0f leaves/s\n", N_LEAVES / t_leaf);

    /* 1. in memory */
    struct tlog_memstore ms;
    tlog_memstore_init(&ms);
    t0 = now();
    for (uint64_t i = 0; i < N_LEAVES; i++)
        if (tlog_memstore_append(&ms, lh[i], &e) != 0)
            die("memstore append", &e);
    double t_mem = now() - t0;
    printf("appends in memory:       %9.0f appends/s (%d leaves in %.2f s)\n", N_LEAVES / t_mem,
           N_LEAVES, t_mem);
    struct tlog_node_source msrc = tlog_memstore_source(&ms);
    unsigned char root[TLOG_HASH_SIZE];
    t0 = now();
    for (int i = 0; i < 100000; i++)
        if (tlog_root(&msrc, N_LEAVES - (uint64_t)(i % 1000), root, &e) != 0)
            die("root", &e);
    printf("tree head (memory):      %9.2f us per root at 10^6 leaves\n",
           (now() - t0) * 1e6 / 100000);

    /* 2. proofs in memory */
    printf("inclusion proof (memory):   %6.2f us per proof at %d leaves\n",
           time_inclusion(&msrc, NULL, N_LEAVES, N_PROOFS), N_LEAVES);
    printf("consistency proof (memory): %6.2f us per proof at %d leaves\n",
           time_consistency(&msrc, NULL, N_LEAVES, N_PROOFS), N_LEAVES);
    {
        struct tlog_proof p;
        uint64_t idx = rnd() % N_LEAVES;
        if (tlog_prove_inclusion(&msrc, idx, N_LEAVES, &p, &e) != 0 ||
            tlog_root(&msrc, N_LEAVES, root, &e) != 0)
            die("prove", &e);
        t0 = now();
        for (int i = 0; i < N_PROOFS; i++)
            if (tlog_verify_inclusion(idx, N_LEAVES, lh[idx], &p, root, &e) != 0)
                die("verify", &e);
        printf("inclusion verification:     %6.2f us per proof (%zu hashes)\n",
               (now() - t0) * 1e6 / N_PROOFS, p.len);
    }

    /* 3. durable appends into SQLite */
    char path[1024], naive_path[1100];
    if (argc > 1) {
        snprintf(path, sizeof path, "%s", argv[1]);
    } else {
        snprintf(path, sizeof path, "%s", argv[0]);
        char *slash = strrchr(path, '/');
        if (slash)
            slash[1] = '\0';
        else
            path[0] = '\0';
        size_t l = strlen(path);
        snprintf(path + l, sizeof path - l, "bench_tlog.db");
    }
    snprintf(naive_path, sizeof naive_path, "%s.naive", path);

    struct sqlstore naive;
    sql_open(&naive, naive_path);
    struct tlog_node_source nsrc = {.ctx = &naive, .get = sql_get, .get_many = NULL};
    t0 = now();
    uint64_t naive_n = 0;
    while (naive_n < NAIVE_LEAVES && now() - t0 < NAIVE_MAX_SECONDS) {
        sql_exec(naive.db, "BEGIN");
        sql_append(&naive, &nsrc, naive_n, lh[naive_n]);
        sql_exec(naive.db, "COMMIT");
        naive_n++;
    }
    double naive_rate = (double)naive_n / (now() - t0);
    sql_close(&naive, naive_path);
    printf("durable, commit per append: %9.0f appends/s (%llu leaves)\n", naive_rate,
           (unsigned long long)naive_n);

    struct sqlstore s;
    sql_open(&s, path);
    struct tlog_node_source ssrc = {.ctx = &s, .get = sql_get, .get_many = NULL};
    t0 = now();
    for (uint64_t i = 0; i < N_LEAVES; i += BATCH) {
        sql_exec(s.db, "BEGIN");
        for (uint64_t j = i; j < i + BATCH && j < N_LEAVES; j++)
            sql_append(&s, &ssrc, j, lh[j]);
        sql_exec(s.db, "COMMIT");
    }
    double t_sql = now() - t0;
    double sql_rate = N_LEAVES / t_sql;
    printf(
        "durable, batches of %d:   %9.0f appends/s (%d leaves in %.2f s, WAL, synchronous=FULL)\n",
        BATCH, sql_rate, N_LEAVES, t_sql);
    printf("batched / per-append commit: %.0fx\n", sql_rate / naive_rate);

    /* the SQLite tree equals the in-memory one */
    unsigned char root2[TLOG_HASH_SIZE];
    if (tlog_root(&msrc, N_LEAVES, root, &e) != 0 || tlog_root(&ssrc, N_LEAVES, root2, &e) != 0)
        die("root", &e);
    if (memcmp(root, root2, TLOG_HASH_SIZE) != 0)
        die("the SQLite tree differs from the in-memory tree", NULL);

    /* 4. proofs read from SQLite */
    {
        unsigned char h[TLOG_HASH_SIZE];
        sql_exec(s.db, "BEGIN");
        t0 = now();
        for (int i = 0; i < 100000; i++)
            if (sql_get(&s, 0, rnd() % N_LEAVES, h, &e) != 0)
                die("get", &e);
        printf("one node read (SQLite):     %6.2f us (random leaf)\n", (now() - t0) * 1e6 / 100000);
        t0 = now();
        for (int i = 0; i < 100000; i++)
            if (sql_get(&s, 19, 0, h, &e) != 0)
                die("get", &e);
        printf("one node read (SQLite):     %6.2f us (same top node)\n",
               (now() - t0) * 1e6 / 100000);
        sql_exec(s.db, "COMMIT");
    }
    printf("inclusion proof (SQLite):   %6.2f us per proof at %d leaves\n",
           time_inclusion(&ssrc, s.db, N_LEAVES, N_SQL_PROOFS), N_LEAVES);
    printf("consistency proof (SQLite): %6.2f us per proof at %d leaves\n",
           time_consistency(&ssrc, s.db, N_LEAVES, N_SQL_PROOFS), N_LEAVES);
    t0 = now();
    for (int i = 0; i < N_SQL_PROOFS; i++) {
        sql_exec(s.db, "BEGIN");
        if (tlog_root(&ssrc, N_LEAVES - (uint64_t)(i % 1000), root2, &e) != 0)
            die("root", &e);
        sql_exec(s.db, "COMMIT");
    }
    printf("tree head (SQLite):         %6.2f us per root\n", (now() - t0) * 1e6 / N_SQL_PROOFS);
    sql_close(&s, path);

    /* 5. checkpoints */
    struct tlog_signer signer;
    struct tlog_checkpoint c, got;
    struct buf note;
    buf_init(&note, TLOG_NOTE_MAX);
    if (tlog_signer_generate(&signer, "bench.example/log", &e) != 0 ||
        tlog_checkpoint_init(&c, "bench.example/log", N_LEAVES, root, &e) != 0)
        die("checkpoint", &e);
    t0 = now();
    for (int i = 0; i < 2000; i++) {
        buf_reset(&note);
        if (tlog_checkpoint_sign(&c, &signer, &note, &e) != 0)
            die("sign", &e);
    }
    printf("checkpoint sign:            %6.2f us\n", (now() - t0) * 1e6 / 2000);
    t0 = now();
    for (int i = 0; i < 2000; i++)
        if (tlog_checkpoint_open(&got, note.data, note.len, &signer.pub, &e) != 0)
            die("open", &e);
    printf("checkpoint open (verify):   %6.2f us\n", (now() - t0) * 1e6 / 2000);
    tlog_signer_wipe(&signer);
    buf_release(&note);

    tlog_memstore_release(&ms);
    free(lh);
    printf("total bench time: %.1f s\n", now() - t_start);
    return 0;
}
