/* Private header of the diagnosis module. The readers' models (profiles, dumps, trace
 * analyses) are reduced by facts_*.c to one source-neutral evidence model: interned frames and
 * stacks, observations (a stack, what the goroutine was doing there, and a weight), requests,
 * GC pauses, timeline buckets, dump growth. The rules (cause_*.c, one per cause, listed in
 * rules.c) only see this model, so every rule works with whichever inputs the user has. */
#ifndef GORCA_DIAG_INT_H
#define GORCA_DIAG_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "base/base.h"
#include "gorca/bundle.h"
#include "gorca/diagnosis.h"

/* ---- interned frames and stacks --------------------------------------------------------- */

/* A frame; interned, so equal (func, file, line) give the same pointer, and func strings are
 * interned too (compare function names by pointer). */
struct dg_frame {
    const char *func; /* never NULL; "" when unknown */
    const char *file; /* "" when unknown */
    int64_t line;
};

struct dg_stack {
    const struct dg_frame *const *f; /* leaf first */
    uint32_t n;
};

/* ---- observations ----------------------------------------------------------------------- */

/* What a goroutine was doing at an observed stack. */
enum dg_class {
    DG_RUNNING = 0, /* on a CPU (CPU samples, "running" in dumps) */
    DG_RUNNABLE,    /* waiting for a P */
    DG_NET,         /* netpoller: sockets, pipes */
    DG_CHAN,        /* channel send/receive */
    DG_SELECT,      /* select */
    DG_LOCK,        /* sync.Mutex / RWMutex */
    DG_SYNC,        /* other sync: Cond, WaitGroup, semaphores */
    DG_SYSCALL,     /* in a (blocking) system call or cgo */
    DG_SLEEP,       /* time.Sleep */
    DG_GC,          /* waiting for or assisting the GC */
    DG_OTHER,
    DG_N_CLASSES
};

/* Where an observation comes from. */
enum dg_src {
    DG_SRC_TRACE = 0, /* blocking profile of the trace: weight = ns waited */
    DG_SRC_DUMP,      /* goroutine dump group: weight = goroutines */
    DG_SRC_BLOCK,     /* block profile: weight = ns of delay */
    DG_SRC_MUTEX,     /* mutex profile (holders' release stacks): weight = ns of delay */
    DG_SRC_CPU,       /* CPU profile: weight = CPU ns */
    DG_SRC_N
};

/* What a request stack is, for attribution. */
enum {
    DG_REQ_NO = 0, /* not serving a request */
    DG_REQ_YES,    /* inside an HTTP handler */
    DG_REQ_DEBUG   /* inside net/http/pprof (the capture itself) */
};

struct dg_obs {
    struct dg_stack st;
    uint8_t cls;          /* enum dg_class */
    uint8_t src;          /* enum dg_src */
    int8_t req;           /* DG_REQ_*; set by dg_annotate */
    int8_t cause;         /* enum gorca_cause claimed for it, -1 none; set by the attribution */
    int8_t client_io;     /* the server's own connection I/O (slow clients): never a cause */
    double weight;        /* see enum dg_src */
    uint64_t count;       /* waits, samples or goroutines */
    int64_t max_ns;       /* longest single wait (trace), 0 unknown */
    double timer_woken;   /* share of the wait time woken by no goroutine (timers, runtime);
                             -1 unknown */
    double request_woken; /* share of the wait time that ended when another client's request
                             arrived (through relaying goroutines: long polls, subscriptions);
                             -1 unknown */
    int8_t event_wait;    /* waits for other clients' requests or its own poll timeout: by
                             design, never a cause (set by the attribution) */
    const char *waker;    /* goroutine group (start function) that woke most of it; NULL */
    int32_t minutes;      /* dump: longest ", N minutes"; -1 */
    const struct dg_frame *created_by; /* dump: the go statement of the goroutines; NULL */
    const char *reason;                /* wait reason as recorded, "" unknown */
    const char *input;                 /* input file name */
    int32_t handler; /* frame index of the serving handler in st, -1; set by dg_annotate */
    int32_t site;    /* frame index of the mechanism's site, -1; set by the claims */
    double conf;     /* confidence of the claim, 0..1 */
};

/* Frames the runtime keeps of a CPU profile sample's stack: a sample with this many was cut
 * before its goroutine's root. */
#define DG_CPU_MAX_DEPTH 64

struct dg_obsv {
    struct dg_obs *v; /* base_malloc'd */
    size_t n, cap;
};

/* ---- trace facts ------------------------------------------------------------------------ */

