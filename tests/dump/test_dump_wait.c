/* Tests for src/dump/wait.c: every status word and wait reason of Go 1.21-1.26
 * (gStatusStrings and waitReasonStrings in runtime/runtime2.go of each installed release) maps
 * to its class; class names round-trip; wait reasons are inferred from frames for debug=1 and
 * proto input; function-name helpers. */
#include "test.h"
#include "gorca/dump.h"

TEST(reason_classes)
{
    static const struct {
        const char *reason;
        enum gorca_wait_class cls;
    } cases[] = {
        { "running", GORCA_WAIT_RUNNING },
        { "runnable", GORCA_WAIT_RUNNABLE },
        { "preempted", GORCA_WAIT_RUNNABLE },
        { "syscall", GORCA_WAIT_SYSCALL },
        { "waiting for cgo callback", GORCA_WAIT_SYSCALL },
        { "idle", GORCA_WAIT_OTHER },
        { "waiting", GORCA_WAIT_OTHER },
        { "dead", GORCA_WAIT_OTHER },
        { "copystack", GORCA_WAIT_OTHER },
        { "leaked", GORCA_WAIT_OTHER },
        { "???", GORCA_WAIT_OTHER },
        { "IO wait", GORCA_WAIT_NETWORK },
        { "chan receive (nil chan)", GORCA_WAIT_CHANNEL },
        { "chan send (nil chan)", GORCA_WAIT_CHANNEL },
        { "chan receive", GORCA_WAIT_CHANNEL },
        { "chan send", GORCA_WAIT_CHANNEL },
        { "select", GORCA_WAIT_SELECT },
        { "select (no cases)", GORCA_WAIT_SELECT },
        { "semacquire", GORCA_WAIT_SYNC },
        { "sync.Cond.Wait", GORCA_WAIT_SYNC },
        { "sync.Mutex.Lock", GORCA_WAIT_SYNC },
        { "sync.RWMutex.RLock", GORCA_WAIT_SYNC },
        { "sync.RWMutex.Lock", GORCA_WAIT_SYNC },
        { "sync.WaitGroup.Wait", GORCA_WAIT_SYNC },
        { "sleep", GORCA_WAIT_SLEEP },
        { "GC assist marking", GORCA_WAIT_GC },
        { "GC assist wait", GORCA_WAIT_GC },
        { "GC sweep wait", GORCA_WAIT_GC },
        { "GC scavenge wait", GORCA_WAIT_GC },
        { "finalizer wait", GORCA_WAIT_GC },
        { "force gc (idle)", GORCA_WAIT_GC },
        { "wait for GC cycle", GORCA_WAIT_GC },
        { "GC worker (idle)", GORCA_WAIT_GC },
        { "GC worker (active)", GORCA_WAIT_GC },
        { "GC weak to strong wait", GORCA_WAIT_GC },
        { "GC mark termination", GORCA_WAIT_GC },
        { "garbage collection", GORCA_WAIT_GC },
        { "garbage collection scan", GORCA_WAIT_GC },
        { "cleanup wait", GORCA_WAIT_GC },
        { "dumping heap", GORCA_WAIT_OTHER },
        { "panicwait", GORCA_WAIT_OTHER },
        { "trace reader (blocked)", GORCA_WAIT_OTHER },
        { "preempted", GORCA_WAIT_RUNNABLE },
        { "debug call", GORCA_WAIT_OTHER },
        { "stopping the world", GORCA_WAIT_OTHER },
        { "flushing proc caches", GORCA_WAIT_OTHER },
        { "trace goroutine status", GORCA_WAIT_OTHER },
        { "trace proc status", GORCA_WAIT_OTHER },
        { "page trace flush", GORCA_WAIT_OTHER },
        { "coroutine", GORCA_WAIT_OTHER },
        { "synctest.Run", GORCA_WAIT_OTHER },
        { "synctest.Wait", GORCA_WAIT_OTHER },
        { "GOMAXPROCS updater (idle)", GORCA_WAIT_OTHER },
        { "unknown wait reason", GORCA_WAIT_OTHER },
        { "", GORCA_WAIT_OTHER },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        test_name_now = cases[i].reason;
        ASSERT_STREQ(gorca_wait_class_name(gorca_wait_reason_class(cases[i].reason)),
                     gorca_wait_class_name(cases[i].cls));
    }
    test_name_now = "reason_classes";
}

