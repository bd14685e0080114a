/* local.c — the commands that work on the installation itself, not through
 * a server: `dissent init`, `dissent serve`, `dissent demo`.
 *
 * Settings come from flags, then DISSENT_* environment variables, then
 * defaults: --db (DISSENT_DB, ./dissent.db), --listen (DISSENT_LISTEN,
 * 127.0.0.1:8080), --log-level (DISSENT_LOG_LEVEL, info), and serve's
 * connection limits (--max-connections and the others in local_usage; their
 * defaults are the HTTP server's). */
#include "cli/local.h"

#include "base/log.h"
#include "base/util.h"
#include "channel/chan.h"
#include "channel/notify.h"
#include "channel/roles.h"
#include "cli/input.h"
#include "cli/cli.h"
#include "cli/serve_notify.h"
#include "cli/serve_release.h"
#include "cli/serve_ticker.h"
#include "cli/serve_witness.h"
#include "http/app.h"
#include "http/pages.h"
#include "http/server.h"
#include "http/static.h"
#include "http/workers.h"
#include "ring/msm.h"
#include "store/store.h"

#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct local_opts {
    const char *db;
    const char *keys; /* NULL: beside the database */
    const char *listen;
    const char *log_level;
    const char *port_file;
    const char *admin;
    const char *password_file;
    const char *witness;        /* serve: the last --witness (all are read from argv) */
    const char *witness_policy; /* serve: K */
    const char *max_connections;
    const char *per_address;
    const char *header_timeout;
    const char *body_timeout;
    const char *http_threads;
    const char *workers;       /* serve: reader threads, each with its own connection */
    const char *group_commit;  /* serve: "on" (default) or "off" */
    const char *verify_window; /* serve: ms anonymous proofs wait for others on their ring */
    int rotate_data_key;       /* migrate: --rotate-data-key */
    int publish_now;           /* log publish-batch: --now */
    const char *batch_interval;
    const char *public_url;
    const char *trusted_proxy;
    const char *wasm;       /* serve: the browser's signing module; NULL: beside the binary */
    const char *log_origin; /* init/serve/demo: the log's origin */
    const char *static_dir;
    const char *job;       /* tick: --job NAME */
    const char *smtp;      /* serve: the mail server's URL */
    const char *mail_from; /* serve: the sender address of notification mails */
    int smtp_insecure;     /* serve: --smtp-insecure */
};

static const char local_usage[] =
    "options:\n"
    "  --db PATH            database file or postgres:// URL (env DISSENT_DB, default\n"
    "                       ./dissent.db)\n"
    "  --keys DIR           key directory, mode 0700 (env DISSENT_KEYS, else systemd's\n"
    "                       $CREDENTIALS_DIRECTORY, else beside the database: dissent.db ->\n"
    "                       dissent.keys; for postgres://, ./dissent.keys)\n"
    "  --log-origin ORIGIN  the transparency log's origin, naming the installation as a\n"
    "                       schema-less URL (C2SP tlog-checkpoint), e.g. example.gov/dissent;\n"
    "                       set when the log is made (default dissent.local/log-<random>),\n"
    "                       checked against the log's key at every start (env\n"
    "                       DISSENT_LOG_ORIGIN)\n"
    "  --listen HOST:PORT   address to serve on (env DISSENT_LISTEN, default 127.0.0.1:8080;\n"
    "                       port 0 picks a free port)\n"
    "  --log-level LEVEL    error, warn, info or debug (env DISSENT_LOG_LEVEL, default info)\n"
    "  --port-file FILE     serve: write the port actually bound to FILE\n"
    "  --public-url URL     the address people use, e.g. https://dissent.example.org (env\n"
    "                       DISSENT_PUBLIC_URL): serve adds Secure to cookies when it is\n"
    "                       https and checks Origin against it; init prints full links\n"
    "  --trusted-proxy ADDR serve: the reverse proxy's address (env DISSENT_TRUSTED_PROXY);\n"
    "                       from it, the last X-Forwarded-For entry is the client address\n"
    "                       that sign-in throttling counts\n"
    "  --static-dir DIR     serve: files served under /static/ in place of the built-in ones\n"
    "                       of the same name, or beside them (env DISSENT_STATIC_DIR); they\n"
    "                       are part of the client release logged at start\n"
    "  --admin USER         init: the first admin's username (default admin)\n"
    "  --password-file FILE init: the admin's password from FILE, or asked on the terminal\n"
    "                       with 'ask' (else a one-time setup link is printed, through\n"
    "                       which the admin chooses it)\n"
    "  --witness NAME+KEYID+KEY+URL  serve: a witness to send checkpoints to (repeatable);\n"
    "                       the checkpoint endpoint then serves only cosigned checkpoints\n"
    "  --witness-policy K   serve: cosignatures needed to publish (default: every witness)\n"
    "  --wasm FILE          serve: the browser's signing module, made by 'make wasm' (env\n"
    "                       DISSENT_WASM, default wasm/dissent-ring.wasm beside the binary);\n"
    "                       without it, anonymous signing in the browser is off\n"
    "  --smtp URL           serve: send notification mails through smtp://HOST[:PORT]\n"
    "                       (STARTTLS required) or smtps://HOST[:PORT] (env DISSENT_SMTP);\n"
    "                       credentials from smtp.credentials in the key directory, else\n"
    "                       DISSENT_SMTP_USER and DISSENT_SMTP_PASSWORD; needs --public-url\n"
    "  --mail-from ADDRESS  serve: the mails' sender (env DISSENT_MAIL_FROM; needed with --smtp)\n"
    "  --smtp-insecure      serve: allow smtp:// without TLS, to a loopback host only (tests)\n"
    "serve's connection limits (see docs/operations.md, \"Sizing\"):\n"
    "  --max-connections N  open connections at once (env DISSENT_MAX_CONNECTIONS, default 1024)\n"
    "  --per-address-connections N\n"
    "                       per client address, IPv6 per /64; 0 = no limit\n"
    "                       (env DISSENT_PER_ADDRESS_CONNECTIONS, default 128)\n"
    "  --header-timeout S   seconds for a request's headers to arrive, however slowly they\n"
    "                       trickle (env DISSENT_HEADER_TIMEOUT, default 10)\n"
    "  --body-timeout S     seconds for a request's body to arrive after its headers\n"
    "                       (env DISSENT_BODY_TIMEOUT, default 30)\n"
    "  --http-threads N     threads polling the connections (env DISSENT_HTTP_THREADS, default "
    "2)\n"
    "  --workers N          threads running reads side by side, each with its own database\n"
    "                       connection; writes have one more (env DISSENT_WORKERS, default 2)\n"
    "  --group-commit on|off  commit the writes that arrive together in one durable\n"
    "                       transaction, or each in its own (env DISSENT_GROUP_COMMIT, on)\n"
    "  --verify-window MS   anonymous proofs on one ring that arrive within MS milliseconds\n"
    "                       are verified in one batch; 0 verifies each request alone\n"
    "                       (env DISSENT_VERIFY_WINDOW, default 50)\n"
    "  --rotate-data-key    migrate: replace the data-encryption key (re-wraps each memo's key)\n"
    "  --batch-interval S   seconds between batches of anonymous signatures and roster changes\n"
    "                       (env DISSENT_BATCH_INTERVAL, default 3600; 0 publishes each at\n"
    "                       once: tests and demos only, no protection against a stopwatch)\n"
    "  --now                log publish-batch: publish everything queued, not only what is due\n"
    "  --job NAME           tick: run only this background job (default: every one)\n";

