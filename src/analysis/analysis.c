/* The trace-analysis driver: opens the trace with the Sync placement the chosen go tool trace
 * version uses, reads every event once and hands it to each analysis in a fixed order (Go
 * summary first, because the blocking profiles clip to its windows), keeps the per-goroutine
 * records shared by all of them (created on first sight, freed when the goroutine exits), and
 * exposes the results. Our own exact state accounting (for requests, the timeline and the
 * scheduling numbers) lives here too. */
#include <stdlib.h>
#include "an_int.h"

static const char empty_name[] = "";

/* ---- options --------------------------------------------------------------------------- */

void gorca_analysis_options_init(struct gorca_analysis_options *opt)
{
    memset(opt, 0, sizeof(*opt));
    opt->keep_goroutine_rows = 1;
}

int gorca_analysis_compat(const struct gorca_analysis_options *opt, int trace_go)
{
    int c = opt ? opt->compat_go : 0;

    if (c >= 22 && c <= 26)
        return c;
    if (trace_go < 22)
        return 26;
    return trace_go > 26 ? 26 : trace_go;
}

enum gorca_trace_sync_mode gorca_analysis_sync_mode(int compat_go)
{
    return compat_go <= 24 ? GORCA_TRACE_SYNC_AT_END : GORCA_TRACE_SYNC_AT_START;
}

static void resolve_options(struct gorca_analysis *an, const struct gorca_analysis_options *opt)
{
    static const int64_t ms = 1000000;
    static const int64_t wins[10] = { 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000 };
    int i;

    if (opt != NULL)
        an->opt = *opt;
    else
        gorca_analysis_options_init(&an->opt);
    if (an->opt.bucket_ns <= 0)
        an->opt.bucket_ns = ms;
    if (an->opt.max_buckets < 2)
        an->opt.max_buckets = 65536;
    if (an->opt.mmu_windows_ns == NULL || an->opt.n_mmu_windows == 0) {
        for (i = 0; i < 10; i++)
            an->mmu_default_windows[i] = wins[i] * ms;
        an->opt.mmu_windows_ns = an->mmu_default_windows;
        an->opt.n_mmu_windows = 10;
    }
    if (an->opt.mmu_flags == 0)
        an->opt.mmu_flags = GORCA_MMU_DEFAULT;
    if (an->opt.top_requests == 0)
        an->opt.top_requests = 20;
    if (an->opt.long_pause_ns <= 0)
        an->opt.long_pause_ns = 10 * ms;
}

/* ---- vocabulary -------------------------------------------------------------------------- */

const char *gorca_block_class_name(enum gorca_block_class c)
{
    static const char *const names[GORCA_BLOCK_N] = { "net",   "sync", "syscall", "sched",
                                                      "sleep", "gc",   "other" };
    return (unsigned)c < GORCA_BLOCK_N ? names[c] : "?";
}

enum gorca_block_class gorca_block_class_of_reason(const char *r)
{
    if (r == NULL)
        return GORCA_BLOCK_OTHER;
    if (strcmp(r, "network") == 0)
        return GORCA_BLOCK_NET;
    /* go tool trace's sync filter: any reason containing chan, sync or select. */
    if (strstr(r, "chan") || strstr(r, "sync") || strstr(r, "select"))
        return GORCA_BLOCK_SYNC;
    if (strcmp(r, "sleep") == 0)
        return GORCA_BLOCK_SLEEP;
    if (strncmp(r, "GC ", 3) == 0 || strcmp(r, "wait until GC ends") == 0 ||
        strcmp(r, "preempted") == 0)
        return GORCA_BLOCK_GC;
    return GORCA_BLOCK_OTHER;
}

int an_reason_class(struct gorca_analysis *an, const char *reason)
{
    size_t h = (size_t)(AN_PKEY(reason) >> 4) % BASE_ARRAY_LEN(an->reason_cache);
    int cls;

    if (reason != NULL && an->reason_cache[h].reason == reason)
        return an->reason_cache[h].cls;
    cls = (int)gorca_block_class_of_reason(reason);
    if (reason != NULL && strcmp(reason, "forever") == 0)
        cls |= AN_FOREVER;
    if (reason != NULL) {
        an->reason_cache[h].reason = reason;
        an->reason_cache[h].cls = cls;
    }
    return cls;
}

int an_is_system(const char *name)
{
    return name == NULL || name[0] == '\0' ||
           (strncmp(name, "runtime.", 8) == 0 && strcmp(name, "runtime.main") != 0);
}

