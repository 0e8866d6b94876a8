/* Value-column selection and stack filters shared by every view, reproducing go tool pprof's
 * applyFocus (pprof-formats.md §5.1, §5.9): focus/ignore decide per location and then per
 * sample, hide/show remove lines from locations, and the report total is taken before any
 * filter. Regexes are PCRE2, unanchored, tried on function names, file names and mapping
 * files; each distinct function or mapping is matched once. The profile is not modified. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include "pprof_int.h"

enum { RX_FOCUS, RX_IGNORE, RX_HIDE, RX_SHOW, RX_N };

static const char *const rx_names[RX_N] = { "focus", "ignore", "hide", "show" };

struct rx {
    pcre2_code *code;
    pcre2_match_data *md;
    int8_t *fn_cache;  /* per function: -1 unknown, 0/1 */
    int8_t *map_cache; /* per mapping */
};

static enum gorca_status rx_compile(struct rx *r, const char *name, const char *pattern,
                                    const struct gorca_profile *p, struct gorca_error *err)
{
    int code;
    PCRE2_SIZE off;

    r->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                            PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code, &off, NULL);
    if (r->code == NULL) {
        PCRE2_UCHAR msg[160];

        pcre2_get_error_message(code, msg, sizeof(msg));
        return GORCA_FAIL(err, GORCA_E_ARG, -1, NULL, "invalid %s regex '%s': %s at offset %zu",
                          name, pattern, (const char *)msg, (size_t)off);
    }
    (void)pcre2_jit_compile(r->code, PCRE2_JIT_COMPLETE); /* falls back to the interpreter */
    r->md = pcre2_match_data_create_from_pattern(r->code, NULL);
    r->fn_cache = base_malloc(p->n_functions + 1);
    r->map_cache = base_malloc(p->n_mappings + 1);
    if (r->md == NULL || r->fn_cache == NULL || r->map_cache == NULL)
        return GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory compiling a regex");
    memset(r->fn_cache, -1, p->n_functions + 1);
    memset(r->map_cache, -1, p->n_mappings + 1);
    return GORCA_OK;
}

static void rx_release(struct rx *r)
{
    pcre2_match_data_free(r->md);
    pcre2_code_free(r->code);
    base_free(r->fn_cache);
    base_free(r->map_cache);
    memset(r, 0, sizeof(*r));
}

static int rx_match(struct rx *r, struct gorca_strv s)
{
    return pcre2_match(r->code, (PCRE2_SPTR)(s.ptr ? s.ptr : ""), s.len, 0, 0, r->md, NULL) >= 0;
}

/* re matches the function's name or file name (pprof's per-line test). */
static int rx_fn(struct rx *r, const struct gorca_profile *p, const struct gorca_function *f)
{
    size_t i = (size_t)(f - p->functions);

    if (r->fn_cache[i] < 0)
        r->fn_cache[i] = (int8_t)(rx_match(r, f->name) || rx_match(r, f->filename));
    return r->fn_cache[i];
}

static int rx_map(struct rx *r, const struct gorca_profile *p, const struct gorca_mapping *m)
{
    size_t i;

    if (m == NULL)
        return 0;
    i = (size_t)(m - p->mappings);
    if (r->map_cache[i] < 0)
        r->map_cache[i] = (int8_t)rx_match(r, m->filename);
    return r->map_cache[i];
}

/* pprof's Location.matchesName over the lines currently kept. */
static int loc_matches(struct rx *r, const struct gorca_profile *p, const struct gorca_location *l,
                       const uint16_t *lines, uint16_t n)
{
    for (uint16_t i = 0; i < n; i++)
        if (rx_fn(r, p, l->lines[lines[i]].function))
            return 1;
    return rx_map(r, p, l->mapping);
}

/* hide: keep the lines that do not match (none when the mapping file matches). show: keep the
 * matching lines (all when the mapping file matches). Returns the new count. */
static uint16_t filter_lines(struct rx *r, const struct gorca_profile *p,
                             const struct gorca_location *l, uint16_t *lines, uint16_t n,
                             int keep_matching)
{
    uint16_t k = 0;

    if (rx_map(r, p, l->mapping))
        return keep_matching ? n : 0;
    for (uint16_t i = 0; i < n; i++)
        if (rx_fn(r, p, l->lines[lines[i]].function) == keep_matching)
            lines[k++] = lines[i];
    return k;
}

static enum gorca_status select_column(const struct gorca_profile *p,
                                       const struct gorca_view_options *o, struct pb_selection *sel,
                                       struct gorca_error *err)
{
    const struct gorca_value_type *vt;
    int64_t total = 0, div = 0;
    size_t k;

    if (p->n_sample_types == 0)
        return GORCA_FAIL(err, GORCA_E_UNSUPPORTED, -1, NULL, "profile has no sample types");
    if (gorca_profile_sample_index(p, o ? o->sample_index : NULL, &sel->value_index, err) !=
        GORCA_OK)
        return err->code;
    k = sel->value_index;
    vt = &p->sample_types[k];
    sel->mean = o && o->mean;
    snprintf(sel->type_name, sizeof(sel->type_name), "%s%.*s", sel->mean ? "mean_" : "",
             (int)vt->type.len, vt->type.ptr);
    sel->unit = vt->unit;
    for (size_t i = 0; i < p->n_samples; i++) {
        int64_t v = p->samples[i].values[k];

        total += v < 0 ? -v : v;
        if (sel->mean)
            div += p->samples[i].values[0];
    }
    sel->total = div != 0 ? total / div : total;
    return GORCA_OK;
}

