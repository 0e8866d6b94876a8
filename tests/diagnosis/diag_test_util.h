/* Helpers shared by the diagnosis tests: run gorca_diagnosis_run on fixtures of
 * testdata/diagnosis, find findings, locations, handlers and evidence in the result. */
#ifndef DIAG_TEST_UTIL_H
#define DIAG_TEST_UTIL_H

#include <math.h>
#include <stdarg.h>
#include "gorca/diagnosis.h"
#include "test.h"

/* Diagnoses the given repository-relative paths (NULL-terminated); NULL on failure (the test
 * has failed then). */
static inline struct gorca_diagnosis *diag_run(const struct gorca_diag_config *cfg, ...)
{
    const char *paths[16];
    char bufs[16][512];
    struct gorca_diagnosis *d = NULL;
    struct gorca_error err;
    size_t n = 0;
    va_list ap;
    const char *p;

    va_start(ap, cfg);
    while ((p = va_arg(ap, const char *)) != NULL && n < 16) {
        snprintf(bufs[n], sizeof(bufs[n]), "%s", test_repo_path(p));
        paths[n] = bufs[n];
        n++;
    }
    va_end(ap);
    gorca_error_init(&err, NULL);
    if (gorca_diagnosis_run(paths, n, cfg, &d, &err) != GORCA_OK) {
        char text[512];
        gorca_error_format(&err, text, sizeof(text));
        fprintf(stderr, "  gorca_diagnosis_run: %s\n", text);
        return NULL;
    }
    return d;
}

static inline const struct gorca_finding *diag_find(const struct gorca_diagnosis *d,
                                                    const char *cause)
{
    size_t i;

    for (i = 0; i < d->n_findings; i++)
        if (strcmp(gorca_cause_id(d->findings[i].cause), cause) == 0)
            return &d->findings[i];
    return NULL;
}

static inline int diag_has_location(const struct gorca_finding *f, const char *func,
                                    const char *role)
{
    size_t i;

    for (i = 0; i < f->n_locations; i++)
        if (strcmp(f->locations[i].function, func) == 0 &&
            (role == NULL || strcmp(f->locations[i].role, role) == 0))
            return 1;
    return 0;
}

static inline int diag_has_handler(const struct gorca_finding *f, const char *func)
{
    size_t i;

    for (i = 0; i < f->n_handlers; i++)
        if (strcmp(f->handlers[i].handler, func) == 0)
            return 1;
    return 0;
}

/* The value of an evidence metric, NAN when absent. */
static inline double diag_evidence(const struct gorca_finding *f, const char *metric)
{
    size_t i;

    for (i = 0; i < f->n_evidence; i++)
        if (strcmp(f->evidence[i].metric, metric) == 0)
            return f->evidence[i].value;
    return NAN;
}

static inline const struct gorca_evidence *diag_evidence_item(const struct gorca_finding *f,
                                                              const char *metric)
{
    size_t i;

    for (i = 0; i < f->n_evidence; i++)
        if (strcmp(f->evidence[i].metric, metric) == 0)
            return &f->evidence[i];
    return NULL;
}

static inline int diag_count_at_least(const struct gorca_diagnosis *d, enum gorca_severity s)
{
    size_t i;
    int n = 0;

    for (i = 0; i < d->n_findings; i++)
        n += d->findings[i].severity >= s;
    return n;
}

#endif
