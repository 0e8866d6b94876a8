/* Cheap trace probe for `gorca inspect` (include/gorca/trace.h): walks the batch headers,
 * skipping payloads, to count generations and batches, takes the start time from the first
 * generation's earliest batch and the end time from a timestamp-only decode of the last
 * complete generation's event and CPU-sample batches. No ordering, no per-event state. */
#include "trace_int.h"

struct probe_batch {
    uint64_t off;
    uint32_t len;
    uint64_t time;
    uint8_t kind; /* 0 events, 1 CPU samples */
};

struct probe_gen {
    uint64_t gen;
    uint64_t min_ts;
    double k;
    struct probe_batch *b;
    size_t n, cap;
};

static void pg_reset(struct probe_gen *g)
{
    g->gen = 0;
    g->min_ts = 0;
    g->k = 0;
    g->n = 0;
}

/* Latest timestamp (ns) in the generation's event and CPU-sample batches. */
static int64_t gen_end(struct tr_src *s, const struct probe_gen *g)
{
    int64_t end = INT64_MIN;
    size_t i;

    for (i = 0; i < g->n; i++) {
        const struct probe_batch *b = &g->b[i];
        size_t avail;
        struct gorca_error e;
        const uint8_t *p, *q;
        int64_t ts = 0;

        gorca_error_init(&e, NULL);
        p = tr_src_get(s, b->off, b->len, &avail, &e);
        if (p == NULL)
            continue;
        q = p + (b->kind == 1);
        while (q < p + b->len) {
            unsigned t = *q++, a;
            const struct tr_spec *sp = t < TR_N_SPECS ? &tr_specs[t] : NULL;
            uint64_t v;

            if (b->kind == 1) {
                uint64_t sv[5];

                if (t != TR_EV_CPU_SAMPLE)
                    break;
                for (a = 0; a < 5; a++)
                    if (tr_uvarint(&q, p + b->len, &sv[a]) != 0)
                        goto next;
                end = BASE_MAX(end, tr_mul(g->k, sv[0]));
                continue;
            }
            if (sp == NULL || !sp->timed || sp->nargs == 0)
                break;
            if (ts == 0)
                ts = tr_mul(g->k, b->time);
            if (tr_uvarint(&q, p + b->len, &v) != 0)
                break;
            ts = tr_add(tr_mul(g->k, v), ts);
            end = BASE_MAX(end, ts);
            for (a = 1; a < sp->nargs; a++)
                if (tr_uvarint(&q, p + b->len, &v) != 0)
                    goto next;
        }
    next:;
    }
    return end;
}

/* Frequency from a frequency/sync batch payload, 0 if none. */
static double payload_freq(const uint8_t *p, size_t n, int version)
{
    const uint8_t *q = p, *end = p + n;
    uint64_t f;

    if (version >= 25)
        q++;
    while (q < end) {
        uint8_t t = *q++;
        uint64_t v;
        int i;

        if (t == TR_EV_FREQUENCY) {
            if (tr_uvarint(&q, end, &f) != 0 || f == 0)
                return 0;
            return 1.0 / ((double)f / 1e9);
        }
        if (t != TR_EV_CLOCK_SNAPSHOT)
            return 0;
        for (i = 0; i < 4; i++)
            if (tr_uvarint(&q, end, &v) != 0)
                return 0;
    }
    return 0;
}

static enum gorca_status probe_src(struct tr_src *s, struct gorca_trace_probe *out,
                                   struct gorca_error *err)
{
    size_t avail = 0;
    const uint8_t *p = tr_src_get(s, 0, 16, &avail, err);
    struct probe_gen cur, last;
    uint64_t pos = 16;
    int minor, first_done = 0;
    enum gorca_status st;

