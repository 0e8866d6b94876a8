/* Tests for src/inspect/inspect.c: every committed fixture is recognised as what it was
 * fetched as (the goroutine dumps of testdata/dump, and the pprof profiles of testdata/pprof
 * whose file name is the net/http/pprof endpoint they came from), gzip is seen through, trace
 * headers give their version, text profiles and pages are named, and the bundle-kind mapping. */
#include <dirent.h>
#include "test.h"
#include "gorca/inspect.h"
#include "gorca/io.h"

static const char *kind_of(const uint8_t *p, size_t n, struct gorca_inspect *in)
{
    if (gorca_inspect_mem(p, n, NULL, in) != GORCA_OK)
        return "error";
    return gorca_inspect_kind_name(in->kind);
}

TEST(synthetic_table)
{
    static const struct {
        const char *name;
        const char *data;
        size_t len;
        const char *kind;
        int trace_version;
    } cases[] = {
        { "trace 1.22", "go 1.22 trace\0\0\0\x01\x02", 18, "trace", 22 },
        { "trace 1.26", "go 1.26 trace\0\0\0", 16, "trace", 26 },
        { "legacy trace 1.11", "go 1.11 trace\0\0\0", 16, "trace", 11 },
        { "trace header cut", "go 1.23 tra", 11, "unknown", 0 },
        { "not a trace", "go 1.23 tracer\0\0", 16, "unknown", 0 },
        { "heap text", "heap profile: 1: 2 [3: 4] @ heap/1048576\n", 41, "heap", 0 },
        { "block text", "--- contention:\ncycles/second=1\n", 32, "block", 0 },
        { "mutex text", "--- mutex:\ncycles/second=1\nsampling period=1\n", 44, "mutex", 0 },
        { "html", "<html><body>/debug/pprof/</body></html>\n", 40, "unknown", 0 },
        { "empty", "", 0, "unknown", 0 },
        { "debug1", "goroutine profile: total 1\n1 @ 0x1\n", 35, "goroutine_debug1", 0 },
        { "leak debug1", "goroutineleak profile: total 0\n", 31, "goroutine_debug1", 0 },
        { "threadcreate debug1", "threadcreate profile: total 7\n7 @\n#\t0x0\n", 40, "threadcreate",
          0 },
        { "custom debug1", "my.conns profile: total 3\n", 26, "unknown", 0 },
        { "debug2", "goroutine 1 [running]:\nmain.main()\n\t/a.go:1\n", 44, "goroutine_debug2", 0 },
        { "crash", "panic: x\n\ngoroutine 1 [running]:\n", 33, "goroutine_debug2", 0 },
        { "random bytes", "\x0a\xff\xff\xff\x0f", 5, "unknown", 0 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct gorca_inspect in;

        test_name_now = cases[i].name;
        ASSERT_STREQ(kind_of((const uint8_t *)cases[i].data, cases[i].len, &in), cases[i].kind);
        ASSERT_TRUE(in.summary[0] != '\0');
        ASSERT_EQ_U64(in.size_bytes, cases[i].len);
        if (cases[i].trace_version) {
            ASSERT_EQ_INT(in.trace_version, cases[i].trace_version);
            ASSERT_EQ_INT(in.trace_supported, cases[i].trace_version >= 22);
        }
    }
    test_name_now = "synthetic_table";
    {
        struct gorca_inspect in;

        kind_of((const uint8_t *)"my.conns profile: total 3\n", 26, &in);
        ASSERT_STREQ(in.profile_name, "my.conns");
        ASSERT_STREQ(gorca_inspect_format_name(in.format), "dump_text");
        kind_of((const uint8_t *)"panic: x\n\ngoroutine 1 [running]:\n", 33, &in);
        ASSERT_STREQ(in.dump_format, "crash");
        ASSERT_STREQ(in.summary, "crash traceback (panic: x): 1 goroutine");
    }
}

TEST(gzip_seen_through)
{
    static const char dump[] = "goroutine 1 [running]:\nmain.main()\n\t/a.go:1\n\n"
                               "goroutine 2 [select]:\nmain.f()\n\t/a.go:2\n";
    struct gorca_error err;
    struct gorca_inspect in;
    uint8_t *gz = NULL;
    size_t gz_len = 0;

    gorca_error_init(&err, NULL);
    ASSERT_EQ_INT(gorca_gzip((const uint8_t *)dump, sizeof(dump) - 1, 6, &gz, &gz_len, &err),
                  GORCA_OK);
    ASSERT_STREQ(kind_of(gz, gz_len, &in), "goroutine_debug2");
    ASSERT_EQ_INT(in.gzip, 1);
    ASSERT_EQ_U64(in.goroutines, 2);
    ASSERT_EQ_U64(in.size_bytes, gz_len);
    /* a cut gzip stream is named, not fatal */
    ASSERT_STREQ(kind_of(gz, gz_len / 2, &in), "unknown");
    ASSERT_TRUE(strstr(in.summary, "gzip data that does not inflate") != NULL);
    free(gz);
}

/* Expected kind of a fixture from its name (testdata/dump: what gen.sh fetched). */
static const char *dump_expect(const char *name)
{
    if (strstr(name, "pprof-raw") || strcmp(name, "facts.txt") == 0)
        return "unknown";
    if (strcmp(name, "debug1.txt") == 0 || strcmp(name, "leak-debug1.txt") == 0)
        return "goroutine_debug1";
    if (strcmp(name, "threadcreate1.txt") == 0)
        return "threadcreate";
    if (strcmp(name, "goroutine.pb.gz") == 0)
        return "goroutine";
    return "goroutine_debug2";
}

/* testdata/pprof/go1.X/<endpoint>.pb.gz: the endpoint names the kind. */
static const char *pprof_expect(const char *name, int *allocs)
{
    static const struct {
        const char *prefix, *kind;
        int allocs;
    } map[] = {
        { "cpu", "cpu", 0 },
        { "heap", "heap", 0 },
        { "allocs", "heap", 1 },
        { "delta-heap", "heap", 0 },
        { "delta-allocs", "heap", 0 }, /* delta profiles lose default_sample_type */
        { "block", "block", 0 },
        { "delta-block", "block", 0 },
        { "mutex", "mutex", 0 },
        { "delta-mutex", "mutex", 0 },
        { "goroutine", "goroutine", 0 },
        { "delta-goroutine", "goroutine", 0 },
        { "threadcreate", "threadcreate", 0 },
        { "delta-threadcreate", "threadcreate", 0 },
    };
    size_t n = strlen(name);

    if (n < 7 || strcmp(name + n - 6, ".pb.gz") != 0)
        return NULL;
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        size_t k = strlen(map[i].prefix);

        if (strncmp(name, map[i].prefix, k) == 0 &&
            (name[k] == '.' || (name[k] >= '0' && name[k] <= '9'))) {
            *allocs = map[i].allocs;
            return map[i].kind;
        }
    }
    return NULL;
}

