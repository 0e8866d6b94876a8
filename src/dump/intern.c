/* The dump builder: interning of strings, frames and stacks in the result's arena (so equal
 * names, frames and stacks are equal pointers), the growing vectors every input form fills,
 * and the checks against struct gorca_limits. */
#include <stdlib.h>
#include "dump_int.h"

/* ---- hash set ----------------------------------------------------------------------------*/

void dump_map_release(struct dump_map *m)
{
    base_free(m->hashes);
    base_free(m->vals);
    memset(m, 0, sizeof(*m));
}

/* Hashes are never 0 in the table: 0 marks an empty slot. */
static uint64_t nonzero(uint64_t h)
{
    return h ? h : 1;
}

void *dump_map_find(const struct dump_map *m, uint64_t h, dump_eq_fn eq, const void *key)
{
    size_t mask, i;

    if (m->cap == 0)
        return NULL;
    h = nonzero(h);
    mask = m->cap - 1;
    for (i = (size_t)h & mask; m->hashes[i] != 0; i = (i + 1) & mask) {
        if (m->hashes[i] == h && eq(m->vals[i], key))
            return m->vals[i];
    }
    return NULL;
}

static void put(uint64_t *hashes, void **vals, size_t cap, uint64_t h, void *val)
{
    size_t i, mask = cap - 1;

    for (i = (size_t)h & mask; hashes[i] != 0; i = (i + 1) & mask)
        ;
    hashes[i] = h;
    vals[i] = val;
}

static int rehash(struct dump_map *m, size_t ncap)
{
    uint64_t *nh = base_calloc(ncap, sizeof(*nh));
    void **nv = base_calloc(ncap, sizeof(*nv));

    if (nh == NULL || nv == NULL) {
        base_free(nh);
        base_free(nv);
        return -1;
    }
    for (size_t i = 0; i < m->cap; i++)
        if (m->hashes[i] != 0)
            put(nh, nv, ncap, m->hashes[i], m->vals[i]);
    base_free(m->hashes);
    base_free(m->vals);
    m->hashes = nh;
    m->vals = nv;
    m->cap = ncap;
    return 0;
}

int dump_map_add(struct dump_map *m, uint64_t h, void *val)
{
    if ((m->n + 1) * 10 > m->cap * 7) {
        size_t ncap = m->cap ? m->cap * 2 : 256;

        if (ncap < m->cap || rehash(m, ncap) != 0)
            return -1;
    }
    put(m->hashes, m->vals, m->cap, nonzero(h), val);
    m->n++;
    return 0;
}

/* ---- builder -----------------------------------------------------------------------------*/

enum gorca_status dump_builder_init(struct dump_builder *b, const char *source,
                                    const struct gorca_limits *lim, struct gorca_error *err)
{
    memset(b, 0, sizeof(*b));
    b->lim = gorca_limits_resolve(lim);
    b->err = err;
    b->source = source;
    b->own = base_calloc(1, sizeof(*b->own));
    if (b->own == NULL)
        return GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "cannot allocate the dump");
    base_arena_init(&b->own->arena, b->lim.arena_bytes);
    b->d = &b->own->pub;
    b->arena = &b->own->arena;
    return GORCA_OK;
}

void dump_builder_release(struct dump_builder *b, int keep)
{
    dump_map_release(&b->strs);
    dump_map_release(&b->frames);
    dump_map_release(&b->stacks);
    base_free(b->gs);
    base_free(b->groups);
    base_free(b->scratch);
    base_free(b->anc);
    base_free(b->labels);
    base_free(b->pcs);
    base_free(b->tmp);
    if (!keep && b->own) {
        base_arena_release(&b->own->arena);
        base_free(b->own);
    }
    b->own = NULL;
    b->d = NULL;
}

enum gorca_status dump_nomem(struct dump_builder *b, uint64_t off, const char *what)
{
    struct base_arena *a = b->arena;

    if (a && a->max_bytes && a->total + ((uint64_t)64 << 10) >= a->max_bytes)
        return GORCA_FAIL(b->err, GORCA_E_LIMIT, (int64_t)off, what,
                          "the parsed dump needs more than %llu bytes (limit arena_bytes)",
                          (unsigned long long)a->max_bytes);
    return GORCA_FAIL(b->err, GORCA_E_NOMEM, (int64_t)off, what, "out of memory");
}

int dump_grow(struct dump_builder *b, void **arr, size_t *cap, size_t need, size_t elem)
{
    if (base_grow(arr, cap, need, elem) != 0) {
        dump_nomem(b, 0, NULL);
        return -1;
    }
    return 0;
}

char *dump_arena_strdup(struct dump_builder *b, const char *s, size_t n)
{
    char *r = base_arena_strndup(b->arena, s, n);

    if (r == NULL)
        dump_nomem(b, 0, NULL);
    return r;
}

/* ---- strings -----------------------------------------------------------------------------*/

struct strkey {
    const char *s;
    size_t n;
};

