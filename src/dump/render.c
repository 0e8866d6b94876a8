/* Text and JSON views of a dump and of a dump diff, for `gorca goroutines` (schema and layout
 * in docs/commands/goroutines.md). Text fits in view->width columns: per group a header
 * (count, wait reason, class, longest wait), the top frames with the runtime's own frames
 * collapsed into the standard-library call the program made, and the creation site. */
#include <stdio.h>
#include "base/json.h"
#include "dump_int.h"

void gorca_dump_view_init(struct gorca_dump_view *v)
{
    memset(v, 0, sizeof(*v));
    v->wait_class = -1;
}

static unsigned width_of(const struct gorca_dump_view *v)
{
    return v && v->width >= 40 ? v->width : 100;
}

static unsigned frames_of(const struct gorca_dump_view *v)
{
    return v && v->frames ? v->frames : 4;
}

static const char *format_name(enum gorca_dump_format f)
{
    switch (f) {
    case GORCA_DUMP_DEBUG2:
        return "debug2";
    case GORCA_DUMP_CRASH:
        return "crash";
    case GORCA_DUMP_DEBUG1:
        return "debug1";
    case GORCA_DUMP_PROTO:
        return "proto";
    }
    return "unknown";
}

/* ---- text helpers ------------------------------------------------------------------------*/

/* "dir/file.go:123": the last two path elements, or "pc=0x…" without a file. */
static void short_loc(const struct gorca_dump_frame *f, char *buf, size_t n)
{
    const char *p = f->file, *last = NULL, *prev = NULL;

    buf[0] = '\0';
    if (f->kind == GORCA_FRAME_ELIDED)
        return;
    if (p[0] == '\0') {
        if (f->pc)
            snprintf(buf, n, "pc=%#llx", (unsigned long long)f->pc);
        return;
    }
    for (const char *q = p; *q; q++)
        if (*q == '/') {
            prev = last;
            last = q;
        }
    p = prev ? prev + 1 : p;
    if (f->line)
        snprintf(buf, n, "%s:%u", p, f->line);
    else
        snprintf(buf, n, "%s", p);
}

static const char *frame_text(const struct gorca_dump_frame *f, char *buf, size_t n)
{
    switch (f->kind) {
    case GORCA_FRAME_ELIDED:
        if (f->elided)
            snprintf(buf, n, "...%u frames elided...", f->elided);
        else
            snprintf(buf, n, "...additional frames elided...");
        return buf;
    case GORCA_FRAME_UNKNOWN:
        snprintf(buf, n, "? (pc %#llx)", (unsigned long long)f->pc);
        return buf;
    default:
        return f->func[0] ? f->func : "non-Go function";
    }
}

/* "<indent><text> … <loc>" with loc ending at column width; text shortened in the middle. */
static void put_line(struct gorca_buf *out, unsigned width, unsigned indent, const char *text,
                     const char *suffix, const char *loc)
{
    size_t tl = strlen(text), sl = strlen(suffix), ll = strlen(loc);
    size_t avail = width > indent ? width - indent : 20;
    size_t room = ll ? (avail > ll + 2 ? avail - ll - 2 : 10) : avail;
    size_t used;

    for (unsigned i = 0; i < indent; i++)
        gorca_buf_putc(out, ' ');
    if (tl + sl > room && room > 12) {
        size_t keep = room > sl + 3 ? room - sl - 3 : 8;
        size_t head = keep / 2, tail = keep - head;

        if (tail > tl)
            tail = tl;
        gorca_buf_append(out, text, head);
        gorca_buf_puts(out, "...");
        gorca_buf_append(out, text + tl - tail, tail);
        used = head + 3 + tail;
    } else {
        gorca_buf_puts(out, text);
        used = tl;
    }
    gorca_buf_puts(out, suffix);
    used += sl;
    if (ll) {
        size_t pad = used + 2 + ll <= avail ? avail - used - ll : 2;

        for (size_t i = 0; i < pad; i++)
            gorca_buf_putc(out, ' ');
        gorca_buf_puts(out, loc);
    }
    gorca_buf_putc(out, '\n');
}