static int db_url_is_postgres(const char *url)
{
    return strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0;
}

static const char *env_or(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return v && *v ? v : dflt;
}

/* Parses --name VALUE / --name=VALUE options. Returns 0, 1 for --help, or
 * -1 after printing what was wrong. */
static int local_parse(const char *cmd, int argc, char **argv, struct local_opts *o)
{
    static const struct {
        const char *name;
        size_t off;
    } known[] = {
        {"db", offsetof(struct local_opts, db)},
        {"keys", offsetof(struct local_opts, keys)},
        {"log-origin", offsetof(struct local_opts, log_origin)},
        {"listen", offsetof(struct local_opts, listen)},
        {"log-level", offsetof(struct local_opts, log_level)},
        {"port-file", offsetof(struct local_opts, port_file)},
        {"admin", offsetof(struct local_opts, admin)},
        {"password-file", offsetof(struct local_opts, password_file)},
        {"witness", offsetof(struct local_opts, witness)},
        {"witness-policy", offsetof(struct local_opts, witness_policy)},
        {"max-connections", offsetof(struct local_opts, max_connections)},
        {"per-address-connections", offsetof(struct local_opts, per_address)},
        {"header-timeout", offsetof(struct local_opts, header_timeout)},
        {"body-timeout", offsetof(struct local_opts, body_timeout)},
        {"http-threads", offsetof(struct local_opts, http_threads)},
        {"workers", offsetof(struct local_opts, workers)},
        {"group-commit", offsetof(struct local_opts, group_commit)},
        {"verify-window", offsetof(struct local_opts, verify_window)},
        {"public-url", offsetof(struct local_opts, public_url)},
        {"trusted-proxy", offsetof(struct local_opts, trusted_proxy)},
        {"wasm", offsetof(struct local_opts, wasm)},
        {"static-dir", offsetof(struct local_opts, static_dir)},
        {"batch-interval", offsetof(struct local_opts, batch_interval)},
        {"job", offsetof(struct local_opts, job)},
        {"smtp", offsetof(struct local_opts, smtp)},
        {"mail-from", offsetof(struct local_opts, mail_from)},
    };
    /* What these commands create (database, keys, port file) is private. */
    umask(077);
    o->db = env_or("DISSENT_DB", "dissent.db");
    o->keys = env_or("DISSENT_KEYS", env_or("CREDENTIALS_DIRECTORY", NULL));
    o->log_origin = env_or("DISSENT_LOG_ORIGIN", NULL);
    o->listen = env_or("DISSENT_LISTEN", "127.0.0.1:8080");
    o->log_level = env_or("DISSENT_LOG_LEVEL", "info");
    o->port_file = NULL;
    o->admin = "admin";
    o->password_file = NULL;
    o->witness = NULL;
    o->witness_policy = NULL;
    o->max_connections = env_or("DISSENT_MAX_CONNECTIONS", NULL);
    o->per_address = env_or("DISSENT_PER_ADDRESS_CONNECTIONS", NULL);
    o->header_timeout = env_or("DISSENT_HEADER_TIMEOUT", NULL);
    o->body_timeout = env_or("DISSENT_BODY_TIMEOUT", NULL);
    o->http_threads = env_or("DISSENT_HTTP_THREADS", NULL);
    o->workers = env_or("DISSENT_WORKERS", "2");
    o->group_commit = env_or("DISSENT_GROUP_COMMIT", "on");
    o->verify_window = env_or("DISSENT_VERIFY_WINDOW", NULL);
    o->rotate_data_key = 0;
    o->publish_now = 0;
    o->batch_interval = env_or("DISSENT_BATCH_INTERVAL", NULL);
    o->job = NULL;
    o->public_url = env_or("DISSENT_PUBLIC_URL", NULL);
    o->trusted_proxy = env_or("DISSENT_TRUSTED_PROXY", NULL);
    o->wasm = env_or("DISSENT_WASM", NULL);
    o->static_dir = env_or("DISSENT_STATIC_DIR", NULL);
    o->smtp = env_or("DISSENT_SMTP", NULL);
    o->mail_from = env_or("DISSENT_MAIL_FROM", NULL);
    o->smtp_insecure = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = NULL;
        size_t n;
        int found = 0;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            printf("usage: dissent %s [options]\n%s", cmd, local_usage);
            return 1;
        }
        if (strncmp(a, "--", 2) != 0) {
            fprintf(stderr, "dissent %s: unexpected argument '%s' (see --help)\n", cmd, a);
            return -1;
        }
        if (strcmp(a, "--rotate-data-key") == 0 && strcmp(cmd, "migrate") == 0) {
            o->rotate_data_key = 1;
            continue;
        }
        if (strcmp(a, "--now") == 0 && strcmp(cmd, "log publish-batch") == 0) {
            o->publish_now = 1;
            continue;
        }
        if (strcmp(a, "--smtp-insecure") == 0 && strcmp(cmd, "serve") == 0) {
            o->smtp_insecure = 1;
            continue;
        }
        a += 2;
        n = strcspn(a, "=");
        for (size_t k = 0; k < ARRAY_LEN(known); k++) {
            if (strlen(known[k].name) == n && strncmp(known[k].name, a, n) == 0) {
                if (a[n] == '=')
                    val = a + n + 1;
                else if (i + 1 < argc)
                    val = argv[++i];
                if (!val) {
                    fprintf(stderr, "dissent %s: --%s needs a value\n", cmd, known[k].name);
                    return -1;
                }
                *(const char **)((char *)o + known[k].off) = val;
                found = 1;
            }
        }
        if (!found) {
            fprintf(stderr, "dissent %s: unknown option '--%.*s' (see --help)\n", cmd, (int)n, a);
            return -1;
        }
    }
    return 0;
}

