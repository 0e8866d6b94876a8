/* Execution-trace analyses (issue 4): the views `go tool trace` offers and the ones an engineer
 * reads by hand to find a latency spike, computed in one streaming pass over a trace read with
 * gorca_trace_next() (../shared/docs/go-trace-format.md §7-§10):
 *
 *   goroutines  per-goroutine and per-group time breakdown, equal to go tool trace's
 *               "Goroutines" pages of the chosen Go version (compat_go)
 *   blocking    blocking profiles by class (net, sync, syscall, sched as Go 1.26's
 *               `go tool trace -pprof=TYPE`; plus sleep, gc, other), class shares, top frames
 *   gc          GC cycles, STW pauses with kind, mark assists, pause distribution and
 *               periodicity, minimum mutator utilization (as go tool trace's /mmu)
 *   sched       runnable->running and network-ready->running latency, runnable share, per P
 *   timeline    fixed-width time buckets: running/runnable/blocked counts, GC, STW, heap, CPU
 *   requests    HTTP requests served by net/http.(*conn).serve goroutines (or user tasks),
 *               with where their time went, the slowest ones and per-handler percentiles
 *   chains      waker -> waiter edges from unblock events, heaviest first, with stacks
 *   cpu         CPU profile samples carried in the trace, by goroutine, group and bucket
 *
 * Memory is proportional to the goroutines alive at once plus the size of the results
 * (goroutine rows, distinct stacks, buckets, pauses), never to the number of events.
 *
 * Ownership, once for the whole header: struct gorca_analysis owns every result reachable from
 * it and frees them with gorca_analysis_free(). Function names, reasons and other strings point
 * into the trace reader's interned tables: they stay valid while the struct gorca_trace given
 * to gorca_analysis_run() is alive (gorca_analysis_run_file keeps its own reader alive inside
 * the analysis). Stack handles are the trace reader's; resolve them with
 * gorca_analysis_stack_frames().
 *
 * Typical use:
 *
 *     struct gorca_analysis *an;
 *     if (gorca_analysis_run_file(path, NULL, &an, &err) != GORCA_OK) ...;
 *     const struct gorca_gc_result *gc = gorca_analysis_gc(an);
 *     for (size_t i = 0; i < gc->n_pauses; i++) ... gc->pauses[i].dur_ns ...;
 *     gorca_analysis_free(an);
 */
#ifndef GORCA_ANALYSIS_H
#define GORCA_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "error.h"
#include "limits.h"
#include "trace.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- options ----------------------------------------------------------------------------- */

/* Flags of the mutator-utilization function (go tool trace's /mmu check boxes). */
enum {
    GORCA_MMU_STW = 1 << 0,        /* GC stop-the-world pauses count as GC */
    GORCA_MMU_BACKGROUND = 1 << 1, /* background mark workers (dedicated, fractional) */
    GORCA_MMU_ASSIST = 1 << 2,     /* mark assists */
    GORCA_MMU_SWEEP = 1 << 3,      /* incremental sweeping */
    GORCA_MMU_PER_PROC = 1 << 4,   /* one utilization series per P instead of the mean */
    /* Not a go tool trace option: count a background mark worker's P once per run. go tool
     * trace (1.22-1.26) counts it at GoStart and again at the GoLabel that follows, so the
     * count leaks and utilization can stick at 0 (its series then ends there). */
    GORCA_MMU_FIX_WORKERS = 1 << 5,
    GORCA_MMU_DEFAULT = GORCA_MMU_STW | GORCA_MMU_BACKGROUND | GORCA_MMU_ASSIST | GORCA_MMU_SWEEP
};

