/* Unit tests of the capture and bundle modules: the endpoint table, the content check, target
 * directory names, the manifest written by the capture and read back by gorca_bundle_open
 * (round trip, failures, digest verification) and the manifest reader's rejections.
 *
 * Run with "--verify DIR..." it is instead the bundle checker of the end-to-end scripts
 * (tests/capture/e2e.sh, faults.sh): every file listed by the manifest must match its size and
 * SHA-256, every profile must decode with gorca's pprof decoder, the trace and dumps must start
 * with their formats' headers. It prints one line per file and exits non-zero on any failure. */
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>
#include "test.h"
#include "gorca/capture.h"
#include "gorca/bundle.h"
#include "gorca/profile.h"
#include "gorca/dump.h"
#include "base/sha256.h"

/* ---- endpoint table --------------------------------------------------------------------*/

TEST(endpoint_ids_round_trip)
{
    for (int i = 0; i < GORCA_CAP_N_ENDPOINTS; i++) {
        const char *id = gorca_capture_endpoint_id((enum gorca_capture_endpoint)i);

        ASSERT_TRUE(id != NULL);
        ASSERT_EQ_INT(gorca_capture_endpoint_from_id(id), i);
        /* every capture kind is a kind the bundle reader knows */
        ASSERT_TRUE(gorca_input_kind_from_name(gorca_capture_endpoint_kind(
                        (enum gorca_capture_endpoint)i)) != GORCA_INPUT_UNKNOWN);
    }
    ASSERT_EQ_INT(gorca_capture_endpoint_from_id("cpu"), GORCA_CAP_PROFILE);
    ASSERT_EQ_INT(gorca_capture_endpoint_from_id("goroutines"), -1);
    ASSERT_TRUE(gorca_capture_endpoint_id(GORCA_CAP_N_ENDPOINTS) == NULL);
}

TEST(target_dirnames)
{
    static const struct {
        const char *url, *want;
    } rows[] = {
        { "http://127.0.0.1:6060", "127.0.0.1_6060" },
        { "https://api.internal:8443/admin/debug/pprof", "api.internal_8443" },
        { "http://user:secret@10.0.0.1:80/", "10.0.0.1_80" },
        { "http://[::1]:6060", "__1_6060" },
        { "unix:/run/app/pprof.sock", "unix_run_app_pprof.sock" },
        { "http://", "target" },
    };
    char out[128];

    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        gorca_capture_target_dirname(rows[i].url, out, sizeof(out));
        ASSERT_STREQ(out, rows[i].want);
    }
    gorca_capture_target_dirname("http://127.0.0.1:6060", out, 6);
    ASSERT_STREQ(out, "127.0");
}

/* ---- options validation ----------------------------------------------------------------*/

static char tmpdir[256];

static const char *make_tmpdir(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/gorca-test-capture.XXXXXX");
    return mkdtemp(tmpdir);
}

static void rm_rf(const char *dir)
{
    char cmd[512];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
}

