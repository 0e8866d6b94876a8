/* Go execution traces (runtime/trace, /debug/pprof/trace) written by Go 1.22 through 1.26:
 * a streaming reader that validates the trace and delivers its events one at a time in Go's
 * global order, as golang.org's internal/trace reader does (../shared/docs/go-trace-format.md).
 *
 * Invariants
 * - Events come out in the order Go's reader produces (per-thread batches merged with the
 *   goroutine/proc/thread state machine and sequence numbers); times are nanoseconds on the
 *   traced machine's monotonic clock and strictly increasing.
 * - The input is read generation by generation (mmap or a buffered stream); memory is bounded
 *   by the largest generation plus the interned stacks and names, never by the file size.
 * - A trace that is cut short or corrupt yields every event of every complete generation (and
 *   the valid prefix of the one that fails ordering), then an error naming the byte offset,
 *   the generation and what was expected. A cut capture is normal: GORCA_E_TRUNCATED.
 *
 * Lifetimes (who owns what)
 * - struct gorca_trace is opened by gorca_trace_open_* and released by gorca_trace_free().
 * - The event returned by gorca_trace_next() belongs to the reader and is overwritten by the
 *   next call. Copy what you keep.
 * - Stack handles, frame handles, interned strings (every `const char *` in an event except a
 *   Log's message) and the frames they resolve to stay valid until gorca_trace_free(): they
 *   are stable across generations, so consumers can key hash tables on them. Interned strings
 *   are NUL-terminated and equal contents give equal pointers.
 * - A Log's message (and the experimental batch bytes of a Sync) stay valid until the reader
 *   moves to the next generation, i.e. until gorca_trace_next() returns an event whose gen
 *   differs from that event's gen (or returns none).
 *
 * Typical use (one pass):
 *
 *     struct gorca_trace *tr;
 *     const struct gorca_trace_event *ev;
 *     if (gorca_trace_open_file(path, NULL, &tr, &err) != GORCA_OK) ...;
 *     while ((st = gorca_trace_next(tr, &ev, &err)) == GORCA_OK && ev != NULL) {
 *         if (ev->kind == GORCA_TRACE_STATE_TRANSITION && ev->transition.resource ==
 *             GORCA_TRACE_RES_GOROUTINE) ...;
 *     }
 *     // st != GORCA_OK: err says where; all events before it were valid.
 *     gorca_trace_free(tr);
 */
#ifndef GORCA_TRACE_H
#define GORCA_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "limits.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Value of an event's m, p or g (and of resource ids) meaning "none". */
#define GORCA_TRACE_NONE (-1)
/* Task id meaning "no task" (a task without parent; Go's trace.NoTask). Task 0 is the
 * background task. */
#define GORCA_TRACE_NO_TASK UINT64_MAX

/* ---- event classification -------------------------------------------------------------- */

/* What an event means; the same classes (and numbers) as Go's trace.EventKind. */
enum gorca_trace_kind {
    GORCA_TRACE_BAD = 0,
    GORCA_TRACE_SYNC,             /* generation boundary; see gorca_trace_event.sync */
    GORCA_TRACE_METRIC,           /* GOMAXPROCS, heap live bytes, heap goal */
    GORCA_TRACE_LABEL,            /* label on the current goroutine (GC mark workers) */
    GORCA_TRACE_STACK_SAMPLE,     /* CPU profile sample taken while tracing */
    GORCA_TRACE_RANGE_BEGIN,      /* STW, GC mark phase, sweep, mark assist begins */
    GORCA_TRACE_RANGE_ACTIVE,     /* the range was already in progress at generation start */
    GORCA_TRACE_RANGE_END,        /* the range ends */
    GORCA_TRACE_TASK_BEGIN,       /* runtime/trace.NewTask */
    GORCA_TRACE_TASK_END,         /* Task.End */
    GORCA_TRACE_REGION_BEGIN,     /* runtime/trace.StartRegion / WithRegion */
    GORCA_TRACE_REGION_END,       /* Region.End */
    GORCA_TRACE_LOG,              /* runtime/trace.Log */
    GORCA_TRACE_STATE_TRANSITION, /* a goroutine or proc changes state */
    GORCA_TRACE_EXPERIMENTAL,     /* experimental event (GODEBUG=traceallocfree=1), raw */
    GORCA_TRACE_KIND_COUNT
};

