/* cmd_log.c — `dissent log monitor|checkpoint|leaves|proof`: reading the
 * public transparency log and checking it, never trusting the server. */
#include "cli/commands.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/util.h"
#include "cli/cli.h"
#include "cli/out.h"
#include "cli/remote.h"
#include "channel/roles.h"
#include "client/evidence.h"
#include "client/files.h"
#include "client/loghistory.h"
#include "client/logclient.h"

/* ---- shared with cmd_verify.c ------------------------------------------ */

int cmd_log_fetch_checkpoint(struct client *c, const struct tlog_verifier *v,
                             struct tlog_checkpoint *cp, struct buf *note, struct err *e)
{
    if (logc_fetch_checkpoint_note(c, v, cp, note, e) != 0)
        return -1;
    return loghist_policy_check(note->data, note->len, cp->size, e);
}

int cmd_log_history_check(struct client *c, const struct tlog_verifier *v,
                          const struct tlog_checkpoint *cp, const struct buf *note, struct err *e)
{
    return loghist_check(c, v, cp, note->data, note->len, NULL, e);
}

int cmd_log_checked_checkpoint(struct client *c, const struct tlog_verifier *v,
                               struct tlog_checkpoint *cp, struct err *e)
{
    int rc = -1;
    struct buf note;
    buf_init(&note, TLOG_NOTE_MAX);
    if (cmd_log_fetch_checkpoint(c, v, cp, &note, e) != 0)
        goto out;
    if (cmd_log_history_check(c, v, cp, &note, e) != 0) {
        char why[ERR_MSG_MAX];
        memcpy(why, e->msg, sizeof why);
        err_set(e, ERR_CRYPTO, "LOG INCONSISTENT: %.220s", why);
        goto out;
    }
    rc = 0;
out:
    buf_release(&note);
    return rc;
}

int cmd_log_client(const struct cli_ctx *ctx, struct client *c, struct err *e)
{
    /* the log is public: a log command needs no login, and the session's
     * token would tie the sizes it checks (kept in the checkpoint history
     * the anonymous flow reads too) to a named member */
    return cmd_anon_client(ctx, c, e);
}

/* The server's key on first use is trusted only if the server does not
 * itself say the log was made with another (GET /log/key's
 * first_verifier_key): returns -1 (ERR_CRYPTO, naming both key ids) then. */
static int refuse_changed_key(const struct client *c, const struct tlog_verifier *v,
                              const char *key, const char *first, struct err *e)
{
    struct tlog_verifier fv;
    char want[2 * TLOG_KEY_ID_SIZE + 1] = "?", got[2 * TLOG_KEY_ID_SIZE + 1];
    if (strcmp(first, key) == 0)
        return 0;
    if (logc_key_parse(&fv, first, NULL) == 0)
        hex_encode(want, fv.key_id, TLOG_KEY_ID_SIZE);
    hex_encode(got, v->key_id, TLOG_KEY_ID_SIZE);
    return err_set(e, ERR_CRYPTO,
                   "the log at %.80s signs with key id %s, but it was made with key id %s: its "
                   "key changed, so nothing is pinned; pass --log-key to choose one",
                   c->server, got, want);
}

/* cmd_log_trusted_key; with ask set, GET /log/key is asked whether or not
 * a key is pinned (cmd_anon_trusted_key); a key given with --log-key is
 * the caller's fixed choice, and nothing is asked then. */
static int trusted_key(const struct cli_ctx *ctx, struct client *c, struct tlog_verifier *v,
                       int ask, struct err *e)
{
    int rc = -1, found = 0, asked = 0;
    const char *given = cli_opt(ctx, "log-key");
    char pins[1024], key[TLOG_VERIFIER_KEY_MAX], first[TLOG_VERIFIER_KEY_MAX];
    struct tlog_verifier served;
    struct err why;

    err_init(&why);
    if (ask && !given) {
        if (logc_fetch_key_first(c, &served, key, first, e))
            goto out;
        asked = 1;
    }
    if (given) {
        if (logc_key_parse(v, given, &why)) {
            err_set(e, ERR_INVALID, "--log-key is not a verifier key (name+id+key): %s", why.msg);
            goto out;
        }
        rc = 0;
        goto out;
    }
    if (logc_pins_path(pins, sizeof pins, e) || logc_pin_get(pins, c->server, key, &found, e))
        goto out;
    if (found) {
        if (logc_key_parse(v, key, &why)) {
            err_set(e, ERR_INVALID, "%s: the key pinned for %s is not valid: %s", pins, c->server,
                    why.msg);
            goto out;
        }
        rc = 0;
        goto out;
    }
    /* First use: trust the server's key once, and remember it; but not a
     * key the server itself says replaced the one the log was made with. */
    if (asked)
        *v = served;
    else if (logc_fetch_key_first(c, v, key, first, e))
        goto out;
    if (refuse_changed_key(c, v, key, first, e))
        goto out;
    if (logc_pin_set(pins, c->server, key, e))
        goto out;
    fprintf(ctx->err,
            "dissent: first use of the log at %s: pinned its key %s in %s\n"
            "dissent: compare it with the key your institution publishes; later runs check "
            "against it\n",
            c->server, key, pins);
    rc = 0;
out:
    return rc;
}

int cmd_log_trusted_key(const struct cli_ctx *ctx, struct client *c, struct tlog_verifier *v,
                        struct err *e)
{
    return trusted_key(ctx, c, v, 0, e);
}

int cmd_anon_trusted_key(const struct cli_ctx *ctx, struct client *c, struct tlog_verifier *v,
                         struct err *e)
{
    return trusted_key(ctx, c, v, 1, e);
}

