/* cli.c — the command table, the dispatcher, the option parser and help. */
#include "cli/cli.h"

#include "cli/commands.h"
#include "cli/local.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

static FILE *cli_out_stream;
static FILE *cli_err_stream;

static FILE *out_stream(void)
{
    return cli_out_stream ? cli_out_stream : stdout;
}

static FILE *err_stream(void)
{
    return cli_err_stream ? cli_err_stream : stderr;
}

void cli_set_streams(FILE *out, FILE *err)
{
    cli_out_stream = out;
    cli_err_stream = err;
}

/* ---- options shared by every remote command ---------------------------- */

static const struct cli_opt remote_opts[] = {
    {.name = "server",
     .arg = "URL",
     .help =
         "server to talk to (default: $DISSENT_SERVER, the saved login, http://127.0.0.1:8080)"},
    {.name = "json", .help = "print the server's JSON reply as is"},
    {0},
};

static const struct cli_opt help_opt = {.name = "help", .help = "show this help"};

/* ---- the command table ------------------------------------------------- */

/* Options of each command. */
static const struct cli_opt opts_login[] = {
    {.name = "user", .arg = "USER", .help = "user name (asked for on the terminal if missing)"},
    {.name = "password-file",
     .arg = "FILE",
     .help = "read the password from the first line of FILE (else $DISSENT_PASSWORD, else asked)"},
    {.name = "totp-code-file",
     .arg = "FILE",
     .help = "when the account has a second factor: its code from the first line of FILE ('-': "
             "stdin; else asked)"},
    {0},
};

static const struct cli_opt opts_memo_new[] = {
    {.name = "channel", .arg = "CHANNEL", .help = "the channel the memo goes to (required)"},
    {.name = "title", .arg = "TITLE", .help = "title, at most 200 characters (required)"},
    {.name = "marking",
     .arg = "MARKING",
     .help = "classification: UNCLASSIFIED, SBU, CONFIDENTIAL or SECRET (required)"},
    {.name = "body-file", .arg = "FILE", .help = "read the text (Markdown) from FILE ('-': stdin)"},
    {.name = "body", .arg = "TEXT", .help = "the text (Markdown) itself"},
    {.name = "co-drafter",
     .arg = "USER",
     .help = "another drafter (may be repeated)",
     .flags = CLI_OPT_MULTI},
    {0},
};

static const struct cli_opt opts_memo_edit[] = {
    {.name = "title", .arg = "TITLE", .help = "new title (default: the latest version's)"},
    {.name = "marking", .arg = "MARKING", .help = "new marking (default: the latest version's)"},
    {.name = "body-file", .arg = "FILE", .help = "read the new text from FILE ('-': stdin)"},
    {.name = "body", .arg = "TEXT", .help = "the new text itself"},
    {.name = "note", .arg = "TEXT", .help = "what changed, for the memo's timeline (optional)"},
    {0},
};

static const struct cli_opt opts_version[] = {
    {.name = "version", .arg = "N", .help = "a version number (default: the latest)"},
    {0},
};

static const struct cli_opt opts_memo_list[] = {
    {.name = "scope",
     .arg = "SCOPE",
     .help = "mine (default), drafted, signed, signable; queue, all, archive (policy office, "
             "leadership)"},
    {.name = "search", .arg = "WORDS", .help = "only memos whose title or text has every word"},
    {.name = "state", .arg = "STATE[,STATE]", .help = "draft, circulating, submitted, …"},
    {.name = "channel", .arg = "SLUG", .help = "only this channel's memos"},
    {.name = "marking", .arg = "MARKING[,MARKING]", .help = "UNCLASSIFIED, SBU, …"},
    {.name = "from",
     .arg = "YYYY-MM-DD",
     .help = "drafted (submitted, in the office's lists) on or after"},
    {.name = "to", .arg = "YYYY-MM-DD", .help = "… on or before"},
    {.name = "overdue", .arg = "true|false", .help = "only memos past (or not past) a deadline"},
    {.name = "sort",
     .arg = "ORDER",
     .help = "updated, newest, oldest, submitted, deadline, signatures"},
    {.name = "limit", .arg = "N", .help = "memos per page (1-200, default 50)"},
    {.name = "page", .arg = "N", .help = "which page (1 = first)"},
    {0},
};

static const struct cli_opt opts_body[] = {
    {.name = "body-file", .arg = "FILE", .help = "read the text from FILE ('-': stdin)"},
    {.name = "body", .arg = "TEXT", .help = "the text itself"},
    {0},
};

static const struct cli_opt opts_extend[] = {
    {.name = "reason", .arg = "TEXT", .help = "why the answer needs more time (required)"},
    {0},
};

static const struct cli_opt opts_member_add[] = {
    {.name = "name", .arg = "NAME", .help = "display name (required)"},
    {.name = "org", .arg = "ORG", .help = "organization slug (required)"},
    {.name = "role",
     .arg = "ROLE[,ROLE]",
     .help = "member, reviewer, leadership, auditor, admin (required)"},
    {0},
};

static const struct cli_opt opts_account_setup[] = {
    {.name = "token",
     .arg = "LINK",
     .help = "the setup link the admin gave you (or its token) (required)"},
    {.name = "password-file",
     .arg = "FILE",
     .help = "the new password from FILE (else $DISSENT_PASSWORD, else asked twice)"},
    {.name = "recovery-code",
     .arg = "CODE",
     .help = "your recovery code (needed for a reset link)"},
    {.name = "totp-code-file",
     .arg = "FILE",
     .help = "when the account has a second factor: its code from the first line of FILE ('-': "
             "stdin; else asked)"},
    {0},
};

static const struct cli_opt opts_account_password[] = {
    {.name = "password-file", .arg = "FILE", .help = "the current password from FILE (else asked)"},
    {.name = "new-password-file",
     .arg = "FILE",
     .help = "the new password from FILE (else asked twice)"},
    {0},
};

static const struct cli_opt opts_account_recovery[] = {
    {.name = "password-file", .arg = "FILE", .help = "the current password from FILE (else asked)"},
    {0},
};

static const struct cli_opt opts_account_notifications[] = {
    {.name = "kind", .arg = "KIND", .help = "the kind of news to set the mode of"},
    {.name = "mode", .arg = "MODE", .help = "immediately, digest or off"},
    {.name = "mail",
     .arg = "ADDRESS",
     .help = "your mail address for notifications ('' removes it)"},
    {0},
};

static const struct cli_opt opts_notifications[] = {
    {.name = "unread", .help = "only the unread ones"},
    {.name = "read", .arg = "ID|all", .help = "mark notification ID (or all) as read"},
    {0},
};

static const struct cli_opt opts_totp_code[] = {
    {.name = "code-file",
     .arg = "FILE",
     .help = "the code from the first line of FILE ('-': stdin; else asked)"},
    {0},
};

