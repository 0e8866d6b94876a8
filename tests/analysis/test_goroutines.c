/* Goroutine analysis against go tool trace: for every fixture version (Go 1.22-1.26), every
 * row of the "Goroutines" page and of every per-group page (fetched from `go tool trace -http`
 * of the same Go version by testdata/go/analysis/gen.sh) must equal gorca's summary to the
 * nanosecond: count and execution time per group; total, every non-overlapping stat and every
 * range time per goroutine. */
#include "test.h"
#include "an_test_util.h"

static const char *const versions[] = { "1.22", "1.23", "1.24", "1.25", "1.26" };

static const struct gorca_trace_goroutine *find_row(const struct gorca_trace_goroutine *rows,
                                                    size_t n, int64_t id)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (rows[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && rows[lo].id == id ? &rows[lo] : NULL;
}

static int64_t named(const struct gorca_named_time *v, size_t n, const char *name)
{
    size_t i;
    int64_t s = 0;

    for (i = 0; i < n; i++)
        if (strcmp(v[i].name, name) == 0)
            s += v[i].ns;
    return s;
}

/* The value of a go tool trace column for one of our rows. */
static int64_t stat_of(const struct gorca_trace_goroutine *r, const char *col)
{
    if (strcmp(col, "Execution time") == 0)
        return r->exec_ns;
    if (strcmp(col, "Sched wait time") == 0)
        return r->sched_wait_ns;
    if (strcmp(col, "Syscall execution time") == 0)
        return r->syscall_ns;
    if (strcmp(col, "Block time (syscall)") == 0)
        return r->syscall_block_ns;
    if (strcmp(col, "Unknown time") == 0)
        return r->unknown_ns;
    if (strncmp(col, "Block time (", 12) == 0) {
        char reason[128];
        size_t n = strlen(col) - 13;
        if (n >= sizeof(reason))
            return -1;
        memcpy(reason, col + 12, n);
        reason[n] = '\0';
        return named(r->blocks, r->n_blocks, reason);
    }
    return -1;
}

struct tally {
    int groups, groups_ok, gs, gs_ok, values, values_ok;
};

static void check_group_line(char **f, int nf, const struct gorca_trace_group *groups, size_t ng,
                             struct tally *t)
{
    size_t i;

    t->groups++;
    if (nf != 4)
        return;
    for (i = 0; i < ng; i++) {
        if (strcmp(groups[i].name, f[1]) != 0)
            continue;
        if (groups[i].count == strtoull(f[2], NULL, 10) &&
            groups[i].exec_ns == strtoll(f[3], NULL, 10))
            t->groups_ok++;
        else if (an_test_verbose())
            printf("  group %s: count %" PRIu64 " exec %" PRId64 ", oracle %s %s\n", f[1],
                   groups[i].count, groups[i].exec_ns, f[2], f[3]);
        return;
    }
    if (an_test_verbose())
        printf("  group %s missing\n", f[1]);
}

static void check_g_line(char **f, int nf, const struct gorca_trace_goroutine *rows, size_t n,
                         struct tally *t)
{
    const struct gorca_trace_goroutine *r;
    char *lists[2], *item, *save = NULL;
    int ok = 1, k;

    t->gs++;
    if (nf < 4)
        return;
    r = find_row(rows, n, strtoll(f[2], NULL, 10));
    if (r == NULL || strcmp(r->name, f[1]) != 0) {
        if (an_test_verbose())
            printf("  g %s (%s) missing or misnamed (%s)\n", f[2], f[1], r ? r->name : "-");
        return;
    }
    t->values++;
    if (r->total_ns == strtoll(f[3], NULL, 10))
        t->values_ok++;
    else
        ok = 0;
    lists[0] = nf > 4 ? f[4] : (char *)"";
    lists[1] = nf > 5 ? f[5] : (char *)"";
    for (k = 0; k < 2; k++) {
        for (item = strtok_r(lists[k], ";", &save); item; item = strtok_r(NULL, ";", &save)) {
            char *eq = strrchr(item, '=');
            int64_t want, got;
            if (eq == NULL)
                continue;
            *eq = '\0';
            want = strtoll(eq + 1, NULL, 10);
            got = k == 0 ? stat_of(r, item) : named(r->ranges, r->n_ranges, item);
            t->values++;
            if (got == want) {
                t->values_ok++;
            } else {
                ok = 0;
                if (an_test_verbose())
                    printf("  g %" PRId64 " %s: %s = %" PRId64 ", oracle %" PRId64 "\n", r->id,
                           r->name, item, got, want);
            }
        }
    }
    if (ok)
        t->gs_ok++;
}

static void check_version(const char *v)
{
    char dir[256], path[512];
    struct gorca_analysis *an = NULL;
    struct gorca_error err;
    struct an_tsv tsv;
    const struct gorca_trace_goroutine *rows;
    const struct gorca_trace_group *groups;
    size_t nr, ng, i;
    struct tally t = { 0 };

    snprintf(dir, sizeof(dir), "testdata/analysis/go%s", v);
    snprintf(path, sizeof(path), "%s/analysis.trace", dir);
    gorca_error_init(&err, path);
    if (gorca_analysis_run_file(test_repo_path(path), NULL, &an, &err) != GORCA_OK) {
        char msg[512];
        gorca_error_format(&err, msg, sizeof(msg));
        test_fail_msg(__FILE__, __LINE__, "go%s: %s", v, msg);
        gorca_analysis_free(an);
        return;
    }
    snprintf(path, sizeof(path), "%s/goroutines.tsv", dir);
    if (an_tsv_load(test_repo_path(path), &tsv) != 0) {
        test_fail_msg(__FILE__, __LINE__, "cannot read %s", path);
        gorca_analysis_free(an);
        return;
    }
    rows = gorca_analysis_goroutines(an, &nr);
    groups = gorca_analysis_groups(an, &ng);
    for (i = 0; i < tsv.n; i++) {
        char **f = tsv.rows[i].f;
        int nf = tsv.rows[i].nf;
        if (strcmp(f[0], "group") == 0)
            check_group_line(f, nf, groups, ng, &t);
        else if (strcmp(f[0], "g") == 0)
            check_g_line(f, nf, rows, nr, &t);
    }
    printf("# go%s goroutines (compat %d): groups %d/%d, goroutines %d/%d, values %d/%d\n", v,
           gorca_analysis_info(an)->compat_go, t.groups_ok, t.groups, t.gs_ok, t.gs, t.values_ok,
           t.values);
    if (t.groups_ok != t.groups || t.gs_ok != t.gs || t.groups == 0 || t.gs == 0)
        test_fail_msg(__FILE__, __LINE__, "go%s: goroutine pages differ from go tool trace", v);
    /* The page lists exactly the goroutines of the summary. */
    if (nr != (size_t)t.gs)
        test_fail_msg(__FILE__, __LINE__, "go%s: %zu goroutines, oracle lists %d", v, nr, t.gs);
    an_tsv_free(&tsv);
    gorca_analysis_free(an);
}

TEST(goroutine_pages_match_go_tool_trace)
{
    size_t i;

    for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
        check_version(versions[i]);
}

TEST_MAIN({ RUN(goroutine_pages_match_go_tool_trace); })
