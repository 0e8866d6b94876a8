/* Folded stacks, the input format of flamegraph.pl, inferno and speedscope (pprof-formats.md
 * §7.1): "root;caller;...;leaf VALUE" per distinct stack, lines sorted by their text. Frame
 * names lose what the format cannot carry: ';' becomes ',' and whitespace '_'. Empty stacks
 * and stacks whose sum is zero are left out; negative sums (deltas, -base) are counted and
 * left out too, since the format has no negative widths. */
#include <stdlib.h>
#include "pprof_int.h"

static char clean(char c)
{
    if (c == ';')
        return ',';
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f')
        return '_';
    return c;
}

/* Orders two stacks as their folded text would sort (bytewise, ';' between frames). */
static int cmp_stacks(const void *a, const void *b, void *ctx)
{
    const struct pb_stacks *s = ctx;
    const struct pb_stack *x = &s->stacks[*(const uint32_t *)a];
    const struct pb_stack *y = &s->stacks[*(const uint32_t *)b];
    uint32_t i = 0, j = 0;
    const char *p = x->n ? s->names[s->frames[x->off]] : "";
    const char *q = y->n ? s->names[s->frames[y->off]] : "";

    for (;;) {
        int cp, cq;

        /* Next character of each stream: name bytes, ';' at a frame end, -1 at the end. */
        if (*p)
            cp = (unsigned char)clean(*p);
        else
            cp = i + 1 < x->n ? ';' : -1;
        if (*q)
            cq = (unsigned char)clean(*q);
        else
            cq = j + 1 < y->n ? ';' : -1;
        if (cp != cq)
            return cp < cq ? -1 : 1;
        if (cp == -1)
            return 0;
        if (*p)
            p++;
        else
            p = s->names[s->frames[x->off + ++i]];
        if (*q)
            q++;
        else
            q = s->names[s->frames[y->off + ++j]];
    }
}

enum gorca_status gorca_profile_folded(const struct gorca_profile *p,
                                       const struct gorca_view_options *o, struct gorca_buf *out,
                                       size_t *n_negative, struct gorca_error *err)
{
    struct pb_stacks s;
    uint32_t *order;
    size_t n = 0, neg = 0;
    enum gorca_status st = pb_stacks_build(p, o, &s, err);

    if (st != GORCA_OK)
        return st;
    order = base_malloc((s.n_stacks + 1) * sizeof(uint32_t));
    if (order == NULL) {
        pb_stacks_release(&s);
        return GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory");
    }
    for (size_t i = 0; i < s.n_stacks; i++) {
        int64_t v = pb_stack_value(&s, &s.stacks[i]);

        if (s.stacks[i].n == 0 || v == 0)
            continue;
        if (v < 0) {
            neg++;
            continue;
        }
        order[n++] = (uint32_t)i;
    }
    qsort_r(order, n, sizeof(*order), cmp_stacks, &s);
    for (size_t k = 0; k < n && !out->failed; k++) {
        const struct pb_stack *x = &s.stacks[order[k]];

        for (uint32_t i = 0; i < x->n; i++) {
            const char *name = s.names[s.frames[x->off + i]];
            size_t len = strlen(name), start = out->len;

            if (i)
                gorca_buf_putc(out, ';');
            start = out->len;
            gorca_buf_append(out, name, len);
            for (size_t c = start; c < out->len && !out->failed; c++)
                out->data[c] = clean(out->data[c]);
        }
        gorca_buf_printf(out, " %lld\n", (long long)pb_stack_value(&s, x));
    }
    base_free(order);
    pb_stacks_release(&s);
    if (n_negative)
        *n_negative = neg;
    return gorca_buf_status(out, err);
}
