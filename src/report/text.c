/* The terminal report: a headline with the verdict, the top finding in full (explanation,
 * evidence table, code locations, affected handlers, window, numbered fixes), the other
 * findings in brief (or in full with verbose), then the inputs that failed and the notes.
 * Every line fits the width (100 columns by default): prose is word-wrapped, long names are
 * cut with "..." in tables. ANSI colour only when the caller asks for it. */
#include <stdio.h>
#include <string.h>
#include "report_int.h"

struct tx {
    struct gorca_buf *out;
    int color, width;
};

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_DIM "\033[2m"
#define C_RED "\033[31m"
#define C_YELLOW "\033[33m"
#define C_CYAN "\033[36m"
#define C_GREEN "\033[32m"

static void on(struct tx *t, const char *code)
{
    if (t->color)
        gorca_buf_puts(t->out, code);
}

static void off(struct tx *t)
{
    if (t->color)
        gorca_buf_puts(t->out, C_RESET);
}

static const char *sev_color(enum gorca_severity s)
{
    switch (s) {
    case GORCA_SEV_CRITICAL:
        return C_BOLD C_RED;
    case GORCA_SEV_HIGH:
        return C_RED;
    case GORCA_SEV_MEDIUM:
        return C_YELLOW;
    case GORCA_SEV_LOW:
        return C_CYAN;
    default:
        return C_DIM;
    }
}

/* Writes s word-wrapped: the first line starts after `used` columns already written, the
 * following ones are indented by `indent` spaces. */
static void wrap(struct tx *t, const char *s, int indent, int used)
{
    int col = used, first = 1;

    for (;;) {
        const char *w;
        int n;

        while (*s == ' ')
            s++;
        if (*s == '\0')
            break;
        w = s;
        while (*s && *s != ' ')
            s++;
        n = (int)(s - w);
        if (!first) {
            if (col + 1 + n > t->width) {
                gorca_buf_printf(t->out, "\n%*s", indent, "");
                col = indent;
            } else {
                gorca_buf_putc(t->out, ' ');
                col++;
            }
        }
        gorca_buf_append(t->out, w, (size_t)n);
        col += n;
        first = 0;
    }
    gorca_buf_putc(t->out, '\n');
}

/* s cut to at most n columns (with "..." when cut) into buf. */
static const char *fit(const char *s, int n, char *buf, size_t size)
{
    size_t len = strlen(s);

    if (n < 4 || (int)len <= n || (size_t)n >= size)
        return s;
    memcpy(buf, s, (size_t)n - 3);
    memcpy(buf + n - 3, "...", 4);
    return buf;
}

static void headline(struct tx *t, const struct gorca_diagnosis *d)
{
    const struct gorca_diag_summary *s = &d->summary;
    size_t serious = rp_count_at_least(d, GORCA_SEV_MEDIUM);
    char p50[32], p99[32], cap[32], line[512];

    on(t, C_BOLD);
    if (d->n_findings == 0 || serious == 0) {
        gorca_buf_puts(t->out, "gorca: no latency problem found");
        off(t);
        if (d->n_findings > 0)
            gorca_buf_printf(t->out, " (%zu minor finding%s)", d->n_findings,
                             d->n_findings == 1 ? "" : "s");
    } else {
        gorca_buf_printf(t->out, "gorca: %zu finding%s", serious, serious == 1 ? "" : "s");
        off(t);
        gorca_buf_printf(t->out, " of medium severity or above, top: ");
        on(t, sev_color(d->findings[0].severity));
        gorca_buf_printf(t->out, "%s", gorca_cause_id(d->findings[0].cause));
        off(t);
    }
    gorca_buf_putc(t->out, '\n');
    line[0] = '\0';
    if (s->target)
        snprintf(line, sizeof(line), "target %s, ", s->target);
    if (s->capture_ns > 0) {
        gorca_report_format_duration(s->capture_ns, cap, sizeof(cap));
        snprintf(line + strlen(line), sizeof(line) - strlen(line), "capture %s, ", cap);
    }
    if (s->go_minor > 0)
        snprintf(line + strlen(line), sizeof(line) - strlen(line), "Go 1.%d, ", s->go_minor);
    if (s->has_trace) {
        gorca_report_format_duration(s->request_p50_ns, p50, sizeof(p50));
        gorca_report_format_duration(s->request_p99_ns, p99, sizeof(p99));
        snprintf(line + strlen(line), sizeof(line) - strlen(line),
                 "%llu requests (p50 %s, p99 %s), ", (unsigned long long)s->requests, p50, p99);
    }
    if (s->has_dump)
        snprintf(line + strlen(line), sizeof(line) - strlen(line),
                 "%llu goroutines (%llu serving requests), ", (unsigned long long)s->goroutines,
                 (unsigned long long)s->inflight_requests);
    snprintf(line + strlen(line), sizeof(line) - strlen(line), "%zu of %zu inputs used", d->n_used,
             d->n_inputs);
    wrap(t, line, 0, 0);
}

