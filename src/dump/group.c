/* Finishing a parsed dump: goroutines move into the arena, goroutines with the same stack and
 * wait reason become groups (pprof-formats.md §3.5 item 6), groups are ranked by size, and
 * the spawn tree ("created by … in goroutine N"), the creation sites and the per-class totals
 * are derived. Also the id lookup used by the spawn tree and by callers. */
#include <stdlib.h>
#include "dump_int.h"

/* ---- debug=1 / proto records -------------------------------------------------------------*/

static int label_cmp(const void *a, const void *b)
{
    const struct gorca_dump_label *x = a, *y = b;

    return strcmp(x->key, y->key);
}

enum gorca_status dump_add_record(struct dump_builder *b, uint64_t count, uint32_t hidden,
                                  uint64_t off)
{
    struct gorca_dump_group g;

    if (b->n_groups >= b->lim.samples)
        return GORCA_FAIL(b->err, GORCA_E_LIMIT, (int64_t)off, NULL,
                          "more than %llu records (limit samples)",
                          (unsigned long long)b->lim.samples);
    memset(&g, 0, sizeof(g));
    g.count = count;
    g.max_wait_minutes = -1;
    g.stack = dump_intern_stack(b, b->scratch, b->n_scratch);
    if (g.stack == NULL)
        return b->err->code;
    if (b->n_pcs > 0) {
        uint64_t *pcs = base_arena_alloc(b->arena, b->n_pcs * sizeof(*pcs));

        if (pcs == NULL)
            return dump_nomem(b, off, NULL);
        memcpy(pcs, b->pcs, b->n_pcs * sizeof(*pcs));
        g.pcs = pcs;
        g.n_pcs = (uint32_t)b->n_pcs;
    }
    if (b->n_labels > 0) {
        struct gorca_dump_label *l = base_arena_alloc(b->arena, b->n_labels * sizeof(*l));

        if (l == NULL)
            return dump_nomem(b, off, NULL);
        memcpy(l, b->labels, b->n_labels * sizeof(*l));
        qsort(l, b->n_labels, sizeof(*l), label_cmp);
        g.labels = l;
        g.n_labels = (uint32_t)b->n_labels;
        b->d->has_labels = 1;
    }
    dump_infer_group(&g, hidden);
    if (dump_grow(b, (void **)&b->groups, &b->cap_groups, b->n_groups + 1, sizeof(*b->groups)) != 0)
        return b->err->code;
    b->groups[b->n_groups++] = g;
    return GORCA_OK;
}