struct gorca_analysis_options {
    /* Which Go's `go tool trace` the goroutine summaries reproduce: 22..26, or 0 for the
     * trace's own version (a Go 1.24 trace carries the 1.23 format and gets 23; the two tools
     * agree). It picks the reader's Sync placement (1.22-1.24: end of generation; 1.25+:
     * start) and whether the time between a Sync and a goroutine's first status counts
     * (1.26). Blocking profiles always follow Go 1.26. */
    int compat_go;
    int64_t bucket_ns;             /* timeline bucket width; 0 = 1 ms */
    size_t max_buckets;            /* when exceeded, buckets merge pairwise and double in width;
                                      0 = 65536 */
    const int64_t *mmu_windows_ns; /* MMU window sizes, ascending; NULL = 1, 2, 5, 10, 20,
                                      50, 100, 200, 500, 1000 ms */
    size_t n_mmu_windows;
    unsigned mmu_flags;         /* GORCA_MMU_*; 0 = GORCA_MMU_DEFAULT */
    size_t top_requests;        /* slowest requests kept; 0 = 20 */
    int64_t long_pause_ns;      /* STW pauses at least this long are "long"; 0 = 10 ms */
    int keep_goroutine_rows;    /* 1 (default when the options are NULL): keep one row per
                                   goroutine; 0: fold finished goroutines into their group only
                                   (memory ~ live goroutines + groups) */
    struct gorca_limits limits; /* passed to the trace reader by gorca_analysis_run_file */
};

/* Fills opt with the defaults above (keep_goroutine_rows = 1). This function can't fail. */
void gorca_analysis_options_init(struct gorca_analysis_options *opt);

/* ---- running ----------------------------------------------------------------------------- */

struct gorca_analysis;

/* Opens the trace at path with the Sync placement that compat_go needs, runs every analysis
 * over it in one pass and returns the results in *out (owned, gorca_analysis_free()). opt may
 * be NULL (defaults). A trace that ends early or breaks mid-way still gives results for the
 * events before the failure: then the status is the reader's (GORCA_E_TRUNCATED,
 * GORCA_E_MALFORMED) with err set, and *out is non-NULL. Other failures (GORCA_E_IO,
 * GORCA_E_UNSUPPORTED, GORCA_E_NOMEM, GORCA_E_LIMIT) leave *out NULL. */
enum gorca_status gorca_analysis_run_file(const char *path,
                                          const struct gorca_analysis_options *opt,
                                          struct gorca_analysis **out,
                                          struct gorca_error *err) GORCA_CHECK;

/* As gorca_analysis_run_file over an already opened reader, from its current position to the
 * end. The reader must outlive the analysis (strings and stacks point into it); its Sync mode
 * should match compat_go (gorca_analysis_sync_mode()). Same status rules. */
enum gorca_status gorca_analysis_run(struct gorca_trace *tr,
                                     const struct gorca_analysis_options *opt,
                                     struct gorca_analysis **out,
                                     struct gorca_error *err) GORCA_CHECK;

/* The compat_go that opt resolves to for a trace of format version trace_go (22, 23, 25,
 * 26), and the Sync mode the reader needs for it. These functions can't fail. */
int gorca_analysis_compat(const struct gorca_analysis_options *opt, int trace_go);
enum gorca_trace_sync_mode gorca_analysis_sync_mode(int compat_go);

/* Releases everything (and the reader opened by gorca_analysis_run_file). Accepts NULL. */
void gorca_analysis_free(struct gorca_analysis *an);

/* ---- shared vocabulary ------------------------------------------------------------------- */

/* Where a goroutine's time goes in a trace. The first four are go tool trace's blocking
 * profiles. (Goroutine dumps have their own, finer classes: enum gorca_wait_class in dump.h.) */
enum gorca_block_class {
    GORCA_BLOCK_NET = 0, /* Waiting, reason "network" (sockets, pipes: the netpoller) */
    GORCA_BLOCK_SYNC,    /* Waiting, reason containing "chan", "sync" or "select" */
    GORCA_BLOCK_SYSCALL, /* in a system call (the syscall profile counts the whole call) */
    GORCA_BLOCK_SCHED,   /* Runnable: waiting for a P */
    GORCA_BLOCK_SLEEP,   /* Waiting, reason "sleep" (time.Sleep, timers) */
    GORCA_BLOCK_GC,      /* Waiting for the GC: mark assist parked, "wait until GC ends",
                           preempted for a stack scan, sweeper and weak-pointer waits */
    GORCA_BLOCK_OTHER,   /* every other wait: "system goroutine wait", "forever", unspecified */
    GORCA_BLOCK_N
};

