/* profile.proto decoder (../shared/docs/pprof-formats.md §1.2-§1.4), strict and two-phase.
 *
 * Phase 1 walks the top-level message once in any field order: small records (sample types,
 * mappings, functions, locations with their lines, strings, header scalars) are decoded into
 * raw integer form, samples are only remembered as byte spans. Phase 2 checks and resolves
 * string indices and ids (pprof's CheckValid), then decodes every sample straight into its
 * final arrays with location ids already turned into indices. Unknown fields are skipped;
 * groups (wire types 3, 4) and a second time_nanos (concatenated profiles) are rejected. */
#include <stdarg.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
#include "pprof_int.h"
#include "reader/reader.h"
#include "gorca/io.h"

/* Wire layout (field number: wire type, meaning):
 *
 *   Profile   1:2 ValueType sample_type*   2:2 Sample*   3:2 Mapping*   4:2 Location*
 *             5:2 Function*   6:2 string*   7:0 drop_frames   8:0 keep_frames
 *             9:0 time_nanos   10:0 duration_nanos   11:2 ValueType period_type   12:0 period
 *             13:0|2 comment*   14:0 default_sample_type   15:0 doc_url
 *   ValueType 1:0 type   2:0 unit
 *   Sample    1:0|2 location_id*   2:0|2 value*   3:2 Label*
 *   Label     1:0 key   2:0 str   3:0 num   4:0 num_unit
 *   Mapping   1:0 id  2:0 memory_start  3:0 memory_limit  4:0 file_offset  5:0 filename
 *             6:0 build_id  7:0 has_functions  8:0 has_filenames  9:0 has_line_numbers
 *             10:0 has_inline_frames
 *   Location  1:0 id   2:0 mapping_id   3:0 address   4:2 Line*   5:0 is_folded
 *   Line      1:0 function_id   2:0 line   3:0 column
 *   Function  1:0 id   2:0 name   3:0 system_name   4:0 filename   5:0 start_line
 *
 * All string fields are int64 indices into the string table (field 6), whose entry 0 is "". */

enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_I32 = 5 };

struct raw_vt {
    int64_t type, unit;
    uint64_t off;
};
struct raw_map {
    uint64_t id, start, limit, offset;
    int64_t file, build_id;
    uint8_t flags[4];
    uint64_t off;
};
struct raw_fn {
    uint64_t id;
    int64_t name, sys, file, start_line;
    uint64_t off;
};
struct raw_line {
    uint64_t fid;
    int64_t line, column;
    uint64_t off;
};
struct raw_loc {
    uint64_t id, mapping_id, address;
    size_t first_line;
    uint32_t n_lines;
    uint8_t folded;
    uint64_t off;
};
struct span {
    uint64_t off, len;
};
struct raw_idx {
    int64_t idx;
    uint64_t off;
};
struct raw_label {
    int64_t key, str, num, unit;
    uint64_t off;
};
struct labelset {
    const struct gorca_label *labels; /* arena */
    size_t n;
};

#define VEC(T)      \
    struct {        \
        T *v;       \
        size_t n;   \
        size_t cap; \
    }

struct dec {
    struct gorca_profile *p;
    struct base_arena *arena;
    const uint8_t *data;
    struct gorca_error *err;
    struct gorca_limits lim;

    VEC(struct raw_vt) types;
    VEC(struct raw_map) maps;
    VEC(struct raw_fn) fns;
    VEC(struct raw_loc) locs;
    VEC(struct raw_line) lines;
    VEC(struct span) samples;
    VEC(struct gorca_strv) strs;
    VEC(struct raw_idx) comments;
    VEC(struct raw_label) labels; /* scratch for one sample */
    VEC(struct gorca_label) scratch_labels;
    VEC(struct labelset) labelsets; /* distinct label sets seen so far */
    struct pb_set labelset_set;

    struct raw_vt period_type;
    int has_period_type;
    struct raw_idx drop, keep, dflt, doc;
    int64_t time_nanos, duration_nanos, period;
    int time_seen;

    uint64_t released; /* bytes of data already given back to the kernel */
    int may_release;   /* data is the profile's own copy, dropped after decoding */
    struct pb_idmap map_ids, fn_ids, loc_ids;
    uint32_t *pool, *pool_end; /* arena chunk for sample location indices */
};

#define PUSH(d, vec)                                                                    \
    (base_grow((void **)&(vec).v, &(vec).cap, (vec).n + 1, sizeof(*(vec).v)) == 0       \
         ? &(vec).v[(vec).n++]                                                          \
         : (GORCA_FAIL((d)->err, GORCA_E_NOMEM, -1, "pprof", "out of memory decoding"), \
            (void *)NULL))

/* Fills err->where for an error recorded without context (readers run with where = NULL). */
GORCA_PRINTF(2, 3) static void annotate(struct dec *d, const char *fmt, ...)
{
    va_list ap;

    if (d->err->code == GORCA_OK || d->err->where[0] != '\0')
        return;
    va_start(ap, fmt);
    vsnprintf(d->err->where, sizeof(d->err->where), fmt, ap);
    va_end(ap);
}

static const char *wire_name(uint32_t wt)
{
    static const char *names[] = { "varint",      "64-bit",    "length-delimited",
                                   "group start", "group end", "32-bit",
                                   "6",           "7" };
    return names[wt & 7];
}

/* Reads one field key; 0 when the message ended or failed. */
static int next_key(struct gorca_reader *r, uint32_t *field, uint32_t *wt, uint64_t *key_off)
{
    uint64_t key;

    if (rd_eof(r) || !rd_ok(r))
        return 0;
    *key_off = rd_tell(r);
    key = rd_uvarint(r);
    if (!rd_ok(r))
        return 0;
    *wt = (uint32_t)(key & 7);
    if ((key >> 3) == 0 || (key >> 3) > 0x1fffffff) {
        r->p = r->start + (*key_off - r->base);
        RD_FAIL(r, GORCA_E_MALFORMED, "invalid field number %llu in key 0x%llx",
                (unsigned long long)(key >> 3), (unsigned long long)key);
        return 0;
    }
    *field = (uint32_t)(key >> 3);
    return 1;
}