static const struct cli_cmd account_totp_cmds[] = {
    {.name = "status",
     .summary = "whether your second factor is on, and if your roles require one",
     .usage = "",
     .flags = CLI_REMOTE,
     .run = cmd_totp_status},
    {.name = "enroll",
     .summary = "start setting up an authenticator app: shows the key to add",
     .usage = "",
     .flags = CLI_REMOTE,
     .run = cmd_totp_enroll},
    {.name = "confirm",
     .summary = "turn the second factor on with a first code; shows 10 recovery codes",
     .usage = "[--code-file FILE]",
     .opts = opts_totp_code,
     .flags = CLI_REMOTE,
     .run = cmd_totp_confirm},
    {.name = "disable",
     .summary = "turn the second factor off (a current code or a recovery code)",
     .usage = "[--code-file FILE]",
     .opts = opts_totp_code,
     .flags = CLI_REMOTE,
     .run = cmd_totp_disable},
    {.name = "recovery-codes",
     .summary = "make 10 new recovery codes (a current code; the old ones stop working)",
     .usage = "[--code-file FILE]",
     .opts = opts_totp_code,
     .flags = CLI_REMOTE,
     .run = cmd_totp_recovery},
    {0},
};

static const struct cli_cmd account_cmds[] = {
    {.name = "setup",
     .summary = "choose your password through a setup link, and log in",
     .usage = "--token LINK [--password-file FILE] [--recovery-code CODE]",
     .details = "The link (or its token) comes from an administrator; it works once and for 72\n"
                "hours. The password is chosen here and only its hash is kept by the server.\n"
                "You get a recovery code: keep it apart from your password, because a reset\n"
                "link from an administrator works only together with it.",
     .opts = opts_account_setup,
     .flags = CLI_REMOTE,
     .run = cmd_account_setup},
    {.name = "password",
     .summary = "change your password (ends your other sessions)",
     .usage = "[--password-file FILE] [--new-password-file FILE]",
     .opts = opts_account_password,
     .flags = CLI_REMOTE,
     .run = cmd_account_password},
    {.name = "recovery-code",
     .summary = "make a new recovery code (the old one stops working)",
     .usage = "[--password-file FILE]",
     .opts = opts_account_recovery,
     .flags = CLI_REMOTE,
     .run = cmd_account_recovery_code},
    {.name = "show",
     .summary = "your account and everything done to it",
     .usage = "",
     .flags = CLI_REMOTE,
     .run = cmd_account_show},
    {.name = "notifications",
     .summary = "how news reaches you: your mail address and a mode per kind",
     .usage = "[--kind KIND --mode immediately|digest|off] [--mail ADDRESS]",
     .details = "Without options, shows your choices. Kinds: new_version, submitted, review,\n"
                "review_signed, reminder, missed, account. 'off' means neither in the app nor by\n"
                "mail; 'digest' sends one mail a day. --mail '' removes the address. A mail says\n"
                "only that there is news, with a link: never a title, a text or a name.",
     .opts = opts_account_notifications,
     .flags = CLI_REMOTE,
     .run = cmd_account_notifications},
    {.name = "totp",
     .summary = "your second factor (an authenticator app)",
     .subs = account_totp_cmds},
    {0},
};

static const struct cli_opt opts_channel_add[] = {
    {.name = "name", .arg = "NAME", .help = "display name (required)"},
    {.name = "preset", .arg = "PRESET", .help = "state-dissent or eu-directive (required)"},
    {.name = "ceiling", .arg = "MARKING", .help = "highest marking accepted (required)"},
    {.name = "timezone", .arg = "TZ", .help = "time zone of deadlines, e.g. Europe/Brussels"},
    {0},
};

static const struct cli_opt opts_log_key[] = {
    {.name = "log-key",
     .arg = "KEY",
     .help = "the log's verifier key (name+id+key); default: the key pinned on first use"},
    {0},
};

static const struct cli_opt opts_log_monitor[] = {
    {.name = "state",
     .arg = "FILE",
     .help = "the monitor's state: pinned key, last checkpoint, frontier (required)"},
    {.name = "full",
     .help = "re-audit every leaf from 0 (default with a state: every new leaf since the last "
             "run)"},
    {.name = "incremental", .help = "the default with a state (kept for old scripts)"},
    {.name = "sample-old",
     .arg = "N",
     .help = "also re-check N old leaves, picked at random, by inclusion proof (default 0)"},
    {.name = "log-key", .arg = "KEY", .help = "the log's verifier key to pin on the first run"},
    {0},
};

static const struct cli_opt opts_log_evidence[] = {
    {.name = "check", .help = "print only what the evidence shows, not the two notes"},
    {.name = "json", .help = "print the verdict as JSON"},
    {0},
};

static const struct cli_opt opts_stats[] = {
    {.name = "channel", .arg = "SLUG", .help = "only this channel (default: every channel)"},
    {.name = "at",
     .arg = "TIME",
     .help = "the moment of the figures, YYYY-MM-DDTHH:MM:SSZ (default: now)"},
    {.name = "log-key",
     .arg = "KEY",
     .help = "the log's verifier key (name+id+key); default: the key pinned on first use"},
    {0},
};

static const struct cli_cmd log_cmds[] = {
    {.name = "monitor",
     .summary = "check the log: signed checkpoint, consistency with the last one, every leaf",
     .usage = "--state FILE [--full] [--sample-old N] [--log-key KEY]",
     .details = "Each run fetches every leaf added since the last run, re-hashes it onto the\n"
                "saved frontier and checks its shape (the first run, or --full: every leaf).\n"
                "Fails (exit 1) with a clear message on any inconsistency: a bad signature, a\n"
                "checkpoint not consistent with the one saved, a malformed leaf, or leaf data\n"
                "that no longer hash to the signed root. Every signed note seen is kept beside\n"
                "the checkpoint history; a contradiction is written there as evidence\n"
                "('dissent log evidence --check FILE'). The state file (mode 0600) is written\n"
                "only after a run that passed.",
     .opts = opts_log_monitor,
     .flags = CLI_REMOTE,
     .run = cmd_log_monitor},
    {.name = "checkpoint",
     .summary = "fetch the signed checkpoint and check its signature",
     .usage = "[--log-key KEY]",
     .opts = opts_log_key,
     .flags = CLI_REMOTE,
     .run = cmd_log_checkpoint},
    {.name = "leaves",
     .summary = "list leaves START <= i < END, checked against the signed checkpoint",
     .usage = "START END [--log-key KEY]",
     .args = "START END",
     .details = "Each leaf is re-hashed and checked for shape, and the range is checked against\n"
                "the signed checkpoint (pinned key, history of checkpoints) by one inclusion\n"
                "proof and one consistency proof. A leaf the signed log does not vouch for is\n"
                "shown as NOT IN THE SIGNED LOG, and the command exits 1 naming it.",
     .opts = opts_log_key,
     .flags = CLI_REMOTE,
     .run = cmd_log_leaves},
    {.name = "proof",
     .summary = "check that leaf INDEX is in the signed tree (inclusion proof)",
     .usage = "INDEX [--log-key KEY]",
     .args = "INDEX",
     .opts = opts_log_key,
     .flags = CLI_REMOTE,
     .run = cmd_log_proof},
    {.name = "evidence",
     .summary = "check a fork evidence file with no server, and print what it proves",
     .usage = "FILE [--check] [--json]",
     .args = "FILE",
     .details = "FILE is written by any log client that refuses a checkpoint contradicting one\n"
                "seen before (beside the checkpoint history: <origin hash>.evidence-A-B.json):\n"
                "two checkpoints signed by the same log key, and what shows they contradict\n"
                "each other. Needs no server and no login. Exit 0: valid evidence (PROVEN, or\n"
                "NOT CONCLUSIVE ALONE when only the log's own consistency proof failed);\n"
                "exit 1: not valid evidence.",
     .opts = opts_log_evidence,
     .run = cmd_log_evidence},
    {.name = "publish-batch",
     .summary = "publish queued anonymous signatures and roster changes now (operator)",
     .usage = "[--db DB] [--now] [--batch-interval S]",
     .details = "Publishes, as one shuffled batch, what is due (with --now: everything\n"
                "queued), as 'dissent serve' does at every multiple of --batch-interval.",
     .raw = cmd_log_publish_batch},
    {0},
};

