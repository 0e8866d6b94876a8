/* Shared options and input opening of the profile commands (see profile_opts.h). */
#include <string.h>
#include "cli.h"
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
    "REs are PCRE2 (RE2-like syntax), unanchored, matched against function names, source file\n"
    "names and mapping file names, as go tool pprof does. Several PROFILEs are merged.\n";

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

int profile_open(const char *cmd, char **paths, int n, const struct profile_opts *o,
                 struct gorca_profile **out)
{
    struct gorca_error err;
    enum gorca_status st;

    *out = NULL;
    if (n <= 0)
        return cli_usage_error(cmd, "no profile given");
    gorca_error_init(&err, NULL);
    st = gorca_profile_load((const char *const *)paths, (size_t)n, o->base, o->n_base, NULL, out,
                            &err);
    if (st != GORCA_OK) {
        cli_error_gorca(&err);
        return cli_exit_for(st);
    }
    return 0;
}
