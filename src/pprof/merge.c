/* Merging profiles as go tool pprof does with several sources or -base (pprof-formats.md
 * §5.8, §5.11): keep the sample types common to all inputs, convert compatible units to the
 * finest one, check that period and sample types agree, then map every input's mappings,
 * functions, locations and non-zero samples into one builder that dedups them by pprof's keys
 * and sums equal samples. Samples summing to zero are removed by merging the result again,
 * which also drops what only they referenced. Inputs are left untouched. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "pprof_int.h"

/* How one input is seen by the merge: column order and unit ratios. */
struct view {
    const struct gorca_profile *p;
    int64_t scale;            /* +1, or -1 for -base */
    size_t *cols;             /* merged column i = p's column cols[i] */
    double *ratio;            /* unit conversion per merged column */
    int64_t period;           /* in the common period unit */
    struct gorca_strv dflt;   /* default sample type after pprof's compatibilizeSampleTypes */
    struct gorca_strv *units; /* unit per merged column after scaling */
    struct gorca_strv period_unit;
};

struct mapinfo {
    uint32_t midx;  /* builder mapping, UINT32_MAX = none */
    int64_t offset; /* added to addresses */
};

struct merger {
    struct pb_builder *b;
    struct gorca_error *err;
    size_t n_types;
    /* per input, reset for each */
    struct mapinfo *maps; /* per input mapping */
    uint8_t *map_done;
    uint32_t *fns;  /* per input function: builder index or UINT32_MAX */
    uint32_t *locs; /* per input location: builder index or UINT32_MAX */
    /* merged mappings by pprof's mapping key */
    struct pb_set mkeys;
    uint32_t *mkey_idx; /* builder mapping index per key entry */
    size_t n_mkeys, cap_mkeys, cap_mkey_idx;
    struct gorca_mapping *mkey_map;
};

/* ---- sample types and units ----------------------------------------------------------------- */

static int same_type_name(struct gorca_strv a, struct gorca_strv b)
{
    if (a.len && a.ptr[a.len - 1] == 's')
        a.len--;
    if (b.len && b.ptr[b.len - 1] == 's')
        b.len--;
    return pb_strv_same(a, b);
}

/* pprof's compatibleValueTypes. */
static int compatible(const struct gorca_value_type *x, const struct gorca_value_type *y)
{
    double f1, f2;

    if (!same_type_name(x->type, y->type))
        return 0;
    if (pb_strv_same(x->unit, y->unit))
        return 1;
    return pb_unit_family(x->unit.ptr, x->unit.len, &f1) != 0 &&
           pb_unit_family(x->unit.ptr, x->unit.len, &f1) ==
               pb_unit_family(y->unit.ptr, y->unit.len, &f2);
}

static double unit_ratio(struct gorca_strv from, struct gorca_strv to)
{
    char tu[64];
    const char *u;

    snprintf(tu, sizeof(tu), "%.*s", (int)to.len, to.ptr ? to.ptr : "");
    return pb_scale(1, from.ptr ? from.ptr : "", from.len, tu, &u);
}

/* pprof's CommonValueType over n types: the finest unit in *min_i, or -1 with the index of
 * the first incompatible type in *min_i. */
static int common_type(const struct gorca_value_type *const *ts, size_t n, size_t *min_i)
{
    *min_i = 0;
    for (size_t i = 1; i < n; i++) {
        if (!compatible(ts[*min_i], ts[i])) {
            *min_i = i;
            return -1;
        }
        if (unit_ratio(ts[i]->unit, ts[*min_i]->unit) < 1)
            *min_i = i;
    }
    return 0;
}

static enum gorca_status common_columns(struct view *v, size_t n, size_t *n_types,
                                        struct gorca_error *err)
{
    const struct gorca_profile *p0 = v[0].p;
    size_t k = 0;

