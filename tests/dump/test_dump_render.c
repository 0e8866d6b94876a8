/* Tests for src/dump/render.c: the JSON of every Go 1.26 fixture form parses (jansson) and
 * carries the model's numbers; the text view stays within 100 columns after its first line
 * and shows every group it does not announce as hidden; filters; diff JSON. */
#include <jansson.h>
#include "test.h"
#include "gorca/dump.h"

static const char *const files[] = {
    "debug2.txt",      "debug2-minutes.txt", "debug1.txt",         "goroutine.pb.gz",
    "crash-panic.txt", "crash-sigquit.txt",  "crash-overflow.txt", "crash-deadlock.txt",
    "ancestors.txt",   "synctest.txt",       "threadcreate1.txt",  "leak-debug1.txt",
};

static struct gorca_dump *load(const char *file)
{
    char path[1024];
    struct gorca_error err;
    struct gorca_dump *d = NULL;

    snprintf(path, sizeof(path), "%s/%s", test_repo_path("testdata/dump/go1.26"), file);
    if (!test_file_exists(path))
        return NULL;
    gorca_error_init(&err, path);
    if (gorca_dump_load(path, NULL, &d, &err) != GORCA_OK)
        test_fail_msg(__FILE__, __LINE__, "%s: %s", path, err.detail);
    return d;
}

TEST(json_matches_model)
{
    int n = 0;

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        struct gorca_dump *d = load(files[i]);
        struct gorca_buf out;
        json_error_t je;
        json_t *root, *groups, *classes;
        uint64_t sum = 0;

        if (d == NULL)
            continue;
        test_name_now = files[i];
        gorca_buf_init(&out, 0);
        gorca_dump_render_json(d, files[i], NULL, &out);
        root = json_loadb(out.data, out.len, 0, &je);
        if (root == NULL) {
            test_fail_msg(__FILE__, __LINE__, "%s: invalid JSON at line %d: %s", files[i], je.line,
                          je.text);
            gorca_buf_release(&out);
            gorca_dump_free(d);
            return;
        }
        ASSERT_STREQ(json_string_value(json_object_get(root, "path")), files[i]);
        ASSERT_EQ_U64(json_integer_value(json_object_get(root, "goroutines")), d->n_goroutines);
        groups = json_object_get(root, "groups");
        ASSERT_EQ_U64(json_array_size(groups), d->n_groups);
        for (size_t k = 0; k < json_array_size(groups); k++) {
            json_t *g = json_array_get(groups, k), *mem = json_object_get(g, "goroutines");

            sum += (uint64_t)json_integer_value(json_object_get(g, "count"));
            ASSERT_STREQ(json_string_value(json_object_get(g, "reason")), d->groups[k].reason);
            ASSERT_EQ_U64(json_array_size(json_object_get(g, "frames")),
                          d->groups[k].stack->n_frames);
            if (d->groups[k].members)
                ASSERT_EQ_U64(json_array_size(mem), d->groups[k].count);
            else
                ASSERT_TRUE(json_is_null(mem));
        }
        ASSERT_EQ_U64(sum, d->n_goroutines);
        classes = json_object_get(root, "classes");
        for (int c = 0; c < GORCA_WAIT_N_CLASSES; c++)
            ASSERT_EQ_U64(json_integer_value(json_object_get(classes, gorca_wait_class_name(c))),
                          d->class_totals[c]);
        ASSERT_TRUE(json_is_object(json_object_get(root, "crash")) ==
                    (d->format == GORCA_DUMP_CRASH));
        json_decref(root);
        gorca_buf_release(&out);
        gorca_dump_free(d);
        n++;
    }
    test_name_now = "json_matches_model";
    if (n == 0)
        TEST_SKIP("no Go 1.26 fixtures");
}