/* ---- dissent log monitor ----------------------------------------------- */

struct monitor {
    struct cli_ctx *ctx;
    struct client c;
    struct logc_state st;   /* as loaded */
    int found;              /* a state file existed */
    struct tlog_verifier v; /* pinned key */
    char key[TLOG_VERIFIER_KEY_MAX];
    struct tlog_checkpoint cp; /* the new signed checkpoint */
    struct logc_range range;   /* of the new checkpoint's leaves */
    uint64_t checked;          /* leaves fetched and re-hashed */
    uint64_t sampled;          /* old leaves re-checked by inclusion proof (incremental) */
    int incremental;
    int inconsistent; /* a failure that is evidence against the log */
    /* Privileged accounts per role (reviewer, leadership, auditor, admin):
     * grants minus removals in the "role" leaves; known after a full audit. */
    int64_t privileged[4];
    int full; /* every leaf from 0 was read (audit_full) */
};

static const unsigned privileged_roles[4] = {CHAN_ROLE_REVIEWER, CHAN_ROLE_LEADERSHIP,
                                             CHAN_ROLE_AUDITOR, CHAN_ROLE_ADMIN};

/* Counts a "role" leaf of a full audit; a removal of a role nobody holds
 * is evidence against the log. */
static int count_role(struct monitor *m, const json_t *leaf, uint64_t i, struct err *e);

/* Records evidence against the log. Returns -1. */
static int inconsistent(struct monitor *m, struct err *e, const char *fmt, ...) PRINTF_LIKE(3, 4);
static int inconsistent(struct monitor *m, struct err *e, const char *fmt, ...)
{
    va_list ap;
    char msg[ERR_MSG_MAX];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    m->inconsistent = 1;
    return err_set(e, ERR_CRYPTO, "%s", msg);
}

/* Looks, in the log's current tree, for a subtree of the saved frontier
 * that the new tree holds differently, and turns ev into kind subtree
 * (conclusive evidence). Leaves ev as it is when none is found. */
static void find_changed_subtree(struct monitor *m, json_t *ev)
{
    for (size_t j = 0; j < m->st.range.n; j++) {
        uint64_t s = 0;
        unsigned h = 0;
        json_t *rows = NULL;
        unsigned char lh[1][TLOG_HASH_SIZE];
        struct tlog_proof p;
        struct err e;
        int done;
        err_init(&e);
        evidence_subtree_at(m->st.size, j, &s, &h);
        done = logc_fetch_leaves(&m->c, s, s + 1, &rows, lh, &e) == 0 &&
               logc_fetch_inclusion(&m->c, s, m->cp.size, &p, &e) == 0 &&
               evidence_add_subtree(ev, &m->st.range, s, lh[0], &p, &e) == 0;
        json_decref(rows);
        if (done)
            return;
    }
}

/* Keeps the evidence of the new checkpoint contradicting the saved one:
 * the saved checkpoint's note from the notes seen, the new note, and,
 * when the log grew, the subtree that shows it. */
static void monitor_evidence(struct monitor *m, const struct buf *note,
                             const struct tlog_proof *served, struct err *e)
{
    struct buf old;
    json_t *ev = NULL;
    int found = 0;
    struct err se;
    char msg[ERR_MSG_MAX];
    err_init(&se);
    buf_init(&old, TLOG_NOTE_MAX);
    if (loghist_seen_find(&m->v, m->st.size, m->st.root, &old, &found, &se) != 0 || !found) {
        memcpy(msg, e->msg, sizeof msg);
        err_set(e, ERR_CRYPTO,
                "%.180s (no evidence: the signed note of size %" PRIu64 " was not kept)", msg,
                m->st.size);
        goto out;
    }
    if (evidence_build(&m->v, old.data, note->data, served, "dissent log monitor", &ev, &se) != 0)
        goto out;
    if (m->cp.size > m->st.size)
        find_changed_subtree(m, ev);
    evidence_keep(&m->v, ev, e);
out:
    json_decref(ev);
    buf_release(&old);
}

/* Checks the new checkpoint (its signed note: note) against the saved one;
 * a contradiction is kept as evidence. */
static int check_consistency(struct monitor *m, const struct buf *note, struct err *e)
{
    struct tlog_proof p;
    struct err why;
    err_init(&why);
    if (!m->found || m->st.size == 0)
        return 0;
    if (m->cp.size < m->st.size) {
        inconsistent(m, e,
                     "the log shrank: it had %" PRIu64 " leaves when last checked, its "
                     "signed checkpoint now says %" PRIu64,
                     m->st.size, m->cp.size);
        monitor_evidence(m, note, NULL, e);
        return -1;
    }
    if (m->cp.size == m->st.size) {
        if (memcmp(m->cp.root, m->st.root, TLOG_HASH_SIZE) != 0) {
            inconsistent(m, e,
                         "the log's history was rewritten: same size %" PRIu64
                         " as when last checked, but a different root",
                         m->cp.size);
            monitor_evidence(m, note, NULL, e);
            return -1;
        }
        return 0;
    }
    if (logc_fetch_consistency(&m->c, m->st.size, m->cp.size, &p, e))
        return -1;
    if (logc_verify_consistency(m->st.size, m->cp.size, m->st.root, m->cp.root, &p, &why)) {
        inconsistent(m, e,
                     "the log's history was rewritten: the checkpoint of size %" PRIu64
                     " is not consistent with the one seen before (size %" PRIu64 "): %.50s",
                     m->cp.size, m->st.size, why.msg);
        monitor_evidence(m, note, &p, e);
        return -1;
    }
    return 0;
}

