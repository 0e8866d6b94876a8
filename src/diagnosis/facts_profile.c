/* Facts from pprof profiles (profile.proto, decoded by src/pprof): CPU samples, block and
 * mutex contention stacks, allocation sites and in-use heap. Each sample becomes one
 * observation with its stack expanded through inlined frames (leaf first); a profile's
 * locations are interned once and shared by its samples. Goroutine profiles are goroutine
 * dumps without states and go to facts_dump.c; threadcreate profiles carry no evidence. */
#include <stdio.h>
#include <stdlib.h>
#include "diag_int.h"
#include "gorca/profile.h"

struct loc_cache {
    const struct dg_frame **frames; /* per location: its lines, innermost first */
    uint32_t *off;                  /* start of location i in frames; off[n] = total */
};

static int cache_build(struct dg_ctx *ctx, const struct gorca_profile *p, struct loc_cache *c)
{
    size_t i, total = 0, k = 0;

    c->off = base_calloc(p->n_locations + 1, sizeof(*c->off));
    if (c->off == NULL)
        goto oom;
    for (i = 0; i < p->n_locations; i++)
        total += p->locations[i].n_lines ? p->locations[i].n_lines : 1;
    c->frames = base_calloc(total ? total : 1, sizeof(*c->frames));
    if (c->frames == NULL)
        goto oom;
    for (i = 0; i < p->n_locations; i++) {
        const struct gorca_location *l = &p->locations[i];
        uint32_t j;

        c->off[i] = (uint32_t)k;
        if (l->n_lines == 0) {
            char addr[32];
            snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)l->address);
            c->frames[k++] = dg_frame(ctx, addr, strlen(addr), NULL, 0, 0);
            continue;
        }
        for (j = 0; j < l->n_lines; j++) {
            const struct gorca_line *ln = &l->lines[j];
            c->frames[k++] =
                dg_frame(ctx, ln->function->name.ptr, ln->function->name.len,
                         ln->function->filename.ptr, ln->function->filename.len, ln->line);
        }
    }
    c->off[p->n_locations] = (uint32_t)k;
    return ctx->oom ? -1 : 0;
oom:
    ctx->oom = 1;
    return -1;
}

static void cache_release(struct loc_cache *c)
{
    base_free(c->frames);
    base_free(c->off);
}

/* The stack of sample s as interned frames (arena). */
static int sample_stack(struct dg_ctx *ctx, const struct gorca_sample *s, const struct loc_cache *c,
                        struct dg_stack *out)
{
    const struct dg_frame *buf[256], **f = buf;
    uint32_t i, n = 0, total = 0;
    int rc;

    for (i = 0; i < s->n_locs; i++)
        total += c->off[s->locs[i] + 1] - c->off[s->locs[i]];
    if (total == 0)
        return dg_stack_make(ctx, NULL, 0, out);
    if (total > BASE_ARRAY_LEN(buf)) {
        f = base_malloc(total * sizeof(*f));
        if (f == NULL) {
            ctx->oom = 1;
            return -1;
        }
    }
    for (i = 0; i < s->n_locs; i++) {
        uint32_t a = c->off[s->locs[i]], b = c->off[s->locs[i] + 1];
        while (a < b)
            f[n++] = c->frames[a++];
    }
    rc = dg_stack_make(ctx, f, n, out);
    if (f != buf)
        base_free(f);
    return rc;
}

static size_t column(const struct gorca_profile *p, const char *type)
{
    size_t i;

    for (i = 0; i < p->n_sample_types; i++)
        if (gorca_strv_eq(p->sample_types[i].type, type))
            return i;
    return p->n_sample_types;
}

