/* Blocking profiles against Go 1.26's `go tool trace -pprof=net|sync|syscall|sched` on the
 * fixture trace of every Go version (1.22-1.26): after merging samples with the same frames,
 * every stack must carry the same contention count and delay as the oracle's, read back with
 * `go tool pprof -raw` (testdata/analysis/goV/pprof-TYPE.txt). Also checks the classes'
 * shares add up and that the top frames of the sync profile name the fixture's contention,
 * and, on the edges trace (testdata/go/analysis -edges: waits under way when the trace starts
 * and ends, with known lengths), that the uncounted profiles, the request accounting and the
 * timeline hold the time Go's profiles leave out. */
#include "test.h"
#include "an_test_util.h"

static const char *const versions[] = { "1.22", "1.23", "1.24", "1.25", "1.26" };
static const struct {
    const char *name;
    enum gorca_block_class cls;
} types[] = {
    { "net", GORCA_BLOCK_NET },
    { "sync", GORCA_BLOCK_SYNC },
    { "syscall", GORCA_BLOCK_SYSCALL },
    { "sched", GORCA_BLOCK_SCHED },
};

struct line {
    char *text; /* "COUNT DELAY\tframes" (owned) */
};

static int cmp_line(const void *a, const void *b)
{
    return strcmp(((const struct line *)a)->text, ((const struct line *)b)->text);
}

/* Our profile in the oracle's normalised form: one line per distinct frame list. */
static size_t our_lines(const struct gorca_analysis *an, const struct gorca_block_profile *p,
                        struct line **out)
{
    struct line *v = calloc(p->n_samples + 1, sizeof(*v));
    size_t i, k, n = 0;

    for (i = 0; i < p->n_samples; i++) {
        size_t nf = 0, cap = 256, len = 0;
        const uint32_t *fr = gorca_analysis_stack_frames(an, p->samples[i].stack, &nf);
        char *s = malloc(cap);
        s[0] = '\0';
        for (k = 0; k < nf; k++) {
            const struct gorca_trace_frame *f = gorca_analysis_frame(an, fr[k]);
            char buf[1024];
            int m = snprintf(buf, sizeof(buf), "%s0x%" PRIx64 " %s %s:%" PRIu64, k ? " | " : "",
                             f->pc, f->func, f->file, f->line);
            while (len + (size_t)m + 1 > cap)
                s = realloc(s, cap *= 2);
            memcpy(s + len, buf, (size_t)m + 1);
            len += (size_t)m;
        }
        v[n].text = malloc(len + 64);
        snprintf(v[n].text, len + 64, "%" PRIu64 " %" PRId64 "\t%s", p->samples[i].count,
                 p->samples[i].delay_ns, s);
        free(s);
        n++;
    }
    /* Samples are already merged by PCs; equal frame text implies equal PCs. */
    qsort(v, n, sizeof(*v), cmp_line);
    *out = v;
    return n;
}

static void check(const char *ver, struct gorca_analysis *an, int t, int *agree, int *total)
{
    char path[256];
    struct an_tsv tsv;
    struct line *ours;
    size_t n, i, j, matched = 0;
    const struct gorca_block_profile *p = gorca_analysis_blocking(an, types[t].cls);

    snprintf(path, sizeof(path), "testdata/analysis/go%s/pprof-%s.txt", ver, types[t].name);
    if (an_tsv_load(test_repo_path(path), &tsv) != 0) {
        test_fail_msg(__FILE__, __LINE__, "cannot read %s", path);
        return;
    }
    n = our_lines(an, p, &ours);
    /* The golden is "COUNT DELAY<tab>frames": rejoin the two fields and look each up. */
    for (i = 0; i < tsv.n; i++) {
        char want[65536];
        struct line key = { want };
        snprintf(want, sizeof(want), "%s\t%s", tsv.rows[i].f[0],
                 tsv.rows[i].nf > 1 ? tsv.rows[i].f[1] : "");
        if (bsearch(&key, ours, n, sizeof(*ours), cmp_line) != NULL)
            matched++;
        else if (an_test_verbose())
            printf("  go%s %s: oracle stack not matched: %.300s\n", ver, types[t].name, want);
    }
    if (an_test_verbose() && matched != n)
        for (j = 0; j < n; j++) {
            int found = 0;
            for (i = 0; i < tsv.n && !found; i++) {
                size_t l = strlen(tsv.rows[i].f[0]);
                found = strncmp(ours[j].text, tsv.rows[i].f[0], l) == 0 &&
                        ours[j].text[l] == '\t' && tsv.rows[i].nf > 1 &&
                        strcmp(ours[j].text + l + 1, tsv.rows[i].f[1]) == 0;
            }
            if (!found)
                printf("  go%s %s: ours not in oracle: %.300s\n", ver, types[t].name, ours[j].text);
        }
    printf("# go%s pprof=%s: stacks %zu/%zu (ours %zu)\n", ver, types[t].name, matched, tsv.n, n);
    *agree += (int)matched;
    *total += (int)tsv.n;
    if (matched != tsv.n || n != tsv.n)
        test_fail_msg(__FILE__, __LINE__, "go%s: -pprof=%s differs from Go 1.26", ver,
                      types[t].name);
    for (i = 0; i < n; i++)
        free(ours[i].text);
    free(ours);
    an_tsv_free(&tsv);
}

