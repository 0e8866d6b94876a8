/* The report renderers and input handling: JSON that parses and follows gorca.analysis/1
 * (docs/analysis-schema.md), text that fits its width and has colour only when asked,
 * Markdown with the findings table; inputs of any name recognised by content, broken ones
 * listed with their error while the rest is analysed, a cut trace still used; and every
 * allocation failure turned into GORCA_E_NOMEM without a leak. */
#include <jansson.h>
#include <unistd.h>
#include "base/base.h"
#include "diag_test_util.h"
#include "gorca/report.h"

static char *render(const struct gorca_diagnosis *d, enum gorca_report_format fmt, int color,
                    int width, int verbose)
{
    struct gorca_report_options o;
    struct gorca_buf b;
    struct gorca_error err;

    gorca_report_options_init(&o);
    o.format = fmt;
    o.color = color;
    o.width = width;
    o.verbose = verbose;
    o.generator = "gorca test";
    gorca_buf_init(&b, 0);
    gorca_error_init(&err, NULL);
    if (gorca_report_render(d, &o, &b, &err) != GORCA_OK)
        return NULL;
    return gorca_buf_take(&b, NULL);
}

TEST(json_follows_the_schema)
{
    struct gorca_diagnosis *d = diag_run(NULL, "testdata/diagnosis/outbound-go1.26", NULL);
    char *s;
    json_t *root, *f, *x;
    json_error_t je;
    size_t i;

    ASSERT_TRUE(d != NULL);
    s = render(d, GORCA_REPORT_JSON, 0, 100, 0);
    ASSERT_TRUE(s != NULL);
    root = json_loads(s, 0, &je);
    free(s);
    ASSERT_TRUE(root != NULL);
    ASSERT_STREQ(json_string_value(json_object_get(root, "schema")), "gorca.analysis/1");
    ASSERT_TRUE(json_is_array(json_object_get(root, "inputs")));
    ASSERT_EQ_INT(json_array_size(json_object_get(root, "inputs")), d->n_inputs);
    f = json_object_get(root, "findings");
    ASSERT_EQ_INT(json_array_size(f), d->n_findings);
    x = json_array_get(f, 0);
    ASSERT_STREQ(json_string_value(json_object_get(x, "cause")), "netpoll_blocking");
    for (i = 0; i < json_array_size(f); i++) {
        static const char *const keys[] = {
            "cause",         "severity", "score",       "confidence", "latency_share",
            "attributed_ns", "title",    "explanation", "evidence",   "locations",
            "handlers",      "window",   "advice",      NULL
        };
        const char *const *k;
        json_t *y = json_array_get(f, i), *ev;
        for (k = keys; *k; k++)
            ASSERT_TRUE(json_object_get(y, *k) != NULL);
        ASSERT_TRUE(gorca_cause_from_id(json_string_value(json_object_get(y, "cause"))) >= 0);
        ev = json_array_get(json_object_get(y, "evidence"), 0);
        ASSERT_TRUE(json_is_string(json_object_get(ev, "source")) &&
                    json_is_string(json_object_get(ev, "metric")) &&
                    json_is_number(json_object_get(ev, "value")) &&
                    json_is_string(json_object_get(ev, "unit")));
    }
    x = json_object_get(root, "summary");
    ASSERT_EQ_INT(json_integer_value(json_object_get(x, "requests")), d->summary.requests);
    ASSERT_STREQ(json_string_value(json_object_get(x, "go_version")), "1.26");
    json_decref(root);
    gorca_diagnosis_free(d);
}

/* Visible columns of a line: ESC [ ... m sequences take none. */
static size_t columns(const char *p, const char *end)
{
    size_t n = 0;

    while (p < end) {
        if (*p == '\033') {
            while (p < end && *p != 'm')
                p++;
            p++;
            continue;
        }
        n++;
        p++;
    }
    return n;
}

static size_t widest(const char *s)
{
    size_t w = 0;

    while (*s) {
        const char *e = strchr(s, '\n');
        size_t c;
        if (e == NULL)
            e = s + strlen(s);
        c = columns(s, e);
        if (c > w)
            w = c;
        s = *e ? e + 1 : e;
    }
    return w;
}