/* Adds one observation per sample with weight = column `wcol` and count = column `ccol`. */
static void add_samples(struct dg_ctx *ctx, const struct gorca_profile *p, const char *input,
                        enum dg_src src, size_t wcol, size_t ccol, struct dg_obsv *into,
                        double *total)
{
    struct loc_cache c = { NULL, NULL };
    size_t i;

    if (cache_build(ctx, p, &c) != 0)
        goto out;
    for (i = 0; i < p->n_samples && !ctx->oom; i++) {
        const struct gorca_sample *s = &p->samples[i];
        struct dg_obs o;
        int64_t w = s->values[wcol];

        if (w <= 0)
            continue;
        dg_obs_init(&o);
        if (sample_stack(ctx, s, &c, &o.st) != 0)
            break;
        o.src = (uint8_t)src;
        o.weight = (double)w;
        o.count = ccol < p->n_sample_types && s->values[ccol] > 0 ? (uint64_t)s->values[ccol] : 1;
        o.input = input;
        o.cls = src == DG_SRC_CPU ? DG_RUNNING : (uint8_t)dg_sync_class(&o.st);
        *total += (double)w;
        dg_obs_push(ctx, into, &o);
    }
out:
    cache_release(&c);
}

static const char *const capture_frames[] = { "runtime/trace.",       "runtime/pprof.",
                                              "net/http/pprof.",      "runtime.StartTrace",
                                              "runtime.traceAdvance", NULL };

/* Allocation sites: the innermost user frame of every sample, by bytes. */
static void add_alloc_sites(struct dg_ctx *ctx, const struct gorca_profile *p, const char *input,
                            size_t col)
{
    struct loc_cache c = { NULL, NULL };
    struct dg_tallyv t = { NULL, 0, 0 };
    size_t i;

    if (cache_build(ctx, p, &c) != 0)
        goto out;
    for (i = 0; i < p->n_samples; i++) {
        const struct gorca_sample *s = &p->samples[i];
        const struct dg_frame *site = NULL;
        struct dg_stack st;
        int k, h;

        if (s->values[col] <= 0 || sample_stack(ctx, s, &c, &st) != 0)
            continue;
        /* The capture's own allocations (trace buffers, profile encoding) are not the
         * service's; the site is the innermost user frame, else the innermost outside the
         * runtime. */
        if (dg_request_of(&st, &h) == DG_REQ_DEBUG || dg_find_prefix(&st, 0, capture_frames) >= 0)
            continue;
        k = dg_first_user(&st, 0);
        for (h = 0; k < 0 && h < (int)st.n; h++)
            if (!dg_is_runtime(st.f[h]->func))
                k = h;
        if (k < 0)
            continue;
        site = st.f[k];
        dg_tally_add(ctx, &t, site, (double)s->values[col], 1);
        ctx->pf.alloc_total_bytes += (double)s->values[col];
    }
    dg_tally_sort(&t);
    ctx->pf.n_alloc = t.n < 16 ? t.n : 16;
    ctx->pf.alloc = dg_alloc(ctx, (ctx->pf.n_alloc ? ctx->pf.n_alloc : 1) * sizeof(*ctx->pf.alloc));
    if (ctx->pf.alloc == NULL) {
        ctx->pf.n_alloc = 0;
        goto out;
    }
    for (i = 0; i < ctx->pf.n_alloc; i++) {
        ctx->pf.alloc[i].f = t.v[i].key;
        ctx->pf.alloc[i].value = t.v[i].w;
    }
    ctx->pf.alloc_input = input;
out:
    dg_tally_release(&t);
    cache_release(&c);
}

static int64_t column_sum(const struct gorca_profile *p, size_t col)
{
    int64_t s = 0;
    size_t i;

    for (i = 0; i < p->n_samples; i++)
        s += p->samples[i].values[col];
    return s;
}