static void skip_field(struct gorca_reader *r, uint32_t wt)
{
    switch (wt) {
    case WT_VARINT:
        (void)rd_uvarint(r);
        break;
    case WT_I64:
        (void)rd_bytes(r, 8, "64-bit field");
        break;
    case WT_LEN:
        (void)rd_sub(r, rd_uvarint(r));
        break;
    case WT_I32:
        (void)rd_bytes(r, 4, "32-bit field");
        break;
    default:
        RD_FAIL(r, GORCA_E_MALFORMED, "unknown wire type %u", wt);
    }
}

static int want_wt(struct gorca_reader *r, uint32_t wt, uint32_t want, const char *name)
{
    if (wt == want)
        return 1;
    RD_FAIL(r, GORCA_E_MALFORMED, "%s: expected wire type %u (%s), found %u (%s)", name, want,
            wire_name(want), wt, wire_name(wt));
    return 0;
}

static int64_t rd_int64(struct gorca_reader *r, uint32_t wt, const char *name)
{
    if (!want_wt(r, wt, WT_VARINT, name))
        return 0;
    return (int64_t)rd_uvarint(r);
}

/* ---- phase 1: small records --------------------------------------------------------------- */

static void decode_value_type(struct gorca_reader *r, struct raw_vt *vt)
{
    uint32_t field, wt;
    uint64_t ko;

    vt->off = rd_tell(r);
    while (next_key(r, &field, &wt, &ko)) {
        if (field == 1)
            vt->type = rd_int64(r, wt, "type");
        else if (field == 2)
            vt->unit = rd_int64(r, wt, "unit");
        else
            skip_field(r, wt);
    }
}

static void decode_mapping(struct gorca_reader *r, struct raw_map *m)
{
    static const char *names[] = { "",
                                   "id",
                                   "memory_start",
                                   "memory_limit",
                                   "file_offset",
                                   "filename",
                                   "build_id",
                                   "has_functions",
                                   "has_filenames",
                                   "has_line_numbers",
                                   "has_inline_frames" };
    uint32_t field, wt;
    uint64_t ko;

    while (next_key(r, &field, &wt, &ko)) {
        int64_t v;

        if (field > 10) {
            skip_field(r, wt);
            continue;
        }
        v = rd_int64(r, wt, names[field]);
        switch (field) {
        case 1:
            m->id = (uint64_t)v;
            break;
        case 2:
            m->start = (uint64_t)v;
            break;
        case 3:
            m->limit = (uint64_t)v;
            break;
        case 4:
            m->offset = (uint64_t)v;
            break;
        case 5:
            m->file = v;
            break;
        case 6:
            m->build_id = v;
            break;
        default:
            m->flags[field - 7] = v != 0;
            break;
        }
    }
}

static void decode_function(struct gorca_reader *r, struct raw_fn *f)
{
    static const char *names[] = { "", "id", "name", "system_name", "filename", "start_line" };
    uint32_t field, wt;
    uint64_t ko;

    while (next_key(r, &field, &wt, &ko)) {
        int64_t v;

        if (field > 5) {
            skip_field(r, wt);
            continue;
        }
        v = rd_int64(r, wt, names[field]);
        switch (field) {
        case 1:
            f->id = (uint64_t)v;
            break;
        case 2:
            f->name = v;
            break;
        case 3:
            f->sys = v;
            break;
        case 4:
            f->file = v;
            break;
        default:
            f->start_line = v;
            break;
        }
    }
}

static void decode_line(struct gorca_reader *r, struct raw_line *ln)
{
    uint32_t field, wt;
    uint64_t ko;

    ln->off = rd_tell(r);
    while (next_key(r, &field, &wt, &ko)) {
        if (field == 1)
            ln->fid = (uint64_t)rd_int64(r, wt, "function_id");
        else if (field == 2)
            ln->line = rd_int64(r, wt, "line");
        else if (field == 3)
            ln->column = rd_int64(r, wt, "column");
        else
            skip_field(r, wt);
    }
}

static void decode_location(struct dec *d, struct gorca_reader *r, struct raw_loc *l)
{
    uint32_t field, wt;
    uint64_t ko;

    l->first_line = d->lines.n;
    while (next_key(r, &field, &wt, &ko)) {
        switch (field) {
        case 1:
            l->id = (uint64_t)rd_int64(r, wt, "id");
            break;
        case 2:
            l->mapping_id = (uint64_t)rd_int64(r, wt, "mapping_id");
            break;
        case 3:
            l->address = (uint64_t)rd_int64(r, wt, "address");
            break;
        case 5:
            l->folded = rd_int64(r, wt, "is_folded") != 0;
            break;
        case 4: {
            struct raw_line *ln;
            struct gorca_reader sub;

            if (!want_wt(r, wt, WT_LEN, "line"))
                break;
            sub = rd_sub(r, rd_uvarint(r));
            if (!rd_ok(r))
                break;
            if (l->n_lines >= UINT16_MAX) {
                RD_FAIL(r, GORCA_E_LIMIT, "more than %u lines in one location", UINT16_MAX);
                break;
            }
            ln = PUSH(d, d->lines);
            if (ln == NULL)
                return;
            memset(ln, 0, sizeof(*ln));
            decode_line(&sub, ln);
            if (!rd_ok(&sub))
                annotate(d, "location %zu > line %u", d->locs.n - 1, l->n_lines);
            l->n_lines++;
            break;
        }
        default:
            skip_field(r, wt);
            break;
        }
    }
}