TEST(text_fits_and_colours_only_when_asked)
{
    static const char *const fixtures[] = { "testdata/diagnosis/outbound-go1.26",
                                            "testdata/diagnosis/mutex-go1.26",
                                            "testdata/diagnosis/leak-go1.26",
                                            "testdata/diagnosis/panic-go1.22" };
    size_t i;

    for (i = 0; i < 4; i++) {
        struct gorca_diagnosis *d = diag_run(NULL, fixtures[i], NULL);
        char *plain, *colour, *narrow;

        ASSERT_TRUE(d != NULL);
        plain = render(d, GORCA_REPORT_TEXT, 0, 100, 1);
        colour = render(d, GORCA_REPORT_TEXT, 1, 100, 1);
        narrow = render(d, GORCA_REPORT_TEXT, 0, 80, 0);
        ASSERT_TRUE(plain && colour && narrow);
        if (widest(plain) > 100 || widest(colour) > 100 || widest(narrow) > 80) {
            test_fail_msg(__FILE__, __LINE__, "%s: widest lines %zu, %zu, %zu", fixtures[i],
                          widest(plain), widest(colour), widest(narrow));
            free(plain), free(colour), free(narrow);
            gorca_diagnosis_free(d);
            return;
        }
        ASSERT_TRUE(strchr(plain, '\033') == NULL && strstr(colour, "\033[") != NULL);
        /* The top finding comes first, with its evidence and fixes. */
        ASSERT_TRUE(strstr(plain, "#1 ") != NULL && strstr(plain, "Evidence") != NULL &&
                    strstr(plain, "Fix") != NULL);
        ASSERT_TRUE(strstr(plain, gorca_cause_id(d->findings[0].cause)) <
                    strstr(plain, "Evidence"));
        free(plain), free(colour), free(narrow);
        gorca_diagnosis_free(d);
    }
}

TEST(healthy_text_says_so)
{
    struct gorca_diagnosis *d = diag_run(NULL, "testdata/diagnosis/healthy-go1.26", NULL);
    char *s;

    ASSERT_TRUE(d != NULL);
    s = render(d, GORCA_REPORT_TEXT, 0, 100, 0);
    ASSERT_TRUE(s != NULL && strncmp(s, "gorca: no latency problem found", 31) == 0);
    free(s);
    s = render(d, GORCA_REPORT_MARKDOWN, 0, 100, 0);
    ASSERT_TRUE(s != NULL && strstr(s, "no problem found") != NULL);
    free(s);
    gorca_diagnosis_free(d);
}

TEST(markdown_for_tickets)
{
    struct gorca_diagnosis *d = diag_run(NULL, "testdata/diagnosis/dns,mutex-go1.26", NULL);
    char *s;

    ASSERT_TRUE(d != NULL);
    s = render(d, GORCA_REPORT_MARKDOWN, 0, 100, 0);
    ASSERT_TRUE(s != NULL);
    ASSERT_TRUE(strncmp(s, "## Latency diagnosis: `dns_resolution`", 38) == 0);
    ASSERT_TRUE(strstr(s, "| # | Severity | Cause | Share of latency | Finding |") != NULL);
    ASSERT_TRUE(strstr(s, "`mutex_contention`") != NULL);
    ASSERT_TRUE(strstr(s, "**Fix**") != NULL && strstr(s, "<details>") != NULL);
    /* Names with '*' in prose are escaped, or "(*T)...(*U)" would turn into emphasis. */
    ASSERT_TRUE(strstr(s, "main.(\\*priceCache).quote") != NULL);
    ASSERT_TRUE(strstr(s, "`main.(*priceCache).quote`") != NULL); /* code spans stay raw */
    ASSERT_TRUE(strstr(s, "\033") == NULL);
    free(s);
    gorca_diagnosis_free(d);
}

/* ---- inputs ------------------------------------------------------------------------------ */

static char tmpdir[64];

static const char *tmp_write(const char *name, const void *data, size_t len)
{
    static char path[256];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    f = fopen(path, "wb");
    if (f == NULL)
        return NULL;
    fwrite(data, 1, len, f);
    fclose(f);
    return path;
}

