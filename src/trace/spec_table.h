/* The Go execution-trace event table (go-trace-format.md §3.2-§3.3): for every wire type its
 * name, argument count and names (the text form's), whether it is timed, the event kind the
 * reader reports, which arguments are stack and string ids, and the Begin type of End/Active
 * events. Types 0-52 are the Go 1.22-1.26 formats; 128-136 the AllocFree experiment.
 * Included by spec.c, which publishes it as tr_specs, and by order.c, whose per-type fast
 * paths read it with constant indices, so the compiler folds the entries in. */
#ifndef GORCA_TRACE_SPEC_TABLE_H
#define GORCA_TRACE_SPEC_TABLE_H

#include "trace_int.h"

#define K(k) GORCA_TRACE_##k
#define T(nm, n, kd, st, sarg, smask, strmask, ...)                                        \
    {                                                                                      \
        .name = nm, .nargs = n, .timed = 1, .kind = kd, .start_ev = st, .stack_arg = sarg, \
        .stack_mask = smask, .string_mask = strmask, .arg_names = {                        \
            __VA_ARGS__                                                                    \
        }                                                                                  \
    }
#define S(nm, n, ...)                                                                     \
    {                                                                                     \
        .name = nm, .nargs = n, .timed = 0, .stack_arg = -1, .arg_names = { __VA_ARGS__ } \
    }