/* Opens the channel, printing why not. */
static int open_chan(const char *cmd, const struct local_opts *o, struct chan **c)
{
    struct err e;
    enum log_level lvl;
    int64_t interval = CHAN_BATCH_INTERVAL_DEFAULT;
    err_init(&e);
    if (log_parse_level(o->log_level, &lvl)) {
        fprintf(stderr, "dissent %s: unknown log level '%s' (error, warn, info, debug)\n", cmd,
                o->log_level);
        return -1;
    }
    log_set_level(lvl);
    if (o->batch_interval &&
        parse_i64(o->batch_interval, 0, CHAN_BATCH_INTERVAL_MAX, &interval) != 0) {
        fprintf(stderr, "dissent %s: --batch-interval must be 0 to %d seconds (got '%s')\n", cmd,
                CHAN_BATCH_INTERVAL_MAX, o->batch_interval);
        return -1;
    }
    if (chan_open_origin(c, o->db, o->keys, o->log_origin, &e)) {
        fprintf(stderr, "dissent %s: %s\n", cmd, e.msg);
        return -1;
    }
    chan_batch_set_interval(*c, interval);
    return 0;
}

static int64_t member_count(struct chan *c)
{
    json_t *list = NULL;
    struct err e;
    int64_t n = -1;
    struct actor op = {.roles = CHAN_ROLE_ADMIN};
    err_init(&e);
    /* whether there is any: a page of one */
    if (chan_member_list(c, &op, NULL, 1, &list, &e) == 0)
        n = (int64_t)json_array_size(json_object_get(list, "members"));
    json_decref(list);
    return n;
}

/* Checks --public-url: "http://HOST[:PORT]" or "https://…", no path,
 * query or trailing slash (it is compared with Origin headers as is). */
static int public_url_ok(const char *u)
{
    const char *host;
    if (!u)
        return 1;
    if (strncmp(u, "https://", 8) == 0)
        host = u + 8;
    else if (strncmp(u, "http://", 7) == 0)
        host = u + 7;
    else
        return 0;
    return *host && strpbrk(host, "/?#@ \\") == NULL && strlen(u) < 256;
}

int cmd_init(int argc, char **argv)
{
    struct local_opts o;
    struct chan *c = NULL;
    struct err e;
    struct pool p;
    json_t *out = NULL;
    char pw[INPUT_SECRET_MAX] = "";
    int status = 1, r = local_parse("init", argc, argv, &o);
    struct chan_member_input in = {0};
    const char *path;

    err_init(&e);
    pool_init(&p, 1 << 20);
    if (r)
        return r > 0 ? 0 : 2;
    if (!public_url_ok(o.public_url)) {
        fprintf(stderr, "dissent init: --public-url must be http(s)://HOST[:PORT] (got '%s')\n",
                o.public_url);
        status = 2;
        goto out;
    }
    if (open_chan("init", &o, &c))
        goto out;
    if (member_count(c) > 0) {
        fprintf(stderr, "dissent init: %s is already initialized; nothing changed\n", o.db);
        goto out;
    }
    if (o.password_file && strcmp(o.password_file, "ask") == 0) {
        /* Asked on the operator's terminal, twice, without echo. */
        char again[INPUT_SECRET_MAX];
        int same = input_prompt("admin password: ", 1, pw, sizeof pw, &e) == 0 &&
                   input_prompt("the same again: ", 1, again, sizeof again, &e) == 0 &&
                   strcmp(pw, again) == 0;
        sodium_memzero(again, sizeof again);
        if (!same) {
            fprintf(stderr, "dissent init: %s\n", e.code ? e.msg : "the two passwords differ");
            goto out;
        }
    } else if (o.password_file && input_secret_file(o.password_file, pw, sizeof pw, &e)) {
        fprintf(stderr, "dissent init: %s\n", e.msg);
        goto out;
    }
    if (chan_org_create(c, NULL, "operations", "Operations", &out, &e))
        goto fail;
    json_decref(out);
    out = NULL;
    in.username = o.admin;
    in.display_name = "Administrator";
    in.org = "operations";
    in.roles = CHAN_ROLE_ADMIN;
    if (chan_member_create(c, &p, NULL, &in, &out, &e))
        goto fail;
    /* The operator, on the database file, may set the password directly. */
    if (o.password_file && chan_local_set_password(c, &p, o.admin, pw, &e))
        goto fail;
    printf("dissent: initialized %s\n", o.db);
    printf("  admin account: %s\n", o.admin);
    if (!o.password_file) {
        path = json_string_value(json_object_get(json_object_get(out, "setup"), "path"));
        printf("  setup link:    %s%s\n", o.public_url ? o.public_url : "", path ? path : "?");
        printf("  (shown once, valid 72 hours: open it%s to choose the admin's password)\n",
               o.public_url ? "" : " on the server's address, e.g. http://127.0.0.1:8080");
    }
    status = 0;
    goto out;
fail:
    fprintf(stderr, "dissent init: %s\n", e.msg);
out:
    sodium_memzero(pw, sizeof pw);
    json_decref(out);
    pool_release(&p);
    chan_close(c);
    return status;
}

