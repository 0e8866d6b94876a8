/* JSON rendering of the trace analyses (schema "gorca.trace-analysis/1", documented in
 * docs/commands/trace-analyses.md): one object with a "trace" header and one member per
 * selected section. Times are integer nanoseconds, shares are fractions in [0, 1], stacks are
 * arrays of {func, file, line} leaf first. Written with the streaming writer into a gorca_buf;
 * nothing here fails except the buffer. */
#include "an_int.h"
#include "base/json.h"

/* ---- pieces ------------------------------------------------------------------------------- */

static void stack(struct jw *w, const struct gorca_analysis *an, const char *key, uint32_t st)
{
    size_t n = 0, i;
    const uint32_t *fr = gorca_analysis_stack_frames(an, st, &n);

    jw_key(w, key);
    jw_arr(w);
    for (i = 0; i < n; i++) {
        const struct gorca_trace_frame *f = gorca_analysis_frame(an, fr[i]);
        if (f == NULL)
            continue;
        jw_obj(w);
        jw_kstr(w, "func", f->func ? f->func : "");
        jw_kstr(w, "file", f->file ? f->file : "");
        jw_ku64(w, "line", f->line);
        jw_end(w);
    }
    jw_end(w);
}

static void latency(struct jw *w, const char *key, const struct gorca_latency *l)
{
    jw_key(w, key);
    jw_obj(w);
    jw_ku64(w, "count", l->count);
    jw_ki64(w, "sum_ns", l->sum_ns);
    jw_ki64(w, "p50_ns", l->p50_ns);
    jw_ki64(w, "p90_ns", l->p90_ns);
    jw_ki64(w, "p95_ns", l->p95_ns);
    jw_ki64(w, "p99_ns", l->p99_ns);
    jw_ki64(w, "max_ns", l->max_ns);
    jw_end(w);
}

static void waits(struct jw *w, const char *key, const int64_t *v)
{
    int c;

    jw_key(w, key);
    jw_obj(w);
    for (c = 0; c < GORCA_BLOCK_N; c++)
        jw_ki64(w, gorca_block_class_name((enum gorca_block_class)c), v[c]);
    jw_end(w);
}

static void named_list(struct jw *w, const char *key, const struct gorca_named_time *v, size_t n)
{
    size_t i;

    jw_key(w, key);
    jw_obj(w);
    for (i = 0; i < n; i++)
        jw_ki64(w, v[i].name, v[i].ns);
    jw_end(w);
}

static void frame_times(struct jw *w, const char *key, const struct gorca_frame_time *v, size_t n,
                        size_t max, int samples)
{
    size_t i;

    jw_key(w, key);
    jw_arr(w);
    for (i = 0; i < n && i < max; i++) {
        jw_obj(w);
        jw_kstr(w, "func", v[i].func);
        if (samples) {
            jw_ki64(w, "flat", v[i].flat_ns);
            jw_ki64(w, "cum", v[i].cum_ns);
        } else {
            jw_ki64(w, "flat_ns", v[i].flat_ns);
            jw_ki64(w, "cum_ns", v[i].cum_ns);
            jw_ku64(w, "count", v[i].count);
        }
        jw_end(w);
    }
    jw_end(w);
}

static void req_time(struct jw *w, const char *key, const struct gorca_request_time *t)
{
    jw_key(w, key);
    jw_obj(w);
    jw_ki64(w, "exec_ns", t->exec_ns);
    waits(w, "wait_ns", t->wait_ns);
    jw_ki64(w, "assist_ns", t->assist_ns);
    jw_ku64(w, "cpu_samples", t->cpu_samples);
    jw_end(w);
}

/* ---- sections ----------------------------------------------------------------------------- */

