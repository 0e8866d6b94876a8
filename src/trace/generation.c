/* Generation assembly (go-trace-format.md §2, §4, §5, §9.4): reads batch headers, groups the
 * event batches of one generation per writer thread (in order of first appearance), and
 * decodes the generation's tables as they arrive: strings, stacks, CPU samples, frequency and
 * clock snapshot. At the end of the generation the tables are validated, every stack is
 * resolved to reader-lifetime frame and stack handles, and CPU samples are timed and sorted.
 *
 * A generation ends at Go 1.26's end-of-generation byte (0x34), or, before 1.26, where the
 * first batch of the next generation starts (that batch is kept for the next call).
 *
 * Item layout after the 16-byte header (§2.1-§2.2):
 *
 *     01 gen:uv m:uv time:uv size:uv payload[size]          event batch
 *     31 exp:u8 gen:uv m:uv time:uv size:uv payload[size]   experimental batch (1.23+)
 *     34                                                     end of generation (1.26+)
 */
#include <stdio.h>
#include <stdlib.h>
#include "trace_int.h"

void tr_gen_init(struct tr_gen *g)
{
    memset(g, 0, sizeof(*g));
    base_arena_init(&g->arena, 0);
    tr_map_init(&g->m_idx);
    tr_map_init(&g->pc_map);
    tr_map_init(&g->str_tab.sparse);
    tr_map_init(&g->stk_tab.sparse);
}

void tr_gen_release(struct tr_gen *g)
{
    base_arena_release(&g->arena);
    base_free(g->batches);
    base_free(g->ms);
    base_free(g->strs);
    base_free(g->stks);
    base_free(g->frames);
    base_free(g->samples);
    base_free(g->scratch);
    base_free(g->str_tab.dense);
    base_free(g->stk_tab.dense);
    tr_map_release(&g->m_idx);
    tr_map_release(&g->pc_map);
    tr_map_release(&g->str_tab.sparse);
    tr_map_release(&g->stk_tab.sparse);
    memset(g, 0, sizeof(*g));
}

/* Empties the generation but keeps its storage for the next one. */
void tr_gen_reset(struct tr_gen *g)
{
    base_arena_release(&g->arena);
    base_arena_init(&g->arena, 0);
    tr_map_clear(&g->m_idx);
    tr_map_clear(&g->pc_map);
    tr_map_clear(&g->str_tab.sparse);
    tr_map_clear(&g->stk_tab.sparse);
    g->str_tab.is_dense = g->stk_tab.is_dense = 0;
    g->str_tab.dense_len = g->stk_tab.dense_len = 0;
    g->gen = 0;
    g->n_batches = g->n_ms = g->n_strs = g->n_stks = g->n_frames = g->n_samples = 0;
    g->min_ts = 0;
    g->freq_k = 0;
    g->k_int = g->k_lim = 0;
    g->freq = 0;
    g->has_clock = 0;
    g->n_exp_batches = 0;
    g->start_off = g->end_off = 0;
}

/* ---- lookups -------------------------------------------------------------------------- */

/* Builds an id -> (index+1) table over n ids, dense when the ids are compact. Returns the
 * index of the first duplicate id, -1 when none, -2 when out of memory. */
static long idtab_build(struct tr_idtab *t, size_t n, uint64_t (*id_at)(const void *, size_t),
                        const void *arr)
{
    uint64_t max = 0;
    size_t i;

    for (i = 0; i < n; i++)
        max = BASE_MAX(max, id_at(arr, i));
    t->is_dense = max <= 4 * (uint64_t)n + 64;
    t->dense_len = 0;
    if (t->is_dense) {
        size_t need = (size_t)max + 1;

        if (need > t->dense_cap) {
            uint32_t *d = base_realloc(t->dense, need * sizeof(*d));

            if (d == NULL) {
                t->is_dense = 0;
                return -2;
            }
            t->dense = d;
            t->dense_cap = need;
        }
        t->dense_len = need;
        memset(t->dense, 0, need * sizeof(*t->dense));
        for (i = 0; i < n; i++) {
            uint64_t id = id_at(arr, i);

            if (t->dense[id] != 0)
                return (long)i;
            t->dense[id] = (uint32_t)i + 1;
        }
        return -1;
    }
    for (i = 0; i < n; i++) {
        uint64_t id = id_at(arr, i);

        if (tr_map_get(&t->sparse, id) != NULL)
            return (long)i;
        if (tr_map_put(&t->sparse, id, (uint32_t)i + 1) != 0)
            return -2;
    }
    return -1;
}

