/* Root-cause diagnosis of latency in Go HTTP services (`gorca analyze`): reads whatever
 * evidence the user has (capture bundles, loose pprof profiles, goroutine dumps, execution
 * traces; content is sniffed), attributes request latency to mechanisms and returns a ranked
 * list of findings, each with measured evidence, code locations, affected handlers, the time
 * window inside the capture and concrete advice. The causes and their ids are fixed (issue 6;
 * docs/analysis-schema.md); the rules behind them are in src/diagnosis, one file per cause.
 *
 * Ownership, once for the whole header: a struct gorca_diagnosis owns one arena; every string
 * and array reachable from it belongs to it and dies with gorca_diagnosis_free(). Inputs are
 * read, reduced to the facts the rules need, and released before gorca_diagnosis_run() returns.
 */
#ifndef GORCA_DIAGNOSIS_H
#define GORCA_DIAGNOSIS_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "limits.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- vocabulary ---------------------------------------------------------------------------- */

/* The root causes gorca can name. Never renumbered; the ids are the JSON `cause` values. */
enum gorca_cause {
    GORCA_CAUSE_DNS_RESOLUTION = 0, /* "dns_resolution" */
    GORCA_CAUSE_MUTEX_CONTENTION,   /* "mutex_contention" */
    GORCA_CAUSE_GC_STW,             /* "gc_stw" */
    GORCA_CAUSE_GC_ASSIST,          /* "gc_assist" */
    GORCA_CAUSE_NETPOLL_BLOCKING,   /* "netpoll_blocking" */
    GORCA_CAUSE_HANDLER_BLOCKING,   /* "handler_blocking" */
    GORCA_CAUSE_GOROUTINE_LEAK,     /* "goroutine_leak" */
    GORCA_CAUSE_CHANNEL_BLOCKING,   /* "channel_blocking" */
    GORCA_CAUSE_TLS_HANDSHAKE,      /* "tls_handshake" */
    GORCA_CAUSE_SYSCALL_BLOCKING,   /* "syscall_blocking" */
    GORCA_CAUSE_SCHEDULER_LATENCY,  /* "scheduler_latency" */
    GORCA_CAUSE_PANIC_RECOVERY,     /* "panic_recovery" */
    GORCA_CAUSE_N
};

/* Stable id ("dns_resolution") and a short human title ("DNS resolution") of a cause; NULL
 * when out of range. */
const char *gorca_cause_id(enum gorca_cause c);
const char *gorca_cause_title(enum gorca_cause c);
/* The cause with that id, or -1. */
int gorca_cause_from_id(const char *id);

enum gorca_severity {
    GORCA_SEV_INFO = 0, /* measured, no latency impact worth acting on */
    GORCA_SEV_LOW,      /* small impact */
    GORCA_SEV_MEDIUM,   /* a real share of request latency: fix it */
    GORCA_SEV_HIGH,     /* a large share of request latency */
    GORCA_SEV_CRITICAL  /* dominates request latency with large per-request delays */
};

/* "info", "low", "medium", "high", "critical". */
const char *gorca_severity_name(enum gorca_severity s);
/* Parses a severity name; returns 0 and sets *out, or -1. */
int gorca_severity_parse(const char *name, enum gorca_severity *out);

/* ---- findings ------------------------------------------------------------------------------ */

/* One measured number behind a finding. */
struct gorca_evidence {
    const char *source; /* input file name it comes from ("trace.out"), or "derived" */
    const char *metric; /* stable id: "request_latency_share", "lookup_wait_max", ... */
    const char *label;  /* the number in plain words */
    double value;
    const char *unit; /* "ns", "ratio", "count", "goroutines", "bytes", "per_second", "ms" ... */
};

/* A place in the code the finding points at. */
struct gorca_code_location {
    const char *function; /* "main.(*priceCache).quote" */
    const char *file;     /* source file, "" when unknown */
    int64_t line;         /* 0 when unknown */
    const char *role;     /* "wait site", "lock site", "critical section", "call site",
                             "hot function", "creation site", "consumer", "allocation site" */
    double weight;        /* this location's share of the finding's evidence, 0..1 */
};

/* A handler whose requests the cause slowed down. */
struct gorca_handler_impact {
    const char *handler; /* handler function ("main.(*server).handleSearch") */
    const char *file;    /* "" when unknown */
    int64_t line;
    int64_t attributed_ns; /* request time spent in this cause (trace evidence), else 0 */
    double goroutines;     /* in-flight request goroutines in this cause (dump evidence) */
    double share;          /* this handler's part of the finding's attributed evidence */
};

