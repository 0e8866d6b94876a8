/* tls_handshake: TLS handshakes dominate CPU or request time. Mechanism: frames of crypto/tls
 * handshakes (client and server side, and net/http's addTLS) in the CPU profile and in the
 * waits of requests, directly or through the dialers of new outbound connections the requests
 * wait for; the number of connections dialled against the requests served (a new connection
 * per request means a full handshake per request). */
#include <string.h>
#include "diag_int.h"

static int tls_frame(const char *f)
{
    return (dg_has_prefix(f, "crypto/tls.") && strstr(f, "andshake") != NULL) ||
           dg_has_prefix(f, "net/http.(*persistConn).addTLS");
}

static int find_tls(const struct dg_stack *st)
{
    uint32_t i;

    for (i = 0; i < st->n; i++)
        if (tls_frame(st->f[i]->func))
            return (int)i;
    return -1;
}

static struct dg_claim claim(const struct dg_ctx *ctx, const struct dg_obs *o)
{
    struct dg_claim c = { 0, 0, -1 };
    int i;

    (void)ctx;
    if (o->cls == DG_RUNNABLE)
        return c;
    i = find_tls(&o->st);
    if (i < 0)
        return c;
    c.prio = 85;
    c.conf = 1.0;
    c.site = dg_first_user(&o->st, i);
    return c;
}

/* CPU in handshakes (all goroutines) and in public-key crypto under them. */
static void cpu_shares(const struct dg_ctx *ctx, double *hs, double *server, double *pk)
{
    static const char *const pk_frames[] = { "crypto/rsa.",
                                             "crypto/ecdsa.",
                                             "crypto/ed25519.",
                                             "crypto/internal/fips140/rsa.",
                                             "crypto/internal/fips140/bigmod.",
                                             "crypto/internal/fips140/ecdsa.",
                                             "math/big.",
                                             NULL };
    static const char *const server_frames[] = { "crypto/tls.(*Conn).serverHandshake",
                                                 "crypto/tls.(*serverHandshakeState", NULL };
    size_t i;

    *hs = *server = *pk = 0;
    for (i = 0; i < ctx->pf.cpu.n; i++) {
        const struct dg_obs *o = &ctx->pf.cpu.v[i];
        if (find_tls(&o->st) < 0)
            continue;
        *hs += o->weight;
        if (dg_find_prefix(&o->st, 0, server_frames) >= 0)
            *server += o->weight;
        if (dg_find_prefix(&o->st, 0, pk_frames) >= 0)
            *pk += o->weight;
    }
    if (ctx->pf.cpu_total_ns > 0) {
        *hs /= ctx->pf.cpu_total_ns;
        *server /= ctx->pf.cpu_total_ns;
        *pk /= ctx->pf.cpu_total_ns;
    }
}

/* Outbound connections opened during the trace: each HTTP client connection has one
 * response-reading goroutine. */
static uint64_t dials(const struct dg_ctx *ctx)
{
    uint64_t n = 0;
    size_t i;

    for (i = 0; i < ctx->tr.n_groups; i++)
        if (strcmp(ctx->tr.groups[i].name, "net/http.(*persistConn).readLoop") == 0 ||
            strcmp(ctx->tr.groups[i].name, "net/http.(*http2ClientConn).readLoop") == 0 ||
            strcmp(ctx->tr.groups[i].name, "golang.org/x/net/http2.(*ClientConn).readLoop") == 0)
            n += ctx->tr.groups[i].created;
    return n;
}

