/* main.c — the dissent binary: dispatches to the CLI command table. */
#include "cli/cli.h"

int main(int argc, char **argv)
{
    return cli_main(argc, argv);
}