static const struct cli_opt opts_key_file[] = {
    {.name = "key",
     .arg = "FILE",
     .help = "the ring key file (default: ${XDG_CONFIG_HOME:-~/.config}/dissent/ring.key)"},
    {.name = "passphrase-file",
     .arg = "FILE",
     .help =
         "read the passphrase from the first line of FILE (else $DISSENT_PASSPHRASE, else asked)"},
    {.name = "json", .help = "print {path, public_key} as JSON"},
    {0},
};

static const struct cli_opt opts_key_show[] = {
    {.name = "key",
     .arg = "FILE",
     .help = "the ring key file (default: ${XDG_CONFIG_HOME:-~/.config}/dissent/ring.key)"},
    {.name = "json", .help = "print {path, public_key} as JSON"},
    {0},
};

static const struct cli_opt opts_key_enroll[] = {
    {.name = "key",
     .arg = "FILE",
     .help = "the ring key file (default: ${XDG_CONFIG_HOME:-~/.config}/dissent/ring.key)"},
    {.name = "passphrase-file",
     .arg = "FILE",
     .help =
         "read the passphrase from the first line of FILE (else $DISSENT_PASSPHRASE, else asked)"},
    {0},
};

static const struct cli_opt opts_sign[] = {
    {.name = "version", .arg = "N", .help = "a version number (default: the latest)"},
    {.name = "anonymous",
     .help = "sign with your ring key: nobody, not even the server, learns who signed"},
    {.name = "key", .arg = "FILE", .help = "with --anonymous: the ring key file"},
    {.name = "passphrase-file",
     .arg = "FILE",
     .help = "with --anonymous: the key's passphrase from FILE (else $DISSENT_PASSPHRASE)"},
    {.name = "proxy",
     .arg = "URL",
     .help = "with --anonymous: connect through socks5h://HOST:PORT (Tor) or http://HOST:PORT"},
    {.name = "log-key",
     .arg = "KEY",
     .help = "the log's verifier key (name+id+key) the rings are checked against; default: the "
             "key pinned on first use"},
    {.name = "log-state",
     .arg = "FILE",
     .help = "check the rings against the log as a 'dissent log monitor' state FILE knows it"},
    {.name = "min-ring",
     .arg = "N",
     .help = "with --anonymous: the fewest members to hide among (default 10, or the memo's)"},
    {.name = "ring",
     .arg = "KIND",
     .help = "with --anonymous: 'organization' (your organization's ring, counted for it; the "
             "default) or 'coalition' (every organization's members: a larger set, counted in "
             "the total only)"},
    {0},
};

static const struct cli_opt opts_access_log[] = {
    {.name = "memo", .arg = "ID", .help = "auditors: only the reads of this memo"},
    {.name = "member", .arg = "USERNAME", .help = "auditors: only this member's reads"},
    {.name = "from", .arg = "YYYY-MM-DD", .help = "auditors: reads from this UTC day"},
    {.name = "to", .arg = "YYYY-MM-DD", .help = "auditors: reads up to this UTC day, included"},
    {.name = "page", .arg = "N", .help = "auditors: which page, from 1"},
    {.name = "per-page", .arg = "N", .help = "auditors: reads per page (default 50, at most 500)"},
    {.name = "csv",
     .help = "auditors: every matching read as CSV (recorded as your read of the titles)"},
    {0},
};

static const struct cli_opt opts_unsign[] = {
    {.name = "anonymous", .help = "withdraw the anonymous signature made with your ring key"},
    {.name = "key", .arg = "FILE", .help = "with --anonymous: the ring key file"},
    {.name = "passphrase-file",
     .arg = "FILE",
     .help = "with --anonymous: the key's passphrase from FILE (else $DISSENT_PASSPHRASE)"},
    {.name = "proxy",
     .arg = "URL",
     .help = "with --anonymous: connect through socks5h://HOST:PORT (Tor) or http://HOST:PORT"},
    {.name = "log-key",
     .arg = "KEY",
     .help = "the log's verifier key (name+id+key) the rings are checked against; default: the "
             "key pinned on first use"},
    {.name = "log-state",
     .arg = "FILE",
     .help = "check the rings against the log as a 'dissent log monitor' state FILE knows it"},
    {.name = "min-ring",
     .arg = "N",
     .help = "with --anonymous: the fewest members to hide among (default 10, or the memo's)"},
    {.name = "ring",
     .arg = "KIND",
     .help = "with --anonymous: 'organization' (your organization's ring, counted for it; the "
             "default) or 'coalition' (every organization's members: a larger set, counted in "
             "the total only)"},
    {0},
};

static const struct cli_opt opts_verify_signatures[] = {
    {.name = "proxy",
     .arg = "URL",
     .help = "connect through socks5h://HOST:PORT or http://HOST:PORT"},
    {.name = "no-log", .help = "skip the check of the rings and versions against the log (unsafe)"},
    {.name = "log-key",
     .arg = "KEY",
     .help = "the log's verifier key (name+id+key) the rings are checked against; default: the "
             "key pinned on first use"},
    {.name = "log-state",
     .arg = "FILE",
     .help = "check the rings against the log as a 'dissent log monitor' state FILE knows it"},
    {0},
};

static const struct cli_opt opts_verify_web[] = {
    {.name = "proxy",
     .arg = "URL",
     .help = "connect through socks5h://HOST:PORT or http://HOST:PORT"},
    {.name = "log-key",
     .arg = "KEY",
     .help = "the log's verifier key (name+id+key); default: the key pinned on first use"},
    {0},
};