static void header(struct jw *w, const struct gorca_analysis *an)
{
    const struct gorca_analysis_info *in = &an->info;

    jw_key(w, "trace");
    jw_obj(w);
    jw_ki64(w, "go_version", in->trace_go);
    jw_ki64(w, "compat_go", in->compat_go);
    jw_ki64(w, "start_ns", in->start_ns);
    jw_ki64(w, "end_ns", in->end_ns);
    jw_ki64(w, "duration_ns", in->end_ns - in->start_ns);
    jw_ku64(w, "events", in->events);
    jw_ku64(w, "generations", in->generations);
    jw_ku64(w, "goroutines", in->goroutines);
    jw_ku64(w, "peak_live_goroutines", in->peak_live_goroutines);
    jw_ku64(w, "max_gomaxprocs", in->max_gomaxprocs);
    jw_kstr(w, "status", gorca_status_name(in->status));
    jw_end(w);
}

static void group_obj(struct jw *w, const struct gorca_trace_group *g)
{
    jw_obj(w);
    jw_kstr(w, "name", g->name);
    jw_ku64(w, "count", g->count);
    jw_kbool(w, "system", g->system);
    jw_ki64(w, "total_ns", g->total_ns);
    jw_ki64(w, "exec_ns", g->exec_ns);
    jw_ki64(w, "sched_wait_ns", g->sched_wait_ns);
    jw_ki64(w, "syscall_ns", g->syscall_ns);
    jw_ki64(w, "syscall_block_ns", g->syscall_block_ns);
    jw_ki64(w, "unknown_ns", g->unknown_ns);
    waits(w, "wait_ns", g->wait_ns);
    jw_ki64(w, "assist_ns", g->assist_ns);
    jw_ki64(w, "sweep_ns", g->sweep_ns);
    jw_ki64(w, "stw_ns", g->stw_ns);
    jw_ku64(w, "cpu_samples", g->cpu_samples);
    named_list(w, "block_ns", g->blocks, g->n_blocks);
    named_list(w, "range_ns", g->ranges, g->n_ranges);
    latency(w, "sched_latency", &g->sched_latency);
    jw_end(w);
}

static void goroutine_obj(struct jw *w, const struct gorca_trace_goroutine *r)
{
    jw_obj(w);
    jw_ki64(w, "id", r->id);
    jw_kstr(w, "name", r->name);
    jw_ki64(w, "creation_ns", r->creation_ns);
    jw_ki64(w, "start_ns", r->start_ns);
    jw_ki64(w, "end_ns", r->end_ns);
    jw_ki64(w, "total_ns", r->total_ns);
    jw_ki64(w, "exec_ns", r->exec_ns);
    jw_ki64(w, "sched_wait_ns", r->sched_wait_ns);
    jw_ki64(w, "syscall_ns", r->syscall_ns);
    jw_ki64(w, "syscall_block_ns", r->syscall_block_ns);
    jw_ki64(w, "unknown_ns", r->unknown_ns);
    waits(w, "wait_ns", r->wait_ns);
    jw_ki64(w, "assist_ns", r->assist_ns);
    jw_ki64(w, "sweep_ns", r->sweep_ns);
    jw_ki64(w, "stw_ns", r->stw_ns);
    jw_ku64(w, "cpu_samples", r->cpu_samples);
    named_list(w, "block_ns", r->blocks, r->n_blocks);
    named_list(w, "range_ns", r->ranges, r->n_ranges);
    jw_end(w);
}

static void goroutines(struct jw *w, const struct gorca_analysis *an)
{
    size_t n, i;
    const struct gorca_trace_group *g = gorca_analysis_groups(an, &n);
    const struct gorca_trace_goroutine *r;

    jw_key(w, "goroutines");
    jw_obj(w);
    jw_key(w, "groups");
    jw_arr(w);
    for (i = 0; i < n; i++)
        group_obj(w, &g[i]);
    jw_end(w);
    r = gorca_analysis_goroutines(an, &n);
    jw_key(w, "goroutines");
    jw_arr(w);
    for (i = 0; i < n; i++)
        goroutine_obj(w, &r[i]);
    jw_end(w);
    jw_end(w);
}