/* Checks each leaf of rows (indices from first) is well-formed. */
static int check_shapes(struct monitor *m, const json_t *rows, uint64_t first, struct err *e)
{
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        const char *data = json_string_value(json_object_get(row, "data"));
        json_t *leaf = NULL;
        int rc;
        struct err why;
        err_init(&why);
        if (logc_leaf_check(data, strlen(data), &leaf, &why))
            return inconsistent(m, e, "leaf %" PRIu64 " is malformed: %s", first + i, why.msg);
        rc = !m->full ? 0 : count_role(m, leaf, first + i, e);
        json_decref(leaf);
        if (rc)
            return -1;
    }
    return 0;
}

static int count_role(struct monitor *m, const json_t *leaf, uint64_t i, struct err *e)
{
    const char *kind = json_string_value(json_object_get(leaf, "kind"));
    const char *role = json_string_value(json_object_get(leaf, "role"));
    int grant = json_is_string(json_object_get(leaf, "action")) &&
                strcmp(json_string_value(json_object_get(leaf, "action")), "grant") == 0;
    if (!kind || strcmp(kind, "role") != 0 || !role)
        return 0;
    for (size_t r = 0; r < 4; r++) {
        if (strcmp(role, chan_role_name(privileged_roles[r])) != 0)
            continue;
        if (!grant && m->privileged[r] == 0)
            return inconsistent(m, e,
                                "leaf %" PRIu64 " removes the %s role, which no account held "
                                "according to the leaves before it",
                                i, role);
        m->privileged[r] += grant ? 1 : -1;
    }
    return 0;
}

/* The first leaf whose data no longer matches the tree: the largest m with a
 * valid consistency proof from the root of our first m leaf hashes to the
 * signed root is the index of the changed leaf. Returns it, or UINT64_MAX. */
static uint64_t first_changed_leaf(struct monitor *m, const unsigned char (*hashes)[TLOG_HASH_SIZE])
{
    uint64_t lo = 0, hi = m->cp.size;
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        unsigned char r[TLOG_HASH_SIZE];
        struct tlog_proof p;
        struct err e;
        err_init(&e);
        if (logc_fetch_consistency(&m->c, mid, m->cp.size, &p, &e))
            return UINT64_MAX;
        logc_root_of(hashes, mid, r);
        if (logc_verify_consistency(mid, m->cp.size, r, m->cp.root, &p, &e) == 0)
            lo = mid;
        else
            hi = mid;
    }
    return hi - 1;
}

/* Full audit: every leaf from 0, re-hashed into the root of the checkpoint. */
static int audit_full(struct monitor *m, struct err *e)
{
    int rc = -1;
    json_t *rows = NULL;
    unsigned char(*hashes)[TLOG_HASH_SIZE] = NULL;
    unsigned char root[TLOG_HASH_SIZE];
    uint64_t n = m->cp.size;

    logc_range_init(&m->range);
    m->full = 1;
    memset(m->privileged, 0, sizeof m->privileged);
    if (n > SIZE_MAX / TLOG_HASH_SIZE || !(hashes = malloc((size_t)(n ? n : 1) * TLOG_HASH_SIZE))) {
        err_set(e, ERR_NOMEM, "out of memory for %" PRIu64 " leaf hashes", n);
        goto out;
    }
    for (uint64_t at = 0; at < n; at += LOGC_PAGE) {
        uint64_t to = n - at < LOGC_PAGE ? n : at + LOGC_PAGE;
        if (logc_fetch_leaves(&m->c, at, to, &rows, hashes + at, e)) {
            if (e->code == ERR_CRYPTO)
                m->inconsistent = 1;
            goto out;
        }
        if (check_shapes(m, rows, at, e))
            goto out;
        json_decref(rows);
        rows = NULL;
    }
    for (uint64_t i = 0; i < n; i++)
        if (logc_range_append(&m->range, hashes[i], e))
            goto out;
    m->checked = n;
    if (m->found && m->st.size > 0) {
        logc_root_of(hashes, m->st.size, root);
        if (memcmp(root, m->st.root, sizeof root) != 0) {
            uint64_t bad = first_changed_leaf(m, hashes);
            if (bad != UINT64_MAX && bad < m->st.size)
                inconsistent(m, e,
                             "leaf %" PRIu64 " was changed after it was logged: the leaves seen "
                             "before (0..%" PRIu64 ") no longer hash to the root checked then",
                             bad, m->st.size - 1);
            else
                inconsistent(m, e,
                             "the leaves seen before (0..%" PRIu64 ") no longer hash to the "
                             "root checked then: the log's history was rewritten",
                             m->st.size - 1);
            goto out;
        }
    }
    logc_range_root(&m->range, root);
    if (memcmp(root, m->cp.root, sizeof root) != 0) {
        uint64_t bad = first_changed_leaf(m, hashes);
        if (bad != UINT64_MAX)
            inconsistent(m, e,
                         "leaf %" PRIu64 " was changed after it was logged: the leaf data "
                         "served no longer hash to the signed root of %" PRIu64 " leaves",
                         bad, n);
        else
            inconsistent(m, e,
                         "the leaf data served do not hash to the signed root of %" PRIu64
                         " leaves: some leaf was changed after it was logged",
                         n);
        goto out;
    }
    rc = 0;
out:
    json_decref(rows);
    free(hashes);
    return rc;
}

