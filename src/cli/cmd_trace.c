/* `gorca trace <subcommand> TRACE`: dispatch over trace_commands.def, the helpers shared by
 * the trace subcommands, and the two reader-level subcommands: `stats` (a summary of the whole
 * trace) and `events` (the ordered event stream as a table, JSON, or Go's -d=parsed text). */
#include <getopt.h>
#include <inttypes.h>
#include <string.h>
#include "cmd_trace.h"
#include "base/json.h"

static const struct cli_command trace_commands[] = {
#define TRACE_CMD(name, summary) { #name, cmd_trace_##name, summary },
#include "trace_commands.def"
#undef TRACE_CMD
};

static void trace_usage(FILE *f)
{
    size_t i;

    fprintf(f, "usage: gorca trace <subcommand> [<options>] TRACE\n\n"
               "Reads a Go execution trace (runtime/trace, /debug/pprof/trace; Go 1.22-1.26).\n\n"
               "subcommands:\n");
    for (i = 0; i < sizeof(trace_commands) / sizeof(trace_commands[0]); i++)
        fprintf(f, "  %-12s %s\n", trace_commands[i].name, trace_commands[i].summary);
    fprintf(f, "\nrun 'gorca trace <subcommand> --help' for its options\n");
}

int cmd_trace(int argc, char **argv)
{
    size_t i;

    if (argc < 2) {
        trace_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        trace_usage(stdout);
        return CLI_EXIT_OK;
    }
    for (i = 0; i < sizeof(trace_commands) / sizeof(trace_commands[0]); i++)
        if (strcmp(argv[1], trace_commands[i].name) == 0)
            return trace_commands[i].run(argc - 1, argv + 1);
    return cli_usage_error("trace", "'%s' is not a trace subcommand", argv[1]);
}

/* ---- shared helpers ---------------------------------------------------------------------- */

int cli_trace_open(const char *path, const struct gorca_trace_options *opt, struct gorca_trace **tr)
{
    struct gorca_error err;

    gorca_error_init(&err, path);
    if (gorca_trace_open_file(path, opt, tr, &err) != GORCA_OK) {
        cli_error_gorca(&err);
        return cli_exit_for(err.code);
    }
    return 0;
}

int cli_trace_open_operand(const char *cmd, int argc, char **argv,
                           const struct gorca_trace_options *opt, struct gorca_trace **tr)
{
    int rc;

    if (optind != argc - 1)
        return cli_usage_error(cmd, "expected one TRACE file");
    rc = cli_bundle_member(&argv[optind], GORCA_INPUT_TRACE);
    if (rc)
        return rc;
    return cli_trace_open(argv[optind], opt, tr);
}

int cli_trace_finish(enum gorca_status st, const struct gorca_error *err)
{
    if (st == GORCA_OK)
        return CLI_EXIT_OK;
    if (st == GORCA_E_TRUNCATED) {
        cli_warn_gorca(err);
        cli_note("note: the trace is cut short; the output covers everything before the cut");
        return CLI_EXIT_OK;
    }
    cli_error_gorca(err);
    return cli_exit_for(st);
}

void cli_fmt_duration(char *out, size_t n, int64_t ns)
{
    double v = (double)ns;

    if (ns < 0)
        snprintf(out, n, "-");
    else if (ns < 1000)
        snprintf(out, n, "%" PRId64 "ns", ns);
    else if (ns < 1000000)
        snprintf(out, n, "%.3gµs", v / 1e3);
    else if (ns < 1000000000)
        snprintf(out, n, "%.4gms", v / 1e6);
    else
        snprintf(out, n, "%.6gs", v / 1e9);
}

static int parse_sync(const char *cmd, const char *s, struct gorca_trace_options *opt)
{
    if (strcmp(s, "start") == 0)
        opt->sync_mode = GORCA_TRACE_SYNC_AT_START;
    else if (strcmp(s, "end") == 0)
        opt->sync_mode = GORCA_TRACE_SYNC_AT_END;
    else
        return cli_usage_error(cmd, "--sync must be 'start' or 'end', not '%s'", s);
    return 0;
}

/* ---- gorca trace stats -------------------------------------------------------------------- */