/* Short name of a class: "net", "sync", "syscall", "sched", "sleep", "gc", "other". */
const char *gorca_block_class_name(enum gorca_block_class c);
/* The class of a GoBlock reason string. This function can't fail. */
enum gorca_block_class gorca_block_class_of_reason(const char *reason);

/* Latency distribution. Percentiles come from a log-linear histogram (32 sub-buckets per power
 * of two, so within about 3 % of the exact value); count, sum and max are exact. */
struct gorca_latency {
    uint64_t count;
    int64_t sum_ns, max_ns;
    int64_t p50_ns, p90_ns, p95_ns, p99_ns;
};

/* A function and the time charged to it (top frames of a profile). */
struct gorca_frame_time {
    const char *func; /* interned function name */
    int64_t flat_ns;  /* where the function is the leaf frame */
    int64_t cum_ns;   /* where it appears anywhere in the stack (once per stack) */
    uint64_t count;   /* events whose stack contains it */
};

/* Frames of a stack handle, leaf first; *n receives the count (0 for handle 0). */
const uint32_t *gorca_analysis_stack_frames(const struct gorca_analysis *an, uint32_t stack,
                                            size_t *n);
const struct gorca_trace_frame *gorca_analysis_frame(const struct gorca_analysis *an,
                                                     uint32_t frame);

/* ---- whole-trace facts ------------------------------------------------------------------- */

struct gorca_analysis_info {
    int trace_go;     /* format version of the trace: 22, 23, 25, 26 */
    int compat_go;    /* the go tool trace version the summaries reproduce */
    int64_t start_ns; /* time of the first event */
    int64_t end_ns;   /* time of the last event (go tool trace's end time) */
    uint64_t events;  /* events consumed */
    uint64_t generations;
    uint64_t max_gomaxprocs;
    uint64_t goroutines; /* goroutines seen */
    uint64_t peak_live_goroutines;
    enum gorca_status status; /* GORCA_OK, or why the trace stopped early */
};
const struct gorca_analysis_info *gorca_analysis_info(const struct gorca_analysis *an);

/* ---- 1. goroutines ----------------------------------------------------------------------- */

/* Time by block reason or by range name (sparse lists inside a goroutine or group). */
struct gorca_named_time {
    const char *name; /* block reason ("chan receive") or range ("GC mark assist",
                         "GC incremental sweep", "stop-the-world (GC mark termination)") */
    int64_t ns;
};

/* One goroutine, as go tool trace's summariser sees it (§10.1). The non-overlapping times
 * (exec, sched wait, blocks by reason, syscall, syscall block, unknown) add up to total. */
struct gorca_trace_goroutine {
    int64_t id;
    const char *name;    /* start function (root frame of its first stack); "" if none seen */
    uint32_t group;      /* index into gorca_analysis_groups() */
    int system;          /* a runtime goroutine (name "" or runtime.* other than runtime.main) */
    int64_t creation_ns; /* creation, or the Sync before its first status */
    int64_t start_ns;    /* first time it ran; 0 if never */
    int64_t end_ns;      /* exit or block "forever"; 0 if alive at the end */
    int64_t total_ns;
    int64_t exec_ns;                /* "Execution time" */
    int64_t sched_wait_ns;          /* "Sched wait time" */
    int64_t syscall_ns;             /* "Syscall execution time" */
    int64_t syscall_block_ns;       /* "Block time (syscall)": in a syscall after losing its P */
    int64_t unknown_ns;             /* "Unknown time" */
    int64_t wait_ns[GORCA_BLOCK_N]; /* the same time by class: NET/SYNC/SLEEP/GC/OTHER from
                                      the blocks, SYSCALL = syscall_block_ns, SCHED =
                                      sched_wait_ns */
    int64_t assist_ns;              /* range "GC mark assist" (overlaps the above) */
    int64_t sweep_ns;               /* range "GC incremental sweep" */
    int64_t stw_ns;                 /* ranges "stop-the-world (...)" this goroutine ran */
    uint64_t cpu_samples;           /* CPU profile samples taken while it ran */
    const struct gorca_named_time *blocks; /* "Block time (<reason>)" */
    size_t n_blocks;
    const struct gorca_named_time *ranges; /* every range time, by range name */
    size_t n_ranges;
};