/* ---- demo ---- */

struct demo_member {
    const char *username, *name, *org;
    unsigned roles;
    const char *what;
};

static const struct demo_member demo_members[] = {
    {"alice", "Alice Archer", "state", CHAN_ROLE_MEMBER, "drafter"},
    {"bob", "Bob Baker", "state", CHAN_ROLE_MEMBER, "co-signer"},
    {"carol", "Carol Chen", "eeas", CHAN_ROLE_MEMBER, "co-signer (another organization)"},
    {"dan", "Dan Diaz", "state", CHAN_ROLE_MEMBER, "member"},
    {"rita", "Rita Reyes", "state", CHAN_ROLE_REVIEWER, "policy office (reviewer)"},
    {"lena", "Lena Lund", "state", CHAN_ROLE_LEADERSHIP, "leadership"},
    {"ian", "Ian Inspector", "state", CHAN_ROLE_AUDITOR, "auditor (inspector general)"},
    {"admin", "Demo Administrator", "operations", CHAN_ROLE_ADMIN, "admin"},
};

static const char demo_body[] =
    "## Summary\n\n"
    "We, the undersigned, disagree with the decision to suspend consular services in the "
    "northern provinces. The suspension leaves citizens without help at the moment they need "
    "it most.\n\n"
    "## Recommendation\n\n"
    "Keep a reduced consular presence in two cities, staffed on rotation, and review the "
    "decision in 90 days with the posts concerned.\n\n"
    "## Why now\n\n"
    "The season of travel begins in six weeks. A decision taken now can still be carried out "
    "safely.\n";

/* The demo password of a demo account: "<username>-demo-pass". */
static void demo_password(const char *user, char out[64])
{
    snprintf(out, 64, "%s-demo-pass", user);
}

static int demo_fill(struct chan *c, struct pool *p, struct err *e)
{
    int rc = -1;
    json_t *out = NULL;
    char pw[64];
    struct chan_channel_input ch = {.slug = "dissent",
                                    .name = "Dissent Channel",
                                    .preset = "state-dissent",
                                    .ceiling = "CONFIDENTIAL",
                                    .timezone = NULL,
                                    /* the demo's organizations have 2 to 4
                                     * members: its channels take rings of 2
                                     * (a real channel: 10 unless set) */
                                    .min_ring = 2};
    struct chan_channel_input eu = {.slug = "eu-reports",
                                    .name = "EU internal reporting",
                                    .preset = "eu-directive",
                                    .ceiling = "SBU",
                                    .timezone = NULL,
                                    .min_ring = 2};
    struct chan_version_input v = {
        .title = "Keep consular services open in the north", .marking = "SBU", .body = demo_body};
    struct actor alice;
    char *token;
    const char *memo_id;

#define TRY(x)                                                                                     \
    do {                                                                                           \
        if (x)                                                                                     \
            goto out;                                                                              \
        json_decref(out);                                                                          \
        out = NULL;                                                                                \
    } while (0)
    TRY(chan_org_create(c, NULL, "operations", "Operations", &out, e));
    TRY(chan_org_create(c, NULL, "state", "U.S. Department of State", &out, e));
    TRY(chan_org_create(c, NULL, "eeas", "European External Action Service", &out, e));
    for (size_t i = 0; i < ARRAY_LEN(demo_members); i++) {
        struct chan_member_input in = {.username = demo_members[i].username,
                                       .display_name = demo_members[i].name,
                                       .org = demo_members[i].org,
                                       .roles = demo_members[i].roles};
        demo_password(demo_members[i].username, pw);
        TRY(chan_member_create(c, p, NULL, &in, &out, e));
        /* Demo logins are ready to use: the operator sets them on the file. */
        TRY(chan_local_set_password(c, p, demo_members[i].username, pw, e));
    }
    /* Demo logins stay ready to use: no second factor is required of the
     * demo's reviewer, leadership, auditor and admin (a real installation
     * requires one; docs/operations.md). */
    {
        int off = 0;
        TRY(chan_totp_policy(c, p, NULL, &off, &out, e));
    }
    TRY(chan_channel_create(c, p, NULL, &ch, &out, e));
    TRY(chan_channel_create(c, p, NULL, &eu, &out, e));
    TRY(chan_holiday_add(c, p, NULL, "dissent", "2026-11-26", "Thanksgiving Day", &out, e));
    TRY(chan_holiday_add(c, p, NULL, "dissent", "2026-12-25", "Christmas Day", &out, e));
    TRY(chan_holiday_add(c, p, NULL, "dissent", "2027-01-01", "New Year's Day", &out, e));
    demo_password("alice", pw);
    TRY(chan_login(c, p, "alice", pw, "local", &token, &alice, e));
    if (chan_memo_create(c, p, &alice, "dissent", &v, NULL, 0, &out, e))
        goto out;
    memo_id = pool_strdup(p, json_string_value(json_object_get(out, "id")));
    json_decref(out);
    out = NULL;
    TRY(chan_memo_act(c, p, &alice, memo_id, CHAN_OP_CIRCULATE, NULL, &out, e));
    TRY(chan_logout(c, &alice, e));
    rc = 0;
#undef TRY
out:
    json_decref(out);
    return rc;
}

