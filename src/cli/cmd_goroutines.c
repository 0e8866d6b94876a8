/* gorca goroutines: groups the goroutines of a dump (debug=2, crash log, debug=1 or the
 * goroutine protobuf profile) by stack and wait reason, biggest first; with two dumps, shows
 * which groups grew (the leak signal). docs/commands/goroutines.md describes it. */
#include <getopt.h>
#include <string.h>
#include "cli.h"
#include "gorca/dump.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: gorca goroutines [options] DUMP\n"
               "       gorca goroutines [options] OLD_DUMP NEW_DUMP\n\n"
               "Groups goroutines with the same stack and wait reason, biggest group first, with\n"
               "the wait class, the longest wait, where they were created and their top frames.\n"
               "DUMP is /debug/pprof/goroutine?debug=2 or ?debug=1 output, the goroutine\n"
               "protobuf profile, or a panic/fatal error/SIGQUIT traceback from a log ('-' reads\n"
               "stdin), or a capture bundle directory (its goroutine dump). With two dumps of\n"
               "the same program, shows the groups that grew.\n\n"
               "options:\n"
               "  --top N          show the N biggest (or fastest-growing) groups only\n"
               "  --min-count N    hide groups with fewer than N goroutines (growth below N)\n"
               "  --class CLASS    only groups of this wait class: running, runnable, network,\n"
               "                   channel, select, sync, sleep, syscall, gc, other\n"
               "  --frames N       frames shown per group (default 4)\n"
               "  --json           machine-readable output (docs/commands/goroutines.md)\n"
               "  -h, --help       show this help\n");
}

/* A capture bundle directory stands for its goroutine dump: debug=2 first (wait states and
 * creators), then the protobuf profile, then debug=1. *path is replaced by the file's path,
 * which stays valid while *bundle lives. Returns 0 or an exit code (message printed). */
static int from_bundle(const char **path, struct gorca_bundle **bundle)
{
    static const enum gorca_input_kind prefer[] = { GORCA_INPUT_GOROUTINE_DEBUG2,
                                                    GORCA_INPUT_GOROUTINE,
                                                    GORCA_INPUT_GOROUTINE_DEBUG1 };
    struct gorca_error err;

    if (!gorca_bundle_is_dir(*path))
        return 0;
    gorca_error_init(&err, *path);
    if (gorca_bundle_open(*path, bundle, &err) != GORCA_OK) {
        cli_error_gorca(&err);
        return cli_exit_for(err.code);
    }
    for (size_t i = 0; i < sizeof(prefer) / sizeof(prefer[0]); i++) {
        /* the mid-window dumps, not goroutine-end */
        const struct gorca_bundle_file *f = gorca_bundle_find(
            *bundle, prefer[i],
            prefer[i] == GORCA_INPUT_GOROUTINE_DEBUG1 ? "goroutine-debug1" : NULL);

        if (f != NULL) {
            *path = f->path;
            return 0;
        }
    }
    cli_error("'%s': the bundle has no goroutine dump (goroutine-debug2, goroutine or "
              "goroutine-debug1)",
              *path);
    return CLI_EXIT_ERROR;
}

static int load(const char *path, struct gorca_dump **d)
{
    struct gorca_error err;
    enum gorca_status st;

    gorca_error_init(&err, path);
    st = gorca_dump_load(path, NULL, d, &err);
    if (st == GORCA_E_TRUNCATED) {
        cli_warn_gorca(&err);
        return 0;
    }
    if (st != GORCA_OK) {
        cli_error_gorca(&err);
        return cli_exit_for(st);
    }
    return 0;
}

static int emit(struct gorca_buf *out)
{
    struct gorca_error err;
    int rc;

    gorca_error_init(&err, NULL);
    if (gorca_buf_status(out, &err) != GORCA_OK) {
        cli_error_gorca(&err);
        gorca_buf_release(out);
        return cli_exit_for(err.code);
    }
    rc = cli_write_output("-", out->data ? out->data : "", out->len) == 0 ? CLI_EXIT_OK
                                                                          : CLI_EXIT_ERROR;
    gorca_buf_release(out);
    return rc;
}

