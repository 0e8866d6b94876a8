/* The rule table: one rule per cause, in enum gorca_cause order. Each rule lives in its own
 * file (cause_<name>.c) with its claim on observations (which waits its mechanism explains)
 * and its evaluation (the finding it builds from the facts and the attribution). */
#include "diag_int.h"

const struct dg_rule *const dg_rules[GORCA_CAUSE_N] = {
    [GORCA_CAUSE_DNS_RESOLUTION] = &dg_rule_dns,
    [GORCA_CAUSE_MUTEX_CONTENTION] = &dg_rule_mutex,
    [GORCA_CAUSE_GC_STW] = &dg_rule_gc_stw,
    [GORCA_CAUSE_GC_ASSIST] = &dg_rule_gc_assist,
    [GORCA_CAUSE_NETPOLL_BLOCKING] = &dg_rule_netpoll,
    [GORCA_CAUSE_HANDLER_BLOCKING] = &dg_rule_handler,
    [GORCA_CAUSE_GOROUTINE_LEAK] = &dg_rule_leak,
    [GORCA_CAUSE_CHANNEL_BLOCKING] = &dg_rule_channel,
    [GORCA_CAUSE_TLS_HANDSHAKE] = &dg_rule_tls,
    [GORCA_CAUSE_SYSCALL_BLOCKING] = &dg_rule_syscall,
    [GORCA_CAUSE_SCHEDULER_LATENCY] = &dg_rule_sched,
    [GORCA_CAUSE_PANIC_RECOVERY] = &dg_rule_panic,
};