/* Re-checks old leaf i by its inclusion proof in the new checkpoint. */
static int recheck_leaf(struct monitor *m, uint64_t i, struct err *e)
{
    int rc = -1;
    json_t *rows = NULL;
    unsigned char h[1][TLOG_HASH_SIZE];
    struct tlog_proof p;
    struct err why;
    err_init(&why);
    if (logc_fetch_leaves(&m->c, i, i + 1, &rows, h, e) ||
        logc_fetch_inclusion(&m->c, i, m->cp.size, &p, e))
        goto out;
    if (logc_verify_inclusion(i, m->cp.size, h[0], &p, m->cp.root, &why)) {
        inconsistent(m, e,
                     "leaf %" PRIu64 " was changed after it was logged: its data no longer "
                     "hash to the leaf the signed tree holds (%s)",
                     i, why.msg);
        goto out;
    }
    rc = 0;
out:
    json_decref(rows);
    return rc;
}

/* Incremental (the default with a state): every new leaf since the last
 * run, fetched, re-hashed and checked for shape on top of the saved
 * frontier, which must then hash to the signed root; plus --sample-old
 * old leaves re-checked by inclusion proof. */
static int audit_incremental(struct monitor *m, uint64_t sample, struct err *e)
{
    int rc = -1;
    json_t *rows = NULL;
    unsigned char root[TLOG_HASH_SIZE];
    unsigned char(*hashes)[TLOG_HASH_SIZE] = NULL;
    uint64_t old = m->st.size;

    m->range = m->st.range;
    hashes = malloc(LOGC_PAGE * TLOG_HASH_SIZE);
    if (!hashes) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    for (uint64_t at = old; at < m->cp.size; at += LOGC_PAGE) {
        uint64_t to = m->cp.size - at < LOGC_PAGE ? m->cp.size : at + LOGC_PAGE;
        if (logc_fetch_leaves(&m->c, at, to, &rows, hashes, e)) {
            if (e->code == ERR_CRYPTO)
                m->inconsistent = 1;
            goto out;
        }
        if (check_shapes(m, rows, at, e))
            goto out;
        for (uint64_t i = 0; i < to - at; i++)
            if (logc_range_append(&m->range, hashes[i], e))
                goto out;
        json_decref(rows);
        rows = NULL;
    }
    m->checked = m->cp.size - old;
    logc_range_root(&m->range, root);
    if (memcmp(root, m->cp.root, sizeof root) != 0) {
        inconsistent(m, e,
                     "the new leaves %" PRIu64 "..%" PRIu64 " on top of the saved frontier do "
                     "not hash to the signed root",
                     old, m->cp.size - 1);
        goto out;
    }
    /* Old leaves were checked when they were new; --sample-old re-checks
     * some (every one when there are few) by inclusion proof, against a
     * server that changes a leaf's data but not the tree. */
    if (old <= sample) {
        for (uint64_t i = 0; i < old; i++)
            if (recheck_leaf(m, i, e))
                goto out;
        m->sampled = old;
    } else {
        for (uint64_t k = 0; k < sample; k++) {
            uint64_t i = (((uint64_t)randombytes_random() << 32) | randombytes_random()) % old;
            if (recheck_leaf(m, i, e))
                goto out;
        }
        m->sampled = sample;
    }
    rc = 0;
out:
    json_decref(rows);
    free(hashes);
    return rc;
}

/* {reviewer: n, leadership: n, auditor: n, admin: n} */
static json_t *privileged_json(const struct monitor *m)
{
    json_t *o = json_object();
    for (size_t r = 0; o && r < 4; r++)
        json_object_set_new(o, chan_role_name(privileged_roles[r]),
                            json_integer((json_int_t)m->privileged[r]));
    return o;
}

static void monitor_report(struct monitor *m, const char *state_path, int status,
                           const struct err *e)
{
    char r64[48];
    FILE *f = m->ctx->out;
    logc_hash_encode(m->cp.root, r64);
    if (cli_flag(m->ctx, "json")) {
        json_t *o = json_pack("{s:b,s:s,s:s,s:I,s:s,s:I,s:s,s:I,s:I}", "ok", status == CLI_OK,
                              "origin", m->v.name, "mode", m->incremental ? "incremental" : "full",
                              "size", (json_int_t)m->cp.size, "root", r64, "previous_size",
                              (json_int_t)(m->found ? m->st.size : 0), "state", state_path,
                              "leaves_checked", (json_int_t)m->checked, "old_leaves_rechecked",
                              (json_int_t)m->sampled);
        if (o && status != CLI_OK)
            json_object_set_new(o, "error", json_string(e->msg));
        if (o && status != CLI_OK)
            json_object_set_new(o, "inconsistent", json_boolean(m->inconsistent));
        if (o && status == CLI_OK && m->full)
            json_object_set_new(o, "privileged_accounts", privileged_json(m));
        if (o) {
            json_dumpf(o, f, JSON_INDENT(2) | JSON_SORT_KEYS);
            fputc('\n', f);
        }
        json_decref(o);
        return;
    }
    if (status != CLI_OK)
        return;
    fprintf(f, "log        %s at %s\n", m->v.name, m->c.server);
    fprintf(f, "checkpoint size %" PRIu64 ", root %s (signature checked)\n", m->cp.size, r64);
    if (!m->found)
        fprintf(f, "first run: nothing to compare with yet\n");
    else if (m->st.size == m->cp.size)
        fprintf(f, "unchanged since the last run (%s)\n", m->st.checked_at);
    else
        fprintf(
            f, "consistent with the checkpoint seen before (size %" PRIu64 ", %s): proof checked\n",
            m->st.size, m->st.checked_at);
    if (m->incremental)
        fprintf(f,
                "audited    every new leaf (%" PRIu64 ") on the saved frontier: well-formed, and "
                "they hash to the signed root; %" PRIu64
                " old leaves re-checked by inclusion proof (--sample-old)\n",
                m->checked, m->sampled);
    else
        fprintf(f,
                "audited    all %" PRIu64 " leaves from leaf 0: well-formed, and they hash to "
                "the signed root\n",
                m->checked);
    if (m->full)
        fprintf(f,
                "privileged accounts (role leaves: grants minus removals): reviewer %" PRId64
                ", leadership %" PRId64 ", auditor %" PRId64 ", admin %" PRId64 "\n",
                m->privileged[0], m->privileged[1], m->privileged[2], m->privileged[3]);
    fprintf(f, "state      saved to %s\n", state_path);
}

