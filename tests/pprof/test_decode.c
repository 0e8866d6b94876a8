/* Tests for src/pprof/decode.c: a hand-built profile exercising every field and both repeated
 * encodings, a table of malformed inputs with their located errors, every fixture against the
 * -raw text of its own Go version's pprof, and allocation-failure injection. */
#include "pprof_handbuilt.h"
#include "base/base.h"
#include "pprof/pprof_int.h"

static struct gorca_profile *parse_pbw(const struct pbw *w, struct gorca_error *err)
{
    struct gorca_profile *p = NULL;

    gorca_error_init(err, "t.pb");
    if (gorca_profile_parse(w->b, w->n, NULL, &p, err) != GORCA_OK)
        return NULL;
    return p;
}

TEST(every_field)
{
    struct knobs k = { 0 };
    struct pbw w;
    struct gorca_error err;
    struct gorca_profile *p;
    const struct gorca_sample *s;

    build(&w, &k);
    p = parse_pbw(&w, &err);
    ASSERT_TRUE(p != NULL);
    ASSERT_EQ_INT(p->n_sample_types, 2);
    ASSERT_TRUE(gorca_strv_eq(p->sample_types[1].type, "cpu"));
    ASSERT_TRUE(gorca_strv_eq(p->sample_types[1].unit, "nanoseconds"));
    ASSERT_EQ_INT(p->n_samples, 2);
    s = &p->samples[0];
    ASSERT_EQ_INT(s->n_locs, 2);
    ASSERT_EQ_U64(gorca_sample_location(p, s, 0)->id, 1);
    ASSERT_EQ_U64(gorca_sample_location(p, s, 1)->id, 2);
    ASSERT_EQ_INT(s->values[0], 1);
    ASSERT_EQ_INT(s->values[1], 10);
    ASSERT_EQ_INT(s->n_labels, 1);
    ASSERT_TRUE(gorca_strv_eq(s->labels[0].key, "key"));
    ASSERT_TRUE(gorca_strv_eq(s->labels[0].str, "val"));
    s = &p->samples[1];
    ASSERT_EQ_INT(s->n_locs, 3);
    ASSERT_EQ_U64(gorca_sample_location(p, s, 0)->id, 2);
    ASSERT_EQ_U64(gorca_sample_location(p, s, 2)->id, 2);
    ASSERT_EQ_INT(s->values[1], -20);
    ASSERT_EQ_INT(s->labels[0].num, 4096);
    ASSERT_TRUE(gorca_strv_eq(s->labels[0].num_unit, "bytes"));
    ASSERT_EQ_INT(p->n_locations, 2);
    ASSERT_EQ_INT(p->locations[0].n_lines, 2);
    ASSERT_TRUE(gorca_strv_eq(p->locations[0].lines[0].function->name, "main.f"));
    ASSERT_EQ_INT(p->locations[0].lines[0].column, 5);
    ASSERT_TRUE(gorca_strv_eq(p->locations[0].lines[1].function->system_name, "main.g_sys"));
    ASSERT_TRUE(p->locations[0].mapping == &p->mappings[0]);
    ASSERT_TRUE(p->locations[1].mapping == NULL);
    ASSERT_EQ_INT(p->locations[1].is_folded, 1);
    ASSERT_EQ_INT(p->functions[1].start_line, 18);
    ASSERT_TRUE(gorca_strv_eq(p->mappings[0].build_id, "abc123"));
    ASSERT_EQ_INT(p->mappings[0].has_functions, 1);
    ASSERT_EQ_INT(p->mappings[0].has_inline_frames, 1);
    ASSERT_EQ_INT(p->mappings[0].has_filenames, 0);
    ASSERT_EQ_U64(p->mappings[0].memory_limit, 0x9000);
    ASSERT_EQ_INT(p->time_nanos, 1700000000123456789LL);
    ASSERT_EQ_INT(p->duration_nanos, 2500000000LL);
    ASSERT_EQ_INT(p->period, 10000000);
    ASSERT_TRUE(gorca_strv_eq(p->period_type.type, "cpu"));
    ASSERT_EQ_INT(p->n_comments, 3);
    ASSERT_TRUE(gorca_strv_eq(p->comments[0], "val"));
    ASSERT_TRUE(gorca_strv_eq(p->comments[1], "key"));
    ASSERT_TRUE(gorca_strv_eq(p->default_sample_type, "cpu"));
    ASSERT_TRUE(gorca_strv_eq(p->doc_url, "https://example.com/doc"));
    ASSERT_TRUE(gorca_strv_eq(p->drop_frames, "main.f"));
    ASSERT_TRUE(gorca_strv_eq(p->keep_frames, ""));
    gorca_profile_free(p);
}