    for (size_t c = 0; c < n; c++) {
        v[c].cols = base_calloc(p0->n_sample_types + 1, sizeof(size_t));
        v[c].ratio = base_calloc(p0->n_sample_types + 1, sizeof(double));
        v[c].units = base_calloc(p0->n_sample_types + 1, sizeof(struct gorca_strv));
        if (!v[c].cols || !v[c].ratio || !v[c].units)
            return GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory");
    }
    for (size_t i = 0; i < p0->n_sample_types; i++) {
        size_t c;

        for (c = 0; c < n; c++) {
            const struct gorca_profile *p = v[c].p;
            size_t j;

            for (j = 0; j < p->n_sample_types; j++)
                if (pb_strv_same(p->sample_types[j].type, p0->sample_types[i].type))
                    break;
            if (j == p->n_sample_types)
                break;
            v[c].cols[k] = j;
        }
        if (c == n)
            k++;
    }
    if (k == 0)
        return GORCA_FAIL(err, GORCA_E_UNSUPPORTED, -1, NULL,
                          "the profiles have no sample type in common, cannot merge them");
    *n_types = k;
    for (size_t c = 0; c < n; c++) {
        const struct gorca_profile *p = v[c].p;
        int modified = k != p->n_sample_types;

        for (size_t i = 0; i < k; i++)
            modified |= v[c].cols[i] != i;
        v[c].dflt = p->default_sample_type;
        if (modified) {
            /* pprof resets the default to the first common type unless its own survives. */
            v[c].dflt = p->sample_types[v[c].cols[0]].type;
            for (size_t i = 0; i < k; i++)
                if (pb_strv_same(p->sample_types[v[c].cols[i]].type, p->default_sample_type))
                    v[c].dflt = p->default_sample_type;
        }
    }
    return GORCA_OK;
}

static enum gorca_status scale_units(struct view *v, size_t n, size_t k, struct gorca_error *err)
{
    const struct gorca_value_type **ts = base_calloc(n + 1, sizeof(*ts));
    size_t mi;

    if (ts == NULL)
        return GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory");
    for (size_t c = 0; c < n; c++)
        ts[c] = &v[c].p->period_type;
    if (n > 1 && common_type(ts, n, &mi) != 0) {
        GORCA_FAIL(err, GORCA_E_UNSUPPORTED, -1, NULL,
                   "cannot merge: incompatible period types %.*s/%.*s and %.*s/%.*s",
                   (int)ts[0]->type.len, ts[0]->type.ptr, (int)ts[0]->unit.len, ts[0]->unit.ptr,
                   (int)ts[mi]->type.len, ts[mi]->type.ptr, (int)ts[mi]->unit.len,
                   ts[mi]->unit.ptr);
        base_free(ts);
        return err->code;
    }
    for (size_t c = 0; c < n; c++) {
        v[c].period = v[c].p->period;
        v[c].period_unit = v[c].p->period_type.unit;
        if (n > 1) {
            double r = unit_ratio(v[c].p->period_type.unit, ts[mi]->unit);

            v[c].period = (int64_t)((double)v[c].p->period * r);
            v[c].period_unit = ts[mi]->unit;
        }
    }
    for (size_t i = 0; i < k; i++) {
        for (size_t c = 0; c < n; c++)
            ts[c] = &v[c].p->sample_types[v[c].cols[i]];
        if (n > 1 && common_type(ts, n, &mi) != 0) {
            GORCA_FAIL(err, GORCA_E_UNSUPPORTED, -1, NULL,
                       "cannot merge: incompatible sample types %.*s/%.*s and %.*s/%.*s",
                       (int)ts[0]->type.len, ts[0]->type.ptr, (int)ts[0]->unit.len, ts[0]->unit.ptr,
                       (int)ts[mi]->type.len, ts[mi]->type.ptr, (int)ts[mi]->unit.len,
                       ts[mi]->unit.ptr);
            base_free(ts);
            return err->code;
        }
        for (size_t c = 0; c < n; c++) {
            v[c].ratio[i] = n > 1 ? unit_ratio(ts[c]->unit, ts[mi]->unit) : 1;
            v[c].units[i] = n > 1 ? ts[mi]->unit : ts[c]->unit;
        }
    }
    base_free(ts);
    return GORCA_OK;
}