/* Reads a length-delimited field body into a sub-reader; 0 on failure. */
static int sub_message(struct gorca_reader *r, uint32_t wt, const char *name,
                       struct gorca_reader *sub)
{
    uint64_t n;

    if (!want_wt(r, wt, WT_LEN, name))
        return 0;
    n = rd_uvarint(r);
    *sub = rd_sub(r, n);
    return rd_ok(r);
}

static void top_string(struct dec *d, struct gorca_reader *r, uint32_t wt)
{
    struct gorca_reader sub;
    struct gorca_strv *s;

    if (!sub_message(r, wt, "string_table", &sub))
        return;
    if (rd_left(&sub) > d->lim.string_bytes) {
        RD_FAIL(r, GORCA_E_LIMIT, "string of %zu bytes exceeds the string limit of %llu bytes",
                rd_left(&sub), (unsigned long long)d->lim.string_bytes);
        return;
    }
    if (d->strs.n == 0 && rd_left(&sub) != 0) {
        r->p = sub.p; /* point at the string */
        RD_FAIL(r, GORCA_E_MALFORMED, "string_table[0] must be '', found %zu bytes", rd_left(&sub));
        return;
    }
    s = PUSH(d, d->strs);
    if (s == NULL)
        return;
    s->ptr = (const char *)sub.p;
    s->len = rd_left(&sub);
}

static void top_record(struct dec *d, struct gorca_reader *r, uint32_t field, uint32_t wt)
{
    struct gorca_reader sub;

    switch (field) {
    case 1: {
        struct raw_vt *vt;

        if (!sub_message(r, wt, "sample_type", &sub))
            return;
        vt = PUSH(d, d->types);
        if (vt == NULL)
            return;
        memset(vt, 0, sizeof(*vt));
        decode_value_type(&sub, vt);
        annotate(d, "sample_type %zu", d->types.n - 1);
        return;
    }
    case 2: {
        struct span *s;

        if (!sub_message(r, wt, "sample", &sub))
            return;
        if (d->samples.n >= d->lim.samples) {
            RD_FAIL(r, GORCA_E_LIMIT, "more than %llu samples (the sample limit)",
                    (unsigned long long)d->lim.samples);
            return;
        }
        s = PUSH(d, d->samples);
        if (s == NULL)
            return;
        s->off = rd_tell(&sub);
        s->len = rd_left(&sub);
        return;
    }
    case 3: {
        struct raw_map *m;

        if (!sub_message(r, wt, "mapping", &sub))
            return;
        m = PUSH(d, d->maps);
        if (m == NULL)
            return;
        memset(m, 0, sizeof(*m));
        m->off = rd_tell(&sub);
        decode_mapping(&sub, m);
        annotate(d, "mapping %zu", d->maps.n - 1);
        return;
    }
    case 4: {
        struct raw_loc *l;

        if (!sub_message(r, wt, "location", &sub))
            return;
        l = PUSH(d, d->locs);
        if (l == NULL)
            return;
        memset(l, 0, sizeof(*l));
        l->off = rd_tell(&sub);
        decode_location(d, &sub, l);
        annotate(d, "location %zu", d->locs.n - 1);
        return;
    }
    case 5: {
        struct raw_fn *f;

        if (!sub_message(r, wt, "function", &sub))
            return;
        f = PUSH(d, d->fns);
        if (f == NULL)
            return;
        memset(f, 0, sizeof(*f));
        f->off = rd_tell(&sub);
        decode_function(&sub, f);
        annotate(d, "function %zu", d->fns.n - 1);
        return;
    }
    case 6:
        top_string(d, r, wt);
        return;
    case 11:
        if (!sub_message(r, wt, "period_type", &sub))
            return;
        memset(&d->period_type, 0, sizeof(d->period_type)); /* the last one wins */
        decode_value_type(&sub, &d->period_type);
        d->has_period_type = 1;
        annotate(d, "period_type");
        return;
    }
}

static void top_comments(struct dec *d, struct gorca_reader *r, uint32_t wt)
{
    struct raw_idx *c;

    if (wt == WT_LEN) {
        struct gorca_reader sub;

        if (!sub_message(r, wt, "comment", &sub))
            return;
        while (!rd_eof(&sub) && rd_ok(&sub)) {
            uint64_t off = rd_tell(&sub);
            int64_t v = (int64_t)rd_uvarint(&sub);

            if (!rd_ok(&sub))
                return;
            c = PUSH(d, d->comments);
            if (c == NULL)
                return;
            c->idx = v;
            c->off = off;
        }
        return;
    }
    c = PUSH(d, d->comments);
    if (c == NULL)
        return;
    c->off = rd_tell(r);
    c->idx = rd_int64(r, wt, "comment");
}

static void set_idx(struct gorca_reader *r, uint32_t wt, struct raw_idx *x, const char *name)
{
    x->off = rd_tell(r);
    x->idx = rd_int64(r, wt, name);
}

static void phase1(struct dec *d, struct gorca_reader *r)
{
    static const char *names[] = { "",
                                   "sample_type",
                                   "sample",
                                   "mapping",
                                   "location",
                                   "function",
                                   "string_table",
                                   "drop_frames",
                                   "keep_frames",
                                   "time_nanos",
                                   "duration_nanos",
                                   "period_type",
                                   "period",
                                   "comment",
                                   "default_sample_type",
                                   "doc_url" };
    uint32_t field, wt;
    uint64_t ko;

    while (next_key(r, &field, &wt, &ko)) {
        switch (field) {
        case 1:
        case 2:
        case 3:
        case 4:
        case 5:
        case 6:
        case 11:
            top_record(d, r, field, wt);
            break;
        case 7:
            set_idx(r, wt, &d->drop, names[field]);
            break;
        case 8:
            set_idx(r, wt, &d->keep, names[field]);
            break;
        case 9: {
            int64_t v = rd_int64(r, wt, names[field]);

            if (d->time_seen && d->time_nanos != 0 && rd_ok(r)) {
                r->p = r->start + (ko - r->base);
                RD_FAIL(r, GORCA_E_UNSUPPORTED,
                        "second time_nanos: concatenated profiles are not supported");
            }
            d->time_nanos = v;
            d->time_seen = 1;
            break;
        }
        case 10:
            d->duration_nanos = rd_int64(r, wt, names[field]);
            break;
        case 12:
            d->period = rd_int64(r, wt, names[field]);
            break;
        case 13:
            top_comments(d, r, wt);
            break;
        case 14:
            set_idx(r, wt, &d->dflt, names[field]);
            break;
        case 15:
            set_idx(r, wt, &d->doc, names[field]);
            break;
        default:
            skip_field(r, wt);
            break;
        }
        if (!rd_ok(r) && field < BASE_ARRAY_LEN(names))
            annotate(d, "%s", names[field]);
    }
}

