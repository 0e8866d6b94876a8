/* Tests for src/pprof/units.c and the Go formatting helpers in raw.c: pprof's unit scaling,
 * value labels and percentages, and Go's Duration/Time strings, on values whose pprof output
 * is documented in pprof-formats.md §5.3 or was printed by go tool pprof in the fixtures. */
#include "test.h"
#include "pprof/pprof_int.h"

TEST(scaled_labels)
{
    static const struct {
        int64_t v;
        const char *unit, *to, *want;
    } cases[] = {
        { 2420000000, "nanoseconds", "s", "2.42s" },   /* doc §5.4 */
        { 4900000000, "nanoseconds", "ms", "4900ms" }, /* doc §5.3 */
        { 26771443, "bytes", "kB", "26143.99kB" },     /* doc §5.3 */
        { 0, "nanoseconds", "s", "0" },
        { 10000000, "nanoseconds", "s", "0.01s" },
        { 694830000, "nanoseconds", "auto", "694.83ms" }, /* cpu fixture Duration */
        { 1000000000, "nanoseconds", "auto", "1s" },
        { 7200000000000, "nanoseconds", "auto", "2hrs" }, /* no minutes unit in pprof */
        { 90000000000, "nanoseconds", "auto", "90s" },
        { 1554514, "bytes", "B", "1554514B" }, /* heap.mean fixture */
        { 3282042, "bytes", "MB", "3.13MB" },
        { -220000, "bytes", "MB", "-0.21MB" }, /* delta-allocs fixture */
        { 1, "bytes", "MB", "0" },             /* rounds to 0.00 */
        { -1, "bytes", "MB", "0" },            /* "-0.00" prints as 0 too */
        { 7, "count", "count", "7" },          /* counts have no unit */
        { 7, "count", "minimum", "7" },
        { 1500, "microseconds", "ms", "1.50ms" },         /* unit aliases, plural */
        { 3, "KB", "B", "3072B" },                        /* case-insensitive */
        { 5, "goroutines", "goroutines", "5goroutines" }, /* unknown unit kept */
        { 2048, "bytes", "minimum", "2kB" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[64];

        pb_scaled_label(cases[i].v, cases[i].unit, strlen(cases[i].unit), cases[i].to, buf,
                        sizeof(buf));
        if (strcmp(buf, cases[i].want) != 0) {
            test_fail_msg(__FILE__, __LINE__, "%lld %s -> %s: got %s want %s",
                          (long long)cases[i].v, cases[i].unit, cases[i].to, buf, cases[i].want);
            return;
        }
    }
}

TEST(percentages)
{
    static const struct {
        int64_t v, total;
        const char *want;
    } cases[] = {
        { 100, 100, "  100%" },        { 9996, 10000, "  100%" },
        { 10004, 10000, "  100%" },    { 4736, 10000, "47.36%" },
        { 5, 1000, "  0.5%" },         { 12, 100000, "0.012%" },
        { 0, 100, "    0%" },          { 1, 0, "    0%" },
        { -662, 10000, " 6.62%" },     { 1, 10000000, "1e-05%" },
        { 105546, 10000, "1055.46%" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[32];

        pb_percentage(cases[i].v, cases[i].total, buf, sizeof(buf));
        if (strcmp(buf, cases[i].want) != 0) {
            test_fail_msg(__FILE__, __LINE__, "%lld/%lld: got '%s' want '%s'",
                          (long long)cases[i].v, (long long)cases[i].total, buf, cases[i].want);
            return;
        }
    }
}

TEST(unit_families)
{
    double f = 0;

    ASSERT_EQ_INT(pb_unit_family("bytes", 5, &f), 1);
    ASSERT_TRUE(f == 1);
    ASSERT_EQ_INT(pb_unit_family("MB", 2, &f), 1);
    ASSERT_TRUE(f == 1048576.0);
    ASSERT_EQ_INT(pb_unit_family("nanoseconds", 11, &f), 2);
    ASSERT_EQ_INT(pb_unit_family("hours", 5, &f), 2);
    ASSERT_EQ_INT(pb_unit_family("count", 5, &f), 0);
}

TEST(go_durations)
{
    static const struct {
        int64_t d;
        const char *want;
    } cases[] = {
        { 0, "0s" },
        { 999, "999ns" },
        { 1500, "1.5\xc2\xb5s" },
        { 694830000, "694.83ms" },
        { 1000000000, "1s" },
        { 1005000000, "1.005s" },
        { 5130000000, "5.13s" },
        { 61000000000, "1m1s" },
        { 3723500000000, "1h2m3.5s" },
        { -2000000, "-2ms" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[64];

        pb_go_duration(cases[i].d, buf, sizeof(buf));
        if (strcmp(buf, cases[i].want) != 0) {
            test_fail_msg(__FILE__, __LINE__, "%lld: got %s want %s", (long long)cases[i].d, buf,
                          cases[i].want);
            return;
        }
    }
}

TEST(go_times_utc)
{
    char buf[96];

    pb_go_time(1764288152824301291LL, 1, "string", buf, sizeof(buf));
    ASSERT_STREQ(buf, "2025-11-28 00:02:32.824301291 +0000 UTC");
    pb_go_time(1764288152000000000LL, 1, "string", buf, sizeof(buf));
    ASSERT_STREQ(buf, "2025-11-28 00:02:32 +0000 UTC");
    pb_go_time(1764288152820000000LL, 1, "string", buf, sizeof(buf));
    ASSERT_STREQ(buf, "2025-11-28 00:02:32.82 +0000 UTC");
    pb_go_time(1764288152824301291LL, 1, "report", buf, sizeof(buf));
    ASSERT_STREQ(buf, "2025-11-28 00:02:32 UTC");
}

TEST(public_format_value)
{
    char buf[64];

    gorca_pprof_format_value(1390000000, "nanoseconds", "minimum", buf, sizeof(buf));
    ASSERT_STREQ(buf, "1.39s");
}

TEST_MAIN({
    RUN(scaled_labels);
    RUN(percentages);
    RUN(unit_families);
    RUN(go_durations);
    RUN(go_times_utc);
    RUN(public_format_value);
})
