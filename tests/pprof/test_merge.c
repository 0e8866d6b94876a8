/* Tests for src/pprof/merge.c and src/pprof/load.c: pprof's merge rules (common sample types,
 * unit conversion, header combination, equal samples summed, zero samples removed with what
 * only they referenced, -base), and, when Go is installed, go tool pprof -raw printing the
 * same text for gorca's merge of fixtures as for its own merge of them. */
#include <unistd.h>
#include "pprof_test_util.h"

/* A one-column profile: n samples, sample i = stack {fn[i] <- main} with value vals[i]; a
 * function's location address depends on its name only. */
static struct gorca_profile *mk(const char *type, const char *unit, const char *ptype,
                                const char *punit, int64_t period, int64_t t, int64_t d,
                                const char *const *fns, const int64_t *vals, size_t n,
                                const char *comment)
{
    const char *types[] = { type }, *units[] = { unit };
    struct gorca_profile_builder *b = gorca_profile_builder_new(types, units, 1, NULL);
    struct gorca_profile *p = NULL;
    struct gorca_error err;
    uint64_t m = gorca_profile_builder_mapping(b, 0x400000, 0x500000, 0, "/bin/app", "", 1);
    uint64_t mainf = gorca_profile_builder_function(b, "main.main", NULL, "main.go", 1);
    int64_t line = 3;
    uint64_t mainl = gorca_profile_builder_location(b, m, 0x401000, &mainf, &line, 1);

    gorca_profile_builder_set_period(b, ptype, punit, period);
    gorca_profile_builder_set_time(b, t, d);
    if (comment)
        gorca_profile_builder_add_comment(b, comment);
    for (size_t i = 0; i < n; i++) {
        uint64_t f = gorca_profile_builder_function(b, fns[i], NULL, "main.go", 10);
        uint64_t l = gorca_profile_builder_location(
            b, m, 0x402000 + 16 * (uint64_t)(unsigned char)fns[i][5], &f, &line, 1);
        uint64_t st[2] = { l, mainl };

        gorca_profile_builder_sample(b, st, 2, &vals[i], NULL, NULL, NULL, 0);
    }
    gorca_error_init(&err, NULL);
    if (gorca_profile_builder_finish(b, &p, &err) != GORCA_OK)
        return NULL;
    return p;
}

static struct gorca_profile *merge2(const struct gorca_profile *a, const struct gorca_profile *b,
                                    int64_t sb, struct gorca_error *err)
{
    const struct gorca_profile *ps[2] = { a, b };
    int64_t scales[2] = { 1, sb };
    struct gorca_profile *out = NULL;

    gorca_error_init(err, NULL);
    if (gorca_profile_merge(ps, scales, 2, NULL, &out, err) != GORCA_OK)
        return NULL;
    return out;
}

TEST(equal_samples_sum_and_zero_ones_go)
{
    const char *fa[] = { "main.x", "main.y" }, *fb[] = { "main.y", "main.z" };
    const int64_t va[] = { 5, 7 }, vb[] = { 7, 2 };
    struct gorca_profile *a =
        mk("cpu", "nanoseconds", "cpu", "nanoseconds", 10, 100, 1, fa, va, 2, "first");
    struct gorca_profile *b =
        mk("cpu", "nanoseconds", "cpu", "nanoseconds", 20, 50, 2, fb, vb, 2, "second");
    struct gorca_profile *m;
    struct gorca_error err;

    ASSERT_TRUE(a && b);
    /* a + b: y sums to 14 */
    m = merge2(a, b, 1, &err);
    ASSERT_TRUE(m != NULL);
    ASSERT_EQ_INT(m->n_samples, 3);
    ASSERT_EQ_INT(m->samples[1].values[0], 14);
    ASSERT_EQ_INT(m->n_functions, 4); /* main, x, y, z: y is one function */
    ASSERT_EQ_INT(m->time_nanos, 50);
    ASSERT_EQ_INT(m->duration_nanos, 3);
    ASSERT_EQ_INT(m->period, 20);
    ASSERT_EQ_INT(m->n_comments, 2);
    ASSERT_EQ_INT(m->n_mappings, 1);
    gorca_profile_free(m);
    /* a - b: y cancels and disappears, and so do its location and function */
    m = merge2(a, b, -1, &err);
    ASSERT_TRUE(m != NULL);
    ASSERT_EQ_INT(m->n_samples, 2);
    ASSERT_EQ_INT(m->samples[0].values[0], 5);
    ASSERT_EQ_INT(m->samples[1].values[0], -2);
    ASSERT_EQ_INT(m->n_functions, 3);
    ASSERT_EQ_INT(m->n_locations, 3);
    for (size_t i = 0; i < m->n_functions; i++)
        ASSERT_TRUE(!gorca_strv_eq(m->functions[i].name, "main.y"));
    gorca_profile_free(m);
    gorca_profile_free(a);
    gorca_profile_free(b);
}

