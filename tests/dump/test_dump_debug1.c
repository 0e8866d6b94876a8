/* Tests for src/dump/debug1.c: Go string unquoting for "# labels:", the count-profile grammar
 * (tab runs, empty PC lists, unknown PCs, custom profile names), hidden-frame counting, and
 * exact errors for malformed and cut input. */
#include "test.h"
#include "gorca/dump.h"
#include "dump/dump_int.h"

TEST(unquote_table)
{
    static const struct {
        const char *in;
        long len;
        const char *out;
    } cases[] = {
        { "\"42\"", 2, "42" },
        { "\"\"", 0, "" },
        { "\"a\\tb\\\"c\\\\ \xc3\xbc\"", 9, "a\tb\"c\\ \xc3\xbc" },
        { "\"\\a\\b\\f\\n\\r\\v\\'\"", 7, "\a\b\f\n\r\v'" },
        { "\"\\x41\\x7a\"", 2, "Az" },
        { "\"\\u00fc\\U0001F600\"", 6, "\xc3\xbc\xf0\x9f\x98\x80" },
        { "\"\\101\\060\"", 2, "A0" },
        { "\"\\xff\"", 1, "\xff" },
        { "\"\\uD800\"", 3, "\xef\xbf\xbd" },
        { "\"abc", -1, NULL },
        { "abc\"", -1, NULL },
        { "\"a\"b\"", -1, NULL },
        { "\"\\q\"", -1, NULL },
        { "\"\\x4\"", -1, NULL },
        { "\"\\u12\"", -1, NULL },
        { "\"\\400\"", -1, NULL },
        { "\"\\\"", -1, NULL },
        { "\"", -1, NULL },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[64];
        long n;

        test_name_now = cases[i].in;
        n = dump_go_unquote(cases[i].in, strlen(cases[i].in), out);
        ASSERT_EQ_INT(n, cases[i].len);
        if (n >= 0)
            ASSERT_MEMEQ(out, cases[i].out, (size_t)n);
    }
    test_name_now = "unquote_table";
}

static struct gorca_dump *parse_str(const char *s, enum gorca_status want, char *msg,
                                    size_t msg_size)
{
    struct gorca_error err;
    struct gorca_dump *d = NULL;
    enum gorca_status st;

    gorca_error_init(&err, "d1.txt");
    st = gorca_dump_parse((const uint8_t *)s, strlen(s), "d1.txt", NULL, &d, &err);
    if (msg)
        gorca_error_format(&err, msg, msg_size);
    if (st != want) {
        char m[512];

        gorca_error_format(&err, m, sizeof(m));
        test_fail_msg(__FILE__, __LINE__, "status %s, want %s: %s", gorca_status_name(st),
                      gorca_status_name(want), m);
        gorca_dump_free(d);
        return NULL;
    }
    return d;
}

