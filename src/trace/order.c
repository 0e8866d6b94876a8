/* The ordering state machine (go-trace-format.md §6.2-§6.5): the goroutine, proc and thread
 * states, sequence counters, GC state, active tasks, regions and special ranges that decide
 * whether an event can happen next, and that validate the trace as Go's reader does. Each
 * handler answers "advance", "not yet" (another thread's event must come first) or "broken";
 * advanced events (and the synthetic ones Go's reader adds) are queued for delivery.
 * Error messages keep the wording of Go's reader so test expectations carry over. */
#include <stdio.h>
#include "trace_int.h"
#include "spec_table.h"

enum { GC_UNDETERMINED = 0, GC_NOT_RUNNING, GC_RUNNING };
enum { MUST_NOT = 0, MAY, MUST };

struct ctx {
    int64_t m, p, g;
    int fast; /* the fast lane delivers the advanced event itself: push() queues nothing */
};

static const char *const go_status_names[] = { "Bad", "Runnable", "Running", "Syscall", "Waiting" };
static const char *const proc_status_names[] = { "Bad", "Running", "Idle", "Syscall",
                                                 "SyscallAbandoned" };

/* Wire status -> analysis state (Go's tracev2GoStatus2GoState / ProcStatus2ProcState). */
static const uint8_t go_status_state[5] = { GORCA_TRACE_GO_UNDETERMINED, GORCA_TRACE_GO_RUNNABLE,
                                            GORCA_TRACE_GO_RUNNING, GORCA_TRACE_GO_SYSCALL,
                                            GORCA_TRACE_GO_WAITING };
static const uint8_t proc_status_state[5] = { GORCA_TRACE_PROC_UNDETERMINED,
                                              GORCA_TRACE_PROC_RUNNING, GORCA_TRACE_PROC_IDLE,
                                              GORCA_TRACE_PROC_RUNNING, GORCA_TRACE_PROC_IDLE };

/* The id an empty direct slot holds: one that maps to the next slot. */
static inline uint64_t g_slot_empty(size_t slot)
{
    return (uint64_t)slot + 1;
}

void tr_order_init(struct tr_order *o)
{
    size_t i;

    memset(o, 0, sizeof(*o));
    for (i = 0; i < TR_G_DIRECT; i++)
        o->g_direct[i].id = g_slot_empty(i);
    o->free_g = UINT32_MAX;
    o->free_task = UINT32_MAX;
    tr_map_init(&o->g_idx);
    o->g_idx.sparse = 1; /* looked up once or twice per event */
    tr_map_init(&o->p_idx);
    tr_map_init(&o->m_idx);
    tr_map_init(&o->task_idx);
}

void tr_order_release(struct tr_order *o)
{
    size_t i;

    for (i = 0; i < o->n_gs; i++) {
        base_free(o->gs[i].ranges);
        base_free(o->gs[i].regions);
    }
    for (i = 0; i < o->n_ps; i++)
        base_free(o->ps[i].ranges);
    base_free(o->gs);
    base_free(o->ps);
    base_free(o->ms);
    base_free(o->tasks);
    tr_map_release(&o->g_idx);
    tr_map_release(&o->p_idx);
    tr_map_release(&o->m_idx);
    tr_map_release(&o->task_idx);
    memset(o, 0, sizeof(*o));
}

/* ---- state tables -------------------------------------------------------------------- */

TR_HOT struct tr_gstate *get_g(struct tr_order *o, int64_t id)
{
    const struct tr_gslot *d = &o->g_direct[(uint64_t)id % TR_G_DIRECT];
    uint32_t *ix;

    if (d->id == (uint64_t)id)
        return &o->gs[d->ix];
    ix = tr_map_get(&o->g_idx, (uint64_t)id);
    return ix ? &o->gs[*ix] : NULL;
}

TR_HOT struct tr_gstate *new_g(struct gorca_trace *tr, int64_t id, uint8_t status, uint64_t gen)
{
    struct tr_order *o = &tr->order;
    struct tr_gslot *d = &o->g_direct[(uint64_t)id % TR_G_DIRECT];
    uint32_t ix;
    struct tr_gstate *g;

    if (o->free_g != UINT32_MAX) {
        ix = o->free_g;
        o->free_g = (uint32_t)o->gs[ix].id;
    } else {
        if (o->n_gs >= UINT32_MAX - 1 ||
            base_grow((void **)&o->gs, &o->cap_gs, o->n_gs + 1, sizeof(*o->gs)))
            return NULL;
        ix = (uint32_t)o->n_gs++;
    }
    g = &o->gs[ix];
    g->n_ranges = g->cap_ranges = 0;
    g->ranges = NULL;
    g->regions = NULL;
    g->n_regions = g->cap_regions = 0;
    if (d->id % TR_G_DIRECT != (uint64_t)id % TR_G_DIRECT) { /* empty */
        d->id = (uint64_t)id;
        d->ix = ix;
    } else if (tr_map_put(&o->g_idx, (uint64_t)id, ix) != 0) {
        g->id = o->free_g;
        o->free_g = ix;
        return NULL;
    }
    g->id = (uint64_t)id;
    g->status = status;
    g->seq_gen = gen;
    g->seq = 0;
    return g;
}

TR_HOT void del_g(struct tr_order *o, int64_t id)
{
    struct tr_gslot *d = &o->g_direct[(uint64_t)id % TR_G_DIRECT];
    uint32_t *ixp, ix;
    struct tr_gstate *g;

    if (d->id == (uint64_t)id) {
        ix = d->ix;
        d->id = g_slot_empty((uint64_t)id % TR_G_DIRECT);
    } else {
        ixp = tr_map_get(&o->g_idx, (uint64_t)id);
        if (ixp == NULL)
            return;
        ix = *ixp;
        tr_map_del(&o->g_idx, (uint64_t)id);
    }
    g = &o->gs[ix];
    if (g->ranges)
        base_free(g->ranges);
    if (g->regions)
        base_free(g->regions);
    g->ranges = NULL;
    g->regions = NULL;
    g->id = o->free_g;
    o->free_g = ix;
}

TR_HOT struct tr_pstate *get_p(struct tr_order *o, int64_t id)
{
    uint32_t *ix = tr_map_get(&o->p_idx, (uint64_t)id);

    return ix ? &o->ps[*ix] : NULL;
}

static struct tr_pstate *new_p(struct tr_order *o, int64_t id, uint8_t status, uint64_t gen)
{
    struct tr_pstate *p;

    if (o->n_ps >= UINT32_MAX - 1 ||
        base_grow((void **)&o->ps, &o->cap_ps, o->n_ps + 1, sizeof(*o->ps)) ||
        tr_map_put(&o->p_idx, (uint64_t)id, (uint32_t)o->n_ps) != 0)
        return NULL;
    p = &o->ps[o->n_ps++];
    memset(p, 0, sizeof(*p));
    p->id = (uint64_t)id;
    p->status = status;
    p->seq_gen = gen;
    return p;
}

/* Index of thread m's state, creating it (no G, no P) when create is set; -1 if absent or
 * out of memory (*oom set). */
static long m_index(struct tr_order *o, int64_t m, int create, int *oom)
{
    uint32_t *ix = tr_map_get(&o->m_idx, (uint64_t)m);

    if (ix)
        return *ix;
    if (!create)
        return -1;
    if (o->n_ms >= UINT32_MAX - 1 ||
        base_grow((void **)&o->ms, &o->cap_ms, o->n_ms + 1, sizeof(*o->ms)) ||
        tr_map_put(&o->m_idx, (uint64_t)m, (uint32_t)o->n_ms) != 0) {
        *oom = 1;
        return -1;
    }
    o->ms[o->n_ms].g = GORCA_TRACE_NONE;
    o->ms[o->n_ms].p = GORCA_TRACE_NONE;
    return (long)o->n_ms++;
}

static int seq_follows(uint64_t gen, uint64_t seq, uint64_t have_gen, uint64_t have_seq)
{
    return gen == have_gen && seq == have_seq + 1;
}

/* ---- ranges -------------------------------------------------------------------------- */

static int has_range(const struct tr_range_ent *r, unsigned n, uint8_t type, const char *desc)
{
    unsigned i;

    for (i = 0; i < n; i++)
        if (r[i].type == type && r[i].desc == desc)
            return 1;
    return 0;
}

static int add_range(struct tr_range_ent **r, uint8_t *n, uint8_t *cap, uint8_t type,
                     const char *desc)
{
    if (*n == *cap) {
        unsigned ncap = *cap ? *cap * 2u : 2u;
        struct tr_range_ent *nr;

        if (ncap > 255)
            return -1;
        nr = base_realloc(*r, ncap * sizeof(**r));
        if (nr == NULL)
            return -1;
        *r = nr;
        *cap = (uint8_t)ncap;
    }
    (*r)[*n].type = type;
    (*r)[*n].desc = desc;
    (*n)++;
    return 0;
}

/* Removes the first range whose Begin type is begin (swap-remove, as Go's reader does).
 * Returns 0 and its desc, or -1 when none is in flight. */
static int end_range(struct tr_range_ent *r, uint8_t *n, uint8_t begin, const char **desc)
{
    unsigned i;

    for (i = 0; i < *n; i++) {
        if (r[i].type == begin) {
            *desc = r[i].desc;
            r[i] = r[*n - 1];
            (*n)--;
            return 0;
        }
    }
    return -1;
}

/* ---- helpers ------------------------------------------------------------------------- */

static const char *ev_name(const struct tr_ev *ev)
{
    return gorca_trace_type_name(ev->e.type);
}

/* The context by value (cm, cp, cg), so that the hot callers' context can stay in
 * registers. */
static int ctx_error(struct gorca_trace *tr, const struct tr_ev *ev, int64_t cm, int64_t cp,
                     int64_t cg, int m, int p, int g)
{
    const char *what = NULL;

    if (m == MUST && cm == GORCA_TRACE_NONE)
        what = "expected a thread but didn't have one";
    else if (m == MUST_NOT && cm != GORCA_TRACE_NONE)
        what = "expected no thread but had one";
    else if (p == MUST && cp == GORCA_TRACE_NONE)
        what = "expected a proc but didn't have one";
    else if (p == MUST_NOT && cp != GORCA_TRACE_NONE)
        what = "expected no proc but had one";
    else if (g == MUST && cg == GORCA_TRACE_NONE)
        what = "expected a goroutine but didn't have one";
    else if (g == MUST_NOT && cg != GORCA_TRACE_NONE)
        what = "expected no goroutine but had one";
    if (what == NULL)
        return 0;
    return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset, "%s on M %lld: %s", ev_name(ev),
                   (long long)cm, what);
}

/* Checks the context requirements of an event (Go's validateCtx): MUST, MAY or MUST_NOT have
 * a thread, a proc, a goroutine. 0 = fine, -1 = broken trace (error recorded). */
TR_HOT int check_ctx(struct gorca_trace *tr, const struct tr_ev *ev, const struct ctx *c, int m,
                     int p, int g)
{
    int bad =
        (m == MUST && c->m == GORCA_TRACE_NONE) || (m == MUST_NOT && c->m != GORCA_TRACE_NONE) ||
        (p == MUST && c->p == GORCA_TRACE_NONE) || (p == MUST_NOT && c->p != GORCA_TRACE_NONE) ||
        (g == MUST && c->g == GORCA_TRACE_NONE) || (g == MUST_NOT && c->g != GORCA_TRACE_NONE);

    return bad ? ctx_error(tr, ev, c->m, c->p, c->g, m, p, g) : 0;
}

TR_HOT int user_ctx(struct gorca_trace *tr, const struct tr_ev *ev, const struct ctx *c)
{
    return check_ctx(tr, ev, c, MUST, MUST, MUST);
}

static int oom(struct gorca_trace *tr, const struct tr_ev *ev)
{
    return tr_fail(tr, GORCA_E_NOMEM, ev->e.offset, "out of memory in the ordering state");
}

/* Queues the advanced event itself (no copy) with its context. */
static void push(struct gorca_trace *tr, struct tr_ev *ev, const struct ctx *c)
{
    ev->e.m = c->m;
    ev->e.p = c->p;
    ev->e.g = c->g;
    if (!c->fast)
        tr_queue_push_ref(tr, ev);
}

static void push_copy(struct gorca_trace *tr, struct tr_ev *ev, const struct ctx *c)
{
    ev->e.m = c->m;
    ev->e.p = c->p;
    ev->e.g = c->g;
    tr_queue_push(tr, ev);
}

static void push_synthetic(struct gorca_trace *tr, uint8_t type, int64_t time, const struct ctx *c,
                           uint64_t a0, uint64_t a1)
{
    struct tr_ev e;

    memset(&e, 0, sizeof(e));
    e.e.type = type;
    e.e.synthetic = 1;
    e.e.time = time;
    e.e.args[0] = a0;
    e.e.args[1] = a1;
    push_copy(tr, &e, c);
}

/* Interned content of a string id of the current generation; *ok = 0 when unknown. */
static const char *gen_string(struct gorca_trace *tr, uint64_t id, int *ok)
{
    struct tr_str *s = tr_gen_string(&tr->gen, id);

    *ok = s != NULL;
    if (s == NULL)
        return NULL;
    if (s->interned == NULL)
        s->interned = tr_intern_str(&tr->intern, s->s, s->len);
    return s->interned;
}

/* Sentinel for "string id not in the table": delivery reports the bad id. */
static const char unknown_desc[] = "";

/* ---- procs --------------------------------------------------------------------------- */

