/* Per-rule tests on real captures of the scenario service (testdata/diagnosis, README there):
 * each mode's cause must be the top finding, at medium severity or above, pointing at the
 * functions the scenario uses, with evidence that matches what the mode was built to do (the
 * 250 ms DNS delay, the 150 ms sleep, the 400 ms backend stall, GOMAXPROCS 1, ...). Healthy
 * captures must get nothing of medium or above; mixed captures both causes, ranked by their
 * share of request latency. Also the evidence-only paths: a goroutine dump alone, a pair of
 * count dumps, a CPU profile alone, profiles without a trace. */
#include "diag_test_util.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
    const char *fixture, *cause;
    const char *location; /* a code location the finding must name, NULL: none required */
    const char *handler;  /* an affected handler it must name, NULL: none required */
} top_cases[] = {
    { "testdata/diagnosis/dns-go1.22", "dns_resolution",
      "main.(*inventoryDNS).lookupInventoryBackend", "main.(*server).handleInventory" },
    { "testdata/diagnosis/mutex-go1.26", "mutex_contention", "main.(*priceCache).quote", NULL },
    { "testdata/diagnosis/gc-go1.22", "gc_assist", "main.buildSalesReport",
      "main.(*server).handleReports" },
    { "testdata/diagnosis/outbound-go1.26", "netpoll_blocking", "main.(*paymentClient).chargeCard",
      "main.(*server).handlePayments" },
    { "testdata/diagnosis/sleep-go1.22", "handler_blocking", "main.(*productDB).queryProducts",
      "main.(*server).handleSearch" },
    { "testdata/diagnosis/leak-go1.26", "goroutine_leak", "main.(*server).fetchRecommendations",
      "main.(*server).handleRecommendations" },
    { "testdata/diagnosis/chan-go1.22", "channel_blocking", "main.(*server).publishAuditEvent",
      "main.(*server).handleEvents" },
    { "testdata/diagnosis/tls-go1.26", "tls_handshake", "main.(*identityClient).exchangeToken",
      "main.(*server).handleLogin" },
    { "testdata/diagnosis/panic-go1.22", "panic_recovery", "main.(*server).handleCheckout", NULL },
    { "testdata/diagnosis/fsync-go1.26", "syscall_blocking", "main.(*auditJournal).appendRecord",
      "main.(*server).handleAudit" },
    { "testdata/diagnosis/fsync-slowdisk-go1.26", "syscall_blocking",
      "main.(*auditJournal).appendRecord", "main.(*server).handleAudit" },
    { "testdata/diagnosis/cpu-go1.22", "scheduler_latency", "main.rebuildSearchIndex", NULL },
    { "testdata/diagnosis/stw-go1.26", "gc_stw", NULL, "main.work" },
};

/* Properties every diagnosis has: sorted by score, scores and shares in range, every finding
 * explained and with advice. */
static int well_formed(const struct gorca_diagnosis *d)
{
    size_t i;

    for (i = 0; i < d->n_findings; i++) {
        const struct gorca_finding *f = &d->findings[i];
        if (f->score < 0 || f->score > 1 || f->confidence < 0 || f->confidence > 1)
            return 0;
        if (i > 0 && f->score > d->findings[i - 1].score)
            return 0;
        if (f->latency_share > 1 || gorca_cause_id(f->cause) == NULL || f->n_advice == 0 ||
            f->title == NULL || f->explanation == NULL || f->explanation[0] == '\0')
            return 0;
        if (f->window.known && (f->window.start_ns > f->window.end_ns ||
                                f->window.end_ns > f->window.capture_ns + 1000000000))
            return 0;
    }
    return 1;
}