int an_outbound(struct gorca_analysis *an, uint32_t stack)
{
    static const char *const marks[] = {
        "net/http.(*persistConn).roundTrip", "net/http.(*Transport).roundTrip",
        "net/http.(*Transport).getConn",     "net/http.(*Client).do",
        "net.(*Resolver).lookupIPAddr",      "net.(*Resolver).LookupIPAddr",
        "net.(*Resolver).lookupHost",        "net.(*Resolver).LookupHost",
    };
    uint32_t v = an_dense_get(&an->outbound, stack);
    size_t n = 0, i, k;
    const uint32_t *fr;
    int out = 0;

    if (v != 0)
        return (int)v - 1;
    fr = gorca_trace_stack_frames(an->tr, stack, &n);
    for (i = 0; i < n && !out; i++) {
        const struct gorca_trace_frame *f = gorca_trace_frame(an->tr, fr[i]);
        for (k = 0; f != NULL && f->func != NULL && k < BASE_ARRAY_LEN(marks) && !out; k++)
            out = strcmp(f->func, marks[k]) == 0;
    }
    if (an_dense_set(&an->outbound, stack, (uint32_t)out + 1) != 0)
        an_oom(an);
    return out;
}

int an_is_infra(const char *name)
{
    return an_is_system(name) || strncmp(name, "runtime/trace.", 14) == 0;
}

enum gorca_block_class an_class_of_stack(const struct gorca_analysis *an, uint32_t stack)
{
    static const struct {
        const char *func;
        enum gorca_block_class cls;
    } marks[] = {
        { "internal/poll.runtime_pollWait", GORCA_BLOCK_NET },
        { "internal/poll.(*pollDesc).wait", GORCA_BLOCK_NET },
        { "runtime.netpollblock", GORCA_BLOCK_NET },
        { "runtime.chanrecv", GORCA_BLOCK_SYNC },
        { "runtime.chanrecv1", GORCA_BLOCK_SYNC },
        { "runtime.chanrecv2", GORCA_BLOCK_SYNC },
        { "runtime.chansend", GORCA_BLOCK_SYNC },
        { "runtime.chansend1", GORCA_BLOCK_SYNC },
        { "runtime.selectgo", GORCA_BLOCK_SYNC },
        { "sync.runtime_SemacquireMutex", GORCA_BLOCK_SYNC },
        { "sync.runtime_SemacquireRWMutex", GORCA_BLOCK_SYNC },
        { "sync.runtime_SemacquireRWMutexR", GORCA_BLOCK_SYNC },
        { "sync.runtime_SemacquireWaitGroup", GORCA_BLOCK_SYNC },
        { "sync.runtime_Semacquire", GORCA_BLOCK_SYNC },
        { "sync.runtime_notifyListWait", GORCA_BLOCK_SYNC },
        { "time.Sleep", GORCA_BLOCK_SLEEP },
    };
    size_t n = 0, i, k;
    const uint32_t *fr = gorca_trace_stack_frames(an->tr, stack, &n);

    for (i = 0; i < n && i < 4; i++) {
        const struct gorca_trace_frame *f = gorca_trace_frame(an->tr, fr[i]);
        if (f == NULL || f->func == NULL)
            continue;
        for (k = 0; k < BASE_ARRAY_LEN(marks); k++)
            if (strcmp(f->func, marks[k].func) == 0)
                return marks[k].cls;
    }
    return GORCA_BLOCK_OTHER;
}

/* ---- records ------------------------------------------------------------------------------ */

void an_oom(struct gorca_analysis *an)
{
    an->nomem = 1;
}

struct an_g *an_g_find(struct gorca_analysis *an, int64_t id)
{
    struct gorca_analysis *m = an;
    uint64_t *v;
    struct an_g *g;

    if (m->cache_g[0] != NULL && m->cache_id[0] == id)
        return m->cache_g[0];
    if (m->cache_g[1] != NULL && m->cache_id[1] == id)
        return m->cache_g[1];
    v = an_map_get(&an->gs, (uint64_t)id);
    if (v == NULL)
        return NULL;
    g = (struct an_g *)(uintptr_t)*v;
    m->cache_id[1] = m->cache_id[0];
    m->cache_g[1] = m->cache_g[0];
    m->cache_id[0] = id;
    m->cache_g[0] = g;
    return g;
}

struct an_g *an_g_get(struct gorca_analysis *an, int64_t id)
{
    struct an_g *g = an_g_find(an, id);