static uint64_t str_id_at(const void *arr, size_t i)
{
    const struct tr_gen *g = arr;

    return g->strs[i].id;
}

static uint64_t stk_id_at(const void *arr, size_t i)
{
    const struct tr_gen *g = arr;

    return g->stks[i].id;
}

struct tr_str tr_empty_str = { "", 0, "" };

/* ---- batch headers -------------------------------------------------------------------- */

int tr_read_batch_hdr(struct tr_src *s, uint64_t off, struct tr_batch_hdr *h,
                      struct gorca_error *err)
{
    static const char *const fields[] = { "gen", "M ID", "timestamp", "size" };
    uint64_t vals[4];
    size_t avail = 0;
    const uint8_t *p = tr_src_get(s, off, 42, &avail, err), *q, *end;
    int i;

    memset(h, 0, sizeof(*h));
    h->off = off;
    if (p == NULL) {
        if (err->code != GORCA_OK)
            return -1;
        if (avail == 0)
            return 0;
        p = tr_src_get(s, off, avail, &avail, err);
        if (p == NULL)
            return -1;
    }
    end = p + avail;
    h->type = p[0];
    if (h->type == TR_EV_END_OF_GENERATION) {
        h->pay_off = off + 1;
        return 1;
    }
    if (h->type != TR_EV_EVENT_BATCH && h->type != TR_EV_EXPERIMENTAL_BATCH) {
        GORCA_FAIL(err, GORCA_E_MALFORMED, (int64_t)off, "batch header",
                   "expected batch event (0x01), got byte 0x%02x", h->type);
        return -1;
    }
    q = p + 1;
    if (h->type == TR_EV_EXPERIMENTAL_BATCH) {
        if (q == end) {
            GORCA_FAIL(err, GORCA_E_TRUNCATED, (int64_t)off + 1, "batch header",
                       "input ends inside a batch header: expected experiment byte");
            return -1;
        }
        h->exp = *q++;
    }
    for (i = 0; i < 4; i++) {
        int r = tr_uvarint(&q, end, &vals[i]);

        if (r != 0) {
            GORCA_FAIL(err, r == -1 ? GORCA_E_TRUNCATED : GORCA_E_MALFORMED,
                       (int64_t)(off + (uint64_t)(q - p)), "batch header",
                       r == -1 ? "input ends inside a batch header: expected batch %s"
                               : "varint overflow reading batch %s",
                       fields[i]);
            return -1;
        }
    }
    h->gen = vals[0];
    h->m = vals[1];
    h->time = vals[2];
    h->size = vals[3];
    h->pay_off = off + (uint64_t)(q - p);
    if (h->size > TR_MAX_BATCH_SIZE) {
        GORCA_FAIL(err, GORCA_E_MALFORMED, (int64_t)off, "batch header",
                   "invalid batch size %llu, maximum is %u", (unsigned long long)h->size,
                   TR_MAX_BATCH_SIZE);
        return -1;
    }
    if (tr_src_get(s, h->pay_off, (size_t)h->size, &avail, err) == NULL) {
        if (err->code != GORCA_OK)
            return -1;
        h->hdr_ok = 1;
        GORCA_FAIL(err, GORCA_E_TRUNCATED, (int64_t)(h->pay_off + avail), "batch",
                   "input ends inside a batch of generation %llu: read %zu of %llu payload "
                   "bytes",
                   (unsigned long long)h->gen, avail, (unsigned long long)h->size);
        return -1;
    }
    h->hdr_ok = 1;
    return 1;
}

