/* Blocking profiles by wait class, computed as Go 1.26's `go tool trace -pprof=TYPE` does
 * (golang/go cmd/trace/pprof.go, go-trace-format.md §10.2): per goroutine, the interval from
 * the transition that enters the target state (Waiting with a matching reason, Syscall,
 * Runnable) to the next transition into another state, clipped to the goroutine's
 * [first run, end] window, charged to the stack of the entering event. Go 1.26 no longer skips
 * stackless events (golang/go#74850). The classes partition every wait, so one open interval
 * per goroutine suffices; sleep, gc and other use the same rule with their own reasons.
 * Intervals that end before a goroutine first ran wait in a small per-goroutine list: they
 * count only if it never runs (Go clips them to [0, end] then).
 *
 * Beside each profile, the wait time it leaves out ("uncounted"): the part of a wait before
 * the goroutine first ran in the trace, waits still under way when the trace ends, and the
 * lead-in of a wait that a goroutine's first status shows (it was in that state from the
 * trace's start: nothing it did was traced before). A request stuck in one long fsync for
 * the whole capture is only there. A wait's count goes to the profile that holds the wait's
 * end, so counts add up across the two. */
#include <stdlib.h>
#include "an_int.h"

static const uint8_t class_state[GORCA_BLOCK_N] = {
    [GORCA_BLOCK_NET] = GORCA_TRACE_GO_WAITING,     [GORCA_BLOCK_SYNC] = GORCA_TRACE_GO_WAITING,
    [GORCA_BLOCK_SYSCALL] = GORCA_TRACE_GO_SYSCALL, [GORCA_BLOCK_SCHED] = GORCA_TRACE_GO_RUNNABLE,
    [GORCA_BLOCK_SLEEP] = GORCA_TRACE_GO_WAITING,   [GORCA_BLOCK_GC] = GORCA_TRACE_GO_WAITING,
    [GORCA_BLOCK_OTHER] = GORCA_TRACE_GO_WAITING,
};

/* The class whose interval this transition starts, or -1. */
static int starts_class(struct gorca_analysis *an, const struct gorca_trace_transition *st)
{
    switch (st->to) {
    case GORCA_TRACE_GO_WAITING:
        return an_reason_class(an, st->reason) & ~AN_FOREVER;
    case GORCA_TRACE_GO_SYSCALL:
        return GORCA_BLOCK_SYSCALL;
    case GORCA_TRACE_GO_RUNNABLE:
        return GORCA_BLOCK_SCHED;
    default:
        return -1;
    }
}

static void add_sample(struct gorca_analysis *an, struct an_profile *p, const struct an_g *g,
                       uint32_t stack, int64_t delay, uint64_t count)
{
    uint32_t idx = an_dense_get(&p->by_stack, stack);
    struct gorca_block_sample *s;

    if (idx == 0) {
        if (p->n_samples >= UINT32_MAX - 1 ||
            an_grow(&p->samples, &p->cap_samples, p->n_samples + 1, sizeof(*p->samples)) != 0 ||
            an_grow(&p->last_seen, &p->cap_last, p->n_samples + 1, sizeof(*p->last_seen)) != 0 ||
            an_dense_set(&p->by_stack, stack, (uint32_t)p->n_samples + 1) != 0) {
            an_oom(an);
            return;
        }
        s = &p->samples[p->n_samples++];
        s->stack = stack;
        s->count = 0;
        s->delay_ns = 0;
    } else {
        s = &p->samples[idx - 1];
    }
    p->last_seen[s - p->samples] = ++an->block_seq;
    s->count += count;
    s->delay_ns += delay;
    if (!g->infra)
        p->pub.user_total_ns += delay;
}

/* Adds [from, to) of a wait to the uncounted profile of class cls. A goroutine first seen by
 * a stackless status is unnamed, so taken for the runtime's, until a later stack names it:
 * its wait is remembered for an_block_named. */
static void uncounted(struct gorca_analysis *an, struct an_g *g, int cls, uint32_t stack,
                      int64_t from, int64_t to, uint64_t count)
{
    if (to <= from && count == 0)
        return;
    add_sample(an, &an->uncounted[cls], g, stack, to > from ? to - from : 0, count);
    if (g->name[0] == '\0' && to > from && (g->unnamed_ns == 0 || g->unnamed_cls == cls)) {
        g->unnamed_cls = (uint8_t)cls;
        g->unnamed_ns += to - from;
    }
}

void an_block_named(struct gorca_analysis *an, struct an_g *g)
{
    if (g->unnamed_ns > 0 && !g->infra)
        an->uncounted[g->unnamed_cls].pub.user_total_ns += g->unnamed_ns;
    g->unnamed_ns = 0;
}

