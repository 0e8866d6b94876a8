/* Writes a blocking profile as profile.proto, laid out as go tool trace's -pprof output
 * (golang/go internal/trace/traceviewer/pprof.go): sample types contentions/count and
 * delay/nanoseconds, period type trace/count with period 1, one location per PC (first frame
 * seen for it), one function per (file, name), one sample per distinct stack, at most 129
 * frames (Go's cut-off). Built and encoded with the pprof module's builder. The whole variant
 * adds the class' uncounted waits as further samples. */
#include "an_int.h"
#include "gorca/profile.h"

#define MAX_FRAMES 129

static uint64_t location(struct gorca_profile_builder *b, struct an_map *by_pc,
                         const struct gorca_trace_frame *f)
{
    uint64_t *id = an_map_get(by_pc, f->pc);
    uint64_t fn, loc;
    int64_t line = (int64_t)f->line;

    if (id != NULL)
        return *id;
    fn = gorca_profile_builder_function(b, f->func ? f->func : "", NULL, f->file ? f->file : "", 0);
    if (fn == 0)
        return 0;
    loc = gorca_profile_builder_location(b, 0, f->pc, &fn, &line, 1);
    if (loc != 0 && an_map_put(by_pc, f->pc, loc) != 0)
        return 0;
    return loc;
}

static enum gorca_status write_pprof(const struct gorca_analysis *an,
                                     const struct gorca_block_profile *const *ps, size_t nps,
                                     int gzip_level, struct gorca_buf *out, struct gorca_error *err)
{
    static const char *const types[] = { "contentions", "delay" };
    static const char *const units[] = { "count", "nanoseconds" };
    struct gorca_profile_builder *b;
    struct gorca_profile *prof = NULL;
    struct an_map by_pc = { 0 };
    uint64_t locs[MAX_FRAMES];
    enum gorca_status st;
    size_t i, k, j;
    int failed = 0;

    b = gorca_profile_builder_new(types, units, 2, NULL);
    if (b == NULL)
        return GORCA_FAIL(err, GORCA_E_NOMEM, -1, "blocking profile", "out of memory");
    gorca_profile_builder_set_period(b, "trace", "count", 1);
    for (j = 0; j < nps && !failed; j++) {
        const struct gorca_block_profile *p = ps[j];
        for (i = 0; i < p->n_samples; i++) {
            size_t n = 0, nl = 0;
            const uint32_t *fr = gorca_analysis_stack_frames(an, p->samples[i].stack, &n);
            int64_t v[2];
            if (p->samples[i].count == 0 && p->samples[i].delay_ns == 0)
                continue;
            for (k = 0; k < n && nl < MAX_FRAMES; k++) {
                const struct gorca_trace_frame *f = gorca_analysis_frame(an, fr[k]);
                if (f == NULL)
                    continue;
                locs[nl] = location(b, &by_pc, f);
                if (locs[nl] == 0)
                    break; /* the builder failed; finish reports it */
                nl++;
            }
            v[0] = (int64_t)p->samples[i].count;
            v[1] = p->samples[i].delay_ns;
            if (gorca_profile_builder_sample(b, locs, nl, v, NULL, NULL, NULL, 0) != 0) {
                failed = 1;
                break;
            }
        }
    }
    an_map_release(&by_pc);
    st = gorca_profile_builder_finish(b, &prof, err);
    if (st != GORCA_OK)
        return st;
    st = gorca_profile_encode(prof, gzip_level, out, err);
    gorca_profile_free(prof);
    return st;
}

enum gorca_status gorca_analysis_write_pprof(const struct gorca_analysis *an,
                                             enum gorca_block_class cls, int gzip_level,
                                             struct gorca_buf *out, struct gorca_error *err)
{
    const struct gorca_block_profile *p = gorca_analysis_blocking(an, cls);

    if (p == NULL)
        return GORCA_FAIL(err, GORCA_E_ARG, -1, "blocking profile", "no wait class %d", (int)cls);
    return write_pprof(an, &p, 1, gzip_level, out, err);
}

enum gorca_status gorca_analysis_write_pprof_whole(const struct gorca_analysis *an,
                                                   enum gorca_block_class cls, int gzip_level,
                                                   struct gorca_buf *out, struct gorca_error *err)
{
    const struct gorca_block_profile *p[2] = { gorca_analysis_blocking(an, cls),
                                               gorca_analysis_uncounted(an, cls) };

    if (p[0] == NULL || p[1] == NULL)
        return GORCA_FAIL(err, GORCA_E_ARG, -1, "blocking profile", "no wait class %d", (int)cls);
    return write_pprof(an, p, 2, gzip_level, out, err);
}
