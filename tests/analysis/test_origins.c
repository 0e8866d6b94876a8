/* Wake-up origins (gorca_analysis_origins): the blocking chains followed through relaying
 * goroutines. On the long-poll chat fixture (testdata/diagnosis/longpoll-go*, gen/longpoll
 * there) a waiting request is woken by the room's delivery goroutine, which was woken by the
 * posting request, which was woken by the netpoller when the POST arrived: the direct waker is
 * main.(*room).deliver, the origin is the netpoller at the server's request read. On the
 * analysis fixture a sender blocked on a slow receiver that sleeps between receives has the
 * receiver's sleep (a timer) as its origin. Both edge sets count the same wake-ups. */
#include "test.h"
#include "gorca/analysis.h"

static int has_frame(const struct gorca_analysis *an, uint32_t stack, const char *prefix)
{
    size_t n = 0, i;
    const uint32_t *fr = gorca_analysis_stack_frames(an, stack, &n);

    for (i = 0; i < n; i++) {
        const struct gorca_trace_frame *f = gorca_analysis_frame(an, fr[i]);
        if (f && f->func && strncmp(f->func, prefix, strlen(prefix)) == 0)
            return 1;
    }
    return 0;
}

static struct gorca_analysis *load(const char *path)
{
    struct gorca_analysis *an = NULL;
    struct gorca_error err;

    if (gorca_analysis_run_file(test_repo_path(path), NULL, &an, &err) != GORCA_OK) {
        gorca_analysis_free(an);
        return NULL;
    }
    return an;
}

/* Wait time of request waits at main.(*chat).wait, by direct waker or origin. */
struct split {
    int64_t total, deliver, netpoll_incoming, timer;
};

static struct split chat_waits(const struct gorca_analysis *an, const struct gorca_chains_result *c)
{
    struct split s = { 0, 0, 0, 0 };
    size_t i;

    for (i = 0; i < c->n_edges; i++) {
        const struct gorca_chain_edge *e = &c->edges[i];
        if (strcmp(e->waiter_name, "net/http.(*conn).serve") != 0 ||
            !has_frame(an, e->waiter_stack, "main.(*chat).wait"))
            continue;
        s.total += e->wait_ns;
        if (strcmp(e->waker_name, "main.(*room).deliver") == 0)
            s.deliver += e->wait_ns;
        if (strcmp(e->waker_name, "(netpoller)") == 0 &&
            (has_frame(an, e->waker_stack, "net/http.(*conn).readRequest") ||
             has_frame(an, e->waker_stack, "net/http.(*Server).Serve") ||
             has_frame(an, e->waker_stack, "net/http.(*connReader).")))
            s.netpoll_incoming += e->wait_ns;
        if (strcmp(e->waker_name, "(runtime)") == 0 || strcmp(e->waker_name, "(timer)") == 0)
            s.timer += e->wait_ns;
    }
    return s;
}

TEST(long_poll_waits_originate_in_other_requests)
{
    static const char *const fixtures[] = { "testdata/diagnosis/longpoll-go1.26/trace.out",
                                            "testdata/diagnosis/longpoll-go1.22/trace.out" };
    size_t i;

    for (i = 0; i < 2; i++) {
        struct gorca_analysis *an = load(fixtures[i]);
        const struct gorca_chains_result *d, *o;
        struct split sd, so;

        ASSERT_TRUE(an != NULL);
        d = gorca_analysis_chains(an);
        o = gorca_analysis_origins(an);
        ASSERT_TRUE(d->n_unblocks == o->n_unblocks && d->total_wait_ns == o->total_wait_ns);
        sd = chat_waits(an, d);
        so = chat_waits(an, o);
        ASSERT_TRUE(sd.total > 0 && sd.total == so.total);
        /* Directly, the delivery goroutine ends most waits (the rest: the poll timeout). */
        ASSERT_TRUE(sd.deliver >= (sd.total - sd.timer) * 9 / 10);
        ASSERT_TRUE(sd.netpoll_incoming == 0);
        /* By origin, a request arriving over the network ends them. */
        ASSERT_TRUE(so.deliver == 0);
        ASSERT_TRUE(so.netpoll_incoming >= (so.total - so.timer) * 8 / 10);
        gorca_analysis_free(an);
    }
}

TEST(a_sleeping_receiver_is_the_senders_origin)
{
    struct gorca_analysis *an = load("testdata/analysis/go1.26/analysis.trace");
    const struct gorca_chains_result *o;
    int64_t timer = 0, total = 0;
    size_t i;

    if (an == NULL) {
        ASSERT_TRUE(an != NULL);
        return;
    }
    o = gorca_analysis_origins(an);
    for (i = 0; i < o->n_edges; i++) {
        const struct gorca_chain_edge *e = &o->edges[i];
        if (strcmp(e->waiter_name, "main.chanSender") != 0 || strcmp(e->reason, "chan send") != 0)
            continue;
        total += e->wait_ns;
        if (strcmp(e->waker_name, "(timer)") == 0 && has_frame(an, e->waker_stack, "time.Sleep"))
            timer += e->wait_ns;
    }
    ASSERT_TRUE(total > 0 && timer >= total / 2);
    gorca_analysis_free(an);
}

TEST_MAIN({
    RUN(long_poll_waits_originate_in_other_requests);
    RUN(a_sleeping_receiver_is_the_senders_origin);
})
