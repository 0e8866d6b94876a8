/* `gorca trace sched`: scheduling latency (runnable -> running, overall and per goroutine
 * group), network-ready -> running latency (netpoll wake-ups), the runnable share and how much
 * of the time every P was busy with goroutines waiting. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "cmd_trace_an.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: gorca trace sched [<options>] TRACE\n\n"
               "Scheduler latency: how long runnable goroutines waited for a P (p50/p95/p99/max),\n"
               "overall, after network wake-ups and per goroutine group; the runnable share\n"
               "(runnable / (runnable + running) goroutine time), time-weighted run queue, the\n"
               "share of time saturated (goroutines waiting while every P runs one), and how\n"
               "busy each P was. Percentiles are within about 3%%.\n\n" AN_CLI_COMMON_HELP);
}

static void lat_row(struct gorca_buf *b, const char *name, const struct gorca_latency *l)
{
    char d[5][16], nm[64];

    gorca_buf_printf(b, "%-40s %8" PRIu64 " %8s %8s %8s %8s %8s\n", an_cut(nm, 64, name, 40),
                     l->count, an_dur(d[0], 16, l->p50_ns), an_dur(d[1], 16, l->p95_ns),
                     an_dur(d[2], 16, l->p99_ns), an_dur(d[3], 16, l->max_ns),
                     an_dur(d[4], 16, l->sum_ns));
}

static int cmp_group_lat(const void *a, const void *b)
{
    const struct gorca_trace_group *x = *(const struct gorca_trace_group *const *)a;
    const struct gorca_trace_group *y = *(const struct gorca_trace_group *const *)b;
    if (x->sched_latency.sum_ns != y->sched_latency.sum_ns)
        return x->sched_latency.sum_ns > y->sched_latency.sum_ns ? -1 : 1;
    return 0;
}

void an_cli_sched_text(struct gorca_buf *b, const struct gorca_analysis *an, size_t top)
{
    const struct gorca_sched_result *s = gorca_analysis_sched(an);
    size_t n, i, k = 0;
    const struct gorca_trace_group *g = gorca_analysis_groups(an, &n);
    const struct gorca_trace_group **v = malloc((n + 1) * sizeof(*v));
    char d[4][16];

    gorca_buf_printf(
        b,
        "runnable share   %s of goroutine time wanting a CPU was spent waiting"
        " (%s runnable, %s running)\n",
        an_pct(d[0], 16, (double)s->runnable_ns, (double)(s->runnable_ns + s->running_ns)),
        an_dur(d[1], 16, s->runnable_ns), an_dur(d[2], 16, s->running_ns));
    gorca_buf_printf(b,
                     "run queue        %.2f goroutines on average; some runnable %s of the "
                     "time; saturated %s\n",
                     s->mean_runnable, an_pct(d[0], 16, s->runnable_time_share, 1),
                     an_pct(d[1], 16, s->saturated_share, 1));
    gorca_buf_printf(b, "\n%-40s %8s %8s %8s %8s %8s %8s\n", "LATENCY (runnable -> running)",
                     "COUNT", "P50", "P95", "P99", "MAX", "TOTAL");
    lat_row(b, "all goroutines", &s->runnable);
    lat_row(b, "after a network wake-up", &s->net_ready);
    if (v != NULL) {
        for (i = 0; i < n; i++)
            if (g[i].sched_latency.count > 0)
                v[k++] = &g[i];
        qsort(v, k, sizeof(*v), cmp_group_lat);
        for (i = 0; i < k && i < top; i++)
            lat_row(b, v[i]->name[0] ? v[i]->name : "(unnamed)", &v[i]->sched_latency);
        free(v);
    }
    gorca_buf_printf(b, "\n%5s %10s %10s %6s\n", "P", "RUNNING", "IDLE", "BUSY");
    for (i = 0; i < s->n_procs; i++)
        gorca_buf_printf(b, "%5" PRId64 " %10s %10s %6s\n", s->procs[i].id,
                         an_dur(d[0], 16, s->procs[i].running_ns),
                         an_dur(d[1], 16, s->procs[i].idle_ns),
                         an_pct(d[2], 16, s->procs[i].busy_share, 1));
}

int cmd_trace_sched(int argc, char **argv)
{
    return an_cli_simple(argc, argv, "trace sched", usage, GORCA_AN_JSON_SCHED,
                         "scheduling latency", an_cli_sched_text);
}