/* ---- phase 2: resolution ------------------------------------------------------------------ */

static int str_at(struct dec *d, int64_t idx, uint64_t off, struct gorca_strv *out, const char *fmt,
                  ...) GORCA_PRINTF(5, 6);

static int str_at(struct dec *d, int64_t idx, uint64_t off, struct gorca_strv *out, const char *fmt,
                  ...)
{
    char where[64];
    va_list ap;

    if (idx >= 0 && (uint64_t)idx < d->strs.n) {
        *out = d->strs.v[idx];
        return 1;
    }
    va_start(ap, fmt);
    vsnprintf(where, sizeof(where), fmt, ap);
    va_end(ap);
    GORCA_FAIL(d->err, GORCA_E_MALFORMED, off, where,
               "string index %lld out of range (the string table has %zu entries)", (long long)idx,
               d->strs.n);
    return 0;
}

static void *arena_array(struct dec *d, size_t n, size_t elem)
{
    void *a;

    if (n == 0)
        return NULL;
    if (n > SIZE_MAX / elem) {
        GORCA_FAIL(d->err, GORCA_E_NOMEM, -1, "pprof", "array of %zu elements too large", n);
        return NULL;
    }
    a = base_arena_alloc(d->arena, n * elem);
    if (a == NULL)
        GORCA_FAIL(d->err, GORCA_E_NOMEM, -1, "pprof",
                   "out of memory (or over the arena limit of %llu bytes) for %zu records",
                   (unsigned long long)d->lim.arena_bytes, n);
    return a;
}

static int resolve_header(struct dec *d)
{
    struct gorca_profile *p = d->p;
    struct gorca_value_type *types = arena_array(d, d->types.n, sizeof(*types));
    struct gorca_strv *comments = arena_array(d, d->comments.n, sizeof(*comments));

    if ((d->types.n && types == NULL) || (d->comments.n && comments == NULL))
        return 0;
    for (size_t i = 0; i < d->types.n; i++) {
        const struct raw_vt *vt = &d->types.v[i];

        if (!str_at(d, vt->type, vt->off, &types[i].type, "sample_type %zu > type", i) ||
            !str_at(d, vt->unit, vt->off, &types[i].unit, "sample_type %zu > unit", i))
            return 0;
    }
    for (size_t i = 0; i < d->comments.n; i++)
        if (!str_at(d, d->comments.v[i].idx, d->comments.v[i].off, &comments[i], "comment %zu", i))
            return 0;
    if (d->has_period_type && (!str_at(d, d->period_type.type, d->period_type.off,
                                       &p->period_type.type, "period_type > type") ||
                               !str_at(d, d->period_type.unit, d->period_type.off,
                                       &p->period_type.unit, "period_type > unit")))
        return 0;
    if (!str_at(d, d->drop.idx, d->drop.off, &p->drop_frames, "drop_frames") ||
        !str_at(d, d->keep.idx, d->keep.off, &p->keep_frames, "keep_frames") ||
        !str_at(d, d->dflt.idx, d->dflt.off, &p->default_sample_type, "default_sample_type") ||
        !str_at(d, d->doc.idx, d->doc.off, &p->doc_url, "doc_url"))
        return 0;
    if (!d->has_period_type)
        p->period_type.type = p->period_type.unit = d->strs.v[0];
    p->sample_types = types;
    p->n_sample_types = d->types.n;
    p->comments = comments;
    p->n_comments = d->comments.n;
    p->time_nanos = d->time_nanos;
    p->duration_nanos = d->duration_nanos;
    p->period = d->period;
    return 1;
}

/* Copies the string table into the arena, so the model does not need the input bytes after
 * decoding (they are given back while samples are decoded, see release_behind). */
static int copy_strings(struct dec *d)
{
    size_t total = 0;
    char *at;

    for (size_t i = 0; i < d->strs.n; i++)
        total += d->strs.v[i].len;
    if (total == 0)
        return 1;
    at = arena_array(d, total, 1);
    if (at == NULL)
        return 0;
    for (size_t i = 0; i < d->strs.n; i++) {
        if (d->strs.v[i].len == 0)
            continue;
        memcpy(at, d->strs.v[i].ptr, d->strs.v[i].len);
        d->strs.v[i].ptr = at;
        at += d->strs.v[i].len;
    }
    return 1;
}

/* Gives the pages of data before offset upto back to the kernel once 8 MiB have piled up:
 * samples are decoded in file order and nothing before them is read again, so a big profile
 * never holds both all of its protobuf bytes and all of its decoded samples. */
static void release_behind(struct dec *d, uint64_t upto, int force)
{
#ifdef MADV_DONTNEED
    long page = sysconf(_SC_PAGESIZE);
    uintptr_t start, end;

    if (!d->may_release || page <= 0 || (!force && upto - d->released < (8u << 20)))
        return;
    start = ((uintptr_t)d->data + (uintptr_t)d->released + (uintptr_t)page - 1) &
            ~((uintptr_t)page - 1);
    end = ((uintptr_t)d->data + (uintptr_t)upto) & ~((uintptr_t)page - 1);
    if (end > start)
        (void)madvise((void *)start, end - start, MADV_DONTNEED);
    d->released = upto;
#else
    (void)d;
    (void)upto;
    (void)force;
#endif
}