static void end_interval(struct gorca_analysis *an, struct an_g *g, int64_t end)
{
    int64_t start = g->trk_time, from = g->trk_lead ? an->info.start_ns : start;
    int64_t first = g->sum.start;

    if (!g->sum.present) { /* not in go tool trace's summary: no window, no sample */
        uncounted(an, g, g->trk_xcls, g->trk_stack, from, end, 1);
        return;
    }
    if (first != 0) {
        if (start < first)
            start = first;
        if (end > start)
            add_sample(an, &an->prof[g->trk], g, g->trk_stack, end - start, 1);
        uncounted(an, g, g->trk_xcls, g->trk_stack, from, end < first ? end : first,
                  end > start ? 0 : 1);
        return;
    }
    /* Not run yet: counts only if it never runs. */
    {
        size_t cap = g->cap_pend;
        if (an_grow(&g->pend, &cap, g->n_pend + 1, sizeof(*g->pend)) != 0) {
            an_oom(an);
            return;
        }
        g->cap_pend = (uint32_t)cap;
    }
    g->pend[g->n_pend].cls = (uint8_t)g->trk;
    g->pend[g->n_pend].xcls = g->trk_xcls;
    g->pend[g->n_pend].stack = g->trk_stack;
    g->pend[g->n_pend].from = from;
    g->pend[g->n_pend].start = start;
    g->pend[g->n_pend].end = end;
    g->n_pend++;
}

void an_block_transition(struct gorca_analysis *an, struct an_g *g,
                         const struct gorca_trace_event *ev)
{
    const struct gorca_trace_transition *st = &ev->transition;
    int c;

    if (g->trk >= 0) {
        if (st->to == class_state[g->trk])
            return; /* still in the tracked state */
        end_interval(an, g, ev->time);
        g->trk = -1;
    }
    c = starts_class(an, st);
    if (c >= 0) {
        g->trk = (int8_t)c;
        g->trk_time = ev->time;
        g->trk_stack = ev->stack;
        g->trk_lead = st->from == GORCA_TRACE_GO_UNDETERMINED;
        g->trk_xcls = (uint8_t)c;
        /* A status does not restate why a goroutine waits: its stack says. */
        if (g->trk_lead && st->to == GORCA_TRACE_GO_WAITING && (st->reason == NULL || !*st->reason))
            g->trk_xcls = (uint8_t)an_class_of_stack(an, st->stack);
    }
}

void an_block_first_run(struct gorca_analysis *an, struct an_g *g)
{
    uint32_t i;

    /* Every pending interval ended at or before the first run: Go clips them away. */
    for (i = 0; i < g->n_pend; i++)
        uncounted(an, g, g->pend[i].xcls, g->pend[i].stack, g->pend[i].from, g->pend[i].end, 1);
    g->n_pend = 0;
}

void an_block_goroutine_done(struct gorca_analysis *an, struct an_g *g, int64_t end)
{
    uint32_t i;

    (void)end;
    if (g->sum.start == 0 && g->sum.present) {
        for (i = 0; i < g->n_pend; i++) {
            const struct an_pend *p = &g->pend[i];
            int64_t d = p->end - p->start;
            if (d > 0)
                add_sample(an, &an->prof[p->cls], g, p->stack, d, 1);
            uncounted(an, g, p->xcls, p->stack, p->from, p->start, d > 0 ? 0 : 1);
        }
    }
    g->n_pend = 0;
}

/* The trace ends: what live goroutines are still waiting for, and their pending intervals. */
static void live_waits(struct gorca_analysis *an)
{
    int64_t end = an->info.end_ns;
    size_t i;
    uint32_t k;

    for (i = 0; i < an->gs.cap; i++) {
        struct an_g *g = an_g_slot(an, i);
        if (g == NULL)
            continue;
        for (k = 0; k < g->n_pend; k++)
            uncounted(an, g, g->pend[k].xcls, g->pend[k].stack, g->pend[k].from, g->pend[k].end, 1);
        g->n_pend = 0;
        if (g->trk >= 0)
            uncounted(an, g, g->trk_xcls, g->trk_stack,
                      g->trk_lead ? an->info.start_ns : g->trk_time, end, 1);
    }
}

/* ---- finishing: merge equal stacks, sort, shares, top frames ------------------------------ */

/* go tool trace identifies stacks by an array of their first 128 PCs padded with zeros, so a
 * stack of one PC-0 frame equals the empty stack. pc_at gives that array's element i. */
