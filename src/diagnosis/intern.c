/* Interning and small containers of the diagnosis context: strings and frames are copied into
 * the context's arena once, so every fact can outlive the reader that produced it and
 * functions compare by pointer. Open-addressing tables (malloc'd, rehashed at 1/2 load);
 * growable vectors of observations and tallies. Allocation failure sets ctx->oom and makes
 * later calls return NULL/no-ops; the driver reports GORCA_E_NOMEM once at the end. */
#include <stdio.h>
#include <stdlib.h>
#include "diag_int.h"

struct dg_intern {
    const void **slot; /* interned objects (char * or struct dg_frame *) */
    size_t cap;        /* power of two */
    size_t n;
};

static struct dg_intern *table_new(void)
{
    struct dg_intern *t = base_calloc(1, sizeof(*t));

    if (t == NULL)
        return NULL;
    t->cap = 1024;
    t->slot = base_calloc(t->cap, sizeof(*t->slot));
    if (t->slot == NULL) {
        base_free(t);
        return NULL;
    }
    return t;
}

static void table_free(struct dg_intern *t)
{
    if (t == NULL)
        return;
    base_free(t->slot);
    base_free(t);
}

int dg_intern_init(struct dg_ctx *ctx)
{
    ctx->strs = table_new();
    ctx->frames = table_new();
    if (ctx->strs == NULL || ctx->frames == NULL) {
        ctx->oom = 1;
        return -1;
    }
    return 0;
}

void dg_intern_release(struct dg_ctx *ctx)
{
    table_free(ctx->strs);
    table_free(ctx->frames);
    ctx->strs = ctx->frames = NULL;
}

static uint64_t str_hash(const char *s, size_t n)
{
    return base_hash_bytes(s, n, 0x9e3779b97f4a7c15ull);
}

static uint64_t frame_hash(const struct dg_frame *f)
{
    /* func and file are interned: their addresses identify them. */
    uint64_t h = base_hash_u64((uint64_t)(uintptr_t)f->func);

    h = base_hash_u64(h ^ (uint64_t)(uintptr_t)f->file);
    return base_hash_u64(h ^ (uint64_t)f->line);
}

/* Doubles t; returns -1 on allocation failure (t unchanged). hash recomputes an object's
 * hash from the object. */
static int table_grow(struct dg_intern *t, int is_frame)
{
    size_t cap = t->cap * 2, i;
    const void **slot = base_calloc(cap, sizeof(*slot));

    if (slot == NULL)
        return -1;
    for (i = 0; i < t->cap; i++) {
        const void *o = t->slot[i];
        uint64_t h;
        size_t j;

        if (o == NULL)
            continue;
        h = is_frame ? frame_hash(o) : str_hash(o, strlen(o));
        for (j = h & (cap - 1); slot[j] != NULL; j = (j + 1) & (cap - 1)) {
        }
        slot[j] = o;
    }
    base_free(t->slot);
    t->slot = slot;
    t->cap = cap;
    return 0;
}

const char *dg_str(struct dg_ctx *ctx, const char *s, size_t n)
{
    struct dg_intern *t = ctx->strs;
    uint64_t h;
    size_t j;
    char *copy;

    if (ctx->oom || t == NULL)
        return NULL;
    if (s == NULL)
        s = "", n = 0;
    if (2 * (t->n + 1) > t->cap && table_grow(t, 0) != 0) {
        ctx->oom = 1;
        return NULL;
    }
    h = str_hash(s, n);
    for (j = h & (t->cap - 1); t->slot[j] != NULL; j = (j + 1) & (t->cap - 1)) {
        const char *o = t->slot[j];
        if (strncmp(o, s, n) == 0 && o[n] == '\0')
            return o;
    }
    copy = base_arena_strndup(&ctx->arena, s, n);
    if (copy == NULL) {
        ctx->oom = 1;
        return NULL;
    }
    t->slot[j] = copy;
    t->n++;
    return copy;
}

const char *dg_cstr(struct dg_ctx *ctx, const char *s)
{
    return dg_str(ctx, s, s ? strlen(s) : 0);
}

const struct dg_frame *dg_frame(struct dg_ctx *ctx, const char *func, size_t func_len,
                                const char *file, size_t file_len, int64_t line)
{
    struct dg_intern *t = ctx->frames;
    struct dg_frame key, *f;
    uint64_t h;
    size_t j;

    key.func = dg_str(ctx, func, func ? func_len : 0);
    key.file = dg_str(ctx, file, file ? file_len : 0);
    key.line = line;
    if (key.func == NULL || key.file == NULL || t == NULL)
        return NULL;
    if (2 * (t->n + 1) > t->cap && table_grow(t, 1) != 0) {
        ctx->oom = 1;
        return NULL;
    }
    h = frame_hash(&key);
    for (j = h & (t->cap - 1); t->slot[j] != NULL; j = (j + 1) & (t->cap - 1)) {
        const struct dg_frame *o = t->slot[j];
        if (o->func == key.func && o->file == key.file && o->line == key.line)
            return o;
    }
    f = base_arena_alloc(&ctx->arena, sizeof(*f));
    if (f == NULL) {
        ctx->oom = 1;
        return NULL;
    }
    *f = key;
    t->slot[j] = f;
    t->n++;
    return f;
}

