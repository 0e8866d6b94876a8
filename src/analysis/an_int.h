/* Private header of the trace analyses (src/analysis): the per-goroutine state shared by every
 * analysis, the small containers they use (u64 hash map, log-linear histogram, growable
 * vectors) and the hooks analysis.c calls for each event. Not installed; see
 * include/gorca/analysis.h for the public API. */
#ifndef GORCA_AN_INT_H
#define GORCA_AN_INT_H

#include <stdint.h>
#include <stddef.h>
#include "base/base.h"
#include "gorca/analysis.h"

/* ---- containers (an_util.c) ----------------------------------------------------------- */

/* u64 -> u64 open-addressing hash map (linear probing, backward-shift deletion). */
struct an_map {
    uint64_t *keys, *vals;
    uint8_t *used;
    size_t cap, n; /* cap is a power of two or 0 */
};
/* Inserts or overwrites. Returns 0, or -1 when out of memory (map unchanged). */
int an_map_put(struct an_map *m, uint64_t key, uint64_t val);
/* Pointer to the value, or NULL when absent. Valid until the next put/del. */
uint64_t *an_map_get(const struct an_map *m, uint64_t key);
/* Removes key if present. This function can't fail. */
void an_map_del(struct an_map *m, uint64_t key);
void an_map_release(struct an_map *m);

/* Dense u32 -> u32 table for small keys (stack handles, which the reader numbers 1..count):
 * one array load per lookup. 0 means absent. */
struct an_dense {
    uint32_t *v;
    size_t n;
};
static inline uint32_t an_dense_get(const struct an_dense *d, uint32_t key)
{
    return key < d->n ? d->v[key] : 0;
}
/* Sets key's value, growing the table. Returns 0, or -1 when out of memory. */
int an_dense_set(struct an_dense *d, uint32_t key, uint32_t val);
void an_dense_release(struct an_dense *d);

/* Pointer keys (interned strings, records) hash through their address. */
#define AN_PKEY(p) ((uint64_t)(uintptr_t)(p))

/* Grows *arr to hold need elements (base_grow with int-sized counters). 0 or -1. */
int an_grow(void *arr, size_t *cap, size_t need, size_t elem);

/* Log-linear latency histogram: values below 32 ns exactly, then 32 sub-buckets per power of
 * two; rows are allocated on first use. */
struct an_hist {
    uint32_t *rows[64];
    uint64_t count;
    int64_t sum, max;
};
int an_hist_add(struct an_hist *h, int64_t v); /* 0 or -1 (out of memory) */
void an_hist_merge_latency(const struct an_hist *h, struct gorca_latency *out);
void an_hist_release(struct an_hist *h);

/* Exact percentile (nearest rank) of n sorted values; 0 when n is 0. */
int64_t an_percentile_sorted(const int64_t *v, size_t n, double q);
void an_sort_i64(int64_t *v, size_t n);

/* Time by name with an optional open start (Go's RangeTime + lastRangeTime maps). */
struct an_named {
    const char *name;
    int64_t ns;
    int64_t last; /* start of an open range; 0 when none */
};
/* Finds or adds name. Returns NULL when out of memory. */
struct an_named *an_named_get(struct an_named **v, uint32_t *n, uint32_t *cap, const char *name);

/* ---- per-goroutine state ---------------------------------------------------------------- */

/* go tool trace's per-goroutine summary (golang/go internal/trace/summary.go): the public
 * stats plus the private "last*" fields. */
struct an_gsum {
    int64_t creation, start, end, total;
    int64_t exec, sched, syscall, syscall_block;
    int64_t last_start, last_runnable, last_block, last_syscall, last_syscall_block;
    const char *last_reason;
    struct an_named *blocks; /* owned, base_free */
    uint32_t n_blocks, cap_blocks;
    struct an_named *ranges; /* owned, base_free */
    uint32_t n_ranges, cap_ranges;
    uint8_t present;   /* in Go's summary map */
    uint8_t finalized; /* finalize() ran: the private part is cleared */
};

/* What a goroutine is doing, for our own accounting (requests, timeline, scheduling). */
enum an_cat {
    CAT_NONE = 0,
    CAT_RUNNING,
    CAT_RUNNABLE,
    CAT_WAIT,        /* blocked; wclass says why */
    CAT_SYSCALL,     /* in a syscall, holding its P */
    CAT_SYSCALL_LOST /* in a syscall after its P was taken */
};

/* Goroutine-time by category (our own, exact state durations). */
struct an_acct {
    int64_t exec;
    int64_t wait[GORCA_BLOCK_N];
    int64_t assist;
    uint64_t cpu;
};