/* Goroutines grouped by name (the "Goroutines" page): sums of the member rows. */
struct gorca_trace_group {
    const char *name;
    uint64_t count;
    int system;
    int64_t total_ns, exec_ns, sched_wait_ns, syscall_ns, syscall_block_ns, unknown_ns;
    int64_t wait_ns[GORCA_BLOCK_N];
    int64_t assist_ns, sweep_ns, stw_ns;
    uint64_t cpu_samples;
    const struct gorca_named_time *blocks;
    size_t n_blocks;
    const struct gorca_named_time *ranges;
    size_t n_ranges;
    struct gorca_latency sched_latency; /* runnable -> running of its members */
};

/* Rows in goroutine id order (empty when keep_goroutine_rows was 0). */
const struct gorca_trace_goroutine *gorca_analysis_goroutines(const struct gorca_analysis *an,
                                                              size_t *n);
/* Groups sorted by total execution time, largest first (the page's order). */
const struct gorca_trace_group *gorca_analysis_groups(const struct gorca_analysis *an, size_t *n);

/* ---- 2. blocking profiles ---------------------------------------------------------------- */

/* One stack of a blocking profile: waits that started at this stack (the blocking stack for
 * net/sync/sleep/gc/other, the syscall's stack, and for sched the stack of the event that made
 * the goroutine runnable: the unblocker's, the creator's, or its own when preempted). */
struct gorca_block_sample {
    uint32_t stack; /* trace stack handle; 0 = no stack */
    uint64_t count; /* completed waits ("contentions") */
    int64_t delay_ns;
};

struct gorca_block_profile {
    enum gorca_block_class cls;
    uint64_t count;
    int64_t total_ns;
    double share;          /* total_ns / sum over all classes (0 when nothing waited) */
    int64_t user_total_ns; /* the part waited by application goroutines: not the runtime's
                              (go tool trace's system goroutines) nor runtime/trace's own */
    double user_share;     /* user_total_ns / the user total over all classes */
    const struct gorca_block_sample *samples; /* heaviest first; stacks with equal PCs merged */
    size_t n_samples;
    const struct gorca_frame_time *top; /* functions by cumulative delay, heaviest first */
    size_t n_top;
};

/* The profile of one class; never NULL for a valid class. */
const struct gorca_block_profile *gorca_analysis_blocking(const struct gorca_analysis *an,
                                                          enum gorca_block_class cls);

/* The wait time of the class that go tool trace's profile leaves out, with the same layout:
 * waits (or their parts) before a goroutine first ran in the trace, waits still under way at
 * its end (counted once each), and for a goroutine whose first status shows it waiting or in
 * a system call, the time from the trace's start (nothing it did was traced before, so it was
 * already there). A wait's count is in whichever of the two profiles holds its end; its time
 * is split between them. Stacks are not merged by PCs. Waits that a status restates without a
 * reason are classed by their stack. */
const struct gorca_block_profile *gorca_analysis_uncounted(const struct gorca_analysis *an,
                                                           enum gorca_block_class cls);