static void stats_usage(FILE *f)
{
    fprintf(f, "usage: gorca trace stats [--json] TRACE\n\n"
               "Reads the whole trace (ordering and validating it as go tool trace does) and\n"
               "prints its version, duration, generations, event counts by kind and type,\n"
               "goroutines created and ended, procs, threads, GC cycles, stop-the-world pauses\n"
               "and CPU samples.\n\n"
               "  --json         JSON output\n"
               "  --sync=MODE    where generation Sync events go: start (Go 1.25+ reader,\n"
               "                 default) or end (Go 1.22-1.24 reader)\n");
}

static const char *version_note(int v)
{
    switch (v) {
    case 22:
        return "written by Go 1.22";
    case 23:
        return "written by Go 1.23 or 1.24";
    case 25:
        return "written by Go 1.25";
    case 26:
        return "written by Go 1.26";
    default:
        return "";
    }
}

static void stats_json(struct gorca_buf *b, const char *path, const struct gorca_trace_stats *st,
                       enum gorca_status rc, const struct gorca_error *err)
{
    struct jw w;
    unsigned i;

    jw_init(&w, b, 2);
    jw_obj(&w);
    jw_kstr(&w, "trace", path);
    jw_key(&w, "go_version");
    {
        char v[16];

        snprintf(v, sizeof(v), "1.%d", st->go_version);
        jw_str(&w, v);
    }
    jw_ku64(&w, "size_bytes", st->size_bytes);
    jw_kbool(&w, "complete", rc == GORCA_OK);
    jw_key(&w, "error");
    if (rc == GORCA_OK) {
        jw_null(&w);
    } else {
        char text[512];

        gorca_error_format(err, text, sizeof(text));
        jw_str(&w, text);
    }
    jw_ku64(&w, "generations", st->generations);
    jw_ku64(&w, "first_generation", st->first_gen);
    jw_ku64(&w, "last_generation", st->last_gen);
    jw_ki64(&w, "start_ns", st->start_ns);
    jw_ki64(&w, "end_ns", st->end_ns);
    jw_ki64(&w, "duration_ns", st->duration_ns);
    jw_ku64(&w, "events", st->events);
    jw_key(&w, "events_by_kind");
    jw_obj(&w);
    for (i = 1; i < GORCA_TRACE_KIND_COUNT; i++)
        if (st->by_kind[i])
            jw_ku64(&w, gorca_trace_kind_name((enum gorca_trace_kind)i), st->by_kind[i]);
    jw_end(&w);
    jw_key(&w, "events_by_type");
    jw_obj(&w);
    for (i = 0; i < 256; i++)
        if (st->by_type[i])
            jw_ku64(&w, gorca_trace_type_name(i), st->by_type[i]);
    jw_end(&w);
    jw_key(&w, "goroutines");
    jw_obj(&w);
    jw_ku64(&w, "created", st->goroutines_created);
    jw_ku64(&w, "ended", st->goroutines_ended);
    jw_ku64(&w, "seen", st->goroutines_seen);
    jw_end(&w);
    jw_ku64(&w, "procs", st->procs);
    jw_ku64(&w, "max_gomaxprocs", st->max_gomaxprocs);
    jw_ku64(&w, "threads", st->threads);
    jw_ku64(&w, "gc_cycles", st->gc_cycles);
    jw_key(&w, "stw");
    jw_obj(&w);
    jw_ku64(&w, "count", st->stw_count);
    jw_ki64(&w, "total_ns", st->stw_total_ns);
    jw_ki64(&w, "max_ns", st->stw_max_ns);
    jw_ku64(&w, "gc_count", st->stw_gc_count);
    jw_ki64(&w, "gc_total_ns", st->stw_gc_total_ns);
    jw_end(&w);
    jw_ku64(&w, "cpu_samples", st->cpu_samples);
    jw_ku64(&w, "tasks", st->tasks);
    jw_ku64(&w, "regions", st->regions);
    jw_ku64(&w, "logs", st->logs);
    jw_ku64(&w, "peak_generation_bytes", st->peak_generation_bytes);
    jw_end(&w);
}

