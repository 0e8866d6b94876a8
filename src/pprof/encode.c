/* profile.proto encoder (pprof-formats.md §1.6): writes a model in schema order with a fresh
 * string table (entry 0 = ""), packing repeated scalars longer than two as google/pprof does,
 * keeping every id, value, label and header field, so decoding the output gives back an equal
 * model and go tool pprof -raw prints the same text for it. Optional gzip on top. */
#include "pprof_int.h"
#include "gorca/io.h"

/* ---- string table ------------------------------------------------------------------------- */

struct strtab {
    struct gorca_strv *v; /* index -> string (borrowed from the profile) */
    size_t n, cap;
    struct pb_set set;
    int failed;
};

struct st_key {
    struct strtab *t;
    struct gorca_strv s;
};

static int st_eq(void *ctx, uint32_t i)
{
    struct st_key *k = ctx;

    return pb_strv_same(k->t->v[i], k->s);
}

/* Index of s, added on first use. */
static uint64_t st_add(struct strtab *t, struct gorca_strv s)
{
    struct st_key k = { t, s };
    uint64_t h = base_hash_bytes(s.len ? s.ptr : "", s.len, 3);
    uint32_t found;
    size_t slot;

    if (t->failed || pb_set_reserve(&t->set) != 0) {
        t->failed = 1;
        return 0;
    }
    slot = pb_set_find(&t->set, h, st_eq, &k, &found);
    if (found)
        return found - 1;
    if (base_grow((void **)&t->v, &t->cap, t->n + 1, sizeof(*t->v)) != 0) {
        t->failed = 1;
        return 0;
    }
    t->v[t->n] = s;
    pb_set_insert_at(&t->set, slot, h, (uint32_t)t->n);
    return t->n++;
}

/* ---- wire helpers -------------------------------------------------------------------------- */

