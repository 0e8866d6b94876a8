/* The ordering state machine (go-trace-format.md §6.2-§6.5): the goroutine, proc and thread
 * states, sequence counters, GC state, active tasks, regions and special ranges that decide
 * whether an event can happen next, and that validate the trace as Go's reader does. Each
 * handler answers "advance", "not yet" (another thread's event must come first) or "broken";
 * advanced events (and the synthetic ones Go's reader adds) are queued for delivery.
 * Error messages keep the wording of Go's reader so test expectations carry over. */
#include <stdio.h>
#include "trace_int.h"

enum { GC_UNDETERMINED = 0, GC_NOT_RUNNING, GC_RUNNING };
enum { MUST_NOT = 0, MAY, MUST };

struct ctx {
    int64_t m, p, g;
};

static const char *const go_status_names[] = { "Bad", "Runnable", "Running", "Syscall",
                                               "Waiting" };
static const char *const proc_status_names[] = { "Bad", "Running", "Idle", "Syscall",
                                                 "SyscallAbandoned" };

/* Wire status -> analysis state (Go's tracev2GoStatus2GoState / ProcStatus2ProcState). */
static const uint8_t go_status_state[5] = { GORCA_TRACE_GO_UNDETERMINED, GORCA_TRACE_GO_RUNNABLE,
                                            GORCA_TRACE_GO_RUNNING, GORCA_TRACE_GO_SYSCALL,
                                            GORCA_TRACE_GO_WAITING };
static const uint8_t proc_status_state[5] = { GORCA_TRACE_PROC_UNDETERMINED,
                                              GORCA_TRACE_PROC_RUNNING, GORCA_TRACE_PROC_IDLE,
                                              GORCA_TRACE_PROC_RUNNING, GORCA_TRACE_PROC_IDLE };

void tr_order_init(struct tr_order *o)
{
    memset(o, 0, sizeof(*o));
    o->free_g = UINT32_MAX;
    o->free_task = UINT32_MAX;
    tr_map_init(&o->g_idx);
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

static struct tr_gstate *get_g(struct tr_order *o, int64_t id)
{
    uint32_t *ix = tr_map_get(&o->g_idx, (uint64_t)id);

    return ix ? &o->gs[*ix] : NULL;
}

static struct tr_gstate *new_g(struct gorca_trace *tr, int64_t id, uint8_t status, uint64_t gen)
{
    struct tr_order *o = &tr->order;
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
    if (tr_map_put(&o->g_idx, (uint64_t)id, ix) != 0) {
        o->gs[ix].id = o->free_g;
        o->free_g = ix;
        return NULL;
    }
    g = &o->gs[ix];
    memset(g, 0, sizeof(*g));
    g->id = (uint64_t)id;
    g->status = status;
    g->seq_gen = gen;
    g->seq = 0;
    return g;
}

static void del_g(struct tr_order *o, int64_t id)
{
    uint32_t *ixp = tr_map_get(&o->g_idx, (uint64_t)id), ix;
    struct tr_gstate *g;

    if (ixp == NULL)
        return;
    ix = *ixp;
    g = &o->gs[ix];
    base_free(g->ranges);
    base_free(g->regions);
    memset(g, 0, sizeof(*g));
    tr_map_del(&o->g_idx, (uint64_t)id);
    g->id = o->free_g;
    o->free_g = ix;
}

static struct tr_pstate *get_p(struct tr_order *o, int64_t id)
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
    return gorca_trace_type_name(ev->type);
}

static int check_ctx(struct gorca_trace *tr, const struct tr_ev *ev, const struct ctx *c, int m,
                     int p, int g)
{
    const char *what = NULL;

    if (m == MUST && c->m == GORCA_TRACE_NONE)
        what = "expected a thread but didn't have one";
    else if (m == MUST_NOT && c->m != GORCA_TRACE_NONE)
        what = "expected no thread but had one";
    else if (p == MUST && c->p == GORCA_TRACE_NONE)
        what = "expected a proc but didn't have one";
    else if (p == MUST_NOT && c->p != GORCA_TRACE_NONE)
        what = "expected no proc but had one";
    else if (g == MUST && c->g == GORCA_TRACE_NONE)
        what = "expected a goroutine but didn't have one";
    else if (g == MUST_NOT && c->g != GORCA_TRACE_NONE)
        what = "expected no goroutine but had one";
    if (what == NULL)
        return 0;
    return tr_fail(tr, GORCA_E_MALFORMED, ev->offset, "%s on M %lld: %s", ev_name(ev),
                   (long long)c->m, what);
}

