/* Building findings: a builder per finding collects title, explanation, evidence, code
 * locations, affected handlers, window and advice; dg_rate() turns the attribution of the
 * finding's cause into severity, score and confidence with the configured thresholds; and
 * dg_findings_finish() sorts by score and copies everything into the result's arena.
 *
 * Severity of a latency-attributed cause: for each affected handler, the share of its request
 * latency spent in the cause and the mean latency it added per request of that handler; the
 * worst handler decides (so a cause that hurts one endpoint badly is not diluted by healthy
 * traffic elsewhere), bounded by the cause's share of all request latency and by a minimum
 * number of events (so one unlucky request is not a finding). Score = share of all request
 * latency x confidence: mixed causes rank by how much latency each explains. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "diag_int.h"

/* A builder that absorbs everything when allocation failed (ctx->oom is set). */
static struct dg_fb sink;

struct dg_fb *dg_finding(struct dg_ctx *ctx, enum gorca_cause cause)
{
    struct dg_fb *fb;

    if (ctx->oom)
        goto fail;
    fb = base_calloc(1, sizeof(*fb));
    if (fb == NULL ||
        base_grow((void **)&ctx->fbs, &ctx->cap_fbs, ctx->n_fbs + 1, sizeof(*ctx->fbs)) != 0) {
        base_free(fb);
        ctx->oom = 1;
        goto fail;
    }
    fb->ctx = ctx;
    fb->f.cause = cause;
    fb->f.latency_share = -1;
    fb->f.title = gorca_cause_title(cause);
    fb->f.explanation = "";
    ctx->fbs[ctx->n_fbs++] = fb;
    return fb;
fail:
    memset(&sink, 0, sizeof(sink));
    sink.ctx = ctx;
    return &sink;
}

struct dg_ctx *dg_fb_ctx(struct dg_fb *fb)
{
    return fb->ctx;
}

static int live(const struct dg_fb *fb)
{
    return fb != &sink && !fb->ctx->oom;
}

void dg_title(struct dg_fb *fb, const char *fmt, ...)
{
    va_list ap;
    char *s;

    if (!live(fb))
        return;
    va_start(ap, fmt);
    s = dg_vprintf(fb->ctx, fmt, ap);
    va_end(ap);
    if (s != NULL)
        fb->f.title = s;
}

void dg_explain(struct dg_fb *fb, const char *fmt, ...)
{
    va_list ap;
    char *s;

    if (!live(fb))
        return;
    va_start(ap, fmt);
    s = dg_vprintf(fb->ctx, fmt, ap);
    va_end(ap);
    if (s != NULL)
        fb->f.explanation = s;
}

void dg_evidence(struct dg_fb *fb, const char *source, const char *metric, const char *label,
                 double value, const char *unit)
{
    struct gorca_evidence *e;

    if (!live(fb) || !isfinite(value))
        return;
    if (base_grow((void **)&fb->ev, &fb->cap_ev, fb->n_ev + 1, sizeof(*fb->ev)) != 0) {
        fb->ctx->oom = 1;
        return;
    }
    e = &fb->ev[fb->n_ev++];
    e->source = source ? source : "derived";
    e->metric = metric;
    e->label = label;
    e->value = value;
    e->unit = unit;
}

void dg_location(struct dg_fb *fb, const struct dg_frame *f, const char *role, double weight)
{
    struct gorca_code_location *l;
    size_t i;

    if (!live(fb) || f == NULL || f->func[0] == '\0')
        return;
    for (i = 0; i < fb->n_loc; i++) {
        if (fb->loc[i].function == dg_display_func(fb->ctx, f->func) &&
            fb->loc[i].line == f->line && strcmp(fb->loc[i].role, role) == 0) {
            fb->loc[i].weight += weight;
            return;
        }
    }
    if (base_grow((void **)&fb->loc, &fb->cap_loc, fb->n_loc + 1, sizeof(*fb->loc)) != 0) {
        fb->ctx->oom = 1;
        return;
    }
    l = &fb->loc[fb->n_loc++];
    l->function = dg_display_func(fb->ctx, f->func);
    l->file = f->file;
    l->line = f->line;
    l->role = role;
    l->weight = weight;
}