static size_t vsize(uint64_t v)
{
    size_t n = 1;

    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static void put_varint(struct gorca_buf *b, uint64_t v)
{
    uint8_t tmp[10];
    size_t n = 0;

    while (v >= 0x80) {
        tmp[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    tmp[n++] = (uint8_t)v;
    gorca_buf_append(b, tmp, n);
}

static void put_key(struct gorca_buf *b, unsigned field, unsigned wt)
{
    put_varint(b, (uint64_t)field << 3 | wt);
}

/* Field with a varint value, skipped when zero (proto3 "Opt" encoding). */
static void put_opt(struct gorca_buf *b, unsigned field, uint64_t v)
{
    if (v == 0)
        return;
    put_key(b, field, 0);
    put_varint(b, v);
}

static size_t opt_size(unsigned field, uint64_t v)
{
    return v == 0 ? 0 : vsize((uint64_t)field << 3) + vsize(v);
}

static void put_len(struct gorca_buf *b, unsigned field, size_t len)
{
    put_key(b, field, 2);
    put_varint(b, len);
}

/* ---- messages ------------------------------------------------------------------------------ */

struct enc {
    const struct gorca_profile *p;
    struct gorca_buf *out;
    struct strtab st;
};

static uint64_t S(struct enc *e, struct gorca_strv s)
{
    return st_add(&e->st, s);
}

static void enc_value_type(struct enc *e, unsigned field, const struct gorca_value_type *vt)
{
    uint64_t t = S(e, vt->type), u = S(e, vt->unit);

    put_len(e->out, field, opt_size(1, t) + opt_size(2, u));
    put_opt(e->out, 1, t);
    put_opt(e->out, 2, u);
}

/* A repeated varint field: packed when longer than two, else one field per element. */
static size_t rep_size(unsigned field, const uint64_t *v, size_t n)
{
    size_t body = 0;

    for (size_t i = 0; i < n; i++)
        body += vsize(v[i]);
    if (n > 2)
        return vsize((uint64_t)field << 3 | 2) + vsize(body) + body;
    return n * vsize((uint64_t)field << 3) + body;
}

static void put_rep(struct gorca_buf *b, unsigned field, const uint64_t *v, size_t n)
{
    if (n > 2) {
        size_t body = 0;

        for (size_t i = 0; i < n; i++)
            body += vsize(v[i]);
        put_len(b, field, body);
        for (size_t i = 0; i < n; i++)
            put_varint(b, v[i]);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        put_key(b, field, 0);
        put_varint(b, v[i]);
    }
}

static int enc_sample(struct enc *e, const struct gorca_sample *s, uint64_t **scratch, size_t *cap)
{
    const struct gorca_profile *p = e->p;
    size_t need = BASE_MAX(s->n_locs, p->n_sample_types) + 1, size, lsize[64];
    uint64_t lab[64][4];
    uint64_t *ids;

    if (base_grow((void **)scratch, cap, need * 2, sizeof(uint64_t)) != 0)
        return -1;
    ids = *scratch;
    for (uint32_t i = 0; i < s->n_locs; i++)
        ids[i] = p->locations[s->locs[i]].id;
    size = rep_size(1, ids, s->n_locs);
    for (size_t i = 0; i < p->n_sample_types; i++)
        ids[need + i] = (uint64_t)s->values[i];
    size += rep_size(2, ids + need, p->n_sample_types);
    for (uint32_t i = 0; i < s->n_labels; i++) {
        const struct gorca_label *l = &s->labels[i];
        uint64_t k = S(e, l->key), st = S(e, l->str), u = S(e, l->num_unit);
        size_t ls =
            opt_size(1, k) + opt_size(2, st) + opt_size(3, (uint64_t)l->num) + opt_size(4, u);

        size += vsize(3 << 3 | 2) + vsize(ls) + ls;
        if (i < 64) {
            lab[i][0] = k;
            lab[i][1] = st;
            lab[i][2] = (uint64_t)l->num;
            lab[i][3] = u;
            lsize[i] = ls;
        }
    }
    put_len(e->out, 2, size);
    put_rep(e->out, 1, ids, s->n_locs);
    put_rep(e->out, 2, ids + need, p->n_sample_types);
    for (uint32_t i = 0; i < s->n_labels; i++) {
        const struct gorca_label *l = &s->labels[i];
        uint64_t k, st, u;
        size_t ls;

        if (i < 64) {
            k = lab[i][0];
            st = lab[i][1];
            u = lab[i][3];
            ls = lsize[i];
        } else {
            k = S(e, l->key);
            st = S(e, l->str);
            u = S(e, l->num_unit);
            ls = opt_size(1, k) + opt_size(2, st) + opt_size(3, (uint64_t)l->num) + opt_size(4, u);
        }
        put_len(e->out, 3, ls);
        put_opt(e->out, 1, k);
        put_opt(e->out, 2, st);
        put_opt(e->out, 3, (uint64_t)l->num);
        put_opt(e->out, 4, u);
    }
    return 0;
}

static void enc_mapping(struct enc *e, const struct gorca_mapping *m)
{
    uint64_t f = S(e, m->filename), bid = S(e, m->build_id);
    size_t size = opt_size(1, m->id) + opt_size(2, m->memory_start) + opt_size(3, m->memory_limit) +
                  opt_size(4, m->file_offset) + opt_size(5, f) + opt_size(6, bid) +
                  opt_size(7, m->has_functions) + opt_size(8, m->has_filenames) +
                  opt_size(9, m->has_line_numbers) + opt_size(10, m->has_inline_frames);

    put_len(e->out, 3, size);
    put_opt(e->out, 1, m->id);
    put_opt(e->out, 2, m->memory_start);
    put_opt(e->out, 3, m->memory_limit);
    put_opt(e->out, 4, m->file_offset);
    put_opt(e->out, 5, f);
    put_opt(e->out, 6, bid);
    put_opt(e->out, 7, m->has_functions);
    put_opt(e->out, 8, m->has_filenames);
    put_opt(e->out, 9, m->has_line_numbers);
    put_opt(e->out, 10, m->has_inline_frames);
}

static size_t line_size(const struct gorca_line *ln)
{
    return opt_size(1, ln->function->id) + opt_size(2, (uint64_t)ln->line) +
           opt_size(3, (uint64_t)ln->column);
}

static void enc_location(struct enc *e, const struct gorca_location *l)
{
    uint64_t mid = l->mapping ? l->mapping->id : 0;
    size_t size =
        opt_size(1, l->id) + opt_size(2, mid) + opt_size(3, l->address) + opt_size(5, l->is_folded);

    for (uint32_t i = 0; i < l->n_lines; i++) {
        size_t ls = line_size(&l->lines[i]);

        size += vsize(4 << 3 | 2) + vsize(ls) + ls;
    }
    put_len(e->out, 4, size);
    put_opt(e->out, 1, l->id);
    put_opt(e->out, 2, mid);
    put_opt(e->out, 3, l->address);
    for (uint32_t i = 0; i < l->n_lines; i++) {
        const struct gorca_line *ln = &l->lines[i];

        put_len(e->out, 4, line_size(ln));
        put_opt(e->out, 1, ln->function->id);
        put_opt(e->out, 2, (uint64_t)ln->line);
        put_opt(e->out, 3, (uint64_t)ln->column);
    }
    put_opt(e->out, 5, l->is_folded);
}

static void enc_function(struct enc *e, const struct gorca_function *f)
{
    uint64_t n = S(e, f->name), sn = S(e, f->system_name), fn = S(e, f->filename);
    size_t size = opt_size(1, f->id) + opt_size(2, n) + opt_size(3, sn) + opt_size(4, fn) +
                  opt_size(5, (uint64_t)f->start_line);

    put_len(e->out, 5, size);
    put_opt(e->out, 1, f->id);
    put_opt(e->out, 2, n);
    put_opt(e->out, 3, sn);
    put_opt(e->out, 4, fn);
    put_opt(e->out, 5, (uint64_t)f->start_line);
}

static enum gorca_status encode_raw(const struct gorca_profile *p, struct gorca_buf *out,
                                    struct gorca_error *err)
{
    struct enc e;
    struct gorca_strv empty = { "", 0 };
    uint64_t *scratch = NULL, *cidx = NULL;
    size_t cap = 0;
    uint64_t drop, keep, dflt, doc;

    memset(&e, 0, sizeof(e));
    e.p = p;
    e.out = out;
    pb_set_init(&e.st.set);
    (void)S(&e, empty);
    for (size_t i = 0; i < p->n_sample_types; i++)
        enc_value_type(&e, 1, &p->sample_types[i]);
    for (size_t i = 0; i < p->n_samples && !out->failed; i++)
        if (enc_sample(&e, &p->samples[i], &scratch, &cap) != 0)
            e.st.failed = 1;
    for (size_t i = 0; i < p->n_mappings; i++)
        enc_mapping(&e, &p->mappings[i]);
    for (size_t i = 0; i < p->n_locations && !out->failed; i++)
        enc_location(&e, &p->locations[i]);
    for (size_t i = 0; i < p->n_functions && !out->failed; i++)
        enc_function(&e, &p->functions[i]);
    /* Strings of the header come before the table is written. */
    drop = S(&e, p->drop_frames);
    keep = S(&e, p->keep_frames);
    dflt = S(&e, p->default_sample_type);
    doc = S(&e, p->doc_url);
    cidx = base_malloc((p->n_comments + 1) * sizeof(uint64_t));
    if (cidx == NULL)
        e.st.failed = 1;
    for (size_t i = 0; cidx && i < p->n_comments; i++)
        cidx[i] = S(&e, p->comments[i]);
    if (p->period_type.type.len || p->period_type.unit.len) {
        (void)S(&e, p->period_type.type);
        (void)S(&e, p->period_type.unit);
    }
    for (size_t i = 0; i < e.st.n; i++) {
        put_len(out, 6, e.st.v[i].len);
        gorca_buf_append(out, e.st.v[i].ptr, e.st.v[i].len);
    }
    put_opt(out, 7, drop);
    put_opt(out, 8, keep);
    put_opt(out, 9, (uint64_t)p->time_nanos);
    put_opt(out, 10, (uint64_t)p->duration_nanos);
    if (p->period_type.type.len || p->period_type.unit.len)
        enc_value_type(&e, 11, &p->period_type);
    put_opt(out, 12, (uint64_t)p->period);
    if (cidx)
        put_rep(out, 13, cidx, p->n_comments);
    put_opt(out, 14, dflt);
    put_opt(out, 15, doc);
    base_free(cidx);
    base_free(scratch);
    base_free(e.st.v);
    pb_set_release(&e.st.set);
    if (e.st.failed && !out->failed)
        return GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory encoding");
    return gorca_buf_status(out, err);
}

enum gorca_status gorca_profile_encode(const struct gorca_profile *p, int gzip_level,
                                       struct gorca_buf *out, struct gorca_error *err)
{
    struct gorca_buf raw;
    uint8_t *z;
    size_t zlen;
    enum gorca_status st;

    if (gzip_level <= 0)
        return encode_raw(p, out, err);
    gorca_buf_init(&raw, 0);
    st = encode_raw(p, &raw, err);
    if (st == GORCA_OK)
        st = gorca_gzip((const uint8_t *)(raw.data ? raw.data : ""), raw.len, gzip_level, &z, &zlen,
                        err);
    gorca_buf_release(&raw);
    if (st != GORCA_OK)
        return st;
    gorca_buf_append(out, z, zlen);
    base_free(z);
    return gorca_buf_status(out, err);
}
