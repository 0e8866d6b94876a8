/* Shared plumbing of the `gorca trace <analysis>` subcommands: option handling, running the
 * analysis (errors located by the library, printed here), output and exit codes, and the
 * small formatting helpers of the text views. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "cmd_trace_an.h"

void an_cli_init(struct an_cli *c, const char *cmd)
{
    memset(c, 0, sizeof(*c));
    c->cmd = cmd;
    c->out = "-";
    c->top = 20;
    gorca_analysis_options_init(&c->opt);
    optind = 1;
}

int an_cli_common(struct an_cli *c, int opt, const char *arg)
{
    uint64_t v;

    switch (opt) {
    case 'j':
        c->json = 1;
        return 0;
    case 'o':
        c->out = arg;
        return 0;
    case 'C':
        if (strncmp(arg, "1.", 2) == 0)
            arg += 2;
        if (cli_parse_u64(arg, &v) != 0 || v < 22 || v > 26)
            return cli_usage_error(c->cmd, "--compat must be 1.22 .. 1.26, not '%s'", arg);
        c->opt.compat_go = (int)v;
        return 0;
    case 'n':
        if (cli_parse_u64(arg, &v) != 0 || v == 0 || v > 1000000)
            return cli_usage_error(c->cmd, "--top must be a positive number, not '%s'", arg);
        c->top = (size_t)v;
        c->opt.top_requests = (size_t)v;
        return 0;
    case 'b':
        if (cli_parse_duration(arg, &c->opt.bucket_ns) != 0 || c->opt.bucket_ns <= 0)
            return cli_usage_error(c->cmd, "--bucket must be a positive duration, not '%s'", arg);
        return 0;
    default:
        return cli_usage_error(c->cmd, "bad option");
    }
}

int an_cli_operand(struct an_cli *c, int argc, char **argv)
{
    int rc;

    if (optind != argc - 1)
        return cli_usage_error(c->cmd, "expected one TRACE file");
    rc = cli_bundle_member(&argv[optind], GORCA_INPUT_TRACE);
    if (rc)
        return rc;
    c->path = argv[optind];
    return 0;
}

int an_cli_run(struct an_cli *c, struct gorca_analysis **an, enum gorca_status *st,
               struct gorca_error *err)
{
    gorca_error_init(err, c->path);
    *st = gorca_analysis_run_file(c->path, &c->opt, an, err);
    if (*an == NULL) {
        cli_error_gorca(err);
        return cli_exit_for(*st);
    }
    return 0;
}

int an_cli_finish(struct an_cli *c, struct gorca_buf *b, struct gorca_analysis *an,
                  enum gorca_status st, const struct gorca_error *err)
{
    int rc = 0;

    if (b->failed) {
        cli_error("out of memory formatting the output");
        rc = CLI_EXIT_ERROR;
    } else if (cli_write_output(c->out, b->data, b->len) != 0) {
        rc = CLI_EXIT_ERROR;
    }
    gorca_buf_release(b);
    gorca_analysis_free(an);
    if (rc)
        return rc;
    return cli_trace_finish(st, err);
}

void an_cli_json(struct an_cli *c, struct gorca_analysis *an, unsigned sections,
                 struct gorca_buf *b)
{
    struct gorca_error err;

    gorca_error_init(&err, NULL);
    if (gorca_analysis_write_json(an, sections, 2, c->top, b, &err) != GORCA_OK)
        b->failed = 1;
}

const char *an_dur(char *out, size_t n, int64_t ns)
{
    double v = (double)ns;

    if (ns < 0)
        snprintf(out, n, "-");
    else if (ns < 1000)
        snprintf(out, n, "%" PRId64 "ns", ns);
    else if (ns < 1000000)
        snprintf(out, n, "%.4gus", v / 1e3);
    else if (ns < 1000000000)
        snprintf(out, n, "%.4gms", v / 1e6);
    else
        snprintf(out, n, "%.4gs", v / 1e9);
    return out;
}

const char *an_pct(char *out, size_t n, double part, double whole)
{
    if (whole <= 0)
        snprintf(out, n, "-");
    else
        snprintf(out, n, "%.1f%%", 100.0 * part / whole);
    return out;
}

const char *an_cut(char *out, size_t n, const char *s, size_t width)
{
    size_t len = strlen(s);

    if (width + 4 > n)
        width = n > 4 ? n - 4 : 0;
    if (len <= width) {
        snprintf(out, n, "%s", s);
        return out;
    }
    /* "…" is 3 bytes and one column. */
    snprintf(out, n, "\xe2\x80\xa6%s", s + len - (width - 1));
    return out;
}

void an_cli_title(struct gorca_buf *b, const struct gorca_analysis *an, const char *what)
{
    const struct gorca_analysis_info *in = gorca_analysis_info(an);
    char d[32];

    gorca_buf_printf(b, "%s — Go 1.%d trace, %s, %" PRIu64 " goroutines (go tool trace 1.%d)\n\n",
                     what, in->trace_go, an_dur(d, sizeof(d), in->end_ns - in->start_ns),
                     in->goroutines, in->compat_go);
}

int an_cli_view(int argc, char **argv, const struct an_view *v)
{
    static const struct option common[] = { AN_CLI_COMMON_OPTS };
    struct an_cli c;
    struct gorca_analysis *an;
    struct gorca_error err;
    struct gorca_buf b;
    enum gorca_status st;
    int ch, rc;

    an_cli_init(&c, v->cmd);
    c.opt.keep_goroutine_rows = 0; /* no view of this kind lists single goroutines */
    while ((ch = getopt_long(argc, argv, "ho:", v->opts ? v->opts : common, NULL)) != -1) {
        if (ch == 'h') {
            v->usage(stdout);
            return CLI_EXIT_OK;
        }
        if (v->own != NULL && (rc = v->own(&c, ch, optarg)) >= 0) {
            if (rc != 0)
                return rc;
            continue;
        }
        if ((rc = an_cli_common(&c, ch, optarg)) != 0)
            return rc;
    }
    if ((rc = an_cli_operand(&c, argc, argv)) != 0)
        return rc;
    if ((rc = an_cli_run(&c, &an, &st, &err)) != 0)
        return rc;
    gorca_buf_init(&b, 0);
    if (c.json) {
        an_cli_json(&c, an, v->sections, &b);
    } else {
        an_cli_title(&b, an, v->title);
        if (v->text_c != NULL)
            v->text_c(&b, an, &c);
        else
            v->text(&b, an, c.top);
    }
    return an_cli_finish(&c, &b, an, st, &err);
}

int an_cli_simple(int argc, char **argv, const char *cmd, void (*usage)(FILE *), unsigned sections,
                  const char *title, an_text_fn text)
{
    struct an_view v = { cmd, title, usage, sections, NULL, NULL, text, NULL };

    return an_cli_view(argc, argv, &v);
}