static int adv_proc_status(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
                           struct ctx *nc, uint64_t gen)
{
    struct tr_order *o = &tr->order;
    int64_t pid = (int64_t)ev->e.args[0];
    uint64_t status = ev->e.args[1];
    struct tr_pstate *s;
    uint8_t old;

    if (status >= 5)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset, "invalid status for proc %lld: %llu",
                       (long long)pid, (unsigned long long)status);
    old = proc_status_state[status];
    s = get_p(o, pid);
    if (s != NULL) {
        if (status == TR_P_SYSCALL_ABANDONED && s->status == TR_P_SYSCALL) {
            old = GORCA_TRACE_PROC_RUNNING;
            ev->e.args[1] = TR_P_SYSCALL;
        } else if (status == TR_P_SYSCALL_ABANDONED && s->status == TR_P_SYSCALL_ABANDONED) {
            old = GORCA_TRACE_PROC_IDLE;
        } else if (s->status != status) {
            return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                           "inconsistent status for proc %lld: old %s vs. new %s", (long long)pid,
                           proc_status_names[s->status], proc_status_names[status]);
        }
        s->seq_gen = gen;
        s->seq = 0;
    } else {
        if (new_p(o, pid, (uint8_t)status, gen) == NULL)
            return oom(tr, ev);
        old = gen == o->initial_gen ? GORCA_TRACE_PROC_UNDETERMINED : GORCA_TRACE_PROC_NOT_EXIST;
    }
    ev->extra[0] = old;
    if (status == TR_P_RUNNING || status == TR_P_SYSCALL)
        nc->p = pid;
    if (status == TR_P_SYSCALL_ABANDONED && old == GORCA_TRACE_PROC_RUNNING) {
        /* The status is reported by another thread than the one holding the proc: attribute
         * it to the holder. */
        size_t i;
        int found = 0;

        for (i = 0; i < o->m_idx.cap; i++) {
            const struct tr_map_ent *e = &o->m_idx.ents[i];

            if (e->used && o->ms[e->val].p == pid) {
                cur->m = (int64_t)e->key;
                cur->p = pid;
                cur->g = o->ms[e->val].g;
                found = 1;
                break;
            }
        }
        if (!found)
            return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                           "failed to find sched context for proc %lld that's about to be stolen",
                           (long long)pid);
    }
    push(tr, ev, cur);
    return 1;
}

TR_HOT int adv_proc_start(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur, struct ctx *nc,
                          uint64_t gen)
{
    int64_t pid = (int64_t)ev->e.args[0];
    struct tr_pstate *s = get_p(&tr->order, pid);

    if (s == NULL || s->status != TR_P_IDLE ||
        !seq_follows(gen, ev->e.args[1], s->seq_gen, s->seq) || cur->p != GORCA_TRACE_NONE)
        return 0;
    if (check_ctx(tr, ev, cur, MUST, MUST_NOT, MAY))
        return -1;
    s->status = TR_P_RUNNING;
    s->seq_gen = gen;
    s->seq = ev->e.args[1];
    nc->p = pid;
    push(tr, ev, cur);
    return 1;
}

TR_HOT int adv_proc_stop(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur, struct ctx *nc,
                         uint64_t gen)
{
    struct tr_pstate *s = get_p(&tr->order, cur->p);

    (void)gen;
    if (s == NULL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                       "event %s for proc (%lld) that doesn't exist", ev_name(ev),
                       (long long)cur->p);
    if (s->status != TR_P_RUNNING && s->status != TR_P_SYSCALL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                       "%s event for proc that's not Running or Syscall", ev_name(ev));
    if (check_ctx(tr, ev, cur, MUST, MUST, MAY))
        return -1;
    s->status = TR_P_IDLE;
    nc->p = GORCA_TRACE_NONE;
    push(tr, ev, cur);
    return 1;
}

static int adv_proc_steal(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur, struct ctx *nc,
                          uint64_t gen)
{
    struct tr_order *o = &tr->order;
    int64_t pid = (int64_t)ev->e.args[0], mid = (int64_t)ev->e.args[2];
    struct tr_pstate *s = get_p(o, pid);
    uint8_t old;
    long mi;
    int nomem = 0;

    if (s == NULL || (s->status != TR_P_SYSCALL && s->status != TR_P_SYSCALL_ABANDONED) ||
        !seq_follows(gen, ev->e.args[1], s->seq_gen, s->seq))
        return 0;
    if (check_ctx(tr, ev, cur, MUST, MAY, MAY))
        return -1;
    old = s->status;
    ev->extra[0] = old;
    s->status = TR_P_IDLE;
    s->seq_gen = gen;
    s->seq = ev->e.args[1];
    if (old == TR_P_SYSCALL_ABANDONED) {
        push(tr, ev, cur);
        return 1;
    }
    if (mid == cur->m) {
        if (cur->p != pid)
            return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                           "tried to self-steal proc %lld (thread %lld), but got proc %lld instead",
                           (long long)pid, (long long)mid, (long long)cur->p);
        nc->p = GORCA_TRACE_NONE;
        push(tr, ev, cur);
        return 1;
    }
    mi = m_index(o, mid, 0, &nomem);
    if (mi < 0)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                       "stole proc from non-existent thread %lld", (long long)mid);
    if (o->ms[mi].p != pid)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                       "tried to steal proc %lld from thread %lld, but got proc %lld instead",
                       (long long)pid, (long long)mid, (long long)o->ms[mi].p);
    o->ms[mi].p = GORCA_TRACE_NONE;
    push(tr, ev, cur);
    return 1;
}

/* ---- goroutines ----------------------------------------------------------------------- */

static int adv_go_status(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur, struct ctx *nc,
                         uint64_t gen)
{
    struct tr_order *o = &tr->order;
    int64_t gid = (int64_t)ev->e.args[0], mid = (int64_t)ev->e.args[1];
    uint64_t status = ev->e.args[2];
    struct tr_gstate *s;
    uint8_t old;

    if (status >= 5)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                       "invalid status for goroutine %lld: %llu", (long long)gid,
                       (unsigned long long)status);
    old = go_status_state[status];
    s = get_g(o, gid);
    if (s != NULL) {
        if (s->status != status)
            return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                           "inconsistent status for goroutine %lld: old %s vs. new %s",
                           (long long)gid, go_status_names[s->status], go_status_names[status]);
        s->seq_gen = gen;
        s->seq = 0;
    } else if (gen == o->initial_gen) {
        if (new_g(tr, gid, (uint8_t)status, gen) == NULL)
            return oom(tr, ev);
        old = GORCA_TRACE_GO_UNDETERMINED;
    } else {
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                       "found goroutine status for new goroutine after the first generation: "
                       "id=%lld status=%s",
                       (long long)gid, go_status_names[status]);
    }
    ev->extra[0] = old;
    if (status == TR_GO_RUNNING) {
        nc->g = gid;
    } else if (status == TR_GO_SYSCALL) {
        long mi;
        int nomem = 0;

        if (mid == GORCA_TRACE_NONE)
            return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                           "found goroutine %lld in syscall without a thread", (long long)gid);
        if (mid == cur->m) {
            if (gen != o->initial_gen && cur->g != gid)
                return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                               "inconsistent thread for syscalling goroutine %lld: thread has "
                               "goroutine %lld",
                               (long long)gid, (long long)cur->g);
            nc->g = gid;
        } else {
            mi = m_index(o, mid, 0, &nomem);
            if (mi >= 0) {
                if (o->ms[mi].g != gid)
                    return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                                   "inconsistent thread for syscalling goroutine %lld: thread has "
                                   "goroutine %lld",
                                   (long long)gid, (long long)o->ms[mi].g);
                cur->g = o->ms[mi].g;
            } else {
                mi = m_index(o, mid, 1, &nomem);
                if (mi < 0)
                    return oom(tr, ev);
                o->ms[mi].g = gid;
                o->ms[mi].p = GORCA_TRACE_NONE;
            }
            cur->m = mid;
        }
    }
    push(tr, ev, cur);
    return 1;
}

TR_HOT int adv_go_create(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur, struct ctx *nc,
                         uint64_t gen)
{
    struct tr_order *o = &tr->order;
    struct tr_gstate *s;
    int64_t ng = (int64_t)ev->e.args[0];

    (void)nc;
    if (check_ctx(tr, ev, cur, MUST, MUST, MAY))
        return -1;
    s = get_g(o, cur->g);
    if (s != NULL && s->status != TR_GO_RUNNING)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                       "%s event for goroutine that's not Running", ev_name(ev));
    if (get_g(o, ng) != NULL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                       "tried to create goroutine (%lld) that already exists", (long long)ng);
    if (new_g(tr, ng,
              ev->e.type == GORCA_TRACE_EV_GO_CREATE_BLOCKED ? TR_GO_WAITING : TR_GO_RUNNABLE,
              gen) == NULL)
        return oom(tr, ev);
    push(tr, ev, cur);
    return 1;
}

/* GoDestroy, GoStop, GoBlock: the running goroutine leaves its thread. */
TR_HOT int adv_go_stop_exec(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
                            struct ctx *nc, uint64_t gen)
{
    struct tr_order *o = &tr->order;
    struct tr_gstate *s;

    (void)gen;
    if (user_ctx(tr, ev, cur))
        return -1;
    s = get_g(o, cur->g);
    if (s == NULL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                       "event %s for goroutine (%lld) that doesn't exist", ev_name(ev),
                       (long long)cur->g);
    if (s->status != TR_GO_RUNNING)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                       "%s event for goroutine that's not Running", ev_name(ev));
    if (ev->e.type == GORCA_TRACE_EV_GO_DESTROY)
        del_g(o, cur->g);
    else
        s->status = ev->e.type == GORCA_TRACE_EV_GO_STOP ? TR_GO_RUNNABLE : TR_GO_WAITING;
    nc->g = GORCA_TRACE_NONE;
    push(tr, ev, cur);
    return 1;
}

TR_HOT int adv_go_start(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur, struct ctx *nc,
                        uint64_t gen)
{
    int64_t gid = (int64_t)ev->e.args[0];
    struct tr_gstate *s = get_g(&tr->order, gid);

    if (s == NULL || s->status != TR_GO_RUNNABLE ||
        !seq_follows(gen, ev->e.args[1], s->seq_gen, s->seq))
        return 0;
    if (check_ctx(tr, ev, cur, MUST, MUST, MUST_NOT))
        return -1;
    s->status = TR_GO_RUNNING;
    s->seq_gen = gen;
    s->seq = ev->e.args[1];
    nc->g = gid;
    push(tr, ev, cur);
    return 1;
}

TR_HOT int adv_go_unblock(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur, struct ctx *nc,
                          uint64_t gen)
{
    struct tr_gstate *s = get_g(&tr->order, (int64_t)ev->e.args[0]);

    (void)nc;
    if (s == NULL || s->status != TR_GO_WAITING ||
        !seq_follows(gen, ev->e.args[1], s->seq_gen, s->seq))
        return 0;
    s->status = TR_GO_RUNNABLE;
    s->seq_gen = gen;
    s->seq = ev->e.args[1];
    push(tr, ev, cur);
    return 1;
}

static int adv_go_switch(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur, struct ctx *nc,
                         uint64_t gen)
{
    struct tr_order *o = &tr->order;
    int64_t next = (int64_t)ev->e.args[0];
    struct tr_gstate *s, *n;
    struct ctx start;

    if (user_ctx(tr, ev, cur))
        return -1;
    s = get_g(o, cur->g);
    if (s == NULL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                       "event %s for goroutine (%lld) that doesn't exist", ev_name(ev),
                       (long long)cur->g);
    if (s->status != TR_GO_RUNNING)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                       "%s event for goroutine that's not Running", ev_name(ev));
    n = get_g(o, next);
    if (n == NULL || n->status != TR_GO_WAITING ||
        !seq_follows(gen, ev->e.args[1], n->seq_gen, n->seq))
        return 0;
    push(tr, ev, cur);
    if (ev->e.type == GORCA_TRACE_EV_GO_SWITCH) {
        s->status = TR_GO_WAITING;
        push_synthetic(tr, GORCA_TRACE_EV_GO_BLOCK, ev->e.time, cur, 0, 0);
    } else {
        del_g(o, cur->g);
        push_synthetic(tr, GORCA_TRACE_EV_GO_DESTROY, ev->e.time, cur, 0, 0);
    }
    n->status = TR_GO_RUNNING;
    n->seq_gen = gen;
    n->seq = ev->e.args[1];
    nc->g = next;
    start = *cur;
    start.g = GORCA_TRACE_NONE;
    push_synthetic(tr, GORCA_TRACE_EV_GO_START, ev->e.time, &start, (uint64_t)next, ev->e.args[1]);
    return 1;
}

TR_HOT int adv_syscall_begin(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
                             struct ctx *nc, uint64_t gen)
{
    struct tr_order *o = &tr->order;
    struct tr_gstate *s;
    struct tr_pstate *p;

