/* Tests for src/pprof/encode.c: decode -> encode -> decode gives the same model for the
 * hand-built profile and every fixture (raw and gzip'd), the output is canonical (encoding it
 * again gives the same bytes), and go tool pprof -raw prints the same text for an original
 * and for gorca's re-encoded copy (run when Go is installed). */
#include <unistd.h>
#include "pprof_handbuilt.h"

static struct gorca_profile *reencode(const struct gorca_profile *p, int level,
                                      struct gorca_buf *bytes)
{
    struct gorca_error err;
    struct gorca_profile *q = NULL;

    gorca_error_init(&err, "re-encoded");
    if (gorca_profile_encode(p, level, bytes, &err) != GORCA_OK) {
        test_fail_msg(__FILE__, __LINE__, "encode: %s", err.detail);
        return NULL;
    }
    if (gorca_profile_parse((const uint8_t *)bytes->data, bytes->len, NULL, &q, &err) != GORCA_OK) {
        char msg[512];

        gorca_error_format(&err, msg, sizeof(msg));
        test_fail_msg(__FILE__, __LINE__, "decode of our output: %s", msg);
        return NULL;
    }
    return q;
}

/* Round trip of p at gzip level 0 and 6; also checks that encoding is deterministic. */
static int round_trip(const struct gorca_profile *p, const char *what)
{
    for (int level = 0; level <= 6; level += 6) {
        struct gorca_buf b1, b2;
        struct gorca_profile *q, *r;
        char why[256];
        int bad;

        gorca_buf_init(&b1, 0);
        gorca_buf_init(&b2, 0);
        q = reencode(p, level, &b1);
        r = q ? reencode(q, 0, &b2) : NULL;
        bad = q == NULL || r == NULL || profile_diff(p, q, why, sizeof(why)) != 0;
        if (!bad && level == 0 && (b1.len != b2.len || memcmp(b1.data, b2.data, b1.len) != 0)) {
            snprintf(why, sizeof(why), "second encoding differs");
            bad = 1;
        }
        if (bad && q && r)
            test_fail_msg(__FILE__, __LINE__, "%s (gzip %d): %s", what, level, why);
        gorca_profile_free(q);
        gorca_profile_free(r);
        gorca_buf_release(&b1);
        gorca_buf_release(&b2);
        if (bad)
            return 0;
    }
    return 1;
}

TEST(hand_built_round_trip)
{
    struct knobs k = { 0 };
    struct pbw w;
    struct gorca_error err;
    struct gorca_profile *p = NULL;

    build(&w, &k);
    gorca_error_init(&err, "t");
    ASSERT_EQ_INT(gorca_profile_parse(w.b, w.n, NULL, &p, &err), GORCA_OK);
    round_trip(p, "hand-built");
    gorca_profile_free(p);
}

TEST(fixtures_round_trip)
{
    char dirs[16][64], names[64][48];
    int nd = fixture_dirs(dirs, 16), n = 0;

    if (nd == 0)
        TEST_SKIP("no fixtures under testdata/pprof");
    for (int d = 0; d < nd; d++) {
        int np = fixture_profiles(dirs[d], names, 64);

        for (int i = 0; i < np; i++) {
            struct gorca_profile *p = fixture_profile(dirs[d], names[i]);
            char what[4400];

            if (p == NULL)
                return;
            snprintf(what, sizeof(what), "%s/%s", dirs[d], names[i]);
            n += round_trip(p, what);
            gorca_profile_free(p);
            if (test_failed_now)
                return;
        }
    }
    ASSERT_TRUE(n >= 14);
}

/* Writes our encoding of src to a temporary file; returns its path (static) or NULL. */
static const char *write_copy(const struct gorca_profile *p)
{
    static char path[64];
    struct gorca_buf b;
    struct gorca_error err;
    FILE *f;
    int fd;

    snprintf(path, sizeof(path), "/tmp/gorca-enc-XXXXXX");
    fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    f = fdopen(fd, "wb");
    gorca_buf_init(&b, 0);
    gorca_error_init(&err, NULL);
    if (f == NULL || gorca_profile_encode(p, 6, &b, &err) != GORCA_OK ||
        fwrite(b.data, 1, b.len, f) != b.len) {
        if (f)
            fclose(f);
        gorca_buf_release(&b);
        unlink(path);
        return NULL;
    }
    fclose(f);
    gorca_buf_release(&b);
    return path;
}

