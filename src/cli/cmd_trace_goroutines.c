/* `gorca trace goroutines`: go tool trace's goroutine analysis as a table. By default one row
 * per group (start function) in the page's order (total execution time); --group lists the
 * goroutines of one group like the per-group page; --min-exec lists every goroutine that ran
 * at least that long (the seed's "goroutines executing longer than 100 ms"). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "cmd_trace_an.h"
#include "base/json.h"

enum sort_key {
    S_DEFAULT,
    S_TOTAL,
    S_EXEC,
    S_SCHED,
    S_NET,
    S_SYNC,
    S_SYSCALL,
    S_ASSIST,
    S_SWEEP,
    S_COUNT,
    S_NAME,
    S_ID
};

static const struct {
    const char *name;
    enum sort_key key;
} sort_names[] = { { "total", S_TOTAL },   { "exec", S_EXEC },   { "sched", S_SCHED },
                   { "net", S_NET },       { "sync", S_SYNC },   { "syscall", S_SYSCALL },
                   { "assist", S_ASSIST }, { "sweep", S_SWEEP }, { "count", S_COUNT },
                   { "name", S_NAME },     { "id", S_ID } };

static void usage(FILE *f)
{
    fprintf(f, "usage: gorca trace goroutines [<options>] TRACE\n\n"
               "Where each goroutine's time went, as go tool trace's Goroutines pages compute it:\n"
               "execution, scheduler wait, network wait, sync block, blocking syscall, GC assist\n"
               "and sweep, total. Groups are goroutines with the same start function.\n\n"
               "  --group=FUNC     list the goroutines of one group\n"
               "  --min-exec=DUR   list every goroutine that executed at least DUR (e.g. 100ms)\n"
               "  --sort=FIELD     total, exec, sched, net, sync, syscall, assist, sweep, count,\n"
               "                   name or id (default: exec for groups, total for goroutines)\n"
               "  --no-system      leave out runtime goroutines\n" AN_CLI_COMMON_HELP);
}

struct gopts {
    const char *group;
    int64_t min_exec;
    int list; /* list goroutines rather than groups */
    int no_system;
    enum sort_key sort;
};

static int64_t row_key(const struct gorca_trace_goroutine *r, enum sort_key k)
{
    switch (k) {
    case S_EXEC:
        return r->exec_ns;
    case S_SCHED:
        return r->sched_wait_ns;
    case S_NET:
        return r->wait_ns[GORCA_BLOCK_NET];
    case S_SYNC:
        return r->wait_ns[GORCA_BLOCK_SYNC];
    case S_SYSCALL:
        return r->syscall_block_ns;
    case S_ASSIST:
        return r->assist_ns;
    case S_SWEEP:
        return r->sweep_ns;
    case S_ID:
        return -r->id;
    default:
        return r->total_ns;
    }
}

static int64_t group_key(const struct gorca_trace_group *g, enum sort_key k)
{
    switch (k) {
    case S_TOTAL:
        return g->total_ns;
    case S_SCHED:
        return g->sched_wait_ns;
    case S_NET:
        return g->wait_ns[GORCA_BLOCK_NET];
    case S_SYNC:
        return g->wait_ns[GORCA_BLOCK_SYNC];
    case S_SYSCALL:
        return g->syscall_block_ns;
    case S_ASSIST:
        return g->assist_ns;
    case S_SWEEP:
        return g->sweep_ns;
    case S_COUNT:
        return (int64_t)g->count;
    default:
        return g->exec_ns;
    }
}

static enum sort_key sort_by;

static int cmp_rows(const void *a, const void *b)
{
    const struct gorca_trace_goroutine *x = *(const struct gorca_trace_goroutine *const *)a;
    const struct gorca_trace_goroutine *y = *(const struct gorca_trace_goroutine *const *)b;
    int64_t kx, ky;

    if (sort_by == S_NAME) {
        int c = strcmp(x->name, y->name);
        if (c)
            return c;
    } else {
        kx = row_key(x, sort_by);
        ky = row_key(y, sort_by);
        if (kx != ky)
            return kx > ky ? -1 : 1;
    }
    return (x->id > y->id) - (x->id < y->id);
}

