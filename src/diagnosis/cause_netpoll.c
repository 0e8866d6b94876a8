/* netpoll_blocking: requests wait on the network for outbound calls. Mechanism: waits under
 * client frames (net/http's Client/Transport/persistConn, database/sql and common drivers,
 * gRPC clients, net.Dialer), and network waits (netpoller) of request goroutines that are
 * not the server's own connection; the trace's blocking chains show the response reader
 * (persistConn.readLoop) parked in the netpoller meanwhile. Seed (chapter 1): netpollblock
 * > 40 % of blocking time means HTTP client or database calls without a timeout. */
#include "diag_int.h"

static const char *const client_frames[] = { "net/http.(*Client).",
                                             "net/http.(*Transport).",
                                             "net/http.(*persistConn).",
                                             "net/http.send",
                                             "net/http.(*http2ClientConn).",
                                             "net/http.(*http2Transport).",
                                             "net/http.(*http2clientStream).",
                                             "golang.org/x/net/http2.(*ClientConn).",
                                             "golang.org/x/net/http2.(*Transport).",
                                             "golang.org/x/net/http2.(*clientStream).",
                                             "database/sql.",
                                             "google.golang.org/grpc.(*ClientConn).",
                                             "google.golang.org/grpc.invoke",
                                             "google.golang.org/grpc.(*clientStream).",
                                             "google.golang.org/grpc.newClientStream",
                                             "net.(*Dialer).",
                                             "net.Dial",
                                             "net.(*sysDialer).",
                                             "github.com/redis/",
                                             "github.com/go-redis/",
                                             "github.com/gomodule/redigo",
                                             "github.com/lib/pq.",
                                             "github.com/jackc/",
                                             "github.com/go-sql-driver/",
                                             "go.mongodb.org/",
                                             "github.com/bradfitz/gomemcache",
                                             "github.com/nats-io/",
                                             "github.com/segmentio/kafka-go",
                                             NULL };

static struct dg_claim claim(const struct dg_ctx *ctx, const struct dg_obs *o)
{
    struct dg_claim c = { 0, 0, -1 };
    int i;

    (void)ctx;
    if (o->cls == DG_RUNNING || o->cls == DG_RUNNABLE)
        return c;
    i = dg_find_prefix(&o->st, 0, client_frames);
    if (i >= 0) {
        c.prio = 70;
        c.conf = 1.0;
        /* The user code that made the call: the first user frame above the client code. */
        c.site = dg_first_user(&o->st, i);
        return c;
    }
    if (o->cls == DG_NET && o->req == DG_REQ_YES) {
        c.prio = 50;
        c.conf = 0.8;
        c.site = dg_first_user(&o->st, 0);
    }
    return c;
}

/* Time the client's response readers sat in the netpoller (the other end of the chain). */
static double reader_wait(const struct dg_ctx *ctx)
{
    static const char *const readers[] = { "net/http.(*persistConn).readLoop",
                                           "net/http.(*http2ClientConn).readLoop",
                                           "golang.org/x/net/http2.(*ClientConn).readLoop", NULL };
    double w = 0;
    size_t i;

    for (i = 0; i < ctx->tr.waits.n; i++) {
        const struct dg_obs *o = &ctx->tr.waits.v[i];
        if (o->cls == DG_NET && dg_find_prefix(&o->st, 0, readers) >= 0)
            w += o->weight;
    }
    return w;
}

/* Request time not on a CPU: the blocking time the seed's 40 % refers to. */
static double request_blocking(const struct dg_ctx *ctx)
{
    double w = 0;
    size_t i;

    for (i = 0; i < ctx->tr.n_req; i++)
        if (!ctx->tr.req[i].debug)
            w += (double)(ctx->tr.req[i].dur - ctx->tr.req[i].exec);
    return w;
}

static double dump_minutes(const struct dg_ctx *ctx, int32_t *max_minutes)
{
    double n = 0;
    size_t i;

    *max_minutes = -1;
    for (i = 0; i < ctx->dm.gs.n; i++) {
        const struct dg_obs *o = &ctx->dm.gs.v[i];
        if (o->cause != GORCA_CAUSE_NETPOLL_BLOCKING)
            continue;
        n += o->weight;
        if (o->minutes > *max_minutes)
            *max_minutes = o->minutes;
    }
    return n;
}