static int copy_file(const char *from_rel, const char *to_name)
{
    size_t len = 0;
    uint8_t *data = test_read_file(test_repo_path(from_rel), &len);
    const char *p;

    if (data == NULL)
        return -1;
    p = tmp_write(to_name, data, len);
    free(data);
    return p ? 0 : -1;
}

static const struct gorca_diag_input *input_named(const struct gorca_diagnosis *d,
                                                  const char *suffix)
{
    size_t i, m = strlen(suffix);

    for (i = 0; i < d->n_inputs; i++) {
        size_t n = strlen(d->inputs[i].path);
        if (n >= m && strcmp(d->inputs[i].path + n - m, suffix) == 0)
            return &d->inputs[i];
    }
    return NULL;
}

TEST(files_of_any_name_and_broken_ones)
{
    static const char legacy[] = "--- mutex:\ncycles/second=2000000000\nsampling period=1\n";
    static const char html[] = "<!DOCTYPE html><html><body>login</body></html>\n";
    static const char junk[] = "\x01\x02garbage that is nothing\xff\xfe";
    const char *paths[16];
    char bufs[16][256];
    struct gorca_diagnosis *d = NULL;
    struct gorca_error err;
    const struct gorca_diag_input *in;
    size_t n = 0, i;

    snprintf(tmpdir, sizeof(tmpdir), "/tmp/gorca-diag-test.XXXXXX");
    ASSERT_TRUE(mkdtemp(tmpdir) != NULL);
    /* A bundle's files under meaningless names: recognised by content. */
    ASSERT_EQ_INT(copy_file("testdata/diagnosis/sleep-go1.22/trace.out", "a.bin"), 0);
    ASSERT_EQ_INT(copy_file("testdata/diagnosis/sleep-go1.22/profile.pb.gz", "b.bin"), 0);
    ASSERT_EQ_INT(copy_file("testdata/diagnosis/sleep-go1.22/goroutine-debug1.txt", "c.bin"), 0);
    ASSERT_TRUE(tmp_write("legacy.txt", legacy, sizeof(legacy) - 1) != NULL);
    ASSERT_TRUE(tmp_write("page.html", html, sizeof(html) - 1) != NULL);
    ASSERT_TRUE(tmp_write("junk.bin", junk, sizeof(junk) - 1) != NULL);
    ASSERT_TRUE(tmp_write("empty", "", 0) != NULL);
    for (i = 0; i < 7; i++) {
        static const char *const names[] = { "a.bin",     "b.bin",    "c.bin", "legacy.txt",
                                             "page.html", "junk.bin", "empty" };
        snprintf(bufs[n], sizeof(bufs[n]), "%s/%s", tmpdir, names[i]);
        paths[n] = bufs[n];
        n++;
    }
    gorca_error_init(&err, NULL);
    ASSERT_EQ_INT(gorca_diagnosis_run(paths, n, NULL, &d, &err), GORCA_OK);
    ASSERT_EQ_INT(d->n_inputs, 7);
    ASSERT_EQ_INT(d->n_used, 3);
    in = input_named(d, "a.bin");
    ASSERT_TRUE(in && in->status == GORCA_DIAG_INPUT_USED && strcmp(in->kind, "trace") == 0);
    in = input_named(d, "b.bin");
    ASSERT_TRUE(in && in->status == GORCA_DIAG_INPUT_USED && strcmp(in->kind, "cpu") == 0);
    in = input_named(d, "c.bin");
    ASSERT_TRUE(in && in->status == GORCA_DIAG_INPUT_USED);
    for (i = 3; i < 7; i++) {
        in = &d->inputs[i];
        if (in->status != GORCA_DIAG_INPUT_FAILED || in->error == NULL || in->code == GORCA_OK) {
            test_fail_msg(__FILE__, __LINE__, "%s: status %d error %s", in->path, in->status,
                          in->error ? in->error : "(none)");
            gorca_diagnosis_free(d);
            return;
        }
    }
    ASSERT_TRUE(strstr(input_named(d, "legacy.txt")->error, "debug=0") != NULL);
    /* The rest is still analysed: the sleep capture's cause is found. */
    ASSERT_TRUE(d->n_findings > 0);
    ASSERT_STREQ(gorca_cause_id(d->findings[0].cause), "handler_blocking");
    gorca_diagnosis_free(d);

    /* Nothing usable: still a result, with every input's error. */
    paths[0] = bufs[4];
    gorca_error_init(&err, NULL);
    ASSERT_EQ_INT(gorca_diagnosis_run(paths, 1, NULL, &d, &err), GORCA_OK);
    ASSERT_EQ_INT(d->n_used, 0);
    ASSERT_EQ_INT(d->n_findings, 0);
    gorca_diagnosis_free(d);

    /* A path that does not exist is an input that failed, like any other. */
    paths[0] = "/nonexistent/gorca/bundle";
    gorca_error_init(&err, NULL);
    ASSERT_EQ_INT(gorca_diagnosis_run(paths, 1, NULL, &d, &err), GORCA_OK);
    ASSERT_TRUE(d->n_used == 0 && d->inputs[0].status == GORCA_DIAG_INPUT_FAILED &&
                d->inputs[0].code == GORCA_E_IO);
    gorca_diagnosis_free(d);
    for (i = 0; i < 7; i++)
        unlink(bufs[i]);
    rmdir(tmpdir);
}