/* Wire event types (go-trace-format.md §3), kept in gorca_trace_event.type so consumers can
 * tell apart events of one kind (GoBlock from GoStop, GCSweepEnd from STWEnd, ...). */
enum gorca_trace_type {
    GORCA_TRACE_EV_CPU_SAMPLE = 7,
    GORCA_TRACE_EV_PROCS_CHANGE = 9,
    GORCA_TRACE_EV_PROC_START = 10,
    GORCA_TRACE_EV_PROC_STOP = 11,
    GORCA_TRACE_EV_PROC_STEAL = 12,
    GORCA_TRACE_EV_PROC_STATUS = 13,
    GORCA_TRACE_EV_GO_CREATE = 14,
    GORCA_TRACE_EV_GO_CREATE_SYSCALL = 15,
    GORCA_TRACE_EV_GO_START = 16,
    GORCA_TRACE_EV_GO_DESTROY = 17,
    GORCA_TRACE_EV_GO_DESTROY_SYSCALL = 18,
    GORCA_TRACE_EV_GO_STOP = 19,
    GORCA_TRACE_EV_GO_BLOCK = 20,
    GORCA_TRACE_EV_GO_UNBLOCK = 21,
    GORCA_TRACE_EV_GO_SYSCALL_BEGIN = 22,
    GORCA_TRACE_EV_GO_SYSCALL_END = 23,
    GORCA_TRACE_EV_GO_SYSCALL_END_BLOCKED = 24,
    GORCA_TRACE_EV_GO_STATUS = 25,
    GORCA_TRACE_EV_STW_BEGIN = 26,
    GORCA_TRACE_EV_STW_END = 27,
    GORCA_TRACE_EV_GC_ACTIVE = 28,
    GORCA_TRACE_EV_GC_BEGIN = 29,
    GORCA_TRACE_EV_GC_END = 30,
    GORCA_TRACE_EV_GC_SWEEP_ACTIVE = 31,
    GORCA_TRACE_EV_GC_SWEEP_BEGIN = 32,
    GORCA_TRACE_EV_GC_SWEEP_END = 33,
    GORCA_TRACE_EV_GC_MARK_ASSIST_ACTIVE = 34,
    GORCA_TRACE_EV_GC_MARK_ASSIST_BEGIN = 35,
    GORCA_TRACE_EV_GC_MARK_ASSIST_END = 36,
    GORCA_TRACE_EV_HEAP_ALLOC = 37,
    GORCA_TRACE_EV_HEAP_GOAL = 38,
    GORCA_TRACE_EV_GO_LABEL = 39,
    GORCA_TRACE_EV_USER_TASK_BEGIN = 40,
    GORCA_TRACE_EV_USER_TASK_END = 41,
    GORCA_TRACE_EV_USER_REGION_BEGIN = 42,
    GORCA_TRACE_EV_USER_REGION_END = 43,
    GORCA_TRACE_EV_USER_LOG = 44,
    GORCA_TRACE_EV_GO_SWITCH = 45,
    GORCA_TRACE_EV_GO_SWITCH_DESTROY = 46,
    GORCA_TRACE_EV_GO_CREATE_BLOCKED = 47,
    GORCA_TRACE_EV_GO_STATUS_STACK = 48,
    /* 128..136: experimental AllocFree events (Span, SpanAlloc, ..., GoroutineStackFree). */
    GORCA_TRACE_EV_SYNC = 255 /* the reader's generation-boundary event */
};

/* Goroutine states as analyses see them (Go's trace.GoState, same numbers). */
enum gorca_trace_go_state {
    GORCA_TRACE_GO_UNDETERMINED = 0, /* existed before the trace: first seen via a status */
    GORCA_TRACE_GO_NOT_EXIST,
    GORCA_TRACE_GO_RUNNABLE,
    GORCA_TRACE_GO_RUNNING,
    GORCA_TRACE_GO_WAITING,
    GORCA_TRACE_GO_SYSCALL
};

/* Proc states (Go's trace.ProcState). A proc in a syscall is Running; an abandoned one Idle. */
enum gorca_trace_proc_state {
    GORCA_TRACE_PROC_UNDETERMINED = 0,
    GORCA_TRACE_PROC_NOT_EXIST,
    GORCA_TRACE_PROC_RUNNING,
    GORCA_TRACE_PROC_IDLE
};

