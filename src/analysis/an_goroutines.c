/* Per-goroutine summaries exactly as `go tool trace` computes them for its "Goroutines" pages
 * (golang/go internal/trace/summary.go; go-trace-format.md §10.1), including its quirks: a
 * pending blocked syscall is charged to sched wait at finalisation, a syscall ending deletes the
 * syscallingP entry of the proc it started on, proc-scoped ranges count only when the same
 * goroutine is current at both ends. compat_go 26 adds Go 1.26's change: the time between the
 * last Sync and a goroutine's first status counts towards that status. Regions and tasks of
 * the summariser are not kept here (an_requests.c handles tasks). */
#include <stdlib.h>
#include "an_int.h"

/* ---- helpers ------------------------------------------------------------------------------- */

static void add_named(struct gorca_analysis *an, struct an_named **v, uint32_t *n, uint32_t *cap,
                      const char *name, int64_t ns)
{
    struct an_named *e = an_named_get(v, n, cap, name);

    if (e == NULL) {
        an_oom(an);
        return;
    }
    e->ns += ns;
}

static void sum_init(struct an_g *g, int64_t creation)
{
    struct an_gsum *s = &g->sum;

    s->present = 1;
    s->creation = creation;
}

/* Go's rangesP key: (proc, range name). Range names are few; each gets a small index. */
static uint64_t range_key(struct gorca_analysis *an, int64_t proc, const char *name)
{
    uint64_t *idx = an_map_get(&an->range_names, AN_PKEY(name));
    uint64_t i;

    if (idx != NULL) {
        i = *idx;
    } else {
        i = an->range_names.n;
        if (an_map_put(&an->range_names, AN_PKEY(name), i) != 0)
            an_oom(an);
    }
    return ((uint64_t)proc << 12) ^ i;
}

/* Go's snapshotStat + finalize: closes every pending interval at last_ts. */
static void finalize(struct gorca_analysis *an, struct an_g *g, int64_t last_ts, int64_t end)
{
    struct an_gsum *s = &g->sum;
    uint32_t i;

    if (s->finalized)
        return;
    if (end != 0)
        s->end = end;
    if (s->total == 0)
        s->total = last_ts - s->creation;
    if (s->last_start != 0)
        s->exec += last_ts - s->last_start;
    if (s->last_runnable != 0)
        s->sched += last_ts - s->last_runnable;
    if (s->last_block != 0)
        add_named(an, &s->blocks, &s->n_blocks, &s->cap_blocks, s->last_reason,
                  last_ts - s->last_block);
    if (s->last_syscall != 0)
        s->syscall += last_ts - s->last_syscall;
    if (s->last_syscall_block != 0)
        s->sched += last_ts - s->last_syscall_block; /* sic: go tool trace does this */
    for (i = 0; i < s->n_ranges; i++) {
        if (s->ranges[i].last != 0) {
            s->ranges[i].ns += last_ts - s->ranges[i].last;
            s->ranges[i].last = 0;
        }
    }
    s->last_start = s->last_runnable = s->last_block = 0;
    s->last_syscall = s->last_syscall_block = 0;
    s->finalized = 1;
    an_sum_emit(an, g);
}

/* ---- state transitions ------------------------------------------------------------------ */

