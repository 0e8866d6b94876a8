/* Unit tests of the diagnosis building blocks: how stacks are read (request or not, which
 * handler through middleware, client I/O, synchronization class, standard library or not),
 * cause ids and severities, and the configuration file (defaults from the seed, overrides,
 * every kind of mistake rejected with the key named, disabled causes really switched off). */
#include "diag_test_util.h"
#include "diagnosis/diag_int.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* A stack from function names, leaf first, NULL-terminated (frames live in a static pool). */
static struct dg_frame pool[64];
static const struct dg_frame *ptrs[64];

static struct dg_stack mkstack(const char *const *funcs)
{
    struct dg_stack st;
    uint32_t n = 0;

    while (funcs[n] != NULL && n < 64) {
        pool[n].func = funcs[n];
        pool[n].file = "";
        pool[n].line = 0;
        ptrs[n] = &pool[n];
        n++;
    }
    st.f = ptrs;
    st.n = n;
    return st;
}

static const struct {
    const char *name;
    const char *frames[16];
    int req;
    const char *handler; /* expected handler function, NULL for none */
    int client_io;
} stacks[] = {
    { "handler behind a middleware closure",
      { "runtime.selectgo", "main.(*paymentClient).chargeCard", "main.(*server).handlePayments",
        "net/http.HandlerFunc.ServeHTTP", "main.(*server).routes.(*server).recoverPanics.func1",
        "net/http.HandlerFunc.ServeHTTP", "net/http.(*ServeMux).ServeHTTP",
        "net/http.serverHandler.ServeHTTP", "net/http.(*conn).serve", NULL },
      DG_REQ_YES,
      "main.(*server).handlePayments",
      0 },
    { "method value wrapper",
      { "time.Sleep", "main.(*productDB).queryProducts", "main.(*server).handleSearch",
        "main.(*server).handleSearch-fm", "net/http.HandlerFunc.ServeHTTP",
        "net/http.(*ServeMux).ServeHTTP", "net/http.serverHandler.ServeHTTP",
        "net/http.(*conn).serve", NULL },
      DG_REQ_YES,
      "main.(*server).handleSearch",
      0 },
    { "middleware type with its own ServeHTTP",
      { "sync.(*Mutex).Lock", "example.com/app/store.(*Cache).Get", "example.com/app/api.listItems",
        "net/http.HandlerFunc.ServeHTTP", "example.com/app/mw.(*logger).ServeHTTP",
        "net/http.serverHandler.ServeHTTP", "net/http.(*conn).serve", NULL },
      DG_REQ_YES,
      "example.com/app/api.listItems",
      0 },
    { "router frames skipped",
      { "runtime.chanrecv1", "example.com/svc.(*h).get",
        "github.com/go-chi/chi/v5.(*Mux).routeHTTP", "net/http.HandlerFunc.ServeHTTP",
        "github.com/go-chi/chi/v5.(*Mux).ServeHTTP", "net/http.serverHandler.ServeHTTP",
        "net/http.(*conn).serve", NULL },
      DG_REQ_YES,
      "example.com/svc.(*h).get",
      0 },
    { "the capture's own pprof request",
      { "runtime.selectgo", "net/http/pprof.sleep", "net/http/pprof.Trace",
        "net/http.HandlerFunc.ServeHTTP", "net/http.(*ServeMux).ServeHTTP",
        "net/http.serverHandler.ServeHTTP", "net/http.(*conn).serve", NULL },
      DG_REQ_DEBUG,
      NULL,
      0 },
    { "idle connection waiting for the next request",
      { "internal/poll.(*FD).Read", "net.(*conn).Read", "net/http.(*connReader).Read",
        "bufio.(*Reader).fill", "bufio.(*Reader).Peek", "net/http.(*conn).serve", NULL },
      DG_REQ_NO,
      NULL,
      0 },
    { "handler reading a slow client's body",
      { "internal/poll.(*FD).Read", "net.(*conn).Read", "net/http.(*connReader).Read",
        "bufio.(*Reader).Read", "net/http.(*body).Read", "io.ReadAll", "main.upload",
        "net/http.HandlerFunc.ServeHTTP", "net/http.serverHandler.ServeHTTP",
        "net/http.(*conn).serve", NULL },
      DG_REQ_YES,
      "main.upload",
      1 },
    { "response being finished",
      { "syscall.write", "net.(*conn).Write", "bufio.(*Writer).Flush",
        "net/http.(*response).finishRequest", "net/http.serverHandler.ServeHTTP",
        "net/http.(*conn).serve", NULL },
      DG_REQ_YES,
      NULL,
      1 },
    { "background goroutine",
      { "time.Sleep", "main.persistAuditEvent", "main.(*server).consumeAuditEvents", NULL },
      DG_REQ_NO,
      NULL,
      0 },
};

