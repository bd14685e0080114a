/* bench_store — the store's mixed workload on SQLite and on PostgreSQL
 * (figures printed, never asserted).
 *
 * The workload is what the channel does per request, one transaction each:
 *   create  a memo with its first version and drafter;
 *   sign    a named signature plus its count and timeline event;
 *   read    the memo, its latest version and its counts (no transaction,
 *           as the channel's public reads): store_memo_latest, one
 *           statement, as a member's memo page reads them; and, for
 *           comparison, the same three facts as three statements
 *           (store_memo_by_public_id, store_version_get, store_counts);
 *   floor   the smallest read there is, one row of meta by its key
 *           (store_meta_get): on PostgreSQL a round trip with next to no
 *           work, the least any read there costs. Its time against
 *           SQLite's whole memo read is printed beside the read's ratio:
 *           the ratio no query can go below.
 * MEMOS memos, SIGNERS signatures on each, READS reads per memo.
 *
 * SQLite runs on a file in a directory of its own under $TMPDIR (or argv[1]),
 * where the stores' key directories go too; the directory is removed after.
 * PostgreSQL runs only
 * when DISSENT_BENCH_PG_URL names a database (e.g. one made by
 * tests/e2e/pg.sh); the rows are added under fresh slugs, so the database may
 * be reused. The last line gives the ratio PostgreSQL / SQLite.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/pool.h"
#include "store/store.h"
#include "unit/test_tmp.h"

#define MEMOS   500
#define SIGNERS 8
#define READS   6

struct figures {
    double create_s, sign_s, read_s, read3_s, floor_s, total_s;
    double read_best, read3_best, floor_best; /* the fastest round of MEMOS reads */
    int ops;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(const char *what, const struct err *e)
{
    fprintf(stderr, "bench_store: %s: %s\n", what, e->msg);
    return -1;
}

/* The kinds of read a round makes (the header comment). */
enum read_kind { READ_ONE, READ_THREE, READ_FLOOR, READ_KINDS };

/* MEMOS reads of one row of meta (READ_FLOOR). */
static int floor_round(struct store *s, struct pool *p, struct err *e)
{
    for (int i = 0; i < MEMOS; i++) {
        char *v = NULL;
        if (store_meta_get(s, p, "schema_version", &v, e))
            return -1;
        if (!v)
            return err_set(e, ERR_INTERNAL, "no schema_version in meta");
        pool_release(p);
        pool_init(p, 64 << 20);
    }
    return 0;
}

/* Reads every memo once: the memo, its latest version and its counts, in
 * one statement (store_memo_latest) or in three; or the floor. */
static int read_round(struct store *s, struct pool *p, const char *tag, enum read_kind kind,
                      struct err *e)
{
    char pid[64];
    int three = kind == READ_THREE;
    if (kind == READ_FLOOR)
        return floor_round(s, p, e);
    for (int i = 0; i < MEMOS; i++) {
        struct st_memo m;
        struct st_version v;
        struct st_counts counts;
        snprintf(pid, sizeof pid, "%s-%d", tag, i);
        if (three ? store_memo_by_public_id(s, p, pid, &m, e) ||
                        store_version_get(s, p, m.id, m.latest_version, &v, e) ||
                        store_counts(s, p, m.id, &counts, e)
                  : store_memo_latest(s, p, pid, &m, &v, &counts, e))
            return -1;
        if (counts.total != SIGNERS)
            return err_set(e, ERR_INTERNAL, "%lld signatures, not %d", (long long)counts.total,
                           SIGNERS);
        pool_release(p);
        pool_init(p, 64 << 20);
    }
    return 0;
}

/* One backend's run: its store, kept open between the phases. */
struct run {
    const char *name;
    struct store *s;
    char tag[32];
    struct figures f;
};

/* The directory the stores' key directories go in (main's temporary one). */
static const char *keys_base;

/* Opens the store at url into run->s and runs the writes (setup, create,
 * sign); fills run->f. run->s stays open (closed by the caller). */
