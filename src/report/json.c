/* The JSON report, schema "gorca.analysis/1" (docs/analysis-schema.md): summary, every input
 * with its status and error, every finding with its evidence, locations, handlers, window and
 * advice, and the notes on what the inputs could not show. Raw numbers with explicit units;
 * nothing is pre-formatted except the human labels. */
#include <stdio.h>
#include "base/json.h"
#include "report_int.h"

static void window(struct jw *w, const struct gorca_time_window *t)
{
    jw_key(w, "window");
    if (!t->known) {
        jw_null(w);
        return;
    }
    jw_obj(w);
    jw_ki64(w, "start_ns", t->start_ns);
    jw_ki64(w, "end_ns", t->end_ns);
    jw_key(w, "peak_ns");
    if (t->peak_ns >= 0)
        jw_i64(w, t->peak_ns);
    else
        jw_null(w);
    jw_ki64(w, "capture_ns", t->capture_ns);
    jw_key(w, "unix_start_ns");
    if (t->unix_start_ns > 0)
        jw_i64(w, t->unix_start_ns);
    else
        jw_null(w);
    jw_kstr(w, "basis", t->basis ? t->basis : "");
    jw_end(w);
}

static void finding(struct jw *w, const struct gorca_finding *f)
{
    size_t i;

    jw_obj(w);
    jw_kstr(w, "cause", gorca_cause_id(f->cause));
    jw_kstr(w, "severity", gorca_severity_name(f->severity));
    jw_kdbl(w, "score", f->score, 4);
    jw_kdbl(w, "confidence", f->confidence, 3);
    jw_key(w, "latency_share");
    if (f->latency_share >= 0)
        jw_dbl(w, f->latency_share, 4);
    else
        jw_null(w);
    jw_ki64(w, "attributed_ns", f->attributed_ns);
    jw_kstr(w, "title", f->title);
    jw_kstr(w, "explanation", f->explanation);
    jw_key(w, "evidence");
    jw_arr(w);
    for (i = 0; i < f->n_evidence; i++) {
        const struct gorca_evidence *e = &f->evidence[i];
        jw_obj(w);
        jw_kstr(w, "source", e->source);
        jw_kstr(w, "metric", e->metric);
        jw_kstr(w, "label", e->label);
        jw_kdbl(w, "value", e->value, 6);
        jw_kstr(w, "unit", e->unit);
        jw_end(w);
    }
    jw_end(w);
    jw_key(w, "locations");
    jw_arr(w);
    for (i = 0; i < f->n_locations; i++) {
        const struct gorca_code_location *l = &f->locations[i];
        jw_obj(w);
        jw_kstr(w, "function", l->function);
        jw_kstr(w, "file", l->file ? l->file : "");
        jw_ki64(w, "line", l->line);
        jw_kstr(w, "role", l->role);
        jw_kdbl(w, "weight", l->weight, 3);
        jw_end(w);
    }
    jw_end(w);
    jw_key(w, "handlers");
    jw_arr(w);
    for (i = 0; i < f->n_handlers; i++) {
        const struct gorca_handler_impact *h = &f->handlers[i];
        jw_obj(w);
        jw_kstr(w, "handler", h->handler);
        jw_kstr(w, "file", h->file ? h->file : "");
        jw_ki64(w, "line", h->line);
        jw_ki64(w, "attributed_ns", h->attributed_ns);
        jw_kdbl(w, "goroutines", h->goroutines, 4);
        jw_kdbl(w, "share", h->share, 3);
        jw_end(w);
    }
    jw_end(w);
    window(w, &f->window);
    jw_key(w, "advice");
    jw_arr(w);
    for (i = 0; i < f->n_advice; i++)
        jw_str(w, f->advice[i]);
    jw_end(w);
    jw_end(w);
}