TEST(refuses_non_empty_dir_and_bad_options)
{
    struct gorca_capture_options o;
    struct gorca_capture_result r;
    struct gorca_error err;
    const char *dir = make_tmpdir();
    char file[300];
    FILE *f;

    ASSERT_TRUE(dir != NULL);
    snprintf(file, sizeof(file), "%s/old.txt", dir);
    f = fopen(file, "w");
    ASSERT_TRUE(f != NULL);
    fclose(f);
    gorca_capture_options_init(&o);
    o.url = "http://127.0.0.1:1";
    o.out_dir = dir;
    gorca_error_init(&err, NULL);
    ASSERT_EQ_INT(gorca_capture_run(&o, 1, 1, &r, NULL, NULL, &err), GORCA_E_ARG);
    ASSERT_TRUE(strstr(err.detail, "not empty") != NULL);
    gorca_capture_result_release(&r);

    o.out_dir = file; /* a file, not a directory */
    gorca_error_init(&err, NULL);
    ASSERT_EQ_INT(gorca_capture_run(&o, 1, 1, &r, NULL, NULL, &err), GORCA_E_ARG);
    gorca_capture_result_release(&r);

    snprintf(file, sizeof(file), "%s/new", dir);
    o.out_dir = file;
    o.url = "ftp://127.0.0.1:1";
    gorca_error_init(&err, NULL);
    ASSERT_EQ_INT(gorca_capture_run(&o, 1, 1, &r, NULL, NULL, &err), GORCA_E_ARG);
    ASSERT_TRUE(strstr(err.detail, "unsupported scheme") != NULL);
    gorca_capture_result_release(&r);

    o.url = "http://127.0.0.1:1";
    o.seconds = 0;
    gorca_error_init(&err, NULL);
    ASSERT_EQ_INT(gorca_capture_run(&o, 1, 1, &r, NULL, NULL, &err), GORCA_E_ARG);
    gorca_capture_result_release(&r);
    rm_rf(dir);
}

/* A refused connection fails the preflight: every endpoint fails with that error, nothing but
 * the manifest is written, and the result says "failed". */
TEST(refused_connection_fails_everything)
{
    struct gorca_capture_options o;
    struct gorca_capture_result r;
    struct gorca_error err;
    const char *dir = make_tmpdir();
    char sub[300];
    int n_files = 0;
    DIR *d;
    struct dirent *e;

    ASSERT_TRUE(dir != NULL);
    snprintf(sub, sizeof(sub), "%s/b", dir);
    gorca_capture_options_init(&o);
    o.url = "http://ops:pw@127.0.0.1:9"; /* discard port: nothing listens on loopback */
    o.out_dir = sub;
    o.seconds = 1;
    o.connect_timeout_ms = 2000;
    gorca_error_init(&err, NULL);
    ASSERT_EQ_INT(gorca_capture_run(&o, 1, 1, &r, NULL, NULL, &err), GORCA_OK);
    ASSERT_STREQ(gorca_capture_status(&r), "failed");
    ASSERT_EQ_INT(r.n_ok, 0);
    ASSERT_EQ_INT(r.n_requested, 12);
    ASSERT_TRUE(strstr(r.fatal, "cannot connect") != NULL);
    ASSERT_STREQ(r.target, "http://127.0.0.1:9"); /* credentials never reach the manifest */
    ASSERT_STREQ(r.items[GORCA_CAP_HEAP].url, "http://127.0.0.1:9/debug/pprof/heap");
    for (int i = 0; i < GORCA_CAP_N_ENDPOINTS; i++)
        if (r.items[i].state != GORCA_CAPST_SKIPPED) {
            ASSERT_EQ_INT(r.items[i].state, GORCA_CAPST_FAILED);
            ASSERT_TRUE(strstr(r.items[i].error, "preflight") != NULL);
        }
    d = opendir(sub);
    ASSERT_TRUE(d != NULL);
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.' || strcmp(e->d_name, ".") * strcmp(e->d_name, "..") != 0)
            n_files++;
    closedir(d);
    ASSERT_EQ_INT(n_files, 1); /* manifest.json only */
    gorca_capture_result_release(&r);
    rm_rf(dir);
}

/* ---- manifest round trip ---------------------------------------------------------------*/

static void write_file(const char *dir, const char *name, const char *body)
{
    char path[400];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (f) {
        fputs(body, f);
        fclose(f);
    }
}

static void digest(const char *s, char hex[65])
{
    struct base_sha256 h;
    uint8_t d[32];

    base_sha256_init(&h);
    base_sha256_update(&h, s, strlen(s));
    base_sha256_final(&h, d);
    base_sha256_hex(d, hex);
}

/* Builds a result the way a capture leaves it: profile OK, heap failed, block replaced by
 * start/end snapshots, the rest skipped; writes the manifest with the capture's writer. */