static void stats_text(struct gorca_buf *b, const char *path, const struct gorca_trace_stats *st)
{
    char d1[32], d2[32], d3[32];
    unsigned i;

    gorca_buf_printf(b, "trace            %s\n", path);
    gorca_buf_printf(b, "format           go 1.%d (%s)\n", st->go_version,
                     version_note(st->go_version));
    if (st->size_bytes)
        gorca_buf_printf(b, "size             %" PRIu64 " bytes\n", st->size_bytes);
    cli_fmt_duration(d1, sizeof(d1), st->duration_ns);
    gorca_buf_printf(b, "duration         %s\n", d1);
    gorca_buf_printf(b, "generations      %" PRIu64, st->generations);
    if (st->generations)
        gorca_buf_printf(b, " (%" PRIu64 "..%" PRIu64 ")", st->first_gen, st->last_gen);
    gorca_buf_printf(b, "\nevents           %" PRIu64 "\n", st->events);
    for (i = 1; i < GORCA_TRACE_KIND_COUNT; i++)
        if (st->by_kind[i])
            gorca_buf_printf(b, "  %-16s %" PRIu64 "\n",
                             gorca_trace_kind_name((enum gorca_trace_kind)i), st->by_kind[i]);
    gorca_buf_printf(b, "event types\n");
    for (i = 0; i < 256; i++)
        if (st->by_type[i])
            gorca_buf_printf(b, "  %-20s %" PRIu64 "\n", gorca_trace_type_name(i), st->by_type[i]);
    gorca_buf_printf(b,
                     "goroutines       %" PRIu64 " created, %" PRIu64 " ended, %" PRIu64 " seen\n",
                     st->goroutines_created, st->goroutines_ended, st->goroutines_seen);
    gorca_buf_printf(b, "procs (Ps)       %" PRIu64 " (GOMAXPROCS up to %" PRIu64 ")\n", st->procs,
                     st->max_gomaxprocs);
    gorca_buf_printf(b, "threads (Ms)     %" PRIu64 "\n", st->threads);
    gorca_buf_printf(b, "GC cycles        %" PRIu64 "\n", st->gc_cycles);
    cli_fmt_duration(d1, sizeof(d1), st->stw_total_ns);
    cli_fmt_duration(d2, sizeof(d2), st->stw_max_ns);
    cli_fmt_duration(d3, sizeof(d3), st->stw_gc_total_ns);
    gorca_buf_printf(b,
                     "STW pauses       %" PRIu64 ", total %s, max %s (GC: %" PRIu64 ", total %s)\n",
                     st->stw_count, d1, d2, st->stw_gc_count, d3);
    gorca_buf_printf(b, "CPU samples      %" PRIu64 "\n", st->cpu_samples);
    gorca_buf_printf(b,
                     "annotations      %" PRIu64 " tasks, %" PRIu64 " regions, %" PRIu64 " logs\n",
                     st->tasks, st->regions, st->logs);
    gorca_buf_printf(b, "largest gen.     %" PRIu64 " bytes\n", st->peak_generation_bytes);
}

int cmd_trace_stats(int argc, char **argv)
{
    static const struct option opts[] = { { "json", no_argument, NULL, 'j' },
                                          { "sync", required_argument, NULL, 's' },
                                          { "help", no_argument, NULL, 'h' },
                                          { NULL, 0, NULL, 0 } };
    struct gorca_trace_options opt;
    struct gorca_trace *tr;
    struct gorca_trace_stats st;
    struct gorca_error err;
    struct gorca_buf b;
    int json = 0, c, rc;
    enum gorca_status status;

    memset(&opt, 0, sizeof(opt));
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'j') {
            json = 1;
        } else if (c == 's') {
            if (parse_sync("trace stats", optarg, &opt))
                return CLI_EXIT_USAGE;
        } else if (c == 'h') {
            stats_usage(stdout);
            return CLI_EXIT_OK;
        } else {
            return cli_usage_error("trace stats", "bad option");
        }
    }
    rc = cli_trace_open_operand("trace stats", argc, argv, &opt, &tr);
    if (rc)
        return rc;
    gorca_error_init(&err, argv[optind]);
    status = gorca_trace_stats_collect(tr, &st, &err);
    gorca_trace_free(tr);
    gorca_buf_init(&b, 0);
    if (json)
        stats_json(&b, argv[optind], &st, status, &err);
    else
        stats_text(&b, argv[optind], &st);
    if (b.failed || cli_write_output("-", b.data, b.len) != 0) {
        gorca_buf_release(&b);
        return CLI_EXIT_ERROR;
    }
    gorca_buf_release(&b);
    return cli_trace_finish(status, &err);
}

/* ---- gorca trace events ------------------------------------------------------------------- */