    if (g != NULL)
        return g;
    if (an->free_g != NULL) {
        g = an->free_g;
        an->free_g = (struct an_g *)(void *)g->req;
        memset(g, 0, sizeof(*g));
    } else {
        g = base_calloc(1, sizeof(*g));
    }
    if (g == NULL || an_map_put(&an->gs, (uint64_t)id, AN_PKEY(g)) != 0) {
        base_free(g);
        an_oom(an);
        return NULL;
    }
    g->id = id;
    g->name = empty_name;
    g->sum_name = empty_name;
    g->tl_slot = -1;
    g->infra = 1; /* unnamed counts as the runtime's, as go tool trace does */
    g->trk = -1;
    g->sys_p = GORCA_TRACE_NONE;
    an->info.goroutines++;
    an->live++;
    if (an->live > an->info.peak_live_goroutines)
        an->info.peak_live_goroutines = an->live;
    return g;
}

static void g_free(struct an_g *g)
{
    if (g == NULL)
        return;
    base_free(g->sum.blocks);
    base_free(g->sum.ranges);
    base_free(g->pend);
    an_reqs_g_free(g);
    base_free(g);
}

static void g_remove(struct gorca_analysis *an, struct an_g *g)
{
    int i;

    for (i = 0; i < 2; i++)
        if (an->cache_g[i] == g)
            an->cache_g[i] = NULL;
    if (g->in_assist)
        an_tl_assist(an, an->tl, an->last_ts, -1);
    an->dead_running_ns += g->acct.exec;
    an->dead_runnable_ns += g->acct.wait[GORCA_BLOCK_SCHED];
    an_map_del(&an->gs, (uint64_t)g->id);
    an->live--;
    /* Keep the record for the next goroutine: short-lived goroutines come by the million. */
    base_free(g->sum.blocks);
    base_free(g->sum.ranges);
    base_free(g->pend);
    an_reqs_g_free(g);
    g->req = (struct an_req_state *)(void *)an->free_g;
    an->free_g = g;
}

long an_group_of(struct gorca_analysis *an, const char *name)
{
    uint64_t *v = an_map_get(&an->group_by_name, AN_PKEY(name));
    struct an_group *gr;

    if (v != NULL)
        return (long)*v;
    if (an_grow(&an->groups, &an->cap_groups, an->n_groups + 1, sizeof(*an->groups)) != 0 ||
        an_map_put(&an->group_by_name, AN_PKEY(name), an->n_groups) != 0) {
        an_oom(an);
        return -1;
    }
    gr = &an->groups[an->n_groups];
    memset(gr, 0, sizeof(*gr));
    gr->pub.name = name;
    gr->pub.system = an_is_system(name);
    return (long)an->n_groups++;
}

/* ---- own accounting ------------------------------------------------------------------------ */

static int64_t *acct_slot(struct an_acct *a, int cat, int cls)
{
    switch (cat) {
    case CAT_RUNNING:
        return &a->exec;
    case CAT_RUNNABLE:
        return &a->wait[GORCA_BLOCK_SCHED];
    case CAT_WAIT:
        return &a->wait[cls];
    case CAT_SYSCALL:
    case CAT_SYSCALL_LOST:
        return &a->wait[GORCA_BLOCK_SYSCALL];
    default:
        return NULL;
    }
}

void an_acct_now(const struct an_g *g, int64_t t, struct an_acct *out)
{
    int64_t *slot;

    *out = g->acct;
    slot = acct_slot(out, g->cat, g->wclass);
    if (slot != NULL && t > g->since)
        *slot += t - g->since;
    if (g->assist_since != 0 && t > g->assist_since)
        out->assist += t - g->assist_since;
}

static void set_cat(struct gorca_analysis *an, struct an_g *g, int cat, int cls, int64_t t)
{
    int64_t *acct = acct_slot(&g->acct, g->cat, g->wclass);
    int slot;

    if (acct != NULL && t > g->since)
        *acct += t - g->since;
    slot = an_tl_slot(cat, cls);
    an_tl_move(an, an->tl, t, g->tl_slot, slot);
    g->tl_slot = (int8_t)slot;
    g->cat = (uint8_t)cat;
    g->wclass = (uint8_t)cls;
    g->since = t;
}

