/* `gorca trace cpu`: the CPU profile samples recorded inside the trace, by function and by
 * goroutine group (per time bucket they are in the timeline), so CPU use lines up with the
 * scheduling data of the same trace without a separate profile. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "cmd_trace_an.h"

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: gorca trace cpu [<options>] TRACE\n\n"
        "CPU profile samples carried in the trace (present when CPU profiling ran while\n"
        "tracing): top functions (flat = leaf, cum = anywhere on the stack) and samples per\n"
        "goroutine group. Per-bucket counts are in `gorca trace timeline`.\n\n" AN_CLI_COMMON_HELP);
}

static int cmp_cpu(const void *a, const void *b)
{
    const struct gorca_trace_group *x = *(const struct gorca_trace_group *const *)a;
    const struct gorca_trace_group *y = *(const struct gorca_trace_group *const *)b;
    return (x->cpu_samples < y->cpu_samples) - (x->cpu_samples > y->cpu_samples);
}

void an_cli_cpu_text(struct gorca_buf *b, const struct gorca_analysis *an, size_t top)
{
    const struct gorca_cpu_result *c = gorca_analysis_cpu(an);
    size_t n, i, k = 0;
    const struct gorca_trace_group *g = gorca_analysis_groups(an, &n);
    const struct gorca_trace_group **v = malloc((n + 1) * sizeof(*v));
    char p1[16], p2[16], nm[96];

    gorca_buf_printf(b, "%" PRIu64 " CPU samples, %" PRIu64 " while a goroutine ran\n", c->samples,
                     c->with_goroutine);
    if (c->samples == 0) {
        gorca_buf_puts(b, "(no CPU profiling while tracing)\n");
        free(v);
        return;
    }
    gorca_buf_printf(b, "\n%7s %6s %7s %6s  %s\n", "FLAT", "FLAT%", "CUM", "CUM%", "FUNCTION");
    for (i = 0; i < c->n_top && i < top; i++)
        gorca_buf_printf(b, "%7" PRId64 " %6s %7" PRId64 " %6s  %s\n", c->top[i].flat_ns,
                         an_pct(p1, 16, (double)c->top[i].flat_ns, (double)c->samples),
                         c->top[i].cum_ns,
                         an_pct(p2, 16, (double)c->top[i].cum_ns, (double)c->samples),
                         an_cut(nm, 96, c->top[i].func, 70));
    if (v == NULL)
        return;
    for (i = 0; i < n; i++)
        if (g[i].cpu_samples)
            v[k++] = &g[i];
    qsort(v, k, sizeof(*v), cmp_cpu);
    gorca_buf_printf(b, "\n%7s %6s  %s\n", "SAMPLES", "SHARE", "GOROUTINE GROUP");
    for (i = 0; i < k && i < top; i++)
        gorca_buf_printf(b, "%7" PRIu64 " %6s  %s\n", v[i]->cpu_samples,
                         an_pct(p1, 16, (double)v[i]->cpu_samples, (double)c->samples),
                         an_cut(nm, 96, v[i]->name[0] ? v[i]->name : "(unnamed)", 80));
    free(v);
}

int cmd_trace_cpu(int argc, char **argv)
{
    return an_cli_simple(argc, argv, "trace cpu", usage, GORCA_AN_JSON_CPU, "CPU samples",
                         an_cli_cpu_text);
}
