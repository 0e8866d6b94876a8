/* Tests for src/pprof/top.c and src/pprof/select.c on a profile built to show pprof's rules
 * (pprof-formats.md §5.2-§5.4, §5.9): recursion counted once in cum, inline and partial-inline
 * marks from incoming edges, edges rebuilt across dropped nodes, hide/show/focus/ignore,
 * -mean, nameless frames, and the JSON form. The fixtures' golden test (golden_top.sh) checks
 * the same code against go tool pprof itself. */
#include <jansson.h>
#include "test.h"
#include "gorca/profile.h"

/* Functions and locations (innermost line first):
 *   L1 = [inl, a]   (inl inlined into a)     L2 = [b]     L3 = [main]
 *   L4 = [a]        L5 = [b]                 L6 = [c, b]  (c inlined into b)
 *   L7 = [c]        L8 = no lines in /bin/app             L9 = [nameless function]
 * Samples (leaf first), values {count, ns}:
 *   S1 L1 L3 {10,100}   S2 L2 L4 L3 {5,50}   S3 L2 L5 L3 {3,30} (b calls b)
 *   S4 L4 L3 {2,20}     S5 L6 L5 L3 {1,10}   S6 L7 L3 {1,5}
 *   S7 L8 L3 {0,0}      S8 L9 {0,0}          (zero samples: never counted) */
static struct gorca_profile *build(void)
{
    static const char *types[] = { "samples", "cpu" }, *units[] = { "count", "nanoseconds" };
    struct gorca_profile_builder *b = gorca_profile_builder_new(types, units, 2, NULL);
    uint64_t m, inl, a, fb, mn, c, nameless, l[10];
    int64_t ln[2] = { 10, 20 };
    static const int64_t vals[8][2] = { { 10, 100 }, { 5, 50 }, { 3, 30 }, { 2, 20 },
                                        { 1, 10 },   { 1, 5 },  { 0, 0 },  { 0, 0 } };
    struct gorca_profile *p = NULL;
    struct gorca_error err;

    gorca_profile_builder_set_period(b, "cpu", "nanoseconds", 10);
    m = gorca_profile_builder_mapping(b, 0x1000, 0x9000, 0, "/bin/app", "", 1);
    inl = gorca_profile_builder_function(b, "main.inl", NULL, "main.go", 1);
    a = gorca_profile_builder_function(b, "main.a", NULL, "main.go", 5);
    fb = gorca_profile_builder_function(b, "main.b", NULL, "b.go", 9);
    mn = gorca_profile_builder_function(b, "main.main", NULL, "main.go", 20);
    c = gorca_profile_builder_function(b, "main.c", NULL, "c.go", 30);
    nameless = gorca_profile_builder_function(b, "", NULL, "", 0);
    {
        uint64_t f1[2] = { inl, a }, f6[2] = { c, fb };

        l[1] = gorca_profile_builder_location(b, m, 0x1100, f1, ln, 2);
        l[2] = gorca_profile_builder_location(b, m, 0x1200, &fb, ln, 1);
        l[3] = gorca_profile_builder_location(b, m, 0x1300, &mn, ln, 1);
        l[4] = gorca_profile_builder_location(b, m, 0x1400, &a, ln, 1);
        l[5] = gorca_profile_builder_location(b, m, 0x1500, &fb, ln, 1);
        l[6] = gorca_profile_builder_location(b, m, 0x1600, f6, ln, 2);
        l[7] = gorca_profile_builder_location(b, m, 0x1700, &c, ln, 1);
        l[8] = gorca_profile_builder_location(b, m, 0x1800, NULL, NULL, 0);
        l[9] = gorca_profile_builder_location(b, 0, 0x1900, &nameless, ln, 1);
    }
    {
        const uint64_t st[8][4] = { { l[1], l[3] },       { l[2], l[4], l[3] },
                                    { l[2], l[5], l[3] }, { l[4], l[3] },
                                    { l[6], l[5], l[3] }, { l[7], l[3] },
                                    { l[8], l[3] },       { l[9] } };
        const size_t n[8] = { 2, 3, 3, 2, 3, 2, 2, 1 };
        const char *keys[1] = { "worker" }, *strs[1] = { "w1" };

        for (int i = 0; i < 8; i++)
            gorca_profile_builder_sample(b, st[i], n[i], vals[i], keys, strs, NULL, i == 0);
    }
    gorca_error_init(&err, NULL);
    if (gorca_profile_builder_finish(b, &p, &err) != GORCA_OK)
        return NULL;
    return p;
}

