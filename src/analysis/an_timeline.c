/* The timeline: fixed-width buckets (1 ms by default) holding time-weighted goroutine counts by
 * state and wait class, GC mark phase and STW time, assists, scheduler saturation, heap size,
 * CPU samples and GC starts -- what go tool trace's proc view draws as counter tracks
 * (go-trace-format.md §10.4), in numbers diagnosis can scan for the spike window. Counts are
 * integrated between events, so no bucket misses a short burst. When the trace needs more than
 * max_buckets, neighbours merge pairwise and the width doubles: memory stays bounded. Also
 * yields the whole-trace scheduling shares (mean runnable, share of time saturated). */
#include <stdlib.h>
#include "an_int.h"

struct tl_b {
    double running, runnable, waiting[GORCA_WAIT_N], gomaxprocs, assists;
    int64_t gc_ns, stw_ns, saturated_ns;
    uint64_t heap_alloc, heap_goal, cpu, cycles, goroutines;
    uint8_t has_heap, has_goal, has_goroutines;
};

struct an_tl {
    int64_t width;
    size_t max;
    int started;
    int64_t start, last_t;
    size_t cur; /* bucket of last_t, valid while cur_width == width */
    int64_t cur_end, cur_width;
    struct tl_b *b;
    size_t n, cap;
    /* current counts */
    int64_t running, runnable, waiting[GORCA_WAIT_N];
    int64_t in_gc, in_stw, assists;
    uint64_t gomaxprocs;
    /* whole-trace integrals */
    double runnable_integral;
    int64_t any_runnable_ns, saturated_ns;
    int nomem;
    struct gorca_timeline pub;
    struct gorca_bucket *out;
};

struct an_tl *an_tl_new(const struct gorca_analysis_options *opt)
{
    struct an_tl *tl = base_calloc(1, sizeof(*tl));

    if (tl == NULL)
        return NULL;
    tl->width = opt->bucket_ns;
    tl->max = opt->max_buckets;
    return tl;
}

void an_tl_free(struct an_tl *tl)
{
    if (tl == NULL)
        return;
    base_free(tl->b);
    base_free(tl->out);
    base_free(tl);
}

const struct gorca_timeline *an_tl_result(const struct an_tl *tl)
{
    return &tl->pub;
}

static void merge_into(struct tl_b *d, const struct tl_b *a, const struct tl_b *b)
{
    struct tl_b r = *a;
    int c;

    if (b != NULL) {
        r.running += b->running;
        r.runnable += b->runnable;
        for (c = 0; c < GORCA_WAIT_N; c++)
            r.waiting[c] += b->waiting[c];
        r.gomaxprocs += b->gomaxprocs;
        r.assists += b->assists;
        r.gc_ns += b->gc_ns;
        r.stw_ns += b->stw_ns;
        r.saturated_ns += b->saturated_ns;
        r.cpu += b->cpu;
        r.cycles += b->cycles;
        if (b->has_heap) {
            r.heap_alloc = b->heap_alloc;
            r.has_heap = 1;
        }
        if (b->has_goal) {
            r.heap_goal = b->heap_goal;
            r.has_goal = 1;
        }
        if (b->has_goroutines) {
            r.goroutines = b->goroutines;
            r.has_goroutines = 1;
        }
    }
    *d = r;
}

/* The bucket holding time t, creating buckets (and halving resolution) as needed. */
static struct tl_b *bucket(struct an_tl *tl, int64_t t)
{
    size_t idx;

    for (;;) {
        idx = (size_t)((t - tl->start) / tl->width);
        if (idx < tl->max)
            break;
        {
            size_t i, m = (tl->n + 1) / 2;
            for (i = 0; i < m; i++)
                merge_into(&tl->b[i], &tl->b[2 * i], 2 * i + 1 < tl->n ? &tl->b[2 * i + 1] : NULL);
            memset(tl->b + m, 0, (tl->n - m) * sizeof(*tl->b));
            tl->n = m;
            tl->width *= 2;
        }
    }
    if (idx >= tl->n) {
        if (an_grow(&tl->b, &tl->cap, idx + 1, sizeof(*tl->b)) != 0) {
            tl->nomem = 1;
            return NULL;
        }
        memset(tl->b + tl->n, 0, (idx + 1 - tl->n) * sizeof(*tl->b));
        tl->n = idx + 1;
    }
    return &tl->b[idx];
}

