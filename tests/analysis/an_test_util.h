/* Helpers shared by the trace-analysis tests: loading the oracle's tab-separated golden files
 * (testdata/analysis/goVERSION/NAME.tsv) and a verbosity switch (GORCA_TEST_VERBOSE=1 prints
 * every mismatch). Header-only so each test program stays one file. */
#ifndef AN_TEST_UTIL_H
#define AN_TEST_UTIL_H

#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include "gorca/analysis.h"
#include "test.h"

struct an_tsv_row {
    char **f; /* fields (point into the buffer) */
    int nf;
};

struct an_tsv {
    char *buf;
    struct an_tsv_row *rows;
    size_t n;
};

static inline int an_test_verbose(void)
{
    const char *v = getenv("GORCA_TEST_VERBOSE");
    return v != NULL && *v && *v != '0';
}

/* Loads path; lines starting with '#' and empty lines are skipped. Returns 0 or -1. */
static inline int an_tsv_load(const char *path, struct an_tsv *t)
{
    size_t len, i, cap = 0;
    char *p, *line;

    memset(t, 0, sizeof(*t));
    t->buf = (char *)test_read_file(path, &len);
    if (t->buf == NULL)
        return -1;
    for (p = t->buf; *p; p = line) {
        char *nl = strchr(p, '\n');
        int nf = 1;
        line = nl ? nl + 1 : p + strlen(p);
        if (nl)
            *nl = '\0';
        if (*p == '#' || *p == '\0')
            continue;
        if (t->n == cap) {
            cap = cap ? cap * 2 : 256;
            t->rows = realloc(t->rows, cap * sizeof(*t->rows));
        }
        for (i = 0; p[i]; i++)
            nf += p[i] == '\t';
        t->rows[t->n].f = malloc((size_t)nf * sizeof(char *));
        t->rows[t->n].nf = nf;
        nf = 0;
        t->rows[t->n].f[nf++] = p;
        for (i = 0; p[i]; i++) {
            if (p[i] == '\t') {
                p[i] = '\0';
                t->rows[t->n].f[nf++] = p + i + 1;
            }
        }
        t->n++;
    }
    return 0;
}

static inline void an_tsv_free(struct an_tsv *t)
{
    size_t i;

    for (i = 0; i < t->n; i++)
        free(t->rows[i].f);
    free(t->rows);
    free(t->buf);
    memset(t, 0, sizeof(*t));
}

#endif
