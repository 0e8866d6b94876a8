/* Inspect: says what an evidence file is by its content, never by its name — a pprof profile
 * (protobuf, gzip or raw, or the legacy debug=1 text) with its Go kind and sample types, a
 * goroutine dump (debug=1 text, debug=2 text or a crash traceback), or a Go execution trace
 * with its version. Used by `gorca inspect`, and by callers that get files of unknown kind
 * (capture bundles, `gorca analyze`). Detection follows pprof-formats.md §3.7.
 *
 * Cost: text inputs are scanned once without building a model; protobuf profiles are decoded
 * (their kind needs the samples); traces are only probed: batch headers are walked without
 * decoding events (gorca_trace_probe_file), for the version, generations and duration.
 * A struct gorca_inspect is caller-owned and holds no pointers that need freeing; its strings
 * are static or stored inline. */
#ifndef GORCA_INSPECT_H
#define GORCA_INSPECT_H

#include <stddef.h>
#include <stdint.h>
#include "bundle.h"
#include "error.h"
#include "limits.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The kinds `gorca inspect --json` reports. Never renumbered. */
enum gorca_inspect_kind {
    GORCA_INSPECT_UNKNOWN = 0,
    GORCA_INSPECT_CPU,
    GORCA_INSPECT_HEAP,             /* heap and allocs (see allocs) */
    GORCA_INSPECT_BLOCK,            /* block profile: stacks end in the blocking operation */
    GORCA_INSPECT_MUTEX,            /* mutex profile: stacks end in the releasing call */
    GORCA_INSPECT_CONTENTION,       /* block or mutex: no sample tells which */
    GORCA_INSPECT_GOROUTINE,        /* goroutine profile (protobuf) */
    GORCA_INSPECT_THREADCREATE,     /* threadcreate profile (protobuf or debug=1 text) */
    GORCA_INSPECT_GOROUTINE_DEBUG1, /* goroutine?debug=1 count text (also goroutineleak) */
    GORCA_INSPECT_GOROUTINE_DEBUG2, /* goroutine?debug=2 tracebacks, or a crash traceback */
    GORCA_INSPECT_TRACE,            /* Go execution trace */
    GORCA_INSPECT_N_KINDS
};

/* How the content is encoded. */
enum gorca_inspect_format {
    GORCA_INSPECT_FMT_NONE = 0,
    GORCA_INSPECT_FMT_PPROF,      /* profile.proto */
    GORCA_INSPECT_FMT_PPROF_TEXT, /* legacy text profiles: heap/block/mutex debug=1 */
    GORCA_INSPECT_FMT_DUMP_TEXT,  /* goroutine dumps: debug=1, debug=2, crash */
    GORCA_INSPECT_FMT_TRACE,      /* "go 1.NN trace" */
};

#define GORCA_INSPECT_MAX_TYPES 8

struct gorca_inspect {
    enum gorca_inspect_kind kind;
    enum gorca_inspect_format format;
    int gzip;            /* the file was gzip-compressed */
    uint64_t size_bytes; /* bytes in the file (before inflating) */
    char summary[256];   /* one line for people: what it is and what it holds */

    /* pprof profiles (format PPROF, and PPROF_TEXT for kind and header) */
    struct {
        char type[48], unit[32];
    } sample_types[GORCA_INSPECT_MAX_TYPES];
    size_t n_sample_types; /* columns (the first GORCA_INSPECT_MAX_TYPES are kept) */
    char period_type[48];  /* "cpu", "space", "contentions", ... */
    int64_t period;        /* sampling period in period_type units */
    char default_sample_type[48];
    size_t n_samples;
    int64_t time_nanos;     /* collection time (unix ns); 0 when unset */
    int64_t duration_nanos; /* CPU and delta profiles; 0 when unset */
    int allocs;             /* heap kind served by the allocs endpoint */
    int delta;              /* ?seconds=N delta profile */
    char profile_name[48];  /* custom profiles, count texts: "goroutine", "threadcreate" */

    /* goroutine dumps (format DUMP_TEXT) */
    char dump_format[8]; /* "debug1", "debug2", "crash" */
    uint64_t goroutines; /* debug=1: the header's total; debug=2/crash: blocks;
                          * goroutine/threadcreate protobuf: sum of the counts */

    /* traces (format TRACE), from the trace reader's probe (trace.h) */
    int trace_version;              /* minor version from the header: 22 for "go 1.22 trace" */
    int trace_supported;            /* gorca reads this version (Go 1.22+) */
    uint64_t trace_generations;     /* generations seen */
    int64_t trace_duration_ns;      /* first to last event */
    enum gorca_status trace_status; /* GORCA_OK, or why the probe stopped early (a cut or
                                     * damaged body); the counts cover what was scanned */
};

/* Inspects the file at path ("-" = stdin). Returns GORCA_OK with *out filled whenever the
 * file could be read — an unrecognised or damaged file is GORCA_OK with kind UNKNOWN and the
 * summary saying why; only read failures (GORCA_E_IO, GORCA_E_LIMIT on lim->input_bytes) are
 * errors. lim may be NULL. */
enum gorca_status gorca_inspect_file(const char *path, const struct gorca_limits *lim,
                                     struct gorca_inspect *out,
                                     struct gorca_error *err) GORCA_CHECK;
/* The same for bytes in memory (size_bytes = len). This function can't fail: it returns
 * GORCA_OK. */
enum gorca_status gorca_inspect_mem(const uint8_t *data, size_t len, const struct gorca_limits *lim,
                                    struct gorca_inspect *out) GORCA_CHECK;

/* Static names: "cpu", "heap", "block", "mutex", "contention", "goroutine", "threadcreate",
 * "goroutine_debug1", "goroutine_debug2", "trace", "unknown". */
const char *gorca_inspect_kind_name(enum gorca_inspect_kind kind);
/* "pprof", "pprof_text", "dump_text", "trace", or NULL for NONE. */
const char *gorca_inspect_format_name(enum gorca_inspect_format format);
/* The bundle kind (bundle.h) of an inspected file, for callers that mix sniffed files with
 * manifest entries: heap becomes ALLOCS when allocs is set; contention and unknown give
 * GORCA_INPUT_UNKNOWN. This function can't fail. */
enum gorca_input_kind gorca_inspect_input_kind(const struct gorca_inspect *in);

#ifdef __cplusplus
}
#endif
#endif
