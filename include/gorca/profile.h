/* pprof profiles (profile.proto, ../shared/docs/pprof-formats.md §1-§2): decode, inspect,
 * build, encode, merge and classify, plus the views gorca prints (top, folded, flame).
 *
 * Ownership, once for the whole header: a struct gorca_profile owns one arena that holds all of
 * it (strings are copied there once; the inflated input is given back while samples are
 * decoded, so peak memory is about max(input, model) rather than their sum). Every pointer
 * reachable from it (samples, locations, lines, functions, mappings, labels, strings) belongs
 * to the profile and dies with gorca_profile_free(). Strings are (ptr, len) views
 * (struct gorca_strv) that are NOT NUL-terminated. The model is read-only:
 * change profiles through the builder, merge or filter functions, which make new profiles. */
#ifndef GORCA_PROFILE_H
#define GORCA_PROFILE_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "error.h"
#include "limits.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the model ------------------------------------------------------------------------- */

struct gorca_strv {
    const char *ptr; /* profile-owned bytes, not NUL-terminated; ptr may be NULL when len 0 */
    size_t len;
};

struct gorca_value_type {
    struct gorca_strv type; /* "cpu", "alloc_space", "delay", ... */
    struct gorca_strv unit; /* "nanoseconds", "bytes", "count", ... */
};

struct gorca_function {
    uint64_t id;                   /* non-zero, unique */
    struct gorca_strv name;        /* "main.(*server).hold" */
    struct gorca_strv system_name; /* raw symbol; Go writes the same as name */
    struct gorca_strv filename;    /* source file */
    int64_t start_line;            /* line of the declaration; 0 if unknown */
};

struct gorca_line {
    const struct gorca_function *function; /* never NULL (pprof rejects function_id 0) */
    int64_t line;                          /* source line; 0 if unknown */
    int64_t column;                        /* Line.column; Go writes 0 */
};

struct gorca_mapping {
    uint64_t id;           /* non-zero, unique */
    uint64_t memory_start; /* load address */
    uint64_t memory_limit; /* end address (exclusive) */
    uint64_t file_offset;  /* file offset mapped at memory_start */
    struct gorca_strv filename;
    struct gorca_strv build_id;
    uint8_t has_functions, has_filenames, has_line_numbers, has_inline_frames;
};

struct gorca_location {
    uint64_t id;                         /* non-zero, unique */
    const struct gorca_mapping *mapping; /* NULL when mapping_id is 0 */
    uint64_t address;                    /* Go writes return address - 1 */
    const struct gorca_line *lines;      /* innermost (inlined callee) first */
    uint32_t n_lines;                    /* 0 for unsymbolised locations */
    uint8_t is_folded;                   /* several symbols share this address */
};

/* One Label as stored. pprof reads a label as a string label when str is non-empty, else as a
 * numeric label when num != 0 or num_unit is non-empty, else drops it; gorca keeps it as is. */
struct gorca_label {
    struct gorca_strv key;
    struct gorca_strv str;      /* string value ("" when absent) */
    int64_t num;                /* numeric value (0 when absent) */
    struct gorca_strv num_unit; /* unit of num ("" when absent) */
};

struct gorca_sample {
    const uint32_t *locs;             /* indices into profile->locations, leaf first */
    const int64_t *values;            /* profile->n_sample_types entries */
    const struct gorca_label *labels; /* n_labels entries, in file order */
    uint32_t n_locs;
    uint32_t n_labels;
};

struct gorca_profile_internal;

struct gorca_profile {
    const struct gorca_value_type *sample_types; /* value columns */
    size_t n_sample_types;
    const struct gorca_sample *samples; /* in file order */
    size_t n_samples;
    const struct gorca_location *locations; /* in file order */
    size_t n_locations;
    const struct gorca_function *functions; /* in file order */
    size_t n_functions;
    const struct gorca_mapping *mappings; /* in file order; [0] is the main binary */
    size_t n_mappings;
    const struct gorca_strv *comments;
    size_t n_comments;
    struct gorca_value_type period_type;   /* empty strings when absent */
    int64_t period;                        /* period_type units between samples */
    int64_t time_nanos;                    /* collection time, ns since the Unix epoch; 0 = unset */
    int64_t duration_nanos;                /* collection window; 0 = unset */
    struct gorca_strv default_sample_type; /* a type *name*; "" = the last column */
    struct gorca_strv doc_url;
    struct gorca_strv drop_frames; /* regex; gorca's views do not apply it (Go never sets it) */
    struct gorca_strv keep_frames;
    struct gorca_profile_internal *internal; /* private: arena and owned input */
};

/* Location of sample s's i-th frame (0 = leaf). */
static inline const struct gorca_location *
gorca_sample_location(const struct gorca_profile *p, const struct gorca_sample *s, uint32_t i)
{
    return &p->locations[s->locs[i]];
}

