/* Minimum mutator utilization, as go tool trace's /mmu page computes it, in one streaming pass
 * (golang/go internal/trace/gc.go MutatorUtilizationV2 and MMUCurve; go-trace-format.md
 * §10.3). Step 1 builds the utilization step function event by event with the same rules
 * (procs with GC work, STW, assists and background workers following their goroutine on and off
 * the P, Active ranges of the first generation subtracted retroactively). Step 2 replaces Go's
 * banded search over the whole series: the windowed mean is piecewise linear, so its minimum
 * lies where an edge of the window meets a step; for each requested window we evaluate
 * exactly those candidates as the steps stream by, keeping only the steps inside the largest
 * window (plus the whole first generation, which the retroactive fix-up may still change). */
#include <stdlib.h>
#include "an_int.h"

struct mmu_pt {
    int64_t t;
    double u; /* utilization from t to the next point */
    double I; /* integral of u from the series start to t */
};

struct mmu_win {
    uint64_t pa, pr, pb; /* absolute point indices: next left edge, its right-edge segment,
                            the segment holding the current right-aligned window's start */
    double min;
    int64_t min_t;
    int seen;
};

struct mmu_series {
    /* Points not committed yet (first generation, or the last point). */
    struct mmu_pt *buf;
    size_t n_buf, cap_buf;
    /* Committed points still needed, q[0] has absolute index q_base. */
    struct mmu_pt *q;
    size_t n_q, cap_q;
    uint64_t q_base, committed;
    int64_t t0;
    struct mmu_win *win;
};

struct mmu_p {
    int gc;
    size_t series;
};

struct an_mmu {
    unsigned flags;
    const int64_t *windows;
    size_t n_windows;
    struct mmu_p *ps;
    size_t n_ps, cap_ps;
    int stw;
    struct mmu_series *series;
    size_t n_series, cap_series;
    struct {
        int64_t t;
        uint64_t n;
    } * procs; /* GOMAXPROCS history, for the retroactive fix-up */
    size_t n_procs, cap_procs;
    int fixup_open; /* Active ranges still reach back to the trace start */
    int nomem;
    int dirty; /* GC state changed since the last point: utilization must be recomputed */
};

static void record(struct an_mmu *m, int64_t t);

struct an_mmu *an_mmu_new(const struct gorca_analysis_options *opt)
{
    struct an_mmu *m = base_calloc(1, sizeof(*m));

    if (m == NULL)
        return NULL;
    m->flags = opt->mmu_flags;
    m->windows = opt->mmu_windows_ns;
    m->n_windows = opt->n_mmu_windows;
    m->fixup_open = 1;
    return m;
}

void an_mmu_free(struct an_mmu *m)
{
    size_t i;

    if (m == NULL)
        return;
    for (i = 0; i < m->n_series; i++) {
        base_free(m->series[i].buf);
        base_free(m->series[i].q);
        base_free(m->series[i].win);
    }
    base_free(m->series);
    base_free(m->ps);
    base_free(m->procs);
    base_free(m);
}

/* ---- step 2: streaming MMU over committed points ------------------------------------------ */

static struct mmu_pt *qat(struct mmu_series *s, uint64_t abs)
{
    return &s->q[abs - s->q_base];
}

static void win_update(struct mmu_win *w, double mu, int64_t t)
{
    if (!w->seen || mu < w->min) {
        w->min = mu;
        w->min_t = t;
        w->seen = 1;
    }
}

/* Integral at time x, given a segment index k with q[k].t <= x. */
static double integral_at(struct mmu_series *s, uint64_t k, int64_t x)
{
    struct mmu_pt *p = qat(s, k);
    return p->I + p->u * (double)(x - p->t);
}

static void trim(struct mmu_series *s, size_t n_windows)
{
    uint64_t need = s->committed ? s->committed - 1 : 0;
    size_t i, drop;

    for (i = 0; i < n_windows; i++) {
        struct mmu_win *w = &s->win[i];
        uint64_t m = w->pa < w->pr ? w->pa : w->pr;
        if (w->pb < m)
            m = w->pb;
        if (m < need)
            need = m;
    }
    if (need <= s->q_base)
        return;
    drop = (size_t)(need - s->q_base);
    if (drop * 2 < s->n_q && s->n_q < s->cap_q)
        return; /* compact only when it pays */
    memmove(s->q, s->q + drop, (s->n_q - drop) * sizeof(*s->q));
    s->n_q -= drop;
    s->q_base = need;
}