void dg_handler_impact(struct dg_fb *fb, const char *func, const struct dg_frame *f, int64_t ns,
                       double gor, double share)
{
    struct gorca_handler_impact *h;

    if (!live(fb) || func == NULL)
        return;
    if (base_grow((void **)&fb->h, &fb->cap_h, fb->n_h + 1, sizeof(*fb->h)) != 0) {
        fb->ctx->oom = 1;
        return;
    }
    h = &fb->h[fb->n_h++];
    h->handler = dg_display_func(fb->ctx, func);
    h->file = f ? f->file : "";
    h->line = f ? f->line : 0;
    h->attributed_ns = ns;
    h->goroutines = gor;
    h->share = share;
}

void dg_advice(struct dg_fb *fb, const char *fmt, ...)
{
    va_list ap;
    char *s;

    if (!live(fb))
        return;
    va_start(ap, fmt);
    s = dg_vprintf(fb->ctx, fmt, ap);
    va_end(ap);
    if (s == NULL)
        return;
    if (base_grow((void **)&fb->adv, &fb->cap_adv, fb->n_adv + 1, sizeof(*fb->adv)) != 0) {
        fb->ctx->oom = 1;
        return;
    }
    fb->adv[fb->n_adv++] = s;
}

void dg_window(struct dg_fb *fb, int64_t start, int64_t end, int64_t peak, const char *basis)
{
    struct dg_ctx *ctx = fb->ctx;

    if (!live(fb))
        return;
    fb->f.window.known = 1;
    fb->f.window.start_ns = start < 0 ? 0 : start;
    fb->f.window.end_ns = end < start ? start : end;
    fb->f.window.peak_ns = peak;
    fb->f.window.capture_ns = ctx->sum.capture_ns;
    fb->f.window.unix_start_ns = ctx->sum.unix_start_ns;
    fb->f.window.basis = basis;
}

void dg_window_timeline(struct dg_fb *fb,
                        double (*signal)(const struct dg_ctx *ctx, const struct dg_bucket *b))
{
    struct dg_ctx *ctx = fb->ctx;
    double max = 0;
    size_t i, peak = 0, lo = SIZE_MAX, hi = 0;

    for (i = 0; i < ctx->tr.n_buckets; i++) {
        double v = signal(ctx, &ctx->tr.buckets[i]);
        if (v > max) {
            max = v;
            peak = i;
        }
    }
    if (max <= 0)
        return;
    for (i = 0; i < ctx->tr.n_buckets; i++) {
        if (signal(ctx, &ctx->tr.buckets[i]) >= 0.1 * max) {
            if (lo == SIZE_MAX)
                lo = i;
            hi = i;
        }
    }
    dg_window(fb, ctx->tr.buckets[lo].start, ctx->tr.buckets[hi].start + ctx->tr.bucket_ns,
              ctx->tr.buckets[peak].start + ctx->tr.bucket_ns / 2, "trace timeline");
}

/* ---- rating ----------------------------------------------------------------------------- */

enum gorca_severity dg_severity_for(const struct gorca_diag_config *cfg, double share,
                                    double added_ns)
{
    if (share >= cfg->share_critical && added_ns >= (double)cfg->added_critical_ns)
        return GORCA_SEV_CRITICAL;
    if (share >= cfg->share_high && added_ns >= (double)cfg->added_high_ns)
        return GORCA_SEV_HIGH;
    if (share >= cfg->share_medium && added_ns >= (double)cfg->added_medium_ns)
        return GORCA_SEV_MEDIUM;
    if (share >= cfg->share_low && added_ns >= (double)cfg->added_low_ns)
        return GORCA_SEV_LOW;
    return GORCA_SEV_INFO;
}

static enum gorca_severity sev_min(enum gorca_severity a, enum gorca_severity b)
{
    return a < b ? a : b;
}

static enum gorca_severity sev_max(enum gorca_severity a, enum gorca_severity b)
{
    return a > b ? a : b;
}

/* The ranking key: the measured share, lowered by at most a quarter for weak evidence, so
 * causes rank by how much latency they explain and confidence only decides near-ties. */
static double dg_score(double share, double conf)
{
    return share * (0.75 + 0.25 * conf);
}

/* An inference is not a measurement: weakly supported mechanisms stay below the top
 * severities (high under 0.8 confidence, medium under 0.5). */
static enum gorca_severity cap_by_confidence(enum gorca_severity s, double conf)
{
    if (conf < 0.5)
        return sev_min(s, GORCA_SEV_MEDIUM);
    if (conf < 0.8)
        return sev_min(s, GORCA_SEV_HIGH);
    return s;
}