/* Go-style quoting of a label value for the text view. */
static void put_quoted(struct gorca_buf *out, const char *s)
{
    gorca_buf_putc(out, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\') {
            gorca_buf_putc(out, '\\');
            gorca_buf_putc(out, (char)c);
        } else if (c == '\t') {
            gorca_buf_puts(out, "\\t");
        } else if (c == '\n') {
            gorca_buf_puts(out, "\\n");
        } else if (c < 0x20 || c == 0x7f) {
            gorca_buf_printf(out, "\\x%02x", c);
        } else {
            gorca_buf_putc(out, (char)c);
        }
    }
    gorca_buf_putc(out, '"');
}

static int is_go(const struct gorca_dump_frame *f)
{
    return f->kind == GORCA_FRAME_GO;
}

/* The top frames of a stack: the runtime's own frames are dropped, and a leading run of
 * standard-library frames is collapsed into its outermost frame (the call the program made,
 * e.g. sync.(*Mutex).Lock) when program frames follow. */
static void render_frames(struct gorca_buf *out, unsigned width, const struct gorca_dump_stack *st,
                          unsigned max)
{
    uint32_t i = 0, j, n = st->n_frames, hidden = 0, shown = 0, rest = 0;
    char buf[96], loc[160], note[48];

    while (i < n && is_go(st->frames[i]) && gorca_dump_is_runtime_func(st->frames[i]->func)) {
        i++;
        hidden++;
    }
    for (j = i; j < n && is_go(st->frames[j]) && gorca_dump_is_std_func(st->frames[j]->func);)
        j++;
    if (j > i + 1 && j < n) {
        hidden += j - 1 - i;
        i = j - 1;
    }
    for (; i < n; i++) {
        const struct gorca_dump_frame *f = st->frames[i];

        if (is_go(f) && gorca_dump_is_runtime_func(f->func))
            continue;
        if (shown == max) {
            rest++;
            continue;
        }
        note[0] = '\0';
        if (shown == 0 && hidden > 0)
            snprintf(note, sizeof(note), " (+%u inner frame%s)", hidden, hidden == 1 ? "" : "s");
        else if (f->inlined)
            snprintf(note, sizeof(note), " (inlined)");
        short_loc(f, loc, sizeof(loc));
        put_line(out, width, 8, frame_text(f, buf, sizeof(buf)), note, loc);
        shown++;
    }
    if (shown == 0 && n > 0)
        put_line(out, width, 8, "(runtime frames only)", "", "");
    if (n == 0)
        put_line(out, width, 8, "(no frames)", "", "");
    if (rest > 0) {
        snprintf(buf, sizeof(buf), "... %u more frame%s", rest, rest == 1 ? "" : "s");
        put_line(out, width, 8, buf, "", "");
    }
}

static void render_created(struct gorca_buf *out, unsigned width,
                           const struct gorca_dump_frame *site, uint64_t n, uint64_t of,
                           uint64_t parent)
{
    char text[512], loc[160];
    int k = snprintf(text, sizeof(text), "created by %s", site->func);

    if (parent && k > 0 && (size_t)k < sizeof(text))
        k += snprintf(text + k, sizeof(text) - (size_t)k, " in goroutine %llu",
                      (unsigned long long)parent);
    if (n < of && k > 0 && (size_t)k < sizeof(text))
        snprintf(text + k, sizeof(text) - (size_t)k, " (%llu of %llu)", (unsigned long long)n,
                 (unsigned long long)of);
    short_loc(site, loc, sizeof(loc));
    put_line(out, width, 8, text, "", loc);
}

static void render_group_header(struct gorca_buf *out, const struct gorca_dump_group *g,
                                int show_class)
{
    gorca_buf_printf(out, "%7llu  %s", (unsigned long long)g->count, g->reason);
    if (show_class)
        gorca_buf_printf(out, "  [%s]", gorca_wait_class_name(g->wait_class));
    if (g->max_wait_minutes >= 0)
        gorca_buf_printf(out, ", waiting >= %d min", g->max_wait_minutes);
    if (g->n_locked)
        gorca_buf_printf(out, ", %llu locked to thread", (unsigned long long)g->n_locked);
    gorca_buf_putc(out, '\n');
}

