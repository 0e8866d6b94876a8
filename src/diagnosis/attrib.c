/* Latency attribution: which mechanism explains how much request time. Every observation is
 * first placed (serving a request? which handler? only waiting for its client?), then every
 * rule bids on it with a priority and a confidence (dg_rule.claim) and the highest bid wins.
 * The trace gives measured request time per mechanism; a goroutine dump gives the number of
 * in-flight requests per mechanism. Cross-goroutine refinements:
 *   - waits for an outbound connection are split by what the dialing goroutines were doing
 *     (resolving, TLS handshaking, connecting), also when the waiting goroutine is a helper the
 *     request waits for (fan-out calls);
 *   - runnable time of requests is split between GC CPU pressure (saturation inside GC mark
 *     phases) and plain scheduler saturation, from the timeline;
 *   - CPU spent by requests inside the critical section of a contended lock is charged to the
 *     lock (the CPU profile matched against the lock sites: seed §2.3);
 *   - GC assists and GC stop-the-world overlap come from the trace's ranges. */
#include <math.h>
#include <stdlib.h>
#include "diag_int.h"

/* ---- placing and claiming ----------------------------------------------------------------- */

static void annotate(struct dg_obsv *v)
{
    size_t i;

    for (i = 0; i < v->n; i++) {
        struct dg_obs *o = &v->v[i];
        int h;

        o->req = (int8_t)dg_request_of(&o->st, &h);
        o->handler = h;
        o->client_io = o->req == DG_REQ_YES && dg_is_client_io(&o->st);
    }
}

static void claim(const struct dg_ctx *ctx, struct dg_obs *o)
{
    struct dg_claim best = { 0, 0, -1 };
    int c, cause = -1;

    o->cause = -1;
    if (o->client_io || o->event_wait || o->req == DG_REQ_DEBUG)
        return;
    for (c = 0; c < GORCA_CAUSE_N; c++) {
        struct dg_claim cl;
        if ((ctx->cfg->disabled & (1u << c)) || dg_rules[c]->claim == NULL)
            continue;
        cl = dg_rules[c]->claim(ctx, o);
        if (cl.prio > best.prio) {
            best = cl;
            cause = c;
        }
    }
    if (cause < 0)
        return;
    o->cause = (int8_t)cause;
    o->site = best.site;
    o->conf = best.conf;
}

static void claim_all(const struct dg_ctx *ctx, struct dg_obsv *v)
{
    size_t i;

    for (i = 0; i < v->n; i++)
        claim(ctx, &v->v[i]);
}

/* ---- handlers of the trace's requests ------------------------------------------------------ */

static int cmp_req(const void *x, const void *y)
{
    const struct dg_request *a = *(const struct dg_request *const *)x;
    const struct dg_request *b = *(const struct dg_request *const *)y;

    if (a->handler != b->handler)
        return (uintptr_t)a->handler < (uintptr_t)b->handler ? -1 : 1;
    return a->dur < b->dur ? -1 : a->dur > b->dur;
}

static int cmp_handler(const void *x, const void *y)
{
    const struct dg_handler *a = x, *b = y;

    return a->total_ns > b->total_ns ? -1 : a->total_ns < b->total_ns;
}

static int64_t pct(const struct dg_request *const *q, size_t n, double p)
{
    size_t k;

    if (n == 0)
        return 0;
    k = (size_t)ceil(p * (double)n);
    if (k < 1)
        k = 1;
    return q[k - 1]->dur;
}

static int cmp_dur(const void *x, const void *y)
{
    const struct dg_request *a = *(const struct dg_request *const *)x;
    const struct dg_request *b = *(const struct dg_request *const *)y;

    return a->dur < b->dur ? -1 : a->dur > b->dur;
}

/* The handler function of a request as the stacks name it: a frame with that function. */
static const struct dg_frame *handler_frame(struct dg_ctx *ctx, const char *func)
{
    size_t i;

    for (i = 0; i < ctx->tr.waits.n; i++) {
        const struct dg_obs *o = &ctx->tr.waits.v[i];
        if (o->handler >= 0 && o->st.f[o->handler]->func == func)
            return o->st.f[o->handler];
    }
    return NULL;
}