/* 1 when v holds exactly the C string s. This function can't fail. */
int gorca_strv_eq(struct gorca_strv v, const char *s);

/* ---- decoding -------------------------------------------------------------------------- *
 * Strict two-phase decoder: the whole message is read first (any field order, packed and
 * unpacked repeated fields, unknown fields skipped), then string indices and ids are resolved
 * and checked as pprof's CheckValid does. Errors carry the byte offset (into the inflated data
 * when the input was gzip) and a context such as "sample 12 > location_id". A cut-off profile
 * yields no model (its string table comes last): GORCA_E_TRUNCATED. The source name shown in
 * errors is err->source (set it with gorca_error_init). lim may be NULL for the defaults. */

/* Decodes data[0..len) (gzip or raw protobuf; the bytes are copied when raw). On success *out
 * is a new profile (owned, gorca_profile_free()); on failure *out is NULL and err says why. */
enum gorca_status gorca_profile_parse(const uint8_t *data, size_t len,
                                      const struct gorca_limits *lim, struct gorca_profile **out,
                                      struct gorca_error *err) GORCA_CHECK;

/* As gorca_profile_parse but takes ownership of data (from malloc; freed on every path), which
 * saves a copy for raw input. */
enum gorca_status gorca_profile_parse_owned(uint8_t *data, size_t len,
                                            const struct gorca_limits *lim,
                                            struct gorca_profile **out,
                                            struct gorca_error *err) GORCA_CHECK;

/* Reads and decodes the file at path ("-" = stdin). Sets err->source to path when it is
 * unset. */
enum gorca_status gorca_profile_read_file(const char *path, const struct gorca_limits *lim,
                                          struct gorca_profile **out,
                                          struct gorca_error *err) GORCA_CHECK;

/* Opens the inputs of a profile command: reads every path, merges them as go tool pprof does
 * (§5.11) and, when n_base > 0, subtracts the merge of base_paths (pprof's -base). The error
 * names the failing path. This is the one place that turns command-line inputs into a profile,
 * so new input kinds (capture bundles) are added here. */
enum gorca_status gorca_profile_load(const char *const *paths, size_t n_paths,
                                     const char *const *base_paths, size_t n_base,
                                     const struct gorca_limits *lim, struct gorca_profile **out,
                                     struct gorca_error *err) GORCA_CHECK;

/* Frees the profile and everything it owns. Accepts NULL. */
void gorca_profile_free(struct gorca_profile *p);

/* ---- encoding -------------------------------------------------------------------------- */

/* Appends p as profile.proto to out: gzip'd when gzip_level is 1..12, raw protobuf when 0.
 * go tool pprof opens the result; decoding it gives back an equal model (unknown fields and the
 * original string-table order are not kept). Fails with GORCA_E_NOMEM or the buffer's cap. */
enum gorca_status gorca_profile_encode(const struct gorca_profile *p, int gzip_level,
                                       struct gorca_buf *out, struct gorca_error *err) GORCA_CHECK;

/* ---- building -------------------------------------------------------------------------- *
 * For producing profiles (trace-derived blocking profiles, benchmarks, tests). Strings are
 * copied. Functions, locations and mappings are interned: adding an equal one returns the
 * existing id. Builder functions fail only for allocation failure or limits, and then keep
 * failing; gorca_profile_builder_finish reports the first failure. Every function accepts the
 * NULL that a failed gorca_profile_builder_new returns (and does nothing, or fails). */
struct gorca_profile_builder;

/* New builder for a profile with n_types value columns. types/units are C strings. */
struct gorca_profile_builder *gorca_profile_builder_new(const char *const *types,
                                                        const char *const *units, size_t n_types,
                                                        const struct gorca_limits *lim);
void gorca_profile_builder_set_period(struct gorca_profile_builder *b, const char *type,
                                      const char *unit, int64_t period);
void gorca_profile_builder_set_time(struct gorca_profile_builder *b, int64_t time_nanos,
                                    int64_t duration_nanos);
void gorca_profile_builder_set_default_type(struct gorca_profile_builder *b, const char *type);
void gorca_profile_builder_add_comment(struct gorca_profile_builder *b, const char *comment);
/* Returns the mapping id (1-based), 0 on failure. */
uint64_t gorca_profile_builder_mapping(struct gorca_profile_builder *b, uint64_t start,
                                       uint64_t limit, uint64_t offset, const char *filename,
                                       const char *build_id, int has_functions);
/* Returns the function id, 0 on failure. system_name NULL means "same as name". */
uint64_t gorca_profile_builder_function(struct gorca_profile_builder *b, const char *name,
                                        const char *system_name, const char *filename,
                                        int64_t start_line);
