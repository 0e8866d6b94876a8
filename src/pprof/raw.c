/* The text of go tool pprof -raw (pprof-formats.md §5.10): the profile as stored, one line per
 * sample, location and mapping. Used by tests to check the decoder against the oracle and by
 * people who want to look inside a profile. Also Go's time and duration formatting. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "pprof_int.h"

/* ---- Go formatting helpers ------------------------------------------------------------------*/

void pb_go_time(int64_t ns, int utc, const char *layout, char *buf, size_t size)
{
    time_t secs = (time_t)(ns / 1000000000);
    long frac = (long)(ns % 1000000000);
    struct tm tm;
    char date[64], zone[16], fr[16];
    long off;

    if (frac < 0) {
        frac += 1000000000;
        secs--;
    }
    if (utc)
        gmtime_r(&secs, &tm);
    else
        localtime_r(&secs, &tm);
    off = utc ? 0 : tm.tm_gmtoff;
    snprintf(zone, sizeof(zone), "%s", utc ? "UTC" : (tm.tm_zone ? tm.tm_zone : ""));
    if (strcmp(layout, "string") == 0) {
        /* time.Time.String: 2006-01-02 15:04:05.999999999 -0700 MST */
        fr[0] = '\0';
        if (frac) {
            int n;

            snprintf(fr, sizeof(fr), ".%09ld", frac);
            n = (int)strlen(fr);
            while (fr[n - 1] == '0')
                fr[--n] = '\0';
        }
        strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
        snprintf(buf, size, "%s%s %c%02ld%02ld %s", date, fr, off < 0 ? '-' : '+', labs(off) / 3600,
                 labs(off) % 3600 / 60, zone);
        return;
    }
    /* pprof's report layout: 2006-01-02 15:04:05 MST */
    strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(buf, size, "%s %s", date, zone);
}

/* Writes the fraction of v / 10^prec without trailing zeros, Go's fmtFrac. */
static void frac_digits(char *out, uint64_t *v, int prec)
{
    char tmp[24];
    int n = 0, print = 0;

    for (int i = 0; i < prec; i++) {
        int digit = (int)(*v % 10);

        print = print || digit != 0;
        if (print)
            tmp[n++] = (char)('0' + digit);
        *v /= 10;
    }
    out[0] = '\0';
    if (print) {
        int k = 0;

        out[k++] = '.';
        while (n > 0)
            out[k++] = tmp[--n];
        out[k] = '\0';
    }
}

void pb_go_duration(int64_t d, char *buf, size_t size)
{
    uint64_t u = d < 0 ? (uint64_t)0 - (uint64_t)d : (uint64_t)d;
    char frac[24];
    const char *neg = d < 0 ? "-" : "";

    if (u == 0) {
        snprintf(buf, size, "0s");
        return;
    }
    if (u < 1000000000ULL) {
        if (u < 1000) {
            snprintf(buf, size, "%s%lluns", neg, (unsigned long long)u);
        } else if (u < 1000000) {
            frac_digits(frac, &u, 3);
            snprintf(buf, size, "%s%llu%s\xc2\xb5s", neg, (unsigned long long)u, frac);
        } else {
            frac_digits(frac, &u, 6);
            snprintf(buf, size, "%s%llu%sms", neg, (unsigned long long)u, frac);
        }
        return;
    }
    frac_digits(frac, &u, 9);
    if (u < 60)
        snprintf(buf, size, "%s%llu%ss", neg, (unsigned long long)u, frac);
    else if (u < 3600)
        snprintf(buf, size, "%s%llum%llu%ss", neg, (unsigned long long)(u / 60),
                 (unsigned long long)(u % 60), frac);
    else
        snprintf(buf, size, "%s%lluh%llum%llu%ss", neg, (unsigned long long)(u / 3600),
                 (unsigned long long)(u / 60 % 60), (unsigned long long)(u % 60), frac);
}

/* Cuts s to its first n UTF-8 characters, as fmt's %.Nv does. */
static void cut_runes(char *s, int n)
{
    int runes = 0;

    for (char *p = s; *p; p++) {
        if (((unsigned char)*p & 0xc0) != 0x80) {
            if (runes == n) {
                *p = '\0';
                return;
            }
            runes++;
        }
    }
}

/* ---- labels ---------------------------------------------------------------------------------*/