TEST(class_names)
{
    for (int c = 0; c < GORCA_WAIT_N_CLASSES; c++) {
        enum gorca_wait_class back;

        ASSERT_EQ_INT(gorca_wait_class_parse(gorca_wait_class_name(c), &back), 0);
        ASSERT_EQ_INT(back, c);
    }
    {
        enum gorca_wait_class back = GORCA_WAIT_OTHER;

        ASSERT_EQ_INT(gorca_wait_class_parse("NETWORK", &back), 0);
        ASSERT_EQ_INT(back, GORCA_WAIT_NETWORK);
        ASSERT_EQ_INT(gorca_wait_class_parse("io", &back), -1);
        ASSERT_STREQ(gorca_wait_class_name((enum gorca_wait_class)99), "other");
    }
}

/* Frames as a proto or debug=1 dump would give them, leaf first. */
static enum gorca_wait_class infer(const char *const *funcs, uint32_t hidden, const char **r)
{
    struct gorca_dump_frame fr[16];
    const struct gorca_dump_frame *p[16];
    uint32_t n = 0;

    for (; funcs[n] && n < 16; n++) {
        memset(&fr[n], 0, sizeof(fr[n]));
        fr[n].func = funcs[n];
        fr[n].file = "";
        p[n] = &fr[n];
    }
    return gorca_dump_infer_wait(p, n, hidden, r);
}

