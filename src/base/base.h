/* Private base layer shared by every libgorca module: arena allocator, small helpers and the
 * allocation hooks tests use to fail allocations on purpose. Depends on nothing else. */
#ifndef GORCA_BASE_H
#define GORCA_BASE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "gorca/error.h"
#include "gorca/limits.h"
#include "gorca/buf.h"

/* ---- allocation -------------------------------------------------------------------------
 * Every allocation in libgorca goes through these, so tests can fail the Nth allocation
 * (base_fail_after) and count live blocks. */
void *base_malloc(size_t n);
void *base_calloc(size_t n, size_t size);
void *base_realloc(void *p, size_t n);
void base_free(void *p);
/* Test hook: the (n+1)th allocation from now fails; n < 0 disables. */
void base_fail_after(long n);
/* Number of allocations made through base_* (never decremented). */
unsigned long base_alloc_count(void);

/* Grows *arr (element size elem) so it can hold at least need elements; *cap is updated.
 * Returns 0 or -1 on overflow/allocation failure (arr unchanged). */
int base_grow(void **arr, size_t *cap, size_t need, size_t elem);

/* ---- arena ------------------------------------------------------------------------------
 * Bump allocator owning a parse result: everything hangs off it and one base_arena_release
 * frees all. Allocations are 16-byte aligned. total is capped by max_bytes (0 = unlimited). */
struct base_arena_block;
struct base_arena {
    struct base_arena_block *head; /* newest block first; owned */
    uint8_t *p, *end;              /* free space in the head block */
    uint64_t total;                /* bytes requested from malloc so far */
    uint64_t max_bytes;            /* limit on total; 0 = unlimited */
};

void base_arena_init(struct base_arena *a, uint64_t max_bytes);
void base_arena_release(struct base_arena *a);
/* Returns n bytes (uninitialised) or NULL when out of memory or over the limit. */
void *base_arena_alloc(struct base_arena *a, size_t n);
void *base_arena_zalloc(struct base_arena *a, size_t n);
/* Copies s[0..n) into the arena with a trailing NUL. NULL on failure. */
char *base_arena_strndup(struct base_arena *a, const char *s, size_t n);

/* ---- misc -------------------------------------------------------------------------------*/
#define BASE_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define BASE_MIN(a, b) ((a) < (b) ? (a) : (b))
#define BASE_MAX(a, b) ((a) > (b) ? (a) : (b))

/* FNV-1a 64-bit hash of n bytes. This function can't fail. */
uint64_t base_hash_bytes(const void *p, size_t n, uint64_t seed);
/* Mixes a 64-bit integer into a well-distributed hash. This function can't fail. */
uint64_t base_hash_u64(uint64_t x);

#endif