TEST(top_cause_per_mode)
{
    size_t i;

    for (i = 0; i < N_ELEMS(top_cases); i++) {
        struct gorca_diagnosis *d = diag_run(NULL, top_cases[i].fixture, NULL);
        const struct gorca_finding *f;

        ASSERT_TRUE(d != NULL);
        if (d->n_findings == 0 ||
            strcmp(gorca_cause_id(d->findings[0].cause), top_cases[i].cause)) {
            test_fail_msg(__FILE__, __LINE__, "%s: top finding %s, want %s", top_cases[i].fixture,
                          d->n_findings ? gorca_cause_id(d->findings[0].cause) : "(none)",
                          top_cases[i].cause);
            gorca_diagnosis_free(d);
            return;
        }
        f = &d->findings[0];
        if (f->severity < GORCA_SEV_MEDIUM || !well_formed(d) || f->n_evidence == 0 ||
            (top_cases[i].location && !diag_has_location(f, top_cases[i].location, NULL)) ||
            (top_cases[i].handler && !diag_has_handler(f, top_cases[i].handler))) {
            test_fail_msg(
                __FILE__, __LINE__, "%s: %s severity %s, location %s %s, handler %s %s",
                top_cases[i].fixture, top_cases[i].cause, gorca_severity_name(f->severity),
                top_cases[i].location ? top_cases[i].location : "-",
                top_cases[i].location && diag_has_location(f, top_cases[i].location, NULL)
                    ? "found"
                    : "missing",
                top_cases[i].handler ? top_cases[i].handler : "-",
                top_cases[i].handler && diag_has_handler(f, top_cases[i].handler) ? "found"
                                                                                  : "missing");
            gorca_diagnosis_free(d);
            return;
        }
        ASSERT_TRUE(d->summary.has_trace && d->summary.requests > 0);
        gorca_diagnosis_free(d);
    }
}

TEST(healthy_is_not_accused)
{
    static const char *const fixtures[] = { "testdata/diagnosis/healthy-go1.26",
                                            "testdata/diagnosis/healthy-go1.22" };
    size_t i;

    for (i = 0; i < 2; i++) {
        struct gorca_diagnosis *d = diag_run(NULL, fixtures[i], NULL);
        ASSERT_TRUE(d != NULL);
        ASSERT_TRUE(well_formed(d));
        if (diag_count_at_least(d, GORCA_SEV_MEDIUM) != 0) {
            test_fail_msg(__FILE__, __LINE__, "%s: %s at %s", fixtures[i],
                          gorca_cause_id(d->findings[0].cause),
                          gorca_severity_name(d->findings[0].severity));
            gorca_diagnosis_free(d);
            return;
        }
        ASSERT_TRUE(gorca_diagnosis_max_severity(d) < GORCA_SEV_MEDIUM);
        gorca_diagnosis_free(d);
    }
}

/* The recordings of a gen/ program exist for Go 1.26 and Go 1.22: NAME-go1.26, NAME-go1.22. */
static const char *gen_fixture(char *buf, size_t n, const char *name, size_t i)
{
    snprintf(buf, n, "testdata/diagnosis/%s-go%s", name, i == 0 ? "1.26" : "1.22");
    return buf;
}

/* The top finding of a well-formed diagnosis when it is `cause`, else NULL. */
static const struct gorca_finding *top_is(const struct gorca_diagnosis *d, const char *cause)
{
    if (d == NULL || !well_formed(d) || d->n_findings == 0 ||
        strcmp(gorca_cause_id(d->findings[0].cause), cause) != 0)
        return NULL;
    return &d->findings[0];
}

/* A long-poll chat (gen/longpoll): GET /rooms/N/wait holds every request until another
 * client's POST reaches the room through its delivery goroutine, or the 1 s poll timeout. The
 * waits are the API's design: nothing at medium or above, and a note that names the wait.
 * With the long-poll recognition switched off (event_wait_share 1) the same waits read as
 * channel blocking, so the recognition is what keeps the service from being accused. */
TEST(long_polls_are_not_accused)
{
    struct gorca_diag_config off;
    char path[128];
    size_t i, k;

    gorca_diag_config_init(&off);
    off.event_wait_share = 1;
    for (i = 0; i < 2; i++) {
        struct gorca_diagnosis *d = diag_run(NULL, gen_fixture(path, 128, "longpoll", i), NULL);
        int noted = 0;
        ASSERT_TRUE(d != NULL);
        ASSERT_TRUE(well_formed(d));
        if (diag_count_at_least(d, GORCA_SEV_MEDIUM) != 0) {
            test_fail_msg(__FILE__, __LINE__, "%s: %s at %s", path,
                          gorca_cause_id(d->findings[0].cause),
                          gorca_severity_name(d->findings[0].severity));
            gorca_diagnosis_free(d);
            return;
        }
        ASSERT_TRUE(diag_find(d, "channel_blocking") == NULL);
        for (k = 0; k < d->n_notes; k++)
            if (strstr(d->notes[k], "long poll") && strstr(d->notes[k], "main.(*chat).wait"))
                noted = 1;
        ASSERT_TRUE(noted);
        gorca_diagnosis_free(d);
        d = diag_run(&off, path, NULL);
        ASSERT_TRUE(top_is(d, "channel_blocking") != NULL);
        gorca_diagnosis_free(d);
    }
}

