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
    struct gorca_trace_info info;

    memset(st, 0, sizeof(*st));
    tr_map_init(&threads);
    tr_map_init(&stw_open);
    while ((rc = gorca_trace_next(tr, &ev, err)) == GORCA_OK && ev != NULL) {
        st->events++;
        st->by_kind[ev->kind]++;
        st->by_type[ev->type]++;
        if (!have_first) {
            st->start_ns = ev->time;
            have_first = 1;
        }
        if (ev->kind != GORCA_TRACE_SYNC)
            st->end_ns = ev->time;
        if (ev->m != GORCA_TRACE_NONE && tr_map_get(&threads, (uint64_t)ev->m) == NULL &&
            tr_map_put(&threads, (uint64_t)ev->m, 0) != 0)
            goto oom;
        switch (ev->kind) {
        case GORCA_TRACE_STATE_TRANSITION: {
            const struct gorca_trace_transition *t = &ev->transition;

            if (t->resource == GORCA_TRACE_RES_PROC) {
                if (t->from == GORCA_TRACE_PROC_UNDETERMINED ||
                    t->from == GORCA_TRACE_PROC_NOT_EXIST)
                    st->procs++;
            } else if (t->from == GORCA_TRACE_GO_NOT_EXIST) {
                st->goroutines_created++;
                st->goroutines_seen++;
            } else if (t->from == GORCA_TRACE_GO_UNDETERMINED) {
                st->goroutines_seen++;
            }
            if (t->resource == GORCA_TRACE_RES_GOROUTINE && t->to == GORCA_TRACE_GO_NOT_EXIST)
                st->goroutines_ended++;
            break;
        }
        case GORCA_TRACE_METRIC:
            if (ev->metric.metric == GORCA_TRACE_METRIC_GOMAXPROCS &&
                ev->metric.value > st->max_gomaxprocs)
                st->max_gomaxprocs = ev->metric.value;
            break;
        case GORCA_TRACE_RANGE_BEGIN:
            if (ev->range.type == GORCA_TRACE_RANGE_GC_MARK) {
                st->gc_cycles++;
            } else if (ev->range.type == GORCA_TRACE_RANGE_STW) {
                if (base_grow((void **)&stw_start, &stw_cap, stw_len + 1, sizeof(*stw_start)) ||
                    tr_map_put(&stw_open, (uint64_t)ev->g, (uint32_t)stw_len) != 0)
                    goto oom;
                stw_start[stw_len++] = ev->time;
            }
            break;
        case GORCA_TRACE_RANGE_END:
            if (ev->range.type == GORCA_TRACE_RANGE_STW) {
                uint32_t *ix = tr_map_get(&stw_open, (uint64_t)ev->g);

                if (ix != NULL) {
                    int64_t d = ev->time - stw_start[*ix];

                    st->stw_count++;
                    st->stw_total_ns += d;
                    if (d > st->stw_max_ns)
                        st->stw_max_ns = d;
                    if (is_gc_stw(ev->range.stw_kind)) {
                        st->stw_gc_count++;
                        st->stw_gc_total_ns += d;
                    }
                    tr_map_del(&stw_open, (uint64_t)ev->g);
                }
            }
            break;
        case GORCA_TRACE_STACK_SAMPLE:
            st->cpu_samples++;
            break;
        case GORCA_TRACE_TASK_BEGIN:
            st->tasks++;
            break;
        case GORCA_TRACE_REGION_BEGIN:
            st->regions++;
            break;
        case GORCA_TRACE_LOG:
            st->logs++;
            break;
        default:
            break;
        }
        if (stw_open.len == 0)
            stw_len = 0; /* reuse the slots once no pause is open */
    }
    goto done;
oom:
    rc = GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory collecting statistics");
done:
    st->threads = threads.len;
    st->duration_ns = st->end_ns > st->start_ns ? st->end_ns - st->start_ns : 0;
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