static void evidence(struct tx *t, const struct gorca_finding *f, size_t max)
{
    size_t i, n = f->n_evidence;
    int lw = t->width - 4 - 14 - 2 - 18;

    if (n == 0)
        return;
    if (max > 0 && n > max)
        n = max;
    on(t, C_BOLD);
    gorca_buf_puts(t->out, "   Evidence\n");
    off(t);
    for (i = 0; i < n; i++) {
        const struct gorca_evidence *e = &f->evidence[i];
        char v[48], b1[128], b2[64];
        gorca_buf_printf(t->out, "     %-*s %13s  ", lw, fit(e->label, lw, b1, sizeof(b1)),
                         (rp_value(e, v, sizeof(v)), v));
        on(t, C_DIM);
        gorca_buf_printf(t->out, "%s", fit(rp_base(e->source), 17, b2, sizeof(b2)));
        off(t);
        gorca_buf_putc(t->out, '\n');
    }
    if (n < f->n_evidence)
        gorca_buf_printf(t->out, "     (%zu more with --verbose or --format json)\n",
                         f->n_evidence - n);
}

static void locations(struct tx *t, const struct gorca_finding *f)
{
    size_t i;

    if (f->n_locations == 0)
        return;
    on(t, C_BOLD);
    gorca_buf_puts(t->out, "   Code\n");
    off(t);
    for (i = 0; i < f->n_locations; i++) {
        const struct gorca_code_location *l = &f->locations[i];
        char where[256], b1[160], b2[96];
        int fw;

        if (l->file && l->file[0])
            snprintf(where, sizeof(where), "%s:%lld", rp_short_file(l->file), (long long)l->line);
        else
            where[0] = '\0';
        fw = t->width - 5 - 17 - 2 - (int)strlen(fit(where, 40, b2, sizeof(b2))) - 8;
        gorca_buf_printf(t->out, "     %-16s %s  ", l->role, fit(l->function, fw, b1, sizeof(b1)));
        on(t, C_DIM);
        gorca_buf_printf(t->out, "%s", fit(where, 40, b2, sizeof(b2)));
        off(t);
        if (l->weight > 0 && l->weight < 0.995)
            gorca_buf_printf(t->out, " (%.0f%%)", l->weight * 100);
        gorca_buf_putc(t->out, '\n');
    }
}

static void handlers(struct tx *t, const struct gorca_finding *f)
{
    size_t i;

    if (f->n_handlers == 0)
        return;
    on(t, C_BOLD);
    gorca_buf_puts(t->out, "   Handlers\n");
    off(t);
    for (i = 0; i < f->n_handlers; i++) {
        const struct gorca_handler_impact *h = &f->handlers[i];
        char v[32], b1[160];
        if (h->attributed_ns > 0)
            gorca_report_format_duration(h->attributed_ns, v, sizeof(v));
        else if (h->goroutines > 0)
            snprintf(v, sizeof(v), "%.0f in flight", h->goroutines);
        else
            snprintf(v, sizeof(v), "-");
        gorca_buf_printf(t->out, "     %-*s %13s  (%.0f%%)\n", t->width - 30,
                         fit(h->handler, t->width - 30, b1, sizeof(b1)), v, h->share * 100);
    }
}

static void window(struct tx *t, const struct gorca_finding *f)
{
    const struct gorca_time_window *w = &f->window;
    char a[32], b[32], c[32], p[32];

    if (!w->known)
        return;
    gorca_report_format_duration(w->start_ns, a, sizeof(a));
    gorca_report_format_duration(w->end_ns, b, sizeof(b));
    gorca_report_format_duration(w->capture_ns, c, sizeof(c));
    on(t, C_BOLD);
    gorca_buf_puts(t->out, "   Window");
    off(t);
    if (w->start_ns == w->end_ns)
        gorca_buf_printf(t->out, "   at %s", a);
    else
        gorca_buf_printf(t->out, "   %s to %s", a, b);
    if (w->capture_ns > 0)
        gorca_buf_printf(t->out, " of the %s capture", c);
    if (w->peak_ns >= 0 && w->start_ns != w->end_ns) {
        gorca_report_format_duration(w->peak_ns, p, sizeof(p));
        gorca_buf_printf(t->out, ", worst at %s", p);
    }
    gorca_buf_printf(t->out, " (%s)\n", w->basis ? w->basis : "");
}

