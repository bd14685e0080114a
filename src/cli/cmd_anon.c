/* cmd_anon.c — anonymous co-signatures from the command line:
 * `dissent sign --anonymous ID`, `dissent unsign --anonymous ID` and
 * `dissent verify-signatures ID` (client/anon.h does the protocol work).
 *
 * The anonymous requests go through a client that never sends the session
 * token (client_set_anonymous), optionally through a proxy (--proxy). The
 * proof is made locally; the secret key never leaves this process. */
#include "cli/commands.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"
#include "cli/cli.h"
#include "cli/input.h"
#include "cli/out.h"
#include "cli/remote.h"
#include "client/anon.h"
#include "client/keystore.h"
#include "tlog/checkpoint.h"
#include "client/receipts.h"
#include "client/ringcheck.h"

/* ---- a progress line on a terminal while proving ---- */

struct progress {
    FILE *f;
    int on; /* a thread is running */
    size_t count;
    struct timespec t0;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done;
};

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void *progress_main(void *arg)
{
    struct progress *p = arg;
    static const char spin[] = "|/-\\";
    unsigned k = 0;
    pthread_mutex_lock(&p->mu);
    while (!p->done) {
        struct timespec until;
        fprintf(p->f, "\rproving with a ring of %zu keys %c %.1f s", p->count, spin[k++ % 4],
                seconds_since(&p->t0));
        fflush(p->f);
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 100000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&p->cv, &p->mu, &until);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Starts a progress line on f when f is a terminal. */
static void progress_start(struct progress *p, FILE *f, size_t count)
{
    memset(p, 0, sizeof *p);
    p->f = f;
    p->count = count;
    clock_gettime(CLOCK_MONOTONIC, &p->t0);
    if (fileno(f) < 0 || !isatty(fileno(f)))
        return;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->on = pthread_create(&p->th, NULL, progress_main, p) == 0;
    if (!p->on) {
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->cv);
    }
}

/* Ends the line with "done in X s" (or "failed"). */
static void progress_stop(struct progress *p, int ok)
{
    if (!p->on)
        return;
    pthread_mutex_lock(&p->mu);
    p->done = 1;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->th, NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    fprintf(p->f, "\rproving with a ring of %zu keys… %s in %.2f s\n", p->count,
            ok ? "done" : "failed", seconds_since(&p->t0));
    fflush(p->f);
}

/* ---- requests without a session ---- */

int cmd_anon_client(const struct cli_ctx *ctx, struct client *c, struct err *e)
{
    int have_token = 0;
    const char *proxy = cli_opt(ctx, "proxy");
    if (remote_client(ctx, c, &have_token, e))
        return -1;
    client_set_anonymous(c);
    if (proxy && client_set_proxy(c, proxy, e))
        return -1;
    return 0;
}

/* GETs /api/v1/<prefix>/<id> without a session into r. */
static int anon_get(struct client *c, const char *prefix, const char *id, struct client_reply *r,
                    struct err *e)
{
    struct buf path;
    int rc;
    if (remote_path(&path, prefix, id, "", e))
        return -1;
    rc = client_request(c, "GET", buf_str(&path), NULL, r, e);
    buf_release(&path);
    if (rc == 0 && !json_is_object(r->json))
        rc = err_set(e, ERR_IO, "the server's reply to GET %s is not a JSON object", prefix);
    return rc;
}

/* ---- the rings, checked against the log ---- */

/* What a receipt check needs from the log rings_check read. */
struct receipt_ctx {
    json_t *leaves; /* verified against a checkpoint of the pinned key */
    unsigned char pk[32];
};

/* Checks the kept receipts of c's server (memo's only, unless NULL) against
 * rcx's log, saves their new states and prints every broken promise to
 * ctx->err. *arr (may be NULL) receives the receipts. Returns 0 or -1 (the
 * file could not be read or written); t says what was found. */