/* handler_frame, remembered per function in t (few handlers, many requests). */
static const struct dg_frame *handler_frame_cached(struct dg_ctx *ctx, struct dg_tallyv *t,
                                                   const char *func)
{
    size_t i;
    const struct dg_frame *f;

    for (i = 0; i < t->n; i++)
        if (t->v[i].key == func)
            return t->v[i].frame;
    f = handler_frame(ctx, func);
    dg_tally_addf(ctx, t, func, f, 0, 0);
    return f;
}

static void build_handlers(struct dg_ctx *ctx)
{
    const struct dg_request **q;
    size_t n = 0, i, j;

    q = base_malloc((ctx->tr.n_req ? ctx->tr.n_req : 1) * sizeof(*q));
    ctx->handlers = base_calloc(ctx->tr.n_req ? ctx->tr.n_req : 1, sizeof(*ctx->handlers));
    if (q == NULL || ctx->handlers == NULL) {
        base_free(q);
        ctx->oom = 1;
        return;
    }
    for (i = 0; i < ctx->tr.n_req; i++) {
        if (ctx->tr.req[i].debug) {
            ctx->sum.debug_requests++;
            continue;
        }
        q[n++] = &ctx->tr.req[i];
    }
    /* Whole-service numbers. */
    qsort(q, n, sizeof(*q), cmp_dur);
    ctx->req_n = n;
    for (i = 0; i < n; i++)
        ctx->req_total_ns += q[i]->dur;
    ctx->req_p50_ns = pct(q, n, 0.50);
    ctx->sum.requests = n;
    ctx->sum.request_total_ns = ctx->req_total_ns;
    ctx->sum.request_p50_ns = ctx->req_p50_ns;
    ctx->sum.request_p99_ns = pct(q, n, 0.99);
    ctx->sum.request_max_ns = n ? q[n - 1]->dur : 0;
    /* Per handler. */
    qsort(q, n, sizeof(*q), cmp_req);
    for (i = 0; i < n; i = j) {
        struct dg_handler *h = &ctx->handlers[ctx->n_handlers++];
        int c;

        h->func = q[i]->handler;
        h->f = h->func ? handler_frame(ctx, h->func) : NULL;
        for (j = i; j < n && q[j]->handler == q[i]->handler; j++) {
            h->n++;
            h->total_ns += q[j]->dur;
            h->exec_ns += q[j]->exec;
            h->assist_ns += q[j]->assist;
            h->stw_ns += q[j]->stw_gc;
            for (c = 0; c < DG_TW_N; c++)
                h->wait[c] += q[j]->wait[c];
        }
        h->p50_ns = pct(q + i, j - i, 0.50);
        h->p99_ns = pct(q + i, j - i, 0.99);
        h->max_ns = q[j - 1]->dur;
    }
    if (ctx->n_handlers > 1)
        qsort(ctx->handlers, ctx->n_handlers, sizeof(*ctx->handlers), cmp_handler);
    base_free(q);
}

const struct dg_handler *dg_handler_row(const struct dg_ctx *ctx, const char *func)
{
    size_t i;

    for (i = 0; i < ctx->n_handlers; i++)
        if (ctx->handlers[i].func == func)
            return &ctx->handlers[i];
    return NULL;
}

/* Overlap of every request with the GC stop-the-world pauses. */
static void stw_overlap(struct dg_ctx *ctx)
{
    size_t i, k;

    for (k = 0; k < ctx->tr.n_pauses; k++) {
        const struct dg_pause *p = &ctx->tr.pauses[k];
        if (!p->service)
            continue;
        for (i = 0; i < ctx->tr.n_req; i++) {
            struct dg_request *q = &ctx->tr.req[i];
            int64_t a = q->start > p->start ? q->start : p->start;
            int64_t b = q->end < p->start + p->dur ? q->end : p->start + p->dur;
            if (b > a)
                q->stw_gc += b - a;
        }
    }
}

/* ---- adding to a cause ----------------------------------------------------------------------- */