TEST(profiles_match_go126)
{
    size_t v;
    int t, agree = 0, total = 0;

    for (v = 0; v < sizeof(versions) / sizeof(versions[0]); v++) {
        char path[256];
        struct gorca_analysis *an = NULL;
        struct gorca_error err;
        struct gorca_analysis_options opt;

        gorca_analysis_options_init(&opt);
        opt.compat_go = 26; /* the reference is Go 1.26's tool for every trace */
        snprintf(path, sizeof(path), "testdata/analysis/go%s/analysis.trace", versions[v]);
        gorca_error_init(&err, path);
        if (gorca_analysis_run_file(test_repo_path(path), &opt, &an, &err) != GORCA_OK) {
            test_fail_msg(__FILE__, __LINE__, "%s: %s", path, gorca_strerror(err.code));
            gorca_analysis_free(an);
            continue;
        }
        for (t = 0; t < 4; t++)
            check(versions[v], an, t, &agree, &total);
        gorca_analysis_free(an);
    }
    printf("# blocking profiles: %d/%d oracle stacks equal\n", agree, total);
}

TEST(shares_and_top_frames)
{
    struct gorca_analysis *an = NULL;
    struct gorca_error err;
    const struct gorca_block_profile *sync;
    double sum = 0;
    size_t i;
    int c, found = 0;

    gorca_error_init(&err, NULL);
    ASSERT_EQ_INT(gorca_analysis_run_file(test_repo_path("testdata/analysis/go1.26/analysis.trace"),
                                          NULL, &an, &err),
                  GORCA_OK);
    for (c = 0; c < GORCA_BLOCK_N; c++)
        sum += gorca_analysis_blocking(an, (enum gorca_block_class)c)->share;
    ASSERT_TRUE(sum > 0.999 && sum < 1.001);
    /* Four main.mutexContender goroutines take turns on one mutex: sync.(*Mutex).Lock and
     * main.mutexContender are among the top frames of the sync profile. */
    sync = gorca_analysis_blocking(an, GORCA_BLOCK_SYNC);
    ASSERT_TRUE(sync->n_top > 0);
    for (i = 0; i < sync->n_top; i++)
        found |= (strcmp(sync->top[i].func, "main.mutexContender") == 0) << 0 |
                 (strcmp(sync->top[i].func, "sync.(*Mutex).Lock") == 0) << 1;
    ASSERT_EQ_INT(found, 3);
    /* Sleeping is its own class: main.sleeper's nanosleeps are syscalls, time.Sleep is sleep. */
    ASSERT_TRUE(gorca_analysis_blocking(an, GORCA_BLOCK_SLEEP)->total_ns > 0);
    gorca_analysis_free(an);
}

/* Sum of the samples of p whose stack has a frame func (func NULL: stackless samples). */
static int64_t delay_at(const struct gorca_analysis *an, const struct gorca_block_profile *p,
                        const char *func, uint64_t *count)
{
    int64_t d = 0;
    size_t i, k;

    *count = 0;
    for (i = 0; i < p->n_samples; i++) {
        size_t nf = 0;
        const uint32_t *fr = gorca_analysis_stack_frames(an, p->samples[i].stack, &nf);
        int hit = func == NULL && nf == 0;
        for (k = 0; k < nf && func != NULL && !hit; k++) {
            const struct gorca_trace_frame *f = gorca_analysis_frame(an, fr[k]);
            hit = f && f->func && strcmp(f->func, func) == 0;
        }
        if (hit) {
            d += p->samples[i].delay_ns;
            *count += p->samples[i].count;
        }
    }
    return d;
}