static void sched_latency(struct gorca_analysis *an, struct an_g *g, int64_t t)
{
    int64_t lat;
    long gi;

    if (g->runnable_since == 0)
        return;
    lat = t - g->runnable_since;
    g->runnable_since = 0;
    if (an_hist_add(&an->runnable_hist, lat) != 0)
        an_oom(an);
    if (g->runnable_from_net && an_hist_add(&an->net_ready_hist, lat) != 0)
        an_oom(an);
    if (!g->sum.present)
        return;
    if (g->group_name != g->sum_name) {
        g->group = an_group_of(an, g->sum_name);
        g->group_name = g->sum_name;
    }
    gi = g->group;
    if (gi >= 0 && an_hist_add(&an->groups[gi].sched_hist, lat) != 0)
        an_oom(an);
}

static void go_transition(struct gorca_analysis *an, const struct gorca_trace_event *ev,
                          struct an_g *g)
{
    const struct gorca_trace_transition *st = &ev->transition;
    int64_t t = ev->time;
    int was_net;

    an_block_transition(an, g, ev);
    an_mmu_transition(an, an->mmu, ev, g);
    if (st->from != st->to) {
        was_net = g->cat == CAT_WAIT && g->wclass == GORCA_BLOCK_NET;
        switch (st->to) {
        case GORCA_TRACE_GO_RUNNING:
            if (st->from == GORCA_TRACE_GO_RUNNABLE)
                sched_latency(an, g, t);
            set_cat(an, g, CAT_RUNNING, 0, t);
            break;
        case GORCA_TRACE_GO_RUNNABLE:
            if (st->from == GORCA_TRACE_GO_WAITING)
                an_chains_unblock(an, g, ev);
            else if (st->from == GORCA_TRACE_GO_NOT_EXIST)
                an_chains_create(an, g, ev);
            g->runnable_since = st->from == GORCA_TRACE_GO_UNDETERMINED ? 0 : t;
            g->runnable_from_net = (uint8_t)was_net;
            set_cat(an, g, CAT_RUNNABLE, 0, t);
            break;
        case GORCA_TRACE_GO_WAITING: {
            int cls = an_reason_class(an, st->reason) & ~AN_FOREVER;
            if (st->from == GORCA_TRACE_GO_UNDETERMINED && (st->reason == NULL || !*st->reason))
                cls = an_class_of_stack(an, st->stack);
            /* Waiting in a select inside an HTTP client call or a DNS lookup is waiting on
             * the network (the transport's goroutines do the reads): our accounting says so;
             * go tool trace's numbers (summaries, profiles) keep the reason's class. */
            if (cls == GORCA_BLOCK_SYNC && st->stack != 0 && an_outbound(an, st->stack))
                cls = GORCA_BLOCK_NET;
            g->block_time = t;
            g->block_stack = st->stack;
            g->block_reason = st->reason ? st->reason : empty_name;
            set_cat(an, g, CAT_WAIT, cls, t);
            break;
        }
        case GORCA_TRACE_GO_SYSCALL:
            g->sys_p = ev->p;
            if (ev->p != GORCA_TRACE_NONE) {
                if (an_map_put(&an->proc_sys, (uint64_t)ev->p, (uint64_t)g->id) != 0)
                    an_oom(an);
                set_cat(an, g, CAT_SYSCALL, 0, t);
            } else {
                set_cat(an, g, CAT_SYSCALL_LOST, 0, t);
            }
            break;
        default:
            set_cat(an, g, CAT_NONE, 0, t);
            break;
        }
        /* First seen through a status: nothing it did was traced before, so it has been in
         * this state since the trace began (our accounting; Go's summaries start here). */
        if (st->from == GORCA_TRACE_GO_UNDETERMINED && an->info.start_ns < t) {
            g->since = an->info.start_ns;
            an_tl_lead(an, an->tl, t, g->tl_slot);
        }
        if (st->from == GORCA_TRACE_GO_SYSCALL && g->sys_p != GORCA_TRACE_NONE) {
            uint64_t *v = an_map_get(&an->proc_sys, (uint64_t)g->sys_p);
            if (v != NULL && (int64_t)*v == g->id)
                an_map_del(&an->proc_sys, (uint64_t)g->sys_p);
        }
    }
    g->state = st->to;
    an_reqs_event(an, ev, g);
    if (st->to == GORCA_TRACE_GO_NOT_EXIST && st->from != st->to) {
        an_block_goroutine_done(an, g, t);
        an_reqs_goroutine_done(an, g, t);
        g_remove(an, g);
    }
}

static struct an_proc *proc_get(struct gorca_analysis *an, int64_t id)
{
    uint64_t *v = an_map_get(&an->procs_by_id, (uint64_t)id);

