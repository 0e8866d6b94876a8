/* GC and stop-the-world analysis (go-trace-format.md §8): every GC mark phase (GCBegin..GCEnd,
 * or GCActive for one already running), every STW pause with its kind, sweeping and mark-assist
 * totals, the exact pause distribution (all pauses and GC pauses), and how regular the GC
 * cycles and the long pauses are (the seed's "periodic spikes"). Assist time per goroutine is
 * the goroutine summary's "GC mark assist" range time; per cycle it is our own accounting. */
#include <math.h>
#include <stdlib.h>
#include "an_int.h"

static void new_cycle(struct gorca_analysis *an, int64_t start, int before)
{
    struct gorca_gc_cycle *c;

    if (an_grow(&an->cycles, &an->cap_cycles, an->n_cycles + 1, sizeof(*an->cycles)) != 0) {
        an_oom(an);
        return;
    }
    c = &an->cycles[an->n_cycles];
    memset(c, 0, sizeof(*c));
    c->seq = an->n_cycles + 1;
    c->start_ns = start;
    c->started_before = before;
    an->open_cycle = (int64_t)an->n_cycles++;
}

static void mark_range(struct gorca_analysis *an, const struct gorca_trace_event *ev)
{
    switch (ev->kind) {
    case GORCA_TRACE_RANGE_BEGIN:
        new_cycle(an, ev->time, 0);
        break;
    case GORCA_TRACE_RANGE_ACTIVE:
        if (an->open_cycle < 0)
            new_cycle(an, ev->time, 1);
        break;
    default:
        if (an->open_cycle < 0)
            new_cycle(an, an->info.start_ns, 1);
        if (an->open_cycle >= 0) {
            an->cycles[an->open_cycle].end_ns = ev->time;
            an->open_cycle = -1;
        }
        break;
    }
}

static void stw_range(struct gorca_analysis *an, const struct gorca_trace_event *ev)
{
    const struct gorca_trace_range *r = &ev->range;

    if (ev->kind == GORCA_TRACE_RANGE_BEGIN) {
        an->stw_open = 1;
        an->stw_cur.start_ns = ev->time;
        an->stw_cur.kind = r->stw_kind ? r->stw_kind : "";
        an->stw_cur.gc = strstr(an->stw_cur.kind, "GC") != NULL;
        an->stw_cur.g = r->scope_id;
        return;
    }
    if (ev->kind != GORCA_TRACE_RANGE_END || !an->stw_open)
        return;
    an->stw_open = 0;
    an->stw_cur.dur_ns = ev->time - an->stw_cur.start_ns;
    if (an_grow(&an->pauses, &an->cap_pauses, an->n_pauses + 1, sizeof(*an->pauses)) != 0) {
        an_oom(an);
        return;
    }
    an->pauses[an->n_pauses++] = an->stw_cur;
}

static void sweep_range(struct gorca_analysis *an, const struct gorca_trace_event *ev)
{
    uint64_t key = (uint64_t)ev->range.scope_id;
    uint64_t *start;

    if (ev->kind != GORCA_TRACE_RANGE_END) {
        if (an_map_put(&an->sweep_open, key, (uint64_t)ev->time) != 0)
            an_oom(an);
        return;
    }
    start = an_map_get(&an->sweep_open, key);
    if (start != NULL) {
        an->gc.sweep_total_ns += ev->time - (int64_t)*start;
        an_map_del(&an->sweep_open, key);
    }
}

void an_gc_event(struct gorca_analysis *an, const struct gorca_trace_event *ev)
{
    if (ev->kind == GORCA_TRACE_METRIC) {
        if (ev->metric.metric == GORCA_TRACE_METRIC_HEAP_ALLOC &&
            (int64_t)ev->metric.value > an->gc.heap_max_bytes)
            an->gc.heap_max_bytes = (int64_t)ev->metric.value;
        else if (ev->metric.metric == GORCA_TRACE_METRIC_HEAP_GOAL)
            an->gc.heap_goal_last_bytes = (int64_t)ev->metric.value;
        return;
    }
    switch (ev->range.type) {
    case GORCA_TRACE_RANGE_GC_MARK:
        mark_range(an, ev);
        break;
    case GORCA_TRACE_RANGE_STW:
        stw_range(an, ev);
        break;
    case GORCA_TRACE_RANGE_GC_SWEEP:
        sweep_range(an, ev);
        break;
    case GORCA_TRACE_RANGE_MARK_ASSIST:
        if (ev->kind == GORCA_TRACE_RANGE_BEGIN)
            an->assist_count++;
        break;
    default:
        break;
    }
}