static int commit(struct an_mmu *m, struct mmu_series *s, int64_t t, double u)
{
    struct mmu_pt p;
    uint64_t j;
    size_t i;

    if (s->committed == 0) {
        s->t0 = t;
        p.I = 0;
    } else {
        struct mmu_pt *last = qat(s, s->committed - 1);
        p.I = last->I + last->u * (double)(t - last->t);
    }
    p.t = t;
    p.u = u;
    if (an_grow(&s->q, &s->cap_q, s->n_q + 1, sizeof(*s->q)) != 0)
        return -1;
    s->q[s->n_q++] = p;
    j = s->committed++;
    for (i = 0; i < m->n_windows; i++) {
        struct mmu_win *w = &s->win[i];
        int64_t wd = m->windows[i];
        int64_t x = t - wd;

        if (wd <= 0) {
            w->pa = w->pr = w->pb = j;
            continue;
        }
        /* Window ending at this point. */
        if (x >= s->t0) {
            while (w->pb + 1 <= j && qat(s, w->pb + 1)->t <= x)
                w->pb++;
            win_update(w, (p.I - integral_at(s, w->pb, x)) / (double)wd, x);
        }
        /* Windows starting at earlier points that now end inside the series. */
        while (w->pa < j && qat(s, w->pa)->t + wd <= t) {
            int64_t y = qat(s, w->pa)->t + wd;
            if (w->pr < w->pa)
                w->pr = w->pa;
            while (w->pr + 1 <= j && qat(s, w->pr + 1)->t <= y)
                w->pr++;
            win_update(w, (integral_at(s, w->pr, y) - qat(s, w->pa)->I) / (double)wd,
                       qat(s, w->pa)->t);
            w->pa++;
        }
    }
    trim(s, m->n_windows);
    return 0;
}

/* ---- step 1: the utilization function ------------------------------------------------------ */

static void oom(struct an_mmu *m)
{
    m->nomem = 1;
}

static size_t new_series(struct an_mmu *m)
{
    struct mmu_series *s;

    if (an_grow(&m->series, &m->cap_series, m->n_series + 1, sizeof(*m->series)) != 0) {
        oom(m);
        return SIZE_MAX;
    }
    s = &m->series[m->n_series];
    memset(s, 0, sizeof(*s));
    s->win = base_calloc(m->n_windows ? m->n_windows : 1, sizeof(*s->win));
    if (s->win == NULL) {
        oom(m);
        return SIZE_MAX;
    }
    return m->n_series++;
}

/* Moves buffered points into the streaming MMU, keeping the last one open. */
static void flush(struct an_mmu *m, struct mmu_series *s, int all)
{
    size_t keep = all ? 0 : (s->n_buf ? 1 : 0), i;

    for (i = 0; i + keep < s->n_buf; i++)
        if (commit(m, s, s->buf[i].t, s->buf[i].u) != 0)
            oom(m);
    if (keep)
        s->buf[0] = s->buf[s->n_buf - 1];
    s->n_buf = keep;
}

/* Go's addUtil: drop no-change points, keep the lowest value at one time stamp. */
static void add_util(struct an_mmu *m, size_t si, int64_t t, double u)
{
    struct mmu_series *s;
    struct mmu_pt *last;

    if (si >= m->n_series)
        return;
    s = &m->series[si];
    if (s->n_buf > 0) {
        last = &s->buf[s->n_buf - 1];
        if (u == last->u)
            return;
        if (t == last->t) {
            if (u < last->u)
                last->u = u;
            return;
        }
    }
    if (an_grow(&s->buf, &s->cap_buf, s->n_buf + 1, sizeof(*s->buf)) != 0) {
        oom(m);
        return;
    }
    s->buf[s->n_buf].t = t;
    s->buf[s->n_buf].u = u;
    s->n_buf++;
    if (!m->fixup_open && s->n_buf > 1)
        flush(m, s, 0);
}

