/* goroutine_leak: goroutines pile up and never finish. Mechanism, from three independent
 * angles: a group of identical goroutines grows between two dumps of the same process (the
 * capture's debug=1 dumps at the middle and the end of its window); in the trace, goroutines
 * of one kind are created all through the capture and nearly all are still alive, blocked,
 * at its end; in a full dump, many goroutines parked for minutes at one stack. Bounded pools
 * (connections, client read/write loops) are not leaks and are left out.
 * When the leaked goroutines were started by a handler that then waits for them (a select on
 * the worker's result channel and a timeout, the context not propagated), that handler's wait
 * is the leak's latency and is charged here. */
#include "diag_int.h"

/* Long-lived by design: one per connection or per pool slot. */
static const char *const infra_roots[] = { "net/http.(*conn).serve",
                                           "net/http.(*persistConn).",
                                           "net/http.(*connReader).",
                                           "net/http.(*Server).",
                                           "net/http.(*http2serverConn).",
                                           "net/http.(*http2ClientConn).",
                                           "net/http.(*Transport).",
                                           "golang.org/x/net/http2.",
                                           "database/sql.",
                                           "runtime.",
                                           "google.golang.org/grpc.",
                                           "os/signal.",
                                           "net.(*Resolver).",
                                           "internal/singleflight.",
                                           NULL };

struct leak {
    const char *name;                  /* start function of the goroutines */
    const struct dg_frame *leaf;       /* where they wait (first user frame) */
    const struct dg_frame *created_by; /* go statement, NULL unknown */
    const char *reason;
    int64_t old_n, new_n;    /* dump growth; -1 unknown */
    uint64_t created, alive; /* trace; 0 unknown */
    double wait_share;       /* trace: share of their life spent waiting */
    int32_t minutes;         /* full dump: longest wait */
    int64_t first, last;     /* trace: offsets of the first and last creation */
    int from_dumps, from_trace;
    int partial; /* trace: others of their kind finish; these outlived them all by far */
};

static int infra(const char *root)
{
    size_t i;

    for (i = 0; infra_roots[i] != NULL; i++)
        if (dg_has_prefix(root, infra_roots[i]))
            return 1;
    return root[0] == '\0';
}

static const char *root_of(const struct dg_stack *st)
{
    return st->n ? st->f[st->n - 1]->func : "";
}

static struct leak *find(struct leak *l, size_t n, const char *name)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (l[i].name == name)
            return &l[i];
    return NULL;
}

/* The full dump's view of the goroutines started at `name`: creation site, wait, minutes. */
static void from_full_dump(const struct dg_ctx *ctx, struct leak *k)
{
    size_t i;
    double best = 0;

    for (i = 0; i < ctx->dm.gs.n; i++) {
        const struct dg_obs *o = &ctx->dm.gs.v[i];
        int u;
        if (root_of(&o->st) != k->name || o->weight <= best)
            continue;
        best = o->weight;
        if (o->created_by != NULL)
            k->created_by = o->created_by;
        if (o->reason[0])
            k->reason = o->reason;
        u = dg_first_user(&o->st, 0);
        if (u >= 0)
            k->leaf = o->st.f[u];
        if (o->minutes > k->minutes)
            k->minutes = o->minutes;
    }
}

/* Growth between two dumps alone can be churn: more short-lived goroutines in flight at the
 * second dump (fan-out calls under a busier moment). When the trace saw enough goroutines of
 * that kind start and more than four in five of them finish, they are not leaking (a leak
 * keeps at least a steady share of them, like the losers of hedged calls); drops those. */
static size_t drop_churn(const struct dg_ctx *ctx, struct leak *l, size_t n)
{
    size_t i, j, kept = 0;

    for (i = 0; i < n; i++) {
        int churn = 0;

        if (l[i].from_dumps && !l[i].from_trace)
            for (j = 0; j < ctx->tr.n_groups; j++) {
                const struct dg_group *g = &ctx->tr.groups[j];
                if (g->name == l[i].name && g->created >= ctx->cfg->leak_min_goroutines &&
                    (double)g->alive_end < 0.2 * (double)g->created)
                    churn = 1;
            }
        if (!churn)
            l[kept++] = l[i];
    }
    return kept;
}

