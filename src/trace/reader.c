/* The trace reader (include/gorca/trace.h): header check, the generation-by-generation loop,
 * the k-way merge of per-thread event streams (go-trace-format.md §6.3) and the conversion of
 * ordered events into gorca_trace_event, with Go's reader's Sync events, CPU-sample
 * interleaving, table-id validation and strictly-increasing time fix-up.
 *
 * The merge reproduces Go's reader exactly, ties included: a binary min-heap of cursors keyed
 * on the next event's time, built in order of the threads' first batches; when the head
 * cannot advance the heap array is sorted (stably) and the others are tried in order. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "trace_int.h"
#include "gorca/io.h"

#define GIB (1024ull * 1024 * 1024)

/* ---- errors and the output queue ------------------------------------------------------ */

int tr_fail_at(struct gorca_trace *tr, int line, enum gorca_status code, uint64_t off,
               const char *fmt, ...)
{
    va_list ap;
    char where[64];

    if (tr->err.code != GORCA_OK)
        return -1;
    if (tr->gen.gen)
        snprintf(where, sizeof(where), "generation %llu", (unsigned long long)tr->gen.gen);
    else
        snprintf(where, sizeof(where), "trace");
    gorca_error_set(&tr->err, code, line, (int64_t)off, where, "%s", "");
    va_start(ap, fmt);
    vsnprintf(tr->err.detail, sizeof(tr->err.detail), fmt, ap);
    va_end(ap);
    return -1;
}

void tr_queue_push(struct gorca_trace *tr, const struct tr_ev *ev)
{
    /* Capacity is never exceeded: one advance queues at most three events and the queue
     * is drained before the next advance. */
    tr->queue[(tr->q_head + tr->q_len) % TR_QUEUE_CAP] = *ev;
    tr->q_len++;
}

/* ---- opening ------------------------------------------------------------------------------ */

int gorca_trace_sniff(const uint8_t *p, size_t n)
{
    int minor;
    struct gorca_error e;

    gorca_error_init(&e, NULL);
    return gorca_trace_header_version(p, n, &minor, &e) == GORCA_OK ? 100 : 0;
}

enum gorca_status gorca_trace_header_version(const uint8_t *p, size_t n, int *minor,
                                             struct gorca_error *err)
{
    size_t i = 5;
    int v = 0, digits = 0;

    *minor = 0;
    if (n < 16) {
        if (n >= 5 && memcmp(p, "go 1.", 5) != 0)
            goto bad;
        return GORCA_FAIL(err, GORCA_E_TRUNCATED, (int64_t)n, "header",
                          "input ends inside the 16-byte trace header");
    }
    if (memcmp(p, "go 1.", 5) != 0)
        goto bad;
    while (i < 16 && p[i] >= '0' && p[i] <= '9' && digits < 4) {
        v = v * 10 + (p[i] - '0');
        i++;
        digits++;
    }
    if (digits == 0 || i + 6 > 16 || memcmp(p + i, " trace", 6) != 0)
        goto bad;
    for (i += 6; i < 16; i++)
        if (p[i] != 0)
            goto bad;
    *minor = v;
    return GORCA_OK;
bad:
    return GORCA_FAIL(err, GORCA_E_MALFORMED, 0, "header",
                      "bad file format: not a Go execution trace (expected \"go 1.NN trace\" "
                      "header)");
}

static void resolve_options(struct gorca_trace *tr, const struct gorca_trace_options *opt)
{
    if (opt)
        tr->opt = *opt;
    else
        memset(&tr->opt, 0, sizeof(tr->opt));
    tr->opt.limits = gorca_limits_resolve(&tr->opt.limits);
    if (tr->opt.max_generation_bytes == 0)
        tr->opt.max_generation_bytes = GIB;
}

static enum gorca_status open_common(struct gorca_trace *tr, struct gorca_error *err)
{
    size_t avail = 0;
    const uint8_t *p;
    int minor;
    struct gorca_error e;