/* pprof's compatible(): period type and sample types equal after the conversions. */
static enum gorca_status check_same(const struct view *v, size_t n, size_t k,
                                    struct gorca_error *err)
{
    for (size_t c = 1; c < n; c++) {
        if (!pb_strv_same(v[c].p->period_type.type, v[0].p->period_type.type) ||
            !pb_strv_same(v[c].period_unit, v[0].period_unit))
            return GORCA_FAIL(err, GORCA_E_UNSUPPORTED, -1, NULL,
                              "cannot merge: period types differ (%.*s and %.*s)",
                              (int)v[0].p->period_type.type.len, v[0].p->period_type.type.ptr,
                              (int)v[c].p->period_type.type.len, v[c].p->period_type.type.ptr);
        for (size_t i = 0; i < k; i++)
            if (!pb_strv_same(v[c].p->sample_types[v[c].cols[i]].type,
                              v[0].p->sample_types[v[0].cols[i]].type) ||
                !pb_strv_same(v[c].units[i], v[0].units[i]))
                return GORCA_FAIL(err, GORCA_E_UNSUPPORTED, -1, NULL,
                                  "cannot merge: sample types differ");
    }
    return GORCA_OK;
}

/* ---- header -----------------------------------------------------------------------------------
 */

static void merge_header(struct merger *m, const struct view *v, size_t n)
{
    struct gorca_profile *p = pb_builder_profile(m->b);
    struct gorca_value_type *types = base_calloc(m->n_types + 1, sizeof(*types));
    int64_t t = 0, d = 0, period = 0;
    struct gorca_strv dflt = { "", 0 }, doc = { "", 0 };

    if (types == NULL) {
        GORCA_FAIL(m->err, GORCA_E_NOMEM, -1, NULL, "out of memory");
        return;
    }
    for (size_t i = 0; i < m->n_types; i++) {
        types[i].type = v[0].p->sample_types[v[0].cols[i]].type;
        types[i].unit = v[0].units[i];
    }
    pb_builder_set_types(m->b, types);
    base_free(types);
    for (size_t c = 0; c < n; c++) {
        const struct gorca_profile *s = v[c].p;

        if (t == 0 || s->time_nanos < t)
            t = s->time_nanos;
        d += s->duration_nanos;
        if (period == 0 || period < v[c].period)
            period = v[c].period;
        if (dflt.len == 0)
            dflt = v[c].dflt;
        if (doc.len == 0)
            doc = s->doc_url;
    }
    p->time_nanos = t;
    p->duration_nanos = d;
    p->period = period;
    p->period_type.type = pb_builder_str(m->b, v[0].p->period_type.type);
    p->period_type.unit = pb_builder_str(m->b, v[0].period_unit);
    p->default_sample_type = pb_builder_str(m->b, dflt);
    p->doc_url = pb_builder_str(m->b, doc);
    p->drop_frames = pb_builder_str(m->b, v[0].p->drop_frames);
    p->keep_frames = pb_builder_str(m->b, v[0].p->keep_frames);
}

/* Comments: union in order of first appearance. */
static struct gorca_strv *merge_comments(const struct view *v, size_t n, size_t *n_out)
{
    size_t total = 0, k = 0;
    struct gorca_strv *out;

    for (size_t c = 0; c < n; c++)
        total += v[c].p->n_comments;
    out = base_calloc(total + 1, sizeof(*out));
    if (out == NULL)
        return NULL;
    for (size_t c = 0; c < n; c++)
        for (size_t i = 0; i < v[c].p->n_comments; i++) {
            size_t j;

            for (j = 0; j < k; j++)
                if (pb_strv_same(out[j], v[c].p->comments[i]))
                    break;
            if (j == k)
                out[k++] = v[c].p->comments[i];
        }
    *n_out = k;
    return out;
}

/* ---- mapping records ---------------------------------------------------------------------- */

struct mkey_ctx {
    struct merger *m;
    const struct gorca_mapping *src;
};

static uint64_t mkey_size(const struct gorca_mapping *mp)
{
    uint64_t size = mp->memory_limit - mp->memory_start;

    size = size + 0x1000 - 1;
    return size - size % 0x1000;
}

