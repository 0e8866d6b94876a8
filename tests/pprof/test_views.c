/* Tests for src/pprof/stacks.c, folded.c and flame.c on built profiles (folded_flame.sh checks
 * them against go tool pprof -traces and a browser), and allocation-failure injection for
 * every operation that allocates: each allocation failed in turn gives GORCA_E_NOMEM (or, for
 * the builder, a failed finish) and no leak (ASan checks the latter in `make asan`). */
#include "pprof_test_util.h"
#include "base/base.h"

/* Stacks (root first): a;b (5), a;b (2: merged), a;c;b (3), x y;z (4: names with space and
 * ';'), a (-6: negative), d (0: left out). */
static struct gorca_profile *build(void)
{
    static const char *types[] = { "n" }, *units[] = { "count" };
    struct gorca_profile_builder *b = gorca_profile_builder_new(types, units, 1, NULL);
    struct gorca_profile *p = NULL;
    struct gorca_error err;
    const char *names[] = { "a", "b", "c", "x y;z", "d" };
    uint64_t f[5], l[5];
    int64_t line = 1;

    for (int i = 0; i < 5; i++) {
        f[i] = gorca_profile_builder_function(b, names[i], NULL, "f.go", 1);
        l[i] = gorca_profile_builder_location(b, 0, 0x100 + (uint64_t)i, &f[i], &line, 1);
    }
    {
        const uint64_t s1[] = { l[1], l[0] }, s2[] = { l[1], l[2], l[0] }, s3[] = { l[3] },
                       s4[] = { l[0] }, s5[] = { l[4] };
        const int64_t v5 = 5, v2 = 2, v3 = 3, v4 = 4, vn = -6, v0 = 0;

        gorca_profile_builder_sample(b, s1, 2, &v5, NULL, NULL, NULL, 0);
        gorca_profile_builder_sample(b, s1, 2, &v2, NULL, NULL, NULL, 0);
        gorca_profile_builder_sample(b, s2, 3, &v3, NULL, NULL, NULL, 0);
        gorca_profile_builder_sample(b, s3, 1, &v4, NULL, NULL, NULL, 0);
        gorca_profile_builder_sample(b, s4, 1, &vn, NULL, NULL, NULL, 0);
        gorca_profile_builder_sample(b, s5, 1, &v0, NULL, NULL, NULL, 0);
    }
    gorca_error_init(&err, NULL);
    if (gorca_profile_builder_finish(b, &p, &err) != GORCA_OK)
        return NULL;
    return p;
}

TEST(folded_aggregates_sorts_and_sanitises)
{
    struct gorca_profile *p = build();
    struct gorca_buf out;
    struct gorca_error err;
    size_t neg = 0;

    ASSERT_TRUE(p != NULL);
    gorca_buf_init(&out, 0);
    gorca_error_init(&err, NULL);
    ASSERT_EQ_INT(gorca_profile_folded(p, NULL, &out, &neg, &err), GORCA_OK);
    /* "a;b" < "a;c;b" < "x_y,z" bytewise; a (-6) and d (0) are left out */
    ASSERT_STREQ(out.data, "a;b 7\na;c;b 3\nx_y,z 4\n");
    ASSERT_EQ_INT(neg, 1);
    gorca_buf_release(&out);
    gorca_profile_free(p);
}

TEST(folded_filters)
{
    struct gorca_profile *p = build();
    struct gorca_view_options o;
    struct gorca_buf out;
    struct gorca_error err;

    memset(&o, 0, sizeof(o));
    o.hide = "^c$";
    gorca_buf_init(&out, 0);
    gorca_error_init(&err, NULL);
    ASSERT_EQ_INT(gorca_profile_folded(p, &o, &out, NULL, &err), GORCA_OK);
    ASSERT_STREQ(out.data, "a;b 10\nx_y,z 4\n");
    gorca_buf_release(&out);
    o.hide = NULL;
    o.focus = "z";
    gorca_buf_init(&out, 0);
    ASSERT_EQ_INT(gorca_profile_folded(p, &o, &out, NULL, &err), GORCA_OK);
    ASSERT_STREQ(out.data, "x_y,z 4\n");
    gorca_buf_release(&out);
    gorca_profile_free(p);
}

TEST(flame_orders_and_escapes)
{
    struct gorca_profile *p = build();
    struct gorca_flame_options o;
    struct gorca_buf out;
    struct gorca_error err;
    const char *a, *bb, *c, *x;

    memset(&o, 0, sizeof(o));
    o.title = "t<&>";
    gorca_buf_init(&out, 0);
    gorca_error_init(&err, NULL);
    ASSERT_EQ_INT(gorca_profile_flame(p, &o, &out, &err), GORCA_OK);
    ASSERT_TRUE(strstr(out.data, ">t&lt;&amp;&gt;</text>") != NULL);
    ASSERT_TRUE(strstr(out.data, "1 stacks with negative sums not drawn") != NULL);
    /* root = 14; a = 10 comes before x y;z = 4 (decreasing value); under a: b (7) then c (3) */
    a = strstr(out.data, "<title>a (10, 71.43%)</title>");
    x = strstr(out.data, "<title>x y;z (4, 28.57%)</title>");
    bb = strstr(out.data, "<title>b (7, 50.00%)</title>");
    c = strstr(out.data, "<title>c (3, 21.43%)</title>");
    ASSERT_TRUE(strstr(out.data, "<title>root (14, 100.00%)</title>") != NULL);
    ASSERT_TRUE(a && x && bb && c);
    ASSERT_TRUE(a < bb && bb < c && c < x);
    /* c starts where b ends: x = 7 value units into a */
    ASSERT_TRUE(strstr(out.data, "data-x=\"7\" data-w=\"3\" data-d=\"2\"><title>c") != NULL);
    gorca_buf_release(&out);
    gorca_profile_free(p);
}

