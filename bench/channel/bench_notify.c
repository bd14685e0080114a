/* bench_notify — what telling people costs the writer on a memo with many
 * named co-signers (printed, never asserted).
 *
 * A step's notifications are written in the step's own write transaction
 * (docs/architecture.md, "Notifications are written with their cause"), so
 * their cost is a stall of every other write. On a memo with N named
 * co-signers (put in through the store, in one transaction), through the
 * channel on a real SQLite file:
 *
 *   1. an acknowledgement and an answer by the policy office, which tell the
 *      co-signers who opted in to review_signed (here none): against the
 *      same steps on a memo with no other co-signer, in the same run;
 *   2. a new version by the drafter, which tells every co-signer whose
 *      signature is on an older version (here all N: N rows).
 *
 * Usage: bench_notify [N]   (default 100000)
 */
#include "../bench_figures.h"
#include "channel/chan.h"
#include "channel/roles.h"
#include "base/util.h"
#include "store/store.h"
#include "unit/test_tmp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PASSWORD "bench notify password"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void check(int rc, const char *what, const struct err *e)
{
    if (rc) {
        fprintf(stderr, "bench_notify: %s: %s\n", what, e->msg);
        exit(1);
    }
}

static void member(struct chan *c, struct pool *p, struct actor *a, const char *name,
                   unsigned roles)
{
    struct err e;
    json_t *out = NULL;
    char *token = NULL;
    struct chan_member_input in = {
        .username = name, .display_name = name, .org = "state", .roles = roles};
    err_init(&e);
    check(chan_member_create(c, p, NULL, &in, &out, &e), "member", &e);
    json_decref(out);
    check(chan_local_set_password(c, p, name, PASSWORD, &e), "password", &e);
    check(chan_login(c, p, name, PASSWORD, "local", &token, a, &e), "login", &e);
}

/* A circulating memo by alice with n more named co-signers; its id in id. */
static void memo_signed(struct chan *c, struct pool *p, const struct actor *alice, long n,
                        long *next_user, char id[RANDOM_ID_LEN + 1])
{
    struct err e;
    json_t *out = NULL;
    struct st_memo m;
    int64_t org = 0, mid = 0;
    char user[32];
    struct chan_version_input in = {.title = "A dissent", .marking = "SBU", .body = "We disagree."};
    err_init(&e);
    check(chan_memo_create(c, p, alice, "dissent", &in, NULL, 0, &out, &e), "memo", &e);
    snprintf(id, RANDOM_ID_LEN + 1, "%s", json_string_value(json_object_get(out, "id")));
    json_decref(out);
    check(chan_memo_act(c, p, alice, id, CHAN_OP_CIRCULATE, NULL, &out, &e), "circulate", &e);
    json_decref(out);
    check(store_org_by_slug(chan_store(c), "state", &org, &e) ||
              store_memo_by_public_id(chan_store(c), p, id, &m, &e) ||
              store_begin(chan_store(c), &e),
          "co-signers", &e);
    for (long i = 0; i < n; i++) {
        struct st_member x = {.username = user,
                              .display_name = user,
                              .password_hash = "",
                              .org_id = org,
                              .roles = CHAN_ROLE_MEMBER};
        snprintf(user, sizeof user, "signer%ld", (*next_user)++);
        check(store_member_insert(chan_store(c), &x, 1, &mid, &e) ||
                  store_signature_put(chan_store(c), m.id, mid, 1, "00", 1, &e),
              "co-signer", &e);
    }
    check(store_commit(chan_store(c), &e), "commit", &e);
}

