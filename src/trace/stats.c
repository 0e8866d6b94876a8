/* Whole-trace statistics for `gorca trace stats` (include/gorca/trace.h): one pass over the
 * ordered events counting kinds and wire types, goroutine creation and exit, procs, threads,
 * GC cycles, stop-the-world pauses (paired per goroutine), CPU samples and annotations.
 * Memory: a set of thread ids and the open STW ranges, nothing per event. */
#include "trace_int.h"

static int is_gc_stw(const char *kind)
{
    return strstr(kind, "GC") != NULL;
}

enum gorca_status gorca_trace_stats_collect(struct gorca_trace *tr, struct gorca_trace_stats *st,
                                            struct gorca_error *err)
{
    const struct gorca_trace_event *ev;
    enum gorca_status rc;
    struct tr_map threads, stw_open; /* g -> index into stw_start */
    int64_t *stw_start = NULL;
    size_t stw_cap = 0, stw_len = 0;
    int have_first = 0;
    int64_t last_time = 0;
    uint64_t seen_m[64]; /* (uint64_t)GORCA_TRACE_NONE = empty */
    struct gorca_trace_info info;
    uint8_t interesting[256] = { 0 };
    unsigned i;

    memset(st, 0, sizeof(*st));
    memset(seen_m, 0xff, sizeof(seen_m));
    interesting[TR_EV_SYNC] = 1;
    interesting[GORCA_TRACE_EV_PROC_STATUS] = 1;
    interesting[GORCA_TRACE_EV_GO_STATUS] = 1;
    interesting[GORCA_TRACE_EV_GO_STATUS_STACK] = 1;
    interesting[GORCA_TRACE_EV_PROCS_CHANGE] = 1;
    interesting[GORCA_TRACE_EV_STW_BEGIN] = 1;
    interesting[GORCA_TRACE_EV_STW_END] = 1;
    tr_map_init(&threads);
    tr_map_init(&stw_open);
    while ((rc = gorca_trace_next(tr, &ev, err)) == GORCA_OK && ev != NULL) {
        /* Per-type counts carry most statistics (kinds and goroutine creation/exit are
         * derived from them at the end); only a few event types need a closer look. */
        st->by_type[ev->type]++;
        if (!have_first) {
            st->start_ns = ev->time;
            have_first = 1;
        }
        /* Threads alternate from event to event: a small direct-mapped cache of ids already
         * in the set keeps that unpredictable branch and the map lookup off the common path. */
        if (ev->m != GORCA_TRACE_NONE) {
            size_t h = (size_t)(((uint64_t)ev->m * 0x9e3779b97f4a7c15ull) >> 58);

            if (seen_m[h] != (uint64_t)ev->m) {
                seen_m[h] = (uint64_t)ev->m;
                if (tr_map_get(&threads, (uint64_t)ev->m) == NULL &&
                    tr_map_put(&threads, (uint64_t)ev->m, 0) != 0)
                    goto oom;
            }
        }
        if (!interesting[ev->type]) {
            last_time = ev->time;
            continue;
        }
        if (ev->kind != GORCA_TRACE_SYNC)
            last_time = ev->time;
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
            if (base_grow((void **)&stw_start, &stw_cap, stw_len + 1, sizeof(*stw_start)) ||
                tr_map_put(&stw_open, (uint64_t)ev->g, (uint32_t)stw_len) != 0)
                goto oom;
            stw_start[stw_len++] = ev->time;
            break;
        case GORCA_TRACE_EV_STW_END: {
            uint32_t *ix = tr_map_get(&stw_open, (uint64_t)ev->g);

            if (ix != NULL) {
                int64_t d = tr_span(ev->time, stw_start[*ix]);

                st->stw_count++;
                st->stw_total_ns = tr_add(st->stw_total_ns, d);
                if (d > st->stw_max_ns)
                    st->stw_max_ns = d;
                if (is_gc_stw(ev->range.stw_kind)) {
                    st->stw_gc_count++;
                    st->stw_gc_total_ns = tr_add(st->stw_gc_total_ns, d);
                }
                tr_map_del(&stw_open, (uint64_t)ev->g);
                if (stw_open.len == 0)
                    stw_len = 0; /* reuse the slots once no pause is open */
            }
            break;
        }
        default:
            break;
        }
    }
    goto done;
oom:
    rc = GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory collecting statistics");
done:
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
    st->end_ns = last_time;
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
    st->threads = threads.len;
    st->duration_ns = tr_span(st->end_ns, st->start_ns);
    gorca_trace_get_info(tr, &info);
    st->go_version = info.go_version;
    st->size_bytes = info.size_bytes;
    st->generations = info.generations;
    st->first_gen = info.first_gen;
    st->last_gen = info.first_gen ? info.first_gen + info.generations - 1 : 0;
    st->peak_generation_bytes = info.peak_generation_bytes;
    tr_map_release(&threads);
    tr_map_release(&stw_open);
    base_free(stw_start);
    return rc;
}