/* From trace attribution: per handler and overall. */
static void rate_trace(struct dg_fb *fb, const struct dg_attr *a)
{
    struct dg_ctx *ctx = fb->ctx;
    const struct gorca_diag_config *cfg = ctx->cfg;
    double share = a->ns / (double)ctx->req_total_ns, affected = 0;
    enum gorca_severity sev = GORCA_SEV_INFO, sev_h;
    int64_t tail = 0;
    size_t i;

    if (share > 1)
        share = 1;
    for (i = 0; i < a->handlers.n; i++) {
        const struct dg_handler *row = dg_handler_row(ctx, a->handlers.v[i].key);
        double s_h, a_h;

        if (row == NULL || row->n < cfg->min_events || row->total_ns <= 0)
            continue;
        s_h = a->handlers.v[i].w / (double)row->total_ns;
        a_h = a->handlers.v[i].w / (double)row->n;
        sev_h = dg_severity_for(cfg, s_h > 1 ? 1 : s_h, a_h);
        /* Requests that stay fast are not a latency problem, whatever slows them. */
        if (row->p99_ns < cfg->slow_tail_ns)
            sev_h = sev_min(sev_h, GORCA_SEV_LOW);
        sev = sev_max(sev, sev_h);
        affected += (double)row->n;
        if (row->p99_ns > tail)
            tail = row->p99_ns;
    }
    if (affected < 1) {
        affected = (double)(a->waits ? a->waits : 1);
        tail = ctx->sum.request_p99_ns;
    }
    sev_h = dg_severity_for(cfg, share, a->ns / affected);
    if (tail < cfg->slow_tail_ns)
        sev_h = sev_min(sev_h, GORCA_SEV_LOW);
    sev = sev_max(sev, sev_h);
    if (a->waits < cfg->min_events)
        sev = GORCA_SEV_INFO; /* too few events to tell a pattern from bad luck */
    else if (share < cfg->share_low)
        sev = sev_min(sev, GORCA_SEV_LOW);
    fb->f.latency_share = share;
    fb->f.attributed_ns = (int64_t)a->ns;
    fb->f.confidence = a->ns > 0 ? a->conf_ns / a->ns : 0;
    fb->f.severity = cap_by_confidence(sev, fb->f.confidence);
    fb->f.score = dg_score(share, fb->f.confidence);
}

/* From a goroutine dump only: where the in-flight requests wait (Little's law). */
static void rate_dump(struct dg_fb *fb, const struct dg_attr *a)
{
    struct dg_ctx *ctx = fb->ctx;
    const struct gorca_diag_config *cfg = ctx->cfg;
    double share = a->gor / ctx->inflight;
    enum gorca_severity sev;

    if (share > 1)
        share = 1;
    if (share >= cfg->share_high && a->gor >= 2 * cfg->min_dump_requests)
        sev = GORCA_SEV_HIGH;
    else if (share >= cfg->share_medium && a->gor >= cfg->min_dump_requests)
        sev = GORCA_SEV_MEDIUM;
    else if (share >= cfg->share_low)
        sev = GORCA_SEV_LOW;
    else
        sev = GORCA_SEV_INFO;
    fb->f.latency_share = share;
    fb->f.confidence = a->gor > 0 ? a->conf_gor / a->gor : 0;
    fb->f.severity = cap_by_confidence(sev, fb->f.confidence);
    fb->f.score = dg_score(share, fb->f.confidence);
}

/* From a block profile only (no trace, no dump): the cause's share of the contention delay
 * in request stacks, and how many requests were waiting on average over the window. */
static void rate_block(struct dg_fb *fb, const struct dg_attr *a)
{
    struct dg_ctx *ctx = fb->ctx;
    const struct gorca_diag_config *cfg = ctx->cfg;
    double total = 0, share, waiting;
    int c;

    for (c = 0; c < GORCA_CAUSE_N; c++)
        total += ctx->attr[c].block_ns;
    share = a->block_ns / total;
    waiting = a->block_ns / (double)ctx->sum.capture_ns;
    fb->f.latency_share = -1; /* a share of contention, not of latency */
    fb->f.confidence = 0.6;
    fb->f.score = share * 0.6;
    fb->f.severity = share >= cfg->share_medium && waiting >= 1 ? GORCA_SEV_MEDIUM
                     : share >= cfg->share_low                  ? GORCA_SEV_LOW
                                                                : GORCA_SEV_INFO;
}