static const struct dg_frame *site_frame(const struct dg_obs *o)
{
    int i = o->site;

    if (i < 0)
        i = dg_first_user(&o->st, 0);
    if (i < 0 && o->st.n > 0)
        i = 0;
    return i >= 0 ? o->st.f[i] : NULL;
}

static void add_trace(struct dg_ctx *ctx, int cause, const struct dg_obs *o, double w, double conf)
{
    struct dg_attr *a = &ctx->attr[cause];
    const struct dg_frame *site = site_frame(o);

    a->ns += w;
    a->conf_ns += w * conf;
    a->waits += o->count;
    if (o->max_ns > a->max_ns)
        a->max_ns = o->max_ns;
    a->cls_ns[o->cls] += w;
    if (o->handler >= 0)
        dg_tally_addf(ctx, &a->handlers, o->st.f[o->handler]->func, o->st.f[o->handler], w,
                      o->count);
    if (site != NULL)
        dg_tally_addf(ctx, &a->sites, site, site, w, o->count);
    if (o->waker != NULL)
        dg_tally_add(ctx, &a->wakers, o->waker, w, o->count);
}

/* Adds class-measured request time (from the requests' breakdown) per handler. */
static void add_measured(struct dg_ctx *ctx, int cause, enum dg_class cls, double factor,
                         double conf, int64_t (*get)(const struct dg_request *))
{
    struct dg_attr *a = &ctx->attr[cause];
    size_t i;

    if (factor <= 0)
        return;
    for (i = 0; i < ctx->tr.n_req; i++) {
        const struct dg_request *q = &ctx->tr.req[i];
        double w;

        if (q->debug)
            continue;
        w = (double)get(q) * factor;
        if (w <= 0)
            continue;
        a->ns += w;
        a->conf_ns += w * conf;
        a->waits++;
        a->cls_ns[cls] += w;
        if (w > (double)a->max_ns)
            a->max_ns = (int64_t)w;
        if (q->handler != NULL)
            dg_tally_addf(ctx, &a->handlers, q->handler, q->handler_frame, w, 1);
    }
}

/* Runnable time outside GC stop-the-world pauses: while the world is stopped every goroutine
 * waits for the pause, which gc_stw accounts for. */
static int64_t get_sched(const struct dg_request *q)
{
    int64_t s = q->wait[DG_TW_SCHED] - q->stw_gc;

    return s > 0 ? s : 0;
}

static int64_t get_assist(const struct dg_request *q)
{
    return q->assist;
}

static int64_t get_stw(const struct dg_request *q)
{
    return q->stw_gc;
}

/* ---- refinements ---------------------------------------------------------------------------- */

static const char *const dial_prefixes[] = { "net/http.(*Transport).dialConn",
                                             "net/http.(*persistConn).addTLS",
                                             "net/http.(*Transport).dial", NULL };
static const char *const conn_wait_prefixes[] = { "net/http.(*Transport).getConn",
                                                  "net/http.(*Transport).queueForDial",
                                                  "net/http.(*wantConn).", NULL };

/* What dialing goroutines spent their time on: DNS, TLS or the connection itself. */
static void dial_mix(const struct dg_ctx *ctx, double mix[GORCA_CAUSE_N])
{
    size_t i;

    memset(mix, 0, GORCA_CAUSE_N * sizeof(mix[0]));
    for (i = 0; i < ctx->tr.waits.n; i++) {
        const struct dg_obs *o = &ctx->tr.waits.v[i];
        if (o->cause < 0 || o->cls == DG_RUNNABLE || dg_find_prefix(&o->st, 0, dial_prefixes) < 0)
            continue;
        if (o->cause == GORCA_CAUSE_DNS_RESOLUTION || o->cause == GORCA_CAUSE_TLS_HANDSHAKE ||
            o->cause == GORCA_CAUSE_NETPOLL_BLOCKING)
            mix[o->cause] += o->weight;
    }
    for (i = 0; i < ctx->pf.cpu.n; i++) {
        const struct dg_obs *o = &ctx->pf.cpu.v[i];
        if (o->cause == GORCA_CAUSE_TLS_HANDSHAKE && dg_find_prefix(&o->st, 0, dial_prefixes) >= 0)
            mix[o->cause] += o->weight;
    }
}