static void advice(struct tx *t, const struct gorca_finding *f)
{
    size_t i;

    if (f->n_advice == 0)
        return;
    on(t, C_BOLD);
    gorca_buf_puts(t->out, "   Fix\n");
    off(t);
    for (i = 0; i < f->n_advice; i++) {
        gorca_buf_printf(t->out, "     %zu. ", i + 1);
        wrap(t, f->advice[i], 8, 8);
    }
}

static void finding_head(struct tx *t, const struct gorca_finding *f, size_t rank)
{
    char share[32] = "";

    if (f->latency_share >= 0)
        snprintf(share, sizeof(share), ", %.0f%% of latency", f->latency_share * 100);
    gorca_buf_printf(t->out, "#%zu ", rank);
    on(t, sev_color(f->severity));
    gorca_buf_printf(t->out, "%-8s", gorca_severity_name(f->severity));
    off(t);
    on(t, C_BOLD);
    gorca_buf_printf(t->out, " %s", gorca_cause_id(f->cause));
    off(t);
    gorca_buf_printf(t->out, "  score %.2f, confidence %.2f%s\n", f->score, f->confidence, share);
    gorca_buf_puts(t->out, "   ");
    wrap(t, f->title, 3, 3);
}

static void finding_full(struct tx *t, const struct gorca_finding *f, size_t rank,
                         const struct gorca_report_options *o)
{
    finding_head(t, f, rank);
    gorca_buf_putc(t->out, '\n');
    gorca_buf_puts(t->out, "   ");
    wrap(t, f->explanation, 3, 3);
    gorca_buf_putc(t->out, '\n');
    evidence(t, f, o->verbose ? 0 : (o->max_evidence ? o->max_evidence : 10));
    locations(t, f);
    handlers(t, f);
    window(t, f);
    advice(t, f);
}

static void inputs(struct tx *t, const struct gorca_diagnosis *d, int verbose)
{
    size_t i, failed = 0;

    for (i = 0; i < d->n_inputs; i++)
        failed += d->inputs[i].status == GORCA_DIAG_INPUT_FAILED;
    if (!verbose && failed == 0)
        return;
    on(t, C_BOLD);
    gorca_buf_puts(t->out, verbose ? "\nInputs\n" : "\nInputs that could not be used\n");
    off(t);
    for (i = 0; i < d->n_inputs; i++) {
        const struct gorca_diag_input *in = &d->inputs[i];
        char b1[64], line[600];
        if (!verbose && in->status != GORCA_DIAG_INPUT_FAILED)
            continue;
        gorca_buf_printf(t->out, "  %-8s %-24s ", rp_input_status(in->status),
                         fit(in->name ? in->name : "", 24, b1, sizeof(b1)));
        snprintf(line, sizeof(line), "%s", in->error ? in->error : in->detail ? in->detail : "");
        wrap(t, line, 36, 36);
    }
}

void rp_text(const struct gorca_diagnosis *d, const struct gorca_report_options *o,
             struct gorca_buf *out)
{
    struct tx t = { out, o->color, o->width > 40 ? o->width : 100 };
    size_t i;

    headline(&t, d);
    for (i = 0; i < d->n_findings; i++) {
        gorca_buf_putc(out, '\n');
        if (i == 0 || o->verbose)
            finding_full(&t, &d->findings[i], i + 1, o);
        else
            finding_head(&t, &d->findings[i], i + 1);
    }
    if (d->n_findings > 1 && !o->verbose)
        gorca_buf_puts(out, "\n(--verbose shows every finding in full)\n");
    inputs(&t, d, o->verbose);
    if (d->n_notes > 0) {
        on(&t, C_BOLD);
        gorca_buf_puts(out, "\nNotes\n");
        off(&t);
        for (i = 0; i < d->n_notes; i++) {
            gorca_buf_puts(out, "  - ");
            wrap(&t, d->notes[i], 4, 4);
        }
    }
}
