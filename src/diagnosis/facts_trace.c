/* Facts from a Go execution trace, through the trace analyses of src/analysis (one streaming
 * pass): every HTTP request with where its time went, the blocking profiles of every wait
 * class (with who woke the waiters, from the blocking chains), GC cycles and pauses, the
 * scheduler's saturation, goroutine groups with their lifetimes (leaks), and the timeline.
 * Only the first trace of a run is analysed; times become offsets from the trace's start. */
#include <stdio.h>
#include <stdlib.h>
#include "diag_int.h"
#include "gorca/analysis.h"

/* Frame handle -> interned frame, filled lazily. */
struct frame_cache {
    const struct dg_frame **f;
    size_t cap;
};

static const struct dg_frame *frame_of(struct dg_ctx *ctx, const struct gorca_analysis *an,
                                       struct frame_cache *c, uint32_t h)
{
    const struct gorca_trace_frame *tf;

    if (h >= c->cap) {
        size_t cap = c->cap;
        if (base_grow((void **)&c->f, &cap, (size_t)h + 1, sizeof(*c->f)) != 0) {
            ctx->oom = 1;
            return NULL;
        }
        memset(c->f + c->cap, 0, (cap - c->cap) * sizeof(*c->f));
        c->cap = cap;
    }
    if (c->f[h] != NULL)
        return c->f[h];
    tf = gorca_analysis_frame(an, h);
    if (tf == NULL)
        c->f[h] = dg_frame(ctx, "", 0, NULL, 0, 0);
    else
        c->f[h] = dg_frame(ctx, tf->func, tf->func ? strlen(tf->func) : 0, tf->file,
                           tf->file ? strlen(tf->file) : 0, (int64_t)tf->line);
    return c->f[h];
}

static int stack_of(struct dg_ctx *ctx, const struct gorca_analysis *an, struct frame_cache *c,
                    uint32_t stack, struct dg_stack *out)
{
    const struct dg_frame *buf[128], **f = buf;
    size_t n = 0, i;
    const uint32_t *fr = gorca_analysis_stack_frames(an, stack, &n);
    int rc;

    if (n > BASE_ARRAY_LEN(buf)) {
        f = base_malloc(n * sizeof(*f));
        if (f == NULL) {
            ctx->oom = 1;
            return -1;
        }
    }
    for (i = 0; i < n; i++) {
        f[i] = frame_of(ctx, an, c, fr[i]);
        if (f[i] == NULL) {
            if (f != buf)
                base_free(f);
            return -1;
        }
    }
    rc = dg_stack_make(ctx, f, (uint32_t)n, out);
    if (f != buf)
        base_free(f);
    return rc;
}

/* ---- who woke the waiters (blocking chains) ---------------------------------------------- */

struct waker_info {
    uint32_t stack;
    double total_ns, timer_ns, top_ns, request_ns;
    const char *top; /* waker group with the most wait time */
    int64_t max_ns;
};

static int cmp_waker(const void *a, const void *b)
{
    const struct waker_info *x = a, *y = b;

    return x->stack < y->stack ? -1 : x->stack > y->stack;
}

/* One entry per waiter stack (sorted by stack) with the wait time its wakers account for, the
 * share woken by timers or the runtime, the heaviest waker and the longest wait. */
static struct waker_info *waker_table(const struct gorca_chains_result *ch, size_t *n_out)
{
    struct waker_info *w;
    size_t i, n = 0;

    *n_out = 0;
    w = base_calloc(ch->n_edges ? ch->n_edges : 1, sizeof(*w));
    if (w == NULL)
        return NULL;
    for (i = 0; i < ch->n_edges; i++)
        w[i].stack = ch->edges[i].waiter_stack;
    qsort(w, ch->n_edges, sizeof(*w), cmp_waker);
    for (i = 0; i < ch->n_edges; i++)
        if (n == 0 || w[n - 1].stack != w[i].stack)
            w[n++].stack = w[i].stack;
    for (i = 0; i < ch->n_edges; i++) {
        const struct gorca_chain_edge *e = &ch->edges[i];
        struct waker_info key = { e->waiter_stack, 0, 0, 0, 0, NULL, 0 };
        struct waker_info *x = bsearch(&key, w, n, sizeof(*w), cmp_waker);
        const char *name = e->waker_name ? e->waker_name : "";

        if (x == NULL)
            continue;
        x->total_ns += (double)e->wait_ns;
        if (strcmp(name, "(timer)") == 0 || strcmp(name, "(runtime)") == 0)
            x->timer_ns += (double)e->wait_ns;
        if ((double)e->wait_ns > x->top_ns) {
            x->top_ns = (double)e->wait_ns;
            x->top = name;
        }
        if (e->max_wait_ns > x->max_ns)
            x->max_ns = e->max_wait_ns;
    }
    *n_out = n;
    return w;
}

