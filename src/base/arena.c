/* Bump-pointer arena: a parse result allocates everything here and frees it all at once.
 * Blocks grow geometrically (64 KiB .. 64 MiB); oversized requests get their own block. */
#include "base.h"

struct base_arena_block {
    struct base_arena_block *next;
    size_t size; /* usable bytes after the header */
    /* data follows, 16-byte aligned */
};

#define HDR ((sizeof(struct base_arena_block) + 15) & ~(size_t)15)

void base_arena_init(struct base_arena *a, uint64_t max_bytes)
{
    a->head = NULL;
    a->p = a->end = NULL;
    a->total = 0;
    a->max_bytes = max_bytes;
}

void base_arena_release(struct base_arena *a)
{
    struct base_arena_block *b = a->head, *next;

    while (b) {
        next = b->next;
        base_free(b);
        b = next;
    }
    base_arena_init(a, a->max_bytes);
}

static int new_block(struct base_arena *a, size_t need)
{
    size_t size = a->head ? a->head->size * 2 : (size_t)64 << 10;
    struct base_arena_block *b;

    if (size > ((size_t)64 << 20))
        size = (size_t)64 << 20;
    if (size < need)
        size = need;
    if (size > SIZE_MAX - HDR)
        return -1;
    if (a->max_bytes && a->total + size + HDR > a->max_bytes) {
        if (a->total + need + HDR > a->max_bytes)
            return -1;
        size = need;
    }
    b = base_malloc(HDR + size);
    if (b == NULL)
        return -1;
    b->size = size;
    b->next = a->head;
    a->head = b;
    a->p = (uint8_t *)b + HDR;
    a->end = a->p + size;
    a->total += HDR + size;
    return 0;
}

void *base_arena_alloc(struct base_arena *a, size_t n)
{
    size_t need = (n + 15) & ~(size_t)15;
    void *r;

    if (need < n)
        return NULL;
    if (need == 0)
        need = 16;
    if (a->p == NULL || (size_t)(a->end - a->p) < need) {
        if (new_block(a, need) != 0)
            return NULL;
    }
    r = a->p;
    a->p += need;
    return r;
}

void *base_arena_zalloc(struct base_arena *a, size_t n)
{
    void *r = base_arena_alloc(a, n);

    if (r)
        memset(r, 0, n);
    return r;
}

char *base_arena_strndup(struct base_arena *a, const char *s, size_t n)
{
    char *r;

    if (n == SIZE_MAX)
        return NULL;
    r = base_arena_alloc(a, n + 1);
    if (r == NULL)
        return NULL;
    if (n)
        memcpy(r, s, n);
    r[n] = '\0';
    return r;
}
