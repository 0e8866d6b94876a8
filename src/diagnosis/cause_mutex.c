/* mutex_contention: requests queue for a lock. Mechanism: waits in sync.(*Mutex).Lock /
 * RWMutex Lock/RLock (trace sync blocking, block profile, "sync.Mutex.Lock" goroutines in the
 * dump), located at the user function that takes the lock; plus, cross-correlated with the
 * CPU profile (seed §2.3), the CPU that requests spend inside that function while holding the
 * lock, which is what serializes them. The mutex profile names the holders (release stacks).
 * Seed (chapter 1): sync.(*Mutex).Lock prominent; many goroutines at the same lock. */
#include "diag_int.h"

static const char *const lock_frames[] = {
    "sync.(*Mutex).Lock",          "sync.(*Mutex).lockSlow",
    "sync.(*RWMutex).Lock",        "sync.(*RWMutex).RLock",
    "internal/sync.(*Mutex).Lock", "internal/sync.(*Mutex).lockSlow",
    "internal/sync.(*RWMutex).",   NULL
};
static const char *const unlock_frames[] = { "sync.(*Mutex).Unlock", "sync.(*RWMutex).Unlock",
                                             "sync.(*RWMutex).RUnlock",
                                             "internal/sync.(*Mutex).Unlock", NULL };

static struct dg_claim claim(const struct dg_ctx *ctx, const struct dg_obs *o)
{
    struct dg_claim c = { 0, 0, -1 };
    int i;

    (void)ctx;
    if (o->cls == DG_RUNNING || o->cls == DG_RUNNABLE)
        return c;
    i = dg_find_prefix(&o->st, 0, lock_frames);
    if (i < 0 || (o->cls != DG_LOCK && o->cls != DG_SYNC && i > 4))
        return c;
    c.prio = 60;
    c.conf = 1.0;
    c.site = dg_first_user(&o->st, i);
    return c;
}

static void add_site(struct dg_ctx *ctx, struct dg_tallyv *t, const struct dg_obs *o,
                     const char *const *frames, double w)
{
    int i = dg_find_prefix(&o->st, 0, frames), s;

    if (i < 0)
        return;
    s = dg_first_user(&o->st, i);
    if (s >= 0)
        dg_tally_add(ctx, t, o->st.f[s], w, o->count);
}

/* The functions that take contended locks (request waits in any source) and that release
 * them after contention (mutex profile), heaviest first: the critical sections whose CPU the
 * attribution charges to the lock. */
static void prepare(struct dg_ctx *ctx)
{
    struct dg_tallyv t = { NULL, 0, 0 };
    double total = 0;
    size_t i;

    for (i = 0; i < ctx->tr.waits.n; i++)
        if (ctx->tr.waits.v[i].cls == DG_LOCK && ctx->tr.waits.v[i].req == DG_REQ_YES)
            add_site(ctx, &t, &ctx->tr.waits.v[i], lock_frames, ctx->tr.waits.v[i].weight);
    for (i = 0; i < ctx->pf.block.n; i++)
        if (ctx->pf.block.v[i].cls == DG_LOCK)
            add_site(ctx, &t, &ctx->pf.block.v[i], lock_frames, ctx->pf.block.v[i].weight);
    for (i = 0; i < ctx->pf.mutex.n; i++)
        add_site(ctx, &t, &ctx->pf.mutex.v[i], unlock_frames, ctx->pf.mutex.v[i].weight);
    for (i = 0; i < ctx->dm.gs.n; i++)
        if (ctx->dm.gs.v[i].cls == DG_LOCK)
            add_site(ctx, &t, &ctx->dm.gs.v[i], lock_frames, ctx->dm.gs.v[i].weight * 1e6);
    dg_tally_sort(&t);
    total = dg_tally_sum(&t);
    for (i = 0; i < t.n && ctx->n_lock_sites < BASE_ARRAY_LEN(ctx->lock_sites); i++)
        if (t.v[i].w >= 0.05 * total)
            ctx->lock_sites[ctx->n_lock_sites++] = t.v[i].key;
    dg_tally_release(&t);
}

/* The hottest user function under the lock site in the CPU profile (inside the critical
 * section), with its share of all CPU samples. */
static const struct dg_frame *hot_in_section(struct dg_ctx *ctx, const struct dg_frame *site,
                                             double *share)
{
    struct dg_tallyv t = { NULL, 0, 0 };
    const struct dg_frame *best = NULL;
    size_t i;
    double in = 0;

    *share = 0;
    for (i = 0; i < ctx->pf.cpu.n; i++) {
        const struct dg_obs *o = &ctx->pf.cpu.v[i];
        int at = dg_find_func(&o->st, site->func), u;
        if (at <= 0 || dg_find_prefix(&o->st, 0, lock_frames) >= 0 ||
            dg_find_prefix(&o->st, 0, unlock_frames) >= 0)
            continue;
        in += o->weight;
        u = dg_first_user(&o->st, 0);
        if (u >= 0 && u < at)
            dg_tally_add(ctx, &t, o->st.f[u], o->weight, 1);
    }
    dg_tally_sort(&t);
    if (t.n > 0)
        best = t.v[0].key;
    if (ctx->pf.cpu_total_ns > 0)
        *share = in / ctx->pf.cpu_total_ns;
    dg_tally_release(&t);
    return best;
}

static double dump_waiters(const struct dg_ctx *ctx, const struct dg_frame *site)
{
    double n = 0;
    size_t i;

    for (i = 0; i < ctx->dm.gs.n; i++) {
        const struct dg_obs *o = &ctx->dm.gs.v[i];
        if (o->cls == DG_LOCK && (site == NULL || dg_find_func(&o->st, site->func) >= 0))
            n += o->weight;
    }
    return n;
}

