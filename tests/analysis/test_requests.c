/* HTTP requests found in the fixture traces (Go 1.22-1.26). go tool trace has no request view,
 * so these assert what testdata/go/analysis/main.go is known to do: 13 requests on 2
 * keep-alive connections; /sleep sleeps 120 ms, /db waits about 40 ms on a TCP "database",
 * /mutex waits about 40 ms on a mutex, /cpu burns 50 ms of CPU, /task is a user task around a
 * 30 ms sleep, /file writes and fsyncs, /upstream (a method value behind a middleware) calls
 * a 30 ms upstream HTTP server (whose own request is the fourteenth); two HTTP/2 requests over
 * TLS sleep 20 ms each. */
#include "test.h"
#include "an_test_util.h"

#define MS 1000000LL

static const char *const versions[] = { "1.22", "1.23", "1.24", "1.25", "1.26" };

static const struct gorca_handler_stats *handler(const struct gorca_requests_result *r,
                                                 const char *name)
{
    size_t i;

    for (i = 0; i < r->n_handlers; i++)
        if (strcmp(r->handlers[i].handler, name) == 0)
            return &r->handlers[i];
    return NULL;
}

static void check(const char *v)
{
    char path[256];
    struct gorca_analysis_options opt;
    struct gorca_analysis *an = NULL;
    struct gorca_error err;
    const struct gorca_requests_result *r;
    const struct gorca_handler_stats *h;
    size_t i, sleeps = 0;
    int64_t below130 = 0;

    gorca_analysis_options_init(&opt);
    opt.top_requests = 100; /* keep every request for the per-request checks */
    snprintf(path, sizeof(path), "testdata/analysis/go%s/analysis.trace", v);
    gorca_error_init(&err, path);
    if (gorca_analysis_run_file(test_repo_path(path), &opt, &an, &err) != GORCA_OK) {
        test_fail_msg(__FILE__, __LINE__, "%s: %s", path, gorca_strerror(err.code));
        gorca_analysis_free(an);
        return;
    }
    r = gorca_analysis_requests(an);
#define CHECK(cond)                                                           \
    do {                                                                      \
        if (!(cond)) {                                                        \
            test_fail_msg(__FILE__, __LINE__, "go%s: expected %s", v, #cond); \
            goto out;                                                         \
        }                                                                     \
    } while (0)
    /* Two clients, /upstream's call to the upstream server, and the HTTP/2 (TLS) connection,
     * whose requests run on handler goroutines of their own. */
    CHECK(r->n_conns == 4);
    CHECK(r->n_requests == 16);
    CHECK(r->n_slowest == 16);
    /* /sleep: three requests, each at least 120 ms asleep and barely anything else. */
    h = handler(r, "main.sleepHandler");
    CHECK(h != NULL && h->count == 3);
    for (i = 0; i < r->n_slowest; i++) {
        const struct gorca_request *q = &r->slowest[i];
        CHECK(!q->unfinished);
        CHECK(q->source ==
              (strcmp(q->handler, "main.h2Handler") == 0 ? GORCA_REQ_HTTP2 : GORCA_REQ_HTTP1));
        CHECK(q->end_ns - q->start_ns == q->dur_ns);
        if (strcmp(q->handler, "main.sleepHandler") != 0)
            continue;
        sleeps++;
        CHECK(q->t.wait_ns[GORCA_BLOCK_SLEEP] >= 120 * MS);
        CHECK(q->dur_ns - q->t.exec_ns >= 120 * MS); /* non-CPU time */
        CHECK(q->t.exec_ns < 5 * MS);
        below130 += q->dur_ns - q->t.exec_ns < 130 * MS;
    }
    CHECK(sleeps == 3);
    CHECK(below130 >= 2); /* timers may fire late under load, but not for most */
    /* /db: the handler itself waits on the network, about 40 ms per request. */
    h = handler(r, "main.dbHandler");
    CHECK(h != NULL && h->count == 2);
    CHECK(h->sum.wait_ns[GORCA_BLOCK_NET] >= 80 * MS && h->sum.wait_ns[GORCA_BLOCK_NET] < 200 * MS);
    CHECK(h->latency.p50_ns >= 40 * MS);
    /* /mutex: at least the 40 ms the helper holds the lock (its sleep may end late when the
     * machine is busy), on sync. */
    h = handler(r, "main.mutexHandler");
    CHECK(h != NULL && h->count == 1);
    CHECK(h->sum.wait_ns[GORCA_BLOCK_SYNC] >= 35 * MS &&
          h->sum.wait_ns[GORCA_BLOCK_SYNC] < 150 * MS);
    /* /cpu: 50 ms of wall time spinning, nearly all of it executing (more when the machine
     * takes the thread away: the Go runtime still sees it running). */
    h = handler(r, "main.cpuHandler");
    CHECK(h != NULL && h->count == 1);
    CHECK(h->sum.exec_ns >= 40 * MS && h->sum.exec_ns < 150 * MS);
    CHECK(h->sum.wait_ns[GORCA_BLOCK_SLEEP] == 0 && h->sum.wait_ns[GORCA_BLOCK_NET] == 0);
    /* /task: named after the task type, a 30 ms sleep inside. */
    h = handler(r, "GET /task");
    CHECK(h != NULL && h->count == 2);
    CHECK(h->sum.wait_ns[GORCA_BLOCK_SLEEP] >= 60 * MS);
    /* /upstream: a method value behind a middleware; the handler, not the middleware, is
     * named, and waiting for the HTTP client's round trip counts as network. */
    h = handler(r, "main.(*server).handleUpstream");
    CHECK(h != NULL && h->count == 1);
    CHECK(h->sum.wait_ns[GORCA_BLOCK_NET] >= 30 * MS && h->sum.wait_ns[GORCA_BLOCK_SYNC] < MS);
    CHECK(handler(r, "main.logged.func1") == NULL);
    /* ... and the upstream server saw that request too (its handler is a closure). */
    h = handler(r, "main.httpPhase.func1");
    CHECK(h != NULL && h->count == 1 && h->sum.wait_ns[GORCA_BLOCK_SLEEP] >= 30 * MS);
    /* HTTP/2: two requests, each sleeping 20 ms on its handler goroutine. */
    h = handler(r, "main.h2Handler");
    CHECK(h != NULL && h->count == 2 && h->sum.wait_ns[GORCA_BLOCK_SLEEP] >= 40 * MS);
    /* /file: the time goes to syscalls. */
    h = handler(r, "main.fileHandler");
    CHECK(h != NULL && h->count == 1);
    CHECK(h->sum.wait_ns[GORCA_BLOCK_SYSCALL] > h->sum.exec_ns);
    /* The slowest request is a /sleep one and the list is sorted. */
    CHECK(strcmp(r->slowest[0].handler, "main.sleepHandler") == 0);
    for (i = 1; i < r->n_slowest; i++)
        CHECK(r->slowest[i - 1].dur_ns >= r->slowest[i].dur_ns);
    /* Handlers' counts add up; the overall latency covers every request. */
    {
        uint64_t n = 0;
        for (i = 0; i < r->n_handlers; i++)
            n += r->handlers[i].count;
        CHECK(n == r->n_requests && r->latency.count == r->n_requests);
        CHECK(r->latency.max_ns == r->slowest[0].dur_ns);
    }
#undef CHECK
out:
    gorca_analysis_free(an);
}

TEST(requests_show_what_the_handlers_do)
{
    size_t i;

    for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
        check(versions[i]);
}

/* Keeping only the top 3 keeps the 3 slowest, still counting every request. */
TEST(top_requests_bounded)
{
    struct gorca_analysis_options opt;
    struct gorca_analysis *an = NULL;
    struct gorca_error err;
    const struct gorca_requests_result *r;

    gorca_analysis_options_init(&opt);
    opt.top_requests = 3;
    gorca_error_init(&err, NULL);
    ASSERT_EQ_INT(gorca_analysis_run_file(test_repo_path("testdata/analysis/go1.26/analysis.trace"),
                                          &opt, &an, &err),
                  GORCA_OK);
    r = gorca_analysis_requests(an);
    ASSERT_EQ_INT(r->n_slowest, 3);
    ASSERT_EQ_INT(r->n_requests, 16);
    ASSERT_STREQ(r->slowest[0].handler, "main.sleepHandler");
    ASSERT_STREQ(r->slowest[2].handler, "main.sleepHandler");
    gorca_analysis_free(an);
}

TEST_MAIN({
    RUN(requests_show_what_the_handlers_do);
    RUN(top_requests_bounded);
})