static int same_raw(const char *go, const char *orig_path, const struct gorca_profile *p)
{
    struct gorca_buf a, b;
    char args[4600];
    const char *copy = write_copy(p);
    int ok;

    if (copy == NULL) {
        test_fail_msg(__FILE__, __LINE__, "cannot write a temporary copy");
        return 0;
    }
    gorca_buf_init(&a, 0);
    gorca_buf_init(&b, 0);
    snprintf(args, sizeof(args), "-raw '%s'", orig_path);
    ok = oracle_run(go, args, &a) == 0;
    snprintf(args, sizeof(args), "-raw '%s'", copy);
    ok = ok && oracle_run(go, args, &b) == 0;
    if (!ok)
        test_fail_msg(__FILE__, __LINE__, "go tool pprof -raw failed on %s or its copy", orig_path);
    else if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0) {
        char diff[600];

        first_diff(b.data, b.len, a.data, a.len, diff, sizeof(diff));
        test_fail_msg(__FILE__, __LINE__, "pprof -raw of %s and of our copy differ at %s",
                      orig_path, diff);
        ok = 0;
    }
    unlink(copy);
    gorca_buf_release(&a);
    gorca_buf_release(&b);
    return ok;
}

/* go tool pprof reads our encoding exactly as it reads the runtime's. */
TEST(pprof_reads_our_encoding)
{
    static const char *const versions[] = { "1.26", "1.21" };
    int checked = 0;

    for (size_t v = 0; v < 2; v++) {
        const char *go = oracle_go(versions[v]);
        char dir[64], names[64][48];
        int np;

        if (go == NULL)
            continue;
        snprintf(dir, sizeof(dir), "testdata/pprof/go%s", versions[v]);
        np = fixture_profiles(dir, names, 64);
        for (int i = 0; i < np; i++) {
            struct gorca_profile *p = fixture_profile(dir, names[i]);
            char rel[4400];

            /* Go 1.21's pprof is slow to start; three kinds are enough for the old reader. */
            if (v == 1 && strcmp(names[i], "cpu") != 0 && strcmp(names[i], "heap") != 0 &&
                strcmp(names[i], "delta-goroutine") != 0) {
                gorca_profile_free(p);
                continue;
            }
            if (p == NULL)
                return;
            snprintf(rel, sizeof(rel), "%s/%s.pb.gz", dir, names[i]);
            checked += same_raw(go, test_repo_path(rel), p);
            gorca_profile_free(p);
            if (test_failed_now)
                return;
        }
    }
    if (checked == 0)
        TEST_SKIP("no Go toolchain (scripts/go-env.sh 1.26) to run go tool pprof");
}

/* The hand-built profile has comments, doc_url, columns, labels with units, folded locations:
 * the oracle prints it identically from the original and from our copy. */
TEST(pprof_reads_hand_built)
{
    const char *go = oracle_go("1.26");
    struct knobs k = { 0 };
    struct pbw w;
    struct gorca_error err;
    struct gorca_profile *p = NULL;
    char path[64];
    FILE *f;
    int fd;

    if (go == NULL)
        TEST_SKIP("no Go toolchain to run go tool pprof");
    build(&w, &k);
    gorca_error_init(&err, "t");
    ASSERT_EQ_INT(gorca_profile_parse(w.b, w.n, NULL, &p, &err), GORCA_OK);
    snprintf(path, sizeof(path), "/tmp/gorca-hand-XXXXXX");
    fd = mkstemp(path);
    ASSERT_TRUE(fd >= 0);
    f = fdopen(fd, "wb");
    ASSERT_TRUE(f != NULL && fwrite(w.b, 1, w.n, f) == w.n);
    fclose(f);
    same_raw(go, path, p);
    unlink(path);
    gorca_profile_free(p);
}

TEST_MAIN({
    RUN(hand_built_round_trip);
    RUN(fixtures_round_trip);
    RUN(pprof_reads_our_encoding);
    RUN(pprof_reads_hand_built);
})