/* Reading what a client sends: a new connection, the next request on a connection, a request
 * body, HTTP/2 frames. A wake-up that starts there is another client's request arriving. */
static const char *const incoming_frames[] = { "net/http.(*Server).Serve",
                                               "net/http.(*conn).readRequest",
                                               "net/http.(*connReader).",
                                               "net/http.(*body).Read",
                                               "net/http.(*http2serverConn).readFrames",
                                               "net/http.(*http2serverConn).readPreface",
                                               "golang.org/x/net/http2.(*serverConn).readFrames",
                                               "google.golang.org/grpc/internal/transport.(*"
                                               "http2Server).HandleStreams",
                                               NULL };

static int incoming_stack(const struct gorca_analysis *an, uint32_t stack)
{
    size_t n = 0, i, k;
    const uint32_t *fr = gorca_analysis_stack_frames(an, stack, &n);

    for (i = 0; i < n; i++) {
        const struct gorca_trace_frame *f = gorca_analysis_frame(an, fr[i]);
        if (f == NULL || f->func == NULL)
            continue;
        for (k = 0; incoming_frames[k] != NULL; k++)
            if (dg_has_prefix(f->func, incoming_frames[k]))
                return 1;
    }
    return 0;
}

/* From the wake-ups' origins: the wait time each waiter stack spent until another client's
 * request (or its data) arrived, through however many relaying goroutines. */
static void request_origins(const struct gorca_analysis *an, struct waker_info *w, size_t n)
{
    const struct gorca_chains_result *o = gorca_analysis_origins(an);
    size_t i;

    for (i = 0; i < o->n_edges; i++) {
        const struct gorca_chain_edge *e = &o->edges[i];
        struct waker_info key = { e->waiter_stack, 0, 0, 0, 0, NULL, 0 }, *x;

        if (e->waker_name == NULL || strcmp(e->waker_name, "(netpoller)") != 0 ||
            !incoming_stack(an, e->waker_stack))
            continue;
        x = bsearch(&key, w, n, sizeof(*w), cmp_waker);
        if (x != NULL)
            x->request_ns += (double)e->wait_ns;
    }
}

static uint8_t class_of(enum gorca_block_class c, const struct dg_stack *st)
{
    switch (c) {
    case GORCA_BLOCK_NET:
        return DG_NET;
    case GORCA_BLOCK_SYNC:
        return (uint8_t)dg_sync_class(st);
    case GORCA_BLOCK_SYSCALL:
        return DG_SYSCALL;
    case GORCA_BLOCK_SCHED:
        return DG_RUNNABLE;
    case GORCA_BLOCK_SLEEP:
        return DG_SLEEP;
    case GORCA_BLOCK_GC:
        return DG_GC;
    default:
        return DG_OTHER;
    }
}