/* A profile's totals, top frames and heaviest stacks (the members of an open object). */
static void profile_body(struct jw *w, const struct gorca_analysis *an,
                         const struct gorca_block_profile *p, size_t max)
{
    size_t i;

    jw_ku64(w, "count", p->count);
    jw_ki64(w, "total_ns", p->total_ns);
    jw_kdbl(w, "share", p->share, 6);
    jw_ki64(w, "user_total_ns", p->user_total_ns);
    jw_kdbl(w, "user_share", p->user_share, 6);
    frame_times(w, "top", p->top, p->n_top, max, 0);
    jw_key(w, "stacks");
    jw_arr(w);
    for (i = 0; i < p->n_samples && i < max; i++) {
        jw_obj(w);
        jw_ku64(w, "count", p->samples[i].count);
        jw_ki64(w, "delay_ns", p->samples[i].delay_ns);
        stack(w, an, "frames", p->samples[i].stack);
        jw_end(w);
    }
    jw_end(w);
    jw_ku64(w, "n_stacks", p->n_samples);
}

/* Per class: go tool trace's profile, and in "uncounted" the waits it leaves out
 * (gorca_analysis_uncounted; its shares are among the uncounted waits). */
static void blocking(struct jw *w, const struct gorca_analysis *an, size_t max)
{
    int c;

    jw_key(w, "blocking");
    jw_arr(w);
    for (c = 0; c < GORCA_BLOCK_N; c++) {
        const struct gorca_block_profile *p =
            gorca_analysis_blocking(an, (enum gorca_block_class)c);
        jw_obj(w);
        jw_kstr(w, "class", gorca_block_class_name(p->cls));
        profile_body(w, an, p, max);
        jw_key(w, "uncounted");
        jw_obj(w);
        profile_body(w, an, gorca_analysis_uncounted(an, (enum gorca_block_class)c), max);
        jw_end(w);
        jw_end(w);
    }
    jw_end(w);
}

static void periodicity(struct jw *w, const char *key, const struct gorca_periodicity *p)
{
    jw_key(w, key);
    jw_obj(w);
    jw_ku64(w, "n", p->n);
    jw_ki64(w, "mean_interval_ns", p->mean_interval_ns);
    jw_ki64(w, "stddev_interval_ns", p->stddev_interval_ns);
    jw_kdbl(w, "cv", p->cv, 4);
    jw_kbool(w, "periodic", p->periodic);
    jw_end(w);
}

