/* Small parsers shared by subcommands: durations, integers, output files. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

int cli_parse_duration(const char *s, int64_t *ns)
{
    static const struct {
        const char *unit;
        double mult;
    } units[] = { { "ns", 1 },  { "us", 1e3 }, { "µs", 1e3 },   { "ms", 1e6 },
                  { "s", 1e9 }, { "m", 60e9 }, { "h", 3600e9 }, { "", 1 } };
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (end == s || errno != 0 || v < 0 || !isfinite(v))
        return -1;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcmp(end, units[i].unit) == 0) {
            double r = v * units[i].mult;

            if (r > 9.2e18)
                return -1;
            *ns = (int64_t)llround(r);
            return 0;
        }
    }
    return -1;
}

int cli_parse_u64(const char *s, uint64_t *v)
{
    char *end;
    unsigned long long x;

    if (s[0] < '0' || s[0] > '9')
        return -1;
    errno = 0;
    x = strtoull(s, &end, 10);
    if (*end != '\0' || errno != 0)
        return -1;
    *v = x;
    return 0;
}

int cli_write_output(const char *path, const void *data, size_t len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "wb");
    int ok;

    if (f == NULL) {
        cli_error("cannot open '%s' for writing: %s", path, strerror(errno));
        return -1;
    }
    ok = fwrite(data, 1, len, f) == len;
    if (f == stdout)
        ok = fflush(f) == 0 && ok;
    else
        ok = fclose(f) == 0 && ok;
    if (!ok) {
        cli_error("cannot write '%s': %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int cli_open_bundle(const char *dir, struct gorca_bundle **b)
{
    struct gorca_error err;
    char manifest[4096];
    int n;

    *b = NULL;
    n = snprintf(manifest, sizeof(manifest), "%s/manifest.json", dir);
    if (n < 0 || (size_t)n >= sizeof(manifest) || access(manifest, F_OK) != 0) {
        cli_error("'%s': a directory, but not a capture bundle (no manifest.json)", dir);
        return CLI_EXIT_ERROR;
    }
    gorca_error_init(&err, dir);
    if (gorca_bundle_open(dir, b, &err) != GORCA_OK) {
        cli_error_gorca(&err);
        return cli_exit_for(err.code);
    }
    return 0;
}

/* Paths of bundle members handed out by cli_bundle_member; reachable until exit. */
static char *bundle_paths[8];
static size_t n_bundle_paths;

int cli_bundle_member(char **path, enum gorca_input_kind kind)
{
    struct gorca_bundle *b = NULL;
    const struct gorca_bundle_file *f;
    int rc;

    if (!gorca_bundle_is_dir(*path))
        return 0;
    if ((rc = cli_open_bundle(*path, &b)) != 0)
        return rc;
    f = gorca_bundle_find(b, kind, NULL);
    if (f == NULL) {
        cli_error("'%s': the capture bundle has no %s file", *path, gorca_input_kind_name(kind));
        gorca_bundle_free(b);
        return CLI_EXIT_ERROR;
    }
    if (n_bundle_paths == sizeof(bundle_paths) / sizeof(bundle_paths[0]) ||
        (bundle_paths[n_bundle_paths] = strdup(f->path)) == NULL) {
        cli_error("out of memory");
        gorca_bundle_free(b);
        return CLI_EXIT_ERROR;
    }
    *path = bundle_paths[n_bundle_paths++];
    gorca_bundle_free(b);
    return 0;
}
