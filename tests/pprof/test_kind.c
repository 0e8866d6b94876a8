/* Tests for src/pprof/kind.c: every fixture of every Go version is classified as the endpoint
 * that produced it (block and mutex told apart by their stacks), delta profiles are flagged,
 * and -sample_index resolves as pprof resolves it. */
#include "pprof_test_util.h"

TEST(fixtures_are_classified)
{
    static const struct {
        const char *name;
        enum gorca_profile_kind kind;
        int allocs, delta, negative;
    } want[] = {
        { "cpu", GORCA_PROFILE_CPU, 0, 0, 0 },
        { "cpu2", GORCA_PROFILE_CPU, 0, 0, 0 },
        { "heap", GORCA_PROFILE_HEAP, 0, 0, 0 },
        { "allocs", GORCA_PROFILE_HEAP, 1, 0, 0 },
        { "block", GORCA_PROFILE_BLOCK, 0, 0, 0 },
        { "mutex", GORCA_PROFILE_MUTEX, 0, 0, 0 },
        { "goroutine", GORCA_PROFILE_GOROUTINE, 0, 0, 0 },
        { "threadcreate", GORCA_PROFILE_THREADCREATE, 0, 0, 0 },
        /* Deltas lose default_sample_type, so allocs deltas look like heap deltas (§2.3). */
        { "delta-heap", GORCA_PROFILE_HEAP, 0, 1, 1 },
        { "delta-allocs", GORCA_PROFILE_HEAP, 0, 1, 1 },
        { "delta-block", GORCA_PROFILE_BLOCK, 0, 1, 0 },
        { "delta-mutex", GORCA_PROFILE_MUTEX, 0, 1, 0 },
        { "delta-goroutine", GORCA_PROFILE_GOROUTINE, 0, 1, 1 },
        { "delta-threadcreate", GORCA_PROFILE_THREADCREATE, 0, 1, 0 },
    };
    char dirs[16][64];
    int nd = fixture_dirs(dirs, 16);

    if (nd == 0)
        TEST_SKIP("no fixtures under testdata/pprof");
    for (int d = 0; d < nd; d++) {
        for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
            struct gorca_profile *p = fixture_profile(dirs[d], want[i].name);
            struct gorca_profile_class c;

            if (p == NULL)
                return;
            gorca_profile_classify(p, &c);
            gorca_profile_free(p);
            if (c.kind != want[i].kind || c.allocs != want[i].allocs || c.delta != want[i].delta ||
                c.has_negative != want[i].negative) {
                test_fail_msg(__FILE__, __LINE__, "%s/%s: kind %s allocs %d delta %d neg %d",
                              dirs[d], want[i].name, c.kind_name, c.allocs, c.delta,
                              c.has_negative);
                return;
            }
            if ((c.kind == GORCA_PROFILE_BLOCK && (c.block_votes == 0 || c.mutex_votes != 0)) ||
                (c.kind == GORCA_PROFILE_MUTEX && (c.mutex_votes == 0 || c.block_votes != 0))) {
                test_fail_msg(__FILE__, __LINE__, "%s/%s: votes mutex %zu block %zu", dirs[d],
                              want[i].name, c.mutex_votes, c.block_votes);
                return;
            }
        }
    }
}

TEST(kind_names)
{
    ASSERT_STREQ(gorca_profile_kind_name(GORCA_PROFILE_CONTENTION), "contention");
    ASSERT_STREQ(gorca_profile_kind_name(GORCA_PROFILE_THREADCREATE), "threadcreate");
    ASSERT_STREQ(gorca_profile_kind_name((enum gorca_profile_kind)99), "unknown");
}

TEST(sample_index_like_pprof)
{
    static const struct {
        const char *profile, *arg;
        enum gorca_status st;
        size_t want;
    } cases[] = {
        { "heap", NULL, GORCA_OK, 3 },         /* no default: last column */
        { "allocs", "", GORCA_OK, 1 },         /* default_sample_type alloc_space */
        { "delta-allocs", NULL, GORCA_OK, 3 }, /* deltas lose the default */
        { "heap", "alloc_space", GORCA_OK, 1 },
        { "heap", "inuse_alloc_objects", GORCA_OK, 0 }, /* leading inuse_ tried stripped */
        { "heap", "0", GORCA_OK, 0 },
        { "heap", "4", GORCA_E_ARG, 0 },
        { "heap", "-1", GORCA_E_ARG, 0 },
        { "heap", "objects", GORCA_E_ARG, 0 },
        { "cpu", "samples", GORCA_OK, 0 },
        { "block", "delay", GORCA_OK, 1 },
    };
    char dirs[16][64];
    int nd = fixture_dirs(dirs, 16);

    if (nd == 0)
        TEST_SKIP("no fixtures under testdata/pprof");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct gorca_profile *p = fixture_profile(dirs[nd - 1], cases[i].profile);
        struct gorca_error err;
        size_t idx = 99;
        enum gorca_status st;

        if (p == NULL)
            return;
        gorca_error_init(&err, NULL);
        st = gorca_profile_sample_index(p, cases[i].arg, &idx, &err);
        gorca_profile_free(p);
        if (st != cases[i].st || (st == GORCA_OK && idx != cases[i].want)) {
            test_fail_msg(__FILE__, __LINE__, "%s %s: %s %zu", cases[i].profile,
                          cases[i].arg ? cases[i].arg : "(null)", gorca_status_name(st), idx);
            return;
        }
        if (st == GORCA_E_ARG && strstr(err.detail, "alloc_objects, alloc_space") == NULL &&
            strstr(err.detail, "outside the range [0..3]") == NULL) {
            test_fail_msg(__FILE__, __LINE__, "unhelpful error: %s", err.detail);
            return;
        }
    }
}

TEST_MAIN({
    RUN(fixtures_are_classified);
    RUN(kind_names);
    RUN(sample_index_like_pprof);
})
