/* gc_assist: the GC takes CPU from requests. Mechanism: mark-assist time inside request
 * goroutines (trace ranges, "GC assist wait"), runnable time of requests while GC mark workers
 * occupy the Ps (scheduler saturation inside mark phases), runtime.gcAssistAlloc and the mark
 * workers in the CPU profile; supported by the GC cycle rate, the mark phase's share of time,
 * the minimum mutator utilization and the allocation sites that drive it. */
#include "diag_int.h"

static const char *const assist_frames[] = { "runtime.gcAssistAlloc", "runtime.gcParkAssist",
                                             NULL };
static const char *const gc_frames[] = { "runtime.gcBgMarkWorker", "runtime.gcAssistAlloc",
                                         "runtime.gcDrain",        "runtime.markroot",
                                         "runtime.scanobject",     "runtime.bgsweep",
                                         "runtime.sweepone",       NULL };

/* Runtime GC machinery an allocating goroutine can wait in (starting a cycle, finishing the
 * mark phase, assisting): a wait under these is the GC's, whatever its block reason. */
static const char *const gc_wait_frames[] = { "runtime.gcStart",       "runtime.gcMarkDone",
                                              "runtime.gcAssistAlloc", "runtime.gcParkAssist",
                                              "runtime.gcWaitOnMark",  "runtime.gcMarkTermination",
                                              "runtime.stopTheWorld",  NULL };

static struct dg_claim claim(const struct dg_ctx *ctx, const struct dg_obs *o)
{
    struct dg_claim c = { 0, 0, -1 };
    int i, u;

