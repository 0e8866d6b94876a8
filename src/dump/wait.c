/* Wait classes: the runtime's status words and wait reasons (pprof-formats.md §3.4, checked
 * against runtime2.go of Go 1.21-1.26) mapped to gorca's classes, and the inference of a
 * wait reason from the frames of inputs that record none (debug=1 text, protobuf). */
#include <strings.h>
#include "dump_int.h"

static const char *const class_names[GORCA_WAIT_N_CLASSES] = {
    [GORCA_WAIT_RUNNING] = "running", [GORCA_WAIT_RUNNABLE] = "runnable",
    [GORCA_WAIT_NETWORK] = "network", [GORCA_WAIT_CHANNEL] = "channel",
    [GORCA_WAIT_SELECT] = "select",   [GORCA_WAIT_SYNC] = "sync",
    [GORCA_WAIT_SLEEP] = "sleep",     [GORCA_WAIT_SYSCALL] = "syscall",
    [GORCA_WAIT_GC] = "gc",           [GORCA_WAIT_OTHER] = "other",
};

const char *gorca_wait_class_name(enum gorca_wait_class c)
{
    if ((unsigned)c >= GORCA_WAIT_N_CLASSES)
        return "other";
    return class_names[c];
}

int gorca_wait_class_parse(const char *name, enum gorca_wait_class *out)
{
    for (int i = 0; i < GORCA_WAIT_N_CLASSES; i++) {
        if (strcasecmp(name, class_names[i]) == 0) {
            *out = (enum gorca_wait_class)i;
            return 0;
        }
    }
    return -1;
}

/* Status words and wait reasons, exactly as printed. Strings not listed are "other":
 * idle, dead, copystack, waiting, ???, "stopping the world", "dumping heap", trace and
 * debugging reasons, coroutine, synctest.Run/Wait, "GOMAXPROCS updater (idle)". */
static const struct {
    const char *reason;
    enum gorca_wait_class cls;
} reasons[] = {
    { "running", GORCA_WAIT_RUNNING },
    { "runnable", GORCA_WAIT_RUNNABLE },
    { "preempted", GORCA_WAIT_RUNNABLE },
    { "IO wait", GORCA_WAIT_NETWORK },
    { "chan receive", GORCA_WAIT_CHANNEL },
    { "chan send", GORCA_WAIT_CHANNEL },
    { "chan receive (nil chan)", GORCA_WAIT_CHANNEL },
    { "chan send (nil chan)", GORCA_WAIT_CHANNEL },
    { "chan send/receive", GORCA_WAIT_CHANNEL }, /* inferred, see gorca_dump_infer_wait */
    { "select", GORCA_WAIT_SELECT },
    { "select (no cases)", GORCA_WAIT_SELECT },
    { "sync.Mutex.Lock", GORCA_WAIT_SYNC },
    { "sync.RWMutex.RLock", GORCA_WAIT_SYNC },
    { "sync.RWMutex.Lock", GORCA_WAIT_SYNC },
    { "sync.Cond.Wait", GORCA_WAIT_SYNC },
    { "sync.WaitGroup.Wait", GORCA_WAIT_SYNC },
    { "semacquire", GORCA_WAIT_SYNC },
    { "sleep", GORCA_WAIT_SLEEP },
    { "syscall", GORCA_WAIT_SYSCALL },
    { "waiting for cgo callback", GORCA_WAIT_SYSCALL },
    { "GC assist wait", GORCA_WAIT_GC },
    { "GC assist marking", GORCA_WAIT_GC },
    { "wait for GC cycle", GORCA_WAIT_GC },
    { "GC weak to strong wait", GORCA_WAIT_GC },
    { "GC worker (idle)", GORCA_WAIT_GC },
    { "GC worker (active)", GORCA_WAIT_GC },
    { "GC sweep wait", GORCA_WAIT_GC },
    { "GC scavenge wait", GORCA_WAIT_GC },
    { "force gc (idle)", GORCA_WAIT_GC },
    { "finalizer wait", GORCA_WAIT_GC },
    { "cleanup wait", GORCA_WAIT_GC },
    { "garbage collection", GORCA_WAIT_GC },
    { "garbage collection scan", GORCA_WAIT_GC },
    { "GC mark termination", GORCA_WAIT_GC },
};

enum gorca_wait_class gorca_wait_reason_class(const char *reason)
{
    for (size_t i = 0; i < BASE_ARRAY_LEN(reasons); i++)
        if (strcmp(reason, reasons[i].reason) == 0)
            return reasons[i].cls;
    return GORCA_WAIT_OTHER;
}

/* ---- function names ----------------------------------------------------------------------*/

int gorca_dump_is_runtime_func(const char *func)
{
    return strncmp(func, "runtime.", 8) == 0 || strncmp(func, "internal/runtime/", 17) == 0 ||
           strcmp(func, "panic") == 0;
}

int gorca_dump_is_std_func(const char *func)
{
    const char *slash = strchr(func, '/');
    const char *dot = strchr(func, '.');

    if (func[0] == '\0' || strcmp(func, "panic") == 0)
        return func[0] != '\0';
    if (strncmp(func, "main.", 5) == 0 || dot == NULL)
        return 0;
    /* The first path element of a non-standard import path contains a dot (a domain). */
    return slash == NULL || dot > slash;
}

/* ---- inference from frames ---------------------------------------------------------------*/

/* Functions that identify what a parked goroutine waits for, matched from the leaf down.
 * A trailing '*' matches a prefix. */
