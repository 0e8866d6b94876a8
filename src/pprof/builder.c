/* Building profiles: an interning builder (strings, mappings, functions, locations, and, when
 * merging, samples with equal stacks and labels) that the public builder API, merge and -base
 * share. Everything is staged in malloc'd vectors and laid out in the profile's arena by
 * pb_builder_finish; ids are 1-based positions in insertion order, as pprof's merge numbers
 * them. */
#include <math.h>
#include "pprof_int.h"

struct bloc {
    uint32_t midx; /* mapping index or UINT32_MAX */
    uint64_t address;
    uint32_t first_line, n_lines;
    uint8_t folded;
};

struct bline {
    uint32_t fidx;
    int64_t line, column;
};

struct bsample {
    size_t loc_off, lab_off;
    uint32_t n_locs, n_labels;
};

#define BVEC(T)     \
    struct {        \
        T *v;       \
        size_t n;   \
        size_t cap; \
    }

struct pb_builder {
    struct gorca_profile *p; /* header fields are set directly on it */
    size_t n_types;
    int failed;
    BVEC(struct gorca_strv) strs;
    BVEC(struct gorca_mapping) maps;
    BVEC(struct gorca_function) fns;
    BVEC(struct bloc) locs;
    BVEC(struct bline) lines;
    BVEC(struct bsample) samples;
    BVEC(uint32_t) sloc;
    BVEC(int64_t) svals;
    BVEC(struct gorca_label) slabels;
    BVEC(struct gorca_strv) comments;
    struct pb_set str_set, map_set, fn_set, loc_set, sample_set;
};

#define BPUSH(b, vec)                                                             \
    (base_grow((void **)&(vec).v, &(vec).cap, (vec).n + 1, sizeof(*(vec).v)) == 0 \
         ? &(vec).v[(vec).n++]                                                    \
         : ((b)->failed = 1, (void *)NULL))

struct pb_builder *pb_builder_new(const struct gorca_limits *lim, size_t n_types)
{
    struct pb_builder *b = base_calloc(1, sizeof(*b));

    if (b == NULL)
        return NULL;
    b->p = pb_profile_new(lim);
    if (b->p == NULL) {
        base_free(b);
        return NULL;
    }
    b->n_types = n_types;
    pb_set_init(&b->str_set);
    pb_set_init(&b->map_set);
    pb_set_init(&b->fn_set);
    pb_set_init(&b->loc_set);
    pb_set_init(&b->sample_set);
    return b;
}

void pb_builder_free(struct pb_builder *b)
{
    if (b == NULL)
        return;
    gorca_profile_free(b->p);
    base_free(b->strs.v);
    base_free(b->maps.v);
    base_free(b->fns.v);
    base_free(b->locs.v);
    base_free(b->lines.v);
    base_free(b->samples.v);
    base_free(b->sloc.v);
    base_free(b->svals.v);
    base_free(b->slabels.v);
    base_free(b->comments.v);
    pb_set_release(&b->str_set);
    pb_set_release(&b->map_set);
    pb_set_release(&b->fn_set);
    pb_set_release(&b->loc_set);
    pb_set_release(&b->sample_set);
    base_free(b);
}

int pb_builder_failed(const struct pb_builder *b)
{
    return b->failed;
}

void pb_builder_set_failed(struct pb_builder *b)
{
    b->failed = 1;
}

struct gorca_profile *pb_builder_profile(struct pb_builder *b)
{
    return b->p;
}

/* ---- strings ----------------------------------------------------------------------------- */

static uint64_t strv_hash(struct gorca_strv s, uint64_t seed)
{
    return base_hash_bytes(s.len ? s.ptr : "", s.len, seed);
}

struct str_key {
    struct pb_builder *b;
    struct gorca_strv s;
};

static int str_eq(void *ctx, uint32_t i)
{
    struct str_key *k = ctx;

    return pb_strv_same(k->b->strs.v[i], k->s);
}

struct gorca_strv pb_builder_str(struct pb_builder *b, struct gorca_strv s)
{
    struct gorca_strv empty = { "", 0 }, *slot;
    struct str_key k = { b, s };
    uint64_t h;
    uint32_t found;
    size_t at;