    (void)ctx;
    u = dg_first_user(&o->st, 0);
    if (o->cls != DG_RUNNING && o->cls != DG_RUNNABLE &&
        (i = dg_find_prefix(&o->st, 0, gc_wait_frames)) >= 0 && (u < 0 || i < u)) {
        c.prio = 58;
        c.conf = 0.9;
        c.site = dg_first_user(&o->st, i);
        return c;
    }
    if (o->cls == DG_GC) {
        c.prio = 55;
        c.conf = 1.0;
        c.site = dg_first_user(&o->st, 0);
        return c;
    }
    if (o->cls == DG_RUNNING && (i = dg_find_prefix(&o->st, 0, assist_frames)) >= 0) {
        c.prio = 55;
        c.conf = 1.0;
        c.site = dg_first_user(&o->st, i);
    }
    return c;
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

/* GC pressure over the timeline: assists plus goroutines runnable while marking. */
static double pressure(const struct dg_ctx *ctx, const struct dg_bucket *b)
{
    double g = ctx->tr.bucket_ns > 0 ? (double)b->gc_ns / (double)ctx->tr.bucket_ns : 0;

    return (double)b->assist_ns + b->runnable * g * (double)ctx->tr.bucket_ns;
}

/* Where the capture window's allocations happen: CPU samples in the allocator, by the
 * innermost user frame (the allocs profile covers the whole process life instead). */
static double malloc_sites(struct dg_ctx *ctx, struct dg_tallyv *t)
{
    static const char *const malloc_frames[] = { "runtime.mallocgc",  "runtime.newobject",
                                                 "runtime.makeslice", "runtime.growslice",
                                                 "runtime.makemap",   NULL };
    double total = 0;
    size_t i;

    for (i = 0; i < ctx->pf.cpu.n; i++) {
        const struct dg_obs *o = &ctx->pf.cpu.v[i];
        int m = dg_find_prefix(&o->st, 0, malloc_frames), u;
        if (m < 0 || o->req == DG_REQ_DEBUG)
            continue;
        total += o->weight;
        u = dg_first_user(&o->st, m);
        if (u >= 0)
            dg_tally_addf(ctx, t, o->st.f[u], o->st.f[u], o->weight, 1);
    }
    dg_tally_sort(t);
    return total;
}

static void evaluate(struct dg_ctx *ctx)
{
    struct dg_attr *a = &ctx->attr[GORCA_CAUSE_GC_ASSIST];
    double gc_cpu = cpu_share(ctx, gc_frames), assist_cpu = cpu_share(ctx, assist_frames);
    double mark_share =
        ctx->tr.dur_ns > 0 ? (double)ctx->tr.gc_mark_ns / (double)ctx->tr.dur_ns : 0;
    const char *alloc = NULL;
    struct dg_tallyv ms = { NULL, 0, 0 };
    double malloc_cpu;
    struct dg_fb *fb;

    if (a->ns <= 0 && a->gor <= 0 &&
        !(ctx->pf.cpu_total_ns > 0 && gc_cpu >= ctx->cfg->gc_cpu_share))
        return;
    fb = dg_finding(ctx, GORCA_CAUSE_GC_ASSIST);
    dg_rate(fb);
    dg_common_latency_parts(fb, "allocating code", 3);
    if (ctx->tr.have) {
        fb->f.window.known = 0;
        dg_window_timeline(fb, pressure);
    }
    malloc_cpu = malloc_sites(ctx, &ms);
    if (ctx->tr.have) {
        double secs = (double)ctx->tr.dur_ns / 1e9;
        dg_evidence(fb, ctx->tr.input, "request_assist_time", "mark assists in requests",
                    a->cls_ns[DG_GC], "ns");
        dg_evidence(fb, ctx->tr.input, "request_runnable_in_gc",
                    "requests runnable while GC workers held the Ps", a->cls_ns[DG_RUNNABLE], "ns");
        dg_evidence(fb, ctx->tr.input, "gc_cycles", "GC cycles", (double)ctx->tr.gc_cycles,
                    "count");
        if (secs > 0)
            dg_evidence(fb, ctx->tr.input, "gc_rate", "GC cycles per second",
                        (double)ctx->tr.gc_cycles / secs, "per_second");
        dg_evidence(fb, ctx->tr.input, "gc_mark_share", "share of time in a GC mark phase",
                    mark_share, "ratio");
        dg_evidence(fb, ctx->tr.input, "assist_total", "mark assists, all goroutines",
                    (double)ctx->tr.gc_assist_ns, "ns");
        if (ctx->tr.mmu_10ms >= 0)
            dg_evidence(fb, ctx->tr.input, "mmu_10ms", "minimum mutator utilization, 10 ms windows",
                        ctx->tr.mmu_10ms, "ratio");
        if (ctx->tr.mmu_100ms >= 0)
            dg_evidence(fb, ctx->tr.input, "mmu_100ms",
                        "minimum mutator utilization, 100 ms windows", ctx->tr.mmu_100ms, "ratio");
        if (ctx->tr.heap_max > 0)
            dg_evidence(fb, ctx->tr.input, "heap_live_max", "largest live heap",
                        (double)ctx->tr.heap_max, "bytes");
    }
    if (ctx->pf.cpu_total_ns > 0) {
        dg_evidence(fb, ctx->pf.cpu_input, "gc_cpu_share", "share of CPU doing GC work", gc_cpu,
                    "ratio");
        dg_evidence(fb, ctx->pf.cpu_input, "assist_cpu_share", "share of CPU in mark assists",
                    assist_cpu, "ratio");
    }
    if (ms.n > 0 && malloc_cpu > 0) {
        size_t i;
        alloc = dg_display_func(ctx, ((const struct dg_frame *)ms.v[0].key)->func);
        dg_evidence(fb, ctx->pf.cpu_input, "malloc_cpu_share", "share of CPU allocating memory",
                    malloc_cpu / ctx->pf.cpu_total_ns, "ratio");
        dg_evidence(fb, ctx->pf.cpu_input, "top_allocator_share",
                    dg_printf(ctx, "share of allocation CPU in %s", alloc), ms.v[0].w / malloc_cpu,
                    "ratio");
        for (i = 0; i < ms.n && i < 3; i++)
            if (ms.v[i].w >= 0.05 * malloc_cpu)
                dg_location(fb, ms.v[i].key, "allocation site", ms.v[i].w / malloc_cpu);
    } else if (ctx->pf.n_alloc > 0 && ctx->pf.alloc_total_bytes > 0) {
        size_t i;
        alloc = dg_display_func(ctx, ctx->pf.alloc[0].f->func);
        dg_evidence(fb, ctx->pf.alloc_input, "top_alloc_share",
                    dg_printf(ctx, "share of bytes allocated since start by %s", alloc),
                    ctx->pf.alloc[0].value / ctx->pf.alloc_total_bytes, "ratio");
        for (i = 0; i < ctx->pf.n_alloc && i < 3; i++)
            if (ctx->pf.alloc[i].value >= 0.05 * ctx->pf.alloc_total_bytes)
                dg_location(fb, ctx->pf.alloc[i].f, "allocation site",
                            ctx->pf.alloc[i].value / ctx->pf.alloc_total_bytes);
    }
    dg_tally_release(&ms);
    if (a->ns <= 0 && a->gor <= 0) {
        /* CPU profile only: the GC's appetite, without measured request impact. */
        fb->f.severity = GORCA_SEV_LOW;
        dg_set_score(fb, gc_cpu * 0.3, 0.5);
    }
    dg_title(fb,
             "The GC takes CPU from requests: %s of request latency in assists and waits for "
             "the Ps%s%s",
             dg_pct(ctx, fb->f.latency_share < 0 ? 0 : fb->f.latency_share),
             alloc ? "; top allocator " : "", alloc ? alloc : "");
    dg_explain(fb,
               "When the heap grows fast the GC makes allocating goroutines help with marking "
               "(mark assists) and its workers take Ps that requests need. Requests spent %s in "
               "assists and %s runnable while GC workers ran; there were %llu GC cycles, the mark "
               "phase was active %s of the time%s.",
               dg_dur(ctx, a->cls_ns[DG_GC]), dg_dur(ctx, a->cls_ns[DG_RUNNABLE]),
               (unsigned long long)ctx->tr.gc_cycles, dg_pct(ctx, mark_share),
               ctx->pf.cpu_total_ns > 0
                   ? dg_printf(ctx, " and GC work was %s of the CPU profile", dg_pct(ctx, gc_cpu))
                   : "");
    if (alloc != NULL)
        dg_advice(fb,
                  "Allocate less in %s: reuse buffers (sync.Pool), preallocate slices and "
                  "maps, avoid per-item pointers and string concatenation in loops.",
                  alloc);
    else
        dg_advice(fb, "Find the allocation hot spots with the allocs profile "
                      "(go tool pprof -sample_index=alloc_space) and allocate less there.");
    dg_advice(fb, "Give the GC more room: raise GOGC, or set GOMEMLIMIT with headroom and a "
                  "higher GOGC, so cycles (and assists) are rarer.");
    dg_advice(fb, "Keep long-lived pointer-rich data small (it is re-marked every cycle): use "
                  "indices or value types instead of pointers in big caches.");
}

const struct dg_rule dg_rule_gc_assist = { GORCA_CAUSE_GC_ASSIST, NULL, claim, evaluate };