static void fake_capture(const char *dir, const char *profile_body)
{
    struct gorca_capture_result r;
    struct gorca_buf b;
    char path[400];
    FILE *f;

    memset(&r, 0, sizeof(r));
    r.target = (char *)"http://127.0.0.1:6060";
    r.prefix = (char *)"/debug/pprof";
    r.dir = (char *)dir;
    r.seconds = 3;
    r.start_skew_ns = 123456;
    r.window_start_ns = 1700000000000000000;
    r.window_end_ns = 1700000003000000000;
    for (int i = 0; i < GORCA_CAP_N_ENDPOINTS; i++)
        r.items[i].ep = (enum gorca_capture_endpoint)i;
    r.items[GORCA_CAP_PROFILE].state = GORCA_CAPST_OK;
    r.items[GORCA_CAP_PROFILE].file = "profile.pb.gz";
    r.items[GORCA_CAP_PROFILE].bytes = strlen(profile_body);
    r.items[GORCA_CAP_PROFILE].start_ns = 1700000000000000000;
    r.items[GORCA_CAP_PROFILE].end_ns = 1700000003000000000;
    digest(profile_body, r.items[GORCA_CAP_PROFILE].sha256);
    r.items[GORCA_CAP_HEAP].state = GORCA_CAPST_FAILED;
    r.items[GORCA_CAP_HEAP].code = GORCA_E_HTTP;
    snprintf(r.items[GORCA_CAP_HEAP].error, sizeof(r.items[0].error), "HTTP 404: Unknown profile");
    r.items[GORCA_CAP_BLOCK].state = GORCA_CAPST_REPLACED;
    r.items[GORCA_CAP_BLOCK_START].state = GORCA_CAPST_OK;
    r.items[GORCA_CAP_BLOCK_START].file = "block-start.pb.gz";
    r.n_requested = 3;
    r.n_ok = 2;
    gorca_buf_init(&b, 0);
    gorca_capture_manifest_json(&r, NULL, &b, 2);
    snprintf(path, sizeof(path), "%s/manifest.json", dir);
    f = fopen(path, "wb");
    if (f) {
        fwrite(b.data, 1, b.len, f);
        fclose(f);
    }
    gorca_buf_release(&b);
    write_file(dir, "profile.pb.gz", profile_body);
    write_file(dir, "block-start.pb.gz", "x");
}

TEST(manifest_round_trip)
{
    const char *dir = make_tmpdir();
    struct gorca_bundle *b = NULL;
    struct gorca_error err;
    const struct gorca_bundle_file *f;

    ASSERT_TRUE(dir != NULL);
    fake_capture(dir, "profile bytes");
    gorca_error_init(&err, dir);
    ASSERT_EQ_INT(gorca_bundle_open(dir, &b, &err), GORCA_OK);
    ASSERT_EQ_INT(b->n_files, 2);
    ASSERT_STREQ(b->target, "http://127.0.0.1:6060");
    ASSERT_STREQ(b->status, "partial");
    ASSERT_EQ_INT(b->seconds, 3);
    ASSERT_EQ_INT(b->start_skew_ns, 123456);
    f = gorca_bundle_find(b, GORCA_INPUT_CPU, NULL);
    ASSERT_TRUE(f != NULL);
    ASSERT_STREQ(f->endpoint, "profile");
    ASSERT_TRUE(f->windowed);
    ASSERT_EQ_U64(f->bytes, 13);
    ASSERT_TRUE(strstr(f->path, "/profile.pb.gz") != NULL);
    f = gorca_bundle_find(b, GORCA_INPUT_BLOCK, "block-start");
    ASSERT_TRUE(f != NULL);
    ASSERT_TRUE(!f->windowed);
    ASSERT_EQ_INT(b->n_failures, 1);
    ASSERT_STREQ(b->failures[0].endpoint, "heap");
    ASSERT_STREQ(b->failures[0].error, "HTTP 404: Unknown profile");
    gorca_error_init(&err, NULL);
    ASSERT_EQ_INT(gorca_bundle_verify(b, 0, &err), GORCA_OK);
    gorca_bundle_free(b);

    /* a modified file no longer verifies */
    write_file(dir, "profile.pb.gz", "profile bytez");
    gorca_error_init(&err, dir);
    ASSERT_EQ_INT(gorca_bundle_open(dir, &b, &err), GORCA_OK);
    gorca_error_init(&err, NULL);
    ASSERT_EQ_INT(gorca_bundle_verify(b, 0, &err), GORCA_E_MALFORMED);
    ASSERT_TRUE(strstr(err.detail, "does not match") != NULL);
    gorca_bundle_free(b);
    rm_rf(dir);
}