static uint64_t max_id_of(const void *base, size_t n, size_t stride)
{
    uint64_t m = 0;

    for (size_t i = 0; i < n; i++) {
        uint64_t id = *(const uint64_t *)(const void *)((const char *)base + i * stride);

        if (id > m)
            m = id;
    }
    return m;
}

/* Registers ids of one table; checks non-zero and unique. */
static int register_ids(struct dec *d, struct pb_idmap *m, const void *base, size_t n,
                        size_t stride, size_t off_field, const char *what)
{
    if (pb_idmap_init(m, n, max_id_of(base, n, stride)) != 0) {
        GORCA_FAIL(d->err, GORCA_E_NOMEM, -1, "pprof", "out of memory indexing %ss", what);
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        const char *rec = (const char *)base + i * stride;
        uint64_t id = *(const uint64_t *)(const void *)rec;
        uint64_t off = *(const uint64_t *)(const void *)(rec + off_field);
        char where[64];
        int r;

        snprintf(where, sizeof(where), "%s %zu > id", what, i);
        if (id == 0) {
            GORCA_FAIL(d->err, GORCA_E_MALFORMED, off, where, "%s id 0 is reserved", what);
            return 0;
        }
        r = pb_idmap_put(m, id, (uint32_t)i);
        if (r != 0) {
            GORCA_FAIL(d->err, r > 0 ? GORCA_E_MALFORMED : GORCA_E_NOMEM, off, where,
                       "%s id %llu is used twice", what, (unsigned long long)id);
            return 0;
        }
    }
    return 1;
}

static int resolve_mappings(struct dec *d)
{
    struct gorca_mapping *ms = arena_array(d, d->maps.n, sizeof(*ms));

    if (d->maps.n && ms == NULL)
        return 0;
    if (!register_ids(d, &d->map_ids, d->maps.v, d->maps.n, sizeof(struct raw_map),
                      offsetof(struct raw_map, off), "mapping"))
        return 0;
    for (size_t i = 0; i < d->maps.n; i++) {
        const struct raw_map *r = &d->maps.v[i];
        struct gorca_mapping *m = &ms[i];

        m->id = r->id;
        m->memory_start = r->start;
        m->memory_limit = r->limit;
        m->file_offset = r->offset;
        m->has_functions = r->flags[0];
        m->has_filenames = r->flags[1];
        m->has_line_numbers = r->flags[2];
        m->has_inline_frames = r->flags[3];
        if (!str_at(d, r->file, r->off, &m->filename, "mapping %zu > filename", i) ||
            !str_at(d, r->build_id, r->off, &m->build_id, "mapping %zu > build_id", i))
            return 0;
    }
    d->p->mappings = ms;
    d->p->n_mappings = d->maps.n;
    return 1;
}

static int resolve_functions(struct dec *d)
{
    struct gorca_function *fs = arena_array(d, d->fns.n, sizeof(*fs));

    if (d->fns.n && fs == NULL)
        return 0;
    if (!register_ids(d, &d->fn_ids, d->fns.v, d->fns.n, sizeof(struct raw_fn),
                      offsetof(struct raw_fn, off), "function"))
        return 0;
    for (size_t i = 0; i < d->fns.n; i++) {
        const struct raw_fn *r = &d->fns.v[i];
        struct gorca_function *f = &fs[i];

        f->id = r->id;
        f->start_line = r->start_line;
        if (!str_at(d, r->name, r->off, &f->name, "function %zu > name", i) ||
            !str_at(d, r->sys, r->off, &f->system_name, "function %zu > system_name", i) ||
            !str_at(d, r->file, r->off, &f->filename, "function %zu > filename", i))
            return 0;
    }
    d->p->functions = fs;
    d->p->n_functions = d->fns.n;
    return 1;
}

static int resolve_locations(struct dec *d)
{
    struct gorca_location *ls = arena_array(d, d->locs.n, sizeof(*ls));
    struct gorca_line *lines = arena_array(d, d->lines.n, sizeof(*lines));

    if ((d->locs.n && ls == NULL) || (d->lines.n && lines == NULL))
        return 0;
    if (!register_ids(d, &d->loc_ids, d->locs.v, d->locs.n, sizeof(struct raw_loc),
                      offsetof(struct raw_loc, off), "location"))
        return 0;
    for (size_t i = 0; i < d->locs.n; i++) {
        const struct raw_loc *r = &d->locs.v[i];
        struct gorca_location *l = &ls[i];

        memset(l, 0, sizeof(*l));
        l->id = r->id;
        l->address = r->address;
        l->is_folded = r->folded;
        l->n_lines = r->n_lines;
        l->lines = r->n_lines ? &lines[r->first_line] : NULL;
        if (r->mapping_id != 0) {
            uint32_t mi = pb_idmap_get(&d->map_ids, r->mapping_id);
            char where[64];

            if (mi == UINT32_MAX) {
                snprintf(where, sizeof(where), "location %zu > mapping_id", i);
                GORCA_FAIL(d->err, GORCA_E_MALFORMED, r->off, where,
                           "mapping id %llu does not exist", (unsigned long long)r->mapping_id);
                return 0;
            }
            l->mapping = &d->p->mappings[mi];
        }
        for (uint32_t j = 0; j < r->n_lines; j++) {
            const struct raw_line *rl = &d->lines.v[r->first_line + j];
            struct gorca_line *ln = &lines[r->first_line + j];
            uint32_t fi = pb_idmap_get(&d->fn_ids, rl->fid);

            if (fi == UINT32_MAX) {
                char where[64];

                snprintf(where, sizeof(where), "location %zu > line %u > function_id", i, j);
                if (rl->fid == 0)
                    GORCA_FAIL(d->err, GORCA_E_MALFORMED, rl->off, where,
                               "line without a function (function_id 0)");
                else
                    GORCA_FAIL(d->err, GORCA_E_MALFORMED, rl->off, where,
                               "function id %llu does not exist", (unsigned long long)rl->fid);
                return 0;
            }
            ln->function = &d->p->functions[fi];
            ln->line = rl->line;
            ln->column = rl->column;
        }
    }
    d->p->locations = ls;
    d->p->n_locations = d->locs.n;
    return 1;
}