/* What the goroutines started at `name` (the helpers a request waits for) spend their time
 * on, by the mechanisms claimed on their own stacks; returns the dominant delegable cause and
 * its share of the helpers' total time, or -1. */
static int helper_cause(const struct dg_ctx *ctx, const char *name, const double dmix[],
                        double dmix_total, double *share)
{
    double mix[GORCA_CAUSE_N] = { 0 }, total = 0;
    size_t i;
    int c, best = -1;

    *share = 0;
    for (i = 0; i < ctx->tr.n_groups; i++)
        if (ctx->tr.groups[i].name == name)
            total += (double)ctx->tr.groups[i].total;
    if (total <= 0)
        return -1;
    for (i = 0; i < ctx->tr.waits.n; i++) {
        const struct dg_obs *o = &ctx->tr.waits.v[i];
        if (o->cause < 0 || o->cls == DG_RUNNABLE || o->req != DG_REQ_NO || o->st.n == 0 ||
            o->st.f[o->st.n - 1]->func != name)
            continue;
        if (o->cause == GORCA_CAUSE_NETPOLL_BLOCKING && dmix_total > 0 &&
            dg_find_prefix(&o->st, 0, conn_wait_prefixes) >= 0) {
            /* a helper waiting for a new connection waits for what the dialers did */
            for (c = 0; c < GORCA_CAUSE_N; c++)
                mix[c] += o->weight * dmix[c] / dmix_total;
            continue;
        }
        mix[o->cause] += o->weight;
    }
    for (c = 0; c < GORCA_CAUSE_N; c++) {
        /* Work a helper does on the request's behalf: calls, lookups, handshakes, syscalls,
         * locks. Its own channel waits or sleeps keep the request's wait a channel wait. */
        if (c != GORCA_CAUSE_NETPOLL_BLOCKING && c != GORCA_CAUSE_DNS_RESOLUTION &&
            c != GORCA_CAUSE_TLS_HANDSHAKE && c != GORCA_CAUSE_SYSCALL_BLOCKING &&
            c != GORCA_CAUSE_MUTEX_CONTENTION)
            continue;
        if (best < 0 || mix[c] > mix[best])
            best = c;
    }
    if (best < 0 || mix[best] < 0.5 * total)
        return -1;
    *share = mix[best] / total;
    return best;
}

static void attribute_trace_waits(struct dg_ctx *ctx)
{
    struct dg_tallyv helpers = { NULL, 0, 0 };
    double mix[GORCA_CAUSE_N], mix_total;
    size_t i;
    int c;

    dial_mix(ctx, mix);
    mix_total = mix[GORCA_CAUSE_DNS_RESOLUTION] + mix[GORCA_CAUSE_TLS_HANDSHAKE] +
                mix[GORCA_CAUSE_NETPOLL_BLOCKING];
    for (i = 0; i < ctx->tr.waits.n; i++) {
        const struct dg_obs *o = &ctx->tr.waits.v[i];

        if (o->req != DG_REQ_YES)
            continue;
        if (o->client_io) {
            ctx->client_io_ns += o->weight;
            continue;
        }
        if (o->cause < 0 || o->cls == DG_RUNNABLE)
            continue;
        /* Assist waits are inside the assist ranges counted from the requests. */
        if (o->cause == GORCA_CAUSE_GC_ASSIST && o->cls == DG_GC)
            continue;
        if (o->cause == GORCA_CAUSE_NETPOLL_BLOCKING && mix_total > 0 &&
            dg_find_prefix(&o->st, 0, conn_wait_prefixes) >= 0) {
            /* Waiting for a new connection: charge what the dialers did. */
            for (c = 0; c < GORCA_CAUSE_N; c++)
                if (mix[c] > 0)
                    add_trace(ctx, c, o, o->weight * mix[c] / mix_total, o->conf * 0.9);
            continue;
        }
        if (o->cause == GORCA_CAUSE_CHANNEL_BLOCKING && o->waker != NULL) {
            /* Waiting for helper goroutines: charge what they were waiting on. The answer per
             * helper is remembered (n = cause + 2; 1 = none). */
            double hs;
            int hc = -1;
            size_t k;
            for (k = 0; k < helpers.n && helpers.v[k].key != o->waker; k++) {
            }
            if (k < helpers.n) {
                hc = (int)helpers.v[k].n - 2;
            } else {
                hc = helper_cause(ctx, o->waker, mix, mix_total, &hs);
                dg_tally_add(ctx, &helpers, o->waker, 0, (uint64_t)(hc + 2));
            }
            if (hc >= 0) {
                add_trace(ctx, hc, o, o->weight, o->conf * 0.8);
                continue;
            }
        }
        add_trace(ctx, o->cause, o, o->weight, o->conf);
    }
    dg_tally_release(&helpers);
}