/* A location with n_lines lines, innermost first. Returns the location id, 0 on failure. */
uint64_t gorca_profile_builder_location(struct gorca_profile_builder *b, uint64_t mapping_id,
                                        uint64_t address, const uint64_t *function_ids,
                                        const int64_t *lines, size_t n_lines);
/* Appends a sample (loc_ids leaf first; values has n_types entries). Labels: n_labels pairs of
 * keys[i] with either strs[i] (string label) or, when strs is NULL or strs[i] is NULL, nums[i].
 * Samples are not merged. Returns 0, or -1 on failure. */
int gorca_profile_builder_sample(struct gorca_profile_builder *b, const uint64_t *loc_ids,
                                 size_t n_locs, const int64_t *values, const char *const *keys,
                                 const char *const *strs, const int64_t *nums, size_t n_labels);
/* Turns the builder into a profile (owned) and frees the builder in every case. */
enum gorca_status gorca_profile_builder_finish(struct gorca_profile_builder *b,
                                               struct gorca_profile **out,
                                               struct gorca_error *err) GORCA_CHECK;
/* Frees an unfinished builder. Accepts NULL. */
void gorca_profile_builder_free(struct gorca_profile_builder *b);

/* ---- merging --------------------------------------------------------------------------- */

/* Merges n profiles as go tool pprof does with several inputs (§5.11): keeps the sample types
 * common to all (first input's order), scales compatible units to the finest, then dedups
 * mappings, functions, locations and samples and sums values; all-zero samples are removed.
 * scales may be NULL; else inputs are multiplied by scales[i] first (-1 subtracts, as -base).
 * Fails with GORCA_E_UNSUPPORTED naming the incompatibility (period or sample types). The inputs
 * are not changed; the result owns copies of everything (inputs may be freed). */
enum gorca_status gorca_profile_merge(const struct gorca_profile *const *ps, const int64_t *scales,
                                      size_t n, const struct gorca_limits *lim,
                                      struct gorca_profile **out,
                                      struct gorca_error *err) GORCA_CHECK;

/* ---- sample types and Go profile kinds ------------------------------------------------- */

/* Resolves a -sample_index argument as pprof does: NULL/"" = default_sample_type, else the
 * last column; a number is an index; else a type name, also tried with a leading "inuse_"
 * removed. Fails with GORCA_E_ARG listing the valid names. */
enum gorca_status gorca_profile_sample_index(const struct gorca_profile *p, const char *arg,
                                             size_t *index, struct gorca_error *err) GORCA_CHECK;

enum gorca_profile_kind {
    GORCA_PROFILE_UNKNOWN = 0,  /* not a Go runtime profile shape we know */
    GORCA_PROFILE_CPU,          /* samples/count, cpu/nanoseconds */
    GORCA_PROFILE_HEAP,         /* heap and allocs (see gorca_profile_class.allocs) */
    GORCA_PROFILE_BLOCK,        /* contentions+delay, stacks end in the blocking operation */
    GORCA_PROFILE_MUTEX,        /* contentions+delay, stacks end in the releasing call */
    GORCA_PROFILE_CONTENTION,   /* contentions+delay, no sample decides block vs mutex */
    GORCA_PROFILE_GOROUTINE,    /* goroutine/count */
    GORCA_PROFILE_THREADCREATE, /* threadcreate/count */
    GORCA_PROFILE_CUSTOM,       /* pprof.NewProfile: one NAME/count column */
};

struct gorca_profile_class {
    enum gorca_profile_kind kind;
    const char *kind_name; /* static: "cpu", "heap", "block", "mutex", "contention", ... */
    int allocs;            /* heap kind whose default type is alloc_space (the allocs endpoint) */
    int delta;             /* non-CPU profile with a duration: served for ?seconds=N */
    int has_negative;      /* some value is negative (delta profiles, -base results) */
    size_t mutex_votes;    /* contention kinds: samples whose leaf is a release (unlock) */
    size_t block_votes;    /* contention kinds: samples whose leaf is a blocking operation */
};

/* Classifies p by its sample types and, for the contention shape, by its stacks: a sample whose
 * innermost frames are sync.(*Mutex).Unlock, RWMutex unlocks, runtime unlocks or
 * runtime._LostContendedRuntimeLock votes mutex; channel, select, Lock, Wait and semacquire
 * frames vote block; the majority wins, CONTENTION when no sample votes. Returns out->kind.
 * This function can't fail. */
enum gorca_profile_kind gorca_profile_classify(const struct gorca_profile *p,
                                               struct gorca_profile_class *out);

/* Static name of a kind ("cpu", "heap", ...). */
const char *gorca_profile_kind_name(enum gorca_profile_kind kind);