static void events_usage(FILE *f)
{
    fprintf(
        f, "usage: gorca trace events [<options>] TRACE\n\n"
           "Prints the trace's events in Go's global order: time since the trace start, thread\n"
           "(M), proc (P), goroutine (G), event, arguments and the top stack frame.\n\n"
           "  --goroutine=N  only events of goroutine N (running on it, or changing its state)\n"
           "  --from=T       only events at or after T since the start (e.g. 150ms, 2s)\n"
           "  --to=T         only events before T since the start\n"
           "  --limit=N      stop after N events\n"
           "  --stacks       print whole stacks, not just the top frame\n"
           "  --json         JSON output (one event object per line inside an array)\n"
           "  --format=go    the text of `go tool trace -d=parsed` (Go 1.26), for comparison\n"
           "  --sync=MODE    Sync events at generation start (default) or end (as Go 1.22-1.24)\n");
}

struct ev_filter {
    int64_t goroutine; /* -2 = any */
    int64_t from, to;  /* relative ns; to < 0 = no bound */
    uint64_t limit;    /* 0 = none */
};

static int ev_match(const struct gorca_trace_event *ev, const struct ev_filter *f, int64_t rel)
{
    int64_t g = f->goroutine;

    if (rel < f->from || (f->to >= 0 && rel >= f->to))
        return 0;
    if (g == -2)
        return 1;
    if (ev->g == g)
        return 1;
    if (ev->kind == GORCA_TRACE_STATE_TRANSITION &&
        ev->transition.resource == GORCA_TRACE_RES_GOROUTINE && ev->transition.id == g)
        return 1;
    if ((ev->kind == GORCA_TRACE_RANGE_BEGIN || ev->kind == GORCA_TRACE_RANGE_ACTIVE ||
         ev->kind == GORCA_TRACE_RANGE_END) &&
        ev->range.scope == GORCA_TRACE_RES_GOROUTINE && ev->range.scope_id == g)
        return 1;
    return 0;
}

static const char *ev_state(const struct gorca_trace_transition *t, unsigned s)
{
    return t->resource == GORCA_TRACE_RES_PROC ? gorca_trace_proc_state_name(s)
                                               : gorca_trace_go_state_name(s);
}

/* The "arguments" column of the table. */
static void ev_args(struct gorca_buf *b, const struct gorca_trace *tr,
                    const struct gorca_trace_event *ev)
{
    switch (ev->kind) {
    case GORCA_TRACE_STATE_TRANSITION: {
        const struct gorca_trace_transition *t = &ev->transition;

        gorca_buf_printf(b, "%s%lld %s->%s", t->resource == GORCA_TRACE_RES_PROC ? "P" : "G",
                         (long long)t->id, ev_state(t, t->from), ev_state(t, t->to));
        if (t->reason[0])
            gorca_buf_printf(b, " reason=\"%s\"", t->reason);
        if (ev->type == GORCA_TRACE_EV_GO_CREATE || ev->type == GORCA_TRACE_EV_GO_CREATE_BLOCKED) {
            const struct gorca_trace_frame *f = gorca_trace_stack_top(tr, t->stack);

            if (f)
                gorca_buf_printf(b, " start=%s", f->func);
        }
        if (ev->type == GORCA_TRACE_EV_PROC_STEAL && !ev->synthetic)
            gorca_buf_printf(b, " from-M=%lld", (long long)(int64_t)ev->args[2]);
        break;
    }
    case GORCA_TRACE_METRIC:
        gorca_buf_printf(b, "%s=%llu", ev->metric.name, (unsigned long long)ev->metric.value);
        break;
    case GORCA_TRACE_LABEL:
        gorca_buf_printf(b, "\"%s\" on G%lld", ev->label.label, (long long)ev->label.g);
        break;
    case GORCA_TRACE_RANGE_BEGIN:
    case GORCA_TRACE_RANGE_ACTIVE:
    case GORCA_TRACE_RANGE_END:
        gorca_buf_printf(b, "%s", ev->range.name);
        if (ev->range.scope != GORCA_TRACE_RES_NONE)
            gorca_buf_printf(b, " on %s%lld", ev->range.scope == GORCA_TRACE_RES_PROC ? "P" : "G",
                             (long long)ev->range.scope_id);
        for (int i = 0; i < ev->range.n_attrs; i++)
            gorca_buf_printf(b, " %s=%llu", ev->range.attrs[i].name,
                             (unsigned long long)ev->range.attrs[i].value);
        break;
    case GORCA_TRACE_TASK_BEGIN:
    case GORCA_TRACE_TASK_END:
        gorca_buf_printf(b, "task=%llu", (unsigned long long)ev->task.id);
        if (ev->task.parent != GORCA_TRACE_NO_TASK)
            gorca_buf_printf(b, " parent=%llu", (unsigned long long)ev->task.parent);
        gorca_buf_printf(b, " type=\"%s\"", ev->task.type);
        break;
    case GORCA_TRACE_REGION_BEGIN:
    case GORCA_TRACE_REGION_END:
        gorca_buf_printf(b, "task=%llu type=\"%s\"", (unsigned long long)ev->region.task,
                         ev->region.type);
        break;
    case GORCA_TRACE_LOG:
        gorca_buf_printf(b, "task=%llu %s=\"%.*s\"", (unsigned long long)ev->log.task,
                         ev->log.category[0] ? ev->log.category : "(no category)",
                         (int)(ev->log.message_len > 200 ? 200 : ev->log.message_len),
                         ev->log.message);
        break;
    case GORCA_TRACE_STACK_SAMPLE:
        gorca_buf_printf(b, "CPU sample");
        break;
    case GORCA_TRACE_SYNC:
        if (ev->gen)
            gorca_buf_printf(b, "generation %llu", (unsigned long long)ev->gen);
        else
            gorca_buf_printf(b, "end of trace");
        break;
    case GORCA_TRACE_EXPERIMENTAL:
        for (int i = 0; i < ev->experimental.n_args; i++)
            gorca_buf_printf(b, "%s%s=%llu", i ? " " : "", ev->experimental.arg_names[i],
                             (unsigned long long)ev->args[i]);
        break;
    default:
        break;
    }
}

