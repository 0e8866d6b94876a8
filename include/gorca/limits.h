/* Limits that travel with every parse, so hostile or runaway input fails with GORCA_E_LIMIT
 * naming the limit instead of exhausting memory. Zero in any field means "use the default". */
#ifndef GORCA_LIMITS_H
#define GORCA_LIMITS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct gorca_limits {
    uint64_t input_bytes;  /* largest input (after decompression) accepted */
    uint64_t arena_bytes;  /* largest total allocation for one parse result */
    uint64_t samples;      /* pprof samples, dump goroutines */
    uint64_t stack_depth;  /* frames in one stack */
    uint64_t string_bytes; /* length of one string */
    uint64_t events;       /* trace events in one generation */
};

/* Fills lim with gorca's defaults (4 GiB input, 16 GiB arena, 1e8 samples, 1e5 frames,
 * 1 MiB strings, 1e9 events). This function can't fail. */
void gorca_limits_default(struct gorca_limits *lim);

/* Returns a copy of *lim (or the defaults when lim is NULL) with every zero field replaced by
 * its default. This function can't fail. */
struct gorca_limits gorca_limits_resolve(const struct gorca_limits *lim);

#ifdef __cplusplus
}
#endif
#endif
