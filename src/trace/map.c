/* Open-addressing hash map from 64-bit ids (goroutines, threads, procs, tasks, PCs, sparse
 * string/stack ids) to 32-bit slot indices, with Fibonacci hashing, linear probing and
 * backward-shift deletion so that heavy create/destroy churn (goroutines) leaves no
 * tombstones. Lookups are inline in trace_int.h. */
#include "trace_int.h"

void tr_map_init(struct tr_map *m)
{
    memset(m, 0, sizeof(*m));
}

void tr_map_release(struct tr_map *m)
{
    base_free(m->ents);
    tr_map_init(m);
}

void tr_map_clear(struct tr_map *m)
{
    if (m->cap)
        memset(m->ents, 0, m->cap * sizeof(*m->ents));
    m->len = 0;
}

static int grow(struct tr_map *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 16, i;
    struct tr_map_ent *old = m->ents, *ne = base_calloc(ncap, sizeof(*ne));
    size_t ocap = m->cap;
    unsigned bits = 0;

    if (ne == NULL)
        return -1;
    while (((size_t)1 << bits) < ncap)
        bits++;
    m->ents = ne;
    m->cap = ncap;
    m->shift = 64 - bits;
    for (i = 0; i < ocap; i++) {
        size_t j;

        if (!old[i].used)
            continue;
        for (j = tr_map_slot(m, old[i].key); ne[j].used; j = (j + 1) & (ncap - 1))
            ;
        ne[j] = old[i];
    }
    base_free(old);
    return 0;
}

int tr_map_put(struct tr_map *m, uint64_t key, uint32_t val)
{
    size_t i;

    /* Sparse maps stay at most 1/4 full while small (up to 1 MB of entries), then 3/4 like
     * the others, so that a trace with a million live goroutines does not pay 4x. */
    if ((m->len + 1) * 4 > m->cap * (m->sparse && m->cap < 65536 ? 1 : 3) && grow(m) != 0)
        return -1;
    for (i = tr_map_slot(m, key); m->ents[i].used; i = (i + 1) & (m->cap - 1)) {
        if (m->ents[i].key == key) {
            m->ents[i].val = val;
            return 0;
        }
    }
    m->ents[i].used = 1;
    m->ents[i].key = key;
    m->ents[i].val = val;
    m->len++;
    return 0;
}

void tr_map_del(struct tr_map *m, uint64_t key)
{
    size_t i, j, mask = m->cap - 1;

    if (m->len == 0)
        return;
    for (i = tr_map_slot(m, key);; i = (i + 1) & mask) {
        if (!m->ents[i].used)
            return;
        if (m->ents[i].key == key)
            break;
    }
    /* Backward shift: move later entries of the probe run into the hole when their home
     * slot does not lie cyclically in (hole, their position]. */
    for (j = (i + 1) & mask; m->ents[j].used; j = (j + 1) & mask) {
        size_t home = tr_map_slot(m, m->ents[j].key);

        if (((j - home) & mask) >= ((j - i) & mask)) {
            m->ents[i] = m->ents[j];
            i = j;
        }
    }
    m->ents[i].used = 0;
    m->len--;
}