static void transition_out(struct gorca_analysis *an, struct an_g *g,
                           const struct gorca_trace_event *ev)
{
    const struct gorca_trace_transition *st = &ev->transition;
    struct an_gsum *s = &g->sum;
    int64_t t = ev->time;

    switch (st->from) {
    case GORCA_TRACE_GO_UNDETERMINED:
        sum_init(g, an->sync_ts);
        if (an->info.compat_go >= 26) {
            int64_t dt = t - an->sync_ts;
            switch (st->to) {
            case GORCA_TRACE_GO_RUNNING:
                s->exec += dt;
                break;
            case GORCA_TRACE_GO_WAITING:
                add_named(an, &s->blocks, &s->n_blocks, &s->cap_blocks, st->reason, dt);
                break;
            case GORCA_TRACE_GO_RUNNABLE:
                s->sched += dt;
                break;
            case GORCA_TRACE_GO_SYSCALL:
                if (ev->p == GORCA_TRACE_NONE)
                    s->syscall_block += dt;
                else
                    s->syscall += dt;
                break;
            }
        }
        break;
    case GORCA_TRACE_GO_NOT_EXIST:
        sum_init(g, t);
        break;
    case GORCA_TRACE_GO_RUNNING:
        s->exec += t - s->last_start;
        s->last_start = 0;
        break;
    case GORCA_TRACE_GO_WAITING:
        if (s->last_block != 0) {
            add_named(an, &s->blocks, &s->n_blocks, &s->cap_blocks, s->last_reason,
                      t - s->last_block);
            s->last_block = 0;
        }
        break;
    case GORCA_TRACE_GO_RUNNABLE:
        if (s->last_runnable != 0) {
            s->sched += t - s->last_runnable;
            s->last_runnable = 0;
        }
        break;
    case GORCA_TRACE_GO_SYSCALL:
        if (s->last_syscall != 0) {
            uint64_t *p = an_map_get(&an->syscalling_g, (uint64_t)g->id);
            if (s->last_syscall_block != 0) {
                s->syscall_block += t - s->last_syscall_block;
                s->syscall += s->last_syscall_block - s->last_syscall;
            } else {
                s->syscall += t - s->last_syscall;
            }
            s->last_syscall = s->last_syscall_block = 0;
            /* A missing entry reads as proc 0, as Go's map lookup does. */
            an_map_del(&an->syscalling_p, p ? *p : 0);
            an_map_del(&an->syscalling_g, (uint64_t)g->id);
        }
        break;
    }
}

static const char *root_func(struct gorca_analysis *an, uint32_t stack)
{
    size_t n = 0;
    const uint32_t *frames = gorca_trace_stack_frames(an->tr, stack, &n);
    const struct gorca_trace_frame *root;

    if (n == 0)
        return NULL;
    root = gorca_trace_frame(an->tr, frames[n - 1]);
    if (root == NULL || root->func == NULL || root->func[0] == '\0')
        return NULL;
    return root->func;
}

/* Go names a goroutine after the root frame of the first transition stack it sees. Go
 * 1.23-1.25's readers leave GoStatusStack transitions without a stack (1.26 fixed that), so
 * with those compat levels such a stack names the goroutine for us but not for the page. */
static void name_goroutine(struct gorca_analysis *an, struct an_g *g,
                           const struct gorca_trace_event *ev)
{
    uint32_t stack = ev->transition.stack;
    int compat = an->info.compat_go;
    const char *f;

    if (stack == 0 || (g->name[0] != '\0' && g->sum_name[0] != '\0'))
        return;
    f = root_func(an, stack);
    if (f == NULL)
        return;
    if (g->sum_name[0] == '\0' && g->sum.present &&
        !(ev->type == GORCA_TRACE_EV_GO_STATUS_STACK && compat >= 23 && compat <= 25))
        g->sum_name = f;
    if (g->name[0] == '\0') {
        g->name = f;
        g->infra = (uint8_t)an_is_infra(f);
        an_block_named(an, g);
        an_reqs_named(an, g);
    }
}

static void transition_in(struct gorca_analysis *an, struct an_g *g,
                          const struct gorca_trace_event *ev)
{
    const struct gorca_trace_transition *st = &ev->transition;
    struct an_gsum *s = &g->sum;
    int64_t t = ev->time;

    switch (st->to) {
    case GORCA_TRACE_GO_RUNNING:
        s->last_start = t;
        if (s->start == 0) {
            s->start = t;
            an_block_first_run(an, g);
        }
        break;
    case GORCA_TRACE_GO_RUNNABLE:
        s->last_runnable = t;
        break;
    case GORCA_TRACE_GO_WAITING:
        if (!(an_reason_class(an, st->reason) & AN_FOREVER)) {
            s->last_block = t;
            s->last_reason = st->reason ? st->reason : "";
            break;
        }
        finalize(an, g, t, t); /* "forever" is like goroutine death */
        break;
    case GORCA_TRACE_GO_NOT_EXIST:
        finalize(an, g, t, t);
        break;
    case GORCA_TRACE_GO_SYSCALL:
        if (an_map_put(&an->syscalling_p, (uint64_t)ev->p, (uint64_t)g->id) != 0 ||
            an_map_put(&an->syscalling_g, (uint64_t)g->id, (uint64_t)ev->p) != 0)
            an_oom(an);
        s->last_syscall = t;
        break;
    }
}