    (void)nc;
    if (user_ctx(tr, ev, cur))
        return -1;
    s = get_g(o, cur->g);
    if (s == NULL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                       "event %s for goroutine (%lld) that doesn't exist", ev_name(ev),
                       (long long)cur->g);
    if (s->status != TR_GO_RUNNING)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                       "%s event for goroutine that's not Running", ev_name(ev));
    s->status = TR_GO_SYSCALL;
    p = get_p(o, cur->p);
    if (p == NULL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                       "uninitialized proc %lld found during %s", (long long)cur->p, ev_name(ev));
    p->status = TR_P_SYSCALL;
    if (!seq_follows(gen, ev->e.args[0], p->seq_gen, p->seq))
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                       "failed to advance %s: can't make sequence: %llu (gen=%llu) -> %llu "
                       "(gen=%llu)",
                       ev_name(ev), (unsigned long long)p->seq, (unsigned long long)p->seq_gen,
                       (unsigned long long)ev->e.args[0], (unsigned long long)gen);
    p->seq_gen = gen;
    p->seq = ev->e.args[0];
    push(tr, ev, cur);
    return 1;
}

TR_HOT int adv_syscall_end(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
                           struct ctx *nc, uint64_t gen)
{
    struct tr_order *o = &tr->order;
    struct tr_gstate *s;
    struct tr_pstate *p;

    (void)nc;
    (void)gen;
    if (user_ctx(tr, ev, cur))
        return -1;
    s = get_g(o, cur->g);
    if (s == NULL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                       "event %s for goroutine (%lld) that doesn't exist", ev_name(ev),
                       (long long)cur->g);
    if (s->status != TR_GO_SYSCALL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                       "%s event for goroutine that's not Syscall", ev_name(ev));
    s->status = TR_GO_RUNNING;
    p = get_p(o, cur->p);
    if (p == NULL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                       "uninitialized proc %lld found during %s", (long long)cur->p, ev_name(ev));
    if (p->status != TR_P_SYSCALL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                       "expected proc %lld in state Syscall, but got %s instead", (long long)cur->p,
                       proc_status_names[p->status]);
    p->status = TR_P_RUNNING;
    push(tr, ev, cur);
    return 1;
}

static int adv_syscall_end_blocked(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
                                   struct ctx *nc, uint64_t gen)
{
    struct tr_order *o = &tr->order;
    struct tr_gstate *s;

    (void)gen;
    if (cur->p != GORCA_TRACE_NONE) {
        struct tr_pstate *p = get_p(o, cur->p);

        if (p == NULL)
            return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                           "uninitialized proc %lld found during %s", (long long)cur->p,
                           ev_name(ev));
        if (p->status == TR_P_SYSCALL)
            return 0; /* the proc must be stolen or stopped first */
    }
    if (check_ctx(tr, ev, cur, MUST, MAY, MUST))
        return -1;
    s = get_g(o, cur->g);
    if (s == NULL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                       "event %s for goroutine (%lld) that doesn't exist", ev_name(ev),
                       (long long)cur->g);
    if (s->status != TR_GO_SYSCALL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                       "%s event for goroutine that's not Syscall", ev_name(ev));
    nc->g = GORCA_TRACE_NONE;
    s->status = TR_GO_RUNNABLE;
    push(tr, ev, cur);
    return 1;
}

static int adv_go_create_syscall(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
                                 struct ctx *nc, uint64_t gen)
{
    int64_t ng = (int64_t)ev->e.args[0];

    if (check_ctx(tr, ev, cur, MUST, MAY, MUST_NOT))
        return -1;
    if (get_g(&tr->order, ng) != NULL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                       "tried to create goroutine (%lld) in syscall that already exists",
                       (long long)ng);
    if (new_g(tr, ng, TR_GO_SYSCALL, gen) == NULL)
        return oom(tr, ev);
    nc->g = ng;
    push(tr, ev, cur);
    return 1;
}

static int adv_go_destroy_syscall(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
                                  struct ctx *nc, uint64_t gen)
{
    struct tr_order *o = &tr->order;
    struct tr_gstate *s;

    (void)gen;
    if (check_ctx(tr, ev, cur, MUST, MAY, MUST))
        return -1;
    s = get_g(o, cur->g);
    if (s == NULL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                       "event %s for goroutine (%lld) that doesn't exist", ev_name(ev),
                       (long long)cur->g);
    if (s->status != TR_GO_SYSCALL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                       "%s event for goroutine that's not Syscall", ev_name(ev));
    del_g(o, cur->g);
    nc->g = GORCA_TRACE_NONE;
    if (cur->p != GORCA_TRACE_NONE) {
        struct tr_pstate *p = get_p(o, cur->p);
        struct tr_ev steal;

        if (p == NULL)
            return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset, "found invalid proc %lld during %s",
                           (long long)cur->p, ev_name(ev));
        if (p->status != TR_P_SYSCALL)
            return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                           "proc %lld in unexpected state %s during %s", (long long)cur->p,
                           proc_status_names[p->status], ev_name(ev));
        p->status = TR_P_SYSCALL_ABANDONED;
        nc->p = GORCA_TRACE_NONE;
        memset(&steal, 0, sizeof(steal));
        steal.e.type = GORCA_TRACE_EV_PROC_STEAL;
        steal.e.synthetic = 1;
        steal.e.time = ev->e.time;
        steal.e.args[0] = (uint64_t)cur->p;
        steal.extra[0] = TR_P_SYSCALL;
        push_copy(tr, &steal, cur);
    }
    push(tr, ev, cur);
    return 1;
}

/* ---- tasks and regions ---------------------------------------------------------------- */

static int adv_task_begin(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur, struct ctx *nc,
                          uint64_t gen)
{
    struct tr_order *o = &tr->order;
    uint64_t id = ev->e.args[0];
    const char *name;
    int ok;
    uint32_t ix;

    (void)nc;
    (void)gen;
    if (tr_map_get(&o->task_idx, id) != NULL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset, "task ID conflict: %llu",
                       (unsigned long long)id);
    if (ev->e.args[1] == 0)
        ev->e.args[1] = GORCA_TRACE_NO_TASK; /* 0 means "no parent" here */
    name = gen_string(tr, ev->e.args[2], &ok);
    if (!ok)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset, "invalid string ID %llu for %s event",
                       (unsigned long long)ev->e.args[2], ev_name(ev));
    if (name == NULL)
        return tr_intern_fail(tr, ev->e.offset);
    if (o->free_task != UINT32_MAX) {
        ix = o->free_task;
        o->free_task = (uint32_t)o->tasks[ix].parent;
    } else {
        if (o->n_tasks >= UINT32_MAX - 1 ||
            base_grow((void **)&o->tasks, &o->cap_tasks, o->n_tasks + 1, sizeof(*o->tasks)))
            return oom(tr, ev);
        ix = (uint32_t)o->n_tasks++;
    }
    if (tr_map_put(&o->task_idx, id, ix) != 0)
        return oom(tr, ev);
    o->tasks[ix].parent = ev->e.args[1];
    o->tasks[ix].name = name;
    if (user_ctx(tr, ev, cur))
        return -1;
    push(tr, ev, cur);
    return 1;
}

static int adv_task_end(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur, struct ctx *nc,
                        uint64_t gen)
{
    struct tr_order *o = &tr->order;
    uint32_t *ix = tr_map_get(&o->task_idx, ev->e.args[0]);

    (void)nc;
    (void)gen;
    if (ix != NULL) {
        uint32_t i = *ix;

        ev->extra[0] = o->tasks[i].parent;
        ev->name = o->tasks[i].name;
        tr_map_del(&o->task_idx, ev->e.args[0]);
        o->tasks[i].parent = o->free_task;
        o->free_task = i;
    } else {
        ev->extra[0] = GORCA_TRACE_NO_TASK;
        ev->name = "";
    }
    if (user_ctx(tr, ev, cur))
        return -1;
    push(tr, ev, cur);
    return 1;
}

static int adv_region(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur, struct ctx *nc,
                      uint64_t gen)
{
    struct tr_gstate *s;
    const char *name;
    int ok;

    (void)nc;
    (void)gen;
    if (user_ctx(tr, ev, cur))
        return -1;
    name = gen_string(tr, ev->e.args[1], &ok);
    if (!ok)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset, "invalid string ID %llu for %s event",
                       (unsigned long long)ev->e.args[1], ev_name(ev));
    if (name == NULL)
        return tr_intern_fail(tr, ev->e.offset);
    s = get_g(&tr->order, cur->g);
    if (s == NULL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                       "encountered Ev%s without known state for current goroutine %lld",
                       ev_name(ev), (long long)cur->g);
    if (ev->e.type == GORCA_TRACE_EV_USER_REGION_BEGIN) {
        if (s->n_regions == s->cap_regions) {
            uint32_t ncap = s->cap_regions ? s->cap_regions * 2 : 4;
            struct tr_region_ent *r = base_realloc(s->regions, ncap * sizeof(*r));

            if (r == NULL)
                return oom(tr, ev);
            s->regions = r;
            s->cap_regions = ncap;
        }
        s->regions[s->n_regions].task = ev->e.args[0];
        s->regions[s->n_regions].name = name;
        s->n_regions++;
    } else if (s->n_regions > 0) {
        const struct tr_region_ent *top = &s->regions[s->n_regions - 1];

        if (top->task != ev->e.args[0] || top->name != name)
            return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                           "misuse of region in goroutine %lld: region end {%llu %s} when the "
                           "inner-most active region start event is {%llu %s}",
                           (long long)cur->g, (unsigned long long)ev->e.args[0], name,
                           (unsigned long long)top->task, top->name);
        s->n_regions--;
    }
    push(tr, ev, cur);
    return 1;
}

/* ---- GC ----------------------------------------------------------------------------- */

static int adv_gc_active(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur, struct ctx *nc,
                         uint64_t gen)
{
    struct tr_order *o = &tr->order;
    uint64_t seq = ev->e.args[0];

    (void)nc;
    if (gen == o->initial_gen) {
        if (o->gc_state != GC_UNDETERMINED)
            return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                           "GCActive in the first generation isn't first GC event");
        o->gc_seq = seq;
        o->gc_state = GC_RUNNING;
        push(tr, ev, cur);
        return 1;
    }
    if (seq != o->gc_seq + 1)
        return 0;
    if (o->gc_state != GC_RUNNING)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                       "encountered GCActive while GC was not in progress");
    o->gc_seq = seq;
    if (user_ctx(tr, ev, cur))
        return -1;
    push(tr, ev, cur);
    return 1;
}

static int adv_gc_begin(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur, struct ctx *nc,
                        uint64_t gen)
{
    struct tr_order *o = &tr->order;
    uint64_t seq = ev->e.args[0];

    (void)nc;
    (void)gen;
    if (o->gc_state == GC_UNDETERMINED) {
        o->gc_seq = seq;
        o->gc_state = GC_RUNNING;
        push(tr, ev, cur);
        return 1;
    }
    if (seq != o->gc_seq + 1)
        return 0;
    if (o->gc_state == GC_RUNNING)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                       "encountered GCBegin while GC was already in progress");
    o->gc_seq = seq;
    o->gc_state = GC_RUNNING;
    if (user_ctx(tr, ev, cur))
        return -1;
    push(tr, ev, cur);
    return 1;
}

static int adv_gc_end(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur, struct ctx *nc,
                      uint64_t gen)
{
    struct tr_order *o = &tr->order;
    uint64_t seq = ev->e.args[0];

    (void)nc;
    (void)gen;
    if (seq != o->gc_seq + 1)
        return 0;
    if (o->gc_state == GC_NOT_RUNNING)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                       "encountered GCEnd when GC was not in progress");
    if (o->gc_state == GC_UNDETERMINED)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                       "encountered GCEnd when GC was in an undetermined state");
    o->gc_seq = seq;
    o->gc_state = GC_NOT_RUNNING;
    if (user_ctx(tr, ev, cur))
        return -1;
    push(tr, ev, cur);
    return 1;
}

/* ProcsChange, GoLabel, UserLog: need a running goroutine. */
static inline int adv_annotation(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
                                 struct ctx *nc, uint64_t gen)
{
    (void)nc;
    (void)gen;
    if (user_ctx(tr, ev, cur))
        return -1;
    push(tr, ev, cur);
    return 1;
}

/* HeapAlloc, HeapGoal, experimental events: need a proc (heap) or a thread (experimental). */
TR_HOT int adv_heap_metric(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
                           struct ctx *nc, uint64_t gen)
{
    (void)nc;
    (void)gen;
    if (check_ctx(tr, ev, cur, MUST, MUST, MAY))
        return -1;
    push(tr, ev, cur);
    return 1;
}

static int adv_alloc_free(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur, struct ctx *nc,
                          uint64_t gen)
{
    (void)nc;
    (void)gen;
    if (check_ctx(tr, ev, cur, MUST, MAY, MAY))
        return -1;
    push(tr, ev, cur);
    return 1;
}

static int range_busy(struct gorca_trace *tr, const struct tr_ev *ev, uint8_t begin)
{
    return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                   "discovered event already in-flight for when starting event %s",
                   gorca_trace_type_name(begin));
}

static int range_missing(struct gorca_trace *tr, const struct tr_ev *ev, uint8_t begin)
{
    return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset, "tried to end event %s, but not in-flight",
                   gorca_trace_type_name(begin));
}

TR_HOT int adv_sweep_begin(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
                           struct ctx *nc, uint64_t gen)
{
    struct tr_pstate *p;

    (void)nc;
    (void)gen;
    if (check_ctx(tr, ev, cur, MUST, MUST, MAY))
        return -1;
    p = get_p(&tr->order, cur->p);
    if (p == NULL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                       "uninitialized proc %lld found during %s", (long long)cur->p, ev_name(ev));
    if (has_range(p->ranges, p->n_ranges, ev->e.type, NULL))
        return range_busy(tr, ev, ev->e.type);
    if (add_range(&p->ranges, &p->n_ranges, &p->cap_ranges, ev->e.type, NULL))
        return oom(tr, ev);
    push(tr, ev, cur);
    return 1;
}

