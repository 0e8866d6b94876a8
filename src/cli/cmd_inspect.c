/* gorca inspect: says what each file is by its content (never its name): pprof kind and
 * sample types, goroutine dump form, execution trace version. Exit 4 when a file is of
 * unknown kind, 1 when one cannot be read. docs/commands/inspect.md describes it. */
#include <getopt.h>
#include <string.h>
#include "cli.h"
#include "base/json.h"
#include "gorca/inspect.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: gorca inspect [--json] FILE...\n\n"
               "Says what each file is, from its content: a pprof profile (cpu, heap, block,\n"
               "mutex, contention, goroutine, threadcreate) with its sample types, a goroutine\n"
               "dump (goroutine_debug1, goroutine_debug2 incl. crash tracebacks) or a Go\n"
               "execution trace (trace) with its version. '-' reads stdin; a directory (such\n"
               "as a capture bundle) stands for the files in it.\n\n"
               "options:\n"
               "  --json       print [{\"path\": …, \"kind\": …}, …] (docs/commands/inspect.md)\n"
               "  -h, --help   show this help\n\n"
               "exit status: 0 all files recognised, 4 some file of unknown kind, 1 some file\n"
               "could not be read, 2 usage error\n");
}

static void json_entry(struct jw *w, const char *path, const struct gorca_inspect *in,
                       const struct gorca_bundle_file *bf)
{
    const char *fmt = gorca_inspect_format_name(in->format);

    jw_obj(w);
    jw_kstr(w, "path", path);
    jw_kstr(w, "kind", gorca_inspect_kind_name(in->kind));
    if (bf && bf->from_manifest) {
        jw_kstr(w, "manifest_kind", gorca_input_kind_name(bf->kind));
        jw_kstr(w, "endpoint", bf->endpoint ? bf->endpoint : "");
    }
    jw_key(w, "format");
    fmt ? jw_str(w, fmt) : jw_null(w);
    jw_kbool(w, "gzip", in->gzip);
    jw_ku64(w, "size", in->size_bytes);
    jw_kstr(w, "summary", in->summary);
    if (in->format == GORCA_INSPECT_FMT_PPROF || in->format == GORCA_INSPECT_FMT_PPROF_TEXT) {
        jw_key(w, "sample_types");
        jw_arr(w);
        for (size_t i = 0; i < in->n_sample_types && i < GORCA_INSPECT_MAX_TYPES; i++) {
            jw_obj(w);
            jw_kstr(w, "type", in->sample_types[i].type);
            jw_kstr(w, "unit", in->sample_types[i].unit);
            jw_end(w);
        }
        jw_end(w);
    }
    if (in->format == GORCA_INSPECT_FMT_PPROF) {
        jw_kstr(w, "period_type", in->period_type);
        jw_ki64(w, "period", in->period);
        jw_kstr(w, "default_sample_type", in->default_sample_type);
        jw_ku64(w, "samples", in->n_samples);
        jw_ki64(w, "time_nanos", in->time_nanos);
        jw_ki64(w, "duration_nanos", in->duration_nanos);
        jw_kbool(w, "allocs", in->allocs);
        jw_kbool(w, "delta", in->delta);
        if (in->profile_name[0])
            jw_kstr(w, "profile", in->profile_name);
    }
    if (in->format == GORCA_INSPECT_FMT_DUMP_TEXT) {
        jw_kstr(w, "dump", in->dump_format);
        jw_ku64(w, "goroutines", in->goroutines);
        if (in->profile_name[0])
            jw_kstr(w, "profile", in->profile_name);
    }
    if (in->format == GORCA_INSPECT_FMT_TRACE && in->kind == GORCA_INSPECT_TRACE) {
        char v[16];

        snprintf(v, sizeof(v), "1.%d", in->trace_version);
        jw_kstr(w, "go_version", v);
        jw_kbool(w, "supported", in->trace_supported);
        if (in->trace_supported) {
            jw_ku64(w, "generations", in->trace_generations);
            jw_ki64(w, "duration_ns", in->trace_duration_ns);
            jw_key(w, "damage");
            if (in->trace_status != GORCA_OK)
                jw_str(w, gorca_strerror(in->trace_status));
            else
                jw_null(w);
        }
    }
    jw_end(w);
}