static int64_t alive(const struct an_tl *tl)
{
    int64_t n = tl->running + tl->runnable;
    int c;

    for (c = 0; c < GORCA_WAIT_N; c++)
        n += tl->waiting[c];
    return n;
}

/* Adds the current counts over d nanoseconds to bucket b (and the whole-trace integrals). */
static void accumulate(struct an_tl *tl, struct tl_b *b, int64_t d)
{
    int c;

    b->running += (double)tl->running * (double)d;
    b->runnable += (double)tl->runnable * (double)d;
    for (c = 0; c < GORCA_WAIT_N; c++)
        b->waiting[c] += (double)tl->waiting[c] * (double)d;
    b->gomaxprocs += (double)tl->gomaxprocs * (double)d;
    b->assists += (double)tl->assists * (double)d;
    if (tl->in_gc > 0)
        b->gc_ns += d;
    if (tl->in_stw > 0)
        b->stw_ns += d;
    if (tl->runnable > 0 && tl->gomaxprocs > 0 && tl->running >= (int64_t)tl->gomaxprocs) {
        b->saturated_ns += d;
        tl->saturated_ns += d;
    }
    if (tl->runnable > 0)
        tl->any_runnable_ns += d;
    tl->runnable_integral += (double)tl->runnable * (double)d;
}

void an_tl_advance(struct gorca_analysis *an, struct an_tl *tl, int64_t t)
{
    if (!tl->started) {
        tl->started = 1;
        tl->start = tl->last_t = t;
        return;
    }
    if (t <= tl->last_t)
        return;
    /* Fast path: still inside the bucket of the last update. */
    if (tl->cur_end > t && tl->cur < tl->n && tl->cur_width == tl->width) {
        accumulate(tl, &tl->b[tl->cur], t - tl->last_t);
        tl->last_t = t;
        return;
    }
    while (tl->last_t < t) {
        struct tl_b *b = bucket(tl, tl->last_t);
        int64_t bend, end, d;

        if (b == NULL) {
            an_oom(an);
            return;
        }
        bend = tl->start + (int64_t)(b - tl->b + 1) * tl->width;
        end = t < bend ? t : bend;
        d = end - tl->last_t;
        accumulate(tl, b, d);
        tl->cur = (size_t)(b - tl->b);
        tl->cur_end = bend;
        tl->cur_width = tl->width;
        if (end == bend) {
            b->goroutines = (uint64_t)alive(tl);
            b->has_goroutines = 1;
        }
        tl->last_t = end;
    }
}

static int64_t *counter(struct an_tl *tl, int cat, int cls)
{
    switch (cat) {
    case CAT_RUNNING:
    case CAT_SYSCALL:
        return &tl->running;
    case CAT_RUNNABLE:
        return &tl->runnable;
    case CAT_WAIT:
        return &tl->waiting[cls];
    case CAT_SYSCALL_LOST:
        return &tl->waiting[GORCA_WAIT_SYSCALL];
    default:
        return NULL;
    }
}

void an_tl_move(struct gorca_analysis *an, struct an_tl *tl, int64_t t, int old_cat, int old_cls,
                int new_cat, int new_cls)
{
    int64_t *o = counter(tl, old_cat, old_cls), *n = counter(tl, new_cat, new_cls);

    if (o == n)
        return;
    an_tl_advance(an, tl, t);
    if (o != NULL && *o > 0)
        (*o)--;
    if (n != NULL)
        (*n)++;
}

