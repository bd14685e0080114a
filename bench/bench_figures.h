/* bench_figures.h — a benchmark's figures as lines for the goals table.
 *
 * Each benchmark prints its figures for people; bench_figure also appends
 * "name<TAB>value<TAB>unit" to the file $DISSENT_BENCH_FIGURES names (when
 * set), and scripts/bench.sh reads that file into the summary table that
 * ends `make bench`. Figures are printed, never asserted. */
#ifndef DISSENT_BENCH_FIGURES_H
#define DISSENT_BENCH_FIGURES_H

#include <stdio.h>
#include <stdlib.h>

static inline void bench_figure(const char *name, double value, const char *unit)
{
    const char *path = getenv("DISSENT_BENCH_FIGURES");
    FILE *f;
    if (!path || !*path)
        return;
    f = fopen(path, "a");
    if (!f)
        return;
    fprintf(f, "%s\t%.6g\t%s\n", name, value, unit);
    fclose(f);
}

#endif