static void blocking(struct dg_ctx *ctx, const struct gorca_analysis *an, struct frame_cache *c,
                     const char *input)
{
    size_t n_w = 0, i;
    struct waker_info *w = waker_table(gorca_analysis_chains(an), &n_w);
    int cls;

    if (w == NULL) {
        ctx->oom = 1;
        return;
    }
    request_origins(an, w, n_w);
    /* Go's profiles, then the wait time they leave out (waits under way at the trace's
     * edges: a request stuck in one long call for the whole capture is only there). */
    for (cls = 0; cls < 2 * GORCA_BLOCK_N && !ctx->oom; cls++) {
        const struct gorca_block_profile *bp =
            cls < GORCA_BLOCK_N ? gorca_analysis_blocking(an, cls)
                                : gorca_analysis_uncounted(an, cls - GORCA_BLOCK_N);
        for (i = 0; i < bp->n_samples && !ctx->oom; i++) {
            const struct gorca_block_sample *s = &bp->samples[i];
            struct waker_info key = { s->stack, 0, 0, 0, 0, NULL, 0 }, *x;
            struct dg_obs o;

            if (s->delay_ns <= 0)
                continue;
            dg_obs_init(&o);
            if (stack_of(ctx, an, c, s->stack, &o.st) != 0)
                break;
            o.src = DG_SRC_TRACE;
            o.cls = class_of(bp->cls, &o.st);
            o.weight = (double)s->delay_ns;
            o.count = s->count;
            o.input = input;
            if (bp->cls != GORCA_BLOCK_SCHED && bp->cls != GORCA_BLOCK_SYSCALL) {
                x = bsearch(&key, w, n_w, sizeof(*w), cmp_waker);
                if (x != NULL && x->total_ns > 0) {
                    o.timer_woken = x->timer_ns / x->total_ns;
                    o.request_woken = x->request_ns / x->total_ns;
                    o.waker = x->top ? dg_cstr(ctx, x->top) : NULL;
                    o.max_ns = x->max_ns;
                }
            }
            dg_obs_push(ctx, &ctx->tr.waits, &o);
        }
    }
    base_free(w);
}

/* ---- requests, GC, scheduling, groups, timeline ------------------------------------------- */

static void requests(struct dg_ctx *ctx, const struct gorca_analysis *an, int64_t t0)
{
    const struct gorca_requests_result *r = gorca_analysis_requests(an);
    size_t i;

    ctx->tr.req = dg_alloc(ctx, (r->n_slowest ? r->n_slowest : 1) * sizeof(*ctx->tr.req));
    if (ctx->tr.req == NULL)
        return;
    for (i = 0; i < r->n_slowest; i++) {
        const struct gorca_request *q = &r->slowest[i];
        struct dg_request *d = &ctx->tr.req[ctx->tr.n_req++];
        const char *route = q->handler;
        int c;

        d->start = q->start_ns - t0;
        d->end = q->end_ns - t0;
        d->dur = q->dur_ns;
        d->exec = q->t.exec_ns;
        d->assist = q->t.assist_ns;
        for (c = 0; c < DG_TW_N && c < GORCA_BLOCK_N; c++)
            d->wait[c] = q->t.wait_ns[c];
        d->unfinished = q->unfinished;
        d->handler = route && *route ? dg_cstr(ctx, route) : NULL;
        d->debug = (q->handler && (dg_has_prefix(q->handler, "net/http/pprof.") ||
                                   dg_has_prefix(q->handler, "expvar."))) ||
                   (route && dg_has_prefix(route, "net/http/pprof."));
    }
}

/* Stop-the-world kinds the capture itself causes: goroutine dumps and profiles, starting and
 * stopping the trace. */
static int capture_pause(const char *kind)
{
    return dg_has_prefix(kind, "goroutine profile") ||
           strcmp(kind, "all goroutines stack trace") == 0 || strcmp(kind, "start trace") == 0 ||
           strcmp(kind, "stop trace") == 0 || kind[0] == '\0';
}

static void gc_facts(struct dg_ctx *ctx, const struct gorca_analysis *an, int64_t t0)
{
    const struct gorca_gc_result *g = gorca_analysis_gc(an);
    size_t i;

    ctx->tr.pauses = dg_alloc(ctx, (g->n_pauses ? g->n_pauses : 1) * sizeof(*ctx->tr.pauses));
    if (ctx->tr.pauses == NULL)
        return;
    for (i = 0; i < g->n_pauses; i++) {
        struct dg_pause *p = &ctx->tr.pauses[ctx->tr.n_pauses++];
        p->start = g->pauses[i].start_ns - t0;
        p->dur = g->pauses[i].dur_ns;
        p->kind = dg_cstr(ctx, g->pauses[i].kind ? g->pauses[i].kind : "");
        p->gc = g->pauses[i].gc;
        p->service = p->gc || !capture_pause(p->kind);
    }
    ctx->tr.gc_cycles = g->n_cycles;
    ctx->tr.gc_mark_ns = g->mark_total_ns;
    ctx->tr.gc_assist_ns = g->assist_total_ns;
    ctx->tr.heap_max = g->heap_max_bytes;
    ctx->tr.heap_goal = g->heap_goal_last_bytes;
    ctx->tr.gc_interval_ns = g->cycle_period.mean_interval_ns;
    ctx->tr.gc_periodic = g->cycle_period.periodic;
    ctx->tr.mmu_10ms = ctx->tr.mmu_100ms = -1;
    for (i = 0; i < g->n_mmu; i++) {
        if (g->mmu[i].window_ns == 10000000)
            ctx->tr.mmu_10ms = g->mmu[i].mmu;
        if (g->mmu[i].window_ns == 100000000)
            ctx->tr.mmu_100ms = g->mmu[i].mmu;
    }
}

