/* The timeline: fixed-width buckets (1 ms by default) holding time-weighted goroutine counts by
 * state and wait class, GC mark phase and STW time, assists, scheduler saturation, heap size,
 * CPU samples and GC starts -- what go tool trace's proc view draws as counter tracks
 * (go-trace-format.md §10.4), in numbers diagnosis can scan for the spike window. Counts are
 * integrated exactly between events, so no bucket misses a short burst, at O(1) per change:
 * entering a bucket books the current counts for its whole width, and a change of d at time t
 * adds d * (bucket end - t); the last bucket is trimmed at the end. When the trace needs more
 * than max_buckets, neighbours merge pairwise and the width doubles: memory stays bounded.
 * A goroutine first seen by a status while waiting has waited since the trace began: its
 * count is backfilled into the buckets before, once their width is final (an_tl_lead).
 * Also yields the whole-trace scheduling shares (mean runnable, share of time saturated). */
#include <stdlib.h>
#include "an_int.h"

/* Goroutine counters: slot 0 running (or in a syscall holding a P), 1 runnable, 2 + class
 * blocked by class (the syscall class: in a syscall without a P). */
#define TL_RUN 0
#define TL_RUNQ 1
#define TL_WAIT 2
#define TL_SLOTS (TL_WAIT + GORCA_BLOCK_N)

/* Integrals are in count x nanoseconds. */
struct tl_b {
    double v[TL_SLOTS], gomaxprocs, assists;
    double gc_ns, stw_ns, saturated_ns, runq_ns; /* flag x nanoseconds */
    uint64_t heap_alloc, heap_goal, cpu, cycles, goroutines;
    uint8_t has_heap, has_goal, has_goroutines;
};

struct tl_lead {
    int64_t t; /* first seen (in a wait counter) at t */
    int slot;
};

struct an_tl {
    int64_t width;
    size_t max;
    int started;
    int64_t start;
    size_t cur;      /* the bucket being filled (every earlier one is complete) */
    int64_t cur_end; /* its end */
    struct tl_b *b;
    size_t n, cap;
    /* current state */
    int64_t cnt[TL_SLOTS], assists;
    int in_gc, in_stw, saturated;
    uint64_t gomaxprocs;
    int nomem;
    struct tl_lead *lead; /* goroutines first seen waiting: counted from the start at the end */
    size_t n_lead, cap_lead;
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
    base_free(tl->lead);
    base_free(tl);
}

const struct gorca_timeline *an_tl_result(const struct an_tl *tl)
{
    return &tl->pub;
}

static int64_t alive(const struct an_tl *tl)
{
    int64_t n = 0;
    int c;

    for (c = 0; c < TL_SLOTS; c++)
        n += tl->cnt[c];
    return n;
}

/* Books the current state for d nanoseconds (a whole bucket, or minus the unused tail). */
static void book(struct an_tl *tl, struct tl_b *b, double d)
{
    int c;

    for (c = 0; c < TL_SLOTS; c++)
        b->v[c] += (double)tl->cnt[c] * d;
    b->gomaxprocs += (double)tl->gomaxprocs * d;
    b->assists += (double)tl->assists * d;
    if (tl->in_gc)
        b->gc_ns += d;
    if (tl->in_stw)
        b->stw_ns += d;
    if (tl->saturated)
        b->saturated_ns += d;
    if (tl->cnt[TL_RUNQ] > 0)
        b->runq_ns += d;
}

static void merge_into(struct tl_b *d, const struct tl_b *a, const struct tl_b *b)
{
    struct tl_b r = *a;
    int c;

    for (c = 0; c < TL_SLOTS; c++)
        r.v[c] += b->v[c];
    r.gomaxprocs += b->gomaxprocs;
    r.assists += b->assists;
    r.gc_ns += b->gc_ns;
    r.stw_ns += b->stw_ns;
    r.saturated_ns += b->saturated_ns;
    r.runq_ns += b->runq_ns;
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
    *d = r;
}

/* Halves the resolution: bucket i becomes buckets 2i and 2i+1. The bucket being filled has
 * booked its whole width; when it is the first of a pair, its partner gets its booking too. */
