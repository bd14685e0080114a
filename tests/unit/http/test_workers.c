/* Tests for src/http/workers.c: reads run side by side on their own apps,
 * writes run one at a time on the writer and are handed back only after
 * their group ended, writes queued together share one group, a failed
 * group fails every write in it, and stopping runs what is queued. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http/workers.h"

struct app {
    int id;
    pthread_mutex_t mu;
    int in_group; /* between group_begin and group_end */
    int groups;   /* group_end calls */
    int fail_end; /* group_end number fail_end fails */
    int running;  /* jobs running on this app now */
    int max_running;
};

struct job {
    struct workers_job base;
    struct app *ran_on;
    int in_group_when_run;
    int failed;
    int done;
    int group_when_done; /* groups ended when it was handed back */
    unsigned sleep_us;
    pthread_mutex_t *gate; /* held by the test to keep the writer busy */
    int then_write;        /* goes on to the writer after a reader */
    int meet;              /* waits (at most 60 s) until another job runs too */
    struct app *ran_on_reader;
    int then_read; /* runs again after its commit (WORKERS_THEN_READ) */
    struct app *ran_on_writer;
    int runs;
    int groups_at_last_run; /* groups the writer had ended when it last ran */
};

static pthread_mutex_t done_mu = PTHREAD_MUTEX_INITIALIZER;
static int running_all, max_running_all; /* under done_mu */
static pthread_cond_t done_cv = PTHREAD_COND_INITIALIZER;
static struct app *writer_app;

static int run(struct workers_job *j_, void *app_)
{
    struct job *j = (struct job *)j_;
    struct app *a = app_;
    pthread_mutex_lock(&a->mu);
    a->running++;
    if (a->running > a->max_running)
        a->max_running = a->running;
    j->in_group_when_run = a->in_group;
    pthread_mutex_unlock(&a->mu);
    pthread_mutex_lock(&done_mu);
    if (++running_all > max_running_all)
        max_running_all = running_all;
    pthread_cond_broadcast(&done_cv);
    if (j->meet) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 60;
        while (running_all < 2 && pthread_cond_timedwait(&done_cv, &done_mu, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&done_mu);
    if (j->gate) {
        pthread_mutex_lock(j->gate);
        pthread_mutex_unlock(j->gate);
    }
    if (j->sleep_us)
        usleep(j->sleep_us);
    j->ran_on = a;
    pthread_mutex_lock(&done_mu);
    running_all--;
    pthread_mutex_unlock(&done_mu);
    pthread_mutex_lock(&a->mu);
    a->running--;
    pthread_mutex_unlock(&a->mu);
    pthread_mutex_lock(&done_mu);
    j->runs++;
    j->groups_at_last_run = writer_app ? writer_app->groups : 0;
    pthread_mutex_unlock(&done_mu);
    if (j->then_write && !j->ran_on_reader) {
        j->ran_on_reader = a;
        return WORKERS_THEN_WRITE;
    }
    if (j->then_read && !j->ran_on_writer) {
        j->ran_on_writer = a;
        return WORKERS_THEN_READ;
    }
    return WORKERS_DONE;
}

static void job_fail(struct workers_job *j_, const struct err *e)
{
    struct job *j = (struct job *)j_;
    (void)e;
    j->failed = 1;
}

static void done(struct workers_job *j_)
{
    struct job *j = (struct job *)j_;
    pthread_mutex_lock(&done_mu);
    j->group_when_done = writer_app ? writer_app->groups : 0;
    j->done = 1;
    pthread_cond_broadcast(&done_cv);
    pthread_mutex_unlock(&done_mu);
}

static int group_begin(void *app_, struct err *e)
{
    struct app *a = app_;
    (void)e;
    a->in_group = 1;
    return 0;
}

static int group_end(void *app_, int commit, struct err *e)
{
    struct app *a = app_;
    a->in_group = 0;
    a->groups++;
    if (commit && a->groups == a->fail_end)
        return err_set(e, ERR_DB, "disk full");
    return 0;
}

static void wait_done(struct job *jobs, size_t n)
{
    pthread_mutex_lock(&done_mu);
    for (size_t i = 0; i < n; i++)
        while (!jobs[i].done)
            pthread_cond_wait(&done_cv, &done_mu);
    pthread_mutex_unlock(&done_mu);
}

static void job_init(struct job *j)
{
    memset(j, 0, sizeof *j);
    j->base.run = run;
    j->base.fail = job_fail;
    j->base.done = done;
}

static void apps_init(struct app *apps, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        memset(&apps[i], 0, sizeof apps[i]);
        apps[i].id = (int)i;
        pthread_mutex_init(&apps[i].mu, NULL);
    }
}

/* Reads run on the readers' apps, two at once; the writer runs writes in
 * groups, one at a time, each handed back after its group ended. */