    memset(out, 0, sizeof(*out));
    out->size_bytes = s->size;
    if (p == NULL && err->code != GORCA_OK)
        return err->code;
    if (p == NULL)
        p = tr_src_get(s, 0, avail, &avail, err);
    st = gorca_trace_header_version(p ? p : (const uint8_t *)"", p ? avail : 0, &minor, err);
    if (st != GORCA_OK)
        return st;
    out->go_version = minor;
    out->supported = minor == 22 || minor == 23 || minor == 25 || minor == 26;
    if (!out->supported)
        return GORCA_OK;
    memset(&cur, 0, sizeof(cur));
    memset(&last, 0, sizeof(last));
    for (;;) {
        struct tr_batch_hdr h;
        struct gorca_error e;
        int r;

        gorca_error_init(&e, NULL);
        r = tr_read_batch_hdr(s, pos, &h, &e);
        if (r == 0) {
            if (minor >= 26 && cur.gen != 0)
                out->status = GORCA_E_TRUNCATED;
            break;
        }
        if (r < 0) {
            out->status = e.code;
            break;
        }
        /* A generation ends at the marker (1.26+) or where the next one starts. */
        if (h.type == TR_EV_END_OF_GENERATION || (minor < 26 && cur.gen && h.gen != cur.gen)) {
            if (cur.gen) {
                struct probe_gen t = last;

                if (!first_done && cur.k > 0) {
                    out->start_ns = tr_mul(cur.k, cur.min_ts);
                    out->first_gen = cur.gen;
                    first_done = 1;
                }
                out->generations++;
                out->last_gen = cur.gen;
                last = cur;
                cur = t;
                pg_reset(&cur);
            }
            if (h.type == TR_EV_END_OF_GENERATION) {
                pos = h.pay_off;
                continue;
            }
        }
        out->batches++;
        if (cur.gen == 0)
            cur.gen = h.gen;
        if (cur.min_ts == 0 || h.time < cur.min_ts)
            cur.min_ts = h.time;
        if (h.type == TR_EV_EVENT_BATCH && h.size > 0) {
            const uint8_t *pay = tr_src_get(s, h.pay_off, 1, &avail, &e);
            uint8_t first = pay ? pay[0] : 0;
            int kind = -1;

            if ((first == TR_EV_FREQUENCY && minor < 25) ||
                (first == TR_EV_SYNC_BATCH && minor >= 25)) {
                pay = tr_src_get(s, h.pay_off, (size_t)h.size, &avail, &e);
                if (pay)
                    cur.k = payload_freq(pay, (size_t)h.size, minor);
            } else if (first == TR_EV_CPU_SAMPLES) {
                kind = 1;
            } else if (first != TR_EV_STRINGS && first != TR_EV_STACKS) {
                kind = 0;
            }
            if (kind >= 0) {
                if (base_grow((void **)&cur.b, &cur.cap, cur.n + 1, sizeof(*cur.b))) {
                    out->status = GORCA_E_NOMEM;
                    break;
                }
                cur.b[cur.n].off = h.pay_off;
                cur.b[cur.n].len = (uint32_t)h.size;
                cur.b[cur.n].time = h.time;
                cur.b[cur.n].kind = (uint8_t)kind;
                cur.n++;
            }
        }
        pos = h.pay_off + h.size;
    }
    /* Before 1.26 the generation open at the end of the input is complete when the input
     * ended cleanly. */
    if (minor < 26 && cur.gen && out->status == GORCA_OK) {
        if (!first_done && cur.k > 0) {
            out->start_ns = tr_mul(cur.k, cur.min_ts);
            out->first_gen = cur.gen;
            first_done = 1;
        }
        out->generations++;
        out->last_gen = cur.gen;
        {
            struct probe_gen t = last;

            last = cur;
            cur = t;
        }
    }
    if (last.gen && last.k > 0) {
        int64_t end = gen_end(s, &last);

        if (end != INT64_MIN) {
            out->end_ns = end;
            out->duration_ns = tr_span(end, out->start_ns);
        }
    }
    base_free(cur.b);
    base_free(last.b);
    return GORCA_OK;
}

enum gorca_status gorca_trace_probe_mem(const uint8_t *data, size_t len,
                                        struct gorca_trace_probe *out, struct gorca_error *err)
{
    struct tr_src s;

    tr_src_open_mem(&s, data, len);
    return probe_src(&s, out, err);
}

enum gorca_status gorca_trace_probe_file(const char *path, struct gorca_trace_probe *out,
                                         struct gorca_error *err)
{
    struct tr_src s;
    enum gorca_status st;

    memset(out, 0, sizeof(*out));
    st = tr_src_open_file(&s, path, 0, err);
    if (st == GORCA_OK)
        st = probe_src(&s, out, err);
    tr_src_close(&s);
    return st;
}
