/* dns_resolution: requests wait for name resolution. Mechanism: a wait (any class: the Go
 * resolver's singleflight select, its UDP/TCP reads, or cgo's getaddrinfo syscall) under the
 * resolver's frames (net.(*Resolver).*, net.lookup*, net.goLookup*, net.cgoLookup*), in a
 * request directly or in the dialer of an outbound connection the request waits for.
 * Seed (chapter 1): lookupIPAddr long-running; resolver syscall blocks > 200 ms. */
#include "diag_int.h"

static const char *const resolver_frames[] = { "net.(*Resolver).",
                                               "net.lookup",
                                               "net.goLookup",
                                               "net.cgoLookup",
                                               "net._C2func_getaddrinfo",
                                               "net.cgoResolve",
                                               "net.(*conf).hostLookupOrder",
                                               "net.LookupHost",
                                               "net.LookupIP",
                                               "net.LookupAddr",
                                               "net.LookupCNAME",
                                               "net.LookupSRV",
                                               "net.LookupMX",
                                               "net.LookupTXT",
                                               "github.com/miekg/dns.",
                                               NULL };

static struct dg_claim claim(const struct dg_ctx *ctx, const struct dg_obs *o)
{
    struct dg_claim c = { 0, 0, -1 };
    int i;

    (void)ctx;
    if (o->cls == DG_RUNNABLE)
        return c;
    i = dg_find_prefix(&o->st, 0, resolver_frames);
    if (i < 0)
        return c;
    c.prio = 90;
    c.conf = 1.0;
    c.site = dg_first_user(&o->st, i);
    return c;
}

/* Goroutines of the dump parked in lookups, requests or not. */
static double dump_lookups(const struct dg_ctx *ctx)
{
    double n = 0;
    size_t i;

    for (i = 0; i < ctx->dm.gs.n; i++) {
        const struct dg_obs *o = &ctx->dm.gs.v[i];
        if (o->cls != DG_RUNNING && dg_find_prefix(&o->st, 0, resolver_frames) >= 0)
            n += o->weight;
    }
    return n;
}

static void evaluate(struct dg_ctx *ctx)
{
    struct dg_attr *a = &ctx->attr[GORCA_CAUSE_DNS_RESOLUTION];
    double parked = dump_lookups(ctx), mean;
    const char *site, *handler;
    struct dg_fb *fb;

    if (a->ns <= 0 && a->gor <= 0)
        return;
    fb = dg_finding(ctx, GORCA_CAUSE_DNS_RESOLUTION);
    dg_rate(fb);
    dg_common_latency_parts(fb, "call site", 3);
    dg_tally_sort(&a->sites);
    dg_tally_sort(&a->handlers);
    site = a->sites.n ? dg_display_func(ctx, ((const struct dg_frame *)a->sites.v[0].key)->func)
                      : "the resolver";
    handler = a->handlers.n       ? dg_display_func(ctx, a->handlers.v[0].key)
              : a->handlers_gor.n ? dg_display_func(ctx, a->handlers_gor.v[0].key)
                                  : "request handlers";
    mean = a->waits ? a->ns / (double)a->waits : 0;
    if (ctx->tr.have && a->ns > 0) {
        dg_evidence(fb, ctx->tr.input, "lookup_wait_mean", "mean wait per lookup", mean, "ns");
        dg_title(fb, "DNS lookups in %s hold up %s: %s per lookup, %s of request latency", site,
                 handler, dg_dur(ctx, mean),
                 dg_pct(ctx, fb->f.latency_share < 0 ? 0 : fb->f.latency_share));
        dg_explain(fb,
                   "Requests wait for name resolution before they can call their backend: %llu "
                   "lookups took %s on average (longest %s), %s of all request time. Go's "
                   "resolver keeps no cache, so every request that resolves a name pays this "
                   "again.",
                   (unsigned long long)a->waits, dg_dur(ctx, mean), dg_dur(ctx, (double)a->max_ns),
                   dg_dur(ctx, a->ns));
        if (mean >= (double)ctx->cfg->dns_slow_ns && fb->f.severity >= GORCA_SEV_MEDIUM)
            dg_severity_at_least(fb, GORCA_SEV_HIGH);
    } else {
        dg_title(fb, "DNS lookups in %s hold up %s (%.0f in-flight requests resolving)", site,
                 handler, a->gor);
        dg_explain(fb,
                   "At the moment of the goroutine dump %.0f of the in-flight requests were "
                   "waiting for name resolution. Go's resolver keeps no cache, so every request "
                   "that resolves a name pays the lookup.",
                   a->gor);
    }
    if (parked > 0)
        dg_evidence(fb, ctx->dm.input, "goroutines_in_lookup", "goroutines parked in lookups",
                    parked, "goroutines");
    dg_evidence(fb, "config", "dns_slow_threshold", "a lookup this long is slow (seed: 200 ms)",
                (double)ctx->cfg->dns_slow_ns, "ns");
    dg_advice(fb,
              "Resolve the backend's address once and cache it (refresh it in the "
              "background) instead of resolving in %s on every request.",
              site);
    dg_advice(fb, "Bound every lookup with a deadline: pass a context with a timeout to "
                  "net.Resolver.LookupIPAddr / DialContext, so a slow DNS server fails fast.");
    dg_advice(fb, "Check the resolver path: /etc/resolv.conf (ndots, search domains, timeout, "
                  "attempts) and the DNS server's latency; a local caching resolver (nscd, "
                  "systemd-resolved, dnsmasq) removes most lookups.");
}

const struct dg_rule dg_rule_dns = { GORCA_CAUSE_DNS_RESOLUTION, NULL, claim, evaluate };
