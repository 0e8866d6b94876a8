/* Options and input handling shared by the profile commands (top, folded, flame): the view
 * options pprof users know (--sample-index, --mean, --focus, --ignore, --hide, --show, --base),
 * --profile to pick a capture bundle's profile, and opening the PROFILE... arguments (files or
 * bundle directories) through gorca_profile_load. */
#ifndef GORCA_CLI_PROFILE_OPTS_H
#define GORCA_CLI_PROFILE_OPTS_H

#include <getopt.h>
#include "gorca/profile.h"

#define PROFILE_MAX_BASE 64

struct profile_opts {
    struct gorca_view_options view;
    const char *base[PROFILE_MAX_BASE];
    size_t n_base;
    const char *profile; /* --profile: which profile of a bundle directory (default cpu) */
};

/* getopt_long entries for the shared options (values are PROFILE_OPT_*). */
enum {
    PROFILE_OPT_SAMPLE_INDEX = 1000,
    PROFILE_OPT_MEAN,
    PROFILE_OPT_FOCUS,
    PROFILE_OPT_IGNORE,
    PROFILE_OPT_HIDE,
    PROFILE_OPT_SHOW,
    PROFILE_OPT_BASE,
    PROFILE_OPT_PROFILE,
};
#define PROFILE_LONGOPTS                                                   \
    { "sample-index", required_argument, NULL, PROFILE_OPT_SAMPLE_INDEX }, \
        { "mean", no_argument, NULL, PROFILE_OPT_MEAN },                   \
        { "focus", required_argument, NULL, PROFILE_OPT_FOCUS },           \
        { "ignore", required_argument, NULL, PROFILE_OPT_IGNORE },         \
        { "hide", required_argument, NULL, PROFILE_OPT_HIDE },             \
        { "show", required_argument, NULL, PROFILE_OPT_SHOW },             \
        { "profile", required_argument, NULL, PROFILE_OPT_PROFILE },       \
    {                                                                      \
        "base", required_argument, NULL, PROFILE_OPT_BASE                  \
    }

/* Usage text of the shared options, for --help. */
extern const char profile_opts_help[];

/* Handles one shared option. Returns 1 when handled, 0 when opt is not a shared option,
 * -1 on a usage error (message printed). */
int profile_opt(struct profile_opts *o, const char *cmd, int opt, const char *arg);

/* Opens the PROFILE... arguments (merged, minus --base). A capture bundle directory (from
 * gorca capture) stands for its profile of the --profile kind, CPU by default. Returns 0, or
 * the exit code after printing the error. */
int profile_open(const char *cmd, char **paths, int n, const struct profile_opts *o,
                 struct gorca_profile **out);

#endif
