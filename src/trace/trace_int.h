/* Private header of the Go execution-trace reader (src/trace): event specs, the byte source,
 * generation assembly (batches, string/stack tables, CPU samples, clock), interning of stacks
 * and names, the ordering state machine and the reader object behind include/gorca/trace.h.
 * Wire format and ordering rules: ../shared/docs/go-trace-format.md §1-§7. */
#ifndef GORCA_TRACE_INT_H
#define GORCA_TRACE_INT_H

#include <stdint.h>
#include <stddef.h>
#include "gorca/trace.h"
#include "base/base.h"

/* ---- wire constants --------------------------------------------------------------------- */

enum {
    TR_EV_NONE = 0,
    TR_EV_EVENT_BATCH = 1,
    TR_EV_STACKS = 2,
    TR_EV_STACK = 3,
    TR_EV_STRINGS = 4,
    TR_EV_STRING = 5,
    TR_EV_CPU_SAMPLES = 6,
    TR_EV_CPU_SAMPLE = 7,
    TR_EV_FREQUENCY = 8,
    TR_EV_EXPERIMENTAL_BATCH = 49,
    TR_EV_SYNC_BATCH = 50,
    TR_EV_CLOCK_SNAPSHOT = 51,
    TR_EV_END_OF_GENERATION = 52,
    TR_EV_EXP_FIRST = 128,
    TR_EV_EXP_LAST = 136,
    TR_N_SPECS = 137, /* types >= this are invalid */
    TR_EV_SYNC = 255  /* the reader's Sync event */
};

#define TR_MAX_BATCH_SIZE (64u << 10)
#define TR_MAX_FRAMES 128
#define TR_MAX_STRING 1024
#define TR_NONE_ID UINT64_MAX /* -1 on the wire: no thread / proc */

/* Wire goroutine and proc statuses. */
enum { TR_GO_BAD = 0, TR_GO_RUNNABLE, TR_GO_RUNNING, TR_GO_SYSCALL, TR_GO_WAITING };
enum { TR_P_BAD = 0, TR_P_RUNNING, TR_P_IDLE, TR_P_SYSCALL, TR_P_SYSCALL_ABANDONED };

/* One entry of the event table (go-trace-format.md §3). */
struct tr_spec {
    const char *name;         /* NULL for unused type numbers */
    uint8_t nargs;            /* arguments after the type byte, dt included for timed events */
    uint8_t timed;            /* first argument is a timestamp delta */
    uint8_t kind;             /* enum gorca_trace_kind */
    uint8_t start_ev;         /* for End/Active events: the Begin type; else 0 */
    int8_t stack_arg;         /* args[] index (after dt) of Go's Event.Stack; -1 none */
    uint8_t stack_mask;       /* bit i: args[i] is a stack id */
    uint8_t string_mask;      /* bit i: args[i] is a string id */
    const char *arg_names[5]; /* the text format's names, dt included */
};
extern const struct tr_spec *const tr_specs; /* TR_N_SPECS entries (spec_table.h) */

/* Forced inlining for the per-event hot path (one merge loop without call overhead). */
#if defined(__GNUC__) || defined(__clang__)
#define TR_HOT static inline __attribute__((always_inline))
#define TR_OUTLINE static __attribute__((noinline)) /* keeps a rare path out of a hot frame */
#else
#define TR_HOT static inline
#define TR_OUTLINE static
#endif

/* Unsigned LEB128 from [*pp, end), with Go's encoding/binary.Uvarint rules: 0 = ok (value in
 * *v, *pp advanced), -1 = the input ends inside the varint, -2 = overflow (an 11th byte, or a
 * 10th byte above 1). */
static inline int tr_uvarint(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
    const uint8_t *p = *pp;
    uint64_t x = 0;
    unsigned s = 0, i;

    if (p < end && *p < 0x80) {
        *v = *p;
        *pp = p + 1;
        return 0;
    }
    for (i = 0; p + i < end; i++) {
        uint8_t b = p[i];

        if (i == 10)
            return -2;
        if (b < 0x80) {
            if (i == 9 && b > 1)
                return -2;
            *v = x | (uint64_t)b << s;
            *pp = p + i + 1;
            return 0;
        }
        x |= (uint64_t)(b & 0x7f) << s;
        s += 7;
    }
    return -1;
}