TEST(inputs_expand_mixes_bundles_and_files)
{
    const char *dir = make_tmpdir();
    char bundle[300], plain[300], loose[300];
    const char *paths[3];
    struct gorca_bundle *b = NULL;
    struct gorca_error err;

    ASSERT_TRUE(dir != NULL);
    snprintf(bundle, sizeof(bundle), "%s/bundle", dir);
    snprintf(plain, sizeof(plain), "%s/plain", dir);
    snprintf(loose, sizeof(loose), "%s/loose.txt", dir);
    ASSERT_EQ_INT(mkdir(bundle, 0700), 0);
    ASSERT_EQ_INT(mkdir(plain, 0700), 0);
    fake_capture(bundle, "p");
    write_file(plain, "b.txt", "goroutine 1 [running]:\n");
    write_file(plain, "a.out", "x");
    write_file(plain, ".hidden", "x");
    write_file(dir, "loose.txt", "x");
    paths[0] = bundle, paths[1] = plain, paths[2] = loose;
    gorca_error_init(&err, NULL);
    ASSERT_EQ_INT(gorca_inputs_expand(paths, 3, &b, &err), GORCA_OK);
    ASSERT_EQ_INT(b->n_files, 5);
    ASSERT_EQ_INT(b->n_bundles, 1);
    ASSERT_EQ_INT(b->files[0].kind, GORCA_INPUT_CPU);
    ASSERT_TRUE(b->files[0].from_manifest);
    ASSERT_TRUE(strstr(b->files[2].path, "plain/a.out") != NULL); /* name order */
    ASSERT_TRUE(strstr(b->files[3].path, "plain/b.txt") != NULL);
    ASSERT_EQ_INT(b->files[3].kind, GORCA_INPUT_UNKNOWN);
    ASSERT_STREQ(b->files[4].path, loose);
    ASSERT_TRUE(b->files[4].endpoint == NULL);
    gorca_bundle_free(b);
    rm_rf(dir);
}

/* ---- manifest rejections ---------------------------------------------------------------*/