int cmd_log_monitor(struct cli_ctx *ctx)
{
    int status = CLI_FAIL;
    struct monitor m;
    struct err e;
    const char *path = cli_opt(ctx, "state"), *given = cli_opt(ctx, "log-key");
    long long sample = 0;
    struct logc_state next;
    struct buf note;

    err_init(&e);
    buf_init(&note, TLOG_NOTE_MAX);
    memset(&m, 0, sizeof m);
    m.ctx = ctx;
    client_init(&m.c);
    if ((status = cli_require(ctx, "state", (const char *)NULL)) != CLI_OK)
        goto done;
    if (cli_opt(ctx, "sample-old") &&
        cli_arg_i64(cli_opt(ctx, "sample-old"), "--sample-old", 0, 1000000, &sample, &e)) {
        status = cli_usage_error(ctx, "%s", e.msg);
        goto done;
    }
    status = CLI_FAIL;
    if (cmd_log_client(ctx, &m.c, &e) || logc_state_load(path, &m.st, &m.found, &e))
        goto fail;
    /* with a state, every new leaf is checked on its frontier; --full
     * re-audits every leaf from 0 */
    m.incremental = m.found && !cli_flag(ctx, "full");
    if (m.found) {
        m.v = m.st.verifier;
        snprintf(m.key, sizeof m.key, "%s", m.st.verifier_key);
        if (given && strcmp(given, m.st.verifier_key) != 0) {
            struct tlog_verifier gv;
            char want[2 * TLOG_KEY_ID_SIZE + 1], got[2 * TLOG_KEY_ID_SIZE + 1] = "?";
            hex_encode(want, m.v.key_id, TLOG_KEY_ID_SIZE);
            if (logc_key_parse(&gv, given, NULL) == 0)
                hex_encode(got, gv.key_id, TLOG_KEY_ID_SIZE);
            err_set(&e, ERR_INVALID,
                    "%.100s pins the log key %.80s (key id %s), not the --log-key given (key id "
                    "%s)",
                    path, m.v.name, want, got);
            goto fail;
        }
    } else if (given) {
        if (logc_key_parse(&m.v, given, &e))
            goto fail;
        snprintf(m.key, sizeof m.key, "%s", given);
    } else {
        char first[TLOG_VERIFIER_KEY_MAX];
        if (logc_fetch_key_first(&m.c, &m.v, m.key, first, &e) ||
            refuse_changed_key(&m.c, &m.v, m.key, first, &e))
            goto fail;
        fprintf(ctx->err,
                "dissent: no state yet: trusting the log key the server gives, %s\n"
                "dissent: compare it with the key your institution publishes (or pass "
                "--log-key); it is pinned in %s\n",
                m.key, path);
    }
    if (cmd_log_fetch_checkpoint(&m.c, &m.v, &m.cp, &note, &e)) {
        if (e.code == ERR_CRYPTO)
            m.inconsistent = 1;
        goto fail;
    }
    if (check_consistency(&m, &note, &e))
        goto fail;
    if (m.incremental ? audit_incremental(&m, (uint64_t)sample, &e) : audit_full(&m, &e))
        goto fail;
    /* the checkpoint history shared with verify: a fork against what any of
     * them saw before is caught here, and the note is kept as evidence */
    if (cmd_log_history_check(&m.c, &m.v, &m.cp, &note, &e)) {
        if (e.code == ERR_CRYPTO)
            m.inconsistent = 1;
        goto fail;
    }
    memset(&next, 0, sizeof next);
    snprintf(next.verifier_key, sizeof next.verifier_key, "%s", m.key);
    next.verifier = m.v;
    snprintf(next.server, sizeof next.server, "%s", m.c.server);
    next.size = m.cp.size;
    memcpy(next.root, m.cp.root, TLOG_HASH_SIZE);
    next.range = m.range;
    time_format_utc(next.checked_at, now_utc());
    if (logc_state_save(path, &next, &e))
        goto fail;
    status = CLI_OK;
    monitor_report(&m, path, status, &e);
    goto done;
fail:
    status = CLI_FAIL;
    monitor_report(&m, path, status, &e);
    if (m.inconsistent)
        fprintf(ctx->err,
                "dissent: LOG INCONSISTENT: %s\ndissent: the state in %s is left as it was; keep "
                "it as evidence\n",
                e.msg, path);
    else
        cli_fail(ctx, &e);
done:
    buf_release(&note);
    client_release(&m.c);
    return status;
}

/* ---- dissent log checkpoint -------------------------------------------- */

