/* Default parse limits (include/gorca/limits.h). */
#include "base.h"

void gorca_limits_default(struct gorca_limits *lim)
{
    lim->input_bytes = 4ULL << 30;
    lim->arena_bytes = 16ULL << 30;
    lim->samples = 100000000ULL;
    lim->stack_depth = 100000ULL;
    lim->string_bytes = 1ULL << 20;
    lim->events = 1000000000ULL;
}

struct gorca_limits gorca_limits_resolve(const struct gorca_limits *lim)
{
    struct gorca_limits d, r;

    gorca_limits_default(&d);
    if (lim == NULL)
        return d;
    r = *lim;
    if (r.input_bytes == 0)
        r.input_bytes = d.input_bytes;
    if (r.arena_bytes == 0)
        r.arena_bytes = d.arena_bytes;
    if (r.samples == 0)
        r.samples = d.samples;
    if (r.stack_depth == 0)
        r.stack_depth = d.stack_depth;
    if (r.string_bytes == 0)
        r.string_bytes = d.string_bytes;
    if (r.events == 0)
        r.events = d.events;
    return r;
}