/* What a transition, range or label is about. */
enum gorca_trace_resource {
    GORCA_TRACE_RES_NONE = 0, /* global (the GC mark phase) */
    GORCA_TRACE_RES_GOROUTINE,
    GORCA_TRACE_RES_PROC,
    GORCA_TRACE_RES_THREAD
};

enum gorca_trace_range_type {
    GORCA_TRACE_RANGE_STW = 1,     /* "stop-the-world (<kind>)", goroutine scope */
    GORCA_TRACE_RANGE_GC_MARK,     /* "GC concurrent mark phase", global scope */
    GORCA_TRACE_RANGE_GC_SWEEP,    /* "GC incremental sweep", proc scope */
    GORCA_TRACE_RANGE_MARK_ASSIST, /* "GC mark assist", goroutine scope */
};

enum gorca_trace_metric {
    GORCA_TRACE_METRIC_GOMAXPROCS = 1, /* "/sched/gomaxprocs:threads" */
    GORCA_TRACE_METRIC_HEAP_ALLOC,     /* "/memory/classes/heap/objects:bytes" (live heap) */
    GORCA_TRACE_METRIC_HEAP_GOAL,      /* "/gc/heap/goal:bytes" */
};

/* ---- events ------------------------------------------------------------------------------- */

struct gorca_trace_transition {
    enum gorca_trace_resource resource; /* GOROUTINE or PROC */
    int64_t id;                         /* the goroutine or proc that changes state */
    uint8_t from, to;                   /* enum gorca_trace_go_state / gorca_trace_proc_state */
    const char *reason;                 /* GoStop/GoBlock reason ("chan receive", "sync",
                                           "network", ...); "" otherwise; interned */
    uint32_t stack;                     /* transition stack: the blocking/stopping/syscall
                                           stack, a GoStatusStack's stack (as Go 1.26's
                                           reader reports it; 1.22-1.25 readers leave it
                                           empty there), or for a created goroutine its start
                                           function (one frame); 0 none */
};

struct gorca_trace_range {
    enum gorca_trace_range_type type;
    const char *name;                /* Go's range name, e.g. "stop-the-world (GC mark
                                        termination)", "GC mark assist"; interned */
    const char *stw_kind;            /* STW only: "GC mark termination", ...; else "" */
    enum gorca_trace_resource scope; /* NONE (GC mark), GOROUTINE (STW, assist), PROC (sweep) */
    int64_t scope_id;                /* goroutine or proc id; -1 for NONE */
    int n_attrs;                     /* RangeEnd of a sweep: 2 ("bytes swept", "bytes reclaimed") */
    struct {
        const char *name; /* static string */
        uint64_t value;
    } attrs[2];
};

struct gorca_trace_sync {
    uint64_t n;             /* 1, 2, ...: index of this Sync event in the stream */
    uint64_t freq;          /* the generation's clock: ticks per second (0 on a final Sync) */
    int has_clock;          /* Go 1.25+: a clock snapshot was recorded for this generation */
    int64_t clock_trace_ns; /* trace time of the snapshot */
    uint64_t clock_mono_ns; /* runtime monotonic clock at the snapshot */
    int64_t clock_wall_sec; /* wall clock (Unix) at the snapshot */
    int64_t clock_wall_nsec;
    size_t n_exp_batches; /* experimental batches in the generation */
};