void dg_facts_profile(struct dg_ctx *ctx, struct gorca_diag_input *in,
                      const struct gorca_bundle_file *bf)
{
    struct gorca_profile *p = NULL;
    struct gorca_profile_class cls;
    struct gorca_error err;
    char text[320];

    gorca_error_init(&err, bf->path);
    if (gorca_profile_read_file(bf->path, &ctx->cfg->limits, &p, &err) != GORCA_OK) {
        gorca_error_format(&err, text, sizeof(text));
        in->status = GORCA_DIAG_INPUT_FAILED;
        in->code = err.code;
        in->error = dg_cstr(ctx, text);
        return;
    }
    gorca_profile_classify(p, &cls);
    in->kind = cls.allocs ? "allocs" : cls.kind_name;
    switch (cls.kind) {
    case GORCA_PROFILE_CPU: {
        size_t w = column(p, "cpu"), c = column(p, "samples");
        if (w == p->n_sample_types)
            goto ignored;
        if (ctx->pf.cpu_input == NULL)
            ctx->pf.cpu_input = in->name;
        add_samples(ctx, p, in->name, DG_SRC_CPU, w, c, &ctx->pf.cpu, &ctx->pf.cpu_total_ns);
        ctx->pf.cpu_duration_ns += p->duration_nanos;
        in->detail =
            dg_printf(ctx, "CPU profile, %s of CPU over %s", dg_dur(ctx, (double)column_sum(p, w)),
                      dg_dur(ctx, (double)p->duration_nanos));
        ctx->sum.has_cpu = 1;
        break;
    }
    case GORCA_PROFILE_BLOCK:
    case GORCA_PROFILE_MUTEX:
    case GORCA_PROFILE_CONTENTION: {
        size_t w = column(p, "delay"), c = column(p, "contentions");
        int mutex = cls.kind == GORCA_PROFILE_MUTEX ||
                    (bf->kind == GORCA_INPUT_MUTEX && cls.kind == GORCA_PROFILE_CONTENTION);
        if (w == p->n_sample_types)
            goto ignored;
        if (cls.has_negative) {
            /* A cumulative snapshot pair subtracted badly, or a -base result: unusable. */
            in->detail = "contention profile with negative values; not used";
            goto ignored;
        }
        if (mutex) {
            ctx->pf.mutex_input = in->name;
            add_samples(ctx, p, in->name, DG_SRC_MUTEX, w, c, &ctx->pf.mutex,
                        &ctx->pf.mutex_total_ns);
            ctx->sum.has_mutex = 1;
            in->kind = "mutex";
        } else {
            ctx->pf.block_input = in->name;
            add_samples(ctx, p, in->name, DG_SRC_BLOCK, w, c, &ctx->pf.block,
                        &ctx->pf.block_total_ns);
            ctx->sum.has_block = 1;
            in->kind = "block";
        }
        in->detail = dg_printf(ctx, "%s profile, %s of delay%s", in->kind,
                               dg_dur(ctx, (double)column_sum(p, w)),
                               cls.delta ? " over the capture window" : " since process start");
        break;
    }
    case GORCA_PROFILE_HEAP: {
        size_t a = column(p, "alloc_space"), u = column(p, "inuse_space");
        if (a < p->n_sample_types && (cls.allocs || ctx->pf.alloc_input == NULL))
            add_alloc_sites(ctx, p, in->name, a);
        if (u < p->n_sample_types && !cls.allocs)
            ctx->pf.heap_inuse_bytes = column_sum(p, u);
        ctx->sum.has_heap = 1;
        in->detail = dg_printf(ctx, "%s profile, %.1f MB allocated since start, %.1f MB in use",
                               cls.allocs ? "allocs" : "heap",
                               a < p->n_sample_types ? (double)column_sum(p, a) / 1e6 : 0.0,
                               u < p->n_sample_types ? (double)column_sum(p, u) / 1e6 : 0.0);
        break;
    }
    case GORCA_PROFILE_GOROUTINE:
        gorca_profile_free(p);
        in->kind = "goroutine";
        if (ctx->dm.have_states || ctx->dm.have_counts) {
            in->status = GORCA_DIAG_INPUT_IGNORED;
            in->detail = "goroutine profile: the goroutine dumps already list these goroutines";
            return;
        }
        dg_facts_dump(ctx, in, bf);
        return;
    default:
        goto ignored;
    }
    in->status = GORCA_DIAG_INPUT_USED;
    gorca_profile_free(p);
    return;
ignored:
    in->status = GORCA_DIAG_INPUT_IGNORED;
    if (in->detail == NULL)
        in->detail = dg_printf(ctx, "%s profile: no rule uses it", cls.kind_name);
    gorca_profile_free(p);
}