static const struct cli_cmd key_cmds[] = {
    {.name = "new",
     .summary = "make a ring key for anonymous co-signatures, sealed under a passphrase",
     .usage = "[--key FILE] [--passphrase-file FILE] [--json]",
     .details = "The key file (mode 0600) is never overwritten. The passphrase is at least 8\n"
                "characters; it comes from --passphrase-file, $DISSENT_PASSPHRASE, or is asked\n"
                "twice on the terminal.",
     .opts = opts_key_file,
     .run = cmd_key_new},
    {.name = "show",
     .summary = "print the public key of your ring key file",
     .usage = "[--key FILE] [--json]",
     .opts = opts_key_show,
     .run = cmd_key_show},
    {.name = "enroll",
     .summary = "add your ring key to your organization's roster (or replace your old one)",
     .usage = "[--key FILE] [--passphrase-file FILE]",
     .details = "Needs a login. Proves possession of the key for your user name and\n"
                "organization. Memos already open for signatures keep the key they were opened\n"
                "with: a new key never gives a second signature.",
     .opts = opts_key_enroll,
     .flags = CLI_REMOTE,
     .run = cmd_key_enroll},
    {0},
};

static const struct cli_cmd memo_cmds[] = {
    {.name = "new",
     .summary = "start a memo (a draft, version 1) and print its id",
     .usage =
         "--channel C --title T --marking M (--body-file FILE | --body TEXT) [--co-drafter U]...",
     .opts = opts_memo_new,
     .flags = CLI_REMOTE,
     .run = cmd_memo_new},
    {.name = "edit",
     .summary = "record a new version; fields not given carry over",
     .usage = "ID [--title T] [--marking M] [--body-file FILE | --body TEXT]",
     .args = "ID",
     .opts = opts_memo_edit,
     .flags = CLI_REMOTE,
     .run = cmd_memo_edit},
    {.name = "show",
     .summary = "show a memo: marking, text, state, counts, review deadlines",
     .usage = "ID [--version N]",
     .args = "ID",
     .opts = opts_version,
     .flags = CLI_REMOTE,
     .run = cmd_memo_show},
    {.name = "render",
     .summary = "print the official rendering of a version (save it as a checkable copy)",
     .usage = "ID [--version N]",
     .args = "ID",
     .opts = opts_version,
     .flags = CLI_REMOTE,
     .run = cmd_memo_render},
    {.name = "diff",
     .summary = "show what changed between two versions",
     .usage = "ID FROM TO",
     .args = "ID FROM TO",
     .flags = CLI_REMOTE,
     .run = cmd_memo_diff},
    {.name = "list",
     .summary = "list memos you can see",
     .usage = "[--scope SCOPE] [--search WORDS] [--state S] [--page N] [filters…]",
     .opts = opts_memo_list,
     .flags = CLI_REMOTE,
     .run = cmd_memo_list},
    {.name = "versions",
     .summary = "list the versions of a memo",
     .usage = "ID",
     .args = "ID",
     .flags = CLI_REMOTE,
     .run = cmd_memo_versions},
    {.name = "circulate",
     .summary = "open a draft for co-signatures",
     .usage = "ID",
     .args = "ID",
     .flags = CLI_REMOTE,
     .run = cmd_memo_circulate},
    {.name = "remind",
     .summary = "remind the policy office of a memo under review (leadership; once a day)",
     .usage = "ID",
     .args = "ID",
     .flags = CLI_REMOTE,
     .run = cmd_memo_remind},
    {.name = "refresh-rings",
     .summary = "add members who enrolled a ring key since the memo opened (drafters)",
     .usage = "ID",
     .args = "ID",
     .details = "A memo accepts anonymous co-signatures against the roster snapshots taken when\n"
                "it started circulating: one ring per organization, and the coalition ring of\n"
                "every organization's members. Members who enrolled a key later are added by a\n"
                "refresh; a member who already had a key in a ring is never given a second.",
     .flags = CLI_REMOTE,
     .run = cmd_memo_refresh_rings},
    {.name = "withdraw",
     .summary = "withdraw a memo (before it is answered)",
     .usage = "ID",
     .args = "ID",
     .flags = CLI_REMOTE,
     .run = cmd_memo_withdraw},
    {.name = "add-drafter",
     .summary = "add a co-drafter (before submission)",
     .usage = "ID USER",
     .args = "ID USER",
     .flags = CLI_REMOTE,
     .run = cmd_memo_add_drafter},
    {.name = "remove-drafter",
     .summary = "remove a co-drafter, or yourself (before submission; never the last drafter)",
     .usage = "ID USER",
     .args = "ID USER",
     .flags = CLI_REMOTE,
     .run = cmd_memo_remove_drafter},
    {.name = "signers",
     .summary = "list who signed (the read is recorded in the access log)",
     .usage = "ID",
     .args = "ID",
     .flags = CLI_REMOTE,
     .run = cmd_memo_signers},
    {.name = "receipt",
     .summary = "your signature's receipt: the salt that opens its commitment in the log",
     .usage = "ID [--json]",
     .args = "ID",
     .details =
         "Every signature leaf of yours on the memo carries SHA-256(\"dissent-signer-v1\\n\"\n"
         "salt \"\\n\" memo \"\\n\" username). Revealing the salt proves those leaves are\n"
         "yours; it stays the same when you move, withdraw and sign again.",
     .flags = CLI_REMOTE,
     .run = cmd_memo_receipt},
    {.name = "counts",
     .summary = "signature counts per version and per organization",
     .usage = "ID",
     .args = "ID",
     .flags = CLI_REMOTE,
     .run = cmd_memo_counts},
    {.name = "messages",
     .summary = "messages between the drafters and the policy office",
     .usage = "ID",
     .args = "ID",
     .flags = CLI_REMOTE,
     .run = cmd_memo_messages},
    {0},
};

static const struct cli_cmd review_cmds[] = {
    {.name = "ack",
     .summary = "acknowledge a submitted memo",
     .usage = "ID",
     .args = "ID",
     .flags = CLI_REMOTE,
     .run = cmd_review_ack},
    {.name = "answer",
     .summary = "answer an acknowledged memo",
     .usage = "ID (--body-file FILE | --body TEXT)",
     .args = "ID",
     .opts = opts_body,
     .flags = CLI_REMOTE,
     .run = cmd_review_answer},
    {.name = "extend",
     .summary = "extend the answer deadline once, with a reason",
     .usage = "ID --reason TEXT",
     .args = "ID",
     .opts = opts_extend,
     .flags = CLI_REMOTE,
     .run = cmd_review_extend},
    {.name = "message",
     .summary = "send a message about a submitted memo",
     .usage = "ID (--body TEXT | --body-file FILE)",
     .args = "ID",
     .opts = opts_body,
     .flags = CLI_REMOTE,
     .run = cmd_review_message},
    {.name = "close",
     .summary = "close an answered memo",
     .usage = "ID",
     .args = "ID",
     .flags = CLI_REMOTE,
     .run = cmd_review_close},
    {.name = "queue",
     .summary = "memos waiting for the policy office, with deadlines",
     .usage = "",
     .flags = CLI_REMOTE,
     .run = cmd_review_queue},
    {0},
};