static int parse_count(const char *opt, const char *arg, uint64_t max, uint64_t *v)
{
    if (cli_parse_u64(arg, v) != 0 || *v > max)
        return cli_usage_error("goroutines", "invalid %s '%s': expected a number", opt, arg);
    return 0;
}

int cmd_goroutines(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "top", required_argument, NULL, 't' },
        { "min-count", required_argument, NULL, 'm' },
        { "class", required_argument, NULL, 'c' },
        { "frames", required_argument, NULL, 'f' },
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct gorca_dump_view v;
    struct gorca_dump *a = NULL, *b = NULL;
    struct gorca_bundle *bundles[2] = { NULL, NULL };
    const char *in[2];
    struct gorca_buf out;
    int json = 0, opt, rc, nin;
    uint64_t n;

    gorca_dump_view_init(&v);
    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case 't':
            if (parse_count("--top", optarg, 1000000000, &n) != 0)
                return CLI_EXIT_USAGE;
            v.top = (size_t)n;
            break;
        case 'm':
            if (parse_count("--min-count", optarg, UINT64_MAX, &n) != 0)
                return CLI_EXIT_USAGE;
            v.min_count = n;
            break;
        case 'f':
            if (cli_parse_u64(optarg, &n) != 0 || n == 0 || n > 1000)
                return cli_usage_error("goroutines",
                                       "invalid --frames '%s': expected a number from 1 to 1000",
                                       optarg);
            v.frames = (unsigned)n;
            break;
        case 'c': {
            enum gorca_wait_class c;

            if (gorca_wait_class_parse(optarg, &c) != 0)
                return cli_usage_error("goroutines",
                                       "unknown wait class '%s' (running, runnable, network, "
                                       "channel, select, sync, sleep, syscall, gc, other)",
                                       optarg);
            v.wait_class = (int)c;
            break;
        }
        case 'j':
            json = 1;
            break;
        case 'h':
            usage(stdout);
            return CLI_EXIT_OK;
        default:
            fprintf(stderr, "try 'gorca goroutines --help'\n");
            return CLI_EXIT_USAGE;
        }
    }
    nin = argc - optind;
    if (nin < 1 || nin > 2)
        return cli_usage_error("goroutines", "%s",
                               nin < 1 ? "missing the dump to read"
                                       : "expected one dump, or two to compare");
    in[0] = argv[optind];
    in[1] = nin == 2 ? argv[optind + 1] : NULL;
    rc = from_bundle(&in[0], &bundles[0]);
    if (rc == 0 && nin == 2)
        rc = from_bundle(&in[1], &bundles[1]);
    if (rc == 0)
        rc = load(in[0], &a);
    if (rc == 0 && nin == 2)
        rc = load(in[1], &b);
    if (rc != 0) {
        gorca_dump_free(a);
        gorca_bundle_free(bundles[0]);
        gorca_bundle_free(bundles[1]);
        return rc;
    }
    gorca_buf_init(&out, 0);
    if (nin == 1) {
        if (json)
            gorca_dump_render_json(a, in[0], &v, &out);
        else
            gorca_dump_render_text(a, in[0], &v, &out);
    } else {
        struct gorca_dump_diff *diff = NULL;
        struct gorca_error err;

        gorca_error_init(&err, NULL);
        if (gorca_dump_compare(a, b, &diff, &err) != GORCA_OK) {
            cli_error_gorca(&err);
            rc = cli_exit_for(err.code);
        } else if (json) {
            gorca_dump_diff_render_json(diff, in[0], in[1], &v, &out);
        } else {
            gorca_dump_diff_render_text(diff, in[0], in[1], &v, &out);
        }
        gorca_dump_diff_free(diff);
    }
    gorca_dump_free(a);
    gorca_dump_free(b);
    gorca_bundle_free(bundles[0]);
    gorca_bundle_free(bundles[1]);
    if (rc != 0) {
        gorca_buf_release(&out);
        return rc;
    }
    return emit(&out);
}