static int group_rank(const void *a, const void *b)
{
    const struct gorca_dump_group *x = a, *y = b;

    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static enum gorca_status finish_records(struct dump_builder *b)
{
    struct gorca_dump *d = b->d;
    struct gorca_dump_group *g = NULL;

    if (b->n_groups > 0) {
        g = base_arena_alloc(b->arena, b->n_groups * sizeof(*g));
        if (g == NULL)
            return dump_nomem(b, 0, NULL);
        memcpy(g, b->groups, b->n_groups * sizeof(*g));
    }
    for (size_t i = 0; i < b->n_groups; i++)
        g[i].index = (uint32_t)i; /* input order, the tie-break */
    if (b->n_groups > 1)
        qsort(g, b->n_groups, sizeof(*g), group_rank);
    for (size_t i = 0; i < b->n_groups; i++) {
        g[i].index = (uint32_t)i;
        d->n_goroutines += g[i].count;
        d->class_totals[g[i].wait_class] += g[i].count;
    }
    d->groups = g;
    d->n_groups = b->n_groups;
    return GORCA_OK;
}

/* ---- grouping goroutines -----------------------------------------------------------------*/

struct gkey {
    const struct gorca_dump_stack *stack;
    const char *reason;
};

struct gslot {
    struct gkey key;
    size_t idx; /* into the builder's group vector */
};

static int gslot_eq(const void *val, const void *key)
{
    const struct gslot *s = val;
    const struct gkey *k = key;

    return s->key.stack == k->stack && s->key.reason == k->reason;
}

/* Member lists sort by goroutine id. */
static int by_id(const void *a, const void *b)
{
    const struct gorca_goroutine *x = *(const struct gorca_goroutine *const *)a;
    const struct gorca_goroutine *y = *(const struct gorca_goroutine *const *)b;

    return x->id < y->id ? -1 : x->id > y->id;
}

/* Creation site of every member, to find each group's most common one. */
struct creat {
    size_t group;
    const struct gorca_dump_frame *site;
    uint64_t parent;
    int has_parent;
};

static int creat_cmp(const void *a, const void *b)
{
    const struct creat *x = a, *y = b;

    if (x->group != y->group)
        return x->group < y->group ? -1 : 1;
    if (x->site != y->site)
        return (uintptr_t)x->site < (uintptr_t)y->site ? -1 : 1;
    return x->parent < y->parent ? -1 : x->parent > y->parent;
}

/* Sets created_by/created_by_count/created_by_parent of every group. */
static int group_creators(struct dump_builder *b, struct gorca_goroutine *gs, size_t n,
                          const size_t *gidx, struct gorca_dump_group *groups)
{
    struct creat *c = base_malloc(n * sizeof(*c) + 1);
    size_t i = 0;

    if (c == NULL)
        return dump_nomem(b, 0, NULL), -1;
    for (size_t k = 0; k < n; k++) {
        c[k].group = gidx[k];
        c[k].site = gs[k].created_by;
        c[k].parent = gs[k].parent_id;
        c[k].has_parent = (gs[k].flags & GORCA_G_PARENT_KNOWN) != 0;
    }
    qsort(c, n, sizeof(*c), creat_cmp);
    while (i < n) {
        size_t j = i;
        int one_parent = 1;
        struct gorca_dump_group *g = &groups[c[i].group];

        while (j < n && c[j].group == c[i].group && c[j].site == c[i].site) {
            if (!c[j].has_parent || c[j].parent != c[i].parent)
                one_parent = 0;
            j++;
        }
        if (c[i].site != NULL && j - i > g->created_by_count) {
            g->created_by = c[i].site;
            g->created_by_count = j - i;
            g->created_by_parent = one_parent ? c[i].parent : 0;
        }
        i = j;
    }
    base_free(c);
    return 0;
}

/* Assigns every goroutine to a group; fills gidx and the builder's group vector. */
static int assign_groups(struct dump_builder *b, struct gorca_goroutine *gs, size_t n, size_t *gidx)
{
    struct dump_map m;
    struct gslot *slots = base_malloc(n * sizeof(*slots) + 1);
    int rc = 0;

    memset(&m, 0, sizeof(m));
    if (slots == NULL)
        return dump_nomem(b, 0, NULL), -1;
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct gkey k = { gs[i].stack, gs[i].reason };
        uint64_t h = base_hash_u64((uint64_t)(uintptr_t)k.stack ^
                                   base_hash_u64((uint64_t)(uintptr_t)k.reason));
        struct gslot *s = dump_map_find(&m, h, gslot_eq, &k);

        if (s == NULL) {
            struct gorca_dump_group g;

            memset(&g, 0, sizeof(g));
            g.stack = k.stack;
            g.reason = k.reason;
            g.wait_class = gs[i].wait_class;
            g.max_wait_minutes = -1;
            g.index = (uint32_t)b->n_groups; /* first appearance: the tie-break */
            s = &slots[b->n_groups];
            s->key = k;
            s->idx = b->n_groups;
            if (dump_grow(b, (void **)&b->groups, &b->cap_groups, b->n_groups + 1,
                          sizeof(*b->groups)) != 0 ||
                dump_map_add(&m, h, s) != 0) {
                dump_nomem(b, 0, NULL);
                rc = -1;
                break;
            }
            b->groups[b->n_groups++] = g;
        }
        gidx[i] = s->idx;
        b->groups[s->idx].count++;
        if (gs[i].wait_minutes > b->groups[s->idx].max_wait_minutes)
            b->groups[s->idx].max_wait_minutes = gs[i].wait_minutes;
        if (gs[i].flags & GORCA_G_LOCKED)
            b->groups[s->idx].n_locked++;
    }
    dump_map_release(&m);
    base_free(slots);
    return rc;
}

/* Member arrays (by id), ranking, and goroutine -> group links. */
static int place_groups(struct dump_builder *b, struct gorca_goroutine *gs, size_t n,
                        const size_t *gidx)
{
    struct gorca_dump_group *g;
    const struct gorca_goroutine **mem;
    size_t *fill, *where, ng = b->n_groups;

    g = base_arena_alloc(b->arena, ng * sizeof(*g) + 1);
    mem = base_arena_alloc(b->arena, n * sizeof(*mem) + 1);
    fill = base_malloc((ng + 1) * sizeof(*fill));
    where = base_malloc((ng + 1) * sizeof(*where));
    if (g == NULL || mem == NULL || fill == NULL || where == NULL) {
        base_free(fill);
        base_free(where);
        return dump_nomem(b, 0, NULL), -1;
    }
    if (ng > 0)
        memcpy(g, b->groups, ng * sizeof(*g));
    qsort(g, ng, sizeof(*g), group_rank);
    for (size_t i = 0; i < ng; i++)
        where[g[i].index] = i; /* old index (first appearance) -> rank */
    for (size_t i = 0, off = 0; i < ng; i++) {
        g[i].members = mem + off;
        fill[i] = off;
        off += g[i].count;
        g[i].index = (uint32_t)i;
    }
    for (size_t k = 0; k < n; k++) {
        size_t r = where[gidx[k]];

        mem[fill[r]++] = &gs[k];
        gs[k].group = &g[r];
    }
    for (size_t i = 0; i < ng; i++)
        if (g[i].count > 1)
            qsort((void *)g[i].members, g[i].count, sizeof(*mem), by_id);
    base_free(fill);
    base_free(where);
    b->d->groups = g;
    b->d->n_groups = ng;
    return 0;
}

/* ---- spawn tree and creators -------------------------------------------------------------*/