/* ---- phase 2: samples ---------------------------------------------------------------------- */

/* Makes room for n location indices in the pool. */
static int pool_reserve(struct dec *d, uint64_t n)
{
    uint64_t chunk = 256 * 1024;

    if ((uint64_t)(d->pool_end - d->pool) >= n)
        return 1;
    if (n > chunk)
        chunk = n;
    if (chunk > SIZE_MAX / sizeof(uint32_t)) {
        GORCA_FAIL(d->err, GORCA_E_NOMEM, -1, "pprof", "sample too large");
        return 0;
    }
    d->pool = base_arena_alloc(d->arena, (size_t)chunk * sizeof(uint32_t));
    if (d->pool == NULL) {
        d->pool_end = NULL;
        GORCA_FAIL(d->err, GORCA_E_NOMEM, -1, "pprof",
                   "out of memory (or over the arena limit of %llu bytes) for sample stacks",
                   (unsigned long long)d->lim.arena_bytes);
        return 0;
    }
    d->pool_end = d->pool + chunk;
    return 1;
}

/* Appends location ids from a varint run to the pool; the caller reserved room. */
static uint32_t sample_locs(struct dec *d, struct gorca_reader *r, uint32_t n, int packed)
{
    do {
        uint64_t id;
        uint32_t ix;

        if (r->p < r->end && *r->p < 0x80)
            id = *r->p++;
        else
            id = rd_uvarint(r);
        if (!rd_ok(r))
            return n;
        ix = pb_idmap_get(&d->loc_ids, id);
        if (ix == UINT32_MAX) {
            RD_FAIL(r, GORCA_E_MALFORMED, "location id %llu does not exist",
                    (unsigned long long)id);
            return n;
        }
        if (n >= d->lim.stack_depth) {
            RD_FAIL(r, GORCA_E_LIMIT, "more than %llu frames (the stack depth limit)",
                    (unsigned long long)d->lim.stack_depth);
            return n;
        }
        d->pool[n++] = ix;
    } while (packed && !rd_eof(r));
    return n;
}

static uint32_t sample_values(struct gorca_reader *r, int64_t *vals, size_t n_types, uint32_t n,
                              int packed)
{
    do {
        int64_t v = (int64_t)rd_uvarint(r);

        if (!rd_ok(r))
            return n;
        if (n < n_types)
            vals[n] = v;
        if (n < UINT32_MAX)
            n++;
    } while (packed && !rd_eof(r));
    return n;
}

static void sample_label(struct dec *d, struct gorca_reader *r, uint32_t wt)
{
    struct gorca_reader sub;
    struct raw_label *l;
    uint32_t field, lwt;
    uint64_t ko;

    if (!sub_message(r, wt, "label", &sub))
        return;
    l = PUSH(d, d->labels);
    if (l == NULL)
        return;
    memset(l, 0, sizeof(*l));
    l->off = rd_tell(&sub);
    while (next_key(&sub, &field, &lwt, &ko)) {
        switch (field) {
        case 1:
            l->key = rd_int64(&sub, lwt, "key");
            break;
        case 2:
            l->str = rd_int64(&sub, lwt, "str");
            break;
        case 3:
            l->num = rd_int64(&sub, lwt, "num");
            break;
        case 4:
            l->unit = rd_int64(&sub, lwt, "num_unit");
            break;
        default:
            skip_field(&sub, lwt);
            break;
        }
    }
}

struct labelset_key {
    struct dec *d;
    const struct gorca_label *ls;
    size_t n;
};

static int labelset_eq(void *ctx, uint32_t i)
{
    struct labelset_key *k = ctx;
    const struct labelset *have = &k->d->labelsets.v[i];

    if (have->n != k->n)
        return 0;
    for (size_t j = 0; j < k->n; j++) {
        const struct gorca_label *a = &have->labels[j], *b = &k->ls[j];

        if (a->num != b->num || !pb_strv_same(a->key, b->key) || !pb_strv_same(a->str, b->str) ||
            !pb_strv_same(a->num_unit, b->num_unit))
            return 0;
    }
    return 1;
}

/* Resolves the sample's labels. Samples usually repeat a few label sets (goroutine labels), so
 * equal sets share one array instead of costing a copy per sample. */