static void gomaxprocs(struct an_mmu *m, int64_t t, uint64_t n)
{
    int per_proc = (m->flags & GORCA_MMU_PER_PROC) != 0;
    size_t i;

    m->dirty = 1;
    if (n > 1u << 20)
        n = 1u << 20; /* a corrupt value must not allocate the world */
    if (m->n_ps > n) {
        if (per_proc)
            for (i = n; i < m->n_ps; i++)
                add_util(m, m->ps[i].series, t, 0);
        m->n_ps = n;
    }
    while (m->n_ps < n) {
        size_t series = 0;
        if (per_proc || m->n_series == 0) {
            series = new_series(m);
            if (series == SIZE_MAX)
                return;
            if (an_grow(&m->series[series].buf, &m->series[series].cap_buf, 1,
                        sizeof(struct mmu_pt)) != 0) {
                oom(m);
                return;
            }
            m->series[series].buf[0].t = t;
            m->series[series].buf[0].u = 1;
            m->series[series].n_buf = 1;
        }
        if (an_grow(&m->ps, &m->cap_ps, m->n_ps + 1, sizeof(*m->ps)) != 0) {
            oom(m);
            return;
        }
        m->ps[m->n_ps].gc = 0;
        m->ps[m->n_ps].series = series;
        m->n_ps++;
    }
    if (m->n_procs == 0 || m->procs[m->n_procs - 1].n != n) {
        if (an_grow(&m->procs, &m->cap_procs, m->n_procs + 1, sizeof(*m->procs)) != 0) {
            oom(m);
            return;
        }
        m->procs[m->n_procs].t = t;
        m->procs[m->n_procs].n = n;
        m->n_procs++;
    }
}

static int is_gc_stw(const struct gorca_trace_range *r)
{
    return r->type == GORCA_TRACE_RANGE_STW && r->name && strstr(r->name, "GC") != NULL;
}

static struct mmu_p *proc_of(struct an_mmu *m, int64_t p)
{
    if (p < 0 || (uint64_t)p >= m->n_ps)
        return NULL; /* Go would index out of range; ignore such an event */
    return &m->ps[p];
}

/* Go: subtract 1/GOMAXPROCS from every point so far (the range reached back to the start). */
static void retro_fixup(struct an_mmu *m)
{
    struct mmu_series *s;
    size_t mi = 0, pi = 0;

    if ((m->flags & GORCA_MMU_PER_PROC) || m->n_series == 0)
        return;
    m->dirty = 1;
    s = &m->series[0];
    while (mi < s->n_buf) {
        if (pi + 1 < m->n_procs && m->procs[pi + 1].t < s->buf[mi].t) {
            pi++;
            continue;
        }
        s->buf[mi].u -= 1.0 / (double)m->procs[pi].n;
        if (s->buf[mi].u < 0)
            s->buf[mi].u = 0;
        mi++;
    }
}

static int executing(uint8_t st)
{
    return st == GORCA_TRACE_GO_RUNNING || st == GORCA_TRACE_GO_SYSCALL;
}

static void range_begin(struct gorca_analysis *an, struct an_mmu *m,
                        const struct gorca_trace_event *ev)
{
    const struct gorca_trace_range *r = &ev->range;
    struct mmu_p *p;

    m->dirty = 1;
    if ((m->flags & GORCA_MMU_STW) && is_gc_stw(r)) {
        m->stw++;
    } else if ((m->flags & GORCA_MMU_SWEEP) && r->type == GORCA_TRACE_RANGE_GC_SWEEP) {
        if ((p = proc_of(m, ev->p)) != NULL)
            p->gc++;
    } else if ((m->flags & GORCA_MMU_ASSIST) && r->type == GORCA_TRACE_RANGE_MARK_ASSIST) {
        if ((p = proc_of(m, ev->p)) != NULL)
            p->gc++;
        if (r->scope == GORCA_TRACE_RES_GOROUTINE && r->scope_id != GORCA_TRACE_NONE) {
            struct an_g *g = an_g_find(an, r->scope_id);
            if (g != NULL)
                g->mmu_in_gc = 1;
        }
    }
}