static int user_ctx(struct gorca_trace *tr, const struct tr_ev *ev, const struct ctx *c)
{
    return check_ctx(tr, ev, c, MUST, MUST, MUST);
}

static int oom(struct gorca_trace *tr, const struct tr_ev *ev)
{
    return tr_fail(tr, GORCA_E_NOMEM, ev->offset, "out of memory in the ordering state");
}

static void push(struct gorca_trace *tr, struct tr_ev *ev, const struct ctx *c)
{
    ev->m = c->m;
    ev->p = c->p;
    ev->g = c->g;
    tr_queue_push(tr, ev);
}

static void push_synthetic(struct gorca_trace *tr, uint8_t type, int64_t time, const struct ctx *c,
                           uint64_t a0, uint64_t a1)
{
    struct tr_ev e;

    memset(&e, 0, sizeof(e));
    e.type = type;
    e.synthetic = 1;
    e.time = time;
    e.args[0] = a0;
    e.args[1] = a1;
    push(tr, &e, c);
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
    int64_t pid = (int64_t)ev->args[0];
    uint64_t status = ev->args[1];
    struct tr_pstate *s;
    uint8_t old;

    if (status >= 5)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset, "invalid status for proc %lld: %llu",
                       (long long)pid, (unsigned long long)status);
    old = proc_status_state[status];
    s = get_p(o, pid);
    if (s != NULL) {
        if (status == TR_P_SYSCALL_ABANDONED && s->status == TR_P_SYSCALL) {
            old = GORCA_TRACE_PROC_RUNNING;
            ev->args[1] = TR_P_SYSCALL;
        } else if (status == TR_P_SYSCALL_ABANDONED && s->status == TR_P_SYSCALL_ABANDONED) {
            old = GORCA_TRACE_PROC_IDLE;
        } else if (s->status != status) {
            return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
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
            if (o->m_idx.used[i] && o->ms[o->m_idx.vals[i]].p == pid) {
                cur->m = (int64_t)o->m_idx.keys[i];
                cur->p = pid;
                cur->g = o->ms[o->m_idx.vals[i]].g;
                found = 1;
                break;
            }
        }
        if (!found)
            return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                           "failed to find sched context for proc %lld that's about to be stolen",
                           (long long)pid);
    }
    push(tr, ev, cur);
    return 1;
}

static int adv_proc_start(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
                          struct ctx *nc, uint64_t gen)
{
    int64_t pid = (int64_t)ev->args[0];
    struct tr_pstate *s = get_p(&tr->order, pid);

    if (s == NULL || s->status != TR_P_IDLE || !seq_follows(gen, ev->args[1], s->seq_gen, s->seq) ||
        cur->p != GORCA_TRACE_NONE)
        return 0;
    if (check_ctx(tr, ev, cur, MUST, MUST_NOT, MAY))
        return -1;
    s->status = TR_P_RUNNING;
    s->seq_gen = gen;
    s->seq = ev->args[1];
    nc->p = pid;
    push(tr, ev, cur);
    return 1;
}

static int adv_proc_stop(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
                         struct ctx *nc, uint64_t gen)
{
    struct tr_pstate *s = get_p(&tr->order, cur->p);

    (void)gen;
    if (s == NULL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                       "event %s for proc (%lld) that doesn't exist", ev_name(ev),
                       (long long)cur->p);
    if (s->status != TR_P_RUNNING && s->status != TR_P_SYSCALL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                       "%s event for proc that's not Running or Syscall", ev_name(ev));
    if (check_ctx(tr, ev, cur, MUST, MUST, MAY))
        return -1;
    s->status = TR_P_IDLE;
    nc->p = GORCA_TRACE_NONE;
    push(tr, ev, cur);
    return 1;
}