/* ---- tables --------------------------------------------------------------------------- */

#define NEED_VARINT(rc, what)                                                                    \
    do {                                                                                         \
        if ((rc) != 0)                                                                           \
            return tr_fail(tr, (rc) == -1 ? GORCA_E_MALFORMED : GORCA_E_MALFORMED,               \
                           base + (uint64_t)(p - pay),                                           \
                           (rc) == -1 ? "batch ends inside %s" : "varint overflow in %s", what); \
    } while (0)

static int parse_strings(struct gorca_trace *tr, const uint8_t *pay, size_t len, uint64_t base)
{
    struct tr_gen *g = &tr->gen;
    const uint8_t *p = pay + 1, *end = pay + len;

    while (p < end) {
        uint64_t id, n;
        int rc;
        char *copy;

        if (*p != TR_EV_STRING)
            return tr_fail(tr, GORCA_E_MALFORMED, base + (uint64_t)(p - pay),
                           "expected string event, got %u", *p);
        p++;
        rc = tr_uvarint(&p, end, &id);
        NEED_VARINT(rc, "a string id");
        rc = tr_uvarint(&p, end, &n);
        NEED_VARINT(rc, "a string length");
        if (n > TR_MAX_STRING)
            return tr_fail(tr, GORCA_E_MALFORMED, base + (uint64_t)(p - pay),
                           "invalid string size %llu, maximum is %u", (unsigned long long)n,
                           TR_MAX_STRING);
        if ((uint64_t)(end - p) < n)
            return tr_fail(tr, GORCA_E_MALFORMED, base + (uint64_t)(p - pay),
                           "failed to read full string: read %zu but wanted %llu",
                           (size_t)(end - p), (unsigned long long)n);
        if (base_grow((void **)&g->strs, &g->strs_cap, g->n_strs + 1, sizeof(*g->strs)))
            return tr_fail(tr, GORCA_E_NOMEM, base, "out of memory");
        copy = base_arena_strndup(&g->arena, (const char *)p, (size_t)n);
        if (copy == NULL)
            return tr_fail(tr, GORCA_E_NOMEM, base, "out of memory");
        g->strs[g->n_strs].id = id;
        g->strs[g->n_strs].str.s = copy;
        g->strs[g->n_strs].str.len = (uint32_t)n;
        g->strs[g->n_strs].str.interned = NULL;
        g->n_strs++;
        p += n;
    }
    return 0;
}

static int parse_stacks(struct gorca_trace *tr, const uint8_t *pay, size_t len, uint64_t base)
{
    struct tr_gen *g = &tr->gen;
    const uint8_t *p = pay + 1, *end = pay + len;

    while (p < end) {
        uint64_t id, n, i;
        uint64_t at = base + (uint64_t)(p - pay);
        int rc;
        struct tr_raw_stack *s;

        if (*p != TR_EV_STACK)
            return tr_fail(tr, GORCA_E_MALFORMED, at, "expected stack event, got %u", *p);
        p++;
        rc = tr_uvarint(&p, end, &id);
        NEED_VARINT(rc, "a stack id");
        rc = tr_uvarint(&p, end, &n);
        NEED_VARINT(rc, "a stack's frame count");
        if (n > TR_MAX_FRAMES)
            return tr_fail(tr, GORCA_E_MALFORMED, at, "invalid stack size %llu, maximum is %u",
                           (unsigned long long)n, TR_MAX_FRAMES);
        if (base_grow((void **)&g->stks, &g->stks_cap, g->n_stks + 1, sizeof(*g->stks)) ||
            base_grow((void **)&g->frames, &g->frames_cap, g->n_frames + n, sizeof(*g->frames)))
            return tr_fail(tr, GORCA_E_NOMEM, at, "out of memory");
        s = &g->stks[g->n_stks++];
        s->id = id;
        s->off = at;
        s->first_frame = (uint32_t)g->n_frames;
        s->n = (uint32_t)n;
        s->handle = 0;
        for (i = 0; i < n; i++) {
            struct tr_raw_frame *f = &g->frames[g->n_frames++];

            rc = tr_uvarint(&p, end, &f->pc);
            NEED_VARINT(rc, "a frame's PC");
            rc = tr_uvarint(&p, end, &f->func);
            NEED_VARINT(rc, "a frame's function string id");
            rc = tr_uvarint(&p, end, &f->file);
            NEED_VARINT(rc, "a frame's file string id");
            rc = tr_uvarint(&p, end, &f->line);
            NEED_VARINT(rc, "a frame's line");
        }
    }
    return 0;
}