static void range_active(struct gorca_analysis *an, struct an_mmu *m,
                         const struct gorca_trace_event *ev)
{
    const struct gorca_trace_range *r = &ev->range;
    int assist = (m->flags & GORCA_MMU_ASSIST) && r->type == GORCA_TRACE_RANGE_MARK_ASSIST;
    int sweep = (m->flags & GORCA_MMU_SWEEP) && r->type == GORCA_TRACE_RANGE_GC_SWEEP;

    if (m->fixup_open) {
        if (assist) {
            struct an_g *cur = an_g_find(an, ev->g);
            if (cur != NULL && executing(cur->mmu_state))
                retro_fixup(m);
        } else if (sweep) {
            retro_fixup(m);
        }
    }
    range_begin(an, m, ev);
}

static void range_end(struct gorca_analysis *an, struct an_mmu *m,
                      const struct gorca_trace_event *ev)
{
    const struct gorca_trace_range *r = &ev->range;
    struct mmu_p *p;

    m->dirty = 1;
    if ((m->flags & GORCA_MMU_STW) && is_gc_stw(r)) {
        m->stw--;
    } else if ((m->flags & GORCA_MMU_SWEEP) && r->type == GORCA_TRACE_RANGE_GC_SWEEP) {
        if ((p = proc_of(m, ev->p)) != NULL)
            p->gc--;
    } else if ((m->flags & GORCA_MMU_ASSIST) && r->type == GORCA_TRACE_RANGE_MARK_ASSIST) {
        if ((p = proc_of(m, ev->p)) != NULL)
            p->gc--;
        if (r->scope == GORCA_TRACE_RES_GOROUTINE && r->scope_id != GORCA_TRACE_NONE) {
            struct an_g *g = an_g_find(an, r->scope_id);
            if (g != NULL)
                g->mmu_in_gc = 0;
        }
    }
}

void an_mmu_transition(struct gorca_analysis *an, struct an_mmu *m,
                       const struct gorca_trace_event *ev, struct an_g *g)
{
    const struct gorca_trace_transition *st = &ev->transition;
    struct mmu_p *p;

    if (m->n_ps == 0)
        return; /* nothing happens until GOMAXPROCS is known */
    if (g->mmu_in_gc || g->bg_mark) {
        int was = executing(st->from), is = executing(st->to);
        m->dirty = 1;
        if ((p = proc_of(m, ev->p)) != NULL) {
            if (!was && is)
                p->gc++;
            else if (was && !is)
                p->gc--;
        }
        record(m, ev->time);
        if (m->nomem)
            an_oom(an);
    }
    g->mmu_state = st->to;
}

static void label(struct gorca_analysis *an, struct an_mmu *m, const struct gorca_trace_event *ev)
{
    const char *l = ev->label.label;
    struct an_g *g;
    struct mmu_p *p;

    if (!(m->flags & GORCA_MMU_BACKGROUND) || l == NULL || strncmp(l, "GC ", 3) != 0 ||
        strcmp(l, "GC (idle)") == 0)
        return;
    if ((m->flags & GORCA_MMU_PER_PROC) && strcmp(l, "GC (dedicated)") == 0)
        return;
    g = an_g_find(an, ev->g);
    if ((m->flags & GORCA_MMU_FIX_WORKERS) && g != NULL && g->bg_mark)
        return; /* its GoStart already counted this run */
    if (g != NULL)
        g->bg_mark = 1;
    m->dirty = 1;
    if ((p = proc_of(m, ev->p)) != NULL)
        p->gc++;
}

/* Appends the utilization after an event. Unchanged GC state gives the value of the last
 * point (event times strictly increase), which Go's addUtil drops, so only changes count. */
static void record(struct an_mmu *m, int64_t t)
{
    size_t i, gc_ps = 0;

    if (!m->dirty)
        return;
    m->dirty = 0;
    if (!(m->flags & GORCA_MMU_PER_PROC)) {
        if (m->stw > 0) {
            gc_ps = m->n_ps;
        } else {
            for (i = 0; i < m->n_ps; i++)
                if (m->ps[i].gc > 0)
                    gc_ps++;
        }
        add_util(m, 0, t, 1.0 - (double)gc_ps / (double)m->n_ps);
        return;
    }
    for (i = 0; i < m->n_ps; i++)
        add_util(m, m->ps[i].series, t, (m->stw > 0 || m->ps[i].gc > 0) ? 0.0 : 1.0);
}

