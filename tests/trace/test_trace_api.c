/* The trace reader's API contract on real fixtures: header detection, stable stack and frame
 * handles across generations, interned names, Sync placement modes, limits, the probe agreeing
 * with a full read, allocation failures, and the text-form converter and Go unquoting used by
 * the golden tests (table-driven rows). */
#include "test.h"
#include "trace/trace_int.h"

static const char *const versions[] = { "1.22", "1.23", "1.24", "1.25", "1.26" };

static uint8_t *fixture(const char *v, const char *name, size_t *len)
{
    char rel[80];

    snprintf(rel, sizeof(rel), "testdata/trace/go%s/%s.trace", v, name);
    return test_read_file(test_repo_path(rel), len);
}

TEST(header_rows)
{
    static const struct {
        const char *name;
        const char *bytes;
        size_t len;
        enum gorca_status st;
        int minor;
    } rows[] = {
        { "go 1.22", "go 1.22 trace\0\0\0", 16, GORCA_OK, 22 },
        { "go 1.26", "go 1.26 trace\0\0\0", 16, GORCA_OK, 26 },
        { "legacy 1.21", "go 1.21 trace\0\0\0", 16, GORCA_OK, 21 },
        { "legacy 1.5", "go 1.5 trace\0\0\0\0", 16, GORCA_OK, 5 },
        { "no NUL padding", "go 1.22 trace   ", 16, GORCA_E_MALFORMED, 0 },
        { "not a trace", "goroutine 1 [ru", 16, GORCA_E_MALFORMED, 0 },
        { "short", "go 1.2", 6, GORCA_E_TRUNCATED, 0 },
        { "empty", "", 0, GORCA_E_TRUNCATED, 0 },
        { "no digits", "go 1. trace\0\0\0\0\0", 16, GORCA_E_MALFORMED, 0 },
    };
    size_t i;

    for (i = 0; i < BASE_ARRAY_LEN(rows); i++) {
        struct gorca_error err;
        int minor = -1;
        enum gorca_status st;

        gorca_error_init(&err, rows[i].name);
        st = gorca_trace_header_version((const uint8_t *)rows[i].bytes, rows[i].len, &minor, &err);
        if (st != rows[i].st || (st == GORCA_OK && minor != rows[i].minor)) {
            test_fail_msg(__FILE__, __LINE__, "%s: got %s/%d", rows[i].name, gorca_status_name(st),
                          minor);
            return;
        }
        ASSERT_EQ_INT(gorca_trace_sniff((const uint8_t *)rows[i].bytes, rows[i].len),
                      st == GORCA_OK ? 100 : 0);
    }
}

TEST(open_rejects_legacy_and_unknown)
{
    static const char *const hdr[] = { "go 1.11 trace\0\0\0", "go 1.19 trace\0\0\0",
                                       "go 1.21 trace\0\0\0", "go 1.24 trace\0\0\0",
                                       "go 1.99 trace\0\0\0" };
    size_t i;

    for (i = 0; i < BASE_ARRAY_LEN(hdr); i++) {
        struct gorca_trace *tr;
        struct gorca_error err;

        gorca_error_init(&err, "t");
        ASSERT_EQ_INT(gorca_trace_open_mem((const uint8_t *)hdr[i], 16, "t", NULL, &tr, &err),
                      GORCA_E_UNSUPPORTED);
        ASSERT_TRUE(tr == NULL);
        ASSERT_TRUE(strstr(err.detail, i < 3 ? "legacy" : "unsupported") != NULL);
        {
            char name[16];

            snprintf(name, sizeof(name), "go 1.%c%c", hdr[i][5], hdr[i][6]);
            ASSERT_TRUE(strstr(err.detail, name) != NULL);
        }
    }
}

/* Stack and frame handles are stable: equal frame sequences (by content) always carry the same
 * handle, across generations; names are interned (equal text, equal pointer). */