/* One event. Fields above the union are meaningful for every kind. */
struct gorca_trace_event {
    enum gorca_trace_kind kind;
    uint8_t type;      /* enum gorca_trace_type (wire type, or GORCA_TRACE_EV_SYNC) */
    uint8_t synthetic; /* 1 when the reader made it up as Go's reader does: the GoBlock /
                          GoDestroy and GoStart that a GoSwitch stands for, the ProcSteal
                          before a GoDestroySyscall */
    int64_t time;      /* nanoseconds (monotonic clock of the traced machine) */
    int64_t m, p, g;   /* acting thread, proc, goroutine before the event; -1 = none */
    uint64_t gen;      /* generation the event belongs to */
    uint32_t stack;    /* the event's stack (Go's Event.Stack): the creator's stack for a
                          GoCreate, the unblocker's for a GoUnblock, the sample's for a CPU
                          sample, ...; 0 = none */
    uint64_t offset;   /* byte offset of the wire event in the input; 0 if synthetic/Sync */
    uint64_t args[4];  /* the wire arguments after the timestamp delta, as ordered (for
                          ProcSteal args[2] is the thread the proc was taken from) */
    union {
        struct gorca_trace_transition transition; /* STATE_TRANSITION */
        struct gorca_trace_range range;           /* RANGE_BEGIN / _ACTIVE / _END */
        struct {
            enum gorca_trace_metric metric;
            const char *name; /* static string, the runtime/metrics name */
            uint64_t value;
        } metric; /* METRIC */
        struct {
            const char *label; /* interned */
            int64_t g;         /* labelled goroutine (the current one) */
        } label;               /* LABEL */
        struct {
            uint64_t id;
            uint64_t parent;  /* GORCA_TRACE_NO_TASK when none */
            const char *type; /* the task's type name ("" at an End whose Begin predates
                                 the trace); interned */
        } task;               /* TASK_BEGIN / TASK_END */
        struct {
            uint64_t task;    /* 0 = background task */
            const char *type; /* interned */
        } region;             /* REGION_BEGIN / REGION_END */
        struct {
            uint64_t task;
            const char *category;     /* interned */
            const char *message;      /* valid for the event's generation only (see top) */
            size_t message_len;       /* messages may contain NUL bytes */
        } log;                        /* LOG */
        struct gorca_trace_sync sync; /* SYNC */
        struct {
            const char *name;       /* "HeapObjectAlloc", ... (static) */
            const char *experiment; /* "AllocFree" (static) */
            int n_args;
            const char *arg_names[4]; /* static */
        } experimental;               /* EXPERIMENTAL: values in args[] */
    };
};

/* A stack frame, leaf first in a stack. pc is the runtime's PC for the frame (inlined calls
 * have distinct PCs). func and file are interned. */
struct gorca_trace_frame {
    uint64_t pc;
    const char *func;
    const char *file;
    uint64_t line;
};

/* ---- opening -------------------------------------------------------------------------- */

/* How the reader places Sync events. Go 1.25+'s reader (the default) emits one at the start
 * of every generation (time = the generation's earliest batch) and one at the end of the
 * trace; Go 1.22-1.24's readers emit one at the end of every generation instead. Because
 * Sync events take part in the strictly-increasing time fix-up, the choice can move event
 * times by a nanosecond or two; pick the mode of the `go tool trace` you compare with. */
enum gorca_trace_sync_mode {
    GORCA_TRACE_SYNC_AT_START = 0, /* Go 1.25, 1.26 */
    GORCA_TRACE_SYNC_AT_END        /* Go 1.22, 1.23, 1.24 */
};

struct gorca_trace_options {
    struct gorca_limits limits;    /* zero fields = defaults: events per generation,
                                      stack_depth, string_bytes, arena_bytes (interned
                                      stacks/strings), input_bytes (in-memory inputs) */
    uint64_t max_generation_bytes; /* largest generation accepted; 0 = 1 GiB */
    enum gorca_trace_sync_mode sync_mode;
};

struct gorca_trace;

/* Opens the trace at path ("-" = stdin) and reads its header. Regular files are mmap'ed and
 * read generation by generation (pages of finished generations are dropped); pipes are read
 * through a buffer holding one generation. gzip-compressed files are inflated in memory.
 * opt may be NULL (defaults). On failure *out is NULL and err says why: GORCA_E_IO,
 * GORCA_E_MALFORMED (not a trace), GORCA_E_UNSUPPORTED (legacy Go 1.11-1.21 trace or unknown
 * version; the message names it). The caller frees *out with gorca_trace_free(). */
enum gorca_status gorca_trace_open_file(const char *path, const struct gorca_trace_options *opt,
                                        struct gorca_trace **out,
                                        struct gorca_error *err) GORCA_CHECK;

/* As gorca_trace_open_file over data[0..len) (borrowed: it must outlive the reader). name is
 * used in error messages (borrowed, may be NULL). */
enum gorca_status gorca_trace_open_mem(const uint8_t *data, size_t len, const char *name,
                                       const struct gorca_trace_options *opt,
                                       struct gorca_trace **out,
                                       struct gorca_error *err) GORCA_CHECK;

/* Changes the Sync placement of an opened reader, so a consumer can pick it from the version
 * gorca_trace_get_info reports. Only before the first gorca_trace_next(); afterwards it
 * returns GORCA_E_ARG and changes nothing. */