/* Share of the runnable time that the GC causes: the runnable goroutine-time per second
 * inside GC mark phases in excess of the rate outside them (the baseline), over all runnable
 * time. With no time outside GC there is no baseline and all of it counts. */
static double gc_share_of_runnable(const struct dg_ctx *ctx)
{
    double in = 0, out = 0, t_in = 0, t_out = 0, excess;
    size_t i;

    if (ctx->tr.bucket_ns <= 0)
        return 0;
    for (i = 0; i < ctx->tr.n_buckets; i++) {
        const struct dg_bucket *b = &ctx->tr.buckets[i];
        double w = (double)ctx->tr.bucket_ns, g = (double)b->gc_ns / w, r = b->runnable * w;
        if (g > 1)
            g = 1;
        in += r * g;
        out += r * (1 - g);
        t_in += w * g;
        t_out += w * (1 - g);
    }
    if (in + out <= 0 || t_in <= 0)
        return 0;
    if (t_out <= 0)
        return 1;
    excess = (in / t_in - out / t_out) * t_in;
    return excess > 0 ? excess / (in + out) : 0;
}

/* The GC's share of the CPU profile: mark workers, assists, sweeping, stop-the-world. When
 * every P is busy, requests wait for a P in proportion to who holds the Ps, so this is the
 * GC's part of their runnable time (seed §2.3: CPU hot functions against goroutine states). */
static double gc_share_of_cpu(const struct dg_ctx *ctx)
{
    static const char *const gc_frames[] = { "runtime.gcBgMarkWorker",
                                             "runtime.gcAssistAlloc",
                                             "runtime.gcDrain",
                                             "runtime.markroot",
                                             "runtime.scanobject",
                                             "runtime.greyobject",
                                             "runtime.bgsweep",
                                             "runtime.sweepone",
                                             "runtime.gcMarkTermination",
                                             "runtime.gcStart",
                                             "runtime.stopTheWorld",
                                             "runtime._GC",
                                             NULL };
    double w = 0;
    size_t i;

    for (i = 0; i < ctx->pf.cpu.n; i++)
        if (dg_find_prefix(&ctx->pf.cpu.v[i].st, 0, gc_frames) >= 0)
            w += ctx->pf.cpu.v[i].weight;
    return w / ctx->pf.cpu_total_ns;
}

/* Share of the CPU profile claimed by one cause. */
static double cause_share_of_cpu(const struct dg_ctx *ctx, int cause)
{
    double w = 0;
    size_t i;

    for (i = 0; i < ctx->pf.cpu.n; i++)
        if (ctx->pf.cpu.v[i].cause == cause)
            w += ctx->pf.cpu.v[i].weight;
    return w / ctx->pf.cpu_total_ns;
}

static int in_lock_call(const struct dg_stack *st)
{
    static const char *const p[] = { "sync.(*Mutex).", "sync.(*RWMutex).", "internal/sync.", NULL };

    return dg_find_prefix(st, 0, p) >= 0;
}

/* CPU of requests inside the critical sections of contended locks (lock sites found by the
 * mutex rule), as a share of each handler's CPU samples applied to its execution time. */
