/* The goroutine protobuf profile (/debug/pprof/goroutine without debug, pprof-formats.md §2.1)
 * turned into the dump model: one group per sample with its count, labels and full stack.
 * Decoding is pprof's (gorca_profile_parse); this file only maps the model. Function names
 * get their generic type arguments collapsed to "[...]" as tracebacks print them (§6). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include "gorca/profile.h"
#include "dump_int.h"

/* "main.(*box[go.shape.string]).waitSelect" -> "main.(*box[...]).waitSelect": from the first
 * '[' to the last ']', as runtime.funcNamePiecesForPrint does. */
static const char *print_name(struct dump_builder *b, struct gorca_strv name)
{
    const char *s = name.ptr ? name.ptr : "";
    const char *open = name.len ? memchr(s, '[', name.len) : NULL;
    size_t close = name.len;

    while (open && close > 0 && s[close - 1] != ']')
        close--;
    if (open == NULL || close == 0 || s + close - 1 <= open)
        return dump_intern_str(b, s, name.len);
    {
        size_t head = (size_t)(open - s), tail = name.len - close;
        char *tmp;
        const char *r;

        if (dump_grow(b, (void **)&b->tmp, &b->cap_tmp, head + tail + 6, 1) != 0)
            return NULL;
        tmp = b->tmp;
        memcpy(tmp, s, head);
        memcpy(tmp + head, "[...]", 5);
        memcpy(tmp + head + 5, s + close, tail);
        r = dump_intern_str(b, tmp, head + 5 + tail);
        return r;
    }
}

static const char *strv(struct dump_builder *b, struct gorca_strv v)
{
    return dump_intern_str(b, v.ptr ? v.ptr : "", v.len);
}

/* Frames of one location: its lines, innermost first; all but the last are inlined calls. */
static enum gorca_status add_location(struct dump_builder *b, const struct gorca_location *loc)
{
    struct gorca_dump_frame f;

    if (loc->n_lines == 0) {
        memset(&f, 0, sizeof(f));
        f.kind = GORCA_FRAME_UNKNOWN;
        f.pc = loc->address;
        f.func = f.file = dump_intern_str(b, "", 0);
        if (f.func == NULL || dump_push_frame(b, &f, 0) != 0)
            return b->err->code;
        return GORCA_OK;
    }
    for (uint32_t i = 0; i < loc->n_lines; i++) {
        const struct gorca_line *ln = &loc->lines[i];

        memset(&f, 0, sizeof(f));
        f.func = print_name(b, ln->function->name);
        f.file = strv(b, ln->function->filename);
        if (f.func == NULL || f.file == NULL)
            return b->err->code;
        f.line = ln->line > 0 && ln->line <= UINT32_MAX ? (uint32_t)ln->line : 0;
        f.inlined = i + 1 < loc->n_lines;
        f.pc = loc->address;
        if (dump_push_frame(b, &f, 0) != 0)
            return b->err->code;
    }
    return GORCA_OK;
}

/* String labels as they are; numeric ones as "<num>[ <unit>]". */
static enum gorca_status add_labels(struct dump_builder *b, const struct gorca_sample *s)
{
    b->n_labels = 0;
    for (uint32_t i = 0; i < s->n_labels; i++) {
        const struct gorca_label *l = &s->labels[i];
        struct gorca_dump_label dl;
        char num[64];

        dl.key = strv(b, l->key);
        if (l->str.len > 0) {
            dl.value = strv(b, l->str);
        } else {
            int n = snprintf(num, sizeof(num), "%" PRId64 "%s%.*s", l->num,
                             l->num_unit.len ? " " : "", (int)BASE_MIN(l->num_unit.len, 40),
                             l->num_unit.ptr ? l->num_unit.ptr : "");

            dl.value = dump_intern_str(b, num, n > 0 ? (size_t)n : 0);
        }
        if (dl.key == NULL || dl.value == NULL ||
            dump_grow(b, (void **)&b->labels, &b->cap_labels, b->n_labels + 1,
                      sizeof(*b->labels)) != 0)
            return b->err->code;
        b->labels[b->n_labels++] = dl;
    }
    return GORCA_OK;
}

static enum gorca_status check_kind(struct dump_builder *b, const struct gorca_profile *p)
{
    struct gorca_profile_class cls;
    enum gorca_profile_kind k = gorca_profile_classify(p, &cls);

    if (k != GORCA_PROFILE_GOROUTINE && k != GORCA_PROFILE_THREADCREATE &&
        k != GORCA_PROFILE_CUSTOM)
        return GORCA_FAIL(b->err, GORCA_E_UNSUPPORTED, -1, NULL,
                          "this is a %s profile, not a goroutine profile",
                          gorca_profile_kind_name(k));
    if (cls.has_negative)
        return GORCA_FAIL(b->err, GORCA_E_UNSUPPORTED, -1, NULL,
                          "this is a goroutine delta profile (?seconds=N) with negative counts; "
                          "compare two goroutine profiles instead");
    return GORCA_OK;
}

enum gorca_status gorca_dump_from_profile(const struct gorca_profile *p, const char *source,
                                          const struct gorca_limits *lim, struct gorca_dump **out,
                                          struct gorca_error *err)
{
    struct dump_builder b;
    enum gorca_status st;

    *out = NULL;
    if (err->source == NULL)
        err->source = source;
    st = dump_builder_init(&b, source, lim, err);
    if (st != GORCA_OK)
        return st;
    b.d->format = GORCA_DUMP_PROTO;
    st = check_kind(&b, p);
    if (st == GORCA_OK && p->n_sample_types > 0)
        b.d->profile_name = strv(&b, p->sample_types[0].type);
    for (size_t i = 0; st == GORCA_OK && i < p->n_samples; i++) {
        const struct gorca_sample *s = &p->samples[i];
        uint64_t count = s->values && p->n_sample_types > 0 ? (uint64_t)s->values[0] : 0;

        b.n_scratch = 0;
        b.n_pcs = 0;
        for (uint32_t k = 0; st == GORCA_OK && k < s->n_locs; k++) {
            const struct gorca_location *loc = gorca_sample_location(p, s, k);

            st = add_location(&b, loc);
            if (st == GORCA_OK &&
                dump_grow(&b, (void **)&b.pcs, &b.cap_pcs, b.n_pcs + 1, sizeof(*b.pcs)) == 0)
                b.pcs[b.n_pcs++] = loc->address;
            else if (st == GORCA_OK)
                st = err->code;
        }
        if (st == GORCA_OK)
            st = add_labels(&b, s);
        if (st == GORCA_OK)
            st = dump_add_record(&b, count, 0, 0);
        if (st == GORCA_OK && b.d->header_total > UINT64_MAX - count)
            st = GORCA_FAIL(err, GORCA_E_MALFORMED, -1, NULL, "sample counts overflow");
        if (st == GORCA_OK)
            b.d->header_total += count;
    }
    if (st == GORCA_OK)
        st = dump_finish(&b);
    if (st != GORCA_OK) {
        dump_builder_release(&b, 0);
        return st;
    }
    *out = b.d;
    dump_builder_release(&b, 1);
    return GORCA_OK;
}