/* tr_uvarint without bounds checks, for callers that made sure 10 bytes are readable. */
static inline int tr_uvarint_u(const uint8_t **pp, uint64_t *v)
{
    const uint8_t *p = *pp;
    uint64_t x;
    unsigned i;

    if (p[0] < 0x80) {
        *v = p[0];
        *pp = p + 1;
        return 0;
    }
    if (p[1] < 0x80) {
        *v = (uint64_t)(p[0] & 0x7f) | (uint64_t)p[1] << 7;
        *pp = p + 2;
        return 0;
    }
    x = (uint64_t)(p[0] & 0x7f) | (uint64_t)(p[1] & 0x7f) << 7;
    for (i = 2; i < 10; i++) {
        uint8_t b = p[i];

        if (b < 0x80) {
            if (i == 9 && b > 1)
                return -2;
            *v = x | (uint64_t)b << (7 * i);
            *pp = p + i + 1;
            return 0;
        }
        x |= (uint64_t)(b & 0x7f) << (7 * i);
    }
    return -2;
}

/* Go's float64 -> int64 conversion as amd64 does it: out of range and NaN give INT64_MIN. */
static inline int64_t tr_d2i(double d)
{
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
        return INT64_MIN;
    return (int64_t)d;
}

/* Ticks to nanoseconds with Go's reader's arithmetic: Time(float64(t) * nsPerTick). */
static inline int64_t tr_mul(double k, uint64_t t)
{
    return tr_d2i((double)t * k);
}

/* later - earlier for event times (later >= earlier), saturating instead of overflowing on the
 * absurd times a corrupt trace can produce. */
static inline int64_t tr_span(int64_t later, int64_t earlier)
{
    uint64_t d = (uint64_t)later - (uint64_t)earlier;

    return later < earlier ? 0 : d > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)d;
}

/* Go's wrapping int64 addition. */
static inline int64_t tr_add(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a + (uint64_t)b);
}

/* ---- small open-addressing map u64 -> u32 (src/trace/map.c) ----------------------------- */

struct tr_map_ent {
    uint64_t key;
    uint32_t val;
    uint32_t used;
};

struct tr_map {
    struct tr_map_ent *ents;
    size_t cap; /* power of two, 0 when empty */
    size_t len;
    unsigned shift;  /* 64 - log2(cap) */
    unsigned sparse; /* set after init: load kept <= 1/4, not 3/4, while the map is small
                        (fewer probe collisions on the per-event path; map.c) */
};
void tr_map_init(struct tr_map *m);
void tr_map_release(struct tr_map *m);
void tr_map_clear(struct tr_map *m); /* keeps the storage */
/* Sets key to val. Returns 0, or -1 when out of memory (map unchanged). */
int tr_map_put(struct tr_map *m, uint64_t key, uint32_t val);
/* Removes key if present. This function can't fail. */
void tr_map_del(struct tr_map *m, uint64_t key);

/* Fibonacci hashing: the top bits of key * 2^64/phi. */
static inline size_t tr_map_slot(const struct tr_map *m, uint64_t key)
{
    return (size_t)((key * 0x9e3779b97f4a7c15ull) >> m->shift);
}

/* Pointer to the value for key, or NULL. */
TR_HOT uint32_t *tr_map_get(const struct tr_map *m, uint64_t key)
{
    size_t i;

    if (m->len == 0)
        return NULL;
    for (i = tr_map_slot(m, key);; i = (i + 1) & (m->cap - 1)) {
        struct tr_map_ent *e = &m->ents[i];

        if (!e->used)
            return NULL;
        if (e->key == key)
            return &e->val;
    }
}

/* ---- byte source (src/trace/source.c) ------------------------------------------------- */

enum tr_src_kind { TR_SRC_MEM, TR_SRC_MMAP, TR_SRC_STREAM };