static int adv_proc_steal(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
                          struct ctx *nc, uint64_t gen)
{
    struct tr_order *o = &tr->order;
    int64_t pid = (int64_t)ev->args[0], mid = (int64_t)ev->args[2];
    struct tr_pstate *s = get_p(o, pid);
    uint8_t old;
    long mi;
    int nomem = 0;

    if (s == NULL || (s->status != TR_P_SYSCALL && s->status != TR_P_SYSCALL_ABANDONED) ||
        !seq_follows(gen, ev->args[1], s->seq_gen, s->seq))
        return 0;
    if (check_ctx(tr, ev, cur, MUST, MAY, MAY))
        return -1;
    old = s->status;
    ev->extra[0] = old;
    s->status = TR_P_IDLE;
    s->seq_gen = gen;
    s->seq = ev->args[1];
    if (old == TR_P_SYSCALL_ABANDONED) {
        push(tr, ev, cur);
        return 1;
    }
    if (mid == cur->m) {
        if (cur->p != pid)
            return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                           "tried to self-steal proc %lld (thread %lld), but got proc %lld instead",
                           (long long)pid, (long long)mid, (long long)cur->p);
        nc->p = GORCA_TRACE_NONE;
        push(tr, ev, cur);
        return 1;
    }
    mi = m_index(o, mid, 0, &nomem);
    if (mi < 0)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                       "stole proc from non-existent thread %lld", (long long)mid);
    if (o->ms[mi].p != pid)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                       "tried to steal proc %lld from thread %lld, but got proc %lld instead",
                       (long long)pid, (long long)mid, (long long)o->ms[mi].p);
    o->ms[mi].p = GORCA_TRACE_NONE;
    push(tr, ev, cur);
    return 1;
}

/* ---- goroutines ----------------------------------------------------------------------- */

static int adv_go_status(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
                         struct ctx *nc, uint64_t gen)
{
    struct tr_order *o = &tr->order;
    int64_t gid = (int64_t)ev->args[0], mid = (int64_t)ev->args[1];
    uint64_t status = ev->args[2];
    struct tr_gstate *s;
    uint8_t old;

    if (status >= 5)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                       "invalid status for goroutine %lld: %llu", (long long)gid,
                       (unsigned long long)status);
    old = go_status_state[status];
    s = get_g(o, gid);
    if (s != NULL) {
        if (s->status != status)
            return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                           "inconsistent status for goroutine %lld: old %s vs. new %s",
                           (long long)gid, go_status_names[s->status], go_status_names[status]);
        s->seq_gen = gen;
        s->seq = 0;
    } else if (gen == o->initial_gen) {
        if (new_g(tr, gid, (uint8_t)status, gen) == NULL)
            return oom(tr, ev);
        old = GORCA_TRACE_GO_UNDETERMINED;
    } else {
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
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
            return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                           "found goroutine %lld in syscall without a thread", (long long)gid);
        if (mid == cur->m) {
            if (gen != o->initial_gen && cur->g != gid)
                return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                               "inconsistent thread for syscalling goroutine %lld: thread has "
                               "goroutine %lld",
                               (long long)gid, (long long)cur->g);
            nc->g = gid;
        } else {
            mi = m_index(o, mid, 0, &nomem);
            if (mi >= 0) {
                if (o->ms[mi].g != gid)
                    return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
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

static int adv_go_create(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
                         struct ctx *nc, uint64_t gen)
{
    struct tr_order *o = &tr->order;
    struct tr_gstate *s;
    int64_t ng = (int64_t)ev->args[0];

    (void)nc;
    if (check_ctx(tr, ev, cur, MUST, MUST, MAY))
        return -1;
    s = get_g(o, cur->g);
    if (s != NULL && s->status != TR_GO_RUNNING)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                       "%s event for goroutine that's not Running", ev_name(ev));
    if (get_g(o, ng) != NULL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                       "tried to create goroutine (%lld) that already exists", (long long)ng);
    if (new_g(tr, ng,
              ev->type == GORCA_TRACE_EV_GO_CREATE_BLOCKED ? TR_GO_WAITING : TR_GO_RUNNABLE,
              gen) == NULL)
        return oom(tr, ev);
    push(tr, ev, cur);
    return 1;
}

/* GoDestroy, GoStop, GoBlock: the running goroutine leaves its thread. */
static int adv_go_stop_exec(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
                            struct ctx *nc, uint64_t gen)
{
    struct tr_order *o = &tr->order;
    struct tr_gstate *s;

    (void)gen;
    if (user_ctx(tr, ev, cur))
        return -1;
    s = get_g(o, cur->g);
    if (s == NULL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                       "event %s for goroutine (%lld) that doesn't exist", ev_name(ev),
                       (long long)cur->g);
    if (s->status != TR_GO_RUNNING)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                       "%s event for goroutine that's not Running", ev_name(ev));
    if (ev->type == GORCA_TRACE_EV_GO_DESTROY)
        del_g(o, cur->g);
    else
        s->status = ev->type == GORCA_TRACE_EV_GO_STOP ? TR_GO_RUNNABLE : TR_GO_WAITING;
    nc->g = GORCA_TRACE_NONE;
    push(tr, ev, cur);
    return 1;
}