void an_tl_event(struct gorca_analysis *an, struct an_tl *tl, const struct gorca_trace_event *ev)
{
    struct tl_b *b;
    int on;

    switch (ev->kind) {
    case GORCA_TRACE_RANGE_BEGIN:
    case GORCA_TRACE_RANGE_ACTIVE:
    case GORCA_TRACE_RANGE_END:
        /* One mark phase and one STW at a time; Active events restate an open one at each
         * generation start, so these are flags, not counters. */
        on = ev->kind != GORCA_TRACE_RANGE_END;
        if (ev->range.type == GORCA_TRACE_RANGE_GC_MARK || ev->range.type == GORCA_TRACE_RANGE_STW)
            an_tl_advance(an, tl, ev->time);
        if (ev->range.type == GORCA_TRACE_RANGE_GC_MARK) {
            tl->in_gc = on;
            if (ev->kind == GORCA_TRACE_RANGE_BEGIN && (b = bucket(tl, ev->time)) != NULL)
                b->cycles++;
        } else if (ev->range.type == GORCA_TRACE_RANGE_STW) {
            tl->in_stw = on;
        }
        break;
    case GORCA_TRACE_METRIC:
        if (ev->metric.metric == GORCA_TRACE_METRIC_GOMAXPROCS) {
            an_tl_advance(an, tl, ev->time);
            tl->gomaxprocs = ev->metric.value;
        } else if ((b = bucket(tl, ev->time)) != NULL) {
            if (ev->metric.metric == GORCA_TRACE_METRIC_HEAP_ALLOC) {
                b->heap_alloc = ev->metric.value;
                b->has_heap = 1;
            } else if (ev->metric.metric == GORCA_TRACE_METRIC_HEAP_GOAL) {
                b->heap_goal = ev->metric.value;
                b->has_goal = 1;
            }
        }
        break;
    default:
        break;
    }
    if (tl->nomem)
        an_oom(an);
}

void an_tl_assist(struct gorca_analysis *an, struct an_tl *tl, int64_t t, int delta)
{
    an_tl_advance(an, tl, t);
    tl->assists += delta;
    if (tl->assists < 0)
        tl->assists = 0;
}

void an_tl_cpu(struct gorca_analysis *an, struct an_tl *tl, int64_t t)
{
    struct tl_b *b;

    if (!tl->started)
        return;
    b = bucket(tl, t < tl->start ? tl->start : t);
    if (b == NULL)
        an_oom(an);
    else
        b->cpu++;
}

void an_tl_finish(struct gorca_analysis *an, struct an_tl *tl)
{
    int64_t end = an->info.end_ns, dur = end - tl->start;
    uint64_t heap = 0, goal = 0, gor = 0;
    size_t i;
    int c;

    if (dur > 0) {
        an->sched.mean_runnable = tl->runnable_integral / (double)dur;
        an->sched.runnable_time_share = (double)tl->any_runnable_ns / (double)dur;
        an->sched.saturated_share = (double)tl->saturated_ns / (double)dur;
    }
    tl->out = base_calloc(tl->n ? tl->n : 1, sizeof(*tl->out));
    if (tl->out == NULL) {
        an_oom(an);
        return;
    }
    for (i = 0; i < tl->n; i++) {
        const struct tl_b *b = &tl->b[i];
        struct gorca_bucket *o = &tl->out[i];
        int64_t bs = tl->start + (int64_t)i * tl->width;
        int64_t w = tl->width;
        double inv;
        if (i + 1 == tl->n && end - bs < w)
            w = end - bs > 0 ? end - bs : 1;
        inv = 1.0 / (double)w;
        o->start_ns = bs;
        o->running = b->running * inv;
        o->runnable = b->runnable * inv;
        for (c = 0; c < GORCA_WAIT_N; c++)
            o->waiting[c] = b->waiting[c] * inv;
        o->waiting[GORCA_WAIT_SCHED] = o->runnable;
        o->gomaxprocs = b->gomaxprocs * inv;
        o->assist_ns = (int64_t)(b->assists + 0.5);
        o->gc_ns = b->gc_ns;
        o->stw_ns = b->stw_ns;
        o->saturated_ns = b->saturated_ns;
        if (b->has_heap)
            heap = b->heap_alloc;
        if (b->has_goal)
            goal = b->heap_goal;
        gor = b->has_goroutines ? b->goroutines : (uint64_t)alive(tl);
        o->heap_alloc_bytes = heap;
        o->heap_goal_bytes = goal;
        o->cpu_samples = b->cpu;
        o->gc_cycles_started = b->cycles;
        o->goroutines = gor;
    }
    tl->pub.start_ns = tl->start;
    tl->pub.width_ns = tl->width;
    tl->pub.buckets = tl->out;
    tl->pub.n_buckets = tl->n;
}