static void halve(struct an_tl *tl)
{
    size_t i, m;

    if ((tl->cur & 1) == 0) {
        if (an_grow(&tl->b, &tl->cap, tl->cur + 2, sizeof(*tl->b)) != 0) {
            tl->nomem = 1;
            return;
        }
        memset(&tl->b[tl->cur + 1], 0, sizeof(tl->b[0]));
        book(tl, &tl->b[tl->cur + 1], (double)tl->width);
        tl->n = tl->cur + 2;
    }
    m = tl->n / 2;
    for (i = 0; i < m; i++)
        merge_into(&tl->b[i], &tl->b[2 * i], &tl->b[2 * i + 1]);
    tl->n = m;
    tl->cur /= 2;
    tl->width *= 2;
    tl->cur_end = tl->start + (int64_t)(tl->cur + 1) * tl->width;
}

/* Moves the bucket being filled forward until it holds t. */
static void reach(struct gorca_analysis *an, struct an_tl *tl, int64_t t)
{
    if (!tl->started) {
        tl->started = 1;
        tl->start = t;
        tl->cur = 0;
        tl->cur_end = t + tl->width;
        if (an_grow(&tl->b, &tl->cap, 1, sizeof(*tl->b)) != 0) {
            an_oom(an);
            tl->nomem = 1;
            return;
        }
        memset(&tl->b[0], 0, sizeof(tl->b[0]));
        tl->n = 1;
        book(tl, &tl->b[0], (double)tl->width);
        return;
    }
    while (t >= tl->cur_end && !tl->nomem) {
        tl->b[tl->cur].goroutines = (uint64_t)alive(tl);
        tl->b[tl->cur].has_goroutines = 1;
        if (tl->cur + 1 >= tl->max) {
            halve(tl);
            continue;
        }
        if (an_grow(&tl->b, &tl->cap, tl->cur + 2, sizeof(*tl->b)) != 0) {
            tl->nomem = 1;
            break;
        }
        tl->cur++;
        tl->n = tl->cur + 1;
        memset(&tl->b[tl->cur], 0, sizeof(tl->b[0]));
        book(tl, &tl->b[tl->cur], (double)tl->width);
        tl->cur_end += tl->width;
    }
    if (tl->nomem)
        an_oom(an);
}

static inline void advance(struct gorca_analysis *an, struct an_tl *tl, int64_t t)
{
    if (__builtin_expect(!tl->started || t >= tl->cur_end, 0))
        reach(an, tl, t);
}

void an_tl_advance(struct gorca_analysis *an, struct an_tl *tl, int64_t t)
{
    advance(an, tl, t);
}

/* The rest of the current bucket after t: what a change at t is worth per unit. */
static inline double rest(const struct an_tl *tl, int64_t t)
{
    return (double)(tl->cur_end - t);
}

static inline void update_saturated(struct an_tl *tl, int64_t t)
{
    int sat =
        tl->cnt[TL_RUNQ] > 0 && tl->gomaxprocs > 0 && tl->cnt[TL_RUN] >= (int64_t)tl->gomaxprocs;

    if (sat != tl->saturated) {
        tl->b[tl->cur].saturated_ns += (sat ? 1 : -1) * rest(tl, t);
        tl->saturated = sat;
    }
}

int an_tl_slot(int cat, int cls)
{
    switch (cat) {
    case CAT_RUNNING:
    case CAT_SYSCALL:
        return TL_RUN;
    case CAT_RUNNABLE:
        return TL_RUNQ;
    case CAT_WAIT:
        return TL_WAIT + cls;
    case CAT_SYSCALL_LOST:
        return TL_WAIT + GORCA_BLOCK_SYSCALL;
    default:
        return -1;
    }
}