static void critical_sections(struct dg_ctx *ctx)
{
    struct dg_tallyv cpu = { NULL, 0, 0 }, cs = { NULL, 0, 0 };
    struct dg_attr *a = &ctx->attr[GORCA_CAUSE_MUTEX_CONTENTION];
    size_t i, k;

    if (ctx->n_lock_sites == 0 || (a->ns <= 0 && ctx->pf.mutex_total_ns <= 0))
        return;
    for (i = 0; i < ctx->pf.cpu.n; i++) {
        const struct dg_obs *o = &ctx->pf.cpu.v[i];
        const char *h;

        if (o->req != DG_REQ_YES || o->handler < 0)
            continue;
        h = o->st.f[o->handler]->func;
        dg_tally_add(ctx, &cpu, h, o->weight, 1);
        if (in_lock_call(&o->st))
            continue;
        for (k = 0; k < ctx->n_lock_sites; k++) {
            int at = dg_find_func(&o->st, ctx->lock_sites[k]->func);
            if (at > 0) {
                dg_tally_addf(ctx, &cs, h, ctx->lock_sites[k], o->weight, 1);
                break;
            }
        }
    }
    for (i = 0; i < cs.n; i++) {
        const struct dg_handler *row = dg_handler_row(ctx, cs.v[i].key);
        double total = 0, w;

        for (k = 0; k < cpu.n; k++)
            if (cpu.v[k].key == cs.v[i].key)
                total = cpu.v[k].w;
        if (row == NULL || total <= 0)
            continue;
        w = cs.v[i].w / total * (double)row->exec_ns;
        a->ns += w;
        a->conf_ns += w * 0.8;
        a->cls_ns[DG_RUNNING] += w;
        a->cpu_ns += cs.v[i].w;
        dg_tally_addf(ctx, &a->handlers, row->func, row->f, w, 0);
        dg_tally_addf(ctx, &a->sites, cs.v[i].frame, cs.v[i].frame, w, 0);
    }
    dg_tally_release(&cpu);
    dg_tally_release(&cs);
}

/* CPU that requests spend in a mechanism the CPU profile shows directly (a panic's deferred
 * code, TLS handshakes done inline): its share of each handler's CPU samples, applied to the
 * handler's execution time. */
static void claimed_cpu(struct dg_ctx *ctx)
{
    struct dg_tallyv all = { NULL, 0, 0 };
    size_t i, k;

    for (i = 0; i < ctx->pf.cpu.n; i++) {
        const struct dg_obs *o = &ctx->pf.cpu.v[i];
        if (o->req == DG_REQ_YES && o->handler >= 0)
            dg_tally_add(ctx, &all, o->st.f[o->handler]->func, o->weight, 1);
    }
    for (i = 0; i < ctx->pf.cpu.n; i++) {
        const struct dg_obs *o = &ctx->pf.cpu.v[i];
        const struct dg_handler *row;
        struct dg_attr *a;
        double total = 0, w;
        const char *h;

        if (o->req != DG_REQ_YES || o->handler < 0 ||
            (o->cause != GORCA_CAUSE_PANIC_RECOVERY && o->cause != GORCA_CAUSE_TLS_HANDSHAKE))
            continue;
        h = o->st.f[o->handler]->func;
        row = dg_handler_row(ctx, h);
        for (k = 0; k < all.n; k++)
            if (all.v[k].key == h)
                total = all.v[k].w;
        if (row == NULL || total <= 0)
            continue;
        w = o->weight / total * (double)row->exec_ns;
        a = &ctx->attr[o->cause];
        a->ns += w;
        a->conf_ns += w * o->conf * 0.8;
        a->cls_ns[DG_RUNNING] += w;
        dg_tally_addf(ctx, &a->handlers, h, row->f, w, 0);
        if (site_frame(o) != NULL)
            dg_tally_addf(ctx, &a->sites, site_frame(o), site_frame(o), w, 0);
    }
    dg_tally_release(&all);
}