    gorca_error_init(&e, tr->name);
    p = tr_src_get(&tr->src, 0, 16, &avail, &e);
    if (p == NULL && e.code != GORCA_OK)
        goto fail;
    if (p == NULL)
        p = tr_src_get(&tr->src, 0, avail, &avail, &e);
    if (gorca_trace_header_version(p ? p : (const uint8_t *)"", p ? avail : 0, &minor, &e) !=
        GORCA_OK)
        goto fail;
    if (minor == 11 || minor == 19 || minor == 21) {
        GORCA_FAIL(&e, GORCA_E_UNSUPPORTED, 0, "header",
                   "legacy trace format \"go 1.%d\" (written by Go 1.%d-1.%d) is not supported; "
                   "gorca reads traces of Go 1.22 and newer",
                   minor, minor, minor == 11 ? 18 : minor == 19 ? 20 : 21);
        goto fail;
    }
    if (minor != 22 && minor != 23 && minor != 25 && minor != 26) {
        GORCA_FAIL(&e, GORCA_E_UNSUPPORTED, 0, "header",
                   "unknown or unsupported trace version go 1.%d (gorca reads 1.22-1.26)", minor);
        goto fail;
    }
    tr->version = minor;
    tr->pos = 16;
    return GORCA_OK;
fail:
    e.source = tr->name;
    if (err) {
        const char *src = err->source;

        if (err->code == GORCA_OK) {
            *err = e;
            err->source = src ? src : NULL;
        }
    }
    return e.code;
}

static struct gorca_trace *new_reader(const char *name, const struct gorca_trace_options *opt)
{
    struct gorca_trace *tr = base_calloc(1, sizeof(*tr));

    if (tr == NULL)
        return NULL;
    if (name) {
        tr->name = base_malloc(strlen(name) + 1);
        if (tr->name == NULL) {
            base_free(tr);
            return NULL;
        }
        memcpy(tr->name, name, strlen(name) + 1);
    }
    resolve_options(tr, opt);
    gorca_error_init(&tr->err, tr->name);
    tr_gen_init(&tr->gen);
    tr_order_init(&tr->order);
    tr_intern_init(&tr->intern, tr->opt.limits.arena_bytes);
    tr->src.fd = -1;
    return tr;
}

enum gorca_status gorca_trace_open_file(const char *path, const struct gorca_trace_options *opt,
                                        struct gorca_trace **out, struct gorca_error *err)
{
    struct gorca_trace *tr;
    enum gorca_status st;

    *out = NULL;
    tr = new_reader(path, opt);
    if (tr == NULL)
        return GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory");
    st = tr_src_open_file(&tr->src, path, tr->opt.limits.input_bytes, err);
    if (st == GORCA_OK)
        st = open_common(tr, err);
    if (st != GORCA_OK) {
        gorca_trace_free(tr);
        return st;
    }
    *out = tr;
    return GORCA_OK;
}

enum gorca_status gorca_trace_open_mem(const uint8_t *data, size_t len, const char *name,
                                       const struct gorca_trace_options *opt,
                                       struct gorca_trace **out, struct gorca_error *err)
{
    struct gorca_trace *tr;
    enum gorca_status st;

    *out = NULL;
    tr = new_reader(name, opt);
    if (tr == NULL)
        return GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory");
    tr_src_open_mem(&tr->src, data, len);
    if (len >= 2 && gorca_is_gzip(data, len)) {
        uint8_t *raw = NULL;
        size_t raw_len = 0;

        st = gorca_gunzip(data, len, tr->opt.limits.input_bytes, &raw, &raw_len, err);
        if (st != GORCA_OK) {
            gorca_trace_free(tr);
            return st;
        }
        tr_src_open_mem(&tr->src, raw, raw_len);
        tr->src.owned = raw;
    }
    st = open_common(tr, err);
    if (st != GORCA_OK) {
        gorca_trace_free(tr);
        return st;
    }
    *out = tr;
    return GORCA_OK;
}

void gorca_trace_free(struct gorca_trace *tr)
{
    if (tr == NULL)
        return;
    tr_src_close(&tr->src);
    tr_gen_release(&tr->gen);
    tr_order_release(&tr->order);
    tr_intern_release(&tr->intern);
    base_free(tr->cursors);
    base_free(tr->heap);
    base_free(tr->name);
    base_free(tr);
}

void gorca_trace_get_info(const struct gorca_trace *tr, struct gorca_trace_info *info)
{
    memset(info, 0, sizeof(*info));
    info->go_version = tr->version;
    info->size_bytes = tr->src.size;
    info->bytes_read = tr->pos;
    info->generations = tr->gens_read;
    info->first_gen = tr->first_gen;
    info->current_gen = tr->gen.gen;
    info->peak_generation_bytes = tr->peak_gen_bytes;
}