struct tr_src {
    enum tr_src_kind kind;
    const uint8_t *data; /* MEM/MMAP: whole input; STREAM: buffer holding [base, base+len) */
    size_t len;
    uint64_t base;     /* absolute offset of data[0] (STREAM), 0 otherwise */
    uint64_t size;     /* input size when known (MEM/MMAP), else 0 */
    uint8_t *buf;      /* STREAM: owned, base_free */
    size_t cap;        /* STREAM: bytes allocated */
    int fd;            /* STREAM/MMAP: owned file descriptor, -1 if none */
    int eof;           /* STREAM: read() returned 0 */
    uint64_t released; /* MMAP: pages before this offset were dropped */
    void *map;         /* MMAP: mapping start (owned, munmap) */
    size_t map_len;
    uint8_t *owned; /* MEM: inflated gzip input (owned, free()) */
};

/* Makes bytes [off, off+n) available and returns a pointer to them; returns NULL when the
 * input ends first (*avail = bytes available from off) or on a read error (err set, *avail
 * = 0 and returns NULL with err->code != OK). Pointers stay valid until tr_src_release or the
 * next tr_src_get that has to grow a stream buffer. */
const uint8_t *tr_src_get(struct tr_src *s, uint64_t off, size_t n, size_t *avail,
                          struct gorca_error *err);
/* Bytes before off are no longer needed (dropped from memory where possible). */
void tr_src_release(struct tr_src *s, uint64_t off);
void tr_src_close(struct tr_src *s);
enum gorca_status tr_src_open_file(struct tr_src *s, const char *path, uint64_t max_mem,
                                   struct gorca_error *err);
void tr_src_open_mem(struct tr_src *s, const uint8_t *data, size_t len);

/* ---- interning: names, frames, stacks; live as long as the reader (intern.c) --------- */

struct tr_intern {
    struct base_arena arena; /* interned strings (NUL-terminated) */
    struct tr_str_ent {
        uint64_t hash;
        const char *s;
        uint32_t len;
    } * strs; /* open-addressing set */
    size_t strs_cap, strs_len;
    struct gorca_trace_frame *frames; /* [0] unused; handle = index */
    size_t n_frames, frames_cap;
    struct tr_map frame_idx; /* hash(frame) -> first handle with that hash (chained) */
    uint32_t *frame_next;    /* collision chain per frame handle */
    uint32_t *pool;          /* frame handles of all stacks, back to back */
    size_t pool_len, pool_cap;
    struct tr_stack_ent {
        uint32_t start, n;
    } * stacks; /* [0] = empty stack; handle = index */
    size_t n_stacks, stacks_cap;
    struct tr_map stack_idx; /* hash(frames) -> first handle (chained) */
    uint32_t *stack_next;
    uint64_t max_bytes;
    int limit_hit; /* the last failure was the arena limit, not malloc */
};

void tr_intern_init(struct tr_intern *in, uint64_t max_bytes);
void tr_intern_release(struct tr_intern *in);
/* Interned copy of s[0..n), or NULL when out of memory / over the limit (limit_hit set). */
const char *tr_intern_str(struct tr_intern *in, const char *s, size_t n);
/* Frame handle for (pc, func, file, line) with interned func/file; 0 on failure. */
uint32_t tr_intern_frame(struct tr_intern *in, uint64_t pc, const char *func, const char *file,
                         uint64_t line);
/* Stack handle for a frame-handle sequence; n = 0 gives the empty stack (handle 0 is "no
 * stack", so empty stacks get a handle of their own). Returns 0 on failure. */
uint32_t tr_intern_stack(struct tr_intern *in, const uint32_t *frames, size_t n);

/* ---- one generation (generation.c) ---------------------------------------------------- */

struct tr_batch {
    uint64_t off;     /* absolute offset of the payload */
    uint64_t hdr_off; /* absolute offset of the batch's first byte */
    uint64_t m;       /* writer thread */
    uint64_t time;    /* base timestamp (ticks) */
    uint32_t len;     /* payload bytes */
    uint32_t next;    /* next batch of the same M, UINT32_MAX = none */
    uint8_t exp;      /* experiment of an ExperimentalBatch, 0 otherwise */
};

struct tr_gen_m {
    uint64_t m;
    uint32_t first, last; /* batch indices */
    uint32_t n_batches;
};

struct tr_str {
    const char *s; /* per-generation copy, NUL-terminated (arena) */
    uint32_t len;
    const char *interned; /* lazily interned, NULL until needed */
};