static void attribute_trace(struct dg_ctx *ctx)
{
    struct dg_tallyv frames = { NULL, 0, 0 };
    double g, t, p;
    size_t i;

    stw_overlap(ctx);
    for (i = 0; i < ctx->tr.n_req; i++)
        if (ctx->tr.req[i].handler != NULL)
            ctx->tr.req[i].handler_frame =
                handler_frame_cached(ctx, &frames, ctx->tr.req[i].handler);
    dg_tally_release(&frames);
    build_handlers(ctx);
    if (ctx->oom)
        return;
    attribute_trace_waits(ctx);
    /* Requests wait for a P in proportion to who holds the Ps: the GC, TLS handshakes (the
     * service's own or its clients'), panics being unwound and reported, or everything else
     * (scheduler latency proper). */
    g = ctx->pf.cpu_total_ns > 0 ? gc_share_of_cpu(ctx) : gc_share_of_runnable(ctx);
    t = ctx->pf.cpu_total_ns > 0 ? cause_share_of_cpu(ctx, GORCA_CAUSE_TLS_HANDSHAKE) : 0;
    p = ctx->pf.cpu_total_ns > 0 ? cause_share_of_cpu(ctx, GORCA_CAUSE_PANIC_RECOVERY) : 0;
    if (g + t > 1)
        t = 1 - g;
    if (g + t + p > 1)
        p = 1 - g - t;
    add_measured(ctx, GORCA_CAUSE_SCHEDULER_LATENCY, DG_RUNNABLE, 1 - g - t - p, 0.9, get_sched);
    add_measured(ctx, GORCA_CAUSE_GC_ASSIST, DG_RUNNABLE, g, 0.7, get_sched);
    add_measured(ctx, GORCA_CAUSE_TLS_HANDSHAKE, DG_RUNNABLE, t, 0.7, get_sched);
    add_measured(ctx, GORCA_CAUSE_PANIC_RECOVERY, DG_RUNNABLE, p, 0.7, get_sched);
    add_measured(ctx, GORCA_CAUSE_GC_ASSIST, DG_GC, 1, 1.0, get_assist);
    add_measured(ctx, GORCA_CAUSE_GC_STW, DG_OTHER, 1, 1.0, get_stw);
    critical_sections(ctx);
    claimed_cpu(ctx);
}

/* ---- dumps and profiles ---------------------------------------------------------------------- */

static void attribute_dump(struct dg_ctx *ctx)
{
    size_t i;

    for (i = 0; i < ctx->dm.gs.n; i++) {
        const struct dg_obs *o = &ctx->dm.gs.v[i];
        struct dg_attr *a;

        if (o->req != DG_REQ_YES)
            continue;
        ctx->inflight += o->weight;
        if (o->cause < 0)
            continue;
        a = &ctx->attr[o->cause];
        a->gor += o->weight;
        a->conf_gor += o->weight * o->conf;
        if (o->handler >= 0)
            dg_tally_addf(ctx, &a->handlers_gor, o->st.f[o->handler]->func, o->st.f[o->handler],
                          o->weight, o->count);
        if (!ctx->tr.have) {
            const struct dg_frame *site = site_frame(o);
            a->cls_ns[o->cls] += o->weight;
            if (site != NULL)
                dg_tally_addf(ctx, &a->sites, site, site, o->weight, o->count);
        }
    }
    ctx->sum.inflight_requests = (uint64_t)ctx->inflight;
}

static void attribute_profiles(struct dg_ctx *ctx)
{
    size_t i;

    for (i = 0; i < ctx->pf.block.n; i++) {
        const struct dg_obs *o = &ctx->pf.block.v[i];
        struct dg_attr *a;
        if (o->req != DG_REQ_YES || o->cause < 0)
            continue;
        a = &ctx->attr[o->cause];
        a->block_ns += o->weight;
        if (!ctx->tr.have && ctx->dm.gs.n == 0) {
            /* The only located evidence: sites and handlers from the block profile. */
            const struct dg_frame *site = site_frame(o);
            if (site != NULL)
                dg_tally_addf(ctx, &a->sites, site, site, o->weight, o->count);
            if (o->handler >= 0)
                dg_tally_addf(ctx, &a->handlers, o->st.f[o->handler]->func, o->st.f[o->handler],
                              o->weight, o->count);
        }
    }
    for (i = 0; i < ctx->pf.cpu.n; i++) {
        const struct dg_obs *o = &ctx->pf.cpu.v[i];
        if (o->req == DG_REQ_YES && o->cause >= 0 && o->cause != GORCA_CAUSE_MUTEX_CONTENTION)
            ctx->attr[o->cause].cpu_ns += o->weight;
        /* A panic's deferred code deep in a recursion: the profiler's depth limit cut the
         * stack before the goroutine's root, so whether it serves a request is unknown. The
         * panic is still seen (the rule rates CPU-only panics low). */
        else if (o->req == DG_REQ_NO && o->cause == GORCA_CAUSE_PANIC_RECOVERY &&
                 o->st.n >= DG_CPU_MAX_DEPTH)
            ctx->attr[o->cause].cpu_ns += o->weight;
    }
}