static int resolve_labels(struct dec *d, size_t si, struct gorca_sample *s)
{
    struct gorca_label *ls;
    struct labelset_key k;
    struct labelset *slot;
    uint64_t h = d->labels.n;
    uint32_t found;
    size_t at;

    if (base_grow((void **)&d->scratch_labels.v, &d->scratch_labels.cap, d->labels.n,
                  sizeof(struct gorca_label)) != 0) {
        GORCA_FAIL(d->err, GORCA_E_NOMEM, -1, "pprof", "out of memory for labels");
        return 0;
    }
    ls = d->scratch_labels.v;
    for (size_t i = 0; i < d->labels.n; i++) {
        const struct raw_label *r = &d->labels.v[i];

        ls[i].num = r->num;
        if (!str_at(d, r->key, r->off, &ls[i].key, "sample %zu > label %zu > key", si, i) ||
            !str_at(d, r->str, r->off, &ls[i].str, "sample %zu > label %zu > str", si, i) ||
            !str_at(d, r->unit, r->off, &ls[i].num_unit, "sample %zu > label %zu > num_unit", si,
                    i))
            return 0;
        h = base_hash_u64(h ^ (uint64_t)r->key ^ ((uint64_t)r->str << 21) ^
                          ((uint64_t)r->unit << 42) ^ base_hash_u64((uint64_t)r->num));
    }
    k.d = d;
    k.ls = ls;
    k.n = d->labels.n;
    if (pb_set_reserve(&d->labelset_set) != 0) {
        GORCA_FAIL(d->err, GORCA_E_NOMEM, -1, "pprof", "out of memory for labels");
        return 0;
    }
    at = pb_set_find(&d->labelset_set, h, labelset_eq, &k, &found);
    if (found) {
        s->labels = d->labelsets.v[found - 1].labels;
        s->n_labels = (uint32_t)d->labels.n;
        return 1;
    }
    ls = arena_array(d, d->labels.n, sizeof(*ls));
    if (ls == NULL)
        return 0;
    slot = PUSH(d, d->labelsets);
    if (slot == NULL)
        return 0;
    memcpy(ls, d->scratch_labels.v, d->labels.n * sizeof(*ls));
    slot->labels = ls;
    slot->n = d->labels.n;
    pb_set_insert_at(&d->labelset_set, at, h, (uint32_t)(d->labelsets.n - 1));
    s->labels = ls;
    s->n_labels = (uint32_t)d->labels.n;
    return 1;
}

static int decode_sample(struct dec *d, size_t si, struct gorca_sample *s, int64_t *vals)
{
    static const char *names[] = { "", "location_id", "value", "label" };
    const struct span *sp = &d->samples.v[si];
    size_t n_types = d->p->n_sample_types;
    struct gorca_reader r;
    uint32_t field, wt, n_locs = 0, n_vals = 0;
    uint64_t ko;

    rd_init(&r, d->data + sp->off, (size_t)sp->len, sp->off, d->err);
    if (!pool_reserve(d, sp->len))
        return 0;
    d->labels.n = 0;
    while (next_key(&r, &field, &wt, &ko)) {
        if (field == 1 || field == 2) {
            int packed = wt == WT_LEN;
            struct gorca_reader sub = r;

            if (packed)
                sub = rd_sub(&r, rd_uvarint(&r));
            else if (!want_wt(&r, wt, WT_VARINT, names[field]))
                break;
            if (!rd_ok(&r) || (packed && rd_eof(&sub)))
                continue;
            if (field == 1)
                n_locs = sample_locs(d, packed ? &sub : &r, n_locs, packed);
            else
                n_vals = sample_values(packed ? &sub : &r, vals, n_types, n_vals, packed);
        } else if (field == 3) {
            sample_label(d, &r, wt);
        } else {
            skip_field(&r, wt);
        }
        if (!rd_ok(&r))
            break;
    }
    if (!rd_ok(&r)) {
        annotate(d, "sample %zu > %s", si, field < 4 ? names[field] : "field");
        return 0;
    }
    if (n_vals != n_types) {
        char where[64];

        snprintf(where, sizeof(where), "sample %zu > value", si);
        GORCA_FAIL(d->err, GORCA_E_MALFORMED, sp->off, where,
                   "sample has %u values, expected %zu (one per sample_type)", n_vals, n_types);
        return 0;
    }
    s->locs = d->pool;
    s->n_locs = n_locs;
    s->values = vals;
    d->pool += n_locs;
    if (d->labels.n && !resolve_labels(d, si, s))
        return 0;
    return 1;
}

static int resolve_samples(struct dec *d)
{
    size_t n = d->samples.n, k = d->p->n_sample_types;
    struct gorca_sample *ss;
    int64_t *vals = NULL;

    if (n == 0)
        return 1;
    if (k == 0) {
        GORCA_FAIL(d->err, GORCA_E_MALFORMED, d->samples.v[0].off, "sample 0",
                   "profile has samples but no sample_type");
        return 0;
    }
    ss = arena_array(d, n, sizeof(*ss));
    if (ss == NULL)
        return 0;
    vals = n > SIZE_MAX / k ? NULL : arena_array(d, n * k, sizeof(int64_t));
    if (vals == NULL) {
        GORCA_FAIL(d->err, GORCA_E_NOMEM, -1, "pprof", "out of memory for sample values");
        return 0;
    }
    memset(ss, 0, n * sizeof(*ss));
    for (size_t i = 0; i < n; i++) {
        if (!decode_sample(d, i, &ss[i], vals + i * k))
            return 0;
        release_behind(d, d->samples.v[i].off + d->samples.v[i].len, 0);
    }
    d->p->samples = ss;
    d->p->n_samples = n;
    return 1;
}

/* ---- entry points ----------------------------------------------------------------------- */

static void dec_release(struct dec *d)
{
    base_free(d->types.v);
    base_free(d->maps.v);
    base_free(d->fns.v);
    base_free(d->locs.v);
    base_free(d->lines.v);
    base_free(d->samples.v);
    base_free(d->strs.v);
    base_free(d->comments.v);
    base_free(d->labels.v);
    base_free(d->scratch_labels.v);
    base_free(d->labelsets.v);
    pb_set_release(&d->labelset_set);
    pb_idmap_release(&d->map_ids);
    pb_idmap_release(&d->fn_ids);
    pb_idmap_release(&d->loc_ids);
}

enum gorca_status pb_decode(struct gorca_profile *p, const uint8_t *data, size_t len,
                            struct gorca_error *err)
{
    struct dec d;
    struct gorca_reader r;
    int ok;