static const struct {
    const char *name, *json;
    enum gorca_status want;
    const char *detail;
} bad_manifests[] = {
    { "not json", "{\"schema\": ", GORCA_E_MALFORMED, "not valid JSON" },
    { "array", "[]", GORCA_E_MALFORMED, "must be an object" },
    { "other schema", "{\"schema\":\"other/1\",\"endpoints\":[]}", GORCA_E_MALFORMED,
      "not a gorca capture manifest" },
    { "newer schema", "{\"schema\":\"gorca.capture/2\",\"endpoints\":[]}", GORCA_E_UNSUPPORTED,
      "newer" },
    { "no endpoints", "{\"schema\":\"gorca.capture/1\"}", GORCA_E_MALFORMED, "\"endpoints\"" },
    { "duplicate key", "{\"schema\":\"gorca.capture/1\",\"schema\":\"x\",\"endpoints\":[]}",
      GORCA_E_MALFORMED, "duplicate" },
    { "path escape",
      "{\"schema\":\"gorca.capture/1\",\"endpoints\":[{\"id\":\"heap\",\"kind\":\"heap\","
      "\"state\":\"ok\",\"file\":\"../../etc/passwd\"}]}",
      GORCA_E_MALFORMED, "plain file name" },
    { "hidden file",
      "{\"schema\":\"gorca.capture/1\",\"endpoints\":[{\"id\":\"heap\",\"kind\":\"heap\","
      "\"state\":\"ok\",\"file\":\".heap.pb.gz.part\"}]}",
      GORCA_E_MALFORMED, "plain file name" },
    { "bytes as string",
      "{\"schema\":\"gorca.capture/1\",\"endpoints\":[{\"id\":\"heap\",\"kind\":\"heap\","
      "\"state\":\"ok\",\"file\":\"heap.pb.gz\",\"bytes\":\"12\"}]}",
      GORCA_E_MALFORMED, "\"bytes\"" },
    { "bad digest",
      "{\"schema\":\"gorca.capture/1\",\"endpoints\":[{\"id\":\"heap\",\"kind\":\"heap\","
      "\"state\":\"ok\",\"file\":\"heap.pb.gz\",\"sha256\":\"ABC\"}]}",
      GORCA_E_MALFORMED, "sha256" },
    { "missing id",
      "{\"schema\":\"gorca.capture/1\",\"endpoints\":[{\"kind\":\"heap\",\"state\":\"ok\"}]}",
      GORCA_E_MALFORMED, "\"id\"" },
};

TEST(manifest_rejections)
{
    const char *dir = make_tmpdir();

    ASSERT_TRUE(dir != NULL);
    for (size_t i = 0; i < sizeof(bad_manifests) / sizeof(bad_manifests[0]); i++) {
        struct gorca_bundle *b = NULL;
        struct gorca_error err;
        enum gorca_status st;

        write_file(dir, "manifest.json", bad_manifests[i].json);
        gorca_error_init(&err, dir);
        st = gorca_bundle_open(dir, &b, &err);
        if (st != bad_manifests[i].want || b != NULL ||
            strstr(err.detail, bad_manifests[i].detail) == NULL)
            test_fail_msg(__FILE__, __LINE__, "%s: status %s, detail \"%s\"", bad_manifests[i].name,
                          gorca_status_name(st), err.detail);
        gorca_bundle_free(b);
    }
    {
        struct gorca_bundle *b = NULL;
        struct gorca_error err;

        rm_rf(dir);
        gorca_error_init(&err, dir);
        ASSERT_EQ_INT(gorca_bundle_open(dir, &b, &err), GORCA_E_IO);
    }
}

/* ---- --verify mode: the end-to-end scripts' bundle checker -----------------------------*/

static int starts(const uint8_t *p, size_t n, const char *lit)
{
    return n >= strlen(lit) && memcmp(p, lit, strlen(lit)) == 0;
}

/* The pprof classifier's kind must agree with the endpoint the manifest names; an empty
 * block/mutex profile classifies as "contention". */
static int kind_matches(enum gorca_input_kind k, const char *got)
{
    switch (k) {
    case GORCA_INPUT_CPU:
        return strcmp(got, "cpu") == 0;
    case GORCA_INPUT_HEAP:
    case GORCA_INPUT_ALLOCS:
        return strcmp(got, "heap") == 0;
    case GORCA_INPUT_BLOCK:
        return strcmp(got, "block") == 0 || strcmp(got, "contention") == 0;
    case GORCA_INPUT_MUTEX:
        return strcmp(got, "mutex") == 0 || strcmp(got, "contention") == 0;
    case GORCA_INPUT_GOROUTINE:
        return strcmp(got, "goroutine") == 0;
    case GORCA_INPUT_THREADCREATE:
        return strcmp(got, "threadcreate") == 0;
    default:
        return 0;
    }
}