/* A blocking-profile interval waiting for the goroutine's first run (see an_blocking.c). */
struct an_pend {
    uint8_t cls, xcls;
    uint32_t stack;
    int64_t from, start, end; /* from: when it really began (see an_g.trk_lead) */
};

struct an_req_state; /* an_requests.c */

struct an_g {
    int64_t id;
    uint8_t state;  /* enum gorca_trace_go_state, as the reader last reported */
    uint8_t cat;    /* enum an_cat */
    uint8_t wclass; /* enum gorca_block_class while CAT_WAIT */
    int8_t tl_slot; /* its timeline counter (an_tl_slot of cat, wclass) */
    uint8_t kind;   /* AN_G_* below */
    uint8_t in_assist, bg_mark, mmu_in_gc;
    uint8_t mmu_state;      /* the goroutine state as the MMU pass has seen it (Go's states map) */
    const char *name;       /* interned; "" until a stack names it (root frame of any stack) */
    const char *sum_name;   /* the name go tool trace gives it (compat rules); rows, groups */
    const char *group_name; /* sum_name when group was looked up */
    long group;             /* index of sum_name's group (valid when group_name == sum_name) */
    uint8_t infra;          /* an_is_infra(name), kept in step with name */
    int64_t since;          /* when cat was entered */
    struct an_acct acct;
    int64_t assist_since; /* open mark-assist range start (our accounting); 0 = none */
    struct an_gsum sum;
    /* blocking profiles: the open interval (Go 1.26 cmd/trace/pprof.go) */
    int8_t trk;          /* class being tracked, -1 = none */
    uint8_t trk_lead;    /* entered by its first status: under way since the trace began */
    uint8_t trk_xcls;    /* its class for the uncounted profiles (stack-inferred when lead) */
    uint8_t unnamed_cls; /* class of unnamed_ns */
    int64_t unnamed_ns;  /* uncounted wait while still unnamed (taken for the runtime's):
                            an application goroutine's once a stack names it */
    uint32_t trk_stack;
    int64_t trk_time;
    struct an_pend *pend; /* owned */
    uint32_t n_pend, cap_pend;
    /* scheduling latency */
    int64_t runnable_since; /* 0 = unknown start (status at trace start) */
    uint8_t runnable_from_net;
    /* chains */
    int64_t block_time;
    uint32_t block_stack;
    const char *block_reason;
    int64_t woken_at;        /* when it was last woken from a wait (0 never) */
    const char *origin_name; /* where that wake-up came from (an_chains.c); NULL none */
    uint32_t origin_stack;
    int64_t sys_p;            /* proc held when the current syscall began (-1 none) */
    uint32_t open_tasks;      /* user tasks begun on it that are still open (an_requests.c) */
    struct an_req_state *req; /* conn.serve / HTTP/2 handler goroutines; owned */
};

enum { AN_G_PLAIN = 0, AN_G_CONN = 1, AN_G_H2 = 2 };

/* ---- the analysis --------------------------------------------------------------------- */

struct an_group {
    struct gorca_trace_group pub;
    struct an_named *blocks, *ranges; /* owned until finish copies them */
    uint32_t n_blocks, cap_blocks, n_ranges, cap_ranges;
    struct an_hist sched_hist;
};

struct an_profile {
    struct an_dense by_stack; /* stack handle -> 1 + index in samples */
    struct gorca_block_sample *samples;
    uint64_t *last_seen; /* per sample: sequence number of its latest wait */
    size_t n_samples, cap_samples, cap_last;
    struct gorca_block_profile pub;
    struct gorca_frame_time *top; /* owned */
};

struct an_proc {
    int64_t id;
    uint8_t state; /* enum gorca_trace_proc_state */
    int64_t since;
    int64_t running_ns, idle_ns;
};

struct an_mmu;
struct an_tl;
struct an_reqs;
struct an_chains;

struct gorca_analysis {
    struct gorca_trace *tr;
    int own_tr;
    struct gorca_analysis_options opt;
    int64_t mmu_default_windows[10];
    struct gorca_analysis_info info;
    struct gorca_error *err; /* the run's error record (borrowed during the run) */
    int nomem;               /* an allocation failed: results are incomplete */

    /* goroutines */
    struct an_map gs;    /* goid -> struct an_g * (live records, owned) */
    int64_t cache_id[2]; /* the last two goroutines looked up (most events touch one or two) */
    struct an_g *cache_g[2];
    struct an_g *free_g;      /* recycled records (linked through req) */
    struct an_dense outbound; /* stack -> 1 + (waits on an outbound call), see an_outbound */
    struct {
        const char *reason;
        int cls;
    } reason_cache[16];
    uint64_t live;
    int64_t dead_running_ns, dead_runnable_ns; /* accounting of goroutines already freed */
    struct gorca_trace_goroutine *rows;        /* finished rows (owned) */
    size_t n_rows, cap_rows;
    struct an_group *groups;
    size_t n_groups, cap_groups;
    struct an_map group_by_name;          /* name pointer -> group index */
    struct gorca_trace_group *groups_pub; /* sorted copy handed out */
    size_t n_groups_pub;
    struct base_arena arena; /* row/group block and range lists, results */

