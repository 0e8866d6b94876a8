/* What the fixture program (testdata/go/analysis/main.go) is known to do, checked in every
 * fixture trace (Go 1.22-1.26) for the analyses go tool trace has no page for -- GC pauses and
 * periodicity, scheduling, the timeline, blocking chains, CPU samples -- plus the internal
 * consistency between them (the timeline's STW time is the pauses' total, its CPU samples
 * are the trace's, ...). */
#include <math.h>
#include "test.h"
#include "an_test_util.h"

#define MS 1000000LL

static const char *const versions[] = { "1.22", "1.23", "1.24", "1.25", "1.26" };
static const char *ver;

#define CHECK(cond)                                                             \
    do {                                                                        \
        if (!(cond)) {                                                          \
            test_fail_msg(__FILE__, __LINE__, "go%s: expected %s", ver, #cond); \
            return;                                                             \
        }                                                                       \
    } while (0)

static const struct gorca_trace_group *group(const struct gorca_analysis *an, const char *name)
{
    size_t n, i;
    const struct gorca_trace_group *g = gorca_analysis_groups(an, &n);

    for (i = 0; i < n; i++)
        if (strcmp(g[i].name, name) == 0)
            return &g[i];
    return NULL;
}

static int64_t group_block(const struct gorca_trace_group *g, const char *reason)
{
    size_t i;

    for (i = 0; g && i < g->n_blocks; i++)
        if (strcmp(g->blocks[i].name, reason) == 0)
            return g->blocks[i].ns;
    return 0;
}

static void goroutine_classes(const struct gorca_analysis *an)
{
    const struct gorca_trace_group *g;

    g = group(an, "main.chanSender");
    CHECK(g && group_block(g, "chan send") > 150 * MS);
    CHECK(g->wait_ns[GORCA_BLOCK_SYNC] >= group_block(g, "chan send"));
    g = group(an, "main.chanReceiver");
    CHECK(g && group_block(g, "chan receive") > 150 * MS);
    g = group(an, "main.selectWaiter");
    CHECK(g && group_block(g, "select") > 80 * MS);
    g = group(an, "main.condWaiter");
    CHECK(g && g->count == 3 && group_block(g, "sync.(*Cond).Wait") > 150 * MS);
    g = group(an, "main.wgWaiter");
    CHECK(g && group_block(g, "sync") >= 70 * MS);
    g = group(an, "main.mutexContender");
    CHECK(g && g->count == 4 && group_block(g, "sync") > 50 * MS);
    g = group(an, "main.tcpReader");
    CHECK(g && g->wait_ns[GORCA_BLOCK_NET] > 200 * MS);
    g = group(an, "main.pipeReader");
    CHECK(g && g->wait_ns[GORCA_BLOCK_NET] > 200 * MS);
    /* 15 raw 10 ms nanosleeps: all syscall time, some of it after losing the P. */
    g = group(an, "main.sleeper");
    CHECK(g && g->syscall_block_ns + g->syscall_ns >= 140 * MS && g->syscall_block_ns > 10 * MS);
    g = group(an, "main.fsyncer");
    CHECK(g && g->syscall_ns + g->syscall_block_ns > 0);
    /* Allocating goroutines pay mark assists. */
    g = group(an, "main.gcPhase.func1");
    CHECK(g && g->count == 3 && g->assist_ns > 0);
}

static int has_pause(const struct gorca_gc_result *gc, const char *kind)
{
    size_t i;

    for (i = 0; i < gc->n_pauses; i++)
        if (strcmp(gc->pauses[i].kind, kind) == 0)
            return 1;
    return 0;
}

static void gc_facts(const struct gorca_analysis *an)
{
    const struct gorca_gc_result *gc = gorca_analysis_gc(an);
    int64_t total = 0, max = 0, mark = 0;
    uint64_t n_gc = 0;
    size_t i;

    CHECK(gc->n_cycles >= 3);
    CHECK(has_pause(gc, "GC mark termination") && has_pause(gc, "GC sweep termination"));
    CHECK(has_pause(gc, "read mem stats")); /* runtime.ReadMemStats */
    CHECK(has_pause(gc, "GOMAXPROCS"));     /* runtime.GOMAXPROCS(2) */
    for (i = 0; i < gc->n_pauses; i++) {
        const struct gorca_stw_pause *p = &gc->pauses[i];
        CHECK(p->dur_ns > 0);
        CHECK(i == 0 || gc->pauses[i - 1].start_ns < p->start_ns);
        CHECK(p->gc == (strstr(p->kind, "GC") != NULL));
        total += p->dur_ns;
        n_gc += p->gc;
        if (p->dur_ns > max)
            max = p->dur_ns;
    }
    CHECK(total == gc->pause_total_ns && max == gc->pause_max_ns && n_gc == gc->n_gc_pauses);
    CHECK(gc->pause_p50_ns <= gc->pause_p99_ns && gc->pause_p99_ns <= gc->pause_max_ns);
    CHECK(gc->gc_pause_max_ns <= gc->pause_max_ns);
    for (i = 0; i < gc->n_cycles; i++) {
        CHECK(gc->cycles[i].seq == i + 1 && gc->cycles[i].dur_ns > 0);
        mark += gc->cycles[i].dur_ns;
    }
    CHECK(mark == gc->mark_total_ns);
    CHECK(gc->assist_total_ns > 0 && gc->assist_count > 0);
    CHECK(gc->heap_max_bytes > 10 * 1024 * 1024);
    CHECK(gc->cycle_period.n >= 3 && gc->cycle_period.mean_interval_ns > 0);
}

static void sched_facts(const struct gorca_analysis *an)
{
    const struct gorca_sched_result *s = gorca_analysis_sched(an);
    const struct gorca_trace_group *hog = group(an, "main.cpuHog");

    /* Six CPU-bound goroutines on two Ps: most of their time is spent runnable. */
    CHECK(hog && hog->count == 6);
    CHECK(hog->sched_wait_ns > 400 * MS);
    CHECK(hog->sched_latency.count > 0 && hog->sched_latency.max_ns > 5 * MS);
    CHECK(s->saturated_share > 0.05 && s->runnable_share > 0.1);
    CHECK(s->runnable.count > 100 && s->net_ready.count > 10);
    CHECK(s->runnable.p50_ns <= s->runnable.p95_ns && s->runnable.p95_ns <= s->runnable.p99_ns);
    CHECK(s->runnable.p99_ns <= s->runnable.max_ns);
    CHECK(s->n_procs >= 2 && s->procs[0].busy_share > 0 && s->procs[0].busy_share <= 1);
}

static void timeline_facts(const struct gorca_analysis *an)
{
    const struct gorca_timeline *t = gorca_analysis_timeline(an);
    const struct gorca_analysis_info *in = gorca_analysis_info(an);
    const struct gorca_gc_result *gc = gorca_analysis_gc(an);
    uint64_t cpu = 0;
    int64_t stw = 0, gcns = 0;
    double max_runnable = 0;
    size_t i;

    CHECK(t->width_ns == MS);
    CHECK((int64_t)t->n_buckets == (in->end_ns - in->start_ns + MS - 1) / MS);
    for (i = 0; i < t->n_buckets; i++) {
        CHECK(t->buckets[i].start_ns == t->start_ns + (int64_t)i * MS);
        cpu += t->buckets[i].cpu_samples;
        stw += t->buckets[i].stw_ns;
        gcns += t->buckets[i].gc_ns;
        CHECK(t->buckets[i].stw_ns <= MS && t->buckets[i].gc_ns <= MS);
        if (t->buckets[i].runnable > max_runnable)
            max_runnable = t->buckets[i].runnable;
    }
    CHECK(cpu == gorca_analysis_cpu(an)->samples);
    CHECK(stw == gc->pause_total_ns);
    CHECK(llabs(gcns - gc->mark_total_ns) < MS);
    CHECK(max_runnable >= 3.5); /* four of the six hogs wait at any time */
}

static int edge(const struct gorca_analysis *an, const char *waker, const char *waiter,
                const char *reason, uint64_t min_count)
{
    const struct gorca_chains_result *c = gorca_analysis_chains(an);
    size_t i;
    uint64_t n = 0;

    for (i = 0; i < c->n_edges; i++) {
        const struct gorca_chain_edge *e = &c->edges[i];
        if (strcmp(e->waker_name, waker) == 0 && strcmp(e->waiter_name, waiter) == 0 &&
            strcmp(e->reason, reason) == 0)
            n += e->count;
    }
    return n >= min_count;
}

static void chain_facts(const struct gorca_analysis *an)
{
    const struct gorca_chains_result *c = gorca_analysis_chains(an);
    size_t i;

    CHECK(edge(an, "main.slowReceiver", "main.chanSender", "chan send", 20));
    CHECK(edge(an, "main.slowProducer", "main.chanReceiver", "chan receive", 20));
    CHECK(edge(an, "main.condSignaller", "main.condWaiter", "sync.(*Cond).Wait", 10));
    CHECK(edge(an, "main.selectFeeder", "main.selectWaiter", "select", 10));
    CHECK(edge(an, "main.mutexContender", "main.mutexContender", "sync", 20));
    CHECK(edge(an, "main.worker", "main.wgWaiter", "sync", 1));
    CHECK(edge(an, "(netpoller)", "main.tcpReader", "network", 10));
    CHECK(edge(an, "(timer)", "main.slowProducer", "sleep", 20));
    for (i = 1; i < c->n_edges; i++)
        CHECK(c->edges[i - 1].wait_ns >= c->edges[i].wait_ns);
}

static void cpu_facts(const struct gorca_analysis *an)
{
    const struct gorca_cpu_result *c = gorca_analysis_cpu(an);
    const struct gorca_trace_group *hog = group(an, "main.cpuHog");
    size_t n, i;
    const struct gorca_trace_group *g = gorca_analysis_groups(an, &n);
    uint64_t sum = 0;
    int spin = 0;

    CHECK(c->samples >= 20 && c->with_goroutine <= c->samples);
    for (i = 0; i < n; i++) {
        sum += g[i].cpu_samples;
    }
    CHECK(sum <= c->with_goroutine);
    /* The spinning hogs and the allocators burn most of the CPU. */
    CHECK(hog && hog->cpu_samples > 0 && group(an, "main.gcPhase.func1"));
    CHECK(2 * (hog->cpu_samples + group(an, "main.gcPhase.func1")->cpu_samples) >= sum);
    for (i = 0; i < c->n_top; i++)
        spin |= strcmp(c->top[i].func, "main.spin") == 0;
    CHECK(spin);
}

TEST(fixture_facts)
{
    size_t v;

    for (v = 0; v < sizeof(versions) / sizeof(versions[0]); v++) {
        char path[256];
        struct gorca_analysis *an = NULL;
        struct gorca_error err;

        ver = versions[v];
        snprintf(path, sizeof(path), "testdata/analysis/go%s/analysis.trace", ver);
        gorca_error_init(&err, path);
        if (gorca_analysis_run_file(test_repo_path(path), NULL, &an, &err) != GORCA_OK) {
            test_fail_msg(__FILE__, __LINE__, "%s: %s", path, gorca_strerror(err.code));
            gorca_analysis_free(an);
            continue;
        }
        goroutine_classes(an);
        gc_facts(an);
        sched_facts(an);
        timeline_facts(an);
        chain_facts(an);
        cpu_facts(an);
        gorca_analysis_free(an);
    }
}

/* Without goroutine rows the groups are the same; buckets merge when capped. */
TEST(bounded_memory_options)
{
    struct gorca_analysis_options opt;
    struct gorca_analysis *a = NULL, *b = NULL;
    struct gorca_error err;
    const char *path = test_repo_path("testdata/analysis/go1.26/analysis.trace");
    size_t na, nb, nr, i;
    const struct gorca_trace_group *ga, *gb;

    ver = "1.26";
    gorca_error_init(&err, NULL);
    ASSERT_EQ_INT(gorca_analysis_run_file(path, NULL, &a, &err), GORCA_OK);
    gorca_analysis_options_init(&opt);
    opt.keep_goroutine_rows = 0;
    opt.max_buckets = 100;
    ASSERT_EQ_INT(gorca_analysis_run_file(path, &opt, &b, &err), GORCA_OK);
    gorca_analysis_goroutines(b, &nr);
    ASSERT_EQ_INT(nr, 0);
    ga = gorca_analysis_groups(a, &na);
    gb = gorca_analysis_groups(b, &nb);
    ASSERT_EQ_INT(na, nb);
    for (i = 0; i < na; i++) {
        ASSERT_STREQ(ga[i].name, gb[i].name);
        ASSERT_EQ_INT(ga[i].count, gb[i].count);
        ASSERT_EQ_INT(ga[i].exec_ns, gb[i].exec_ns);
        ASSERT_EQ_INT(ga[i].total_ns, gb[i].total_ns);
    }
    /* 1301 one-millisecond buckets do not fit in 100: they merge to 16 ms. */
    ASSERT_TRUE(gorca_analysis_timeline(b)->n_buckets <= 100);
    ASSERT_EQ_INT(gorca_analysis_timeline(b)->width_ns, 16 * MS);
    {
        const struct gorca_timeline *ta = gorca_analysis_timeline(a),
                                    *tb = gorca_analysis_timeline(b);
        int64_t sa = 0, sb = 0;
        for (i = 0; i < ta->n_buckets; i++)
            sa += ta->buckets[i].stw_ns;
        for (i = 0; i < tb->n_buckets; i++)
            sb += tb->buckets[i].stw_ns;
        ASSERT_EQ_INT(sa, sb);
    }
    gorca_analysis_free(a);
    gorca_analysis_free(b);
}

TEST_MAIN({
    RUN(fixture_facts);
    RUN(bounded_memory_options);
})
