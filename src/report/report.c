/* Report rendering entry point and the helpers the three renderers share: option defaults,
 * format names, value formatting by unit (durations, shares, bytes, counts), short source
 * paths. The renderers themselves are text.c, json.c and markdown.c. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "report_int.h"

void gorca_report_options_init(struct gorca_report_options *o)
{
    memset(o, 0, sizeof(*o));
    o->format = GORCA_REPORT_TEXT;
    o->width = 100;
    o->indent = 2;
}

int gorca_report_format_parse(const char *name, enum gorca_report_format *out)
{
    if (strcmp(name, "text") == 0)
        *out = GORCA_REPORT_TEXT;
    else if (strcmp(name, "json") == 0)
        *out = GORCA_REPORT_JSON;
    else if (strcmp(name, "markdown") == 0 || strcmp(name, "md") == 0)
        *out = GORCA_REPORT_MARKDOWN;
    else
        return -1;
    return 0;
}

enum gorca_status gorca_report_render(const struct gorca_diagnosis *d,
                                      const struct gorca_report_options *o, struct gorca_buf *out,
                                      struct gorca_error *err)
{
    struct gorca_report_options def;

    if (o == NULL) {
        gorca_report_options_init(&def);
        o = &def;
    }
    switch (o->format) {
    case GORCA_REPORT_JSON:
        rp_json(d, o, out);
        break;
    case GORCA_REPORT_MARKDOWN:
        rp_markdown(d, o, out);
        break;
    default:
        rp_text(d, o, out);
        break;
    }
    return gorca_buf_status(out, err);
}

void gorca_report_format_duration(int64_t ns, char *buf, size_t size)
{
    double v = (double)ns;

    if (ns < 0)
        snprintf(buf, size, "-");
    else if (v >= 1e9)
        snprintf(buf, size, "%.2f s", v / 1e9);
    else if (v >= 1e7)
        snprintf(buf, size, "%.0f ms", v / 1e6);
    else if (v >= 1e6)
        snprintf(buf, size, "%.1f ms", v / 1e6);
    else if (v >= 1e3)
        snprintf(buf, size, "%.0f us", v / 1e3);
    else
        snprintf(buf, size, "%.0f ns", v);
}

void rp_value(const struct gorca_evidence *e, char *buf, size_t size)
{
    const char *u = e->unit ? e->unit : "";
    double v = e->value;

    if (strcmp(u, "ns") == 0)
        gorca_report_format_duration((int64_t)llround(v), buf, size);
    else if (strcmp(u, "ratio") == 0)
        snprintf(buf, size, v < 0.1 && v > 0 ? "%.1f%%" : "%.0f%%", v * 100);
    else if (strcmp(u, "bytes") == 0)
        snprintf(buf, size, v >= 1e9 ? "%.2f GB" : "%.1f MB", v >= 1e9 ? v / 1e9 : v / 1e6);
    else if (strcmp(u, "per_second") == 0)
        snprintf(buf, size, "%.1f/s", v);
    else if (strcmp(u, "minutes") == 0)
        snprintf(buf, size, "%.0f min", v);
    else if (strcmp(u, "cores") == 0)
        snprintf(buf, size, "%.2f", v);
    else if (v == floor(v) && fabs(v) < 1e15)
        snprintf(buf, size, "%.0f", v);
    else
        snprintf(buf, size, "%.2f", v);
}

const char *rp_short_file(const char *file)
{
    const char *p, *last = NULL, *prev = NULL;

    if (file == NULL)
        return "";
    for (p = file; *p; p++) {
        if (*p == '/') {
            prev = last;
            last = p;
        }
    }
    return prev ? prev + 1 : file;
}

const char *rp_base(const char *path)
{
    const char *s;

    if (path == NULL)
        return "";
    s = strrchr(path, '/');
    return s && s[1] ? s + 1 : path;
}

const char *rp_input_status(enum gorca_diag_input_status s)
{
    switch (s) {
    case GORCA_DIAG_INPUT_USED:
        return "used";
    case GORCA_DIAG_INPUT_FAILED:
        return "failed";
    default:
        return "ignored";
    }
}

size_t rp_count_at_least(const struct gorca_diagnosis *d, enum gorca_severity s)
{
    size_t i, n = 0;

    for (i = 0; i < d->n_findings; i++)
        n += d->findings[i].severity >= s;
    return n;
}
