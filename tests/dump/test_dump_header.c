/* Tests for src/dump/header.c, src/dump/frame.c and src/dump/lines.c: every goroutine header
 * variant the runtime prints (Go 1.19-1.26, read from runtime/traceback.go and seen in the
 * fixtures), created-by, elision, ancestor and cgo lines, frame and file lines, log prefixes. */
#include "test.h"
#include "dump/dump_int.h"

TEST(header_table)
{
    static const struct {
        const char *line;
        int ret;
        uint64_t id;
        const char *state, *reason;
        int32_t minutes;
        uint32_t flags;
        uint64_t bubble;
        int64_t m;
        uint64_t gp, mp;
        const char *extra;
    } cases[] = {
        { "goroutine 1 [running]:", 1, 1, "running", "running", -1, 0, 0, -1, 0, 0, "" },
        { "goroutine 18446744073709551615 [runnable]:", 1, UINT64_MAX, "runnable", "runnable", -1,
          0, 0, -1, 0, 0, "" },
        { "goroutine 40 [chan receive, 1 minutes, locked to thread]:", 1, 40,
          "chan receive, 1 minutes, locked to thread", "chan receive", 1, GORCA_G_LOCKED, 0, -1, 0,
          0, "" },
        { "goroutine 7 [syscall, 1234 minutes]:", 1, 7, "syscall, 1234 minutes", "syscall", 1234, 0,
          0, -1, 0, 0, "" },
        { "goroutine 9 [chan receive (nil chan)]:", 1, 9, "chan receive (nil chan)",
          "chan receive (nil chan)", -1, 0, 0, -1, 0, 0, "" },
        { "goroutine 9 [select (no cases)]:", 1, 9, "select (no cases)", "select (no cases)", -1, 0,
          0, -1, 0, 0, "" },
        { "goroutine 3 [chan receive (scan)]:", 1, 3, "chan receive (scan)", "chan receive", -1,
          GORCA_G_SCAN, 0, -1, 0, 0, "" },
        { "goroutine 3 [GC worker (idle) (scan), 2 minutes]:", 1, 3,
          "GC worker (idle) (scan), 2 minutes", "GC worker (idle)", 2, GORCA_G_SCAN, 0, -1, 0, 0,
          "" },
        /* Go 1.24 synctest */
        { "goroutine 20 [chan receive (synctest), synctest group 18]:", 1, 20,
          "chan receive (synctest), synctest group 18", "chan receive", -1,
          GORCA_G_DURABLE | GORCA_G_BUBBLE, 18, -1, 0, 0, "" },
        { "goroutine 19 [running, synctest group 18]:", 1, 19, "running, synctest group 18",
          "running", -1, GORCA_G_BUBBLE, 18, -1, 0, 0, "" },
        /* Go 1.25+ synctest: "(durable)" appended by goroutineheader or part of the reason */
        { "goroutine 12 [sleep (durable), synctest bubble 1]:", 1, 12,
          "sleep (durable), synctest bubble 1", "sleep", -1, GORCA_G_DURABLE | GORCA_G_BUBBLE, 1,
          -1, 0, 0, "" },
        { "goroutine 11 [sync.WaitGroup.Wait (durable), 3 minutes, locked to thread, synctest "
          "bubble 4]:",
          1, 11, "sync.WaitGroup.Wait (durable), 3 minutes, locked to thread, synctest bubble 4",
          "sync.WaitGroup.Wait", 3, GORCA_G_DURABLE | GORCA_G_BUBBLE | GORCA_G_LOCKED, 4, -1, 0, 0,
          "" },
        { "goroutine 5 [chan receive (scan) (durable)]:", 1, 5, "chan receive (scan) (durable)",
          "chan receive", -1, GORCA_G_SCAN | GORCA_G_DURABLE, 0, -1, 0, 0, "" },
        /* Go 1.26 goroutine leak detector */
        { "goroutine 30 [sync.RWMutex.Lock (leaked)]:", 1, 30, "sync.RWMutex.Lock (leaked)",
          "sync.RWMutex.Lock", -1, GORCA_G_LEAKED, 0, -1, 0, 0, "" },
        /* Go 1.22+ crash headers */
        { "goroutine 1 gp=0xc000002380 m=0 mp=0x5d8fa0 [running]:", 1, 1, "running", "running", -1,
          GORCA_G_HAS_GP, 0, 0, 0xc000002380, 0x5d8fa0, "" },
        { "goroutine 18 gp=0x140fd228e3c0 m=nil [finalizer wait]:", 1, 18, "finalizer wait",
          "finalizer wait", -1, GORCA_G_HAS_GP, 0, -1, 0x140fd228e3c0, 0, "" },
        { "goroutine 0 gp=0xa36960 m=12 mp=0xa37900 [idle]:", 1, 0, "idle", "idle", -1,
          GORCA_G_HAS_GP, 0, 12, 0xa36960, 0xa37900, "" },
        /* unknown words are kept, not fatal */
        { "goroutine 4 [chan send, 5 minutes, future flag]:", 1, 4,
          "chan send, 5 minutes, future flag", "chan send", 5, 0, 0, -1, 0, 0, "future flag" },
        { "goroutine 4 p=3 [runnable, x, y]:", 1, 4, "runnable, x, y", "runnable", -1, 0, 0, -1, 0,
          0, "p=3, x, y" },
        { "goroutine 8 [???]:", 1, 8, "???", "???", -1, 0, 0, -1, 0, 0, "" },
        { "goroutine 8 [1 minutes]:", 1, 8, "1 minutes", "1 minutes", -1, 0, 0, -1, 0, 0, "" },
        /* not headers */
        { "goroutine profile: total 5", 0, 0, NULL, NULL, 0, 0, 0, 0, 0, 0, NULL },
        { "goroutines 1 [running]:", 0, 0, NULL, NULL, 0, 0, 0, 0, 0, 0, NULL },
        { "goroutine x [running]:", 0, 0, NULL, NULL, 0, 0, 0, 0, 0, 0, NULL },
        /* malformed */
        { "goroutine 1 [running]", -1, 0, NULL, NULL, 0, 0, 0, 0, 0, 0, NULL },
        { "goroutine 1 running:", -1, 0, NULL, NULL, 0, 0, 0, 0, 0, 0, NULL },
        { "goroutine 1 []:", -1, 0, NULL, NULL, 0, 0, 0, 0, 0, 0, NULL },
        { "goroutine 99999999999999999999 [running]:", -1, 0, NULL, NULL, 0, 0, 0, 0, 0, 0, NULL },
        { "goroutine 1 m=x [running]:", -1, 0, NULL, NULL, 0, 0, 0, 0, 0, 0, NULL },
        { "goroutine 1  [running]:", -1, 0, NULL, NULL, 0, 0, 0, 0, 0, 0, NULL },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct dump_header h;
        const char *why = NULL;
        const char *line = cases[i].line;
        int r = dump_parse_header(line, strlen(line), &h, &why);
        char buf[256];

        test_name_now = line;
        ASSERT_EQ_INT(r, cases[i].ret);
        if (r < 0)
            ASSERT_TRUE(why != NULL && why[0] != '\0');
        if (r != 1)
            continue;
        ASSERT_EQ_U64(h.id, cases[i].id);
        snprintf(buf, sizeof(buf), "%.*s", (int)h.state_len, h.state);
        ASSERT_STREQ(buf, cases[i].state);
        snprintf(buf, sizeof(buf), "%.*s", (int)h.reason_len, h.reason);
        ASSERT_STREQ(buf, cases[i].reason);
        ASSERT_EQ_INT(h.minutes, cases[i].minutes);
        ASSERT_EQ_U64(h.flags, cases[i].flags);
        ASSERT_EQ_U64(h.bubble, cases[i].bubble);
        ASSERT_EQ_INT(h.m, cases[i].m);
        ASSERT_EQ_U64(h.gp, cases[i].gp);
        ASSERT_EQ_U64(h.mp, cases[i].mp);
        ASSERT_STREQ(h.extra, cases[i].extra);
    }
    test_name_now = "header_table";
}