static int parse_samples(struct gorca_trace *tr, const uint8_t *pay, size_t len, uint64_t base)
{
    struct tr_gen *g = &tr->gen;
    const uint8_t *p = pay + 1, *end = pay + len;

    while (p < end) {
        uint64_t v[5];
        int i, rc;
        struct tr_sample *s;

        if (*p != TR_EV_CPU_SAMPLE)
            return tr_fail(tr, GORCA_E_MALFORMED, base + (uint64_t)(p - pay),
                           "expected CPU sample event, got %u", *p);
        p++;
        for (i = 0; i < 5; i++) {
            rc = tr_uvarint(&p, end, &v[i]);
            NEED_VARINT(rc, "a CPU sample");
        }
        if (base_grow((void **)&g->samples, &g->samples_cap, g->n_samples + 1, sizeof(*g->samples)))
            return tr_fail(tr, GORCA_E_NOMEM, base, "out of memory");
        s = &g->samples[g->n_samples++];
        s->time = (int64_t)v[0]; /* ticks until the generation is finished */
        s->m = v[1];
        s->p = v[2];
        s->g = v[3];
        s->stack = v[4];
    }
    return 0;
}

/* Frequency batch (<1.25: "08 freq") or sync batch (1.25+: "32" then Frequency and
 * ClockSnapshot in any order, each at most once). */
static int parse_sync(struct gorca_trace *tr, const uint8_t *pay, size_t len, uint64_t base,
                      uint64_t batch_time)
{
    struct tr_gen *g = &tr->gen;
    const uint8_t *p = pay, *end = pay + len;
    uint64_t last = batch_time;

    if (tr->version >= 25)
        p++; /* the Sync byte */
    while (p < end) {
        uint8_t t = *p++;
        uint64_t v[4];
        int rc, i;

        if (t == TR_EV_FREQUENCY) {
            if (g->freq != 0)
                return tr_fail(tr, GORCA_E_MALFORMED, base + (uint64_t)(p - 1 - pay),
                               "found multiple frequency events");
            rc = tr_uvarint(&p, end, &v[0]);
            NEED_VARINT(rc, "a frequency");
            if (v[0] == 0)
                return tr_fail(tr, GORCA_E_MALFORMED, base + (uint64_t)(p - pay),
                               "invalid frequency 0");
            g->freq = v[0];
            g->freq_k = 1.0 / ((double)v[0] / 1e9);
            if (g->freq_k >= 1 && g->freq_k < 1048576 && g->freq_k == (double)(uint64_t)g->freq_k) {
                g->k_int = (uint64_t)g->freq_k;
                g->k_lim = ((uint64_t)1 << 53) / g->k_int;
            }
        } else if (t == TR_EV_CLOCK_SNAPSHOT && tr->version >= 25) {
            if (g->has_clock)
                return tr_fail(tr, GORCA_E_MALFORMED, base + (uint64_t)(p - 1 - pay),
                               "found multiple clock snapshot events");
            for (i = 0; i < 4; i++) {
                rc = tr_uvarint(&p, end, &v[i]);
                NEED_VARINT(rc, "a clock snapshot");
            }
            g->has_clock = 1;
            last += v[0];
            g->clock_ts = last;
            g->clock_mono = v[1];
            g->clock_sec = v[2];
            g->clock_nsec = v[3];
        } else {
            return tr_fail(tr, GORCA_E_MALFORMED, base + (uint64_t)(p - 1 - pay),
                           "expected frequency or clock snapshot event, got %u", t);
        }
    }
    return 0;
}