static void go_transition(struct gorca_analysis *an, const struct gorca_trace_event *ev,
                          struct an_g *g)
{
    const struct gorca_trace_transition *st = &ev->transition;

    if (st->from == st->to || g == NULL)
        return;
    if (g->sum.finalized)
        return; /* a goroutine blocked "forever" never comes back in Go's summary */
    if (!g->sum.present && st->from != GORCA_TRACE_GO_UNDETERMINED &&
        st->from != GORCA_TRACE_GO_NOT_EXIST)
        sum_init(g, ev->time); /* inconsistent input: count from here rather than crash */
    transition_out(an, g, ev);
    name_goroutine(an, g, ev);
    transition_in(an, g, ev);
}

static void proc_transition(struct gorca_analysis *an, const struct gorca_trace_event *ev)
{
    const struct gorca_trace_transition *st = &ev->transition;
    uint64_t *goid;
    struct an_g *g;

    if (st->from == st->to || st->to != GORCA_TRACE_PROC_IDLE)
        return;
    goid = an_map_get(&an->syscalling_p, (uint64_t)st->id);
    if (goid == NULL)
        return;
    g = an_g_find(an, (int64_t)*goid);
    if (g != NULL && g->sum.present && !g->sum.finalized)
        g->sum.last_syscall_block = ev->time;
    an_map_del(&an->syscalling_p, (uint64_t)st->id);
}

/* ---- ranges ---------------------------------------------------------------------------- */

static struct an_g *range_goroutine(struct gorca_analysis *an, const struct gorca_trace_event *ev)
{
    const struct gorca_trace_range *r = &ev->range;
    struct an_g *g = NULL;

    switch (r->scope) {
    case GORCA_TRACE_RES_GOROUTINE:
        g = an_g_find(an, r->scope_id);
        break;
    case GORCA_TRACE_RES_PROC:
        g = an_g_find(an, ev->g);
        if (g != NULL && g->sum.present &&
            an_map_put(&an->ranges_p, range_key(an, r->scope_id, r->name), (uint64_t)ev->g) != 0)
            an_oom(an);
        break;
    default:
        break;
    }
    if (g == NULL || !g->sum.present || g->sum.finalized)
        return NULL;
    return g;
}

static void range_begin(struct gorca_analysis *an, const struct gorca_trace_event *ev)
{
    struct an_g *g = range_goroutine(an, ev);
    struct an_named *e;

    if (g == NULL)
        return;
    e = an_named_get(&g->sum.ranges, &g->sum.n_ranges, &g->sum.cap_ranges, ev->range.name);
    if (e == NULL) {
        an_oom(an);
        return;
    }
    if (ev->kind == GORCA_TRACE_RANGE_ACTIVE) {
        if (e->last != 0)
            e->ns += an->sync_ts - e->last;
        e->last = an->sync_ts;
    } else {
        e->last = ev->time;
    }
}

static void range_end(struct gorca_analysis *an, const struct gorca_trace_event *ev)
{
    const struct gorca_trace_range *r = &ev->range;
    struct an_g *g = NULL;
    uint32_t i;

    if (r->scope == GORCA_TRACE_RES_GOROUTINE) {
        g = an_g_find(an, r->scope_id);
    } else if (r->scope == GORCA_TRACE_RES_PROC) {
        uint64_t key = range_key(an, r->scope_id, r->name);
        uint64_t *goid = an_map_get(&an->ranges_p, key);
        if (goid != NULL) {
            if ((int64_t)*goid == ev->g)
                g = an_g_find(an, ev->g);
            an_map_del(&an->ranges_p, key);
        }
    }
    if (g == NULL || !g->sum.present || g->sum.finalized)
        return;
    for (i = 0; i < g->sum.n_ranges; i++) {
        struct an_named *e = &g->sum.ranges[i];
        if (e->name == r->name && e->last != 0) {
            e->ns += ev->time - e->last;
            e->last = 0;
        }
    }
}