static void sched_facts(struct dg_ctx *ctx, const struct gorca_analysis *an)
{
    const struct gorca_sched_result *s = gorca_analysis_sched(an);

    ctx->tr.runnable_p50_ns = s->runnable.p50_ns;
    ctx->tr.runnable_p99_ns = s->runnable.p99_ns;
    ctx->tr.saturated_share = s->saturated_share;
    ctx->tr.mean_runnable = s->mean_runnable;
    ctx->tr.runnable_time_share = s->runnable_time_share;
    ctx->tr.gomaxprocs = (double)gorca_analysis_info(an)->max_gomaxprocs;
    ctx->tr.cpu_samples = gorca_analysis_cpu(an)->samples;
}

#define STALE_MIN_NS 100000000 /* 100 ms */

static void group_facts(struct dg_ctx *ctx, const struct gorca_analysis *an, int64_t t0, int64_t t1)
{
    size_t n_groups = 0, n_rows = 0, i;
    const struct gorca_trace_group *gs = gorca_analysis_groups(an, &n_groups);
    const struct gorca_trace_goroutine *rows = gorca_analysis_goroutines(an, &n_rows);

    ctx->tr.groups = dg_alloc(ctx, (n_groups ? n_groups : 1) * sizeof(*ctx->tr.groups));
    if (ctx->tr.groups == NULL)
        return;
    ctx->tr.n_groups = n_groups;
    for (i = 0; i < n_groups; i++) {
        struct dg_group *d = &ctx->tr.groups[i];
        int c;

        d->name = dg_cstr(ctx, gs[i].name ? gs[i].name : "");
        d->count = gs[i].count;
        d->system = gs[i].system;
        d->exec = gs[i].exec_ns;
        d->total = gs[i].total_ns;
        for (c = 0; c < DG_TW_N && c < GORCA_BLOCK_N; c++)
            d->wait[c] = gs[i].wait_ns[c];
        d->cpu_samples = gs[i].cpu_samples;
        d->first_create = -1;
    }
    /* Lifetimes: goroutines created inside the trace that were still alive at its end. */
    for (i = 0; i < n_rows; i++) {
        const struct gorca_trace_goroutine *g = &rows[i];
        struct dg_group *d;
        int64_t off;

        if (g->group >= n_groups || g->creation_ns <= t0)
            continue;
        d = &ctx->tr.groups[g->group];
        off = g->creation_ns - t0;
        d->created++;
        if (d->first_create < 0 || off < d->first_create)
            d->first_create = off;
        if (off > d->last_create)
            d->last_create = off;
        if (g->end_ns == 0) {
            int64_t waited = 0;
            int c;
            d->alive_end++;
            for (c = 0; c < GORCA_BLOCK_N; c++)
                if (c != GORCA_BLOCK_SCHED)
                    waited += g->wait_ns[c];
            d->alive_wait_ns += waited;
            d->alive_life_ns += t1 - g->creation_ns;
        } else {
            d->finished++;
            if (g->end_ns - g->creation_ns > d->max_life_ns)
                d->max_life_ns = g->end_ns - g->creation_ns;
        }
    }
    /* Stale: alive at the end of the trace and blocked far longer than any of their kind
     * that finished lived (a partial leak, such as the losers of hedged calls). */
    for (i = 0; i < n_rows; i++) {
        const struct gorca_trace_goroutine *g = &rows[i];
        struct dg_group *d;
        int64_t waited = 0, age;
        int c;

        if (g->group >= n_groups || g->creation_ns <= t0 || g->end_ns != 0)
            continue;
        d = &ctx->tr.groups[g->group];
        age = t1 - g->creation_ns;
        if (d->finished == 0 || age <= 10 * d->max_life_ns || age <= STALE_MIN_NS)
            continue;
        for (c = 0; c < GORCA_BLOCK_N; c++)
            if (c != GORCA_BLOCK_SCHED)
                waited += g->wait_ns[c];
        d->stale++;
        d->stale_wait_ns += waited;
        d->stale_life_ns += age;
    }
}