static void test_reads_and_writes(void **state)
{
    struct app apps[3]; /* [0] writer, [1], [2] readers */
    void *readers[2] = {&apps[1], &apps[2]};
    struct job reads[8], writes[8];
    struct workers *w = NULL;
    struct err e;
    (void)state;
    err_init(&e);
    apps_init(apps, 3);
    writer_app = &apps[0];
    struct workers_config cfg = {.readers = 2,
                                 .reader_apps = readers,
                                 .writer_app = &apps[0],
                                 .group_begin = group_begin,
                                 .group_end = group_end};
    assert_int_equal(workers_start(&w, &cfg, &e), 0);
    for (size_t i = 0; i < 8; i++) {
        job_init(&reads[i]);
        reads[i].sleep_us = 20000;
        reads[i].meet = i == 0; /* side by side with another, however slow the machine */
        job_init(&writes[i]);
        writes[i].sleep_us = 1000;
        assert_int_equal(workers_submit(w, &reads[i].base, 0), 0);
        assert_int_equal(workers_submit(w, &writes[i].base, 1), 0);
    }
    wait_done(reads, 8);
    wait_done(writes, 8);
    for (size_t i = 0; i < 8; i++) {
        assert_true(reads[i].ran_on == &apps[1] || reads[i].ran_on == &apps[2]);
        assert_false(reads[i].failed);
        assert_ptr_equal(writes[i].ran_on, &apps[0]);
        assert_true(writes[i].in_group_when_run);
        assert_true(writes[i].group_when_done >= 1); /* its group had ended */
        assert_false(writes[i].failed);
    }
    /* jobs ran side by side (the first read waited for another to start:
     * 20 ms of sleep could pass on a loaded machine before a second thread
     * ran), one at a time per app */
    assert_true(max_running_all >= 2);
    assert_true(apps[1].max_running == 1 && apps[2].max_running == 1);
    assert_true(apps[1].running == 0 && apps[2].running == 0);
    assert_int_equal(apps[0].max_running, 1);
    struct workers_stats st;
    workers_stats(w, &st);
    assert_int_equal(st.writes, 8);
    assert_int_equal(st.reads, 8);
    assert_true(st.groups >= 1 && st.groups <= 8);
    workers_stop(w);
    writer_app = NULL;
}

/* Writes queued while the writer is busy form one group; when its commit
 * fails every write of it is failed before it is handed back. */
static void test_group_and_failure(void **state)
{
    struct app apps[2];
    void *readers[1] = {&apps[1]};
    struct job first, rest[5];
    pthread_mutex_t gate = PTHREAD_MUTEX_INITIALIZER;
    struct workers *w = NULL;
    struct err e;
    (void)state;
    err_init(&e);
    apps_init(apps, 2);
    writer_app = &apps[0];
    struct workers_config cfg = {.readers = 1,
                                 .reader_apps = readers,
                                 .writer_app = &apps[0],
                                 .group_begin = group_begin,
                                 .group_end = group_end};
    assert_int_equal(workers_start(&w, &cfg, &e), 0);
    pthread_mutex_lock(&gate);
    job_init(&first);
    first.gate = &gate; /* holds the writer in the first group */
    assert_int_equal(workers_submit(w, &first.base, 1), 0);
    /* wait until the writer runs it (blocked on the gate): the next five
     * then queue behind the first group, however slow the machine is */
    for (int busy = 0; !busy; usleep(1000)) {
        pthread_mutex_lock(&done_mu);
        busy = running_all > 0;
        pthread_mutex_unlock(&done_mu);
    }
    for (size_t i = 0; i < 5; i++) {
        job_init(&rest[i]);
        assert_int_equal(workers_submit(w, &rest[i].base, 1), 0);
    }
    apps[0].fail_end = 2; /* the second group's commit fails */
    pthread_mutex_unlock(&gate);
    wait_done(&first, 1);
    wait_done(rest, 5);
    struct workers_stats st;
    workers_stats(w, &st);
    assert_int_equal(st.groups, 2);
    assert_int_equal(st.writes, 6);
    assert_int_equal(st.failed_groups, 1);
    assert_false(first.failed);
    assert_int_equal(first.group_when_done, 1);
    for (size_t i = 0; i < 5; i++) {
        assert_true(rest[i].failed);
        assert_int_equal(rest[i].group_when_done, 2);
    }
    workers_stop(w);
    writer_app = NULL;
}

/* A write that checks on a reader first goes on to the writer, in a group,
 * and is handed back after its group; stopping still runs its second half. */
static void test_then_write(void **state)
{
    struct app apps[2];
    void *readers[1] = {&apps[1]};
    struct job jobs[3];
    struct workers *w = NULL;
    struct err e;
    (void)state;
    err_init(&e);
    apps_init(apps, 2);
    writer_app = &apps[0];
    struct workers_config cfg = {.readers = 1,
                                 .reader_apps = readers,
                                 .writer_app = &apps[0],
                                 .group_begin = group_begin,
                                 .group_end = group_end};
    assert_int_equal(workers_start(&w, &cfg, &e), 0);
    for (size_t i = 0; i < 3; i++) {
        job_init(&jobs[i]);
        jobs[i].then_write = 1;
        jobs[i].sleep_us = 2000;
        assert_int_equal(workers_submit(w, &jobs[i].base, 0), 0);
    }
    workers_stop(w); /* at once: the second halves must still run */
    for (size_t i = 0; i < 3; i++) {
        assert_true(jobs[i].done);
        assert_ptr_equal(jobs[i].ran_on_reader, &apps[1]);
        assert_ptr_equal(jobs[i].ran_on, &apps[0]);
        assert_true(jobs[i].in_group_when_run);
        assert_true(jobs[i].group_when_done >= 1);
    }
    writer_app = NULL;
}