/* The analysis' wait classes (the same order as its enum gorca_wait_class). */
enum dg_tw {
    DG_TW_NET = 0,
    DG_TW_SYNC,
    DG_TW_SYSCALL,
    DG_TW_SCHED,
    DG_TW_SLEEP,
    DG_TW_GC,
    DG_TW_OTHER,
    DG_TW_N
};

struct dg_request {
    int64_t start, end, dur; /* offsets from the trace start, ns */
    int64_t exec, assist;
    int64_t wait[DG_TW_N];
    const char *handler; /* innermost handler function, NULL when unknown */
    const struct dg_frame *handler_frame;
    int debug; /* a net/http/pprof request */
    int unfinished;
    int64_t stw_gc; /* overlap with GC stop-the-world pauses (computed) */
};

struct dg_pause {
    int64_t start, dur; /* offset, ns */
    const char *kind;
    int gc;      /* a GC phase ("GC sweep termination", "GC mark termination") */
    int service; /* caused by the service (the GC, ReadMemStats, GOMAXPROCS, ...), not by the
                    capture's own dumps, profiles and trace */
};

struct dg_group {
    const char *name; /* start function */
    uint64_t count;
    int system;
    int64_t exec, total, wait[DG_TW_N];
    uint64_t cpu_samples;
    uint64_t created;                  /* members created during the trace */
    uint64_t alive_end;                /* of those, still alive at the end */
    int64_t alive_wait_ns;             /* waiting time of those */
    int64_t alive_life_ns;             /* their lifetime inside the trace */
    int64_t first_create, last_create; /* offsets */
    uint64_t finished;                 /* members created during the trace that ended in it */
    int64_t max_life_ns;               /* the longest life among those */
    uint64_t stale;        /* alive at the end, older than ten times that (and 100 ms) */
    int64_t stale_wait_ns; /* waiting time of those */
    int64_t stale_life_ns; /* their lifetime inside the trace */
};

struct dg_bucket {
    int64_t start; /* offset */
    double running, runnable, gomaxprocs;
    double waiting[DG_TW_N];
    int64_t gc_ns, stw_ns, assist_ns, saturated_ns;
    uint64_t goroutines;
};

struct dg_trace {
    int have;
    const char *input;
    int go_minor;
    int64_t dur_ns;
    struct dg_request *req; /* every request the analysis saw */
    size_t n_req;
    struct dg_pause *pauses;
    size_t n_pauses;
    uint64_t gc_cycles;
    int64_t gc_mark_ns, gc_assist_ns, heap_max, heap_goal;
    int64_t gc_interval_ns; /* mean time between cycle starts, 0 unknown */
    int gc_periodic;
    double mmu_10ms, mmu_100ms; /* -1 unknown */
    int64_t runnable_p99_ns, runnable_p50_ns;
    double saturated_share, mean_runnable, runnable_time_share;
    double gomaxprocs;
    struct dg_group *groups;
    size_t n_groups;
    struct dg_bucket *buckets;
    size_t n_buckets;
    int64_t bucket_ns;
    struct dg_obsv waits; /* blocking profile samples, every class */
    uint64_t cpu_samples;
};

/* ---- dump facts ------------------------------------------------------------------------- */

struct dg_growth {
    struct dg_stack st;
    uint8_t cls;
    const char *reason;
    int64_t old_n, new_n;
};

struct dg_dumps {
    int have_states;   /* a debug=2 or crash dump: real wait states per goroutine */
    int have_counts;   /* some goroutine dump or profile */
    const char *input; /* the dump the observations come from */
    uint64_t total;    /* goroutines in it */
    struct dg_obsv gs; /* one observation per group (weight = goroutines) */
    int64_t offset_ns; /* when it was taken, from the capture start; -1 unknown */
    /* growth between two count dumps of the same process */
    int have_growth;
    const char *old_input, *new_input;
    uint64_t old_total, new_total;
    int64_t interval_ns;      /* time between them, 0 unknown */
    struct dg_growth *growth; /* groups that grew, largest growth first */
    size_t n_growth;
    /* crash output */
    const char *panic_text;
    int recovered;
    /* count dumps kept until growth is computed (struct gorca_dump *, owned) */
    void *count_dump[4];
    const char *count_name[4];
    const char *count_endpoint[4];
    int64_t count_time[4]; /* unix ns from the manifest, 0 unknown */
    size_t n_count;
};

/* ---- profile facts ---------------------------------------------------------------------- */

struct dg_site {
    const struct dg_frame *f;
    double value;
};

