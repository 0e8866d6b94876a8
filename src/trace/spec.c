/* The Go execution-trace event table (spec_table.h) and the names of kinds, types, states and
 * resources. */
#include "spec_table.h"

const struct tr_spec *const tr_specs = tr_spec_table;

static const char *const kind_names[GORCA_TRACE_KIND_COUNT] = {
    "Bad",         "Sync",        "Metric",   "Label",           "StackSample",
    "RangeBegin",  "RangeActive", "RangeEnd", "TaskBegin",       "TaskEnd",
    "RegionBegin", "RegionEnd",   "Log",      "StateTransition", "Experimental",
};

const char *gorca_trace_kind_name(enum gorca_trace_kind kind)
{
    if ((unsigned)kind >= GORCA_TRACE_KIND_COUNT)
        return "Bad";
    return kind_names[kind];
}

const char *gorca_trace_type_name(unsigned type)
{
    if (type == TR_EV_SYNC)
        return "Sync";
    if (type >= TR_N_SPECS || tr_specs[type].name == NULL)
        return "Invalid";
    return tr_specs[type].name;
}

const char *gorca_trace_go_state_name(unsigned state)
{
    static const char *const names[] = { "Undetermined", "NotExist", "Runnable",
                                         "Running",      "Waiting",  "Syscall" };

    return state < BASE_ARRAY_LEN(names) ? names[state] : "Bad";
}

const char *gorca_trace_proc_state_name(unsigned state)
{
    static const char *const names[] = { "Undetermined", "NotExist", "Running", "Idle" };

    return state < BASE_ARRAY_LEN(names) ? names[state] : "Bad";
}

const char *gorca_trace_resource_name(enum gorca_trace_resource res)
{
    static const char *const names[] = { "None", "Goroutine", "Proc", "Thread" };

    return (unsigned)res < BASE_ARRAY_LEN(names) ? names[res] : "Bad";
}