void an_sum_event(struct gorca_analysis *an, const struct gorca_trace_event *ev, struct an_g *g)
{
    if (an->sync_ts == 0)
        an->sync_ts = ev->time;
    an->last_ts = ev->time;

    switch (ev->kind) {
    case GORCA_TRACE_SYNC:
        an->sync_ts = ev->time;
        break;
    case GORCA_TRACE_STATE_TRANSITION:
        if (ev->transition.resource == GORCA_TRACE_RES_GOROUTINE)
            go_transition(an, ev, g);
        else if (ev->transition.resource == GORCA_TRACE_RES_PROC)
            proc_transition(an, ev);
        break;
    case GORCA_TRACE_RANGE_BEGIN:
    case GORCA_TRACE_RANGE_ACTIVE:
        range_begin(an, ev);
        break;
    case GORCA_TRACE_RANGE_END:
        range_end(an, ev);
        break;
    default:
        break;
    }
}

/* ---- rows and groups ------------------------------------------------------------------- */

void an_sum_classes(const struct an_gsum *s, int64_t out[GORCA_BLOCK_N])
{
    uint32_t i;

    memset(out, 0, sizeof(int64_t) * GORCA_BLOCK_N);
    for (i = 0; i < s->n_blocks; i++)
        out[gorca_block_class_of_reason(s->blocks[i].name)] += s->blocks[i].ns;
    out[GORCA_BLOCK_SYSCALL] += s->syscall_block;
    out[GORCA_BLOCK_SCHED] += s->sched;
}

static struct gorca_named_time *copy_named(struct gorca_analysis *an, const struct an_named *v,
                                           uint32_t n)
{
    struct gorca_named_time *out;
    uint32_t i;

    if (n == 0)
        return NULL;
    out = base_arena_alloc(&an->arena, n * sizeof(*out));
    if (out == NULL) {
        an_oom(an);
        return NULL;
    }
    for (i = 0; i < n; i++) {
        out[i].name = v[i].name ? v[i].name : "";
        out[i].ns = v[i].ns;
    }
    return out;
}

static void fill_row(const struct an_g *g, struct gorca_trace_goroutine *r)
{
    const struct an_gsum *s = &g->sum;
    int64_t sum;
    uint32_t i;

    memset(r, 0, sizeof(*r));
    r->id = g->id;
    r->name = g->sum_name;
    r->system = an_is_system(g->sum_name);
    r->creation_ns = s->creation;
    r->start_ns = s->start;
    r->end_ns = s->end;
    r->total_ns = s->total;
    r->exec_ns = s->exec;
    r->sched_wait_ns = s->sched;
    r->syscall_ns = s->syscall;
    r->syscall_block_ns = s->syscall_block;
    an_sum_classes(s, r->wait_ns);
    sum = s->exec + s->sched + s->syscall + s->syscall_block;
    for (i = 0; i < s->n_blocks; i++)
        sum += s->blocks[i].ns;
    r->unknown_ns = sum < s->total ? s->total - sum : 0;
    for (i = 0; i < s->n_ranges; i++) {
        const char *n = s->ranges[i].name;
        if (strcmp(n, "GC mark assist") == 0)
            r->assist_ns += s->ranges[i].ns;
        else if (strcmp(n, "GC incremental sweep") == 0)
            r->sweep_ns += s->ranges[i].ns;
        else if (strncmp(n, "stop-the-world", 14) == 0)
            r->stw_ns += s->ranges[i].ns;
    }
    r->cpu_samples = g->acct.cpu;
}

static void group_add(struct gorca_analysis *an, struct an_group *gr, const struct an_g *g,
                      const struct gorca_trace_goroutine *r)
{
    struct gorca_trace_group *p = &gr->pub;
    uint32_t i;
    int c;

    p->count++;
    p->total_ns += r->total_ns;
    p->exec_ns += r->exec_ns;
    p->sched_wait_ns += r->sched_wait_ns;
    p->syscall_ns += r->syscall_ns;
    p->syscall_block_ns += r->syscall_block_ns;
    p->unknown_ns += r->unknown_ns;
    for (c = 0; c < GORCA_BLOCK_N; c++)
        p->wait_ns[c] += r->wait_ns[c];
    p->assist_ns += r->assist_ns;
    p->sweep_ns += r->sweep_ns;
    p->stw_ns += r->stw_ns;
    p->cpu_samples += r->cpu_samples;
    for (i = 0; i < g->sum.n_blocks; i++)
        add_named(an, &gr->blocks, &gr->n_blocks, &gr->cap_blocks, g->sum.blocks[i].name,
                  g->sum.blocks[i].ns);
    for (i = 0; i < g->sum.n_ranges; i++)
        add_named(an, &gr->ranges, &gr->n_ranges, &gr->cap_ranges, g->sum.ranges[i].name,
                  g->sum.ranges[i].ns);
}

