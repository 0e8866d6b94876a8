/* gorca folded: folded stacks ("root;...;leaf VALUE") of pprof profiles for FlameGraph,
 * inferno and speedscope, with pprof's sample-index and filter options. */
#include <string.h>
#include "cli.h"
#include "profile_opts.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: gorca folded [options] PROFILE...\n\n"
            "Prints one line per distinct stack, frames from root to leaf joined by ';', then\n"
            "a space and the summed value of the chosen column (inlined frames kept; ';' in\n"
            "names becomes ',' and whitespace '_'). Lines are sorted. Stacks summing to a\n"
            "negative value (delta or --base profiles) are left out with a warning.\n\n"
            "options:\n"
            "  -o, --output FILE    write to FILE instead of standard output\n"
            "%s"
            "  -h, --help           show this help\n",
            profile_opts_help);
}

int cmd_folded(int argc, char **argv)
{
    static const struct option longopts[] = {
        PROFILE_LONGOPTS,
        { "output", required_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct profile_opts po;
    struct gorca_profile *p = NULL;
    struct gorca_error err;
    struct gorca_buf out;
    const char *output = "-";
    size_t n_neg = 0;
    int opt, rc;

    memset(&po, 0, sizeof(po));
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
        int r = profile_opt(&po, "folded", opt, optarg);

        if (r < 0)
            return CLI_EXIT_USAGE;
        if (r > 0)
            continue;
        switch (opt) {
        case 'o':
            output = optarg;
            break;
        case 'h':
            usage(stdout);
            return CLI_EXIT_OK;
        case ':':
            return cli_usage_error("folded", "option '%s' needs a value", argv[optind - 1]);
        default:
            return cli_usage_error("folded", "unknown option '%s'", argv[optind - 1]);
        }
    }
    rc = profile_open("folded", argv + optind, argc - optind, &po, &p);
    if (rc != 0)
        return rc;
    gorca_buf_init(&out, 0);
    gorca_error_init(&err, NULL);
    if (gorca_profile_folded(p, &po.view, &out, &n_neg, &err) != GORCA_OK) {
        gorca_profile_free(p);
        gorca_buf_release(&out);
        cli_error_gorca(&err);
        if (err.code == GORCA_E_ARG)
            fprintf(stderr, "try 'gorca folded --help'\n");
        return cli_exit_for(err.code);
    }
    gorca_profile_free(p);
    if (n_neg)
        cli_warn("%zu stack%s with a negative sum left out (folded stacks cannot be negative)",
                 n_neg, n_neg == 1 ? "" : "s");
    rc = cli_write_output(output, out.data ? out.data : "", out.len) == 0 ? CLI_EXIT_OK
                                                                          : CLI_EXIT_ERROR;
    gorca_buf_release(&out);
    return rc;
}
