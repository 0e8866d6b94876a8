/* gorca_diagnosis_run(): expands the inputs (bundles, directories, loose files), decides what each
 * file is (the bundle manifest, else its content), reduces every readable input to facts
 * (facts_*.c), attributes request latency to mechanisms (attrib.c), runs the rule table
 * (rules.c) and hands back the findings sorted by score. A file that cannot be read or parsed
 * is listed with its error and the others are still analysed. */
#include <stdio.h>
#include <stdlib.h>
#include "diag_int.h"
#include "gorca/inspect.h"
#include "gorca/io.h"

struct gorca_diag_internal {
    struct base_arena arena;
};

static const char *const cause_ids[GORCA_CAUSE_N] = {
    "dns_resolution",   "mutex_contention",  "gc_stw",
    "gc_assist",        "netpoll_blocking",  "handler_blocking",
    "goroutine_leak",   "channel_blocking",  "tls_handshake",
    "syscall_blocking", "scheduler_latency", "panic_recovery"
};

static const char *const cause_titles[GORCA_CAUSE_N] = {
    "DNS resolution",           "mutex contention",
    "GC stop-the-world pauses", "GC assist and CPU pressure",
    "outbound network waits",   "blocking inside handlers",
    "goroutine leak",           "channel blocking",
    "TLS handshakes",           "blocking system calls",
    "scheduler latency",        "recovered panics"
};

const char *gorca_cause_id(enum gorca_cause c)
{
    return (unsigned)c < GORCA_CAUSE_N ? cause_ids[c] : NULL;
}

const char *gorca_cause_title(enum gorca_cause c)
{
    return (unsigned)c < GORCA_CAUSE_N ? cause_titles[c] : NULL;
}

int gorca_cause_from_id(const char *id)
{
    int i;

    for (i = 0; i < GORCA_CAUSE_N; i++)
        if (strcmp(cause_ids[i], id) == 0)
            return i;
    return -1;
}

static const char *const severity_names[] = { "info", "low", "medium", "high", "critical" };

const char *gorca_severity_name(enum gorca_severity s)
{
    return (unsigned)s <= GORCA_SEV_CRITICAL ? severity_names[s] : "info";
}

int gorca_severity_parse(const char *name, enum gorca_severity *out)
{
    int i;

    for (i = 0; i <= GORCA_SEV_CRITICAL; i++) {
        if (strcmp(severity_names[i], name) == 0) {
            *out = (enum gorca_severity)i;
            return 0;
        }
    }
    return -1;
}

/* ---- what a file is ---------------------------------------------------------------------- */

enum loader { L_NONE, L_PROFILE, L_TRACE, L_DUMP, L_CMDLINE, L_FAIL };

/* A printable text with NUL separators only (os.Args from /debug/pprof/cmdline). */
static int looks_like_cmdline(const char *path)
{
    uint8_t *data = NULL;
    size_t len = 0, i;
    struct gorca_error err;
    int ok;

    gorca_error_init(&err, path);
    if (gorca_read_file(path, 1 << 16, &data, &len, &err) != GORCA_OK)
        return 0;
    ok = len > 0 && memchr(data, 0, len) != NULL;
    for (i = 0; ok && i < len; i++)
        if (data[i] != 0 && (data[i] < 0x20 || data[i] == 0x7f))
            ok = 0;
    base_free(data);
    return ok;
}

/* Decides from the content (src/inspect); the input records why a file is refused. */
static enum loader sniff_file(struct dg_ctx *ctx, const char *path, struct gorca_diag_input *in)
{
    struct gorca_inspect ins;
    struct gorca_error err;
    char text[320];

