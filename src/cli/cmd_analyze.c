/* gorca analyze: root-cause diagnosis of a Go service's latency from a capture bundle or loose
 * evidence files, rendered as text, JSON (gorca.analysis/1) or Markdown. Exit status 0 when no
 * finding reaches medium severity, 3 when one does, 1 on errors (docs/exit-codes.md). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "gorca/diagnosis.h"
#include "gorca/report.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: gorca analyze [options] PATH...\n\n"
               "Finds the root causes of latency in a Go HTTP service from its runtime evidence:\n"
               "a bundle directory from 'gorca capture', or any mix of pprof profiles, goroutine\n"
               "dumps and execution traces (file names do not matter; content is recognised).\n"
               "Findings are ranked by the share of request latency they explain, each with its\n"
               "evidence, code locations, affected handlers, time window and the fix.\n\n"
               "options:\n"
               "  -f, --format FMT     text (default), json or markdown\n"
               "      --json           same as --format json\n"
               "  -o, --output FILE    write the report to FILE instead of standard output\n"
               "  -c, --config FILE    thresholds and disabled causes (JSON, see\n"
               "                       docs/commands/analyze.md)\n"
               "  -v, --verbose        every finding in full, and every input\n"
               "      --width N        text: columns to fit (default 100)\n"
               "      --no-color       text: never colour (colour is used only on a terminal and\n"
               "                       when NO_COLOR is unset)\n"
               "  -h, --help           show this help\n\n"
               "exit status: 0 no finding of medium severity or above, 3 such findings, 1 error,\n"
               "2 usage error\n");
}

static void warn_inputs(const struct gorca_diagnosis *d)
{
    size_t i;

    for (i = 0; i < d->n_inputs; i++) {
        const struct gorca_diag_input *in = &d->inputs[i];
        if (in->status == GORCA_DIAG_INPUT_FAILED)
            cli_warn("skipped '%s': %s", in->name ? in->name : in->path,
                     in->error ? in->error : "unreadable");
        else if (in->status == GORCA_DIAG_INPUT_USED && in->error != NULL)
            cli_warn("'%s' partly used: %s", in->name, in->error);
    }
}

int cmd_analyze(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "format", required_argument, NULL, 'f' },
        { "json", no_argument, NULL, 'j' },
        { "output", required_argument, NULL, 'o' },
        { "config", required_argument, NULL, 'c' },
        { "verbose", no_argument, NULL, 'v' },
        { "width", required_argument, NULL, 'w' },
        { "no-color", no_argument, NULL, 'n' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct gorca_diag_config cfg;
    struct gorca_report_options ro;
    struct gorca_diagnosis *d = NULL;
    struct gorca_error err;
    struct gorca_buf out;
    const char *output = "-", *config = NULL;
    int opt, rc, no_color = 0, sev;
    uint64_t width;

    gorca_report_options_init(&ro);
    optind = 1;
    while ((opt = getopt_long(argc, argv, "f:o:c:vh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'f':
            if (gorca_report_format_parse(optarg, &ro.format) != 0)
                return cli_usage_error("analyze", "unknown format '%s' (text, json, markdown)",
                                       optarg);
            break;
        case 'j':
            ro.format = GORCA_REPORT_JSON;
            break;
        case 'o':
            output = optarg;
            break;
        case 'c':
            config = optarg;
            break;
        case 'v':
            ro.verbose = 1;
            break;
        case 'w':
            if (cli_parse_u64(optarg, &width) != 0 || width < 60 || width > 1000)
                return cli_usage_error("analyze", "invalid --width '%s' (60..1000)", optarg);
            ro.width = (int)width;
            break;
        case 'n':
            no_color = 1;
            break;
        case 'h':
            usage(stdout);
            return CLI_EXIT_OK;
        default:
            fprintf(stderr, "try 'gorca analyze --help'\n");
            return CLI_EXIT_USAGE;
        }
    }
    if (optind >= argc)
        return cli_usage_error("analyze", "no input: give a bundle directory or evidence files");
    gorca_diag_config_init(&cfg);
    gorca_error_init(&err, NULL);
    if (config != NULL && gorca_diag_config_load(&cfg, config, &err) != GORCA_OK) {
        cli_error_gorca(&err);
        return err.code == GORCA_E_ARG ? CLI_EXIT_USAGE : CLI_EXIT_ERROR;
    }
    gorca_error_init(&err, NULL);
    if (gorca_diagnosis_run((const char *const *)argv + optind, (size_t)(argc - optind), &cfg, &d,
                            &err) != GORCA_OK) {
        cli_error_gorca(&err);
        return CLI_EXIT_ERROR;
    }
    warn_inputs(d);
    if (d->n_used == 0) {
        cli_error("nothing to analyse: none of the %zu input%s is a profile, goroutine dump or "
                  "trace gorca could read",
                  d->n_inputs, d->n_inputs == 1 ? "" : "s");
        gorca_diagnosis_free(d);
        return CLI_EXIT_ERROR;
    }
    ro.color = !no_color && strcmp(output, "-") == 0 && cli_use_color(stdout);
    ro.generator = "gorca " GORCA_VERSION;
    gorca_buf_init(&out, 0);
    gorca_error_init(&err, NULL);
    if (gorca_report_render(d, &ro, &out, &err) != GORCA_OK) {
        cli_error_gorca(&err);
        gorca_buf_release(&out);
        gorca_diagnosis_free(d);
        return CLI_EXIT_ERROR;
    }
    sev = gorca_diagnosis_max_severity(d);
    rc = sev >= GORCA_SEV_MEDIUM ? CLI_EXIT_FINDINGS : CLI_EXIT_OK;
    if (cli_write_output(output, out.data ? out.data : "", out.len) != 0)
        rc = CLI_EXIT_ERROR;
    gorca_buf_release(&out);
    gorca_diagnosis_free(d);
    return rc;
}