static int writes(const char *url, struct run *run)
{
    char keys[TT_PATH_MAX + 32];
    struct store *s = NULL;
    struct figures *f = &run->f;
    struct err e;
    struct pool p;
    char *tag = run->tag, slug[64], name[64], pid[64];
    int64_t org = 0, chan = 0, members[SIGNERS], memo_ids[MEMOS];
    int rc = -1;
    double t0;

    err_init(&e);
    pool_init(&p, 64 << 20);
    memset(f, 0, sizeof *f);
    snprintf(tag, sizeof run->tag, "b%lx%x%s", (unsigned long)time(NULL), (unsigned)getpid(),
             run->name);
    snprintf(keys, sizeof keys, "%s/%s.keys", keys_base, run->name);
    if (store_open_keys(&s, url, keys, 0, &e))
        return fail("open", &e);
    run->s = s;

    /* Setup: one organization, a channel, SIGNERS members. */
    snprintf(slug, sizeof slug, "%s-org", tag);
    if (store_begin(s, &e) || store_org_insert(s, slug, "Bench", 1, &org, &e)) {
        fail("setup", &e);
        goto out;
    }
    struct st_channel c = {.slug = slug,
                           .name = "Bench",
                           .preset = "state-dissent",
                           .timezone = "UTC",
                           .ceiling = 2,
                           .ack = {2, 0},
                           .answer = {30, 0},
                           .ext = {60, 0}};
    if (store_channel_insert(s, &c, 1, &chan, &e)) {
        fail("setup", &e);
        goto out;
    }
    for (int i = 0; i < SIGNERS; i++) {
        snprintf(name, sizeof name, "%s-m%d", tag, i);
        struct st_member m = {.username = name,
                              .display_name = name,
                              .org_id = org,
                              .roles = 1,
                              .password_hash = "x"};
        if (store_member_insert(s, &m, 1, &members[i], &e)) {
            fail("setup", &e);
            goto out;
        }
    }
    if (store_commit(s, &e)) {
        fail("setup", &e);
        goto out;
    }

    /* create */
    t0 = now();
    for (int i = 0; i < MEMOS; i++) {
        snprintf(pid, sizeof pid, "%s-%d", tag, i);
        struct st_memo m = {.public_id = pid,
                            .channel_id = chan,
                            .state = 1,
                            .created_by = members[0],
                            .created_at = 100 + i,
                            .latest_version = 1};
        if (store_begin(s, &e) || store_memo_insert(s, &m, &e) ||
            store_drafter_add(s, m.id, members[0], &e)) {
            fail("create", &e);
            goto out;
        }
        struct st_version v = {.memo_id = m.id,
                               .number = 1,
                               .hash = pid,
                               .title = "A memo",
                               .marking = 1,
                               .body = "Some text of a memo.\n\nA paragraph.",
                               .author_id = members[0],
                               .created_at = 100 + i,
                               .verify_key = pid};
        if (store_version_insert(s, &v, &e) || store_commit(s, &e)) {
            fail("create", &e);
            goto out;
        }
        memo_ids[i] = m.id;
    }
    f->create_s = now() - t0;

    /* sign */
    t0 = now();
    for (int i = 0; i < MEMOS; i++)
        for (int k = 0; k < SIGNERS; k++) {
            int64_t t = 1000 + i * SIGNERS + k;
            if (store_begin(s, &e) ||
                store_signature_put(s, memo_ids[i], members[k], 1, "00", t, &e) ||
                store_count_adjust(s, memo_ids[i], 1, org, 1, t, &e) || store_commit(s, &e)) {
                fail("sign", &e);
                goto out;
            }
        }
    f->sign_s = now() - t0;

    rc = 0;
out:
    store_rollback(s);
    pool_release(&p);
    return rc;
}

/* The reads, in rounds: each round reads every memo once on each backend,
 * first in one statement, then in three, then the floor, so that all see
 * the same load (the machine may be shared); each kind's total and fastest
 * round kept. */