    gorca_error_init(&err, path);
    if (gorca_inspect_file(path, &ctx->cfg->limits, &ins, &err) != GORCA_OK) {
        gorca_error_format(&err, text, sizeof(text));
        in->code = err.code;
        in->error = dg_cstr(ctx, text);
        return L_FAIL;
    }
    in->kind = gorca_inspect_kind_name(ins.kind);
    switch (ins.format) {
    case GORCA_INSPECT_FMT_PPROF:
        return L_PROFILE;
    case GORCA_INSPECT_FMT_DUMP_TEXT:
        return L_DUMP;
    case GORCA_INSPECT_FMT_TRACE:
        if (ins.trace_supported)
            return L_TRACE;
        in->code = GORCA_E_UNSUPPORTED;
        in->error =
            dg_printf(ctx, "'%s': %s (gorca reads traces of Go 1.22 and later)", path, ins.summary);
        return L_FAIL;
    case GORCA_INSPECT_FMT_PPROF_TEXT:
        in->code = GORCA_E_UNSUPPORTED;
        in->error = dg_printf(ctx,
                              "'%s': %s; capture it with debug=0 (the default) for "
                              "gorca analyze",
                              path, ins.summary);
        return L_FAIL;
    default:
        break;
    }
    if (looks_like_cmdline(path))
        return L_CMDLINE;
    in->code = GORCA_E_UNSUPPORTED;
    in->error = dg_printf(ctx, "'%s': %s", path, ins.summary);
    return L_FAIL;
}

static enum loader loader_of_kind(enum gorca_input_kind k)
{
    switch (k) {
    case GORCA_INPUT_CPU:
    case GORCA_INPUT_HEAP:
    case GORCA_INPUT_ALLOCS:
    case GORCA_INPUT_BLOCK:
    case GORCA_INPUT_MUTEX:
    case GORCA_INPUT_GOROUTINE:
    case GORCA_INPUT_THREADCREATE:
        return L_PROFILE;
    case GORCA_INPUT_TRACE:
        return L_TRACE;
    case GORCA_INPUT_GOROUTINE_DEBUG1:
    case GORCA_INPUT_GOROUTINE_DEBUG2:
        return L_DUMP;
    case GORCA_INPUT_CMDLINE:
        return L_CMDLINE;
    default:
        return L_NONE;
    }
}

static struct gorca_diag_input *new_input(struct dg_ctx *ctx)
{
    struct gorca_diag_input *in;

    if (base_grow((void **)&ctx->inputs, &ctx->cap_inputs, ctx->n_inputs + 1,
                  sizeof(*ctx->inputs)) != 0) {
        ctx->oom = 1;
        return NULL;
    }
    in = &ctx->inputs[ctx->n_inputs++];
    memset(in, 0, sizeof(*in));
    in->kind = "unknown";
    return in;
}

static void cmdline_detail(struct dg_ctx *ctx, struct gorca_diag_input *in, const char *path)
{
    uint8_t *data = NULL;
    size_t len = 0, i;
    struct gorca_error err;

    gorca_error_init(&err, path);
    in->kind = "cmdline";
    in->status = GORCA_DIAG_INPUT_IGNORED;
    if (gorca_read_file(path, 1 << 20, &data, &len, &err) != GORCA_OK)
        return;
    for (i = 0; i < len; i++)
        if (data[i] == 0)
            data[i] = ' ';
    while (len > 0 && data[len - 1] == ' ')
        len--;
    if (len > 200)
        len = 200;
    in->detail = dg_printf(ctx, "command line: %.*s", (int)len, (const char *)data);
    base_free(data);
}

static void load_file(struct dg_ctx *ctx, const struct gorca_bundle_file *bf)
{
    struct gorca_diag_input *in = new_input(ctx);
    enum loader l;

    if (in == NULL)
        return;
    in->path = dg_cstr(ctx, bf->path);
    in->name = dg_cstr(ctx, bf->name ? bf->name : bf->path);
    in->bundle = bf->bundle ? dg_cstr(ctx, bf->bundle) : NULL;
    in->endpoint = bf->endpoint ? dg_cstr(ctx, bf->endpoint) : NULL;
    if (bf->kind != GORCA_INPUT_UNKNOWN)
        in->kind = gorca_input_kind_name(bf->kind);
    l = bf->from_manifest ? loader_of_kind(bf->kind) : sniff_file(ctx, bf->path, in);
    switch (l) {
    case L_PROFILE:
        dg_facts_profile(ctx, in, bf);
        break;
    case L_TRACE:
        dg_facts_trace(ctx, in, bf);
        break;
    case L_DUMP:
        dg_facts_dump(ctx, in, bf);
        break;
    case L_CMDLINE:
        cmdline_detail(ctx, in, bf->path);
        break;
    case L_NONE:
        in->status = GORCA_DIAG_INPUT_IGNORED;
        if (in->detail == NULL)
            in->detail = "not evidence for any rule";
        break;
    case L_FAIL:
        in->status = GORCA_DIAG_INPUT_FAILED;
        break;
    }
    /* Running out of memory is not a property of the input: the whole run fails. */
    if (in->code == GORCA_E_NOMEM)
        ctx->oom = 1;
}