TEST(records)
{
    static const char in[] =
        "goroutine profile: total 11\n"
        "7 @ 0x471a6e 0x44f525 0x44f4f4 0x472de5 0x4834dd 0x693865 0x693847 0x6949a5 0x479881\n"
        "#\t0x472de4\tsync.runtime_SemacquireMutex+0x24\t/usr/local/go/src/runtime/sema.go:95\n"
        "#\t0x4834dc\tsync.(*Mutex).lockSlow+0x15c\t\t/usr/local/go/src/sync/mutex.go:173\n"
        "#\t0x693864\tsync.(*Mutex).Lock+0x44\t\t\t/usr/local/go/src/sync/mutex.go:92\n"
        "#\t0x693846\tmain.(*server).hold+0x26\t\t/app/main.go:28\n"
        "#\t0x6949a4\tmain.main.func1+0x24\t\t\t/app/main.go:83\n"
        "\n"
        "2 @ 0x471a6e 0x4083fc 0x407fd2 0x694699 0x68516c 0x479881\n"
        "# labels: {\"req\":\"42\", \"a key\":\"x\\ty\"}\n"
        "#\t0x694698\tmain.main.func13+0x18\t/app/main.go:128\n"
        "#\t0x68516b\truntime/pprof.Do+0x8b\t/usr/local/go/src/runtime/pprof/runtime.go:51\n"
        "\n"
        "1 @ 0x479881\n"
        "\n"
        "1 @ 0x471a6e 0x467685 0x677129 0x491dc1\n"
        "#\t0x677128\tmain.(*box[...]).waitSelect+0x68\t/app/main.go:77\n";
    struct gorca_dump *d = parse_str(in, GORCA_OK, NULL, 0);
    const struct gorca_dump_group *g;

    ASSERT_TRUE(d != NULL);
    ASSERT_EQ_INT(d->format, GORCA_DUMP_DEBUG1);
    ASSERT_STREQ(d->profile_name, "goroutine");
    ASSERT_EQ_U64(d->header_total, 11);
    ASSERT_EQ_U64(d->n_goroutines, 11);
    ASSERT_EQ_U64(d->n_listed, 0);
    ASSERT_EQ_U64(d->n_groups, 4);
    g = &d->groups[0];
    ASSERT_EQ_U64(g->count, 7);
    ASSERT_EQ_U64(g->n_pcs, 9);
    ASSERT_EQ_U64(g->pcs[8], 0x479881);
    ASSERT_EQ_U64(g->stack->n_frames, 5);
    ASSERT_STREQ(g->stack->frames[1]->func, "sync.(*Mutex).lockSlow");
    ASSERT_EQ_U64(g->stack->frames[1]->offset, 0x15c);
    ASSERT_EQ_U64(g->stack->frames[1]->pc, 0x4834dc);
    ASSERT_STREQ(g->stack->frames[1]->file, "/usr/local/go/src/sync/mutex.go");
    ASSERT_EQ_U64(g->stack->frames[1]->line, 173);
    ASSERT_STREQ(g->reason, "sync.Mutex.Lock");
    ASSERT_EQ_INT(g->reason_inferred, 1);
    g = &d->groups[1];
    ASSERT_EQ_U64(g->n_labels, 2);
    ASSERT_STREQ(g->labels[0].key, "a key"); /* sorted by key */
    ASSERT_STREQ(g->labels[0].value, "x\ty");
    ASSERT_STREQ(g->labels[1].key, "req");
    /* 3 hidden runtime frames (gopark, chanrecv, chanrecv1) */
    ASSERT_STREQ(g->reason, "chan send/receive");
    ASSERT_EQ_INT(g->wait_class, GORCA_WAIT_CHANNEL);
    g = &d->groups[2];
    ASSERT_EQ_U64(g->stack->n_frames, 0); /* only runtime.goexit: not started yet */
    ASSERT_STREQ(g->reason, "runnable");
    g = &d->groups[3];
    ASSERT_STREQ(g->reason, "select"); /* 2 hidden: gopark, selectgo */
    ASSERT_EQ_U64(d->class_totals[GORCA_WAIT_SYNC], 7);
    gorca_dump_free(d);
}

TEST(threadcreate_forms)
{
    /* Go 1.21/1.22: "7 @" with no PCs; 1.23+: 32 zero PCs; both followed by "#\t0x0" */
    static const char old_form[] = "threadcreate profile: total 8\n7 @\n#\t0x0\n\n"
                                   "1 @ 0x43d065 0x46bc81\n"
                                   "#\t0x43d064\truntime.newm+0x3d\t/x/proc.go:2100\n\n";
    static const char new_form[] = "threadcreate profile: total 7\n"
                                   "7 @ 0x0 0x0 0x0 0x0\n#\t0x0\n\n";
    struct gorca_dump *d = parse_str(old_form, GORCA_OK, NULL, 0);

    ASSERT_TRUE(d != NULL);
    ASSERT_STREQ(d->profile_name, "threadcreate");
    ASSERT_EQ_U64(d->groups[0].n_pcs, 0);
    ASSERT_EQ_U64(d->groups[0].stack->n_frames, 1);
    ASSERT_EQ_INT(d->groups[0].stack->frames[0]->kind, GORCA_FRAME_UNKNOWN);
    ASSERT_EQ_U64(d->groups[0].stack->frames[0]->pc, 0);
    gorca_dump_free(d);
    d = parse_str(new_form, GORCA_OK, NULL, 0);
    ASSERT_TRUE(d != NULL);
    ASSERT_EQ_U64(d->groups[0].n_pcs, 4);
    gorca_dump_free(d);
}

TEST(custom_profile)
{
    struct gorca_dump *d = parse_str("my.conns profile: total 0\n", GORCA_OK, NULL, 0);

    ASSERT_TRUE(d != NULL);
    ASSERT_STREQ(d->profile_name, "my.conns");
    ASSERT_EQ_U64(d->n_groups, 0);
    gorca_dump_free(d);
}