    if (s.len == 0 || b->failed)
        return empty;
    if (s.len > b->p->internal->lim.string_bytes || pb_set_reserve(&b->str_set) != 0) {
        b->failed = 1;
        return empty;
    }
    h = strv_hash(s, 7);
    at = pb_set_find(&b->str_set, h, str_eq, &k, &found);
    if (found)
        return b->strs.v[found - 1];
    slot = BPUSH(b, b->strs);
    if (slot == NULL)
        return empty;
    *slot = pb_strv_dup(b->p, s, &b->failed);
    pb_set_insert_at(&b->str_set, at, h, (uint32_t)(b->strs.n - 1));
    return *slot;
}

/* ---- mappings and functions ------------------------------------------------------------------ */

struct map_key {
    struct pb_builder *b;
    const struct gorca_mapping *m;
};

static int map_eq(void *ctx, uint32_t i)
{
    struct map_key *k = ctx;
    const struct gorca_mapping *a = &k->b->maps.v[i], *m = k->m;

    return a->memory_start == m->memory_start && a->memory_limit == m->memory_limit &&
           a->file_offset == m->file_offset && pb_strv_same(a->filename, m->filename) &&
           pb_strv_same(a->build_id, m->build_id) && a->has_functions == m->has_functions &&
           a->has_filenames == m->has_filenames && a->has_line_numbers == m->has_line_numbers &&
           a->has_inline_frames == m->has_inline_frames;
}

uint32_t pb_builder_add_mapping(struct pb_builder *b, const struct gorca_mapping *m)
{
    struct map_key k = { b, m };
    uint64_t h = base_hash_u64(m->memory_start ^ base_hash_u64(m->memory_limit) ^
                               strv_hash(m->filename, m->file_offset));
    uint32_t found;
    size_t at;
    struct gorca_mapping *n;

    if (b->failed || pb_set_reserve(&b->map_set) != 0) {
        b->failed = 1;
        return UINT32_MAX;
    }
    at = pb_set_find(&b->map_set, h, map_eq, &k, &found);
    if (found)
        return found - 1;
    n = BPUSH(b, b->maps);
    if (n == NULL)
        return UINT32_MAX;
    *n = *m;
    n->filename = pb_builder_str(b, m->filename);
    n->build_id = pb_builder_str(b, m->build_id);
    pb_set_insert_at(&b->map_set, at, h, (uint32_t)(b->maps.n - 1));
    return (uint32_t)(b->maps.n - 1);
}

struct fn_key {
    struct pb_builder *b;
    const struct gorca_function *f;
};

static int fn_eq(void *ctx, uint32_t i)
{
    struct fn_key *k = ctx;
    const struct gorca_function *a = &k->b->fns.v[i], *f = k->f;

    return a->start_line == f->start_line && pb_strv_same(a->name, f->name) &&
           pb_strv_same(a->system_name, f->system_name) && pb_strv_same(a->filename, f->filename);
}

uint32_t pb_builder_add_function(struct pb_builder *b, const struct gorca_function *f)
{
    struct fn_key k = { b, f };
    uint64_t h = strv_hash(f->name, strv_hash(f->filename, (uint64_t)f->start_line));
    uint32_t found;
    size_t at;
    struct gorca_function *n;

    if (b->failed || pb_set_reserve(&b->fn_set) != 0) {
        b->failed = 1;
        return UINT32_MAX;
    }
    at = pb_set_find(&b->fn_set, h, fn_eq, &k, &found);
    if (found)
        return found - 1;
    n = BPUSH(b, b->fns);
    if (n == NULL)
        return UINT32_MAX;
    n->id = 0;
    n->name = pb_builder_str(b, f->name);
    n->system_name = pb_builder_str(b, f->system_name);
    n->filename = pb_builder_str(b, f->filename);
    n->start_line = f->start_line;
    pb_set_insert_at(&b->fn_set, at, h, (uint32_t)(b->fns.n - 1));
    return (uint32_t)(b->fns.n - 1);
}

/* ---- locations ----------------------------------------------------------------------------- */

struct loc_key {
    struct pb_builder *b;
    uint32_t midx;
    uint64_t address;
    const uint32_t *fidx;
    const int64_t *lines, *columns;
    size_t n;
    int folded;
};

/* pprof's location key compares every line's function and line number but, through an index
 * slip in its key builder, only the last line's column. Equal keys merge. */
static int loc_eq(void *ctx, uint32_t i)
{
    struct loc_key *k = ctx;
    const struct bloc *l = &k->b->locs.v[i];
    const struct bline *ln = k->b->lines.v + l->first_line;

    if (l->midx != k->midx || l->address != k->address || l->n_lines != k->n ||
        l->folded != k->folded)
        return 0;
    for (size_t j = 0; j < k->n; j++)
        if (ln[j].fidx != k->fidx[j] || ln[j].line != k->lines[j])
            return 0;
    return k->n == 0 || ln[k->n - 1].column == (k->columns ? k->columns[k->n - 1] : 0);
}