static void render_group(struct gorca_buf *out, const struct gorca_dump_group *g,
                         const struct gorca_dump_view *v)
{
    unsigned width = width_of(v);

    render_group_header(out, g, 1);
    if (g->n_labels) {
        gorca_buf_puts(out, "        labels:");
        for (uint32_t i = 0; i < g->n_labels; i++) {
            gorca_buf_printf(out, "%s %s=", i ? "," : "", g->labels[i].key);
            put_quoted(out, g->labels[i].value);
        }
        gorca_buf_putc(out, '\n');
    }
    render_frames(out, width, g->stack, frames_of(v));
    if (g->created_by)
        render_created(out, width, g->created_by, g->created_by_count, g->count,
                       g->created_by_parent);
}

static int shown_group(const struct gorca_dump_group *g, const struct gorca_dump_view *v)
{
    if (v && v->wait_class >= 0 && g->wait_class != (enum gorca_wait_class)v->wait_class)
        return 0;
    return !(v && g->count < v->min_count);
}

/* "by class: channel 18, sync 17, …" by count, non-zero classes only, wrapped at width. */
static void class_list(struct gorca_buf *out, const uint64_t *n, const int64_t *delta,
                       unsigned width)
{
    int order[GORCA_WAIT_N_CLASSES], k = 0;
    size_t line = out->len;

    for (int c = 0; c < GORCA_WAIT_N_CLASSES; c++)
        if (delta ? delta[c] != 0 : n[c] != 0)
            order[k++] = c;
    for (int a = 1; a < k; a++)
        for (int b = a; b > 0; b--) {
            int64_t x = delta ? delta[order[b]] : (int64_t)n[order[b]];
            int64_t y = delta ? delta[order[b - 1]] : (int64_t)n[order[b - 1]];

            if (x <= y)
                break;
            int t = order[b];
            order[b] = order[b - 1];
            order[b - 1] = t;
        }
    gorca_buf_puts(out, "by class: ");
    for (int i = 0; i < k; i++) {
        char item[64];

        if (delta)
            snprintf(item, sizeof(item), "%s %+lld", gorca_wait_class_name(order[i]),
                     (long long)delta[order[i]]);
        else
            snprintf(item, sizeof(item), "%s %llu", gorca_wait_class_name(order[i]),
                     (unsigned long long)n[order[i]]);
        if (i > 0) {
            gorca_buf_putc(out, ',');
            if (out->len - line + 1 + strlen(item) + 1 > width) {
                gorca_buf_puts(out, "\n         ");
                line = out->len - 9;
            }
            gorca_buf_putc(out, ' ');
        }
        gorca_buf_puts(out, item);
    }
    if (k == 0)
        gorca_buf_puts(out, "none");
}

static void first_line(struct gorca_buf *out, const char *label, const char *s, unsigned width)
{
    const char *nl = strchr(s, '\n');
    size_t n = nl ? (size_t)(nl - s) : strlen(s);
    size_t room = width > strlen(label) + 8 ? width - strlen(label) - 4 : 40;

    gorca_buf_puts(out, label);
    if (n > room) {
        gorca_buf_append(out, s, room - 3);
        gorca_buf_puts(out, "...");
    } else {
        gorca_buf_append(out, s, n);
        if (nl)
            gorca_buf_puts(out, " ...");
    }
    gorca_buf_putc(out, '\n');
}

/* ---- dump: text --------------------------------------------------------------------------*/

static void render_heading(struct gorca_buf *out, const struct gorca_dump *d, const char *name)
{
    const char *what = "goroutines";

    switch (d->format) {
    case GORCA_DUMP_DEBUG2:
        gorca_buf_printf(out, "%s: goroutine dump (debug=2)", name);
        break;
    case GORCA_DUMP_CRASH:
        gorca_buf_printf(out, "%s: crash traceback", name);
        break;
    case GORCA_DUMP_DEBUG1:
    case GORCA_DUMP_PROTO:
        gorca_buf_printf(out, "%s: %s profile (%s)", name,
                         d->profile_name ? d->profile_name : "count",
                         d->format == GORCA_DUMP_DEBUG1 ? "debug=1" : "protobuf");
        if (d->profile_name && strcmp(d->profile_name, "goroutine") != 0 &&
            strcmp(d->profile_name, "goroutineleak") != 0)
            what = "stacks";
        break;
    }
    gorca_buf_printf(out, ", %llu %s in %zu group%s\n", (unsigned long long)d->n_goroutines, what,
                     d->n_groups, d->n_groups == 1 ? "" : "s");
    if (!d->has_wait_states)
        gorca_buf_puts(out, "(this form records no wait states: reasons are inferred from the "
                            "frames)\n");
}