static void demo_print_logins(void)
{
    char pw[64];
    printf("Second factor: not required in the demo (a new installation requires it of "
           "reviewers, leadership, auditors and admins; turn it on with 'dissent admin settings "
           "--totp-required on').\n");
    printf("Demo accounts (user / password — role):\n");
    for (size_t i = 0; i < ARRAY_LEN(demo_members); i++) {
        demo_password(demo_members[i].username, pw);
        printf("  %-6s / %-17s — %s\n", demo_members[i].username, pw, demo_members[i].what);
    }
}

int cmd_demo(int argc, char **argv)
{
    struct local_opts o;
    struct chan *c = NULL;
    struct err e;
    struct pool p;
    int status = 1, r = local_parse("demo", argc, argv, &o);

    err_init(&e);
    pool_init(&p, 16 << 20);
    if (r)
        return r > 0 ? 0 : 2;
    if (open_chan("demo", &o, &c))
        goto out;
    if (member_count(c) > 0) {
        int is_demo = 0;
        if (chan_demo_marker(c, &is_demo, &e) == 0 && is_demo) {
            printf("dissent: %s already holds the demo\n", o.db);
            demo_print_logins();
            status = 0;
        } else {
            fprintf(stderr,
                    "dissent demo: %s already holds accounts; the demo goes only into an "
                    "empty installation\n",
                    o.db);
        }
        goto out;
    }
    if (demo_fill(c, &p, &e) || chan_mark_demo(c, &e)) {
        fprintf(stderr, "dissent demo: %s\n", e.msg);
        goto out;
    }
    printf("dissent: created the demo in %s: organizations 'state' and 'eeas', channel "
           "'dissent' (state-dissent, ceiling CONFIDENTIAL) and one circulating memo\n",
           o.db);
    demo_print_logins();
    status = 0;
out:
    pool_release(&p);
    chan_close(c);
    return status;
}

/* ---- migrate ---- */

int cmd_migrate(int argc, char **argv)
{
    struct local_opts o;
    struct err e;
    struct store_migration m;
    int r = local_parse("migrate", argc, argv, &o);

    err_init(&e);
    if (r)
        return r > 0 ? 0 : 2;
    if (!db_url_is_postgres(o.db) && access(o.db, F_OK) != 0) {
        fprintf(stderr, "dissent migrate: no database at %s\n", o.db);
        return 1;
    }
    if (o.rotate_data_key) {
        int64_t n = 0;
        if (chan_rotate_data_key(o.db, o.keys, &n, &e)) {
            fprintf(stderr, "dissent migrate: %s\n", e.msg);
            return 1;
        }
        printf("dissent: replaced the data key of %s: %lld memo keys re-wrapped\n", o.db,
               (long long)n);
        printf("  back up the key directory now, and destroy backups of the old data key\n");
        return 0;
    }
    if (chan_migrate(o.db, o.keys, &m, &e)) {
        /* each schema step commits alone (store_migrate): the steps before
         * the failed one stay, the failed one changed nothing */
        fprintf(
            stderr,
            "dissent migrate: %s (the step that failed changed nothing; the steps before it are "
            "kept; run migrate again once this is mended)\n",
            e.msg);
        return 1;
    }
    /* protocol v1 re-keys: the retire leaves they implied, so every
     * roster can be replayed from the log (chan_roster_fill_v1_gaps) */
    {
        struct chan *c = NULL;
        int64_t n = 0;
        struct chan_anon_marks marks;
        if (open_chan("migrate", &o, &c))
            return 1;
        if (chan_roster_fill_v1_gaps(c, &n, &e)) {
            fprintf(stderr, "dissent migrate: %s (no leaf was appended)\n", e.msg);
            chan_close(c);
            return 1;
        }
        /* anonymous signatures stored before protocol v2: re-verified
         * once, the v1 ones marked and no longer counted */
        if (chan_anon_mark_v1(c, &marks, &e)) {
            fprintf(stderr, "dissent migrate: %s (no anonymous signature was marked)\n", e.msg);
            chan_close(c);
            return 1;
        }
        chan_close(c);
        if (marks.checked)
            printf("dissent: %lld stored anonymous signature%s re-verified: %lld made before "
                   "protocol v2, set aside (listed, no longer counted; their signers can sign "
                   "again under v2)\n",
                   (long long)marks.checked, marks.checked == 1 ? "" : "s", (long long)marks.v1);
        if (marks.neither)
            fprintf(stderr,
                    "dissent migrate: %lld stored anonymous signature%s verif%s with neither "
                    "protocol's bytes: still counted (verify-signatures will say so); the "
                    "database may be damaged: restore it from a backup\n",
                    (long long)marks.neither, marks.neither == 1 ? "" : "s",
                    marks.neither == 1 ? "ies" : "y");
        if (n)
            printf("dissent: %lld retire leaf%s appended for re-keys that protocol v1 logged "
                   "without one: every roster can be replayed from the log again\n",
                   (long long)n, n == 1 ? "" : "s");
        if ((n || marks.checked) && m.already)
            return 0;
    }
    if (m.commit_key_made)
        printf("dissent: made the commitment key (commit.key) in the key directory: salts of new "
               "commitments come from it, no longer from the log key; back up the key "
               "directory\n");
    if (m.already) {
        printf("dissent: %s is up to date; nothing to migrate\n", o.db);
    } else {
        printf("dissent: migrated %s: %s%lld memo keys made, %lld text values encrypted\n", o.db,
               m.log_key_moved ? "log key moved to the key directory, " : "",
               (long long)m.memo_keys, (long long)m.values);
        printf("  back up the key directory now: without it the database cannot be read\n");
    }
    return 0;
}

