/* Private header of src/pprof: the profile's internal owner block, the id maps, the string
 * interner and the builder the decoder, merge and views share. Nothing here is public. */
#ifndef GORCA_PPROF_INT_H
#define GORCA_PPROF_INT_H

#include <stdint.h>
#include "base/base.h"
#include "gorca/profile.h"

/* ---- profile ownership --------------------------------------------------------------------*/

struct gorca_profile_internal {
    struct base_arena arena; /* every array and copied string of the profile */
    uint8_t *owned;          /* input bytes while decoding; owned, base_free(); NULL after */
    struct gorca_limits lim; /* limits the profile was made with */
};

/* A profile with an empty arena (limits from lim). NULL when out of memory. */
struct gorca_profile *pb_profile_new(const struct gorca_limits *lim);

/* Copies s into p's arena; the empty view on failure with *failed set. */
struct gorca_strv pb_strv_dup(struct gorca_profile *p, struct gorca_strv s, int *failed);

static inline struct gorca_strv pb_strv(const char *s)
{
    struct gorca_strv v = { s, s ? strlen(s) : 0 };

    return v;
}

static inline int pb_strv_same(struct gorca_strv a, struct gorca_strv b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

/* ---- id -> index maps (dense table when ids are compact, else open addressing) ---------- */

struct pb_idmap {
    uint32_t *dense;  /* dense[id] = index + 1, 0 = absent; owned */
    uint64_t n_dense; /* ids below this use dense */
    uint64_t *keys;   /* open addressing for the rest; owned */
    uint32_t *vals;   /* index + 1 */
    size_t cap;       /* power of two, or 0 */
    size_t used;
};

/* Prepares a map for n ids whose largest is max_id. Returns 0 or -1 (out of memory). */
int pb_idmap_init(struct pb_idmap *m, size_t n, uint64_t max_id);
void pb_idmap_release(struct pb_idmap *m);
/* Inserts id -> index. Returns 0, 1 when id is already present, -1 when out of memory. */
int pb_idmap_put(struct pb_idmap *m, uint64_t id, uint32_t index);
/* Index of id, or UINT32_MAX when absent. */
static inline uint32_t pb_idmap_get(const struct pb_idmap *m, uint64_t id)
{
    if (id < m->n_dense)
        return m->dense[id] - 1; /* 0 - 1 wraps to UINT32_MAX */
    if (m->cap == 0)
        return UINT32_MAX;
    for (size_t i = (size_t)base_hash_u64(id) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (m->vals[i] == 0)
            return UINT32_MAX;
        if (m->keys[i] == id)
            return m->vals[i] - 1;
    }
}

/* ---- generic hash set of indices with caller-provided hash/equality -------------------------
 * Stores uint32 ids (0 = empty slot, so callers store index + 1); the caller compares. */
struct pb_set {
    uint32_t *slots; /* owned */
    uint64_t *hashes;
    size_t cap, used;
};

void pb_set_init(struct pb_set *s);
void pb_set_release(struct pb_set *s);
/* Makes room for one more entry. Returns 0 or -1. */
int pb_set_reserve(struct pb_set *s);

/* Looks up hash h: returns the slot where it is or would go; *found = the stored value
 * (index + 1) of an entry with hash h for which eq(ctx, value - 1) holds, else 0. */
static inline size_t pb_set_find(const struct pb_set *s, uint64_t h,
                                 int (*eq)(void *ctx, uint32_t index), void *ctx, uint32_t *found)
{
    size_t i = (size_t)h & (s->cap - 1);

    for (; s->slots[i] != 0; i = (i + 1) & (s->cap - 1)) {
        if (s->hashes[i] == h && eq(ctx, s->slots[i] - 1)) {
            *found = s->slots[i];
            return i;
        }
    }
    *found = 0;
    return i;
}

static inline void pb_set_insert_at(struct pb_set *s, size_t slot, uint64_t h, uint32_t index)
{
    s->slots[slot] = index + 1;
    s->hashes[slot] = h;
    s->used++;
}

/* ---- decoding helpers used by tests ------------------------------------------------------ */

/* Decodes raw protobuf bytes (not gzip) that p->internal->owned already holds. */
enum gorca_status pb_decode(struct gorca_profile *p, const uint8_t *data, size_t len,
                            struct gorca_error *err);

/* ---- builder (builder.c): used by the public builder, merge and filters ------------------ */

struct pb_builder;

struct pb_builder *pb_builder_new(const struct gorca_limits *lim, size_t n_types);
void pb_builder_free(struct pb_builder *b);
int pb_builder_failed(const struct pb_builder *b);
/* Makes the builder fail (an out-of-memory noticed outside it). */
void pb_builder_set_failed(struct pb_builder *b);
struct gorca_profile *pb_builder_profile(struct pb_builder *b);
/* Interns a string in the builder's profile arena. */
struct gorca_strv pb_builder_str(struct pb_builder *b, struct gorca_strv s);
/* Adds (interned by value) a mapping / function; returns the 0-based index or UINT32_MAX. */
uint32_t pb_builder_add_mapping(struct pb_builder *b, const struct gorca_mapping *m);
uint32_t pb_builder_add_function(struct pb_builder *b, const struct gorca_function *f);
/* Adds a location whose lines refer to builder function indices fidx[i]; mapping index midx
 * (UINT32_MAX = none). Interned by (mapping, address, lines, folded). */
uint32_t pb_builder_add_location(struct pb_builder *b, uint32_t midx, uint64_t address,
                                 const uint32_t *fidx, const int64_t *lines, const int64_t *columns,
                                 size_t n_lines, int is_folded);
/* Appends a sample or, when merge is set, adds values into an equal existing sample (same
 * locations and labels). Labels' strings must already be builder strings. Returns 0 or -1. */
int pb_builder_add_sample(struct pb_builder *b, const uint32_t *locs, size_t n_locs,
                          const int64_t *values, const struct gorca_label *labels, size_t n_labels,
                          int merge);
/* Finishes: fills the profile's arrays and ids (1-based, in insertion order), keeps only the
 * samples with a non-zero value when drop_zero, and returns the profile (owned). */
enum gorca_status pb_builder_finish(struct pb_builder *b, int drop_zero, struct gorca_profile **out,
                                    struct gorca_error *err);
/* Header fields are set directly on pb_builder_profile(b); these copy strings: */
void pb_builder_set_types(struct pb_builder *b, const struct gorca_value_type *types);
int pb_builder_add_comment(struct pb_builder *b, struct gorca_strv c);

/* ---- views: shared stack selection (select.c) ---------------------------------------------*/

struct pb_regex; /* PCRE2 code */

/* The result of sample-index selection and filtering (pprof's applyFocus): per location the
 * lines still shown, per sample whether it is kept. Lines are kept as indices into the
 * location's original lines, innermost first. */
struct pb_selection {
    size_t value_index;     /* chosen column */
    int mean;               /* divide by column 0 */
    uint32_t *line_start;   /* per location: first entry in line_idx; owned */
    uint16_t *line_count;   /* per location: kept lines */
    uint16_t *line_idx;     /* kept line numbers, innermost first; owned */
    uint8_t *sample_kept;   /* per sample: 1 when the sample survives the filters */
    uint8_t *loc_hidden;    /* per location: 1 when hide/show removed it from stacks */
    char type_name[128];    /* "cpu", or "mean_cpu" */
    struct gorca_strv unit; /* unit of the column */
    int64_t total;          /* pprof's report total (before filters) */
    char filters[4][1024];  /* "focus=RE" ... for the Active filters header */
    size_t n_filters;
};

enum gorca_status pb_select(const struct gorca_profile *p, const struct gorca_view_options *o,
                            struct pb_selection *sel, struct gorca_error *err);
void pb_selection_release(struct pb_selection *sel);

/* ---- units (units.c): pprof's measurement package ------------------------------------------*/

/* Scales v from unit to output unit ("minimum"/"auto"/a unit). *out_unit gets the canonical
 * unit name ("" for counts). */
double pb_scale(int64_t v, const char *unit, size_t unit_len, const char *to_unit,
                const char **out_unit);
/* pprof's Percentage(value, total) into buf (at least 16 bytes). */
void pb_percentage(int64_t value, int64_t total, char *buf, size_t size);
/* pprof's ScaledLabel into buf. */
void pb_scaled_label(int64_t v, const char *unit, size_t unit_len, const char *to_unit, char *buf,
                     size_t size);
/* 1 when unit is a time/bytes unit pprof knows; *family gets 1 (bytes) or 2 (time). */
int pb_unit_family(const char *unit, size_t unit_len, double *factor);

/* ---- text helpers (raw.c) ------------------------------------------------------------------*/

/* -raw layouts of the pprof versions Go vendors: 1.21-1.22, 1.23 (Line.column), 1.24+ (Doc:). */
enum { PB_RAW_V121 = 0, PB_RAW_COLUMNS = 1, PB_RAW_DOC = 2 };
void pb_render_raw(const struct gorca_profile *p, int utc, int style, struct gorca_buf *out);
/* Go's time formatting: layout "string" (time.Time.String) or "report" (pprof's Time: line). */
void pb_go_time(int64_t ns, int utc, const char *layout, char *buf, size_t size);
/* Go's time.Duration.String. */
void pb_go_duration(int64_t d, char *buf, size_t size);
/* How pprof's model reads a label: 1 string, 2 numeric, 0 dropped. */
int pb_label_kind(const struct gorca_label *l);

/* ---- aggregated name stacks (stacks.c), input of the folded and flame views --------------*/

struct pb_stack {
    size_t off;    /* first frame in pb_stacks.frames */
    uint32_t n;    /* frames, root first */
    int64_t value; /* summed column value */
    int64_t div;   /* summed column 0 when mean */
};

struct pb_stacks {
    struct pb_selection sel; /* column, filters, total */
    struct base_arena arena; /* names */
    char **names;            /* printable frame names, NUL-terminated (arena) */
    size_t n_names, cap_names;
    uint32_t *loc_first; /* per location: first entry in loc_names */
    uint32_t *loc_names; /* per kept line, innermost first */
    struct pb_stack *stacks;
    size_t n_stacks, cap_stacks;
    uint32_t *frames; /* name ids */
    size_t n_frames, cap_frames;
    struct pb_set name_set, stack_set;
};

/* Filters p as the views do and sums samples by name stack. On failure s is released. */
enum gorca_status pb_stacks_build(const struct gorca_profile *p, const struct gorca_view_options *o,
                                  struct pb_stacks *s, struct gorca_error *err);
/* A stack's value (divided by its count when mean). */
int64_t pb_stack_value(const struct pb_stacks *s, const struct pb_stack *st);
void pb_stacks_release(struct pb_stacks *s);

#endif
