/* The checks fuzz_pprof.c and fuzz_pprof_gz.c run on every input (header-only so that each
 * harness stays one file for the build): parse with tight limits, then on success walk the
 * model, run the top and folded views, and round-trip through the encoder. Any violated
 * property aborts, which libFuzzer and the regression driver report. */
#ifndef GORCA_FUZZ_PPROF_CHECK_H
#define GORCA_FUZZ_PPROF_CHECK_H

#include <stdlib.h>
#include "gorca/profile.h"

#define FUZZ_REQUIRE(c)                                                                      \
    do {                                                                                     \
        if (!(c)) {                                                                          \
            fprintf(stderr, "fuzz property violated: %s (%s:%d)\n", #c, __FILE__, __LINE__); \
            abort();                                                                         \
        }                                                                                    \
    } while (0)

static void fuzz_walk(const struct gorca_profile *p)
{
    for (size_t i = 0; i < p->n_locations; i++) {
        const struct gorca_location *l = &p->locations[i];

        FUZZ_REQUIRE(l->id != 0);
        FUZZ_REQUIRE(l->mapping == NULL ||
                     (l->mapping >= p->mappings && l->mapping < p->mappings + p->n_mappings));
        for (uint32_t j = 0; j < l->n_lines; j++)
            FUZZ_REQUIRE(l->lines[j].function >= p->functions &&
                         l->lines[j].function < p->functions + p->n_functions);
    }
    for (size_t i = 0; i < p->n_samples; i++) {
        const struct gorca_sample *s = &p->samples[i];

        for (uint32_t j = 0; j < s->n_locs; j++)
            FUZZ_REQUIRE(s->locs[j] < p->n_locations);
        for (uint32_t j = 0; j < s->n_labels; j++)
            FUZZ_REQUIRE(s->labels[j].key.len == 0 || s->labels[j].key.ptr != NULL);
        FUZZ_REQUIRE(p->n_sample_types > 0);
        (void)s->values[p->n_sample_types - 1];
    }
    for (size_t i = 0; i < p->n_functions; i++)
        FUZZ_REQUIRE(p->functions[i].id != 0);
}

static void fuzz_views(const struct gorca_profile *p)
{
    struct gorca_error err;
    struct gorca_top *t = NULL;
    struct gorca_top_options o;
    struct gorca_buf b;
    size_t neg;

    gorca_top_options_init(&o);
    o.nodecount = 20;
    gorca_error_init(&err, NULL);
    if (gorca_profile_top(p, &o, &t, &err) == GORCA_OK) {
        gorca_buf_init(&b, 1 << 24);
        gorca_top_render_text(t, &b);
        gorca_top_render_json(t, &b);
        gorca_buf_release(&b);
        gorca_top_free(t);
    } else {
        FUZZ_REQUIRE(err.code == GORCA_E_ARG || err.code == GORCA_E_NOMEM ||
                     err.code == GORCA_E_UNSUPPORTED);
    }
    gorca_buf_init(&b, 1 << 24);
    gorca_error_init(&err, NULL);
    if (gorca_profile_folded(p, NULL, &b, &neg, &err) != GORCA_OK)
        FUZZ_REQUIRE(err.code == GORCA_E_ARG || err.code == GORCA_E_NOMEM ||
                     err.code == GORCA_E_LIMIT || err.code == GORCA_E_UNSUPPORTED);
    gorca_buf_release(&b);
}

static void fuzz_round_trip(const struct gorca_profile *p)
{
    struct gorca_error err;
    struct gorca_buf b;
    struct gorca_profile *q = NULL;

    gorca_buf_init(&b, 0);
    gorca_error_init(&err, NULL);
    FUZZ_REQUIRE(gorca_profile_encode(p, 0, &b, &err) == GORCA_OK);
    gorca_error_init(&err, NULL);
    FUZZ_REQUIRE(gorca_profile_parse((const uint8_t *)b.data, b.len, NULL, &q, &err) == GORCA_OK);
    FUZZ_REQUIRE(q->n_samples == p->n_samples && q->n_locations == p->n_locations &&
                 q->n_functions == p->n_functions && q->n_mappings == p->n_mappings &&
                 q->n_sample_types == p->n_sample_types && q->time_nanos == p->time_nanos);
    for (size_t i = 0; i < p->n_samples; i++) {
        FUZZ_REQUIRE(q->samples[i].n_locs == p->samples[i].n_locs);
        for (size_t j = 0; j < p->n_sample_types; j++)
            FUZZ_REQUIRE(q->samples[i].values[j] == p->samples[i].values[j]);
    }
    gorca_profile_free(q);
    gorca_buf_release(&b);
}

static void fuzz_check_profile(const uint8_t *data, size_t size)
{
    struct gorca_limits lim = { 0 };
    struct gorca_profile *p = NULL;
    struct gorca_error err;
    enum gorca_status st;

    lim.input_bytes = 4 << 20;
    lim.arena_bytes = 256 << 20;
    lim.samples = 100000;
    lim.stack_depth = 4096;
    lim.string_bytes = 1 << 16;
    gorca_error_init(&err, "fuzz");
    st = gorca_profile_parse(data, size, &lim, &p, &err);
    if (st != GORCA_OK) {
        FUZZ_REQUIRE(p == NULL);
        FUZZ_REQUIRE(st == err.code);
        FUZZ_REQUIRE(st == GORCA_E_TRUNCATED || st == GORCA_E_MALFORMED ||
                     st == GORCA_E_UNSUPPORTED || st == GORCA_E_LIMIT || st == GORCA_E_NOMEM);
        /* Offsets are into the input, or into the inflated data for gzip input. */
        FUZZ_REQUIRE(!err.has_offset || err.offset <= size || (size >= 2 && data[0] == 0x1f));
        return;
    }
    fuzz_walk(p);
    fuzz_views(p);
    fuzz_round_trip(p);
    gorca_profile_free(p);
}

#endif
