/* The Markdown report, for pasting into an incident ticket: the verdict, a table of findings,
 * each finding with explanation, evidence table, code locations, affected handlers, window and
 * the fix as a numbered list, then the inputs (in a collapsible block) and the notes. Table
 * cells escape '|' and code spans hold function names. */
#include <stdio.h>
#include <string.h>
#include "report_int.h"

/* Prose for a table cell or a line: Markdown's inline markup characters escaped (function
 * names such as main.(*T).f would otherwise turn into emphasis), newlines as spaces. */
static void cell(struct gorca_buf *b, const char *s)
{
    for (; s && *s; s++) {
        if (strchr("|*_`<>[]\\#", *s) != NULL) {
            gorca_buf_putc(b, '\\');
            gorca_buf_putc(b, *s);
        } else if (*s == '\n' || *s == '\r') {
            gorca_buf_putc(b, ' ');
        } else {
            gorca_buf_putc(b, *s);
        }
    }
}

/* A code span: only '|' needs care (inside a table), backticks cannot occur in Go names. */
static void code(struct gorca_buf *b, const char *s)
{
    gorca_buf_putc(b, '`');
    for (; s && *s; s++) {
        if (*s == '|')
            gorca_buf_puts(b, "\\|");
        else if (*s != '`' && *s != '\n')
            gorca_buf_putc(b, *s);
    }
    gorca_buf_putc(b, '`');
}

static void summary(const struct gorca_diagnosis *d, struct gorca_buf *b)
{
    const struct gorca_diag_summary *s = &d->summary;
    char x[32], y[32];

    gorca_buf_puts(b, "\n");
    if (s->target) {
        gorca_buf_puts(b, "- **Target:** ");
        cell(b, s->target);
        gorca_buf_puts(b, "\n");
    }
    if (s->capture_ns > 0) {
        gorca_report_format_duration(s->capture_ns, x, sizeof(x));
        gorca_buf_printf(b, "- **Capture:** %s", x);
        if (s->go_minor > 0)
            gorca_buf_printf(b, ", Go 1.%d", s->go_minor);
        gorca_buf_puts(b, "\n");
    }
    if (s->has_trace) {
        gorca_report_format_duration(s->request_p50_ns, x, sizeof(x));
        gorca_report_format_duration(s->request_p99_ns, y, sizeof(y));
        gorca_buf_printf(b, "- **Requests:** %llu (p50 %s, p99 %s)\n",
                         (unsigned long long)s->requests, x, y);
    }
    if (s->has_dump)
        gorca_buf_printf(b, "- **Goroutines:** %llu, %llu serving requests\n",
                         (unsigned long long)s->goroutines,
                         (unsigned long long)s->inflight_requests);
    gorca_buf_printf(b, "- **Inputs:** %zu of %zu used\n", d->n_used, d->n_inputs);
}

