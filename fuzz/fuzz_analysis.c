/* libFuzzer harness for the trace analyses (include/gorca/analysis.h) on top of the trace
 * reader: probe -> parse -> analyse -> JSON and pprof into bounded buffers. Property: for any
 * input every analysis finishes without crashing, leaking or reading out of bounds, under
 * each go tool trace compatibility level; results are internally consistent (class shares
 * add up, buckets are ordered, the slowest requests are sorted, every MMU value is in [0, 1],
 * the Go-equal and uncounted profiles are sorted, non-negative, and together no more than
 * every goroutine waiting for the whole trace). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "gorca/gorca.h"
#include "gorca/analysis.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct gorca_analysis *an)
{
    const struct gorca_timeline *t = gorca_analysis_timeline(an);
    const struct gorca_requests_result *r = gorca_analysis_requests(an);
    const struct gorca_gc_result *gc = gorca_analysis_gc(an);
    double share = 0;
    size_t i;
    int c;

    const struct gorca_analysis_info *info = gorca_analysis_info(an);
    double waited = 0;

    for (c = 0; c < GORCA_BLOCK_N; c++) {
        const struct gorca_block_profile *p[2] = {
            gorca_analysis_blocking(an, (enum gorca_block_class)c),
            gorca_analysis_uncounted(an, (enum gorca_block_class)c)
        };
        int k;
        share += p[0]->share;
        for (k = 0; k < 2; k++) {
            for (i = 0; i < p[k]->n_samples; i++) {
                if (p[k]->samples[i].delay_ns < 0 ||
                    (i > 0 && p[k]->samples[i].delay_ns > p[k]->samples[i - 1].delay_ns))
                    abort();
            }
            waited += (double)p[k]->total_ns;
        }
    }
    if (share != 0 && (share < 0.999 || share > 1.001))
        abort();
    if (waited > (double)info->goroutines * (double)(info->end_ns - info->start_ns) + 1)
        abort();
    for (i = 1; i < t->n_buckets; i++)
        if (t->buckets[i].start_ns <= t->buckets[i - 1].start_ns)
            abort();
    for (i = 1; i < r->n_slowest; i++)
        if (r->slowest[i].dur_ns > r->slowest[i - 1].dur_ns)
            abort();
    for (i = 0; i < gc->n_mmu; i++)
        if (!(gc->mmu[i].mmu >= 0 && gc->mmu[i].mmu <= 1))
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int compat[] = { 23, 26 };
    size_t k;

    for (k = 0; k < sizeof(compat) / sizeof(compat[0]); k++) {
        struct gorca_trace_options topt;
        struct gorca_analysis_options opt;
        struct gorca_trace *tr;
        struct gorca_analysis *an = NULL;
        struct gorca_error err;
        struct gorca_buf b;
        enum gorca_status st;
        memset(&topt, 0, sizeof(topt));
        topt.limits.events = 1u << 20;
        topt.limits.arena_bytes = 64u << 20;
        topt.limits.input_bytes = 16u << 20;
        topt.max_generation_bytes = 4u << 20;
        topt.sync_mode = gorca_analysis_sync_mode(compat[k]);
        gorca_error_init(&err, "fuzz");
        if (gorca_trace_open_mem(data, size, "fuzz", &topt, &tr, &err) != GORCA_OK)
            return 0;
        gorca_analysis_options_init(&opt);
        opt.compat_go = compat[k];
        opt.max_buckets = 1024;
        st = gorca_analysis_run(tr, &opt, &an, &err);
        if (an == NULL && st == GORCA_OK)
            abort(); /* success always gives results */
        if (an != NULL) {
            check(an);
            gorca_buf_init(&b, 4u << 20);
            st = gorca_analysis_write_json(an, GORCA_AN_JSON_ALL, 0, 5, &b, &err);
            if (st == GORCA_OK && (b.len == 0 || b.data[0] != '{'))
                abort();
            gorca_buf_release(&b);
            gorca_buf_init(&b, 4u << 20);
            st = gorca_analysis_write_pprof(an, (enum gorca_block_class)(size % GORCA_BLOCK_N), 1,
                                            &b, &err);
            if (st == GORCA_OK && (b.len < 2 || (uint8_t)b.data[0] != 0x1f))
                abort(); /* gzip'd */
            gorca_buf_release(&b);
        }
        gorca_analysis_free(an);
        gorca_trace_free(tr);
    }
    return 0;
}
