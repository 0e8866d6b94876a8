/* panic_recovery: handlers panic and the recovery path is slow. Mechanism: request goroutines
 * that wait or run with runtime.gopanic on their stack (they are executing deferred code of a
 * panic: the recover middleware), goroutines accumulating in net/http.(*conn).serve in that
 * state in the dump, CPU in gopanic / debug.Stack; the frame below gopanic names where the
 * panic happened and what kind it is (nil map, nil pointer, index out of range). */
#include "diag_int.h"

static const char *const panic_frames[] = { "runtime.gopanic", NULL };

static struct dg_claim claim(const struct dg_ctx *ctx, const struct dg_obs *o)
{
    struct dg_claim c = { 0, 0, -1 };
    int i;

    (void)ctx;
    i = dg_find_prefix(&o->st, 0, panic_frames);
    if (i <= 0) /* gopanic itself at the leaf is not yet deferred work */
        return c;
    c.prio = 95;
    c.conf = 1.0;
    c.site = dg_first_user(&o->st, 0); /* the deferred code */
    if (c.site > i)
        c.site = i;
    return c;
}

/* Where the panic happened: the first frame below gopanic, and the first user frame below. */
struct origin {
    const struct dg_frame *user;
    const char *kind;
};

static const char *panic_kind(const char *f)
{
    static const struct {
        const char *prefix, *kind;
    } kinds[] = {
        { "runtime.mapassign", "assignment to entry in nil map" },
        { "runtime.panicmem", "nil pointer dereference" },
        { "runtime.sigpanic", "nil pointer dereference or invalid memory address" },
        { "runtime.goPanicIndex", "index out of range" },
        { "runtime.panicIndex", "index out of range" },
        { "runtime.goPanicSlice", "slice bounds out of range" },
        { "runtime.panicSlice", "slice bounds out of range" },
        { "runtime.panicdivide", "integer divide by zero" },
        { "runtime.panicdottype", "interface conversion" },
        { "runtime.panicnildottype", "interface conversion" },
        { "runtime.closechan", "close of closed or nil channel" },
        { "runtime.chansend", "send on closed channel" },
    };
    size_t i;

    for (i = 0; i < BASE_ARRAY_LEN(kinds); i++)
        if (dg_has_prefix(f, kinds[i].prefix))
            return kinds[i].kind;
    return NULL;
}

static struct origin origin_of(const struct dg_stack *st)
{
    struct origin r = { NULL, NULL };
    int i = dg_find_prefix(st, 0, panic_frames), u;

    if (i < 0 || (uint32_t)i + 1 >= st->n)
        return r;
    r.kind = panic_kind(st->f[i + 1]->func);
    u = dg_first_user(st, i + 1);
    if (u >= 0)
        r.user = st->f[u];
    return r;
}