struct tr_sample {
    int64_t time; /* ns */
    uint64_t m, p, g, stack;
};

/* Dense-or-sparse id -> index table, as Go's reader does for strings and stacks. */
struct tr_idtab {
    uint32_t *dense;  /* index+1 per id, 0 = absent */
    size_t dense_len; /* ids in dense; 0 unless is_dense */
    size_t dense_cap; /* allocated entries */
    struct tr_map sparse;
    int is_dense;
};

struct tr_gen {
    uint64_t gen;            /* generation number, 0 = none loaded */
    struct base_arena arena; /* per-generation data, reset for each generation */
    struct tr_batch *batches;
    size_t n_batches, batches_cap;
    struct tr_gen_m *ms; /* writers in order of first appearance */
    size_t n_ms, ms_cap;
    struct tr_map m_idx; /* m -> index into ms */
    uint64_t min_ts;     /* smallest batch time */
    double freq_k;       /* ns per tick (Go's frequency type) */
    uint64_t k_int;      /* freq_k when it is a small integer (64 on Linux), else 0 */
    uint64_t k_lim;      /* ticks below which k_int * t is exact in a double */
    uint64_t freq;       /* ticks per second, 0 = not seen */
    int has_clock;
    uint64_t clock_ts, clock_mono, clock_sec, clock_nsec;
    size_t n_exp_batches;
    /* strings */
    struct {
        uint64_t id;
        struct tr_str str;
    } * strs;
    size_t n_strs, strs_cap;
    struct tr_idtab str_tab;
    /* stacks: raw frames until resolved */
    struct tr_raw_stack {
        uint64_t id;
        uint64_t off; /* absolute offset (errors) */
        uint32_t first_frame, n;
        uint32_t handle; /* global stack handle after resolving */
    } * stks;
    size_t n_stks, stks_cap;
    struct tr_raw_frame {
        uint64_t pc, func, file, line;
    } * frames;
    size_t n_frames, frames_cap;
    struct tr_idtab stk_tab;
    struct tr_map pc_map; /* pc -> frame handle, first seen wins */
    uint32_t *scratch;    /* frame handles while interning one stack */
    struct tr_sample *samples;
    size_t n_samples, samples_cap;
    uint64_t start_off, end_off; /* bytes of the generation in the input */
};

struct gorca_trace;
/* Reads the next generation into tr->gen. Returns GORCA_OK with tr->gen.gen = 0 at the clean
 * end of the input; errors are recorded in tr->err. A problem found after the generation was
 * known to be complete is parked in tr->pending and reported after its events. */
enum gorca_status tr_read_generation(struct gorca_trace *tr);
void tr_gen_init(struct tr_gen *g);
void tr_gen_reset(struct tr_gen *g);
void tr_gen_release(struct tr_gen *g);
extern struct tr_str tr_empty_str;

/* Ticks to ns for the generation, bit-identical to tr_mul(freq_k, t) but with an integer
 * multiply whenever the product is exact in a double anyway. */
TR_HOT int64_t gen_mul(const struct tr_gen *g, uint64_t t)
{
    if (t < g->k_lim)
        return (int64_t)(t * g->k_int);
    return tr_mul(g->freq_k, t);
}

TR_HOT uint32_t tr_idtab_get(const struct tr_idtab *t, uint64_t id)
{
    if (id < t->dense_len)
        return t->dense[id];
    if (t->is_dense)
        return 0;
    {
        uint32_t *v = tr_map_get(&t->sparse, id);

        return v ? *v : 0;
    }
}

/* String of the loaded generation, NULL when unknown (id 0 is the empty string). */
TR_HOT struct tr_str *tr_gen_string(struct tr_gen *g, uint64_t id)
{
    uint32_t ix;

    if (id == 0)
        return &tr_empty_str;
    ix = tr_idtab_get(&g->str_tab, id);
    return ix ? &g->strs[ix - 1].str : NULL;
}

/* Stack handle of a stack id of the loaded generation (its table holds handle + 1 once the
 * stacks are resolved: generation.c); 0 when the id is unknown (id 0 gives handle 0 and 1). */