/* Files one batch of the current generation: tables are decoded now, event batches are
 * remembered per writer thread. */
static int process_batch(struct gorca_trace *tr, const struct tr_batch_hdr *h)
{
    struct tr_gen *g = &tr->gen;
    size_t avail;
    const uint8_t *pay = tr_src_get(&tr->src, h->pay_off, (size_t)h->size, &avail, &tr->err);
    size_t len = (size_t)h->size;
    uint8_t first;
    struct tr_batch *b;
    uint32_t *mi, bi;

    if (pay == NULL && len != 0)
        return tr_fail(tr, GORCA_E_INTERNAL, h->pay_off, "batch payload vanished");
    if (g->min_ts == 0 || h->time < g->min_ts)
        g->min_ts = h->time;
    if (h->type == TR_EV_EXPERIMENTAL_BATCH) {
        g->n_exp_batches++;
        return 0;
    }
    first = len ? pay[0] : 0;
    if (len && first == TR_EV_STRINGS)
        return parse_strings(tr, pay, len, h->pay_off);
    if (len && first == TR_EV_STACKS)
        return parse_stacks(tr, pay, len, h->pay_off);
    if (len && first == TR_EV_CPU_SAMPLES)
        return parse_samples(tr, pay, len, h->pay_off);
    if (len && ((first == TR_EV_FREQUENCY && tr->version < 25) ||
                (first == TR_EV_SYNC_BATCH && tr->version >= 25)))
        return parse_sync(tr, pay, len, h->pay_off, h->time);
    if (g->n_batches >= UINT32_MAX - 1 ||
        base_grow((void **)&g->batches, &g->batches_cap, g->n_batches + 1, sizeof(*g->batches)))
        return tr_fail(tr, GORCA_E_NOMEM, h->off, "out of memory");
    bi = (uint32_t)g->n_batches++;
    b = &g->batches[bi];
    b->off = h->pay_off;
    b->hdr_off = h->off;
    b->m = h->m;
    b->time = h->time;
    b->len = (uint32_t)len;
    b->next = UINT32_MAX;
    b->exp = 0;
    mi = tr_map_get(&g->m_idx, h->m);
    if (mi == NULL) {
        struct tr_gen_m *gm;

        if (base_grow((void **)&g->ms, &g->ms_cap, g->n_ms + 1, sizeof(*g->ms)) ||
            tr_map_put(&g->m_idx, h->m, (uint32_t)g->n_ms) != 0)
            return tr_fail(tr, GORCA_E_NOMEM, h->off, "out of memory");
        gm = &g->ms[g->n_ms++];
        gm->m = h->m;
        gm->first = gm->last = bi;
        gm->n_batches = 1;
    } else {
        struct tr_gen_m *gm = &g->ms[*mi];

        g->batches[gm->last].next = bi;
        gm->last = bi;
        gm->n_batches++;
    }
    return 0;
}

/* ---- end of generation ------------------------------------------------------------------ */

static int cmp_sample(const void *a, const void *b)
{
    const struct tr_sample *x = a, *y = b;

    return (x->time > y->time) - (x->time < y->time);
}

/* Stable sort of the samples by time (insertion sort for the usual handful, merge via index
 * otherwise). */