    if (v != NULL)
        return &an->procs[*v];
    if (an_grow(&an->procs, &an->cap_procs, an->n_procs + 1, sizeof(*an->procs)) != 0 ||
        an_map_put(&an->procs_by_id, (uint64_t)id, an->n_procs) != 0) {
        an_oom(an);
        return NULL;
    }
    memset(&an->procs[an->n_procs], 0, sizeof(an->procs[0]));
    an->procs[an->n_procs].id = id;
    return &an->procs[an->n_procs++];
}

static void proc_close(struct an_proc *p, int64_t t)
{
    if (p->since != 0 && t > p->since) {
        if (p->state == GORCA_TRACE_PROC_RUNNING)
            p->running_ns += t - p->since;
        else if (p->state == GORCA_TRACE_PROC_IDLE)
            p->idle_ns += t - p->since;
    }
    p->since = t;
}

static void proc_transition(struct gorca_analysis *an, const struct gorca_trace_event *ev)
{
    const struct gorca_trace_transition *st = &ev->transition;
    struct an_proc *p = proc_get(an, st->id);
    int was_busy, busy;

    if (p == NULL)
        return;
    proc_close(p, ev->time);
    was_busy = p->state == GORCA_TRACE_PROC_RUNNING;
    busy = st->to == GORCA_TRACE_PROC_RUNNING;
    p->state = st->to;
    if (was_busy != busy) {
        if (busy)
            an->busy_procs++;
        else if (an->busy_procs > 0)
            an->busy_procs--;
    }
    if (st->to == GORCA_TRACE_PROC_IDLE && st->from != st->to) {
        /* A goroutine in a syscall on this proc just lost it. */
        uint64_t *goid = an_map_get(&an->proc_sys, (uint64_t)st->id);
        if (goid != NULL) {
            struct an_g *g = an_g_find(an, (int64_t)*goid);
            if (g != NULL && g->cat == CAT_SYSCALL)
                set_cat(an, g, CAT_SYSCALL_LOST, 0, ev->time);
            an_map_del(&an->proc_sys, (uint64_t)st->id);
        }
    }
}

static void assist_range(struct gorca_analysis *an, const struct gorca_trace_event *ev)
{
    struct an_g *g;

    if (ev->range.type != GORCA_TRACE_RANGE_MARK_ASSIST ||
        ev->range.scope != GORCA_TRACE_RES_GOROUTINE)
        return;
    g = an_g_find(an, ev->range.scope_id);
    if (g == NULL)
        return;
    if (ev->kind == GORCA_TRACE_RANGE_END) {
        if (g->in_assist)
            an_tl_assist(an, an->tl, ev->time, -1);
        if (g->assist_since != 0) {
            int64_t d = ev->time - g->assist_since;
            g->acct.assist += d;
            g->assist_since = 0;
            if (an->open_cycle >= 0)
                an->cycles[an->open_cycle].assist_ns += d;
            else if (an->n_cycles > 0)
                an->cycles[an->n_cycles - 1].assist_ns += d;
        }
        g->in_assist = 0;
    } else if (g->assist_since == 0) {
        g->assist_since = ev->time;
        if (!g->in_assist)
            an_tl_assist(an, an->tl, ev->time, 1);
        g->in_assist = 1;
    }
}

static void cpu_sample(struct gorca_analysis *an, const struct gorca_trace_event *ev)
{
    uint64_t *n;

    an->cpu.samples++;
    if (ev->g != GORCA_TRACE_NONE) {
        struct an_g *g = an_g_find(an, ev->g);
        an->cpu.with_goroutine++;
        if (g != NULL)
            g->acct.cpu++;
    }
    n = an_map_get(&an->cpu_by_stack, ev->stack);
    if (n != NULL)
        (*n)++;
    else if (an_map_put(&an->cpu_by_stack, ev->stack, 1) != 0)
        an_oom(an);
    an_tl_cpu(an, an->tl, ev->time);
}