static void render_crash(struct gorca_buf *out, const struct gorca_dump *d, unsigned width)
{
    const struct gorca_dump_crash *c = &d->crash;

    if (c->panic)
        first_line(out, c->recovered ? "panic (after a recovered panic): " : "panic: ", c->panic,
                   width);
    if (c->fatal)
        first_line(out, "fatal error: ", c->fatal, width);
    if (c->signal)
        first_line(out, "signal: ", c->signal, width);
    if (c->runtime_msgs)
        first_line(out, "", c->runtime_msgs, width);
    if (d->n_listed)
        gorca_buf_printf(out, "first goroutine (the one that crashed): %llu\n",
                         (unsigned long long)c->first_goroutine);
}

/* "created by: main.buildZoo 45, main.buildIO 5": live goroutines per creating function
 * (summing its go statements), the three biggest. */
static void render_creators(struct gorca_buf *out, const struct gorca_dump *d, unsigned width)
{
    const char *fn[3] = { NULL, NULL, NULL };
    uint64_t cnt[3] = { 0, 0, 0 };
    size_t start = out->len;

    if (d->n_creators == 0)
        return;
    /* creators are few (one per go statement): a quadratic pass is fine */
    for (size_t i = 0; i < d->n_creators; i++) {
        const char *f = d->creators[i].site->func;
        uint64_t sum = 0;
        int seen = 0;

        for (size_t k = 0; k < i; k++)
            seen |= d->creators[k].site->func == f;
        if (seen)
            continue;
        for (size_t k = i; k < d->n_creators; k++)
            if (d->creators[k].site->func == f)
                sum += d->creators[k].count;
        for (int slot = 0; slot < 3; slot++) {
            if (fn[slot] == NULL || sum > cnt[slot]) {
                for (int m = 2; m > slot; m--) {
                    fn[m] = fn[m - 1];
                    cnt[m] = cnt[m - 1];
                }
                fn[slot] = f;
                cnt[slot] = sum;
                break;
            }
        }
    }
    gorca_buf_puts(out, "created by: ");
    for (int i = 0; i < 3 && fn[i]; i++) {
        char item[256];
        int k = snprintf(item, sizeof(item), "%s%s %llu", i ? ", " : "", fn[i],
                         (unsigned long long)cnt[i]);

        if (k < 0 || out->len - start + (size_t)k > width)
            break;
        gorca_buf_puts(out, item);
    }
    gorca_buf_putc(out, '\n');
}

void gorca_dump_render_text(const struct gorca_dump *d, const char *name,
                            const struct gorca_dump_view *v, struct gorca_buf *out)
{
    unsigned width = width_of(v);
    size_t shown = 0, hidden = 0;
    uint64_t hidden_n = 0;

    render_heading(out, d, name);
    if (d->format == GORCA_DUMP_CRASH)
        render_crash(out, d, width);
    class_list(out, d->class_totals, NULL, width);
    gorca_buf_putc(out, '\n');
    render_creators(out, d, width);
    for (size_t i = 0; i < d->n_groups; i++) {
        const struct gorca_dump_group *g = &d->groups[i];

        if (!shown_group(g, v) || (v && v->top && shown >= v->top)) {
            hidden++;
            hidden_n += g->count;
            continue;
        }
        gorca_buf_putc(out, '\n');
        render_group(out, g, v);
        shown++;
    }
    if (hidden)
        gorca_buf_printf(out, "\n(%zu more group%s with %llu goroutine%s not shown)\n", hidden,
                         hidden == 1 ? "" : "s", (unsigned long long)hidden_n,
                         hidden_n == 1 ? "" : "s");
}

/* ---- dump: JSON --------------------------------------------------------------------------*/