static void finding(const struct gorca_finding *f, size_t rank, struct gorca_buf *b)
{
    size_t i;
    char v[48];

    gorca_buf_printf(b, "\n### %zu. ", rank);
    cell(b, f->title);
    gorca_buf_printf(b, "\n\n`%s` · severity **%s** · score %.2f · confidence %.2f",
                     gorca_cause_id(f->cause), gorca_severity_name(f->severity), f->score,
                     f->confidence);
    if (f->latency_share >= 0)
        gorca_buf_printf(b, " · %.0f%% of request latency", f->latency_share * 100);
    gorca_buf_puts(b, "\n\n");
    cell(b, f->explanation);
    gorca_buf_puts(b, "\n");
    if (f->n_evidence > 0) {
        gorca_buf_puts(b, "\n| Evidence | Value | Source |\n|---|---:|---|\n");
        for (i = 0; i < f->n_evidence; i++) {
            gorca_buf_puts(b, "| ");
            cell(b, f->evidence[i].label);
            rp_value(&f->evidence[i], v, sizeof(v));
            gorca_buf_printf(b, " | %s | ", v);
            cell(b, f->evidence[i].source);
            gorca_buf_puts(b, " |\n");
        }
    }
    if (f->n_locations > 0) {
        gorca_buf_puts(b, "\n**Code**\n\n");
        for (i = 0; i < f->n_locations; i++) {
            const struct gorca_code_location *l = &f->locations[i];
            gorca_buf_puts(b, "- ");
            code(b, l->function);
            if (l->file && l->file[0]) {
                gorca_buf_puts(b, " at ");
                gorca_buf_printf(b, "`%s:%lld`", rp_short_file(l->file), (long long)l->line);
            }
            gorca_buf_printf(b, " (%s", l->role);
            if (l->weight > 0 && l->weight < 0.995)
                gorca_buf_printf(b, ", %.0f%%", l->weight * 100);
            gorca_buf_puts(b, ")\n");
        }
    }
    if (f->n_handlers > 0) {
        gorca_buf_puts(b, "\n**Affected handlers**\n\n");
        for (i = 0; i < f->n_handlers; i++) {
            const struct gorca_handler_impact *h = &f->handlers[i];
            gorca_buf_puts(b, "- ");
            code(b, h->handler);
            if (h->attributed_ns > 0) {
                gorca_report_format_duration(h->attributed_ns, v, sizeof(v));
                gorca_buf_printf(b, ": %s (%.0f%%)\n", v, h->share * 100);
            } else if (h->goroutines > 0) {
                gorca_buf_printf(b, ": %.0f in flight (%.0f%%)\n", h->goroutines, h->share * 100);
            } else {
                gorca_buf_printf(b, " (%.0f%%)\n", h->share * 100);
            }
        }
    }
    if (f->window.known) {
        char a[32], c[32], p[32];
        gorca_report_format_duration(f->window.start_ns, a, sizeof(a));
        gorca_report_format_duration(f->window.end_ns, c, sizeof(c));
        gorca_buf_printf(b, "\n**Window:** %s to %s", a, c);
        if (f->window.capture_ns > 0) {
            gorca_report_format_duration(f->window.capture_ns, p, sizeof(p));
            gorca_buf_printf(b, " of the %s capture", p);
        }
        if (f->window.peak_ns >= 0) {
            gorca_report_format_duration(f->window.peak_ns, p, sizeof(p));
            gorca_buf_printf(b, ", worst at %s", p);
        }
        gorca_buf_printf(b, " (%s)\n", f->window.basis ? f->window.basis : "");
    }
    if (f->n_advice > 0) {
        gorca_buf_puts(b, "\n**Fix**\n\n");
        for (i = 0; i < f->n_advice; i++) {
            gorca_buf_printf(b, "%zu. ", i + 1);
            cell(b, f->advice[i]);
            gorca_buf_puts(b, "\n");
        }
    }
}

void rp_markdown(const struct gorca_diagnosis *d, const struct gorca_report_options *o,
                 struct gorca_buf *b)
{
    size_t i, serious = rp_count_at_least(d, GORCA_SEV_MEDIUM);

    if (serious > 0)
        gorca_buf_printf(b, "## Latency diagnosis: `%s` (%s)\n",
                         gorca_cause_id(d->findings[0].cause),
                         gorca_severity_name(d->findings[0].severity));
    else
        gorca_buf_puts(b, "## Latency diagnosis: no problem found\n");
    summary(d, b);
    if (d->n_findings > 0) {
        gorca_buf_puts(b, "\n| # | Severity | Cause | Share of latency | Finding |\n"
                          "|---:|---|---|---:|---|\n");
        for (i = 0; i < d->n_findings; i++) {
            const struct gorca_finding *f = &d->findings[i];
            gorca_buf_printf(b, "| %zu | %s | `%s` | ", i + 1, gorca_severity_name(f->severity),
                             gorca_cause_id(f->cause));
            if (f->latency_share >= 0)
                gorca_buf_printf(b, "%.0f%%", f->latency_share * 100);
            else
                gorca_buf_puts(b, "n/a");
            gorca_buf_puts(b, " | ");
            cell(b, f->title);
            gorca_buf_puts(b, " |\n");
        }
    }
    for (i = 0; i < d->n_findings; i++)
        if (i == 0 || o->verbose || d->findings[i].severity >= GORCA_SEV_MEDIUM)
            finding(&d->findings[i], i + 1, b);
    gorca_buf_puts(b, "\n<details><summary>Inputs</summary>\n\n| Input | Kind | Status | Detail |\n"
                      "|---|---|---|---|\n");
    for (i = 0; i < d->n_inputs; i++) {
        const struct gorca_diag_input *in = &d->inputs[i];
        gorca_buf_puts(b, "| ");
        cell(b, in->name);
        gorca_buf_printf(b, " | %s | %s | ", in->kind ? in->kind : "", rp_input_status(in->status));
        cell(b, in->error ? in->error : in->detail ? in->detail : "");
        gorca_buf_puts(b, " |\n");
    }
    gorca_buf_puts(b, "\n</details>\n");
    if (d->n_notes > 0) {
        gorca_buf_puts(b, "\n**Notes**\n\n");
        for (i = 0; i < d->n_notes; i++) {
            gorca_buf_puts(b, "- ");
            cell(b, d->notes[i]);
            gorca_buf_puts(b, "\n");
        }
    }
    if (o->generator)
        gorca_buf_printf(b, "\n_Generated by %s._\n", o->generator);
}