TEST(find_header_column)
{
    static const struct {
        const char *line;
        long col;
    } cases[] = {
        { "goroutine 1 [running]:", 0 },
        { "2024-05-01T10:00:00.123Z stderr F goroutine 12 [chan receive]:", 34 },
        { "app-1  | goroutine 7 gp=0x1 m=nil [select]:", 9 },
        { "goroutine profile: total 3", -1 },
        { "the goroutine 5 said [hello]", -1 },
        { "gogoroutine 5 [x]:", 2 },
        { "", -1 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        test_name_now = cases[i].line;
        ASSERT_EQ_INT(dump_find_header(cases[i].line, strlen(cases[i].line)), cases[i].col);
    }
    test_name_now = "find_header_column";
}

TEST(created_by_forms)
{
    static const struct {
        const char *line;
        int ret;
        const char *func;
        uint64_t parent;
        int has_parent;
    } cases[] = {
        { "created by main.main in goroutine 1", 1, "main.main", 1, 1 },
        { "created by net/http.(*Server).Serve in goroutine 123", 1, "net/http.(*Server).Serve",
          123, 1 },
        /* Go <= 1.20 and ancestor sections */
        { "created by main.main", 1, "main.main", 0, 0 },
        { "created by main.(*box[...]).start.func1", 1, "main.(*box[...]).start.func1", 0, 0 },
        { "created by main.f in goroutine x", 1, "main.f in goroutine x", 0, 0 },
        { "created by ", 0, NULL, 0, 0 },
        { "created main.main", 0, NULL, 0, 0 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *f = NULL;
        size_t fn = 0;
        uint64_t parent = 99;
        int hp = 99;
        char buf[128];
        int r = dump_parse_created(cases[i].line, strlen(cases[i].line), &f, &fn, &parent, &hp);

        test_name_now = cases[i].line;
        ASSERT_EQ_INT(r, cases[i].ret);
        if (!r)
            continue;
        snprintf(buf, sizeof(buf), "%.*s", (int)fn, f);
        ASSERT_STREQ(buf, cases[i].func);
        ASSERT_EQ_U64(parent, cases[i].parent);
        ASSERT_EQ_INT(hp, cases[i].has_parent);
    }
    test_name_now = "created_by_forms";
}

TEST(special_lines)
{
    uint32_t n = 7;
    uint64_t v = 0;

    ASSERT_EQ_INT(dump_parse_elided("...21 frames elided...", 22, &n), 1);
    ASSERT_EQ_U64(n, 21);
    ASSERT_EQ_INT(dump_parse_elided("...additional frames elided...", 30, &n), 1);
    ASSERT_EQ_U64(n, 0);
    ASSERT_EQ_INT(dump_parse_elided("...x frames elided...", 21, &n), 0);
    ASSERT_EQ_INT(dump_parse_elided("... frames elided...", 20, &n), 0);
    ASSERT_EQ_INT(dump_parse_elided("...5 frames elided....", 22, &n), 0);
    ASSERT_EQ_INT(dump_parse_ancestor("[originating from goroutine 17]:", 32, &v), 1);
    ASSERT_EQ_U64(v, 17);
    ASSERT_EQ_INT(dump_parse_ancestor("[originating from goroutine ]:", 30, &v), 0);
    ASSERT_EQ_INT(dump_parse_ancestor("[originating from goroutine 1]", 30, &v), 0);
    ASSERT_EQ_INT(dump_parse_nongo("non-Go function at pc=0x7f00aa", 30, &v), 1);
    ASSERT_EQ_U64(v, 0x7f00aa);
    ASSERT_EQ_INT(dump_parse_nongo("non-Go function at pc=zz", 24, &v), 0);
}

TEST(funcline_table)
{
    static const struct {
        const char *line;
        const char *func, *args;
        int has_args;
    } cases[] = {
        { "main.main()", "main.main", "", 1 },
        { "main.(*server).hold(0xc000012345)", "main.(*server).hold", "0xc000012345", 1 },
        { "main.waitOn[...](...)", "main.waitOn[...]", "...", 1 },
        { "main.(*box[...]).waitSelect(0x0?)", "main.(*box[...]).waitSelect", "0x0?", 1 },
        { "panic({0x49a720?, 0x4d69f0?})", "panic", "{0x49a720?, 0x4d69f0?}", 1 },
        { "runtime.goexit({})", "runtime.goexit", "{}", 1 },
        { "net/http.(*conn).serve(0xc0001, {0x7, 0xc00})", "net/http.(*conn).serve",
          "0xc0001, {0x7, 0xc00}", 1 },
        { "type:.eq.func()(0x1, ...)", "type:.eq.func()", "0x1, ...", 1 },
        { "example.com/x%2ev2.T.Val(...)", "example.com/x%2ev2.T.Val", "...", 1 },
        { "my_c_function", "my_c_function", "", 0 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct dump_funcline f;
        char a[128], b[128];

        test_name_now = cases[i].line;
        ASSERT_EQ_INT(dump_parse_funcline(cases[i].line, strlen(cases[i].line), &f), 0);
        snprintf(a, sizeof(a), "%.*s", (int)f.func_len, f.func);
        ASSERT_STREQ(a, cases[i].func);
        ASSERT_EQ_INT(f.has_args, cases[i].has_args);
        snprintf(b, sizeof(b), "%.*s", (int)f.args_len, f.args ? f.args : "");
        ASSERT_STREQ(b, cases[i].args);
    }
    test_name_now = "funcline_table";
    {
        struct dump_funcline f;

        ASSERT_EQ_INT(dump_parse_funcline("", 0, &f), -1);
        ASSERT_EQ_INT(dump_parse_funcline("(x)", 3, &f), -1);
    }
}

TEST(fileline_table)
{
    static const struct {
        const char *line;
        int ret;
        const char *file;
        uint32_t lineno;
        int has_offset;
        uint64_t offset, pc;
    } cases[] = {
        { "\t/app/main.go:63 +0x27", 0, "/app/main.go", 63, 1, 0x27, 0 },
        { "\t/usr/local/go/src/sync/mutex.go:46", 0, "/usr/local/go/src/sync/mutex.go", 46, 0, 0,
          0 },
        { "\t/app/main.go:388 +0x78 fp=0x2e5759a90360 sp=0x2e5759a90358 pc=0x671078", 0,
          "/app/main.go", 388, 1, 0x78, 0x671078 },
        { "\t<autogenerated>:1 +0x13", 0, "<autogenerated>", 1, 1, 0x13, 0 },
        { "\tC:/Users/me/go/src/app/main.go:12 +0x1d", 0, "C:/Users/me/go/src/app/main.go", 12, 1,
          0x1d, 0 },
        { "\t/my dir/with space/x.go:7", 0, "/my dir/with space/x.go", 7, 0, 0, 0 },
        /* cgo symbolizer lines */
        { "\t/src/c/lib.c:40 pc=0x7f0012", 0, "/src/c/lib.c", 40, 0, 0, 0x7f0012 },
        { "\tpc=0x7f0012", 0, "", 0, 0, 0, 0x7f0012 },
        /* malformed */
        { "/app/main.go:63", -1, NULL, 0, 0, 0, 0 },
        { "\t/app/main.go", -1, NULL, 0, 0, 0, 0 },
        { "\t/app/main.go:", -1, NULL, 0, 0, 0, 0 },
        { "\t/app/main.go:63 +0xzz", -1, NULL, 0, 0, 0, 0 },
        { "\t/app/main.go:x1", -1, NULL, 0, 0, 0, 0 },
        { "\t/app/main.go:1 pc=0xqq", -1, NULL, 0, 0, 0, 0 },
        { "\t:12", -1, NULL, 0, 0, 0, 0 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct dump_fileline fl;
        const char *why = NULL;
        char buf[128];
        int r = dump_parse_fileline(cases[i].line, strlen(cases[i].line), &fl, &why);

        test_name_now = cases[i].line;
        ASSERT_EQ_INT(r, cases[i].ret);
        if (r != 0) {
            ASSERT_TRUE(why != NULL);
            continue;
        }
        snprintf(buf, sizeof(buf), "%.*s", (int)fl.file_len, fl.file ? fl.file : "");
        ASSERT_STREQ(buf, cases[i].file);
        ASSERT_EQ_U64(fl.line, cases[i].lineno);
        ASSERT_EQ_INT(fl.has_offset, cases[i].has_offset);
        ASSERT_EQ_U64(fl.offset, cases[i].offset);
        ASSERT_EQ_U64(fl.pc, cases[i].pc);
    }
    test_name_now = "fileline_table";
}

TEST(prefix_match)
{
    size_t skip = 0;
    const char *t = "2024-05-01T10:00:00.123Z stderr F ";

    ASSERT_EQ_INT(
        dump_prefix_match(t, strlen(t), "2024-05-01T10:00:07.98765Z stderr F x", 37, &skip), 1);
    ASSERT_EQ_U64(skip, 36);
    ASSERT_EQ_INT(dump_prefix_match(t, strlen(t), "2024-05-01T10:00:07Z stderr F x", 31, &skip), 0);
    ASSERT_EQ_INT(dump_prefix_match("app | ", 6, "app | \tfoo", 10, &skip), 1);
    ASSERT_EQ_U64(skip, 6);
    ASSERT_EQ_INT(dump_prefix_match("app | ", 6, "app |", 5, &skip), 0);
}

TEST(lines_crlf_and_prefix)
{
    static const char in[] = "x: goroutine 1 [running]:\r\nx: main.main()\r\nother\n\nx: \tf.go:1";
    struct dump_lines ls;

    dump_lines_init(&ls, (const uint8_t *)in, sizeof(in) - 1);
    dump_lines_detect_prefix(&ls);
    ASSERT_TRUE(ls.prefix != NULL);
    ASSERT_EQ_U64(ls.prefix_len, 3);
    ASSERT_EQ_INT(dump_lines_next(&ls), 1);
    ASSERT_EQ_U64(ls.len, 22);
    ASSERT_MEMEQ(ls.line, "goroutine 1 [running]:", 22);
    ASSERT_EQ_U64(ls.off, 3);
    ASSERT_EQ_INT(ls.has_nl, 1);
    ASSERT_EQ_INT(dump_lines_next(&ls), 1);
    ASSERT_EQ_U64(ls.len, 11);
    ASSERT_EQ_INT(dump_lines_next(&ls), 1);
    ASSERT_EQ_INT(ls.foreign, 1);
    ASSERT_EQ_INT(dump_lines_next(&ls), 1);
    ASSERT_EQ_U64(ls.len, 0);
    ASSERT_EQ_INT(ls.foreign, 0);
    ASSERT_EQ_INT(dump_lines_next(&ls), 1);
    ASSERT_EQ_INT(ls.has_nl, 0);
    ASSERT_MEMEQ(ls.line, "\tf.go:1", 7);
    ASSERT_EQ_U64(ls.lineno, 5);
    ASSERT_EQ_INT(dump_lines_next(&ls), 0);
}

TEST(number_parsers)
{
    uint64_t v;

    ASSERT_EQ_INT(dump_parse_u64("18446744073709551615", 20, &v), 0);
    ASSERT_EQ_U64(v, UINT64_MAX);
    ASSERT_EQ_INT(dump_parse_u64("18446744073709551616", 20, &v), -1);
    ASSERT_EQ_INT(dump_parse_u64("", 0, &v), -1);
    ASSERT_EQ_INT(dump_parse_u64("1a", 2, &v), -1);
    ASSERT_EQ_INT(dump_parse_hex("0xffffffffffffffff", 18, &v), 0);
    ASSERT_EQ_U64(v, UINT64_MAX);
    ASSERT_EQ_INT(dump_parse_hex("0x1ffffffffffffffff", 19, &v), -1);
    ASSERT_EQ_INT(dump_parse_hex("0x", 2, &v), -1);
    ASSERT_EQ_INT(dump_parse_hex("12", 2, &v), -1);
}

TEST_MAIN({
    RUN(header_table);
    RUN(find_header_column);
    RUN(created_by_forms);
    RUN(special_lines);
    RUN(funcline_table);
    RUN(fileline_table);
    RUN(prefix_match);
    RUN(lines_crlf_and_prefix);
    RUN(number_parsers);
})