/* Requests that panic 3000 calls deep (gen/deeppanic): the CPU profile keeps 64 frames, so
 * the samples inside the panic never reach the request's root. The panic is still the top
 * finding, rated low (latency is fine, the requests fail), naming the panic site, its kind
 * and the recovery code, with its share of CPU. */
TEST(deep_panics_are_seen_in_cut_stacks)
{
    char path[128];
    size_t i;

    for (i = 0; i < 2; i++) {
        struct gorca_diagnosis *d = diag_run(NULL, gen_fixture(path, 128, "deeppanic", i), NULL);
        const struct gorca_finding *f = top_is(d, "panic_recovery");
        ASSERT_TRUE(f != NULL);
        ASSERT_TRUE(f->severity == GORCA_SEV_LOW);
        ASSERT_TRUE(diag_has_location(f, "main.(*rule).apply", "panic site"));
        ASSERT_TRUE(diag_has_location(f, "main.main.recovering.func4.1", "recovery code"));
        ASSERT_TRUE(strstr(f->title, "nil pointer dereference") != NULL);
        ASSERT_TRUE(diag_evidence(f, "panic_cpu_share") >= 0.2);
        gorca_diagnosis_free(d);
    }
}

/* Panics whose recovery reports every goroutine's stack (gen/deeppanic -dump-all, 3000
 * parked goroutines): the reports hold the Ps, so requests wait runnable. That wait belongs to
 * the panics (the CPU inside them), not to scheduler latency: panic_recovery is the top
 * finding, high, with most of the latency, and scheduler latency keeps only the rest. */
TEST(panic_reports_own_the_cpu_they_take)
{
    char path[128];
    size_t i;

    for (i = 0; i < 2; i++) {
        struct gorca_diagnosis *d = diag_run(NULL, gen_fixture(path, 128, "panicdump", i), NULL);
        const struct gorca_finding *f = top_is(d, "panic_recovery"), *s;
        ASSERT_TRUE(f != NULL);
        ASSERT_TRUE(f->severity >= GORCA_SEV_HIGH && f->latency_share >= 0.5);
        ASSERT_TRUE(diag_has_location(f, "main.(*rule).apply", "panic site"));
        s = diag_find(d, "scheduler_latency");
        ASSERT_TRUE(s == NULL || s->latency_share < 0.1);
        gorca_diagnosis_free(d);
    }
}

/* Hedged calls whose losers leak (gen/hedge): most attempt goroutines finish, a steady share
 * block forever on their result send. The dumps show the growth; the trace must agree too —
 * not by "nearly all still alive" (most finish) but by the ones blocked far longer than any
 * finished attempt lived — so the leak is confirmed from both sides and rated high. */
TEST(partial_leaks_are_confirmed_by_the_trace)
{
    char path[128];
    size_t i;

    for (i = 0; i < 2; i++) {
        struct gorca_diagnosis *d = diag_run(NULL, gen_fixture(path, 128, "hedge", i), NULL);
        const struct gorca_finding *f = top_is(d, "goroutine_leak");
        double created, alive;
        ASSERT_TRUE(f != NULL);
        ASSERT_TRUE(f->severity == GORCA_SEV_HIGH);
        ASSERT_TRUE(strstr(f->title, "main.(*quoter).quote.func1") != NULL);
        created = diag_evidence(f, "created_in_capture");
        alive = diag_evidence(f, "alive_at_end");
        ASSERT_TRUE(alive >= 20 && alive < 0.5 * created);
        ASSERT_TRUE(diag_has_location(f, "main.(*quoter).quote", "creation site"));
        gorca_diagnosis_free(d);
    }
}