static int sort_samples(struct tr_gen *g)
{
    size_t i, n = g->n_samples;

    if (n <= 64) {
        for (i = 1; i < n; i++) {
            struct tr_sample s = g->samples[i];
            size_t j = i;

            while (j > 0 && g->samples[j - 1].time > s.time) {
                g->samples[j] = g->samples[j - 1];
                j--;
            }
            g->samples[j] = s;
        }
        return 0;
    }
    {
        /* Stable: sort (time, original index) pairs. */
        struct tr_sample *tmp = base_malloc(n * sizeof(*tmp));
        size_t width;

        if (tmp == NULL)
            return -1;
        for (width = 1; width < n; width *= 2) {
            size_t lo;

            for (lo = 0; lo < n; lo += 2 * width) {
                size_t mid = BASE_MIN(lo + width, n), hi = BASE_MIN(lo + 2 * width, n);
                size_t a = lo, b = mid, k = lo;

                while (a < mid && b < hi)
                    tmp[k++] = cmp_sample(&g->samples[b], &g->samples[a]) < 0 ? g->samples[b++]
                                                                              : g->samples[a++];
                while (a < mid)
                    tmp[k++] = g->samples[a++];
                while (b < hi)
                    tmp[k++] = g->samples[b++];
            }
            memcpy(g->samples, tmp, n * sizeof(*tmp));
        }
        base_free(tmp);
    }
    return 0;
}

static const char *intern_gen_string(struct gorca_trace *tr, uint64_t id, int *ok)
{
    struct tr_str *s = tr_gen_string(&tr->gen, id);

    *ok = s != NULL;
    if (s == NULL)
        return NULL;
    if (s->interned == NULL)
        s->interned = tr_intern_str(&tr->intern, s->s, s->len);
    return s->interned;
}

/* Resolves every stack of the generation to a stable handle (validating, as Go's reader
 * does, that the function and file names of each PC's first-seen frame exist). */
static int resolve_stacks(struct gorca_trace *tr)
{
    struct tr_gen *g = &tr->gen;
    size_t i, j;

    if (g->scratch == NULL) {
        g->scratch = base_malloc(TR_MAX_FRAMES * sizeof(*g->scratch));
        if (g->scratch == NULL)
            return tr_fail(tr, GORCA_E_NOMEM, g->start_off, "out of memory");
    }
    for (i = 0; i < g->n_stks; i++) {
        struct tr_raw_stack *s = &g->stks[i];

        for (j = 0; j < s->n; j++) {
            const struct tr_raw_frame *f = &g->frames[s->first_frame + j];
            uint32_t *h = tr_map_get(&g->pc_map, f->pc), fh;
            const char *func, *file;
            int ok;

            if (h != NULL) {
                g->scratch[j] = *h;
                continue;
            }
            func = intern_gen_string(tr, f->func, &ok);
            if (!ok)
                return tr_fail(tr, GORCA_E_MALFORMED, s->off,
                               "found invalid func string ID %llu for stack %llu",
                               (unsigned long long)f->func, (unsigned long long)s->id);
            file = intern_gen_string(tr, f->file, &ok);
            if (!ok)
                return tr_fail(tr, GORCA_E_MALFORMED, s->off,
                               "found invalid file string ID %llu for stack %llu",
                               (unsigned long long)f->file, (unsigned long long)s->id);
            if (func == NULL || file == NULL)
                return tr_intern_fail(tr, s->off);
            fh = tr_intern_frame(&tr->intern, f->pc, func, file, f->line);
            if (fh == 0 || tr_map_put(&g->pc_map, f->pc, fh) != 0)
                return tr_intern_fail(tr, s->off);
            g->scratch[j] = fh;
        }
        s->handle = tr_intern_stack(&tr->intern, g->scratch, s->n);
        if (s->handle == 0)
            return tr_intern_fail(tr, s->off);
    }
    return 0;
}

/* Once the stacks are resolved, the stack table maps an id straight to its stack's handle + 1
 * (one lookup per event instead of two); id 0 is the empty stack (handle 0), whatever the
 * trace says. */
static void stk_tab_to_handles(struct tr_gen *g)
{
    struct tr_idtab *t = &g->stk_tab;
    size_t i;

    if (t->is_dense) {
        for (i = 0; i < t->dense_len; i++)
            if (t->dense[i] != 0)
                t->dense[i] = g->stks[t->dense[i] - 1].handle + 1;
        t->dense[0] = 1;
        return;
    }
    for (i = 0; i < t->sparse.cap; i++)
        if (t->sparse.ents[i].used)
            t->sparse.ents[i].val = g->stks[t->sparse.ents[i].val - 1].handle + 1;
}