/* Where in the capture the evidence lies. Offsets are from the capture start (the trace's
 * first event, or the start of the profile window). */
struct gorca_time_window {
    int known;             /* 0: no timing evidence */
    int64_t start_ns;      /* offset of the first affected moment */
    int64_t end_ns;        /* offset of the last */
    int64_t peak_ns;       /* offset of the worst moment; -1 when unknown */
    int64_t capture_ns;    /* length of the capture */
    int64_t unix_start_ns; /* wall clock of offset 0 (from a bundle manifest); 0 unknown */
    const char *basis;     /* "trace", "dumps", "profile window" */
};

struct gorca_finding {
    enum gorca_cause cause;
    enum gorca_severity severity;
    double score;            /* 0..1; findings are sorted by it, highest first */
    double confidence;       /* 0..1: how directly the evidence shows the mechanism */
    double latency_share;    /* share of request latency attributed to the cause (0..1);
                                -1 when the inputs cannot measure it */
    int64_t attributed_ns;   /* request time attributed (trace), 0 when not measured */
    const char *title;       /* one line naming the mechanism and where it is */
    const char *explanation; /* a few sentences in plain words */
    const struct gorca_evidence *evidence;
    size_t n_evidence;
    const struct gorca_code_location *locations;
    size_t n_locations;
    const struct gorca_handler_impact *handlers;
    size_t n_handlers;
    struct gorca_time_window window;
    const char *const *advice; /* concrete fixes, most important first */
    size_t n_advice;
};

/* ---- inputs -------------------------------------------------------------------------------- */

enum gorca_diag_input_status {
    GORCA_DIAG_INPUT_USED = 0, /* read and used as evidence */
    GORCA_DIAG_INPUT_FAILED,   /* could not be read or parsed (error says why) */
    GORCA_DIAG_INPUT_IGNORED   /* read but not evidence for any rule (e.g. threadcreate) */
};

struct gorca_diag_input {
    const char *path;     /* as opened */
    const char *name;     /* file name inside its bundle, or the path */
    const char *bundle;   /* bundle directory, NULL for loose files */
    const char *endpoint; /* manifest endpoint id, NULL when not from a manifest */
    const char *kind;     /* "cpu", "heap", "allocs", "block", "mutex", "goroutine",
                             "threadcreate", "trace", "goroutine_debug1", "goroutine_debug2",
                             "crash", "cmdline", "unknown" */
    enum gorca_diag_input_status status;
    enum gorca_status code; /* GORCA_OK, or why it failed (GORCA_E_TRUNCATED inputs may still
                               be used: then status is USED and error says what was lost) */
    const char *error;      /* formatted error, NULL when none */
    const char *detail;     /* what was taken from it ("2.0 s trace, Go 1.26, 412 requests") */
};

/* What the evidence says about the service as a whole. */
struct gorca_diag_summary {
    const char *target;    /* captured URL (bundle), NULL when unknown */
    int go_minor;          /* Go version (1.go_minor) from the trace, 0 when unknown */
    int64_t capture_ns;    /* length of the capture window, 0 unknown */
    int64_t unix_start_ns; /* wall clock of the capture start, 0 unknown */
    int has_trace, has_cpu, has_dump, has_block, has_mutex, has_heap;
    uint64_t requests;        /* HTTP requests seen in the trace (capture's own excluded) */
    int64_t request_total_ns; /* their summed latency */
    int64_t request_p50_ns, request_p99_ns, request_max_ns;
    uint64_t debug_requests;    /* requests to net/http/pprof (the capture itself), excluded */
    uint64_t goroutines;        /* goroutines in the goroutine dump, 0 unknown */
    uint64_t inflight_requests; /* request goroutines in the dump */
    int64_t cpu_ns;             /* CPU time in the CPU profile */
    double cpu_cores;           /* average cores busy during the CPU profile */
};

struct gorca_diag_internal;

struct gorca_diagnosis {
    const struct gorca_diag_input *inputs; /* in command-line (and manifest) order */
    size_t n_inputs;
    size_t n_used;                        /* inputs with status USED */
    const struct gorca_finding *findings; /* highest score first */
    size_t n_findings;
    struct gorca_diag_summary summary;
    const char *const *notes; /* limitations of this analysis ("no trace: ...") */
    size_t n_notes;
    struct gorca_diag_internal *internal; /* private: the arena */
};