TEST(mixes_report_both_ranked_by_share)
{
    static const struct {
        const char *fixture, *a, *b;
    } mixes[] = {
        { "testdata/diagnosis/dns,mutex-go1.26", "dns_resolution", "mutex_contention" },
        { "testdata/diagnosis/gc,leak-go1.22", "gc_assist", "goroutine_leak" },
    };
    size_t i;

    for (i = 0; i < N_ELEMS(mixes); i++) {
        struct gorca_diagnosis *d = diag_run(NULL, mixes[i].fixture, NULL);
        const struct gorca_finding *a, *b;

        ASSERT_TRUE(d != NULL);
        a = diag_find(d, mixes[i].a);
        b = diag_find(d, mixes[i].b);
        ASSERT_TRUE(a != NULL && b != NULL);
        ASSERT_TRUE(a->severity >= GORCA_SEV_MEDIUM && b->severity >= GORCA_SEV_MEDIUM);
        /* The one listed first explains more request latency. */
        if (a < b)
            ASSERT_TRUE(a->latency_share >= b->latency_share);
        else
            ASSERT_TRUE(b->latency_share >= a->latency_share);
        ASSERT_TRUE(well_formed(d));
        gorca_diagnosis_free(d);
    }
}

/* ---- what each mode was built to show ------------------------------------------------------ */

TEST(dns_lookups_take_the_servers_delay)
{
    struct gorca_diagnosis *d = diag_run(NULL, "testdata/diagnosis/dns-go1.22", NULL);
    const struct gorca_finding *f;

    ASSERT_TRUE(d != NULL);
    f = diag_find(d, "dns_resolution");
    ASSERT_TRUE(f != NULL);
    /* The scenario's DNS server answers after 250 ms: no lookup is faster, and requests
     * started before the window make the mean at most a little lower. */
    ASSERT_TRUE(diag_evidence(f, "longest_wait") >= 250e6);
    ASSERT_TRUE(diag_evidence(f, "lookup_wait_mean") >= 150e6);
    ASSERT_TRUE(f->severity >= GORCA_SEV_HIGH); /* over the seed's 200 ms */
    ASSERT_TRUE(f->window.known && f->window.end_ns > f->window.start_ns);
    gorca_diagnosis_free(d);
}

TEST(sleep_waits_are_the_query_delay)
{
    struct gorca_diagnosis *d = diag_run(NULL, "testdata/diagnosis/sleep-go1.22", NULL);
    const struct gorca_finding *f;

    ASSERT_TRUE(d != NULL);
    f = diag_find(d, "handler_blocking");
    ASSERT_TRUE(f != NULL);
    ASSERT_TRUE(diag_evidence(f, "longest_wait") >= 150e6); /* time.Sleep(150 ms) */
    ASSERT_TRUE(diag_evidence(f, "sleep_time") > 0.9 * (double)f->attributed_ns);
    ASSERT_TRUE(f->confidence > 0.99);
    gorca_diagnosis_free(d);
}

TEST(outbound_waits_last_the_stall)
{
    struct gorca_diagnosis *d = diag_run(NULL, "testdata/diagnosis/outbound-go1.26", NULL);
    const struct gorca_finding *f;

    ASSERT_TRUE(d != NULL);
    f = diag_find(d, "netpoll_blocking");
    ASSERT_TRUE(f != NULL);
    ASSERT_TRUE(diag_evidence(f, "longest_wait") >= 400e6); /* the backend stalls 400 ms */
    ASSERT_TRUE(diag_evidence(f, "share_of_blocking") > 0);
    ASSERT_TRUE(diag_has_location(f, "main.(*paymentClient).chargeCard", "call site"));
    gorca_diagnosis_free(d);
}

