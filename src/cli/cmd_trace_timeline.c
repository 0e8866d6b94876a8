/* `gorca trace timeline`: the trace in fixed-width buckets (default 1 ms): goroutines running,
 * runnable and blocked by class, GC and STW time, assists, heap, CPU samples -- one line per
 * bucket, so a spike window shows up by eye or with grep/awk. */
#include <inttypes.h>
#include <string.h>
#include "cmd_trace_an.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: gorca trace timeline [<options>] TRACE\n\n"
               "One line per time bucket: time since the trace start, mean goroutines running,\n"
               "runnable, and waiting on the network, sync, a syscall that lost its P, sleep and\n"
               "GC; the share of the bucket in a GC mark phase and stopped by STW, goroutine time\n"
               "in mark assists, heap in use and CPU samples. --top is ignored (every bucket is\n"
               "printed); use --bucket to change the resolution.\n\n" AN_CLI_COMMON_HELP);
}

void an_cli_timeline_text(struct gorca_buf *b, const struct gorca_analysis *an, size_t top)
{
    const struct gorca_timeline *t = gorca_analysis_timeline(an);
    char d[4][16];
    size_t i;

    (void)top;
    gorca_buf_printf(b, "bucket %s, %zu buckets\n", an_dur(d[0], 16, t->width_ns), t->n_buckets);
    gorca_buf_printf(b, "%9s %6s %6s %6s %6s %6s %6s %6s %5s %5s %8s %7s %4s\n", "T", "RUN", "RUNQ",
                     "NET", "SYNC", "SYSC", "SLEEP", "GCWT", "GC%", "STW%", "ASSIST", "HEAPMB",
                     "CPU");
    for (i = 0; i < t->n_buckets; i++) {
        const struct gorca_bucket *k = &t->buckets[i];
        double w = (double)t->width_ns;
        gorca_buf_printf(b,
                         "%9s %6.2f %6.2f %6.2f %6.2f %6.2f %6.2f %6.2f %5.0f %5.0f %8s %7.1f "
                         "%4" PRIu64 "\n",
                         an_dur(d[0], 16, k->start_ns - t->start_ns), k->running, k->runnable,
                         k->waiting[GORCA_BLOCK_NET], k->waiting[GORCA_BLOCK_SYNC],
                         k->waiting[GORCA_BLOCK_SYSCALL], k->waiting[GORCA_BLOCK_SLEEP],
                         k->waiting[GORCA_BLOCK_GC], 100.0 * (double)k->gc_ns / w,
                         100.0 * (double)k->stw_ns / w, an_dur(d[1], 16, k->assist_ns),
                         (double)k->heap_alloc_bytes / 1048576.0, k->cpu_samples);
    }
}

int cmd_trace_timeline(int argc, char **argv)
{
    return an_cli_simple(argc, argv, "trace timeline", usage, GORCA_AN_JSON_TIMELINE, "timeline",
                         an_cli_timeline_text);
}