static int cmp_groups(const void *a, const void *b)
{
    const struct gorca_trace_group *x = *(const struct gorca_trace_group *const *)a;
    const struct gorca_trace_group *y = *(const struct gorca_trace_group *const *)b;
    int64_t kx, ky;

    if (sort_by != S_NAME) {
        kx = group_key(x, sort_by);
        ky = group_key(y, sort_by);
        if (kx != ky)
            return kx > ky ? -1 : 1;
    }
    return strcmp(x->name, y->name);
}

#define COLS "%7s %7s %7s %7s %7s %7s %7s %7s\n"

static void text_groups(struct gorca_buf *b, const struct gorca_trace_group **g, size_t n,
                        size_t top)
{
    size_t i;
    char name[64], d[8][16];

    gorca_buf_printf(b, "%-29s %5s " COLS, "START FUNCTION", "COUNT", "EXEC", "SCHED", "NET",
                     "SYNC", "SYSCALL", "ASSIST", "SWEEP", "TOTAL");
    for (i = 0; i < n && i < top; i++) {
        gorca_buf_printf(
            b, "%-29s %5" PRIu64 " " COLS,
            an_cut(name, sizeof(name), g[i]->name[0] ? g[i]->name : "(unnamed)", 29), g[i]->count,
            an_dur(d[0], 16, g[i]->exec_ns), an_dur(d[1], 16, g[i]->sched_wait_ns),
            an_dur(d[2], 16, g[i]->wait_ns[GORCA_BLOCK_NET]),
            an_dur(d[3], 16, g[i]->wait_ns[GORCA_BLOCK_SYNC]),
            an_dur(d[4], 16, g[i]->syscall_block_ns), an_dur(d[5], 16, g[i]->assist_ns),
            an_dur(d[6], 16, g[i]->sweep_ns), an_dur(d[7], 16, g[i]->total_ns));
    }
    if (n > top)
        gorca_buf_printf(b, "... %zu more groups (--top)\n", n - top);
}

static void text_rows(struct gorca_buf *b, const struct gorca_trace_goroutine **r, size_t n,
                      size_t top)
{
    size_t i;
    char name[64], d[8][16];

    gorca_buf_printf(b, "%8s %-20s " COLS, "G", "START FUNCTION", "EXEC", "SCHED", "NET", "SYNC",
                     "SYSCALL", "ASSIST", "SWEEP", "TOTAL");
    for (i = 0; i < n && i < top; i++) {
        gorca_buf_printf(b, "%8" PRId64 " %-20s " COLS, r[i]->id,
                         an_cut(name, sizeof(name), r[i]->name[0] ? r[i]->name : "(unnamed)", 20),
                         an_dur(d[0], 16, r[i]->exec_ns), an_dur(d[1], 16, r[i]->sched_wait_ns),
                         an_dur(d[2], 16, r[i]->wait_ns[GORCA_BLOCK_NET]),
                         an_dur(d[3], 16, r[i]->wait_ns[GORCA_BLOCK_SYNC]),
                         an_dur(d[4], 16, r[i]->syscall_block_ns),
                         an_dur(d[5], 16, r[i]->assist_ns), an_dur(d[6], 16, r[i]->sweep_ns),
                         an_dur(d[7], 16, r[i]->total_ns));
    }
    if (n > top)
        gorca_buf_printf(b, "... %zu more goroutines (--top)\n", n - top);
}

static void json_waits(struct jw *w, const int64_t *v)
{
    int c;

    jw_key(w, "wait_ns");
    jw_obj(w);
    for (c = 0; c < GORCA_BLOCK_N; c++)
        jw_ki64(w, gorca_block_class_name((enum gorca_block_class)c), v[c]);
    jw_end(w);
}

static void json_named(struct jw *w, const char *key, const struct gorca_named_time *v, size_t n)
{
    size_t i;

    jw_key(w, key);
    jw_obj(w);
    for (i = 0; i < n; i++)
        jw_ki64(w, v[i].name, v[i].ns);
    jw_end(w);
}