/* ---- views ----------------------------------------------------------------------------- *
 * The views select a value column and filter stacks exactly as go tool pprof does (§5.9):
 * focus keeps samples with a frame matching it, ignore drops samples with one, hide removes
 * matching frames, show keeps only matching frames. Regexes are PCRE2 (RE2-like syntax),
 * unanchored, matched against function names, source file names and mapping file names.
 * Bad regexes and sample indices fail with GORCA_E_ARG. */
struct gorca_view_options {
    const char *sample_index;                 /* name or number; NULL = default */
    int mean;                                 /* divide values by column 0 (pprof -mean) */
    const char *focus, *ignore, *hide, *show; /* NULL = unset */
};

struct gorca_top_options {
    struct gorca_view_options view;
    long nodecount;       /* rows to show; <= 0 = all (pprof -top's default) */
    int cum;              /* sort by cum instead of flat */
    double node_fraction; /* < 0 = pprof's 0.005 */
    double edge_fraction; /* < 0 = pprof's 0.001 */
};

/* Sets o to pprof -top's defaults. This function can't fail. */
void gorca_top_options_init(struct gorca_top_options *o);

enum gorca_inline_mark { GORCA_INLINE_NONE = 0, GORCA_INLINE_FULL, GORCA_INLINE_PARTIAL };

struct gorca_top_row {
    const char *name;  /* printable node name, NUL-terminated (top-owned) */
    int64_t flat, cum; /* in sample units (divided when mean) */
    enum gorca_inline_mark inline_mark;
};

/* The result of gorca_profile_top: numbers for JSON, and everything the text needs. */
struct gorca_top {
    const char *sample_type; /* "cpu" or "mean_delay" (top-owned) */
    const char *sample_unit; /* unit of the column, as in the profile */
    const char *output_unit; /* unit pprof prints values in ("ms", "MB", "" = none) */
    int64_t total;           /* sum of |value| over all samples, before filters */
    int64_t shown;           /* sum of the rows' flat */
    size_t n_nodes;          /* nodes after dropping small ones (pprof's "out of M") */
    size_t dropped_nodes;    /* nodes whose |cum| fell under node_fraction of total */
    int64_t drop_threshold;  /* total * node_fraction, for "Dropped N nodes (cum <= X)" */
    const struct gorca_top_row *rows;
    size_t n_rows;
    struct gorca_top_internal *internal; /* private */
};

/* Computes pprof's top table for p. On success *out is owned (gorca_top_free()). */
enum gorca_status gorca_profile_top(const struct gorca_profile *p,
                                    const struct gorca_top_options *o, struct gorca_top **out,
                                    struct gorca_error *err) GORCA_CHECK;
/* Appends the text of go tool pprof -top (header lines, column titles, rows) to out. */
void gorca_top_render_text(const struct gorca_top *t, struct gorca_buf *out);
/* Appends the JSON form (raw values, docs/commands/top.md) to out. */
void gorca_top_render_json(const struct gorca_top *t, struct gorca_buf *out);
void gorca_top_free(struct gorca_top *t);

/* Folded stacks (Brendan Gregg's format): one line per distinct root->leaf stack of function
 * names (inlined frames kept) joined by ';', a space, and the summed value of the column;
 * ';' in names becomes ',' and whitespace '_'. Lines are sorted by stack text; stacks whose
 * sum is 0 are left out and those with a negative sum (delta or -base profiles) too, counted
 * in *n_negative (may be NULL). */
enum gorca_status gorca_profile_folded(const struct gorca_profile *p,
                                       const struct gorca_view_options *o, struct gorca_buf *out,
                                       size_t *n_negative, struct gorca_error *err) GORCA_CHECK;

struct gorca_flame_options {
    struct gorca_view_options view;
    const char *title; /* NULL = "<type> flame graph" */
    int width;         /* SVG width in px; <= 0 = 1200 */
};

/* A self-contained interactive flame graph (SVG with inline script, no external resources):
 * root at the top as in pprof's web UI, siblings ordered by decreasing value (ties by name),
 * frames narrower than 0.1 px merged away. Hover shows name, value and percent; click zooms;
 * search highlights matches; reset undoes both. Negative stack sums are left out as in folded. */
enum gorca_status gorca_profile_flame(const struct gorca_profile *p,
                                      const struct gorca_flame_options *o, struct gorca_buf *out,
                                      struct gorca_error *err) GORCA_CHECK;

/* Appends the text of go tool pprof -raw for p (Time in UTC when utc, else local time). */
void gorca_profile_render_raw(const struct gorca_profile *p, int utc, struct gorca_buf *out);

/* Formats v (in unit) as pprof does with the given output unit ("minimum", "auto", or a unit
 * such as "ms"), e.g. "2.42s", "26143.99kB", "0". Writes at most size bytes. */
void gorca_pprof_format_value(int64_t v, const char *unit, const char *output_unit, char *buf,
                              size_t size);

#ifdef __cplusplus
}
#endif
#endif
