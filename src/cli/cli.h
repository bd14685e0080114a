/* cli.h — the `dissent` command line: a const table of commands, the
 * dispatcher, the option parser and the helpers every command shares.
 *
 * Adding a command is one row in the table of src/cli/cli.c plus one function
 * `int cmd_x(struct cli_ctx *ctx)` (declared in cli/commands.h). A command that
 * talks to a server sets CLI_REMOTE and so accepts `--server URL` and `--json`
 * without declaring them. Exit statuses: 0 success, 1 failure (a message
 * "dissent: ..." on standard error), 2 wrong usage (unknown command or
 * option, missing or extra argument).
 */
#ifndef DISSENT_CLI_CLI_H
#define DISSENT_CLI_CLI_H

#include "base/compat.h"
#include "base/err.h"
#include <stddef.h>
#include <stdio.h>

#ifndef DISSENT_VERSION
#define DISSENT_VERSION "0.1.0-dev"
#endif

enum cli_status { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* The option may be given several times (cli_opt_nth reads each). */
#define CLI_OPT_MULTI 1u

/* One long option of a command, `--name VALUE` or `--name=VALUE` (or `--name`
 * alone when arg is NULL). Arrays of options end with a row whose name is NULL. */
struct cli_opt {
    const char *name; /* without the dashes */
    const char *arg;  /* placeholder shown in help ("FILE"), NULL for a flag */
    const char *help; /* one line */
    unsigned flags;   /* CLI_OPT_* */
};

/* The command talks to a server: it gets --server URL and --json. */
#define CLI_REMOTE 1u

struct cli_ctx;

/* One row of the command table. A row has exactly one of run, raw or subs.
 * Arrays of commands end with a row whose name is NULL. */
struct cli_cmd {
    const char *name;                  /* one word: "new" under "memo" */
    const char *summary;               /* one line, shown in lists */
    const char *usage;                 /* synopsis after the command path, "" if none */
    const char *args;                  /* positional arguments: "ID FROM TO", "[ID]", "USER..." */
    const char *details;               /* more help text, or NULL */
    const struct cli_opt *opts;        /* the command's own options, or NULL */
    unsigned flags;                    /* CLI_REMOTE */
    int (*run)(struct cli_ctx *ctx);   /* parsed command */
    int (*raw)(int argc, char **argv); /* takes its own arguments (argv[0] is its name) */
    const struct cli_cmd *subs;        /* a group of subcommands */
};

/* What a command receives: its positional arguments and its options, in the
 * order given. Owned by the dispatcher; valid while the command runs. */
struct cli_ctx {
    const struct cli_cmd *cmd;
    char path[128]; /* "memo new", for messages */
    int nargs;      /* positional arguments */
    char **args;
    int nopts;                     /* options given */
    const struct cli_opt **opt_of; /* which option, per given option */
    const char **opt_val;          /* its value ("" for a flag) */
    FILE *out;                     /* where results go (stdout) */
    FILE *err;                     /* where messages go (stderr) */
};

/* Runs the command line (argv[0] is the program). Returns the exit status. */
int cli_main(int argc, char **argv);

/* Redirects what cli_main and the commands print (tests); NULL restores
 * stdout or stderr. */
void cli_set_streams(FILE *out, FILE *err);

/* The root of the command table (ends with a NULL name). */
const struct cli_cmd *cli_commands(void);

/* Value of the last --name given, or NULL if it was not given. A flag's
 * value is "". */
const char *cli_opt(const struct cli_ctx *ctx, const char *name);

/* Value of the i-th (from 0) --name given, or NULL past the last one. */
const char *cli_opt_nth(const struct cli_ctx *ctx, const char *name, size_t i);

/* 1 if the flag --name was given, else 0. */
int cli_flag(const struct cli_ctx *ctx, const char *name);

/* Prints "dissent: <e->msg>" on ctx->err and returns CLI_FAIL. */
int cli_fail(const struct cli_ctx *ctx, const struct err *e);

/* Prints "dissent: <message>" and a pointer to the command's help on
 * ctx->err and returns CLI_USAGE. */
int cli_usage_error(const struct cli_ctx *ctx, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* Checks that each named option (a NULL-terminated list) was given; else
 * prints "missing option --x" as a usage error. Returns CLI_OK or CLI_USAGE. */
int cli_require(const struct cli_ctx *ctx, ...);

/* Parses positional argument i as a number in [min, max] (what names it in
 * messages, e.g. "version"). Returns 0, or -1 with a message in e. */
int cli_arg_i64(const char *s, const char *what, long long min, long long max, long long *out,
                struct err *e) WUR;

#endif