static void gc(struct jw *w, const struct gorca_analysis *an)
{
    const struct gorca_gc_result *g = gorca_analysis_gc(an);
    size_t i;

    jw_key(w, "gc");
    jw_obj(w);
    jw_key(w, "cycles");
    jw_arr(w);
    for (i = 0; i < g->n_cycles; i++) {
        jw_obj(w);
        jw_ku64(w, "seq", g->cycles[i].seq);
        jw_ki64(w, "start_ns", g->cycles[i].start_ns);
        jw_ki64(w, "end_ns", g->cycles[i].end_ns);
        jw_ki64(w, "dur_ns", g->cycles[i].dur_ns);
        jw_kbool(w, "started_before", g->cycles[i].started_before);
        jw_ki64(w, "assist_ns", g->cycles[i].assist_ns);
        jw_end(w);
    }
    jw_end(w);
    jw_key(w, "pauses");
    jw_arr(w);
    for (i = 0; i < g->n_pauses; i++) {
        jw_obj(w);
        jw_ki64(w, "start_ns", g->pauses[i].start_ns);
        jw_ki64(w, "dur_ns", g->pauses[i].dur_ns);
        jw_kstr(w, "kind", g->pauses[i].kind);
        jw_kbool(w, "gc", g->pauses[i].gc);
        jw_ki64(w, "g", g->pauses[i].g);
        jw_end(w);
    }
    jw_end(w);
    jw_key(w, "pause");
    jw_obj(w);
    jw_ku64(w, "count", g->n_pauses);
    jw_ki64(w, "total_ns", g->pause_total_ns);
    jw_ki64(w, "max_ns", g->pause_max_ns);
    jw_ki64(w, "p50_ns", g->pause_p50_ns);
    jw_ki64(w, "p99_ns", g->pause_p99_ns);
    jw_ku64(w, "gc_count", g->n_gc_pauses);
    jw_ki64(w, "gc_total_ns", g->gc_pause_total_ns);
    jw_ki64(w, "gc_max_ns", g->gc_pause_max_ns);
    jw_ki64(w, "gc_p50_ns", g->gc_pause_p50_ns);
    jw_ki64(w, "gc_p99_ns", g->gc_pause_p99_ns);
    jw_ku64(w, "long_count", g->n_long_pauses);
    jw_ki64(w, "long_threshold_ns", an->opt.long_pause_ns);
    jw_end(w);
    periodicity(w, "cycle_period", &g->cycle_period);
    periodicity(w, "long_pause_period", &g->long_pause_period);
    jw_ki64(w, "assist_total_ns", g->assist_total_ns);
    jw_ku64(w, "assist_count", g->assist_count);
    jw_ki64(w, "mark_total_ns", g->mark_total_ns);
    jw_ki64(w, "sweep_total_ns", g->sweep_total_ns);
    jw_ki64(w, "heap_max_bytes", g->heap_max_bytes);
    jw_ki64(w, "heap_goal_last_bytes", g->heap_goal_last_bytes);
    jw_key(w, "mmu");
    jw_obj(w);
    jw_key(w, "flags");
    jw_arr(w);
    if (g->mmu_flags & GORCA_MMU_STW)
        jw_str(w, "stw");
    if (g->mmu_flags & GORCA_MMU_BACKGROUND)
        jw_str(w, "background");
    if (g->mmu_flags & GORCA_MMU_ASSIST)
        jw_str(w, "assist");
    if (g->mmu_flags & GORCA_MMU_SWEEP)
        jw_str(w, "sweep");
    if (g->mmu_flags & GORCA_MMU_PER_PROC)
        jw_str(w, "perProc");
    if (g->mmu_flags & GORCA_MMU_FIX_WORKERS)
        jw_str(w, "fixworkers");
    jw_end(w);
    jw_key(w, "windows");
    jw_arr(w);
    for (i = 0; i < g->n_mmu; i++) {
        jw_obj(w);
        jw_ki64(w, "window_ns", g->mmu[i].window_ns);
        jw_kdbl(w, "mmu", g->mmu[i].mmu, 6);
        jw_ki64(w, "worst_start_ns", g->mmu[i].worst_start_ns);
        jw_end(w);
    }
    jw_end(w);
    jw_end(w);
    jw_end(w);
}

static void sched(struct jw *w, const struct gorca_analysis *an)
{
    const struct gorca_sched_result *s = gorca_analysis_sched(an);
    size_t i;

    jw_key(w, "sched");
    jw_obj(w);
    latency(w, "runnable_latency", &s->runnable);
    latency(w, "net_ready_latency", &s->net_ready);
    jw_ki64(w, "runnable_ns", s->runnable_ns);
    jw_ki64(w, "running_ns", s->running_ns);
    jw_kdbl(w, "runnable_share", s->runnable_share, 6);
    jw_kdbl(w, "mean_runnable", s->mean_runnable, 6);
    jw_kdbl(w, "runnable_time_share", s->runnable_time_share, 6);
    jw_kdbl(w, "saturated_share", s->saturated_share, 6);
    jw_key(w, "procs");
    jw_arr(w);
    for (i = 0; i < s->n_procs; i++) {
        jw_obj(w);
        jw_ki64(w, "id", s->procs[i].id);
        jw_ki64(w, "running_ns", s->procs[i].running_ns);
        jw_ki64(w, "idle_ns", s->procs[i].idle_ns);
        jw_kdbl(w, "busy_share", s->procs[i].busy_share, 6);
        jw_end(w);
    }
    jw_end(w);
    jw_end(w);
}