TR_HOT int tr_gen_stack(const struct tr_gen *g, uint64_t id, uint32_t *handle)
{
    uint32_t h1;

    if (id < g->stk_tab.dense_len) /* dense_len is 0 unless the table is dense */
        h1 = g->stk_tab.dense[id];
    else if (g->stk_tab.is_dense)
        h1 = 0;
    else
        h1 = id == 0 ? 1 : tr_idtab_get(&g->stk_tab, id);
    if (h1 == 0)
        return 0;
    *handle = h1 - 1;
    return 1;
}

/* Batch header reading, shared with the probe. */
struct tr_batch_hdr {
    uint8_t type; /* TR_EV_EVENT_BATCH, TR_EV_EXPERIMENTAL_BATCH or TR_EV_END_OF_GENERATION */
    uint8_t exp;
    uint64_t gen, m, time, size;
    uint64_t off;     /* first byte of the item */
    uint64_t pay_off; /* first payload byte */
    int hdr_ok;       /* the header was read completely (even if the payload is cut) */
};
/* 1 = header read, 0 = clean end of input at off, -1 = error (err set; code TRUNCATED when
 * the input ends inside the header or payload). On a truncated payload the header fields are
 * still filled in. */
int tr_read_batch_hdr(struct tr_src *s, uint64_t off, struct tr_batch_hdr *h,
                      struct gorca_error *err);

/* ---- ordering (order.c) --------------------------------------------------------------- */

/* An event inside the reader: a decoded wire event or a synthetic one. The public event is
 * embedded so that delivery fills in the kind-specific part in place and hands out &ev->e.
 * e.type, e.synthetic, e.time, e.m/p/g (context before the event), e.args and e.offset are
 * set while decoding and ordering; kind, stack, gen and the union at delivery. */
struct tr_ev {
    struct gorca_trace_event e;
    uint64_t extra[2]; /* old state (ProcStatus, ProcSteal, GoStatus), task parent, Sync */
    const char *name;  /* resolved string carried from elsewhere (TaskEnd type, STWEnd kind) */
};

struct tr_range_ent {
    uint8_t type;     /* Begin event type */
    const char *desc; /* interned STW kind; NULL for others */
};

struct tr_region_ent {
    uint64_t task;
    const char *name; /* interned */
};

struct tr_gstate {
    uint64_t id;
    uint8_t status;
    uint8_t n_ranges, cap_ranges;
    uint64_t seq_gen, seq;
    struct tr_range_ent *ranges; /* owned (base_malloc), NULL when none */
    struct tr_region_ent *regions;
    uint32_t n_regions, cap_regions;
    uint64_t pad_; /* 64 bytes: an index becomes an offset by a shift */
};

struct tr_pstate {
    uint64_t id;
    uint8_t status;
    uint8_t n_ranges, cap_ranges;
    uint64_t seq_gen, seq;
    struct tr_range_ent *ranges;
};

struct tr_mstate {
    int64_t g, p;
};

struct tr_task {
    uint64_t parent;
    const char *name; /* interned */
};

/* Goroutine ids are handed out nearly in sequence and few are alive at once, so most live
 * goroutines sit in a direct-mapped table indexed by the id's low bits; the hash map holds
 * those whose slot was taken. A live goroutine is in exactly one of the two. */
#define TR_G_DIRECT 4096

struct tr_order {
    uint64_t initial_gen;
    struct tr_gstate *gs; /* pool; free slots chained through .id */
    size_t n_gs, cap_gs;
    uint32_t free_g; /* head of free list, UINT32_MAX none */
    struct tr_gslot {
        uint64_t id; /* the goroutine in the slot; when empty, an id of another slot, so
                        that a lookup needs one comparison (tr_order_init) */
        uint32_t ix; /* index into gs */
    } g_direct[TR_G_DIRECT];
    struct tr_map g_idx; /* the other live goroutines: id -> index into gs */
    struct tr_pstate *ps;
    size_t n_ps, cap_ps;
    struct tr_map p_idx;
    struct tr_mstate *ms;
    size_t n_ms, cap_ms;
    struct tr_map m_idx;
    struct tr_task *tasks;
    size_t n_tasks, cap_tasks;
    uint32_t free_task;
    struct tr_map task_idx;
    uint64_t gc_seq;
    int gc_state; /* 0 undetermined, 1 not running, 2 running */
};