static void list_failures(struct dg_ctx *ctx, const struct gorca_bundle *b)
{
    size_t i;

    for (i = 0; i < b->n_failures; i++) {
        struct gorca_diag_input *in = new_input(ctx);
        if (in == NULL)
            return;
        in->path = dg_printf(ctx, "%s (%s)", b->failures[i].bundle, b->failures[i].endpoint);
        in->name = dg_cstr(ctx, b->failures[i].endpoint);
        in->bundle = dg_cstr(ctx, b->failures[i].bundle);
        in->endpoint = dg_cstr(ctx, b->failures[i].endpoint);
        in->status = GORCA_DIAG_INPUT_FAILED;
        in->code = GORCA_E_HTTP;
        in->error = dg_printf(ctx, "not captured: %s", b->failures[i].error);
    }
}

/* ---- running ----------------------------------------------------------------------------- */

static void summarize(struct dg_ctx *ctx, const struct gorca_bundle *b)
{
    struct gorca_diag_summary *s = &ctx->sum;

    if (b->target != NULL)
        s->target = dg_cstr(ctx, b->target);
    if (b->window_start_ns != 0) {
        s->unix_start_ns = b->window_start_ns;
        s->capture_ns = b->window_end_ns - b->window_start_ns;
    }
    if (ctx->tr.have)
        s->capture_ns = ctx->tr.dur_ns;
    else if (s->capture_ns == 0 && ctx->pf.cpu_duration_ns > 0)
        s->capture_ns = ctx->pf.cpu_duration_ns;
    s->cpu_ns = (int64_t)ctx->pf.cpu_total_ns;
    if (ctx->pf.cpu_duration_ns > 0)
        s->cpu_cores = ctx->pf.cpu_total_ns / (double)ctx->pf.cpu_duration_ns;
}

static void run_rules(struct dg_ctx *ctx)
{
    int c;

    for (c = 0; c < GORCA_CAUSE_N && !ctx->oom; c++) {
        if (ctx->cfg->disabled & (1u << c))
            continue;
        if (dg_rules[c]->evaluate != NULL)
            dg_rules[c]->evaluate(ctx);
    }
}

static void limitations(struct dg_ctx *ctx)
{
    if (!ctx->tr.have && (ctx->dm.gs.n > 0 || ctx->pf.cpu.n > 0))
        dg_note(ctx, "no execution trace: request latency cannot be measured, so shares are "
                     "estimated from the goroutine dump (where in-flight requests wait) and the "
                     "profiles");
    if (!ctx->dm.have_states && ctx->dm.gs.n > 0)
        dg_note(ctx, "no full goroutine dump (debug=2): goroutine states are inferred from "
                     "their stacks");
    if (!ctx->sum.has_cpu)
        dg_note(ctx, "no CPU profile: hot functions cannot be matched against waiting "
                     "goroutines");
}

static void ctx_release(struct dg_ctx *ctx)
{
    int c;

    dg_intern_release(ctx);
    dg_obsv_release(&ctx->tr.waits);
    dg_obsv_release(&ctx->dm.gs);
    dg_obsv_release(&ctx->pf.cpu);
    dg_obsv_release(&ctx->pf.block);
    dg_obsv_release(&ctx->pf.mutex);
    for (c = 0; c < GORCA_CAUSE_N; c++) {
        dg_tally_release(&ctx->attr[c].handlers);
        dg_tally_release(&ctx->attr[c].handlers_gor);
        dg_tally_release(&ctx->attr[c].sites);
        dg_tally_release(&ctx->attr[c].wakers);
    }
    dg_findings_release(ctx);
    base_free(ctx->handlers);
    base_free(ctx->inputs);
    base_free(ctx->notes);
    base_free(ctx->fbs);
}