uint32_t pb_builder_add_location(struct pb_builder *b, uint32_t midx, uint64_t address,
                                 const uint32_t *fidx, const int64_t *lines, const int64_t *columns,
                                 size_t n_lines, int is_folded)
{
    struct loc_key k = { b, midx, address, fidx, lines, columns, n_lines, is_folded != 0 };
    uint64_t h = base_hash_u64(address ^ ((uint64_t)midx << 40) ^ n_lines);
    uint32_t found;
    size_t at;
    struct bloc *l;

    for (size_t j = 0; j < n_lines; j++)
        h = base_hash_u64(h ^ fidx[j] ^ ((uint64_t)lines[j] << 24));
    if (b->failed || n_lines > UINT16_MAX || pb_set_reserve(&b->loc_set) != 0) {
        b->failed = 1;
        return UINT32_MAX;
    }
    at = pb_set_find(&b->loc_set, h, loc_eq, &k, &found);
    if (found)
        return found - 1;
    l = BPUSH(b, b->locs);
    if (l == NULL)
        return UINT32_MAX;
    l->midx = midx;
    l->address = address;
    l->first_line = (uint32_t)b->lines.n;
    l->n_lines = (uint32_t)n_lines;
    l->folded = is_folded != 0;
    for (size_t j = 0; j < n_lines; j++) {
        struct bline *ln = BPUSH(b, b->lines);

        if (ln == NULL)
            return UINT32_MAX;
        ln->fidx = fidx[j];
        ln->line = lines[j];
        ln->column = columns ? columns[j] : 0;
    }
    pb_set_insert_at(&b->loc_set, at, h, (uint32_t)(b->locs.n - 1));
    return (uint32_t)(b->locs.n - 1);
}

/* ---- samples -------------------------------------------------------------------------------- */

struct sample_key {
    struct pb_builder *b;
    const uint32_t *locs;
    size_t n_locs;
    const struct gorca_label *labels;
    size_t n_labels;
};

static int label_same(const struct gorca_label *a, const struct gorca_label *c)
{
    return pb_strv_same(a->key, c->key) && pb_strv_same(a->str, c->str) && a->num == c->num &&
           pb_strv_same(a->num_unit, c->num_unit);
}

static int sample_eq(void *ctx, uint32_t i)
{
    struct sample_key *k = ctx;
    const struct bsample *s = &k->b->samples.v[i];

    if (s->n_locs != k->n_locs || s->n_labels != k->n_labels)
        return 0;
    if (k->n_locs && memcmp(k->b->sloc.v + s->loc_off, k->locs, k->n_locs * sizeof(uint32_t)))
        return 0;
    for (size_t j = 0; j < k->n_labels; j++)
        if (!label_same(&k->b->slabels.v[s->lab_off + j], &k->labels[j]))
            return 0;
    return 1;
}

static uint64_t sample_hash(const uint32_t *locs, size_t n_locs, const struct gorca_label *labels,
                            size_t n_labels)
{
    uint64_t h = base_hash_bytes(locs, n_locs * sizeof(uint32_t), n_locs);

    for (size_t j = 0; j < n_labels; j++)
        h = strv_hash(labels[j].str, strv_hash(labels[j].key, h ^ (uint64_t)labels[j].num));
    return h;
}