void an_mmu_event(struct gorca_analysis *an, struct an_mmu *m, const struct gorca_trace_event *ev)
{
    if (m->nomem) {
        an_oom(an);
        return;
    }
    if (ev->kind == GORCA_TRACE_SYNC && m->fixup_open) {
        /* Go 1.22-1.24 stop at the first Sync (end of generation 1), 1.25+ at the second
         * (start of generation 2): either way the first generation is complete. */
        int at_end = gorca_analysis_sync_mode(an->info.compat_go) == GORCA_TRACE_SYNC_AT_END;
        if (at_end || ev->sync.n > 1) {
            size_t i;
            m->fixup_open = 0;
            for (i = 0; i < m->n_series; i++)
                flush(m, &m->series[i], 0);
        }
    }
    if (ev->kind == GORCA_TRACE_METRIC && ev->metric.metric == GORCA_TRACE_METRIC_GOMAXPROCS)
        gomaxprocs(m, ev->time, ev->metric.value);
    if (m->n_ps == 0)
        return; /* nothing happens until GOMAXPROCS is known */
    switch (ev->kind) {
    case GORCA_TRACE_RANGE_ACTIVE:
        range_active(an, m, ev);
        break;
    case GORCA_TRACE_RANGE_BEGIN:
        range_begin(an, m, ev);
        break;
    case GORCA_TRACE_RANGE_END:
        range_end(an, m, ev);
        break;
    case GORCA_TRACE_LABEL:
        label(an, m, ev);
        break;
    default:
        break;
    }
    record(m, ev->time);
    if (m->nomem)
        an_oom(an);
}

/* ---- finishing ---------------------------------------------------------------------------- */

void an_mmu_finish(struct gorca_analysis *an, struct an_mmu *m)
{
    struct gorca_mmu_point *out;
    size_t i, k;

    an->gc.mmu_flags = m->flags;
    if (an->info.events > 0)
        for (i = 0; i < m->n_ps; i++)
            add_util(m, m->ps[i].series, an->info.end_ns, 0); /* the series end with 0 */
    m->fixup_open = 0;
    for (i = 0; i < m->n_series; i++)
        flush(m, &m->series[i], 1);
    if (m->nomem) {
        an_oom(an);
        return;
    }
    out = base_arena_zalloc(&an->arena, (m->n_windows + 1) * sizeof(*out));
    if (out == NULL) {
        an_oom(an);
        return;
    }
    for (k = 0; k < m->n_windows; k++) {
        int seen = 0;
        out[k].window_ns = m->windows[k];
        out[k].mmu = 1;
        for (i = 0; i < m->n_series; i++) {
            struct mmu_series *s = &m->series[i];
            struct mmu_pt *last;
            int64_t dur;
            double v;
            int64_t at;
            if (s->committed == 0)
                continue;
            last = qat(s, s->committed - 1);
            dur = last->t - s->t0;
            if (m->windows[k] <= 0 || dur <= 0) {
                v = 0;
                at = s->t0;
            } else if (m->windows[k] >= dur) {
                v = last->I / (double)dur; /* the window is clamped to the series */
                at = s->t0;
            } else if (s->win[k].seen) {
                v = s->win[k].min;
                at = s->win[k].min_t;
            } else {
                continue;
            }
            if (m->windows[k] == 1 && last->u < v) {
                /* go tool trace quirk: for a 1 ns window its band search also evaluates one
                 * window just past the series end, which sees the last value (0). */
                v = last->u;
                at = last->t;
            }
            if (!seen || v < out[k].mmu) {
                out[k].mmu = v;
                out[k].worst_start_ns = at;
            }
            seen = 1;
        }
        if (out[k].mmu < 0)
            out[k].mmu = 0;
    }
    an->gc.mmu = out;
    an->gc.n_mmu = m->n_windows;
}
