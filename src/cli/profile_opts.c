/* Shared options and input opening of the profile commands (see profile_opts.h). */
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "gorca/bundle.h"
#include "profile_opts.h"

const char profile_opts_help[] =
    "  --sample-index NAME  value column: a sample type name (alloc_space, delay, ...) or\n"
    "                       an index; default: the profile's default type, else the last\n"
    "  --mean               divide each value by the sample's first column (mean per event)\n"
    "  --focus RE           keep only samples with a frame matching RE\n"
    "  --ignore RE          drop samples with a frame matching RE\n"
    "  --hide RE            remove frames matching RE from the stacks\n"
    "  --show RE            keep only frames matching RE in the stacks\n"
    "  --base FILE          subtract FILE (repeatable), like go tool pprof -base\n"
    "  --profile KIND       for a capture bundle directory: which of its profiles, one of\n"
    "                       cpu (default), heap, allocs, block, mutex, goroutine,\n"
    "                       threadcreate\n"
    "REs are PCRE2 (RE2-like syntax), unanchored, matched against function names, source file\n"
    "names and mapping file names, as go tool pprof does. Several PROFILEs are merged.\n";

/* The bundle input kinds --profile accepts, by their manifest names. */
static enum gorca_input_kind profile_kind(const char *name)
{
    enum gorca_input_kind k = gorca_input_kind_from_name(name);

    switch (k) {
    case GORCA_INPUT_CPU:
    case GORCA_INPUT_HEAP:
    case GORCA_INPUT_ALLOCS:
    case GORCA_INPUT_BLOCK:
    case GORCA_INPUT_MUTEX:
    case GORCA_INPUT_GOROUTINE:
    case GORCA_INPUT_THREADCREATE:
        return k;
    default:
        return GORCA_INPUT_UNKNOWN;
    }
}

static int profile_kind_ok(const char *name)
{
    return profile_kind(name) != GORCA_INPUT_UNKNOWN;
}

int profile_opt(struct profile_opts *o, const char *cmd, int opt, const char *arg)
{
    switch (opt) {
    case PROFILE_OPT_SAMPLE_INDEX:
        o->view.sample_index = arg;
        return 1;
    case PROFILE_OPT_MEAN:
        o->view.mean = 1;
        return 1;
    case PROFILE_OPT_FOCUS:
        o->view.focus = arg;
        return 1;
    case PROFILE_OPT_IGNORE:
        o->view.ignore = arg;
        return 1;
    case PROFILE_OPT_HIDE:
        o->view.hide = arg;
        return 1;
    case PROFILE_OPT_SHOW:
        o->view.show = arg;
        return 1;
    case PROFILE_OPT_PROFILE:
        if (!profile_kind_ok(arg)) {
            cli_usage_error(cmd,
                            "invalid --profile '%s' (cpu, heap, allocs, block, mutex, goroutine "
                            "or threadcreate)",
                            arg);
            return -1;
        }
        o->profile = arg;
        return 1;
    case PROFILE_OPT_BASE:
        if (o->n_base == PROFILE_MAX_BASE) {
            cli_usage_error(cmd, "too many --base profiles (at most %d)", PROFILE_MAX_BASE);
            return -1;
        }
        o->base[o->n_base++] = arg;
        return 1;
    default:
        return 0;
    }
}

/* Replaces each bundle directory among paths[0..n) by its profile of the --profile kind; the
 * replacements point into bundles[], which the caller frees. Returns 0 or an exit code. */
static int resolve_bundles(const char **paths, int n, const char *kind_name,
                           struct gorca_bundle **bundles)
{
    enum gorca_input_kind kind = profile_kind(kind_name != NULL ? kind_name : "cpu");

    for (int i = 0; i < n; i++) {
        const struct gorca_bundle_file *f;
        int rc;

        if (!gorca_bundle_is_dir(paths[i]))
            continue;
        if ((rc = cli_open_bundle(paths[i], &bundles[i])) != 0)
            return rc;
        f = gorca_bundle_find(bundles[i], kind, NULL);
        if (f == NULL) {
            cli_error("'%s': the bundle has no %s profile (see its manifest.json%s)", paths[i],
                      gorca_input_kind_name(kind),
                      kind_name == NULL ? "; --profile picks another one" : "");
            return CLI_EXIT_ERROR;
        }
        paths[i] = f->path;
    }
    return 0;
}

int profile_open(const char *cmd, char **paths, int n, const struct profile_opts *o,
                 struct gorca_profile **out)
{
    struct gorca_error err;
    struct gorca_bundle **bundles = NULL;
    const char **in = NULL;
    enum gorca_status st;
    int rc = 0;

    *out = NULL;
    if (n <= 0)
        return cli_usage_error(cmd, "no profile given");
    in = calloc((size_t)n, sizeof(*in));
    bundles = calloc((size_t)n, sizeof(*bundles));
    if (in == NULL || bundles == NULL) {
        cli_error("out of memory");
        rc = CLI_EXIT_ERROR;
        goto done;
    }
    for (int i = 0; i < n; i++)
        in[i] = paths[i];
    rc = resolve_bundles(in, n, o->profile, bundles);
    if (rc != 0)
        goto done;
    gorca_error_init(&err, NULL);
    st = gorca_profile_load(in, (size_t)n, o->base, o->n_base, NULL, out, &err);
    if (st != GORCA_OK) {
        cli_error_gorca(&err);
        rc = cli_exit_for(st);
    }
done:
    if (bundles != NULL)
        for (int i = 0; i < n; i++)
            gorca_bundle_free(bundles[i]);
    free(bundles);
    free(in);
    return rc;
}