TEST(mutex_names_lock_and_critical_section)
{
    struct gorca_diagnosis *d = diag_run(NULL, "testdata/diagnosis/mutex-go1.26", NULL);
    const struct gorca_finding *f;

    ASSERT_TRUE(d != NULL);
    f = diag_find(d, "mutex_contention");
    ASSERT_TRUE(f != NULL);
    ASSERT_TRUE(diag_has_location(f, "main.(*priceCache).quote", "lock site"));
    /* Cross-correlation with the CPU profile: the hash loop runs under the lock. */
    ASSERT_TRUE(diag_has_location(f, "main.recomputePrice", "critical section"));
    ASSERT_TRUE(diag_evidence(f, "cpu_in_critical_section") > 0.3);
    ASSERT_TRUE(diag_evidence(f, "lock_wait") > 0);
    ASSERT_TRUE(diag_has_handler(f, "main.(*server).handleOrders") ||
                diag_has_handler(f, "main.(*server).handleUser"));
    gorca_diagnosis_free(d);
}

TEST(leak_grows_between_dumps_and_is_linked)
{
    struct gorca_diagnosis *d = diag_run(NULL, "testdata/diagnosis/leak-go1.26", NULL);
    const struct gorca_finding *f;

    ASSERT_TRUE(d != NULL);
    f = diag_find(d, "goroutine_leak");
    ASSERT_TRUE(f != NULL);
    ASSERT_TRUE(diag_evidence(f, "goroutines_after") - diag_evidence(f, "goroutines_before") >= 5);
    ASSERT_TRUE(diag_evidence(f, "alive_at_end") >= 5);
    ASSERT_TRUE(diag_has_location(f, "main.(*server).handleRecommendations", "creation site"));
    ASSERT_TRUE(diag_has_location(f, "main.(*server).fetchRecommendations", "blocked here"));
    /* The handler's wait for its worker is charged to the leak, not to a timer wait. */
    ASSERT_TRUE(f->attributed_ns > 0 && diag_find(d, "handler_blocking") == NULL);
    gorca_diagnosis_free(d);
}

TEST(channel_names_the_slow_consumer)
{
    struct gorca_diagnosis *d = diag_run(NULL, "testdata/diagnosis/chan-go1.22", NULL);
    const struct gorca_finding *f;
    const struct gorca_evidence *e;

    ASSERT_TRUE(d != NULL);
    f = diag_find(d, "channel_blocking");
    ASSERT_TRUE(f != NULL);
    e = diag_evidence_item(f, "woken_by_share");
    ASSERT_TRUE(e != NULL && strstr(e->label, "consumeAuditEvents") != NULL);
    e = diag_evidence_item(f, "partner_busy_share");
    ASSERT_TRUE(e != NULL && strstr(e->label, "sleeping") != NULL); /* persistAuditEvent sleeps */
    gorca_diagnosis_free(d);
}

TEST(tls_handshakes_dominate_cpu)
{
    struct gorca_diagnosis *d = diag_run(NULL, "testdata/diagnosis/tls-go1.26", NULL);
    const struct gorca_finding *f;

    ASSERT_TRUE(d != NULL);
    f = diag_find(d, "tls_handshake");
    ASSERT_TRUE(f != NULL);
    ASSERT_TRUE(diag_evidence(f, "handshake_cpu_share") >= 0.3);
    ASSERT_TRUE(diag_evidence(f, "connections_dialled") >= 1);
    gorca_diagnosis_free(d);
}

TEST(panic_names_the_kind_and_the_site)
{
    struct gorca_diagnosis *d = diag_run(NULL, "testdata/diagnosis/panic-go1.22", NULL);
    const struct gorca_finding *f;

    ASSERT_TRUE(d != NULL);
    f = diag_find(d, "panic_recovery");
    ASSERT_TRUE(f != NULL);
    ASSERT_TRUE(strstr(f->title, "assignment to entry in nil map") != NULL);
    ASSERT_TRUE(diag_has_location(f, "main.(*server).handleCheckout", "panic site"));
    ASSERT_TRUE(diag_has_location(f, "main.(*server).reportCrash", "recovery code"));
    ASSERT_TRUE(diag_evidence(f, "panicking_in_conn_serve") >= 1);
    gorca_diagnosis_free(d);
}