static void evaluate(struct dg_ctx *ctx)
{
    struct dg_attr *a = &ctx->attr[GORCA_CAUSE_TLS_HANDSHAKE];
    const struct gorca_diag_config *cfg = ctx->cfg;
    double hs, server, pk;
    const char *site, *handler;
    uint64_t nd = dials(ctx);
    struct dg_fb *fb;

    cpu_shares(ctx, &hs, &server, &pk);
    if (a->ns <= 0 && a->gor <= 0 && hs < cfg->tls_cpu_share)
        return;
    fb = dg_finding(ctx, GORCA_CAUSE_TLS_HANDSHAKE);
    dg_rate(fb);
    dg_common_latency_parts(fb, "call site", 3);
    dg_tally_sort(&a->sites);
    dg_tally_sort(&a->handlers);
    site = a->sites.n ? dg_display_func(ctx, ((const struct dg_frame *)a->sites.v[0].key)->func)
                      : "new connections";
    handler = a->handlers.n       ? dg_display_func(ctx, a->handlers.v[0].key)
              : a->handlers_gor.n ? dg_display_func(ctx, a->handlers_gor.v[0].key)
                                  : "the service";
    if (ctx->pf.cpu_total_ns > 0) {
        dg_evidence(fb, ctx->pf.cpu_input, "handshake_cpu_share", "share of CPU in TLS handshakes",
                    hs, "ratio");
        dg_evidence(fb, ctx->pf.cpu_input, "server_handshake_cpu_share",
                    "share of CPU in server-side handshakes", server, "ratio");
        dg_evidence(fb, ctx->pf.cpu_input, "public_key_cpu_share",
                    "share of CPU in public-key crypto", pk, "ratio");
        dg_evidence(fb, "config", "tls_cpu_threshold", "handshake CPU share that is too much",
                    cfg->tls_cpu_share, "ratio");
    }
    if (nd > 0) {
        const struct dg_handler *row =
            a->handlers.n ? dg_handler_row(ctx, a->handlers.v[0].key) : NULL;
        dg_evidence(fb, ctx->tr.input, "connections_dialled", "outbound connections dialled",
                    (double)nd, "count");
        if (row != NULL && row->n > 0)
            dg_evidence(fb, ctx->tr.input, "dials_per_request",
                        dg_printf(ctx, "connections dialled per %s request", handler),
                        (double)nd / (double)row->n, "ratio");
    }
    if (hs >= cfg->tls_cpu_share)
        dg_severity_at_least(fb, GORCA_SEV_MEDIUM);
    if (a->ns <= 0 && a->gor <= 0)
        dg_set_score(fb, hs * 0.5, 0.7);
    dg_title(fb, "TLS handshakes%s%s%s: %s of request latency, %s of CPU",
             a->ns > 0 || a->gor > 0 ? " for connections from " : " burn CPU",
             a->ns > 0 || a->gor > 0 ? site : "",
             a->ns > 0 || a->gor > 0 ? dg_printf(ctx, " slow %s", handler) : "",
             dg_pct(ctx, fb->f.latency_share < 0 ? 0 : fb->f.latency_share), dg_pct(ctx, hs));
    dg_explain(fb,
               "Every new TLS connection costs a full handshake with public-key operations on "
               "both sides. Requests waited %s for handshakes%s; handshakes took %s of the CPU "
               "profile (%s in public-key crypto).%s",
               dg_dur(ctx, a->ns),
               a->ns > 0
                   ? dg_printf(ctx, " (%s of request latency)", dg_pct(ctx, fb->f.latency_share))
                   : "",
               dg_pct(ctx, hs), dg_pct(ctx, pk),
               nd > 0 ? dg_printf(ctx,
                                  " %llu new outbound connections were dialled during the "
                                  "trace: connections are not being reused.",
                                  (unsigned long long)nd)
                      : "");
    dg_advice(fb, "Reuse connections: one shared http.Client/Transport for the service, "
                  "keep-alives on (no DisableKeepAlives, read and close every response body), "
                  "MaxIdleConnsPerHost at least the call concurrency.");
    dg_advice(fb, "Enable TLS session resumption (tls.Config.ClientSessionCache = "
                  "tls.NewLRUClientSessionCache(n)) so reconnections skip the full handshake.");
    dg_advice(fb, "Prefer ECDSA P-256 certificates to RSA 4096: their handshakes cost a small "
                  "fraction of the CPU.");
}

const struct dg_rule dg_rule_tls = { GORCA_CAUSE_TLS_HANDSHAKE, NULL, claim, evaluate };
