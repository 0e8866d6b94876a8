/* Aggregated root-to-leaf stacks of function names, the input of the folded and flame views
 * (pprof-formats.md §7.2): samples are filtered as pprof's views filter them (select.c), every
 * location contributes its kept lines outermost first (inlined callers stay), frames are named
 * as pprof prints nodes, and samples with the same name sequence are summed. */
#include <stdio.h>
#include "pprof_int.h"

struct name_key {
    struct pb_stacks *s;
    const char *name;
    size_t len;
};

static int name_eq(void *ctx, uint32_t i)
{
    struct name_key *k = ctx;

    return strlen(k->s->names[i]) == k->len && memcmp(k->s->names[i], k->name, k->len) == 0;
}

static uint32_t intern_name(struct pb_stacks *s, const char *name, size_t len)
{
    struct name_key k = { s, name, len };
    uint64_t h = base_hash_bytes(name, len, 11);
    uint32_t found;
    size_t slot;
    char *copy;

    if (pb_set_reserve(&s->name_set) != 0)
        return UINT32_MAX;
    slot = pb_set_find(&s->name_set, h, name_eq, &k, &found);
    if (found)
        return found - 1;
    if (base_grow((void **)&s->names, &s->cap_names, s->n_names + 1, sizeof(char *)) != 0 ||
        (copy = base_arena_strndup(&s->arena, name, len)) == NULL)
        return UINT32_MAX;
    s->names[s->n_names] = copy;
    pb_set_insert_at(&s->name_set, slot, h, (uint32_t)s->n_names);
    return (uint32_t)s->n_names++;
}

/* The printable name of a line's function, or of a line-less location (pprof's NodeInfo). */
static uint32_t frame_name(struct pb_stacks *s, const struct gorca_location *l,
                           const struct gorca_function *f)
{
    char buf[512];

    if (f && f->name.len)
        return intern_name(s, f->name.ptr, f->name.len);
    if (l->mapping && l->mapping->filename.len) {
        const char *p = l->mapping->filename.ptr, *b = p;
        size_t n = l->mapping->filename.len;

        for (size_t i = 0; i < n; i++)
            if (p[i] == '/' && i + 1 < n)
                b = p + i + 1;
        snprintf(buf, sizeof(buf), "[%.*s]", (int)(n - (size_t)(b - p)), b);
        return intern_name(s, buf, strlen(buf));
    }
    return intern_name(s, "<unknown>", 9);
}

static enum gorca_status build_locations(struct pb_stacks *s, const struct gorca_profile *p,
                                         const struct pb_selection *sel, struct gorca_error *err)
{
    size_t total = 0;

    s->loc_first = base_malloc((p->n_locations + 1) * sizeof(uint32_t));
    for (size_t i = 0; i < p->n_locations; i++)
        total += sel->line_count[i] ? sel->line_count[i] : 1;
    s->loc_names = base_malloc((total + 1) * sizeof(uint32_t));
    if (s->loc_first == NULL || s->loc_names == NULL)
        return GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory");
    total = 0;
    for (size_t i = 0; i < p->n_locations; i++) {
        const struct gorca_location *l = &p->locations[i];
        const uint16_t *idx = sel->line_idx + sel->line_start[i];
        uint16_t n = sel->line_count[i];

        s->loc_first[i] = (uint32_t)total;
        if (n == 0)
            s->loc_names[total++] = frame_name(s, l, NULL);
        for (uint16_t j = 0; j < n; j++)
            s->loc_names[total++] = frame_name(s, l, l->lines[idx[j]].function);
        if (s->loc_names[total - 1] == UINT32_MAX)
            return GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory");
    }
    s->loc_first[p->n_locations] = (uint32_t)total;
    return GORCA_OK;
}

struct stack_key {
    struct pb_stacks *s;
    const uint32_t *frames;
    uint32_t n;
};