int cmd_log_publish_batch(int argc, char **argv)
{
    struct local_opts o;
    struct chan *c = NULL;
    struct err e;
    size_t n = 0;
    int r = local_parse("log publish-batch", argc, argv, &o);

    err_init(&e);
    if (r)
        return r > 0 ? 0 : 2;
    if (!db_url_is_postgres(o.db) && access(o.db, F_OK) != 0) {
        fprintf(stderr, "dissent log publish-batch: no database at %s\n", o.db);
        return 1;
    }
    if (open_chan("log publish-batch", &o, &c))
        return 1;
    if (chan_batch_publish(c, now_utc(), o.publish_now, &n, &e)) {
        fprintf(stderr, "dissent log publish-batch: %s (nothing was published)\n", e.msg);
        chan_close(c);
        return 1;
    }
    printf("dissent: published %zu queued entries%s\n", n,
           n ? " as one shuffled batch" : " (nothing was due)");
    chan_close(c);
    return 0;
}

int cmd_tick(int argc, char **argv)
{
    struct local_opts o;
    struct chan *c = NULL;
    struct err e;
    int status = 1, r = local_parse("tick", argc, argv, &o);

    err_init(&e);
    if (r)
        return r > 0 ? 0 : 2;
    if (!db_url_is_postgres(o.db) && access(o.db, F_OK) != 0) {
        fprintf(stderr, "dissent tick: no database at %s\n", o.db);
        return 1;
    }
    if (open_chan("tick", &o, &c))
        return 1;
    if (serve_ticker_run_once(serve_jobs, serve_jobs_count, c, o.job, now_utc(), &e)) {
        fprintf(stderr, "dissent tick: %s\n", e.msg);
        goto out;
    }
    printf("dissent: ran %s\n", o.job ? o.job : "every background job");
    status = 0;
out:
    chan_close(c);
    return status;
}

/* ---- serve ---- */

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* Gauges for /metrics: called on a worker with its app (its own connection). */
static double gauge(struct app *app, int which)
{
    int64_t v[3] = {0, 0, 0};
    struct err e;
    err_init(&e);
    if (chan_stats(app->chan, &v[0], &v[1], &v[2], &e))
        return -1;
    return (double)v[which];
}

static double gauge_leaves(void *arg, void *app)
{
    (void)arg;
    return gauge(app, 0);
}

static double gauge_review(void *arg, void *app)
{
    (void)arg;
    return gauge(app, 1);
}

static double gauge_overdue(void *arg, void *app)
{
    (void)arg;
    return gauge(app, 2);
}

/* Splits "HOST:PORT" (or "[v6]:PORT"). Returns 0 or -1. */
static int split_listen(const char *s, char *host, size_t n, unsigned short *port)
{
    const char *colon = strrchr(s, ':');
    int64_t v;
    size_t hl;
    if (!colon || parse_i64(colon + 1, 0, 65535, &v))
        return -1;
    hl = (size_t)(colon - s);
    if (hl > 1 && s[0] == '[' && s[hl - 1] == ']') {
        s++;
        hl -= 2;
    }
    if (hl == 0 || hl >= n)
        return -1;
    memcpy(host, s, hl);
    host[hl] = '\0';
    *port = (unsigned short)v;
    return 0;
}

/* Reads every --witness of argv into sw, and --witness-policy K. Returns 0,
 * or -1 after printing why. */
static int serve_witnesses(int argc, char **argv, const struct local_opts *o,
                           struct serve_witness *sw)
{
    struct err e;
    int64_t k;
    err_init(&e);
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        if (strcmp(argv[i], "--witness") == 0 && i + 1 < argc)
            v = argv[++i];
        else if (strncmp(argv[i], "--witness=", 10) == 0)
            v = argv[i] + 10;
        if (v && serve_witness_add(sw, v, &e) != 0) {
            fprintf(stderr, "dissent serve: --witness %s: %s\n", v, e.msg);
            return -1;
        }
    }
    if (o->witness_policy) {
        if (sw->policy.n == 0 || parse_i64(o->witness_policy, 1, INT64_MAX, &k) != 0 ||
            tlog_policy_set_k(&sw->policy, (size_t)k, &e) != 0) {
            fprintf(stderr,
                    "dissent serve: --witness-policy must be 1 to %zu (the witnesses given)\n",
                    sw->policy.n);
            return -1;
        }
    }
    return 0;
}

/* One of serve's limits: unset (NULL) leaves *out alone (the server's
 * default); else a whole number in [lo, hi] times scale. Prints why not. */
static int serve_limit(const char *flag, const char *v, int64_t lo, int64_t hi, unsigned scale,
                       unsigned *out)
{
    int64_t n;
    if (!v)
        return 0;
    if (parse_i64(v, lo, hi, &n)) {
        fprintf(stderr, "dissent serve: --%s must be a whole number from %lld to %lld (got '%s')\n",
                flag, (long long)lo, (long long)hi, v);
        return -1;
    }
    *out = (unsigned)n * scale;
    return 0;
}

/* The connection limits from flags and environment (docs/operations.md). */
static int serve_limits(const struct local_opts *o, struct http_server_config *cfg)
{
    int rc =
        serve_limit("max-connections", o->max_connections, 1, 1000000, 1, &cfg->max_connections);
    rc = rc ? rc
            : serve_limit("per-address-connections", o->per_address, 0, 1000000, 1,
                          &cfg->per_ip_connections);
    rc = rc ? rc
            : serve_limit("header-timeout", o->header_timeout, 1, 3600, 1000,
                          &cfg->header_timeout_ms);
    rc = rc ? rc
            : serve_limit("body-timeout", o->body_timeout, 1, 3600, 1000, &cfg->body_timeout_ms);
    rc = rc ? rc : serve_limit("http-threads", o->http_threads, 1, 64, 1, &cfg->threads);
    rc = rc ? rc : serve_limit("workers", o->workers, 1, WORKERS_MAX, 1, &cfg->workers);
    if (rc == 0 && strcmp(o->group_commit, "on") != 0 && strcmp(o->group_commit, "off") != 0) {
        fprintf(stderr, "dissent serve: --group-commit must be on or off (got '%s')\n",
                o->group_commit);
        rc = -1;
    }
    if (rc == 0 && strcmp(o->group_commit, "off") == 0)
        cfg->group_max = 1;
    rc = rc ? rc
            : serve_limit("verify-window", o->verify_window, 0, 10000, 1, &cfg->batch_window_ms);
    if (rc == 0 && o->verify_window && cfg->batch_window_ms == 0)
        cfg->batch_window_ms = HTTP_BATCH_OFF;
    /* for make bench only (batch sizes of anonymous proofs): never an option,
     * since the counters would then say when each anonymous request came */
    cfg->count_anonymous = strcmp(env_or("DISSENT_BENCH_COUNT_ANONYMOUS", "0"), "1") == 0;
    if (rc == 0 && o->per_address && cfg->per_ip_connections == 0)
        cfg->per_ip_connections = HTTP_UNLIMITED;
    return rc;
}