static int finish_generation(struct gorca_trace *tr)
{
    struct tr_gen *g = &tr->gen;
    long dup;
    size_t i;

    if (g->freq == 0)
        return tr_fail(tr, GORCA_E_MALFORMED, g->end_off, "no frequency event found");
    if (tr->version >= 25 && !g->has_clock)
        return tr_fail(tr, GORCA_E_MALFORMED, g->end_off, "no clock snapshot event found");
    dup = idtab_build(&g->str_tab, g->n_strs, str_id_at, g);
    if (dup == -2)
        return tr_fail(tr, GORCA_E_NOMEM, g->start_off, "out of memory");
    if (dup >= 0)
        return tr_fail(tr, GORCA_E_MALFORMED, g->start_off,
                       "multiple strings with the same ID: id=%llu",
                       (unsigned long long)g->strs[dup].id);
    dup = idtab_build(&g->stk_tab, g->n_stks, stk_id_at, g);
    if (dup == -2)
        return tr_fail(tr, GORCA_E_NOMEM, g->start_off, "out of memory");
    if (dup >= 0)
        return tr_fail(tr, GORCA_E_MALFORMED, g->stks[dup].off,
                       "multiple stacks with the same ID: id=%llu",
                       (unsigned long long)g->stks[dup].id);
    if (resolve_stacks(tr) != 0)
        return -1;
    stk_tab_to_handles(g);
    for (i = 0; i < g->n_samples; i++)
        g->samples[i].time = tr_mul(g->freq_k, (uint64_t)g->samples[i].time);
    if (sort_samples(g) != 0)
        return tr_fail(tr, GORCA_E_NOMEM, g->start_off, "out of memory");
    return 0;
}

/* ---- reading one generation --------------------------------------------------------------- */

static int check_gen_size(struct gorca_trace *tr, const struct tr_batch_hdr *h)
{
    uint64_t bytes = h->pay_off + h->size - tr->gen.start_off;

    if (bytes > tr->opt.max_generation_bytes)
        return tr_fail(
            tr, GORCA_E_LIMIT, h->off, "generation %llu is larger than the limit of %llu bytes",
            (unsigned long long)tr->gen.gen, (unsigned long long)tr->opt.max_generation_bytes);
    return 0;
}

/* Copies a framing error into the reader's error, adding the generation as context. */
static enum gorca_status framing_error(struct gorca_trace *tr, const struct gorca_error *e)
{
    if (tr->err.code == GORCA_OK) {
        tr->err = *e;
        tr->err.source = tr->name;
        if (tr->gen.gen) {
            char w[40];

            snprintf(w, sizeof(w), "%.20s", e->where);
            snprintf(tr->err.where, sizeof(tr->err.where), "generation %llu, %s",
                     (unsigned long long)tr->gen.gen, w);
        }
    }
    return tr->err.code;
}

/* Go 1.26+: batches up to the end-of-generation byte. */
static enum gorca_status read_gen_marked(struct gorca_trace *tr)
{
    struct tr_gen *g = &tr->gen;
    size_t n = 0;

