/* libFuzzer harness for the goroutine-dump parser (gorca_dump_parse: debug=2, crash logs,
 * debug=1) and, for input that is not text, the goroutine-profile mapping
 * (gorca_profile_parse + gorca_dump_from_profile). Property: never crashes, leaks or reads out of
 * bounds; an error's offset lies inside the input; a returned dump is consistent (group counts add
 * up to the goroutine count, members point back to their group, every listed goroutine is found by
 * id) and compares with itself without growth. Tight limits keep runs fast and exercise the limit
 * paths. */
#include <stdlib.h>
#include <string.h>
#include "gorca/dump.h"
#include "gorca/profile.h"

static void check(int ok)
{
    if (!ok)
        abort();
}

static void walk(const struct gorca_dump *d)
{
    uint64_t sum = 0, classes = 0;

    for (size_t i = 0; i < d->n_groups; i++) {
        const struct gorca_dump_group *g = &d->groups[i];

        sum += g->count;
        check(g->index == i && g->reason != NULL && g->stack != NULL);
        for (uint32_t k = 0; k < g->stack->n_frames; k++)
            check(g->stack->frames[k]->func != NULL && g->stack->frames[k]->file != NULL);
        for (uint64_t k = 0; g->members && k < g->count; k++)
            check(g->members[k]->group == g);
    }
    for (int c = 0; c < GORCA_WAIT_N_CLASSES; c++)
        classes += d->class_totals[c];
    check(sum == d->n_goroutines && classes == sum);
    for (size_t i = 0; i < d->n_listed; i++) {
        const struct gorca_goroutine *g = gorca_dump_find(d, d->goroutines[i].id);

        check(g != NULL && g->id == d->goroutines[i].id);
        for (const struct gorca_goroutine *c = g->first_child; c; c = c->next_sibling)
            check(c->parent == g);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gorca_limits lim = { 0 };
    struct gorca_error err;
    struct gorca_dump *d = NULL;
    struct gorca_dump_diff *diff = NULL;
    enum gorca_status st;

    lim.input_bytes = 1 << 20;
    lim.arena_bytes = 64 << 20;
    lim.samples = 10000;
    lim.stack_depth = 500;
    lim.string_bytes = 4096;
    gorca_error_init(&err, "fuzz");
    st = gorca_dump_parse(data, size, "fuzz", &lim, &d, &err);
    check((st == GORCA_OK || st == GORCA_E_TRUNCATED) == (d != NULL));
    check(st == GORCA_OK || !err.has_offset || err.offset <= size);
    if (st == GORCA_E_UNSUPPORTED) {
        struct gorca_profile *p = NULL;

        gorca_error_init(&err, "fuzz");
        if (gorca_profile_parse(data, size, &lim, &p, &err) == GORCA_OK) {
            gorca_error_init(&err, "fuzz");
            st = gorca_dump_from_profile(p, "fuzz", &lim, &d, &err);
            check((st == GORCA_OK) == (d != NULL));
        }
        gorca_profile_free(p);
    }
    if (d == NULL)
        return 0;
    walk(d);
    if (gorca_dump_compare(d, d, &diff, &err) == GORCA_OK) {
        for (size_t i = 0; i < diff->n_deltas; i++)
            check(diff->deltas[i].delta == 0);
        gorca_dump_diff_free(diff);
    }
    gorca_dump_free(d);
    return 0;
}
