/* gc_stw: the world is stopped long enough to delay requests. Mechanism: stop-the-world pauses
 * in the trace that the service causes — the GC's ("GC sweep termination", "GC mark
 * termination") and its own calls that stop the world (runtime.GC, ReadMemStats, GOMAXPROCS,
 * debug.FreeOSMemory) — their length, distribution and periodicity, and the request time that
 * overlapped them; requests waiting in such a call; the CPU profile's gcMarkTermination /
 * stopTheWorld samples. Pauses the capture itself causes (goroutine dumps and profiles, trace
 * start) are reported as a note, never as the cause.
 * Seed (chapter 1): GC pause bars > 10 ms; periodic gcMarkTermination spikes. */
#include <stdlib.h>
#include "diag_int.h"

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return x < y ? -1 : x > y;
}

static double cpu_share(const struct dg_ctx *ctx, const char *const *frames)
{
    double w = 0;
    size_t i;

    if (ctx->pf.cpu_total_ns <= 0)
        return 0;
    for (i = 0; i < ctx->pf.cpu.n; i++)
        if (dg_find_prefix(&ctx->pf.cpu.v[i].st, 0, frames) >= 0)
            w += ctx->pf.cpu.v[i].weight;
    return w / ctx->pf.cpu_total_ns;
}

/* A request that forces a collection or a stop-the-world itself waits for it (runtime.GC
 * waits for a whole GC cycle). */
static struct dg_claim claim(const struct dg_ctx *ctx, const struct dg_obs *o)
{
    static const char *const forced[] = { "runtime.GC", "runtime/debug.FreeOSMemory",
                                          "runtime.ReadMemStats", "runtime.GOMAXPROCS", NULL };
    struct dg_claim c = { 0, 0, -1 };
    int i;

    (void)ctx;
    if (o->req != DG_REQ_YES || o->cls == DG_RUNNING)
        return c;
    i = dg_find_prefix(&o->st, 0, forced);
    if (i < 0)
        return c;
    c.prio = 62;
    c.conf = 1.0;
    c.site = dg_first_user(&o->st, i);
    return c;
}

/* Pauses at least `min` long that the capture caused (goroutine dumps, profiles, the trace). */
static void note_capture_pauses(struct dg_ctx *ctx, int64_t min)
{
    int64_t longest = 0;
    const char *kind = NULL;
    size_t i, n = 0;

    for (i = 0; i < ctx->tr.n_pauses; i++) {
        const struct dg_pause *p = &ctx->tr.pauses[i];
        if (p->service || p->dur < min)
            continue;
        n++;
        if (p->dur > longest) {
            longest = p->dur;
            kind = p->kind;
        }
    }
    if (n > 0)
        dg_note(ctx,
                "%zu stop-the-world pause%s caused by the capture itself (goroutine dumps, "
                "profiles, the trace) lasted %s or more (longest: %s, \"%s\"); they are not "
                "blamed on the service",
                n, n == 1 ? "" : "s", dg_dur(ctx, (double)min), dg_dur(ctx, (double)longest),
                kind ? kind : "");
}