static void evaluate(struct dg_ctx *ctx)
{
    struct dg_attr *a = &ctx->attr[GORCA_CAUSE_MUTEX_CONTENTION];
    const struct dg_frame *site = ctx->n_lock_sites ? ctx->lock_sites[0] : NULL, *hot = NULL;
    const char *sname, *handler;
    double hot_share = 0, waiters, lock_wait = a->cls_ns[DG_LOCK] + a->cls_ns[DG_SYNC];
    struct dg_fb *fb;

    if (a->ns <= 0 && a->gor <= 0 && a->block_ns <= 0) {
        /* Contention off the request path matters only when nothing measures requests and the
         * profile shows a lot of it (a tenth of a goroutine waiting all the time). */
        if (ctx->tr.have || ctx->dm.have_states || ctx->sum.capture_ns <= 0 ||
            ctx->pf.mutex_total_ns < 0.1 * (double)ctx->sum.capture_ns)
            return;
    }
    fb = dg_finding(ctx, GORCA_CAUSE_MUTEX_CONTENTION);
    dg_rate(fb);
    dg_common_latency_parts(fb, "lock site", 3);
    sname = site ? dg_display_func(ctx, site->func) : "a shared lock";
    dg_tally_sort(&a->handlers);
    handler = a->handlers.n       ? dg_display_func(ctx, a->handlers.v[0].key)
              : a->handlers_gor.n ? dg_display_func(ctx, a->handlers_gor.v[0].key)
                                  : "request handlers";
    if (site != NULL)
        hot = hot_in_section(ctx, site, &hot_share);
    waiters = dump_waiters(ctx, site);
    if (ctx->tr.have && a->ns > 0) {
        dg_evidence(fb, ctx->tr.input, "lock_wait", "request time waiting for the lock", lock_wait,
                    "ns");
        if (a->cls_ns[DG_RUNNING] > 0)
            dg_evidence(fb, ctx->pf.cpu_input, "critical_section_time",
                        "request time running inside the critical section", a->cls_ns[DG_RUNNING],
                        "ns");
        dg_title(fb, "Lock contention in %s slows %s: %s of request latency", sname, handler,
                 dg_pct(ctx, fb->f.latency_share));
        dg_explain(fb,
                   "Requests queue for the lock taken in %s: they waited %s for it and spent %s "
                   "running inside its critical section, where only one of them can be at a "
                   "time. Together that is %s of all request latency.%s%s%s",
                   sname, dg_dur(ctx, lock_wait), dg_dur(ctx, a->cls_ns[DG_RUNNING]),
                   dg_pct(ctx, fb->f.latency_share), hot ? " The CPU profile shows " : "",
                   hot ? dg_display_func(ctx, hot->func) : "",
                   hot ? " doing the work while the lock is held." : "");
    } else if (a->gor > 0) {
        dg_title(fb, "Lock contention in %s: %.0f in-flight requests wait for the lock", sname,
                 a->gor);
        dg_explain(fb,
                   "At the moment of the goroutine dump %.0f requests were waiting to take the "
                   "lock in %s.",
                   a->gor, sname);
    } else if (a->block_ns > 0) {
        dg_title(fb, "Lock contention in %s slows %s (block profile)", sname, handler);
        dg_explain(fb,
                   "Request goroutines waited %s in total for the lock taken in %s during the "
                   "profile window, %s of their contention delay. Without an execution trace "
                   "the share of request latency cannot be measured.",
                   dg_dur(ctx, a->block_ns), sname, dg_pct(ctx, fb->f.score / 0.6));
    } else {
        dg_title(fb, "Lock contention in %s (mutex profile)", sname);
        dg_explain(fb,
                   "The mutex profile records %s of waiting caused by the lock released in "
                   "%s; no request latency could be measured from the inputs.",
                   dg_dur(ctx, ctx->pf.mutex_total_ns), sname);
        dg_set_score(fb, 0.05, 0.5);
        fb->f.severity = GORCA_SEV_LOW;
        if (site != NULL)
            dg_location(fb, site, "lock site", 1);
    }
    if (ctx->pf.mutex_total_ns > 0)
        dg_evidence(fb, ctx->pf.mutex_input, "mutex_delay", "waiting caused by lock holders",
                    ctx->pf.mutex_total_ns, "ns");
    if (a->block_ns > 0)
        dg_evidence(fb, ctx->pf.block_input, "block_lock_delay", "lock waits in request stacks",
                    a->block_ns, "ns");
    if (hot != NULL) {
        dg_evidence(fb, ctx->pf.cpu_input, "cpu_in_critical_section",
                    "share of CPU inside the critical section", hot_share, "ratio");
        dg_location(fb, hot, "critical section", hot_share);
    }
    if (waiters > 0)
        dg_evidence(fb, ctx->dm.input, "lock_waiters", "goroutines waiting for the lock", waiters,
                    "goroutines");
    dg_advice(fb,
              "Shorten the critical section in %s: compute%s%s outside the lock and take it "
              "only to read or store the result.",
              sname, hot ? " " : "", hot ? dg_display_func(ctx, hot->func) : " the expensive part");
    dg_advice(fb, "If reads dominate, use sync.RWMutex or an atomic.Pointer to an immutable "
                  "snapshot; if keys are independent, shard the lock (one mutex per shard).");
    dg_advice(fb, "Verify with the mutex and block profiles (runtime.SetMutexProfileFraction, "
                  "runtime.SetBlockProfileRate) after the change.");
}

const struct dg_rule dg_rule_mutex = { GORCA_CAUSE_MUTEX_CONTENTION, prepare, claim, evaluate };