/* Group headers are "%7llu  <reason>...": a right-aligned count in 7 columns, two spaces. */
static int count_group_headers(const char *s)
{
    int n = 0;

    for (const char *p = s; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p), k = 0;

        while (k < 7 && k < len && p[k] == ' ')
            k++;
        if (k < 7 && len > 9 && p[6] >= '0' && p[6] <= '9' && p[7] == ' ' && p[8] == ' ' &&
            p[9] != ' ') {
            int digits = 1;

            for (size_t j = k; j < 7; j++)
                digits &= p[j] >= '0' && p[j] <= '9';
            n += digits;
        }
        p += len + (nl != NULL);
    }
    return n;
}

TEST(text_width_and_groups)
{
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        struct gorca_dump *d = load(files[i]);
        struct gorca_dump_view v;
        struct gorca_buf out;
        const char *p;
        int line = 0;

        if (d == NULL)
            continue;
        test_name_now = files[i];
        gorca_dump_view_init(&v);
        gorca_buf_init(&out, 0);
        gorca_dump_render_text(d, files[i], &v, &out);
        ASSERT_TRUE(out.data != NULL);
        for (p = out.data; *p; line++) {
            const char *nl = strchr(p, '\n');
            size_t len = nl ? (size_t)(nl - p) : strlen(p);

            if (line > 0 && len > 100)
                test_fail_msg(__FILE__, __LINE__, "%s: line %d has %zu columns: %.*s", files[i],
                              line + 1, len, (int)len, p);
            p += len + (nl != NULL);
        }
        ASSERT_EQ_INT(count_group_headers(out.data), (int)d->n_groups);
        gorca_buf_release(&out);
        gorca_dump_free(d);
    }
    test_name_now = "text_width_and_groups";
}

TEST(filters)
{
    struct gorca_dump *d = load("debug2.txt");
    struct gorca_dump_view v;
    struct gorca_buf out;
    json_t *root, *groups;

    if (d == NULL)
        TEST_SKIP("no Go 1.26 debug2.txt");
    gorca_dump_view_init(&v);
    v.wait_class = GORCA_WAIT_SYNC;
    v.min_count = 2;
    gorca_buf_init(&out, 0);
    gorca_dump_render_json(d, "x", &v, &out);
    root = json_loadb(out.data, out.len, 0, NULL);
    ASSERT_TRUE(root != NULL);
    groups = json_object_get(root, "groups");
    /* sync groups of 2+: Mutex 7, RWMutex.RLock 4, WaitGroup 3, Cond 2 */
    ASSERT_EQ_U64(json_array_size(groups), 4);
    for (size_t k = 0; k < json_array_size(groups); k++)
        ASSERT_STREQ(json_string_value(json_object_get(json_array_get(groups, k), "class")),
                     "sync");
    json_decref(root);
    gorca_buf_release(&out);
    gorca_dump_free(d);
}

TEST(diff_json)
{
    struct gorca_dump *a = load("debug1.txt"), *b = load("goroutine.pb.gz");
    struct gorca_dump_diff *diff = NULL;
    struct gorca_error err;
    struct gorca_buf out;
    json_t *root;

    if (a == NULL || b == NULL) {
        gorca_dump_free(a);
        gorca_dump_free(b);
        TEST_SKIP("no Go 1.26 debug1/proto fixtures");
    }
    gorca_error_init(&err, NULL);
    ASSERT_EQ_INT(gorca_dump_compare(a, b, &diff, &err), GORCA_OK);
    gorca_buf_init(&out, 0);
    gorca_dump_diff_render_json(diff, "a", "b", NULL, &out);
    root = json_loadb(out.data, out.len, 0, NULL);
    ASSERT_TRUE(root != NULL);
    ASSERT_EQ_U64(json_array_size(json_object_get(root, "groups")), diff->n_deltas);
    ASSERT_EQ_INT(json_integer_value(json_object_get(root, "delta")),
                  (int64_t)diff->new_total - (int64_t)diff->old_total);
    json_decref(root);
    gorca_buf_release(&out);
    gorca_dump_diff_free(diff);
    gorca_dump_free(a);
    gorca_dump_free(b);
}

TEST_MAIN({
    RUN(json_matches_model);
    RUN(text_width_and_groups);
    RUN(filters);
    RUN(diff_json);
})