static int str_eq(const void *val, const void *key)
{
    const char *v = val;
    const struct strkey *k = key;

    /* strnlen first: a stored string may be shorter than the key (embedded NUL bytes). */
    return strnlen(v, k->n + 1) == k->n && memcmp(v, k->s, k->n) == 0;
}

const char *dump_intern_str(struct dump_builder *b, const char *s, size_t n)
{
    struct strkey k = { s, n };
    uint64_t h = base_hash_bytes(s, n, 0);
    char *r;

    r = dump_map_find(&b->strs, h, str_eq, &k);
    if (r)
        return r;
    if (n > b->lim.string_bytes) {
        GORCA_FAIL(b->err, GORCA_E_LIMIT, -1, NULL,
                   "a name of %zu bytes exceeds the limit of %llu (string_bytes)", n,
                   (unsigned long long)b->lim.string_bytes);
        return NULL;
    }
    r = base_arena_strndup(b->arena, s, n);
    if (r == NULL || dump_map_add(&b->strs, h, r) != 0) {
        dump_nomem(b, 0, NULL);
        return NULL;
    }
    return r;
}

/* ---- frames ------------------------------------------------------------------------------*/

static uint64_t frame_hash(const struct gorca_dump_frame *f)
{
    uint64_t h = base_hash_u64((uint64_t)(uintptr_t)f->func);

    h = base_hash_u64(h ^ (uint64_t)(uintptr_t)f->file);
    h = base_hash_u64(h ^ ((uint64_t)f->line << 8 | (uint64_t)f->kind << 4 |
                           (uint64_t)f->inlined << 1 | f->has_offset));
    h = base_hash_u64(h ^ f->offset);
    h = base_hash_u64(h ^ f->pc);
    return base_hash_u64(h ^ f->elided);
}

static int frame_eq(const void *val, const void *key)
{
    const struct gorca_dump_frame *a = val, *k = key;

    return a->func == k->func && a->file == k->file && a->line == k->line && a->kind == k->kind &&
           a->inlined == k->inlined && a->has_offset == k->has_offset && a->offset == k->offset &&
           a->pc == k->pc && a->elided == k->elided;
}

const struct gorca_dump_frame *dump_intern_frame(struct dump_builder *b,
                                                 const struct gorca_dump_frame *f)
{
    uint64_t h = frame_hash(f);
    struct gorca_dump_frame *r = dump_map_find(&b->frames, h, frame_eq, f);

    if (r)
        return r;
    r = base_arena_alloc(b->arena, sizeof(*r));
    if (r == NULL || dump_map_add(&b->frames, h, r) != 0) {
        dump_nomem(b, 0, NULL);
        return NULL;
    }
    *r = *f;
    return r;
}

int dump_push_frame(struct dump_builder *b, const struct gorca_dump_frame *f, uint64_t off)
{
    const struct gorca_dump_frame *in;

    if (b->n_scratch >= b->lim.stack_depth) {
        GORCA_FAIL(b->err, GORCA_E_LIMIT, (int64_t)off, NULL,
                   "a stack has more than %llu frames (limit stack_depth)",
                   (unsigned long long)b->lim.stack_depth);
        return -1;
    }
    in = dump_intern_frame(b, f);
    if (in == NULL)
        return -1;
    if (dump_grow(b, (void **)&b->scratch, &b->cap_scratch, b->n_scratch + 1,
                  sizeof(*b->scratch)) != 0)
        return -1;
    b->scratch[b->n_scratch++] = in;
    return 0;
}

/* ---- stacks ------------------------------------------------------------------------------*/

struct stackkey {
    const struct gorca_dump_frame *const *frames;
    size_t n;
};

static int stack_eq(const void *val, const void *key)
{
    const struct gorca_dump_stack *s = val;
    const struct stackkey *k = key;

    return s->n_frames == k->n &&
           (k->n == 0 || memcmp(s->frames, k->frames, k->n * sizeof(*k->frames)) == 0);
}

const struct gorca_dump_stack *
dump_intern_stack(struct dump_builder *b, const struct gorca_dump_frame *const *frames, size_t n)
{
    struct stackkey k = { frames, n };
    uint64_t h = base_hash_u64(n);
    struct gorca_dump_stack *s;
    const struct gorca_dump_frame **copy = NULL;

    for (size_t i = 0; i < n; i++)
        h = base_hash_u64(h ^ (uint64_t)(uintptr_t)frames[i]);
    s = dump_map_find(&b->stacks, h, stack_eq, &k);
    if (s)
        return s;
    s = base_arena_alloc(b->arena, sizeof(*s));
    if (s && n > 0) {
        copy = base_arena_alloc(b->arena, n * sizeof(*copy));
        if (copy)
            memcpy(copy, frames, n * sizeof(*copy));
    }
    if (s == NULL || (n > 0 && copy == NULL) || dump_map_add(&b->stacks, h, s) != 0) {
        dump_nomem(b, 0, NULL);
        return NULL;
    }
    s->frames = copy;
    s->n_frames = (uint32_t)n;
    return s;
}