/* Appends the class' profile to out as profile.proto with go tool trace's layout (sample types
 * contentions/count and delay/nanoseconds, period trace/count 1, one location per PC, one
 * function per file and name): gzip'd when gzip_level is 1..12, raw when 0. Fails with
 * GORCA_E_NOMEM or the buffer's cap. */
enum gorca_status gorca_analysis_write_pprof(const struct gorca_analysis *an,
                                             enum gorca_block_class cls, int gzip_level,
                                             struct gorca_buf *out,
                                             struct gorca_error *err) GORCA_CHECK;
/* The same with the class' uncounted waits added as further samples: every goroutine-second
 * the trace shows in the class, waits under way at its start or end included (not what go
 * tool trace writes). */
enum gorca_status gorca_analysis_write_pprof_whole(const struct gorca_analysis *an,
                                                   enum gorca_block_class cls, int gzip_level,
                                                   struct gorca_buf *out,
                                                   struct gorca_error *err) GORCA_CHECK;

/* ---- 3. GC and STW ----------------------------------------------------------------------- */

struct gorca_gc_cycle {
    uint64_t seq;       /* 1-based order of the cycle in the trace */
    int64_t start_ns;   /* GCBegin, or the trace start when it was already running */
    int64_t end_ns;     /* GCEnd; 0 if still running at the end */
    int64_t dur_ns;     /* end - start (to the trace end when unfinished) */
    int started_before; /* 1 when the mark phase began before the trace */
    int64_t assist_ns;  /* mark assist time inside the cycle, all goroutines */
};

struct gorca_stw_pause {
    int64_t start_ns, dur_ns;
    const char *kind; /* "GC mark termination", "GC sweep termination", "read mem stats",
                         ... (interned) */
    int gc;           /* the kind contains "GC" */
    int64_t g;        /* goroutine that stopped the world */
};

struct gorca_periodicity {
    uint64_t n; /* events considered */
    int64_t mean_interval_ns;
    int64_t stddev_interval_ns;
    double cv;    /* stddev / mean of the intervals; 0 when n < 3 */
    int periodic; /* n >= 3 and cv <= 0.25 */
};

struct gorca_mmu_point {
    int64_t window_ns;
    double mmu;             /* minimum mutator utilization, 0..1 */
    int64_t worst_start_ns; /* start of a window with that utilization */
};

struct gorca_gc_result {
    const struct gorca_gc_cycle *cycles;
    size_t n_cycles;
    const struct gorca_stw_pause *pauses; /* every STW pause in time order */
    size_t n_pauses;
    /* Distribution of all pauses and of the GC ones (exact order statistics). */
    int64_t pause_total_ns, pause_max_ns, pause_p50_ns, pause_p99_ns;
    int64_t gc_pause_total_ns, gc_pause_max_ns, gc_pause_p50_ns, gc_pause_p99_ns;
    uint64_t n_gc_pauses;
    uint64_t n_long_pauses;                     /* pauses >= long_pause_ns */
    int64_t long_pause_ns;                      /* the threshold used (options) */
    struct gorca_periodicity cycle_period;      /* between GC cycle starts */
    struct gorca_periodicity long_pause_period; /* between long pauses */
    int64_t assist_total_ns;                    /* every goroutine's "GC mark assist" range time */
    uint64_t assist_count;
    int64_t mark_total_ns; /* time in the concurrent mark phase */
    int64_t sweep_total_ns;
    unsigned mmu_flags;
    const struct gorca_mmu_point *mmu; /* one per requested window */
    size_t n_mmu;
    int64_t heap_max_bytes; /* largest HeapAlloc seen */
    int64_t heap_goal_last_bytes;
};
const struct gorca_gc_result *gorca_analysis_gc(const struct gorca_analysis *an);

/* ---- 4. scheduling ----------------------------------------------------------------------- */

struct gorca_proc_share {
    int64_t id;
    int64_t running_ns; /* a goroutine ran on it */
    int64_t idle_ns;    /* existing but idle */
    double busy_share;  /* running / (running + idle) */
};