/* A label as pprof's model sees it: 1 string, 2 numeric, 0 dropped. */
int pb_label_kind(const struct gorca_label *l)
{
    if (l->str.len)
        return 1;
    if (l->num != 0 || l->num_unit.len)
        return 2;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends pprof's "k:[v1 v2] k2:[v]" for the labels of one kind, sorted as strings. */
static void labels_line(const struct gorca_sample *s, int kind, struct gorca_buf *out)
{
    char *items[64], **v = items;
    size_t n = 0, cap = BASE_ARRAY_LEN(items);
    struct gorca_buf item;

    for (uint32_t i = 0; i < s->n_labels; i++) {
        const struct gorca_label *l = &s->labels[i];
        int any_unit = 0, count = 0;

        if (pb_label_kind(l) != kind)
            continue;
        /* Only the first label of each key starts an item. */
        for (uint32_t j = 0; j < i; j++)
            if (pb_label_kind(&s->labels[j]) == kind && pb_strv_same(s->labels[j].key, l->key))
                goto next;
        for (uint32_t j = i; j < s->n_labels; j++) {
            const struct gorca_label *m = &s->labels[j];

            if (pb_label_kind(m) == kind && pb_strv_same(m->key, l->key)) {
                count++;
                any_unit |= m->num_unit.len != 0;
            }
        }
        gorca_buf_init(&item, 0);
        gorca_buf_printf(&item, "%.*s:[", (int)l->key.len, l->key.ptr);
        for (uint32_t j = i, k = 0; j < s->n_labels; j++) {
            const struct gorca_label *m = &s->labels[j];

            if (pb_label_kind(m) != kind || !pb_strv_same(m->key, l->key))
                continue;
            if (k++)
                gorca_buf_putc(&item, ' ');
            if (kind == 1)
                gorca_buf_append(&item, m->str.ptr, m->str.len);
            else if (any_unit)
                gorca_buf_printf(&item, "%lld %.*s", (long long)m->num, (int)m->num_unit.len,
                                 m->num_unit.ptr);
            else
                gorca_buf_printf(&item, "%lld", (long long)m->num);
        }
        (void)count;
        gorca_buf_putc(&item, ']');
        if (n == cap) {
            char **nv = base_malloc(cap * 2 * sizeof(*nv));

            if (nv == NULL) {
                gorca_buf_release(&item);
                out->failed = 1;
                break;
            }
            memcpy(nv, v, n * sizeof(*nv));
            if (v != items)
                base_free(v);
            v = nv;
            cap *= 2;
        }
        v[n++] = item.data ? item.data : NULL;
        if (v[n - 1] == NULL) {
            n--;
            out->failed = 1;
        }
    next:;
    }
    qsort(v, n, sizeof(*v), cmp_str);
    gorca_buf_puts(out, "\n                ");
    for (size_t i = 0; i < n; i++) {
        if (i)
            gorca_buf_putc(out, ' ');
        gorca_buf_puts(out, v[i]);
        base_free(v[i]);
    }
    if (v != items)
        base_free(v);
}

static void raw_sample(const struct gorca_profile *p, const struct gorca_sample *s,
                       struct gorca_buf *out)
{
    int has[3] = { 0, 0, 0 };

    for (size_t i = 0; i < p->n_sample_types; i++)
        gorca_buf_printf(out, " %10lld", (long long)s->values[i]);
    gorca_buf_puts(out, ": ");
    for (uint32_t i = 0; i < s->n_locs; i++)
        gorca_buf_printf(out, "%llu ", (unsigned long long)p->locations[s->locs[i]].id);
    for (uint32_t i = 0; i < s->n_labels; i++)
        has[pb_label_kind(&s->labels[i])] = 1;
    if (has[1])
        labels_line(s, 1, out);
    if (has[2])
        labels_line(s, 2, out);
    gorca_buf_putc(out, '\n');
}

static void hex(char *buf, size_t size, uint64_t v)
{
    if (v == 0)
        snprintf(buf, size, "0x0");
    else
        snprintf(buf, size, "%#llx", (unsigned long long)v);
}

static void raw_location(const struct gorca_location *l, int style, struct gorca_buf *out)
{
    char head[96], addr[24];
    int n;

    hex(addr, sizeof(addr), l->address);
    n = snprintf(head, sizeof(head), "%6llu: %s ", (unsigned long long)l->id, addr);
    if (l->mapping)
        n += snprintf(head + n, sizeof(head) - (size_t)n, "M=%llu ",
                      (unsigned long long)l->mapping->id);
    if (l->is_folded)
        snprintf(head + n, sizeof(head) - (size_t)n, "[F] ");
    if (l->n_lines == 0) {
        gorca_buf_printf(out, "%s\n", head);
        return;
    }
    for (uint32_t i = 0; i < l->n_lines; i++) {
        const struct gorca_line *ln = &l->lines[i];
        const struct gorca_function *f = ln->function;

        gorca_buf_puts(out, i == 0 ? head : "             ");
        gorca_buf_printf(out, "%.*s %.*s:%lld", (int)f->name.len, f->name.ptr, (int)f->filename.len,
                         f->filename.ptr, (long long)ln->line);
        if (style >= PB_RAW_COLUMNS)
            gorca_buf_printf(out, ":%lld", (long long)ln->column);
        gorca_buf_printf(out, " s=%lld", (long long)f->start_line);
        if (!pb_strv_same(f->name, f->system_name))
            gorca_buf_printf(out, "(%.*s)", (int)f->system_name.len, f->system_name.ptr);
        gorca_buf_putc(out, '\n');
    }
}

void pb_render_raw(const struct gorca_profile *p, int utc, int style, struct gorca_buf *out)
{
    char t[96];

    for (size_t i = 0; i < p->n_comments; i++)
        gorca_buf_printf(out, "Comment: %.*s\n", (int)p->comments[i].len, p->comments[i].ptr);
    if (style >= PB_RAW_DOC && p->doc_url.len)
        gorca_buf_printf(out, "Doc: %.*s\n", (int)p->doc_url.len, p->doc_url.ptr);
    gorca_buf_printf(out, "PeriodType: %.*s %.*s\n", (int)p->period_type.type.len,
                     p->period_type.type.ptr, (int)p->period_type.unit.len,
                     p->period_type.unit.ptr);
    gorca_buf_printf(out, "Period: %lld\n", (long long)p->period);
    if (p->time_nanos) {
        pb_go_time(p->time_nanos, utc, "string", t, sizeof(t));
        gorca_buf_printf(out, "Time: %s\n", t);
    }
    if (p->duration_nanos) {
        pb_go_duration(p->duration_nanos, t, sizeof(t));
        cut_runes(t, 4);
        gorca_buf_printf(out, "Duration: %s\n", t);
    }
    gorca_buf_puts(out, "Samples:\n");
    for (size_t i = 0; i < p->n_sample_types; i++) {
        const struct gorca_value_type *vt = &p->sample_types[i];

        gorca_buf_printf(out, "%s%.*s/%.*s%s", i ? " " : "", (int)vt->type.len, vt->type.ptr,
                         (int)vt->unit.len, vt->unit.ptr,
                         pb_strv_same(vt->type, p->default_sample_type) ? "[dflt]" : "");
    }
    gorca_buf_putc(out, '\n');
    for (size_t i = 0; i < p->n_samples; i++)
        raw_sample(p, &p->samples[i], out);
    gorca_buf_puts(out, "Locations\n");
    for (size_t i = 0; i < p->n_locations; i++)
        raw_location(&p->locations[i], style, out);
    gorca_buf_puts(out, "Mappings\n");
    for (size_t i = 0; i < p->n_mappings; i++) {
        const struct gorca_mapping *m = &p->mappings[i];
        char a[24], b[24], c[24];

        hex(a, sizeof(a), m->memory_start);
        hex(b, sizeof(b), m->memory_limit);
        hex(c, sizeof(c), m->file_offset);
        gorca_buf_printf(out, "%llu: %s/%s/%s %.*s %.*s %s%s%s%s\n", (unsigned long long)m->id, a,
                         b, c, (int)m->filename.len, m->filename.ptr, (int)m->build_id.len,
                         m->build_id.ptr, m->has_functions ? "[FN]" : "",
                         m->has_filenames ? "[FL]" : "", m->has_line_numbers ? "[LN]" : "",
                         m->has_inline_frames ? "[IN]" : "");
    }
}

void gorca_profile_render_raw(const struct gorca_profile *p, int utc, struct gorca_buf *out)
{
    pb_render_raw(p, utc, PB_RAW_DOC, out);
}