int cmd_log_checkpoint(struct cli_ctx *ctx)
{
    int status = CLI_FAIL;
    struct err e;
    struct client c;
    struct tlog_verifier v;
    struct tlog_checkpoint cp;
    char r64[48], vk[TLOG_VERIFIER_KEY_MAX];
    json_t *o = NULL;

    err_init(&e);
    client_init(&c);
    if (cmd_log_client(ctx, &c, &e) || cmd_log_trusted_key(ctx, &c, &v, &e) ||
        cmd_log_checked_checkpoint(&c, &v, &cp, &e) ||
        logc_get(&c, "/api/v1/log/checkpoint", &o, &e) || logc_key_format(&v, vk, &e))
        goto fail;
    logc_hash_encode(cp.root, r64);
    if (cli_flag(ctx, "json")) {
        json_object_set_new(o, "verified_with", json_string(vk));
        json_dumpf(o, ctx->out, JSON_INDENT(2) | JSON_SORT_KEYS);
        fputc('\n', ctx->out);
    } else {
        fprintf(ctx->out,
                "origin     %s\nsize       %" PRIu64 "\nroot       %s\nsignature  "
                "checked with %s\n\n",
                cp.origin, cp.size, r64, vk);
        /* the note passed tlog_note_parse: no control character but \n */
        fputs(json_string_value(json_object_get(o, "note")), ctx->out);
    }
    status = CLI_OK;
    goto out;
fail:
    status = cli_fail(ctx, &e);
out:
    json_decref(o);
    client_release(&c);
    return status;
}

/* ---- dissent log leaves START END -------------------------------------- */

/* A one-line summary of a leaf for people. */
static void leaf_summary(const json_t *leaf, char *out, size_t n)
{
    const char *kind = out_jstr(leaf, "kind");
    char a[32], b[32];
    if (kind && strcmp(kind, "version") == 0)
        snprintf(out, n, "version %s, %s, %zu paragraphs", out_jtext(leaf, "version", a, sizeof a),
                 out_jtext(leaf, "marking", b, sizeof b),
                 json_array_size(json_object_get(leaf, "paragraphs")));
    else if (kind && strcmp(kind, "signature") == 0)
        snprintf(out, n, "signature %s on version %s", out_jtext(leaf, "action", a, sizeof a),
                 out_jtext(leaf, "version", b, sizeof b));
    else if (kind && strcmp(kind, "state") == 0)
        snprintf(out, n, "%s (latest version %s)", out_jtext(leaf, "event", a, sizeof a),
                 out_jtext(leaf, "latest_version", b, sizeof b));
    else if (kind && strcmp(kind, "client-release") == 0)
        snprintf(out, n, "client release %s, %s files", out_jtext(leaf, "version", a, sizeof a),
                 out_jtext(leaf, "files", b, sizeof b));
    else if (kind && strcmp(kind, "role") == 0)
        snprintf(out, n, "role %s %s", out_jtext(leaf, "role", a, sizeof a),
                 strcmp(out_jtext(leaf, "action", b, sizeof b), "grant") == 0 ? "granted"
                                                                              : "removed");
    else
        snprintf(out, n, "?");
}

