/* gorca top: the flat/cum table of go tool pprof -top, same rows, order and numbers, for one
 * or more profiles (merged), with pprof's filters; --json gives the raw values. */
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "profile_opts.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: gorca top [options] PROFILE...\n\n"
            "Prints the functions that account for the most of a pprof profile, exactly as\n"
            "'go tool pprof -top' does (rows, order, units and percentages).\n\n"
            "options:\n"
            "  --nodecount N        show at most N rows (default: all)\n"
            "  --cum                sort by cumulative instead of flat value\n"
            "  --json               print the table as JSON with raw values\n"
            "%s"
            "  -h, --help           show this help\n",
            profile_opts_help);
}

int cmd_top(int argc, char **argv)
{
    static const struct option longopts[] = {
        PROFILE_LONGOPTS,
        { "nodecount", required_argument, NULL, 'n' },
        { "cum", no_argument, NULL, 'c' },
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct profile_opts po;
    struct gorca_top_options o;
    struct gorca_profile *p = NULL;
    struct gorca_top *t = NULL;
    struct gorca_error err;
    struct gorca_buf out;
    int json = 0, opt, rc;

    memset(&po, 0, sizeof(po));
    gorca_top_options_init(&o);
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        int r = profile_opt(&po, "top", opt, optarg);
        uint64_t n;

        if (r < 0)
            return CLI_EXIT_USAGE;
        if (r > 0)
            continue;
        switch (opt) {
        case 'n':
            if (cli_parse_u64(optarg, &n) != 0 || n > 1000000000)
                return cli_usage_error("top", "invalid --nodecount '%s'", optarg);
            o.nodecount = (long)n;
            break;
        case 'c':
            o.cum = 1;
            break;
        case 'j':
            json = 1;
            break;
        case 'h':
            usage(stdout);
            return CLI_EXIT_OK;
        case ':':
            return cli_usage_error("top", "option '%s' needs a value", argv[optind - 1]);
        default:
            return cli_usage_error("top", "unknown option '%s'", argv[optind - 1]);
        }
    }
    rc = profile_open("top", argv + optind, argc - optind, &po, &p);
    if (rc != 0)
        return rc;
    o.view = po.view;
    gorca_error_init(&err, NULL);
    if (gorca_profile_top(p, &o, &t, &err) != GORCA_OK) {
        gorca_profile_free(p);
        cli_error_gorca(&err);
        if (err.code == GORCA_E_ARG)
            fprintf(stderr, "try 'gorca top --help'\n");
        return cli_exit_for(err.code);
    }
    gorca_buf_init(&out, 0);
    if (json)
        gorca_top_render_json(t, &out);
    else
        gorca_top_render_text(t, &out);
    gorca_top_free(t);
    gorca_profile_free(p);
    gorca_error_init(&err, NULL);
    if (gorca_buf_status(&out, &err) != GORCA_OK) {
        cli_error_gorca(&err);
        return cli_exit_for(err.code);
    }
    rc = cli_write_output("-", out.data ? out.data : "", out.len) == 0 ? CLI_EXIT_OK
                                                                       : CLI_EXIT_ERROR;
    gorca_buf_release(&out);
    return rc;
}