static void json_out(struct gorca_buf *b, const struct gorca_analysis *an,
                     const struct gorca_trace_group **g, size_t ng,
                     const struct gorca_trace_goroutine **r, size_t nr)
{
    const struct gorca_analysis_info *in = gorca_analysis_info(an);
    struct jw w;
    size_t i;

    jw_init(&w, b, 2);
    jw_obj(&w);
    jw_kstr(&w, "schema", "gorca.trace-analysis/1");
    jw_key(&w, "trace");
    jw_obj(&w);
    jw_ki64(&w, "go_version", in->trace_go);
    jw_ki64(&w, "compat_go", in->compat_go);
    jw_ki64(&w, "duration_ns", in->end_ns - in->start_ns);
    jw_ku64(&w, "goroutines", in->goroutines);
    jw_end(&w);
    jw_key(&w, "goroutines");
    jw_obj(&w);
    jw_key(&w, "groups");
    jw_arr(&w);
    for (i = 0; i < ng; i++) {
        jw_obj(&w);
        jw_kstr(&w, "name", g[i]->name);
        jw_ku64(&w, "count", g[i]->count);
        jw_kbool(&w, "system", g[i]->system);
        jw_ki64(&w, "total_ns", g[i]->total_ns);
        jw_ki64(&w, "exec_ns", g[i]->exec_ns);
        jw_ki64(&w, "sched_wait_ns", g[i]->sched_wait_ns);
        jw_ki64(&w, "syscall_ns", g[i]->syscall_ns);
        jw_ki64(&w, "syscall_block_ns", g[i]->syscall_block_ns);
        jw_ki64(&w, "unknown_ns", g[i]->unknown_ns);
        json_waits(&w, g[i]->wait_ns);
        jw_ki64(&w, "assist_ns", g[i]->assist_ns);
        jw_ki64(&w, "sweep_ns", g[i]->sweep_ns);
        jw_ki64(&w, "stw_ns", g[i]->stw_ns);
        jw_ku64(&w, "cpu_samples", g[i]->cpu_samples);
        json_named(&w, "block_ns", g[i]->blocks, g[i]->n_blocks);
        json_named(&w, "range_ns", g[i]->ranges, g[i]->n_ranges);
        jw_end(&w);
    }
    jw_end(&w);
    jw_key(&w, "goroutines");
    jw_arr(&w);
    for (i = 0; i < nr; i++) {
        jw_obj(&w);
        jw_ki64(&w, "id", r[i]->id);
        jw_kstr(&w, "name", r[i]->name);
        jw_ki64(&w, "creation_ns", r[i]->creation_ns);
        jw_ki64(&w, "start_ns", r[i]->start_ns);
        jw_ki64(&w, "end_ns", r[i]->end_ns);
        jw_ki64(&w, "total_ns", r[i]->total_ns);
        jw_ki64(&w, "exec_ns", r[i]->exec_ns);
        jw_ki64(&w, "sched_wait_ns", r[i]->sched_wait_ns);
        jw_ki64(&w, "syscall_ns", r[i]->syscall_ns);
        jw_ki64(&w, "syscall_block_ns", r[i]->syscall_block_ns);
        jw_ki64(&w, "unknown_ns", r[i]->unknown_ns);
        json_waits(&w, r[i]->wait_ns);
        jw_ki64(&w, "assist_ns", r[i]->assist_ns);
        jw_ki64(&w, "sweep_ns", r[i]->sweep_ns);
        jw_ki64(&w, "stw_ns", r[i]->stw_ns);
        jw_ku64(&w, "cpu_samples", r[i]->cpu_samples);
        json_named(&w, "block_ns", r[i]->blocks, r[i]->n_blocks);
        json_named(&w, "range_ns", r[i]->ranges, r[i]->n_ranges);
        jw_end(&w);
    }
    jw_end(&w);
    jw_end(&w);
    jw_end(&w);
    gorca_buf_putc(b, '\n');
}