static const struct tr_spec tr_spec_table[TR_N_SPECS] = {
    [1] = S("EventBatch", 4, "gen", "m", "time", "size"),
    [2] = S("Stacks", 0, NULL),
    [3] = S("Stack", 2, "id", "nframes"),
    [4] = S("Strings", 0, NULL),
    [5] = S("String", 1, "id"),
    [6] = S("CPUSamples", 0, NULL),
    [7] = S("CPUSample", 5, "time", "m", "p", "g", "stack"),
    [8] = S("Frequency", 1, "freq"),
    [9] = T("ProcsChange", 3, K(METRIC), 0, 1, 0x2, 0, "dt", "procs_value", "stack"),
    [10] = T("ProcStart", 3, K(STATE_TRANSITION), 0, -1, 0, 0, "dt", "p", "p_seq"),
    [11] = T("ProcStop", 1, K(STATE_TRANSITION), 0, -1, 0, 0, "dt"),
    [12] = T("ProcSteal", 4, K(STATE_TRANSITION), 0, -1, 0, 0, "dt", "p", "p_seq", "m"),
    [13] = T("ProcStatus", 3, K(STATE_TRANSITION), 0, -1, 0, 0, "dt", "p", "pstatus"),
    [14] = T("GoCreate", 4, K(STATE_TRANSITION), 0, 2, 0x6, 0, "dt", "new_g", "new_stack", "stack"),
    [15] = T("GoCreateSyscall", 2, K(STATE_TRANSITION), 0, -1, 0, 0, "dt", "new_g"),
    [16] = T("GoStart", 3, K(STATE_TRANSITION), 0, -1, 0, 0, "dt", "g", "g_seq"),
    [17] = T("GoDestroy", 1, K(STATE_TRANSITION), 0, -1, 0, 0, "dt"),
    [18] = T("GoDestroySyscall", 1, K(STATE_TRANSITION), 0, -1, 0, 0, "dt"),
    [19] = T("GoStop", 3, K(STATE_TRANSITION), 0, 1, 0x2, 0x1, "dt", "reason_string", "stack"),
    [20] = T("GoBlock", 3, K(STATE_TRANSITION), 0, 1, 0x2, 0x1, "dt", "reason_string", "stack"),
    [21] = T("GoUnblock", 4, K(STATE_TRANSITION), 0, 2, 0x4, 0, "dt", "g", "g_seq", "stack"),
    [22] = T("GoSyscallBegin", 3, K(STATE_TRANSITION), 0, 1, 0x2, 0, "dt", "p_seq", "stack"),
    [23] = T("GoSyscallEnd", 1, K(STATE_TRANSITION), 22, -1, 0, 0, "dt"),
    [24] = T("GoSyscallEndBlocked", 1, K(STATE_TRANSITION), 22, -1, 0, 0, "dt"),
    [25] = T("GoStatus", 4, K(STATE_TRANSITION), 0, -1, 0, 0, "dt", "g", "m", "gstatus"),
    [26] = T("STWBegin", 3, K(RANGE_BEGIN), 0, 1, 0x2, 0x1, "dt", "kind_string", "stack"),
    [27] = T("STWEnd", 1, K(RANGE_END), 26, -1, 0, 0, "dt"),
    [28] = T("GCActive", 2, K(RANGE_ACTIVE), 29, -1, 0, 0, "dt", "gc_seq"),
    [29] = T("GCBegin", 3, K(RANGE_BEGIN), 0, 1, 0x2, 0, "dt", "gc_seq", "stack"),
    [30] = T("GCEnd", 2, K(RANGE_END), 29, -1, 0, 0, "dt", "gc_seq"),
    [31] = T("GCSweepActive", 2, K(RANGE_ACTIVE), 32, -1, 0, 0, "dt", "p"),
    [32] = T("GCSweepBegin", 2, K(RANGE_BEGIN), 0, 0, 0x1, 0, "dt", "stack"),
    [33] = T("GCSweepEnd", 3, K(RANGE_END), 32, -1, 0, 0, "dt", "swept_value", "reclaimed_value"),
    [34] = T("GCMarkAssistActive", 2, K(RANGE_ACTIVE), 35, -1, 0, 0, "dt", "g"),
    [35] = T("GCMarkAssistBegin", 2, K(RANGE_BEGIN), 0, 0, 0x1, 0, "dt", "stack"),
    [36] = T("GCMarkAssistEnd", 1, K(RANGE_END), 35, -1, 0, 0, "dt"),
    [37] = T("HeapAlloc", 2, K(METRIC), 0, -1, 0, 0, "dt", "heapalloc_value"),
    [38] = T("HeapGoal", 2, K(METRIC), 0, -1, 0, 0, "dt", "heapgoal_value"),
    [39] = T("GoLabel", 2, K(LABEL), 0, -1, 0, 0x1, "dt", "label_string"),
    [40] = T("UserTaskBegin", 5, K(TASK_BEGIN), 0, 3, 0x8, 0x4, "dt", "task", "parent_task",
             "name_string", "stack"),
    [41] = T("UserTaskEnd", 3, K(TASK_END), 0, 1, 0x2, 0, "dt", "task", "stack"),
    [42] = T("UserRegionBegin", 4, K(REGION_BEGIN), 0, 2, 0x4, 0x2, "dt", "task", "name_string",
             "stack"),
    [43] =
        T("UserRegionEnd", 4, K(REGION_END), 42, 2, 0x4, 0x2, "dt", "task", "name_string", "stack"),
    [44] = T("UserLog", 5, K(LOG), 0, 3, 0x8, 0x6, "dt", "task", "key_string", "value_string",
             "stack"),
    [45] = T("GoSwitch", 3, K(STATE_TRANSITION), 0, -1, 0, 0, "dt", "g", "g_seq"),
    [46] = T("GoSwitchDestroy", 3, K(STATE_TRANSITION), 0, -1, 0, 0, "dt", "g", "g_seq"),
    [47] = T("GoCreateBlocked", 4, K(STATE_TRANSITION), 0, 2, 0x6, 0, "dt", "new_g", "new_stack",
             "stack"),
    [48] = T("GoStatusStack", 5, K(STATE_TRANSITION), 0, 3, 0x8, 0, "dt", "g", "m", "gstatus",
             "stack"),
    [49] = S("ExperimentalBatch", 4, "exp", "gen", "m", "time"),
    [50] = S("Sync", 0, NULL),
    [51] = T("ClockSnapshot", 4, 0, 0, -1, 0, 0, "dt", "mono", "sec", "nsec"),
    [52] = S("EndOfGeneration", 0, NULL),
    [128] = T("Span", 4, K(EXPERIMENTAL), 0, -1, 0, 0, "dt", "id", "npages_value", "kindclass"),
    [129] =
        T("SpanAlloc", 4, K(EXPERIMENTAL), 0, -1, 0, 0, "dt", "id", "npages_value", "kindclass"),
    [130] = T("SpanFree", 2, K(EXPERIMENTAL), 0, -1, 0, 0, "dt", "id"),
    [131] = T("HeapObject", 3, K(EXPERIMENTAL), 0, -1, 0, 0, "dt", "id", "type"),
    [132] = T("HeapObjectAlloc", 3, K(EXPERIMENTAL), 0, -1, 0, 0, "dt", "id", "type"),
    [133] = T("HeapObjectFree", 2, K(EXPERIMENTAL), 0, -1, 0, 0, "dt", "id"),
    [134] = T("GoroutineStack", 3, K(EXPERIMENTAL), 0, -1, 0, 0, "dt", "id", "order"),
    [135] = T("GoroutineStackAlloc", 3, K(EXPERIMENTAL), 0, -1, 0, 0, "dt", "id", "order"),
    [136] = T("GoroutineStackFree", 2, K(EXPERIMENTAL), 0, -1, 0, 0, "dt", "id"),
};

#undef K
#undef T
#undef S

#endif