static const struct cli_cmd admin_org_cmds[] = {
    {.name = "add",
     .summary = "add an organization",
     .usage = "SLUG NAME",
     .args = "SLUG NAME",
     .flags = CLI_REMOTE,
     .run = cmd_admin_org_add},
    {0},
};

static const struct cli_cmd admin_member_cmds[] = {
    {.name = "add",
     .summary = "add a member account and print its one-time setup link",
     .usage = "USER --name N --org O --role R[,R]",
     .args = "USER",
     .details = "You never choose or learn the password: hand the printed setup link to the\n"
                "member, who chooses it ('dissent account setup' or the web page).",
     .opts = opts_member_add,
     .flags = CLI_REMOTE,
     .run = cmd_admin_member_add},
    {.name = "reset",
     .summary = "end every session of a member, clear the password, print a new setup link",
     .usage = "USER",
     .args = "USER",
     .details = "The link works only together with the member's recovery code, so a reset\n"
                "never lets you sign in as the member.",
     .flags = CLI_REMOTE,
     .run = cmd_admin_member_reset},
    {.name = "disable",
     .summary = "disable an account and end every session of it",
     .usage = "USER",
     .args = "USER",
     .flags = CLI_REMOTE,
     .run = cmd_admin_member_disable},
    {.name = "enable",
     .summary = "enable an account again (its old sessions stay ended)",
     .usage = "USER",
     .args = "USER",
     .flags = CLI_REMOTE,
     .run = cmd_admin_member_enable},
    {.name = "mail",
     .summary = "set a member's mail address for notifications ('' removes it)",
     .usage = "USER ADDRESS",
     .args = "USER ADDRESS",
     .details = "The member is told (an account event) and can change it herself.",
     .flags = CLI_REMOTE,
     .run = cmd_admin_member_mail},
    {0},
};

static const struct cli_cmd admin_channel_cmds[] = {
    {.name = "add",
     .summary = "add a channel with a deadline preset and a marking ceiling",
     .usage = "SLUG --name N --preset P --ceiling M [--timezone TZ]",
     .args = "SLUG",
     .opts = opts_channel_add,
     .flags = CLI_REMOTE,
     .run = cmd_admin_channel_add},
    {.name = "reminder",
     .summary = "when the channel reminds the policy office of a deadline",
     .usage = "SLUG [DAYS]",
     .args = "SLUG [DAYS]",
     .details = "Without DAYS, says how many working days before a deadline the policy office\n"
                "is reminded (1 unless set). With DAYS (0 to 20; 0: on the due day), sets it.",
     .flags = CLI_REMOTE,
     .run = cmd_admin_channel_reminder},
    {0},
};

static const struct cli_cmd admin_holiday_cmds[] = {
    {.name = "add",
     .summary = "add a holiday to a channel's working-day calendar",
     .usage = "CHANNEL DATE NAME",
     .args = "CHANNEL DATE NAME",
     .details = "DATE is YYYY-MM-DD.",
     .flags = CLI_REMOTE,
     .run = cmd_admin_holiday_add},
    {0},
};

static const struct cli_cmd receipts_cmds[] = {
    {.name = "check",
     .summary = "check that the server kept the promise of every receipt it signed",
     .usage = "[--server URL] [--log-key KEY]",
     .details = "The anonymous endpoint answers with a receipt signed by the log key: what it\n"
                "accepted and the batch time by which it will be in the log. The CLI keeps\n"
                "them (beside the session, '.receipts.json'); this fetches the log (re-hashed\n"
                "to a checkpoint signed by the pinned key) and reports each receipt as kept,\n"
                "pending, or BROKEN with the receipt as evidence. Exit 1 if any is broken or\n"
                "invalid. 'sign --anonymous' and 'verify-signatures' check a memo's receipts\n"
                "too.",
     .opts = opts_log_key,
     .flags = CLI_REMOTE,
     .run = cmd_receipts_check},
    {0},
};

static const struct cli_opt opts_admin_settings[] = {
    {.name = "totp-required",
     .arg = "on|off",
     .help = "require a second factor of reviewers, leadership, auditors and admins"},
    {0},
};

static const struct cli_cmd admin_cmds[] = {
    {.name = "settings",
     .summary = "the installation's settings (shown without options)",
     .usage = "[--totp-required on|off]",
     .opts = opts_admin_settings,
     .flags = CLI_REMOTE,
     .run = cmd_admin_settings},
    {.name = "org", .summary = "organizations", .subs = admin_org_cmds},
    {.name = "member", .summary = "member accounts", .subs = admin_member_cmds},
    {.name = "channel", .summary = "channels", .subs = admin_channel_cmds},
    {.name = "holiday", .summary = "channel holidays", .subs = admin_holiday_cmds},
    {0},
};