/* Inspects one file and appends its line or JSON object. A bundle file whose content does
 * not match what its manifest says gets a warning (a block or mutex profile without samples
 * is "contention" by content: that is no mismatch). */
static void inspect_one(const char *path, const struct gorca_bundle_file *bf, int json,
                        struct jw *w, struct gorca_buf *out, int *failed, int *unknown)
{
    struct gorca_inspect in;
    struct gorca_error err;

    gorca_error_init(&err, path);
    if (gorca_inspect_file(path, NULL, &in, &err) != GORCA_OK) {
        cli_error_gorca(&err);
        *failed = 1;
        return;
    }
    if (in.kind == GORCA_INSPECT_UNKNOWN && !(bf && bf->kind == GORCA_INPUT_CMDLINE))
        *unknown = 1;
    if (bf && bf->from_manifest && bf->kind != GORCA_INPUT_CMDLINE &&
        gorca_inspect_input_kind(&in) != bf->kind &&
        !(bf->kind == GORCA_INPUT_ALLOCS && in.kind == GORCA_INSPECT_HEAP) &&
        !((bf->kind == GORCA_INPUT_BLOCK || bf->kind == GORCA_INPUT_MUTEX) &&
          in.kind == GORCA_INSPECT_CONTENTION))
        cli_warn("'%s': the manifest says %s, the content is %s", path,
                 gorca_input_kind_name(bf->kind), gorca_inspect_kind_name(in.kind));
    if (json)
        json_entry(w, path, &in, bf);
    else if (bf && bf->kind == GORCA_INPUT_CMDLINE && in.kind == GORCA_INSPECT_UNKNOWN)
        gorca_buf_printf(out, "%s: cmdline: the program's command line (os.Args)\n", path);
    else
        gorca_buf_printf(out, "%s: %s: %s\n", path, gorca_inspect_kind_name(in.kind), in.summary);
}

int cmd_inspect(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct gorca_buf out;
    struct jw w;
    int json = 0, opt, failed = 0, unknown = 0, rc;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'j':
            json = 1;
            break;
        case 'h':
            usage(stdout);
            return CLI_EXIT_OK;
        default:
            fprintf(stderr, "try 'gorca inspect --help'\n");
            return CLI_EXIT_USAGE;
        }
    }
    if (optind == argc)
        return cli_usage_error("inspect", "missing the files to inspect");
    gorca_buf_init(&out, 0);
    jw_init(&w, &out, 2);
    if (json)
        jw_arr(&w);
    for (int i = optind; i < argc; i++) {
        struct gorca_bundle *b = NULL;
        struct gorca_error err;

        if (!gorca_bundle_is_dir(argv[i])) {
            inspect_one(argv[i], NULL, json, &w, &out, &failed, &unknown);
            continue;
        }
        /* A directory: its files (a capture bundle's from its manifest, in manifest order). */
        gorca_error_init(&err, argv[i]);
        if (gorca_inputs_expand((const char *const *)&argv[i], 1, &b, &err) != GORCA_OK) {
            cli_error_gorca(&err);
            failed = 1;
            continue;
        }
        for (size_t k = 0; k < b->n_files; k++)
            inspect_one(b->files[k].path, &b->files[k], json, &w, &out, &failed, &unknown);
        gorca_bundle_free(b);
    }
    if (json) {
        jw_end(&w);
        gorca_buf_putc(&out, '\n');
    }
    rc = cli_write_output("-", out.data ? out.data : "", out.len);
    gorca_buf_release(&out);
    if (rc != 0 || failed)
        return CLI_EXIT_ERROR;
    return unknown ? CLI_EXIT_INSPECT_UNKNOWN : CLI_EXIT_OK;
}