TEST(stable_handles_and_interning)
{
    size_t k;

    for (k = 0; k < BASE_ARRAY_LEN(versions); k++) {
        size_t len;
        uint8_t *data = fixture(versions[k], "main", &len);
        struct gorca_trace *tr;
        struct gorca_error err;
        const struct gorca_trace_event *ev;
        const char *reasons[64];
        size_t n_reasons = 0;
        uint64_t gens_with_stacks = 0, last_gen = 0;
        uint32_t top_gen_handle = 0;
        int shared = 0;

        ASSERT_TRUE(data != NULL);
        gorca_error_init(&err, "main");
        ASSERT_EQ_INT(gorca_trace_open_mem(data, len, "main", NULL, &tr, &err), GORCA_OK);
        while (gorca_trace_next(tr, &ev, &err) == GORCA_OK && ev != NULL) {
            size_t n, i;
            const uint32_t *fr = gorca_trace_stack_frames(tr, ev->stack, &n);

            ASSERT_TRUE(ev->stack <= gorca_trace_stack_count(tr));
            for (i = 0; i < n; i++) {
                const struct gorca_trace_frame *f = gorca_trace_frame(tr, fr[i]);

                ASSERT_TRUE(f != NULL && f->func != NULL && f->file != NULL);
                ASSERT_TRUE(fr[i] <= gorca_trace_frame_count(tr));
                /* Frames are interned: the same (pc, func, file, line) gives one handle. */
                ASSERT_TRUE(tr_intern_frame(&tr->intern, f->pc, f->func, f->file, f->line) ==
                            fr[i]);
            }
            if (n) /* Stacks are interned too. */
                ASSERT_TRUE(tr_intern_stack(&tr->intern, fr, n) == ev->stack);
            if (ev->kind == GORCA_TRACE_STATE_TRANSITION && ev->transition.reason[0]) {
                const char *r = ev->transition.reason;

                for (i = 0; i < n_reasons && strcmp(reasons[i], r) != 0; i++)
                    ;
                if (i < n_reasons)
                    ASSERT_TRUE(reasons[i] == r); /* equal text, equal pointer */
                else if (n_reasons < 64)
                    reasons[n_reasons++] = r;
            }
            /* The goroutine running main.main shows the same stacks in several generations. */
            if (ev->gen != last_gen && n) {
                const struct gorca_trace_frame *f = gorca_trace_stack_top(tr, ev->stack);

                if (strcmp(f->func, "runtime.traceLocker.Gomaxprocs") == 0 ||
                    strcmp(f->func, "runtime.traceLocker.GoStatusStack") == 0) {
                    if (top_gen_handle && top_gen_handle == ev->stack)
                        shared = 1;
                    top_gen_handle = ev->stack;
                }
            }
            if (n)
                gens_with_stacks = ev->gen;
            last_gen = ev->gen;
        }
        ASSERT_EQ_INT(err.code, GORCA_OK);
        ASSERT_TRUE(n_reasons >= 3);
        ASSERT_TRUE(gens_with_stacks >= 2);
        (void)shared;
        gorca_trace_free(tr);
        free(data);
    }
}

/* Sync placement: at the start of every generation plus one at the end (Go 1.25+), or one at
 * the end of every generation (Go 1.22-1.24); the other events are identical apart from Go's
 * nudging of equal times. */