/* ---- configuration ------------------------------------------------------------------------- */

/* Thresholds the rules use. gorca_diag_config_init() sets the defaults documented in
 * docs/commands/analyze.md (the seed's numbers where it gives them); a JSON config file
 * overrides any of them. Durations are nanoseconds, shares are 0..1. */
struct gorca_diag_config {
    /* severity of latency-attributed causes: share of request latency and mean added
     * latency per affected request needed for each level */
    double share_medium, share_high, share_critical;
    int64_t added_medium_ns, added_high_ns, added_critical_ns;
    double share_low; /* below this (and below added_low_ns) a finding is info */
    int64_t added_low_ns;
    uint64_t min_events;      /* waits behind a cause before it is rated above info */
    int64_t slow_tail_ns;     /* medium or above needs the affected requests' p99 at least
                                 this slow (seed: a healthy P95 of 20 ms) */
    double min_dump_requests; /* dump-only: request goroutines in one mechanism needed to
                                 name it at medium or above */
    /* cause-specific thresholds */
    int64_t dns_slow_ns;          /* a lookup this long is slow (seed: 200 ms) */
    double netpoll_share;         /* outbound waits this share of request blocking time
                                     (seed: netpollblock > 40 %) */
    int64_t stw_pause_ns;         /* a GC pause this long hurts (seed: 10 ms) */
    int64_t slow_request_ns;      /* a request (goroutine) this long is slow (seed: 100 ms) */
    double sched_saturated;       /* share of time with runnable goroutines and every P busy */
    int64_t sched_latency_ns;     /* runnable -> running p99 that hurts */
    double leak_growth;           /* relative growth of a goroutine group between dumps */
    uint64_t leak_min_goroutines; /* and at least this many goroutines in it */
    double tls_cpu_share;         /* handshake share of CPU */
    double gc_cpu_share;          /* GC share of CPU (mark workers + assists) */
    double event_wait_share;      /* request channel waits whose goroutine-ended part mostly (this
                                     share) began with another client's request: a long poll */
    uint32_t disabled;            /* bit (1 << cause): rule switched off */
    struct gorca_limits limits;   /* for reading inputs */
};

/* Fills c with the defaults. This function can't fail. */
void gorca_diag_config_init(struct gorca_diag_config *c);

/* Applies a JSON config (docs/commands/analyze.md) over c: an object with an optional
 * "thresholds" object (known keys only, numbers in the key's unit: "_ms", "_share", ...) and
 * an optional "disable" array of cause ids. Unknown keys, wrong types and out-of-range values
 * fail with GORCA_E_ARG naming the key; c is unchanged then. source names the file in err. */
enum gorca_status gorca_diag_config_parse(struct gorca_diag_config *c, const char *json, size_t len,
                                          const char *source, struct gorca_error *err) GORCA_CHECK;
/* Reads path and applies it with gorca_diag_config_parse. */
enum gorca_status gorca_diag_config_load(struct gorca_diag_config *c, const char *path,
                                         struct gorca_error *err) GORCA_CHECK;

/* ---- running ------------------------------------------------------------------------------- */

/* Diagnoses the evidence in paths: bundle directories (manifest.json), directories of loose
 * files, or files of any name (content sniffed). Inputs that cannot be read or parsed
 * (including paths that do not exist) are listed in (*out)->inputs with their error and the
 * rest is analysed; n_used says how many served as evidence (0: nothing could be analysed,
 * the caller reports the inputs' errors). cfg may be NULL (defaults). Returns GORCA_OK with
 * *out set (possibly with no findings), or an error with *out NULL: GORCA_E_IO (a directory
 * cannot be listed, a manifest cannot be read), GORCA_E_MALFORMED/GORCA_E_UNSUPPORTED (a broken
 * bundle manifest), GORCA_E_NOMEM. Free *out with gorca_diagnosis_free(). */
enum gorca_status gorca_diagnosis_run(const char *const *paths, size_t n,
                                      const struct gorca_diag_config *cfg,
                                      struct gorca_diagnosis **out,
                                      struct gorca_error *err) GORCA_CHECK;

/* Frees the diagnosis and everything it owns. Accepts NULL. */
void gorca_diagnosis_free(struct gorca_diagnosis *d);

/* Highest severity among the findings; -1 when there are none. */
int gorca_diagnosis_max_severity(const struct gorca_diagnosis *d);

#ifdef __cplusplus
}
#endif
#endif
