/* `gorca trace chains`: who woke whom. Every unblock is an edge from the waking goroutine to
 * the waiter; edges with the same groups, stacks and reason are summed and the heaviest (by
 * total wait) are listed with the top frames of both stacks. With --origins the waker is
 * where the wake-up came from, followed through the goroutines that relayed it. */
#include <inttypes.h>
#include <string.h>
#include "cmd_trace_an.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: gorca trace chains [<options>] TRACE\n\n"
               "Blocking chains: for each waker -> waiter edge (G1 blocked on a channel send,\n"
               "woken by G2's receive), how often and how long the waiter waited, with where it\n"
               "blocked and where it was woken. Wake-ups by the netpoller, timers or the runtime\n"
               "have no waking goroutine.\n\n"
               "  --origins        list each wake-up by its origin: a waker that had itself\n"
               "                   been woken during the wait and passed it on within a fifth\n"
               "                   of it (a hub, a pump) is replaced by its own origin; the\n"
               "                   netpoller or a timer shows the stack its goroutine waited "
               "at\n" AN_CLI_COMMON_HELP);
}

static const char *top_frame(const struct gorca_analysis *an, uint32_t stack, size_t skip_rt)
{
    size_t n = 0, i;
    const uint32_t *fr = gorca_analysis_stack_frames(an, stack, &n);

    for (i = 0; i < n; i++) {
        const struct gorca_trace_frame *f = gorca_analysis_frame(an, fr[i]);
        if (f == NULL || f->func == NULL)
            continue;
        if (skip_rt && i + 1 < n &&
            (strncmp(f->func, "runtime.", 8) == 0 || strncmp(f->func, "sync.", 5) == 0 ||
             strncmp(f->func, "internal/", 9) == 0))
            continue;
        return f->func;
    }
    return "-";
}

static void edges_text(struct gorca_buf *b, const struct gorca_analysis *an,
                       const struct gorca_chains_result *c, size_t top, int origins)
{
    char d[3][16], n1[64], n2[64];
    size_t i, shown = 0;
    gorca_buf_printf(b,
                     "%" PRIu64 " wake-ups, %s waited in total, %zu distinct edges"
                     " (waiters inside the runtime not shown)\n\n",
                     c->n_unblocks, an_dur(d[0], 16, c->total_wait_ns), c->n_edges);
    if (origins)
        gorca_buf_printf(b,
                         "by origin: a waker that relayed a wake-up is replaced by where it came "
                         "from\n\n");
    for (i = 0; i < c->n_edges && shown < top; i++) {
        const struct gorca_chain_edge *e = &c->edges[i];
        if (strncmp(e->waiter_name, "runtime.", 8) == 0 ||
            strncmp(e->waiter_name, "runtime/trace.", 14) == 0 || e->waiter_name[0] == '\0')
            continue;
        shown++;
        gorca_buf_printf(b, "%8s total %8s max %6" PRIu64 "x  [%s]\n", an_dur(d[0], 16, e->wait_ns),
                         an_dur(d[1], 16, e->max_wait_ns), e->count, e->reason);
        gorca_buf_printf(b, origins ? "    origin %-36s at %s\n" : "    waker  %-36s at %s\n",
                         an_cut(n1, 64, e->waker_name[0] ? e->waker_name : "(unnamed)", 36),
                         an_cut(n2, 64, top_frame(an, e->waker_stack, 1), 48));
        gorca_buf_printf(b, "    waiter %-36s at %s\n",
                         an_cut(n1, 64, e->waiter_name[0] ? e->waiter_name : "(unnamed)", 36),
                         an_cut(n2, 64, top_frame(an, e->waiter_stack, 1), 48));
    }
}

void an_cli_chains_text(struct gorca_buf *b, const struct gorca_analysis *an, size_t top)
{
    edges_text(b, an, gorca_analysis_chains(an), top, 0);
}

static int own(struct an_cli *c, int opt, const char *arg)
{
    (void)arg;
    if (opt != 'O')
        return -1;
    c->flag = 1; /* --origins */
    return 0;
}

static void text(struct gorca_buf *b, const struct gorca_analysis *an, const struct an_cli *c)
{
    edges_text(b, an, c->flag ? gorca_analysis_origins(an) : gorca_analysis_chains(an), c->top,
               c->flag);
}

int cmd_trace_chains(int argc, char **argv)
{
    static const struct option opts[] = { { "origins", no_argument, NULL, 'O' },
                                          AN_CLI_COMMON_OPTS };
    static const struct an_view v = {
        "trace chains", "blocking chains", usage, GORCA_AN_JSON_CHAINS, opts, own, NULL, text
    };

    return an_cli_view(argc, argv, &v);
}