static int active_range(struct gorca_trace *tr, const struct tr_ev *ev, struct tr_range_ent **r,
                        uint8_t *n, uint8_t *cap, uint8_t begin, uint64_t gen)
{
    if (gen == tr->order.initial_gen) {
        if (has_range(*r, *n, begin, NULL))
            return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                           "found named active range already in first gen: %s",
                           gorca_trace_type_name(begin));
        if (add_range(r, n, cap, begin, NULL))
            return oom(tr, ev);
    } else if (!has_range(*r, *n, begin, NULL)) {
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset, "resource is missing active range: %s",
                       gorca_trace_type_name(begin));
    }
    return 0;
}

static int adv_sweep_active(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
                            struct ctx *nc, uint64_t gen)
{
    struct tr_pstate *p = get_p(&tr->order, (int64_t)ev->e.args[0]);

    (void)nc;
    if (p == NULL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                       "encountered GCSweepActive for unknown proc %lld", (long long)ev->e.args[0]);
    if (active_range(tr, ev, &p->ranges, &p->n_ranges, &p->cap_ranges,
                     GORCA_TRACE_EV_GC_SWEEP_BEGIN, gen))
        return -1;
    push(tr, ev, cur);
    return 1;
}

TR_HOT int adv_sweep_end(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur, struct ctx *nc,
                         uint64_t gen)
{
    struct tr_pstate *p;
    const char *desc;

    (void)nc;
    (void)gen;
    if (check_ctx(tr, ev, cur, MUST, MUST, MAY))
        return -1;
    p = get_p(&tr->order, cur->p);
    if (p == NULL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                       "uninitialized proc %lld found during %s", (long long)cur->p, ev_name(ev));
    if (end_range(p->ranges, &p->n_ranges, GORCA_TRACE_EV_GC_SWEEP_BEGIN, &desc))
        return range_missing(tr, ev, GORCA_TRACE_EV_GC_SWEEP_BEGIN);
    push(tr, ev, cur);
    return 1;
}

/* STWBegin, GCMarkAssistBegin: goroutine-scoped ranges (STW keyed by its kind). */
TR_HOT int adv_go_range_begin(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
                              struct ctx *nc, uint64_t gen)
{
    struct tr_gstate *s;
    const char *desc = NULL;

    (void)nc;
    (void)gen;
    if (user_ctx(tr, ev, cur))
        return -1;
    if (ev->e.type == GORCA_TRACE_EV_STW_BEGIN) {
        int ok;

        desc = gen_string(tr, ev->e.args[0], &ok);
        if (!ok)
            desc = unknown_desc; /* delivery reports the unknown string id */
        else if (desc == NULL)
            return tr_intern_fail(tr, ev->e.offset);
    }
    s = get_g(&tr->order, cur->g);
    if (s == NULL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                       "encountered event of type %u without known state for current goroutine "
                       "%lld",
                       ev->e.type, (long long)cur->g);
    if (has_range(s->ranges, s->n_ranges, ev->e.type, desc))
        return range_busy(tr, ev, ev->e.type);
    if (add_range(&s->ranges, &s->n_ranges, &s->cap_ranges, ev->e.type, desc))
        return oom(tr, ev);
    push(tr, ev, cur);
    return 1;
}

static int adv_go_range_active(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
                               struct ctx *nc, uint64_t gen)
{
    struct tr_gstate *s = get_g(&tr->order, (int64_t)ev->e.args[0]);

    (void)nc;
    if (s == NULL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                       "uninitialized goroutine %lld found during %s", (long long)ev->e.args[0],
                       ev_name(ev));
    if (active_range(tr, ev, &s->ranges, &s->n_ranges, &s->cap_ranges,
                     GORCA_TRACE_EV_GC_MARK_ASSIST_BEGIN, gen))
        return -1;
    push(tr, ev, cur);
    return 1;
}

TR_HOT int adv_go_range_end(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
                            struct ctx *nc, uint64_t gen)
{
    struct tr_gstate *s;
    const char *desc = NULL;
    uint8_t begin = tr_spec_table[ev->e.type].start_ev;

    (void)nc;
    (void)gen;
    if (user_ctx(tr, ev, cur))
        return -1;
    s = get_g(&tr->order, cur->g);
    if (s == NULL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                       "encountered event of type %u without known state for current goroutine "
                       "%lld",
                       ev->e.type, (long long)cur->g);
    if (end_range(s->ranges, &s->n_ranges, begin, &desc))
        return range_missing(tr, ev, begin);
    if (ev->e.type == GORCA_TRACE_EV_STW_END)
        ev->name = desc ? desc : "";
    push(tr, ev, cur);
    return 1;
}

/* ---- dispatch ------------------------------------------------------------------------ */

typedef int (*adv_fn)(struct gorca_trace *, struct tr_ev *, struct ctx *, struct ctx *, uint64_t);

static const adv_fn dispatch[TR_N_SPECS] = {
    [GORCA_TRACE_EV_PROCS_CHANGE] = adv_annotation,
    [GORCA_TRACE_EV_PROC_START] = adv_proc_start,
    [GORCA_TRACE_EV_PROC_STOP] = adv_proc_stop,
    [GORCA_TRACE_EV_PROC_STEAL] = adv_proc_steal,
    [GORCA_TRACE_EV_PROC_STATUS] = adv_proc_status,
    [GORCA_TRACE_EV_GO_CREATE] = adv_go_create,
    [GORCA_TRACE_EV_GO_CREATE_SYSCALL] = adv_go_create_syscall,
    [GORCA_TRACE_EV_GO_START] = adv_go_start,
    [GORCA_TRACE_EV_GO_DESTROY] = adv_go_stop_exec,
    [GORCA_TRACE_EV_GO_DESTROY_SYSCALL] = adv_go_destroy_syscall,
    [GORCA_TRACE_EV_GO_STOP] = adv_go_stop_exec,
    [GORCA_TRACE_EV_GO_BLOCK] = adv_go_stop_exec,
    [GORCA_TRACE_EV_GO_UNBLOCK] = adv_go_unblock,
    [GORCA_TRACE_EV_GO_SYSCALL_BEGIN] = adv_syscall_begin,
    [GORCA_TRACE_EV_GO_SYSCALL_END] = adv_syscall_end,
    [GORCA_TRACE_EV_GO_SYSCALL_END_BLOCKED] = adv_syscall_end_blocked,
    [GORCA_TRACE_EV_GO_STATUS] = adv_go_status,
    [GORCA_TRACE_EV_STW_BEGIN] = adv_go_range_begin,
    [GORCA_TRACE_EV_STW_END] = adv_go_range_end,
    [GORCA_TRACE_EV_GC_ACTIVE] = adv_gc_active,
    [GORCA_TRACE_EV_GC_BEGIN] = adv_gc_begin,
    [GORCA_TRACE_EV_GC_END] = adv_gc_end,
    [GORCA_TRACE_EV_GC_SWEEP_ACTIVE] = adv_sweep_active,
    [GORCA_TRACE_EV_GC_SWEEP_BEGIN] = adv_sweep_begin,
    [GORCA_TRACE_EV_GC_SWEEP_END] = adv_sweep_end,
    [GORCA_TRACE_EV_GC_MARK_ASSIST_ACTIVE] = adv_go_range_active,
    [GORCA_TRACE_EV_GC_MARK_ASSIST_BEGIN] = adv_go_range_begin,
    [GORCA_TRACE_EV_GC_MARK_ASSIST_END] = adv_go_range_end,
    [GORCA_TRACE_EV_HEAP_ALLOC] = adv_heap_metric,
    [GORCA_TRACE_EV_HEAP_GOAL] = adv_heap_metric,
    [GORCA_TRACE_EV_GO_LABEL] = adv_annotation,
    [GORCA_TRACE_EV_USER_TASK_BEGIN] = adv_task_begin,
    [GORCA_TRACE_EV_USER_TASK_END] = adv_task_end,
    [GORCA_TRACE_EV_USER_REGION_BEGIN] = adv_region,
    [GORCA_TRACE_EV_USER_REGION_END] = adv_region,
    [GORCA_TRACE_EV_USER_LOG] = adv_annotation,
    [GORCA_TRACE_EV_GO_SWITCH] = adv_go_switch,
    [GORCA_TRACE_EV_GO_SWITCH_DESTROY] = adv_go_switch,
    [GORCA_TRACE_EV_GO_CREATE_BLOCKED] = adv_go_create,
    [GORCA_TRACE_EV_GO_STATUS_STACK] = adv_go_status,
    [128] = adv_alloc_free,
    [129] = adv_alloc_free,
    [130] = adv_alloc_free,
    [131] = adv_alloc_free,
    [132] = adv_alloc_free,
    [133] = adv_alloc_free,
    [134] = adv_alloc_free,
    [135] = adv_alloc_free,
    [136] = adv_alloc_free,
};

/* Tries to advance ev, written by thread m of generation gen. Returns 1 when it advanced (the
 * resulting events are queued on tr), 0 when it cannot advance yet, -1 on a broken trace
 * (tr->err set). ev may be modified (as Go's reader smuggles old states into it). */
TR_HOT int order_advance(struct gorca_trace *tr, struct tr_ev *ev, uint64_t m, long *mi_cache,
                         uint64_t gen)
{
    struct tr_order *o = &tr->order;
    struct ctx cur, nc;
    long mi = -1;
    int rc, nomem = 0;
    adv_fn fn;

    int64_t cp = GORCA_TRACE_NONE, cg = GORCA_TRACE_NONE;

    if (o->initial_gen == 0)
        o->initial_gen = gen;
    if ((int64_t)m != GORCA_TRACE_NONE) {
        /* The thread's state exists from its first attempted event on, as in Go's reader.
         * Thread states are never removed, so the cursor can keep the index. */
        mi = *mi_cache;
        if (mi < 0) {
            mi = m_index(o, (int64_t)m, 1, &nomem);
            if (mi < 0)
                return oom(tr, ev);
            *mi_cache = mi;
        }
        cp = o->ms[mi].p;
        cg = o->ms[mi].g;
    }
    /* Field by field (not struct copies): keeps the compiler from building these with
     * overlapping vector stores and loads, which stall store forwarding. */
    cur.m = nc.m = (int64_t)m;
    cur.p = nc.p = cp;
    cur.g = nc.g = cg;
    cur.fast = nc.fast = 0;
    /* The frequent events are dispatched directly so their handlers inline here. */
    switch (ev->e.type) {
    case GORCA_TRACE_EV_GO_START:
        rc = adv_go_start(tr, ev, &cur, &nc, gen);
        break;
    case GORCA_TRACE_EV_GO_STOP:
    case GORCA_TRACE_EV_GO_BLOCK:
    case GORCA_TRACE_EV_GO_DESTROY:
        rc = adv_go_stop_exec(tr, ev, &cur, &nc, gen);
        break;
    case GORCA_TRACE_EV_GO_UNBLOCK:
        rc = adv_go_unblock(tr, ev, &cur, &nc, gen);
        break;
    case GORCA_TRACE_EV_GO_CREATE:
        rc = adv_go_create(tr, ev, &cur, &nc, gen);
        break;
    case GORCA_TRACE_EV_HEAP_ALLOC:
        rc = adv_heap_metric(tr, ev, &cur, &nc, gen);
        break;
    case GORCA_TRACE_EV_GO_SYSCALL_BEGIN:
        rc = adv_syscall_begin(tr, ev, &cur, &nc, gen);
        break;
    case GORCA_TRACE_EV_GO_SYSCALL_END:
        rc = adv_syscall_end(tr, ev, &cur, &nc, gen);
        break;
    case GORCA_TRACE_EV_PROC_START:
        rc = adv_proc_start(tr, ev, &cur, &nc, gen);
        break;
    case GORCA_TRACE_EV_PROC_STOP:
        rc = adv_proc_stop(tr, ev, &cur, &nc, gen);
        break;
    default:
        fn = ev->e.type < TR_N_SPECS ? dispatch[ev->e.type] : NULL;
        if (fn == NULL)
            return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset,
                           "bad event type found while ordering: %u", ev->e.type);
        rc = fn(tr, ev, &cur, &nc, gen);
    }
    if (rc == 1 && mi >= 0) {
        o->ms[mi].p = nc.p;
        o->ms[mi].g = nc.g;
    }
    return rc;
}

/* ======================================================================================= */
/* ---- cursors: one per writer thread ------------------------------------------------------ */

/* Loads batch bi into the cursor. */
static int cursor_load(struct gorca_trace *tr, struct tr_cursor *c, uint32_t bi)
{
    const struct tr_batch *b = &tr->gen.batches[bi];
    size_t avail;
    const uint8_t *p =
        b->len ? tr_src_get(&tr->src, b->off, b->len, &avail, &tr->err) : (const uint8_t *)"";

    if (p == NULL)
        return tr_fail(tr, GORCA_E_INTERNAL, b->off, "batch payload vanished");
    c->batch = bi;
    c->start = c->p = p;
    c->end = p + b->len;
    c->pay_off = b->off;
    c->last_ts = 0;
    return 0;
}

static int bad_varint(struct gorca_trace *tr, uint64_t off, int rc, const char *what)
{
    return tr_fail(tr, GORCA_E_MALFORMED, off, "%s %s",
                   rc == -1 ? "batch ends inside" : "varint overflow in", what);
}