int cmd_log_leaves(struct cli_ctx *ctx)
{
    static const char *const head[] = {"INDEX", "AT", "MEMO", "EVENT", "CHECK"};
    int status = CLI_FAIL;
    struct err e;
    struct client c;
    struct tlog_verifier v;
    struct tlog_checkpoint cp;
    long long start, end;
    json_t *rows = NULL, *row;
    struct out_table t;
    size_t i;
    uint64_t n, nbad = 0;
    unsigned char(*hashes)[TLOG_HASH_SIZE] = NULL;
    unsigned char *bad = NULL;
    char r64[48];

    err_init(&e);
    client_init(&c);
    out_table_init(&t, 5, head);
    if (cli_arg_i64(ctx->args[0], "START", 0, INT64_MAX - 1, &start, &e) ||
        cli_arg_i64(ctx->args[1], "END", 1, INT64_MAX, &end, &e)) {
        status = cli_usage_error(ctx, "%s", e.msg);
        goto out;
    }
    if (end <= start) {
        status = cli_usage_error(ctx, "END must be greater than START (leaves START <= i < END)");
        goto out;
    }
    /* Nothing the server says is trusted: the leaves are checked against
     * the signed checkpoint (the pinned key, the history of checkpoints). */
    if (cmd_log_client(ctx, &c, &e) || cmd_log_trusted_key(ctx, &c, &v, &e) ||
        cmd_log_checked_checkpoint(&c, &v, &cp, &e))
        goto fail;
    if ((uint64_t)end > cp.size) {
        err_set(&e, ERR_INVALID,
                "the signed log has %" PRIu64 " leaves (0..%" PRIu64 "); END is at most %" PRIu64,
                cp.size, cp.size ? cp.size - 1 : 0, cp.size);
        goto fail;
    }
    n = (uint64_t)(end - start);
    if (n > SIZE_MAX / TLOG_HASH_SIZE || !(hashes = calloc((size_t)n, TLOG_HASH_SIZE)) ||
        !(bad = calloc((size_t)n, 1))) {
        err_set(&e, ERR_NOMEM, "out of memory");
        goto fail;
    }
    if (logc_fetch_leaves(&c, (uint64_t)start, (uint64_t)end, &rows, hashes, &e) ||
        logc_check_leaves(&c, &cp, (uint64_t)start, (uint64_t)end,
                          (const unsigned char(*)[TLOG_HASH_SIZE])hashes, bad, &nbad, &e))
        goto fail;
    logc_hash_encode(cp.root, r64);
    if (cli_flag(ctx, "json")) {
        json_t *o, *arr = json_array();
        for (uint64_t k = 0; arr && k < n; k++)
            if (bad[k])
                json_array_append_new(arr, json_integer((json_int_t)(start + (long long)k)));
        o = json_pack("{s:O,s:{s:I,s:s},s:o,s:b}", "leaves", rows, "checkpoint", "size",
                      (json_int_t)cp.size, "root", r64, "not_in_signed_log", arr, "verified",
                      nbad == 0);
        json_dumpf(o, ctx->out, JSON_INDENT(2) | JSON_SORT_KEYS);
        fputc('\n', ctx->out);
        json_decref(o);
    } else {
        json_array_foreach(rows, i, row)
        {
            const char *data = json_string_value(json_object_get(row, "data"));
            json_t *leaf = NULL;
            char idx[24], at[40], what[96], check[ERR_MSG_MAX];
            struct err why;
            err_init(&why);
            int shape = logc_leaf_check(data, strlen(data), &leaf, &why);
            snprintf(idx, sizeof idx, "%lld", start + (long long)i);
            if (bad[i])
                snprintf(check, sizeof check, "NOT IN THE SIGNED LOG");
            else if (shape == 0)
                snprintf(check, sizeof check, "ok");
            else
                snprintf(check, sizeof check, "MALFORMED: %.200s", why.msg);
            leaf_summary(leaf, what, sizeof what);
            const char *cells[] = {idx, out_time(out_jstr(leaf, "at"), at, sizeof at),
                                   out_jstr(leaf, "memo"), what, check};
            out_table_add(&t, cells);
            json_decref(leaf);
        }
        out_table_print(&t, ctx->out);
        if (nbad == 0)
            fprintf(ctx->out,
                    "\nleaves %lld..%lld checked against the signed checkpoint of %s (%" PRIu64
                    " leaves, root %s)\n",
                    start, end - 1, cp.origin, cp.size, r64);
    }
    if (nbad > 0) {
        /* which leaves: the first few by index */
        char list[200] = "";
        size_t used = 0, shown = 0;
        for (uint64_t k = 0; k < n && shown < 8; k++) {
            int w;
            if (!bad[k])
                continue;
            w = snprintf(list + used, sizeof list - used, "%s%lld", shown ? ", " : "",
                         start + (long long)k);
            if (w < 0 || (size_t)w >= sizeof list - used)
                break;
            used += (size_t)w;
            shown++;
        }
        err_set(&e, ERR_CRYPTO,
                "LOG INCONSISTENT: %s %s%s %s not match the signed log of %" PRIu64
                " leaves (root %s): the server's leaf data or proofs do not hash to its signed "
                "root",
                nbad > 1 ? "leaves" : "leaf", list, nbad > shown ? ", …" : "",
                nbad > 1 ? "do" : "does", cp.size, r64);
        goto fail;
    }
    status = CLI_OK;
    goto out;
fail:
    status = cli_fail(ctx, &e);
out:
    out_table_release(&t);
    json_decref(rows);
    free(hashes);
    free(bad);
    client_release(&c);
    return status;
}

/* ---- dissent log proof INDEX ------------------------------------------- */

int cmd_log_proof(struct cli_ctx *ctx)
{
    int status = CLI_FAIL;
    struct err e, why;
    struct client c;
    struct tlog_verifier v;
    struct tlog_checkpoint cp;
    struct tlog_proof p;
    long long index;
    json_t *rows = NULL;
    unsigned char h[1][TLOG_HASH_SIZE];
    char r64[48], l64[48];

    err_init(&e);
    err_init(&why);
    client_init(&c);
    if (cli_arg_i64(ctx->args[0], "INDEX", 0, INT64_MAX - 1, &index, &e)) {
        status = cli_usage_error(ctx, "%s", e.msg);
        goto out;
    }
    if (cmd_log_client(ctx, &c, &e) || cmd_log_trusted_key(ctx, &c, &v, &e) ||
        cmd_log_checked_checkpoint(&c, &v, &cp, &e))
        goto fail;
    if ((uint64_t)index >= cp.size) {
        err_set(&e, ERR_INVALID,
                "the log has %" PRIu64 " leaves (0..%" PRIu64 "); there is no leaf %lld", cp.size,
                cp.size ? cp.size - 1 : 0, index);
        goto fail;
    }
    if (logc_fetch_leaves(&c, (uint64_t)index, (uint64_t)index + 1, &rows, h, &e) ||
        logc_fetch_inclusion(&c, (uint64_t)index, cp.size, &p, &e))
        goto fail;
    if (logc_verify_inclusion((uint64_t)index, cp.size, h[0], &p, cp.root, &why)) {
        err_set(&e, ERR_CRYPTO, "leaf %lld is NOT in the signed tree of %" PRIu64 " leaves: %s",
                index, cp.size, why.msg);
        goto fail;
    }
    logc_hash_encode(cp.root, r64);
    logc_hash_encode(h[0], l64);
    if (cli_flag(ctx, "json")) {
        json_t *arr = json_array(), *o;
        for (size_t i = 0; arr && i < p.len; i++) {
            char p64[48];
            logc_hash_encode(p.hash[i], p64);
            json_array_append_new(arr, json_string(p64));
        }
        o = json_pack("{s:I,s:I,s:s,s:s,s:O,s:o,s:b}", "index", (json_int_t)index, "size",
                      (json_int_t)cp.size, "root", r64, "leaf_hash", l64, "data",
                      json_object_get(json_array_get(rows, 0), "data"), "proof", arr, "verified",
                      1);
        json_dumpf(o, ctx->out, JSON_INDENT(2) | JSON_SORT_KEYS);
        fputc('\n', ctx->out);
        json_decref(o);
    } else {
        fprintf(ctx->out,
                "leaf %lld is in the log %s of %" PRIu64 " leaves (root %s):\n"
                "inclusion proof of %zu hashes checked against the signed checkpoint\n\n"
                "leaf hash  %s\n",
                index, cp.origin, cp.size, r64, p.len, l64);
        for (size_t i = 0; i < p.len; i++) {
            char p64[48];
            logc_hash_encode(p.hash[i], p64);
            fprintf(ctx->out, "proof[%zu]%s %s\n", i, i < 10 ? " " : "", p64);
        }
        fputs("data       ", ctx->out);
        out_text(ctx->out, json_string_value(json_object_get(json_array_get(rows, 0), "data")));
        fputc('\n', ctx->out);
    }
    status = CLI_OK;
    goto out;
fail:
    status = cli_fail(ctx, &e);
out:
    json_decref(rows);
    client_release(&c);
    return status;
}