struct want_row {
    const char *name;
    int64_t flat, cum;
    enum gorca_inline_mark mark;
};

static int check_rows(const struct gorca_top *t, const struct want_row *w, size_t n)
{
    if (t->n_rows != n) {
        test_fail_msg(__FILE__, __LINE__, "%zu rows, want %zu", t->n_rows, n);
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        const struct gorca_top_row *r = &t->rows[i];

        if (strcmp(r->name, w[i].name) != 0 || r->flat != w[i].flat || r->cum != w[i].cum ||
            r->inline_mark != w[i].mark) {
            test_fail_msg(__FILE__, __LINE__,
                          "row %zu: got %s flat %lld cum %lld mark %d, want %s %lld %lld %d", i,
                          r->name, (long long)r->flat, (long long)r->cum, r->inline_mark, w[i].name,
                          (long long)w[i].flat, (long long)w[i].cum, w[i].mark);
            return 0;
        }
    }
    return 1;
}

static struct gorca_top *run(const struct gorca_profile *p, const struct gorca_top_options *o)
{
    struct gorca_top *t = NULL;
    struct gorca_error err;

    gorca_error_init(&err, NULL);
    if (gorca_profile_top(p, o, &t, &err) != GORCA_OK)
        test_fail_msg(__FILE__, __LINE__, "top failed: %s", err.detail);
    return t;
}

TEST(flat_cum_and_inline_marks)
{
    struct gorca_profile *p = build();
    struct gorca_top *t;
    const struct want_row w[] = {
        { "main.inl", 100, 100, GORCA_INLINE_FULL },
        { "main.b", 80, 90, GORCA_INLINE_NONE }, /* b->b recursion counted once */
        { "main.a", 20, 170, GORCA_INLINE_NONE },
        { "main.c", 15, 15, GORCA_INLINE_PARTIAL }, /* inlined into b, called by main */
        { "main.main", 0, 215, GORCA_INLINE_NONE },
    };

    ASSERT_TRUE(p != NULL);
    t = run(p, NULL);
    ASSERT_TRUE(t != NULL);
    ASSERT_EQ_INT(t->total, 215);
    ASSERT_EQ_INT(t->shown, 215);
    ASSERT_STREQ(t->sample_type, "cpu");
    ASSERT_STREQ(t->output_unit, "ns");
    if (check_rows(t, w, 5)) {
        struct gorca_buf b;

        gorca_buf_init(&b, 0);
        gorca_top_render_text(t, &b);
        ASSERT_TRUE(strstr(b.data, "File: app\nType: cpu\nShowing nodes accounting for 215ns, "
                                   "100% of 215ns total\n") == b.data);
        ASSERT_TRUE(strstr(b.data, "     100ns 46.51% 46.51%      100ns 46.51%  main.inl "
                                   "(inline)\n") != NULL);
        ASSERT_TRUE(strstr(b.data, "      15ns  6.98%   100%       15ns  6.98%  main.c "
                                   "(partial-inline)\n") != NULL);
        gorca_buf_release(&b);
    }
    gorca_top_free(t);
    gorca_profile_free(p);
}

TEST(cum_sort)
{
    struct gorca_profile *p = build();
    struct gorca_top_options o;
    struct gorca_top *t;
    const struct want_row w[] = {
        { "main.main", 0, 215, 0 }, { "main.a", 20, 170, 0 }, { "main.inl", 100, 100, 1 },
        { "main.b", 80, 90, 0 },    { "main.c", 15, 15, 2 },
    };

    gorca_top_options_init(&o);
    o.cum = 1;
    t = run(p, &o);
    ASSERT_TRUE(t != NULL);
    check_rows(t, w, 5);
    gorca_top_free(t);
    gorca_profile_free(p);
}

/* Cutting to two rows rebuilds the edges among the survivors only: main.inl loses its inline
 * caller (main.a is gone), so pprof prints it without "(inline)". */
TEST(nodecount_rebuilds_edges)
{
    struct gorca_profile *p = build();
    struct gorca_top_options o;
    struct gorca_top *t;
    const struct want_row w[] = { { "main.inl", 100, 100, 0 }, { "main.b", 80, 90, 0 } };
    struct gorca_buf b;

    gorca_top_options_init(&o);
    o.nodecount = 2;
    t = run(p, &o);
    ASSERT_TRUE(t != NULL);
    check_rows(t, w, 2);
    gorca_buf_init(&b, 0);
    gorca_top_render_text(t, &b);
    ASSERT_TRUE(strstr(b.data, "Showing nodes accounting for 180ns, 83.72% of 215ns total\n"
                               "Showing top 2 nodes out of 5\n") != NULL);
    gorca_buf_release(&b);
    gorca_top_free(t);
    gorca_profile_free(p);
}