/* Decodes the cursor's next event into the slot not holding the previous head (which may
 * still wait in the output queue). Returns 1, 0 when its thread has no more events in the
 * generation, -1 on error. */
static int cursor_next_slow(struct gorca_trace *tr, struct tr_cursor *c)
{
    const uint8_t *p;
    const struct tr_spec *sp;
    struct tr_ev *ev;
    uint64_t dt, off;
    unsigned i, type;
    int rc;

    while (c->p == c->end) {
        uint32_t nb = tr->gen.batches[c->batch].next;

        if (nb == UINT32_MAX)
            return 0;
        if (cursor_load(tr, c, nb) != 0)
            return -1;
    }
    if (c->last_ts == 0)
        c->last_ts = gen_mul(&tr->gen, tr->gen.batches[c->batch].time);
    ev = &c->bank[c->cur ^ 1][0]; /* the head's slot stays intact */
    p = c->p;
    off = c->pay_off + (uint64_t)(p - c->start);
    type = *p++;
    sp = &tr_spec_table[type < TR_N_SPECS ? type : 0];
    if (type >= TR_N_SPECS)
        return tr_fail(tr, GORCA_E_MALFORMED, off, "found invalid event type: %u", type);
    if (sp->nargs == 0 || !sp->timed)
        return tr_fail(tr, GORCA_E_MALFORMED, off, "found event without a timestamp: type=%u",
                       type);
    ev->e.args[0] = ev->e.args[1] = ev->e.args[2] = ev->e.args[3] = 0;
    if (c->end - p >= 50) {
        /* Room for the largest event: decode without bounds checks on the fast path. */
        rc = tr_uvarint_u(&p, &dt);
        for (i = 0; rc == 0 && i + 1 < sp->nargs; i++)
            rc = tr_uvarint_u(&p, &ev->e.args[i]);
        if (rc != 0)
            return bad_varint(tr, off, rc, "an event argument");
    } else {
        rc = tr_uvarint(&p, c->end, &dt);
        if (rc != 0)
            return bad_varint(tr, off, rc, "an event timestamp");
        for (i = 0; i + 1 < sp->nargs; i++) {
            rc = tr_uvarint(&p, c->end, &ev->e.args[i]);
            if (rc != 0)
                return bad_varint(tr, off, rc, "an event argument");
        }
    }
    ev->e.type = (uint8_t)type;
    ev->e.synthetic = 0;
    ev->e.offset = off;
    ev->e.time = tr_add(gen_mul(&tr->gen, dt), c->last_ts);
    c->last_ts = ev->e.time;
    c->t = ev->e.time;
    c->cur ^= 1;
    c->ev = ev;
    c->p = p;
    return 1;
}

/* One varint of an event on the fast path (at least 10 readable bytes): sets *v and returns
 * the position after it; on an overflow leaves p where it was and sets *bad. */
TR_HOT const uint8_t *ev_varint(const uint8_t *p, uint64_t *v, int *bad)
{
    if (p[0] < 0x80) {
        *v = p[0];
        return p + 1;
    }
    if (p[1] < 0x80) {
        *v = (uint64_t)(p[0] & 0x7f) | (uint64_t)p[1] << 7;
        return p + 2;
    }
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    {
        /* 3..8 bytes without a loop: the first byte below 0x80 ends the varint; keep the
         * bytes up to it, drop the continuation bits and close the 7-bit groups up. The
         * frequent 3 and 4 bytes (goroutine ids from 16384 on) have their own shorter way. */
        uint64_t w, stop, x;

        memcpy(&w, p, 8);
        if (!(w & 0x800000)) {
            *v = (w & 0x7f) | ((w >> 1) & 0x3f80) | ((w >> 2) & 0x1fc000);
            return p + 3;
        }
        if (!(w & 0x80000000)) {
            *v = (w & 0x7f) | ((w >> 1) & 0x3f80) | ((w >> 2) & 0x1fc000) | ((w >> 3) & 0xfe00000);
            return p + 4;
        }
        stop = ~w & 0x8080808080808080ull;
        if (stop != 0) {
            stop &= -stop;
            x = w & (stop + (stop - 1)) & 0x7f7f7f7f7f7f7f7full;
            x = ((x & 0x7f007f007f007f00ull) >> 1) | (x & 0x007f007f007f007full);
            x = ((x & 0x3fff00003fff0000ull) >> 2) | (x & 0x00003fff00003fffull);
            x = ((x & 0x0fffffff00000000ull) >> 4) | (x & 0x000000000fffffffull);
            *v = x;
            return p + (__builtin_ctzll(stop) >> 3) + 1;
        }
    }
#endif
    if (tr_uvarint_u(&p, v) != 0)
        *bad = 1;
    return p;
}

/* Decodes the cursor's next events into the bank not holding the head, from its first slot
 * on, and makes the first of them the head: every event from c->p on that lies well inside the
 * current batch (room for the largest event, so no bounds checks), has a known timed type and
 * well-formed varints; the first one that does not stops the fill and is left to
 * cursor_next_slow, which reports errors and crosses batches exactly as before. c->p and
 * c->last_ts move past the decoded events. Returns how many (0: nothing changed). */
static uint32_t cursor_fill(struct gorca_trace *tr, struct tr_cursor *c)
{
    const struct tr_gen *g = &tr->gen;
    const uint8_t *p = c->p;
    const uint8_t *nargs = tr->fast_nargs;
    struct tr_ev *first = c->bank[c->cur ^ 1], *ev = first, *stop;
    int64_t ts = c->last_ts;
    /* offset of the byte at p = base + p (unsigned wrap-around is fine) */
    uint64_t base = c->pay_off - (uint64_t)(uintptr_t)c->start;
    /* gen_mul's constants, in registers (the slot stores could alias them) */
    uint64_t k_lim = g->k_lim, k_int = g->k_int;
    size_t room;
    uint32_t n;

    /* Each event is decoded with at least 52 bytes left in the batch, room for the largest
     * (1 + 5 varints of 10 bytes) plus the varint decoder's 8-byte loads; an event takes at
     * most 51 bytes, so this many events fit from here on. */
    if (ts == 0 || c->end - p < 52)
        return 0;
    room = (size_t)(c->end - p - 52) / 51 + 1;
    stop = first + (room < c->bcap ? room : c->bcap);
    for (;;) {
        unsigned type = *p;
        unsigned na = nargs[type];
        const uint8_t *q;
        uint64_t dt = 0;
        int bad = 0;

        if (na == 0)
            break;
        ev->e.args[0] = ev->e.args[1] = ev->e.args[2] = ev->e.args[3] = 0;
        q = ev_varint(p + 1, &dt, &bad);
        if (na > 1) {
            q = ev_varint(q, &ev->e.args[0], &bad);
            if (na > 2) {
                q = ev_varint(q, &ev->e.args[1], &bad);
                if (na > 3) {
                    q = ev_varint(q, &ev->e.args[2], &bad);
                    if (na > 4)
                        q = ev_varint(q, &ev->e.args[3], &bad);
                }
            }
        }
        if (bad)
            break;
        ev->e.offset = base + (uint64_t)(uintptr_t)p;
        ev->e.type = (uint8_t)type; /* synthetic stays 0 (install_generation) */
        ts = tr_add(dt < k_lim ? (int64_t)(dt * k_int) : tr_mul(g->freq_k, dt), ts);
        ev->e.time = ts;
        ev++;
        p = q;
        /* A zero time means "batch base not applied yet" to the slow path: stop there. */
        if (ts == 0 || ev == stop)
            break;
    }
    n = (uint32_t)(ev - first);
    if (n == 0)
        return 0;
    c->p = p;
    c->last_ts = ts;
    c->cur ^= 1;
    c->ev = first;
    c->t = first->e.time;
    c->ahead = n - 1;
    return n;
}

/* Moves the cursor to its next event: the next slot decoded ahead, else a fill of the other
 * bank, else cursor_next_slow when nothing can be decoded ahead. 1 = an event, 0 = the
 * thread is done, -1 = error. */
TR_HOT int cursor_next(struct gorca_trace *tr, struct tr_cursor *c)
{
    struct tr_ev *ev;

    if (c->ahead == 0)
        return cursor_fill(tr, c) ? 1 : cursor_next_slow(tr, c);
    c->ahead--;
    ev = c->ev + 1;
    c->t = ev->e.time;
    c->ev = ev;
    return 1;
}

/* ---- the heap (Go's reader's exact operations, so ties resolve the same way) ----------- */

static inline int64_t ht(struct gorca_trace *tr, size_t i)
{
    return tr->heap[i].t;
}

static inline void heap_swap(struct gorca_trace *tr, size_t a, size_t b)
{
    struct tr_heap_ent t = tr->heap[a];

    tr->heap[a] = tr->heap[b];
    tr->heap[b] = t;
}

static size_t sift_up(struct gorca_trace *tr, size_t i)
{
    while (i > 0 && ht(tr, (i - 1) / 2) > ht(tr, i)) {
        heap_swap(tr, (i - 1) / 2, i);
        i = (i - 1) / 2;
    }
    return i;
}

static void sift_down(struct gorca_trace *tr, size_t i)
{
    struct tr_heap_ent *h = tr->heap;
    struct tr_heap_ent e = h[i];
    size_t n = tr->heap_len;

    /* Swaps as Go's heap does, with the moving entry held aside until its place is found. A
     * node with a left child has its right one in the heap or in the first sentinel (t =
     * max), so only the left one needs a bounds check. The earlier child wins, the left one
     * on a tie, and moves up only if strictly earlier than the entry. */
    if (i >= n)
        return;
    for (;;) {
        size_t l = 2 * i + 1, m;

        if (l >= n)
            break;
        m = h[l + 1].t < h[l].t ? l + 1 : l;
        if (!(h[m].t < e.t))
            break;
        h[i] = h[m];
        i = m;
    }
    h[i] = e;
}

static void heap_update(struct gorca_trace *tr, size_t i)
{
    if (sift_up(tr, i) != i)
        return;
    sift_down(tr, i);
}

static void heap_remove(struct gorca_trace *tr, size_t i)
{
    while (i > 0) {
        heap_swap(tr, (i - 1) / 2, i);
        i = (i - 1) / 2;
    }
    heap_swap(tr, 0, tr->heap_len - 1);
    tr->heap_len--;
    tr->heap[tr->heap_len].t = INT64_MAX; /* keeps the two sentinels past the end */
    sift_down(tr, 0);
}

/* Stable insertion sort by next-event time (Go sorts with pdqsort, which is insertion sort
 * up to 12 elements; beyond that, ties among equal times may be tried in another order). */
static void heap_sort_stable(struct gorca_trace *tr)
{
    size_t i;

    for (i = 1; i < tr->heap_len; i++) {
        struct tr_heap_ent c = tr->heap[i];
        size_t j = i;

        while (j > 0 && tr->heap[j - 1].t > c.t) {
            tr->heap[j] = tr->heap[j - 1];
            j--;
        }
        tr->heap[j] = c;
    }
}

/* ---- generations ------------------------------------------------------------------------ */

static void queue_sync(struct gorca_trace *tr, int64_t time, int with_gen)
{
    struct tr_ev e;

    memset(&e, 0, sizeof(e));
    e.e.type = TR_EV_SYNC;
    e.e.time = time;
    e.e.m = e.e.p = e.e.g = GORCA_TRACE_NONE;
    e.extra[0] = (uint64_t)with_gen;
    tr_queue_push(tr, &e);
}

static int install_generation(struct gorca_trace *tr)
{
    struct tr_gen *g = &tr->gen;
    size_t i, n_slots = 0;
    uint64_t bytes = g->end_off - g->start_off;

    if (tr->gens_read == 0)
        tr->first_gen = g->gen;
    tr->gens_read++;
    if (bytes > tr->peak_gen_bytes)
        tr->peak_gen_bytes = bytes;
    if (base_grow((void **)&tr->cursors, &tr->cursors_cap, g->n_ms, sizeof(*tr->cursors)) ||
        base_grow((void **)&tr->heap, &tr->heap_cap, g->n_ms + 2, sizeof(*tr->heap)))
        return tr_fail(tr, GORCA_E_NOMEM, g->start_off, "out of memory");
    /* Event banks: two of up to TR_BANK_MAX slots per thread, fewer for a thread that wrote
     * few bytes, so that they take at most about the generation's size beyond two slots
     * each. */
    for (i = 0; i < g->n_ms; i++) {
        uint64_t bytes_m = 0;
        uint32_t bi, cap = 1;

        for (bi = g->ms[i].first;
             bi != UINT32_MAX && bytes_m < 2 * TR_BANK_MAX * sizeof(struct tr_ev);
             bi = g->batches[bi].next)
            bytes_m += g->batches[bi].len;
        while (cap < TR_BANK_MAX && 4 * cap * sizeof(struct tr_ev) <= bytes_m)
            cap *= 2;
        tr->cursors[i].bcap = cap;
        n_slots += 2 * (size_t)cap;
    }
    if (base_grow((void **)&tr->ring, &tr->ring_cap, n_slots ? n_slots : 1, sizeof(*tr->ring)))
        return tr_fail(tr, GORCA_E_NOMEM, g->start_off, "out of memory");
    for (i = 0; i < n_slots; i++)
        tr->ring[i].e.synthetic = 0; /* no decoded event is (the fill relies on it) */
    n_slots = 0;
    for (i = 0; i < g->n_ms; i++) {
        struct tr_cursor *c = &tr->cursors[i];

        c->bank[0] = tr->ring + n_slots;
        c->bank[1] = c->bank[0] + c->bcap;
        c->cur = 1; /* the first event goes to bank 0 */
        c->ahead = 0;
        n_slots += 2 * (size_t)c->bcap;
    }
    tr->heap_len = 0;
    tr->sample_pos = 0;
    tr->next_sample_t = g->n_samples ? g->samples[0].time : INT64_MAX;
    tr->gen_budget = tr->opt.limits.events;
    for (i = 0; i < g->n_ms; i++) {
        struct tr_cursor *c = &tr->cursors[i];
        int r;

        c->m = g->ms[i].m;
        c->mi = -1;
        c->ev = &c->bank[1][0];
        if (cursor_load(tr, c, g->ms[i].first) != 0)
            return -1;
        r = cursor_next(tr, c);
        if (r < 0)
            return -1;
        if (r == 0)
            continue;
        tr->heap[tr->heap_len].t = c->t;
        tr->heap[tr->heap_len].ev = c->ev;
        tr->heap[tr->heap_len++].c = c;
        sift_up(tr, tr->heap_len - 1);
    }
    tr->heap[tr->heap_len].t = tr->heap[tr->heap_len + 1].t = INT64_MAX;
    tr->gen_active = 1;
    if (tr->opt.sync_mode == GORCA_TRACE_SYNC_AT_START)
        queue_sync(tr, gen_mul(g, g->min_ts), 1);
    return 0;
}

