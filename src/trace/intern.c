/* Reader-lifetime interning of names, frames and stacks. Strings (function and file names,
 * block reasons, labels, task/region types, log categories) are copied once, NUL-terminated,
 * and deduplicated so equal contents have equal pointers; frames and stacks get dense stable
 * handles across generations, so consumers can key on them without hashing frames. */
#include "trace_int.h"

void tr_intern_init(struct tr_intern *in, uint64_t max_bytes)
{
    memset(in, 0, sizeof(*in));
    base_arena_init(&in->arena, max_bytes);
    in->max_bytes = max_bytes;
    tr_map_init(&in->frame_idx);
    tr_map_init(&in->stack_idx);
}

void tr_intern_release(struct tr_intern *in)
{
    base_arena_release(&in->arena);
    base_free(in->strs);
    base_free(in->frames);
    base_free(in->frame_next);
    base_free(in->pool);
    base_free(in->stacks);
    base_free(in->stack_next);
    tr_map_release(&in->frame_idx);
    tr_map_release(&in->stack_idx);
    memset(in, 0, sizeof(*in));
}

static int strs_grow(struct tr_intern *in)
{
    size_t ncap = in->strs_cap ? in->strs_cap * 2 : 256, i;
    struct tr_str_ent *n = base_calloc(ncap, sizeof(*n));

    if (n == NULL)
        return -1;
    for (i = 0; i < in->strs_cap; i++) {
        size_t j;

        if (in->strs[i].s == NULL)
            continue;
        for (j = in->strs[i].hash & (ncap - 1); n[j].s; j = (j + 1) & (ncap - 1))
            ;
        n[j] = in->strs[i];
    }
    base_free(in->strs);
    in->strs = n;
    in->strs_cap = ncap;
    return 0;
}

const char *tr_intern_str(struct tr_intern *in, const char *s, size_t n)
{
    uint64_t h = base_hash_bytes(s, n, 0x5bd1e995u);
    size_t i;
    char *copy;

    if ((in->strs_len + 1) * 2 > in->strs_cap && strs_grow(in) != 0)
        return NULL;
    for (i = h & (in->strs_cap - 1); in->strs[i].s; i = (i + 1) & (in->strs_cap - 1)) {
        if (in->strs[i].hash == h && in->strs[i].len == n && memcmp(in->strs[i].s, s, n) == 0)
            return in->strs[i].s;
    }
    copy = base_arena_strndup(&in->arena, s, n);
    if (copy == NULL) {
        in->limit_hit = in->arena.max_bytes != 0 &&
                        in->arena.total + ((n + 16) & ~(size_t)15) + 64 > in->arena.max_bytes;
        return NULL;
    }
    in->strs[i].hash = h;
    in->strs[i].s = copy;
    in->strs[i].len = (uint32_t)n;
    in->strs_len++;
    return copy;
}

static uint64_t frame_hash(uint64_t pc, const char *func, const char *file, uint64_t line)
{
    uint64_t h = base_hash_u64(pc);

    h = base_hash_u64(h ^ (uint64_t)(uintptr_t)func);
    h = base_hash_u64(h ^ (uint64_t)(uintptr_t)file);
    return base_hash_u64(h ^ line);
}

uint32_t tr_intern_frame(struct tr_intern *in, uint64_t pc, const char *func, const char *file,
                         uint64_t line)
{
    uint64_t h = frame_hash(pc, func, file, line);
    uint32_t *head = tr_map_get(&in->frame_idx, h), id;
    struct gorca_trace_frame *f;

    for (id = head ? *head : 0; id != 0; id = in->frame_next[id]) {
        f = &in->frames[id];
        if (f->pc == pc && f->func == func && f->file == file && f->line == line)
            return id;
    }
    if (in->n_frames == 0)
        in->n_frames = 1; /* handle 0 = none */
    if (in->n_frames >= UINT32_MAX - 1)
        return 0;
    if (base_grow((void **)&in->frames, &in->frames_cap, in->n_frames + 1, sizeof(*in->frames)))
        return 0;
    {
        size_t cap = in->frames_cap;
        /* frame_next grows in step with frames (same capacity). */
        uint32_t *nx = base_realloc(in->frame_next, cap * sizeof(*nx));

        if (nx == NULL)
            return 0;
        in->frame_next = nx;
    }
    id = (uint32_t)in->n_frames;
    if (tr_map_put(&in->frame_idx, h, id) != 0)
        return 0;
    in->frame_next[id] = head ? *head : 0;
    f = &in->frames[id];
    f->pc = pc;
    f->func = func;
    f->file = file;
    f->line = line;
    in->n_frames++;
    return id;
}

uint32_t tr_intern_stack(struct tr_intern *in, const uint32_t *frames, size_t n)
{
    uint64_t h = base_hash_bytes(frames, n * sizeof(*frames), n + 1);
    uint32_t *head = tr_map_get(&in->stack_idx, h), id;

    for (id = head ? *head : 0; id != 0; id = in->stack_next[id]) {
        const struct tr_stack_ent *s = &in->stacks[id];

        if (s->n == n && memcmp(in->pool + s->start, frames, n * sizeof(*frames)) == 0)
            return id;
    }
    if (in->n_stacks == 0)
        in->n_stacks = 1; /* handle 0 = no stack */
    if (in->n_stacks >= UINT32_MAX - 1 || in->pool_len + n >= UINT32_MAX)
        return 0;
    if (base_grow((void **)&in->stacks, &in->stacks_cap, in->n_stacks + 1, sizeof(*in->stacks)))
        return 0;
    {
        uint32_t *nx = base_realloc(in->stack_next, in->stacks_cap * sizeof(*nx));

        if (nx == NULL)
            return 0;
        in->stack_next = nx;
    }
    if (n && base_grow((void **)&in->pool, &in->pool_cap, in->pool_len + n, sizeof(*in->pool)))
        return 0;
    id = (uint32_t)in->n_stacks;
    if (tr_map_put(&in->stack_idx, h, id) != 0)
        return 0;
    in->stack_next[id] = head ? *head : 0;
    in->stacks[id].start = (uint32_t)in->pool_len;
    in->stacks[id].n = (uint32_t)n;
    if (n)
        memcpy(in->pool + in->pool_len, frames, n * sizeof(*frames));
    in->pool_len += n;
    in->n_stacks++;
    return id;
}

const uint32_t *gorca_trace_stack_frames(const struct gorca_trace *tr, uint32_t stack, size_t *n)
{
    const struct tr_intern *in = &tr->intern;

    if (stack == 0 || stack >= in->n_stacks) {
        *n = 0;
        return NULL;
    }
    *n = in->stacks[stack].n;
    return in->pool + in->stacks[stack].start;
}

const struct gorca_trace_frame *gorca_trace_frame(const struct gorca_trace *tr, uint32_t frame)
{
    if (frame == 0 || frame >= tr->intern.n_frames)
        return NULL;
    return &tr->intern.frames[frame];
}

const struct gorca_trace_frame *gorca_trace_stack_top(const struct gorca_trace *tr, uint32_t stack)
{
    size_t n;
    const uint32_t *f = gorca_trace_stack_frames(tr, stack, &n);

    return n ? gorca_trace_frame(tr, f[0]) : NULL;
}

uint32_t gorca_trace_stack_count(const struct gorca_trace *tr)
{
    return tr->intern.n_stacks ? (uint32_t)tr->intern.n_stacks - 1 : 0;
}

uint32_t gorca_trace_frame_count(const struct gorca_trace *tr)
{
    return tr->intern.n_frames ? (uint32_t)tr->intern.n_frames - 1 : 0;
}