void tr_order_init(struct tr_order *o);
void tr_order_release(struct tr_order *o);

/* ---- the reader ------------------------------------------------------------------------- */

/* Each thread's events are decoded ahead of the merge (cursor_fill in order.c) into one of
 * two banks of event slots, so the ordering loop moves to the next slot instead of decoding
 * varints. A fill writes the bank not holding the head event, whose slot so stays intact
 * while it may wait in the output queue. */
#define TR_BANK_MAX 16 /* slots per bank (fewer, down to 1, for threads writing few bytes) */

struct tr_cursor {
    uint64_t m;
    struct tr_ev *bank[2]; /* bcap slots each */
    uint32_t bcap;
    uint32_t cur;                   /* the bank holding the head event */
    uint32_t ahead;                 /* events decoded into the slots after ev, not yet the head */
    uint32_t batch;                 /* current batch index, UINT32_MAX when done */
    const uint8_t *start, *p, *end; /* p: after the last decoded event */
    uint64_t pay_off;               /* absolute offset of start */
    int64_t last_ts;                /* time of the last decoded event */
    int64_t t;                      /* time of the head event (heap key) */
    long mi;                        /* index of the thread's ordering state, -1 = not looked up */
    struct tr_ev *ev;               /* head event, in bank[cur] */
};

#define TR_QUEUE_CAP 8

struct gorca_trace {
    struct tr_src src;
    char *name; /* owned copy of the input name */
    int version;
    struct gorca_trace_options opt;
    struct gorca_error err;
    enum gorca_status status;
    int done; /* clean end delivered */

    /* framing */
    uint64_t pos;   /* next unread byte */
    int input_done; /* no more generations in the input */
    int has_spill;  /* <1.26: first batch of the next generation already read */
    struct tr_batch_hdr spill;
    int has_pending; /* an error to report once the current generation is delivered */
    struct gorca_error pending;

    /* current generation and merge */
    struct tr_gen gen;
    int gen_active;
    uint64_t gens_read;
    uint64_t first_gen;
    uint64_t peak_gen_bytes;
    struct tr_cursor *cursors;
    size_t cursors_cap;
    struct tr_ev *ring; /* the cursors' event banks, back to back */
    size_t ring_cap;
    uint8_t fast_nargs[256]; /* per wire type: nargs of a timed type, 0 = not decoded ahead */
    /* Merge heap. t and ev mirror c->t and c->ev (set wherever the cursor moves on), so
     * comparisons and the fast lane's dispatch need no pointer chase through the cursor. */
    struct tr_heap_ent {
        int64_t t;
        struct tr_cursor *c;
        struct tr_ev *ev;
    } * heap;
    size_t heap_len, heap_cap; /* heap[heap_len] and [heap_len + 1] are sentinels: t = max */
    size_t sample_pos;
    int64_t next_sample_t; /* time of samples[sample_pos], INT64_MAX when none is left */
    uint64_t gen_budget;   /* events the generation may still deliver (limits.events) */

    struct tr_order order;
    struct tr_intern intern;

    /* output */
    struct tr_ev *queue[TR_QUEUE_CAP]; /* events to deliver, in order */
    struct tr_ev qstore[TR_QUEUE_CAP]; /* storage for queued copies */
    unsigned q_head, q_len;
    int64_t last_ts;
    uint64_t syncs;
    int final_sync;       /* SYNC_AT_START: the closing Sync was queued */
    char range_name[128]; /* formatted STW range name before interning */
};

/* Queues a copy of an ordered event for delivery. */
void tr_queue_push(struct gorca_trace *tr, const struct tr_ev *ev);
/* Queues ev itself (a cursor's head event, which stays intact until delivered). */
static inline void tr_queue_push_ref(struct gorca_trace *tr, struct tr_ev *ev)
{
    tr->queue[(tr->q_head + tr->q_len) % TR_QUEUE_CAP] = ev;
    tr->q_len++;
}
/* Records a located error on the reader (first error wins); returns -1 for convenience. */
int tr_fail_at(struct gorca_trace *tr, int line, enum gorca_status code, uint64_t off,
               const char *fmt, ...) GORCA_PRINTF(5, 6);
