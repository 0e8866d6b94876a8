/* Private header of the report module: the three renderers and their shared helpers. */
#ifndef GORCA_REPORT_INT_H
#define GORCA_REPORT_INT_H

#include <stddef.h>
#include <stdint.h>
#include "gorca/report.h"

void rp_text(const struct gorca_diagnosis *d, const struct gorca_report_options *o,
             struct gorca_buf *out);
void rp_json(const struct gorca_diagnosis *d, const struct gorca_report_options *o,
             struct gorca_buf *out);
void rp_markdown(const struct gorca_diagnosis *d, const struct gorca_report_options *o,
                 struct gorca_buf *out);

/* An evidence value formatted for people, by its unit ("412 ms", "45%", "12.0 MB"). */
void rp_value(const struct gorca_evidence *e, char *buf, size_t size);
/* The last two components of a source path ("service/backends.go"). */
const char *rp_short_file(const char *file);
/* The last component of a path. */
const char *rp_base(const char *path);
/* "used", "failed", "ignored". */
const char *rp_input_status(enum gorca_diag_input_status s);
/* Findings with at least this severity. */
size_t rp_count_at_least(const struct gorca_diagnosis *d, enum gorca_severity s);

#endif
