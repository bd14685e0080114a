/* local.h — commands that work on the local installation directly (no server):
 * `dissent init`, `dissent serve`, `dissent demo`. They open the store and
 * the channel layer themselves. Each takes the arguments after its name
 * (argv[0] is the command name) and returns a process exit status. */
#ifndef DISSENT_CLI_LOCAL_H
#define DISSENT_CLI_LOCAL_H

int cmd_init(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_demo(int argc, char **argv);

#endif