static void timeline(struct jw *w, const struct gorca_analysis *an)
{
    const struct gorca_timeline *t = gorca_analysis_timeline(an);
    size_t i;
    int c;

    jw_key(w, "timeline");
    jw_obj(w);
    jw_ki64(w, "start_ns", t->start_ns);
    jw_ki64(w, "width_ns", t->width_ns);
    jw_key(w, "buckets");
    jw_arr(w);
    for (i = 0; i < t->n_buckets; i++) {
        const struct gorca_bucket *b = &t->buckets[i];
        jw_obj(w);
        jw_ki64(w, "start_ns", b->start_ns);
        jw_kdbl(w, "running", b->running, 4);
        jw_kdbl(w, "runnable", b->runnable, 4);
        jw_key(w, "waiting");
        jw_obj(w);
        for (c = 0; c < GORCA_BLOCK_N; c++)
            if (c != GORCA_BLOCK_SCHED)
                jw_kdbl(w, gorca_block_class_name((enum gorca_block_class)c), b->waiting[c], 4);
        jw_end(w);
        jw_kdbl(w, "gomaxprocs", b->gomaxprocs, 4);
        jw_ki64(w, "gc_ns", b->gc_ns);
        jw_ki64(w, "stw_ns", b->stw_ns);
        jw_ki64(w, "assist_ns", b->assist_ns);
        jw_ki64(w, "saturated_ns", b->saturated_ns);
        jw_ku64(w, "heap_alloc_bytes", b->heap_alloc_bytes);
        jw_ku64(w, "heap_goal_bytes", b->heap_goal_bytes);
        jw_ku64(w, "cpu_samples", b->cpu_samples);
        jw_ku64(w, "gc_cycles_started", b->gc_cycles_started);
        jw_ku64(w, "goroutines", b->goroutines);
        jw_end(w);
    }
    jw_end(w);
    jw_end(w);
}

static const char *source_name(enum gorca_request_source s)
{
    return s == GORCA_REQ_HTTP2 ? "http2" : s == GORCA_REQ_TASK ? "task" : "http1";
}

static void requests(struct jw *w, const struct gorca_analysis *an)
{
    const struct gorca_requests_result *r = gorca_analysis_requests(an);
    size_t i;

    jw_key(w, "requests");
    jw_obj(w);
    jw_ku64(w, "count", r->n_requests);
    jw_ku64(w, "connections", r->n_conns);
    latency(w, "latency", &r->latency);
    req_time(w, "time", &r->sum);
    jw_key(w, "handlers");
    jw_arr(w);
    for (i = 0; i < r->n_handlers; i++) {
        jw_obj(w);
        jw_kstr(w, "handler", r->handlers[i].handler);
        jw_ku64(w, "count", r->handlers[i].count);
        latency(w, "latency", &r->handlers[i].latency);
        req_time(w, "time", &r->handlers[i].sum);
        jw_end(w);
    }
    jw_end(w);
    jw_key(w, "slowest");
    jw_arr(w);
    for (i = 0; i < r->n_slowest; i++) {
        const struct gorca_request *q = &r->slowest[i];
        jw_obj(w);
        jw_kstr(w, "source", source_name(q->source));
        jw_ki64(w, "g", q->g);
        jw_ki64(w, "start_ns", q->start_ns);
        jw_ki64(w, "end_ns", q->end_ns);
        jw_ki64(w, "dur_ns", q->dur_ns);
        jw_kstr(w, "handler", q->handler);
        jw_ku64(w, "task", q->task);
        jw_kbool(w, "unfinished", q->unfinished);
        req_time(w, "time", &q->t);
        jw_end(w);
    }
    jw_end(w);
    jw_end(w);
}