static enum gorca_status select_lines(const struct gorca_profile *p, struct rx *rx,
                                      int8_t *loc_state, struct pb_selection *sel,
                                      struct gorca_error *err)
{
    size_t n_lines = 0, at = 0;

    for (size_t i = 0; i < p->n_locations; i++)
        n_lines += p->locations[i].n_lines;
    sel->line_start = base_malloc((p->n_locations + 1) * sizeof(uint32_t));
    sel->line_count = base_malloc((p->n_locations + 1) * sizeof(uint16_t));
    sel->line_idx = base_malloc((n_lines + 1) * sizeof(uint16_t));
    if (sel->line_start == NULL || sel->line_count == NULL || sel->line_idx == NULL)
        return GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory filtering");
    for (size_t i = 0; i < p->n_locations; i++) {
        const struct gorca_location *l = &p->locations[i];
        uint16_t *lines = sel->line_idx + at, n = (uint16_t)l->n_lines;

        for (uint16_t j = 0; j < n; j++)
            lines[j] = j;
        /* focus/ignore use the location's lines before hide and show touch them. */
        if (rx[RX_IGNORE].code && loc_matches(&rx[RX_IGNORE], p, l, lines, n))
            loc_state[i] = 2;
        else if (rx[RX_FOCUS].code == NULL || loc_matches(&rx[RX_FOCUS], p, l, lines, n))
            loc_state[i] = 1;
        /* A location left without lines is hidden (and leaves its samples' stacks). */
        if (rx[RX_HIDE].code && loc_matches(&rx[RX_HIDE], p, l, lines, n)) {
            n = filter_lines(&rx[RX_HIDE], p, l, lines, n, 0);
            if (n == 0)
                loc_state[i] |= 4;
        }
        if (rx[RX_SHOW].code) {
            n = filter_lines(&rx[RX_SHOW], p, l, lines, n, 1);
            if (n == 0)
                loc_state[i] |= 4;
        }
        sel->line_start[i] = (uint32_t)at;
        sel->line_count[i] = n;
        at += l->n_lines;
    }
    return GORCA_OK;
}

/* pprof's focusedAndNotIgnored plus the removal of samples whose frames were all hidden. */
static int sample_survives(const struct gorca_sample *s, const int8_t *loc_state)
{
    int focused = 0, visible = 0;

    for (uint32_t i = 0; i < s->n_locs; i++) {
        int st = loc_state[s->locs[i]];

        if ((st & 3) == 2)
            return 0;
        focused |= (st & 3) == 1;
        visible |= !(st & 4);
    }
    return focused && visible;
}

enum gorca_status pb_select(const struct gorca_profile *p, const struct gorca_view_options *o,
                            struct pb_selection *sel, struct gorca_error *err)
{
    const char *pat[RX_N] = { o ? o->focus : NULL, o ? o->ignore : NULL, o ? o->hide : NULL,
                              o ? o->show : NULL };
    struct rx rx[RX_N];
    int8_t *loc_state = NULL;
    int any = 0;
    enum gorca_status st;

    memset(sel, 0, sizeof(*sel));
    memset(rx, 0, sizeof(rx));
    st = select_column(p, o, sel, err);
    for (int i = 0; i < RX_N && st == GORCA_OK; i++) {
        if (pat[i] == NULL || pat[i][0] == '\0')
            continue;
        any = 1;
        snprintf(sel->filters[sel->n_filters++], sizeof(sel->filters[0]), "%s=%s", rx_names[i],
                 pat[i]);
        st = rx_compile(&rx[i], rx_names[i], pat[i], p, err);
    }
    if (st == GORCA_OK) {
        loc_state = base_calloc(p->n_locations + 1, 1);
        sel->sample_kept = base_malloc(p->n_samples + 1);
        if (loc_state == NULL || sel->sample_kept == NULL)
            st = GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory filtering");
    }
    if (st == GORCA_OK)
        st = select_lines(p, rx, loc_state, sel, err);
    if (st == GORCA_OK) {
        for (size_t i = 0; i < p->n_samples; i++)
            sel->sample_kept[i] = !any || sample_survives(&p->samples[i], loc_state);
        for (size_t i = 0; i < p->n_locations; i++)
            loc_state[i] = (loc_state[i] & 4) != 0;
        sel->loc_hidden = (uint8_t *)loc_state;
        loc_state = NULL;
    }
    for (int i = 0; i < RX_N; i++)
        rx_release(&rx[i]);
    base_free(loc_state);
    if (st != GORCA_OK)
        pb_selection_release(sel);
    return st;
}

void pb_selection_release(struct pb_selection *sel)
{
    base_free(sel->line_start);
    base_free(sel->line_count);
    base_free(sel->line_idx);
    base_free(sel->sample_kept);
    base_free(sel->loc_hidden);
    sel->loc_hidden = NULL;
    sel->line_start = NULL;
    sel->line_count = NULL;
    sel->line_idx = NULL;
    sel->sample_kept = NULL;
}