static struct gorca_strv mkey_name(const struct gorca_mapping *mp)
{
    return mp->build_id.len ? mp->build_id : mp->filename;
}

static int mkey_eq(void *ctx, uint32_t i)
{
    struct mkey_ctx *k = ctx;
    const struct gorca_mapping *a = &k->m->mkey_map[i];

    return mkey_size(a) == mkey_size(k->src) && a->file_offset == k->src->file_offset &&
           pb_strv_same(mkey_name(a), mkey_name(k->src));
}

static struct mapinfo map_mapping(struct merger *m, const struct gorca_profile *p,
                                  const struct gorca_mapping *src)
{
    struct mapinfo none = { UINT32_MAX, 0 }, mi;
    struct mkey_ctx k = { m, src };
    size_t idx, slot;
    uint64_t h;
    uint32_t found;

    if (src == NULL)
        return none;
    idx = (size_t)(src - p->mappings);
    if (m->map_done[idx])
        return m->maps[idx];
    if (pb_set_reserve(&m->mkeys) != 0) {
        pb_builder_set_failed(m->b); /* not "no mapping": the merge must fail */
        return none;
    }
    h = base_hash_u64(mkey_size(src) ^ base_hash_u64(src->file_offset));
    h = base_hash_bytes(mkey_name(src).ptr ? mkey_name(src).ptr : "", mkey_name(src).len, h);
    slot = pb_set_find(&m->mkeys, h, mkey_eq, &k, &found);
    if (found) {
        const struct gorca_mapping *have = &m->mkey_map[found - 1];

        mi.midx = m->mkey_idx[found - 1];
        mi.offset = (int64_t)have->memory_start - (int64_t)src->memory_start;
    } else {
        if (base_grow((void **)&m->mkey_map, &m->cap_mkeys, m->n_mkeys + 1,
                      sizeof(struct gorca_mapping)) != 0 ||
            base_grow((void **)&m->mkey_idx, &m->cap_mkey_idx, m->n_mkeys + 1, sizeof(uint32_t)) !=
                0) {
            pb_builder_set_failed(m->b);
            return none;
        }
        mi.midx = pb_builder_add_mapping(m->b, src);
        mi.offset = 0;
        m->mkey_map[m->n_mkeys] = *src;
        m->mkey_idx[m->n_mkeys] = mi.midx;
        pb_set_insert_at(&m->mkeys, slot, h, (uint32_t)m->n_mkeys++);
    }
    m->maps[idx] = mi;
    m->map_done[idx] = 1;
    return mi;
}

static uint32_t map_function(struct merger *m, const struct gorca_profile *p,
                             const struct gorca_function *f)
{
    size_t idx = (size_t)(f - p->functions);

    if (m->fns[idx] == UINT32_MAX)
        m->fns[idx] = pb_builder_add_function(m->b, f);
    return m->fns[idx];
}

static uint32_t map_location(struct merger *m, const struct gorca_profile *p, uint32_t li)
{
    const struct gorca_location *l = &p->locations[li];
    uint32_t fidx[64], *f = fidx;
    int64_t lines[64], cols[64], *ln = lines, *co = cols;
    struct mapinfo mi;

    if (m->locs[li] != UINT32_MAX)
        return m->locs[li];
    mi = map_mapping(m, p, l->mapping);
    if (l->n_lines > 64) {
        f = base_malloc(l->n_lines * sizeof(uint32_t));
        ln = base_malloc(l->n_lines * sizeof(int64_t));
        co = base_malloc(l->n_lines * sizeof(int64_t));
        if (!f || !ln || !co)
            goto out;
    }
    for (uint32_t j = 0; j < l->n_lines; j++) {
        f[j] = map_function(m, p, l->lines[j].function);
        ln[j] = l->lines[j].line;
        co[j] = l->lines[j].column;
    }
    m->locs[li] = pb_builder_add_location(m->b, mi.midx, l->address + (uint64_t)mi.offset, f, ln,
                                          co, l->n_lines, l->is_folded);
out:
    if (f != fidx) {
        base_free(f);
        base_free(ln);
        base_free(co);
    }
    return m->locs[li];
}