enum gorca_status gorca_trace_set_sync_mode(struct gorca_trace *tr,
                                            enum gorca_trace_sync_mode mode) GORCA_CHECK;

/* Releases the reader, its interned data and the input mapping. Accepts NULL. */
void gorca_trace_free(struct gorca_trace *tr);

/* ---- iterating ------------------------------------------------------------------------ */

/* Delivers the next event in *ev. Returns GORCA_OK with *ev set, or GORCA_OK with *ev NULL at
 * the clean end of the trace. Any other status is an error recorded in err (input, byte
 * offset, generation, what was expected; err->source is kept when the caller set it); it is
 * sticky: later calls return it again. Every event delivered before an error is valid: all
 * generations before the failing one were delivered completely, and a generation is only
 * started once its batches and tables were read and validated (a cut capture therefore ends
 * with GORCA_E_TRUNCATED after the last complete generation). */
enum gorca_status gorca_trace_next(struct gorca_trace *tr, const struct gorca_trace_event **ev,
                                   struct gorca_error *err) GORCA_CHECK;

/* Callback delivery for one-pass consumers: calls fn(arg, ev, err) for every remaining event,
 * the same events in the same order as repeated gorca_trace_next() calls (which may be mixed
 * with it), without a call round trip per event. ev is valid during the call only (the
 * lifetimes above otherwise apply). Returns GORCA_OK at the clean end of the trace, the
 * reader's error (as gorca_trace_next), or the status of fn when fn returns one other than
 * GORCA_OK (fn records its own error in err); a later call resumes after that event. */
typedef enum gorca_status (*gorca_trace_event_fn)(void *arg, const struct gorca_trace_event *ev,
                                                  struct gorca_error *err);
enum gorca_status gorca_trace_each(struct gorca_trace *tr, gorca_trace_event_fn fn, void *arg,
                                   struct gorca_error *err) GORCA_CHECK;

/* Frames of a stack handle, leaf first, as an array of frame handles; *n receives the count.
 * Handle 0 (no stack) and unknown handles give n = 0. This function can't fail. */
const uint32_t *gorca_trace_stack_frames(const struct gorca_trace *tr, uint32_t stack, size_t *n);
/* The frame behind a frame handle, or NULL for an unknown handle. */
const struct gorca_trace_frame *gorca_trace_frame(const struct gorca_trace *tr, uint32_t frame);
/* The leaf (innermost) frame of a stack, or NULL for an empty stack. */
const struct gorca_trace_frame *gorca_trace_stack_top(const struct gorca_trace *tr, uint32_t stack);
/* Handles are dense: stacks are 1..gorca_trace_stack_count(tr), frames likewise, so they can
 * index arrays. The counts grow as generations are read. */
uint32_t gorca_trace_stack_count(const struct gorca_trace *tr);
uint32_t gorca_trace_frame_count(const struct gorca_trace *tr);

/* Facts about the input so far. */
struct gorca_trace_info {
    int go_version;       /* minor version of the format: 22, 23 (written by 1.23 and 1.24),
                             25, 26 */
    uint64_t size_bytes;  /* input size, when known (0 for a stream) */
    uint64_t bytes_read;  /* bytes consumed so far */
    uint64_t generations; /* generations read (complete or being delivered) */
    uint64_t first_gen;   /* number of the first generation (not always 1) */
    uint64_t current_gen; /* generation being delivered */
    uint64_t peak_generation_bytes; /* largest generation so far */
};
void gorca_trace_get_info(const struct gorca_trace *tr, struct gorca_trace_info *info);

/* ---- names ------------------------------------------------------------------------------ */

/* Static names: "StateTransition", "GoBlock", "Waiting", "Idle", "Goroutine". Unknown values
 * give "Bad" (kind/state/resource) or "Invalid" (type). */
const char *gorca_trace_kind_name(enum gorca_trace_kind kind);
const char *gorca_trace_type_name(unsigned type);
const char *gorca_trace_go_state_name(unsigned state);
const char *gorca_trace_proc_state_name(unsigned state);
const char *gorca_trace_resource_name(enum gorca_trace_resource res);

/* Appends the text Go 1.26's trace.Event.String() gives for ev (what `go tool trace
 * -d=parsed` prints per event: a header line, then "Stack=" / "TransitionStack=" blocks of
 * "\tfunc @ 0xPC\n\t\tfile:line\n" lines), without a final newline. ev must come from tr. */