static void evaluate(struct dg_ctx *ctx)
{
    struct dg_attr *a = &ctx->attr[GORCA_CAUSE_PANIC_RECOVERY];
    struct origin org = { NULL, NULL };
    double in_serve = 0, panicking = 0, best = 0, cpu_best = 0, cpu_share = 0;
    const struct dg_frame *cpu_site = NULL;
    int best_cpu = 0;
    const char *site, *handler;
    struct dg_fb *fb;
    size_t i;

    for (i = 0; i < ctx->dm.gs.n; i++) {
        const struct dg_obs *o = &ctx->dm.gs.v[i];
        static const char *const serve[] = { "net/http.(*conn).serve", NULL };
        if (dg_find_prefix(&o->st, 0, panic_frames) < 0)
            continue;
        panicking += o->weight;
        if (dg_find_prefix(&o->st, 0, serve) >= 0)
            in_serve += o->weight;
    }
    if (a->ns <= 0 && a->gor <= 0 && a->cpu_ns <= 0 && ctx->dm.panic_text == NULL)
        return;
    /* The origin from the heaviest panicking observation (waits and goroutines first, then
     * CPU samples), and the recovery code the CPU samples run. */
    for (i = 0; i < ctx->tr.waits.n + ctx->dm.gs.n + ctx->pf.cpu.n; i++) {
        size_t k = i - ctx->tr.waits.n - ctx->dm.gs.n;
        const struct dg_obs *o = i < ctx->tr.waits.n ? &ctx->tr.waits.v[i]
                                 : i < ctx->tr.waits.n + ctx->dm.gs.n
                                     ? &ctx->dm.gs.v[i - ctx->tr.waits.n]
                                     : &ctx->pf.cpu.v[k];
        int cpu = i >= ctx->tr.waits.n + ctx->dm.gs.n;
        if (o->cause != GORCA_CAUSE_PANIC_RECOVERY)
            continue;
        if (cpu && o->site >= 0 && o->weight > cpu_best) {
            cpu_site = o->st.f[o->site];
            cpu_best = o->weight;
        }
        if ((!cpu || org.user == NULL || best_cpu) && o->weight > best) {
            struct origin x = origin_of(&o->st);
            if (x.user != NULL) {
                org = x;
                best = o->weight;
                best_cpu = cpu;
            }
        }
    }
    fb = dg_finding(ctx, GORCA_CAUSE_PANIC_RECOVERY);
    dg_rate(fb);
    dg_common_latency_parts(fb, "recovery code", 3);
    dg_tally_sort(&a->sites);
    dg_tally_sort(&a->handlers);
    site = a->sites.n ? dg_display_func(ctx, ((const struct dg_frame *)a->sites.v[0].key)->func)
           : cpu_site ? dg_display_func(ctx, cpu_site->func)
                      : "the recovery code";
    handler = org.user        ? dg_display_func(ctx, org.user->func)
              : a->handlers.n ? dg_display_func(ctx, a->handlers.v[0].key)
                              : "a handler";
    if (org.user != NULL)
        dg_location(fb, org.user, "panic site", 1);
    if (panicking > 0) {
        dg_evidence(fb, ctx->dm.input, "panicking_goroutines", "goroutines inside a panic",
                    panicking, "goroutines");
        dg_evidence(fb, ctx->dm.input, "panicking_in_conn_serve",
                    "of them serving connections (net/http.(*conn).serve)", in_serve, "goroutines");
    }
    if (ctx->dm.panic_text != NULL)
        dg_evidence(fb, ctx->dm.input, "crash_panic",
                    dg_printf(ctx, "panic: %s%s", ctx->dm.panic_text,
                              ctx->dm.recovered ? " [recovered]" : ""),
                    1, "count");
    if (in_serve >= 2 && fb->f.severity < GORCA_SEV_MEDIUM && (a->ns > 0 || a->gor > 0))
        dg_severity_at_least(fb, GORCA_SEV_MEDIUM);
    if (a->cpu_ns > 0 && ctx->pf.cpu_total_ns > 0) {
        cpu_share = a->cpu_ns / ctx->pf.cpu_total_ns;
        dg_evidence(fb, ctx->pf.cpu_input, "panic_cpu_share", "share of CPU inside panics",
                    cpu_share, "ratio");
        if (cpu_site != NULL)
            dg_location(fb, cpu_site, "recovery code", 1);
    }
    if (a->gor <= 0 && fb->f.latency_share < ctx->cfg->share_low) {
        /* A crash log, or panics seen (almost) only in the CPU profile: real, but not what
         * requests wait for. */
        fb->f.severity = ctx->dm.panic_text ? GORCA_SEV_MEDIUM : GORCA_SEV_LOW;
        dg_set_score(fb, ctx->dm.panic_text || cpu_share > 0.2 ? 0.2 : cpu_share, 0.8);
        if (ctx->dm.panic_text == NULL) {
            dg_title(fb, "%s panics%s%s, recovered in %s: %s of CPU inside panics", handler,
                     org.kind ? " (" : "", org.kind ? dg_printf(ctx, "%s)", org.kind) : "", site,
                     dg_pct(ctx, cpu_share));
            dg_explain(fb,
                       "The CPU profile shows goroutines inside a panic%s: unwinding it and "
                       "the deferred recovery code (%s) take %s of the CPU. Each panicking "
                       "request fails (the client gets an error) although the process "
                       "survives; the trace shows no request latency spent there.",
                       org.kind ? dg_printf(ctx, " (%s in %s)", org.kind, handler) : "", site,
                       dg_pct(ctx, cpu_share));
            goto advice;
        }
    }
    dg_title(fb,
             "%s panics%s%s and requests wait in the recovery code %s: %s of request "
             "latency",
             handler, org.kind ? " (" : "", org.kind ? dg_printf(ctx, "%s)", org.kind) : "", site,
             dg_pct(ctx, fb->f.latency_share < 0 ? 0 : fb->f.latency_share));
    dg_explain(
        fb,
        "Requests to %s panic%s; the panic is recovered, but the deferred recovery code "
        "(%s) blocks before the response is written, so every panicking request holds "
        "its connection for that long (%s in total%s). The client still gets an "
        "error.",
        handler, org.kind ? dg_printf(ctx, " with \"%s\"", org.kind) : "", site, dg_dur(ctx, a->ns),
        in_serve > 0 ? dg_printf(ctx, "; %.0f connections were stuck there in the dump", in_serve)
                     : "");
advice:
    dg_advice(fb,
              "Fix the panic in %s%s: recovering keeps the process alive but the request "
              "still fails.",
              handler, org.kind ? dg_printf(ctx, " (%s)", org.kind) : "");
    dg_advice(fb,
              "Keep recovery cheap and non-blocking: in %s hand the crash report to a "
              "buffered channel with a default case (or a bounded worker pool) instead of "
              "sending it synchronously.",
              site);
    dg_advice(fb, "Count recovered panics in a metric and alert on it; they are bugs, not "
                  "load.");
}

const struct dg_rule dg_rule_panic = { GORCA_CAUSE_PANIC_RECOVERY, NULL, claim, evaluate };