    g->start_off = tr->pos;
    for (;;) {
        struct tr_batch_hdr h;
        struct gorca_error e;
        int r;

        gorca_error_init(&e, tr->name);
        r = tr_read_batch_hdr(&tr->src, tr->pos, &h, &e);
        if (r == 0) {
            if (n > 0) {
                tr_fail(tr, GORCA_E_TRUNCATED, tr->pos,
                        "trace ends inside the generation: expected more batches or the "
                        "end-of-generation marker (trace likely truncated)");
                return tr->err.code;
            }
            tr->input_done = 1;
            return GORCA_OK;
        }
        if (r < 0)
            return framing_error(tr, &e);
        if (h.type == TR_EV_END_OF_GENERATION) {
            tr->pos = h.pay_off;
            if (n == 0) {
                tr_fail(tr, GORCA_E_MALFORMED, h.off,
                        "end-of-generation marker without a generation before it (no "
                        "frequency event found)");
                return tr->err.code;
            }
            break;
        }
        if (h.gen == 0) {
            tr_fail(tr, GORCA_E_MALFORMED, h.off, "invalid generation number 0");
            return tr->err.code;
        }
        if (g->gen == 0) {
            g->gen = h.gen;
        } else if (h.gen != g->gen) {
            tr_fail(tr, GORCA_E_MALFORMED, h.off,
                    "broken trace: missing end-of-generation event, or generations are "
                    "interleaved (batch of generation %llu)",
                    (unsigned long long)h.gen);
            return tr->err.code;
        }
        if (check_gen_size(tr, &h) != 0 || process_batch(tr, &h) != 0)
            return tr->err.code;
        tr->pos = h.pay_off + h.size;
        n++;
    }
    g->end_off = tr->pos;
    return finish_generation(tr) == 0 ? GORCA_OK : tr->err.code;
}

/* Go 1.22-1.25: batches until the first batch of the next generation, which is kept. */
static enum gorca_status read_gen_spill(struct gorca_trace *tr)
{
    struct tr_gen *g = &tr->gen;

    g->start_off = tr->pos;
    if (tr->has_spill) {
        struct tr_batch_hdr h = tr->spill;

        tr->has_spill = 0;
        g->gen = h.gen;
        g->start_off = h.off;
        if (process_batch(tr, &h) != 0)
            return tr->err.code;
        g->min_ts = h.time;
    }
    for (;;) {
        struct tr_batch_hdr h;
        struct gorca_error e;
        int r;

        gorca_error_init(&e, tr->name);
        r = tr_read_batch_hdr(&tr->src, tr->pos, &h, &e);
        if (r == 0) {
            tr->input_done = 1;
            if (g->gen == 0)
                return GORCA_OK;
            break;
        }
        if (r < 0) {
            /* The input is cut inside a batch. Unless its header shows that it belongs to
             * this generation (which is then incomplete), the cut batch starts the next
             * generation and this one is complete, as Go's reader assumes: deliver it and
             * report the cut afterwards. */
            if (g->gen != 0 && e.code == GORCA_E_TRUNCATED && (!h.hdr_ok || h.gen != g->gen)) {
                tr->has_pending = 1;
                tr->pending = e;
                tr->input_done = 1;
                break;
            }
            return framing_error(tr, &e);
        }
        if (h.type == TR_EV_END_OF_GENERATION) {
            tr_fail(tr, GORCA_E_MALFORMED, h.off,
                    "unexpected end-of-generation marker (0x34) in a Go 1.%d trace", tr->version);
            return tr->err.code;
        }
        if (h.gen == 0) {
            tr_fail(tr, GORCA_E_MALFORMED, h.off, "invalid generation number 0");
            return tr->err.code;
        }
        if (g->gen == 0)
            g->gen = h.gen;
        if (h.gen == g->gen + 1) {
            tr->spill = h;
            tr->has_spill = 1;
            tr->pos = h.pay_off + h.size;
            break;
        }
        if (h.gen != g->gen) {
            tr_fail(tr, GORCA_E_MALFORMED, h.off,
                    "generations out of order: batch of generation %llu inside generation %llu",
                    (unsigned long long)h.gen, (unsigned long long)g->gen);
            return tr->err.code;
        }
        if (check_gen_size(tr, &h) != 0 || process_batch(tr, &h) != 0)
            return tr->err.code;
        tr->pos = h.pay_off + h.size;
    }
    g->end_off = tr->has_spill ? tr->spill.off : tr->pos;
    return finish_generation(tr) == 0 ? GORCA_OK : tr->err.code;
}

enum gorca_status tr_read_generation(struct gorca_trace *tr)
{
    tr_gen_reset(&tr->gen);
    if (tr->input_done && !tr->has_spill)
        return GORCA_OK;
    if (tr->version >= 26)
        return read_gen_marked(tr);
    return read_gen_spill(tr);
}