/* Adds the browser's signing module (`make wasm`) to the static files.
 * A --wasm file that cannot be read is an error; the default one (beside
 * the binary: build/wasm/ for build/dissent) may be missing, and then the
 * pages say that signing in the browser is unavailable. */
static int serve_wasm(const struct local_opts *o)
{
    char exe[4096], dflt[4200];
    const char *path = o->wasm;
    struct err e;
    err_init(&e);
    if (!path) {
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n <= 0)
            return 0;
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = '\0';
        snprintf(dflt, sizeof dflt, "%s/wasm/dissent-ring.wasm", exe);
        path = dflt;
    }
    if (static_add_file("anon/dissent-ring.wasm", path, "application/wasm", &e) == 0) {
        log_info("serving the browser's signing module from %s", path);
        return 0;
    }
    if (!o->wasm && e.code == ERR_NOT_FOUND) {
        log_info("no %s: anonymous signing in the browser is off (run 'make wasm')", path);
        return 0;
    }
    fprintf(stderr, "dissent serve: --wasm: %s\n", e.msg);
    return -1;
}

/* The writer's groups (http/workers.h): one transaction on its connection. */
static int serve_group_begin(void *app, struct err *e)
{
    return chan_group_begin(((struct app *)app)->chan, e);
}

static int serve_group_end(void *app, int commit, struct err *e)
{
    return chan_group_end(((struct app *)app)->chan, commit, e);
}

/* Prepares notification mail: with --smtp, the mail settings and
 * credentials (key directory, else environment) behind sn's mailer, which
 * the ticker's connection c sends through. Prints why not and returns -1. */
static int serve_notify_setup(const struct local_opts *o, struct chan *c, struct serve_notify *sn)
{
    struct pool p;
    struct err e;
    char *user = NULL, *pass = NULL;
    int found = 0, rc = -1;
    pool_init(&p, 4096);
    err_init(&e);
    if (o->smtp) {
        if (!o->public_url || !o->mail_from) {
            fprintf(stderr, "dissent serve: --smtp needs --public-url (for the links in mails) "
                            "and --mail-from\n");
            goto out;
        }
        if (chan_mail_credentials(c, &p, &user, &pass, &found, &e)) {
            fprintf(stderr, "dissent serve: %s\n", e.msg);
            goto out;
        }
        if (!found) {
            user = (char *)env_or("DISSENT_SMTP_USER", NULL);
            pass = (char *)env_or("DISSENT_SMTP_PASSWORD", NULL);
        }
        if (smtp_init(&sn->smtp, o->smtp, o->smtp_insecure, o->mail_from, user, pass, &e)) {
            fprintf(stderr, "dissent serve: %s\n", e.msg);
            goto out;
        }
        serve_notify_use_smtp(sn, o->public_url);
        chan_mail_set(c, &sn->mailer);
        log_info("mail: notifications go through %s%s", o->smtp,
                 o->smtp_insecure ? " (without TLS: loopback only)" : "");
    } else if (o->smtp_insecure || o->mail_from) {
        fprintf(stderr, "dissent serve: --smtp-insecure and --mail-from need --smtp\n");
        goto out;
    }
    rc = 0;
out:
    if (found) {
        sodium_memzero(user, strlen(user));
        sodium_memzero(pass, strlen(pass));
    }
    pool_release(&p);
    return rc;
}