TEST(units_convert_to_the_finest)
{
    const char *f[] = { "main.x" };
    const int64_t va[] = { 3 }, vb[] = { 2 };
    struct gorca_profile *a =
        mk("delay", "microseconds", "contentions", "count", 1, 1, 0, f, va, 1, NULL);
    struct gorca_profile *b =
        mk("delay", "nanoseconds", "contentions", "count", 1, 1, 0, f, vb, 1, NULL);
    struct gorca_profile *m;
    struct gorca_error err;

    ASSERT_TRUE(a && b);
    m = merge2(a, b, 1, &err);
    ASSERT_TRUE(m != NULL);
    ASSERT_TRUE(gorca_strv_eq(m->sample_types[0].unit, "nanoseconds"));
    ASSERT_EQ_INT(m->n_samples, 1);
    ASSERT_EQ_INT(m->samples[0].values[0], 3002);
    gorca_profile_free(m);
    gorca_profile_free(a);
    gorca_profile_free(b);
}

TEST(incompatible_profiles_fail)
{
    const char *f[] = { "main.x" };
    const int64_t v[] = { 1 };
    struct gorca_profile *a =
        mk("cpu", "nanoseconds", "cpu", "nanoseconds", 1, 1, 0, f, v, 1, NULL);
    struct gorca_profile *b = mk("inuse_space", "bytes", "space", "bytes", 1, 1, 0, f, v, 1, NULL);
    struct gorca_profile *c = mk("cpu", "nanoseconds", "space", "bytes", 1, 1, 0, f, v, 1, NULL);
    struct gorca_error err;

    ASSERT_TRUE(a && b && c);
    ASSERT_TRUE(merge2(a, b, 1, &err) == NULL);
    ASSERT_EQ_INT(err.code, GORCA_E_UNSUPPORTED);
    ASSERT_TRUE(strstr(err.detail, "no sample type in common") != NULL);
    ASSERT_TRUE(merge2(a, c, 1, &err) == NULL);
    ASSERT_TRUE(strstr(err.detail, "period types") != NULL);
    gorca_profile_free(a);
    gorca_profile_free(b);
    gorca_profile_free(c);
}

/* Column intersection follows the first input's order; the default type is kept if common. */
TEST(common_columns)
{
    char dirs[16][64];
    int nd = fixture_dirs(dirs, 16);
    struct gorca_profile *heap, *cpu;
    struct gorca_error err;
    const struct gorca_profile *ps[2];
    struct gorca_profile *m = NULL;

    if (nd == 0)
        TEST_SKIP("no fixtures");
    heap = fixture_profile(dirs[nd - 1], "allocs");
    cpu = fixture_profile(dirs[nd - 1], "delta-heap");
    ASSERT_TRUE(heap && cpu);
    ps[0] = heap;
    ps[1] = cpu;
    gorca_error_init(&err, NULL);
    ASSERT_EQ_INT(gorca_profile_merge(ps, NULL, 2, NULL, &m, &err), GORCA_OK);
    ASSERT_EQ_INT(m->n_sample_types, 4);
    ASSERT_TRUE(gorca_strv_eq(m->default_sample_type, "alloc_space"));
    ASSERT_EQ_INT(m->duration_nanos, cpu->duration_nanos);
    gorca_profile_free(m);
    gorca_profile_free(heap);
    gorca_profile_free(cpu);
}

