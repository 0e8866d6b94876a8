/* Small containers for the trace analyses: a u64 -> u64 hash map (open addressing with linear
 * probing and backward-shift deletion, so no tombstones pile up as goroutines come and go), a
 * log-linear latency histogram, sorting and exact percentiles, and name -> time lists. */
#include <stdlib.h>
#include "an_int.h"

/* ---- hash map ---------------------------------------------------------------------------- */

/* Fibonacci hashing: one multiply, and the high bits spread sequential ids (goroutine ids,
 * stack handles) evenly. cap is a power of two >= 16. */
static size_t slot_of(const struct an_map *m, uint64_t key)
{
    unsigned bits = (unsigned)__builtin_ctzll((unsigned long long)m->cap);
    return (size_t)(((key ^ (key >> 29)) * 0x9E3779B97F4A7C15ULL) >> (64 - bits));
}

static int map_resize(struct an_map *m, size_t ncap)
{
    struct an_map n = { 0 };
    size_t i;

    n.keys = base_malloc(ncap * sizeof(uint64_t));
    n.vals = base_malloc(ncap * sizeof(uint64_t));
    n.used = base_calloc(ncap, 1);
    if (n.keys == NULL || n.vals == NULL || n.used == NULL) {
        base_free(n.keys);
        base_free(n.vals);
        base_free(n.used);
        return -1;
    }
    n.cap = ncap;
    for (i = 0; i < m->cap; i++) {
        if (m->used[i]) {
            size_t s = slot_of(&n, m->keys[i]);
            while (n.used[s])
                s = (s + 1) & (ncap - 1);
            n.used[s] = 1;
            n.keys[s] = m->keys[i];
            n.vals[s] = m->vals[i];
            n.n++;
        }
    }
    an_map_release(m);
    *m = n;
    return 0;
}

int an_map_put(struct an_map *m, uint64_t key, uint64_t val)
{
    size_t s;

    if ((m->n + 1) * 4 > m->cap * 3) {
        size_t ncap = m->cap ? m->cap * 2 : 16;
        if (ncap < m->cap || map_resize(m, ncap) != 0)
            return -1;
    }
    s = slot_of(m, key);
    while (m->used[s]) {
        if (m->keys[s] == key) {
            m->vals[s] = val;
            return 0;
        }
        s = (s + 1) & (m->cap - 1);
    }
    m->used[s] = 1;
    m->keys[s] = key;
    m->vals[s] = val;
    m->n++;
    return 0;
}

uint64_t *an_map_get(const struct an_map *m, uint64_t key)
{
    size_t s;

    if (m->cap == 0)
        return NULL;
    s = slot_of(m, key);
    while (m->used[s]) {
        if (m->keys[s] == key)
            return &m->vals[s];
        s = (s + 1) & (m->cap - 1);
    }
    return NULL;
}

void an_map_del(struct an_map *m, uint64_t key)
{
    size_t s, j, mask = m->cap - 1;

    if (m->cap == 0)
        return;
    s = slot_of(m, key);
    while (m->used[s] && m->keys[s] != key)
        s = (s + 1) & mask;
    if (!m->used[s])
        return;
    /* Backward-shift: move later members of the probe run into the hole when their home
     * slot does not lie cyclically within (hole, member]. */
    m->used[s] = 0;
    m->n--;
    j = s;
    for (;;) {
        size_t home;
        j = (j + 1) & mask;
        if (!m->used[j])
            break;
        home = slot_of(m, m->keys[j]);
        if ((j > s && (home <= s || home > j)) || (j < s && (home <= s && home > j))) {
            m->keys[s] = m->keys[j];
            m->vals[s] = m->vals[j];
            m->used[s] = 1;
            m->used[j] = 0;
            s = j;
        }
    }
}

void an_map_release(struct an_map *m)
{
    base_free(m->keys);
    base_free(m->vals);
    base_free(m->used);
    memset(m, 0, sizeof(*m));
}

int an_dense_set(struct an_dense *d, uint32_t key, uint32_t val)
{
    if (key >= d->n) {
        size_t n = d->n ? d->n : 64;
        uint32_t *v;
        while (n <= key)
            n *= 2;
        v = base_realloc(d->v, n * sizeof(*v));
        if (v == NULL)
            return -1;
        memset(v + d->n, 0, (n - d->n) * sizeof(*v));
        d->v = v;
        d->n = n;
    }
    d->v[key] = val;
    return 0;
}