static void json_frame(struct jw *w, const struct gorca_dump_frame *f)
{
    static const char *const kinds[] = { "go", "elided", "non_go", "unknown" };

    jw_obj(w);
    if (f->kind != GORCA_FRAME_GO)
        jw_kstr(w, "kind", kinds[f->kind < 4 ? f->kind : 3]);
    if (f->kind == GORCA_FRAME_ELIDED) {
        jw_ku64(w, "elided", f->elided);
        jw_end(w);
        return;
    }
    jw_kstr(w, "function", f->func);
    jw_kstr(w, "file", f->file);
    jw_ku64(w, "line", f->line);
    if (f->has_offset)
        jw_ku64(w, "offset", f->offset);
    if (f->pc)
        jw_ku64(w, "pc", f->pc);
    jw_kbool(w, "inlined", f->inlined);
    jw_end(w);
}

static void json_site(struct jw *w, const char *key, const struct gorca_dump_frame *f)
{
    jw_key(w, key);
    if (f == NULL) {
        jw_null(w);
        return;
    }
    jw_obj(w);
    jw_kstr(w, "function", f->func);
    jw_kstr(w, "file", f->file);
    jw_ku64(w, "line", f->line);
}

static void json_classes(struct jw *w, const uint64_t *n, const int64_t *delta)
{
    jw_obj(w);
    for (int c = 0; c < GORCA_WAIT_N_CLASSES; c++) {
        if (delta)
            jw_ki64(w, gorca_wait_class_name(c), delta[c]);
        else
            jw_ku64(w, gorca_wait_class_name(c), n[c]);
    }
    jw_end(w);
}

static void json_stack(struct jw *w, const struct gorca_dump_stack *st)
{
    jw_key(w, "frames");
    jw_arr(w);
    for (uint32_t i = 0; i < st->n_frames; i++)
        json_frame(w, st->frames[i]);
    jw_end(w);
}

static void json_labels(struct jw *w, const struct gorca_dump_group *g)
{
    jw_key(w, "labels");
    jw_obj(w);
    for (uint32_t i = 0; i < g->n_labels; i++)
        jw_kstr(w, g->labels[i].key, g->labels[i].value);
    jw_end(w);
}

static void json_members(struct jw *w, const struct gorca_dump_group *g)
{
    jw_key(w, "goroutines");
    if (g->members == NULL) {
        jw_null(w);
        return;
    }
    jw_arr(w);
    for (uint64_t i = 0; i < g->count; i++) {
        const struct gorca_goroutine *m = g->members[i];

        jw_obj(w);
        jw_ku64(w, "id", m->id);
        jw_kstr(w, "state", m->state);
        jw_key(w, "wait_minutes");
        if (m->wait_minutes >= 0)
            jw_i64(w, m->wait_minutes);
        else
            jw_null(w);
        jw_kbool(w, "locked", (m->flags & GORCA_G_LOCKED) != 0);
        jw_key(w, "parent");
        if (m->flags & GORCA_G_PARENT_KNOWN)
            jw_u64(w, m->parent_id);
        else
            jw_null(w);
        if (m->extra)
            jw_kstr(w, "extra", m->extra);
        jw_end(w);
    }
    jw_end(w);
}

static void json_group(struct jw *w, const struct gorca_dump_group *g)
{
    jw_obj(w);
    jw_ku64(w, "count", g->count);
    jw_kstr(w, "reason", g->reason);
    jw_kstr(w, "class", gorca_wait_class_name(g->wait_class));
    jw_kbool(w, "inferred", g->reason_inferred);
    jw_key(w, "max_wait_minutes");
    if (g->max_wait_minutes >= 0)
        jw_i64(w, g->max_wait_minutes);
    else
        jw_null(w);
    jw_ku64(w, "locked", g->n_locked);
    json_labels(w, g);
    json_site(w, "created_by", g->created_by);
    if (g->created_by) {
        jw_ku64(w, "goroutines", g->created_by_count);
        jw_key(w, "parent");
        if (g->created_by_parent)
            jw_u64(w, g->created_by_parent);
        else
            jw_null(w);
        jw_end(w);
    }
    json_members(w, g);
    json_stack(w, g->stack);
    jw_end(w);
}