static void put_id(struct gorca_buf *b, int64_t v, int width)
{
    if (v == GORCA_TRACE_NONE)
        gorca_buf_printf(b, " %*s", width, "-");
    else
        gorca_buf_printf(b, " %*lld", width, (long long)v);
}

static void ev_row(struct gorca_buf *b, const struct gorca_trace *tr,
                   const struct gorca_trace_event *ev, int64_t rel, int stacks)
{
    size_t start = b->len, n, i;
    const char *name = ev->kind == GORCA_TRACE_SYNC ? "Sync" : gorca_trace_type_name(ev->type);
    const uint32_t *fr;

    gorca_buf_printf(b, "%3lld.%09lld", (long long)(rel / 1000000000),
                     (long long)(rel % 1000000000));
    put_id(b, ev->m, 8);
    put_id(b, ev->p, 3);
    put_id(b, ev->g, 6);
    gorca_buf_printf(b, " %-20s ", name);
    ev_args(b, tr, ev);
    fr = gorca_trace_stack_frames(tr, ev->stack, &n);
    if (n && !stacks) {
        const struct gorca_trace_frame *f = gorca_trace_frame(tr, fr[0]);
        size_t col = b->len - start;

        gorca_buf_printf(b, "%*s  %s %s:%llu", col < 96 ? (int)(96 - col) : 0, "", f->func, f->file,
                         (unsigned long long)f->line);
    }
    gorca_buf_putc(b, '\n');
    if (stacks) {
        for (i = 0; i < n; i++) {
            const struct gorca_trace_frame *f = gorca_trace_frame(tr, fr[i]);

            gorca_buf_printf(b, "        %s\n            %s:%llu\n", f->func, f->file,
                             (unsigned long long)f->line);
        }
    }
}

static void json_stack(struct jw *w, const struct gorca_trace *tr, uint32_t stack, int all)
{
    size_t n, i;
    const uint32_t *fr = gorca_trace_stack_frames(tr, stack, &n);

    if (!all && n > 1)
        n = 1;
    jw_arr(w);
    for (i = 0; i < n; i++) {
        const struct gorca_trace_frame *f = gorca_trace_frame(tr, fr[i]);

        jw_obj(w);
        jw_kstr(w, "func", f->func);
        jw_kstr(w, "file", f->file);
        jw_ku64(w, "line", f->line);
        jw_ku64(w, "pc", f->pc);
        jw_end(w);
    }
    jw_end(w);
}