struct gorca_sched_result {
    struct gorca_latency runnable;  /* runnable -> running, every goroutine */
    struct gorca_latency net_ready; /* network unblock -> running (§3.2 netpoll) */
    int64_t runnable_ns;            /* goroutine-time spent runnable */
    int64_t running_ns;             /* goroutine-time spent running */
    double runnable_share;          /* runnable / (runnable + running) */
    double mean_runnable;           /* time-weighted mean number of runnable goroutines */
    double runnable_time_share;     /* share of time with at least one runnable goroutine */
    double saturated_share;         /* share of time with runnable goroutines while every
                                       P runs a goroutine */
    const struct gorca_proc_share *procs;
    size_t n_procs;
};
const struct gorca_sched_result *gorca_analysis_sched(const struct gorca_analysis *an);

/* ---- 5. timeline ------------------------------------------------------------------------- */

/* One bucket [start_ns, start_ns + width). Counts are time-weighted means over the bucket. */
struct gorca_bucket {
    int64_t start_ns;
    double running; /* goroutines running (incl. in a syscall with a P) */
    double runnable;
    double waiting[GORCA_BLOCK_N]; /* blocked goroutines by class ([SCHED] unused = runnable;
                                     [SYSCALL] = in a syscall that lost its P) */
    double gomaxprocs;
    int64_t gc_ns;             /* time inside a GC mark phase */
    int64_t stw_ns;            /* time stopped by STW pauses */
    int64_t assist_ns;         /* goroutine-time in mark assists */
    int64_t saturated_ns;      /* time with runnable goroutines and every P busy */
    uint64_t heap_alloc_bytes; /* last HeapAlloc value at the bucket's end */
    uint64_t heap_goal_bytes;
    uint64_t cpu_samples;
    uint64_t gc_cycles_started;
    uint64_t goroutines; /* goroutines alive at the bucket's end */
};

struct gorca_timeline {
    int64_t start_ns; /* start of bucket 0 (the trace start) */
    int64_t width_ns; /* bucket width (a power-of-two multiple of bucket_ns) */
    const struct gorca_bucket *buckets;
    size_t n_buckets;
};
const struct gorca_timeline *gorca_analysis_timeline(const struct gorca_analysis *an);

/* ---- 6. requests ------------------------------------------------------------------------- */

enum gorca_request_source {
    GORCA_REQ_HTTP1 = 0, /* a busy interval of a net/http.(*conn).serve goroutine */
    GORCA_REQ_HTTP2,     /* an HTTP/2 handler goroutine's lifetime */
    GORCA_REQ_TASK       /* a runtime/trace user task outside a conn.serve goroutine */
};

/* Where a request's time went (goroutine-time of the serving goroutine inside the request). */
struct gorca_request_time {
    int64_t exec_ns;
    int64_t wait_ns[GORCA_BLOCK_N]; /* NET here excludes the idle read that ends a request */
    int64_t assist_ns;              /* overlaps exec/wait */
    uint64_t cpu_samples;
};

struct gorca_request {
    enum gorca_request_source source;
    int64_t g;        /* serving goroutine */
    int64_t start_ns; /* request bytes ready (idle read unblocked) / task begin */
    int64_t end_ns;   /* next idle read / task end / goroutine end */
    int64_t dur_ns;
    const char *handler; /* first frame outside runtime and net/http seen while serving, or
                            the task type; "" when unknown */
    uint64_t task;       /* user task id when a task began inside it, else 0 */
    int unfinished;      /* still being served when the trace ended */
    struct gorca_request_time t;
};

struct gorca_handler_stats {
    const char *handler;
    uint64_t count;
    struct gorca_latency latency;  /* request durations */
    struct gorca_request_time sum; /* summed breakdown */
};