/* Feeds one event to every analysis, in an order some of them rely on. */
static void on_event(struct gorca_analysis *an, const struct gorca_trace_event *ev)
{
    struct gorca_analysis_info *in = &an->info;

    if (in->events == 0) {
        in->start_ns = ev->time;
        an_tl_advance(an, an->tl, ev->time); /* the timeline starts here */
    }
    in->end_ns = ev->time;
    in->events++;
    if (ev->kind == GORCA_TRACE_STATE_TRANSITION &&
        ev->transition.resource == GORCA_TRACE_RES_GOROUTINE) {
        /* The hot path: one record lookup shared by every analysis. */
        struct an_g *g = an_g_get(an, ev->transition.id);
        an_sum_event(an, ev, g);
        if (g != NULL)
            go_transition(an, ev, g);
        return;
    }
    an_sum_event(an, ev, NULL);

    switch (ev->kind) {
    case GORCA_TRACE_SYNC:
        an->n_sync++;
        break;
    case GORCA_TRACE_STATE_TRANSITION:
        if (ev->transition.resource == GORCA_TRACE_RES_PROC)
            proc_transition(an, ev);
        break;
    case GORCA_TRACE_RANGE_BEGIN:
    case GORCA_TRACE_RANGE_ACTIVE:
    case GORCA_TRACE_RANGE_END:
        assist_range(an, ev);
        an_gc_event(an, ev);
        break;
    case GORCA_TRACE_METRIC:
        if (ev->metric.metric == GORCA_TRACE_METRIC_GOMAXPROCS) {
            an->gomaxprocs = ev->metric.value;
            if (ev->metric.value > in->max_gomaxprocs)
                in->max_gomaxprocs = ev->metric.value;
        }
        an_gc_event(an, ev);
        break;
    case GORCA_TRACE_STACK_SAMPLE:
        cpu_sample(an, ev);
        break;
    default:
        break;
    }
    an_reqs_event(an, ev, NULL);
    an_mmu_event(an, an->mmu, ev);
    an_tl_event(an, an->tl, ev);
}

/* ---- finishing ------------------------------------------------------------------------------ */