static void end_generation(struct gorca_trace *tr)
{
    tr->gen_active = 0;
    if (tr->opt.sync_mode == GORCA_TRACE_SYNC_AT_END)
        queue_sync(tr, tr->last_ts, 1);
}

static void failed_to_advance(struct gorca_trace *tr)
{
    char buf[160];
    size_t n = 0, i;

    buf[0] = 0;
    for (i = 0; i < tr->heap_len && i < 3 && n < sizeof(buf); i++) {
        const struct tr_cursor *c = tr->heap[i].c;
        int w =
            snprintf(buf + n, sizeof(buf) - n, "%sM %lld %s@%llu", i ? ", " : "", (long long)c->m,
                     gorca_trace_type_name(c->ev->e.type), (unsigned long long)c->ev->e.offset);

        if (w < 0)
            break;
        n += (size_t)w;
    }
    tr_fail(tr, GORCA_E_MALFORMED, tr->heap_len ? tr->heap[0].c->ev->e.offset : tr->gen.start_off,
            "broken trace: failed to advance: no thread's next event is valid (%s%s)", buf,
            tr->heap_len > 3 ? ", ..." : "");
}

/* Advances heap entry i. 1 = advanced, 0 = not ready, -1 = error. */
TR_HOT int try_advance(struct gorca_trace *tr, size_t i)
{
    struct tr_cursor *c = tr->heap[i].c;
    int rc = order_advance(tr, c->ev, c->m, &c->mi, tr->gen.gen);
    int64_t t;
    size_t n;

    if (rc != 1)
        return rc;
    rc = cursor_next(tr, c);
    if (rc < 0)
        return -1;
    if (rc == 0) {
        heap_remove(tr, i);
        return 1;
    }
    t = c->t;
    tr->heap[i].t = t;
    tr->heap[i].ev = c->ev;
    n = tr->heap_len;
    if (i != 0) {
        heap_update(tr, i);
    } else if ((n > 1 && tr->heap[1].t < t) || (n > 2 && tr->heap[2].t < t)) {
        /* At the root sift_up does nothing; the usual case, the head keeping its place,
         * needs no sifting at all. */
        sift_down(tr, 0);
    }
    return 1;
}

static void queue_sample(struct gorca_trace *tr)
{
    const struct tr_sample *s = &tr->gen.samples[tr->sample_pos++];
    struct tr_ev e;

    tr->next_sample_t =
        tr->sample_pos < tr->gen.n_samples ? tr->gen.samples[tr->sample_pos].time : INT64_MAX;
    memset(&e, 0, sizeof(e));
    e.e.type = TR_EV_CPU_SAMPLE;
    e.e.time = s->time;
    e.e.m = (int64_t)s->m;
    e.e.p = (int64_t)s->p;
    e.e.g = s->g == 0 ? GORCA_TRACE_NONE : (int64_t)s->g;
    e.e.args[0] = s->stack;
    tr_queue_push(tr, &e);
}

/* Makes at least one event available in the queue. 1 = yes, 0 = clean end, -1 = error. */
TR_HOT int fill_queue(struct gorca_trace *tr)
{
    while (tr->q_len == 0) {
        if (tr->gen_active) {
            struct tr_gen *g = &tr->gen;
            size_t i;
            int rc;

            if (tr->heap_len == 0 && tr->sample_pos == g->n_samples) {
                end_generation(tr);
                continue;
            }
            if (tr->sample_pos < g->n_samples &&
                (tr->heap_len == 0 || g->samples[tr->sample_pos].time < ht(tr, 0))) {
                queue_sample(tr);
                continue;
            }
            rc = try_advance(tr, 0);
            if (rc < 0)
                return -1;
            if (rc == 1)
                continue;
            heap_sort_stable(tr);
            for (i = 1; i < tr->heap_len; i++) {
                rc = try_advance(tr, i);
                if (rc < 0)
                    return -1;
                if (rc == 1)
                    break;
            }
            if (rc != 1) {
                failed_to_advance(tr);
                return -1;
            }
            continue;
        }
        /* Between generations: the previous one is fully delivered. */
        if (tr->gen.end_off)
            tr_src_release(&tr->src, tr->gen.end_off);
        if (tr->has_pending) {
            tr->has_pending = 0;
            if (tr->err.code == GORCA_OK) {
                tr->err = tr->pending;
                tr->err.source = tr->name;
            }
            return -1;
        }
        if (tr->input_done && !tr->has_spill) {
            if (tr->opt.sync_mode == GORCA_TRACE_SYNC_AT_START && tr->gens_read > 0 &&
                !tr->final_sync) {
                tr->final_sync = 1;
                tr_gen_reset(&tr->gen);
                queue_sync(tr, tr->last_ts, 0);
                continue;
            }
            return 0;
        }
        if (tr_read_generation(tr) != GORCA_OK)
            return -1;
        if (tr->gen.gen == 0)
            continue; /* clean end of input */
        if (install_generation(tr) != 0)
            return -1;
    }
    return 1;
}

/* ======================================================================================= */
/* ---- delivery ------------------------------------------------------------------------------ */

static int bad_id(struct gorca_trace *tr, const struct tr_ev *ev, const char *what, uint64_t id)
{
    return tr_fail(tr, GORCA_E_MALFORMED, ev->e.offset, "found invalid %s ID %llu for event %s",
                   what, (unsigned long long)id, gorca_trace_type_name(ev->e.type));
}

/* Interned string id of the generation; NULL with the error recorded when it is unknown (as
 * Go's reader's validateTableIDs reports) or cannot be interned. */
static const char *event_string(struct gorca_trace *tr, const struct tr_ev *ev, uint64_t id)
{
    struct tr_str *s = tr_gen_string(&tr->gen, id);

    if (s == NULL) {
        bad_id(tr, ev, "string", id);
        return NULL;
    }
    if (s->interned == NULL)
        s->interned = tr_intern_str(&tr->intern, s->s, s->len);
    if (s->interned == NULL)
        tr_intern_fail(tr, ev->e.offset);
    return s->interned;
}

/* How each state-transition event reads (go-trace-format.md §7.2): which resource, where its
 * id comes from, fixed from/to states (TR_COMPUTED: from the ordering state), and whether it
 * carries a reason string or a transition stack. One table lookup instead of a switch. */
enum { ID_ARG0 = 0, ID_CTX_G, ID_CTX_P };
enum { TS_NONE = 0, TS_EVENT, TS_ARG1 };
#define TR_COMPUTED 0xff

static const struct tr_trans {
    uint8_t res, id, from, to, reason, tstack;
} trans[TR_N_SPECS] = {
#define GO(x) GORCA_TRACE_GO_##x
#define PR(x) GORCA_TRACE_PROC_##x
#define RG GORCA_TRACE_RES_GOROUTINE
#define RP GORCA_TRACE_RES_PROC
    [GORCA_TRACE_EV_PROC_START] = { RP, ID_ARG0, PR(IDLE), PR(RUNNING), 0, TS_NONE },
    [GORCA_TRACE_EV_PROC_STOP] = { RP, ID_CTX_P, PR(RUNNING), PR(IDLE), 0, TS_NONE },
    [GORCA_TRACE_EV_PROC_STEAL] = { RP, ID_ARG0, TR_COMPUTED, PR(IDLE), 0, TS_NONE },
    [GORCA_TRACE_EV_PROC_STATUS] = { RP, ID_ARG0, TR_COMPUTED, TR_COMPUTED, 0, TS_NONE },
    [GORCA_TRACE_EV_GO_CREATE] = { RG, ID_ARG0, GO(NOT_EXIST), GO(RUNNABLE), 0, TS_ARG1 },
    [GORCA_TRACE_EV_GO_CREATE_BLOCKED] = { RG, ID_ARG0, GO(NOT_EXIST), GO(WAITING), 0, TS_ARG1 },
    [GORCA_TRACE_EV_GO_CREATE_SYSCALL] = { RG, ID_ARG0, GO(NOT_EXIST), GO(SYSCALL), 0, TS_NONE },
    [GORCA_TRACE_EV_GO_START] = { RG, ID_ARG0, GO(RUNNABLE), GO(RUNNING), 0, TS_NONE },
    [GORCA_TRACE_EV_GO_DESTROY] = { RG, ID_CTX_G, GO(RUNNING), GO(NOT_EXIST), 0, TS_NONE },
    [GORCA_TRACE_EV_GO_DESTROY_SYSCALL] = { RG, ID_CTX_G, GO(SYSCALL), GO(NOT_EXIST), 0, TS_NONE },
    [GORCA_TRACE_EV_GO_STOP] = { RG, ID_CTX_G, GO(RUNNING), GO(RUNNABLE), 1, TS_EVENT },
    [GORCA_TRACE_EV_GO_BLOCK] = { RG, ID_CTX_G, GO(RUNNING), GO(WAITING), 1, TS_EVENT },
    [GORCA_TRACE_EV_GO_UNBLOCK] = { RG, ID_ARG0, GO(WAITING), GO(RUNNABLE), 0, TS_NONE },
    [GORCA_TRACE_EV_GO_SWITCH] = { RG, ID_ARG0, GO(WAITING), GO(RUNNABLE), 0, TS_NONE },
    [GORCA_TRACE_EV_GO_SWITCH_DESTROY] = { RG, ID_ARG0, GO(WAITING), GO(RUNNABLE), 0, TS_NONE },
    [GORCA_TRACE_EV_GO_SYSCALL_BEGIN] = { RG, ID_CTX_G, GO(RUNNING), GO(SYSCALL), 0, TS_EVENT },
    [GORCA_TRACE_EV_GO_SYSCALL_END] = { RG, ID_CTX_G, GO(SYSCALL), GO(RUNNING), 0, TS_NONE },
    [GORCA_TRACE_EV_GO_SYSCALL_END_BLOCKED] = { RG, ID_CTX_G, GO(SYSCALL), GO(RUNNABLE), 0,
                                                TS_NONE },
    [GORCA_TRACE_EV_GO_STATUS] = { RG, ID_ARG0, TR_COMPUTED, TR_COMPUTED, 0, TS_EVENT },
    [GORCA_TRACE_EV_GO_STATUS_STACK] = { RG, ID_ARG0, TR_COMPUTED, TR_COMPUTED, 0, TS_EVENT },
#undef GO
#undef PR
#undef RG
#undef RP
};

static const uint8_t go_state_of[5] = { GORCA_TRACE_GO_UNDETERMINED, GORCA_TRACE_GO_RUNNABLE,
                                        GORCA_TRACE_GO_RUNNING, GORCA_TRACE_GO_SYSCALL,
                                        GORCA_TRACE_GO_WAITING };
static const uint8_t proc_state_of[5] = { GORCA_TRACE_PROC_UNDETERMINED, GORCA_TRACE_PROC_RUNNING,
                                          GORCA_TRACE_PROC_IDLE, GORCA_TRACE_PROC_RUNNING,
                                          GORCA_TRACE_PROC_IDLE };

/* type is o->type; passing it separately lets the fast lane fold the table lookups. Without
 * details (a consumer that reads no transition fields) the ids are only validated. */
TR_HOT int fill_transition_t(struct gorca_trace *tr, const struct tr_ev *ev,
                             struct gorca_trace_event *o, unsigned type, int details)
{
    const struct tr_trans *d = &trans[type];
    struct gorca_trace_transition *t = &o->transition;
    int64_t ids[3];

