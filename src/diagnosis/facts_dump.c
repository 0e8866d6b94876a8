/* Facts from goroutine dumps (src/dump): the goroutines of a debug=2 dump or a crash log, one
 * observation per group of identical stack and wait state (weight = goroutines), with the
 * longest wait in minutes and the go statement that created them; and growth between two
 * count dumps of the same process (goroutine?debug=1 in the middle and at the end of a capture
 * window, or any two dumps given in that order). A goroutine profile (debug=0) counts the
 * same way. Dumps are a snapshot: their shares estimate where request time goes (Little's
 * law), not how long it takes. */
#include <stdio.h>
#include "diag_int.h"
#include "gorca/dump.h"

static uint8_t class_of(const struct gorca_dump_group *g, const struct dg_stack *st)
{
    switch (g->wait_class) {
    case GORCA_WAIT_RUNNING:
        return DG_RUNNING;
    case GORCA_WAIT_RUNNABLE:
        return DG_RUNNABLE;
    case GORCA_WAIT_NETWORK:
        return DG_NET;
    case GORCA_WAIT_CHANNEL:
        return DG_CHAN;
    case GORCA_WAIT_SELECT:
        return DG_SELECT;
    case GORCA_WAIT_SYNC:
        if (g->reason && strstr(g->reason, "Mutex") != NULL)
            return DG_LOCK;
        return (uint8_t)dg_sync_class(st);
    case GORCA_WAIT_SLEEP:
        return DG_SLEEP;
    case GORCA_WAIT_SYSCALL:
        return DG_SYSCALL;
    case GORCA_WAIT_GC:
        return DG_GC;
    default:
        return DG_OTHER;
    }
}

static const struct dg_frame *frame_of(struct dg_ctx *ctx, const struct gorca_dump_frame *f)
{
    /* The runtime prints runtime.gopanic as "panic"; keep one name for both forms. */
    const char *fn = f->func && *f->func ? f->func : "";

    if (strcmp(fn, "panic") == 0)
        fn = "runtime.gopanic";
    return dg_frame(ctx, fn, strlen(fn), f->file, f->file ? strlen(f->file) : 0, f->line);
}

static int stack_of(struct dg_ctx *ctx, const struct gorca_dump_stack *s, struct dg_stack *out)
{
    const struct dg_frame *buf[128], **f = buf;
    uint32_t i, n = 0;
    int rc;

    if (s == NULL)
        return dg_stack_make(ctx, NULL, 0, out);
    if (s->n_frames > BASE_ARRAY_LEN(buf)) {
        f = base_malloc(s->n_frames * sizeof(*f));
        if (f == NULL) {
            ctx->oom = 1;
            return -1;
        }
    }
    for (i = 0; i < s->n_frames; i++) {
        if (s->frames[i]->kind == GORCA_FRAME_ELIDED)
            continue;
        f[n] = frame_of(ctx, s->frames[i]);
        if (f[n] == NULL)
            break;
        n++;
    }
    rc = ctx->oom ? -1 : dg_stack_make(ctx, f, n, out);
    if (f != buf)
        base_free(f);
    return rc;
}

/* One observation per group of d into ctx->dm.gs. */
static void add_groups(struct dg_ctx *ctx, const struct gorca_dump *d, const char *input)
{
    size_t i;

    for (i = 0; i < d->n_groups && !ctx->oom; i++) {
        const struct gorca_dump_group *g = &d->groups[i];
        struct dg_obs o;

        dg_obs_init(&o);
        if (stack_of(ctx, g->stack, &o.st) != 0)
            break;
        o.src = DG_SRC_DUMP;
        o.cls = class_of(g, &o.st);
        o.weight = (double)g->count;
        o.count = g->count;
        o.minutes = g->max_wait_minutes;
        o.reason = g->reason ? dg_cstr(ctx, g->reason) : "";
        o.created_by = g->created_by ? frame_of(ctx, g->created_by) : NULL;
        o.input = input;
        dg_obs_push(ctx, &ctx->dm.gs, &o);
    }
}