static int stack_eq(void *ctx, uint32_t i)
{
    struct stack_key *k = ctx;
    const struct pb_stack *st = &k->s->stacks[i];

    return st->n == k->n &&
           memcmp(k->s->frames + st->off, k->frames, (size_t)k->n * sizeof(uint32_t)) == 0;
}

/* Adds one sample's frames (root first) with its weights. */
static int add_stack(struct pb_stacks *s, const uint32_t *frames, uint32_t n, int64_t w, int64_t dw)
{
    struct stack_key k = { s, frames, n };
    uint64_t h = base_hash_bytes(frames, (size_t)n * sizeof(uint32_t), n);
    uint32_t found;
    size_t slot;
    struct pb_stack *st;

    if (pb_set_reserve(&s->stack_set) != 0)
        return -1;
    slot = pb_set_find(&s->stack_set, h, stack_eq, &k, &found);
    if (found) {
        s->stacks[found - 1].value += w;
        s->stacks[found - 1].div += dw;
        return 0;
    }
    if (base_grow((void **)&s->stacks, &s->cap_stacks, s->n_stacks + 1, sizeof(*st)) != 0 ||
        base_grow((void **)&s->frames, &s->cap_frames, s->n_frames + n, sizeof(uint32_t)) != 0)
        return -1;
    st = &s->stacks[s->n_stacks];
    st->off = s->n_frames;
    st->n = n;
    st->value = w;
    st->div = dw;
    if (n)
        memcpy(s->frames + s->n_frames, frames, (size_t)n * sizeof(uint32_t));
    s->n_frames += n;
    pb_set_insert_at(&s->stack_set, slot, h, (uint32_t)s->n_stacks++);
    return 0;
}

enum gorca_status pb_stacks_build(const struct gorca_profile *p, const struct gorca_view_options *o,
                                  struct pb_stacks *s, struct gorca_error *err)
{
    uint32_t *buf = NULL;
    size_t cap = 0;
    enum gorca_status st;

    memset(s, 0, sizeof(*s));
    base_arena_init(&s->arena, 0);
    st = pb_select(p, o, &s->sel, err);
    if (st == GORCA_OK)
        st = build_locations(s, p, &s->sel, err);
    for (size_t i = 0; i < p->n_samples && st == GORCA_OK; i++) {
        const struct gorca_sample *smp = &p->samples[i];
        int64_t w = smp->values[s->sel.value_index], dw = s->sel.mean ? smp->values[0] : 0;
        uint32_t n = 0;

        if (!s->sel.sample_kept[i] || (w == 0 && dw == 0))
            continue;
        for (uint32_t li = smp->n_locs; li-- > 0;) {
            uint32_t loc = smp->locs[li];
            uint32_t a = s->loc_first[loc], b = s->loc_first[loc + 1];

            if (s->sel.loc_hidden[loc])
                continue;
            if (base_grow((void **)&buf, &cap, n + (b - a), sizeof(uint32_t)) != 0) {
                st = GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory");
                break;
            }
            for (uint32_t j = b; j-- > a;)
                buf[n++] = s->loc_names[j];
        }
        if (st == GORCA_OK && add_stack(s, buf, n, w, dw) != 0)
            st = GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory");
    }
    base_free(buf);
    if (st != GORCA_OK)
        pb_stacks_release(s);
    return st;
}

int64_t pb_stack_value(const struct pb_stacks *s, const struct pb_stack *st)
{
    return s->sel.mean && st->div != 0 ? st->value / st->div : st->value;
}

void pb_stacks_release(struct pb_stacks *s)
{
    pb_selection_release(&s->sel);
    base_free(s->names);
    base_free(s->loc_first);
    base_free(s->loc_names);
    base_free(s->stacks);
    base_free(s->frames);
    pb_set_release(&s->name_set);
    pb_set_release(&s->stack_set);
    base_arena_release(&s->arena);
    memset(s, 0, sizeof(*s));
}