static int walk_fixtures(const char *top, int is_pprof)
{
    DIR *d = opendir(test_repo_path(top));
    struct dirent *e;
    int checked = 0;
    char dirs[32][64];
    int nd = 0;

    if (d == NULL)
        return 0;
    while ((e = readdir(d)) != NULL && nd < 32)
        if (strncmp(e->d_name, "go1.", 4) == 0 && strlen(e->d_name) < 64)
            snprintf(dirs[nd++], 64, "%s", e->d_name);
    closedir(d);
    for (int i = 0; i < nd; i++) {
        char dir[1024];
        DIR *sub;

        snprintf(dir, sizeof(dir), "%.900s/%.63s", test_repo_path(top), dirs[i]);
        sub = opendir(dir);
        while (sub && (e = readdir(sub)) != NULL) {
            char path[1400];
            struct gorca_inspect in;
            struct gorca_error err;
            const char *want;
            int allocs = 0;

            if (e->d_name[0] == '.')
                continue;
            want = is_pprof ? pprof_expect(e->d_name, &allocs) : dump_expect(e->d_name);
            if (want == NULL)
                continue;
            snprintf(path, sizeof(path), "%.1000s/%.300s", dir, e->d_name);
            gorca_error_init(&err, path);
            test_name_now = path;
            if (gorca_inspect_file(path, NULL, &in, &err) != GORCA_OK) {
                test_fail_msg(__FILE__, __LINE__, "%s: %s", path, err.detail);
                break;
            }
            if (strcmp(gorca_inspect_kind_name(in.kind), want) != 0) {
                test_fail_msg(__FILE__, __LINE__, "%s: kind %s, want %s (%s)", path,
                              gorca_inspect_kind_name(in.kind), want, in.summary);
                break;
            }
            if (is_pprof && in.allocs != allocs)
                test_fail_msg(__FILE__, __LINE__, "%s: allocs %d, want %d", path, in.allocs,
                              allocs);
            checked++;
        }
        if (sub)
            closedir(sub);
    }
    return checked;
}

TEST(dump_fixtures)
{
    int n = walk_fixtures("testdata/dump", 0);

    test_name_now = "dump_fixtures";
    if (n == 0)
        TEST_SKIP("no testdata/dump fixtures");
    ASSERT_TRUE(n >= 100);
}