static int receipts_run(struct cli_ctx *ctx, const struct client *c, const char *memo,
                        const struct receipt_ctx *rcx, json_t **arr, struct receipts_tally *t,
                        struct err *e)
{
    char path[1024];
    json_t *all = NULL;
    int rc = -1;
    memset(t, 0, sizeof *t);
    if (receipts_path(path, sizeof path, e) || receipts_load(path, &all, e))
        goto out;
    receipts_check(all, c->server, memo, rcx->leaves, rcx->pk, now_utc(), ctx->err, t);
    if (t->total && receipts_save(path, all, e))
        goto out;
    if (arr) {
        *arr = all;
        all = NULL;
    }
    rc = 0;
out:
    json_decref(all);
    return rc;
}

/* GET /api/v1/log/key, the answer unused: every anonymous flow asks it
 * (cmd_anon_trusted_key), whatever key it trusts. */
static int cmd_anon_ask_key(struct client *c, struct err *e)
{
    struct tlog_verifier served;
    char key[TLOG_VERIFIER_KEY_MAX], first[TLOG_VERIFIER_KEY_MAX];
    return logc_fetch_key_first(c, &served, key, first, e);
}

/* Fetches the log as of a checkpoint signed by the pinned key (--log-key,
 * the pin of c's server, or --log-state's key and tree) and checks pub's
 * rings and versions against it (client/ringcheck.h). *sets and *problems
 * are new arrays; *size the checkpoint's size. Returns 0 (the check ran;
 * problems says the result) or -1 with e (the log could not be read or
 * contradicts its own checkpoint). */
static int rings_check(struct cli_ctx *ctx, struct client *c, const json_t *pub, json_t **sets,
                       json_t **problems, uint64_t *size, struct receipt_ctx *rcx, struct err *e)
{
    int rc = -1, found = 0;
    const char *state_path = cli_opt(ctx, "log-state");
    struct logc_state *st = NULL;
    struct tlog_verifier v;
    json_t *leaves = NULL;

    *sets = NULL;
    *problems = json_array();
    if (!*problems) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (state_path) {
        st = calloc(1, sizeof *st);
        if (!st) {
            err_set(e, ERR_NOMEM, "out of memory");
            goto out;
        }
        if (logc_state_load(state_path, st, &found, e))
            goto out;
        if (!found) {
            err_set(e, ERR_NOT_FOUND, "%s: no monitor state (run 'dissent log monitor' first)",
                    state_path);
            goto out;
        }
        v = st->verifier;
        /* asked anyway, as without --log-state: the same requests */
        if (cmd_anon_ask_key(c, e))
            goto out;
    } else if (cmd_anon_trusted_key(ctx, c, &v, e)) {
        goto out;
    }
    if (ringck_fetch_log(c, &v, st, &leaves, size, e) ||
        ringck_check(pub, leaves, *problems, sets, e))
        goto out;
    if (rcx) {
        rcx->leaves = json_incref(leaves);
        memcpy(rcx->pk, v.pk, sizeof rcx->pk);
    }
    rc = 0;
out:
    if (rc) {
        json_decref(*problems);
        *problems = NULL;
    }
    free(st);
    json_decref(leaves);
    return rc;
}

/* The smallest anonymity set to sign in: --min-ring (else RINGCK_MIN_DEFAULT),
 * raised to the channel's published min_ring: the server may raise the bar,
 * never lower it. */
static int min_ring(struct cli_ctx *ctx, const json_t *pub, long long *out, struct err *e)
{
    const char *opt = cli_opt(ctx, "min-ring");
    json_int_t pubmin = json_integer_value(json_object_get(pub, "min_ring"));
    *out = RINGCK_MIN_DEFAULT;
    if (opt && cli_arg_i64(opt, "--min-ring", 2, RING_MAX_MEMBERS, out, e))
        return -1;
    if (pubmin > *out && pubmin <= RING_MAX_MEMBERS)
        *out = pubmin;
    return 0;
}

/* ---- sign --anonymous / unsign --anonymous ---- */