/* Moves the inputs, findings and notes into the arena and the arena into the result. */
static enum gorca_status build_result(struct dg_ctx *ctx, struct gorca_diagnosis **out)
{
    struct gorca_diagnosis *d = base_calloc(1, sizeof(*d));
    struct gorca_diag_internal *in = base_calloc(1, sizeof(*in));
    struct gorca_diag_input *inputs;
    const char **notes;
    struct gorca_finding *f = NULL;
    size_t nf = 0, i;

    if (d == NULL || in == NULL)
        goto oom;
    inputs = dg_alloc(ctx, (ctx->n_inputs ? ctx->n_inputs : 1) * sizeof(*inputs));
    notes = dg_alloc(ctx, (ctx->n_notes ? ctx->n_notes : 1) * sizeof(*notes));
    if (inputs == NULL || notes == NULL || dg_findings_finish(ctx, &f, &nf) != 0)
        goto oom;
    memcpy(inputs, ctx->inputs, ctx->n_inputs * sizeof(*inputs));
    if (ctx->n_notes)
        memcpy(notes, ctx->notes, ctx->n_notes * sizeof(*notes));
    d->inputs = inputs;
    d->n_inputs = ctx->n_inputs;
    for (i = 0; i < ctx->n_inputs; i++)
        d->n_used += inputs[i].status == GORCA_DIAG_INPUT_USED;
    d->findings = f;
    d->n_findings = nf;
    d->notes = notes;
    d->n_notes = ctx->n_notes;
    d->summary = ctx->sum;
    in->arena = ctx->arena;
    memset(&ctx->arena, 0, sizeof(ctx->arena));
    d->internal = in;
    *out = d;
    return GORCA_OK;
oom:
    base_free(d);
    base_free(in);
    return GORCA_E_NOMEM;
}

enum gorca_status gorca_diagnosis_run(const char *const *paths, size_t n,
                                      const struct gorca_diag_config *cfg,
                                      struct gorca_diagnosis **out, struct gorca_error *err)
{
    struct gorca_diag_config defaults;
    struct gorca_bundle *b = NULL;
    struct dg_ctx ctx;
    enum gorca_status st;
    size_t i;

    *out = NULL;
    if (cfg == NULL) {
        gorca_diag_config_init(&defaults);
        cfg = &defaults;
    }
    memset(&ctx, 0, sizeof(ctx));
    base_arena_init(&ctx.arena, cfg->limits.arena_bytes);
    ctx.cfg = cfg;
    ctx.dm.offset_ns = -1;
    if (dg_intern_init(&ctx) != 0) {
        st = GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory");
        goto out;
    }
    st = gorca_inputs_expand(paths, n, &b, err);
    if (st != GORCA_OK)
        goto out;
    ctx.bundle = b;
    for (i = 0; i < b->n_files && !ctx.oom; i++)
        load_file(&ctx, &b->files[i]);
    list_failures(&ctx, b);
    dg_facts_dump_growth(&ctx);
    summarize(&ctx, b);
    if (b->n_bundles > 1)
        dg_note(&ctx, "%zu bundles given: their evidence is read as one service", b->n_bundles);
    dg_attribute(&ctx);
    run_rules(&ctx);
    limitations(&ctx);
    if (ctx.oom) {
        st = GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory while diagnosing");
        goto out;
    }
    st = build_result(&ctx, out);
    if (st != GORCA_OK)
        GORCA_FAIL(err, st, -1, NULL, "out of memory while diagnosing");
out:
    ctx_release(&ctx);
    base_arena_release(&ctx.arena);
    gorca_bundle_free(b);
    return st;
}

void gorca_diagnosis_free(struct gorca_diagnosis *d)
{
    if (d == NULL)
        return;
    if (d->internal != NULL) {
        base_arena_release(&d->internal->arena);
        base_free(d->internal);
    }
    base_free(d);
}

int gorca_diagnosis_max_severity(const struct gorca_diagnosis *d)
{
    int m = -1;
    size_t i;

    for (i = 0; i < d->n_findings; i++)
        if ((int)d->findings[i].severity > m)
            m = (int)d->findings[i].severity;
    return m;
}