int dg_stack_make(struct dg_ctx *ctx, const struct dg_frame *const *f, uint32_t n,
                  struct dg_stack *out)
{
    const struct dg_frame **copy = NULL;

    out->f = NULL;
    out->n = 0;
    if (n > 0) {
        copy = dg_alloc(ctx, (size_t)n * sizeof(*copy));
        if (copy == NULL)
            return -1;
        memcpy(copy, f, (size_t)n * sizeof(*copy));
    }
    out->f = copy;
    out->n = n;
    return 0;
}

void *dg_alloc(struct dg_ctx *ctx, size_t n)
{
    void *p;

    if (ctx->oom)
        return NULL;
    p = base_arena_zalloc(&ctx->arena, n ? n : 1);
    if (p == NULL)
        ctx->oom = 1;
    return p;
}

char *dg_vprintf(struct dg_ctx *ctx, const char *fmt, va_list ap)
{
    va_list ap2;
    int n;
    char *s;

    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return NULL;
    s = dg_alloc(ctx, (size_t)n + 1);
    if (s == NULL)
        return NULL;
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

char *dg_printf(struct dg_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = dg_vprintf(ctx, fmt, ap);
    va_end(ap);
    return s;
}

void dg_note(struct dg_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    char *s;
    size_t i;

    va_start(ap, fmt);
    s = dg_vprintf(ctx, fmt, ap);
    va_end(ap);
    if (s == NULL)
        return;
    for (i = 0; i < ctx->n_notes; i++)
        if (strcmp(ctx->notes[i], s) == 0)
            return;
    if (base_grow((void **)&ctx->notes, &ctx->cap_notes, ctx->n_notes + 1, sizeof(*ctx->notes)) !=
        0) {
        ctx->oom = 1;
        return;
    }
    ctx->notes[ctx->n_notes++] = s;
}

/* ---- observations and tallies ----------------------------------------------------------- */

void dg_obs_init(struct dg_obs *o)
{
    memset(o, 0, sizeof(*o));
    o->cause = -1;
    o->handler = -1;
    o->site = -1;
    o->minutes = -1;
    o->timer_woken = -1;
    o->reason = "";
}

int dg_obs_push(struct dg_ctx *ctx, struct dg_obsv *v, const struct dg_obs *o)
{
    if (ctx->oom)
        return -1;
    if (base_grow((void **)&v->v, &v->cap, v->n + 1, sizeof(*v->v)) != 0) {
        ctx->oom = 1;
        return -1;
    }
    v->v[v->n++] = *o;
    return 0;
}

void dg_obsv_release(struct dg_obsv *v)
{
    base_free(v->v);
    v->v = NULL;
    v->n = v->cap = 0;
}

void dg_tally_add(struct dg_ctx *ctx, struct dg_tallyv *t, const void *key, double w, uint64_t n)
{
    dg_tally_addf(ctx, t, key, NULL, w, n);
}

void dg_tally_addf(struct dg_ctx *ctx, struct dg_tallyv *t, const void *key,
                   const struct dg_frame *frame, double w, uint64_t n)
{
    size_t i;

    for (i = 0; i < t->n; i++) {
        if (t->v[i].key == key) {
            t->v[i].w += w;
            t->v[i].n += n;
            return;
        }
    }
    if (base_grow((void **)&t->v, &t->cap, t->n + 1, sizeof(*t->v)) != 0) {
        ctx->oom = 1;
        return;
    }
    t->v[t->n].key = key;
    t->v[t->n].w = w;
    t->v[t->n].n = n;
    t->v[t->n].frame = frame;
    t->n++;
}

static int cmp_tally(const void *a, const void *b)
{
    const struct dg_tally *x = a, *y = b;

    if (x->w != y->w)
        return x->w > y->w ? -1 : 1;
    if (x->n != y->n)
        return x->n > y->n ? -1 : 1;
    return 0;
}

void dg_tally_sort(struct dg_tallyv *t)
{
    if (t->n > 1)
        qsort(t->v, t->n, sizeof(*t->v), cmp_tally);
}

double dg_tally_sum(const struct dg_tallyv *t)
{
    double s = 0;
    size_t i;

    for (i = 0; i < t->n; i++)
        s += t->v[i].w;
    return s;
}

void dg_tally_release(struct dg_tallyv *t)
{
    base_free(t->v);
    t->v = NULL;
    t->n = t->cap = 0;
}