static void timeline(struct dg_ctx *ctx, const struct gorca_analysis *an, int64_t t0)
{
    const struct gorca_timeline *tl = gorca_analysis_timeline(an);
    size_t i;

    ctx->tr.buckets = dg_alloc(ctx, (tl->n_buckets ? tl->n_buckets : 1) * sizeof(*ctx->tr.buckets));
    if (ctx->tr.buckets == NULL)
        return;
    ctx->tr.n_buckets = tl->n_buckets;
    ctx->tr.bucket_ns = tl->width_ns;
    for (i = 0; i < tl->n_buckets; i++) {
        const struct gorca_bucket *b = &tl->buckets[i];
        struct dg_bucket *d = &ctx->tr.buckets[i];
        int c;

        d->start = b->start_ns - t0;
        d->running = b->running;
        d->runnable = b->runnable;
        d->gomaxprocs = b->gomaxprocs;
        for (c = 0; c < DG_TW_N && c < GORCA_BLOCK_N; c++)
            d->waiting[c] = b->waiting[c];
        d->gc_ns = b->gc_ns;
        d->stw_ns = b->stw_ns;
        d->assist_ns = b->assist_ns;
        d->saturated_ns = b->saturated_ns;
        d->goroutines = b->goroutines;
    }
}

void dg_facts_trace(struct dg_ctx *ctx, struct gorca_diag_input *in,
                    const struct gorca_bundle_file *bf)
{
    struct gorca_analysis_options opt;
    struct gorca_analysis *an = NULL;
    struct gorca_error err;
    struct frame_cache fc = { NULL, 0 };
    const struct gorca_analysis_info *info;
    enum gorca_status st;
    char text[320];
    uint64_t n_user = 0;
    size_t i;

    in->kind = "trace";
    if (ctx->tr.have) {
        in->status = GORCA_DIAG_INPUT_IGNORED;
        in->detail = "another trace is already analysed (one trace per run)";
        return;
    }
    gorca_analysis_options_init(&opt);
    opt.top_requests = (size_t)1 << 22; /* every request */
    opt.limits = ctx->cfg->limits;
    gorca_error_init(&err, bf->path);
    st = gorca_analysis_run_file(bf->path, &opt, &an, &err);
    if (an == NULL) {
        gorca_error_format(&err, text, sizeof(text));
        in->status = GORCA_DIAG_INPUT_FAILED;
        in->code = err.code;
        in->error = dg_cstr(ctx, text);
        return;
    }
    if (st != GORCA_OK) {
        /* A cut trace: the complete part is still evidence. */
        gorca_error_format(&err, text, sizeof(text));
        in->code = st;
        in->error = dg_cstr(ctx, text);
        dg_note(ctx,
                "the trace '%s' is incomplete; the analysis covers the part before the "
                "damage",
                in->name);
    }
    info = gorca_analysis_info(an);
    ctx->tr.have = 1;
    ctx->tr.input = in->name;
    ctx->tr.go_minor = info->trace_go;
    ctx->tr.dur_ns = info->end_ns - info->start_ns;
    requests(ctx, an, info->start_ns);
    blocking(ctx, an, &fc, in->name);
    gc_facts(ctx, an, info->start_ns);
    sched_facts(ctx, an);
    group_facts(ctx, an, info->start_ns, info->end_ns);
    timeline(ctx, an, info->start_ns);
    for (i = 0; i < ctx->tr.n_req; i++)
        n_user += !ctx->tr.req[i].debug;
    in->status = GORCA_DIAG_INPUT_USED;
    in->detail = dg_printf(ctx, "%s trace of Go 1.%d, %llu requests, %llu goroutines",
                           dg_dur(ctx, (double)ctx->tr.dur_ns), info->trace_go,
                           (unsigned long long)n_user, (unsigned long long)info->goroutines);
    ctx->sum.has_trace = 1;
    ctx->sum.go_minor = info->trace_go;
    base_free(fc.f);
    gorca_analysis_free(an);
}