static int adv_go_start(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
                        struct ctx *nc, uint64_t gen)
{
    int64_t gid = (int64_t)ev->args[0];
    struct tr_gstate *s = get_g(&tr->order, gid);

    if (s == NULL || s->status != TR_GO_RUNNABLE ||
        !seq_follows(gen, ev->args[1], s->seq_gen, s->seq))
        return 0;
    if (check_ctx(tr, ev, cur, MUST, MUST, MUST_NOT))
        return -1;
    s->status = TR_GO_RUNNING;
    s->seq_gen = gen;
    s->seq = ev->args[1];
    nc->g = gid;
    push(tr, ev, cur);
    return 1;
}

static int adv_go_unblock(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
                          struct ctx *nc, uint64_t gen)
{
    struct tr_gstate *s = get_g(&tr->order, (int64_t)ev->args[0]);

    (void)nc;
    if (s == NULL || s->status != TR_GO_WAITING ||
        !seq_follows(gen, ev->args[1], s->seq_gen, s->seq))
        return 0;
    s->status = TR_GO_RUNNABLE;
    s->seq_gen = gen;
    s->seq = ev->args[1];
    push(tr, ev, cur);
    return 1;
}

static int adv_go_switch(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
                         struct ctx *nc, uint64_t gen)
{
    struct tr_order *o = &tr->order;
    int64_t next = (int64_t)ev->args[0];
    struct tr_gstate *s, *n;
    struct ctx start;

    if (user_ctx(tr, ev, cur))
        return -1;
    s = get_g(o, cur->g);
    if (s == NULL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                       "event %s for goroutine (%lld) that doesn't exist", ev_name(ev),
                       (long long)cur->g);
    if (s->status != TR_GO_RUNNING)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                       "%s event for goroutine that's not Running", ev_name(ev));
    n = get_g(o, next);
    if (n == NULL || n->status != TR_GO_WAITING ||
        !seq_follows(gen, ev->args[1], n->seq_gen, n->seq))
        return 0;
    push(tr, ev, cur);
    if (ev->type == GORCA_TRACE_EV_GO_SWITCH) {
        s->status = TR_GO_WAITING;
        push_synthetic(tr, GORCA_TRACE_EV_GO_BLOCK, ev->time, cur, 0, 0);
    } else {
        del_g(o, cur->g);
        push_synthetic(tr, GORCA_TRACE_EV_GO_DESTROY, ev->time, cur, 0, 0);
    }
    n->status = TR_GO_RUNNING;
    n->seq_gen = gen;
    n->seq = ev->args[1];
    nc->g = next;
    start = *cur;
    start.g = GORCA_TRACE_NONE;
    push_synthetic(tr, GORCA_TRACE_EV_GO_START, ev->time, &start, (uint64_t)next, ev->args[1]);
    return 1;
}