void an_tl_move(struct gorca_analysis *an, struct an_tl *tl, int64_t t, int from, int to)
{
    struct tl_b *b;
    double r;
    int had_runq = tl->cnt[TL_RUNQ] > 0;

    if (from == to)
        return;
    advance(an, tl, t);
    if (tl->nomem)
        return;
    b = &tl->b[tl->cur];
    r = rest(tl, t);
    if (from >= 0) {
        tl->cnt[from]--;
        b->v[from] -= r;
    }
    if (to >= 0) {
        tl->cnt[to]++;
        b->v[to] += r;
    }
    if (had_runq != (tl->cnt[TL_RUNQ] > 0))
        b->runq_ns += (had_runq ? -1 : 1) * r;
    if (from == TL_RUN || from == TL_RUNQ || to == TL_RUN || to == TL_RUNQ)
        update_saturated(tl, t);
}

static void set_flag(struct an_tl *tl, int *flag, double *integral, int on, int64_t t)
{
    if (*flag != on) {
        *integral += (on ? 1 : -1) * rest(tl, t);
        *flag = on;
    }
}

void an_tl_lead(struct gorca_analysis *an, struct an_tl *tl, int64_t t, int slot)
{
    if (slot < TL_WAIT || slot >= TL_SLOTS || !tl->started || t <= tl->start)
        return;
    if (an_grow(&tl->lead, &tl->cap_lead, tl->n_lead + 1, sizeof(*tl->lead)) != 0) {
        an_oom(an);
        return;
    }
    tl->lead[tl->n_lead].t = t;
    tl->lead[tl->n_lead].slot = slot;
    tl->n_lead++;
}

/* Adds the lead goroutines to the buckets before they were seen: per counter, the buckets
 * wholly before a goroutine's first status get the bucket's width, the one holding it the
 * part before it; alive counts at bucket ends gain one. */
static void backfill(struct gorca_analysis *an, struct an_tl *tl)
{
    int64_t *ends; /* per bucket: leads first seen in it */
    size_t i, k;
    int slot;

    if (tl->n_lead == 0)
        return;
    ends = base_calloc(tl->n, sizeof(*ends));
    if (ends == NULL) {
        an_oom(an);
        return;
    }
    for (slot = TL_WAIT; slot < TL_SLOTS; slot++) {
        int64_t covering = 0, any = 0;
        memset(ends, 0, tl->n * sizeof(*ends));
        for (k = 0; k < tl->n_lead; k++) {
            const struct tl_lead *l = &tl->lead[k];
            if (l->slot != slot)
                continue;
            i = (size_t)((l->t - tl->start) / tl->width);
            if (i >= tl->n)
                i = tl->n - 1;
            ends[i]++;
            tl->b[i].v[slot] += (double)(l->t - (tl->start + (int64_t)i * tl->width));
            any = 1;
        }
        if (!any)
            continue;
        for (i = tl->n; i-- > 0;) {
            tl->b[i].v[slot] += (double)covering * (double)tl->width;
            tl->b[i].goroutines += (uint64_t)covering;
            covering += ends[i];
        }
    }
    base_free(ends);
}

void an_tl_event(struct gorca_analysis *an, struct an_tl *tl, const struct gorca_trace_event *ev)
{
    struct tl_b *b;
    int on;

    switch (ev->kind) {
    case GORCA_TRACE_RANGE_BEGIN:
    case GORCA_TRACE_RANGE_ACTIVE:
    case GORCA_TRACE_RANGE_END:
        if (ev->range.type != GORCA_TRACE_RANGE_GC_MARK && ev->range.type != GORCA_TRACE_RANGE_STW)
            break;
        an_tl_advance(an, tl, ev->time);
        if (tl->nomem)
            break;
        b = &tl->b[tl->cur];
        /* One mark phase and one STW at a time; Active events restate an open one at each
         * generation start, so these are flags, not counters. */
        on = ev->kind != GORCA_TRACE_RANGE_END;
        if (ev->range.type == GORCA_TRACE_RANGE_GC_MARK) {
            set_flag(tl, &tl->in_gc, &b->gc_ns, on, ev->time);
            if (ev->kind == GORCA_TRACE_RANGE_BEGIN)
                b->cycles++;
        } else {
            set_flag(tl, &tl->in_stw, &b->stw_ns, on, ev->time);
        }
        break;
    case GORCA_TRACE_METRIC:
        an_tl_advance(an, tl, ev->time);
        if (tl->nomem)
            break;
        b = &tl->b[tl->cur];
        if (ev->metric.metric == GORCA_TRACE_METRIC_GOMAXPROCS) {
            b->gomaxprocs +=
                ((double)ev->metric.value - (double)tl->gomaxprocs) * rest(tl, ev->time);
            tl->gomaxprocs = ev->metric.value;
            update_saturated(tl, ev->time);
        } else if (ev->metric.metric == GORCA_TRACE_METRIC_HEAP_ALLOC) {
            b->heap_alloc = ev->metric.value;
            b->has_heap = 1;
        } else if (ev->metric.metric == GORCA_TRACE_METRIC_HEAP_GOAL) {
            b->heap_goal = ev->metric.value;
            b->has_goal = 1;
        }
        break;
    default:
        break;
    }
}

