/* scheduler_latency: requests are ready to run but wait for a P. Mechanism: runnable time of
 * request goroutines (trace), minus the part spent while GC workers held the Ps (gc_assist);
 * the scheduler's saturation (share of time with runnable goroutines while every P is busy),
 * runnable->running latency, and the goroutines that keep the Ps busy (CPU profile by
 * goroutine root, trace groups by execution time); "runnable" requests in a dump. */
#include "diag_int.h"

static struct dg_claim claim(const struct dg_ctx *ctx, const struct dg_obs *o)
{
    struct dg_claim c = { 0, 0, -1 };

    (void)ctx;
    /* Trace runnable time is measured per request (attrib.c); dumps only see a snapshot. */
    if (o->cls != DG_RUNNABLE || o->src != DG_SRC_DUMP)
        return c;
    c.prio = 30;
    c.conf = 0.7;
    c.site = dg_first_user(&o->st, 0);
    return c;
}

/* The user function that burns most CPU (requests or not), and its CPU share. */
static const struct dg_frame *cpu_hog(struct dg_ctx *ctx, double *share)
{
    struct dg_tallyv t = { NULL, 0, 0 };
    const struct dg_frame *best = NULL;
    size_t i;

    *share = 0;
    for (i = 0; i < ctx->pf.cpu.n; i++) {
        const struct dg_obs *o = &ctx->pf.cpu.v[i];
        int u;
        if (o->req == DG_REQ_DEBUG || o->st.n == 0)
            continue;
        /* The service's own code; runtime and server plumbing are not a workload to limit. */
        u = dg_first_user(&o->st, 0);
        if (u >= 0)
            dg_tally_add(ctx, &t, o->st.f[u], o->weight, 1);
    }
    dg_tally_sort(&t);
    if (t.n > 0 && ctx->pf.cpu_total_ns > 0) {
        best = t.v[0].key;
        *share = t.v[0].w / ctx->pf.cpu_total_ns;
    }
    dg_tally_release(&t);
    return best;
}

static double saturation(const struct dg_ctx *ctx, const struct dg_bucket *b)
{
    (void)ctx;
    return (double)b->saturated_ns * (b->runnable > 0 ? b->runnable : 0);
}

static void evaluate(struct dg_ctx *ctx)
{
    struct dg_attr *a = &ctx->attr[GORCA_CAUSE_SCHEDULER_LATENCY];
    const struct gorca_diag_config *cfg = ctx->cfg;
    double hog_share = 0;
    const struct dg_frame *hog = cpu_hog(ctx, &hog_share);
    const char *hog_name = hog ? dg_display_func(ctx, hog->func) : NULL;
    struct dg_fb *fb;

    if (a->ns <= 0 && a->gor <= 0)
        return;
    fb = dg_finding(ctx, GORCA_CAUSE_SCHEDULER_LATENCY);
    dg_rate(fb);
    dg_common_latency_parts(fb, "", 0);
    if (ctx->tr.have) {
        fb->f.window.known = 0;
        dg_window_timeline(fb, saturation);
        dg_evidence(fb, ctx->tr.input, "saturated_share",
                    "share of time with runnable goroutines and every P busy",
                    ctx->tr.saturated_share, "ratio");
        dg_evidence(fb, ctx->tr.input, "runnable_p99", "runnable->running latency p99",
                    (double)ctx->tr.runnable_p99_ns, "ns");
        dg_evidence(fb, ctx->tr.input, "mean_runnable", "mean number of runnable goroutines",
                    ctx->tr.mean_runnable, "goroutines");
        dg_evidence(fb, ctx->tr.input, "gomaxprocs", "GOMAXPROCS", ctx->tr.gomaxprocs, "count");
        if (ctx->tr.saturated_share >= cfg->sched_saturated &&
            ctx->tr.runnable_p99_ns >= cfg->sched_latency_ns && fb->f.severity >= GORCA_SEV_LOW)
            dg_severity_at_least(fb, GORCA_SEV_MEDIUM);
    }
    if (ctx->pf.cpu_duration_ns > 0)
        dg_evidence(fb, ctx->pf.cpu_input, "cpu_cores_busy", "CPU cores busy on average",
                    ctx->pf.cpu_total_ns / (double)ctx->pf.cpu_duration_ns, "cores");
    if (hog != NULL) {
        dg_evidence(fb, ctx->pf.cpu_input, "top_cpu_share",
                    dg_printf(ctx, "share of CPU in %s", hog_name), hog_share, "ratio");
        dg_location(fb, hog, "hot function", hog_share);
    }
    if (ctx->tr.have && a->ns > 0) {
        dg_title(fb, "Requests wait for a CPU: %s of request latency runnable%s%s%s",
                 dg_pct(ctx, fb->f.latency_share), hog ? ", Ps busy with " : "",
                 hog ? hog_name : "",
                 hog ? dg_printf(ctx, " (%s of CPU)", dg_pct(ctx, hog_share)) : "");
        dg_explain(fb,
                   "Requests were ready to run but every P was busy: they spent %s runnable, "
                   "%s of request latency. The scheduler was saturated %s of the time with "
                   "GOMAXPROCS=%.0f, and runnable goroutines waited up to %s (p99) for a P.%s",
                   dg_dur(ctx, a->ns), dg_pct(ctx, fb->f.latency_share),
                   dg_pct(ctx, ctx->tr.saturated_share), ctx->tr.gomaxprocs,
                   dg_dur(ctx, (double)ctx->tr.runnable_p99_ns),
                   hog ? dg_printf(ctx, " The busiest code is %s (%s of the CPU profile).",
                                   hog_name, dg_pct(ctx, hog_share))
                       : "");
    } else {
        dg_title(fb, "Requests wait for a CPU: %.0f in-flight requests runnable", a->gor);
        dg_explain(fb,
                   "At the moment of the goroutine dump %.0f in-flight requests were "
                   "runnable, waiting for a P.",
                   a->gor);
    }
    if (hog != NULL)
        dg_advice(fb,
                  "Limit the CPU-bound work in %s: cap its concurrency (a semaphore smaller "
                  "than GOMAXPROCS), run it at a lower rate, or move it to another process.",
                  hog_name);
    dg_advice(fb,
              "Give the service the CPUs it needs: check GOMAXPROCS (%.0f here) against the "
              "container's CPU limit and raise the limit or the replica count.",
              ctx->tr.gomaxprocs);
    dg_advice(fb, "Break long CPU loops into pieces and keep heavy computation out of request "
                  "handlers so short requests are not queued behind it.");
}

const struct dg_rule dg_rule_sched = { GORCA_CAUSE_SCHEDULER_LATENCY, NULL, claim, evaluate };