static uint64_t pc_at(const struct gorca_analysis *an, const uint32_t *fr, size_t n, size_t i)
{
    const struct gorca_trace_frame *f;

    if (i >= n)
        return 0;
    f = gorca_trace_frame(an->tr, fr[i]);
    return f ? f->pc : 0;
}

/* Number of PCs up to the last non-zero one among the first 128. */
static size_t pcs_len(const struct gorca_analysis *an, const uint32_t *fr, size_t n)
{
    if (n > 128)
        n = 128;
    while (n > 0 && pc_at(an, fr, n, n - 1) == 0)
        n--;
    return n;
}

static uint64_t pcs_hash(const struct gorca_analysis *an, uint32_t stack)
{
    size_t n = 0, i, len;
    const uint32_t *fr = gorca_trace_stack_frames(an->tr, stack, &n);
    uint64_t h = 1469598103934665603ULL;

    len = pcs_len(an, fr, n);
    for (i = 0; i < len; i++)
        h = base_hash_u64(h ^ pc_at(an, fr, n, i)) + i;
    return base_hash_u64(h ^ len);
}

static int same_pcs(const struct gorca_analysis *an, uint32_t a, uint32_t b)
{
    size_t na = 0, nb = 0, i, la, lb;
    const uint32_t *fa = gorca_trace_stack_frames(an->tr, a, &na);
    const uint32_t *fb = gorca_trace_stack_frames(an->tr, b, &nb);

    la = pcs_len(an, fa, na);
    lb = pcs_len(an, fb, nb);
    if (la != lb)
        return 0;
    for (i = 0; i < la; i++)
        if (pc_at(an, fa, na, i) != pc_at(an, fb, nb, i))
            return 0;
    return 1;
}

static void merge_equal_stacks(struct gorca_analysis *an, struct an_profile *p)
{
    struct an_map first = { 0 }; /* pcs hash -> index of the first sample with it */
    size_t i, out = 0;

    for (i = 0; i < p->n_samples; i++) {
        uint64_t h = pcs_hash(an, p->samples[i].stack);
        uint64_t *j = an_map_get(&first, h);
        if (j != NULL && same_pcs(an, p->samples[*j].stack, p->samples[i].stack)) {
            /* Go keeps the stack of the most recent wait as the representative. */
            if (p->last_seen[i] > p->last_seen[*j]) {
                p->samples[*j].stack = p->samples[i].stack;
                p->last_seen[*j] = p->last_seen[i];
            }
            p->samples[*j].count += p->samples[i].count;
            p->samples[*j].delay_ns += p->samples[i].delay_ns;
            continue;
        }
        p->samples[out] = p->samples[i];
        p->last_seen[out] = p->last_seen[i];
        if (j == NULL && an_map_put(&first, h, out) != 0)
            an_oom(an);
        out++;
    }
    p->n_samples = out;
    an_map_release(&first);
}

static int cmp_sample(const void *a, const void *b)
{
    const struct gorca_block_sample *x = a, *y = b;
    if (x->delay_ns != y->delay_ns)
        return x->delay_ns > y->delay_ns ? -1 : 1;
    return (x->stack > y->stack) - (x->stack < y->stack);
}

struct ft_acc {
    struct an_map by_func; /* func pointer -> index */
    struct gorca_frame_time *v;
    size_t n, cap;
};

static struct gorca_frame_time *ft_get(struct gorca_analysis *an, struct ft_acc *a,
                                       const char *func)
{
    uint64_t *i = an_map_get(&a->by_func, AN_PKEY(func));

    if (i != NULL)
        return &a->v[*i];
    if (an_grow(&a->v, &a->cap, a->n + 1, sizeof(*a->v)) != 0 ||
        an_map_put(&a->by_func, AN_PKEY(func), a->n) != 0) {
        an_oom(an);
        return NULL;
    }
    memset(&a->v[a->n], 0, sizeof(a->v[0]));
    a->v[a->n].func = func;
    return &a->v[a->n++];
}

static int cmp_ft(const void *a, const void *b)
{
    const struct gorca_frame_time *x = a, *y = b;
    if (x->cum_ns != y->cum_ns)
        return x->cum_ns > y->cum_ns ? -1 : 1;
    if (x->flat_ns != y->flat_ns)
        return x->flat_ns > y->flat_ns ? -1 : 1;
    return strcmp(x->func, y->func);
}

#define TOP_FRAMES 50