static int cmp_proc(const void *a, const void *b)
{
    const struct gorca_proc_share *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

static void sched_finish(struct gorca_analysis *an)
{
    struct gorca_sched_result *s = &an->sched;
    size_t i;

    an_hist_merge_latency(&an->runnable_hist, &s->runnable);
    an_hist_merge_latency(&an->net_ready_hist, &s->net_ready);
    for (i = 0; i < an->gs.cap; i++) {
        const struct an_g *g = an_g_slot(an, i);
        struct an_acct a;
        if (g == NULL)
            continue;
        an_acct_now(g, an->info.end_ns, &a);
        s->runnable_ns += a.wait[GORCA_BLOCK_SCHED];
        s->running_ns += a.exec;
    }
    s->runnable_ns += an->dead_runnable_ns;
    s->running_ns += an->dead_running_ns;
    s->runnable_share = s->runnable_ns + s->running_ns > 0
                            ? (double)s->runnable_ns / (double)(s->runnable_ns + s->running_ns)
                            : 0;
    an->proc_shares = base_arena_alloc(&an->arena, (an->n_procs + 1) * sizeof(*an->proc_shares));
    if (an->proc_shares == NULL) {
        an_oom(an);
        return;
    }
    for (i = 0; i < an->n_procs; i++) {
        struct an_proc *p = &an->procs[i];
        struct gorca_proc_share *o = &an->proc_shares[i];
        proc_close(p, an->info.end_ns);
        o->id = p->id;
        o->running_ns = p->running_ns;
        o->idle_ns = p->idle_ns;
        o->busy_share = p->running_ns + p->idle_ns > 0
                            ? (double)p->running_ns / (double)(p->running_ns + p->idle_ns)
                            : 0;
    }
    qsort(an->proc_shares, an->n_procs, sizeof(an->proc_shares[0]), cmp_proc);
    s->procs = an->proc_shares;
    s->n_procs = an->n_procs;
}

static int cmp_ft_cpu(const void *a, const void *b)
{
    const struct gorca_frame_time *x = a, *y = b;
    if (x->cum_ns != y->cum_ns)
        return x->cum_ns > y->cum_ns ? -1 : 1;
    return strcmp(x->func, y->func);
}

static void cpu_finish(struct gorca_analysis *an)
{
    size_t n = an->cpu_by_stack.n, i, k = 0;
    uint32_t *stacks = base_malloc((n + 1) * sizeof(*stacks));
    int64_t *vals = base_malloc((n + 1) * sizeof(*vals));
    uint64_t *cnts = base_malloc((n + 1) * sizeof(*cnts));

    if (stacks == NULL || vals == NULL || cnts == NULL) {
        an_oom(an);
        goto out;
    }
    for (i = 0; i < an->cpu_by_stack.cap; i++) {
        if (!an->cpu_by_stack.used[i])
            continue;
        stacks[k] = (uint32_t)an->cpu_by_stack.keys[i];
        vals[k] = (int64_t)an->cpu_by_stack.vals[i];
        cnts[k] = an->cpu_by_stack.vals[i];
        k++;
    }
    an->cpu.top = an_top_frames(an, stacks, vals, cnts, k, &an->cpu.n_top);
    if (an->cpu.n_top > 1)
        qsort((void *)an->cpu.top, an->cpu.n_top, sizeof(an->cpu.top[0]), cmp_ft_cpu);
out:
    base_free(stacks);
    base_free(vals);
    base_free(cnts);
}

static void finish(struct gorca_analysis *an)
{
    size_t i;

    an->info.generations = an->n_sync;
    an_tl_advance(an, an->tl, an->info.end_ns);
    an_sum_finish(an);
    an_reqs_finish(an);
    an_block_finish(an);
    an_gc_finish(an);
    an_mmu_finish(an, an->mmu);
    sched_finish(an);
    an_tl_finish(an, an->tl);
    an_chains_finish(an);
    cpu_finish(an);
    for (i = 0; i < an->gs.cap; i++)
        g_free(an_g_slot(an, i));
    an_map_release(&an->gs);
    an->live = 0;
}

/* ---- running --------------------------------------------------------------------------- */

static struct gorca_analysis *analysis_new(const struct gorca_analysis_options *opt)
{
    struct gorca_analysis *an = base_calloc(1, sizeof(*an));
    int c;

    if (an == NULL)
        return NULL;
    resolve_options(an, opt);
    base_arena_init(&an->arena, 0);
    an->open_cycle = -1;
    for (c = 0; c < GORCA_BLOCK_N; c++)
        an->prof[c].pub.cls = an->uncounted[c].pub.cls = (enum gorca_block_class)c;
    an->mmu = an_mmu_new(&an->opt);
    an->tl = an_tl_new(&an->opt);
    an->reqs = an_reqs_new(&an->opt);
    an->chains = an_chains_new();
    if (an->mmu == NULL || an->tl == NULL || an->reqs == NULL || an->chains == NULL) {
        gorca_analysis_free(an);
        return NULL;
    }
    return an;
}

enum gorca_status gorca_analysis_run(struct gorca_trace *tr,
                                     const struct gorca_analysis_options *opt,
                                     struct gorca_analysis **out, struct gorca_error *err)
{
    struct gorca_analysis *an;
    struct gorca_trace_info ti;
    const struct gorca_trace_event *ev;
    enum gorca_status st;

    *out = NULL;
    an = analysis_new(opt);
    if (an == NULL)
        return GORCA_FAIL(err, GORCA_E_NOMEM, -1, "trace analysis", "out of memory");
    an->tr = tr;
    gorca_trace_get_info(tr, &ti);
    an->info.trace_go = ti.go_version;
    an->info.compat_go = gorca_analysis_compat(&an->opt, ti.go_version);
    for (;;) {
        st = gorca_trace_next(tr, &ev, err);
        if (st != GORCA_OK || ev == NULL)
            break;
        on_event(an, ev);
        if (an->nomem)
            break;
    }
    if (an->nomem) {
        gorca_analysis_free(an);
        return GORCA_FAIL(err, GORCA_E_NOMEM, -1, "trace analysis", "out of memory");
    }
    if (st != GORCA_OK && st != GORCA_E_TRUNCATED && st != GORCA_E_MALFORMED) {
        gorca_analysis_free(an); /* out of memory or a limit: no partial results */
        return st;
    }
    an->info.status = st;
    finish(an);
    if (an->nomem) {
        gorca_analysis_free(an);
        return GORCA_FAIL(err, GORCA_E_NOMEM, -1, "trace analysis", "out of memory");
    }
    *out = an;
    return st;
}

enum gorca_status gorca_analysis_run_file(const char *path,
                                          const struct gorca_analysis_options *opt,
                                          struct gorca_analysis **out, struct gorca_error *err)
{
    struct gorca_trace_options topt;
    struct gorca_trace_info ti;
    struct gorca_trace *tr = NULL;
    enum gorca_status st;
    enum gorca_trace_sync_mode mode;

    *out = NULL;
    memset(&topt, 0, sizeof(topt));
    if (opt != NULL)
        topt.limits = opt->limits;
    /* Opening reads just the header; the version then picks the Sync placement. */
    st = gorca_trace_open_file(path, &topt, &tr, err);
    if (st != GORCA_OK)
        return st;
    gorca_trace_get_info(tr, &ti);
    mode = gorca_analysis_sync_mode(gorca_analysis_compat(opt, ti.go_version));
    st = gorca_trace_set_sync_mode(tr, mode);
    if (st != GORCA_OK) {
        gorca_trace_free(tr);
        return GORCA_FAIL(err, st, -1, "trace analysis", "cannot set the Sync placement");
    }
    st = gorca_analysis_run(tr, opt, out, err);
    if (st != GORCA_OK)
        err->source = path; /* the reader's copy of the name dies with it */
    if (*out == NULL) {
        gorca_trace_free(tr);
        return st;
    }
    (*out)->own_tr = 1;
    return st;
}

void gorca_analysis_free(struct gorca_analysis *an)
{
    size_t i;

    if (an == NULL)
        return;
    while (an->free_g != NULL) {
        struct an_g *next = (struct an_g *)(void *)an->free_g->req;
        base_free(an->free_g);
        an->free_g = next;
    }
    for (i = 0; i < an->gs.cap; i++)
        g_free(an_g_slot(an, i));
    an_map_release(&an->gs);
    for (i = 0; i < an->n_groups; i++) {
        base_free(an->groups[i].blocks);
        base_free(an->groups[i].ranges);
        an_hist_release(&an->groups[i].sched_hist);
    }
    base_free(an->groups);
    an_map_release(&an->group_by_name);
    base_free(an->rows);
    an_map_release(&an->syscalling_p);
    an_map_release(&an->syscalling_g);
    an_map_release(&an->ranges_p);
    an_map_release(&an->range_names);
    an_map_release(&an->procs_by_id);
    base_free(an->procs);
    an_map_release(&an->proc_sys);
    an_dense_release(&an->outbound);
    an_block_release(an);
    an_gc_release(an);
    an_mmu_free(an->mmu);
    an_hist_release(&an->runnable_hist);
    an_hist_release(&an->net_ready_hist);
    an_tl_free(an->tl);
    an_reqs_free(an->reqs);
    an_chains_free(an->chains);
    an_map_release(&an->cpu_by_stack);
    base_arena_release(&an->arena);
    if (an->own_tr)
        gorca_trace_free(an->tr);
    base_free(an);
}

/* ---- accessors ---------------------------------------------------------------------------- */

const struct gorca_analysis_info *gorca_analysis_info(const struct gorca_analysis *an)
{
    return &an->info;
}

const struct gorca_trace_goroutine *gorca_analysis_goroutines(const struct gorca_analysis *an,
                                                              size_t *n)
{
    *n = an->n_rows;
    return an->rows;
}

const struct gorca_trace_group *gorca_analysis_groups(const struct gorca_analysis *an, size_t *n)
{
    *n = an->groups_pub ? an->n_groups_pub : 0;
    return an->groups_pub;
}

const struct gorca_block_profile *gorca_analysis_blocking(const struct gorca_analysis *an,
                                                          enum gorca_block_class cls)
{
    if ((unsigned)cls >= GORCA_BLOCK_N)
        return NULL;
    return &an->prof[cls].pub;
}

const struct gorca_block_profile *gorca_analysis_uncounted(const struct gorca_analysis *an,
                                                           enum gorca_block_class cls)
{
    if ((unsigned)cls >= GORCA_BLOCK_N)
        return NULL;
    return &an->uncounted[cls].pub;
}

const struct gorca_gc_result *gorca_analysis_gc(const struct gorca_analysis *an)
{
    return &an->gc;
}

const struct gorca_sched_result *gorca_analysis_sched(const struct gorca_analysis *an)
{
    return &an->sched;
}

const struct gorca_timeline *gorca_analysis_timeline(const struct gorca_analysis *an)
{
    return an_tl_result(an->tl);
}

const struct gorca_requests_result *gorca_analysis_requests(const struct gorca_analysis *an)
{
    return an_reqs_result(an->reqs);
}

const struct gorca_chains_result *gorca_analysis_chains(const struct gorca_analysis *an)
{
    return an_chains_result(an->chains);
}

const struct gorca_chains_result *gorca_analysis_origins(const struct gorca_analysis *an)
{
    return an_chains_origins(an->chains);
}

const struct gorca_cpu_result *gorca_analysis_cpu(const struct gorca_analysis *an)
{
    return &an->cpu;
}

const uint32_t *gorca_analysis_stack_frames(const struct gorca_analysis *an, uint32_t stack,
                                            size_t *n)
{
    return gorca_trace_stack_frames(an->tr, stack, n);
}

const struct gorca_trace_frame *gorca_analysis_frame(const struct gorca_analysis *an,
                                                     uint32_t frame)
{
    return gorca_trace_frame(an->tr, frame);
}