static void edge_list(struct jw *w, const struct gorca_analysis *an, const char *key,
                      const struct gorca_chains_result *c, size_t max)
{
    size_t i;

    jw_key(w, key);
    jw_arr(w);
    for (i = 0; i < c->n_edges && i < max; i++) {
        const struct gorca_chain_edge *e = &c->edges[i];
        jw_obj(w);
        jw_kstr(w, "waker", e->waker_name);
        jw_kstr(w, "waiter", e->waiter_name);
        jw_kstr(w, "reason", e->reason);
        jw_ku64(w, "count", e->count);
        jw_ki64(w, "wait_ns", e->wait_ns);
        jw_ki64(w, "max_wait_ns", e->max_wait_ns);
        jw_ki64(w, "example_waker", e->example_waker);
        jw_ki64(w, "example_waiter", e->example_waiter);
        stack(w, an, "waker_stack", e->waker_stack);
        stack(w, an, "waiter_stack", e->waiter_stack);
        jw_end(w);
    }
    jw_end(w);
}

/* The edges, then the same wake-ups by origin (waker = where the wake-up came from). */
static void chains(struct jw *w, const struct gorca_analysis *an, size_t max)
{
    const struct gorca_chains_result *c = gorca_analysis_chains(an);

    jw_key(w, "chains");
    jw_obj(w);
    jw_ku64(w, "unblocks", c->n_unblocks);
    jw_ki64(w, "total_wait_ns", c->total_wait_ns);
    jw_ku64(w, "n_edges", c->n_edges);
    edge_list(w, an, "edges", c, max);
    edge_list(w, an, "origin_edges", gorca_analysis_origins(an), max);
    jw_end(w);
}

static void cpu(struct jw *w, const struct gorca_analysis *an, size_t max)
{
    const struct gorca_cpu_result *c = gorca_analysis_cpu(an);
    size_t n, i;
    const struct gorca_trace_group *g = gorca_analysis_groups(an, &n);

    jw_key(w, "cpu");
    jw_obj(w);
    jw_ku64(w, "samples", c->samples);
    jw_ku64(w, "with_goroutine", c->with_goroutine);
    frame_times(w, "top", c->top, c->n_top, max, 1);
    jw_key(w, "groups");
    jw_arr(w);
    for (i = 0; i < n; i++) {
        if (g[i].cpu_samples == 0)
            continue;
        jw_obj(w);
        jw_kstr(w, "name", g[i].name);
        jw_ku64(w, "samples", g[i].cpu_samples);
        jw_end(w);
    }
    jw_end(w);
    jw_end(w);
}

enum gorca_status gorca_analysis_write_json(const struct gorca_analysis *an, unsigned sections,
                                            int indent, size_t max_stacks, struct gorca_buf *out,
                                            struct gorca_error *err)
{
    struct jw w;

    if (max_stacks == 0)
        max_stacks = 20;
    jw_init(&w, out, indent);
    jw_obj(&w);
    jw_kstr(&w, "schema", "gorca.trace-analysis/1");
    header(&w, an);
    if (sections & GORCA_AN_JSON_GOROUTINES)
        goroutines(&w, an);
    if (sections & GORCA_AN_JSON_BLOCKING)
        blocking(&w, an, max_stacks);
    if (sections & GORCA_AN_JSON_GC)
        gc(&w, an);
    if (sections & GORCA_AN_JSON_SCHED)
        sched(&w, an);
    if (sections & GORCA_AN_JSON_TIMELINE)
        timeline(&w, an);
    if (sections & GORCA_AN_JSON_REQUESTS)
        requests(&w, an);
    if (sections & GORCA_AN_JSON_CHAINS)
        chains(&w, an, max_stacks);
    if (sections & GORCA_AN_JSON_CPU)
        cpu(&w, an, max_stacks);
    jw_end(&w);
    if (indent)
        gorca_buf_putc(out, '\n');
    return gorca_buf_status(out, err);
}
