/* Tests for src/pprof/builder.c and src/pprof/model.c: the public builder interns functions,
 * locations and mappings and numbers them from 1, rejects references to unknown ids, and its
 * profiles encode to what the decoder reads back; the id maps handle dense and sparse ids. */
#include "pprof_test_util.h"
#include "pprof/pprof_int.h"

TEST(builder_interns_and_numbers)
{
    static const char *types[] = { "goroutine" }, *units[] = { "count" };
    struct gorca_profile_builder *b = gorca_profile_builder_new(types, units, 1, NULL);
    struct gorca_profile *p = NULL, *q = NULL;
    struct gorca_error err;
    struct gorca_buf enc;
    uint64_t f1, f2, f1again, l1, l2, l1again, m;
    int64_t line = 7, v = 3;
    const char *keys[] = { "state", "n" }, *strs[] = { "chan receive", NULL };
    int64_t nums[] = { 0, 42 };

    ASSERT_TRUE(b != NULL);
    gorca_profile_builder_set_period(b, "goroutine", "count", 1);
    gorca_profile_builder_set_default_type(b, "goroutine");
    gorca_profile_builder_add_comment(b, "built by a test");
    m = gorca_profile_builder_mapping(b, 0x1000, 0x2000, 0, "/bin/x", "abc", 1);
    f1 = gorca_profile_builder_function(b, "main.f", NULL, "main.go", 3);
    f2 = gorca_profile_builder_function(b, "main.g", "main.g.sys", "main.go", 9);
    f1again = gorca_profile_builder_function(b, "main.f", NULL, "main.go", 3);
    l1 = gorca_profile_builder_location(b, m, 0x1100, &f1, &line, 1);
    l2 = gorca_profile_builder_location(b, m, 0x1200, &f2, &line, 1);
    l1again = gorca_profile_builder_location(b, m, 0x1100, &f1, &line, 1);
    ASSERT_EQ_U64(m, 1);
    ASSERT_EQ_U64(f1, 1);
    ASSERT_EQ_U64(f2, 2);
    ASSERT_EQ_U64(f1again, 1);
    ASSERT_EQ_U64(l1, 1);
    ASSERT_EQ_U64(l2, 2);
    ASSERT_EQ_U64(l1again, 1);
    {
        uint64_t st[2] = { l1, l2 };

        ASSERT_EQ_INT(gorca_profile_builder_sample(b, st, 2, &v, keys, strs, nums, 2), 0);
        ASSERT_EQ_INT(gorca_profile_builder_sample(b, st, 2, &v, NULL, NULL, NULL, 0), 0);
    }
    gorca_error_init(&err, NULL);
    ASSERT_EQ_INT(gorca_profile_builder_finish(b, &p, &err), GORCA_OK);
    ASSERT_EQ_INT(p->n_samples, 2); /* the builder does not merge samples */
    ASSERT_EQ_INT(p->n_functions, 2);
    ASSERT_TRUE(gorca_strv_eq(p->functions[1].system_name, "main.g.sys"));
    ASSERT_TRUE(gorca_strv_eq(p->samples[0].labels[0].str, "chan receive"));
    ASSERT_EQ_INT(p->samples[0].labels[1].num, 42);
    ASSERT_TRUE(gorca_strv_eq(p->comments[0], "built by a test"));
    ASSERT_TRUE(gorca_strv_eq(p->default_sample_type, "goroutine"));
    ASSERT_TRUE(gorca_strv_eq(p->mappings[0].build_id, "abc"));
    gorca_buf_init(&enc, 0);
    ASSERT_EQ_INT(gorca_profile_encode(p, 0, &enc, &err), GORCA_OK);
    ASSERT_EQ_INT(gorca_profile_parse((const uint8_t *)enc.data, enc.len, NULL, &q, &err),
                  GORCA_OK);
    {
        char why[128];

        if (profile_diff(p, q, why, sizeof(why)) != 0)
            test_fail_msg(__FILE__, __LINE__, "builder profile does not round-trip: %s", why);
    }
    gorca_buf_release(&enc);
    gorca_profile_free(q);
    gorca_profile_free(p);
}

TEST(builder_rejects_unknown_ids)
{
    static const char *types[] = { "n" }, *units[] = { "count" };
    struct gorca_profile_builder *b = gorca_profile_builder_new(types, units, 1, NULL);
    struct gorca_profile *p = NULL;
    struct gorca_error err;
    uint64_t bogus_fn = 5, bogus_loc = 9;
    int64_t line = 1, v = 1;

    ASSERT_EQ_U64(gorca_profile_builder_location(b, 0, 0x10, &bogus_fn, &line, 1), 0);
    ASSERT_EQ_INT(gorca_profile_builder_sample(b, &bogus_loc, 1, &v, NULL, NULL, NULL, 0), -1);
    gorca_error_init(&err, NULL);
    ASSERT_TRUE(gorca_profile_builder_finish(b, &p, &err) != GORCA_OK);
    ASSERT_TRUE(p == NULL);
    gorca_profile_builder_free(gorca_profile_builder_new(types, units, 1, NULL));
    gorca_profile_builder_free(NULL);
}

TEST(id_maps)
{
    static const struct {
        const char *name;
        uint64_t ids[6];
        size_t n;
    } cases[] = {
        { "dense from 1", { 1, 2, 3, 4, 5, 6 }, 6 },
        { "sparse", { 7, 1ULL << 40, 99, UINT64_MAX, 123456789, 5 }, 6 },
        { "one", { 42 }, 1 },
    };
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        struct pb_idmap m;
        uint64_t max = 0;

        for (size_t i = 0; i < cases[c].n; i++)
            if (cases[c].ids[i] > max)
                max = cases[c].ids[i];
        ASSERT_EQ_INT(pb_idmap_init(&m, cases[c].n, max), 0);
        for (size_t i = 0; i < cases[c].n; i++)
            ASSERT_EQ_INT(pb_idmap_put(&m, cases[c].ids[i], (uint32_t)i), 0);
        ASSERT_EQ_INT(pb_idmap_put(&m, cases[c].ids[0], 9), 1); /* duplicate */
        for (size_t i = 0; i < cases[c].n; i++)
            ASSERT_EQ_U64(pb_idmap_get(&m, cases[c].ids[i]), i);
        ASSERT_EQ_U64(pb_idmap_get(&m, 0), UINT32_MAX);
        ASSERT_EQ_U64(pb_idmap_get(&m, 1000000), UINT32_MAX);
        pb_idmap_release(&m);
    }
}

TEST(strv_helpers)
{
    struct gorca_strv v = { "abc", 3 }, e = { NULL, 0 };

    ASSERT_TRUE(gorca_strv_eq(v, "abc"));
    ASSERT_TRUE(!gorca_strv_eq(v, "ab"));
    ASSERT_TRUE(gorca_strv_eq(e, ""));
    gorca_profile_free(NULL);
}

TEST_MAIN({
    RUN(builder_interns_and_numbers);
    RUN(builder_rejects_unknown_ids);
    RUN(id_maps);
    RUN(strv_helpers);
})