static void evaluate(struct dg_ctx *ctx)
{
    static const char *const stw_frames[] = { "runtime.gcMarkTermination", "runtime.stopTheWorld",
                                              "runtime.gcStart", NULL };
    struct dg_attr *a = &ctx->attr[GORCA_CAUSE_GC_STW];
    const struct gorca_diag_config *cfg = ctx->cfg;
    int64_t *d, first = -1, last = -1, peak = -1, max = 0, total = 0;
    size_t i, n = 0, n_long = 0, n_other = 0;
    const char *other_kind = NULL;
    double cpu;
    struct dg_fb *fb;

    if (!ctx->tr.have)
        return;
    note_capture_pauses(ctx, cfg->stw_pause_ns / 2);
    d = base_malloc((ctx->tr.n_pauses ? ctx->tr.n_pauses : 1) * sizeof(*d));
    if (d == NULL) {
        ctx->oom = 1;
        return;
    }
    for (i = 0; i < ctx->tr.n_pauses; i++) {
        const struct dg_pause *p = &ctx->tr.pauses[i];
        if (!p->service)
            continue;
        if (!p->gc)
            n_other++, other_kind = p->kind;
        d[n++] = p->dur;
        total += p->dur;
        if (p->dur >= cfg->stw_pause_ns) {
            n_long++;
            if (first < 0)
                first = p->start;
            last = p->start + p->dur;
        }
        if (p->dur > max) {
            max = p->dur;
            peak = p->start;
        }
    }
    if ((n == 0 && a->ns <= 0) ||
        (n_long == 0 &&
         (ctx->req_total_ns <= 0 || a->ns < ctx->cfg->share_low * (double)ctx->req_total_ns))) {
        base_free(d);
        return;
    }
    if (n > 0)
        qsort(d, n, sizeof(*d), cmp_i64);
    else
        d[0] = 0;
    fb = dg_finding(ctx, GORCA_CAUSE_GC_STW);
    dg_rate(fb);
    dg_common_latency_parts(fb, "call site", 2);
    dg_evidence(fb, ctx->tr.input, "gc_pauses", "stop-the-world pauses (GC and the service's own)",
                (double)n, "count");
    if (n_other > 0)
        dg_evidence(fb, ctx->tr.input, "service_pauses",
                    dg_printf(ctx, "of them not the GC's (\"%s\" ...)", other_kind),
                    (double)n_other, "count");
    dg_evidence(fb, ctx->tr.input, "gc_pause_max", "longest pause", (double)max, "ns");
    dg_evidence(fb, ctx->tr.input, "gc_pause_p50", "median pause", (double)d[n ? (n - 1) / 2 : 0],
                "ns");
    dg_evidence(fb, ctx->tr.input, "gc_pause_total", "time the world was stopped", (double)total,
                "ns");
    dg_evidence(fb, ctx->tr.input, "long_gc_pauses", "pauses over the threshold", (double)n_long,
                "count");
    dg_evidence(fb, "config", "stw_pause_threshold", "a GC pause this long hurts (seed: 10 ms)",
                (double)cfg->stw_pause_ns, "ns");
    if (ctx->tr.gc_interval_ns > 0)
        dg_evidence(fb, ctx->tr.input, "gc_interval", "mean time between GC cycles",
                    (double)ctx->tr.gc_interval_ns, "ns");
    cpu = cpu_share(ctx, stw_frames);
    if (cpu > 0)
        dg_evidence(fb, ctx->pf.cpu_input, "cpu_in_stw", "CPU in gcMarkTermination/stopTheWorld",
                    cpu, "ratio");
    if (n_long > 0) {
        dg_window(fb, first, last, peak, "trace");
        /* Every request in flight waits the whole pause: at or over the seed's threshold the
         * pauses are worth fixing whatever their share. */
        dg_severity_at_least(fb,
                             n_long >= 2 || ctx->tr.gc_periodic ? GORCA_SEV_MEDIUM : GORCA_SEV_LOW);
        if (fb->f.score < 0.05)
            dg_set_score(fb, 0.05 + 0.1 * (double)n_long / (double)(n ? n : 1), 1.0);
    }
    dg_title(fb, "%s stop-the-world pauses up to %s (%zu of %zu over %s)%s",
             n_other == n && n > 0 ? "Service"
             : n_other > 0         ? "GC and service"
                                   : "GC",
             dg_dur(ctx, (double)max), n_long, n, dg_dur(ctx, (double)cfg->stw_pause_ns),
             ctx->tr.gc_periodic ? ", periodic" : "");
    dg_explain(fb,
               "While the world is stopped no goroutine runs, so every request in flight waits "
               "for the whole pause. %zu pauses totalled %s (longest %s)%s; requests overlapped "
               "them or waited in calls that stop the world for %s, %s of request latency.",
               n, dg_dur(ctx, (double)total), dg_dur(ctx, (double)max),
               n_other > 0
                   ? dg_printf(ctx, ", %zu of them the service's own (\"%s\")", n_other, other_kind)
                   : "",
               dg_dur(ctx, a->ns), dg_pct(ctx, fb->f.latency_share < 0 ? 0 : fb->f.latency_share));
    if (n_other > 0)
        dg_advice(fb, "Do not stop the world from the request path: replace runtime.ReadMemStats "
                      "with runtime/metrics, drop runtime.GC/debug.FreeOSMemory calls, set "
                      "GOMAXPROCS once at start-up.");
    dg_advice(fb, "Long stop-the-world phases usually wait for a goroutine that does not reach a "
                  "preemption point: look for long loops in assembly or cgo calls, huge slice "
                  "copies and very large allocations around the pauses.");
    dg_advice(fb, "Make the GC run less often (GOGC higher, or GOMEMLIMIT with enough headroom) "
                  "and keep fewer goroutines and pointer-rich structures alive.");
    dg_advice(fb, "Upgrade Go: stop-the-world phases have become shorter in recent releases.");
    base_free(d);
}

const struct dg_rule dg_rule_gc_stw = { GORCA_CAUSE_GC_STW, NULL, claim, evaluate };
