/* Helpers shared by the pprof tests: a tiny protobuf writer for hand-built profiles, fixture
 * discovery under testdata/pprof/go1.*, and reading gzip'd golden files. Header-only. */
#ifndef GORCA_PPROF_TEST_UTIL_H
#define GORCA_PPROF_TEST_UTIL_H

#include <dirent.h>
#include "test.h"
#include "gorca/profile.h"
#include "gorca/io.h"

/* ---- protobuf writer -------------------------------------------------------------------- */

struct pbw {
    uint8_t b[8192];
    size_t n;
};

static inline void w_varint(struct pbw *w, uint64_t v)
{
    while (v >= 0x80) {
        w->b[w->n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    w->b[w->n++] = (uint8_t)v;
}

static inline void w_key(struct pbw *w, unsigned field, unsigned wt)
{
    w_varint(w, (uint64_t)field << 3 | wt);
}

static inline void w_int(struct pbw *w, unsigned field, uint64_t v)
{
    w_key(w, field, 0);
    w_varint(w, v);
}

static inline void w_bytes(struct pbw *w, unsigned field, const void *p, size_t n)
{
    w_key(w, field, 2);
    w_varint(w, n);
    memcpy(w->b + w->n, p, n);
    w->n += n;
}

static inline void w_msg(struct pbw *w, unsigned field, const struct pbw *m)
{
    w_bytes(w, field, m->b, m->n);
}

static inline void w_str(struct pbw *w, const char *s)
{
    w_bytes(w, 6, s, strlen(s));
}

/* A packed run of varints as field `field`. */
static inline void w_packed(struct pbw *w, unsigned field, const uint64_t *v, size_t n)
{
    struct pbw m;

    m.n = 0;
    for (size_t i = 0; i < n; i++)
        w_varint(&m, v[i]);
    w_msg(w, field, &m);
}

/* ---- fixtures ---------------------------------------------------------------------------- */

/* Fills dirs with "testdata/pprof/go1.NN" paths that exist, sorted; returns the count. */
static inline int fixture_dirs(char dirs[][64], int max)
{
    int n = 0;

    for (int minor = 21; minor <= 40 && n < max; minor++) {
        char rel[64];

        snprintf(rel, sizeof(rel), "testdata/pprof/go1.%d", minor);
        if (test_file_exists(test_repo_path(rel)))
            snprintf(dirs[n++], 64, "%s", rel);
    }
    return n;
}

/* Names (without .pb.gz) of the profiles in dir, sorted; returns the count. */
static inline int fixture_profiles(const char *dir, char names[][48], int max)
{
    DIR *d = opendir(test_repo_path(dir));
    struct dirent *e;
    int n = 0;

    if (d == NULL)
        return 0;
    while ((e = readdir(d)) != NULL && n < max) {
        size_t k = strlen(e->d_name);

        if (k > 6 && k < 48 && strcmp(e->d_name + k - 6, ".pb.gz") == 0) {
            memcpy(names[n], e->d_name, k - 6);
            names[n++][k - 6] = '\0';
        }
    }
    closedir(d);
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char t[48];

            memcpy(t, names[j], 48);
            memcpy(names[j], names[j - 1], 48);
            memcpy(names[j - 1], t, 48);
        }
    return n;
}

/* Reads dir/name+suffix; gunzips when the file is gzip. Owned, free(); NULL when missing. */
static inline uint8_t *fixture_read(const char *dir, const char *name, const char *suffix,
                                    size_t *len)
{
    char rel[4400];
    uint8_t *data, *raw;
    size_t raw_len;
    struct gorca_error err;

    snprintf(rel, sizeof(rel), "%s/%s%s", dir, name, suffix);
    data = test_read_file(test_repo_path(rel), len);
    if (data == NULL || !gorca_is_gzip(data, *len))
        return data;
    gorca_error_init(&err, rel);
    if (gorca_gunzip(data, *len, 0, &raw, &raw_len, &err) != GORCA_OK) {
        free(data);
        return NULL;
    }
    free(data);
    *len = raw_len;
    return raw;
}

/* Parses a fixture profile; NULL (with a failure message) when it does not parse. */
static inline struct gorca_profile *fixture_profile(const char *dir, const char *name)
{
    char rel[4400];
    struct gorca_profile *p = NULL;
    struct gorca_error err;

    snprintf(rel, sizeof(rel), "%s/%s.pb.gz", dir, name);
    gorca_error_init(&err, rel);
    if (gorca_profile_read_file(test_repo_path(rel), NULL, &p, &err) != GORCA_OK) {
        char msg[512];

        gorca_error_format(&err, msg, sizeof(msg));
        test_fail_msg(__FILE__, __LINE__, "parse %s: %s", rel, msg);
        return NULL;
    }
    return p;
}

/* Go minor version of a fixture dir ("testdata/pprof/go1.23" -> 23). */
static inline int fixture_minor(const char *dir)
{
    const char *p = strrchr(dir, '.');

    return p ? atoi(p + 1) : 0;
}

/* First line where a and b differ, for failure messages. */
static inline void first_diff(const char *a, size_t an, const char *b, size_t bn, char *out,
                              size_t size)
{
    size_t i = 0, line = 1, ls = 0;

    while (i < an && i < bn && a[i] == b[i]) {
        if (a[i] == '\n') {
            line++;
            ls = i + 1;
        }
        i++;
    }
    {
        const char *ae = memchr(a + ls, '\n', an - ls), *be = memchr(b + ls, '\n', bn - ls);
        int al = (int)(ae ? (size_t)(ae - a) - ls : an - ls);
        int bl = (int)(be ? (size_t)(be - b) - ls : bn - ls);

        snprintf(out, size, "line %zu:\n  got:  %.*s\n  want: %.*s", line, al > 200 ? 200 : al,
                 a + ls, bl > 200 ? 200 : bl, b + ls);
    }
}

#endif