static int verify_file(const struct gorca_bundle *b, size_t i)
{
    const struct gorca_bundle_file *f = &b->files[i];
    struct gorca_error err;
    uint8_t *data;
    size_t len;
    int ok = 1;
    char what[200] = "";

    gorca_error_init(&err, f->path);
    if (gorca_bundle_verify(b, i, &err) != GORCA_OK) {
        char msg[512];

        gorca_error_format(&err, msg, sizeof(msg));
        printf("FAIL %s: %s\n", f->path, msg);
        return 0;
    }
    data = test_read_file(f->path, &len);
    if (data == NULL) {
        printf("FAIL %s: unreadable\n", f->path);
        return 0;
    }
    switch (f->kind) {
    case GORCA_INPUT_TRACE:
        ok = starts(data, len, "go 1.") && len > 16;
        snprintf(what, sizeof(what), "trace header '%.13s'", (const char *)data);
        break;
    case GORCA_INPUT_GOROUTINE_DEBUG1:
    case GORCA_INPUT_GOROUTINE_DEBUG2: {
        struct gorca_dump *dump = NULL;
        enum gorca_dump_format want =
            f->kind == GORCA_INPUT_GOROUTINE_DEBUG1 ? GORCA_DUMP_DEBUG1 : GORCA_DUMP_DEBUG2;

        gorca_error_init(&err, f->path);
        if (gorca_dump_parse(data, len, f->path, NULL, &dump, &err) != GORCA_OK) {
            char msg[512];

            gorca_error_format(&err, msg, sizeof(msg));
            snprintf(what, sizeof(what), "dump parser: %.180s", msg);
            ok = 0;
        } else {
            ok = dump->format == want && dump->n_goroutines > 0;
            snprintf(what, sizeof(what), "goroutine dump (format %d, want %d), %llu goroutines",
                     (int)dump->format, (int)want, (unsigned long long)dump->n_goroutines);
        }
        gorca_dump_free(dump);
        break;
    }
    case GORCA_INPUT_CMDLINE:
        ok = len > 0;
        snprintf(what, sizeof(what), "cmdline");
        break;
    default: {
        struct gorca_profile *p = NULL;
        struct gorca_profile_class ki;

        gorca_error_init(&err, f->path);
        if (gorca_profile_parse(data, len, NULL, &p, &err) != GORCA_OK) {
            char msg[512];

            gorca_error_format(&err, msg, sizeof(msg));
            snprintf(what, sizeof(what), "pprof decoder: %.180s", msg);
            ok = 0;
        } else {
            gorca_profile_classify(p, &ki);
            ok = kind_matches(f->kind, ki.kind_name);
            snprintf(what, sizeof(what), "profile, %zu samples, kind %s (manifest: %s)",
                     p->n_samples, ki.kind_name, gorca_input_kind_name(f->kind));
            gorca_profile_free(p);
        }
        break;
    }
    }
    free(data);
    printf("%s %s: %s\n", ok ? "ok" : "FAIL", f->path, what);
    return ok;
}

static int verify_main(int argc, char **argv)
{
    int bad = 0;

    for (int a = 2; a < argc; a++) {
        struct gorca_bundle *b = NULL;
        struct gorca_error err;

        gorca_error_init(&err, argv[a]);
        if (gorca_bundle_open(argv[a], &b, &err) != GORCA_OK) {
            char msg[512];

            gorca_error_format(&err, msg, sizeof(msg));
            printf("FAIL %s: %s\n", argv[a], msg);
            bad++;
            continue;
        }
        for (size_t i = 0; i < b->n_files; i++)
            bad += !verify_file(b, i);
        gorca_bundle_free(b);
    }
    return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--verify") == 0)
        return verify_main(argc, argv);
    RUN(endpoint_ids_round_trip);
    RUN(target_dirnames);
    RUN(refuses_non_empty_dir_and_bad_options);
    RUN(refused_connection_fails_everything);
    RUN(manifest_round_trip);
    RUN(inputs_expand_mixes_bundles_and_files);
    RUN(manifest_rejections);
    return test_finish(argv[0]);
}