TEST(load_names_the_failing_input)
{
    const char *paths[2] = { "testdata/pprof/go1.26/cpu.pb.gz", "/nonexistent/x.pb.gz" };
    struct gorca_profile *p = NULL;
    struct gorca_error err;

    gorca_error_init(&err, NULL);
    ASSERT_EQ_INT(gorca_profile_load(paths, 2, NULL, 0, NULL, &p, &err), GORCA_E_IO);
    ASSERT_STREQ(err.source, "/nonexistent/x.pb.gz");
    ASSERT_TRUE(p == NULL);
}

/* gorca's merge, encoded and printed by go tool pprof -raw, equals pprof's own merge. */
TEST(pprof_agrees_on_merges)
{
    static const struct {
        const char *args, *inputs[2], *base;
    } cases[] = {
        { "cpu.pb.gz cpu2.pb.gz", { "cpu", "cpu2" }, NULL },
        { "block.pb.gz mutex.pb.gz", { "block", "mutex" }, NULL },
        { "heap.pb.gz delta-heap.pb.gz", { "heap", "delta-heap" }, NULL },
        { "-base cpu.pb.gz cpu2.pb.gz", { "cpu2", NULL }, "cpu" },
        { "-base delta-goroutine.pb.gz goroutine.pb.gz", { "goroutine", NULL }, "delta-goroutine" },
    };
    const char *go = oracle_go("1.26");
    const char *dir = "testdata/pprof/go1.26";

    if (go == NULL)
        TEST_SKIP("no Go toolchain to run go tool pprof");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char paths[3][4400], args[9000], tmp[64] = "/tmp/gorca-merge-XXXXXX";
        const char *pp[2], *bp[1];
        size_t np = 0, nb = 0;
        struct gorca_profile *m = NULL;
        struct gorca_error err;
        struct gorca_buf enc, a, b;
        FILE *f;
        int fd;

        for (int j = 0; j < 2 && cases[i].inputs[j]; j++) {
            snprintf(paths[j], sizeof(paths[j]), "%s/%s.pb.gz", dir, cases[i].inputs[j]);
            pp[np++] = paths[j];
        }
        if (cases[i].base) {
            snprintf(paths[2], sizeof(paths[2]), "%s/%s.pb.gz", dir, cases[i].base);
            bp[nb++] = paths[2];
        }
        gorca_error_init(&err, NULL);
        ASSERT_EQ_INT(gorca_profile_load(pp, np, bp, nb, NULL, &m, &err), GORCA_OK);
        gorca_buf_init(&enc, 0);
        ASSERT_EQ_INT(gorca_profile_encode(m, 1, &enc, &err), GORCA_OK);
        gorca_profile_free(m);
        fd = mkstemp(tmp);
        ASSERT_TRUE(fd >= 0);
        f = fdopen(fd, "wb");
        ASSERT_TRUE(f && fwrite(enc.data, 1, enc.len, f) == enc.len);
        fclose(f);
        gorca_buf_release(&enc);
        gorca_buf_init(&a, 0);
        gorca_buf_init(&b, 0);
        snprintf(args, sizeof(args), "-raw %s", cases[i].args);
        {
            /* pprof resolves the inputs relative to the fixture directory */
            char cwd[4096];

            ASSERT_TRUE(getcwd(cwd, sizeof(cwd)) != NULL);
            ASSERT_EQ_INT(chdir(test_repo_path(dir)), 0);
            ASSERT_EQ_INT(oracle_run(go, args, &a), 0);
            ASSERT_EQ_INT(chdir(cwd), 0);
        }
        snprintf(args, sizeof(args), "-raw %s", tmp);
        ASSERT_EQ_INT(oracle_run(go, args, &b), 0);
        unlink(tmp);
        if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0) {
            char diff[600];

            first_diff(b.data, b.len, a.data, a.len, diff, sizeof(diff));
            test_fail_msg(__FILE__, __LINE__, "merge of %s: pprof -raw differs at %s",
                          cases[i].args, diff);
        }
        gorca_buf_release(&a);
        gorca_buf_release(&b);
        if (test_failed_now)
            return;
    }
}

TEST_MAIN({
    RUN(equal_samples_sum_and_zero_ones_go);
    RUN(units_convert_to_the_finest);
    RUN(incompatible_profiles_fail);
    RUN(common_columns);
    RUN(load_names_the_failing_input);
    RUN(pprof_agrees_on_merges);
})
