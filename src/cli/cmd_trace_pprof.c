/* `gorca trace pprof --type TYPE TRACE -o OUT.pb.gz`: a blocking profile of the trace as a
 * pprof file, stack for stack what Go 1.26's `go tool trace -pprof=TYPE` writes (net, sync,
 * syscall, sched), plus gorca's sleep, gc and other classes; --whole adds the waits go tool
 * trace leaves out. --json prints the class' share of all waiting and its top frames instead. */
#include <inttypes.h>
#include <string.h>
#include <unistd.h>
#include "cmd_trace_an.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: gorca trace pprof --type=TYPE [<options>] TRACE -o OUT.pb.gz\n\n"
               "Writes the blocking profile of one wait class as a gzip'd pprof file for go tool\n"
               "pprof: where goroutines started waiting (contentions/count, delay/nanoseconds).\n"
               "Equal, stack for stack, to Go 1.26's `go tool trace -pprof=TYPE`.\n\n"
               "  --type=TYPE      net (network wait), sync (mutex, channel, select, cond,\n"
               "                   WaitGroup), syscall, sched (waiting for a P after becoming\n"
               "                   runnable); also sleep, gc, other\n"
               "  --whole          add the waits go tool trace leaves out: under way when the\n"
               "                   trace began or ended, or before a goroutine first ran\n"
               "                   (a request stuck in one call for the whole trace)\n"
               "  --raw            uncompressed protobuf (as go tool trace writes it)\n"
               "  --json           print the class' totals and top frames instead\n"
               "  -o, --output=F   the profile file (required when stdout is a terminal)\n"
               "  --compat=1.NN    Sync placement of Go 1.NN's reader (default 1.26)\n"
               "  --top=N          top frames with --json (default 20)\n");
}

void an_cli_blocking_text(struct gorca_buf *b, const struct gorca_analysis *an, size_t top)
{
    int c;
    size_t i;
    char d[3][16], nm[96];
    int64_t all = 0;

    for (c = 0; c < GORCA_BLOCK_N; c++)
        all += gorca_analysis_blocking(an, (enum gorca_block_class)c)->total_ns;
    gorca_buf_printf(b, "%-8s %9s %7s %8s %11s %7s %10s\n", "CLASS", "WAIT", "SHARE", "WAITS",
                     "APP WAIT", "SHARE", "UNCOUNTED");
    for (c = 0; c < GORCA_BLOCK_N; c++) {
        const struct gorca_block_profile *p =
            gorca_analysis_blocking(an, (enum gorca_block_class)c);
        const struct gorca_block_profile *u =
            gorca_analysis_uncounted(an, (enum gorca_block_class)c);
        gorca_buf_printf(b, "%-8s %9s %7s %8" PRIu64 " %11s %7s", gorca_block_class_name(p->cls),
                         an_dur(d[0], 16, p->total_ns),
                         an_pct(d[1], 16, (double)p->total_ns, (double)all), p->count,
                         an_dur(d[2], 16, p->user_total_ns), an_pct(nm, 16, p->user_share, 1));
        gorca_buf_printf(b, " %10s\n", an_dur(d[0], 16, u->user_total_ns));
    }
    gorca_buf_puts(b,
                   "(APP: application goroutines, without the runtime's and runtime/trace's;\n"
                   " UNCOUNTED: their waits go tool trace leaves out, under way when the trace\n"
                   " began or ended or before a goroutine first ran: gorca trace pprof --whole)\n");
    for (c = 0; c < GORCA_BLOCK_N; c++) {
        const struct gorca_block_profile *p =
            gorca_analysis_blocking(an, (enum gorca_block_class)c);
        if (p->n_top == 0 || c == GORCA_BLOCK_OTHER)
            continue;
        gorca_buf_printf(b, "\ntop frames, %s (share of all waiting)\n%9s %7s %9s %7s  %s\n",
                         gorca_block_class_name(p->cls), "FLAT", "FLAT%", "CUM", "CUM%",
                         "FUNCTION");
        for (i = 0; i < p->n_top && i < top; i++)
            gorca_buf_printf(b, "%9s %7s %9s %7s  %s\n", an_dur(d[0], 16, p->top[i].flat_ns),
                             an_pct(d[1], 16, (double)p->top[i].flat_ns, (double)all),
                             an_dur(d[2], 16, p->top[i].cum_ns),
                             an_pct(nm, 16, (double)p->top[i].cum_ns, (double)all), p->top[i].func);
    }
}

static int parse_type(const char *s, enum gorca_block_class *out)
{
    int c;

    for (c = 0; c < GORCA_BLOCK_N; c++) {
        if (strcmp(s, gorca_block_class_name((enum gorca_block_class)c)) == 0) {
            *out = (enum gorca_block_class)c;
            return 0;
        }
    }
    return -1;
}

int cmd_trace_pprof(int argc, char **argv)
{
    static const struct option opts[] = { { "type", required_argument, NULL, 't' },
                                          { "raw", no_argument, NULL, 'r' },
                                          { "whole", no_argument, NULL, 'W' },
                                          AN_CLI_COMMON_OPTS };
    struct an_cli c;
    struct gorca_analysis *an;
    struct gorca_error err;
    struct gorca_buf b;
    enum gorca_status st;
    enum gorca_block_class cls = GORCA_BLOCK_N;
    int ch, rc, raw = 0, whole = 0;

    an_cli_init(&c, "trace pprof");
    c.opt.keep_goroutine_rows = 0;
    c.out = NULL;
    c.opt.compat_go = 26;
    while ((ch = getopt_long(argc, argv, "ho:t:", opts, NULL)) != -1) {
        switch (ch) {
        case 't':
            if (parse_type(optarg, &cls) != 0)
                return cli_usage_error(c.cmd,
                                       "unknown --type '%s' (net, sync, syscall, sched, "
                                       "sleep, gc, other)",
                                       optarg);
            break;
        case 'r':
            raw = 1;
            break;
        case 'W':
            whole = 1;
            break;
        case 'h':
            usage(stdout);
            return CLI_EXIT_OK;
        default:
            if ((rc = an_cli_common(&c, ch, optarg)) != 0)
                return rc;
        }
    }
    if (cls == GORCA_BLOCK_N)
        return cli_usage_error(c.cmd, "--type is required");
    if ((rc = an_cli_operand(&c, argc, argv)) != 0)
        return rc;
    if (c.out == NULL) {
        if (!c.json && isatty(STDOUT_FILENO))
            return cli_usage_error(c.cmd, "refusing to write a binary profile to a terminal; "
                                          "use -o FILE");
        c.out = "-";
    }
    if ((rc = an_cli_run(&c, &an, &st, &err)) != 0)
        return rc;
    gorca_buf_init(&b, 0);
    if (c.json) {
        an_cli_json(&c, an, GORCA_AN_JSON_BLOCKING, &b);
    } else {
        struct gorca_error werr;
        gorca_error_init(&werr, c.out);
        if ((whole ? gorca_analysis_write_pprof_whole(an, cls, raw ? 0 : 6, &b, &werr)
                   : gorca_analysis_write_pprof(an, cls, raw ? 0 : 6, &b, &werr)) != GORCA_OK) {
            cli_error_gorca(&werr);
            gorca_buf_release(&b);
            gorca_analysis_free(an);
            return cli_exit_for(werr.code);
        }
    }
    return an_cli_finish(&c, &b, an, st, &err);
}