/* ---- cursors: one per writer thread ------------------------------------------------------ */

/* Loads batch bi into the cursor. */
static int cursor_load(struct gorca_trace *tr, struct tr_cursor *c, uint32_t bi)
{
    const struct tr_batch *b = &tr->gen.batches[bi];
    size_t avail;
    const uint8_t *p = b->len ? tr_src_get(&tr->src, b->off, b->len, &avail, &tr->err)
                              : (const uint8_t *)"";

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
    return tr_fail(tr, GORCA_E_MALFORMED, off, "%s %s", rc == -1 ? "batch ends inside" :
                   "varint overflow in", what);
}

/* Decodes the cursor's next event. Returns 1, 0 when its thread has no more events in the
 * generation, -1 on error. */
static int cursor_next(struct gorca_trace *tr, struct tr_cursor *c)
{
    const uint8_t *p;
    const struct tr_spec *sp;
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
        c->last_ts = tr_mul(tr->gen.freq_k, tr->gen.batches[c->batch].time);
    p = c->p;
    off = c->pay_off + (uint64_t)(p - c->start);
    type = *p++;
    if (type >= TR_N_SPECS)
        return tr_fail(tr, GORCA_E_MALFORMED, off, "found invalid event type: %u", type);
    sp = &tr_specs[type];
    if (sp->nargs == 0 || !sp->timed)
        return tr_fail(tr, GORCA_E_MALFORMED, off, "found event without a timestamp: type=%u",
                       type);
    rc = tr_uvarint(&p, c->end, &dt);
    if (rc != 0)
        return bad_varint(tr, off, rc, "an event timestamp");
    for (i = 0; i + 1 < sp->nargs; i++) {
        rc = tr_uvarint(&p, c->end, &c->ev.args[i]);
        if (rc != 0)
            return bad_varint(tr, off, rc, "an event argument");
    }
    for (; i < 4; i++)
        c->ev.args[i] = 0;
    c->ev.type = (uint8_t)type;
    c->ev.synthetic = 0;
    c->ev.extra[0] = c->ev.extra[1] = 0;
    c->ev.name = NULL;
    c->ev.offset = off;
    c->ev.time = tr_add(tr_mul(tr->gen.freq_k, dt), c->last_ts);
    c->last_ts = c->ev.time;
    c->p = p;
    return 1;
}

/* ---- the heap (Go's reader's exact operations, so ties resolve the same way) ----------- */

static inline int64_t ht(struct gorca_trace *tr, size_t i)
{
    return tr->heap[i]->ev.time;
}

static void heap_swap(struct gorca_trace *tr, size_t a, size_t b)
{
    struct tr_cursor *t = tr->heap[a];

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
    for (;;) {
        size_t m = i, l = 2 * i + 1, r = 2 * i + 2;
        int64_t mt = i < tr->heap_len ? ht(tr, i) : INT64_MAX;

        if (l < tr->heap_len && ht(tr, l) < mt) {
            mt = ht(tr, l);
            m = l;
        }
        if (r < tr->heap_len && ht(tr, r) < mt)
            m = r;
        if (m == i)
            return;
        heap_swap(tr, i, m);
        i = m;
    }
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
    sift_down(tr, 0);
}

/* Stable insertion sort by next-event time (Go sorts with pdqsort, which is insertion sort
 * up to 12 elements; beyond that, ties among equal times may be tried in another order). */