static int adv_syscall_begin(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
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
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                       "event %s for goroutine (%lld) that doesn't exist", ev_name(ev),
                       (long long)cur->g);
    if (s->status != TR_GO_RUNNING)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                       "%s event for goroutine that's not Running", ev_name(ev));
    s->status = TR_GO_SYSCALL;
    p = get_p(o, cur->p);
    if (p == NULL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset, "uninitialized proc %lld found during %s",
                       (long long)cur->p, ev_name(ev));
    p->status = TR_P_SYSCALL;
    if (!seq_follows(gen, ev->args[0], p->seq_gen, p->seq))
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                       "failed to advance %s: can't make sequence: %llu (gen=%llu) -> %llu "
                       "(gen=%llu)",
                       ev_name(ev), (unsigned long long)p->seq, (unsigned long long)p->seq_gen,
                       (unsigned long long)ev->args[0], (unsigned long long)gen);
    p->seq_gen = gen;
    p->seq = ev->args[0];
    push(tr, ev, cur);
    return 1;
}

static int adv_syscall_end(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
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
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                       "event %s for goroutine (%lld) that doesn't exist", ev_name(ev),
                       (long long)cur->g);
    if (s->status != TR_GO_SYSCALL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                       "%s event for goroutine that's not Syscall", ev_name(ev));
    s->status = TR_GO_RUNNING;
    p = get_p(o, cur->p);
    if (p == NULL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset, "uninitialized proc %lld found during %s",
                       (long long)cur->p, ev_name(ev));
    if (p->status != TR_P_SYSCALL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                       "expected proc %lld in state Syscall, but got %s instead",
                       (long long)cur->p, proc_status_names[p->status]);
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
            return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                           "uninitialized proc %lld found during %s", (long long)cur->p,
                           ev_name(ev));
        if (p->status == TR_P_SYSCALL)
            return 0; /* the proc must be stolen or stopped first */
    }
    if (check_ctx(tr, ev, cur, MUST, MAY, MUST))
        return -1;
    s = get_g(o, cur->g);
    if (s == NULL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                       "event %s for goroutine (%lld) that doesn't exist", ev_name(ev),
                       (long long)cur->g);
    if (s->status != TR_GO_SYSCALL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                       "%s event for goroutine that's not Syscall", ev_name(ev));
    nc->g = GORCA_TRACE_NONE;
    s->status = TR_GO_RUNNABLE;
    push(tr, ev, cur);
    return 1;
}

static int adv_go_create_syscall(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
                                 struct ctx *nc, uint64_t gen)
{
    int64_t ng = (int64_t)ev->args[0];

    if (check_ctx(tr, ev, cur, MUST, MAY, MUST_NOT))
        return -1;
    if (get_g(&tr->order, ng) != NULL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
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
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                       "event %s for goroutine (%lld) that doesn't exist", ev_name(ev),
                       (long long)cur->g);
    if (s->status != TR_GO_SYSCALL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                       "%s event for goroutine that's not Syscall", ev_name(ev));
    del_g(o, cur->g);
    nc->g = GORCA_TRACE_NONE;
    if (cur->p != GORCA_TRACE_NONE) {
        struct tr_pstate *p = get_p(o, cur->p);
        struct tr_ev steal;

        if (p == NULL)
            return tr_fail(tr, GORCA_E_MALFORMED, ev->offset, "found invalid proc %lld during %s",
                           (long long)cur->p, ev_name(ev));
        if (p->status != TR_P_SYSCALL)
            return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                           "proc %lld in unexpected state %s during %s", (long long)cur->p,
                           proc_status_names[p->status], ev_name(ev));
        p->status = TR_P_SYSCALL_ABANDONED;
        nc->p = GORCA_TRACE_NONE;
        memset(&steal, 0, sizeof(steal));
        steal.type = GORCA_TRACE_EV_PROC_STEAL;
        steal.synthetic = 1;
        steal.time = ev->time;
        steal.args[0] = (uint64_t)cur->p;
        steal.extra[0] = TR_P_SYSCALL;
        push(tr, &steal, cur);
    }
    push(tr, ev, cur);
    return 1;
}