static const struct {
    const char *func;
    const char *reason;
} park_funcs[] = {
    { "runtime.chanrecv", "chan receive" },
    { "runtime.chanrecv1", "chan receive" },
    { "runtime.chanrecv2", "chan receive" },
    { "runtime.chansend", "chan send" },
    { "runtime.chansend1", "chan send" },
    { "runtime.selectgo", "select" },
    { "runtime.block", "select (no cases)" },
    { "sync.runtime_SemacquireMutex", "sync.Mutex.Lock" },
    { "internal/sync.runtime_SemacquireMutex", "sync.Mutex.Lock" },
    { "sync.runtime_SemacquireRWMutexR", "sync.RWMutex.RLock" },
    { "sync.runtime_SemacquireRWMutex", "sync.RWMutex.Lock" },
    { "sync.runtime_SemacquireWaitGroup", "sync.WaitGroup.Wait" },
    { "sync.runtime_Semacquire", "semacquire" },
    { "sync.runtime_notifyListWait", "sync.Cond.Wait" },
    { "internal/poll.runtime_pollWait", "IO wait" },
    { "runtime.netpollblock", "IO wait" },
    { "time.Sleep", "sleep" },
    { "syscall.Syscall", "syscall" },
    { "syscall.Syscall6", "syscall" },
    { "syscall.Syscall9", "syscall" },
    { "syscall.RawSyscall", "syscall" },
    { "syscall.RawSyscall6", "syscall" },
    { "syscall.syscall", "syscall" },
    { "internal/runtime/syscall.Syscall6", "syscall" },
    { "runtime/internal/syscall.Syscall6", "syscall" },
    { "runtime.cgocall", "syscall" },
    { "os/signal.signal_recv", "syscall" },
    { "runtime.gcBgMarkWorker", "GC worker (idle)" },
    { "runtime.bgsweep", "GC sweep wait" },
    { "runtime.bgscavenge", "GC scavenge wait" },
    { "runtime.forcegchelper", "force gc (idle)" },
    { "runtime.runfinq", "finalizer wait" },
    { "runtime.gcParkAssist", "GC assist wait" },
    { "runtime.gcAssistAlloc", "GC assist wait" },
    { "runtime.coroswitch", "coroutine" },
    { "iter.Pull*", "coroutine" },
    { "internal/synctest.Run", "synctest.Run" },
    { "internal/synctest.Wait", "synctest.Wait" },
    { "runtime.goroutineProfileWithLabels*", "running" },
    { "runtime/pprof.writeGoroutineStacks", "running" },
    { "runtime/pprof.writeRuntimeProfile", "running" },
    { "runtime.Stack", "running" },
    { "runtime.Gosched", "runnable" },
    { "runtime.goschedguarded", "runnable" },
    { "runtime.asyncPreempt", "runnable" },
};

static const char *park_reason(const char *func)
{
    for (size_t i = 0; i < BASE_ARRAY_LEN(park_funcs); i++) {
        const char *p = park_funcs[i].func;
        size_t n = strlen(p);

        if (p[n - 1] == '*' ? strncmp(func, p, n - 1) == 0 : strcmp(func, p) == 0)
            return park_funcs[i].reason;
    }
    return NULL;
}

static int on_stack(const struct gorca_dump_frame *const *frames, uint32_t n, const char *pfx)
{
    size_t k = strlen(pfx);

    for (uint32_t i = 0; i < n; i++)
        if (strncmp(frames[i]->func, pfx, k) == 0)
            return 1;
    return 0;
}

/* "IO wait" is the netpoller: network unless the waiting descriptor is a file or pipe. */
static enum gorca_wait_class refine(const char *reason, const struct gorca_dump_frame *const *f,
                                    uint32_t n)
{
    enum gorca_wait_class c = gorca_wait_reason_class(reason);

    if (c == GORCA_WAIT_NETWORK && !on_stack(f, n, "net.") && !on_stack(f, n, "net/") &&
        (on_stack(f, n, "os.") || on_stack(f, n, "os/")))
        return GORCA_WAIT_SYSCALL;
    return c;
}

enum gorca_wait_class dump_refine_class(const char *reason, const struct gorca_dump_stack *st)
{
    return refine(reason, st ? st->frames : NULL, st ? st->n_frames : 0);
}

enum gorca_wait_class gorca_dump_infer_wait(const struct gorca_dump_frame *const *frames,
                                            uint32_t n_frames, uint32_t hidden, const char **reason)
{
    const char *r = NULL;
    int parked = hidden > 0;

    for (uint32_t i = 0; i < n_frames && r == NULL; i++) {
        const char *f = frames[i]->func;

        r = park_reason(f);
        if (strcmp(f, "runtime.gopark") == 0 || strcmp(f, "runtime.goparkunlock") == 0)
            parked = 1;
    }
    if (r == NULL) {
        uint32_t real = 0;

        for (uint32_t i = 0; i < n_frames; i++)
            if (strcmp(frames[i]->func, "runtime.goexit") != 0)
                real++;
        if (real == 0 && hidden <= 1)
            r = "runnable"; /* created but not started: only runtime.goexit */
        else if (hidden == 2)
            r = "select"; /* debug=1 hid runtime.gopark + runtime.selectgo/block */
        else if (hidden == 3)
            r = "chan send/receive"; /* gopark + chanrecv/chansend + chanrecv1/2|chansend1 */
        else
            r = parked ? "waiting" : "running";
    }
    *reason = r;
    return refine(r, frames, n_frames);
}

void dump_infer_group(struct gorca_dump_group *g, uint32_t hidden)
{
    const char *r;

    g->wait_class = gorca_dump_infer_wait(g->stack->frames, g->stack->n_frames, hidden, &r);
    g->reason = r;
    g->reason_inferred = 1;
}