static void print_result(struct cli_ctx *ctx, const json_t *reply, const struct anon_choice *ch,
                         int version)
{
    const json_t *res = json_array_get(json_object_get(reply, "results"), 0);
    const char *status = out_jstr(res, "status") ? out_jstr(res, "status") : "?";
    fputs("anonymous signature ", ctx->out);
    out_text(ctx->out, status);
    if (strcmp(status, "withdrawn") != 0)
        fprintf(ctx->out, ": version %d", version);
    fputs(" of memo ", ctx->out);
    out_text(ctx->out, ctx->args[0]);
    fprintf(ctx->out, " (ring %d of ", ch->ring);
    if (anon_is_coalition(ch->organization))
        fputs("the coalition, counted in the total only", ctx->out);
    else
        out_text(ctx->out, ch->organization);
    fprintf(ctx->out, ", %zu keys)\ntag: ", ch->count);
    out_text(ctx->out, out_jstr(res, "tag") ? out_jstr(res, "tag") : "?");
    fputs("\npublished in the batch of ", ctx->out);
    out_text(ctx->out, out_jstr(res, "publish_by") ? out_jstr(res, "publish_by") : "?");
    fputs(" (signed receipt kept; 'dissent receipts check' checks the promise)\n", ctx->out);
}

/* Tries before giving up when the server says it is busy (429), and the
 * first wait; each wait doubles. The proof stays good while it is not
 * accepted (its sequence number has not moved), so it is sent again as is. */
#define ANON_POST_TRIES   5
#define ANON_FIRST_WAIT_S 2

/* POSTs body to path; on 429 waits (saying why and for how long) and tries
 * again, up to ANON_POST_TRIES times. */
static int post_with_backoff(struct cli_ctx *ctx, struct client *c, const char *path,
                             const json_t *body, struct client_reply *res, struct err *e)
{
    unsigned wait = ANON_FIRST_WAIT_S;
    for (int attempt = 1;; attempt++) {
        if (client_request(c, "POST", path, body, res, e) == 0)
            return 0;
        if (e->code != ERR_RATE || attempt >= ANON_POST_TRIES)
            return -1;
        fprintf(ctx->err, "dissent: the server is busy (429: ");
        out_text(ctx->err, e->msg);
        fprintf(ctx->err, "); waiting %u s before trying again (attempt %d of %d)\n", wait,
                attempt + 1, ANON_POST_TRIES);
        fflush(ctx->err);
        sleep(wait);
        wait *= 2;
        client_reply_release(res);
        client_reply_init(res);
        err_init(e);
    }
}

/* The distinct keys of the ring ch chose, as ringck_check counted them. */
static size_t set_members(const json_t *sets, const struct anon_choice *ch)
{
    size_t i;
    json_t *r;
    json_array_foreach(sets, i, r)
    {
        const char *org = json_string_value(json_object_get(r, "organization"));
        if (org && strcmp(org, ch->organization) == 0 &&
            json_integer_value(json_object_get(r, "ring")) == ch->ring)
            return (size_t)json_integer_value(json_object_get(r, "members"));
    }
    return 0;
}

/* Says the verified anonymity set of the ring ch chose — "you are one of N
 * enrolled members of ORG" (or "of the coalition") — and refuses (ERR_STATE)
 * below minimum. */
static int anonymity_set(struct cli_ctx *ctx, const json_t *sets, const struct anon_choice *ch,
                         uint64_t log_size, long long minimum, struct err *e)
{
    size_t members = set_members(sets, ch);
    fprintf(ctx->err, "dissent: you are one of %zu enrolled members of ", members);
    if (anon_is_coalition(ch->organization))
        fputs("the coalition (every organization)", ctx->err);
    else
        out_text(ctx->err, ch->organization);
    fprintf(ctx->err, " (ring %d, checked against the transparency log at size %llu)\n", ch->ring,
            (unsigned long long)log_size);
    if (members < 2 || (long long)members < minimum)
        return err_set(e, ERR_STATE,
                       "ring %d of '%s' hides you among %zu members only, fewer than %lld: an "
                       "anonymous signature would be too easy to attribute (sign by name, wait for "
                       "more members to enroll and ask a drafter to refresh the rings, or lower "
                       "the bar with --min-ring)",
                       ch->ring, ch->organization, members, minimum);
    return 0;
}

