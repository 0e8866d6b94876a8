/* The profile object itself: allocation, freeing, string helpers, and the two hash structures
 * the decoder, builder and views share (id -> index maps and index sets). */
#include "pprof_int.h"

struct gorca_profile *pb_profile_new(const struct gorca_limits *lim)
{
    struct gorca_profile *p = base_calloc(1, sizeof(*p));
    struct gorca_profile_internal *in;

    if (p == NULL)
        return NULL;
    in = base_calloc(1, sizeof(*in));
    if (in == NULL) {
        base_free(p);
        return NULL;
    }
    in->lim = gorca_limits_resolve(lim);
    base_arena_init(&in->arena, in->lim.arena_bytes);
    p->internal = in;
    return p;
}

void gorca_profile_free(struct gorca_profile *p)
{
    if (p == NULL)
        return;
    if (p->internal) {
        base_arena_release(&p->internal->arena);
        base_free(p->internal->owned);
        base_free(p->internal);
    }
    base_free(p);
}

int gorca_strv_eq(struct gorca_strv v, const char *s)
{
    size_t n = strlen(s);

    return v.len == n && (n == 0 || memcmp(v.ptr, s, n) == 0);
}

struct gorca_strv pb_strv_dup(struct gorca_profile *p, struct gorca_strv s, int *failed)
{
    struct gorca_strv r = { "", 0 };
    char *c;

    if (s.len == 0)
        return r;
    c = base_arena_strndup(&p->internal->arena, s.ptr, s.len);
    if (c == NULL) {
        *failed = 1;
        return r;
    }
    r.ptr = c;
    r.len = s.len;
    return r;
}

/* ---- id maps ------------------------------------------------------------------------------ */

int pb_idmap_init(struct pb_idmap *m, size_t n, uint64_t max_id)
{
    memset(m, 0, sizeof(*m));
    /* Go and pprof number ids densely from 1; fall back to hashing for sparse ids. */
    if (max_id <= (uint64_t)n * 4 + 1024) {
        m->n_dense = max_id + 1;
        m->dense = base_calloc((size_t)m->n_dense, sizeof(uint32_t));
        return m->dense ? 0 : -1;
    }
    m->cap = 16;
    while (m->cap < n * 2 + 2)
        m->cap *= 2;
    m->keys = base_malloc(m->cap * sizeof(uint64_t));
    m->vals = base_calloc(m->cap, sizeof(uint32_t));
    if (m->keys == NULL || m->vals == NULL) {
        pb_idmap_release(m);
        return -1;
    }
    return 0;
}

void pb_idmap_release(struct pb_idmap *m)
{
    base_free(m->dense);
    base_free(m->keys);
    base_free(m->vals);
    memset(m, 0, sizeof(*m));
}

int pb_idmap_put(struct pb_idmap *m, uint64_t id, uint32_t index)
{
    size_t i;

    if (id < m->n_dense) {
        if (m->dense[id] != 0)
            return 1;
        m->dense[id] = index + 1;
        return 0;
    }
    if (m->cap == 0 || (m->used + 1) * 2 > m->cap)
        return -1; /* sized by pb_idmap_init for every id; cannot happen */
    for (i = (size_t)base_hash_u64(id) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (m->vals[i] == 0)
            break;
        if (m->keys[i] == id)
            return 1;
    }
    m->keys[i] = id;
    m->vals[i] = index + 1;
    m->used++;
    return 0;
}

/* ---- index sets ---------------------------------------------------------------------------- */

void pb_set_init(struct pb_set *s)
{
    memset(s, 0, sizeof(*s));
}

void pb_set_release(struct pb_set *s)
{
    base_free(s->slots);
    base_free(s->hashes);
    memset(s, 0, sizeof(*s));
}

int pb_set_reserve(struct pb_set *s)
{
    size_t ncap;
    uint32_t *slots;
    uint64_t *hashes;

    if ((s->used + 1) * 4 <= s->cap * 3)
        return 0;
    ncap = s->cap ? s->cap * 2 : 64;
    slots = base_calloc(ncap, sizeof(uint32_t));
    hashes = base_malloc(ncap * sizeof(uint64_t));
    if (slots == NULL || hashes == NULL) {
        base_free(slots);
        base_free(hashes);
        return -1;
    }
    for (size_t i = 0; i < s->cap; i++) {
        size_t j;

        if (s->slots[i] == 0)
            continue;
        for (j = (size_t)s->hashes[i] & (ncap - 1); slots[j] != 0; j = (j + 1) & (ncap - 1))
            ;
        slots[j] = s->slots[i];
        hashes[j] = s->hashes[i];
    }
    base_free(s->slots);
    base_free(s->hashes);
    s->slots = slots;
    s->hashes = hashes;
    s->cap = ncap;
    return 0;
}