/* ---- tasks and regions ---------------------------------------------------------------- */

static int adv_task_begin(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
                          struct ctx *nc, uint64_t gen)
{
    struct tr_order *o = &tr->order;
    uint64_t id = ev->args[0];
    const char *name;
    int ok;
    uint32_t ix;

    (void)nc;
    (void)gen;
    if (tr_map_get(&o->task_idx, id) != NULL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset, "task ID conflict: %llu",
                       (unsigned long long)id);
    if (ev->args[1] == 0)
        ev->args[1] = GORCA_TRACE_NO_TASK; /* 0 means "no parent" here */
    name = gen_string(tr, ev->args[2], &ok);
    if (!ok)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset, "invalid string ID %llu for %s event",
                       (unsigned long long)ev->args[2], ev_name(ev));
    if (name == NULL)
        return oom(tr, ev);
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
    o->tasks[ix].parent = ev->args[1];
    o->tasks[ix].name = name;
    if (user_ctx(tr, ev, cur))
        return -1;
    push(tr, ev, cur);
    return 1;
}

static int adv_task_end(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
                        struct ctx *nc, uint64_t gen)
{
    struct tr_order *o = &tr->order;
    uint32_t *ix = tr_map_get(&o->task_idx, ev->args[0]);

    (void)nc;
    (void)gen;
    if (ix != NULL) {
        uint32_t i = *ix;

        ev->extra[0] = o->tasks[i].parent;
        ev->name = o->tasks[i].name;
        tr_map_del(&o->task_idx, ev->args[0]);
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
    name = gen_string(tr, ev->args[1], &ok);
    if (!ok)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset, "invalid string ID %llu for %s event",
                       (unsigned long long)ev->args[1], ev_name(ev));
    if (name == NULL)
        return oom(tr, ev);
    s = get_g(&tr->order, cur->g);
    if (s == NULL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                       "encountered Ev%s without known state for current goroutine %lld",
                       ev_name(ev), (long long)cur->g);
    if (ev->type == GORCA_TRACE_EV_USER_REGION_BEGIN) {
        if (s->n_regions == s->cap_regions) {
            uint32_t ncap = s->cap_regions ? s->cap_regions * 2 : 4;
            struct tr_region_ent *r = base_realloc(s->regions, ncap * sizeof(*r));

            if (r == NULL)
                return oom(tr, ev);
            s->regions = r;
            s->cap_regions = ncap;
        }
        s->regions[s->n_regions].task = ev->args[0];
        s->regions[s->n_regions].name = name;
        s->n_regions++;
    } else if (s->n_regions > 0) {
        const struct tr_region_ent *top = &s->regions[s->n_regions - 1];

        if (top->task != ev->args[0] || top->name != name)
            return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                           "misuse of region in goroutine %lld: region end {%llu %s} when the "
                           "inner-most active region start event is {%llu %s}",
                           (long long)cur->g, (unsigned long long)ev->args[0], name,
                           (unsigned long long)top->task, top->name);
        s->n_regions--;
    }
    push(tr, ev, cur);
    return 1;
}

/* ---- GC ----------------------------------------------------------------------------- */

static int adv_gc_active(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
                         struct ctx *nc, uint64_t gen)
{
    struct tr_order *o = &tr->order;
    uint64_t seq = ev->args[0];

    (void)nc;
    if (gen == o->initial_gen) {
        if (o->gc_state != GC_UNDETERMINED)
            return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                           "GCActive in the first generation isn't first GC event");
        o->gc_seq = seq;
        o->gc_state = GC_RUNNING;
        push(tr, ev, cur);
        return 1;
    }
    if (seq != o->gc_seq + 1)
        return 0;
    if (o->gc_state != GC_RUNNING)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                       "encountered GCActive while GC was not in progress");
    o->gc_seq = seq;
    if (user_ctx(tr, ev, cur))
        return -1;
    push(tr, ev, cur);
    return 1;
}

static int adv_gc_begin(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
                        struct ctx *nc, uint64_t gen)
{
    struct tr_order *o = &tr->order;
    uint64_t seq = ev->args[0];

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
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
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
    uint64_t seq = ev->args[0];