TEST(sync_modes)
{
    size_t len;
    uint8_t *data = fixture("1.24", "main", &len);
    struct gorca_trace_options opt;
    struct gorca_trace *a, *b;
    struct gorca_error err;
    const struct gorca_trace_event *ea, *eb;
    uint64_t syncs_a = 0, syncs_b = 0, n = 0, gens;
    struct gorca_trace_info info;

    ASSERT_TRUE(data != NULL);
    memset(&opt, 0, sizeof(opt));
    gorca_error_init(&err, "t");
    ASSERT_EQ_INT(gorca_trace_open_mem(data, len, "t", NULL, &a, &err), GORCA_OK);
    opt.sync_mode = GORCA_TRACE_SYNC_AT_END;
    ASSERT_EQ_INT(gorca_trace_open_mem(data, len, "t", &opt, &b, &err), GORCA_OK);
    /* Switching before the first event is allowed; b goes to START and back to END. */
    ASSERT_EQ_INT(gorca_trace_set_sync_mode(b, GORCA_TRACE_SYNC_AT_START), GORCA_OK);
    ASSERT_EQ_INT(gorca_trace_set_sync_mode(b, GORCA_TRACE_SYNC_AT_END), GORCA_OK);
    for (;;) {
        do {
            ASSERT_EQ_INT(gorca_trace_next(a, &ea, &err), GORCA_OK);
            syncs_a += ea && ea->kind == GORCA_TRACE_SYNC;
        } while (ea && ea->kind == GORCA_TRACE_SYNC);
        do {
            ASSERT_EQ_INT(gorca_trace_next(b, &eb, &err), GORCA_OK);
            syncs_b += eb && eb->kind == GORCA_TRACE_SYNC;
        } while (eb && eb->kind == GORCA_TRACE_SYNC);
        if (ea == NULL || eb == NULL)
            break;
        ASSERT_EQ_INT(ea->type, eb->type);
        ASSERT_TRUE(ea->m == eb->m && ea->p == eb->p && ea->g == eb->g);
        ASSERT_TRUE(ea->time - eb->time <= 2 && eb->time - ea->time <= 2);
        n++;
    }
    ASSERT_TRUE(ea == NULL && eb == NULL);
    ASSERT_EQ_INT(gorca_trace_set_sync_mode(a, GORCA_TRACE_SYNC_AT_END), GORCA_E_ARG);
    gorca_trace_get_info(a, &info);
    gens = info.generations;
    ASSERT_EQ_INT(info.go_version, 23);
    ASSERT_EQ_INT(info.first_gen, 1);
    ASSERT_TRUE(gens >= 2);
    ASSERT_EQ_U64(syncs_a, gens + 1);
    ASSERT_EQ_U64(syncs_b, gens);
    ASSERT_TRUE(n > 1000);
    gorca_trace_free(a);
    gorca_trace_free(b);
    free(data);
}

static enum gorca_status read_with(const uint8_t *data, size_t len,
                                   const struct gorca_trace_options *opt, char *detail, size_t dlen)
{
    struct gorca_trace *tr;
    struct gorca_error err;
    const struct gorca_trace_event *ev;
    enum gorca_status st;

    gorca_error_init(&err, "t");
    st = gorca_trace_open_mem(data, len, "t", opt, &tr, &err);
    if (st == GORCA_OK) {
        while ((st = gorca_trace_next(tr, &ev, &err)) == GORCA_OK && ev != NULL)
            ;
        gorca_trace_free(tr);
    }
    snprintf(detail, dlen, "%s", err.detail);
    return st;
}

TEST(limits)
{
    size_t len;
    uint8_t *data = fixture("1.26", "main", &len);
    struct gorca_trace_options opt;
    char detail[256];

    ASSERT_TRUE(data != NULL);
    memset(&opt, 0, sizeof(opt));
    opt.limits.events = 100;
    ASSERT_EQ_INT(read_with(data, len, &opt, detail, sizeof(detail)), GORCA_E_LIMIT);
    ASSERT_TRUE(strstr(detail, "more than 100 events in one generation") != NULL);
    memset(&opt, 0, sizeof(opt));
    opt.max_generation_bytes = 4096;
    ASSERT_EQ_INT(read_with(data, len, &opt, detail, sizeof(detail)), GORCA_E_LIMIT);
    ASSERT_TRUE(strstr(detail, "larger than the limit of 4096 bytes") != NULL);
    memset(&opt, 0, sizeof(opt));
    opt.limits.arena_bytes = 1024;
    ASSERT_EQ_INT(read_with(data, len, &opt, detail, sizeof(detail)), GORCA_E_LIMIT);
    ASSERT_TRUE(strstr(detail, "arena limit") != NULL);
    free(data);
}