struct dg_profiles {
    const char *cpu_input;
    struct dg_obsv cpu; /* one observation per sample */
    double cpu_total_ns;
    int64_t cpu_duration_ns;
    const char *block_input;
    struct dg_obsv block;
    double block_total_ns;
    const char *mutex_input;
    struct dg_obsv mutex;
    double mutex_total_ns;
    const char *alloc_input; /* allocs (or heap) profile */
    struct dg_site *alloc;   /* allocation sites by alloc_space, largest first */
    size_t n_alloc;
    double alloc_total_bytes;
    int64_t heap_inuse_bytes;    /* from the heap profile, 0 unknown */
    const char *goroutine_input; /* goroutine profile (counts, no states) */
};

/* ---- attribution ------------------------------------------------------------------------ */

/* A key with an accumulated weight (handlers, sites), kept in a small vector. */
struct dg_tally {
    const void *key;
    double w;
    uint64_t n;
    const struct dg_frame *frame; /* a representative frame for the key (first added) */
};

struct dg_tallyv {
    struct dg_tally *v;
    size_t n, cap;
};

/* What the evidence attributes to one cause. */
struct dg_attr {
    double ns;      /* request latency (trace), ns */
    double conf_ns; /* the same, weighted by each claim's confidence */
    uint64_t waits; /* wait events behind ns */
    int64_t max_ns; /* longest single wait */
    double cls_ns[DG_N_CLASSES];
    double gor; /* in-flight request goroutines (dump) */
    double conf_gor;
    double block_ns;               /* block/mutex profile delay in request stacks */
    double cpu_ns;                 /* CPU profile time in request stacks */
    struct dg_tallyv handlers;     /* key: handler function; w: ns (trace) */
    struct dg_tallyv handlers_gor; /* key: handler function; w: goroutines (dump) */
    struct dg_tallyv sites;        /* key: site frame; w: ns, or goroutines without a trace */
    struct dg_tallyv wakers;       /* key: waker group name; w: ns */
};

/* Per handler totals from the trace requests. */
struct dg_handler {
    const char *func;         /* handler function; NULL: requests whose handler is unknown */
    const struct dg_frame *f; /* a frame of it (for the file) */
    uint64_t n;
    int64_t total_ns;
    int64_t wait[DG_TW_N];
    int64_t exec_ns, assist_ns, stw_ns;
    int64_t p50_ns, p99_ns, max_ns;
};

/* ---- the context ------------------------------------------------------------------------ */

/* A finding being built (finding.c); rules read f.severity and f.latency_share after dg_rate. */
struct dg_fb {
    struct dg_ctx *ctx;
    struct gorca_finding f;
    struct gorca_evidence *ev;
    size_t n_ev, cap_ev;
    struct gorca_code_location *loc;
    size_t n_loc, cap_loc;
    struct gorca_handler_impact *h;
    size_t n_h, cap_h;
    const char **adv;
    size_t n_adv, cap_adv;
};

struct dg_ctx {
    struct base_arena arena; /* owns every string and array; moved into the result */
    const struct gorca_diag_config *cfg;
    int oom;

    /* interning (intern.c) */
    struct dg_intern *strs;
    struct dg_intern *frames;

    /* inputs */
    struct gorca_diag_input *inputs;
    size_t n_inputs, cap_inputs;
    const struct gorca_bundle *bundle; /* the expansion of the command line (borrowed) */

    /* facts */
    struct dg_trace tr;
    struct dg_dumps dm;
    struct dg_profiles pf;
    struct gorca_diag_summary sum;

    /* derived */
    struct dg_handler *handlers; /* user request handlers (trace), by total time */
    size_t n_handlers;
    int64_t req_total_ns; /* summed latency of user requests */
    uint64_t req_n;
    int64_t req_p50_ns;
    double inflight; /* user request goroutines in the dump */
    struct dg_attr attr[GORCA_CAUSE_N];
    double client_io_ns;               /* request time in the server's own connection I/O */
    double event_wait_ns;              /* request time waiting for other clients (long polls) */
    const struct dg_frame *event_site; /* where most of it waited */
    const struct dg_frame *leak_creators[8]; /* functions whose spawned goroutines leak */
    size_t n_leak_creators;
    const struct dg_frame *lock_sites[8]; /* functions that hold contended locks */
    size_t n_lock_sites;

    /* output */
    struct dg_fb **fbs; /* each base_malloc'd */
    size_t n_fbs, cap_fbs;
    const char **notes;
    size_t n_notes, cap_notes;
};

/* ---- rules ------------------------------------------------------------------------------ */

/* A claim: how strongly a rule's mechanism explains an observation. */
struct dg_claim {
    int prio;    /* 0 = no claim; the highest priority wins */
    double conf; /* 0..1 */
    int site;    /* frame index of the mechanism's site in the stack, -1 */
};