static void ev_json(struct gorca_buf *b, const struct gorca_trace *tr,
                    const struct gorca_trace_event *ev, int64_t rel, int stacks)
{
    struct jw w;

    jw_init(&w, b, 0);
    jw_obj(&w);
    jw_ki64(&w, "time_ns", ev->time);
    jw_ki64(&w, "rel_ns", rel);
    jw_ku64(&w, "gen", ev->gen);
    jw_ki64(&w, "m", ev->m);
    jw_ki64(&w, "p", ev->p);
    jw_ki64(&w, "g", ev->g);
    jw_kstr(&w, "kind", gorca_trace_kind_name(ev->kind));
    jw_kstr(&w, "event", ev->kind == GORCA_TRACE_SYNC ? "Sync" : gorca_trace_type_name(ev->type));
    if (ev->synthetic)
        jw_kbool(&w, "synthetic", 1);
    if (ev->offset)
        jw_ku64(&w, "offset", ev->offset);
    switch (ev->kind) {
    case GORCA_TRACE_STATE_TRANSITION: {
        const struct gorca_trace_transition *t = &ev->transition;

        jw_kstr(&w, "resource", gorca_trace_resource_name(t->resource));
        jw_ki64(&w, "id", t->id);
        jw_kstr(&w, "from", ev_state(t, t->from));
        jw_kstr(&w, "to", ev_state(t, t->to));
        if (t->reason[0])
            jw_kstr(&w, "reason", t->reason);
        if (t->stack) {
            jw_key(&w, "transition_stack");
            json_stack(&w, tr, t->stack, stacks);
        }
        break;
    }
    case GORCA_TRACE_METRIC:
        jw_kstr(&w, "metric", ev->metric.name);
        jw_ku64(&w, "value", ev->metric.value);
        break;
    case GORCA_TRACE_LABEL:
        jw_kstr(&w, "label", ev->label.label);
        break;
    case GORCA_TRACE_RANGE_BEGIN:
    case GORCA_TRACE_RANGE_ACTIVE:
    case GORCA_TRACE_RANGE_END:
        jw_kstr(&w, "name", ev->range.name);
        jw_kstr(&w, "scope", gorca_trace_resource_name(ev->range.scope));
        jw_ki64(&w, "scope_id", ev->range.scope_id);
        for (int i = 0; i < ev->range.n_attrs; i++)
            jw_ku64(&w, ev->range.attrs[i].name, ev->range.attrs[i].value);
        break;
    case GORCA_TRACE_TASK_BEGIN:
    case GORCA_TRACE_TASK_END:
        jw_ku64(&w, "task", ev->task.id);
        if (ev->task.parent != GORCA_TRACE_NO_TASK)
            jw_ku64(&w, "parent", ev->task.parent);
        jw_kstr(&w, "type", ev->task.type);
        break;
    case GORCA_TRACE_REGION_BEGIN:
    case GORCA_TRACE_REGION_END:
        jw_ku64(&w, "task", ev->region.task);
        jw_kstr(&w, "type", ev->region.type);
        break;
    case GORCA_TRACE_LOG:
        jw_ku64(&w, "task", ev->log.task);
        jw_kstr(&w, "category", ev->log.category);
        jw_key(&w, "message");
        jw_strn(&w, ev->log.message, ev->log.message_len);
        break;
    case GORCA_TRACE_SYNC:
        jw_ku64(&w, "n", ev->sync.n);
        if (ev->sync.has_clock) {
            jw_ki64(&w, "wall_sec", ev->sync.clock_wall_sec);
            jw_ki64(&w, "wall_nsec", ev->sync.clock_wall_nsec);
        }
        break;
    default:
        break;
    }
    if (ev->stack) {
        jw_key(&w, "stack");
        json_stack(&w, tr, ev->stack, stacks);
    }
    jw_end(&w);
}

enum { FMT_TABLE, FMT_JSON, FMT_GO };

static int flush_buf(struct gorca_buf *b)
{
    if (b->failed) {
        cli_error("out of memory formatting events");
        return -1;
    }
    if (b->len && fwrite(b->data, 1, b->len, stdout) != b->len) {
        cli_error("cannot write output");
        return -1;
    }
    b->len = 0;
    return 0;
}

