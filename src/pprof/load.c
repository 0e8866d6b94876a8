/* The one place where command-line inputs become a profile: read every path, merge them as
 * go tool pprof merges several sources, subtract the -base profiles. New input kinds (capture
 * bundle directories) are added here, so every profile command accepts them at once. */
#include "pprof_int.h"

static void free_all(struct gorca_profile **ps, size_t n)
{
    for (size_t i = 0; i < n; i++)
        gorca_profile_free(ps[i]);
    base_free(ps);
}

enum gorca_status gorca_profile_load(const char *const *paths, size_t n_paths,
                                     const char *const *base_paths, size_t n_base,
                                     const struct gorca_limits *lim, struct gorca_profile **out,
                                     struct gorca_error *err)
{
    size_t n = n_paths + n_base;
    struct gorca_profile **ps;
    int64_t *scales;
    enum gorca_status st = GORCA_OK;

    *out = NULL;
    if (n_paths == 0)
        return GORCA_FAIL(err, GORCA_E_ARG, -1, NULL, "no profile given");
    ps = base_calloc(n, sizeof(*ps));
    scales = base_calloc(n, sizeof(*scales));
    if (ps == NULL || scales == NULL) {
        base_free(ps);
        base_free(scales);
        return GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory");
    }
    for (size_t i = 0; i < n && st == GORCA_OK; i++) {
        const char *path = i < n_paths ? paths[i] : base_paths[i - n_paths];

        err->source = path; /* errors name the failing input */
        scales[i] = i < n_paths ? 1 : -1;
        st = gorca_profile_read_file(path, lim, &ps[i], err);
    }
    if (st == GORCA_OK && n == 1) {
        *out = ps[0];
        ps[0] = NULL;
    } else if (st == GORCA_OK) {
        err->source = NULL;
        st = gorca_profile_merge((const struct gorca_profile *const *)ps, scales, n, lim, out, err);
    }
    free_all(ps, n);
    base_free(scales);
    return st;
}
