/* local.h — commands that work on the local installation directly (no server):
 * `dissent init`, `dissent serve`, `dissent demo`, `dissent migrate`. They
 * set the umask to 077 (every file they make is private) and open the store and
 * the channel layer themselves. Each takes the arguments after its name
 * (argv[0] is the command name) and returns a process exit status. */
#ifndef DISSENT_CLI_LOCAL_H
#define DISSENT_CLI_LOCAL_H

int cmd_init(int argc, char **argv);
int cmd_serve(int argc, char **argv);
/* `dissent log publish-batch [--now]`: publishes the queued batch entries
 * that are due (all with --now) in one shuffled batch, as the server's
 * ticker does (for operators and tests). */
int cmd_log_publish_batch(int argc, char **argv);
int cmd_demo(int argc, char **argv);
/* Moves the log key out of the database and encrypts memo text in place
 * (store_at_rest_migrate); running it again changes nothing. */
int cmd_migrate(int argc, char **argv);

/* `dissent tick`: runs the server's background jobs (serve_ticker.h) once,
 * or only --job NAME, at the server's clock; what `serve` does every
 * period. For operators (after restoring a backup) and tests. */
int cmd_tick(int argc, char **argv);

#endif
