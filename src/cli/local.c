/* local.c — placeholder until the local commands land. */
#include "cli/local.h"

#include <stdio.h>

int cmd_init(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("dissent init: not built yet\n", stderr);
    return 1;
}

int cmd_serve(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("dissent serve: not built yet\n", stderr);
    return 1;
}

int cmd_demo(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("dissent demo: not built yet\n", stderr);
    return 1;
}