TEST(request_and_handler_of_stacks)
{
    size_t i;

    for (i = 0; i < N_ELEMS(stacks); i++) {
        struct dg_stack st = mkstack(stacks[i].frames);
        int h = -2, req = dg_request_of(&st, &h);
        const char *got = h >= 0 ? st.f[h]->func : NULL;

        if (req != stacks[i].req || (stacks[i].handler == NULL) != (got == NULL) ||
            (got && strcmp(got, stacks[i].handler) != 0) ||
            dg_is_client_io(&st) != stacks[i].client_io) {
            test_fail_msg(__FILE__, __LINE__, "%s: req %d handler %s client_io %d", stacks[i].name,
                          req, got ? got : "(none)", dg_is_client_io(&st));
            return;
        }
    }
}

TEST(sync_class_from_frames)
{
    static const struct {
        const char *frames[6];
        enum dg_class cls;
    } rows[] = {
        { { "runtime.gopark", "runtime.chansend", "runtime.chansend1", "main.publish", NULL },
          DG_CHAN },
        { { "runtime.gopark", "runtime.selectgo", "main.wait", NULL }, DG_SELECT },
        { { "sync.runtime_SemacquireMutex", "internal/sync.(*Mutex).lockSlow", "sync.(*Mutex).Lock",
            "main.quote", NULL },
          DG_LOCK },
        { { "sync.runtime_Semacquire", "sync.(*WaitGroup).Wait", "main.fanout", NULL }, DG_SYNC },
        { { "runtime.gopark", "sync.runtime_notifyListWait", "sync.(*Cond).Wait", NULL }, DG_SYNC },
    };
    size_t i;

    for (i = 0; i < N_ELEMS(rows); i++) {
        struct dg_stack st = mkstack(rows[i].frames);
        ASSERT_EQ_INT(dg_sync_class(&st), rows[i].cls);
    }
}

TEST(standard_library_or_not)
{
    static const struct {
        const char *func;
        int std;
    } rows[] = {
        { "net/http.(*conn).serve", 1 },
        { "runtime.gopark", 1 },
        { "main.main", 0 },
        { "main.(*server).handleOrders", 0 },
        { "github.com/x/y.(*Z).F", 0 },
        { "gopkg.in/yaml.v3.Unmarshal", 0 },
        { "crypto/tls.(*Conn).Handshake", 1 },
        { "sync.(*Mutex).Lock", 1 },
        { "example.com/m.Map[net/http.Header].Get", 0 },
    };
    size_t i;

    for (i = 0; i < N_ELEMS(rows); i++)
        if (dg_is_std(rows[i].func) != rows[i].std) {
            test_fail_msg(__FILE__, __LINE__, "%s: std %d", rows[i].func, dg_is_std(rows[i].func));
            return;
        }
}

TEST(cause_ids_and_severities)
{
    static const char *const ids[GORCA_CAUSE_N] = {
        "dns_resolution",   "mutex_contention",  "gc_stw",
        "gc_assist",        "netpoll_blocking",  "handler_blocking",
        "goroutine_leak",   "channel_blocking",  "tls_handshake",
        "syscall_blocking", "scheduler_latency", "panic_recovery"
    };
    enum gorca_severity s;
    int c;

    for (c = 0; c < GORCA_CAUSE_N; c++) {
        ASSERT_STREQ(gorca_cause_id((enum gorca_cause)c), ids[c]);
        ASSERT_EQ_INT(gorca_cause_from_id(ids[c]), c);
        ASSERT_TRUE(gorca_cause_title((enum gorca_cause)c) != NULL);
        ASSERT_TRUE(dg_rules[c] != NULL && dg_rules[c]->cause == (enum gorca_cause)c &&
                    dg_rules[c]->evaluate != NULL);
    }
    ASSERT_TRUE(gorca_cause_id(GORCA_CAUSE_N) == NULL);
    ASSERT_EQ_INT(gorca_cause_from_id("dns"), -1);
    ASSERT_EQ_INT(gorca_severity_parse("critical", &s), 0);
    ASSERT_EQ_INT(s, GORCA_SEV_CRITICAL);
    ASSERT_EQ_INT(gorca_severity_parse("severe", &s), -1);
    ASSERT_STREQ(gorca_severity_name(GORCA_SEV_MEDIUM), "medium");
}

TEST(config_defaults_follow_the_seed)
{
    struct gorca_diag_config c;

    gorca_diag_config_init(&c);
    ASSERT_EQ_INT(c.dns_slow_ns, 200000000);     /* chapter 1: > 200 ms */
    ASSERT_EQ_INT(c.stw_pause_ns, 10000000);     /* chapter 1: > 10 ms */
    ASSERT_TRUE(c.netpoll_share == 0.40);        /* chapter 1: > 40 % */
    ASSERT_EQ_INT(c.slow_request_ns, 100000000); /* chapter 1: > 100 ms */
    ASSERT_EQ_INT(c.slow_tail_ns, 20000000);     /* chapter 1: P95 20 ms */
    ASSERT_TRUE(c.share_low < c.share_medium && c.share_medium < c.share_high &&
                c.share_high < c.share_critical);
    ASSERT_EQ_INT(c.disabled, 0);
}