/* Nodes under node_fraction of the shown flat sum are dropped and counted. */
TEST(node_fraction_drops)
{
    struct gorca_profile *p = build();
    struct gorca_top_options o;
    struct gorca_top *t;
    struct gorca_buf b;

    gorca_top_options_init(&o);
    o.node_fraction = 0.1; /* cut: |cum| < 21 */
    t = run(p, &o);
    ASSERT_TRUE(t != NULL);
    ASSERT_EQ_INT(t->n_rows, 4);
    ASSERT_EQ_INT(t->dropped_nodes, 1);
    gorca_buf_init(&b, 0);
    gorca_top_render_text(t, &b);
    ASSERT_TRUE(strstr(b.data, "Dropped 1 node (cum <= 21ns)\n") != NULL);
    gorca_buf_release(&b);
    gorca_top_free(t);
    gorca_profile_free(p);
}

/* hide removes main.a's lines: L1 keeps only main.inl (now a direct callee of main), L4
 * disappears, so S4's leaf becomes main.main. */
TEST(hide_removes_lines)
{
    struct gorca_profile *p = build();
    struct gorca_top_options o;
    struct gorca_top *t;
    const struct want_row w[] = {
        { "main.inl", 100, 100, 0 },
        { "main.b", 80, 90, 0 },
        { "main.main", 20, 215, 0 },
        { "main.c", 15, 15, 2 },
    };

    gorca_top_options_init(&o);
    o.view.hide = "main\\.a$";
    t = run(p, &o);
    ASSERT_TRUE(t != NULL);
    check_rows(t, w, 4);
    gorca_top_free(t);
    gorca_profile_free(p);
}

TEST(focus_ignore_show)
{
    struct gorca_profile *p = build();
    struct gorca_top_options o;
    struct gorca_top *t;
    const struct want_row focus[] = { { "main.c", 15, 15, 2 },
                                      { "main.b", 0, 10, 0 },
                                      { "main.main", 0, 15, 0 } };
    const struct want_row ignore[] = { { "main.inl", 100, 100, 1 },
                                       { "main.a", 20, 120, 0 },
                                       { "main.c", 5, 5, 0 },
                                       { "main.main", 0, 125, 0 } };
    /* show keeps main.a/main.b lines: S5's leaf becomes main.b, S1's main.a; S6 (only c and
     * main) loses every frame and goes. */
    const struct want_row show[] = { { "main.a", 120, 170, 0 }, { "main.b", 90, 90, 0 } };

    gorca_top_options_init(&o);
    o.view.focus = "c\\.go"; /* file names match too */
    t = run(p, &o);
    ASSERT_TRUE(t != NULL);
    ASSERT_EQ_INT(t->total, 215); /* the total is taken before filtering */
    check_rows(t, focus, 3);
    gorca_top_free(t);
    gorca_top_options_init(&o);
    o.view.ignore = "main\\.b";
    t = run(p, &o);
    ASSERT_TRUE(t != NULL);
    check_rows(t, ignore, 4);
    gorca_top_free(t);
    gorca_top_options_init(&o);
    o.view.show = "main\\.[ab]$";
    t = run(p, &o);
    ASSERT_TRUE(t != NULL);
    check_rows(t, show, 2);
    gorca_top_free(t);
    /* focus and ignore on the same frame: ignore wins */
    gorca_top_options_init(&o);
    o.view.focus = "main\\.c";
    o.view.ignore = "main\\.c";
    t = run(p, &o);
    ASSERT_TRUE(t != NULL);
    ASSERT_EQ_INT(t->n_rows, 0);
    gorca_top_free(t);
    gorca_profile_free(p);
}

TEST(mean_divides_by_column_zero)
{
    struct gorca_profile *p = build();
    struct gorca_top_options o;
    struct gorca_top *t;

    gorca_top_options_init(&o);
    o.view.mean = 1;
    t = run(p, &o);
    ASSERT_TRUE(t != NULL);
    ASSERT_STREQ(t->sample_type, "mean_cpu");
    ASSERT_EQ_INT(t->total, 215 / 22);
    /* main.inl: 100ns over 10 samples */
    ASSERT_STREQ(t->rows[0].name, "main.inl");
    ASSERT_EQ_INT(t->rows[0].flat, 10);
    gorca_top_free(t);
    gorca_profile_free(p);
}