int pb_builder_add_sample(struct pb_builder *b, const uint32_t *locs, size_t n_locs,
                          const int64_t *values, const struct gorca_label *labels, size_t n_labels,
                          int merge)
{
    struct bsample *s;
    uint64_t h = 0;
    size_t at = 0;

    if (b->failed)
        return -1;
    if (b->samples.n >= b->p->internal->lim.samples || n_locs > b->p->internal->lim.stack_depth) {
        b->failed = 1;
        return -1;
    }
    if (merge) {
        struct sample_key k = { b, locs, n_locs, labels, n_labels };
        uint32_t found;

        if (pb_set_reserve(&b->sample_set) != 0) {
            b->failed = 1;
            return -1;
        }
        h = sample_hash(locs, n_locs, labels, n_labels);
        at = pb_set_find(&b->sample_set, h, sample_eq, &k, &found);
        if (found) {
            int64_t *v = b->svals.v + (size_t)(found - 1) * b->n_types;

            for (size_t j = 0; j < b->n_types; j++)
                v[j] += values[j];
            return 0;
        }
    }
    s = BPUSH(b, b->samples);
    if (s == NULL ||
        base_grow((void **)&b->sloc.v, &b->sloc.cap, b->sloc.n + n_locs, sizeof(uint32_t)) ||
        base_grow((void **)&b->svals.v, &b->svals.cap, b->svals.n + b->n_types, sizeof(int64_t)) ||
        base_grow((void **)&b->slabels.v, &b->slabels.cap, b->slabels.n + n_labels,
                  sizeof(struct gorca_label))) {
        b->failed = 1;
        return -1;
    }
    s->loc_off = b->sloc.n;
    s->n_locs = (uint32_t)n_locs;
    s->lab_off = b->slabels.n;
    s->n_labels = (uint32_t)n_labels;
    if (n_locs)
        memcpy(b->sloc.v + b->sloc.n, locs, n_locs * sizeof(uint32_t));
    b->sloc.n += n_locs;
    memcpy(b->svals.v + b->svals.n, values, b->n_types * sizeof(int64_t));
    b->svals.n += b->n_types;
    for (size_t j = 0; j < n_labels; j++) {
        struct gorca_label *l = &b->slabels.v[b->slabels.n++];

        l->key = pb_builder_str(b, labels[j].key);
        l->str = pb_builder_str(b, labels[j].str);
        l->num = labels[j].num;
        l->num_unit = pb_builder_str(b, labels[j].num_unit);
    }
    if (merge)
        pb_set_insert_at(&b->sample_set, at, h, (uint32_t)(b->samples.n - 1));
    return b->failed ? -1 : 0;
}

/* ---- header ---------------------------------------------------------------------------------- */

void pb_builder_set_types(struct pb_builder *b, const struct gorca_value_type *types)
{
    struct gorca_value_type *t;

    t = base_arena_alloc(&b->p->internal->arena, (b->n_types + 1) * sizeof(*t));
    if (t == NULL) {
        b->failed = 1;
        return;
    }
    for (size_t i = 0; i < b->n_types; i++) {
        t[i].type = pb_builder_str(b, types[i].type);
        t[i].unit = pb_builder_str(b, types[i].unit);
    }
    b->p->sample_types = t;
    b->p->n_sample_types = b->n_types;
}

int pb_builder_add_comment(struct pb_builder *b, struct gorca_strv c)
{
    struct gorca_strv *slot = BPUSH(b, b->comments);

    if (slot == NULL)
        return -1;
    *slot = pb_builder_str(b, c);
    return 0;
}

/* ---- finish ---------------------------------------------------------------------------------- */

static void *arena_copy(struct pb_builder *b, const void *src, size_t n, size_t elem)
{
    void *a;

    if (n == 0)
        return NULL;
    a = base_arena_alloc(&b->p->internal->arena, n * elem);
    if (a == NULL) {
        b->failed = 1;
        return NULL;
    }
    if (src)
        memcpy(a, src, n * elem);
    return a;
}

static int is_zero(const int64_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] != 0)
            return 0;
    return 1;
}

static void finish_tables(struct pb_builder *b)
{
    struct gorca_profile *p = b->p;
    struct gorca_mapping *maps = arena_copy(b, b->maps.v, b->maps.n, sizeof(*maps));
    struct gorca_function *fns = arena_copy(b, b->fns.v, b->fns.n, sizeof(*fns));
    struct gorca_location *locs = arena_copy(b, NULL, b->locs.n, sizeof(*locs));
    struct gorca_line *lines = arena_copy(b, NULL, b->lines.n, sizeof(*lines));

    if (b->failed)
        return;
    for (size_t i = 0; i < b->maps.n; i++)
        maps[i].id = i + 1;
    for (size_t i = 0; i < b->fns.n; i++)
        fns[i].id = i + 1;
    for (size_t i = 0; i < b->lines.n; i++) {
        lines[i].function = &fns[b->lines.v[i].fidx];
        lines[i].line = b->lines.v[i].line;
        lines[i].column = b->lines.v[i].column;
    }
    for (size_t i = 0; i < b->locs.n; i++) {
        const struct bloc *l = &b->locs.v[i];

        memset(&locs[i], 0, sizeof(locs[i]));
        locs[i].id = i + 1;
        locs[i].mapping = l->midx == UINT32_MAX ? NULL : &maps[l->midx];
        locs[i].address = l->address;
        locs[i].lines = l->n_lines ? &lines[l->first_line] : NULL;
        locs[i].n_lines = l->n_lines;
        locs[i].is_folded = l->folded;
    }
    p->mappings = maps;
    p->n_mappings = b->maps.n;
    p->functions = fns;
    p->n_functions = b->fns.n;
    p->locations = locs;
    p->n_locations = b->locs.n;
    p->comments = arena_copy(b, b->comments.v, b->comments.n, sizeof(struct gorca_strv));
    p->n_comments = b->comments.n;
}

