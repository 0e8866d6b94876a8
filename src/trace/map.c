/* Open-addressing hash map from 64-bit ids (goroutines, threads, procs, tasks, PCs, sparse
 * string/stack ids) to 32-bit slot indices, with linear probing and backward-shift deletion
 * so that heavy create/destroy churn (goroutines) leaves no tombstones. */
#include "trace_int.h"

void tr_map_init(struct tr_map *m)
{
    memset(m, 0, sizeof(*m));
}

void tr_map_release(struct tr_map *m)
{
    base_free(m->keys);
    base_free(m->vals);
    base_free(m->used);
    tr_map_init(m);
}

void tr_map_clear(struct tr_map *m)
{
    if (m->cap)
        memset(m->used, 0, m->cap);
    m->len = 0;
}

static inline size_t slot_of(const struct tr_map *m, uint64_t key)
{
    return (size_t)base_hash_u64(key) & (m->cap - 1);
}

uint32_t *tr_map_get(const struct tr_map *m, uint64_t key)
{
    size_t i;

    if (m->len == 0)
        return NULL;
    for (i = slot_of(m, key);; i = (i + 1) & (m->cap - 1)) {
        if (!m->used[i])
            return NULL;
        if (m->keys[i] == key)
            return &m->vals[i];
    }
}

static int grow(struct tr_map *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 16, i;
    uint64_t *nk = base_malloc(ncap * sizeof(*nk));
    uint32_t *nv = base_malloc(ncap * sizeof(*nv));
    uint8_t *nu = base_calloc(ncap, 1);

    if (nk == NULL || nv == NULL || nu == NULL) {
        base_free(nk);
        base_free(nv);
        base_free(nu);
        return -1;
    }
    for (i = 0; i < m->cap; i++) {
        size_t j;

        if (!m->used[i])
            continue;
        for (j = (size_t)base_hash_u64(m->keys[i]) & (ncap - 1); nu[j]; j = (j + 1) & (ncap - 1))
            ;
        nu[j] = 1;
        nk[j] = m->keys[i];
        nv[j] = m->vals[i];
    }
    base_free(m->keys);
    base_free(m->vals);
    base_free(m->used);
    m->keys = nk;
    m->vals = nv;
    m->used = nu;
    m->cap = ncap;
    return 0;
}

int tr_map_put(struct tr_map *m, uint64_t key, uint32_t val)
{
    size_t i;

    if ((m->len + 1) * 4 > m->cap * 3 && grow(m) != 0)
        return -1;
    for (i = slot_of(m, key); m->used[i]; i = (i + 1) & (m->cap - 1)) {
        if (m->keys[i] == key) {
            m->vals[i] = val;
            return 0;
        }
    }
    m->used[i] = 1;
    m->keys[i] = key;
    m->vals[i] = val;
    m->len++;
    return 0;
}

void tr_map_del(struct tr_map *m, uint64_t key)
{
    size_t i, j, mask = m->cap - 1;

    if (m->len == 0)
        return;
    for (i = slot_of(m, key);; i = (i + 1) & mask) {
        if (!m->used[i])
            return;
        if (m->keys[i] == key)
            break;
    }
    /* Backward shift: move later entries of the probe run into the hole when their home
     * slot does not lie cyclically in (hole, their position]. */
    for (j = (i + 1) & mask; m->used[j]; j = (j + 1) & mask) {
        size_t home = slot_of(m, m->keys[j]);

        if (((j - home) & mask) >= ((j - i) & mask)) {
            m->keys[i] = m->keys[j];
            m->vals[i] = m->vals[j];
            i = j;
        }
    }
    m->used[i] = 0;
    m->len--;
}