    /* Go summarizer globals */
    int64_t sync_ts, last_ts;
    struct an_map syscalling_p; /* proc -> goid (Go's syscallingP) */
    struct an_map syscalling_g; /* goid -> proc (Go's syscallingG) */
    struct an_map ranges_p;     /* (proc, name index) -> goid (Go's rangesP) */
    struct an_map range_names;  /* range name pointer -> small index */
    uint64_t n_sync;

    /* our own proc tracking */
    struct an_map procs_by_id; /* proc id -> index in procs */
    struct an_proc *procs;
    size_t n_procs, cap_procs;
    struct an_map proc_sys; /* proc -> goid of the goroutine in a syscall on it */
    uint64_t gomaxprocs;
    uint64_t busy_procs;

    /* blocking profiles */
    struct an_profile prof[GORCA_BLOCK_N];
    struct an_profile uncounted[GORCA_BLOCK_N]; /* what prof leaves out (an_blocking.c) */
    uint64_t block_seq;

    /* GC */
    struct gorca_gc_cycle *cycles;
    size_t n_cycles, cap_cycles;
    int64_t open_cycle; /* index of the running cycle, -1 none */
    struct gorca_stw_pause *pauses;
    size_t n_pauses, cap_pauses;
    int stw_open;
    struct gorca_stw_pause stw_cur;
    struct an_map sweep_open; /* proc -> sweep start */
    struct gorca_gc_result gc;
    struct an_mmu *mmu;
    uint64_t assist_count;

    /* scheduling */
    struct an_hist runnable_hist, net_ready_hist;
    struct gorca_sched_result sched;
    struct gorca_proc_share *proc_shares;

    struct an_tl *tl;
    struct an_reqs *reqs;
    struct an_chains *chains;

    /* CPU */
    struct an_map cpu_by_stack; /* stack -> samples */
    struct gorca_cpu_result cpu;
    struct gorca_frame_time *cpu_top;
};

/* Records an allocation failure: results stay usable but the run reports GORCA_E_NOMEM. */
void an_oom(struct gorca_analysis *an);

/* The goroutine record (created on first sight; NULL only when out of memory). */
struct an_g *an_g_get(struct gorca_analysis *an, int64_t id);
struct an_g *an_g_find(struct gorca_analysis *an, int64_t id);
/* The live goroutine record in slot i of an->gs (0 <= i < an->gs.cap), or NULL for a free
 * slot: for loops over every live goroutine. */
static inline struct an_g *an_g_slot(const struct gorca_analysis *an, size_t i)
{
    return an->gs.used[i] ? (struct an_g *)(uintptr_t)an->gs.vals[i] : NULL;
}
/* The group of a name (created on first use); -1 when out of memory. */
long an_group_of(struct gorca_analysis *an, const char *name);
/* 1 for runtime goroutines: go tool trace's IsSystemGoroutine. */
int an_is_system(const char *name);
/* 1 for goroutines of the runtime or of runtime/trace itself (not the application's). */
int an_is_infra(const char *name);
/* The class of a block reason (interned pointer), cached; AN_FOREVER is or'ed in for
 * "forever". This function can't fail. */
#define AN_FOREVER 0x80
int an_reason_class(struct gorca_analysis *an, const char *reason);
/* 1 when a sync-class wait at stack is really a network call in progress on other
 * goroutines: net/http client round trips, DNS lookups (cached per stack). */
int an_outbound(struct gorca_analysis *an, uint32_t stack);
/* The class of a waiting goroutine inferred from a status stack (reasons are not restated). */
enum gorca_block_class an_class_of_stack(const struct gorca_analysis *an, uint32_t stack);

/* ---- per-analysis hooks (one file each) --------------------------------------------------
 * Each *_event hook sees every event in order; *_finish runs once at the end. */

/* an_goroutines.c: Go-compatible summaries. g is the record of a goroutine transition's
 * goroutine (NULL for other events). */
void an_sum_event(struct gorca_analysis *an, const struct gorca_trace_event *ev, struct an_g *g);
void an_sum_finish(struct gorca_analysis *an);
/* Moves a finalized goroutine's summary into its row and group; frees its lists. */
void an_sum_emit(struct gorca_analysis *an, struct an_g *g);
/* Lists of a goroutine's accumulated times by class from its Go summary. */
void an_sum_classes(const struct an_gsum *s, int64_t out[GORCA_BLOCK_N]);