static const struct cli_cmd root_cmds[] = {
    /* Local installation (no server). */
    {.name = "init",
     .summary = "create an empty installation with one admin",
     .usage = "[options]",
     .raw = cmd_init},
    {.name = "serve", .summary = "run the server", .usage = "[options]", .raw = cmd_serve},
    {.name = "demo",
     .summary = "fill an installation with demo organizations and accounts",
     .usage = "[options]",
     .raw = cmd_demo},
    {.name = "tick",
     .summary = "run the server's background jobs once (missed deadlines …)",
     .usage = "[--job NAME] [options]",
     .raw = cmd_tick},
    {.name = "migrate",
     .summary = "bring a database of an older dissent up to date (keys out, text encrypted)",
     .usage = "[options]",
     .raw = cmd_migrate},
    /* Session. */
    {.name = "login",
     .summary = "log in and save the session",
     .usage = "[--server URL] [--user USER] [--password-file FILE]",
     .details =
         "The session {server, token, username} is saved with mode 0600 to $DISSENT_CONFIG,\n"
         "else ${XDG_CONFIG_HOME:-~/.config}/dissent/session.json.",
     .opts = opts_login,
     .flags = CLI_REMOTE,
     .run = cmd_login},
    {.name = "logout",
     .summary = "end the session and remove the saved login",
     .usage = "",
     .flags = CLI_REMOTE,
     .run = cmd_logout},
    {.name = "whoami",
     .summary = "show the member you are logged in as",
     .usage = "",
     .flags = CLI_REMOTE,
     .run = cmd_whoami},
    {.name = "account",
     .summary = "your account: set up from a link, password, recovery code, events",
     .subs = account_cmds},
    {.name = "notifications",
     .summary = "your notifications, newest first; mark them read",
     .usage = "[--unread] [--read ID|all]",
     .details = "Each line: id, read or UNREAD, when, what kind of news, and the memo's id.\n"
                "Choose how news reaches you with 'dissent account notifications'.",
     .opts = opts_notifications,
     .flags = CLI_REMOTE,
     .run = cmd_notifications},
    /* Memos and their review. */
    {.name = "memo", .summary = "draft, circulate and read memos", .subs = memo_cmds},
    {.name = "sign",
     .summary = "co-sign a circulating memo (signing again moves the signature)",
     .usage = "ID [--version N] [--anonymous [--ring organization|coalition] [--key FILE] "
              "[--passphrase-file FILE] [--proxy URL]]",
     .args = "ID",
     .details =
         "With --anonymous the signature is a ring signature made here with your ring key\n"
         "('dissent key new', 'dissent key enroll'): it is sent without your session, to an\n"
         "endpoint that logs no address, and counts once per member and memo (signing\n"
         "again moves it). Before proving, the memo's rings are checked against the\n"
         "transparency log (its key pinned on first use, or --log-key/--log-state): keys\n"
         "distinct, ring 1 = the roster snapshot replayed from the log's roster leaves,\n"
         "refreshed keys roster keys. The verified anonymity set is shown; below\n"
         "--min-ring (default 10) nothing is proved or sent. --ring coalition signs in\n"
         "the memo's coalition ring (every organization's members: a larger set,\n"
         "counted in the total only, never for an organization). A signature stays on\n"
         "the kind of ring it was made on: moving or withdrawing it uses that one.",
     .opts = opts_sign,
     .flags = CLI_REMOTE,
     .run = cmd_sign_any},
    {.name = "unsign",
     .summary = "withdraw your signature",
     .usage = "ID [--anonymous [--ring organization|coalition] [--key FILE] [--passphrase-file "
              "FILE] [--proxy URL]]",
     .args = "ID",
     .opts = opts_unsign,
     .flags = CLI_REMOTE,
     .run = cmd_unsign_any},
    {.name = "submit",
     .summary = "submit a memo to the policy office (deadlines start)",
     .usage = "ID",
     .args = "ID",
     .flags = CLI_REMOTE,
     .run = cmd_submit},
    {.name = "review", .summary = "the policy office's side of a memo", .subs = review_cmds},
    {.name = "access-log",
     .summary = "who read what: one memo (drafters) or everything (auditors)",
     .usage = "[ID] | [--memo ID] [--member U] [--from DAY] [--to DAY] [--page N] [--per-page N] "
              "[--csv]",
     .args = "[ID]",
     .opts = opts_access_log,
     .flags = CLI_REMOTE,
     .run = cmd_access_log},
    {.name = "admin", .summary = "accounts, organizations and channels", .subs = admin_cmds},
    /* The transparency log. */
    {.name = "verify",
     .summary = "check a copy of a memo against the transparency log, paragraph by paragraph",
     .usage = "FILE [--log-key KEY] [--server URL] [--json]",
     .args = "FILE",
     .details = "FILE ('-': standard input) is a copy of an official rendering ('dissent memo\n"
                "render'), possibly re-wrapped or edited; its 'dissent-verify:' line names the\n"
                "memo, the version and the key of its digests. Exit status: 0 exact match,\n"
                "1 a difference, no match or a copy that cannot be checked, 2 wrong usage.",
     .opts = opts_log_key,
     .flags = CLI_REMOTE,
     .run = cmd_verify},
    {.name = "log", .summary = "read and monitor the public transparency log", .subs = log_cmds},
    {.name = "stats",
     .summary = "recompute each channel's responsiveness from the public log",
     .usage = "[--channel SLUG] [--at TIME] [--log-key KEY]",
     .details = "Fetches every leaf, checks them against the signed checkpoint (the pinned log\n"
                "key), computes met and missed deadlines, medians in working days and what is\n"
                "overdue with the channel's published calendar, and compares them with the\n"
                "server's figures (/public/channels/SLUG). Exit 1 when they differ.",
     .opts = opts_stats,
     .flags = CLI_REMOTE,
     .run = cmd_stats},
    {.name = "witness",
     .summary = "witness other logs: cosign consistent checkpoints",
     .subs = cmd_witness_cmds},
    /* Anonymous co-signatures. */
    {.name = "key", .summary = "your ring key for anonymous co-signatures", .subs = key_cmds},
    {.name = "receipts",
     .summary = "the signed receipts of your anonymous signatures",
     .subs = receipts_cmds},
    {.name = "verify-signatures",
     .summary = "re-verify every anonymous signature of a memo from public data alone",
     .usage =
         "ID [--server URL] [--json] [--proxy URL] [--log-key KEY] [--log-state FILE] [--no-log]",
     .args = "ID",
     .details = "Needs no login. Rebuilds each ring from its keys and checks its digest, verifies\n"
                "every proof (in one batch per ring), checks that tags are unique, recomputes the\n"
                "counts per version and per organization and compares them with the server's,\n"
                "and recomputes every ring from the roster leaves of the transparency log (all\n"
                "leaves re-hashed to a checkpoint signed by the pinned log key; --no-log skips\n"
                "this and says so).\n"
                "Exit status: 0 everything matches, 1 any mismatch or failure.",
     .opts = opts_verify_signatures,
     .flags = CLI_REMOTE,
     .run = cmd_verify_signatures},
    {.name = "verify-web",
     .summary = "check that the web pages a server serves are the release its log records",
     .usage = "[--server URL] [--json] [--proxy URL] [--log-key KEY]",
     .details =
         "Needs no login. Reads the transparency log (every leaf re-hashed to a checkpoint\n"
         "signed by the pinned log key, checked against the witness policy and the checkpoints\n"
         "seen before), finds its latest client-release leaf, fetches the server's release\n"
         "manifest (GET /api/v1/client/release) and every file it lists, and compares their\n"
         "SHA-256 with the logged release. Names each file that differs.\n"
         "Exit status: 0 everything matches, 1 any difference, a release that is not the\n"
         "log's latest or not in the log at all, or any failure.",
     .opts = opts_verify_web,
     .flags = CLI_REMOTE,
     .run = cmd_verify_web},
    {0},
};

const struct cli_cmd *cli_commands(void)
{
    return root_cmds;
}

/* ---- options and arguments --------------------------------------------- */

static const struct cli_opt *find_opt_in(const struct cli_opt *opts, const char *name, size_t n)
{
    const struct cli_opt *o;
    for (o = opts; o && o->name; o++)
        if (strlen(o->name) == n && strncmp(o->name, name, n) == 0)
            return o;
    return NULL;
}

static const struct cli_opt *find_opt(const struct cli_cmd *cmd, const char *name, size_t n)
{
    const struct cli_opt *o = find_opt_in(cmd->opts, name, n);
    if (!o && (cmd->flags & CLI_REMOTE))
        o = find_opt_in(remote_opts, name, n);
    return o;
}

static int opt_matches(const struct cli_opt *o, const char *name)
{
    return o && strcmp(o->name, name) == 0;
}

const char *cli_opt(const struct cli_ctx *ctx, const char *name)
{
    const char *v = NULL;
    for (int i = 0; i < ctx->nopts; i++)
        if (opt_matches(ctx->opt_of[i], name))
            v = ctx->opt_val[i];
    return v;
}

const char *cli_opt_nth(const struct cli_ctx *ctx, const char *name, size_t n)
{
    size_t seen = 0;
    for (int i = 0; i < ctx->nopts; i++) {
        if (opt_matches(ctx->opt_of[i], name)) {
            if (seen == n)
                return ctx->opt_val[i];
            seen++;
        }
    }
    return NULL;
}