    if (!details) {
        uint32_t h;

        /* The reason string need only exist (Go's reader validates every string id); it is
         * interned only when delivered. */
        if (d->reason && o->args[0] != 0 && tr_gen_string(&tr->gen, o->args[0]) == NULL)
            return bad_id(tr, ev, "string", o->args[0]);
        if (d->tstack == TS_ARG1 && !tr_gen_stack(&tr->gen, o->args[1], &h))
            return bad_id(tr, ev, "stack", o->args[1]);
        return 0;
    }
    ids[ID_ARG0] = (int64_t)o->args[0];
    ids[ID_CTX_G] = o->g;
    ids[ID_CTX_P] = o->p;
    t->resource = (enum gorca_trace_resource)d->res;
    t->id = ids[d->id];
    t->from = d->from;
    t->to = d->to;
    t->reason = "";
    t->stack = d->tstack == TS_EVENT ? o->stack : 0;
    if (d->from == TR_COMPUTED) {
        switch (type) {
        case GORCA_TRACE_EV_PROC_STEAL:
            t->from = ev->extra[0] == TR_P_SYSCALL_ABANDONED ? GORCA_TRACE_PROC_IDLE
                                                             : GORCA_TRACE_PROC_RUNNING;
            break;
        case GORCA_TRACE_EV_PROC_STATUS:
            t->from = (uint8_t)ev->extra[0];
            t->to = proc_state_of[o->args[1] < 5 ? o->args[1] : 0];
            break;
        default: /* GoStatus, GoStatusStack */
            t->from = (uint8_t)ev->extra[0];
            t->to = go_state_of[o->args[2] < 5 ? o->args[2] : 0];
            break;
        }
    }
    if (d->reason) {
        t->reason = event_string(tr, ev, o->args[0]);
        if (t->reason == NULL)
            return -1;
    }
    if (d->tstack == TS_ARG1 && !tr_gen_stack(&tr->gen, o->args[1], &t->stack))
        return bad_id(tr, ev, "stack", o->args[1]);
    return 0;
}

TR_HOT int fill_transition(struct gorca_trace *tr, const struct tr_ev *ev,
                           struct gorca_trace_event *o)
{
    return fill_transition_t(tr, ev, o, o->type, 1);
}

static const char *const range_static_names[] = {
    [GORCA_TRACE_RANGE_GC_MARK] = "GC concurrent mark phase",
    [GORCA_TRACE_RANGE_GC_SWEEP] = "GC incremental sweep",
    [GORCA_TRACE_RANGE_MARK_ASSIST] = "GC mark assist",
};

static int fill_range(struct gorca_trace *tr, const struct tr_ev *ev, struct gorca_trace_event *o)
{
    struct gorca_trace_range *r = &o->range;

    memset(r, 0, sizeof(*r));
    r->stw_kind = "";
    switch (ev->e.type) {
    case GORCA_TRACE_EV_STW_BEGIN:
    case GORCA_TRACE_EV_STW_END: {
        const char *kind =
            ev->e.type == GORCA_TRACE_EV_STW_BEGIN ? event_string(tr, ev, ev->e.args[0]) : ev->name;
        int n;

        if (kind == NULL)
            return -1;
        r->type = GORCA_TRACE_RANGE_STW;
        r->stw_kind = kind;
        r->scope = GORCA_TRACE_RES_GOROUTINE;
        r->scope_id = ev->e.g;
        n = snprintf(tr->range_name, sizeof(tr->range_name), "stop-the-world (%s)", kind);
        r->name = tr_intern_str(&tr->intern, tr->range_name,
                                n < 0 ? 0 : BASE_MIN((size_t)n, sizeof(tr->range_name) - 1));
        if (r->name == NULL)
            return tr_intern_fail(tr, ev->e.offset);
        return 0;
    }
    case GORCA_TRACE_EV_GC_BEGIN:
    case GORCA_TRACE_EV_GC_ACTIVE:
    case GORCA_TRACE_EV_GC_END:
        r->type = GORCA_TRACE_RANGE_GC_MARK;
        r->scope = GORCA_TRACE_RES_NONE;
        r->scope_id = GORCA_TRACE_NONE;
        break;
    case GORCA_TRACE_EV_GC_SWEEP_BEGIN:
    case GORCA_TRACE_EV_GC_SWEEP_ACTIVE:
    case GORCA_TRACE_EV_GC_SWEEP_END:
        r->type = GORCA_TRACE_RANGE_GC_SWEEP;
        r->scope = GORCA_TRACE_RES_PROC;
        r->scope_id =
            ev->e.type == GORCA_TRACE_EV_GC_SWEEP_ACTIVE ? (int64_t)ev->e.args[0] : ev->e.p;
        if (ev->e.type == GORCA_TRACE_EV_GC_SWEEP_END) {
            r->n_attrs = 2;
            r->attrs[0].name = "bytes swept";
            r->attrs[0].value = ev->e.args[0];
            r->attrs[1].name = "bytes reclaimed";
            r->attrs[1].value = ev->e.args[1];
        }
        break;
    default:
        r->type = GORCA_TRACE_RANGE_MARK_ASSIST;
        r->scope = GORCA_TRACE_RES_GOROUTINE;
        r->scope_id =
            ev->e.type == GORCA_TRACE_EV_GC_MARK_ASSIST_ACTIVE ? (int64_t)ev->e.args[0] : ev->e.g;
        break;
    }
    r->name = range_static_names[r->type];
    return 0;
}

static void fill_sync(struct gorca_trace *tr, const struct tr_ev *ev, struct gorca_trace_event *o)
{
    const struct tr_gen *g = &tr->gen;
    struct gorca_trace_sync *s = &o->sync;

    memset(s, 0, sizeof(*s));
    s->n = tr->syncs;
    if (!ev->extra[0] || g->gen == 0)
        return;
    o->gen = g->gen;
    s->freq = g->freq;
    s->n_exp_batches = g->n_exp_batches;
    if (g->has_clock) {
        s->has_clock = 1;
        s->clock_trace_ns = tr_mul(g->freq_k, g->clock_ts);
        s->clock_mono_ns = g->clock_mono;
        s->clock_wall_sec = (int64_t)g->clock_sec;
        s->clock_wall_nsec = (int64_t)g->clock_nsec;
    }
}

static const char *const metric_names[] = {
    [GORCA_TRACE_METRIC_GOMAXPROCS] = "/sched/gomaxprocs:threads",
    [GORCA_TRACE_METRIC_HEAP_ALLOC] = "/memory/classes/heap/objects:bytes",
    [GORCA_TRACE_METRIC_HEAP_GOAL] = "/gc/heap/goal:bytes",
};

TR_HOT int fill_details(struct gorca_trace *tr, const struct tr_ev *ev, struct gorca_trace_event *o)
{
    const struct tr_spec *sp = &tr_spec_table[ev->e.type];

    switch (o->kind) {
    case GORCA_TRACE_STATE_TRANSITION:
        return fill_transition(tr, ev, o);
    case GORCA_TRACE_RANGE_BEGIN:
    case GORCA_TRACE_RANGE_ACTIVE:
    case GORCA_TRACE_RANGE_END:
        return fill_range(tr, ev, o);
    case GORCA_TRACE_METRIC:
        o->metric.metric = ev->e.type == GORCA_TRACE_EV_PROCS_CHANGE ? GORCA_TRACE_METRIC_GOMAXPROCS
                           : ev->e.type == GORCA_TRACE_EV_HEAP_ALLOC ? GORCA_TRACE_METRIC_HEAP_ALLOC
                                                                     : GORCA_TRACE_METRIC_HEAP_GOAL;
        o->metric.name = metric_names[o->metric.metric];
        o->metric.value = ev->e.args[0];
        return 0;
    case GORCA_TRACE_LABEL:
        o->label.label = event_string(tr, ev, ev->e.args[0]);
        o->label.g = ev->e.g;
        return o->label.label ? 0 : -1;
    case GORCA_TRACE_TASK_BEGIN:
        o->task.id = ev->e.args[0];
        o->task.parent = ev->e.args[1];
        o->task.type = event_string(tr, ev, ev->e.args[2]);
        return o->task.type ? 0 : -1;
    case GORCA_TRACE_TASK_END:
        o->task.id = ev->e.args[0];
        o->task.parent = ev->extra[0];
        o->task.type = ev->name ? ev->name : "";
        return 0;
    case GORCA_TRACE_REGION_BEGIN:
    case GORCA_TRACE_REGION_END:
        o->region.task = ev->e.args[0];
        o->region.type = event_string(tr, ev, ev->e.args[1]);
        return o->region.type ? 0 : -1;
    case GORCA_TRACE_LOG: {
        const struct tr_str *msg = tr_gen_string(&tr->gen, ev->e.args[2]);

        if (msg == NULL)
            return bad_id(tr, ev, "string", ev->e.args[2]);
        o->log.task = ev->e.args[0];
        o->log.category = event_string(tr, ev, ev->e.args[1]);
        o->log.message = msg->s;
        o->log.message_len = msg->len;
        return o->log.category ? 0 : -1;
    }
    case GORCA_TRACE_EXPERIMENTAL: {
        int i;

        o->experimental.name = sp->name;
        o->experimental.experiment = "AllocFree";
        o->experimental.n_args = sp->nargs - 1;
        for (i = 0; i < 4; i++)
            o->experimental.arg_names[i] = i + 1 < sp->nargs ? sp->arg_names[i + 1] : NULL;
        return 0;
    }
    default:
        return 0;
    }
}

static int limit_events(struct gorca_trace *tr, const struct gorca_trace_event *o)
{
    return tr_fail(tr, GORCA_E_LIMIT, o->offset, "more than %llu events in one generation",
                   (unsigned long long)tr->opt.limits.events);
}

/* Completes a queued event in place for delivery: validation, kind, stack, details and the
 * time fix-up. Only the fields of the event's kind are written (the union is not cleared). */
TR_HOT int deliver(struct gorca_trace *tr, struct tr_ev *ev)
{
    struct gorca_trace_event *o = &ev->e;
    int64_t t = o->time;

    o->gen = tr->gen.gen;
    o->stack = 0;
    if (o->type == TR_EV_SYNC) {
        o->kind = GORCA_TRACE_SYNC;
        tr->syncs++;
        fill_sync(tr, ev, o);
    } else if (o->type == TR_EV_CPU_SAMPLE) {
        o->kind = GORCA_TRACE_STACK_SAMPLE;
        if (!tr_gen_stack(&tr->gen, o->args[0], &o->stack))
            return tr_fail(tr, GORCA_E_MALFORMED, tr->gen.start_off,
                           "found invalid stack ID %llu for CPU sample",
                           (unsigned long long)o->args[0]);
    } else {
        const struct tr_spec *sp = &tr_spec_table[o->type];

        /* Every stack and string id is resolved (and so validated, as Go's reader's
         * validateTableIDs does) while filling in the event. */
        o->kind = (enum gorca_trace_kind)sp->kind;
        if (sp->stack_arg >= 0 && !tr_gen_stack(&tr->gen, o->args[sp->stack_arg], &o->stack))
            return bad_id(tr, ev, "stack", o->args[sp->stack_arg]);
        if (fill_details(tr, ev, o) != 0)
            return -1;
        if (tr->gen_budget-- == 0)
            return limit_events(tr, o);
    }
    if (t <= tr->last_ts)
        t = tr_add(tr->last_ts, 1); /* wraps like Go's int64 */
    tr->last_ts = t;
    o->time = t;
    return 0;
}

/* The reader's per-generation event budget and last delivered time, which deliver_hot updates:
 * a copy in registers while the fast lane runs (lane), the reader's own fields otherwise. */
struct lane_regs {
    uint64_t budget;
    int64_t last_ts;
};

/* deliver() for a wire event of a known frequent type (a state transition, HeapAlloc, a GC
 * sweep or mark assist range): the same steps with the type's table entries folded in. */
TR_HOT int deliver_hot(struct gorca_trace *tr, struct tr_ev *ev, unsigned type, int details,
                       uint64_t gen, struct lane_regs *r)
{
    struct gorca_trace_event *o = &ev->e;
    const struct tr_spec *sp = &tr_spec_table[type];
    int64_t t = o->time;

    o->gen = gen;
    o->kind = (enum gorca_trace_kind)sp->kind;
    if (sp->stack_arg < 0)
        o->stack = 0;
    else if (!tr_gen_stack(&tr->gen, o->args[sp->stack_arg], &o->stack))
        return bad_id(tr, ev, "stack", o->args[sp->stack_arg]);
    if (sp->kind == GORCA_TRACE_STATE_TRANSITION) {
        if (fill_transition_t(tr, ev, o, type, details) != 0)
            return -1;
    } else if (type == GORCA_TRACE_EV_HEAP_ALLOC) {
        if (details) {
            o->metric.metric = GORCA_TRACE_METRIC_HEAP_ALLOC;
            o->metric.name = metric_names[GORCA_TRACE_METRIC_HEAP_ALLOC];
            o->metric.value = o->args[0];
        }
    } else if (details && fill_range(tr, ev, o) != 0) { /* sweep, mark assist: no ids */
        return -1;
    }
    if (r->budget-- == 0)
        return limit_events(tr, o);
    if (t <= r->last_ts)
        t = tr_add(r->last_ts, 1);
    r->last_ts = t;
    o->time = t;
    return 0;
}

/* The fast lane's steps after its handler advanced the head event: order_advance's thread
 * state update, then try_advance's next decode and heap fix-up (the handler queued nothing:
 * cur.fast). 0, or -1 on a decode error. */
TR_HOT int fast_step(struct gorca_trace *tr, struct tr_cursor *c, long mi, const struct ctx *nc)
{
    struct tr_order *o = &tr->order;
    int rc;
    int64_t t;

    o->ms[mi].p = nc->p;
    o->ms[mi].g = nc->g;
    rc = cursor_next(tr, c);
    if (rc < 0)
        return -1;
    if (rc == 0) {
        heap_remove(tr, 0);
    } else {
        t = c->t;
        tr->heap[0].t = t;
        tr->heap[0].ev = c->ev;
        /* Sentinels past the end stand in for missing children. */
        if (tr->heap[1].t < t || tr->heap[2].t < t)
            sift_down(tr, 0);
    }
    return 0;
}