TEST(pprof_fixtures)
{
    int n = walk_fixtures("testdata/pprof", 1);

    test_name_now = "pprof_fixtures";
    if (n == 0)
        TEST_SKIP("no testdata/pprof fixtures");
    ASSERT_TRUE(n >= 6 * 12);
}

/* testdata/trace/go1.X/main.trace (the trace module's fixtures): kind, header version (Go 1.24
 * writes the 1.23 format), and the probe's generations and duration; a cut copy is still a
 * trace, marked damaged. */
TEST(trace_fixtures)
{
    DIR *d = opendir(test_repo_path("testdata/trace"));
    struct dirent *e;
    int checked = 0;

    if (d == NULL)
        TEST_SKIP("no testdata/trace fixtures");
    while ((e = readdir(d)) != NULL) {
        char path[1200];
        struct gorca_inspect in;
        struct gorca_error err;
        uint8_t *data;
        size_t len;
        int minor;

        if (strncmp(e->d_name, "go1.", 4) != 0)
            continue;
        minor = atoi(e->d_name + 4);
        snprintf(path, sizeof(path), "%.1000s/%.60s/main.trace", test_repo_path("testdata/trace"),
                 e->d_name);
        if (!test_file_exists(path))
            continue;
        test_name_now = path;
        gorca_error_init(&err, path);
        ASSERT_EQ_INT(gorca_inspect_file(path, NULL, &in, &err), GORCA_OK);
        ASSERT_STREQ(gorca_inspect_kind_name(in.kind), "trace");
        ASSERT_EQ_INT(in.trace_version, minor == 24 ? 23 : minor);
        ASSERT_EQ_INT(in.trace_supported, 1);
        ASSERT_TRUE(in.trace_generations >= 2);
        ASSERT_TRUE(in.trace_duration_ns > 0);
        ASSERT_EQ_INT(in.trace_status, GORCA_OK);
        data = test_read_file(path, &len);
        ASSERT_TRUE(data != NULL);
        ASSERT_EQ_INT(gorca_inspect_mem(data, len / 2, NULL, &in), GORCA_OK);
        ASSERT_STREQ(gorca_inspect_kind_name(in.kind), "trace");
        ASSERT_TRUE(in.trace_status != GORCA_OK);
        ASSERT_TRUE(strstr(in.summary, "damaged") != NULL);
        free(data);
        checked++;
    }
    closedir(d);
    test_name_now = "trace_fixtures";
    if (checked == 0)
        TEST_SKIP("no testdata/trace/go1.X/main.trace");
}

TEST(input_kind_mapping)
{
    struct gorca_inspect in;

    memset(&in, 0, sizeof(in));
    in.kind = GORCA_INSPECT_HEAP;
    ASSERT_EQ_INT(gorca_inspect_input_kind(&in), GORCA_INPUT_HEAP);
    in.allocs = 1;
    ASSERT_EQ_INT(gorca_inspect_input_kind(&in), GORCA_INPUT_ALLOCS);
    in.kind = GORCA_INSPECT_CONTENTION;
    ASSERT_EQ_INT(gorca_inspect_input_kind(&in), GORCA_INPUT_UNKNOWN);
    in.kind = GORCA_INSPECT_GOROUTINE_DEBUG2;
    ASSERT_EQ_INT(gorca_inspect_input_kind(&in), GORCA_INPUT_GOROUTINE_DEBUG2);
    in.kind = GORCA_INSPECT_TRACE;
    ASSERT_EQ_INT(gorca_inspect_input_kind(&in), GORCA_INPUT_TRACE);
    for (int k = 0; k < GORCA_INSPECT_N_KINDS; k++)
        ASSERT_TRUE(strlen(gorca_inspect_kind_name((enum gorca_inspect_kind)k)) > 0);
    ASSERT_STREQ(gorca_inspect_kind_name((enum gorca_inspect_kind)99), "unknown");
}

TEST(missing_file)
{
    struct gorca_inspect in;
    struct gorca_error err;
    char msg[256];

    gorca_error_init(&err, "/nonexistent/x.pb.gz");
    ASSERT_EQ_INT(gorca_inspect_file("/nonexistent/x.pb.gz", NULL, &in, &err), GORCA_E_IO);
    gorca_error_format(&err, msg, sizeof(msg));
    ASSERT_TRUE(strstr(msg, "'/nonexistent/x.pb.gz'") == msg);
}

TEST_MAIN({
    RUN(synthetic_table);
    RUN(gzip_seen_through);
    RUN(dump_fixtures);
    RUN(pprof_fixtures);
    RUN(trace_fixtures);
    RUN(input_kind_mapping);
    RUN(missing_file);
})