/* Seconds one step takes. */
static double step(struct chan *c, struct pool *p, const struct actor *a, const char *id, int op,
                   const char *text)
{
    struct err e;
    json_t *out = NULL;
    double t0 = now();
    err_init(&e);
    check(chan_memo_act(c, p, a, id, op, text, &out, &e), "step", &e);
    json_decref(out);
    return now() - t0;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 100000, next_user = 0;
    char dir[TT_PATH_MAX], path[TT_PATH_MAX + 16], id0[RANDOM_ID_LEN + 1], idn[RANDOM_ID_LEN + 1];
    struct chan *c = NULL;
    struct pool p;
    struct err e;
    json_t *out = NULL;
    struct actor alice, rev;
    struct chan_channel_input ch = {.slug = "dissent",
                                    .name = "Dissent",
                                    .preset = "state-dissent",
                                    .ceiling = "SBU",
                                    .min_ring = 2};
    struct chan_version_input v2 = {.body = "We disagree, more strongly."};
    double ack0, ackn, answer0, answern, version0, versionn;
    uint64_t st0, stn;

    if (n < 1)
        n = 1;
    tt_mkdtemp(dir, sizeof dir, "dissent-bench-notify");
    snprintf(path, sizeof path, "%s/notify.db", dir);
    err_init(&e);
    pool_init(&p, 1u << 26);
    check(chan_open(&c, path, &e), "open", &e);
    check(chan_org_create(c, NULL, "state", "Department of State", &out, &e), "org", &e);
    json_decref(out);
    check(chan_channel_create(c, &p, NULL, &ch, &out, &e), "channel", &e);
    json_decref(out);
    member(c, &p, &alice, "alice", CHAN_ROLE_MEMBER);
    member(c, &p, &rev, "rev", CHAN_ROLE_REVIEWER);
    printf("telling people on a memo with %ld named co-signers, none opted in to review_signed "
           "(%s):\n",
           n, path);

    /* 1. review steps */
    memo_signed(c, &p, &alice, 0, &next_user, id0);
    memo_signed(c, &p, &alice, n, &next_user, idn);
    (void)step(c, &p, &alice, id0, CHAN_OP_SUBMIT, NULL);
    (void)step(c, &p, &alice, idn, CHAN_OP_SUBMIT, NULL);
    st0 = store_statements(chan_store(c));
    ack0 = step(c, &p, &rev, id0, CHAN_OP_ACKNOWLEDGE, NULL);
    st0 = store_statements(chan_store(c)) - st0;
    stn = store_statements(chan_store(c));
    ackn = step(c, &p, &rev, idn, CHAN_OP_ACKNOWLEDGE, NULL);
    stn = store_statements(chan_store(c)) - stn;
    answer0 = step(c, &p, &rev, id0, CHAN_OP_ANSWER, "Our answer.");
    answern = step(c, &p, &rev, idn, CHAN_OP_ANSWER, "Our answer.");
    printf("  acknowledgement  %8.2f ms  (%.2fx a memo with none; %llu statements against %llu)\n",
           ackn * 1e3, ackn / ack0, (unsigned long long)stn, (unsigned long long)st0);
    printf("  answer           %8.2f ms  (%.2fx a memo with none)\n", answern * 1e3,
           answern / answer0);

    /* 2. a new version tells every co-signer on an older one */
    memo_signed(c, &p, &alice, 0, &next_user, id0);
    memo_signed(c, &p, &alice, n, &next_user, idn);
    version0 = now();
    check(chan_memo_revise(c, &p, &alice, id0, &v2, &out, &e), "revise", &e);
    json_decref(out);
    version0 = now() - version0;
    versionn = now();
    check(chan_memo_revise(c, &p, &alice, idn, &v2, &out, &e), "revise", &e);
    json_decref(out);
    versionn = now() - versionn;
    printf("  new version      %8.2f ms  (%ld notifications written: %.1f us each)\n",
           versionn * 1e3, n, (versionn - version0) / (double)n * 1e6);

    bench_figure("notify_cosigners", (double)n, "");
    bench_figure("notify_ack_ms", ackn * 1e3, "ms");
    bench_figure("notify_ack_ratio", ackn / ack0, "x");
    bench_figure("notify_answer_ms", answern * 1e3, "ms");
    bench_figure("notify_version_ms", versionn * 1e3, "ms");

    chan_close(c);
    pool_release(&p);
    if (tt_rm_tree(dir) != 0)
        fprintf(stderr, "bench_notify: could not remove %s\n", dir);
    return 0;
}