struct gorca_buf;
void gorca_trace_format_go(const struct gorca_trace *tr, const struct gorca_trace_event *ev,
                           struct gorca_buf *out);

/* ---- probing (cheap, for `gorca inspect`) --------------------------------------------- */

/* Score that p[0..n) starts a Go execution trace: 100 = "go 1.NN trace" header, 0 = not. */
int gorca_trace_sniff(const uint8_t *p, size_t n);

/* Parses the 16-byte header. On success *minor is the version (11, 19, 21 legacy; 22, 23, 25,
 * 26 current). Fails with GORCA_E_MALFORMED (not a trace header) or GORCA_E_TRUNCATED;
 * unknown or legacy versions are not an error here (see supported in the probe). */
enum gorca_status gorca_trace_header_version(const uint8_t *p, size_t n, int *minor,
                                             struct gorca_error *err) GORCA_CHECK;

struct gorca_trace_probe {
    int go_version; /* minor version from the header */
    int supported;  /* 1 for 22..26; 0 for legacy or unknown (the rest is then 0) */
    uint64_t size_bytes;
    uint64_t generations; /* generations seen (the last may be incomplete, see status) */
    uint64_t first_gen, last_gen;
    uint64_t batches;
    int64_t start_ns;         /* earliest batch time of the first generation (= the first Sync) */
    int64_t end_ns;           /* latest event or CPU-sample time of the last generation */
    int64_t duration_ns;      /* end_ns - start_ns */
    enum gorca_status status; /* GORCA_OK, or why the scan stopped early (truncated/corrupt);
                                 the counts above cover what was scanned */
};

/* Scans the trace at path (or data[0..len)) without ordering it: reads every batch header,
 * skipping payloads, and decodes only the timestamps of the last generation's batches.
 * Cost: O(number of batches) header reads plus one pass over the last generation (a few ms
 * for 100 MB on a page-cached file); no per-event state, memory O(batches of one generation).
 * end_ns may differ by a few ns from the full parse (which nudges equal times apart).
 * Returns GORCA_OK when the header was read (a damaged body is reported in out->status),
 * else GORCA_E_IO / GORCA_E_MALFORMED / GORCA_E_TRUNCATED with err set. */
enum gorca_status gorca_trace_probe_file(const char *path, struct gorca_trace_probe *out,
                                         struct gorca_error *err) GORCA_CHECK;
enum gorca_status gorca_trace_probe_mem(const uint8_t *data, size_t len,
                                        struct gorca_trace_probe *out,
                                        struct gorca_error *err) GORCA_CHECK;

/* ---- whole-trace statistics (`gorca trace stats`) ------------------------------------- */

struct gorca_trace_stats {
    int go_version;
    uint64_t size_bytes;
    uint64_t generations;
    uint64_t first_gen, last_gen;
    int64_t start_ns, end_ns, duration_ns; /* first Sync to last event */
    uint64_t events;                       /* all delivered events, Sync included */
    uint64_t by_kind[GORCA_TRACE_KIND_COUNT];
    uint64_t by_type[256];       /* by wire type; [255] = Sync */
    uint64_t goroutines_created; /* GoCreate, GoCreateBlocked, GoCreateSyscall */
    uint64_t goroutines_ended;   /* GoDestroy, GoDestroySyscall, GoSwitchDestroy */
    uint64_t goroutines_seen;    /* distinct goroutine ids in the trace */
    uint64_t procs;              /* distinct proc ids */
    uint64_t threads;            /* distinct thread (M) ids */
    uint64_t max_gomaxprocs;
    uint64_t gc_cycles; /* GC mark phases that began in the trace */
    uint64_t stw_count; /* stop-the-world pauses (Begin..End pairs) */
    int64_t stw_total_ns, stw_max_ns;
    uint64_t stw_gc_count; /* of which GC-related (kind contains "GC") */
    int64_t stw_gc_total_ns;
    uint64_t cpu_samples;
    uint64_t tasks, regions, logs; /* begins / begins / logs */
    uint64_t peak_generation_bytes;
};

/* Reads every remaining event of tr and fills *st. On a read error the statistics cover the
 * events delivered before it and the error is returned (err set). */
enum gorca_status gorca_trace_stats_collect(struct gorca_trace *tr, struct gorca_trace_stats *st,
                                            struct gorca_error *err) GORCA_CHECK;

#ifdef __cplusplus
}
#endif
#endif