static void json_crash(struct jw *w, const struct gorca_dump *d)
{
    const struct gorca_dump_crash *c = &d->crash;

    jw_key(w, "crash");
    if (d->format != GORCA_DUMP_CRASH) {
        jw_null(w);
        return;
    }
    jw_obj(w);
    jw_key(w, "panic");
    c->panic ? jw_str(w, c->panic) : jw_null(w);
    jw_ku64(w, "panics", c->n_panics);
    jw_kbool(w, "recovered", c->recovered);
    jw_kbool(w, "repanicked", c->repanicked);
    jw_key(w, "fatal");
    c->fatal ? jw_str(w, c->fatal) : jw_null(w);
    jw_key(w, "signal");
    c->signal ? jw_str(w, c->signal) : jw_null(w);
    jw_key(w, "runtime_messages");
    c->runtime_msgs ? jw_str(w, c->runtime_msgs) : jw_null(w);
    jw_key(w, "runtime_stack");
    if (c->runtime_stack) {
        jw_arr(w);
        for (uint32_t i = 0; i < c->runtime_stack->n_frames; i++)
            json_frame(w, c->runtime_stack->frames[i]);
        jw_end(w);
    } else {
        jw_null(w);
    }
    jw_ku64(w, "first_goroutine", c->first_goroutine);
    jw_kbool(w, "registers", c->has_registers);
    jw_end(w);
}

void gorca_dump_render_json(const struct gorca_dump *d, const char *name,
                            const struct gorca_dump_view *v, struct gorca_buf *out)
{
    struct jw w;
    size_t shown = 0;

    jw_init(&w, out, 2);
    jw_obj(&w);
    jw_kstr(&w, "path", name);
    jw_kstr(&w, "format", format_name(d->format));
    jw_key(&w, "profile");
    d->profile_name ? jw_str(&w, d->profile_name) : jw_null(&w);
    jw_ku64(&w, "goroutines", d->n_goroutines);
    jw_ku64(&w, "groups_total", d->n_groups);
    jw_kbool(&w, "wait_states", d->has_wait_states);
    jw_kbool(&w, "truncated", d->truncated);
    jw_ku64(&w, "skipped_lines", d->n_skipped_lines);
    jw_key(&w, "log_prefix");
    d->log_prefix ? jw_str(&w, d->log_prefix) : jw_null(&w);
    jw_key(&w, "classes");
    json_classes(&w, d->class_totals, NULL);
    json_crash(&w, d);
    jw_key(&w, "creators");
    jw_arr(&w);
    for (size_t i = 0; i < d->n_creators; i++) {
        jw_obj(&w);
        jw_kstr(&w, "function", d->creators[i].site->func);
        jw_kstr(&w, "file", d->creators[i].site->file);
        jw_ku64(&w, "line", d->creators[i].site->line);
        jw_ku64(&w, "goroutines", d->creators[i].count);
        jw_ku64(&w, "parents", d->creators[i].n_parents);
        jw_end(&w);
    }
    jw_end(&w);
    jw_key(&w, "groups");
    jw_arr(&w);
    for (size_t i = 0; i < d->n_groups; i++) {
        if (!shown_group(&d->groups[i], v) || (v && v->top && shown >= v->top))
            continue;
        json_group(&w, &d->groups[i]);
        shown++;
    }
    jw_end(&w);
    jw_end(&w);
    gorca_buf_putc(out, '\n');
}

/* ---- diff --------------------------------------------------------------------------------*/

static const struct gorca_dump_group *delta_group(const struct gorca_dump_delta *x)
{
    return x->new_group ? x->new_group : x->old_group;
}

static int shown_delta(const struct gorca_dump_delta *x, const struct gorca_dump_view *v)
{
    const struct gorca_dump_group *g = delta_group(x);

    if (x->delta <= 0)
        return 0;
    if (v && v->wait_class >= 0 && g->wait_class != (enum gorca_wait_class)v->wait_class)
        return 0;
    return !(v && (uint64_t)x->delta < v->min_count);
}

void gorca_dump_diff_render_text(const struct gorca_dump_diff *diff, const char *old_name,
                                 const char *new_name, const struct gorca_dump_view *v,
                                 struct gorca_buf *out)
{
    unsigned width = width_of(v);
    size_t grew = 0, shrank = 0, same = 0, shown = 0, hidden = 0;
    uint64_t lost = 0;

