/* syscall_blocking: requests block in system calls: file I/O, fsync, cgo. Mechanism: the
 * trace's syscall time of request goroutines (the whole call; the ones that lost their P are
 * the blocking ones), "syscall" goroutines in the dump, located at the user code issuing the
 * call; the innermost syscall function says what kind (fsync, write, read, cgo). Name lookups
 * through cgo are DNS and claimed by that rule. */
#include <string.h>
#include "diag_int.h"

static const char *const file_frames[] = { "os.(*File).", NULL };

static struct dg_claim claim(const struct dg_ctx *ctx, const struct dg_obs *o)
{
    struct dg_claim c = { 0, 0, -1 };

    (void)ctx;
    /* Files, pipes and terminals through package os (a pipe waits in the netpoller, but it is
     * local I/O: logs to a slow reader, a child process), or a system call. */
    if (o->cls == DG_NET && o->req == DG_REQ_YES && dg_find_prefix(&o->st, 0, file_frames) >= 0) {
        c.prio = 55;
        c.conf = 0.9;
        c.site = dg_first_user(&o->st, 0);
        return c;
    }
    if (o->cls != DG_SYSCALL)
        return c;
    c.prio = 40;
    c.conf = 1.0;
    c.site = dg_first_user(&o->st, 0);
    return c;
}

/* The syscall-level function of the heaviest in-request syscall stacks ("syscall.Fsync"). */
static const char *top_call(struct dg_ctx *ctx, double *share)
{
    struct dg_tallyv t = { NULL, 0, 0 };
    const char *best = NULL;
    size_t i;
    double total = 0;

    *share = 0;
    for (i = 0; i < ctx->tr.waits.n; i++) {
        const struct dg_obs *o = &ctx->tr.waits.v[i];
        uint32_t k;
        if (o->cause != GORCA_CAUSE_SYSCALL_BLOCKING || o->req != DG_REQ_YES || o->client_io)
            continue;
        for (k = 0; k < o->st.n; k++) {
            const char *f = o->st.f[k]->func;
            if (dg_has_prefix(f, "syscall.") || dg_has_prefix(f, "internal/syscall/") ||
                dg_has_prefix(f, "golang.org/x/sys/unix.") || strstr(f, "_Cfunc_") != NULL) {
                dg_tally_add(ctx, &t, f, o->weight, o->count);
                break;
            }
        }
        total += o->weight;
    }
    dg_tally_sort(&t);
    if (t.n > 0 && total > 0) {
        best = t.v[0].key;
        *share = t.v[0].w / total;
    }
    dg_tally_release(&t);
    return best;
}

static int is_sync_call(const char *f)
{
    return f != NULL && (strstr(f, "Fsync") != NULL || strstr(f, "Fdatasync") != NULL ||
                         strstr(f, "Sync_file_range") != NULL || strstr(f, "Msync") != NULL);
}

static void evaluate(struct dg_ctx *ctx)
{
    struct dg_attr *a = &ctx->attr[GORCA_CAUSE_SYSCALL_BLOCKING];
    const char *site, *handler, *call;
    double call_share = 0;
    struct dg_fb *fb;

    if (a->ns <= 0 && a->gor <= 0)
        return;
    fb = dg_finding(ctx, GORCA_CAUSE_SYSCALL_BLOCKING);
    dg_rate(fb);
    dg_common_latency_parts(fb, "call site", 3);
    dg_tally_sort(&a->sites);
    dg_tally_sort(&a->handlers);
    site = a->sites.n ? dg_display_func(ctx, ((const struct dg_frame *)a->sites.v[0].key)->func)
                      : "the handler";
    handler = a->handlers.n       ? dg_display_func(ctx, a->handlers.v[0].key)
              : a->handlers_gor.n ? dg_display_func(ctx, a->handlers_gor.v[0].key)
                                  : "request handlers";
    call = top_call(ctx, &call_share);
    if (call != NULL)
        dg_evidence(fb, ctx->tr.input, "top_syscall_share",
                    dg_printf(ctx, "share of the syscall time in %s", call), call_share, "ratio");
    if (ctx->tr.have && a->ns > 0) {
        dg_evidence(fb, ctx->tr.input, "syscall_mean", "mean time per call",
                    a->waits ? a->ns / (double)a->waits : 0, "ns");
        dg_title(fb, "%s blocks in system calls%s%s from %s: %s of request latency", handler,
                 call ? " (" : "", call ? dg_printf(ctx, "%s)", call) : "", site,
                 dg_pct(ctx, fb->f.latency_share));
        dg_explain(fb,
                   "Requests wait for the kernel: %llu system calls from %s took %s in total, "
                   "%s each on average. While a goroutine is blocked in a system call its "
                   "thread is too, and the request cannot answer before the call returns.",
                   (unsigned long long)a->waits, site, dg_dur(ctx, a->ns),
                   dg_dur(ctx, a->waits ? a->ns / (double)a->waits : 0));
    } else {
        dg_title(fb, "%s blocks in system calls from %s: %.0f in-flight requests", handler, site,
                 a->gor);
        dg_explain(fb,
                   "At the moment of the goroutine dump %.0f in-flight requests were in "
                   "system calls issued by %s.",
                   a->gor, site);
    }
    if (is_sync_call(call)) {
        dg_advice(fb,
                  "Do not fsync on the request path in %s: batch records and sync them "
                  "together in the background (group commit), or acknowledge before the "
                  "sync where durability allows.",
                  site);
        dg_advice(fb, "Check the storage: fsync latency is the disk's (iostat -x, the volume's "
                      "IOPS limits); write less per sync.");
    } else {
        dg_advice(fb,
                  "Move the blocking calls in %s off the request path (a worker goroutine "
                  "and a queue) or make them cheaper (buffered I/O, fewer, larger calls).",
                  site);
        dg_advice(fb, "If they are cgo calls, bound their concurrency: each blocked call holds "
                      "an OS thread.");
    }
}

const struct dg_rule dg_rule_syscall = { GORCA_CAUSE_SYSCALL_BLOCKING, NULL, claim, evaluate };