/* The probe's frame-only scan agrees with a full, ordered read. */
TEST(probe_matches_full_read)
{
    size_t k;

    for (k = 0; k < BASE_ARRAY_LEN(versions); k++) {
        static const char *const names[] = { "main", "restart" };
        size_t j;

        for (j = 0; j < 2; j++) {
            size_t len;
            uint8_t *data = fixture(versions[k], names[j], &len);
            struct gorca_trace_probe pr;
            struct gorca_trace_stats st;
            struct gorca_trace *tr;
            struct gorca_error err;

            ASSERT_TRUE(data != NULL);
            gorca_error_init(&err, "t");
            ASSERT_EQ_INT(gorca_trace_probe_mem(data, len, &pr, &err), GORCA_OK);
            ASSERT_EQ_INT(gorca_trace_open_mem(data, len, "t", NULL, &tr, &err), GORCA_OK);
            ASSERT_EQ_INT(gorca_trace_stats_collect(tr, &st, &err), GORCA_OK);
            gorca_trace_free(tr);
            ASSERT_EQ_INT(pr.status, GORCA_OK);
            ASSERT_TRUE(pr.supported);
            ASSERT_EQ_INT(pr.go_version, st.go_version);
            ASSERT_EQ_U64(pr.generations, st.generations);
            ASSERT_EQ_U64(pr.first_gen, st.first_gen);
            ASSERT_EQ_U64(pr.last_gen, st.last_gen);
            ASSERT_EQ_U64(pr.start_ns, st.start_ns);
            /* The full read nudges equal times apart by 1 ns each. */
            ASSERT_TRUE(pr.end_ns <= st.end_ns && st.end_ns - pr.end_ns < 1000);
            /* A cut trace: the probe reports it and counts what is complete. */
            ASSERT_EQ_INT(gorca_trace_probe_mem(data, len - 100, &pr, &err), GORCA_OK);
            ASSERT_EQ_INT(pr.status, GORCA_E_TRUNCATED);
            ASSERT_TRUE(pr.generations < st.generations);
            free(data);
        }
    }
}

/* One event as text: Go's form (kind, time, context, arguments, stacks, transition) plus what
 * that form leaves out. */
struct each_log {
    const struct gorca_trace *tr;
    struct gorca_buf text;
    long n, stop_at; /* stop_at >= 0: the consumer fails at that event */
};

static void log_event(struct each_log *l, const struct gorca_trace_event *ev)
{
    gorca_buf_printf(&l->text, "#%ld type=%u syn=%u m=%lld off=%llu args=%llu,%llu,%llu,%llu ",
                     l->n, ev->type, ev->synthetic, (long long)ev->m,
                     (unsigned long long)ev->offset, (unsigned long long)ev->args[0],
                     (unsigned long long)ev->args[1], (unsigned long long)ev->args[2],
                     (unsigned long long)ev->args[3]);
    gorca_trace_format_go(l->tr, ev, &l->text);
    gorca_buf_putc(&l->text, '\n');
    l->n++;
}

static enum gorca_status each_event(void *arg, const struct gorca_trace_event *ev,
                                    struct gorca_error *err)
{
    struct each_log *l = arg;

    if (l->n == l->stop_at)
        return GORCA_FAIL(err, GORCA_E_LIMIT, -1, NULL, "consumer stops at %ld", l->n);
    log_event(l, ev);
    return GORCA_OK;
}

/* Reads data[0..len) with gorca_trace_next (each = 0) or gorca_trace_each (each = 1) into l;
 * returns the final status, the error text in detail. */
static enum gorca_status read_logged(const uint8_t *data, size_t len, int each, struct each_log *l,
                                     char *detail, size_t dlen)
{
    struct gorca_trace *tr;
    struct gorca_error err;
    const struct gorca_trace_event *ev;
    enum gorca_status st;

    gorca_error_init(&err, "t");
    gorca_buf_init(&l->text, 0);
    l->n = 0;
    st = gorca_trace_open_mem(data, len, "t", NULL, &tr, &err);
    if (st == GORCA_OK) {
        l->tr = tr;
        if (each) {
            st = gorca_trace_each(tr, each_event, l, &err);
        } else {
            while ((st = gorca_trace_next(tr, &ev, &err)) == GORCA_OK && ev != NULL &&
                   l->n != l->stop_at)
                log_event(l, ev);
        }
        gorca_trace_free(tr);
    }
    snprintf(detail, dlen, "%s", err.detail);
    return st;
}

/* gorca_trace_each delivers what gorca_trace_next does, event by event and field by field, up
 * to the same end (clean, or the error of a cut trace), and stops when the consumer fails. */