/* an_blocking.c: blocking profiles (Go 1.26 cmd/trace semantics), shares, top frames */
void an_block_transition(struct gorca_analysis *an, struct an_g *g,
                         const struct gorca_trace_event *ev);
void an_block_first_run(struct gorca_analysis *an, struct an_g *g);
void an_block_goroutine_done(struct gorca_analysis *an, struct an_g *g, int64_t end);
void an_block_finish(struct gorca_analysis *an);
/* g was just named: uncounted waits it had before become the application's if it is one. */
void an_block_named(struct gorca_analysis *an, struct an_g *g);
void an_block_release(struct gorca_analysis *an);
/* Top functions of a stack->value table (used for blocking and CPU). */
struct gorca_frame_time *an_top_frames(struct gorca_analysis *an, const uint32_t *stacks,
                                       const int64_t *values, const uint64_t *counts, size_t n,
                                       size_t *n_out);

/* an_gc.c: GC cycles, STW pauses, assists, periodicity; an_mmu.c: MMU */
void an_gc_event(struct gorca_analysis *an, const struct gorca_trace_event *ev);
void an_gc_finish(struct gorca_analysis *an);
void an_gc_release(struct gorca_analysis *an);
struct an_mmu *an_mmu_new(const struct gorca_analysis_options *opt);
/* Every event but goroutine transitions, which go to an_mmu_transition with their record. */
void an_mmu_event(struct gorca_analysis *an, struct an_mmu *m, const struct gorca_trace_event *ev);
void an_mmu_transition(struct gorca_analysis *an, struct an_mmu *m,
                       const struct gorca_trace_event *ev, struct an_g *g);
/* Fills an->gc.mmu / n_mmu. */
void an_mmu_finish(struct gorca_analysis *an, struct an_mmu *m);
void an_mmu_free(struct an_mmu *m);

/* an_timeline.c: timeline buckets and time-weighted scheduling shares */
struct an_tl *an_tl_new(const struct gorca_analysis_options *opt);
/* Integrates the current counts up to t (the hooks below call it before changing them; the
 * first call sets the timeline's start). */
void an_tl_advance(struct gorca_analysis *an, struct an_tl *tl, int64_t t);
/* The timeline counter of a category (and wait class); -1 for none. This function can't
 * fail. */
int an_tl_slot(int cat, int cls);
/* A goroutine moves between timeline counters (an_tl_slot values) at t. */
void an_tl_move(struct gorca_analysis *an, struct an_tl *tl, int64_t t, int from, int to);
/* A goroutine first seen at t in wait counter slot has been there since the timeline began
 * (other counters are left as they are). */
void an_tl_lead(struct gorca_analysis *an, struct an_tl *tl, int64_t t, int slot);
void an_tl_event(struct gorca_analysis *an, struct an_tl *tl, const struct gorca_trace_event *ev);
void an_tl_cpu(struct gorca_analysis *an, struct an_tl *tl, int64_t t);
/* A goroutine entered (+1) or left (-1) a mark assist at t. */
void an_tl_assist(struct gorca_analysis *an, struct an_tl *tl, int64_t t, int delta);
void an_tl_finish(struct gorca_analysis *an, struct an_tl *tl);
void an_tl_free(struct an_tl *tl);
const struct gorca_timeline *an_tl_result(const struct an_tl *tl);

/* an_requests.c: HTTP requests and user tasks */
struct an_reqs *an_reqs_new(const struct gorca_analysis_options *opt);
void an_reqs_named(struct gorca_analysis *an, struct an_g *g); /* the goroutine got its name */
void an_reqs_event(struct gorca_analysis *an, const struct gorca_trace_event *ev, struct an_g *g);
void an_reqs_goroutine_done(struct gorca_analysis *an, struct an_g *g, int64_t t);
void an_reqs_finish(struct gorca_analysis *an);
void an_reqs_free(struct an_reqs *r);
void an_reqs_g_free(struct an_g *g);
const struct gorca_requests_result *an_reqs_result(const struct an_reqs *r);

/* an_chains.c: waker -> waiter edges */
struct an_chains *an_chains_new(void);
void an_chains_unblock(struct gorca_analysis *an, struct an_g *waiter,
                       const struct gorca_trace_event *ev);
void an_chains_create(struct gorca_analysis *an, struct an_g *child,
                      const struct gorca_trace_event *ev);
void an_chains_finish(struct gorca_analysis *an);
void an_chains_free(struct an_chains *c);
const struct gorca_chains_result *an_chains_result(const struct an_chains *c);
const struct gorca_chains_result *an_chains_origins(const struct an_chains *c);

/* Snapshot of a goroutine's accounting at time t (pending interval included). */
void an_acct_now(const struct an_g *g, int64_t t, struct an_acct *out);

#endif