void an_tl_assist(struct gorca_analysis *an, struct an_tl *tl, int64_t t, int delta)
{
    an_tl_advance(an, tl, t);
    if (tl->nomem || (delta < 0 && tl->assists == 0))
        return;
    tl->assists += delta;
    tl->b[tl->cur].assists += delta * rest(tl, t);
}

void an_tl_cpu(struct gorca_analysis *an, struct an_tl *tl, int64_t t)
{
    if (!tl->started)
        return;
    an_tl_advance(an, tl, t);
    if (!tl->nomem)
        tl->b[tl->cur].cpu++;
}

void an_tl_finish(struct gorca_analysis *an, struct an_tl *tl)
{
    int64_t end = an->info.end_ns, dur = end - tl->start, w;
    uint64_t heap = 0, goal = 0;
    double runnable = 0, runq = 0, saturated = 0;
    size_t i;
    int c;

    if (!tl->started || tl->nomem)
        return;
    an_tl_advance(an, tl, end);
    /* The last bucket booked its whole width; give back what lies after the end. */
    book(tl, &tl->b[tl->cur], -(double)(tl->cur_end - end));
    tl->b[tl->cur].goroutines = (uint64_t)alive(tl);
    tl->b[tl->cur].has_goroutines = 1;
    backfill(an, tl);
    tl->out = base_calloc(tl->n ? tl->n : 1, sizeof(*tl->out));
    if (tl->out == NULL) {
        an_oom(an);
        return;
    }
    for (i = 0; i < tl->n; i++) {
        const struct tl_b *b = &tl->b[i];
        struct gorca_bucket *o = &tl->out[i];
        double inv;

        o->start_ns = tl->start + (int64_t)i * tl->width;
        w = i + 1 == tl->n ? end - o->start_ns : tl->width;
        inv = 1.0 / (double)(w > 0 ? w : 1);
        o->running = b->v[TL_RUN] * inv;
        o->runnable = b->v[TL_RUNQ] * inv;
        for (c = 0; c < GORCA_BLOCK_N; c++)
            o->waiting[c] = b->v[TL_WAIT + c] * inv;
        o->waiting[GORCA_BLOCK_SCHED] = o->runnable;
        o->gomaxprocs = b->gomaxprocs * inv;
        o->assist_ns = (int64_t)(b->assists + 0.5);
        o->gc_ns = (int64_t)(b->gc_ns + 0.5);
        o->stw_ns = (int64_t)(b->stw_ns + 0.5);
        o->saturated_ns = (int64_t)(b->saturated_ns + 0.5);
        if (b->has_heap)
            heap = b->heap_alloc;
        if (b->has_goal)
            goal = b->heap_goal;
        o->heap_alloc_bytes = heap;
        o->heap_goal_bytes = goal;
        o->cpu_samples = b->cpu;
        o->gc_cycles_started = b->cycles;
        o->goroutines = b->goroutines;
        runnable += b->v[TL_RUNQ];
        runq += b->runq_ns;
        saturated += b->saturated_ns;
    }
    if (dur > 0) {
        an->sched.mean_runnable = runnable / (double)dur;
        an->sched.runnable_time_share = runq / (double)dur;
        an->sched.saturated_share = saturated / (double)dur;
    }
    tl->pub.start_ns = tl->start;
    tl->pub.width_ns = tl->width;
    tl->pub.buckets = tl->out;
    tl->pub.n_buckets = tl->n;
}