struct gorca_frame_time *an_top_frames(struct gorca_analysis *an, const uint32_t *stacks,
                                       const int64_t *values, const uint64_t *counts, size_t n,
                                       size_t *n_out)
{
    struct ft_acc a = { 0 };
    struct an_map seen = { 0 }; /* func pointer -> last stack index counted */
    struct gorca_frame_time *out = NULL;
    size_t i, k;

    for (i = 0; i < n; i++) {
        size_t nf = 0;
        const uint32_t *fr = gorca_trace_stack_frames(an->tr, stacks[i], &nf);
        for (k = 0; k < nf; k++) {
            const struct gorca_trace_frame *f = gorca_trace_frame(an->tr, fr[k]);
            struct gorca_frame_time *ft;
            uint64_t *last;
            if (f == NULL || f->func == NULL)
                continue;
            ft = ft_get(an, &a, f->func);
            if (ft == NULL)
                goto done;
            if (k == 0)
                ft->flat_ns += values[i];
            last = an_map_get(&seen, AN_PKEY(f->func));
            if (last != NULL && *last == i + 1)
                continue; /* recursion: once per stack */
            if (an_map_put(&seen, AN_PKEY(f->func), i + 1) != 0) {
                an_oom(an);
                goto done;
            }
            ft->cum_ns += values[i];
            ft->count += counts[i];
        }
    }
    if (a.n > 1)
        qsort(a.v, a.n, sizeof(a.v[0]), cmp_ft);
    k = a.n < TOP_FRAMES ? a.n : TOP_FRAMES;
    if (k > 0) {
        out = base_arena_alloc(&an->arena, k * sizeof(*out));
        if (out == NULL)
            an_oom(an);
        else
            memcpy(out, a.v, k * sizeof(*out));
    }
    *n_out = out ? k : 0;
done:
    base_free(a.v);
    an_map_release(&a.by_func);
    an_map_release(&seen);
    return out;
}

static void top_of(struct gorca_analysis *an, struct an_profile *p)
{
    uint32_t *stacks = base_malloc((p->n_samples + 1) * sizeof(*stacks));
    int64_t *vals = base_malloc((p->n_samples + 1) * sizeof(*vals));
    uint64_t *cnts = base_malloc((p->n_samples + 1) * sizeof(*cnts));
    size_t i;

    if (stacks == NULL || vals == NULL || cnts == NULL) {
        an_oom(an);
    } else {
        for (i = 0; i < p->n_samples; i++) {
            stacks[i] = p->samples[i].stack;
            vals[i] = p->samples[i].delay_ns;
            cnts[i] = p->samples[i].count;
        }
        p->pub.top = an_top_frames(an, stacks, vals, cnts, p->n_samples, &p->pub.n_top);
    }
    base_free(stacks);
    base_free(vals);
    base_free(cnts);
}

/* Sorts the samples heaviest first and sums them up. */
static void publish(struct an_profile *p, int cls)
{
    size_t i;

    if (p->n_samples > 1)
        qsort(p->samples, p->n_samples, sizeof(p->samples[0]), cmp_sample);
    p->pub.cls = (enum gorca_block_class)cls;
    p->pub.samples = p->samples;
    p->pub.n_samples = p->n_samples;
    for (i = 0; i < p->n_samples; i++) {
        p->pub.count += p->samples[i].count;
        p->pub.total_ns += p->samples[i].delay_ns;
    }
}

void an_block_finish(struct gorca_analysis *an)
{
    int64_t all = 0, user = 0, u_all = 0, u_user = 0;
    int c;

    live_waits(an);
    for (c = 0; c < GORCA_BLOCK_N; c++) {
        struct an_profile *p = &an->prof[c], *u = &an->uncounted[c];

        merge_equal_stacks(an, p);
        publish(p, c);
        top_of(an, p);
        all += p->pub.total_ns;
        user += p->pub.user_total_ns;
        publish(u, c);
        top_of(an, u);
        u_all += u->pub.total_ns;
        u_user += u->pub.user_total_ns;
    }
    for (c = 0; c < GORCA_BLOCK_N; c++) {
        struct gorca_block_profile *p = &an->prof[c].pub, *u = &an->uncounted[c].pub;
        p->share = all > 0 ? (double)p->total_ns / (double)all : 0;
        p->user_share = user > 0 ? (double)p->user_total_ns / (double)user : 0;
        u->share = u_all > 0 ? (double)u->total_ns / (double)u_all : 0;
        u->user_share = u_user > 0 ? (double)u->user_total_ns / (double)u_user : 0;
    }
}

void an_block_release(struct gorca_analysis *an)
{
    int c;

    for (c = 0; c < GORCA_BLOCK_N; c++) {
        an_dense_release(&an->prof[c].by_stack);
        base_free(an->prof[c].samples);
        base_free(an->prof[c].last_seen);
        an_dense_release(&an->uncounted[c].by_stack);
        base_free(an->uncounted[c].samples);
        base_free(an->uncounted[c].last_seen);
    }
}