void dg_rate(struct dg_fb *fb)
{
    struct dg_ctx *ctx = fb->ctx;
    const struct dg_attr *a;

    if (!live(fb))
        return;
    a = &ctx->attr[fb->f.cause];
    if (ctx->tr.have && ctx->req_total_ns > 0 && ctx->req_n > 0) {
        if (a->ns > 0)
            rate_trace(fb, a);
    } else if (ctx->inflight > 0 && a->gor > 0) {
        rate_dump(fb, a);
    } else if (!ctx->dm.have_states && a->block_ns > 0 && ctx->sum.capture_ns > 0) {
        rate_block(fb, a);
    }
}

void dg_severity_at_least(struct dg_fb *fb, enum gorca_severity s)
{
    if (live(fb) && fb->f.severity < s)
        fb->f.severity = s;
}

void dg_severity_at_most(struct dg_fb *fb, enum gorca_severity s)
{
    if (live(fb) && fb->f.severity > s)
        fb->f.severity = s;
}

void dg_set_score(struct dg_fb *fb, double score, double conf)
{
    if (!live(fb))
        return;
    fb->f.score = score < 0 ? 0 : score > 1 ? 1 : score;
    fb->f.confidence = conf < 0 ? 0 : conf > 1 ? 1 : conf;
}

/* ---- shared parts of latency findings ---------------------------------------------------- */

/* The window of the affected handlers' slow requests: those at least as slow as half the
 * latency the cause adds to a request of their handler (and slower than its median); the
 * peak is the middle of the slowest one. */
static void request_window(struct dg_fb *fb, const struct dg_attr *a)
{
    struct dg_ctx *ctx = fb->ctx;
    int64_t lo = -1, hi = -1, peak = -1, worst = -1;
    size_t i, k;

    for (i = 0; i < ctx->tr.n_req; i++) {
        const struct dg_request *q = &ctx->tr.req[i];
        const struct dg_handler *row;
        double added = -1;

        if (q->debug || q->dur <= 0 || q->handler == NULL)
            continue;
        for (k = 0; k < a->handlers.n && added < 0; k++)
            if (a->handlers.v[k].key == q->handler) {
                row = dg_handler_row(ctx, q->handler);
                if (row != NULL && row->n > 0 && q->dur >= row->p50_ns)
                    added = a->handlers.v[k].w / (double)row->n;
            }
        if (added < 0 || (double)q->dur < 0.5 * added)
            continue;
        if (lo < 0 || q->start < lo)
            lo = q->start;
        if (q->end > hi)
            hi = q->end;
        if (q->dur > worst) {
            worst = q->dur;
            peak = q->start + q->dur / 2;
        }
    }
    if (lo >= 0)
        dg_window(fb, lo, hi, peak, "trace");
}

/* Seed §2.3: the same place seen from the other, time-aligned evidence. How many goroutines the
 * goroutine dump shows at the cause's main site (still waiting there mid-window), and how much
 * of the CPU profile runs under it (a wait site that also burns CPU is the shared resource
 * itself, not a victim). */
static void cross_check(struct dg_fb *fb, const struct dg_frame *site)
{
    struct dg_ctx *ctx = fb->ctx;
    const char *name = dg_display_func(ctx, site->func);
    double g = 0, cpu = 0;
    size_t i;

    for (i = 0; i < ctx->dm.gs.n; i++) {
        const struct dg_obs *o = &ctx->dm.gs.v[i];
        if (o->cls != DG_RUNNING && dg_find_func(&o->st, site->func) >= 0)
            g += o->weight;
    }
    for (i = 0; i < ctx->pf.cpu.n; i++)
        if (dg_find_func(&ctx->pf.cpu.v[i].st, site->func) >= 0)
            cpu += ctx->pf.cpu.v[i].weight;
    if (ctx->dm.gs.n > 0)
        dg_evidence(fb, ctx->dm.input, "dump_goroutines_at_site",
                    dg_printf(ctx, "goroutines waiting in %s (dump)", name), g, "goroutines");
    if (ctx->pf.cpu_total_ns > 0)
        dg_evidence(fb, ctx->pf.cpu_input, "cpu_share_at_site",
                    dg_printf(ctx, "share of CPU under %s", name), cpu / ctx->pf.cpu_total_ns,
                    "ratio");
}