struct dg_rule {
    enum gorca_cause cause;
    /* Facts other claims depend on (leak creators, lock sites). May be NULL. */
    void (*prepare)(struct dg_ctx *ctx);
    /* The rule's claim on an observation. May be NULL (the cause claims no stacks). */
    struct dg_claim (*claim)(const struct dg_ctx *ctx, const struct dg_obs *o);
    /* Builds the rule's findings from the facts and the attribution. */
    void (*evaluate)(struct dg_ctx *ctx);
};

extern const struct dg_rule dg_rule_dns, dg_rule_mutex, dg_rule_gc_stw, dg_rule_gc_assist,
    dg_rule_netpoll, dg_rule_handler, dg_rule_leak, dg_rule_channel, dg_rule_tls, dg_rule_syscall,
    dg_rule_sched, dg_rule_panic;
/* The rule table, indexed by enum gorca_cause (rules.c). */
extern const struct dg_rule *const dg_rules[GORCA_CAUSE_N];

/* ---- interning and arena helpers (intern.c) --------------------------------------------- */

int dg_intern_init(struct dg_ctx *ctx);
void dg_intern_release(struct dg_ctx *ctx);
/* Interned copy of s[0..n) (NUL-terminated); NULL only when out of memory (ctx->oom set). */
const char *dg_str(struct dg_ctx *ctx, const char *s, size_t n);
const char *dg_cstr(struct dg_ctx *ctx, const char *s);
/* Interned frame; func/file may be NULL (""). */
const struct dg_frame *dg_frame(struct dg_ctx *ctx, const char *func, size_t func_len,
                                const char *file, size_t file_len, int64_t line);
/* Arena copy of a frame pointer array as a stack. */
int dg_stack_make(struct dg_ctx *ctx, const struct dg_frame *const *f, uint32_t n,
                  struct dg_stack *out);
void *dg_alloc(struct dg_ctx *ctx, size_t n);
char *dg_printf(struct dg_ctx *ctx, const char *fmt, ...) GORCA_PRINTF(2, 3);
char *dg_vprintf(struct dg_ctx *ctx, const char *fmt, va_list ap) GORCA_PRINTF(2, 0);
void dg_note(struct dg_ctx *ctx, const char *fmt, ...) GORCA_PRINTF(2, 3);

int dg_obs_push(struct dg_ctx *ctx, struct dg_obsv *v, const struct dg_obs *o);
void dg_obsv_release(struct dg_obsv *v);
void dg_tally_add(struct dg_ctx *ctx, struct dg_tallyv *t, const void *key, double w, uint64_t n);
/* As dg_tally_add, recording frame as the key's representative when the key is new. */
void dg_tally_addf(struct dg_ctx *ctx, struct dg_tallyv *t, const void *key,
                   const struct dg_frame *frame, double w, uint64_t n);
/* Sorts by weight, heaviest first. */
void dg_tally_sort(struct dg_tallyv *t);
double dg_tally_sum(const struct dg_tallyv *t);
void dg_tally_release(struct dg_tallyv *t);
/* An observation with defaults (cause -1, handler -1, site -1, minutes -1, timer -1). */
void dg_obs_init(struct dg_obs *o);

/* ---- frames (frames.c) ------------------------------------------------------------------ */

int dg_has_prefix(const char *s, const char *prefix);
/* 1 for the Go runtime's own frames (runtime.*, internal/runtime/..., "panic"). */
int dg_is_runtime(const char *func);
/* 1 for standard-library functions (first path element without a dot, not main). */
int dg_is_std(const char *func);
/* Index of the first frame (leaf first, from index `from`) whose function starts with one of
 * the NULL-terminated prefixes; -1 when none. */
int dg_find_prefix(const struct dg_stack *st, int from, const char *const *prefixes);
/* Index of the first frame equal to func (interned pointer); -1. */
int dg_find_func(const struct dg_stack *st, const char *func);
/* Index of the first user (non-standard-library) frame at or after `from` towards the root;
 * -1 when none. */
int dg_first_user(const struct dg_stack *st, int from);
/* DG_REQ_* of a stack and the frame index of its innermost handler (the first user frame
 * entered through a ServeHTTP dispatch below the server's entry), or -1. */
int dg_request_of(const struct dg_stack *st, int *handler);
/* 1 when a request stack is waiting in the server's own connection I/O (reading the request
 * body, writing the response): the client's speed, not a cause inside the service. */