TEST(error_table)
{
    static const struct {
        const char *name, *in;
        enum gorca_status st;
        const char *msg;
    } cases[] = {
        { "count line", "goroutine profile: total 1\nx @ 0x1\n", GORCA_E_MALFORMED,
          "'d1.txt': offset 27 (line 2): expected '<count> @ <pc> …' to start a record" },
        { "bad pc", "goroutine profile: total 1\n1 @ 0x1 zz\n", GORCA_E_MALFORMED,
          "'d1.txt': offset 27 (line 2): expected ' 0x<pc>' in the record's PC list" },
        { "bad frame", "goroutine profile: total 1\n1 @ 0x1\n#\tmain.f\n", GORCA_E_MALFORMED,
          "'d1.txt': offset 35 (line 3): expected '#\\t0x<pc>' at the start of a frame line" },
        { "frame without file", "goroutine profile: total 1\n1 @ 0x1\n#\t0x1\tmain.f+0x1\n",
          GORCA_E_MALFORMED,
          "'d1.txt': offset 35 (line 3): expected '<function>+0x<offset>\\t<file>:<line>' after "
          "the PC" },
        { "frame bad line", "goroutine profile: total 1\n1 @ 0x1\n#\t0x1\tmain.f+0x1\t/a.go:x\n",
          GORCA_E_MALFORMED,
          "'d1.txt': offset 35 (line 3): expected '<file>:<line>' at the end of a frame line" },
        { "labels not first", "goroutine profile: total 1\n1 @ 0x1\n#\t0x1\n# labels: {}\n",
          GORCA_E_MALFORMED,
          "'d1.txt': offset 41 (line 4): expected '# labels:' right after the record's '@' "
          "line" },
        { "labels braces", "goroutine profile: total 1\n1 @ 0x1\n# labels: \"a\":\"b\"\n",
          GORCA_E_MALFORMED,
          "'d1.txt': offset 35 (line 3): expected '# labels: {\"key\":\"value\", …}'" },
        { "labels quote", "goroutine profile: total 1\n1 @ 0x1\n# labels: {\"a\\q\":\"b\"}\n",
          GORCA_E_MALFORMED,
          "'d1.txt': offset 35 (line 3): expected a Go-quoted label string in '# labels: {…}'" },
        { "labels separator",
          "goroutine profile: total 1\n1 @ 0x1\n# labels: {\"a\":\"b\",\"c\":\"d\"}\n",
          GORCA_E_MALFORMED, "'d1.txt': offset 35 (line 3): expected ', ' between labels" },
        { "junk", "goroutine profile: total 1\n1 @ 0x1\nfoo\n", GORCA_E_MALFORMED,
          "'d1.txt': offset 35 (line 3): expected a '#\\t' frame line, '# labels:' or a blank "
          "line" },
        { "more than total", "goroutine profile: total 1\n2 @ 0x1\n", GORCA_E_MALFORMED,
          "'d1.txt': offset 35: the records add up to 2, more than the header's total 1" },
        { "fewer than total", "goroutine profile: total 5\n2 @ 0x1\n\n", GORCA_E_TRUNCATED,
          "'d1.txt': offset 36: the records add up to 2 of the header's total 5: the input is "
          "cut short" },
        { "cut mid-line", "goroutine profile: total 5\n2 @ 0x1\n\n3 @ 0x1\n#\t0x",
          GORCA_E_TRUNCATED,
          "'d1.txt': offset 36 (line 5): the input ends in the middle of a record; kept the 1 "
          "record before it" },
        { "cut header", "goroutine profile: tot", GORCA_E_UNSUPPORTED,
          "'d1.txt': offset 0: not a goroutine dump: expected 'goroutine <id> [<state>]:', "
          "'goroutine profile: total <N>' or a panic/fatal error traceback" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char msg[512];
        struct gorca_dump *d;

        test_name_now = cases[i].name;
        d = parse_str(cases[i].in, cases[i].st, msg, sizeof(msg));
        if (test_failed_now)
            return;
        ASSERT_STREQ(msg, cases[i].msg);
        ASSERT_TRUE((d != NULL) == (cases[i].st == GORCA_E_TRUNCATED));
        gorca_dump_free(d);
    }
    test_name_now = "error_table";
}

TEST_MAIN({
    RUN(unquote_table);
    RUN(records);
    RUN(threadcreate_forms);
    RUN(custom_profile);
    RUN(error_table);
})