const struct gorca_goroutine *gorca_dump_find(const struct gorca_dump *d, uint64_t id)
{
    const struct dump_owner *own = (const struct dump_owner *)d;
    size_t lo = 0, hi = d->n_listed;

    if (own->by_id == NULL)
        return NULL;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (own->by_id[mid]->id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < d->n_listed && own->by_id[lo]->id == id ? own->by_id[lo] : NULL;
}

static int spawn_tree(struct dump_builder *b, struct gorca_goroutine *gs, size_t n)
{
    const struct gorca_goroutine **ix = base_arena_alloc(b->arena, n * sizeof(*ix) + 1);

    if (ix == NULL)
        return dump_nomem(b, 0, NULL), -1;
    for (size_t i = 0; i < n; i++)
        ix[i] = &gs[i];
    qsort(ix, n, sizeof(*ix), by_id);
    b->own->by_id = ix;
    /* Children are linked in descending id order so each list ends up ascending. */
    for (size_t i = n; i-- > 0;) {
        struct gorca_goroutine *c = (struct gorca_goroutine *)ix[i];
        struct gorca_goroutine *p;

        if (!(c->flags & GORCA_G_PARENT_KNOWN) || c->parent_id == c->id)
            continue;
        p = (struct gorca_goroutine *)gorca_dump_find(b->d, c->parent_id);
        if (p == NULL)
            continue;
        c->parent = p;
        c->next_sibling = p->first_child;
        p->first_child = c;
    }
    return 0;
}

struct site {
    const struct gorca_dump_frame *site;
    uint64_t parent;
    const struct gorca_dump_group *group;
};

static int site_cmp(const void *a, const void *b)
{
    const struct site *x = a, *y = b;

    if (x->site != y->site)
        return (uintptr_t)x->site < (uintptr_t)y->site ? -1 : 1;
    if (x->parent != y->parent)
        return x->parent < y->parent ? -1 : 1;
    return x->group->index < y->group->index ? -1 : x->group->index > y->group->index;
}

static int creator_rank(const void *a, const void *b)
{
    const struct gorca_dump_creator *x = a, *y = b;

    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return x->top_group->index < y->top_group->index ? -1
                                                     : x->top_group->index > y->top_group->index;
}

static int creators(struct dump_builder *b, const struct gorca_goroutine *gs, size_t n)
{
    struct site *s = base_malloc(n * sizeof(*s) + 1);
    struct gorca_dump_creator *out;
    size_t m = 0, nc = 0;

    if (s == NULL)
        return dump_nomem(b, 0, NULL), -1;
    for (size_t i = 0; i < n; i++) {
        if (gs[i].created_by == NULL)
            continue;
        s[m].site = gs[i].created_by;
        s[m].parent = gs[i].parent_id;
        s[m].group = gs[i].group;
        m++;
    }
    qsort(s, m, sizeof(*s), site_cmp);
    for (size_t i = 0; i < m; i++)
        if (i == 0 || s[i].site != s[i - 1].site)
            nc++;
    out = base_arena_zalloc(b->arena, nc * sizeof(*out) + 1);
    if (out == NULL) {
        base_free(s);
        return dump_nomem(b, 0, NULL), -1;
    }
    nc = 0;
    for (size_t i = 0, j; i < m; i = j) {
        const struct gorca_dump_group *best = NULL;

        out[nc].site = s[i].site;
        for (j = i; j < m && s[j].site == s[i].site; j++) {
            if (j == i || s[j].parent != s[j - 1].parent)
                out[nc].n_parents++;
            if (best == NULL || s[j].group->count > best->count ||
                (s[j].group->count == best->count && s[j].group->index < best->index))
                best = s[j].group;
        }
        out[nc].count = j - i;
        out[nc].top_group = best;
        nc++;
    }
    base_free(s);
    qsort(out, nc, sizeof(*out), creator_rank);
    b->d->creators = out;
    b->d->n_creators = nc;
    return 0;
}

/* ---- entry -------------------------------------------------------------------------------*/

enum gorca_status dump_finish(struct dump_builder *b)
{
    struct gorca_dump *d = b->d;
    struct gorca_goroutine *gs;
    size_t n = b->n_gs, *gidx;

    if (d->format == GORCA_DUMP_DEBUG1 || d->format == GORCA_DUMP_PROTO)
        return finish_records(b);
    gs = base_arena_alloc(b->arena, n * sizeof(*gs) + 1);
    gidx = base_malloc((n + 1) * sizeof(*gidx));
    if (gs == NULL || gidx == NULL) {
        base_free(gidx);
        return dump_nomem(b, 0, NULL);
    }
    if (n > 0)
        memcpy(gs, b->gs, n * sizeof(*gs));
    d->goroutines = gs;
    d->n_listed = n;
    d->n_goroutines = n;
    b->n_groups = 0;
    if (assign_groups(b, gs, n, gidx) != 0 || group_creators(b, gs, n, gidx, b->groups) != 0 ||
        place_groups(b, gs, n, gidx) != 0 || spawn_tree(b, gs, n) != 0 || creators(b, gs, n) != 0) {
        base_free(gidx);
        return b->err->code;
    }
    base_free(gidx);
    for (size_t i = 0; i < d->n_groups; i++)
        d->class_totals[d->groups[i].wait_class] += d->groups[i].count;
    return GORCA_OK;
}