static size_t find_leaks(const struct dg_ctx *ctx, struct leak *out, size_t max)
{
    const struct gorca_diag_config *cfg = ctx->cfg;
    size_t n = 0, i;

    /* Growth between two dumps. */
    for (i = 0; i < ctx->dm.n_growth && n < max; i++) {
        const struct dg_growth *g = &ctx->dm.growth[i];
        int64_t d = g->new_n - g->old_n;
        const char *root = root_of(&g->st);
        int u;

        if (infra(root) || g->cls == DG_RUNNING || g->cls == DG_RUNNABLE)
            continue;
        if (d < (int64_t)cfg->leak_min_goroutines ||
            (double)d < cfg->leak_growth * (double)(g->old_n > 0 ? g->old_n : 1))
            continue;
        memset(&out[n], 0, sizeof(out[n]));
        out[n].name = root;
        out[n].old_n = g->old_n;
        out[n].new_n = g->new_n;
        out[n].reason = g->reason;
        out[n].minutes = -1;
        u = dg_first_user(&g->st, 0);
        out[n].leaf = u >= 0 ? g->st.f[u] : NULL;
        out[n].from_dumps = 1;
        n++;
    }
    /* Goroutines created through the trace and still blocked at its end. */
    for (i = 0; i < ctx->tr.n_groups; i++) {
        const struct dg_group *g = &ctx->tr.groups[i];
        struct leak *k;

        uint64_t alive;
        int partial;

        if (g->system || infra(g->name) || g->created < cfg->leak_min_goroutines)
            continue;
        /* Nearly all of them still blocked at the end; or, when others of their kind finish,
         * a steady number blocked far longer than any finished one lived. */
        partial = (double)g->alive_end < 0.8 * (double)g->created;
        if (!partial &&
            (g->alive_life_ns <= 0 || (double)g->alive_wait_ns < 0.8 * (double)g->alive_life_ns))
            continue;
        if (partial &&
            (g->finished < cfg->leak_min_goroutines || g->stale < cfg->leak_min_goroutines ||
             g->stale_life_ns <= 0 || (double)g->stale_wait_ns < 0.8 * (double)g->stale_life_ns))
            continue;
        alive = partial ? g->stale : g->alive_end;
        if ((double)(g->last_create - g->first_create) < 0.5 * (double)ctx->tr.dur_ns)
            continue; /* a burst at start-up, not a steady leak */
        k = find(out, n, g->name);
        if (k == NULL) {
            if (n == max)
                break;
            k = &out[n++];
            memset(k, 0, sizeof(*k));
            k->name = g->name;
            k->old_n = k->new_n = -1;
            k->minutes = -1;
        }
        k->created = g->created;
        k->alive = alive;
        k->first = g->first_create;
        k->last = g->last_create;
        k->partial = partial;
        k->wait_share = partial ? (double)g->stale_wait_ns / (double)g->stale_life_ns
                                : (double)g->alive_wait_ns / (double)g->alive_life_ns;
        k->from_trace = 1;
    }
    n = drop_churn(ctx, out, n);
    for (i = 0; i < n; i++)
        from_full_dump(ctx, &out[i]);
    return n;
}

static void prepare(struct dg_ctx *ctx)
{
    struct leak l[8];
    size_t n = find_leaks(ctx, l, BASE_ARRAY_LEN(l)), i;

    for (i = 0; i < n && ctx->n_leak_creators < BASE_ARRAY_LEN(ctx->leak_creators); i++)
        if (l[i].created_by != NULL)
            ctx->leak_creators[ctx->n_leak_creators++] = l[i].created_by;
}

/* A request waiting on a channel or select right in the function that started the leaking
 * goroutines: it waits for their result and gives up (or not) while they stay blocked. */
static struct dg_claim claim(const struct dg_ctx *ctx, const struct dg_obs *o)
{
    struct dg_claim c = { 0, 0, -1 };
    size_t k;
    int u;

    if (o->req != DG_REQ_YES || ctx->n_leak_creators == 0 ||
        (o->cls != DG_CHAN && o->cls != DG_SELECT && o->cls != DG_SYNC))
        return c;
    u = dg_first_user(&o->st, 0);
    if (u < 0)
        return c;
    for (k = 0; k < ctx->n_leak_creators; k++) {
        if (o->st.f[u]->func == ctx->leak_creators[k]->func) {
            c.prio = 80;
            c.conf = 0.9;
            c.site = u;
            return c;
        }
    }
    return c;
}

