/* Tests for src/dump/debug2.c, dump.c and group.c on small hand-written inputs: the forms the
 * fixtures cannot produce here (cgo "non-Go function" lines, "stack unavailable", " (scan)",
 * log prefixes, CRLF, Go <= 1.20 created-by), sniffing, and the exact located errors for
 * malformed and cut input. Frame and header lines follow runtime/traceback.go's print calls. */
#include "test.h"
#include "gorca/dump.h"

static struct gorca_dump *parse_str(const char *s, enum gorca_status want, char *msg,
                                    size_t msg_size)
{
    struct gorca_error err;
    struct gorca_dump *d = NULL;
    enum gorca_status st;

    gorca_error_init(&err, "in.txt");
    st = gorca_dump_parse((const uint8_t *)s, strlen(s), "in.txt", NULL, &d, &err);
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

TEST(sniff_table)
{
    static const struct {
        const char *in;
        int want;
    } cases[] = {
        { "goroutine 1 [running]:\nmain.main()\n", GORCA_DUMP_DEBUG2 },
        { "\n\r\ngoroutine 1 [running]:\r\n", GORCA_DUMP_DEBUG2 },
        { "\xef\xbb\xbfgoroutine 1 [running]:\n", GORCA_DUMP_DEBUG2 },
        { "goroutine profile: total 3\n", GORCA_DUMP_DEBUG1 },
        { "threadcreate profile: total 7\n", GORCA_DUMP_DEBUG1 },
        { "my.custom profile: total 0\n", GORCA_DUMP_DEBUG1 },
        { "panic: boom\n\ngoroutine 1 [running]:\n", GORCA_DUMP_CRASH },
        { "fatal error: all goroutines are asleep - deadlock!\n", GORCA_DUMP_CRASH },
        { "SIGQUIT: quit\nPC=0x46efce m=0 sigcode=0\n", GORCA_DUMP_CRASH },
        { "SIGABRT: abort\n", GORCA_DUMP_CRASH },
        { "runtime: goroutine stack exceeds 1000000000-byte limit\n", GORCA_DUMP_CRASH },
        { "2024/05/01 10:00:00 starting\nts=1 goroutine 5 [select]:\n", GORCA_DUMP_CRASH },
        { "heap profile: 1: 2 [3: 4] @ heap/1048576\n", 0 },
        { "--- mutex:\ncycles/second=1\n", 0 },
        { "<html>\n", 0 },
        { "", 0 },
        { "goroutine profile: total x\n", 0 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        test_name_now = cases[i].in;
        ASSERT_EQ_INT(gorca_dump_sniff((const uint8_t *)cases[i].in, strlen(cases[i].in)),
                      cases[i].want);
    }
    test_name_now = "sniff_table";
}

/* Forms of crash output that need cgo or unlucky timing (shapes from traceback.go). */
TEST(cgo_unavailable_scan)
{
    static const char in[] =
        "SIGSEGV: segmentation violation\n"
        "PC=0x7f3c1a2b m=3 sigcode=1\n"
        "signal arrived during cgo execution\n"
        "\n"
        "goroutine 1 gp=0xc000002380 m=3 mp=0xc000100008 [syscall, locked to thread]:\n"
        "runtime.cgocall(0x4815b0, 0xc000070f18)\n"
        "\t/usr/local/go/src/runtime/cgocall.go:157 +0x4b fp=0xc000070ef0 sp=0xc000070eb8 "
        "pc=0x40564b\n"
        "non-Go function at pc=0x7f3c1a2b\n"
        "my_c_function\n"
        "\t/src/lib.c:40 pc=0x7f3c1a40\n"
        "main._Cfunc_crash()\n"
        "\t_cgo_gotypes.go:39 +0x3f fp=0xc000070f18 sp=0xc000070ef0 pc=0x48149f\n"
        "main.main()\n"
        "\t/app/main.go:12 +0x1d fp=0xc000070f40 sp=0xc000070f18 pc=0x4814dd\n"
        "\n"
        "goroutine 5 gp=0xc000007a40 m=2 mp=0xc000080008 [running]:\n"
        "\tgoroutine running on other thread; stack unavailable\n"
        "created by main.main in goroutine 1\n"
        "\t/app/main.go:9 +0x25\n"
        "\n"
        "goroutine 6 gp=0xc000007c00 m=nil [chan receive (scan), 12 minutes]:\n"
        "main.wait(...)\n"
        "\t/app/main.go:20\n"
        "main.main.func1()\n"
        "\t/app/main.go:9 +0x25 fp=0xc0000 sp=0xc0000 pc=0x481505\n"
        "created by main.main in goroutine 1\n"
        "\t/app/main.go:9 +0x25\n"
        "\n"
        "rax    0x0\n"
        "rflags 0x10246\n"
        "exit status 2\n";
    struct gorca_dump *d = parse_str(in, GORCA_OK, NULL, 0);
    const struct gorca_goroutine *g;
    const struct gorca_dump_stack *st;

    ASSERT_TRUE(d != NULL);
    ASSERT_EQ_INT(d->format, GORCA_DUMP_CRASH);
    ASSERT_STREQ(d->crash.signal, "SIGSEGV: segmentation violation");
    ASSERT_EQ_INT(d->crash.has_registers, 1);
    ASSERT_EQ_U64(d->n_skipped_lines, 1); /* "signal arrived during cgo execution" */
    ASSERT_EQ_U64(d->n_listed, 3);
    g = gorca_dump_find(d, 1);
    st = g->stack;
    ASSERT_STREQ(g->reason, "syscall");
    ASSERT_EQ_INT(g->wait_class, GORCA_WAIT_SYSCALL);
    ASSERT_TRUE(g->flags & GORCA_G_LOCKED);
    ASSERT_EQ_INT(g->m, 3);
    ASSERT_EQ_U64(g->mp, 0xc000100008);
    ASSERT_EQ_U64(st->n_frames, 5);
    ASSERT_EQ_U64(st->frames[0]->pc, 0x40564b);
    ASSERT_EQ_INT(st->frames[1]->kind, GORCA_FRAME_NONGO);
    ASSERT_EQ_U64(st->frames[1]->pc, 0x7f3c1a2b);
    ASSERT_EQ_INT(st->frames[2]->kind, GORCA_FRAME_NONGO);
    ASSERT_STREQ(st->frames[2]->func, "my_c_function");
    ASSERT_STREQ(st->frames[2]->file, "/src/lib.c");
    ASSERT_EQ_U64(st->frames[2]->line, 40);
    ASSERT_STREQ(st->frames[3]->file, "_cgo_gotypes.go");
    g = gorca_dump_find(d, 5);
    ASSERT_TRUE(g->flags & GORCA_G_NO_STACK);
    ASSERT_EQ_U64(g->stack->n_frames, 0);
    ASSERT_EQ_U64(g->parent_id, 1);
    ASSERT_TRUE(g->parent == gorca_dump_find(d, 1));
    g = gorca_dump_find(d, 6);
    ASSERT_TRUE(g->flags & GORCA_G_SCAN);
    ASSERT_EQ_INT(g->wait_minutes, 12);
    ASSERT_EQ_INT(g->m, -1);
    ASSERT_STREQ(g->reason, "chan receive");
    ASSERT_EQ_INT(g->stack->frames[0]->inlined, 1);
    ASSERT_EQ_U64(g->group->max_wait_minutes, 12);
    gorca_dump_free(d);
}

TEST(log_prefix_crash)
{
    static const char in[] =
        "2024-05-01T10:00:00.123Z stderr F panic: boom\n"
        "2024-05-01T10:00:00.123Z stderr F \n"
        "2024-05-01T10:00:00.123Z stderr F goroutine 1 [running]:\n"
        "2024-05-01T10:00:00.1234Z stderr F main.main()\n"
        "unrelated line from another container\n"
        "2024-05-01T10:00:00.12Z stderr F \t/app/main.go:10 +0x1d\n"
        "2024-05-01T10:00:00.123Z stderr F \n"
        "2024-05-01T10:00:00.123Z stderr F goroutine 7 [chan receive, 3 minutes]:\n"
        "2024-05-01T10:00:00.123Z stderr F main.worker()\n"
        "2024-05-01T10:00:00.123Z stderr F \t/app/main.go:20 +0x2e\n"
        "2024-05-01T10:00:00.123Z stderr F created by main.main in goroutine 1\n"
        "2024-05-01T10:00:00.123Z stderr F \t/app/main.go:8 +0x1a\n";
    struct gorca_dump *d = parse_str(in, GORCA_OK, NULL, 0);

    ASSERT_TRUE(d != NULL);
    ASSERT_EQ_INT(d->format, GORCA_DUMP_CRASH);
    ASSERT_STREQ(d->log_prefix, "2024-05-01T10:00:00.123Z stderr F ");
    ASSERT_STREQ(d->crash.panic, "boom");
    ASSERT_EQ_U64(d->n_listed, 2);
    ASSERT_EQ_U64(d->n_skipped_lines, 1);
    ASSERT_STREQ(d->goroutines[0].stack->frames[0]->file, "/app/main.go");
    ASSERT_EQ_U64(d->goroutines[0].offset, 81); /* the raw line, prefix included */
    ASSERT_EQ_INT(d->goroutines[1].wait_minutes, 3);
    ASSERT_EQ_U64(d->goroutines[1].parent_id, 1);
    gorca_dump_free(d);
}

TEST(crlf_and_old_created_by)
{
    static const char in[] = "goroutine 1 [running]:\r\n"
                             "main.main()\r\n"
                             "\t/app/main.go:10 +0x1d\r\n"
                             "\r\n"
                             "goroutine 18 [semacquire]:\r\n"
                             "sync.runtime_SemacquireMutex(0xc0000140b8?, 0x0?, 0x1?)\r\n"
                             "\t/usr/local/go/src/runtime/sema.go:77 +0x25\r\n"
                             "created by main.main\r\n"
                             "\t/app/main.go:8 +0x1a\r\n";
    struct gorca_dump *d = parse_str(in, GORCA_OK, NULL, 0);
    const struct gorca_goroutine *g;

    ASSERT_TRUE(d != NULL);
    ASSERT_EQ_INT(d->format, GORCA_DUMP_DEBUG2);
    g = gorca_dump_find(d, 18);
    ASSERT_STREQ(g->reason, "semacquire");
    ASSERT_EQ_INT(g->wait_class, GORCA_WAIT_SYNC);
    ASSERT_STREQ(g->created_by->func, "main.main");
    ASSERT_STREQ(g->created_by->file, "/app/main.go");
    ASSERT_EQ_U64(g->created_by->line, 8);
    ASSERT_EQ_INT(g->flags & GORCA_G_PARENT_KNOWN, 0);
    ASSERT_TRUE(g->parent == NULL);
    gorca_dump_free(d);
}

TEST(grouping_and_order)
{
    /* same stack, different reason: two groups; minutes and locked do not split groups */
    static const char in[] = "goroutine 3 [chan receive, 2 minutes]:\n"
                             "main.f()\n\t/a.go:1 +0x1\n\n"
                             "goroutine 9 [chan receive, locked to thread]:\n"
                             "main.f()\n\t/a.go:1 +0x1\n\n"
                             "goroutine 4 [runnable]:\n"
                             "main.f()\n\t/a.go:1 +0x1\n\n"
                             "goroutine 2 [chan receive]:\n"
                             "main.f()\n\t/a.go:1 +0x1\n\n"
                             "goroutine 7 [sleep]:\n"
                             "main.g()\n\t/a.go:2 +0x1\n\n"
                             "goroutine 8 [sleep]:\n"
                             "main.g()\n\t/a.go:2 +0x1\n";
    struct gorca_dump *d = parse_str(in, GORCA_OK, NULL, 0);
    const struct gorca_dump_group *g;

    ASSERT_TRUE(d != NULL);
    ASSERT_EQ_U64(d->n_groups, 3);
    g = &d->groups[0];
    ASSERT_EQ_U64(g->count, 3);
    ASSERT_STREQ(g->reason, "chan receive");
    ASSERT_EQ_INT(g->max_wait_minutes, 2);
    ASSERT_EQ_U64(g->n_locked, 1);
    ASSERT_EQ_U64(g->members[0]->id, 2);
    ASSERT_EQ_U64(g->members[1]->id, 3);
    ASSERT_EQ_U64(g->members[2]->id, 9);
    /* ties keep first appearance: sleep (first at goroutine 7) after... the 2-group */
    ASSERT_STREQ(d->groups[1].reason, "sleep");
    ASSERT_STREQ(d->groups[2].reason, "runnable");
    ASSERT_TRUE(d->groups[0].stack == d->groups[2].stack);
    ASSERT_EQ_U64(d->class_totals[GORCA_WAIT_CHANNEL], 3);
    ASSERT_EQ_U64(d->class_totals[GORCA_WAIT_RUNNABLE], 1);
    ASSERT_EQ_U64(d->class_totals[GORCA_WAIT_SLEEP], 2);
    gorca_dump_free(d);
}

TEST(error_table)
{
    static const struct {
        const char *name, *in;
        enum gorca_status st;
        const char *msg;
        size_t kept;
    } cases[] = {
        { "function line without file line",
          "goroutine 1 [running]:\nmain.main()\nmain.other()\n\t/x.go:1\n", GORCA_E_MALFORMED,
          "'in.txt': offset 35 (line 3): expected a file line ('\\t<path>:<line>') after the "
          "function line",
          0 },
        { "bad file line", "goroutine 1 [running]:\nmain.main()\n\t/x.go:abc\n", GORCA_E_MALFORMED,
          "'in.txt': offset 35 (line 3): expected '<path>:<line>' in the file line", 0 },
        { "stray file line", "goroutine 1 [running]:\n\t/x.go:1\n", GORCA_E_MALFORMED,
          "'in.txt': offset 23 (line 2): expected a function line, found the file line "
          "'\\t/x.go:1'",
          0 },
        { "junk between blocks", "goroutine 1 [running]:\nmain.main()\n\t/x.go:1\n\nhello\n",
          GORCA_E_MALFORMED,
          "'in.txt': offset 45 (line 5): expected a goroutine header ('goroutine <id> "
          "[<state>]:'), found 'hello'",
          0 },
        { "malformed header",
          "goroutine 1 [running]:\nmain.main()\n\t/x.go:1\n\ngoroutine 2 "
          "[running]\n",
          GORCA_E_MALFORMED, "'in.txt': offset 45 (line 5): expected 'goroutine <id> [<state>]:'",
          0 },
        { "junk after created by",
          "goroutine 2 [running]:\nmain.f()\n\t/x.go:1\ncreated by main.main\n\t/x.go:2\nzzz\n",
          GORCA_E_MALFORMED,
          "'in.txt': offset 71 (line 6): expected a blank line or '[originating from goroutine "
          "<id>]:' after the 'created by' site, found 'zzz'",
          0 },
        { "cut in the second block",
          "goroutine 1 [running]:\nmain.main()\n\t/x.go:1\n\ngoroutine 2 [select]:\nmain.f()\n\t/x",
          GORCA_E_TRUNCATED,
          "'in.txt': offset 45 (goroutine 2): the input ends inside this goroutine's block "
          "(line 7); kept the 1 goroutine before it",
          1 },
        { "cut after a function line",
          "goroutine 1 [running]:\nmain.main()\n\t/x.go:1\n\ngoroutine 2 [select]:\nmain.f()\n",
          GORCA_E_TRUNCATED,
          "'in.txt': offset 45 (goroutine 2): the input ends inside this goroutine's block "
          "(line 6); kept the 1 goroutine before it",
          1 },
        { "cut after a header", "goroutine 1 [running]:\nmain.main()\n\t/x.go:1\n\ngoroutine 2 [",
          GORCA_E_TRUNCATED,
          "'in.txt': offset 45 (goroutine 2): the input ends inside this goroutine's block "
          "(line 5); kept the 1 goroutine before it",
          1 },
        { "header only", "goroutine 1 [running]:\n", GORCA_E_TRUNCATED,
          "'in.txt': offset 0 (goroutine 1): the input ends inside this goroutine's block "
          "(line 1); kept the 0 goroutines before it",
          0 },
        { "crash log without goroutines", "panic: boom\n\n", GORCA_E_TRUNCATED,
          "'in.txt': offset 13: the log ends before any goroutine traceback", 0 },
        { "not a dump", "hello world\n", GORCA_E_UNSUPPORTED,
          "'in.txt': offset 0: not a goroutine dump: expected 'goroutine <id> [<state>]:', "
          "'goroutine profile: total <N>' or a panic/fatal error traceback",
          0 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char msg[512];
        struct gorca_dump *d;

        test_name_now = cases[i].name;
        d = parse_str(cases[i].in, cases[i].st, msg, sizeof(msg));
        if (test_failed_now)
            return;
        ASSERT_STREQ(msg, cases[i].msg);
        if (cases[i].st == GORCA_E_TRUNCATED) {
            ASSERT_TRUE(d != NULL);
            ASSERT_EQ_INT(d->truncated, 1);
            ASSERT_EQ_U64(d->n_listed, cases[i].kept);
        } else {
            ASSERT_TRUE(d == NULL);
        }
        gorca_dump_free(d);
    }
    test_name_now = "error_table";
}

TEST(limits)
{
    static const char in[] = "goroutine 1 [running]:\nmain.a()\n\t/x.go:1\nmain.b()\n\t/x.go:2\n"
                             "main.c()\n\t/x.go:3\n\ngoroutine 2 [running]:\nmain.a()\n\t/x.go:1\n";
    struct gorca_limits lim = { 0 };
    struct gorca_error err;
    struct gorca_dump *d;
    char msg[256];

    lim.stack_depth = 2;
    gorca_error_init(&err, "in.txt");
    ASSERT_EQ_INT(gorca_dump_parse((const uint8_t *)in, strlen(in), "in.txt", &lim, &d, &err),
                  GORCA_E_LIMIT);
    gorca_error_format(&err, msg, sizeof(msg));
    ASSERT_STREQ(msg, "'in.txt': offset 59: a stack has more than 2 frames (limit stack_depth)");
    lim.stack_depth = 0;
    lim.samples = 1;
    gorca_error_init(&err, "in.txt");
    ASSERT_EQ_INT(gorca_dump_parse((const uint8_t *)in, strlen(in), "in.txt", &lim, &d, &err),
                  GORCA_E_LIMIT);
    gorca_error_format(&err, msg, sizeof(msg));
    ASSERT_STREQ(msg, "'in.txt': offset 78: more than 1 goroutines (limit samples)");
    lim.samples = 0;
    lim.input_bytes = 10;
    gorca_error_init(&err, "in.txt");
    ASSERT_EQ_INT(gorca_dump_parse((const uint8_t *)in, strlen(in), "in.txt", &lim, &d, &err),
                  GORCA_E_LIMIT);
    ASSERT_TRUE(d == NULL);
}

TEST(compare_growth)
{
    static const char old_in[] = "goroutine 1 [IO wait]:\nmain.main()\n\t/a.go:1 +0x1\n\n"
                                 "goroutine 5 [chan receive]:\nmain.leak()\n\t/a.go:9 +0x1\n\n"
                                 "goroutine 6 [sleep]:\nmain.nap()\n\t/a.go:5 +0x1\n";
    static const char new_in[] = "goroutine 1 [IO wait]:\nmain.main()\n\t/a.go:1 +0x1\n\n"
                                 "goroutine 5 [chan receive]:\nmain.leak()\n\t/a.go:9 +0x1\n\n"
                                 "goroutine 7 [chan receive]:\nmain.leak()\n\t/a.go:9 +0x2\n\n"
                                 "goroutine 8 [chan receive]:\nmain.leak()\n\t/a.go:9 +0x3\n";
    struct gorca_dump *a = parse_str(old_in, GORCA_OK, NULL, 0);
    struct gorca_dump *b = parse_str(new_in, GORCA_OK, NULL, 0);
    struct gorca_dump_diff *diff = NULL;
    struct gorca_error err;

    ASSERT_TRUE(a && b);
    gorca_error_init(&err, NULL);
    ASSERT_EQ_INT(gorca_dump_compare(a, b, &diff, &err), GORCA_OK);
    /* offsets differ (+0x1/+0x2/+0x3) but function and line match: one key */
    ASSERT_EQ_U64(diff->n_deltas, 3);
    ASSERT_EQ_INT(diff->deltas[0].delta, 2);
    ASSERT_EQ_U64(diff->deltas[0].old_count, 1);
    ASSERT_EQ_U64(diff->deltas[0].new_count, 3);
    ASSERT_STREQ(diff->deltas[0].new_group->reason, "chan receive");
    ASSERT_EQ_INT(diff->deltas[1].delta, 0);
    ASSERT_EQ_INT(diff->deltas[2].delta, -1);
    ASSERT_TRUE(diff->deltas[2].new_group == NULL);
    ASSERT_EQ_U64(diff->old_total, 3);
    ASSERT_EQ_U64(diff->new_total, 4);
    ASSERT_EQ_INT(diff->class_delta[GORCA_WAIT_CHANNEL], 2);
    ASSERT_EQ_INT(diff->class_delta[GORCA_WAIT_SLEEP], -1);
    gorca_dump_diff_free(diff);
    gorca_dump_free(a);
    gorca_dump_free(b);
}

TEST_MAIN({
    RUN(sniff_table);
    RUN(cgo_unavailable_scan);
    RUN(log_prefix_crash);
    RUN(crlf_and_old_created_by);
    RUN(grouping_and_order);
    RUN(error_table);
    RUN(limits);
    RUN(compare_growth);
})