void dg_common_latency_parts(struct dg_fb *fb, const char *site_role, size_t max_sites)
{
    struct dg_ctx *ctx = fb->ctx;
    struct dg_attr *a;
    const char *src;
    size_t i;
    double sum;

    if (!live(fb))
        return;
    a = &ctx->attr[fb->f.cause];
    if (ctx->tr.have && a->ns > 0) {
        src = ctx->tr.input;
        dg_evidence(fb, src, "request_latency_share", "share of all request latency",
                    fb->f.latency_share, "ratio");
        dg_evidence(fb, src, "attributed_time", "request time spent in it", a->ns, "ns");
        dg_evidence(fb, src, "events", "waits behind it", (double)a->waits, "count");
        if (a->max_ns > 0)
            dg_evidence(fb, src, "longest_wait", "longest single wait", (double)a->max_ns, "ns");
        dg_tally_sort(&a->handlers);
        sum = dg_tally_sum(&a->handlers);
        for (i = 0; i < a->handlers.n && i < 5; i++) {
            const struct dg_handler *row = dg_handler_row(ctx, a->handlers.v[i].key);
            dg_handler_impact(fb, a->handlers.v[i].key, a->handlers.v[i].frame,
                              (int64_t)a->handlers.v[i].w, 0,
                              sum > 0 ? a->handlers.v[i].w / sum : 0);
            if (row != NULL && row->n > 0 && i < 2) {
                const char *hname = dg_display_func(ctx, row->func);
                double s_h = a->handlers.v[i].w / (double)row->total_ns;
                dg_evidence(fb, src, "handler_share", dg_printf(ctx, "share of %s latency", hname),
                            s_h > 1 ? 1 : s_h, "ratio");
                dg_evidence(fb, src, "handler_added_latency",
                            dg_printf(ctx, "mean added per %s request", hname),
                            a->handlers.v[i].w / (double)row->n, "ns");
                dg_evidence(fb, src, "handler_p99", dg_printf(ctx, "%s p99 latency", hname),
                            (double)row->p99_ns, "ns");
            }
        }
        request_window(fb, a);
    } else if (a->block_ns > 0 && !ctx->tr.have && a->gor <= 0) {
        src = ctx->pf.block_input;
        dg_evidence(fb, src, "block_delay", "contention delay in request stacks", a->block_ns,
                    "ns");
        dg_evidence(fb, src, "block_share", "share of the requests' contention delay",
                    fb->f.score / 0.6, "ratio");
        dg_tally_sort(&a->handlers);
        sum = dg_tally_sum(&a->handlers);
        for (i = 0; i < a->handlers.n && i < 5; i++)
            dg_handler_impact(fb, a->handlers.v[i].key, a->handlers.v[i].frame, 0, 0,
                              sum > 0 ? a->handlers.v[i].w / sum : 0);
    } else if (a->gor > 0) {
        src = ctx->dm.input;
        dg_evidence(fb, src, "inflight_requests", "in-flight requests waiting in it", a->gor,
                    "goroutines");
        dg_evidence(fb, src, "inflight_share", "share of in-flight requests", fb->f.latency_share,
                    "ratio");
        dg_tally_sort(&a->handlers_gor);
        sum = dg_tally_sum(&a->handlers_gor);
        for (i = 0; i < a->handlers_gor.n && i < 5; i++)
            dg_handler_impact(fb, a->handlers_gor.v[i].key, a->handlers_gor.v[i].frame, 0,
                              a->handlers_gor.v[i].w, sum > 0 ? a->handlers_gor.v[i].w / sum : 0);
        if (ctx->dm.offset_ns >= 0)
            dg_window(fb, ctx->dm.offset_ns, ctx->dm.offset_ns, ctx->dm.offset_ns, "dump");
    }
    dg_tally_sort(&a->sites);
    sum = dg_tally_sum(&a->sites);
    if (a->sites.n > 0 && max_sites > 0)
        cross_check(fb, a->sites.v[0].key);
    for (i = 0; i < a->sites.n && i < max_sites; i++)
        if (sum > 0 && a->sites.v[i].w >= 0.01 * sum)
            dg_location(fb, a->sites.v[i].key, site_role, a->sites.v[i].w / sum);
}

/* ---- finishing -------------------------------------------------------------------------- */