static void evaluate(struct dg_ctx *ctx)
{
    struct dg_attr *a = &ctx->attr[GORCA_CAUSE_GOROUTINE_LEAK];
    struct leak l[8];
    size_t n = find_leaks(ctx, l, BASE_ARRAY_LEN(l));
    const struct leak *k;
    const char *name, *creator;
    double secs, rate = 0;
    struct dg_fb *fb;

    if (n == 0)
        return;
    k = &l[0];
    name = dg_display_func(ctx, k->name);
    creator = k->created_by ? dg_display_func(ctx, k->created_by->func) : NULL;
    fb = dg_finding(ctx, GORCA_CAUSE_GOROUTINE_LEAK);
    dg_rate(fb);
    dg_common_latency_parts(fb, "wait site", 2);
    if (k->from_dumps) {
        secs = (double)ctx->dm.interval_ns / 1e9;
        dg_evidence(fb, ctx->dm.old_input, "goroutines_before",
                    dg_printf(ctx, "%s goroutines, first dump", name), (double)k->old_n,
                    "goroutines");
        dg_evidence(fb, ctx->dm.new_input, "goroutines_after",
                    dg_printf(ctx, "%s goroutines, last dump", name), (double)k->new_n,
                    "goroutines");
        if (secs > 0) {
            rate = (double)(k->new_n - k->old_n) / secs;
            dg_evidence(fb, "derived", "growth_rate", "goroutines leaked per second", rate,
                        "per_second");
        }
        dg_evidence(fb, "derived", "total_goroutines_growth", "all goroutines, first to last dump",
                    (double)ctx->dm.new_total - (double)ctx->dm.old_total, "goroutines");
    }
    if (k->from_trace && !fb->f.window.known)
        dg_window(fb, k->first, ctx->tr.dur_ns, k->last, "trace");
    if (k->from_trace) {
        dg_evidence(fb, ctx->tr.input, "created_in_capture", "created during the trace",
                    (double)k->created, "goroutines");
        dg_evidence(fb, ctx->tr.input, "alive_at_end", "of those still alive at its end",
                    (double)k->alive, "goroutines");
        dg_evidence(fb, ctx->tr.input, "blocked_share", "share of their life spent blocked",
                    k->wait_share, "ratio");
        if (rate == 0 && ctx->tr.dur_ns > 0)
            rate = (double)k->alive / ((double)ctx->tr.dur_ns / 1e9);
    }
    if (k->minutes > 0)
        dg_evidence(fb, ctx->dm.input, "parked_minutes", "longest wait in the full dump",
                    k->minutes, "minutes");
    if (k->leaf != NULL)
        dg_location(fb, k->leaf, "blocked here", 1);
    if (k->created_by != NULL)
        dg_location(fb, k->created_by, "creation site", 1);
    /* A steady leak is a defect whatever its latency: the process runs out of memory. */
    dg_severity_at_least(fb, k->from_dumps && k->from_trace ? GORCA_SEV_HIGH : GORCA_SEV_MEDIUM);
    if (a->ns <= 0 && a->gor <= 0)
        dg_set_score(fb, k->from_dumps && k->from_trace ? 0.4 : 0.25, 0.8);
    dg_title(fb, "Goroutine leak: %s goroutines%s%s pile up%s%s", name,
             creator ? " started by " : "", creator ? creator : "",
             rate > 0 ? dg_printf(ctx, " at %.1f per second", rate) : "",
             k->reason && *k->reason ? dg_printf(ctx, ", blocked in \"%s\"", k->reason) : "");
    dg_explain(fb,
               "Goroutines running %s are started and never finish: %s%s. Each holds its stack "
               "and everything it references, so memory and scheduling cost grow until the "
               "process is restarted.%s",
               name,
               k->from_dumps
                   ? dg_printf(ctx,
                               "their number went from %lld to %lld between the "
                               "two goroutine dumps",
                               (long long)k->old_n, (long long)k->new_n)
                   : dg_printf(ctx,
                               "%llu were created during the trace and %llu are "
                               "still blocked at its end%s",
                               (unsigned long long)k->created, (unsigned long long)k->alive,
                               k->partial ? ", far longer than any that finished lived" : ""),
               k->from_dumps && k->from_trace
                   ? dg_printf(ctx, " (the trace agrees: %llu of %llu created are still blocked%s)",
                               (unsigned long long)k->alive, (unsigned long long)k->created,
                               k->partial ? ", far longer than any that finished lived" : "")
                   : "",
               a->ns > 0 && creator
                   ? dg_printf(ctx,
                               " %s waits for them and gives up after a timeout, which is "
                               "%s of request latency.",
                               creator, dg_pct(ctx, fb->f.latency_share))
                   : "");
    dg_advice(fb,
              "Pass the request's context to the goroutine started in %s (not "
              "context.Background()) and make it return when ctx.Done() is closed.",
              creator ? creator : "the handler");
    dg_advice(fb, "Let the worker always finish: give its result channel a buffer of one "
                  "(make(chan T, 1)) or send in a select with ctx.Done(), so a send nobody "
                  "receives does not block forever.");
    dg_advice(fb, "Watch runtime.NumGoroutine() (or the go_goroutines metric) and alert on "
                  "steady growth.");
}

const struct dg_rule dg_rule_leak = { GORCA_CAUSE_GOROUTINE_LEAK, prepare, claim, evaluate };