static int anon_sign(struct cli_ctx *ctx, int withdraw)
{
    int status = CLI_FAIL, number = 0, proved;
    struct err e;
    struct client c;
    struct client_reply pub, res;
    struct anon_choice ch;
    struct progress prog;
    struct ring_keys *ring = NULL;
    struct buf path;
    char key_path[KEYSTORE_PATH_MAX], pass[INPUT_SECRET_MAX], tag_hex[65];
    const char *vopt = withdraw ? NULL : cli_opt(ctx, "version");
    const char *ropt = cli_opt(ctx, "ring");
    int coalition = 0, fallback = 0, switched = 0;
    struct err why;
    const char *hash = NULL, *memo;
    const json_t *mine;
    uint8_t sk[32], pk[32], pk2[32], tag[32];
    char *proof = NULL;
    long long want = 0, minimum = 0;
    int64_t seq = 0;
    json_t *body = NULL, *sets = NULL, *problems = NULL, *receipts = NULL;
    uint64_t log_size = 0;
    struct receipt_ctx rcx = {0};
    struct receipts_tally tally;

    err_init(&e);
    err_init(&why);
    client_init(&c);
    client_reply_init(&pub);
    client_reply_init(&res);
    buf_init(&path, 4096);
    pass[0] = '\0';
    sodium_memzero(sk, sizeof sk);
    if (vopt && cli_arg_i64(vopt, "--version", 1, 1000000, &want, &e) != 0)
        return cli_usage_error(ctx, "%s", e.msg);
    if (cmd_key_path(ctx, key_path, sizeof key_path, &e) || keystore_public(key_path, pk, &e) ||
        cmd_anon_client(ctx, &c, &e) || anon_get(&c, "public/memos", ctx->args[0], &pub, &e))
        goto out;
    memo = out_jstr(pub.json, "memo");
    if (!memo || strcmp(memo, ctx->args[0]) != 0) {
        err_set(&e, ERR_IO, "the server answered for another memo than '%.40s'", ctx->args[0]);
        goto out;
    }
    if (ropt && strcmp(ropt, "coalition") != 0 && strcmp(ropt, "organization") != 0)
        return cli_usage_error(ctx, "--ring is 'organization' or 'coalition', not '%.40s'", ropt);
    coalition = ropt && strcmp(ropt, "coalition") == 0;
    /* Without --ring: the organization's ring, else (to move or withdraw a
     * signature made there) the coalition's; which one is settled once the
     * tag is known. */
    if (anon_find_ring_kind(pub.json, pk, coalition, &ch, &e)) {
        if (ropt)
            goto out;
        why = e; /* said unless a coalition signature is to be moved or withdrawn */
        err_init(&e);
        if (anon_find_ring_kind(pub.json, pk, 1, &ch, &e)) {
            e = why;
            goto out;
        }
        coalition = 1;
        fallback = 1;
    }
    if (!withdraw && anon_find_version(pub.json, (int)want, &number, &hash, &e))
        goto out;
    if (min_ring(ctx, pub.json, &minimum, &e))
        goto out;
    if (rings_check(ctx, &c, pub.json, &sets, &problems, &log_size, &rcx, &e))
        goto out;
    /* The promises of earlier receipts on this memo, checked on the way
     * (a broken one is reported loudly; signing again is the remedy). */
    if (receipts_run(ctx, &c, memo, &rcx, &receipts, &tally, &e))
        goto out;
    if (tally.broken || tally.invalid)
        fprintf(ctx->err,
                "dissent: WARNING: this server broke %zu promise(s) to include your anonymous "
                "actions on memo %s (above); keep the receipts as evidence\n",
                tally.broken + tally.invalid, memo);
    if (json_array_size(problems) > 0) {
        size_t i;
        json_t *p;
        json_array_foreach(problems, i, p)
        {
            fputs("dissent: ", ctx->err);
            out_text(ctx->err, json_string_value(p));
            fputc('\n', ctx->err);
        }
        err_set(&e, ERR_CRYPTO,
                "the server's rings for memo %s do not match its transparency log (above): "
                "nothing was proved or sent",
                memo);
        goto out;
    }
    /* Said (and a small set refused) before the passphrase is asked, unless
     * which ring is used depends on the tag (fallback: said below). */
    if (!fallback && anonymity_set(ctx, sets, &ch, log_size, minimum, &e))
        goto out;
    if (cmd_key_passphrase(ctx, 0, pass, sizeof pass, &e) ||
        keystore_open(key_path, pass, strlen(pass), sk, pk2, &e) ||
        anon_tag(pub.json, sk, tag_hex, &e))
        goto out;
    sodium_memzero(pass, sizeof pass);
    mine = anon_signature_by_tag(pub.json, tag_hex);
    {
        /* An action accepted but not yet published (its batch is due)
         * decides, not the public facts. */
        const json_t *last = receipts_latest_pending(receipts, c.server, memo, tag_hex);
        const char *act = last ? json_string_value(json_object_get(last, "action")) : NULL;
        if (last)
            mine = act && strcmp(act, "withdrawn") == 0 ? NULL : last;
    }
    if (withdraw && !mine) {
        err_set(&e, ERR_NOT_FOUND, "you have no anonymous signature on memo %s to withdraw", memo);
        goto out;
    }
    /* One signature per member per memo, on one kind of ring: a signature
     * is moved or withdrawn where it was made (the server refuses the
     * other kind too, after proving; this says so before). */
    if (mine) {
        int there = anon_is_coalition(out_jstr(mine, "organization"));
        if (ropt && there != coalition) {
            err_set(&e, ERR_CONFLICT,
                    "you signed memo %s in %s ring: one signature per member per memo; move or "
                    "withdraw it there (--ring %s), or withdraw it first: nothing was proved or "
                    "sent",
                    memo, there ? "the coalition" : "your organization's",
                    there ? "coalition" : "organization");
            goto out;
        }
        if (there != coalition) {
            coalition = there;
            switched = 1;
            if (anon_find_ring_kind(pub.json, pk, coalition, &ch, &e))
                goto out;
        }
    } else if (fallback) {
        /* a new signature in the coalition is the signer's choice, never a
         * default: it is counted for no organization */
        err_set(&e, ERR_NOT_FOUND, "%s", why.msg);
        goto out;
    } else if (anon_next_seq(pub.json, tag_hex) > 0) {
        fputs("dissent: note: your tag acted on this memo before; the log's earlier leaves name "
              "the ring it used then, and link them to this signature\n",
              ctx->err);
    }
    if ((switched || fallback) && anonymity_set(ctx, sets, &ch, log_size, minimum, &e))
        goto out;
    if (anon_ring_build(ch.ring_obj, &ring, &e))
        goto out;
    progress_start(&prog, ctx->err, ch.count);
    /* The tag's sequence number as published: the proof is good for this
     * one next action only (protocol v2). */
    seq = anon_next_seq(pub.json, tag_hex);
    /* An action accepted but not yet published: its receipt knows the
     * sequence number (the public facts show only published ones). */
    if (receipts_next_seq(receipts, c.server, memo, tag_hex) > seq)
        seq = receipts_next_seq(receipts, c.server, memo, tag_hex);
    proved = anon_prove(pub.json, ring, &ch, sk, seq, number, hash, &proof, tag, &e) == 0;
    progress_stop(&prog, proved);
    sodium_memzero(sk, sizeof sk);
    if (!proved)
        goto out;
    body = anon_request(withdraw ? 0 : number, seq, &ch, proof);
    if (!body) {
        err_set(&e, ERR_NOMEM, "out of memory");
        goto out;
    }
    buf_release(&path);
    if (remote_path(&path, "anonymous/memos", memo, "/signatures", &e) ||
        post_with_backoff(ctx, &c, buf_str(&path), body, &res, &e))
        goto out;
    {
        /* Keep the signed receipt: the promise checked later. */
        char rpath[1024];
        size_t missing = 0;
        if (receipts_add(receipts, c.server, res.json, &missing, &e) ||
            receipts_path(rpath, sizeof rpath, &e) || receipts_save(rpath, receipts, &e))
            goto out;
        if (missing)
            fprintf(ctx->err,
                    "dissent: WARNING: the server accepted the signature but sent no signed "
                    "receipt: nothing holds it to publishing it (protocol v2 servers do)\n");
    }
    if (cli_flag(ctx, "json")) {
        fwrite(buf_str(&res.raw), 1, res.raw.len, ctx->out);
        fputc('\n', ctx->out);
    } else {
        print_result(ctx, res.json, &ch, number);
    }
    status = CLI_OK;
out:
    if (status != CLI_OK)
        cli_fail(ctx, &e);
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(pass, sizeof pass);
    anon_ring_free(ring);
    free(proof);
    json_decref(body);
    json_decref(sets);
    json_decref(problems);
    json_decref(receipts);
    json_decref(rcx.leaves);
    buf_release(&path);
    client_reply_release(&pub);
    client_reply_release(&res);
    client_release(&c);
    return status;
}

