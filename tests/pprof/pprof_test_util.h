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

/* ---- deep comparison ------------------------------------------------------------------- */

static inline int sv_eq(struct gorca_strv a, struct gorca_strv b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

/* 0 when a and b hold the same model (ids, strings, values, labels, lines, header); else
 * writes what differs into why. */
static inline int profile_diff(const struct gorca_profile *a, const struct gorca_profile *b,
                               char *why, size_t size)
{
#define DIFF(...)                         \
    do {                                  \
        snprintf(why, size, __VA_ARGS__); \
        return 1;                         \
    } while (0)
    if (a->n_sample_types != b->n_sample_types || a->n_samples != b->n_samples ||
        a->n_locations != b->n_locations || a->n_functions != b->n_functions ||
        a->n_mappings != b->n_mappings || a->n_comments != b->n_comments)
        DIFF("table sizes differ");
    for (size_t i = 0; i < a->n_sample_types; i++)
        if (!sv_eq(a->sample_types[i].type, b->sample_types[i].type) ||
            !sv_eq(a->sample_types[i].unit, b->sample_types[i].unit))
            DIFF("sample_type %zu", i);
    if (!sv_eq(a->period_type.type, b->period_type.type) ||
        !sv_eq(a->period_type.unit, b->period_type.unit) || a->period != b->period ||
        a->time_nanos != b->time_nanos || a->duration_nanos != b->duration_nanos ||
        !sv_eq(a->default_sample_type, b->default_sample_type) || !sv_eq(a->doc_url, b->doc_url) ||
        !sv_eq(a->drop_frames, b->drop_frames) || !sv_eq(a->keep_frames, b->keep_frames))
        DIFF("header");
    for (size_t i = 0; i < a->n_comments; i++)
        if (!sv_eq(a->comments[i], b->comments[i]))
            DIFF("comment %zu", i);
    for (size_t i = 0; i < a->n_mappings; i++) {
        const struct gorca_mapping *x = &a->mappings[i], *y = &b->mappings[i];

        if (x->id != y->id || x->memory_start != y->memory_start ||
            x->memory_limit != y->memory_limit || x->file_offset != y->file_offset ||
            !sv_eq(x->filename, y->filename) || !sv_eq(x->build_id, y->build_id) ||
            x->has_functions != y->has_functions || x->has_filenames != y->has_filenames ||
            x->has_line_numbers != y->has_line_numbers ||
            x->has_inline_frames != y->has_inline_frames)
            DIFF("mapping %zu", i);
    }
    for (size_t i = 0; i < a->n_functions; i++) {
        const struct gorca_function *x = &a->functions[i], *y = &b->functions[i];

        if (x->id != y->id || !sv_eq(x->name, y->name) || !sv_eq(x->system_name, y->system_name) ||
            !sv_eq(x->filename, y->filename) || x->start_line != y->start_line)
            DIFF("function %zu", i);
    }
    for (size_t i = 0; i < a->n_locations; i++) {
        const struct gorca_location *x = &a->locations[i], *y = &b->locations[i];

        if (x->id != y->id || x->address != y->address || x->n_lines != y->n_lines ||
            x->is_folded != y->is_folded || (x->mapping == NULL) != (y->mapping == NULL) ||
            (x->mapping && x->mapping->id != y->mapping->id))
            DIFF("location %zu", i);
        for (uint32_t j = 0; j < x->n_lines; j++)
            if (x->lines[j].function->id != y->lines[j].function->id ||
                x->lines[j].line != y->lines[j].line || x->lines[j].column != y->lines[j].column)
                DIFF("location %zu line %u", i, j);
    }
    for (size_t i = 0; i < a->n_samples; i++) {
        const struct gorca_sample *x = &a->samples[i], *y = &b->samples[i];

        if (x->n_locs != y->n_locs || x->n_labels != y->n_labels)
            DIFF("sample %zu sizes", i);
        for (uint32_t j = 0; j < x->n_locs; j++)
            if (a->locations[x->locs[j]].id != b->locations[y->locs[j]].id)
                DIFF("sample %zu location %u", i, j);
        for (size_t j = 0; j < a->n_sample_types; j++)
            if (x->values[j] != y->values[j])
                DIFF("sample %zu value %zu", i, j);
        for (uint32_t j = 0; j < x->n_labels; j++)
            if (!sv_eq(x->labels[j].key, y->labels[j].key) ||
                !sv_eq(x->labels[j].str, y->labels[j].str) ||
                x->labels[j].num != y->labels[j].num ||
                !sv_eq(x->labels[j].num_unit, y->labels[j].num_unit))
                DIFF("sample %zu label %u", i, j);
    }
#undef DIFF
    return 0;
}

/* ---- the oracle ------------------------------------------------------------------------- */

/* Path of an installed go binary (Go 1.26 preferred), or NULL. Static buffer. */
static inline const char *oracle_go(const char *version)
{
    static char path[512];
    char cmd[4700];
    FILE *f;

    snprintf(cmd, sizeof(cmd), "bash '%s' %s 2>/dev/null", test_repo_path("scripts/go-env.sh"),
             version);
    f = popen(cmd, "r");
    if (f == NULL)
        return NULL;
    if (fgets(path, sizeof(path), f) == NULL)
        path[0] = '\0';
    pclose(f);
    path[strcspn(path, "\n")] = '\0';
    return path[0] ? path : NULL;
}

/* stdout of `go tool pprof ARGS` (TZ=UTC) into out; 0 on success. */
static inline int oracle_run(const char *go, const char *args, struct gorca_buf *out)
{
    struct gorca_buf cmd;
    char buf[65536];
    size_t n;
    FILE *f;

    gorca_buf_init(&cmd, 0);
    gorca_buf_printf(
        &cmd, "TZ=UTC GOTOOLCHAIN=local GOPROXY=off '%s' tool pprof -symbolize=none %s 2>/dev/null",
        go, args);
    f = cmd.failed ? NULL : popen(cmd.data, "r");
    gorca_buf_release(&cmd);
    if (f == NULL)
        return -1;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        gorca_buf_append(out, buf, n);
    return pclose(f) == 0 && !out->failed ? 0 : -1;
}

#endif