#define EDGE_CHECK(cond)                                                              \
    do {                                                                              \
        if (!(cond))                                                                  \
            test_fail_msg(__FILE__, __LINE__, "go%s edges: expected %s", ver, #cond); \
    } while (0)

#define MS 1000000LL

TEST(waits_across_the_trace_edges)
{
    size_t v;

    for (v = 0; v < sizeof(versions) / sizeof(versions[0]); v++) {
        const char *ver = versions[v];
        char path[128];
        struct gorca_analysis *an = NULL;
        struct gorca_error err;
        const struct gorca_analysis_info *info;
        const struct gorca_block_profile *sys, *usys, *usync;
        const struct gorca_requests_result *rq;
        const struct gorca_timeline *tl;
        struct gorca_analysis_options opt;
        int64_t dur, d, lead;
        uint64_t n;

        snprintf(path, sizeof(path), "testdata/analysis/go%s/edges.trace", ver);
        gorca_analysis_options_init(&opt);
        opt.top_requests = 16;
        gorca_error_init(&err, NULL);
        ASSERT_EQ_INT(gorca_analysis_run_file(test_repo_path(path), &opt, &an, &err), GORCA_OK);
        info = gorca_analysis_info(an);
        dur = info->end_ns - info->start_ns;
        EDGE_CHECK(dur > 1100 * MS && dur < 3000 * MS);
        sys = gorca_analysis_blocking(an, GORCA_BLOCK_SYSCALL);
        usys = gorca_analysis_uncounted(an, GORCA_BLOCK_SYSCALL);
        usync = gorca_analysis_uncounted(an, GORCA_BLOCK_SYNC);
        /* The handler's 2.5 s system call spans the trace: Go's profile has none of it (the
         * call never ends in the trace), the uncounted profile all of it, once. */
        d = delay_at(an, sys, "main.rawSleep", &n);
        EDGE_CHECK(d == 0 && n == 0);
        /* main.leadSleeper's 300 ms call began 100 ms before the start: its first status
         * comes when it returns, without a stack, and Go counts nothing of it. Stackless
         * waits share one sample. */
        lead = delay_at(an, usys, NULL, &n);
        if (strcmp(ver, "1.22") == 0) {
            /* Go 1.22 restates no stacks at generation ends: the handler's call is stackless. */
            EDGE_CHECK(n == 2 && lead >= dur + 150 * MS && lead <= dur + 300 * MS);
        } else {
            EDGE_CHECK(n == 1 && lead >= 150 * MS && lead <= 300 * MS);
            d = delay_at(an, usys, "main.edgeHandler", &n);
            EDGE_CHECK(d >= dur - MS && d <= dur && n == 1);
            /* The handler's goroutine is the application's (its status stack names it). */
            EDGE_CHECK(usys->user_total_ns >= d);
            /* edgeWaiter waits on a channel throughout, from before the start. */
            d = delay_at(an, usync, "main.edgeWaiter", &n);
            EDGE_CHECK(d >= dur - MS && d <= dur && n == 1);
        }
        /* The timeline counts both calls from the start (backfilled when the goroutines are
         * first seen), and the handler's to the end. */
        tl = gorca_analysis_timeline(an);
        EDGE_CHECK(tl->n_buckets > 100);
        if (tl->n_buckets > 100) {
            EDGE_CHECK(tl->buckets[0].waiting[GORCA_BLOCK_SYSCALL] >= 1.99);
            EDGE_CHECK(tl->buckets[tl->n_buckets / 2].waiting[GORCA_BLOCK_SYSCALL] >= 0.99);
            EDGE_CHECK(tl->buckets[tl->n_buckets - 1].waiting[GORCA_BLOCK_SYSCALL] >= 0.99);
        }
        /* The request in flight: from the trace's start to its end, all of it in the system
         * call (our accounting starts a goroutine first seen by a status at the start). */
        rq = gorca_analysis_requests(an);
        if (strcmp(ver, "1.22") != 0) {
            EDGE_CHECK(rq->n_requests == 1 && rq->n_slowest == 1);
            if (rq->n_slowest == 1) {
                const struct gorca_request *q = &rq->slowest[0];
                EDGE_CHECK(strcmp(q->handler, "main.edgeHandler") == 0 && q->unfinished);
                EDGE_CHECK(q->start_ns <= info->start_ns + MS && q->end_ns == info->end_ns);
                EDGE_CHECK(q->t.wait_ns[GORCA_BLOCK_SYSCALL] >= q->dur_ns - MS);
            }
        } else {
            /* No stack shows the handler: the connection's time is no request. */
            EDGE_CHECK(rq->n_requests == 0);
        }
        gorca_analysis_free(an);
    }
}

TEST_MAIN({
    RUN(profiles_match_go126);
    RUN(shares_and_top_frames);
    RUN(waits_across_the_trace_edges);
})