struct gorca_requests_result {
    uint64_t n_requests;
    uint64_t n_conns;                    /* conn.serve goroutines seen */
    const struct gorca_request *slowest; /* the slowest top_requests, slowest first */
    size_t n_slowest;
    const struct gorca_handler_stats *handlers; /* by total time, largest first */
    size_t n_handlers;
    struct gorca_latency latency;  /* every request */
    struct gorca_request_time sum; /* every request */
};
const struct gorca_requests_result *gorca_analysis_requests(const struct gorca_analysis *an);

/* ---- 7. blocking chains ------------------------------------------------------------------ */

/* Goroutines blocked at waiter_stack (reason) and woken by a goroutine of waker_name at
 * waker_stack. Wakers without a goroutine (netpoller, timers) have waker_name "(netpoller)",
 * "(timer)" or "(runtime)" and stack 0. */
struct gorca_chain_edge {
    const char *waker_name; /* start function of the waking goroutine */
    uint32_t waker_stack;   /* stack of the unblock event */
    const char *waiter_name;
    uint32_t waiter_stack; /* stack where the waiter blocked */
    const char *reason;    /* the waiter's block reason */
    uint64_t count;
    int64_t wait_ns; /* summed block -> unblock time */
    int64_t max_wait_ns;
    int64_t example_waker, example_waiter; /* goroutine ids of the longest wait */
};

struct gorca_chains_result {
    const struct gorca_chain_edge *edges; /* heaviest total wait first */
    size_t n_edges;
    uint64_t n_unblocks;
    int64_t total_wait_ns;
};
const struct gorca_chains_result *gorca_analysis_chains(const struct gorca_analysis *an);

/* The same wake-ups by origin: waker_name/waker_stack say where each wake-up came from. A
 * goroutine that had itself been woken during the wait and passed the wake-up on within a
 * fifth of the wait (or 100 us) is a relay, and its own origin counts instead. An origin in
 * the netpoller or a timer ("(netpoller)", "(timer)", "(runtime)") carries the stack where
 * the goroutine it woke had blocked (e.g. a server reading the next request); a goroutine
 * origin carries its unblock stack. */
const struct gorca_chains_result *gorca_analysis_origins(const struct gorca_analysis *an);

/* ---- 8. CPU samples ---------------------------------------------------------------------- */

struct gorca_cpu_result {
    uint64_t samples;                   /* every CPU sample in the trace */
    uint64_t with_goroutine;            /* samples taken while a goroutine ran */
    const struct gorca_frame_time *top; /* functions by samples: flat/cum hold sample counts */
    size_t n_top;
    /* Per group and per bucket counts are in the groups and the timeline. */
};
const struct gorca_cpu_result *gorca_analysis_cpu(const struct gorca_analysis *an);

/* ---- JSON -------------------------------------------------------------------------------- */

enum {
    GORCA_AN_JSON_GOROUTINES = 1 << 0,
    GORCA_AN_JSON_BLOCKING = 1 << 1,
    GORCA_AN_JSON_GC = 1 << 2,
    GORCA_AN_JSON_SCHED = 1 << 3,
    GORCA_AN_JSON_TIMELINE = 1 << 4,
    GORCA_AN_JSON_REQUESTS = 1 << 5,
    GORCA_AN_JSON_CHAINS = 1 << 6,
    GORCA_AN_JSON_CPU = 1 << 7,
    GORCA_AN_JSON_ALL = 0xff
};

/* Appends a JSON object {"schema": "gorca.trace-analysis/1", "trace": {...}, ...} with the
 * selected sections to out (docs/commands/trace-analyses.md describes it). indent 0 = one
 * line. max_stacks bounds the samples/edges listed per section (0 = 20). Errors are the
 * buffer's (GORCA_E_NOMEM or its cap). */
enum gorca_status gorca_analysis_write_json(const struct gorca_analysis *an, unsigned sections,
                                            int indent, size_t max_stacks, struct gorca_buf *out,
                                            struct gorca_error *err) GORCA_CHECK;

#ifdef __cplusplus
}
#endif
#endif
