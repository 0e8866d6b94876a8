/* Allocation failures: failing the Nth allocation of a whole analysis run (reader included),
 * for every N up to the run's total on a small real trace, must give a clean GORCA_E_NOMEM
 * (GORCA_E_LIMIT when the reader's arena is the one that fails), or success when N is past the
 * last allocation, with no result and no leak (the ASan run of the suite checks leaks), never
 * a crash. */
#include "test.h"
#include "base/base.h"
#include "gorca/analysis.h"

static enum gorca_status run(const char *path, int *got_result)
{
    struct gorca_analysis *an = NULL;
    struct gorca_error err;
    struct gorca_buf b;
    enum gorca_status st;

    gorca_error_init(&err, path);
    st = gorca_analysis_run_file(path, NULL, &an, &err);
    *got_result = an != NULL;
    if (an != NULL) {
        gorca_buf_init(&b, 0);
        if (gorca_analysis_write_json(an, GORCA_AN_JSON_ALL, 0, 5, &b, &err) != GORCA_OK &&
            err.code != GORCA_E_NOMEM)
            st = GORCA_E_INTERNAL;
        gorca_buf_release(&b);
    }
    gorca_analysis_free(an);
    return st;
}

TEST(every_allocation_failure_is_clean)
{
    const char *path = test_repo_path("fuzz/corpus/analysis/mini-go1.25.trace");
    unsigned long before, total;
    long n;
    int got, failures = 0, successes = 0;
    enum gorca_status st;

    if (!test_file_exists(path))
        TEST_SKIP("fuzz/corpus/analysis/mini-go1.25.trace missing");
    before = base_alloc_count();
    ASSERT_EQ_INT(run(path, &got), GORCA_OK);
    total = base_alloc_count() - before;
    ASSERT_TRUE(total > 100);
    for (n = 0; n <= (long)total; n += n < 400 ? 1 : 7) {
        base_fail_after(n);
        st = run(path, &got);
        base_fail_after(-1);
        if (st == GORCA_OK) {
            ASSERT_TRUE(got);
            successes++;
        } else {
            /* The trace reader reports a failed arena allocation as GORCA_E_LIMIT. */
            if (st != GORCA_E_NOMEM && st != GORCA_E_LIMIT) {
                test_fail_msg(__FILE__, __LINE__, "failing allocation %ld: %s", n,
                              gorca_status_name(st));
                return;
            }
            ASSERT_TRUE(!got);
            failures++;
        }
    }
    printf("# %lu allocations per run; %d failure points gave GORCA_E_NOMEM\n", total, failures);
    ASSERT_TRUE(failures > 0);
}

TEST_MAIN({ RUN(every_allocation_failure_is_clean); })