    (void)nc;
    (void)gen;
    if (seq != o->gc_seq + 1)
        return 0;
    if (o->gc_state == GC_NOT_RUNNING)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                       "encountered GCEnd when GC was not in progress");
    if (o->gc_state == GC_UNDETERMINED)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                       "encountered GCEnd when GC was in an undetermined state");
    o->gc_seq = seq;
    o->gc_state = GC_NOT_RUNNING;
    if (user_ctx(tr, ev, cur))
        return -1;
    push(tr, ev, cur);
    return 1;
}

/* ProcsChange, GoLabel, UserLog: need a running goroutine. */
static int adv_annotation(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
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
static int adv_heap_metric(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
                           struct ctx *nc, uint64_t gen)
{
    (void)nc;
    (void)gen;
    if (check_ctx(tr, ev, cur, MUST, MUST, MAY))
        return -1;
    push(tr, ev, cur);
    return 1;
}

static int adv_alloc_free(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
                          struct ctx *nc, uint64_t gen)
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
    return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                   "discovered event already in-flight for when starting event %s",
                   gorca_trace_type_name(begin));
}

static int range_missing(struct gorca_trace *tr, const struct tr_ev *ev, uint8_t begin)
{
    return tr_fail(tr, GORCA_E_MALFORMED, ev->offset, "tried to end event %s, but not in-flight",
                   gorca_trace_type_name(begin));
}

static int adv_sweep_begin(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
                           struct ctx *nc, uint64_t gen)
{
    struct tr_pstate *p;

    (void)nc;
    (void)gen;
    if (check_ctx(tr, ev, cur, MUST, MUST, MAY))
        return -1;
    p = get_p(&tr->order, cur->p);
    if (p == NULL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset, "uninitialized proc %lld found during %s",
                       (long long)cur->p, ev_name(ev));
    if (has_range(p->ranges, p->n_ranges, ev->type, NULL))
        return range_busy(tr, ev, ev->type);
    if (add_range(&p->ranges, &p->n_ranges, &p->cap_ranges, ev->type, NULL))
        return oom(tr, ev);
    push(tr, ev, cur);
    return 1;
}

static int active_range(struct gorca_trace *tr, const struct tr_ev *ev, struct tr_range_ent **r,
                        uint8_t *n, uint8_t *cap, uint8_t begin, uint64_t gen)
{
    if (gen == tr->order.initial_gen) {
        if (has_range(*r, *n, begin, NULL))
            return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                           "found named active range already in first gen: %s",
                           gorca_trace_type_name(begin));
        if (add_range(r, n, cap, begin, NULL))
            return oom(tr, ev);
    } else if (!has_range(*r, *n, begin, NULL)) {
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset, "resource is missing active range: %s",
                       gorca_trace_type_name(begin));
    }
    return 0;
}

static int adv_sweep_active(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
                            struct ctx *nc, uint64_t gen)
{
    struct tr_pstate *p = get_p(&tr->order, (int64_t)ev->args[0]);

    (void)nc;
    if (p == NULL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                       "encountered GCSweepActive for unknown proc %lld", (long long)ev->args[0]);
    if (active_range(tr, ev, &p->ranges, &p->n_ranges, &p->cap_ranges,
                     GORCA_TRACE_EV_GC_SWEEP_BEGIN, gen))
        return -1;
    push(tr, ev, cur);
    return 1;
}

static int adv_sweep_end(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
                         struct ctx *nc, uint64_t gen)
{
    struct tr_pstate *p;
    const char *desc;

    (void)nc;
    (void)gen;
    if (check_ctx(tr, ev, cur, MUST, MUST, MAY))
        return -1;
    p = get_p(&tr->order, cur->p);
    if (p == NULL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset, "uninitialized proc %lld found during %s",
                       (long long)cur->p, ev_name(ev));
    if (end_range(p->ranges, &p->n_ranges, GORCA_TRACE_EV_GC_SWEEP_BEGIN, &desc))
        return range_missing(tr, ev, GORCA_TRACE_EV_GC_SWEEP_BEGIN);
    push(tr, ev, cur);
    return 1;
}

