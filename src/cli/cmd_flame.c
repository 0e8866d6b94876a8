/* gorca flame: a self-contained interactive flame graph (SVG) of pprof profiles. */
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "profile_opts.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: gorca flame [options] PROFILE... -o flame.svg\n\n"
            "Writes a flame graph as one SVG file with no external resources: root on top,\n"
            "callees below, siblings ordered by decreasing value (as in pprof's web UI).\n"
            "Hover shows a frame's function, value and percent; click zooms into it; '/' or\n"
            "Search highlights frames matching a regex; Reset (or Esc) undoes both.\n\n"
            "options:\n"
            "  -o, --output FILE    the SVG file to write (standard output when omitted and\n"
            "                       not a terminal)\n"
            "  --title TEXT         title (default: '<sample type> flame graph')\n"
            "  --width PX           image width in pixels (default 1200)\n"
            "%s"
            "  -h, --help           show this help\n",
            profile_opts_help);
}

int cmd_flame(int argc, char **argv)
{
    static const struct option longopts[] = {
        PROFILE_LONGOPTS,
        { "output", required_argument, NULL, 'o' },
        { "title", required_argument, NULL, 't' },
        { "width", required_argument, NULL, 'w' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct profile_opts po;
    struct gorca_flame_options fo;
    struct gorca_profile *p = NULL;
    struct gorca_error err;
    struct gorca_buf out;
    const char *output = NULL;
    int opt, rc;
    uint64_t w;

    memset(&po, 0, sizeof(po));
    memset(&fo, 0, sizeof(fo));
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
        int r = profile_opt(&po, "flame", opt, optarg);

        if (r < 0)
            return CLI_EXIT_USAGE;
        if (r > 0)
            continue;
        switch (opt) {
        case 'o':
            output = optarg;
            break;
        case 't':
            fo.title = optarg;
            break;
        case 'w':
            if (cli_parse_u64(optarg, &w) != 0 || w < 200 || w > 100000)
                return cli_usage_error("flame", "invalid --width '%s' (200..100000)", optarg);
            fo.width = (int)w;
            break;
        case 'h':
            usage(stdout);
            return CLI_EXIT_OK;
        case ':':
            return cli_usage_error("flame", "option '%s' needs a value", argv[optind - 1]);
        default:
            return cli_usage_error("flame", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (output == NULL) {
        if (isatty(STDOUT_FILENO))
            return cli_usage_error("flame", "no output file: give -o flame.svg");
        output = "-";
    }
    rc = profile_open("flame", argv + optind, argc - optind, &po, &p);
    if (rc != 0)
        return rc;
    fo.view = po.view;
    gorca_buf_init(&out, 0);
    gorca_error_init(&err, NULL);
    if (gorca_profile_flame(p, &fo, &out, &err) != GORCA_OK) {
        gorca_profile_free(p);
        gorca_buf_release(&out);
        cli_error_gorca(&err);
        if (err.code == GORCA_E_ARG)
            fprintf(stderr, "try 'gorca flame --help'\n");
        return cli_exit_for(err.code);
    }
    gorca_profile_free(p);
    rc = cli_write_output(output, out.data ? out.data : "", out.len) == 0 ? CLI_EXIT_OK
                                                                          : CLI_EXIT_ERROR;
    gorca_buf_release(&out);
    return rc;
}