static void summary(struct jw *w, const struct gorca_diagnosis *d)
{
    const struct gorca_diag_summary *s = &d->summary;
    int sev = gorca_diagnosis_max_severity(d);

    jw_key(w, "summary");
    jw_obj(w);
    jw_key(w, "target");
    if (s->target)
        jw_str(w, s->target);
    else
        jw_null(w);
    jw_key(w, "go_version");
    if (s->go_minor > 0) {
        char v[16];
        snprintf(v, sizeof(v), "1.%d", s->go_minor);
        jw_str(w, v);
    } else {
        jw_null(w);
    }
    jw_ki64(w, "capture_ns", s->capture_ns);
    jw_key(w, "unix_start_ns");
    if (s->unix_start_ns > 0)
        jw_i64(w, s->unix_start_ns);
    else
        jw_null(w);
    jw_key(w, "evidence");
    jw_obj(w);
    jw_kbool(w, "trace", s->has_trace);
    jw_kbool(w, "cpu", s->has_cpu);
    jw_kbool(w, "goroutine_dump", s->has_dump);
    jw_kbool(w, "block", s->has_block);
    jw_kbool(w, "mutex", s->has_mutex);
    jw_kbool(w, "heap", s->has_heap);
    jw_end(w);
    jw_ku64(w, "requests", s->requests);
    jw_ki64(w, "request_total_ns", s->request_total_ns);
    jw_ki64(w, "request_p50_ns", s->request_p50_ns);
    jw_ki64(w, "request_p99_ns", s->request_p99_ns);
    jw_ki64(w, "request_max_ns", s->request_max_ns);
    jw_ku64(w, "debug_requests", s->debug_requests);
    jw_ku64(w, "goroutines", s->goroutines);
    jw_ku64(w, "inflight_requests", s->inflight_requests);
    jw_ki64(w, "cpu_ns", s->cpu_ns);
    jw_kdbl(w, "cpu_cores", s->cpu_cores, 3);
    jw_ku64(w, "findings", d->n_findings);
    jw_ku64(w, "findings_medium_or_above", rp_count_at_least(d, GORCA_SEV_MEDIUM));
    jw_key(w, "max_severity");
    if (sev >= 0)
        jw_str(w, gorca_severity_name((enum gorca_severity)sev));
    else
        jw_null(w);
    jw_end(w);
}

void rp_json(const struct gorca_diagnosis *d, const struct gorca_report_options *o,
             struct gorca_buf *out)
{
    struct jw w;
    size_t i;

    jw_init(&w, out, o->indent < 0 ? 2 : o->indent);
    jw_obj(&w);
    jw_kstr(&w, "schema", GORCA_ANALYSIS_SCHEMA);
    if (o->generator)
        jw_kstr(&w, "generator", o->generator);
    summary(&w, d);
    jw_key(&w, "inputs");
    jw_arr(&w);
    for (i = 0; i < d->n_inputs; i++) {
        const struct gorca_diag_input *in = &d->inputs[i];
        jw_obj(&w);
        jw_kstr(&w, "path", in->path ? in->path : "");
        jw_kstr(&w, "name", in->name ? in->name : "");
        jw_key(&w, "bundle");
        if (in->bundle)
            jw_str(&w, in->bundle);
        else
            jw_null(&w);
        jw_key(&w, "endpoint");
        if (in->endpoint)
            jw_str(&w, in->endpoint);
        else
            jw_null(&w);
        jw_kstr(&w, "kind", in->kind ? in->kind : "unknown");
        jw_kstr(&w, "status", rp_input_status(in->status));
        jw_key(&w, "error");
        if (in->error)
            jw_str(&w, in->error);
        else
            jw_null(&w);
        jw_key(&w, "error_code");
        if (in->code != GORCA_OK)
            jw_str(&w, gorca_status_name(in->code));
        else
            jw_null(&w);
        jw_key(&w, "detail");
        if (in->detail)
            jw_str(&w, in->detail);
        else
            jw_null(&w);
        jw_end(&w);
    }
    jw_end(&w);
    jw_key(&w, "findings");
    jw_arr(&w);
    for (i = 0; i < d->n_findings; i++)
        finding(&w, &d->findings[i]);
    jw_end(&w);
    jw_key(&w, "notes");
    jw_arr(&w);
    for (i = 0; i < d->n_notes; i++)
        jw_str(&w, d->notes[i]);
    jw_end(&w);
    jw_end(&w);
    gorca_buf_putc(out, '\n');
}