static int render(struct an_cli *c, const struct gopts *o, const struct gorca_analysis *an,
                  struct gorca_buf *b)
{
    size_t ng, nr, i, kg = 0, kr = 0;
    const struct gorca_trace_group *groups = gorca_analysis_groups(an, &ng);
    const struct gorca_trace_goroutine *rows = gorca_analysis_goroutines(an, &nr);
    const struct gorca_trace_group **g = malloc((ng + 1) * sizeof(*g));
    const struct gorca_trace_goroutine **r = malloc((nr + 1) * sizeof(*r));
    char d[16];

    if (g == NULL || r == NULL) {
        free(g);
        free(r);
        return -1;
    }
    for (i = 0; i < ng; i++)
        if (!(o->no_system && groups[i].system) && (!o->group || !strcmp(o->group, groups[i].name)))
            g[kg++] = &groups[i];
    for (i = 0; i < nr && o->list; i++)
        if (!(o->no_system && rows[i].system) && (!o->group || !strcmp(o->group, rows[i].name)) &&
            rows[i].exec_ns >= o->min_exec)
            r[kr++] = &rows[i];
    sort_by = o->sort == S_DEFAULT ? (o->list ? S_TOTAL : S_EXEC) : o->sort;
    if (!o->list || o->sort != S_DEFAULT || !o->group)
        qsort(g, kg, sizeof(*g), cmp_groups);
    qsort(r, kr, sizeof(*r), cmp_rows);
    if (c->json) {
        json_out(b, an, g, kg, r, kr);
    } else if (o->list) {
        an_cli_title(b, an, "goroutines");
        if (o->group)
            gorca_buf_printf(b, "group %s: %zu goroutines\n", o->group, kr);
        if (o->min_exec > 0)
            gorca_buf_printf(b, "%zu goroutines executed at least %s\n", kr,
                             an_dur(d, sizeof(d), o->min_exec));
        text_rows(b, r, kr, c->top);
    } else {
        an_cli_title(b, an, "goroutine groups");
        text_groups(b, g, kg, c->top);
    }
    free(g);
    free(r);
    return 0;
}

int cmd_trace_goroutines(int argc, char **argv)
{
    static const struct option opts[] = { { "group", required_argument, NULL, 'g' },
                                          { "min-exec", required_argument, NULL, 'm' },
                                          { "sort", required_argument, NULL, 's' },
                                          { "no-system", no_argument, NULL, 'S' },
                                          AN_CLI_COMMON_OPTS };
    struct an_cli c;
    struct gopts o = { NULL, 0, 0, 0, S_DEFAULT };
    struct gorca_analysis *an;
    struct gorca_error err;
    struct gorca_buf b;
    enum gorca_status st;
    int ch, rc;
    size_t i;

    an_cli_init(&c, "trace goroutines");
    while ((ch = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        switch (ch) {
        case 'g':
            o.group = optarg;
            o.list = 1;
            break;
        case 'm':
            if (cli_parse_duration(optarg, &o.min_exec) != 0 || o.min_exec < 0)
                return cli_usage_error(c.cmd, "--min-exec must be a duration, not '%s'", optarg);
            o.list = 1;
            break;
        case 's':
            for (i = 0; i < sizeof(sort_names) / sizeof(sort_names[0]); i++)
                if (strcmp(optarg, sort_names[i].name) == 0)
                    o.sort = sort_names[i].key;
            if (o.sort == S_DEFAULT)
                return cli_usage_error(c.cmd, "unknown --sort field '%s'", optarg);
            break;
        case 'S':
            o.no_system = 1;
            break;
        case 'h':
            usage(stdout);
            return CLI_EXIT_OK;
        default:
            if ((rc = an_cli_common(&c, ch, optarg)) != 0)
                return rc;
        }
    }
    if ((rc = an_cli_operand(&c, argc, argv)) != 0)
        return rc;
    c.opt.keep_goroutine_rows = o.list || c.json; /* groups alone need no rows */
    if ((rc = an_cli_run(&c, &an, &st, &err)) != 0)
        return rc;
    gorca_buf_init(&b, 0);
    if (render(&c, &o, an, &b) != 0)
        b.failed = 1;
    return an_cli_finish(&c, &b, an, st, &err);
}