/* Tells the compiler a fact it cannot see (here: the consumer, inlined in the lane, may fold
 * the event's type). */
#if defined(__GNUC__) || defined(__clang__)
#define TR_ASSUME(c) ((c) ? (void)0 : __builtin_unreachable())
#else
#define TR_ASSUME(c) ((void)0)
#endif

/* The fast lane's event types and their handlers: frequent types whose handler queues exactly
 * the event itself (cur.fast), so it can be delivered without the queue round trip and the
 * generic dispatch. */
#define TR_FAST_TYPES(X)                                       \
    X(GORCA_TRACE_EV_GO_START, adv_go_start)                   \
    X(GORCA_TRACE_EV_GO_STOP, adv_go_stop_exec)                \
    X(GORCA_TRACE_EV_GO_BLOCK, adv_go_stop_exec)               \
    X(GORCA_TRACE_EV_GO_DESTROY, adv_go_stop_exec)             \
    X(GORCA_TRACE_EV_GO_UNBLOCK, adv_go_unblock)               \
    X(GORCA_TRACE_EV_GO_CREATE, adv_go_create)                 \
    X(GORCA_TRACE_EV_HEAP_ALLOC, adv_heap_metric)              \
    X(GORCA_TRACE_EV_GO_SYSCALL_BEGIN, adv_syscall_begin)      \
    X(GORCA_TRACE_EV_GO_SYSCALL_END, adv_syscall_end)          \
    X(GORCA_TRACE_EV_PROC_START, adv_proc_start)               \
    X(GORCA_TRACE_EV_PROC_STOP, adv_proc_stop)                 \
    X(GORCA_TRACE_EV_GC_SWEEP_BEGIN, adv_sweep_begin)          \
    X(GORCA_TRACE_EV_GC_SWEEP_END, adv_sweep_end)              \
    X(GORCA_TRACE_EV_GC_MARK_ASSIST_BEGIN, adv_go_range_begin) \
    X(GORCA_TRACE_EV_GC_MARK_ASSIST_END, adv_go_range_end)

/* deliver_hot on the reader's own budget and time. 1, or -1 on an error. */
TR_HOT int deliver_one(struct gorca_trace *tr, struct tr_ev *ev, unsigned type, int details,
                       uint64_t gen)
{
    struct lane_regs r = { tr->gen_budget, tr->last_ts };
    int rc = deliver_hot(tr, ev, type, details, gen, &r);

    tr->gen_budget = r.budget;
    tr->last_ts = r.last_ts;
    return rc == 0 ? 1 : -1;
}

/* Fast lane for gorca_trace_next: with the output queue empty, no CPU sample due and the
 * head cursor's event one of TR_FAST_TYPES, advance and deliver it directly -- the same steps
 * in the same order as fill_queue, try_advance, order_advance and deliver. 1 = *out
 * delivered, 0 = take the generic path (nothing was changed: handlers that answer "not yet"
 * have no side effects), -1 = error recorded. The decoding behind cursor_next is out of line
 * (cursor_fill), so each type gets its own copy of the steps. */
TR_HOT int next_fast(struct gorca_trace *tr, struct tr_ev **out, int details)
{
    struct tr_gen *g = &tr->gen;
    struct tr_order *o = &tr->order;
    struct tr_cursor *c;
    struct tr_ev *ev;
    struct ctx cur, nc;
    long mi;
    int rc;
    unsigned type;

    if (tr->heap_len == 0 || tr->next_sample_t < tr->heap[0].t)
        return 0;
    c = tr->heap[0].c;
    ev = tr->heap[0].ev;
    mi = c->mi;
    if (mi < 0)
        return 0;
    type = ev->e.type;
    cur.m = nc.m = (int64_t)c->m;
    cur.p = nc.p = o->ms[mi].p;
    cur.g = nc.g = o->ms[mi].g;
    cur.fast = nc.fast = 1;
    /* o->initial_gen is set: the thread's index (mi) exists, so order_advance ran. */
    /* One case per type: the handler and the delivery both see the type as a constant. */
    switch (type) {
#define FAST(x, handler)                         \
    case x:                                      \
        rc = handler(tr, ev, &cur, &nc, g->gen); \
        if (rc != 1)                             \
            return rc;                           \
        if (fast_step(tr, c, mi, &nc) != 0)      \
            return -1;                           \
        *out = ev;                               \
        return deliver_one(tr, ev, x, details, g->gen);
        TR_FAST_TYPES(FAST)
#undef FAST
    default:
        return 0;
    }
}

/* Hands the lane's head thread back: its state, its cursor at head (with ahead more events
 * decoded after it) and the heap's top entry, sifted down when head is no longer the
 * earliest. */
TR_HOT void lane_park(struct gorca_trace *tr, struct tr_cursor *c, long mi, const struct ctx *cur,
                      struct tr_ev *head, uint32_t ahead)
{
    int64_t t = head->e.time;

    tr->order.ms[mi].p = cur->p;
    tr->order.ms[mi].g = cur->g;
    c->ev = head;
    c->t = t;
    c->ahead = ahead;
    tr->heap[0].t = t;
    tr->heap[0].ev = head;
    if (tr->heap[1].t < t || tr->heap[2].t < t)
        sift_down(tr, 0);
}

/* The fast lane of the delivery loop (drive): like next_fast, with the consumer called in
 * place, and for as long as the head thread keeps the head of the heap. Its next event stays
 * the earliest while its time is at most both heap children's and the next CPU sample's
 * (the same comparisons as try_advance's sift and fill_queue's sample check), so during such
 * a run the heap is not touched, and the thread's state (proc, goroutine), its cursor's
 * position among the decoded slots, the event budget and the last delivered time stay in
 * registers; they are written back whenever the lane hands over. Returns 0 when the generic
 * path must take over (the queue is still empty; heap, thread and cursor state are
 * consistent), -1 on a reader error (recorded), 1 when the consumer returned a status (*st). */
TR_HOT int lane(struct gorca_trace *tr, gorca_trace_event_fn fn, void *arg, struct gorca_error *err,
                int details, enum gorca_status *st)
{
    struct tr_order *o = &tr->order;
    uint64_t gen = tr->gen.gen;
    struct lane_regs r = { tr->gen_budget, tr->last_ts };
    int rc;

    for (;;) {
        struct tr_cursor *c;
        struct tr_ev *ev, *next;
        struct ctx cur, nc;
        int64_t lim, t;
        uint32_t ahead;
        long mi;

        rc = 0; /* unless a case below says otherwise: over to the generic path */
        if (tr->heap_len == 0 || tr->next_sample_t < tr->heap[0].t)
            break;
        c = tr->heap[0].c;
        mi = c->mi;
        if (mi < 0)
            break;
        ev = c->ev;
        ahead = c->ahead;
        lim = tr->heap[1].t < tr->heap[2].t ? tr->heap[1].t : tr->heap[2].t;
        if (tr->next_sample_t < lim)
            lim = tr->next_sample_t;
        cur.m = nc.m = (int64_t)c->m;
        cur.p = nc.p = o->ms[mi].p;
        cur.g = nc.g = o->ms[mi].g;
        cur.fast = nc.fast = 1;
        TR_ASSUME(cur.m != GORCA_TRACE_NONE); /* a thread with an ordering state (mi) */
        for (;;) {
            /* One case per type: the handler, the delivery and the consumer (inlined, one
             * copy per case) all see the type as a constant. After the handler: the thread's
             * new state, the cursor's next event (decoded before this one is delivered, as in
             * try_advance), then delivery and the consumer. */
            switch (ev->e.type) {
#define LANE(x, handler)                                   \
    case x:                                                \
        rc = handler(tr, ev, &cur, &nc, gen);              \
        if (rc != 1)                                       \
            goto stop;                                     \
        cur.p = nc.p;                                      \
        cur.g = nc.g;                                      \
        if (ahead != 0) {                                  \
            ahead--;                                       \
            next = ev + 1;                                 \
        } else {                                           \
            c->ahead = 0;                                  \
            c->ev = ev;                                    \
            rc = cursor_next(tr, c);                       \
            if (rc <= 0)                                   \
                goto last;                                 \
            next = c->ev;                                  \
            ahead = c->ahead;                              \
        }                                                  \
        if (deliver_hot(tr, ev, x, details, gen, &r) != 0) \
            goto fail;                                     \
        TR_ASSUME(ev->e.type == x);                        \
        *st = fn(arg, &ev->e, err);                        \
        ev = next;                                         \
        t = ev->e.time;                                    \
        if (*st != GORCA_OK || t > lim)                    \
            goto run_end;                                  \
        continue;
                TR_FAST_TYPES(LANE)
#undef LANE
            default:
                rc = 0;
                goto stop;
            }
        }
    run_end:
        /* The run ended: the head moved on (t > lim: it may have to sift down) or the
         * consumer stopped. */
        lane_park(tr, c, mi, &cur, ev, ahead);
        if (*st != GORCA_OK) {
            rc = 1;
            break;
        }
        continue;
    stop:
        /* The head event did not advance (0) or broke the trace (-1): nothing of it was
         * applied (the cursor still has it as its head). */
        lane_park(tr, c, mi, &cur, ev, ahead);
        break;
    last:
        /* The event advanced but its thread's next one could not be decoded (-1) or the
         * thread has no more events in the generation (0). */
        o->ms[mi].p = cur.p;
        o->ms[mi].g = cur.g;
        tr->gen_budget = r.budget;
        tr->last_ts = r.last_ts;
        if (rc < 0)
            return -1;
        heap_remove(tr, 0);
        if (deliver(tr, ev) != 0)
            return -1;
        r.budget = tr->gen_budget;
        r.last_ts = tr->last_ts;
        *st = fn(arg, &ev->e, err);
        if (*st != GORCA_OK)
            return 1;
        continue;
    fail:
        /* Delivery failed after the cursor moved on. */
        lane_park(tr, c, mi, &cur, next, ahead);
        rc = -1;
        break;
    }
    tr->gen_budget = r.budget;
    tr->last_ts = r.last_ts;
    return rc;
}

/* gorca_trace_next's generic path: fill the queue, deliver its head. Kept out of line so
 * the fast lane's frame stays small. */
TR_OUTLINE enum gorca_status
next_generic(struct gorca_trace *tr, const struct gorca_trace_event **ev, struct gorca_error *err)
{
    int rc;

    if (tr->err.code == GORCA_OK && !tr->done) {
        rc = fill_queue(tr);
        if (rc == 0) {
            tr->done = 1;
        } else if (rc > 0) {
            /* The queued event stays intact until the next tr_fill_queue. */
            struct tr_ev *e = tr->queue[tr->q_head];

            tr->q_head = (tr->q_head + 1) % TR_QUEUE_CAP;
            tr->q_len--;
            if (deliver(tr, e) == 0) {
                *ev = &e->e;
                return GORCA_OK;
            }
        }
    }
    if (tr->err.code == GORCA_OK)
        return GORCA_OK;
    if (err && err->code == GORCA_OK) {
        const char *src = err->source;

        *err = tr->err;
        if (src != NULL)
            err->source = src; /* the caller's name outlives the reader */
    }
    return tr->err.code;
}

enum gorca_status gorca_trace_next(struct gorca_trace *tr, const struct gorca_trace_event **ev,
                                   struct gorca_error *err)
{
    *ev = NULL;
    if (tr->q_len == 0 && tr->gen_active && tr->err.code == GORCA_OK && !tr->done) {
        struct tr_ev *e = NULL;

        if (next_fast(tr, &e, 1) > 0) {
            *ev = &e->e;
            return GORCA_OK;
        }
    }
    return next_generic(tr, ev, err);
}

/* The delivery loop behind gorca_trace_each and tr_stats_drive: gorca_trace_next's steps with
 * the consumer called in place. Inlined with a constant fn, the consumer inlines too. With
 * details = 0 (tr_stats_drive) fast-lane events get their kind, stack, time and context but
 * not the kind-specific union (metric value, transition fields), which such a consumer does
 * not read; every id is still validated as in full delivery, and the other events are
 * delivered in full. */
TR_HOT enum gorca_status drive(struct gorca_trace *tr, gorca_trace_event_fn fn, void *arg,
                               struct gorca_error *err, int details)
{
    const struct gorca_trace_event *ev;
    enum gorca_status st;

    for (;;) {
        if (tr->q_len == 0 && tr->gen_active && tr->err.code == GORCA_OK && !tr->done) {
            st = GORCA_OK;
            if (lane(tr, fn, arg, err, details, &st) > 0)
                return st;
        }
        ev = NULL;
        st = next_generic(tr, &ev, err);
        if (st != GORCA_OK || ev == NULL)
            return st;
        st = fn(arg, ev, err);
        if (st != GORCA_OK)
            return st;
    }
}

enum gorca_status gorca_trace_each(struct gorca_trace *tr, gorca_trace_event_fn fn, void *arg,
                                   struct gorca_error *err)
{
    return drive(tr, fn, arg, err, 1);
}

TR_HOT enum gorca_status stats_sink(void *arg, const struct gorca_trace_event *ev,
                                    struct gorca_error *err)
{
    if (tr_stats_event(arg, ev) == 0)
        return GORCA_OK;
    return GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory collecting statistics");
}

enum gorca_status tr_stats_drive(struct gorca_trace *tr, struct tr_stats_acc *a,
                                 struct gorca_error *err)
{
    return drive(tr, stats_sink, a, err, 0);
}
