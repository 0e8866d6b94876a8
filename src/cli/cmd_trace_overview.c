/* `gorca trace overview`: every trace analysis from one pass, as one text report (the
 * biggest goroutine groups, blocking shares and top frames, GC, scheduling, requests, chains,
 * CPU) or one JSON document with every section (what `gorca analyze` builds on). */
#include <string.h>
#include "cmd_trace_an.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: gorca trace overview [<options>] TRACE\n\n"
               "Runs every trace analysis in one pass and prints them together: goroutine groups,\n"
               "blocking classes and top frames, GC and STW, scheduling latency, HTTP requests,\n"
               "blocking chains and CPU samples. With --json, one document with every section\n"
               "(goroutines, blocking, gc, sched, timeline, requests, chains, "
               "cpu).\n\n" AN_CLI_COMMON_HELP);
}

static void section(struct gorca_buf *b, const char *title)
{
    gorca_buf_printf(b, "\n== %s ", title);
    for (size_t i = strlen(title) + 4; i < 99; i++)
        gorca_buf_putc(b, '=');
    gorca_buf_puts(b, "\n\n");
}

static void groups_text(struct gorca_buf *b, const struct gorca_analysis *an, size_t top)
{
    size_t n, i;
    const struct gorca_trace_group *g = gorca_analysis_groups(an, &n);
    char d[4][16], nm[64];

    gorca_buf_printf(b, "%-40s %6s %9s %9s %9s\n", "START FUNCTION", "COUNT", "EXEC", "SCHED",
                     "TOTAL");
    for (i = 0; i < n && i < top; i++)
        gorca_buf_printf(b, "%-40s %6llu %9s %9s %9s\n",
                         an_cut(nm, 64, g[i].name[0] ? g[i].name : "(unnamed)", 40),
                         (unsigned long long)g[i].count, an_dur(d[0], 16, g[i].exec_ns),
                         an_dur(d[1], 16, g[i].sched_wait_ns), an_dur(d[2], 16, g[i].total_ns));
}

static void overview_text(struct gorca_buf *b, const struct gorca_analysis *an, size_t top)
{
    size_t short_top = top < 10 ? top : 10;

    section(b, "goroutine groups (by execution time)");
    groups_text(b, an, short_top);
    section(b, "blocking");
    an_cli_blocking_text(b, an, short_top < 5 ? short_top : 5);
    section(b, "GC and stop-the-world");
    an_cli_gc_text(b, an, short_top < 5 ? short_top : 5);
    section(b, "scheduling");
    an_cli_sched_text(b, an, short_top < 5 ? short_top : 5);
    section(b, "HTTP requests");
    an_cli_requests_text(b, an, short_top);
    section(b, "blocking chains");
    an_cli_chains_text(b, an, short_top < 5 ? short_top : 5);
    section(b, "CPU samples");
    an_cli_cpu_text(b, an, short_top);
}

int cmd_trace_overview(int argc, char **argv)
{
    return an_cli_simple(argc, argv, "trace overview", usage, GORCA_AN_JSON_ALL, "trace overview",
                         overview_text);
}