/* ---- samples -------------------------------------------------------------------------------- */

/* pprof's sample identity: string labels by key, then numeric ones; dropped labels gone. */
static size_t canonical_labels(const struct gorca_sample *s, struct gorca_label *out)
{
    size_t n = 0;

    for (uint32_t i = 0; i < s->n_labels; i++)
        if (pb_label_kind(&s->labels[i]) != 0)
            out[n++] = s->labels[i];
    /* A stable insertion sort: values of one key keep their order (label lists are short). */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0; j--) {
            struct gorca_label t;
            int kx = pb_label_kind(&out[j - 1]), ky = pb_label_kind(&out[j]);
            int c = kx != ky ? kx - ky : 0;

            if (c == 0) {
                size_t mn = BASE_MIN(out[j - 1].key.len, out[j].key.len);

                c = mn ? memcmp(out[j - 1].key.ptr, out[j].key.ptr, mn) : 0;
                if (c == 0 && out[j - 1].key.len != out[j].key.len)
                    c = out[j - 1].key.len < out[j].key.len ? -1 : 1;
            }
            if (c <= 0)
                break;
            t = out[j - 1];
            out[j - 1] = out[j];
            out[j] = t;
        }
    return n;
}

static int map_samples(struct merger *m, const struct view *v)
{
    const struct gorca_profile *p = v->p;
    int64_t *vals = base_malloc((m->n_types + 1) * sizeof(int64_t));
    uint32_t *locs = NULL;
    struct gorca_label *labels = NULL;
    size_t cap_locs = 0, cap_labels = 0;
    int r = 0;

    if (vals == NULL)
        return -1;
    for (size_t si = 0; si < p->n_samples && r == 0; si++) {
        const struct gorca_sample *s = &p->samples[si];
        int keep = 0, all_ones = 1, zero = 1;
        size_t nl;

        for (size_t i = 0; i < m->n_types; i++) {
            int64_t x = s->values[v->cols[i]];

            /* -base first (Scale(-1)), then units (ScaleN): both round like pprof. */
            if (v->scale != 1)
                x = (int64_t)llround((double)x * (double)v->scale);
            if (v->ratio[i] != 1) {
                all_ones = 0;
                x = (int64_t)llround((double)x * v->ratio[i]);
                keep |= x != 0;
            }
            vals[i] = x;
            zero &= x == 0;
        }
        if ((!all_ones && !keep) || zero)
            continue;
        if (base_grow((void **)&locs, &cap_locs, s->n_locs + 1, sizeof(uint32_t)) != 0 ||
            base_grow((void **)&labels, &cap_labels, s->n_labels + 1, sizeof(*labels)) != 0) {
            r = -1;
            break;
        }
        for (uint32_t i = 0; i < s->n_locs; i++) {
            locs[i] = map_location(m, p, s->locs[i]);
            if (locs[i] == UINT32_MAX)
                r = -1;
        }
        nl = canonical_labels(s, labels);
        if (r == 0)
            r = pb_builder_add_sample(m->b, locs, s->n_locs, vals, labels, nl, 1);
    }
    base_free(vals);
    base_free(locs);
    base_free(labels);
    return r;
}

/* ---- driver ------------------------------------------------------------------------------------
 */

static enum gorca_status merge_views(struct view *v, size_t n, size_t k,
                                     const struct gorca_limits *lim, struct gorca_profile **out,
                                     struct gorca_error *err)
{
    struct merger m;
    struct gorca_strv *comments;
    size_t n_comments = 0;
    enum gorca_status st = GORCA_OK;