void an_sum_emit(struct gorca_analysis *an, struct an_g *g)
{
    struct gorca_trace_goroutine row;
    long gi = an_group_of(an, g->sum_name);

    fill_row(g, &row);
    if (gi >= 0) {
        row.group = (uint32_t)gi;
        group_add(an, &an->groups[gi], g, &row);
    }
    if (an->opt.keep_goroutine_rows) {
        row.blocks = copy_named(an, g->sum.blocks, g->sum.n_blocks);
        row.n_blocks = row.blocks ? g->sum.n_blocks : 0;
        row.ranges = copy_named(an, g->sum.ranges, g->sum.n_ranges);
        row.n_ranges = row.ranges ? g->sum.n_ranges : 0;
        if (an_grow(&an->rows, &an->cap_rows, an->n_rows + 1, sizeof(row)) != 0)
            an_oom(an);
        else
            an->rows[an->n_rows++] = row;
    }
    base_free(g->sum.blocks);
    base_free(g->sum.ranges);
    g->sum.blocks = g->sum.ranges = NULL;
    g->sum.n_blocks = g->sum.cap_blocks = g->sum.n_ranges = g->sum.cap_ranges = 0;
}

static int cmp_row(const void *a, const void *b)
{
    const struct gorca_trace_goroutine *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

static int cmp_group(const void *a, const void *b)
{
    const struct gorca_trace_group *x = a, *y = b;
    if (x->exec_ns != y->exec_ns)
        return x->exec_ns > y->exec_ns ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* Finalises every goroutine still open at the last event (Go's Summarizer.Finalize) and
 * builds the sorted rows and groups. */
void an_sum_finish(struct gorca_analysis *an)
{
    size_t i;

    for (i = 0; i < an->gs.cap; i++) {
        struct an_g *g = an_g_slot(an, i);
        if (g == NULL)
            continue;
        if (g->sum.present && !g->sum.finalized)
            finalize(an, g, an->last_ts, 0);
    }
    if (an->n_rows > 1)
        qsort(an->rows, an->n_rows, sizeof(an->rows[0]), cmp_row);
    an->groups_pub =
        base_arena_alloc(&an->arena, (an->n_groups ? an->n_groups : 1) * sizeof(*an->groups_pub));
    if (an->groups_pub == NULL) {
        an_oom(an);
        return;
    }
    for (i = 0; i < an->n_groups; i++) {
        struct an_group *gr = &an->groups[i];
        if (gr->pub.count == 0)
            continue; /* only ever seen unnamed, then named: no member */
        gr->pub.blocks = copy_named(an, gr->blocks, gr->n_blocks);
        gr->pub.n_blocks = gr->pub.blocks ? gr->n_blocks : 0;
        gr->pub.ranges = copy_named(an, gr->ranges, gr->n_ranges);
        gr->pub.n_ranges = gr->pub.ranges ? gr->n_ranges : 0;
        an_hist_merge_latency(&gr->sched_hist, &gr->pub.sched_latency);
        an->groups_pub[an->n_groups_pub++] = gr->pub;
    }
    if (an->n_groups_pub > 1)
        qsort(an->groups_pub, an->n_groups_pub, sizeof(an->groups_pub[0]), cmp_group);
    /* Rows point at groups by index in the sorted order. */
    for (i = 0; i < an->n_groups_pub; i++) {
        uint64_t *gi = an_map_get(&an->group_by_name, AN_PKEY(an->groups_pub[i].name));
        if (gi != NULL)
            *gi = i;
    }
    for (i = 0; i < an->n_rows; i++) {
        uint64_t *gi = an_map_get(&an->group_by_name, AN_PKEY(an->rows[i].name));
        if (gi != NULL)
            an->rows[i].group = (uint32_t)*gi;
    }
}
