/* channel_blocking: requests wait on channels (send, receive, select) or other goroutine
 * synchronization (sync.Cond, WaitGroup) for another goroutine. Mechanism: those waits in
 * request stacks, not inside client or resolver code (which other rules claim), woken by a
 * goroutine; the trace's blocking chains name the goroutines on the other side, and their own
 * time breakdown says why they are slow (a consumer that sleeps, waits on I/O or is starved). */
#include "diag_int.h"

static const char *const sync_frames[] = { "sync.", "golang.org/x/sync/", NULL };

static struct dg_claim claim(const struct dg_ctx *ctx, const struct dg_obs *o)
{
    struct dg_claim c = { 0, 0, -1 };

    (void)ctx;
    if (o->req != DG_REQ_YES || (o->cls != DG_CHAN && o->cls != DG_SELECT && o->cls != DG_SYNC))
        return c;
    /* Synchronization the program asked for (sync.Cond, WaitGroup, x/sync); a runtime-internal
     * semaphore (the GC's, reached from an allocation) is not a channel wait. */
    if (o->cls == DG_SYNC && dg_find_prefix(&o->st, 0, sync_frames) < 0)
        return c;
    c.prio = 40;
    c.conf = o->waker != NULL || o->src != DG_SRC_TRACE ? 1.0 : 0.8;
    c.site = dg_first_user(&o->st, 0);
    return c;
}

/* The trace group of the goroutines that woke the waiters, and its busiest activity. */
static const struct dg_group *partner(const struct dg_ctx *ctx, const char *name)
{
    size_t i;

    for (i = 0; i < ctx->tr.n_groups; i++)
        if (ctx->tr.groups[i].name == name)
            return &ctx->tr.groups[i];
    return NULL;
}

static const char *activity(struct dg_ctx *ctx, const struct dg_group *g, double *share)
{
    static const char *const what[DG_TW_N] = { "waiting on the network",
                                               "waiting on other goroutines",
                                               "in system calls",
                                               "waiting for a CPU",
                                               "sleeping",
                                               "waiting for the GC",
                                               "parked" };
    int64_t best = g->exec;
    const char *w = "running on a CPU";
    int c;

    for (c = 0; c < DG_TW_N; c++) {
        if (g->wait[c] > best) {
            best = g->wait[c];
            w = what[c];
        }
    }
    *share = g->total > 0 ? (double)best / (double)g->total : 0;
    (void)ctx;
    return w;
}

static void evaluate(struct dg_ctx *ctx)
{
    struct dg_attr *a = &ctx->attr[GORCA_CAUSE_CHANNEL_BLOCKING];
    const char *site, *handler, *waker = NULL, *act = NULL;
    const struct dg_group *pg = NULL;
    double act_share = 0;
    struct dg_fb *fb;

    if (a->ns <= 0 && a->gor <= 0 && (ctx->tr.have || a->block_ns <= 0))
        return;
    fb = dg_finding(ctx, GORCA_CAUSE_CHANNEL_BLOCKING);
    dg_rate(fb);
    dg_common_latency_parts(fb, "wait site", 3);
    dg_tally_sort(&a->sites);
    dg_tally_sort(&a->handlers);
    dg_tally_sort(&a->wakers);
    site = a->sites.n ? dg_display_func(ctx, ((const struct dg_frame *)a->sites.v[0].key)->func)
                      : "the handler";
    handler = a->handlers.n       ? dg_display_func(ctx, a->handlers.v[0].key)
              : a->handlers_gor.n ? dg_display_func(ctx, a->handlers_gor.v[0].key)
                                  : "request handlers";
    if (a->wakers.n > 0) {
        waker = dg_display_func(ctx, a->wakers.v[0].key);
        dg_evidence(fb, ctx->tr.input, "woken_by_share",
                    dg_printf(ctx, "share of the waits ended by %s", waker),
                    a->wakers.v[0].w / (a->ns > 0 ? a->ns : 1), "ratio");
        pg = partner(ctx, a->wakers.v[0].key);
        if (pg != NULL) {
            act = activity(ctx, pg, &act_share);
            dg_evidence(fb, ctx->tr.input, "partner_goroutines",
                        dg_printf(ctx, "%s goroutines", waker), (double)pg->count, "goroutines");
            dg_evidence(fb, ctx->tr.input, "partner_busy_share",
                        dg_printf(ctx, "share of %s's time %s", waker, act), act_share, "ratio");
        }
    }
    if (ctx->tr.have && a->ns > 0) {
        dg_evidence(fb, ctx->tr.input, "wait_mean", "mean wait",
                    a->waits ? a->ns / (double)a->waits : 0, "ns");
        dg_title(fb, "%s blocks on a channel in %s%s%s: %s of request latency", handler, site,
                 waker ? " waiting for " : "", waker ? waker : "",
                 dg_pct(ctx, fb->f.latency_share));
        dg_explain(fb,
                   "Requests wait for another goroutine: %llu channel or select waits in %s took "
                   "%s (%s each on average)%s%s.",
                   (unsigned long long)a->waits, site, dg_dur(ctx, a->ns),
                   dg_dur(ctx, a->waits ? a->ns / (double)a->waits : 0),
                   waker ? dg_printf(ctx, "; the goroutines that release them run %s", waker) : "",
                   act ? dg_printf(ctx, ", which spends %s of its time %s, so it cannot keep up",
                                   dg_pct(ctx, act_share), act)
                       : "");
    } else if (a->gor <= 0) {
        dg_title(fb, "%s blocks on a channel in %s (block profile)", handler, site);
        dg_explain(fb,
                   "Request goroutines waited %s in total on channel operations in %s during "
                   "the profile window, %s of their contention delay. Without an execution "
                   "trace the share of request latency cannot be measured.",
                   dg_dur(ctx, a->block_ns), site, dg_pct(ctx, fb->f.score / 0.6));
    } else {
        dg_title(fb, "%s blocks on a channel in %s: %.0f in-flight requests waiting", handler, site,
                 a->gor);
        dg_explain(fb,
                   "At the moment of the goroutine dump %.0f in-flight requests were blocked "
                   "on channel operations in %s.",
                   a->gor, site);
    }
    if (waker != NULL)
        dg_advice(fb,
                  "Make the other side keep up: %s is the bottleneck; speed it up or run "
                  "several of them.",
                  waker);
    else
        dg_advice(fb,
                  "Find the goroutine on the other side of the channel used in %s and make "
                  "it keep up.",
                  site);
    dg_advice(fb, "Do not block a request on a full or empty channel: select on the request's "
                  "ctx.Done() too, or use a default case to shed load (return 503, drop, or "
                  "queue elsewhere).");
    dg_advice(fb, "A bigger buffer only absorbs bursts; it does not fix a consumer that is "
                  "slower than its producers on average.");
}

const struct dg_rule dg_rule_channel = { GORCA_CAUSE_CHANNEL_BLOCKING, NULL, claim, evaluate };