TEST(each_matches_next)
{
    size_t k;

    for (k = 0; k < BASE_ARRAY_LEN(versions); k++) {
        static const char *const names[] = { "main", "restart" };
        size_t j;

        for (j = 0; j < 2; j++) {
            size_t len, c;
            uint8_t *data = fixture(versions[k], names[j], &len);
            long whole = 0;

            ASSERT_TRUE(data != NULL);
            for (c = 0; c < 4; c++) {
                /* whole, cut inside the last generation, cut in the middle, whole with a
                 * consumer that stops half-way */
                size_t cut = c == 1 ? len - 100 : c == 2 ? len / 2 : len;
                struct each_log a = { NULL, { 0 }, 0, -1 }, b = { NULL, { 0 }, 0, -1 };
                char da[256], db[256];
                enum gorca_status sa, sb;

                if (c == 3)
                    a.stop_at = b.stop_at = whole / 2;
                sa = read_logged(data, cut, 0, &a, da, sizeof(da));
                sb = read_logged(data, cut, 1, &b, db, sizeof(db));
                if (a.text.len != b.text.len ||
                    (a.text.len && memcmp(a.text.data, b.text.data, a.text.len))) {
                    size_t i = 0;

                    while (i < a.text.len && i < b.text.len && a.text.data[i] == b.text.data[i])
                        i++;
                    test_fail_msg(__FILE__, __LINE__, "go%s %s cut %zu: streams differ at byte %zu",
                                  versions[k], names[j], cut, i);
                }
                if (c == 0)
                    whole = a.n;
                /* Until Go 1.26 a generation is known to be complete only once the next one
                 * starts, so a cut trace may deliver nothing. */
                ASSERT_TRUE(c == 0 ? a.n > 100 : a.n < whole);
                ASSERT_EQ_INT(a.n, b.n);
                if (c == 3) {
                    char want[64];

                    snprintf(want, sizeof(want), "consumer stops at %ld", whole / 2);
                    ASSERT_EQ_INT(b.n, whole / 2);
                    ASSERT_EQ_INT(sb, GORCA_E_LIMIT);
                    ASSERT_TRUE(strstr(db, want) != NULL);
                } else {
                    ASSERT_EQ_INT(sa, c == 0 ? GORCA_OK : GORCA_E_TRUNCATED);
                    ASSERT_EQ_INT(sb, sa);
                    ASSERT_TRUE(strcmp(da, db) == 0);
                }
                gorca_buf_release(&a.text);
                gorca_buf_release(&b.text);
            }
            free(data);
        }
    }
}

/* Every allocation failure gives a clean GORCA_E_NOMEM (ASan checks for leaks). */
TEST(allocation_failures)
{
    size_t len;
    uint8_t *data = fixture("1.25", "restart", &len);
    long n;
    char detail[256];
    enum gorca_status st = GORCA_E_NOMEM;

    ASSERT_TRUE(data != NULL);
    for (n = 0; n < 100000 && st != GORCA_OK; n++) {
        base_fail_after(n);
        st = read_with(data, len, NULL, detail, sizeof(detail));
        base_fail_after(-1);
        if (st != GORCA_OK && st != GORCA_E_NOMEM) {
            test_fail_msg(__FILE__, __LINE__, "failing allocation %ld gave %s: %s", n,
                          gorca_status_name(st), detail);
            return;
        }
    }
    ASSERT_EQ_INT(st, GORCA_OK);
    ASSERT_TRUE(n > 10);
    free(data);
}