/* Requests that wait for something to happen elsewhere: a long poll or a subscription
 * answers when another client's request brings news, or when its own poll timeout fires.
 * Their channel or select waits are the endpoint's design, not a bottleneck: when the wake-ups
 * that did not come from a timer mostly started with another client's request arriving (the
 * origins of the blocking chains, through relaying goroutines), the waits are set aside. A
 * goroutine dump's requests parked at the same site are set aside with them. */
static void event_waits(struct dg_ctx *ctx)
{
    struct dg_tallyv sites = { NULL, 0, 0 };
    double total = 0;
    size_t i, k;

    for (i = 0; i < ctx->tr.waits.n; i++) {
        struct dg_obs *o = &ctx->tr.waits.v[i];
        double other;
        int f;

        if (o->req != DG_REQ_YES || (o->cls != DG_CHAN && o->cls != DG_SELECT) ||
            o->request_woken <= 0 || o->timer_woken < 0)
            continue;
        other = 1 - o->timer_woken; /* ended by goroutines */
        if (o->request_woken < ctx->cfg->event_wait_share * other || o->request_woken < 0.1)
            continue;
        o->event_wait = 1;
        total += o->weight;
        f = dg_first_user(&o->st, 0);
        if (f >= 0)
            dg_tally_addf(ctx, &sites, o->st.f[f], o->st.f[f], o->weight, o->count);
    }
    for (i = 0; i < ctx->dm.gs.n && sites.n > 0; i++) {
        struct dg_obs *o = &ctx->dm.gs.v[i];
        int f = dg_first_user(&o->st, 0);

        if (o->req != DG_REQ_YES || (o->cls != DG_CHAN && o->cls != DG_SELECT) || f < 0)
            continue;
        for (k = 0; k < sites.n && sites.v[k].key != (const void *)o->st.f[f]; k++) {
        }
        if (k < sites.n)
            o->event_wait = 1;
    }
    if (sites.n > 0) {
        dg_tally_sort(&sites);
        ctx->event_site = sites.v[0].key;
    }
    ctx->event_wait_ns = total;
    dg_tally_release(&sites);
}

void dg_attribute(struct dg_ctx *ctx)
{
    int c;

    annotate(&ctx->tr.waits);
    annotate(&ctx->dm.gs);
    annotate(&ctx->pf.cpu);
    annotate(&ctx->pf.block);
    annotate(&ctx->pf.mutex);
    for (c = 0; c < GORCA_CAUSE_N; c++)
        if (!(ctx->cfg->disabled & (1u << c)) && dg_rules[c]->prepare != NULL)
            dg_rules[c]->prepare(ctx);
    event_waits(ctx);
    claim_all(ctx, &ctx->tr.waits);
    claim_all(ctx, &ctx->dm.gs);
    claim_all(ctx, &ctx->pf.cpu);
    claim_all(ctx, &ctx->pf.block);
    if (ctx->tr.have)
        attribute_trace(ctx);
    attribute_dump(ctx);
    attribute_profiles(ctx);
    if (ctx->event_wait_ns > 0 && ctx->req_total_ns > 0)
        dg_note(ctx,
                "%s of request time (%s) waited for other clients' requests or a poll timeout%s%s"
                " (a long poll or subscription): by design, not counted as a cause",
                dg_pct(ctx, ctx->event_wait_ns / (double)ctx->req_total_ns),
                dg_dur(ctx, ctx->event_wait_ns), ctx->event_site ? " in " : "",
                ctx->event_site ? dg_display_func(ctx, ctx->event_site->func) : "");
}