static enum gorca_status parse(struct gorca_diag_config *c, const char *json, char *msg,
                               size_t size)
{
    struct gorca_error err;
    enum gorca_status st;

    gorca_error_init(&err, NULL);
    st = gorca_diag_config_parse(c, json, strlen(json), "cfg.json", &err);
    gorca_error_format(&err, msg, size);
    return st;
}

TEST(config_overrides)
{
    struct gorca_diag_config c;
    char msg[512];

    gorca_diag_config_init(&c);
    ASSERT_EQ_INT(parse(&c,
                        "{\"thresholds\": {\"dns_slow_ms\": 150, \"stw_pause_ms\": 2.5, "
                        "\"netpoll_share\": 0.5, \"min_events\": 7, \"leak_min_goroutines\": 20}, "
                        "\"disable\": [\"gc_stw\", \"tls_handshake\"]}",
                        msg, sizeof(msg)),
                  GORCA_OK);
    ASSERT_EQ_INT(c.dns_slow_ns, 150000000);
    ASSERT_EQ_INT(c.stw_pause_ns, 2500000);
    ASSERT_TRUE(c.netpoll_share == 0.5);
    ASSERT_EQ_U64(c.min_events, 7);
    ASSERT_EQ_U64(c.leak_min_goroutines, 20);
    ASSERT_EQ_INT(c.disabled, (1 << GORCA_CAUSE_GC_STW) | (1 << GORCA_CAUSE_TLS_HANDSHAKE));
}

TEST(config_mistakes_are_named)
{
    static const struct {
        const char *json, *want; /* a piece of the message */
    } bad[] = {
        { "{\"thresholds\": {\"dns_slow\": 1}}", "unknown key \"dns_slow\"" },
        { "{\"thresholds\": {\"dns_slow_ms\": \"1\"}}", "\"dns_slow_ms\": expected a number" },
        { "{\"thresholds\": {\"share_high\": 1.5}}", "\"share_high\": 1.5 is out of range" },
        { "{\"thresholds\": {\"share_medium\": 0.9}}", "share_low <= share_medium" },
        { "{\"disable\": [\"dns\"]}", "item 0: not a cause id" },
        { "{\"disable\": \"dns_resolution\"}", "expected an array" },
        { "{\"rules\": {}}", "unknown key \"rules\"" },
        { "[1]", "expected a JSON object" },
        { "{\"thresholds\": {", "line 1" },
    };
    size_t i;

    for (i = 0; i < N_ELEMS(bad); i++) {
        struct gorca_diag_config c, before;
        char msg[512];
        gorca_diag_config_init(&c);
        before = c;
        if (parse(&c, bad[i].json, msg, sizeof(msg)) != GORCA_E_ARG ||
            strstr(msg, bad[i].want) == NULL || strstr(msg, "cfg.json") == NULL ||
            memcmp(&c, &before, sizeof(c)) != 0) {
            test_fail_msg(__FILE__, __LINE__, "%s: \"%s\"", bad[i].json, msg);
            return;
        }
    }
}

TEST(disabled_cause_is_not_reported)
{
    struct gorca_diag_config c;
    struct gorca_diagnosis *d;
    char msg[256];

    gorca_diag_config_init(&c);
    ASSERT_EQ_INT(parse(&c, "{\"disable\": [\"dns_resolution\"]}", msg, sizeof(msg)), GORCA_OK);
    d = diag_run(&c, "testdata/diagnosis/dns-go1.22", NULL);
    ASSERT_TRUE(d != NULL);
    ASSERT_TRUE(diag_find(d, "dns_resolution") == NULL);
    gorca_diagnosis_free(d);
}

TEST(stricter_thresholds_change_severity)
{
    struct gorca_diag_config c;
    struct gorca_diagnosis *d;
    char msg[256];

    /* With the tail threshold above every request, nothing can be medium. */
    gorca_diag_config_init(&c);
    ASSERT_EQ_INT(parse(&c, "{\"thresholds\": {\"slow_tail_ms\": 100000}}", msg, sizeof(msg)),
                  GORCA_OK);
    d = diag_run(&c, "testdata/diagnosis/sleep-go1.22", NULL);
    ASSERT_TRUE(d != NULL);
    ASSERT_TRUE(diag_find(d, "handler_blocking") != NULL);
    ASSERT_EQ_INT(diag_count_at_least(d, GORCA_SEV_MEDIUM), 0);
    gorca_diagnosis_free(d);
}

TEST_MAIN({
    RUN(request_and_handler_of_stacks);
    RUN(sync_class_from_frames);
    RUN(standard_library_or_not);
    RUN(cause_ids_and_severities);
    RUN(config_defaults_follow_the_seed);
    RUN(config_overrides);
    RUN(config_mistakes_are_named);
    RUN(disabled_cause_is_not_reported);
    RUN(stricter_thresholds_change_severity);
})