static void heap_sort_stable(struct gorca_trace *tr)
{
    size_t i;

    for (i = 1; i < tr->heap_len; i++) {
        struct tr_cursor *c = tr->heap[i];
        size_t j = i;

        while (j > 0 && tr->heap[j - 1]->ev.time > c->ev.time) {
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
    e.type = TR_EV_SYNC;
    e.time = time;
    e.m = e.p = e.g = GORCA_TRACE_NONE;
    e.extra[0] = (uint64_t)with_gen;
    tr_queue_push(tr, &e);
}

static int install_generation(struct gorca_trace *tr)
{
    struct tr_gen *g = &tr->gen;
    size_t i;
    uint64_t bytes = g->end_off - g->start_off;

    if (tr->gens_read == 0)
        tr->first_gen = g->gen;
    tr->gens_read++;
    if (bytes > tr->peak_gen_bytes)
        tr->peak_gen_bytes = bytes;
    if (base_grow((void **)&tr->cursors, &tr->cursors_cap, g->n_ms, sizeof(*tr->cursors)) ||
        base_grow((void **)&tr->heap, &tr->heap_cap, g->n_ms, sizeof(*tr->heap)))
        return tr_fail(tr, GORCA_E_NOMEM, g->start_off, "out of memory");
    tr->heap_len = 0;
    tr->sample_pos = 0;
    tr->gen_events = 0;
    for (i = 0; i < g->n_ms; i++) {
        struct tr_cursor *c = &tr->cursors[i];
        int r;

        c->m = g->ms[i].m;
        if (cursor_load(tr, c, g->ms[i].first) != 0)
            return -1;
        r = cursor_next(tr, c);
        if (r < 0)
            return -1;
        if (r == 0)
            continue;
        tr->heap[tr->heap_len++] = c;
        sift_up(tr, tr->heap_len - 1);
    }
    tr->gen_active = 1;
    if (tr->opt.sync_mode == GORCA_TRACE_SYNC_AT_START)
        queue_sync(tr, tr_mul(g->freq_k, g->min_ts), 1);
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
        const struct tr_cursor *c = tr->heap[i];
        int w = snprintf(buf + n, sizeof(buf) - n, "%sM %lld %s@%llu", i ? ", " : "",
                         (long long)c->m, gorca_trace_type_name(c->ev.type),
                         (unsigned long long)c->ev.offset);

        if (w < 0)
            break;
        n += (size_t)w;
    }
    tr_fail(tr, GORCA_E_MALFORMED, tr->heap_len ? tr->heap[0]->ev.offset : tr->gen.start_off,
            "broken trace: failed to advance: no thread's next event is valid (%s%s)", buf,
            tr->heap_len > 3 ? ", ..." : "");
}

/* Advances heap entry i. 1 = advanced, 0 = not ready, -1 = error. */
static int try_advance(struct gorca_trace *tr, size_t i)
{
    struct tr_cursor *c = tr->heap[i];
    int rc = tr_order_advance(tr, &c->ev, c->m, tr->gen.gen);

    if (rc != 1)
        return rc;
    rc = cursor_next(tr, c);
    if (rc < 0)
        return -1;
    if (rc == 1)
        heap_update(tr, i);
    else
        heap_remove(tr, i);
    return 1;
}

static void queue_sample(struct gorca_trace *tr)
{
    const struct tr_sample *s = &tr->gen.samples[tr->sample_pos++];
    struct tr_ev e;

    memset(&e, 0, sizeof(e));
    e.type = TR_EV_CPU_SAMPLE;
    e.time = s->time;
    e.m = (int64_t)s->m;
    e.p = (int64_t)s->p;
    e.g = s->g == 0 ? GORCA_TRACE_NONE : (int64_t)s->g;
    e.args[0] = s->stack;
    tr_queue_push(tr, &e);
}

/* Makes at least one event available in the queue. 1 = yes, 0 = clean end, -1 = error. */
static int fill_queue(struct gorca_trace *tr)
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

/* ---- delivery ------------------------------------------------------------------------------ */

static const char *event_string(struct gorca_trace *tr, const struct tr_ev *ev, uint64_t id)
{
    struct tr_str *s = tr_gen_string(&tr->gen, id);

    if (s == NULL)
        return NULL;
    if (s->interned == NULL)
        s->interned = tr_intern_str(&tr->intern, s->s, s->len);
    if (s->interned == NULL)
        tr_fail(tr, GORCA_E_LIMIT, ev->offset, "interned names exceed the arena limit");
    return s->interned;
}

/* Go's validateTableIDs: every stack and string id of the event must be in the tables. */
static int check_ids(struct gorca_trace *tr, const struct tr_ev *ev, const struct tr_spec *sp)
{
    unsigned i;
    uint32_t h;

    for (i = 0; i < 4; i++) {
        if ((sp->stack_mask >> i & 1) && !tr_gen_stack(&tr->gen, ev->args[i], &h))
            return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                           "found invalid stack ID %llu for event %s",
                           (unsigned long long)ev->args[i], sp->name);
        if ((sp->string_mask >> i & 1) && tr_gen_string(&tr->gen, ev->args[i]) == NULL)
            return tr_fail(tr, GORCA_E_MALFORMED, ev->offset,
                           "found invalid string ID %llu for event %s",
                           (unsigned long long)ev->args[i], sp->name);
    }
    return 0;
}