#define tr_fail(tr, code, off, ...) tr_fail_at((tr), __LINE__, (code), (off), __VA_ARGS__)
/* Records why interning failed: the arena limit (GORCA_E_LIMIT) or malloc (GORCA_E_NOMEM). */
int tr_intern_fail(struct gorca_trace *tr, uint64_t off);

/* ---- whole-trace statistics (stats.c) --------------------------------------------------- */

/* The state of gorca_trace_stats_collect while events stream by. The per-event part is inline
 * (tr_stats_event) so that the ordering loop can run it without a call; the rest is in
 * stats.c. */
struct tr_stats_acc {
    struct gorca_trace_stats *st;
    struct tr_map threads;  /* distinct thread ids */
    struct tr_map stw_open; /* g -> index into stw_start */
    int64_t *stw_start;
    size_t stw_cap, stw_len;
    int64_t last_time;
    int64_t last_m;      /* the previous event's thread (already counted) */
    uint64_t seen_m[64]; /* direct-mapped cache of counted thread ids; ~0 = empty */
};

/* Event types that need the statistics' closer look (a function, so that a caller that knows
 * the type folds it). */
TR_HOT int tr_stats_rare_type(unsigned type)
{
    switch (type) {
    case TR_EV_SYNC:
    case GORCA_TRACE_EV_PROC_STATUS:
    case GORCA_TRACE_EV_GO_STATUS:
    case GORCA_TRACE_EV_GO_STATUS_STACK:
    case GORCA_TRACE_EV_PROCS_CHANGE:
    case GORCA_TRACE_EV_STW_BEGIN:
    case GORCA_TRACE_EV_STW_END:
        return 1;
    default:
        return 0;
    }
}

/* The closer look: a thread id not in the cache, or a rare type. 0, or -1 out of memory. */
int tr_stats_thread(struct tr_stats_acc *a, int64_t m);
int tr_stats_rare(struct tr_stats_acc *a, const struct gorca_trace_event *ev);

/* Accounts one delivered event (the caller takes the first one's time). 0, or -1 out of
 * memory. */
TR_HOT int tr_stats_event(struct tr_stats_acc *a, const struct gorca_trace_event *ev)
{
    struct gorca_trace_stats *st = a->st;

    /* Per-type counts carry most statistics (kinds and goroutine creation/exit are derived
     * from them at the end); only a few event types need a closer look. */
    st->by_type[ev->type]++;
    /* Threads: consecutive events mostly share one; a small direct-mapped cache of ids
     * already in the set keeps the map lookup off the common path otherwise. */
    if (ev->m != a->last_m) {
        a->last_m = ev->m;
        if (ev->m != GORCA_TRACE_NONE &&
            a->seen_m[((uint64_t)ev->m * 0x9e3779b97f4a7c15ull) >> 58] != (uint64_t)ev->m &&
            tr_stats_thread(a, ev->m) != 0)
            return -1;
    }
    if (!tr_stats_rare_type(ev->type)) {
        a->last_time = ev->time;
        return 0;
    }
    return tr_stats_rare(a, ev);
}

/* Runs every remaining event of tr through tr_stats_event (order.c). Returns the reader's
 * status, or GORCA_E_NOMEM (err set) when the statistics ran out of memory. */
enum gorca_status tr_stats_drive(struct gorca_trace *tr, struct tr_stats_acc *a,
                                 struct gorca_error *err);

/* ---- text form of the wire format, for tests (text.c) ---------------------------------- */

/* Converts Go's text form of a trace (go-trace-format.md §11.2, the `-- trace --` part of a
 * .test file) into binary. On success *out (owned, free()) holds the trace. */
enum gorca_status tr_text_to_binary(const char *text, size_t len, uint8_t **out, size_t *out_len,
                                    struct gorca_error *err);

/* Go-quoted string (as in fuzz corpus files and the text form) to bytes. Returns the number of
 * bytes written to out (at most len(q)) or -1 on a malformed literal; q points at the opening
 * quote, *end receives the position after the closing quote. */
long tr_go_unquote(const char *q, size_t qlen, uint8_t *out, size_t *consumed);

#endif
