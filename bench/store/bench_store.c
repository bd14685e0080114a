/* bench_store — the store's mixed workload on SQLite and on PostgreSQL
 * (figures printed, never asserted).
 *
 * The workload is what the channel does per request, one transaction each:
 *   create  a memo with its first version and drafter;
 *   sign    a named signature plus its count and timeline event;
 *   read    the memo, its latest version and its counts (no transaction,
 *           as the channel's public reads).
 * MEMOS memos, SIGNERS signatures on each, READS reads per memo.
 *
 * SQLite runs on a file next to the binary (or argv[1]). PostgreSQL runs only
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

#define MEMOS   500
#define SIGNERS 8
#define READS   4

struct figures {
    double create_s, sign_s, read_s, total_s;
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

/* Runs the workload on the store at url; fills f. */
static int workload(const char *url, struct figures *f)
{
    struct store *s = NULL;
    struct err e;
    struct pool p;
    char tag[32], slug[64], name[64], pid[64];
    int64_t org = 0, chan = 0, members[SIGNERS], memo_ids[MEMOS];
    int rc = -1;
    double t0;

    err_init(&e);
    pool_init(&p, 64 << 20);
    memset(f, 0, sizeof *f);
    snprintf(tag, sizeof tag, "b%lx%x", (unsigned long)time(NULL), (unsigned)getpid());
    if (store_open(&s, url, &e))
        return fail("open", &e);

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

    /* read */
    t0 = now();
    for (int r = 0; r < READS; r++)
        for (int i = 0; i < MEMOS; i++) {
            struct st_memo m;
            struct st_version v;
            struct st_counts counts;
            snprintf(pid, sizeof pid, "%s-%d", tag, i);
            if (store_memo_by_public_id(s, &p, pid, &m, &e) ||
                store_version_get(s, &p, m.id, m.latest_version, &v, &e) ||
                store_counts(s, &p, m.id, &counts, &e)) {
                fail("read", &e);
                goto out;
            }
            pool_release(&p);
            pool_init(&p, 64 << 20);
        }
    f->read_s = now() - t0;
    f->total_s = f->create_s + f->sign_s + f->read_s;
    f->ops = MEMOS + MEMOS * SIGNERS + MEMOS * READS;
    rc = 0;
out:
    store_rollback(s);
    store_close(s);
    pool_release(&p);
    return rc;
}

static void print(const char *name, const struct figures *f)
{
    printf("%-10s create %7.0f memos/s   sign %7.0f sigs/s   read %7.0f reads/s   "
           "mixed %7.0f ops/s (%.2f s)\n",
           name, MEMOS / f->create_s, MEMOS * SIGNERS / f->sign_s, MEMOS * READS / f->read_s,
           f->ops / f->total_s, f->total_s);
}

int main(int argc, char **argv)
{
    char path[4096];
    struct figures sq, pg;
    const char *url = getenv("DISSENT_BENCH_PG_URL");

    if (argc > 1)
        snprintf(path, sizeof path, "%s", argv[1]);
    else
        snprintf(path, sizeof path, "%s.db", argv[0]);
    unlink(path);
    printf("bench_store: %d memos, %d signatures each, %d reads each; one transaction per "
           "change\n",
           MEMOS, SIGNERS, READS);
    if (workload(path, &sq))
        return 1;
    print("sqlite", &sq);
    unlink(path);
    {
        char aux[4200];
        snprintf(aux, sizeof aux, "%s-wal", path);
        unlink(aux);
        snprintf(aux, sizeof aux, "%s-shm", path);
        unlink(aux);
    }
    if (!url || !*url) {
        printf("postgresql skipped: set DISSENT_BENCH_PG_URL=postgres://… to a database\n");
        return 0;
    }
    if (workload(url, &pg))
        return 1;
    print("postgresql", &pg);
    printf("ratio postgresql/sqlite (time): create %.2fx  sign %.2fx  read %.2fx  mixed %.2fx\n",
           pg.create_s / sq.create_s, pg.sign_s / sq.sign_s, pg.read_s / sq.read_s,
           pg.total_s / sq.total_s);
    printf("goal (issue #12): read <= 3x, create and sign <= 2x\n");
    return 0;
}