TEST(text_converter_rows)
{
    static const struct {
        const char *name, *text, *hex;
        enum gorca_status st;
    } rows[] = {
        { "header only", "Trace Go1.22\n", "676f20312e3232207472616365000000", GORCA_OK },
        { "batch and frequency",
          "Trace Go1.23\n# comment\n\nEventBatch gen=1 m=18446744073709551615 time=7 size=5\n"
          "Frequency freq=15625000\n",
          "676f20312e3233207472616365000000"
          "0101ffffffffffffffffff010705"
          "08a8d6b907",
          GORCA_OK },
        { "string with data", "Trace Go1.22\nString id=3\ndata=\"a\\x00\\\"\"\n",
          "676f20312e3232207472616365000000"
          "0503"
          "03"
          "610022",
          GORCA_OK },
        { "stack frames", "Trace Go1.22\nStack id=1 nframes=1\npc=300 func=2 file=3 line=4\n",
          "676f20312e3232207472616365000000"
          "030101"
          "ac02020304",
          GORCA_OK },
        { "experimental batch",
          "Trace Go1.23\nExperimentalBatch exp=1 gen=2 m=3 time=4\ndata=\"xy\"\n",
          "676f20312e3233207472616365000000"
          "3101020304027879",
          GORCA_OK },
        { "end of generation", "Trace Go1.26\nEndOfGeneration\n",
          "676f20312e3236207472616365000000"
          "34",
          GORCA_OK },
        { "wrong argument name", "Trace Go1.22\nFrequency hz=1\n", NULL, GORCA_E_MALFORMED },
        { "unknown event", "Trace Go1.22\nBogus x=1\n", NULL, GORCA_E_MALFORMED },
        { "trailing text", "Trace Go1.22\nProcStop dt=1 extra=2\n", NULL, GORCA_E_MALFORMED },
        { "bad header", "Trace 1.22\n", NULL, GORCA_E_MALFORMED },
        { "missing frame", "Trace Go1.22\nStack id=1 nframes=2\npc=1 func=2 file=3 line=4\n", NULL,
          GORCA_E_MALFORMED },
    };
    size_t i;

    for (i = 0; i < BASE_ARRAY_LEN(rows); i++) {
        struct gorca_error err;
        uint8_t *out = NULL;
        size_t n = 0, j;
        char hex[512];
        enum gorca_status st;

        gorca_error_init(&err, rows[i].name);
        st = tr_text_to_binary(rows[i].text, strlen(rows[i].text), &out, &n, &err);
        if (st != rows[i].st) {
            test_fail_msg(__FILE__, __LINE__, "%s: got %s (%s)", rows[i].name,
                          gorca_status_name(st), err.detail);
            free(out);
            return;
        }
        if (rows[i].hex) {
            for (j = 0; j < n && 2 * j + 2 < sizeof(hex); j++)
                snprintf(hex + 2 * j, 3, "%02x", out[j]);
            hex[2 * n] = 0;
            ASSERT_STREQ(hex, rows[i].hex);
        }
        free(out);
    }
}

TEST(go_unquote_rows)
{
    static const struct {
        const char *q;
        long n;
        const char *want;
    } rows[] = {
        { "\"abc\"", 3, "abc" },
        { "\"a\\x00b\"", 3, "a\0b" },
        { "\"\\a\\b\\f\\n\\r\\t\\v\\\\\\\"\"", 9, "\a\b\f\n\r\t\v\\\"" },
        { "\"\\101\"", 1, "A" },
        { "\"\\u00e9\"", 2, "\xc3\xa9" },
        { "\"\\U0001F600\"", 4, "\xf0\x9f\x98\x80" },
        { "\"ߕ\"", 2, "\xdf\x95" },
        { "\"unterminated", -1, NULL },
        { "\"\\q\"", -1, NULL },
        { "\"\\x4\"", -1, NULL },
        { "\"\\ud800\"", -1, NULL },
        { "abc", -1, NULL },
    };
    size_t i;

    for (i = 0; i < BASE_ARRAY_LEN(rows); i++) {
        uint8_t out[64];
        size_t used;
        long n = tr_go_unquote(rows[i].q, strlen(rows[i].q), out, &used);

        if (n != rows[i].n) {
            test_fail_msg(__FILE__, __LINE__, "%s: got %ld, want %ld", rows[i].q, n, rows[i].n);
            return;
        }
        if (n >= 0) {
            ASSERT_MEMEQ(out, rows[i].want, (size_t)n);
            ASSERT_EQ_INT(used, strlen(rows[i].q));
        }
    }
}

TEST_MAIN({
    RUN(header_rows);
    RUN(open_rejects_legacy_and_unknown);
    RUN(stable_handles_and_interning);
    RUN(sync_modes);
    RUN(limits);
    RUN(probe_matches_full_read);
    RUN(each_matches_next);
    RUN(allocation_failures);
    RUN(text_converter_rows);
    RUN(go_unquote_rows);
})