void dg_facts_dump(struct dg_ctx *ctx, struct gorca_diag_input *in,
                   const struct gorca_bundle_file *bf)
{
    struct gorca_dump *d = NULL;
    struct gorca_error err;
    enum gorca_status st;
    char text[320];
    int states, kept = 0;

    gorca_error_init(&err, bf->path);
    st = gorca_dump_load(bf->path, &ctx->cfg->limits, &d, &err);
    if (d == NULL) {
        gorca_error_format(&err, text, sizeof(text));
        in->status = GORCA_DIAG_INPUT_FAILED;
        in->code = err.code;
        in->error = dg_cstr(ctx, text);
        return;
    }
    if (st != GORCA_OK) {
        gorca_error_format(&err, text, sizeof(text));
        in->code = st;
        in->error = dg_cstr(ctx, text);
    }
    states = d->format == GORCA_DUMP_DEBUG2 || d->format == GORCA_DUMP_CRASH;
    in->kind = d->format == GORCA_DUMP_DEBUG2   ? "goroutine_debug2"
               : d->format == GORCA_DUMP_CRASH  ? "crash"
               : d->format == GORCA_DUMP_DEBUG1 ? "goroutine_debug1"
                                                : "goroutine";
    if (d->profile_name != NULL && strcmp(d->profile_name, "goroutine") != 0) {
        in->status = GORCA_DIAG_INPUT_IGNORED;
        in->detail = dg_printf(ctx, "%s profile: no rule uses it", d->profile_name);
        gorca_dump_free(d);
        return;
    }
    /* The goroutine states come from the first dump that has them; without one, from the
     * first count dump (states inferred from the frames). */
    if ((states && !ctx->dm.have_states) ||
        (!states && !ctx->dm.have_states && ctx->dm.gs.n == 0)) {
        if (ctx->dm.gs.n > 0) /* replace inferred states by real ones */
            ctx->dm.gs.n = 0;
        add_groups(ctx, d, in->name);
        ctx->dm.have_states = states;
        ctx->dm.input = in->name;
        ctx->dm.total = d->n_goroutines;
        ctx->dm.offset_ns = -1;
        if (bf->start_ns != 0 && ctx->bundle != NULL && ctx->bundle->window_start_ns != 0)
            ctx->dm.offset_ns = bf->start_ns - ctx->bundle->window_start_ns;
    }
    if (d->format == GORCA_DUMP_CRASH && d->crash.panic != NULL && ctx->dm.panic_text == NULL) {
        ctx->dm.panic_text = dg_cstr(ctx, d->crash.panic);
        ctx->dm.recovered = d->crash.recovered;
    }
    ctx->dm.have_counts = 1;
    ctx->sum.has_dump = 1;
    if (ctx->sum.goroutines == 0)
        ctx->sum.goroutines = d->n_goroutines;
    in->status = GORCA_DIAG_INPUT_USED;
    in->detail = dg_printf(ctx, "%s: %llu goroutines in %zu groups%s", in->kind,
                           (unsigned long long)d->n_goroutines, d->n_groups,
                           d->truncated ? " (cut short)" : "");
    /* Keep count dumps (not the full one) for the growth comparison. */
    if (!states && ctx->dm.n_count < BASE_ARRAY_LEN(ctx->dm.count_dump)) {
        size_t k = ctx->dm.n_count++;
        ctx->dm.count_dump[k] = d;
        ctx->dm.count_name[k] = in->name;
        ctx->dm.count_endpoint[k] = bf->endpoint;
        ctx->dm.count_time[k] = bf->start_ns;
        kept = 1;
    }
    if (!kept)
        gorca_dump_free(d);
}

/* Index of the dump taken first and of the one taken last among the kept count dumps: by
 * manifest time when known, else in the order given. */
static void pick_pair(const struct dg_dumps *dm, size_t *a, size_t *b)
{
    size_t i;

    *a = 0;
    *b = dm->n_count - 1;
    for (i = 0; i < dm->n_count; i++) {
        if (dm->count_time[i] == 0 || dm->count_time[*a] == 0 || dm->count_time[*b] == 0)
            continue;
        if (dm->count_time[i] < dm->count_time[*a])
            *a = i;
        if (dm->count_time[i] > dm->count_time[*b])
            *b = i;
    }
}

void dg_facts_dump_growth(struct dg_ctx *ctx)
{
    struct dg_dumps *dm = &ctx->dm;
    struct gorca_dump_diff *diff = NULL;
    struct gorca_error err;
    size_t a, b, i, n = 0;

    if (dm->n_count >= 2) {
        pick_pair(dm, &a, &b);
        gorca_error_init(&err, NULL);
        if (a != b &&
            gorca_dump_compare(dm->count_dump[a], dm->count_dump[b], &diff, &err) == GORCA_OK) {
            dm->have_growth = 1;
            dm->old_input = dm->count_name[a];
            dm->new_input = dm->count_name[b];
            dm->old_total = diff->old_total;
            dm->new_total = diff->new_total;
            if (dm->count_time[a] != 0 && dm->count_time[b] > dm->count_time[a])
                dm->interval_ns = dm->count_time[b] - dm->count_time[a];
            dm->growth = dg_alloc(ctx, (diff->n_deltas ? diff->n_deltas : 1) * sizeof(*dm->growth));
            for (i = 0; dm->growth != NULL && i < diff->n_deltas; i++) {
                const struct gorca_dump_delta *dl = &diff->deltas[i];
                const struct gorca_dump_group *g = dl->new_group ? dl->new_group : dl->old_group;
                struct dg_growth *gr;

                if (dl->delta <= 0 || g == NULL)
                    continue;
                gr = &dm->growth[n];
                if (stack_of(ctx, g->stack, &gr->st) != 0)
                    break;
                gr->cls = class_of(g, &gr->st);
                gr->reason = g->reason ? dg_cstr(ctx, g->reason) : "";
                gr->old_n = (int64_t)dl->old_count;
                gr->new_n = (int64_t)dl->new_count;
                n++;
            }
            dm->n_growth = n;
            gorca_dump_diff_free(diff);
        } else if (err.code == GORCA_E_NOMEM) {
            ctx->oom = 1;
        }
    }
    for (i = 0; i < dm->n_count; i++)
        gorca_dump_free(dm->count_dump[i]);
    dm->n_count = 0;
}
