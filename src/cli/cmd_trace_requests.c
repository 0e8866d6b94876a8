/* `gorca trace requests`: HTTP requests served in the trace (net/http.(*conn).serve busy
 * intervals, HTTP/2 handler goroutines, user tasks) -- per-handler latency percentiles and where
 * the time went, and the slowest requests. */
#include <inttypes.h>
#include <string.h>
#include "cmd_trace_an.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: gorca trace requests [<options>] TRACE\n\n"
               "Requests served by net/http connection goroutines (a request runs from the moment\n"
               "its bytes are readable to the next idle read), HTTP/2 handler goroutines and user\n"
               "tasks (runtime/trace.NewTask). The handler is the first frame outside runtime and\n"
               "net/http seen while serving, or the task type. For each handler: count, latency\n"
               "percentiles and the time split into execution, scheduler wait, network, sync,\n"
               "syscall, sleep and GC; then the slowest requests.\n\n" AN_CLI_COMMON_HELP);
}

static void split(struct gorca_buf *b, const struct gorca_request_time *t)
{
    char d[7][16];

    gorca_buf_printf(b, " %7s %7s %7s %7s %7s %7s %7s", an_dur(d[0], 16, t->exec_ns),
                     an_dur(d[1], 16, t->wait_ns[GORCA_BLOCK_SCHED]),
                     an_dur(d[2], 16, t->wait_ns[GORCA_BLOCK_NET]),
                     an_dur(d[3], 16, t->wait_ns[GORCA_BLOCK_SYNC]),
                     an_dur(d[4], 16, t->wait_ns[GORCA_BLOCK_SYSCALL]),
                     an_dur(d[5], 16, t->wait_ns[GORCA_BLOCK_SLEEP]),
                     an_dur(d[6], 16, t->wait_ns[GORCA_BLOCK_GC] + t->assist_ns));
}

void an_cli_requests_text(struct gorca_buf *b, const struct gorca_analysis *an, size_t top)
{
    const struct gorca_requests_result *r = gorca_analysis_requests(an);
    const struct gorca_analysis_info *in = gorca_analysis_info(an);
    char d[4][16], nm[64];
    size_t i;

    gorca_buf_printf(b,
                     "%" PRIu64 " requests on %" PRIu64 " connections; p50 %s, p99 %s, max %s\n\n",
                     r->n_requests, r->n_conns, an_dur(d[0], 16, r->latency.p50_ns),
                     an_dur(d[1], 16, r->latency.p99_ns), an_dur(d[2], 16, r->latency.max_ns));
    if (r->n_requests == 0)
        return;
    gorca_buf_printf(b, "%-22s %5s %7s %7s %7s %7s %7s %7s %7s %7s %7s\n", "HANDLER", "COUNT",
                     "P50", "P99", "EXEC", "SCHED", "NET", "SYNC", "SYSCALL", "SLEEP", "GC");
    for (i = 0; i < r->n_handlers && i < top; i++) {
        const struct gorca_handler_stats *h = &r->handlers[i];
        gorca_buf_printf(b, "%-22s %5" PRIu64 " %7s %7s",
                         an_cut(nm, 64, h->handler[0] ? h->handler : "(unattributed)", 22),
                         h->count, an_dur(d[0], 16, h->latency.p50_ns),
                         an_dur(d[1], 16, h->latency.p99_ns));
        split(b, &h->sum);
        gorca_buf_putc(b, '\n');
    }
    gorca_buf_printf(b, "\nslowest requests\n%8s %7s %7s %-14s %7s %7s %7s %7s %7s %7s %7s\n", "AT",
                     "DUR", "G", "HANDLER", "EXEC", "SCHED", "NET", "SYNC", "SYSCALL", "SLEEP",
                     "GC");
    for (i = 0; i < r->n_slowest && i < top; i++) {
        const struct gorca_request *q = &r->slowest[i];
        gorca_buf_printf(b, "%8s %7s %7" PRId64 " %-14s",
                         an_dur(d[0], 16, q->start_ns - in->start_ns), an_dur(d[1], 16, q->dur_ns),
                         q->g, an_cut(nm, 64, q->handler[0] ? q->handler : "(unattributed)", 14));
        split(b, &q->t);
        gorca_buf_puts(b, q->unfinished ? " +\n" : "\n");
    }
}

int cmd_trace_requests(int argc, char **argv)
{
    return an_cli_simple(argc, argv, "trace requests", usage, GORCA_AN_JSON_REQUESTS,
                         "HTTP requests", an_cli_requests_text);
}