    memset(&m, 0, sizeof(m));
    m.err = err;
    m.n_types = k;
    m.b = pb_builder_new(lim, k);
    pb_set_init(&m.mkeys);
    comments = merge_comments(v, n, &n_comments);
    if (m.b == NULL || comments == NULL) {
        pb_builder_free(m.b);
        base_free(comments);
        return GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory merging");
    }
    merge_header(&m, v, n);
    for (size_t i = 0; i < n_comments; i++)
        pb_builder_add_comment(m.b, comments[i]);
    base_free(comments);
    for (size_t c = 0; c < n && err->code == GORCA_OK; c++) {
        const struct gorca_profile *p = v[c].p;

        m.maps = base_calloc(p->n_mappings + 1, sizeof(*m.maps));
        m.map_done = base_calloc(p->n_mappings + 1, 1);
        m.fns = base_malloc((p->n_functions + 1) * sizeof(uint32_t));
        m.locs = base_malloc((p->n_locations + 1) * sizeof(uint32_t));
        if (!m.maps || !m.map_done || !m.fns || !m.locs) {
            st = GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory merging");
        } else {
            memset(m.fns, 0xff, (p->n_functions + 1) * sizeof(uint32_t));
            memset(m.locs, 0xff, (p->n_locations + 1) * sizeof(uint32_t));
            if (m.n_mkeys == 0 && p->n_mappings > 0)
                (void)map_mapping(&m, p, &p->mappings[0]);
            if (map_samples(&m, &v[c]) != 0)
                st = GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL,
                                "out of memory (or over a limit) merging");
        }
        base_free(m.maps);
        base_free(m.map_done);
        base_free(m.fns);
        base_free(m.locs);
        m.maps = NULL;
        m.map_done = NULL;
        m.fns = NULL;
        m.locs = NULL;
    }
    pb_set_release(&m.mkeys);
    base_free(m.mkey_map);
    base_free(m.mkey_idx);
    if (st != GORCA_OK || err->code != GORCA_OK) {
        pb_builder_free(m.b);
        return err->code;
    }
    return pb_builder_finish(m.b, 0, out, err);
}

static int has_zero_sample(const struct gorca_profile *p)
{
    for (size_t i = 0; i < p->n_samples; i++) {
        size_t j;

        for (j = 0; j < p->n_sample_types; j++)
            if (p->samples[i].values[j] != 0)
                break;
        if (j == p->n_sample_types)
            return 1;
    }
    return 0;
}

static void views_release(struct view *v, size_t n)
{
    for (size_t c = 0; c < n; c++) {
        base_free(v[c].cols);
        base_free(v[c].ratio);
        base_free(v[c].units);
    }
    base_free(v);
}

enum gorca_status gorca_profile_merge(const struct gorca_profile *const *ps, const int64_t *scales,
                                      size_t n, const struct gorca_limits *lim,
                                      struct gorca_profile **out, struct gorca_error *err)
{
    struct view *v;
    size_t k = 0;
    enum gorca_status st;

    *out = NULL;
    if (n == 0)
        return GORCA_FAIL(err, GORCA_E_ARG, -1, NULL, "no profiles to merge");
    v = base_calloc(n, sizeof(*v));
    if (v == NULL)
        return GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory");
    for (size_t c = 0; c < n; c++) {
        v[c].p = ps[c];
        v[c].scale = scales ? scales[c] : 1;
        if (ps[c]->n_sample_types == 0)
            st = GORCA_FAIL(err, GORCA_E_UNSUPPORTED, -1, NULL, "profile %zu has no sample types",
                            c);
    }
    st = err->code;
    if (st == GORCA_OK)
        st = common_columns(v, n, &k, err);
    if (st == GORCA_OK)
        st = scale_units(v, n, k, err);
    if (st == GORCA_OK)
        st = check_same(v, n, k, err);
    if (st == GORCA_OK)
        st = merge_views(v, n, k, lim, out, err);
    views_release(v, n);
    if (st == GORCA_OK && has_zero_sample(*out)) {
        /* pprof merges the result once more, which drops zero samples and what they alone
         * referenced, and renumbers everything. */
        struct gorca_profile *again = NULL;
        const struct gorca_profile *one = *out;

        st = gorca_profile_merge(&one, NULL, 1, lim, &again, err);
        gorca_profile_free(*out);
        *out = again;
    }
    return st;
}
