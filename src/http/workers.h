/* workers.h — the threads that run the server's handlers: readers side by
 * side, and one writer that commits the writes that arrived together in one
 * durable transaction (group commit). docs/architecture.md, "Threads".
 *
 * Each thread has an app of its own (for dissent: a struct app with its own
 * database connection), so no handler shares a connection with another. A
 * job is queued as a read or a write:
 *
 * - a reader takes the oldest read job, runs it with its app and hands it
 *   back (done) — unless run answers WORKERS_THEN_WRITE: then the job goes
 *   on to the writer's queue and runs there again, with the writer's app
 *   (a write that does its costly checks on a reader first);
 * - the writer takes every write job queued (at most group_max), calls
 *   group_begin(app), runs them one after another with its app, calls
 *   group_end(app, 1): only then is each handed back (done). If the group
 *   could not begin or commit, fail(job, e) replaces each one's reply before
 *   it is handed back: none of them happened, none is acknowledged. A
 *   write's run may answer WORKERS_THEN_READ: once its group committed, the
 *   job runs again on a reader, with the reader's app, before it is handed
 *   back (a reply built from what was committed, off the one writer); when
 *   no reader is left (stopping, or the serial mode) it runs again on the
 *   writer. In a group that failed it is failed as the others. While
 *   the writer waits for a commit to reach the disk, new writes queue up and
 *   form the next group, so one commit serves many requests under load and
 *   a lone request waits for nobody.
 *
 * Without reader apps (the serial mode, for callers whose app is one
 * connection) every job goes to the writer, reads too: one at a time.
 */
#ifndef DISSENT_HTTP_WORKERS_H
#define DISSENT_HTTP_WORKERS_H

#include "base/compat.h"
#include "base/err.h"

#include <stddef.h>
#include <stdint.h>

enum { WORKERS_DONE = 0, WORKERS_THEN_WRITE = 1, WORKERS_HELD = 2, WORKERS_THEN_READ = 3 };

/* A reader's run may also answer WORKERS_HELD: it called workers_hold and
 * handed the job to someone else (a batch waiting for its window), who
 * later calls workers_continue. A held job keeps workers_stop waiting. */
struct workers_job {
    struct workers_job *next; /* private */
    uint64_t due_ns;          /* private: workers_submit_at */
    int then_read;            /* private: run again after the commit */
    int uncounted;            /* not in workers_stats (an anonymous request) */
    /* A reader's run: WORKERS_DONE, _THEN_WRITE or _HELD; the writer's:
     * WORKERS_DONE or _THEN_READ (then the next run, on a reader, answers
     * WORKERS_DONE). */
    int (*run)(struct workers_job *j, void *app);
    void (*fail)(struct workers_job *j, const struct err *e);
    void (*done)(struct workers_job *j); /* the reply may be sent now */
};

#define WORKERS_MAX       64
#define WORKERS_GROUP_MAX 256 /* writes per group by default */

struct workers_config {
    unsigned readers;         /* reader threads (with reader_apps), 1..WORKERS_MAX */
    void *const *reader_apps; /* one per reader; NULL: the serial mode */
    void *writer_app;
    /* Around each group (NULL: none); 0 or -1 with e. */
    int (*group_begin)(void *app, struct err *e);
    int (*group_end)(void *app, int commit, struct err *e);
    unsigned group_max; /* writes per group at most; 0: WORKERS_GROUP_MAX; 1: a commit each */
};

struct workers_stats {
    uint64_t groups, writes, reads; /* committed (or failed) groups, the writes in them */
    uint64_t failed_groups;
    unsigned queued_reads, queued_writes;
};

struct workers;

/* Starts the threads. Returns 0 and *out, or -1. */
int workers_start(struct workers **out, const struct workers_config *cfg, struct err *e) WUR;

/* Queues j (write: 1 for the writer, 0 for the readers). Returns 0, or -1
 * once workers_stop has begun (then j is not run). */
int workers_submit(struct workers *w, struct workers_job *j, int write) WUR;

/* As workers_submit to the readers, once the monotonic clock reaches
 * due_ns (CLOCK_MONOTONIC, in ns); at once when workers_stop has begun.
 * Without readers (the serial mode) it runs on the writer at once. */
int workers_submit_at(struct workers *w, struct workers_job *j, uint64_t due_ns) WUR;

/* Makes a job queued by workers_submit_at due now. Returns 0, or -1 when it
 * is no longer waiting (a reader has taken it). */
int workers_expedite(struct workers *w, struct workers_job *j);

/* Announces a job a reader's run is about to hand away (then run answers
 * WORKERS_HELD). workers_continue(w, j, write) takes it back, from any
 * thread, exactly once: write 1 queues it for the writer (as
 * WORKERS_THEN_WRITE), 0 hands it back (done). */
void workers_hold(struct workers *w);
void workers_continue(struct workers *w, struct workers_job *j, int write);

/* The monotonic clock in ns. */
uint64_t workers_now_ns(void);

/* A copy of the counters. */
void workers_stats(struct workers *w, struct workers_stats *out);

/* Runs every job queued (the readers' first, then the writer's, which may
 * have grown by them), then stops and joins the threads and frees w.
 * NULL is allowed. */
void workers_stop(struct workers *w);

#endif