static void finish_samples(struct pb_builder *b, int drop_zero)
{
    struct gorca_profile *p = b->p;
    size_t n = 0, k = b->n_types;
    struct gorca_sample *ss = arena_copy(b, NULL, b->samples.n, sizeof(*ss));
    uint32_t *locs = arena_copy(b, b->sloc.v, b->sloc.n, sizeof(uint32_t));
    int64_t *vals = arena_copy(b, b->svals.v, b->svals.n, sizeof(int64_t));
    struct gorca_label *labels = arena_copy(b, b->slabels.v, b->slabels.n, sizeof(*labels));

    if (b->failed)
        return;
    for (size_t i = 0; i < b->samples.n; i++) {
        const struct bsample *s = &b->samples.v[i];
        struct gorca_sample *o = &ss[n];

        if (drop_zero && is_zero(vals + i * k, k))
            continue;
        o->locs = s->n_locs ? locs + s->loc_off : NULL;
        o->n_locs = s->n_locs;
        o->values = vals + i * k;
        o->labels = s->n_labels ? labels + s->lab_off : NULL;
        o->n_labels = s->n_labels;
        n++;
    }
    p->samples = ss;
    p->n_samples = n;
}

enum gorca_status pb_builder_finish(struct pb_builder *b, int drop_zero, struct gorca_profile **out,
                                    struct gorca_error *err)
{
    *out = NULL;
    finish_tables(b);
    finish_samples(b, drop_zero);
    if (b->failed) {
        pb_builder_free(b);
        return GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL,
                          "out of memory (or over a limit) building a profile");
    }
    *out = b->p;
    b->p = NULL;
    pb_builder_free(b);
    return GORCA_OK;
}

/* ---- public builder API ------------------------------------------------------------------------
 */

struct gorca_profile_builder {
    struct pb_builder *b;
};

struct gorca_profile_builder *gorca_profile_builder_new(const char *const *types,
                                                        const char *const *units, size_t n_types,
                                                        const struct gorca_limits *lim)
{
    struct gorca_profile_builder *pb = base_calloc(1, sizeof(*pb));
    struct gorca_value_type *vt;

    if (pb == NULL)
        return NULL;
    pb->b = pb_builder_new(lim, n_types);
    vt = base_calloc(n_types + 1, sizeof(*vt));
    if (pb->b == NULL || vt == NULL) {
        pb_builder_free(pb->b);
        base_free(vt);
        base_free(pb);
        return NULL;
    }
    for (size_t i = 0; i < n_types; i++) {
        vt[i].type = pb_strv(types[i]);
        vt[i].unit = pb_strv(units[i]);
    }
    pb_builder_set_types(pb->b, vt);
    base_free(vt);
    return pb;
}

void gorca_profile_builder_free(struct gorca_profile_builder *pb)
{
    if (pb == NULL)
        return;
    pb_builder_free(pb->b);
    base_free(pb);
}

void gorca_profile_builder_set_period(struct gorca_profile_builder *pb, const char *type,
                                      const char *unit, int64_t period)
{
    struct gorca_profile *p;

    if (pb == NULL)
        return;
    p = pb->b->p;

    p->period_type.type = pb_builder_str(pb->b, pb_strv(type));
    p->period_type.unit = pb_builder_str(pb->b, pb_strv(unit));
    p->period = period;
}

void gorca_profile_builder_set_time(struct gorca_profile_builder *pb, int64_t time_nanos,
                                    int64_t duration_nanos)
{
    if (pb == NULL)
        return;
    pb->b->p->time_nanos = time_nanos;
    pb->b->p->duration_nanos = duration_nanos;
}

void gorca_profile_builder_set_default_type(struct gorca_profile_builder *pb, const char *type)
{
    if (pb == NULL)
        return;
    pb->b->p->default_sample_type = pb_builder_str(pb->b, pb_strv(type));
}

void gorca_profile_builder_add_comment(struct gorca_profile_builder *pb, const char *comment)
{
    if (pb == NULL)
        return;
    (void)pb_builder_add_comment(pb->b, pb_strv(comment));
}