/* --key, --passphrase-file and --proxy only go with --anonymous. */
static int named_only(struct cli_ctx *ctx)
{
    static const char *const anon_only[] = {"key", "passphrase-file", "proxy"};
    for (size_t i = 0; i < ARRAY_LEN(anon_only); i++)
        if (cli_opt(ctx, anon_only[i]))
            return cli_usage_error(ctx, "--%s goes with --anonymous", anon_only[i]);
    return CLI_OK;
}

int cmd_sign_any(struct cli_ctx *ctx)
{
    int rc;
    if (cli_flag(ctx, "anonymous"))
        return anon_sign(ctx, 0);
    rc = named_only(ctx);
    return rc == CLI_OK ? cmd_sign(ctx) : rc;
}

int cmd_unsign_any(struct cli_ctx *ctx)
{
    int rc;
    if (cli_flag(ctx, "anonymous"))
        return anon_sign(ctx, 1);
    rc = named_only(ctx);
    return rc == CLI_OK ? cmd_unsign(ctx) : rc;
}

/* ---- verify-signatures ---- */

static void print_rows(FILE *f, const char *label, const json_t *rows, const char *key,
                       const char *prefix)
{
    size_t i;
    json_t *r;
    char v[64], n[32];
    fprintf(f, "%-18s", label);
    if (json_array_size(rows) == 0)
        fputs(" (none)", f);
    json_array_foreach(rows, i, r)
    {
        fprintf(f, "%s %s", i ? "," : "", prefix);
        out_text(f, out_jtext(r, key, v, sizeof v));
        fprintf(f, ": %s", out_jtext(r, "count", n, sizeof n));
    }
    fputc('\n', f);
}