/* A write that answers WORKERS_THEN_READ runs again on a reader, only
 * after its group committed, and is handed back after that; in a group that
 * failed it is failed and not run again; without readers (the serial mode,
 * or once they have ended) it runs again on the writer. */
static void test_then_read(void **state)
{
    struct app apps[2];
    void *readers[1] = {&apps[1]};
    struct job jobs[4], lost, serial[2];
    struct workers *w = NULL;
    struct err e;
    (void)state;
    err_init(&e);
    apps_init(apps, 2);
    writer_app = &apps[0];
    struct workers_config cfg = {.readers = 1,
                                 .reader_apps = readers,
                                 .writer_app = &apps[0],
                                 .group_begin = group_begin,
                                 .group_end = group_end};
    assert_int_equal(workers_start(&w, &cfg, &e), 0);
    for (size_t i = 0; i < 4; i++) {
        job_init(&jobs[i]);
        jobs[i].then_read = 1;
        assert_int_equal(workers_submit(w, &jobs[i].base, 1), 0);
    }
    wait_done(jobs, 4);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(jobs[i].runs, 2);
        assert_ptr_equal(jobs[i].ran_on_writer, &apps[0]);
        assert_ptr_equal(jobs[i].ran_on, &apps[1]);   /* the second run: on the reader */
        assert_true(jobs[i].groups_at_last_run >= 1); /* after its group ended */
        assert_false(jobs[i].failed);
    }
    /* the next group's commit fails: failed, never run again */
    job_init(&lost);
    lost.then_read = 1;
    apps[0].fail_end = apps[0].groups + 1;
    assert_int_equal(workers_submit(w, &lost.base, 1), 0);
    wait_done(&lost, 1);
    assert_true(lost.failed);
    assert_int_equal(lost.runs, 1);
    /* stopping at once: the readers may end before the writer has
     * committed; every job still runs twice and is handed back */
    apps[0].fail_end = 0;
    for (size_t i = 0; i < 4; i++) {
        job_init(&jobs[i]);
        jobs[i].then_read = 1;
        jobs[i].sleep_us = 2000;
        assert_int_equal(workers_submit(w, &jobs[i].base, 1), 0);
    }
    workers_stop(w);
    for (size_t i = 0; i < 4; i++) {
        assert_true(jobs[i].done);
        assert_int_equal(jobs[i].runs, 2);
        assert_false(jobs[i].failed);
    }

    /* serial mode: the second run is on the writer, after the commit */
    apps_init(apps, 1);
    struct workers_config one = {
        .writer_app = &apps[0], .group_begin = group_begin, .group_end = group_end};
    assert_int_equal(workers_start(&w, &one, &e), 0);
    for (size_t i = 0; i < 2; i++) {
        job_init(&serial[i]);
        serial[i].then_read = 1;
        assert_int_equal(workers_submit(w, &serial[i].base, 1), 0);
    }
    workers_stop(w);
    for (size_t i = 0; i < 2; i++) {
        assert_true(serial[i].done);
        assert_int_equal(serial[i].runs, 2);
        assert_ptr_equal(serial[i].ran_on, &apps[0]);
        assert_false(serial[i].in_group_when_run); /* outside the group: it had committed */
        assert_true(serial[i].groups_at_last_run >= 1);
    }
    writer_app = NULL;
}

/* Stopping runs what is queued, then refuses. */
static void test_stop_drains(void **state)
{
    struct app apps[1];
    struct job jobs[4];
    struct workers *w = NULL;
    struct err e;
    (void)state;
    err_init(&e);
    apps_init(apps, 1);
    struct workers_config cfg = {.writer_app = &apps[0]}; /* serial mode */
    assert_int_equal(workers_start(&w, &cfg, &e), 0);
    for (size_t i = 0; i < 4; i++) {
        job_init(&jobs[i]);
        jobs[i].sleep_us = 5000;
        assert_int_equal(workers_submit(w, &jobs[i].base, (int)(i % 2)), 0);
    }
    workers_stop(w);
    for (size_t i = 0; i < 4; i++) {
        assert_true(jobs[i].done);
        assert_ptr_equal(jobs[i].ran_on, &apps[0]); /* reads too, in serial mode */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_and_writes), cmocka_unit_test(test_group_and_failure),
        cmocka_unit_test(test_then_write),       cmocka_unit_test(test_then_read),
        cmocka_unit_test(test_stop_drains),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