TEST(errors_are_arguments)
{
    struct gorca_profile *p = build();
    struct gorca_top_options o;
    struct gorca_top *t = NULL;
    struct gorca_error err;

    gorca_top_options_init(&o);
    o.view.focus = "main(";
    gorca_error_init(&err, NULL);
    ASSERT_EQ_INT(gorca_profile_top(p, &o, &t, &err), GORCA_E_ARG);
    ASSERT_TRUE(strstr(err.detail, "invalid focus regex 'main('") != NULL);
    ASSERT_TRUE(t == NULL);
    gorca_top_options_init(&o);
    o.view.sample_index = "alloc_space";
    gorca_error_init(&err, NULL);
    ASSERT_EQ_INT(gorca_profile_top(p, &o, &t, &err), GORCA_E_ARG);
    ASSERT_TRUE(strstr(err.detail, "must be one of: samples, cpu") != NULL);
    gorca_profile_free(p);
}

TEST(json_has_raw_values)
{
    struct gorca_profile *p = build();
    struct gorca_top *t = run(p, NULL);
    struct gorca_buf b;
    json_t *root, *rows;
    json_error_t je;

    ASSERT_TRUE(t != NULL);
    gorca_buf_init(&b, 0);
    gorca_top_render_json(t, &b);
    root = json_loads(b.data, 0, &je);
    gorca_buf_release(&b);
    ASSERT_TRUE(root != NULL);
    ASSERT_EQ_INT(json_integer_value(json_object_get(root, "total")), 215);
    ASSERT_STREQ(json_string_value(json_object_get(root, "unit")), "nanoseconds");
    rows = json_object_get(root, "rows");
    ASSERT_EQ_INT(json_array_size(rows), 5);
    ASSERT_STREQ(json_string_value(json_object_get(json_array_get(rows, 0), "inline")), "inline");
    ASSERT_EQ_INT(json_integer_value(json_object_get(json_array_get(rows, 4), "cum")), 215);
    ASSERT_TRUE(json_is_null(json_object_get(json_array_get(rows, 1), "inline")));
    json_decref(root);
    gorca_top_free(t);
    gorca_profile_free(p);
}

/* Frames without a function name or without lines get pprof's printable names. */
TEST(nameless_frames)
{
    static const char *types[] = { "n" }, *units[] = { "count" };
    struct gorca_profile_builder *b = gorca_profile_builder_new(types, units, 1, NULL);
    struct gorca_profile *p = NULL;
    struct gorca_top *t;
    struct gorca_error err;
    uint64_t m, f, l1, l2, l3;
    int64_t ln = 1, v1 = 3, v2 = 2, v3 = 1;

    m = gorca_profile_builder_mapping(b, 0x1000, 0x2000, 0, "/usr/lib/libfoo.so.1", "", 0);
    f = gorca_profile_builder_function(b, "", NULL, "", 0);
    l1 = gorca_profile_builder_location(b, m, 0x1100, NULL, NULL, 0);
    l2 = gorca_profile_builder_location(b, 0, 0x1200, &f, &ln, 1);
    l3 = gorca_profile_builder_location(b, m, 0x1300, &f, &ln, 1);
    gorca_profile_builder_sample(b, &l1, 1, &v1, NULL, NULL, NULL, 0);
    gorca_profile_builder_sample(b, &l2, 1, &v2, NULL, NULL, NULL, 0);
    gorca_profile_builder_sample(b, &l3, 1, &v3, NULL, NULL, NULL, 0);
    gorca_error_init(&err, NULL);
    ASSERT_EQ_INT(gorca_profile_builder_finish(b, &p, &err), GORCA_OK);
    t = run(p, NULL);
    ASSERT_TRUE(t != NULL);
    /* l1 and l3 are the same node: same mapping file, start line 0 */
    ASSERT_EQ_INT(t->n_rows, 2);
    ASSERT_STREQ(t->rows[0].name, "[libfoo.so.1]");
    ASSERT_EQ_INT(t->rows[0].flat, 4);
    ASSERT_STREQ(t->rows[1].name, "<unknown>");
    gorca_top_free(t);
    gorca_profile_free(p);
}

TEST_MAIN({
    RUN(flat_cum_and_inline_marks);
    RUN(cum_sort);
    RUN(nodecount_rebuilds_edges);
    RUN(node_fraction_drops);
    RUN(hide_removes_lines);
    RUN(focus_ignore_show);
    RUN(mean_divides_by_column_zero);
    RUN(errors_are_arguments);
    RUN(json_has_raw_values);
    RUN(nameless_frames);
})