TEST(fsync_is_the_top_syscall)
{
    struct gorca_diagnosis *d = diag_run(NULL, "testdata/diagnosis/fsync-go1.26", NULL);
    const struct gorca_finding *f;
    const struct gorca_evidence *e;

    ASSERT_TRUE(d != NULL);
    f = diag_find(d, "syscall_blocking");
    ASSERT_TRUE(f != NULL);
    e = diag_evidence_item(f, "top_syscall_share");
    ASSERT_TRUE(e != NULL && (strstr(e->label, "Fsync") || strstr(e->label, "Pwrite") ||
                              strstr(e->label, "pwrite")));
    ASSERT_TRUE(strstr(f->advice[0], "fsync") != NULL || strstr(f->advice[0], "blocking") != NULL);
    gorca_diagnosis_free(d);
}

/* A disk far slower than the journal's writes: audit requests queue for seconds, so most of
 * their system calls began before the trace and end after it. Go's profiles hold almost none
 * of that time (a call is counted when it ends, from the goroutine's first run in the trace);
 * the diagnosis must still see it. */
TEST(slow_disk_calls_across_the_window)
{
    struct gorca_diagnosis *d = diag_run(NULL, "testdata/diagnosis/fsync-slowdisk-go1.26", NULL);
    const struct gorca_finding *f;
    const struct gorca_evidence *e;

    ASSERT_TRUE(d != NULL);
    f = top_is(d, "syscall_blocking");
    ASSERT_TRUE(f != NULL);
    ASSERT_TRUE(f->severity >= GORCA_SEV_HIGH && f->latency_share >= 0.5);
    /* 26 goroutines of the mid-window dump wait in appendRecord's system calls, in a 2 s
     * window: their calls alone are tens of seconds of request time. */
    e = diag_evidence_item(f, "attributed_time");
    ASSERT_TRUE(e != NULL && e->value >= 20e9);
    gorca_diagnosis_free(d);
}

TEST(cpu_starvation_names_the_spinners)
{
    struct gorca_diagnosis *d = diag_run(NULL, "testdata/diagnosis/cpu-go1.22", NULL);
    const struct gorca_finding *f;

    ASSERT_TRUE(d != NULL);
    f = diag_find(d, "scheduler_latency");
    ASSERT_TRUE(f != NULL);
    ASSERT_EQ_INT(diag_evidence(f, "gomaxprocs"), 1); /* -procs 1 */
    ASSERT_TRUE(diag_evidence(f, "saturated_share") > 0.5);
    ASSERT_TRUE(diag_evidence(f, "top_cpu_share") > 0.5);
    ASSERT_TRUE(diag_has_location(f, "main.rebuildSearchIndex", "hot function"));
    gorca_diagnosis_free(d);
}

TEST(gc_pressure_and_allocation_site)
{
    struct gorca_diagnosis *d = diag_run(NULL, "testdata/diagnosis/gc-go1.22", NULL);
    const struct gorca_finding *f;

    ASSERT_TRUE(d != NULL);
    f = diag_find(d, "gc_assist");
    ASSERT_TRUE(f != NULL);
    ASSERT_TRUE(diag_evidence(f, "gc_cycles") >= 1);
    ASSERT_TRUE(diag_evidence(f, "gc_mark_share") > 0.2); /* GOGC 25 under allocation load */
    ASSERT_TRUE(diag_has_location(f, "main.buildSalesReport", "allocation site"));
    gorca_diagnosis_free(d);
}

TEST(stw_pauses_over_the_seed_threshold)
{
    struct gorca_diagnosis *d = diag_run(NULL, "testdata/diagnosis/stw-go1.26", NULL);
    const struct gorca_finding *f;

    ASSERT_TRUE(d != NULL);
    f = diag_find(d, "gc_stw");
    ASSERT_TRUE(f != NULL);
    ASSERT_TRUE(diag_evidence(f, "gc_pause_max") >= 10e6);
    ASSERT_TRUE(diag_evidence(f, "long_gc_pauses") >= 1);
    ASSERT_TRUE(f->window.known);
    gorca_diagnosis_free(d);
}

/* ---- evidence without a trace -------------------------------------------------------------- */