TEST(infer_table)
{
    static const struct {
        const char *funcs[8];
        uint32_t hidden;
        const char *reason;
        enum gorca_wait_class cls;
    } cases[] = {
        { { "runtime.gopark", "runtime.chanrecv", "runtime.chanrecv1", "main.f" },
          0,
          "chan receive",
          GORCA_WAIT_CHANNEL },
        { { "runtime.gopark", "runtime.chansend", "runtime.chansend1", "main.f" },
          0,
          "chan send",
          GORCA_WAIT_CHANNEL },
        { { "runtime.gopark", "runtime.selectgo", "main.f" }, 0, "select", GORCA_WAIT_SELECT },
        { { "runtime.gopark", "runtime.block", "main.f" },
          0,
          "select (no cases)",
          GORCA_WAIT_SELECT },
        { { "runtime.gopark", "runtime.goparkunlock", "runtime.semacquire1",
            "internal/sync.runtime_SemacquireMutex", "internal/sync.(*Mutex).lockSlow" },
          0,
          "sync.Mutex.Lock",
          GORCA_WAIT_SYNC },
        { { "sync.runtime_SemacquireMutex", "sync.(*Mutex).lockSlow", "main.f" },
          0,
          "sync.Mutex.Lock",
          GORCA_WAIT_SYNC },
        { { "sync.runtime_SemacquireRWMutexR", "sync.(*RWMutex).RLock" },
          0,
          "sync.RWMutex.RLock",
          GORCA_WAIT_SYNC },
        { { "sync.runtime_SemacquireRWMutex", "sync.(*RWMutex).Lock" },
          0,
          "sync.RWMutex.Lock",
          GORCA_WAIT_SYNC },
        { { "sync.runtime_Semacquire", "sync.(*WaitGroup).Wait" },
          0,
          "semacquire",
          GORCA_WAIT_SYNC },
        { { "sync.runtime_SemacquireWaitGroup", "sync.(*WaitGroup).Wait" },
          0,
          "sync.WaitGroup.Wait",
          GORCA_WAIT_SYNC },
        { { "sync.runtime_notifyListWait", "sync.(*Cond).Wait" },
          0,
          "sync.Cond.Wait",
          GORCA_WAIT_SYNC },
        { { "time.Sleep", "main.f" }, 1, "sleep", GORCA_WAIT_SLEEP },
        { { "internal/poll.runtime_pollWait", "internal/poll.(*pollDesc).wait",
            "internal/poll.(*FD).Read", "net.(*netFD).Read", "net.(*conn).Read" },
          1,
          "IO wait",
          GORCA_WAIT_NETWORK },
        { { "internal/poll.runtime_pollWait", "internal/poll.(*FD).Read", "os.(*File).read",
            "os.(*File).Read", "main.f" },
          1,
          "IO wait",
          GORCA_WAIT_SYSCALL },
        { { "syscall.Syscall", "syscall.read", "syscall.Read", "main.f" },
          0,
          "syscall",
          GORCA_WAIT_SYSCALL },
        { { "internal/runtime/syscall.Syscall6", "syscall.RawSyscall6" },
          0,
          "syscall",
          GORCA_WAIT_SYSCALL },
        { { "runtime.gopark", "runtime.gcBgMarkWorker", "runtime.goexit" },
          0,
          "GC worker (idle)",
          GORCA_WAIT_GC },
        { { "runtime.gopark", "runtime.forcegchelper" }, 0, "force gc (idle)", GORCA_WAIT_GC },
        { { "iter.Pull[...].func1.1", "main.seq", "iter.Pull[...].func1" },
          1,
          "coroutine",
          GORCA_WAIT_OTHER },
        { { "runtime/pprof.writeRuntimeProfile", "runtime/pprof.writeGoroutine" },
          2,
          "running",
          GORCA_WAIT_RUNNING },
        /* debug=1 hid the runtime frames: their number tells select from channel ops */
        { { "main.(*box[...]).waitSelect" }, 2, "select", GORCA_WAIT_SELECT },
        { { "main.f" }, 3, "chan send/receive", GORCA_WAIT_CHANNEL },
        { { "main.f" }, 5, "waiting", GORCA_WAIT_OTHER },
        { { "main.f" }, 0, "running", GORCA_WAIT_RUNNING },
        { { "runtime.goexit" }, 0, "runnable", GORCA_WAIT_RUNNABLE },
        { { NULL }, 0, "runnable", GORCA_WAIT_RUNNABLE },
        { { NULL }, 1, "runnable", GORCA_WAIT_RUNNABLE },
        { { "runtime.gopark", "main.f" }, 0, "waiting", GORCA_WAIT_OTHER },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *r = NULL;
        enum gorca_wait_class c = infer(cases[i].funcs, cases[i].hidden, &r);

        test_name_now = cases[i].funcs[0] ? cases[i].funcs[0] : "(empty)";
        ASSERT_STREQ(r, cases[i].reason);
        ASSERT_STREQ(gorca_wait_class_name(c), gorca_wait_class_name(cases[i].cls));
    }
    test_name_now = "infer_table";
}

TEST(func_kinds)
{
    ASSERT_EQ_INT(gorca_dump_is_runtime_func("runtime.gopark"), 1);
    ASSERT_EQ_INT(gorca_dump_is_runtime_func("internal/runtime/syscall.Syscall6"), 1);
    ASSERT_EQ_INT(gorca_dump_is_runtime_func("panic"), 1);
    ASSERT_EQ_INT(gorca_dump_is_runtime_func("runtime/pprof.Do"), 0);
    ASSERT_EQ_INT(gorca_dump_is_std_func("net/http.(*conn).serve"), 1);
    ASSERT_EQ_INT(gorca_dump_is_std_func("sync.(*Mutex).Lock"), 1);
    ASSERT_EQ_INT(gorca_dump_is_std_func("main.main"), 0);
    ASSERT_EQ_INT(gorca_dump_is_std_func("main.(*server).hold"), 0);
    ASSERT_EQ_INT(gorca_dump_is_std_func("github.com/x/y.F"), 0);
    ASSERT_EQ_INT(gorca_dump_is_std_func("gopkg.in/yaml%2ev3.Unmarshal"), 0);
    ASSERT_EQ_INT(gorca_dump_is_std_func("example.com/names/sub%2ev2.Stack"), 0);
    ASSERT_EQ_INT(gorca_dump_is_std_func(""), 0);
}

TEST_MAIN({
    RUN(reason_classes);
    RUN(class_names);
    RUN(infer_table);
    RUN(func_kinds);
})