static int reads(struct run *runs, int n)
{
    struct err e;
    struct pool p;
    int rc = -1;

    err_init(&e);
    pool_init(&p, 64 << 20);
    for (int r = 0; r < READS; r++)
        for (int k = 0; k < n; k++)
            for (int kind = 0; kind < READ_KINDS; kind++) {
                struct figures *f = &runs[k].f;
                double *total = kind == READ_ONE     ? &f->read_s
                                : kind == READ_THREE ? &f->read3_s
                                                     : &f->floor_s;
                double *best = kind == READ_ONE     ? &f->read_best
                               : kind == READ_THREE ? &f->read3_best
                                                    : &f->floor_best;
                double t, t0 = now();
                if (read_round(runs[k].s, &p, runs[k].tag, (enum read_kind)kind, &e)) {
                    fail("read", &e);
                    goto out;
                }
                t = now() - t0;
                *total += t;
                if (*best == 0 || t < *best)
                    *best = t;
            }
    for (int k = 0; k < n; k++) {
        struct figures *f = &runs[k].f;
        f->total_s = f->create_s + f->sign_s + f->read_s;
        f->ops = MEMOS + MEMOS * SIGNERS + MEMOS * READS;
    }
    rc = 0;
out:
    pool_release(&p);
    return rc;
}

static void print(const char *name, const struct figures *f)
{
    printf("%-10s create %7.0f memos/s   sign %7.0f sigs/s   read %7.0f reads/s   "
           "mixed %7.0f ops/s (%.2f s)\n",
           name, MEMOS / f->create_s, MEMOS * SIGNERS / f->sign_s, MEMOS * READS / f->read_s,
           f->ops / f->total_s, f->total_s);
    printf("%-10s read: one statement %7.0f reads/s (best round %7.0f)   three statements %7.0f "
           "reads/s (best round %7.0f)\n",
           name, MEMOS * READS / f->read_s, MEMOS / f->read_best, MEMOS * READS / f->read3_s,
           MEMOS / f->read3_best);
    printf("%-10s floor: one row of meta %7.0f reads/s (best round %7.0f)\n", name,
           MEMOS * READS / f->floor_s, MEMOS / f->floor_best);
}

int main(int argc, char **argv)
{
    char dir[TT_PATH_MAX], path[4096], aux[4200];
    struct run runs[2] = {{.name = "sqlite"}, {.name = "postgresql"}};
    const struct figures *sq = &runs[0].f, *pg = &runs[1].f;
    const char *url = getenv("DISSENT_BENCH_PG_URL");
    int n = url && *url ? 2 : 1, rc = 1;

    tt_mkdtemp(dir, sizeof dir, "dissent-bench-store");
    keys_base = dir;
    if (argc > 1)
        snprintf(path, sizeof path, "%s", argv[1]);
    else
        snprintf(path, sizeof path, "%s/bench_store.db", dir);
    unlink(path);
    printf("bench_store: %d memos, %d signatures each, %d reads each; one transaction per "
           "change; reads in rounds alternating the backends\n",
           MEMOS, SIGNERS, READS);
    if (writes(path, &runs[0]) || (n == 2 && writes(url, &runs[1])) || reads(runs, n))
        goto out;
    for (int k = 0; k < n; k++)
        print(runs[k].name, &runs[k].f);
    rc = 0;
    if (n == 1) {
        printf("postgresql skipped: set DISSENT_BENCH_PG_URL=postgres://… to a database\n");
        goto out;
    }
    printf("ratio postgresql/sqlite (time): create %.2fx  sign %.2fx  read %.2fx  mixed %.2fx\n",
           pg->create_s / sq->create_s, pg->sign_s / sq->sign_s, pg->read_s / sq->read_s,
           pg->total_s / sq->total_s);
    printf("ratio postgresql/sqlite (time): read as three statements %.2fx; best rounds: one "
           "statement %.2fx, three %.2fx\n",
           pg->read3_s / sq->read3_s, pg->read_best / sq->read_best,
           pg->read3_best / sq->read3_best);
    /* the floor on PostgreSQL against SQLite's whole read: what no query
     * rewrite can go below */
    printf("ratio postgresql/sqlite (time): floor %.2fx (PostgreSQL's read of one row of meta "
           "against SQLite's whole memo read; one row against one row %.2fx)\n",
           pg->floor_s / sq->read_s, pg->floor_s / sq->floor_s);
    printf("goal (issue #12): read <= 3x, create and sign <= 2x\n");
out:
    for (int k = 0; k < 2; k++)
        store_close(runs[k].s);
    unlink(path);
    snprintf(aux, sizeof aux, "%s-wal", path);
    unlink(aux);
    snprintf(aux, sizeof aux, "%s-shm", path);
    unlink(aux);
    if (tt_rm_tree(dir) != 0)
        fprintf(stderr, "bench_store: could not remove %s\n", dir);
    return rc;
}
