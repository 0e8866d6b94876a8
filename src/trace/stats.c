/* Whole-trace statistics for `gorca trace stats` (include/gorca/trace.h): one pass over the
 * ordered events counting kinds and wire types, goroutine creation and exit, procs, threads,
 * GC cycles, stop-the-world pauses (paired per goroutine), CPU samples and annotations.
 * Memory: a set of thread ids and the open STW ranges, nothing per event. The per-event part
 * (tr_stats_event, trace_int.h) runs inside the ordering loop (tr_stats_drive, order.c). */
#include "trace_int.h"

static int is_gc_stw(const char *kind)
{
    return strstr(kind, "GC") != NULL;
}

int tr_stats_thread(struct tr_stats_acc *a, int64_t m)
{
    a->seen_m[((uint64_t)m * 0x9e3779b97f4a7c15ull) >> 58] = (uint64_t)m;
    if (tr_map_get(&a->threads, (uint64_t)m) == NULL && tr_map_put(&a->threads, (uint64_t)m, 0))
        return -1;
    return 0;
}

int tr_stats_rare(struct tr_stats_acc *a, const struct gorca_trace_event *ev)
{
    struct gorca_trace_stats *st = a->st;

    if (ev->kind != GORCA_TRACE_SYNC)
        a->last_time = ev->time;
    switch (ev->type) {
    case GORCA_TRACE_EV_PROC_STATUS:
        if (ev->transition.from == GORCA_TRACE_PROC_UNDETERMINED ||
            ev->transition.from == GORCA_TRACE_PROC_NOT_EXIST)
            st->procs++;
        break;
    case GORCA_TRACE_EV_GO_STATUS:
    case GORCA_TRACE_EV_GO_STATUS_STACK:
        if (ev->transition.from == GORCA_TRACE_GO_UNDETERMINED)
            st->goroutines_seen++;
        break;
    case GORCA_TRACE_EV_PROCS_CHANGE:
        if (ev->metric.value > st->max_gomaxprocs)
            st->max_gomaxprocs = ev->metric.value;
        break;
    case GORCA_TRACE_EV_STW_BEGIN:
        if (base_grow((void **)&a->stw_start, &a->stw_cap, a->stw_len + 1, sizeof(*a->stw_start)) ||
            tr_map_put(&a->stw_open, (uint64_t)ev->g, (uint32_t)a->stw_len) != 0)
            return -1;
        a->stw_start[a->stw_len++] = ev->time;
        break;
    case GORCA_TRACE_EV_STW_END: {
        uint32_t *ix = tr_map_get(&a->stw_open, (uint64_t)ev->g);

        if (ix != NULL) {
            int64_t d = tr_span(ev->time, a->stw_start[*ix]);

            st->stw_count++;
            st->stw_total_ns = tr_add(st->stw_total_ns, d);
            if (d > st->stw_max_ns)
                st->stw_max_ns = d;
            if (is_gc_stw(ev->range.stw_kind)) {
                st->stw_gc_count++;
                st->stw_gc_total_ns = tr_add(st->stw_gc_total_ns, d);
            }
            tr_map_del(&a->stw_open, (uint64_t)ev->g);
            if (a->stw_open.len == 0)
                a->stw_len = 0; /* reuse the slots once no pause is open */
        }
        break;
    }
    default:
        break;
    }
    return 0;
}

enum gorca_status gorca_trace_stats_collect(struct gorca_trace *tr, struct gorca_trace_stats *st,
                                            struct gorca_error *err)
{
    enum gorca_status rc;
    const struct gorca_trace_event *ev;
    struct tr_stats_acc a;
    struct gorca_trace_info info;
    unsigned i;

    memset(st, 0, sizeof(*st));
    memset(&a, 0, sizeof(a));
    a.st = st;
    a.last_m = GORCA_TRACE_NONE;
    memset(a.seen_m, 0xff, sizeof(a.seen_m));
    tr_map_init(&a.threads);
    tr_map_init(&a.stw_open);
    /* The first event outside the loop: it gives the start time. */
    rc = gorca_trace_next(tr, &ev, err);
    if (rc == GORCA_OK && ev != NULL) {
        st->start_ns = ev->time;
        if (tr_stats_event(&a, ev) != 0)
            rc = GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory collecting statistics");
        else
            rc = tr_stats_drive(tr, &a, err);
    }
    for (i = 0; i < 256; i++) {
        uint64_t n = st->by_type[i];

        st->events += n;
        if (i == TR_EV_SYNC)
            st->by_kind[GORCA_TRACE_SYNC] += n;
        else if (i == TR_EV_CPU_SAMPLE)
            st->by_kind[GORCA_TRACE_STACK_SAMPLE] += n;
        else if (i < TR_N_SPECS)
            st->by_kind[tr_specs[i].kind] += n;
    }
    st->end_ns = a.last_time;
    st->cpu_samples = st->by_type[TR_EV_CPU_SAMPLE];
    st->gc_cycles = st->by_type[GORCA_TRACE_EV_GC_BEGIN];
    st->tasks = st->by_type[GORCA_TRACE_EV_USER_TASK_BEGIN];
    st->regions = st->by_type[GORCA_TRACE_EV_USER_REGION_BEGIN];
    st->logs = st->by_type[GORCA_TRACE_EV_USER_LOG];
    st->goroutines_created = st->by_type[GORCA_TRACE_EV_GO_CREATE] +
                             st->by_type[GORCA_TRACE_EV_GO_CREATE_BLOCKED] +
                             st->by_type[GORCA_TRACE_EV_GO_CREATE_SYSCALL];
    st->goroutines_seen += st->goroutines_created;
    /* GoSwitchDestroy is followed by a synthetic GoDestroy, counted under GoDestroy. */
    st->goroutines_ended =
        st->by_type[GORCA_TRACE_EV_GO_DESTROY] + st->by_type[GORCA_TRACE_EV_GO_DESTROY_SYSCALL];
    st->threads = a.threads.len;
    st->duration_ns = tr_span(st->end_ns, st->start_ns);
    gorca_trace_get_info(tr, &info);
    st->go_version = info.go_version;
    st->size_bytes = info.size_bytes;
    st->generations = info.generations;
    st->first_gen = info.first_gen;
    st->last_gen = info.first_gen ? info.first_gen + info.generations - 1 : 0;
    st->peak_generation_bytes = info.peak_generation_bytes;
    tr_map_release(&a.threads);
    tr_map_release(&a.stw_open);
    base_free(a.stw_start);
    return rc;
}