/* STWBegin, GCMarkAssistBegin: goroutine-scoped ranges (STW keyed by its kind). */
static int adv_go_range_begin(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
                              struct ctx *nc, uint64_t gen)
{
    struct tr_gstate *s;
    const char *desc = NULL;

    (void)nc;
    (void)gen;
    if (user_ctx(tr, ev, cur))
        return -1;
    if (ev->type == GORCA_TRACE_EV_STW_BEGIN) {
        int ok;

        desc = gen_string(tr, ev->args[0], &ok);
        if (!ok)
            desc = unknown_desc; /* delivery reports the unknown string id */
        else if (desc == NULL)
            return oom(tr, ev);
    }
    s = get_g(&tr->order, cur->g);
    if (s == NULL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                       "encountered event of type %u without known state for current goroutine "
                       "%lld",
                       ev->type, (long long)cur->g);
    if (has_range(s->ranges, s->n_ranges, ev->type, desc))
        return range_busy(tr, ev, ev->type);
    if (add_range(&s->ranges, &s->n_ranges, &s->cap_ranges, ev->type, desc))
        return oom(tr, ev);
    push(tr, ev, cur);
    return 1;
}

static int adv_go_range_active(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
                               struct ctx *nc, uint64_t gen)
{
    struct tr_gstate *s = get_g(&tr->order, (int64_t)ev->args[0]);

    (void)nc;
    if (s == NULL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                       "uninitialized goroutine %lld found during %s", (long long)ev->args[0],
                       ev_name(ev));
    if (active_range(tr, ev, &s->ranges, &s->n_ranges, &s->cap_ranges,
                     GORCA_TRACE_EV_GC_MARK_ASSIST_BEGIN, gen))
        return -1;
    push(tr, ev, cur);
    return 1;
}

static int adv_go_range_end(struct gorca_trace *tr, struct tr_ev *ev, struct ctx *cur,
                            struct ctx *nc, uint64_t gen)
{
    struct tr_gstate *s;
    const char *desc = NULL;
    uint8_t begin = tr_specs[ev->type].start_ev;

    (void)nc;
    (void)gen;
    if (user_ctx(tr, ev, cur))
        return -1;
    s = get_g(&tr->order, cur->g);
    if (s == NULL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                       "encountered event of type %u without known state for current goroutine "
                       "%lld",
                       ev->type, (long long)cur->g);
    if (end_range(s->ranges, &s->n_ranges, begin, &desc))
        return range_missing(tr, ev, begin);
    if (ev->type == GORCA_TRACE_EV_STW_END)
        ev->name = desc ? desc : "";
    push(tr, ev, cur);
    return 1;
}

/* ---- dispatch ------------------------------------------------------------------------ */

typedef int (*adv_fn)(struct gorca_trace *, struct tr_ev *, struct ctx *, struct ctx *,
                      uint64_t);

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

int tr_order_advance(struct gorca_trace *tr, struct tr_ev *ev, uint64_t m, uint64_t gen)
{
    struct tr_order *o = &tr->order;
    struct ctx cur, nc;
    long mi = -1;
    int rc, nomem = 0;
    adv_fn fn;

    if (o->initial_gen == 0)
        o->initial_gen = gen;
    cur.m = (int64_t)m;
    cur.p = cur.g = GORCA_TRACE_NONE;
    if (cur.m != GORCA_TRACE_NONE) {
        /* The thread's state exists from its first attempted event on, as in Go's reader. */
        mi = m_index(o, cur.m, 1, &nomem);
        if (mi < 0)
            return oom(tr, ev);
        cur.p = o->ms[mi].p;
        cur.g = o->ms[mi].g;
    }
    nc = cur;
    fn = ev->type < TR_N_SPECS ? dispatch[ev->type] : NULL;
    if (fn == NULL)
        return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                       "bad event type found while ordering: %u", ev->type);
    rc = fn(tr, ev, &cur, &nc, gen);
    if (rc == 1 && mi >= 0) {
        o->ms[mi].p = nc.p;
        o->ms[mi].g = nc.g;
    }
    return rc;
}