int cli_flag(const struct cli_ctx *ctx, const char *name)
{
    return cli_opt(ctx, name) != NULL;
}

int cli_fail(const struct cli_ctx *ctx, const struct err *e)
{
    fprintf(ctx->err, "dissent: %s\n", e->msg[0] ? e->msg : "failed");
    return CLI_FAIL;
}

int cli_usage_error(const struct cli_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    fputs("dissent: ", ctx->err);
    va_start(ap, fmt);
    vfprintf(ctx->err, fmt, ap);
    va_end(ap);
    fprintf(ctx->err, "\nsee 'dissent %s --help'\n", ctx->path);
    return CLI_USAGE;
}

int cli_require(const struct cli_ctx *ctx, ...)
{
    int rc = CLI_OK;
    va_list ap;
    const char *name;
    va_start(ap, ctx);
    while (rc == CLI_OK && (name = va_arg(ap, const char *)) != NULL)
        if (!cli_opt(ctx, name))
            rc = cli_usage_error(ctx, "missing option --%s for 'dissent %s'", name, ctx->path);
    va_end(ap);
    return rc;
}

int cli_arg_i64(const char *s, const char *what, long long min, long long max, long long *out,
                struct err *e)
{
    int64_t v;
    if (parse_i64(s, (int64_t)min, (int64_t)max, &v) != 0)
        return err_set(e, ERR_INVALID, "%s must be a whole number from %lld to %lld, not '%s'",
                       what, min, max, s);
    *out = (long long)v;
    return 0;
}

/* Positional argument spec: counts words, those in [] are optional, a
 * trailing "..." means any number. Fills the name of word i in name. */
struct arg_spec {
    int min;
    int max; /* -1: unlimited */
};

static struct arg_spec arg_spec_of(const char *args)
{
    struct arg_spec s = {0, 0};
    const char *p = args;
    while (p && *p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *w = p;
        while (*p && *p != ' ')
            p++;
        size_t n = (size_t)(p - w);
        if (n >= 3 && strncmp(p - 3, "...", 3) == 0)
            s.max = -1;
        if (s.max >= 0)
            s.max++;
        if (*w != '[')
            s.min++;
    }
    return s;
}

/* Copies the name of positional word i (brackets and dots removed) into out. */
static void arg_name(const char *args, int i, char *out, size_t n)
{
    const char *p = args ? args : "";
    int k = 0;
    snprintf(out, n, "argument");
    while (*p) {
        while (*p == ' ')
            p++;
        const char *w = p;
        while (*p && *p != ' ')
            p++;
        if (w == p)
            break;
        if (k == i || (p - w >= 3 && strncmp(p - 3, "...", 3) == 0 && k < i)) {
            const char *a = w, *b = p;
            while (a < b && (*a == '['))
                a++;
            while (b > a && (b[-1] == ']' || b[-1] == '.'))
                b--;
            snprintf(out, n, "%.*s", (int)(b - a), a);
            if (k == i)
                return;
        }
        k++;
    }
}

/* Parses argv (argv[0] is the command's name) into ctx. Returns CLI_OK,
 * CLI_USAGE after printing a message, or -1 when help was asked for. */
static int parse_args(struct cli_ctx *ctx, int argc, char **argv)
{
    int rc = CLI_OK;
    int only_args = 0;
    struct arg_spec spec = arg_spec_of(ctx->cmd->args);

    ctx->args = calloc((size_t)argc + 1, sizeof *ctx->args);
    ctx->opt_of = calloc((size_t)argc + 1, sizeof *ctx->opt_of);
    ctx->opt_val = calloc((size_t)argc + 1, sizeof *ctx->opt_val);
    if (!ctx->args || !ctx->opt_of || !ctx->opt_val) {
        fputs("dissent: out of memory\n", ctx->err);
        rc = CLI_FAIL;
        goto out;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_args || a[0] != '-' || a[1] == '\0') {
            ctx->args[ctx->nargs++] = argv[i];
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_args = 1;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            rc = -1;
            goto out;
        }
        if (a[1] != '-') {
            rc = cli_usage_error(ctx, "unknown option '%s' for 'dissent %s'", a, ctx->path);
            goto out;
        }
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t n = eq ? (size_t)(eq - name) : strlen(name);
        const struct cli_opt *o = find_opt(ctx->cmd, name, n);
        if (!o) {
            rc = cli_usage_error(ctx, "unknown option '--%.*s' for 'dissent %s'", (int)n, name,
                                 ctx->path);
            goto out;
        }
        const char *val = "";
        if (o->arg) {
            if (eq) {
                val = eq + 1;
            } else if (i + 1 < argc) {
                val = argv[++i];
            } else {
                rc = cli_usage_error(ctx, "option --%s needs a value (%s)", o->name, o->arg);
                goto out;
            }
        } else if (eq) {
            rc = cli_usage_error(ctx, "option --%s takes no value", o->name);
            goto out;
        }
        if (!(o->flags & CLI_OPT_MULTI) && cli_opt(ctx, o->name)) {
            rc = cli_usage_error(ctx, "option --%s is given more than once", o->name);
            goto out;
        }
        ctx->opt_of[ctx->nopts] = o;
        ctx->opt_val[ctx->nopts] = val;
        ctx->nopts++;
    }
    if (ctx->nargs < spec.min) {
        char name[64];
        arg_name(ctx->cmd->args, ctx->nargs, name, sizeof name);
        rc = cli_usage_error(ctx, "missing argument %s for 'dissent %s'", name, ctx->path);
        goto out;
    }
    if (spec.max >= 0 && ctx->nargs > spec.max) {
        rc = cli_usage_error(ctx, "unexpected argument '%s' for 'dissent %s'", ctx->args[spec.max],
                             ctx->path);
        goto out;
    }
out:
    return rc;
}

static void ctx_release(struct cli_ctx *ctx)
{
    free(ctx->args);
    free((void *)ctx->opt_of);
    free((void *)ctx->opt_val);
    ctx->args = NULL;
    ctx->opt_of = NULL;
    ctx->opt_val = NULL;
}

/* ---- help -------------------------------------------------------------- */