    memset(&d, 0, sizeof(d));
    d.p = p;
    d.arena = &p->internal->arena;
    d.data = data;
    d.err = err;
    d.lim = p->internal->lim;
    d.may_release = p->internal->owned == data;
    rd_init(&r, data, len, 0, err);
    phase1(&d, &r);
    ok = rd_ok(&r) && err->code == GORCA_OK;
    if (ok && d.strs.n == 0)
        ok = GORCA_FAIL(err, GORCA_E_MALFORMED, (int64_t)len, "string_table",
                        "missing string table (string_table[0] must be '')") == GORCA_OK;
    ok = ok && copy_strings(&d) && resolve_header(&d) && resolve_mappings(&d) &&
         resolve_functions(&d) && resolve_locations(&d) && resolve_samples(&d);
    dec_release(&d);
    if (!ok && err->code == GORCA_OK)
        GORCA_FAIL(err, GORCA_E_INTERNAL, -1, "pprof", "decoder failed without an error");
    if (ok && p->internal->owned == data) {
        /* Everything now lives in the arena. */
        base_free(p->internal->owned);
        p->internal->owned = NULL;
    }
    return ok ? GORCA_OK : err->code;
}

/* Names the non-protobuf inputs people most often pass by mistake. */
static int sniff_other(const uint8_t *p, size_t n, struct gorca_error *err)
{
    static const struct {
        const char *prefix, *what;
    } kinds[] = {
        { "go 1.", "a Go execution trace, not a pprof profile" },
        { "goroutine profile: total", "a goroutine dump (debug=1), not a protobuf profile" },
        { "goroutine ", "a goroutine dump (debug=2), not a protobuf profile" },
        { "heap profile:", "a text heap profile (debug=1); fetch it without debug=1" },
        { "--- mutex:", "a text mutex profile (debug=1); fetch it without debug=1" },
        { "--- contention:", "a text block profile (debug=1); fetch it without debug=1" },
        { "threadcreate profile:", "a text threadcreate profile (debug=1)" },
        { "<!DOCTYPE", "an HTML page, not a pprof profile" },
        { "<html", "an HTML page, not a pprof profile" },
    };

    for (size_t i = 0; i < BASE_ARRAY_LEN(kinds); i++) {
        size_t k = strlen(kinds[i].prefix);

        if (n >= k && memcmp(p, kinds[i].prefix, k) == 0) {
            GORCA_FAIL(err, GORCA_E_UNSUPPORTED, 0, NULL, "this is %s", kinds[i].what);
            return 1;
        }
    }
    return 0;
}

/* Decodes data (owned; freed on every path) that is raw protobuf, or gzip when may_gzip. */
static enum gorca_status parse_owned(uint8_t *data, size_t len, const struct gorca_limits *lim,
                                     int may_gzip, struct gorca_profile **out,
                                     struct gorca_error *err)
{
    struct gorca_profile *p;
    enum gorca_status st;

    *out = NULL;
    p = pb_profile_new(lim);
    if (p == NULL) {
        base_free(data);
        return GORCA_FAIL(err, GORCA_E_NOMEM, -1, "pprof", "out of memory");
    }
    if (may_gzip && gorca_is_gzip(data, len)) {
        uint8_t *raw;
        size_t raw_len;

        st = gorca_gunzip(data, len, p->internal->lim.input_bytes, &raw, &raw_len, err);
        base_free(data);
        if (st != GORCA_OK) {
            gorca_profile_free(p);
            return st;
        }
        data = raw;
        len = raw_len;
    } else if (len > p->internal->lim.input_bytes) {
        base_free(data);
        gorca_profile_free(p);
        return GORCA_FAIL(err, GORCA_E_LIMIT, -1, "pprof",
                          "input of %zu bytes exceeds the input limit", len);
    }
    p->internal->owned = data;
    if (len == 0) {
        gorca_profile_free(p);
        return GORCA_FAIL(err, GORCA_E_MALFORMED, 0, NULL, "empty profile (no bytes)");
    }
    if (sniff_other(data, len, err)) {
        gorca_profile_free(p);
        return err->code;
    }
    st = pb_decode(p, data, len, err);
    if (st != GORCA_OK) {
        gorca_profile_free(p);
        return st;
    }
    *out = p;
    return GORCA_OK;
}

enum gorca_status gorca_profile_parse_owned(uint8_t *data, size_t len,
                                            const struct gorca_limits *lim,
                                            struct gorca_profile **out, struct gorca_error *err)
{
    return parse_owned(data, len, lim, 1, out, err);
}

enum gorca_status gorca_profile_parse(const uint8_t *data, size_t len,
                                      const struct gorca_limits *lim, struct gorca_profile **out,
                                      struct gorca_error *err)
{
    uint8_t *copy;

    *out = NULL;
    if (gorca_is_gzip(data, len)) {
        /* The inflated copy is the one the profile keeps; no need to copy the input. */
        struct gorca_limits l = gorca_limits_resolve(lim);
        uint8_t *raw;
        size_t raw_len;
        enum gorca_status st = gorca_gunzip(data, len, l.input_bytes, &raw, &raw_len, err);

        if (st != GORCA_OK)
            return st;
        return parse_owned(raw, raw_len, lim, 0, out, err);
    }
    copy = base_malloc(len ? len : 1);
    if (copy == NULL)
        return GORCA_FAIL(err, GORCA_E_NOMEM, -1, "pprof", "out of memory");
    if (len)
        memcpy(copy, data, len);
    return parse_owned(copy, len, lim, 0, out, err);
}

enum gorca_status gorca_profile_read_file(const char *path, const struct gorca_limits *lim,
                                          struct gorca_profile **out, struct gorca_error *err)
{
    struct gorca_limits l = gorca_limits_resolve(lim);
    uint8_t *data;
    size_t len;
    enum gorca_status st;

    *out = NULL;
    if (err->source == NULL)
        err->source = path;
    st = gorca_read_file(path, l.input_bytes, &data, &len, err);
    if (st != GORCA_OK)
        return st;
    return gorca_profile_parse_owned(data, len, lim, out, err);
}