int cmd_trace_events(int argc, char **argv)
{
    static const struct option opts[] = { { "goroutine", required_argument, NULL, 'g' },
                                          { "from", required_argument, NULL, 'f' },
                                          { "to", required_argument, NULL, 't' },
                                          { "limit", required_argument, NULL, 'l' },
                                          { "stacks", no_argument, NULL, 'S' },
                                          { "json", no_argument, NULL, 'j' },
                                          { "format", required_argument, NULL, 'F' },
                                          { "sync", required_argument, NULL, 's' },
                                          { "help", no_argument, NULL, 'h' },
                                          { NULL, 0, NULL, 0 } };
    struct ev_filter flt = { -2, 0, -1, 0 };
    struct gorca_trace_options opt;
    struct gorca_trace *tr;
    const struct gorca_trace_event *ev;
    struct gorca_error err;
    struct gorca_buf b;
    enum gorca_status st;
    int c, rc, fmt = FMT_TABLE, stacks = 0, first = 1, have_start = 0;
    uint64_t shown = 0, u;
    int64_t start = 0;

    memset(&opt, 0, sizeof(opt));
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'g':
            if (cli_parse_u64(optarg, &u) || u > INT64_MAX)
                return cli_usage_error("trace events", "bad goroutine id '%s'", optarg);
            flt.goroutine = (int64_t)u;
            break;
        case 'f':
            if (cli_parse_duration(optarg, &flt.from))
                return cli_usage_error("trace events", "bad duration '%s'", optarg);
            break;
        case 't':
            if (cli_parse_duration(optarg, &flt.to))
                return cli_usage_error("trace events", "bad duration '%s'", optarg);
            break;
        case 'l':
            if (cli_parse_u64(optarg, &flt.limit))
                return cli_usage_error("trace events", "bad limit '%s'", optarg);
            break;
        case 'S':
            stacks = 1;
            break;
        case 'j':
            fmt = FMT_JSON;
            break;
        case 'F':
            if (strcmp(optarg, "go") == 0)
                fmt = FMT_GO;
            else if (strcmp(optarg, "table") == 0)
                fmt = FMT_TABLE;
            else if (strcmp(optarg, "json") == 0)
                fmt = FMT_JSON;
            else
                return cli_usage_error("trace events", "unknown format '%s'", optarg);
            break;
        case 's':
            if (parse_sync("trace events", optarg, &opt))
                return CLI_EXIT_USAGE;
            break;
        case 'h':
            events_usage(stdout);
            return CLI_EXIT_OK;
        default:
            return cli_usage_error("trace events", "bad option");
        }
    }
    rc = cli_trace_open_operand("trace events", argc, argv, &opt, &tr);
    if (rc)
        return rc;
    gorca_error_init(&err, argv[optind]);
    gorca_buf_init(&b, 0);
    if (fmt == FMT_JSON)
        gorca_buf_puts(&b, "[\n");
    else if (fmt == FMT_TABLE)
        gorca_buf_printf(&b, "%13s %8s %3s %6s %-20s %s\n", "TIME(s)", "M", "P", "G", "EVENT",
                         "ARGS / TOP FRAME");
    while ((st = gorca_trace_next(tr, &ev, &err)) == GORCA_OK && ev != NULL) {
        int64_t rel;

        if (!have_start) {
            start = ev->time;
            have_start = 1;
        }
        rel = ev->time >= start ? (int64_t)((uint64_t)ev->time - (uint64_t)start) : 0;
        if (rel < 0)
            rel = INT64_MAX;
        if (flt.to >= 0 && rel >= flt.to)
            break;
        if (!ev_match(ev, &flt, rel))
            continue;
        if (fmt == FMT_GO) {
            gorca_trace_format_go(tr, ev, &b);
            gorca_buf_putc(&b, '\n');
        } else if (fmt == FMT_JSON) {
            if (!first)
                gorca_buf_puts(&b, ",\n");
            ev_json(&b, tr, ev, rel, stacks);
        } else {
            ev_row(&b, tr, ev, rel, stacks);
        }
        first = 0;
        if (b.len > (1 << 16) && flush_buf(&b) != 0)
            break;
        if (flt.limit && ++shown >= flt.limit)
            break;
    }
    if (fmt == FMT_JSON)
        gorca_buf_puts(&b, first ? "]\n" : "\n]\n");
    rc = flush_buf(&b);
    gorca_buf_release(&b);
    gorca_trace_free(tr);
    fflush(stdout);
    if (rc != 0)
        return CLI_EXIT_ERROR;
    return cli_trace_finish(st, &err);
}
