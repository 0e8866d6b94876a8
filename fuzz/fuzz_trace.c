/* libFuzzer harness for the Go execution-trace reader (include/gorca/trace.h). Property: for
 * any input the reader and the probe return a status without crashing, leaking or reading out
 * of bounds; delivered event times strictly increase; every stack and frame handle an event
 * carries resolves; an error's offset lies inside the input; gorca_trace_each and the
 * statistics (the ordering loop's fast lane) deliver as many events as gorca_trace_next and
 * end with the same status. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "gorca/gorca.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_stack(const struct gorca_trace *tr, uint32_t stack)
{
    size_t n, i;
    const uint32_t *f = gorca_trace_stack_frames(tr, stack, &n);

    if (stack != 0 && stack > gorca_trace_stack_count(tr))
        abort();
    for (i = 0; i < n; i++) {
        const struct gorca_trace_frame *fr = gorca_trace_frame(tr, f[i]);

        if (fr == NULL || fr->func == NULL || fr->file == NULL)
            abort();
    }
}

struct each_state {
    int64_t last;
    unsigned long n;
};

static enum gorca_status each_event(void *arg, const struct gorca_trace_event *ev,
                                    struct gorca_error *err)
{
    struct each_state *s = arg;

    (void)err;
    if (ev->time <= s->last)
        abort();
    s->last = ev->time;
    s->n++;
    return GORCA_OK;
}

/* Reads the input again with gorca_trace_each and with the statistics, and checks both against
 * gorca_trace_next's n events and status st. */
static void check_other_loops(const uint8_t *data, size_t size,
                              const struct gorca_trace_options *opt, unsigned long n,
                              enum gorca_status st)
{
    struct each_state s = { INT64_MIN, 0 };
    struct gorca_trace_stats stats;
    struct gorca_trace *tr;
    struct gorca_error err;

    gorca_error_init(&err, "fuzz");
    if (gorca_trace_open_mem(data, size, "fuzz", opt, &tr, &err) != GORCA_OK)
        abort();
    if (gorca_trace_each(tr, each_event, &s, &err) != st || s.n != n)
        abort();
    gorca_trace_free(tr);
    gorca_error_init(&err, "fuzz");
    if (gorca_trace_open_mem(data, size, "fuzz", opt, &tr, &err) != GORCA_OK)
        abort();
    if (gorca_trace_stats_collect(tr, &stats, &err) != st || stats.events != n)
        abort();
    gorca_trace_free(tr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gorca_trace_options opt;
    struct gorca_trace *tr;
    struct gorca_error err;
    const struct gorca_trace_event *ev;
    struct gorca_trace_probe probe;
    struct gorca_buf b;
    enum gorca_status st;
    int64_t last = INT64_MIN;
    unsigned long n = 0;

    memset(&opt, 0, sizeof(opt));
    opt.limits.events = 1u << 20;
    opt.limits.arena_bytes = 64u << 20;
    opt.limits.input_bytes = 16u << 20;
    opt.max_generation_bytes = 4u << 20;
    gorca_error_init(&err, "fuzz");
    if (gorca_trace_probe_mem(data, size, &probe, &err) == GORCA_OK && probe.batches > size)
        abort();
    gorca_error_init(&err, "fuzz");
    if (gorca_trace_open_mem(data, size, "fuzz", &opt, &tr, &err) != GORCA_OK) {
        if (err.has_offset && err.offset > size)
            abort();
        return 0;
    }
    gorca_buf_init(&b, 1u << 20);
    while ((st = gorca_trace_next(tr, &ev, &err)) == GORCA_OK && ev != NULL && n++ < 2000000) {
        if (ev->time <= last)
            abort();
        last = ev->time;
        check_stack(tr, ev->stack);
        if (ev->kind == GORCA_TRACE_STATE_TRANSITION)
            check_stack(tr, ev->transition.stack);
        gorca_trace_format_go(tr, ev, &b);
        b.len = 0;
    }
    if (st != GORCA_OK && err.has_offset && err.offset > size)
        abort();
    gorca_buf_release(&b);
    gorca_trace_free(tr);
    if (n <= 2000000)
        check_other_loops(data, size, &opt, n, st);
    return 0;
}
