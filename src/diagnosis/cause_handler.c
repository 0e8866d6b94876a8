/* handler_blocking: handlers wait on purpose or on slow synchronous work: long wall time
 * without CPU and without a finer wait. Mechanism: time.Sleep in request goroutines (the
 * trace's "sleep" waits, "sleep" goroutines in the dump); with lower confidence, a select or
 * channel wait in a request that only a timer ends (time.After, a ticker, a timeout), which
 * delays the request by the timer's duration whatever it waits for. */
#include <string.h>
#include "diag_int.h"

static struct dg_claim claim(const struct dg_ctx *ctx, const struct dg_obs *o)
{
    struct dg_claim c = { 0, 0, -1 };

    (void)ctx;
    if (o->req != DG_REQ_YES)
        return c;
    if (o->cls == DG_SLEEP) {
        static const char *const sleep_frames[] = { "time.Sleep", NULL };
        int i = dg_find_prefix(&o->st, 0, sleep_frames);
        c.prio = 45;
        c.conf = 1.0;
        c.site = dg_first_user(&o->st, i < 0 ? 0 : i);
        return c;
    }
    if ((o->cls == DG_SELECT || o->cls == DG_CHAN) && o->timer_woken >= 0.5) {
        c.prio = 42;
        c.conf = 0.6;
        c.site = dg_first_user(&o->st, 0);
    }
    return c;
}

static void evaluate(struct dg_ctx *ctx)
{
    struct dg_attr *a = &ctx->attr[GORCA_CAUSE_HANDLER_BLOCKING];
    double sleep = a->cls_ns[DG_SLEEP], timers = a->cls_ns[DG_SELECT] + a->cls_ns[DG_CHAN];
    const char *site, *handler;
    struct dg_fb *fb;

    if (a->ns <= 0 && a->gor <= 0)
        return;
    fb = dg_finding(ctx, GORCA_CAUSE_HANDLER_BLOCKING);
    dg_rate(fb);
    dg_common_latency_parts(fb, "wait site", 3);
    dg_tally_sort(&a->sites);
    dg_tally_sort(&a->handlers);
    site = a->sites.n ? dg_display_func(ctx, ((const struct dg_frame *)a->sites.v[0].key)->func)
                      : "the handler";
    handler = a->handlers.n       ? dg_display_func(ctx, a->handlers.v[0].key)
              : a->handlers_gor.n ? dg_display_func(ctx, a->handlers_gor.v[0].key)
                                  : "request handlers";
    if (ctx->tr.have && a->ns > 0) {
        dg_evidence(fb, ctx->tr.input, "sleep_time", "request time in time.Sleep", sleep, "ns");
        if (timers > 0)
            dg_evidence(fb, ctx->tr.input, "timer_wait_time",
                        "request time in selects only a timer ended", timers, "ns");
        dg_evidence(fb, ctx->tr.input, "wait_mean", "mean wait",
                    a->waits ? a->ns / (double)a->waits : 0, "ns");
        if (strcmp(site, handler) == 0)
            dg_title(fb, "%s waits %s without doing work: %s of request latency", handler,
                     sleep >= timers ? "in time.Sleep" : "on timers",
                     dg_pct(ctx, fb->f.latency_share));
        else
            dg_title(fb, "%s waits in %s without doing work: %s of request latency", handler, site,
                     dg_pct(ctx, fb->f.latency_share));
        dg_explain(fb,
                   "Requests spend their time neither on a CPU nor on I/O: %s sleeping%s%s in %s "
                   "(%llu waits, %s each on average). That is latency added on purpose or by a "
                   "synchronous stand-in for slow work, and it holds the request for its whole "
                   "duration.",
                   dg_dur(ctx, sleep), timers > 0 ? " and " : "",
                   timers > 0 ? dg_printf(ctx, "%s in selects that only a timer ended",
                                          dg_dur(ctx, timers))
                              : "",
                   site, (unsigned long long)a->waits,
                   dg_dur(ctx, a->waits ? a->ns / (double)a->waits : 0));
    } else {
        dg_title(fb, "%s waits in %s: %.0f in-flight requests sleeping", handler, site, a->gor);
        dg_explain(fb,
                   "At the moment of the goroutine dump %.0f in-flight requests were asleep "
                   "in %s.",
                   a->gor, site);
    }
    dg_advice(fb,
              "Remove the sleep or fixed wait from the request path in %s; if it stands for "
              "a slow operation, make that operation faster, cache its result or move it "
              "out of the request (a queue and a worker).",
              site);
    dg_advice(fb, "Bound what remains with the request's context (select on ctx.Done()) so a "
                  "request never waits longer than its deadline.");
}

const struct dg_rule dg_rule_handler = { GORCA_CAUSE_HANDLER_BLOCKING, NULL, claim, evaluate };