void an_dense_release(struct an_dense *d)
{
    base_free(d->v);
    d->v = NULL;
    d->n = 0;
}

int an_grow(void *arr, size_t *cap, size_t need, size_t elem)
{
    return base_grow((void **)arr, cap, need, elem);
}

/* ---- histogram --------------------------------------------------------------------------- */

#define SUB 32 /* sub-buckets per power of two */

static void hist_pos(int64_t v, int *row, int *sub)
{
    uint64_t u = (uint64_t)v;
    int e;

    if (u < SUB) {
        *row = 0;
        *sub = (int)u;
        return;
    }
    e = 63 - __builtin_clzll(u); /* e >= 5 */
    *row = e - 4;
    *sub = (int)((u >> (e - 5)) & (SUB - 1));
}

/* Midpoint of a bucket's value range. */
static int64_t hist_value(int row, int sub)
{
    int e;
    uint64_t lo, width;

    if (row == 0)
        return sub;
    e = row + 4;
    lo = (uint64_t)(SUB + sub) << (e - 5);
    width = (uint64_t)1 << (e - 5);
    return (int64_t)(lo + width / 2);
}

int an_hist_add(struct an_hist *h, int64_t v)
{
    int row, sub;

    if (v < 0)
        v = 0;
    hist_pos(v, &row, &sub);
    if (h->rows[row] == NULL) {
        h->rows[row] = base_calloc(SUB, sizeof(uint32_t));
        if (h->rows[row] == NULL)
            return -1;
    }
    if (h->rows[row][sub] != UINT32_MAX)
        h->rows[row][sub]++;
    h->count++;
    h->sum += v;
    if (v > h->max)
        h->max = v;
    return 0;
}

static int64_t hist_quantile(const struct an_hist *h, double q)
{
    uint64_t rank, seen = 0;
    int row, sub;

    if (h->count == 0)
        return 0;
    rank = (uint64_t)(q * (double)h->count + 0.999999999);
    if (rank < 1)
        rank = 1;
    for (row = 0; row < 64; row++) {
        if (h->rows[row] == NULL)
            continue;
        for (sub = 0; sub < SUB; sub++) {
            seen += h->rows[row][sub];
            if (seen >= rank) {
                int64_t v = hist_value(row, sub);
                return v > h->max ? h->max : v;
            }
        }
    }
    return h->max;
}

void an_hist_merge_latency(const struct an_hist *h, struct gorca_latency *out)
{
    out->count = h->count;
    out->sum_ns = h->sum;
    out->max_ns = h->max;
    out->p50_ns = hist_quantile(h, 0.50);
    out->p90_ns = hist_quantile(h, 0.90);
    out->p95_ns = hist_quantile(h, 0.95);
    out->p99_ns = hist_quantile(h, 0.99);
}

void an_hist_release(struct an_hist *h)
{
    int i;

    for (i = 0; i < 64; i++)
        base_free(h->rows[i]);
    memset(h, 0, sizeof(*h));
}

/* ---- sorting and percentiles ------------------------------------------------------------- */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

void an_sort_i64(int64_t *v, size_t n)
{
    if (n > 1)
        qsort(v, n, sizeof(*v), cmp_i64);
}

int64_t an_percentile_sorted(const int64_t *v, size_t n, double q)
{
    size_t rank;

    if (n == 0)
        return 0;
    rank = (size_t)(q * (double)n + 0.999999999);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return v[rank - 1];
}

/* ---- name -> time lists -------------------------------------------------------------------- */

struct an_named *an_named_get(struct an_named **v, uint32_t *n, uint32_t *cap, const char *name)
{
    uint32_t i;
    size_t c = *cap;

    for (i = 0; i < *n; i++)
        if ((*v)[i].name == name)
            return &(*v)[i];
    if (*n == UINT32_MAX || an_grow(v, &c, (size_t)*n + 1, sizeof(**v)) != 0)
        return NULL;
    *cap = (uint32_t)(c > UINT32_MAX ? UINT32_MAX : c);
    (*v)[*n].name = name;
    (*v)[*n].ns = 0;
    (*v)[*n].last = 0;
    return &(*v)[(*n)++];
}