int dg_is_client_io(const struct dg_stack *st);
/* The class of a sync-profile stack from its innermost frames (chan, select, lock, other). */
enum dg_class dg_sync_class(const struct dg_stack *st);
const char *dg_class_name(enum dg_class c);
/* Display name of a function: drops a "-fm" method-value suffix. Interned. */
const char *dg_display_func(struct dg_ctx *ctx, const char *func);

/* ---- facts (facts_*.c) ------------------------------------------------------------------ */

/* Each loader takes one input file, fills the facts and sets the input's status/detail.
 * They never fail the whole run: a bad input is marked FAILED with its error. */
void dg_facts_profile(struct dg_ctx *ctx, struct gorca_diag_input *in,
                      const struct gorca_bundle_file *bf);
void dg_facts_trace(struct dg_ctx *ctx, struct gorca_diag_input *in,
                    const struct gorca_bundle_file *bf);
void dg_facts_dump(struct dg_ctx *ctx, struct gorca_diag_input *in,
                   const struct gorca_bundle_file *bf);
/* After all dumps are read: growth between the count dumps (debug=1 mid and end). */
void dg_facts_dump_growth(struct dg_ctx *ctx);

/* ---- attribution (attrib.c) ------------------------------------------------------------- */

/* Annotates every observation (request, handler, client I/O), runs the rules' prepare hooks
 * and claims, and fills ctx->attr, ctx->handlers and the request totals. */
void dg_attribute(struct dg_ctx *ctx);
/* The handler row of a function (NULL: unknown handler), or NULL when absent. */
const struct dg_handler *dg_handler_row(const struct dg_ctx *ctx, const char *func);

/* ---- findings (finding.c) --------------------------------------------------------------- */

struct dg_fb *dg_finding(struct dg_ctx *ctx, enum gorca_cause cause);
void dg_title(struct dg_fb *fb, const char *fmt, ...) GORCA_PRINTF(2, 3);
void dg_explain(struct dg_fb *fb, const char *fmt, ...) GORCA_PRINTF(2, 3);
void dg_evidence(struct dg_fb *fb, const char *source, const char *metric, const char *label,
                 double value, const char *unit);
void dg_location(struct dg_fb *fb, const struct dg_frame *f, const char *role, double weight);
void dg_handler_impact(struct dg_fb *fb, const char *func, const struct dg_frame *f, int64_t ns,
                       double gor, double share);
void dg_advice(struct dg_fb *fb, const char *fmt, ...) GORCA_PRINTF(2, 3);
void dg_window(struct dg_fb *fb, int64_t start, int64_t end, int64_t peak, const char *basis);
/* The window of the trace timeline where signal(bucket) is at least a tenth of its maximum,
 * peaking at the maximum. Nothing when the signal is zero everywhere. */
void dg_window_timeline(struct dg_fb *fb,
                        double (*signal)(const struct dg_ctx *ctx, const struct dg_bucket *b));
/* Sets severity, score, confidence and latency share from the attribution of the finding's
 * cause (dg_attr) with the configured thresholds; severity can then be raised or lowered by
 * the rule with dg_severity_at_least / dg_severity_at_most. */
void dg_rate(struct dg_fb *fb);
void dg_severity_at_least(struct dg_fb *fb, enum gorca_severity s);
void dg_severity_at_most(struct dg_fb *fb, enum gorca_severity s);
void dg_set_score(struct dg_fb *fb, double score, double conf);
struct dg_ctx *dg_fb_ctx(struct dg_fb *fb);
/* Standard evidence and parts shared by the latency-attributed rules: the share and added
 * latency, the affected handlers, the heaviest sites (with role) and the window. */
void dg_common_latency_parts(struct dg_fb *fb, const char *site_role, size_t max_sites);
/* Severity from a share and a mean added latency per affected request. */
enum gorca_severity dg_severity_for(const struct gorca_diag_config *cfg, double share,
                                    double added_ns);
/* Frees the builders not yet finished (error paths). */
void dg_findings_release(struct dg_ctx *ctx);
/* Copies the builders into the public result (sorted by score). */
int dg_findings_finish(struct dg_ctx *ctx, struct gorca_finding **out, size_t *n);

/* ---- small formatting helpers for explanations (finding.c) ------------------------------ */

/* "412 ms", "1.93 s", "87 us": into a ctx-owned string. */
const char *dg_dur(struct dg_ctx *ctx, double ns);
const char *dg_pct(struct dg_ctx *ctx, double share);
/* The source file name recorded for trace / dump / cpu evidence, or "derived". */
const char *dg_src_name(const struct dg_ctx *ctx, enum dg_src src);

#endif