uint64_t gorca_profile_builder_mapping(struct gorca_profile_builder *pb, uint64_t start,
                                       uint64_t limit, uint64_t offset, const char *filename,
                                       const char *build_id, int has_functions)
{
    struct gorca_mapping m;
    uint32_t i;

    if (pb == NULL)
        return 0;
    memset(&m, 0, sizeof(m));
    m.memory_start = start;
    m.memory_limit = limit;
    m.file_offset = offset;
    m.filename = pb_strv(filename);
    m.build_id = pb_strv(build_id);
    m.has_functions = m.has_filenames = m.has_line_numbers = (uint8_t)(has_functions != 0);
    i = pb_builder_add_mapping(pb->b, &m);
    return i == UINT32_MAX ? 0 : (uint64_t)i + 1;
}

uint64_t gorca_profile_builder_function(struct gorca_profile_builder *pb, const char *name,
                                        const char *system_name, const char *filename,
                                        int64_t start_line)
{
    struct gorca_function f;
    uint32_t i;

    if (pb == NULL)
        return 0;
    memset(&f, 0, sizeof(f));
    f.name = pb_strv(name);
    f.system_name = pb_strv(system_name ? system_name : name);
    f.filename = pb_strv(filename);
    f.start_line = start_line;
    i = pb_builder_add_function(pb->b, &f);
    return i == UINT32_MAX ? 0 : (uint64_t)i + 1;
}

uint64_t gorca_profile_builder_location(struct gorca_profile_builder *pb, uint64_t mapping_id,
                                        uint64_t address, const uint64_t *function_ids,
                                        const int64_t *lines, size_t n_lines)
{
    uint32_t fidx[64] = { 0 }, *f = fidx, i;

    if (pb == NULL)
        return 0;
    if (mapping_id > pb->b->maps.n || n_lines > UINT16_MAX) {
        pb->b->failed = 1;
        return 0;
    }
    if (n_lines > 64)
        f = base_malloc(n_lines * sizeof(uint32_t));
    if (f == NULL) {
        pb->b->failed = 1;
        return 0;
    }
    for (size_t j = 0; j < n_lines; j++) {
        if (function_ids[j] == 0 || function_ids[j] > pb->b->fns.n) {
            pb->b->failed = 1;
            if (f != fidx)
                base_free(f);
            return 0;
        }
        f[j] = (uint32_t)(function_ids[j] - 1);
    }
    i = pb_builder_add_location(pb->b, mapping_id ? (uint32_t)(mapping_id - 1) : UINT32_MAX,
                                address, f, lines, NULL, n_lines, 0);
    if (f != fidx)
        base_free(f);
    return i == UINT32_MAX ? 0 : (uint64_t)i + 1;
}

int gorca_profile_builder_sample(struct gorca_profile_builder *pb, const uint64_t *loc_ids,
                                 size_t n_locs, const int64_t *values, const char *const *keys,
                                 const char *const *strs, const int64_t *nums, size_t n_labels)
{
    uint32_t *locs;
    struct gorca_label *labels;
    int r = -1;

    if (pb == NULL)
        return -1;
    locs = base_malloc((n_locs + 1) * sizeof(uint32_t));
    labels = base_calloc(n_labels + 1, sizeof(*labels));
    if (locs == NULL || labels == NULL)
        goto out;
    for (size_t j = 0; j < n_locs; j++) {
        if (loc_ids[j] == 0 || loc_ids[j] > pb->b->locs.n)
            goto out;
        locs[j] = (uint32_t)(loc_ids[j] - 1);
    }
    for (size_t j = 0; j < n_labels; j++) {
        labels[j].key = pb_strv(keys[j]);
        if (strs && strs[j])
            labels[j].str = pb_strv(strs[j]);
        else if (nums)
            labels[j].num = nums[j];
    }
    r = pb_builder_add_sample(pb->b, locs, n_locs, values, labels, n_labels, 0);
out:
    if (r != 0)
        pb->b->failed = 1;
    base_free(locs);
    base_free(labels);
    return r;
}

enum gorca_status gorca_profile_builder_finish(struct gorca_profile_builder *pb,
                                               struct gorca_profile **out, struct gorca_error *err)
{
    struct pb_builder *b;

    if (pb == NULL) {
        *out = NULL;
        return GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory building a profile");
    }
    b = pb->b;
    base_free(pb);
    return pb_builder_finish(b, 0, out, err);
}