/* Fails allocation n, n+1, ... until op succeeds; every failure must be GORCA_E_NOMEM. */
static int fail_each(const char *what, enum gorca_status (*op)(const struct gorca_profile *),
                     const struct gorca_profile *p)
{
    for (long n = 0; n < 5000; n++) {
        enum gorca_status st;

        base_fail_after(n);
        st = op(p);
        base_fail_after(-1);
        if (st == GORCA_OK)
            return n > 0;
        if (st != GORCA_E_NOMEM) {
            test_fail_msg(__FILE__, __LINE__, "%s with allocation %ld failing: %s", what, n,
                          gorca_status_name(st));
            return 0;
        }
    }
    test_fail_msg(__FILE__, __LINE__, "%s never succeeded", what);
    return 0;
}

static enum gorca_status op_top(const struct gorca_profile *p)
{
    struct gorca_top *t = NULL;
    struct gorca_top_options o;
    struct gorca_error err;
    enum gorca_status st;
    struct gorca_buf b;

    gorca_top_options_init(&o);
    o.nodecount = 5;
    gorca_error_init(&err, NULL);
    st = gorca_profile_top(p, &o, &t, &err);
    if (st == GORCA_OK) {
        gorca_buf_init(&b, 0);
        gorca_top_render_json(t, &b);
        st = gorca_buf_status(&b, &err);
        gorca_buf_release(&b);
    }
    gorca_top_free(t);
    return st;
}

static enum gorca_status op_folded(const struct gorca_profile *p)
{
    struct gorca_buf b;
    struct gorca_error err;
    enum gorca_status st;

    gorca_buf_init(&b, 0);
    gorca_error_init(&err, NULL);
    st = gorca_profile_folded(p, NULL, &b, NULL, &err);
    gorca_buf_release(&b);
    return st;
}

static enum gorca_status op_flame(const struct gorca_profile *p)
{
    struct gorca_buf b;
    struct gorca_error err;
    enum gorca_status st;

    gorca_buf_init(&b, 0);
    gorca_error_init(&err, NULL);
    st = gorca_profile_flame(p, NULL, &b, &err);
    gorca_buf_release(&b);
    return st;
}

static enum gorca_status op_encode(const struct gorca_profile *p)
{
    struct gorca_buf b;
    struct gorca_error err;
    enum gorca_status st;

    gorca_buf_init(&b, 0);
    gorca_error_init(&err, NULL);
    st = gorca_profile_encode(p, 0, &b, &err);
    gorca_buf_release(&b);
    return st;
}

static enum gorca_status op_merge(const struct gorca_profile *p)
{
    const struct gorca_profile *ps[2] = { p, p };
    const int64_t scales[2] = { 1, -1 }; /* everything cancels: exercises the second merge */
    struct gorca_profile *m = NULL;
    struct gorca_error err;
    enum gorca_status st;

    gorca_error_init(&err, NULL);
    st = gorca_profile_merge(ps, NULL, 2, NULL, &m, &err);
    gorca_profile_free(m);
    m = NULL;
    if (st == GORCA_OK) {
        gorca_error_init(&err, NULL);
        st = gorca_profile_merge(ps, scales, 2, NULL, &m, &err);
        gorca_profile_free(m);
    }
    return st;
}

TEST(allocation_failures_in_views_encoder_merge)
{
    char dirs[16][64];
    int nd = fixture_dirs(dirs, 16);
    struct gorca_profile *p;

    if (nd == 0)
        TEST_SKIP("no fixtures");
    p = fixture_profile(dirs[nd - 1], "mutex");
    ASSERT_TRUE(p != NULL);
    if (fail_each("top", op_top, p) && fail_each("folded", op_folded, p) &&
        fail_each("flame", op_flame, p) && fail_each("encode", op_encode, p))
        fail_each("merge", op_merge, p);
    gorca_profile_free(p);
}

TEST(allocation_failures_in_builder)
{
    for (long n = 0; n < 2000; n++) {
        struct gorca_profile *p;

        base_fail_after(n);
        p = build();
        base_fail_after(-1);
        if (p != NULL) {
            gorca_profile_free(p);
            ASSERT_TRUE(n > 0);
            return;
        }
    }
    test_fail_msg(__FILE__, __LINE__, "builder never succeeded");
}

TEST_MAIN({
    RUN(folded_aggregates_sorts_and_sanitises);
    RUN(folded_filters);
    RUN(flame_orders_and_escapes);
    RUN(allocation_failures_in_views_encoder_merge);
    RUN(allocation_failures_in_builder);
})