/* A ring's owner as a reader says it: the slug, or "coalition". */
static const char *ring_owner(const json_t *r)
{
    const char *org = out_jstr(r, "organization");
    return !org ? "?" : anon_is_coalition(org) ? "coalition" : org;
}

static void print_report(FILE *f, const json_t *rep)
{
    const json_t *counts = json_object_get(rep, "counts");
    const json_t *log = json_object_get(rep, "log");
    size_t i;
    json_t *r;
    char a[32], b[32];
    fputs("memo ", f);
    out_text(f, out_jstr(rep, "memo"));
    fprintf(f, ": %s anonymous signatures published, %s verify\n",
            out_jtext(rep, "signatures", a, sizeof a), out_jtext(rep, "verified", b, sizeof b));
    fputs("rings:            ", f);
    if (json_array_size(json_object_get(rep, "rings")) == 0)
        fputs(" (none)", f);
    json_array_foreach(json_object_get(rep, "rings"), i, r)
    {
        fputs(i ? ", " : " ", f);
        out_text(f, ring_owner(r));
        fprintf(f, " #%s (%s keys)", out_jtext(r, "ring", a, sizeof a),
                out_jtext(r, "count", b, sizeof b));
    }
    fputc('\n', f);
    if (json_array_size(json_object_get(rep, "pre_v2")))
        fprintf(f,
                "made before v2:    %zu (they verify only with protocol v1's bytes: shown, not "
                "counted, here as by the server; their signers can sign again under v2)\n",
                json_array_size(json_object_get(rep, "pre_v2")));
    print_rows(f, "per version:", json_object_get(counts, "by_version"), "version", "v");
    print_rows(f, "per organization:", json_object_get(counts, "by_organization"), "organization",
               "");
    {
        /* coalition signatures: in the total, in no organization */
        json_int_t in_orgs = 0;
        json_array_foreach(json_object_get(counts, "by_organization"), i, r) in_orgs +=
            json_integer_value(json_object_get(r, "count"));
        fprintf(f, "in the coalition:  %lld (counted in the total only)\n",
                (long long)(json_integer_value(json_object_get(counts, "total")) - in_orgs));
    }
    if (log) {
        fprintf(f, "transparency log:  checked at size %s; anonymity sets:",
                out_jtext(log, "size", a, sizeof a));
        json_array_foreach(json_object_get(log, "anonymity_sets"), i, r)
        {
            fputs(i ? ", " : " ", f);
            out_text(f, ring_owner(r));
            fprintf(f, " #%s: %s members%s", out_jtext(r, "ring", a, sizeof a),
                    out_jtext(r, "members", b, sizeof b),
                    json_is_true(json_object_get(r, "checked")) ? "" : " (NOT the log's)");
        }
        fputc('\n', f);
    }
    if (json_is_true(json_object_get(rep, "ok"))) {
        fputs("OK: every signature verifies and the server's anonymous counts match\n", f);
        return;
    }
    json_array_foreach(json_object_get(rep, "problems"), i, r)
    {
        fputs("MISMATCH: ", f);
        out_text(f, json_string_value(r));
        fputc('\n', f);
    }
}

