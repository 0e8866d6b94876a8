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

int tr_intern_fail(struct gorca_trace *tr, uint64_t off)
{
    if (tr->intern.limit_hit)
        return tr_fail(tr, GORCA_E_LIMIT, off,
                       "interned names and stacks exceed the arena limit of %llu bytes",
                       (unsigned long long)tr->intern.max_bytes);
    return tr_fail(tr, GORCA_E_NOMEM, off, "out of memory interning names and stacks");
}

void tr_queue_push(struct gorca_trace *tr, const struct tr_ev *ev)
{
    /* Capacity is never exceeded: one advance queues at most three events and the queue
     * is drained before the next advance. */
    unsigned slot = (tr->q_head + tr->q_len) % TR_QUEUE_CAP;

    tr->qstore[slot] = *ev;
    tr->queue[slot] = &tr->qstore[slot];
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
                   minor, minor,
                   minor == 11   ? 18
                   : minor == 19 ? 20
                                 : 21);
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
    unsigned t;

    if (tr == NULL)
        return NULL;
    for (t = 0; t < TR_N_SPECS; t++)
        tr->fast_nargs[t] = tr_specs[t].timed ? tr_specs[t].nargs : 0;
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
    base_free(tr->ring);
    base_free(tr->heap);
    base_free(tr->name);
    base_free(tr);
}

enum gorca_status gorca_trace_set_sync_mode(struct gorca_trace *tr, enum gorca_trace_sync_mode mode)
{
    if (tr->gens_read > 0 || tr->q_len > 0 || tr->done || tr->err.code != GORCA_OK ||
        (mode != GORCA_TRACE_SYNC_AT_START && mode != GORCA_TRACE_SYNC_AT_END))
        return GORCA_E_ARG;
    tr->opt.sync_mode = mode;
    return GORCA_OK;
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