    for (size_t i = 0; i < diff->n_deltas; i++) {
        const struct gorca_dump_delta *x = &diff->deltas[i];

        if (x->delta > 0)
            grew++;
        else if (x->delta < 0) {
            shrank++;
            lost += (uint64_t)-x->delta;
        } else
            same++;
    }
    gorca_buf_printf(out, "%s -> %s: %llu -> %llu goroutines (%+lld), %zu of %zu groups grew\n",
                     old_name, new_name, (unsigned long long)diff->old_total,
                     (unsigned long long)diff->new_total,
                     (long long)diff->new_total - (long long)diff->old_total, grew, diff->n_deltas);
    class_list(out, NULL, diff->class_delta, width);
    gorca_buf_putc(out, '\n');
    if (grew)
        gorca_buf_puts(out, "\n GROWTH      OLD      NEW  STATE\n");
    for (size_t i = 0; i < diff->n_deltas; i++) {
        const struct gorca_dump_delta *x = &diff->deltas[i];
        const struct gorca_dump_group *g = delta_group(x);

        if (!shown_delta(x, v))
            continue;
        if (v && v->top && shown >= v->top) {
            hidden++;
            continue;
        }
        gorca_buf_printf(out, "%+7lld %8llu %8llu  %s  [%s]", (long long)x->delta,
                         (unsigned long long)x->old_count, (unsigned long long)x->new_count,
                         g->reason, gorca_wait_class_name(g->wait_class));
        if (g->max_wait_minutes >= 0)
            gorca_buf_printf(out, ", waiting >= %d min", g->max_wait_minutes);
        gorca_buf_putc(out, '\n');
        render_frames(out, width, g->stack, frames_of(v));
        if (g->created_by)
            render_created(out, width, g->created_by, g->created_by_count, g->count,
                           g->created_by_parent);
        shown++;
    }
    if (hidden)
        gorca_buf_printf(out, "(%zu more growing group%s not shown)\n", hidden,
                         hidden == 1 ? "" : "s");
    gorca_buf_printf(out, "\n%zu group%s shrank by %llu goroutine%s, %zu unchanged\n", shrank,
                     shrank == 1 ? "" : "s", (unsigned long long)lost, lost == 1 ? "" : "s", same);
}

void gorca_dump_diff_render_json(const struct gorca_dump_diff *diff, const char *old_name,
                                 const char *new_name, const struct gorca_dump_view *v,
                                 struct gorca_buf *out)
{
    struct jw w;
    size_t shown = 0;

    jw_init(&w, out, 2);
    jw_obj(&w);
    jw_key(&w, "old");
    jw_obj(&w);
    jw_kstr(&w, "path", old_name);
    jw_ku64(&w, "goroutines", diff->old_total);
    jw_end(&w);
    jw_key(&w, "new");
    jw_obj(&w);
    jw_kstr(&w, "path", new_name);
    jw_ku64(&w, "goroutines", diff->new_total);
    jw_end(&w);
    jw_ki64(&w, "delta", (int64_t)diff->new_total - (int64_t)diff->old_total);
    jw_key(&w, "classes");
    json_classes(&w, NULL, diff->class_delta);
    jw_key(&w, "groups");
    jw_arr(&w);
    for (size_t i = 0; i < diff->n_deltas; i++) {
        const struct gorca_dump_delta *x = &diff->deltas[i];
        const struct gorca_dump_group *g = delta_group(x);
        uint64_t mag = x->delta < 0 ? (uint64_t)-x->delta : (uint64_t)x->delta;

        if (v && ((v->wait_class >= 0 && g->wait_class != (enum gorca_wait_class)v->wait_class) ||
                  mag < v->min_count || (v->top && shown >= v->top)))
            continue;
        jw_obj(&w);
        jw_ku64(&w, "old", x->old_count);
        jw_ku64(&w, "new", x->new_count);
        jw_ki64(&w, "delta", x->delta);
        jw_kstr(&w, "reason", g->reason);
        jw_kstr(&w, "class", gorca_wait_class_name(g->wait_class));
        json_labels(&w, g);
        json_site(&w, "created_by", g->created_by);
        if (g->created_by)
            jw_end(&w);
        json_stack(&w, g->stack);
        jw_end(&w);
        shown++;
    }
    jw_end(&w);
    jw_end(&w);
    gorca_buf_putc(out, '\n');
}