TEST(dump_alone)
{
    struct gorca_diagnosis *d =
        diag_run(NULL, "testdata/diagnosis/panic-go1.22/goroutine-debug2.txt", NULL);
    const struct gorca_finding *f;

    ASSERT_TRUE(d != NULL);
    ASSERT_TRUE(!d->summary.has_trace && d->summary.has_dump && d->summary.inflight_requests > 0);
    ASSERT_TRUE(d->n_findings > 0);
    f = &d->findings[0];
    ASSERT_STREQ(gorca_cause_id(f->cause), "panic_recovery");
    ASSERT_TRUE(diag_evidence(f, "inflight_requests") >= 1);
    ASSERT_TRUE(d->n_notes > 0); /* says that shares are estimated */
    gorca_diagnosis_free(d);

    d = diag_run(NULL, "testdata/diagnosis/dns-go1.22/goroutine-debug1.txt", NULL);
    ASSERT_TRUE(d != NULL && d->n_findings > 0);
    ASSERT_STREQ(gorca_cause_id(d->findings[0].cause), "dns_resolution");
    gorca_diagnosis_free(d);
}

TEST(count_dumps_show_growth)
{
    struct gorca_diagnosis *d =
        diag_run(NULL, "testdata/diagnosis/leak-go1.26/goroutine-debug1.txt",
                 "testdata/diagnosis/leak-go1.26/goroutine-end-debug1.txt", NULL);
    const struct gorca_finding *f;

    ASSERT_TRUE(d != NULL);
    f = diag_find(d, "goroutine_leak");
    ASSERT_TRUE(f != NULL && f->severity >= GORCA_SEV_MEDIUM);
    ASSERT_TRUE(diag_evidence(f, "goroutines_after") > diag_evidence(f, "goroutines_before"));
    gorca_diagnosis_free(d);
}

TEST(cpu_profile_alone)
{
    struct gorca_diagnosis *d = diag_run(NULL, "testdata/diagnosis/tls-go1.26/profile.pb.gz", NULL);
    const struct gorca_finding *f;

    ASSERT_TRUE(d != NULL);
    f = diag_find(d, "tls_handshake");
    ASSERT_TRUE(f != NULL && f->latency_share < 0); /* no request latency without a trace */
    ASSERT_TRUE(diag_evidence(f, "handshake_cpu_share") >= 0.3);
    gorca_diagnosis_free(d);
}

TEST(profiles_without_trace)
{
    struct gorca_diagnosis *d = diag_run(NULL, "testdata/diagnosis/mutex-go1.26/profile.pb.gz",
                                         "testdata/diagnosis/mutex-go1.26/block.pb.gz",
                                         "testdata/diagnosis/mutex-go1.26/mutex.pb.gz", NULL);
    const struct gorca_finding *f;

    ASSERT_TRUE(d != NULL);
    ASSERT_TRUE(d->n_findings > 0);
    f = &d->findings[0];
    ASSERT_STREQ(gorca_cause_id(f->cause), "mutex_contention");
    ASSERT_TRUE(diag_has_location(f, "main.(*priceCache).quote", "lock site"));
    ASSERT_TRUE(diag_evidence(f, "block_delay") > 0);
    gorca_diagnosis_free(d);
}

TEST_MAIN({
    RUN(top_cause_per_mode);
    RUN(healthy_is_not_accused);
    RUN(long_polls_are_not_accused);
    RUN(deep_panics_are_seen_in_cut_stacks);
    RUN(panic_reports_own_the_cpu_they_take);
    RUN(partial_leaks_are_confirmed_by_the_trace);
    RUN(mixes_report_both_ranked_by_share);
    RUN(dns_lookups_take_the_servers_delay);
    RUN(sleep_waits_are_the_query_delay);
    RUN(outbound_waits_last_the_stall);
    RUN(mutex_names_lock_and_critical_section);
    RUN(leak_grows_between_dumps_and_is_linked);
    RUN(channel_names_the_slow_consumer);
    RUN(tls_handshakes_dominate_cpu);
    RUN(panic_names_the_kind_and_the_site);
    RUN(fsync_is_the_top_syscall);
    RUN(slow_disk_calls_across_the_window);
    RUN(cpu_starvation_names_the_spinners);
    RUN(gc_pressure_and_allocation_site);
    RUN(stw_pauses_over_the_seed_threshold);
    RUN(dump_alone);
    RUN(count_dumps_show_growth);
    RUN(cpu_profile_alone);
    RUN(profiles_without_trace);
})