static void set_transition(struct gorca_trace_event *o, enum gorca_trace_resource res,
                           int64_t id, unsigned from, unsigned to)
{
    o->transition.resource = res;
    o->transition.id = id;
    o->transition.from = (uint8_t)from;
    o->transition.to = (uint8_t)to;
    o->transition.reason = "";
    o->transition.stack = 0;
}

static const uint8_t go_state_of[5] = { GORCA_TRACE_GO_UNDETERMINED, GORCA_TRACE_GO_RUNNABLE,
                                        GORCA_TRACE_GO_RUNNING, GORCA_TRACE_GO_SYSCALL,
                                        GORCA_TRACE_GO_WAITING };
static const uint8_t proc_state_of[5] = { GORCA_TRACE_PROC_UNDETERMINED, GORCA_TRACE_PROC_RUNNING,
                                          GORCA_TRACE_PROC_IDLE, GORCA_TRACE_PROC_RUNNING,
                                          GORCA_TRACE_PROC_IDLE };

static int fill_transition(struct gorca_trace *tr, const struct tr_ev *ev,
                           struct gorca_trace_event *o)
{
    const enum gorca_trace_resource G = GORCA_TRACE_RES_GOROUTINE, P = GORCA_TRACE_RES_PROC;

    switch (ev->type) {
    case GORCA_TRACE_EV_PROC_START:
        set_transition(o, P, (int64_t)ev->args[0], GORCA_TRACE_PROC_IDLE, GORCA_TRACE_PROC_RUNNING);
        break;
    case GORCA_TRACE_EV_PROC_STOP:
        set_transition(o, P, ev->p, GORCA_TRACE_PROC_RUNNING, GORCA_TRACE_PROC_IDLE);
        break;
    case GORCA_TRACE_EV_PROC_STEAL:
        set_transition(o, P, (int64_t)ev->args[0],
                       ev->extra[0] == TR_P_SYSCALL_ABANDONED ? GORCA_TRACE_PROC_IDLE
                                                              : GORCA_TRACE_PROC_RUNNING,
                       GORCA_TRACE_PROC_IDLE);
        break;
    case GORCA_TRACE_EV_PROC_STATUS:
        set_transition(o, P, (int64_t)ev->args[0], (unsigned)ev->extra[0],
                       proc_state_of[ev->args[1] < 5 ? ev->args[1] : 0]);
        break;
    case GORCA_TRACE_EV_GO_CREATE:
    case GORCA_TRACE_EV_GO_CREATE_BLOCKED:
        set_transition(o, G, (int64_t)ev->args[0], GORCA_TRACE_GO_NOT_EXIST,
                       ev->type == GORCA_TRACE_EV_GO_CREATE ? GORCA_TRACE_GO_RUNNABLE
                                                            : GORCA_TRACE_GO_WAITING);
        tr_gen_stack(&tr->gen, ev->args[1], &o->transition.stack);
        break;
    case GORCA_TRACE_EV_GO_CREATE_SYSCALL:
        set_transition(o, G, (int64_t)ev->args[0], GORCA_TRACE_GO_NOT_EXIST,
                       GORCA_TRACE_GO_SYSCALL);
        break;
    case GORCA_TRACE_EV_GO_START:
        set_transition(o, G, (int64_t)ev->args[0], GORCA_TRACE_GO_RUNNABLE,
                       GORCA_TRACE_GO_RUNNING);
        break;
    case GORCA_TRACE_EV_GO_DESTROY:
        set_transition(o, G, ev->g, GORCA_TRACE_GO_RUNNING, GORCA_TRACE_GO_NOT_EXIST);
        break;
    case GORCA_TRACE_EV_GO_DESTROY_SYSCALL:
        set_transition(o, G, ev->g, GORCA_TRACE_GO_SYSCALL, GORCA_TRACE_GO_NOT_EXIST);
        break;
    case GORCA_TRACE_EV_GO_STOP:
    case GORCA_TRACE_EV_GO_BLOCK:
        set_transition(o, G, ev->g, GORCA_TRACE_GO_RUNNING,
                       ev->type == GORCA_TRACE_EV_GO_STOP ? GORCA_TRACE_GO_RUNNABLE
                                                          : GORCA_TRACE_GO_WAITING);
        o->transition.reason = event_string(tr, ev, ev->args[0]);
        if (o->transition.reason == NULL)
            return -1;
        o->transition.stack = o->stack;
        break;
    case GORCA_TRACE_EV_GO_UNBLOCK:
    case GORCA_TRACE_EV_GO_SWITCH:
    case GORCA_TRACE_EV_GO_SWITCH_DESTROY:
        set_transition(o, G, (int64_t)ev->args[0], GORCA_TRACE_GO_WAITING,
                       GORCA_TRACE_GO_RUNNABLE);
        break;
    case GORCA_TRACE_EV_GO_SYSCALL_BEGIN:
        set_transition(o, G, ev->g, GORCA_TRACE_GO_RUNNING, GORCA_TRACE_GO_SYSCALL);
        o->transition.stack = o->stack;
        break;
    case GORCA_TRACE_EV_GO_SYSCALL_END:
        set_transition(o, G, ev->g, GORCA_TRACE_GO_SYSCALL, GORCA_TRACE_GO_RUNNING);
        break;
    case GORCA_TRACE_EV_GO_SYSCALL_END_BLOCKED:
        set_transition(o, G, ev->g, GORCA_TRACE_GO_SYSCALL, GORCA_TRACE_GO_RUNNABLE);
        break;
    case GORCA_TRACE_EV_GO_STATUS:
    case GORCA_TRACE_EV_GO_STATUS_STACK:
        set_transition(o, G, (int64_t)ev->args[0], (unsigned)ev->extra[0],
                       go_state_of[ev->args[2] < 5 ? ev->args[2] : 0]);
        o->transition.stack = o->stack;
        break;
    }
    return 0;
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
    switch (ev->type) {
    case GORCA_TRACE_EV_STW_BEGIN:
    case GORCA_TRACE_EV_STW_END: {
        const char *kind =
            ev->type == GORCA_TRACE_EV_STW_BEGIN ? event_string(tr, ev, ev->args[0]) : ev->name;
        int n;

        if (kind == NULL)
            return -1;
        r->type = GORCA_TRACE_RANGE_STW;
        r->stw_kind = kind;
        r->scope = GORCA_TRACE_RES_GOROUTINE;
        r->scope_id = ev->g;
        n = snprintf(tr->range_name, sizeof(tr->range_name), "stop-the-world (%s)", kind);
        r->name = tr_intern_str(&tr->intern, tr->range_name,
                                n < 0 ? 0 : BASE_MIN((size_t)n, sizeof(tr->range_name) - 1));
        if (r->name == NULL)
            return tr_fail(tr, GORCA_E_LIMIT, ev->offset, "interned names exceed the limit");
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
            ev->type == GORCA_TRACE_EV_GC_SWEEP_ACTIVE ? (int64_t)ev->args[0] : ev->p;
        if (ev->type == GORCA_TRACE_EV_GC_SWEEP_END) {
            r->n_attrs = 2;
            r->attrs[0].name = "bytes swept";
            r->attrs[0].value = ev->args[0];
            r->attrs[1].name = "bytes reclaimed";
            r->attrs[1].value = ev->args[1];
        }
        break;
    default:
        r->type = GORCA_TRACE_RANGE_MARK_ASSIST;
        r->scope = GORCA_TRACE_RES_GOROUTINE;
        r->scope_id =
            ev->type == GORCA_TRACE_EV_GC_MARK_ASSIST_ACTIVE ? (int64_t)ev->args[0] : ev->g;
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

static int fill_details(struct gorca_trace *tr, const struct tr_ev *ev, struct gorca_trace_event *o)
{
    const struct tr_spec *sp = &tr_specs[ev->type];

    switch (o->kind) {
    case GORCA_TRACE_STATE_TRANSITION:
        return fill_transition(tr, ev, o);
    case GORCA_TRACE_RANGE_BEGIN:
    case GORCA_TRACE_RANGE_ACTIVE:
    case GORCA_TRACE_RANGE_END:
        return fill_range(tr, ev, o);
    case GORCA_TRACE_METRIC:
        o->metric.metric = ev->type == GORCA_TRACE_EV_PROCS_CHANGE ? GORCA_TRACE_METRIC_GOMAXPROCS
                           : ev->type == GORCA_TRACE_EV_HEAP_ALLOC ? GORCA_TRACE_METRIC_HEAP_ALLOC
                                                                    : GORCA_TRACE_METRIC_HEAP_GOAL;
        o->metric.name = metric_names[o->metric.metric];
        o->metric.value = ev->args[0];
        return 0;
    case GORCA_TRACE_LABEL:
        o->label.label = event_string(tr, ev, ev->args[0]);
        o->label.g = ev->g;
        return o->label.label ? 0 : -1;
    case GORCA_TRACE_TASK_BEGIN:
        o->task.id = ev->args[0];
        o->task.parent = ev->args[1];
        o->task.type = event_string(tr, ev, ev->args[2]);
        return o->task.type ? 0 : -1;
    case GORCA_TRACE_TASK_END:
        o->task.id = ev->args[0];
        o->task.parent = ev->extra[0];
        o->task.type = ev->name ? ev->name : "";
        return 0;
    case GORCA_TRACE_REGION_BEGIN:
    case GORCA_TRACE_REGION_END:
        o->region.task = ev->args[0];
        o->region.type = event_string(tr, ev, ev->args[1]);
        return o->region.type ? 0 : -1;
    case GORCA_TRACE_LOG: {
        const struct tr_str *msg = tr_gen_string(&tr->gen, ev->args[2]);

        o->log.task = ev->args[0];
        o->log.category = event_string(tr, ev, ev->args[1]);
        o->log.message = msg ? msg->s : "";
        o->log.message_len = msg ? msg->len : 0;
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

/* Converts the queued event into tr->out: validation, time fix-up, details. */
static int deliver(struct gorca_trace *tr, const struct tr_ev *ev)
{
    struct gorca_trace_event *o = &tr->out;
    int64_t t = ev->time;

    memset(o, 0, sizeof(*o));
    o->type = ev->type;
    o->synthetic = ev->synthetic;
    o->m = ev->m;
    o->p = ev->p;
    o->g = ev->g;
    o->gen = tr->gen.gen;
    o->offset = ev->offset;
    memcpy(o->args, ev->args, sizeof(o->args));
    if (ev->type == TR_EV_SYNC) {
        o->kind = GORCA_TRACE_SYNC;
        tr->syncs++;
        fill_sync(tr, ev, o);
    } else if (ev->type == TR_EV_CPU_SAMPLE) {
        o->kind = GORCA_TRACE_STACK_SAMPLE;
        if (!tr_gen_stack(&tr->gen, ev->args[0], &o->stack))
            return tr_fail(tr, GORCA_E_MALFORMED, tr->gen.start_off,
                           "found invalid stack ID %llu for CPU sample",
                           (unsigned long long)ev->args[0]);
    } else {
        const struct tr_spec *sp = &tr_specs[ev->type];

        if (check_ids(tr, ev, sp) != 0)
            return -1;
        o->kind = (enum gorca_trace_kind)sp->kind;
        if (sp->stack_arg >= 0)
            tr_gen_stack(&tr->gen, ev->args[sp->stack_arg], &o->stack);
        if (fill_details(tr, ev, o) != 0)
            return -1;
        if (++tr->gen_events > tr->opt.limits.events)
            return tr_fail(tr, GORCA_E_LIMIT, ev->offset,
                           "more than %llu events in one generation",
                           (unsigned long long)tr->opt.limits.events);
    }
    if (t <= tr->last_ts)
        t = tr->last_ts + 1;
    tr->last_ts = t;
    o->time = t;
    return 0;
}

enum gorca_status gorca_trace_next(struct gorca_trace *tr, const struct gorca_trace_event **ev,
                                   struct gorca_error *err)
{
    int rc;

    *ev = NULL;
    if (tr->err.code == GORCA_OK && !tr->done) {
        rc = fill_queue(tr);
        if (rc == 0) {
            tr->done = 1;
        } else if (rc > 0) {
            struct tr_ev e = tr->queue[tr->q_head];

            tr->q_head = (tr->q_head + 1) % TR_QUEUE_CAP;
            tr->q_len--;
            if (deliver(tr, &e) == 0) {
                *ev = &tr->out;
                return GORCA_OK;
            }
        }
    }
    if (tr->err.code == GORCA_OK)
        return GORCA_OK;
    if (err && err->code == GORCA_OK) {
        const char *src = err->source;

        *err = tr->err;
        if (tr->err.source == NULL)
            err->source = src;
    }
    return tr->err.code;
}