static void periodicity(const int64_t *times, size_t n, struct gorca_periodicity *out)
{
    double mean = 0, var = 0;
    size_t i;

    memset(out, 0, sizeof(*out));
    out->n = n;
    if (n < 2)
        return;
    for (i = 1; i < n; i++)
        mean += (double)(times[i] - times[i - 1]);
    mean /= (double)(n - 1);
    for (i = 1; i < n; i++) {
        double d = (double)(times[i] - times[i - 1]) - mean;
        var += d * d;
    }
    var /= (double)(n - 1);
    out->mean_interval_ns = (int64_t)(mean + 0.5);
    out->stddev_interval_ns = (int64_t)(sqrt(var) + 0.5);
    if (n >= 3 && mean > 0) {
        out->cv = sqrt(var) / mean;
        out->periodic = out->cv <= 0.25;
    }
}

void an_gc_finish(struct gorca_analysis *an)
{
    struct gorca_gc_result *gc = &an->gc;
    int64_t *all = NULL, *gcp = NULL, *starts = NULL;
    size_t i, n_gc = 0, n_starts = 0, n_long = 0;

    for (i = 0; i < an->n_cycles; i++) {
        struct gorca_gc_cycle *c = &an->cycles[i];
        c->dur_ns = (c->end_ns ? c->end_ns : an->info.end_ns) - c->start_ns;
        gc->mark_total_ns += c->dur_ns;
    }
    gc->cycles = an->cycles;
    gc->n_cycles = an->n_cycles;
    gc->pauses = an->pauses;
    gc->n_pauses = an->n_pauses;
    for (i = 0; i < an->n_groups; i++)
        gc->assist_total_ns += an->groups[i].pub.assist_ns;
    gc->assist_count = an->assist_count;

    all = base_malloc((an->n_pauses + 1) * sizeof(*all));
    gcp = base_malloc((an->n_pauses + 1) * sizeof(*gcp));
    starts = base_malloc((an->n_pauses + an->n_cycles + 1) * sizeof(*starts));
    if (all == NULL || gcp == NULL || starts == NULL) {
        an_oom(an);
        goto out;
    }
    for (i = 0; i < an->n_pauses; i++) {
        all[i] = an->pauses[i].dur_ns;
        gc->pause_total_ns += all[i];
        if (an->pauses[i].gc) {
            gcp[n_gc++] = all[i];
            gc->gc_pause_total_ns += all[i];
        }
        if (all[i] >= an->opt.long_pause_ns)
            starts[n_long++] = an->pauses[i].start_ns;
    }
    gc->n_long_pauses = n_long;
    gc->long_pause_ns = an->opt.long_pause_ns;
    periodicity(starts, n_long, &gc->long_pause_period);
    an_sort_i64(all, an->n_pauses);
    an_sort_i64(gcp, n_gc);
    gc->pause_max_ns = an->n_pauses ? all[an->n_pauses - 1] : 0;
    gc->pause_p50_ns = an_percentile_sorted(all, an->n_pauses, 0.50);
    gc->pause_p99_ns = an_percentile_sorted(all, an->n_pauses, 0.99);
    gc->n_gc_pauses = n_gc;
    gc->gc_pause_max_ns = n_gc ? gcp[n_gc - 1] : 0;
    gc->gc_pause_p50_ns = an_percentile_sorted(gcp, n_gc, 0.50);
    gc->gc_pause_p99_ns = an_percentile_sorted(gcp, n_gc, 0.99);
    for (i = 0; i < an->n_cycles; i++)
        if (!an->cycles[i].started_before)
            starts[n_starts++] = an->cycles[i].start_ns;
    periodicity(starts, n_starts, &gc->cycle_period);
out:
    base_free(all);
    base_free(gcp);
    base_free(starts);
}

void an_gc_release(struct gorca_analysis *an)
{
    base_free(an->cycles);
    base_free(an->pauses);
    an_map_release(&an->sweep_open);
}