static void print_opt(FILE *f, const struct cli_opt *o)
{
    char left[64];
    snprintf(left, sizeof left, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
    fprintf(f, "  %-26s %s\n", left, o->help ? o->help : "");
}

static void print_cmd_list(FILE *f, const struct cli_cmd *cmds)
{
    for (const struct cli_cmd *c = cmds; c->name; c++)
        fprintf(f, "  %-14s %s\n", c->name, c->summary ? c->summary : "");
}

/* Prints a summary as a sentence: capitalized, with a full stop. */
static void print_sentence(FILE *f, const char *s)
{
    char first = s[0];
    if (first >= 'a' && first <= 'z')
        first = (char)(first - 'a' + 'A');
    if (first)
        fprintf(f, "%c%s.\n", first, s + 1);
}

static void print_help(FILE *f, const struct cli_cmd *cmd, const char *path)
{
    if (cmd->subs) {
        fprintf(f, "usage: dissent %s <command> [options]\n\n", path);
        print_sentence(f, cmd->summary ? cmd->summary : "");
        fputs("\ncommands:\n", f);
        print_cmd_list(f, cmd->subs);
        fprintf(f, "\nRun 'dissent %s <command> --help' for the options of each.\n", path);
        return;
    }
    fprintf(f, "usage: dissent %s%s%s\n\n", path, cmd->usage && cmd->usage[0] ? " " : "",
            cmd->usage ? cmd->usage : "");
    if (cmd->summary)
        print_sentence(f, cmd->summary);
    if (cmd->details)
        fprintf(f, "\n%s\n", cmd->details);
    if (cmd->raw) {
        fprintf(f, "\nRun 'dissent %s --help' for its options.\n", path);
        return;
    }
    fputs("\noptions:\n", f);
    for (const struct cli_opt *o = cmd->opts; o && o->name; o++)
        print_opt(f, o);
    if (cmd->flags & CLI_REMOTE)
        for (const struct cli_opt *o = remote_opts; o->name; o++)
            print_opt(f, o);
    fprintf(f, "  %-26s %s\n", "-h, --help", help_opt.help);
}

static void print_main_help(FILE *f)
{
    fputs("usage: dissent <command> [arguments] [options]\n\n"
          "dissent: a dissent channel. Staff draft memos, co-sign them and submit them to a\n"
          "policy office that must acknowledge and answer within enforced deadlines.\n\n"
          "commands:\n",
          f);
    print_cmd_list(f, root_cmds);
    fputs("\nRun 'dissent help <command>' or 'dissent <command> --help' for details.\n"
          "Environment: DISSENT_SERVER, DISSENT_TOKEN, DISSENT_PASSWORD, DISSENT_CONFIG.\n"
          "Exit status: 0 success, 1 failure, 2 wrong usage.\n",
          f);
}

/* ---- dispatch ---------------------------------------------------------- */

static const struct cli_cmd *find_cmd(const struct cli_cmd *cmds, const char *name)
{
    for (const struct cli_cmd *c = cmds; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

/* Edit distance of two short words (capped), for "did you mean". */
static size_t edit_distance(const char *a, const char *b)
{
    size_t row[33];
    size_t la = strlen(a), lb = strlen(b);
    if (la > 32 || lb > 32)
        return 99;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

static int unknown_cmd(FILE *f, const struct cli_cmd *cmds, const char *path, const char *name)
{
    const struct cli_cmd *near = NULL;
    size_t best = 3;
    for (const struct cli_cmd *c = cmds; c->name; c++) {
        size_t d = edit_distance(name, c->name);
        if (d < best) {
            best = d;
            near = c;
        }
    }
    fprintf(f, "dissent: unknown command '%s%s%s'", path, path[0] ? " " : "", name);
    if (near)
        fprintf(f, "; did you mean '%s%s%s'?", path, path[0] ? " " : "", near->name);
    fprintf(f, "\nsee 'dissent %s%s--help'\n", path, path[0] ? " " : "");
    return CLI_USAGE;
}

static int is_help(const char *a)
{
    return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

static void path_add(char *path, size_t n, const char *word)
{
    size_t len = strlen(path);
    snprintf(path + len, n - len, "%s%s", len ? " " : "", word);
}

/* `dissent help [CMD [SUB...]]` */
static int run_help(int argc, char **argv, FILE *out, FILE *err)
{
    const struct cli_cmd *cmds = root_cmds, *cmd = NULL;
    char path[128] = "";
    if (argc < 1) {
        print_main_help(out);
        return CLI_OK;
    }
    for (int i = 0; i < argc; i++) {
        if (cmd && !cmd->subs) {
            fprintf(err, "dissent: '%s' has no subcommand '%s'\n", path, argv[i]);
            return CLI_USAGE;
        }
        cmd = find_cmd(cmds, argv[i]);
        if (!cmd)
            return unknown_cmd(err, cmds, path, argv[i]);
        path_add(path, sizeof path, argv[i]);
        cmds = cmd->subs;
    }
    if (cmd->raw) {
        char *help_argv[] = {(char *)cmd->name, (char *)"--help", NULL};
        fflush(out);
        return cmd->raw(2, help_argv);
    }
    print_help(out, cmd, path);
    return CLI_OK;
}

static int run_cmd(const struct cli_cmd *cmd, const char *path, int argc, char **argv, FILE *out,
                   FILE *err)
{
    int rc;
    struct cli_ctx ctx;

    if (cmd->raw) {
        /* Local commands parse their own options and answer --help themselves. */
        fflush(out);
        fflush(err);
        return cmd->raw(argc, argv);
    }
    memset(&ctx, 0, sizeof ctx);
    ctx.cmd = cmd;
    ctx.out = out;
    ctx.err = err;
    snprintf(ctx.path, sizeof ctx.path, "%s", path);
    rc = parse_args(&ctx, argc, argv);
    if (rc == -1) {
        print_help(out, cmd, path);
        rc = CLI_OK;
    } else if (rc == CLI_OK) {
        rc = cmd->run(&ctx);
    }
    fflush(out);
    ctx_release(&ctx);
    return rc;
}

int cli_main(int argc, char **argv)
{
    FILE *out = out_stream(), *err = err_stream();
    const struct cli_cmd *cmds = root_cmds, *cmd = NULL;
    char path[128] = "";
    int i = 1;

    if (argc < 2) {
        print_main_help(err);
        return CLI_USAGE;
    }
    if (is_help(argv[1])) {
        print_main_help(out);
        return CLI_OK;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        fprintf(out, "dissent %s\n", DISSENT_VERSION);
        return CLI_OK;
    }
    if (strcmp(argv[1], "help") == 0)
        return run_help(argc - 2, argv + 2, out, err);
    for (;;) {
        if (argv[i][0] == '-') {
            if (path[0])
                fprintf(err,
                        "dissent: unknown option '%s' for 'dissent %s'\nsee 'dissent %s --help'\n",
                        argv[i], path, path);
            else
                fprintf(err, "dissent: unknown option '%s'\nsee 'dissent --help'\n", argv[i]);
            return CLI_USAGE;
        }
        cmd = find_cmd(cmds, argv[i]);
        if (!cmd)
            return unknown_cmd(err, cmds, path, argv[i]);
        path_add(path, sizeof path, argv[i]);
        if (!cmd->subs)
            break;
        if (i + 1 >= argc) {
            fprintf(err, "dissent: '%s' needs a command\n\n", path);
            print_help(err, cmd, path);
            return CLI_USAGE;
        }
        if (is_help(argv[i + 1])) {
            print_help(out, cmd, path);
            return CLI_OK;
        }
        cmds = cmd->subs;
        i++;
    }
    return run_cmd(cmd, path, argc - i, argv + i, out, err);
}