static int cmp_fb(const void *x, const void *y)
{
    const struct dg_fb *a = *(struct dg_fb *const *)x, *b = *(struct dg_fb *const *)y;

    if (a->f.score != b->f.score)
        return a->f.score > b->f.score ? -1 : 1;
    if (a->f.severity != b->f.severity)
        return a->f.severity > b->f.severity ? -1 : 1;
    return (int)a->f.cause - (int)b->f.cause;
}

static void *copy_arr(struct dg_ctx *ctx, const void *p, size_t n, size_t size)
{
    void *q;

    if (n == 0)
        return NULL;
    q = dg_alloc(ctx, n * size);
    if (q != NULL)
        memcpy(q, p, n * size);
    return q;
}

static void fb_free(struct dg_fb *fb)
{
    base_free(fb->ev);
    base_free(fb->loc);
    base_free(fb->h);
    base_free(fb->adv);
    base_free(fb);
}

void dg_findings_release(struct dg_ctx *ctx)
{
    size_t i;

    for (i = 0; i < ctx->n_fbs; i++)
        fb_free(ctx->fbs[i]);
    ctx->n_fbs = 0;
}

int dg_findings_finish(struct dg_ctx *ctx, struct gorca_finding **out, size_t *n)
{
    struct gorca_finding *f;
    size_t i, k = 0;

    *out = NULL;
    *n = 0;
    if (ctx->n_fbs > 1)
        qsort(ctx->fbs, ctx->n_fbs, sizeof(*ctx->fbs), cmp_fb);
    f = dg_alloc(ctx, (ctx->n_fbs ? ctx->n_fbs : 1) * sizeof(*f));
    for (i = 0; i < ctx->n_fbs; i++) {
        struct dg_fb *fb = ctx->fbs[i];

        /* Negligible evidence is not a finding. */
        if (f != NULL && !(fb->f.severity == GORCA_SEV_INFO && fb->f.score < 0.01)) {
            f[k] = fb->f;
            f[k].evidence = copy_arr(ctx, fb->ev, fb->n_ev, sizeof(*fb->ev));
            f[k].n_evidence = fb->n_ev;
            f[k].locations = copy_arr(ctx, fb->loc, fb->n_loc, sizeof(*fb->loc));
            f[k].n_locations = fb->n_loc;
            f[k].handlers = copy_arr(ctx, fb->h, fb->n_h, sizeof(*fb->h));
            f[k].n_handlers = fb->n_h;
            f[k].advice = copy_arr(ctx, fb->adv, fb->n_adv, sizeof(*fb->adv));
            f[k].n_advice = fb->n_adv;
            k++;
        }
        fb_free(fb);
    }
    ctx->n_fbs = 0;
    if (ctx->oom)
        return -1;
    *out = f;
    *n = k;
    return 0;
}

/* ---- formatting helpers ------------------------------------------------------------------ */

const char *dg_dur(struct dg_ctx *ctx, double ns)
{
    char buf[32];

    if (ns >= 1e9)
        snprintf(buf, sizeof(buf), "%.2f s", ns / 1e9);
    else if (ns >= 1e7)
        snprintf(buf, sizeof(buf), "%.0f ms", ns / 1e6);
    else if (ns >= 1e6)
        snprintf(buf, sizeof(buf), "%.1f ms", ns / 1e6);
    else if (ns >= 1e3)
        snprintf(buf, sizeof(buf), "%.0f us", ns / 1e3);
    else
        snprintf(buf, sizeof(buf), "%.0f ns", ns);
    return dg_cstr(ctx, buf);
}

const char *dg_pct(struct dg_ctx *ctx, double share)
{
    char buf[16];

    if (share >= 0.1 || share == 0)
        snprintf(buf, sizeof(buf), "%.0f%%", share * 100);
    else
        snprintf(buf, sizeof(buf), "%.1f%%", share * 100);
    return dg_cstr(ctx, buf);
}

const char *dg_src_name(const struct dg_ctx *ctx, enum dg_src src)
{
    const char *s = NULL;

    switch (src) {
    case DG_SRC_TRACE:
        s = ctx->tr.input;
        break;
    case DG_SRC_DUMP:
        s = ctx->dm.input;
        break;
    case DG_SRC_BLOCK:
        s = ctx->pf.block_input;
        break;
    case DG_SRC_MUTEX:
        s = ctx->pf.mutex_input;
        break;
    case DG_SRC_CPU:
        s = ctx->pf.cpu_input;
        break;
    default:
        break;
    }
    return s ? s : "derived";
}
