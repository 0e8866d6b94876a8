/* `gorca trace gc`: GC cycles, stop-the-world pauses (kind and duration), the pause
 * distribution and how periodic cycles and long pauses are, mark assists, and the minimum
 * mutator utilization curve (as go tool trace's /mmu page, default flags). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "cmd_trace_an.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: gorca trace gc [<options>] TRACE\n\n"
               "GC cycles, stop-the-world pauses with their reason, pause distribution (max, p50,\n"
               "p99) and periodicity, mark assist time, and minimum mutator utilization.\n\n"
               "  --mmu=FLAGS      what counts as GC for the MMU, '|'-separated: stw, background,\n"
               "                   assist, sweep, perProc (default stw|background|assist|sweep);\n"
               "                   fixworkers counts GC workers once per run (go tool trace\n"
               "                   double-counts them, which can pin utilization at 0)\n"
               "  --long=DUR       pauses at least this long are 'long' (default "
               "10ms)\n" AN_CLI_COMMON_HELP);
}

static int parse_mmu_flags(const char *s, unsigned *out)
{
    static const struct {
        const char *name;
        unsigned f;
    } names[] = { { "stw", GORCA_MMU_STW },          { "background", GORCA_MMU_BACKGROUND },
                  { "assist", GORCA_MMU_ASSIST },    { "sweep", GORCA_MMU_SWEEP },
                  { "perProc", GORCA_MMU_PER_PROC }, { "fixworkers", GORCA_MMU_FIX_WORKERS } };
    char buf[128], *tok, *save = NULL;
    size_t i;

    *out = 0;
    snprintf(buf, sizeof(buf), "%s", s);
    for (tok = strtok_r(buf, "|,", &save); tok; tok = strtok_r(NULL, "|,", &save)) {
        for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
            if (strcmp(tok, names[i].name) == 0)
                break;
        if (i == sizeof(names) / sizeof(names[0]))
            return -1;
        *out |= names[i].f;
    }
    return *out ? 0 : -1;
}

static int cmp_pause(const void *a, const void *b)
{
    const struct gorca_stw_pause *x = *(const struct gorca_stw_pause *const *)a;
    const struct gorca_stw_pause *y = *(const struct gorca_stw_pause *const *)b;
    if (x->dur_ns != y->dur_ns)
        return x->dur_ns > y->dur_ns ? -1 : 1;
    return (x->start_ns > y->start_ns) - (x->start_ns < y->start_ns);
}

static void period_line(struct gorca_buf *b, const char *what, const struct gorca_periodicity *p)
{
    char d1[16], d2[16];

    if (p->n < 2) {
        gorca_buf_printf(b, "  %-13s %" PRIu64 " (too few to tell)\n", what, p->n);
        return;
    }
    gorca_buf_printf(b, "  %-13s %" PRIu64 ", every %s ± %s (cv %.2f)%s\n", what, p->n,
                     an_dur(d1, 16, p->mean_interval_ns), an_dur(d2, 16, p->stddev_interval_ns),
                     p->cv, p->periodic ? "  periodic" : "");
}

void an_cli_gc_text(struct gorca_buf *b, const struct gorca_analysis *an, size_t top)
{
    const struct gorca_gc_result *g = gorca_analysis_gc(an);
    const struct gorca_analysis_info *in = gorca_analysis_info(an);
    const struct gorca_stw_pause **p = malloc((g->n_pauses + 1) * sizeof(*p));
    int64_t dur = in->end_ns - in->start_ns;
    char d[6][16];
    size_t i;

    gorca_buf_printf(b, "GC cycles        %zu, mark phase %s (%s of the trace)\n", g->n_cycles,
                     an_dur(d[0], 16, g->mark_total_ns),
                     an_pct(d[1], 16, (double)g->mark_total_ns, (double)dur));
    gorca_buf_printf(
        b, "STW pauses       %zu, total %s, max %s, p50 %s, p99 %s; %" PRIu64 " >= %s\n",
        g->n_pauses, an_dur(d[0], 16, g->pause_total_ns), an_dur(d[1], 16, g->pause_max_ns),
        an_dur(d[2], 16, g->pause_p50_ns), an_dur(d[3], 16, g->pause_p99_ns), g->n_long_pauses,
        an_dur(d[4], 16, g->long_pause_ns));
    gorca_buf_printf(b, "GC STW pauses    %" PRIu64 ", total %s, max %s, p50 %s, p99 %s\n",
                     g->n_gc_pauses, an_dur(d[0], 16, g->gc_pause_total_ns),
                     an_dur(d[1], 16, g->gc_pause_max_ns), an_dur(d[2], 16, g->gc_pause_p50_ns),
                     an_dur(d[3], 16, g->gc_pause_p99_ns));
    gorca_buf_printf(b, "mark assists     %" PRIu64 ", total %s; sweeping %s\n", g->assist_count,
                     an_dur(d[0], 16, g->assist_total_ns), an_dur(d[1], 16, g->sweep_total_ns));
    gorca_buf_printf(b, "heap             max %.1f MB, last goal %.1f MB\n",
                     (double)g->heap_max_bytes / 1048576.0,
                     (double)g->heap_goal_last_bytes / 1048576.0);
    gorca_buf_puts(b, "periodicity\n");
    period_line(b, "GC cycles", &g->cycle_period);
    period_line(b, "long pauses", &g->long_pause_period);
    gorca_buf_puts(b, "\nMMU (minimum mutator utilization)\n");
    for (i = 0; i < g->n_mmu; i++)
        gorca_buf_printf(b, "  %8s  %5.1f%%\n", an_dur(d[0], 16, g->mmu[i].window_ns),
                         100.0 * g->mmu[i].mmu);
    if (p == NULL)
        return;
    for (i = 0; i < g->n_pauses; i++)
        p[i] = &g->pauses[i];
    qsort(p, g->n_pauses, sizeof(*p), cmp_pause);
    if (g->n_pauses) {
        gorca_buf_printf(b, "\nlongest pauses\n  %9s %8s  %s\n", "AT", "PAUSE", "REASON");
        for (i = 0; i < g->n_pauses && i < top; i++)
            gorca_buf_printf(b, "  %9s %8s  %s\n", an_dur(d[0], 16, p[i]->start_ns - in->start_ns),
                             an_dur(d[1], 16, p[i]->dur_ns), p[i]->kind);
    }
    free(p);
}

static int own(struct an_cli *c, int opt, const char *arg)
{
    switch (opt) {
    case 'M':
        if (parse_mmu_flags(arg, &c->opt.mmu_flags) != 0)
            return cli_usage_error(c->cmd, "bad --mmu flags '%s'", arg);
        return 0;
    case 'L':
        if (cli_parse_duration(arg, &c->opt.long_pause_ns) != 0 || c->opt.long_pause_ns <= 0)
            return cli_usage_error(c->cmd, "--long must be a duration, not '%s'", arg);
        return 0;
    default:
        return -1;
    }
}

int cmd_trace_gc(int argc, char **argv)
{
    static const struct option opts[] = { { "mmu", required_argument, NULL, 'M' },
                                          { "long", required_argument, NULL, 'L' },
                                          AN_CLI_COMMON_OPTS };
    static const struct an_view v = { "trace gc",     "GC and stop-the-world",
                                      usage,          GORCA_AN_JSON_GC,
                                      opts,           own,
                                      an_cli_gc_text, NULL };

    return an_cli_view(argc, argv, &v);
}