TEST(cut_trace_is_still_used)
{
    size_t len = 0;
    uint8_t *data =
        test_read_file(test_repo_path("testdata/diagnosis/leak-go1.26/trace.out"), &len);
    const char *path;
    struct gorca_diagnosis *d = NULL;
    struct gorca_error err;

    ASSERT_TRUE(data != NULL);
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/gorca-diag-test.XXXXXX");
    ASSERT_TRUE(mkdtemp(tmpdir) != NULL);
    path = tmp_write("cut.trace", data, len * 3 / 4); /* inside its last generation */
    free(data);
    ASSERT_TRUE(path != NULL);
    gorca_error_init(&err, NULL);
    ASSERT_EQ_INT(gorca_diagnosis_run(&path, 1, NULL, &d, &err), GORCA_OK);
    ASSERT_EQ_INT(d->n_used, 1);
    ASSERT_TRUE(d->inputs[0].code == GORCA_E_TRUNCATED && d->inputs[0].error != NULL);
    ASSERT_TRUE(d->summary.has_trace && d->summary.requests > 0);
    ASSERT_TRUE(d->n_notes > 0);
    gorca_diagnosis_free(d);
    unlink(path);
    rmdir(tmpdir);
}

/* ---- allocation failures ----------------------------------------------------------------- */

TEST(every_allocation_failure_is_clean)
{
    const char *path = test_repo_path("testdata/diagnosis/panic-go1.22/goroutine-debug2.txt");
    char p[512];
    long n, failures = 0, successes = 0;

    snprintf(p, sizeof(p), "%s", path);
    for (n = 0; n < 100000; n++) {
        const char *paths[1] = { p };
        struct gorca_diagnosis *d = NULL;
        struct gorca_error err;
        enum gorca_status st;
        struct gorca_buf b;

        gorca_error_init(&err, NULL);
        base_fail_after(n);
        st = gorca_diagnosis_run(paths, 1, NULL, &d, &err);
        if (st == GORCA_OK) {
            struct gorca_report_options o;
            gorca_report_options_init(&o);
            gorca_buf_init(&b, 0);
            o.format = GORCA_REPORT_JSON;
            if (gorca_report_render(d, &o, &b, &err) != GORCA_OK)
                ASSERT_EQ_INT(err.code, GORCA_E_NOMEM);
            gorca_buf_release(&b);
        }
        base_fail_after(-1);
        if (st == GORCA_OK && d != NULL) {
            gorca_diagnosis_free(d);
            successes++;
            break; /* past the last allocation: every earlier one was failed in turn */
        }
        if (st != GORCA_OK) {
            ASSERT_TRUE(d == NULL);
            ASSERT_TRUE(st == GORCA_E_NOMEM || st == GORCA_E_IO);
            failures++;
        }
    }
    ASSERT_TRUE(successes == 1 && failures > 10);
}

TEST_MAIN({
    RUN(json_follows_the_schema);
    RUN(text_fits_and_colours_only_when_asked);
    RUN(healthy_text_says_so);
    RUN(markdown_for_tickets);
    RUN(files_of_any_name_and_broken_ones);
    RUN(cut_trace_is_still_used);
    RUN(every_allocation_failure_is_clean);
})