static void evaluate(struct dg_ctx *ctx)
{
    struct dg_attr *a = &ctx->attr[GORCA_CAUSE_NETPOLL_BLOCKING];
    const struct gorca_diag_config *cfg = ctx->cfg;
    const char *site, *handler;
    double mean, blocking, share_blocking = 0, waiting;
    int32_t minutes;
    struct dg_fb *fb;

    if (a->ns <= 0 && a->gor <= 0)
        return;
    fb = dg_finding(ctx, GORCA_CAUSE_NETPOLL_BLOCKING);
    dg_rate(fb);
    dg_common_latency_parts(fb, "call site", 3);
    dg_tally_sort(&a->sites);
    dg_tally_sort(&a->handlers);
    site = a->sites.n ? dg_display_func(ctx, ((const struct dg_frame *)a->sites.v[0].key)->func)
                      : "an outbound call";
    handler = a->handlers.n       ? dg_display_func(ctx, a->handlers.v[0].key)
              : a->handlers_gor.n ? dg_display_func(ctx, a->handlers_gor.v[0].key)
                                  : "request handlers";
    mean = a->waits ? a->ns / (double)a->waits : 0;
    waiting = dump_minutes(ctx, &minutes);
    if (ctx->tr.have && a->ns > 0) {
        blocking = request_blocking(ctx);
        share_blocking = blocking > 0 ? a->ns / blocking : 0;
        dg_evidence(fb, ctx->tr.input, "share_of_blocking", "share of request blocking time",
                    share_blocking, "ratio");
        dg_evidence(fb, "config", "netpoll_share_threshold", "threshold for that share (seed: 40%)",
                    cfg->netpoll_share, "ratio");
        dg_evidence(fb, ctx->tr.input, "call_wait_mean", "mean wait per outbound wait", mean, "ns");
        if (reader_wait(ctx) > 0)
            dg_evidence(fb, ctx->tr.input, "response_reader_net_wait",
                        "response readers parked in the netpoller", reader_wait(ctx), "ns");
        if (share_blocking >= cfg->netpoll_share && fb->f.severity >= GORCA_SEV_MEDIUM)
            dg_severity_at_least(fb, GORCA_SEV_HIGH);
        dg_title(fb, "Outbound calls from %s block %s on the network: %s of request latency", site,
                 handler, dg_pct(ctx, fb->f.latency_share));
        dg_explain(fb,
                   "Requests wait for responses from another service: %llu waits in %s took %s "
                   "on average (longest %s), %s of the time requests were blocked.%s",
                   (unsigned long long)a->waits, site, dg_dur(ctx, mean),
                   dg_dur(ctx, (double)a->max_ns), dg_pct(ctx, share_blocking),
                   a->max_ns >= cfg->slow_request_ns
                       ? " Nothing cut the slow calls short, which is what a call without a "
                         "timeout or deadline looks like when the other side is slow."
                       : "");
    } else {
        dg_title(fb,
                 "Outbound calls from %s block %s: %.0f in-flight requests wait on the "
                 "network",
                 site, handler, a->gor);
        dg_explain(fb,
                   "At the moment of the goroutine dump %.0f in-flight requests were waiting "
                   "for responses from another service in %s%s.",
                   a->gor, site,
                   minutes > 0 ? dg_printf(ctx, ", some for %d minutes", minutes) : "");
        if (minutes > 0)
            dg_severity_at_least(fb, GORCA_SEV_HIGH);
    }
    if (waiting > 0)
        dg_evidence(fb, ctx->dm.input, "goroutines_waiting", "request goroutines waiting on calls",
                    waiting, "goroutines");
    if (minutes > 0)
        dg_evidence(fb, ctx->dm.input, "wait_minutes", "longest wait in the dump", minutes,
                    "minutes");
    dg_advice(fb, "Set http.Client.Timeout and a Transport.DialContext with a deadline "
                  "(net.Dialer{Timeout: ...}); also Transport.ResponseHeaderTimeout and "
                  "TLSHandshakeTimeout.");
    dg_advice(fb, "Propagate the request's context to the call (http.NewRequestWithContext("
                  "r.Context(), ...), QueryContext) with a deadline below your own SLO, so the "
                  "call stops when the client has given up.");
    dg_advice(fb,
              "Look at the dependency called from %s: its latency is now yours. Add a "
              "circuit breaker or a fallback if it is often slow.",
              site);
}

const struct dg_rule dg_rule_netpoll = { GORCA_CAUSE_NETPOLL_BLOCKING, NULL, claim, evaluate };