/* ---- dissent log evidence FILE [--check] -------------------------------- */

/* Prints who signed note k of the evidence: the log, and witnesses
 * (verified when the reader's witness policy names them). */
static void print_signers(FILE *f, const struct evidence_verdict *vd, size_t k)
{
    for (size_t i = 0; i < vd->nsigners[k]; i++) {
        const struct evidence_signer *s = &vd->signers[k][i];
        char at[24] = "";
        if (s->witness && s->time <= (uint64_t)INT64_MAX)
            time_format_utc(at, (int64_t)s->time);
        fprintf(f, "             signed by %s (key id %s)%s%s\n", s->name, s->key_id,
                s->witness ? ": a cosignature of a witness of your policy, verified, made " : "",
                at);
    }
}

int cmd_log_evidence(struct cli_ctx *ctx)
{
    int status = CLI_FAIL;
    struct err e;
    json_t *ev = NULL;
    struct evidence_verdict vd;
    struct tlog_policy policy;
    size_t both = 0;
    char ra[48], rb[48];
    const char *path = ctx->args[0];

    err_init(&e);
    if (evidence_load(path, &ev, &e) != 0)
        goto fail;
    if (evidence_check(ev, &vd, &e) != 0) {
        char why[ERR_MSG_MAX];
        memcpy(why, e.msg, sizeof why);
        err_set(&e, ERR_INVALID, "%s is not valid evidence: %s", path, why);
        goto fail;
    }
    /* the reader's witnesses, if any: which of them cosigned which note */
    if (loghist_policy_load(&policy, &e) != 0)
        goto fail;
    both = evidence_witnesses(ev, &policy, &vd);
    logc_hash_encode(vd.a.root, ra);
    logc_hash_encode(vd.b.root, rb);
    if (cli_flag(ctx, "json")) {
        json_t *o = json_pack("{s:b,s:b,s:s,s:s,s:s,s:{s:I,s:s},s:{s:I,s:s},s:s,s:I}", "valid", 1,
                              "conclusive", vd.conclusive, "kind", vd.kind, "origin", vd.a.origin,
                              "log_key", vd.log_key, "a", "size", (json_int_t)vd.a.size, "root", ra,
                              "b", "size", (json_int_t)vd.b.size, "root", rb, "shows", vd.why,
                              "witnesses_cosigned_both", (json_int_t)both);
        for (size_t k = 0; o && k < 2; k++) {
            json_t *list = json_array();
            for (size_t i = 0; list && i < vd.nsigners[k]; i++)
                json_array_append_new(
                    list, json_pack("{s:s,s:s,s:b}", "name", vd.signers[k][i].name, "key_id",
                                    vd.signers[k][i].key_id, "witness", vd.signers[k][i].witness));
            json_object_set_new(json_object_get(o, k ? "b" : "a"), "signers", list);
        }
        json_dumpf(o, ctx->out, JSON_INDENT(2) | JSON_SORT_KEYS);
        fputc('\n', ctx->out);
        json_decref(o);
    } else {
        const json_t *notes = json_object_get(ev, "notes");
        fprintf(ctx->out, "%s: %s\n", vd.conclusive ? "PROVEN" : "NOT CONCLUSIVE ALONE",
                vd.conclusive ? "the log forked or rewrote its history"
                              : "the log's own consistency proof fails");
        fprintf(ctx->out, "log        %s\nkey        %s\nkind       %s\n", vd.a.origin, vd.log_key,
                vd.kind);
        fprintf(ctx->out, "note A     size %" PRIu64 ", root %s\n", vd.a.size, ra);
        print_signers(ctx->out, &vd, 0);
        fprintf(ctx->out, "note B     size %" PRIu64 ", root %s\n", vd.b.size, rb);
        print_signers(ctx->out, &vd, 1);
        if (both)
            fprintf(ctx->out,
                    "witnesses  %zu witness(es) of your policy cosigned both notes: they vouched "
                    "for two views that contradict each other\n",
                    both);
        fputs("shows      ", ctx->out);
        out_text(ctx->out, vd.why);
        fputc('\n', ctx->out);
        if (!cli_flag(ctx, "check")) {
            fputs("\n", ctx->out);
            out_text(ctx->out, json_string_value(json_array_get(notes, 0)));
            fputs("\n", ctx->out);
            out_text(ctx->out, json_string_value(json_array_get(notes, 1)));
        }
    }
    status = CLI_OK;
    goto out;
fail:
    status = cli_fail(ctx, &e);
out:
    json_decref(ev);
    return status;
}