int cmd_serve(int argc, char **argv)
{
    struct serve_ticker ticker;
    struct chan *tchan = NULL;
    struct serve_witness sw;
    struct serve_notify sn;
    struct app_cosigned cosigned;
    struct chan *wchan = NULL;
    struct local_opts o;
    struct chan *c = NULL;
    struct http_server *srv = NULL;
    struct app app = {0};
    struct err e;
    char host[64];
    unsigned short port;
    int status = 1, r = local_parse("serve", argc, argv, &o);
    struct http_server_config cfg = {0};
    struct http_route *routes = NULL;
    size_t nroutes = 0;
    struct app readers[WORKERS_MAX];
    void *reader_apps[WORKERS_MAX];
    unsigned nreaders = 0;

    struct web_release release;
    int appended = 0;

    err_init(&e);
    memset(readers, 0, sizeof readers);
    web_release_init(&release);
    serve_ticker_init(&ticker, serve_jobs, serve_jobs_count);
    serve_witness_init(&sw);
    serve_notify_init(&sn);
    app_cosigned_init(&cosigned);
    if (r || serve_witnesses(argc, argv, &o, &sw) != 0) {
        app_cosigned_release(&cosigned);
        return r > 0 ? 0 : 2;
    }
    if (!public_url_ok(o.public_url)) {
        fprintf(stderr, "dissent serve: --public-url must be http(s)://HOST[:PORT] (got '%s')\n",
                o.public_url);
        app_cosigned_release(&cosigned);
        return 2;
    }
    if (split_listen(o.listen, host, sizeof host, &port)) {
        fprintf(stderr,
                "dissent serve: --listen must be HOST:PORT, e.g. 127.0.0.1:8080 (got '%s')\n",
                o.listen);
        return 2;
    }
    if (serve_limits(&o, &cfg) || serve_wasm(&o))
        return 2;
    /* which code proves and verifies ring signatures here: an operator
     * sizing for anonymous signatures needs to know (docs/operations.md) */
    log_info("ring arithmetic: %s",
             ring_msm_ifma_available()
                 ? "AVX-512 IFMA, eight lanes"
                 : "portable code (this CPU has no AVX-512 IFMA: anonymous proofs verify 3-5x "
                   "slower)");
    /* A SQLite file must exist already; a PostgreSQL database is checked by connecting. */
    if (!db_url_is_postgres(o.db) && access(o.db, F_OK) != 0) {
        fprintf(stderr,
                "dissent serve: no database at %s: run 'dissent init' (or 'make run' for "
                "a demo) first\n",
                o.db);
        return 1;
    }
    if (open_chan("serve", &o, &c))
        goto out;
    app.chan = c;
    if (sw.policy.n > 0) {
        /* the witnessing thread has its own connection */
        if (open_chan("serve", &o, &wchan))
            goto out;
        app.cosigned = &cosigned;
        if (serve_witness_start(&sw, wchan, &cosigned, &e)) {
            fprintf(stderr, "dissent serve: %s\n", e.msg);
            goto out;
        }
        wchan = NULL; /* the thread owns it now */
        log_info("witnessing: %zu witnesses, %zu cosignatures needed to publish a checkpoint",
                 sw.policy.n, sw.policy.k);
    }
    /* the background jobs (missed deadlines, batches, reminders, mail) have
     * their own connection too; mail goes through --smtp when given */
    if (open_chan("serve", &o, &tchan))
        goto out;
    if (serve_notify_setup(&o, tchan, &sn))
        goto out;
    if (serve_ticker_start(&ticker, tchan, &e)) {
        fprintf(stderr, "dissent serve: %s\n", e.msg);
        goto out;
    }
    tchan = NULL; /* the thread owns it now */
    if (chan_batch_interval(c) == 0)
        log_warn("--batch-interval 0: every anonymous signature and roster change is "
                 "published at once, with its time (tests and demos only)");
    else
        log_info("batches: anonymous signatures and roster changes are published every %lld s",
                 (long long)chan_batch_interval(c));
    app.public_url = o.public_url;
    app.trusted_proxy = o.trusted_proxy;
    if (serve_release_start(c, o.static_dir, DISSENT_VERSION, &release, &appended, &e)) {
        fprintf(stderr, "dissent serve: %s\n", e.msg);
        goto out;
    }
    app.release = &release;
    log_info("client release %s, manifest %s: %s log leaf %lld", release.version, release.digest,
             appended ? "new," : "already in the log as", (long long)release.leaf_index);
    /* Each reader has a connection of its own (SQLite: a WAL reader;
     * PostgreSQL: a session); the writer has app's. */
    for (; nreaders < cfg.workers; nreaders++) {
        readers[nreaders] = app;
        readers[nreaders].chan = NULL;
        if (open_chan("serve", &o, &readers[nreaders].chan))
            goto out;
        reader_apps[nreaders] = &readers[nreaders];
    }
    cfg.worker_apps = reader_apps;
    cfg.group_begin = serve_group_begin;
    cfg.group_end = serve_group_end;
    if (app_routes(&routes, &nroutes, &e)) {
        fprintf(stderr, "dissent serve: %s\n", e.msg);
        goto out;
    }
    cfg.listen_addr = host;
    cfg.port = port;
    cfg.max_body = APP_MAX_BODY;
    cfg.routes = routes;
    cfg.nroutes = nroutes;
    cfg.app = &app;
    cfg.html_error = pages_html_error;
    cfg.cookie_secure = o.public_url && strncmp(o.public_url, "https://", 8) == 0;
    if (http_server_start(&srv, &cfg, &e)) {
        fprintf(stderr, "dissent serve: %s\n", e.msg);
        goto out;
    }
    port = http_server_port(srv);
    if (http_metrics_add_gauge(srv, "dissent_log_leaves", "Leaves in the transparency log",
                               gauge_leaves, &app, &e) ||
        http_metrics_add_gauge(srv, "dissent_memos_under_review",
                               "Memos submitted or acknowledged, awaiting an answer", gauge_review,
                               &app, &e) ||
        http_metrics_add_gauge(srv, "dissent_memos_overdue",
                               "Memos past their acknowledgement or answer deadline", gauge_overdue,
                               &app, &e)) {
        fprintf(stderr, "dissent serve: %s\n", e.msg);
        goto out;
    }
    if (o.port_file) {
        FILE *f = fopen(o.port_file, "w");
        if (!f || fprintf(f, "%u\n", port) < 0 || fclose(f) != 0) {
            fprintf(stderr, "dissent serve: cannot write %s\n", o.port_file);
            goto out;
        }
    }
    if (getenv("DISSENT_FAKE_NOW"))
        log_warn("DISSENT_FAKE_NOW is set: this server's clock is pinned (for tests only)");
    if (cfg.count_anonymous)
        log_warn("DISSENT_BENCH_COUNT_ANONYMOUS is set: /metrics counts anonymous requests, and so "
                 "says when each came (for benchmarks only)");
    log_info("workers: %u readers, one writer (group commit %s)", cfg.workers, o.group_commit);
    printf("dissent: serving %s on http://%s:%u (Ctrl-C stops)\n", o.db, host, port);
    fflush(stdout);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    while (!stop_requested)
        sleep(1); /* the signal may land on a server thread: poll the flag */
    printf("dissent: stopping\n");
    status = 0;
out:
    http_server_stop(srv);
    serve_ticker_stop(&ticker);
    chan_close(tchan);
    serve_witness_stop(&sw);
    serve_notify_release(&sn);
    chan_close(wchan);
    app_cosigned_release(&cosigned);
    free(routes);
    for (unsigned i = 0; i < nreaders; i++)
        chan_close(readers[i].chan);
    chan_close(c);
    static_clear_override();
    web_release_release(&release);
    return status;
}
