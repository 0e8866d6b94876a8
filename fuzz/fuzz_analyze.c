/* libFuzzer harness for the whole `gorca analyze` pipeline on one input of any kind: content
 * sniffing, the readers, fact extraction, attribution, every rule and all three renderers; and,
 * for inputs that start with '{', the config file parser (src/diagnosis/config.c).
 * Property: never crashes or leaks; a run over one file always succeeds (a bad file is an input
 * with an error, not a failed run) unless memory runs out; every finding is well formed (score
 * and confidence in 0..1, sorted, cause id known); the JSON report parses. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "gorca/diagnosis.h"
#include "gorca/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void config(const uint8_t *data, size_t size)
{
    struct gorca_diag_config c, before;
    struct gorca_error err;

    gorca_diag_config_init(&c);
    before = c;
    gorca_error_init(&err, NULL);
    if (gorca_diag_config_parse(&c, (const char *)data, size, "fuzz.json", &err) != GORCA_OK &&
        memcmp(&c, &before, sizeof(c)) != 0)
        abort(); /* a rejected config leaves the defaults */
}

static void render_all(const struct gorca_diagnosis *d)
{
    static const enum gorca_report_format fmts[] = { GORCA_REPORT_TEXT, GORCA_REPORT_JSON,
                                                     GORCA_REPORT_MARKDOWN };
    size_t i;

    for (i = 0; i < 3; i++) {
        struct gorca_report_options o;
        struct gorca_buf b;
        struct gorca_error err;

        gorca_report_options_init(&o);
        o.format = fmts[i];
        o.verbose = 1;
        gorca_buf_init(&b, 0);
        gorca_error_init(&err, NULL);
        if (gorca_report_render(d, &o, &b, &err) != GORCA_OK)
            abort();
        if (fmts[i] == GORCA_REPORT_JSON) {
            json_error_t je;
            json_t *root = json_loadb(b.data, b.len, 0, &je);
            if (root == NULL)
                abort();
            json_decref(root);
        }
        gorca_buf_release(&b);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/gorca-fuzz-analyze.XXXXXX";
    const char *paths[1] = { path };
    struct gorca_diagnosis *d = NULL;
    struct gorca_error err;
    enum gorca_status st;
    size_t i;
    int fd;

    if (size > 0 && data[0] == '{')
        config(data, size);
    fd = mkstemp(path);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        unlink(path);
        return 0;
    }
    close(fd);
    gorca_error_init(&err, NULL);
    st = gorca_diagnosis_run(paths, 1, NULL, &d, &err);
    unlink(path);
    if (st != GORCA_OK) {
        if (st != GORCA_E_NOMEM && st != GORCA_E_LIMIT)
            abort();
        return 0;
    }
    for (i = 0; i < d->n_findings; i++) {
        const struct gorca_finding *f = &d->findings[i];
        if (!(f->score >= 0 && f->score <= 1 && f->confidence >= 0 && f->confidence <= 1) ||
            gorca_cause_id(f->cause) == NULL || (i > 0 && f->score > d->findings[i - 1].score))
            abort();
    }
    render_all(d);
    gorca_diagnosis_free(d);
    return 0;
}