/* With a witness policy configured, the log these leaves come from must
 * pass the checks of every log client (cmd_log_checked_checkpoint: the
 * pinned key, the policy, the checkpoint history); a failure is a problem. */
static void check_witnessed_checkpoint(const struct cli_ctx *ctx, struct client *c, json_t *rep)
{
    struct tlog_verifier v;
    struct tlog_checkpoint cp;
    struct err le;
    err_init(&le);
    if (cmd_log_trusted_key(ctx, c, &v, &le) == 0 &&
        cmd_log_checked_checkpoint(c, &v, &cp, &le) == 0)
        return;
    char text[ERR_MSG_MAX + 64];
    snprintf(text, sizeof text, "the transparency log's checkpoint does not check out: %s", le.msg);
    json_array_append_new(json_object_get(rep, "problems"), json_string(text));
    json_object_set_new(rep, "ok", json_false());
}

int cmd_verify_signatures(struct cli_ctx *ctx)
{
    int status = CLI_FAIL;
    struct err e;
    struct client c;
    struct client_reply pub;
    json_t *rep = NULL, *sets = NULL, *problems = NULL;
    const char *memo;
    uint64_t size = 0;
    struct receipt_ctx rcx = {0};
    struct receipts_tally tally;

    err_init(&e);
    client_init(&c);
    client_reply_init(&pub);
    if (cmd_anon_client(ctx, &c, &e) || anon_get(&c, "public/memos", ctx->args[0], &pub, &e))
        goto fail;
    memo = out_jstr(pub.json, "memo");
    if (!memo || strcmp(memo, ctx->args[0]) != 0) {
        err_set(&e, ERR_IO, "the server answered for another memo than '%.40s'", ctx->args[0]);
        goto fail;
    }
    if (anon_verify_public(pub.json, &rep, &e))
        goto fail;
    if (!cli_flag(ctx, "no-log")) {
        if (rings_check(ctx, &c, pub.json, &sets, &problems, &size, &rcx, &e) ||
            receipts_run(ctx, &c, memo, &rcx, NULL, &tally, &e))
            goto fail;
        if (tally.broken || tally.invalid)
            json_array_append_new(json_object_get(rep, "problems"),
                                  json_pack("s", "BROKEN PROMISE: the server did not publish an "
                                                 "anonymous action it signed a receipt for "
                                                 "(above)"));
        json_array_extend(json_object_get(rep, "problems"), problems);
        json_object_set_new(
            rep, "log", json_pack("{s:I,s:O}", "size", (json_int_t)size, "anonymity_sets", sets));
        json_object_set_new(rep, "ok",
                            json_boolean(json_array_size(json_object_get(rep, "problems")) == 0));
        if (getenv("DISSENT_WITNESS_POLICY"))
            check_witnessed_checkpoint(ctx, &c, rep);
    }
    if (cli_flag(ctx, "json")) {
        json_dumpf(rep, ctx->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', ctx->out);
    } else {
        print_report(ctx->out, rep);
    }
    if (json_is_true(json_object_get(rep, "ok")))
        status = CLI_OK;
    else
        fputs("dissent: the anonymous signatures of this memo do not check out (see above)\n",
              ctx->err);
    if (cli_flag(ctx, "no-log"))
        fputs("dissent: warning: --no-log: the rings were NOT checked against the transparency "
              "log; a lying server could have shown any keys\n",
              ctx->err);
    goto out;
fail:
    cli_fail(ctx, &e);
out:
    json_decref(rcx.leaves);
    json_decref(rep);
    json_decref(sets);
    json_decref(problems);
    client_reply_release(&pub);
    client_release(&c);
    return status;
}

/* ---- receipts check ---- */

int cmd_receipts_check(struct cli_ctx *ctx)
{
    int status = CLI_FAIL;
    struct err e;
    struct client c;
    struct tlog_verifier v;
    struct receipt_ctx rcx = {0};
    struct receipts_tally t;
    uint64_t size = 0;

    err_init(&e);
    client_init(&c);
    if (cmd_anon_client(ctx, &c, &e) || cmd_anon_trusted_key(ctx, &c, &v, &e) ||
        ringck_fetch_log(&c, &v, NULL, &rcx.leaves, &size, &e))
        goto fail;
    memcpy(rcx.pk, v.pk, sizeof rcx.pk);
    if (receipts_run(ctx, &c, NULL, &rcx, NULL, &t, &e))
        goto fail;
    fprintf(ctx->out, "%zu receipts:", t.total);
    {
        const char *sep = " ";
        const struct {
            size_t n;
            const char *what;
        } parts[] = {{t.kept, "kept"},
                     {t.pending, "pending"},
                     {t.broken, "BROKEN"},
                     {t.invalid, "not valid"}};
        for (size_t i = 0; i < ARRAY_LEN(parts); i++)
            if (parts[i].n) {
                fprintf(ctx->out, "%s%zu %s", sep, parts[i].n, parts[i].what);
                sep = ", ";
            }
        if (t.total == 0)
            fputs(" none kept for this server", ctx->out);
    }
    fprintf(ctx->out, " (log checked at size %llu)\n", (unsigned long long)size);
    status = t.broken || t.invalid ? CLI_FAIL : CLI_OK;
    goto out;
fail:
    cli_fail(ctx, &e);
out:
    json_decref(rcx.leaves);
    client_release(&c);
    return status;
}
