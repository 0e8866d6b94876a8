/* Comparing two dumps of one program taken some time apart: which groups of goroutines grew
 * (the classic leak signal). Groups match by function names and lines of their non-runtime
 * frames, so a debug=1, debug=2 or proto dump can be compared with any other; the wait reason
 * and the labels join the key when both dumps record them. */
#include <stdlib.h>
#include "dump_int.h"

struct diff_owner {
    struct gorca_dump_diff pub;
    struct base_arena arena;
};

struct entry {
    const char *key; /* arena */
    size_t key_len;
    struct gorca_dump_delta delta;
};

struct ekey {
    const char *s;
    size_t n;
};

static int entry_eq(const void *val, const void *key)
{
    const struct entry *e = val;
    const struct ekey *k = key;

    return e->key_len == k->n && memcmp(e->key, k->s, k->n) == 0;
}

static void build_key(struct gorca_buf *k, const struct gorca_dump_group *g, int use_reason,
                      int use_labels)
{
    k->len = 0;
    for (uint32_t i = 0; i < g->stack->n_frames; i++) {
        const struct gorca_dump_frame *f = g->stack->frames[i];

        if (f->kind != GORCA_FRAME_GO || gorca_dump_is_runtime_func(f->func))
            continue;
        gorca_buf_printf(k, "%s:%u\n", f->func, f->line);
    }
    if (use_reason)
        gorca_buf_printf(k, "[%s]\n", g->reason);
    if (use_labels)
        for (uint32_t i = 0; i < g->n_labels; i++)
            gorca_buf_printf(k, "{%s=%s}\n", g->labels[i].key, g->labels[i].value);
    gorca_buf_putc(k, '\0');
}

static int delta_rank(const void *a, const void *b)
{
    const struct gorca_dump_delta *x = a, *y = b;

    if (x->delta != y->delta)
        return x->delta > y->delta ? -1 : 1;
    if (x->new_count != y->new_count)
        return x->new_count > y->new_count ? -1 : 1;
    if (x->old_count != y->old_count)
        return x->old_count > y->old_count ? -1 : 1;
    return 0;
}

struct table {
    struct diff_owner *o;
    struct dump_map map;
    struct entry **list; /* base_malloc vector of arena entries, in first-seen order */
    size_t n, cap;
};

/* Adds every group of d to the table; side 0 = old, 1 = new. Returns 0 or -1 (memory). */
static int add_side(struct table *t, const struct gorca_dump *d, int side, int use_reason,
                    int use_labels)
{
    struct gorca_buf k;
    int rc = 0;

    gorca_buf_init(&k, 0);
    for (size_t i = 0; i < d->n_groups && rc == 0; i++) {
        const struct gorca_dump_group *g = &d->groups[i];
        struct ekey ek;
        struct entry *e;
        uint64_t h;

        build_key(&k, g, use_reason, use_labels);
        if (k.failed) {
            rc = -1;
            break;
        }
        ek.s = k.data;
        ek.n = k.len;
        h = base_hash_bytes(ek.s, ek.n, 0);
        e = dump_map_find(&t->map, h, entry_eq, &ek);
        if (e == NULL) {
            e = base_arena_zalloc(&t->o->arena, sizeof(*e));
            if (e == NULL || base_grow((void **)&t->list, &t->cap, t->n + 1, sizeof(*t->list))) {
                rc = -1;
                break;
            }
            e->key = base_arena_strndup(&t->o->arena, ek.s, ek.n);
            if (e->key == NULL || dump_map_add(&t->map, h, e) != 0) {
                rc = -1;
                break;
            }
            e->key_len = ek.n;
            t->list[t->n++] = e;
        }
        if (side == 0) {
            e->delta.old_count += g->count;
            if (e->delta.old_group == NULL)
                e->delta.old_group = g;
        } else {
            e->delta.new_count += g->count;
            if (e->delta.new_group == NULL)
                e->delta.new_group = g;
        }
    }
    gorca_buf_release(&k);
    return rc;
}

enum gorca_status gorca_dump_compare(const struct gorca_dump *old_dump,
                                     const struct gorca_dump *new_dump,
                                     struct gorca_dump_diff **out, struct gorca_error *err)
{
    struct diff_owner *o = base_calloc(1, sizeof(*o));
    struct table t;
    struct gorca_dump_delta *d = NULL;
    int use_reason = old_dump->has_wait_states && new_dump->has_wait_states;
    int use_labels = old_dump->has_labels && new_dump->has_labels;

    *out = NULL;
    memset(&t, 0, sizeof(t));
    if (o == NULL)
        return GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory comparing dumps");
    base_arena_init(&o->arena, 0);
    t.o = o;
    if (add_side(&t, old_dump, 0, use_reason, use_labels) != 0 ||
        add_side(&t, new_dump, 1, use_reason, use_labels) != 0 ||
        (d = base_arena_alloc(&o->arena, (t.n + 1) * sizeof(*d))) == NULL) {
        dump_map_release(&t.map);
        base_free(t.list);
        gorca_dump_diff_free(&o->pub);
        return GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory comparing dumps");
    }
    for (size_t i = 0; i < t.n; i++) {
        d[i] = t.list[i]->delta;
        d[i].delta = (int64_t)d[i].new_count - (int64_t)d[i].old_count;
    }
    dump_map_release(&t.map);
    base_free(t.list);
    qsort(d, t.n, sizeof(*d), delta_rank);
    o->pub.deltas = d;
    o->pub.n_deltas = t.n;
    o->pub.old_total = old_dump->n_goroutines;
    o->pub.new_total = new_dump->n_goroutines;
    for (int c = 0; c < GORCA_WAIT_N_CLASSES; c++)
        o->pub.class_delta[c] =
            (int64_t)new_dump->class_totals[c] - (int64_t)old_dump->class_totals[c];
    o->pub.priv = o;
    *out = &o->pub;
    return GORCA_OK;
}

void gorca_dump_diff_free(struct gorca_dump_diff *diff)
{
    struct diff_owner *o = (struct diff_owner *)diff;

    if (o == NULL)
        return;
    base_arena_release(&o->arena);
    base_free(o);
}