TEST(malformed_table)
{
    static const struct {
        const char *name;
        struct knobs k;
        enum gorca_status st;
        const char *where, *detail;
    } cases[] = {
        { "unknown fields skipped", { .unknown_fields = 1 }, GORCA_OK, "", "" },
        { "string_table[0] not empty",
          { .first_string = 1 },
          GORCA_E_MALFORMED,
          "string_table",
          "string_table[0] must be ''" },
        { "no string table",
          { .no_strings = 1 },
          GORCA_E_MALFORMED,
          "string_table",
          "missing string table" },
        { "string index out of range",
          { .bad_str = 1 },
          GORCA_E_MALFORMED,
          "function 0 > name",
          "string index 99 out of range" },
        { "function id 0", { .fn_id0 = 1 }, GORCA_E_MALFORMED, "function 0 > id", "reserved" },
        { "duplicate location id",
          { .dup_loc = 1 },
          GORCA_E_MALFORMED,
          "location 2 > id",
          "location id 2 is used twice" },
        { "missing location",
          { .missing_loc = 1 },
          GORCA_E_MALFORMED,
          "sample 0 > location_id",
          "location id 9 does not exist" },
        { "line without function",
          { .line_fid0 = 1 },
          GORCA_E_MALFORMED,
          "location 0 > line 0 > function_id",
          "function_id 0" },
        { "value count",
          { .extra_value = 1 },
          GORCA_E_MALFORMED,
          "sample 0 > value",
          "3 values, expected 2" },
        { "wire type mismatch",
          { .wrong_wt = 1 },
          GORCA_E_MALFORMED,
          "time_nanos",
          "expected wire type 0" },
        { "group", { .group = 1 }, GORCA_E_MALFORMED, "", "unknown wire type 3" },
        { "concatenated", { .concat = 1 }, GORCA_E_UNSUPPORTED, "time_nanos", "concatenated" },
        { "missing mapping",
          { .missing_map = 1 },
          GORCA_E_MALFORMED,
          "location 0 > mapping_id",
          "mapping id 7 does not exist" },
        { "field number 0", { .field0 = 1 }, GORCA_E_MALFORMED, "", "invalid field number 0" },
        { "samples without types",
          { .no_types = 1 },
          GORCA_E_MALFORMED,
          "sample 0",
          "no sample_type" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct pbw w;
        struct gorca_error err;
        struct gorca_profile *p;

        build(&w, &cases[i].k);
        p = parse_pbw(&w, &err);
        gorca_profile_free(p);
        if (err.code != cases[i].st || strcmp(err.where, cases[i].where) != 0 ||
            strstr(err.detail, cases[i].detail) == NULL) {
            test_fail_msg(__FILE__, __LINE__, "%s: got %s where '%s' detail '%s'", cases[i].name,
                          gorca_status_name(err.code), err.where, err.detail);
            return;
        }
        if (err.code != GORCA_OK && (!err.has_offset || err.offset > w.n)) {
            test_fail_msg(__FILE__, __LINE__, "%s: offset %llu outside the input", cases[i].name,
                          (unsigned long long)err.offset);
            return;
        }
    }
}

TEST(error_offsets_point_at_the_cause)
{
    struct knobs k = { .missing_loc = 1 };
    struct pbw w;
    struct gorca_error err;
    char msg[512];

    build(&w, &k);
    ASSERT_TRUE(parse_pbw(&w, &err) == NULL);
    /* The first sample starts at byte 2 (key + length); its second location_id is byte 5. */
    ASSERT_EQ_U64(err.offset, 6);
    gorca_error_format(&err, msg, sizeof(msg));
    ASSERT_STREQ(msg, "'t.pb': offset 6 (sample 0 > location_id): location id 9 does not exist");
}

TEST(inputs_that_are_not_profiles)
{
    static const struct {
        const char *text;
        enum gorca_status st;
        const char *detail;
    } cases[] = {
        { "", GORCA_E_MALFORMED, "empty profile" },
        { "goroutine profile: total 3\n", GORCA_E_UNSUPPORTED, "goroutine dump (debug=1)" },
        { "goroutine 1 [running]:\n", GORCA_E_UNSUPPORTED, "goroutine dump (debug=2)" },
        { "go 1.23 trace\0\0\0", GORCA_E_UNSUPPORTED, "execution trace" },
        { "heap profile: 1: 2 [3: 4] @ heap/1048576\n", GORCA_E_UNSUPPORTED, "text heap" },
        { "\x1f\x8b\x08", GORCA_E_TRUNCATED, "gzip" },
        { "\x0a\x05\x08", GORCA_E_TRUNCATED, "expected 5 bytes" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct gorca_error err;
        struct gorca_profile *p = NULL;
        size_t n = strlen(cases[i].text);

        if (strncmp(cases[i].text, "go 1.", 5) == 0)
            n = 16;
        gorca_error_init(&err, "x");
        if (gorca_profile_parse((const uint8_t *)cases[i].text, n, NULL, &p, &err) == GORCA_OK)
            err.code = GORCA_OK;
        if (p != NULL || err.code != cases[i].st || strstr(err.detail, cases[i].detail) == NULL) {
            test_fail_msg(__FILE__, __LINE__, "case %zu: %s '%s'", i, gorca_status_name(err.code),
                          err.detail);
            gorca_profile_free(p);
            return;
        }
    }
}

TEST(limits_are_enforced)
{
    struct knobs k = { 0 };
    struct pbw w;
    struct gorca_error err;
    struct gorca_profile *p = NULL;
    struct gorca_limits lim = { 0 };

    build(&w, &k);
    lim.samples = 1;
    gorca_error_init(&err, "t");
    ASSERT_EQ_INT(gorca_profile_parse(w.b, w.n, &lim, &p, &err), GORCA_E_LIMIT);
    ASSERT_TRUE(strstr(err.detail, "sample limit") != NULL);
    lim.samples = 0;
    lim.stack_depth = 2;
    gorca_error_init(&err, "t");
    ASSERT_EQ_INT(gorca_profile_parse(w.b, w.n, &lim, &p, &err), GORCA_E_LIMIT);
    ASSERT_STREQ(err.where, "sample 1 > location_id");
    lim.stack_depth = 0;
    lim.string_bytes = 10;
    gorca_error_init(&err, "t");
    ASSERT_EQ_INT(gorca_profile_parse(w.b, w.n, &lim, &p, &err), GORCA_E_LIMIT);
    lim.string_bytes = 0;
    lim.input_bytes = 100;
    gorca_error_init(&err, "t");
    ASSERT_EQ_INT(gorca_profile_parse(w.b, w.n, &lim, &p, &err), GORCA_E_LIMIT);
    lim.input_bytes = 0;
    lim.arena_bytes = 1000;
    gorca_error_init(&err, "t");
    ASSERT_EQ_INT(gorca_profile_parse(w.b, w.n, &lim, &p, &err), GORCA_E_NOMEM);
    ASSERT_TRUE(p == NULL);
}

/* Every fixture decodes and prints exactly what its own Go version's go tool pprof -raw
 * printed (gen.sh ran the oracle with TZ=UTC). */
TEST(fixtures_match_pprof_raw)
{
    char dirs[16][64], names[64][48];
    int nd = fixture_dirs(dirs, 16), checked = 0;

    if (nd == 0)
        TEST_SKIP("no fixtures under testdata/pprof");
    for (int d = 0; d < nd; d++) {
        int minor = fixture_minor(dirs[d]);
        int style = minor <= 22 ? PB_RAW_V121 : minor == 23 ? PB_RAW_COLUMNS : PB_RAW_DOC;
        int np = fixture_profiles(dirs[d], names, 64);

        for (int i = 0; i < np; i++) {
            struct gorca_profile *p = fixture_profile(dirs[d], names[i]);
            struct gorca_buf out;
            size_t want_len;
            uint8_t *want;

            if (p == NULL)
                return;
            want = fixture_read(dirs[d], names[i], ".raw.gz", &want_len);
            if (want == NULL) {
                gorca_profile_free(p);
                test_fail_msg(__FILE__, __LINE__, "%s/%s.raw.gz missing", dirs[d], names[i]);
                return;
            }
            gorca_buf_init(&out, 0);
            pb_render_raw(p, 1, style, &out);
            if (out.len != want_len || memcmp(out.data, want, want_len) != 0) {
                char diff[600];

                first_diff(out.data ? out.data : "", out.len, (const char *)want, want_len, diff,
                           sizeof(diff));
                test_fail_msg(__FILE__, __LINE__, "%s/%s differs from pprof -raw at %s", dirs[d],
                              names[i], diff);
            }
            gorca_buf_release(&out);
            free(want);
            gorca_profile_free(p);
            if (test_failed_now)
                return;
            checked++;
        }
    }
    ASSERT_TRUE(checked >= 7);
}

/* Failing each allocation in turn gives GORCA_E_NOMEM and no leak (ASan checks the latter). */
TEST(allocation_failures)
{
    char dirs[16][64];
    int nd = fixture_dirs(dirs, 16);
    const char *names[] = { "cpu", "heap", "delta-goroutine" };
    uint8_t *data;
    size_t len;

    if (nd == 0)
        TEST_SKIP("no fixtures under testdata/pprof");
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
        char rel[128];
        int ok_at = -1;

        snprintf(rel, sizeof(rel), "%s/%s.pb.gz", dirs[nd - 1], names[k]);
        data = test_read_file(test_repo_path(rel), &len);
        ASSERT_TRUE(data != NULL);
        for (long n = 0; n < 200; n++) {
            struct gorca_error err;
            struct gorca_profile *p = NULL;
            enum gorca_status st;

            gorca_error_init(&err, rel);
            base_fail_after(n);
            st = gorca_profile_parse(data, len, NULL, &p, &err);
            base_fail_after(-1);
            gorca_profile_free(p);
            if (st == GORCA_OK) {
                ok_at = (int)n;
                break;
            }
            if (st != GORCA_E_NOMEM) {
                test_fail_msg(__FILE__, __LINE__, "%s, failing allocation %ld: %s", rel, n,
                              gorca_status_name(st));
                free(data);
                return;
            }
        }
        free(data);
        ASSERT_TRUE(ok_at > 3);
    }
}

TEST_MAIN({
    RUN(every_field);
    RUN(malformed_table);
    RUN(error_offsets_point_at_the_cause);
    RUN(inputs_that_are_not_profiles);
    RUN(limits_are_enforced);
    RUN(fixtures_match_pprof_raw);
    RUN(allocation_failures);
})
