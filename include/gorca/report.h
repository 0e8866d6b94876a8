/* Renderers for a diagnosis (include/gorca/diagnosis.h): plain text for a terminal (fits 100
 * columns, optional ANSI colour, the top finding first with its evidence), JSON (schema
 * "gorca.analysis/1", docs/analysis-schema.md) and Markdown for incident tickets. Each builds
 * the whole document into a caller-owned struct gorca_buf; nothing is printed. */
#ifndef GORCA_REPORT_H
#define GORCA_REPORT_H

#include <stddef.h>
#include "buf.h"
#include "error.h"
#include "diagnosis.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Version of the JSON document; bumped (major) only for incompatible changes. */
#define GORCA_ANALYSIS_SCHEMA "gorca.analysis/1"

enum gorca_report_format { GORCA_REPORT_TEXT = 0, GORCA_REPORT_JSON, GORCA_REPORT_MARKDOWN };

/* Parses "text", "json", "markdown" (or "md"); returns 0 and sets *out, or -1. */
int gorca_report_format_parse(const char *name, enum gorca_report_format *out);

struct gorca_report_options {
    enum gorca_report_format format;
    int color;             /* text: ANSI colours (the caller decides: TTY and NO_COLOR) */
    int width;             /* text: columns to fit; <= 0 = 100 */
    int verbose;           /* text/markdown: every finding in full, and every input; else the top
                              finding in full and the others in brief */
    int indent;            /* JSON: spaces per level, 0 = one line; < 0 = 2 */
    size_t max_evidence;   /* text/markdown: evidence rows per finding; 0 = all */
    const char *generator; /* "gorca 0.1.0": named in JSON and Markdown; NULL = left out */
};

/* Sets o to the defaults: text, no colour, 100 columns, not verbose, JSON indent 2.
 * This function can't fail. */
void gorca_report_options_init(struct gorca_report_options *o);

/* Appends the rendering of d to out. Fails only when the buffer does (GORCA_E_NOMEM or its
 * cap), reported in err. */
enum gorca_status gorca_report_render(const struct gorca_diagnosis *d,
                                      const struct gorca_report_options *o, struct gorca_buf *out,
                                      struct gorca_error *err) GORCA_CHECK;

/* Formats a duration in ns the way the reports do ("412 ms", "1.93 s", "87 µs" as "87us").
 * Writes at most size bytes. This function can't fail. */
void gorca_report_format_duration(int64_t ns, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
