/* Goroutine tracebacks: debug=2 dumps (runtime.Stack) and crash output (pprof-formats.md
 * §3.2, §3.3, §3.5). A dump is a sequence of blocks separated by blank lines:
 *
 *   goroutine <id>[ gp=0x… m=<n>|nil[ mp=0x…]] [<state>]:     header
 *   <func>(<args>)  /  \t<file>:<line>[ +0x<off>][ fp= sp= pc=]  frames, leaf first
 *   ...N frames elided...  |  non-Go function at pc=0x…          special frames
 *   created by <func>[ in goroutine <id>]  /  \t<file>:<line>    creation site
 *   [originating from goroutine <id>]:  frames…  [created by …]  ancestors
 *
 * Crash output adds lines before the first block (panic:, fatal error:, [signal …],
 * SIGQUIT: quit, runtime: …, "runtime stack:" frames) and a register dump after the last one.
 * In crash/log mode (lenient) lines that fit nowhere are skipped and counted; in debug=2 mode
 * they are errors. A block cut off by the end of the input is dropped and reported as
 * truncation; everything before it is kept. */
#include <stdarg.h>
#include <stdio.h>
#include "dump_int.h"

enum stack_end {
    END_DONE,     /* blank line or end of input: the block is complete */
    END_NEXT,     /* a new header follows (left unread) */
    END_CREATED,  /* the current line is "created by …" */
    END_ANCESTOR, /* the current line is "[originating from goroutine N]:" */
    END_TRUNC,    /* the input ends inside the block */
    END_ERR       /* error recorded */
};

struct tb {
    struct dump_builder *b;
    struct dump_lines ls;
    int lenient;
    int pending;     /* the current line was pushed back */
    int at_eof;      /* dump_lines_next returned 0 */
    uint32_t gflags; /* flags collected for the goroutine being read */
    struct gorca_buf panic, rtmsg;
};

/* ---- line access -------------------------------------------------------------------------*/

static int next(struct tb *t)
{
    if (t->pending) {
        t->pending = 0;
        return 1;
    }
    if (!dump_lines_next(&t->ls)) {
        t->at_eof = 1;
        return 0;
    }
    return 1;
}

static void unread(struct tb *t)
{
    t->pending = 1;
}

/* The current line is the last one and has no "\n": anything wrong with it is a cut. */
static int cut_here(const struct tb *t)
{
    return !t->ls.has_nl;
}

GORCA_PRINTF(2, 3) static enum gorca_status fail(struct tb *t, const char *fmt, ...)
{
    char where[64], detail[160];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    snprintf(where, sizeof(where), "line %llu", (unsigned long long)t->ls.lineno);
    return GORCA_FAIL(t->b->err, GORCA_E_MALFORMED, (int64_t)t->ls.off, where, "%s", detail);
}

static void skip_line(struct tb *t)
{
    t->b->d->n_skipped_lines++;
}

/* Quotes at most 40 bytes of the current line for an error message. */
static const char *quote_line(const struct tb *t, char *buf, size_t size)
{
    size_t n = t->ls.len > 40 ? 40 : t->ls.len;
    size_t j = 0;

    for (size_t i = 0; i < n && j + 5 < size; i++) {
        unsigned char c = (unsigned char)t->ls.line[i];

        if (c == '\t') {
            buf[j++] = '\\';
            buf[j++] = 't';
        } else if (c < 0x20 || c == 0x7f) {
            buf[j++] = '?';
        } else {
            buf[j++] = (char)c;
        }
    }
    if (t->ls.len > n && j + 4 < size) {
        memcpy(buf + j, "...", 3);
        j += 3;
    }
    buf[j] = '\0';
    return buf;
}

static int is_blank(const struct tb *t)
{
    return t->ls.len == 0;
}

/* ---- frames ------------------------------------------------------------------------------*/

/* Reads the file line that must follow a function or "created by" line.
 * Returns 0 (fl filled), 1 when the input is cut, 2 when in lenient mode the line is not a
 * file line (it is left unread for the caller to rescan), -1 on error. */
static int read_fileline(struct tb *t, struct dump_fileline *fl)
{
    const char *why = NULL;

    if (cut_here(t) || !next(t))
        return 1;
    while (t->ls.foreign && t->lenient) {
        skip_line(t); /* a foreign log line between a function and its file line */
        if (!next(t))
            return 1;
    }
    if (t->ls.len > 0 && t->ls.line[0] == '\t' &&
        dump_parse_fileline(t->ls.line, t->ls.len, fl, &why) == 0)
        return 0;
    if (cut_here(t))
        return 1;
    if (t->lenient) {
        unread(t);
        return 2;
    }
    fail(t, "%s", why ? why : "expected a file line ('\\t<path>:<line>') after the function line");
    return -1;
}

/* Interns a frame from its function name and parsed file line. NULL on failure. */
static const struct gorca_dump_frame *make_frame(struct tb *t, const char *func, size_t func_len,
                                                 const struct dump_fileline *fl, int kind,
                                                 int inlined)
{
    struct gorca_dump_frame f;

    memset(&f, 0, sizeof(f));
    f.func = dump_intern_str(t->b, func, func_len);
    f.file = dump_intern_str(t->b, fl->file ? fl->file : "", fl->file_len);
    if (f.func == NULL || f.file == NULL)
        return NULL;
    f.kind = (uint8_t)kind;
    f.line = fl->line;
    f.has_offset = (uint8_t)fl->has_offset;
    f.offset = fl->offset;
    f.pc = fl->pc;
    f.inlined = (uint8_t)inlined;
    return dump_intern_frame(t->b, &f);
}

/* A function line (the current line) and its file line. Returns 0 (frame pushed or, in
 * lenient mode, the line skipped), 1 when cut, -1 on error. */
static int read_frame(struct tb *t)
{
    struct dump_funcline fn;
    struct dump_fileline fl;
    const struct gorca_dump_frame *f;
    uint64_t off = t->ls.off;
    int r, kind, inlined;
    char q[64];

    if (dump_parse_funcline(t->ls.line, t->ls.len, &fn) != 0) {
        fail(t, "expected a function line, found '%s'", quote_line(t, q, sizeof(q)));
        return -1;
    }
    r = read_fileline(t, &fl);
    if (r == 2) {
        skip_line(t);
        return 0;
    }
    if (r != 0)
        return r;
    /* A name without an argument list comes from a cgo symbolizer. An inlined call prints
     * "(...)" and no PC offset; ancestor frames print "(...)" too but keep the offset. */
    kind = fn.has_args ? GORCA_FRAME_GO : GORCA_FRAME_NONGO;
    inlined = fn.has_args && fn.args_len == 3 && memcmp(fn.args, "...", 3) == 0 && !fl.has_offset;
    f = make_frame(t, fn.func, fn.func_len, &fl, kind, inlined);
    if (f == NULL || dump_push_frame(t->b, f, off) != 0)
        return -1;
    return 0;
}

/* A one-line special frame (elision marker, "non-Go function at pc="). */
static int push_special(struct tb *t, int kind, uint32_t elided, uint64_t pc)
{
    struct gorca_dump_frame f;

    memset(&f, 0, sizeof(f));
    f.kind = (uint8_t)kind;
    f.elided = elided;
    f.pc = pc;
    f.func = dump_intern_str(t->b, kind == GORCA_FRAME_NONGO ? "non-Go function" : "",
                             kind == GORCA_FRAME_NONGO ? 15 : 0);
    f.file = dump_intern_str(t->b, "", 0);
    if (f.func == NULL || f.file == NULL)
        return -1;
    return dump_push_frame(t->b, &f, t->ls.off);
}

static int is_header(const struct tb *t)
{
    struct dump_header h;
    const char *why;

    return dump_has_prefix(t->ls.line, t->ls.len, "goroutine ") &&
           dump_parse_header(t->ls.line, t->ls.len, &h, &why) != 0;
}

/* Reads frames into the builder's scratch stack until something other than a frame comes. */
static enum stack_end read_stack(struct tb *t)
{
    static const char unavailable[] = "\tgoroutine running on other thread; stack unavailable";
    const size_t un = sizeof(unavailable) - 1;
    uint64_t v;
    uint32_t n;
    char q[64];
    int r;

    while (next(t)) {
        const char *s = t->ls.line;
        size_t len = t->ls.len;

        if (t->ls.foreign) {
            skip_line(t);
            continue;
        }
        if (is_blank(t))
            return END_DONE;
        if (is_header(t)) {
            unread(t);
            return END_NEXT;
        }
        if (dump_has_prefix(s, len, "created by "))
            return END_CREATED;
        if (dump_parse_ancestor(s, len, &v))
            return END_ANCESTOR;
        if (s[0] == '\t') {
            if (len == un && memcmp(s, unavailable, un) == 0) {
                t->gflags |= GORCA_G_NO_STACK;
                continue;
            }
            if (cut_here(t))
                return END_TRUNC;
            if (t->lenient) {
                skip_line(t);
                continue;
            }
            fail(t, "expected a function line, found the file line '%s'",
                 quote_line(t, q, sizeof(q)));
            return END_ERR;
        }
        if (dump_parse_elided(s, len, &n)) {
            if (push_special(t, GORCA_FRAME_ELIDED, n, 0) != 0)
                return END_ERR;
            continue;
        }
        if (dump_parse_nongo(s, len, &v)) {
            if (push_special(t, GORCA_FRAME_NONGO, 0, v) != 0)
                return END_ERR;
            continue;
        }
        r = read_frame(t);
        if (r < 0)
            return END_ERR;
        if (r > 0)
            return END_TRUNC;
    }
    return END_DONE;
}

/* The "created by" line (current) and its file line. Returns 0, 1 when cut, -1 on error,
 * 2 when skipped (lenient). */
static int read_created(struct tb *t, const struct gorca_dump_frame **out, uint64_t *parent,
                        int *has_parent)
{
    struct dump_fileline fl;
    const char *func;
    size_t func_len;
    int r;
    char q[64];

    *out = NULL;
    if (!dump_parse_created(t->ls.line, t->ls.len, &func, &func_len, parent, has_parent)) {
        if (cut_here(t))
            return 1;
        if (t->lenient) {
            skip_line(t);
            return 2;
        }
        fail(t, "expected 'created by <function>', found '%s'", quote_line(t, q, sizeof(q)));
        return -1;
    }
    r = read_fileline(t, &fl);
    if (r == 2) {
        skip_line(t);
        return 2;
    }
    if (r != 0)
        return r;
    *out = make_frame(t, func, func_len, &fl, GORCA_FRAME_GO, 0);
    return *out ? 0 : -1;
}

/* ---- goroutine blocks --------------------------------------------------------------------*/

static enum gorca_status truncated(struct tb *t, uint64_t id, uint64_t off, int in_block)
{
    struct gorca_dump *d = t->b->d;
    char where[64];

    d->truncated = 1;
    d->truncated_at = off;
    if (in_block) {
        snprintf(where, sizeof(where), "goroutine %llu", (unsigned long long)id);
        return GORCA_FAIL(t->b->err, GORCA_E_TRUNCATED, (int64_t)off, where,
                          "the input ends inside this goroutine's block (line %llu); kept the "
                          "%zu goroutine%s before it",
                          (unsigned long long)t->ls.lineno, t->b->n_gs, t->b->n_gs == 1 ? "" : "s");
    }
    snprintf(where, sizeof(where), "line %llu", (unsigned long long)t->ls.lineno);
    return GORCA_FAIL(t->b->err, GORCA_E_TRUNCATED, (int64_t)off, where,
                      "the input ends in the middle of a line; kept the %zu goroutine%s before it",
                      t->b->n_gs, t->b->n_gs == 1 ? "" : "s");
}

/* After a "created by" site: an ancestor section, or the end of the block. */
static enum stack_end after_created(struct tb *t)
{
    uint64_t v;
    char q[64];

    while (next(t)) {
        if (t->ls.foreign) {
            skip_line(t);
            continue;
        }
        if (is_blank(t))
            return END_DONE;
        if (is_header(t)) {
            unread(t);
            return END_NEXT;
        }
        if (dump_parse_ancestor(t->ls.line, t->ls.len, &v))
            return END_ANCESTOR;
        if (cut_here(t))
            return END_TRUNC;
        if (!t->lenient) {
            fail(t,
                 "expected a blank line or '[originating from goroutine <id>]:' after the "
                 "'created by' site, found '%s'",
                 quote_line(t, q, sizeof(q)));
            return END_ERR;
        }
        skip_line(t);
    }
    return END_DONE;
}

/* "[originating from goroutine K]:" sections (current line is the first). */
static enum stack_end read_ancestors(struct tb *t)
{
    struct dump_builder *b = t->b;
    enum stack_end end = END_ANCESTOR;

    while (end == END_ANCESTOR) {
        struct gorca_dump_ancestor a;
        uint64_t parent;
        int has_parent, r;

        memset(&a, 0, sizeof(a));
        if (!dump_parse_ancestor(t->ls.line, t->ls.len, &a.id))
            return END_ERR;
        b->n_scratch = 0;
        end = read_stack(t);
        if (end == END_ERR || end == END_TRUNC)
            return end;
        a.stack = dump_intern_stack(b, b->scratch, b->n_scratch);
        if (a.stack == NULL)
            return END_ERR;
        if (end == END_CREATED) {
            r = read_created(t, &a.created_by, &parent, &has_parent);
            if (r < 0)
                return END_ERR;
            if (r == 1)
                return END_TRUNC;
            end = after_created(t);
            if (end == END_ERR || end == END_TRUNC)
                return end;
        }
        if (dump_grow(b, (void **)&b->anc, &b->cap_anc, b->n_anc + 1, sizeof(*b->anc)) != 0)
            return END_ERR;
        b->anc[b->n_anc++] = a;
    }
    return end;
}

static enum gorca_status add_goroutine(struct tb *t, const struct dump_header *h,
                                       struct gorca_goroutine *g)
{
    struct dump_builder *b = t->b;

    if (b->n_gs >= b->lim.samples)
        return GORCA_FAIL(b->err, GORCA_E_LIMIT, (int64_t)g->offset, NULL,
                          "more than %llu goroutines (limit samples)",
                          (unsigned long long)b->lim.samples);
    g->state = dump_intern_str(b, h->state, h->state_len);
    g->reason = dump_intern_str(b, h->reason, h->reason_len);
    if (g->state == NULL || g->reason == NULL)
        return b->err->code;
    if (h->extra_len > 0) {
        g->extra = dump_intern_str(b, h->extra, h->extra_len);
        if (g->extra == NULL)
            return b->err->code;
    }
    g->wait_class = dump_refine_class(g->reason, g->stack);
    g->wait_minutes = h->minutes;
    g->flags |= h->flags;
    g->bubble = h->bubble;
    g->gp = h->gp;
    g->mp = h->mp;
    g->m = h->m;
    if (b->n_anc > 0) {
        struct gorca_dump_ancestor *a = base_arena_alloc(b->arena, b->n_anc * sizeof(*a));

        if (a == NULL)
            return dump_nomem(b, g->offset, NULL);
        memcpy(a, b->anc, b->n_anc * sizeof(*a));
        g->ancestors = a;
        g->n_ancestors = (uint32_t)b->n_anc;
    }
    if (dump_grow(b, (void **)&b->gs, &b->cap_gs, b->n_gs + 1, sizeof(*b->gs)) != 0)
        return b->err->code;
    b->gs[b->n_gs++] = *g;
    if (h->flags & GORCA_G_HAS_GP)
        b->d->format = GORCA_DUMP_CRASH;
    return GORCA_OK;
}

/* One goroutine block; the header (current line) is already parsed into h. */
static enum gorca_status parse_block(struct tb *t, const struct dump_header *h)
{
    struct dump_builder *b = t->b;
    struct gorca_goroutine g;
    enum stack_end end;
    uint64_t parent = 0;
    int has_parent = 0, r;

    memset(&g, 0, sizeof(g));
    g.id = h->id;
    g.offset = t->ls.line_off;
    t->gflags = 0;
    b->n_scratch = 0;
    b->n_anc = 0;
    if (cut_here(t))
        return truncated(t, g.id, g.offset, 1);
    end = read_stack(t);
    if (end == END_ERR)
        return b->err->code;
    if (end == END_TRUNC || (t->at_eof && b->n_scratch == 0 && !(t->gflags & GORCA_G_NO_STACK)))
        return truncated(t, g.id, g.offset, 1);
    g.stack = dump_intern_stack(b, b->scratch, b->n_scratch);
    if (g.stack == NULL)
        return b->err->code;
    if (end == END_CREATED) {
        r = read_created(t, &g.created_by, &parent, &has_parent);
        if (r < 0)
            return b->err->code;
        if (r == 1)
            return truncated(t, g.id, g.offset, 1);
        if (has_parent) {
            g.parent_id = parent;
            t->gflags |= GORCA_G_PARENT_KNOWN;
        }
        end = after_created(t);
    }
    if (end == END_ANCESTOR)
        end = read_ancestors(t);
    if (end == END_ERR)
        return b->err->code;
    if (end == END_TRUNC)
        return truncated(t, g.id, g.offset, 1);
    g.flags = t->gflags;
    return add_goroutine(t, h, &g);
}

/* ---- crash preamble and trailer ----------------------------------------------------------*/

static int is_register_line(const char *s, size_t n)
{
    size_t i = 0, sp;

    while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
        i++;
    if (i == 0 || i > 8 || s[0] < 'a' || s[0] > 'z')
        return 0;
    sp = i;
    while (i < n && s[i] == ' ')
        i++;
    if (i == sp)
        return 0;
    {
        uint64_t v;

        return dump_parse_hex(s + i, n - i, &v) == 0;
    }
}

/* "SIGQUIT: quit", "SIGSEGV: segmentation violation", "SIGABRT: abort" */
static int is_signal_line(const char *s, size_t n)
{
    size_t i = 3;

    if (!dump_has_prefix(s, n, "SIG"))
        return 0;
    while (i < n && ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
        i++;
    return i > 3 && i + 1 < n && s[i] == ':' && s[i + 1] == ' ';
}

static void add_panic(struct tb *t, const char *s, size_t n)
{
    struct gorca_dump_crash *c = &t->b->d->crash;
    static const char rep[] = " [recovered, repanicked]", rec[] = " [recovered]";

    c->n_panics++;
    if (n >= sizeof(rep) - 1 && memcmp(s + n - (sizeof(rep) - 1), rep, sizeof(rep) - 1) == 0) {
        n -= sizeof(rep) - 1;
        c->recovered = c->repanicked = 1;
    } else if (n >= sizeof(rec) - 1 &&
               memcmp(s + n - (sizeof(rec) - 1), rec, sizeof(rec) - 1) == 0) {
        n -= sizeof(rec) - 1;
        c->recovered = 1;
    }
    t->panic.len = 0;
    gorca_buf_append(&t->panic, s, n);
}

static const char *intern_or_keep(struct tb *t, const char *old, const char *s, size_t n)
{
    return old ? old : dump_intern_str(t->b, s, n);
}

/* Reads the "runtime stack:" frames (system stack of a fatal throw). */
static enum gorca_status read_runtime_stack(struct tb *t)
{
    struct dump_builder *b = t->b;
    enum stack_end end;

    b->n_scratch = 0;
    t->gflags = 0;
    end = read_stack(t);
    if (end == END_ERR)
        return b->err->code;
    if (end == END_TRUNC)
        return truncated(t, 0, t->ls.line_off, 0);
    b->d->crash.runtime_stack = dump_intern_stack(b, b->scratch, b->n_scratch);
    if (b->d->crash.runtime_stack == NULL)
        return b->err->code;
    if (end == END_CREATED || end == END_ANCESTOR)
        unread(t);
    return GORCA_OK;
}

/* Lines before the first goroutine header: the crash's own report. */
static enum gorca_status parse_preamble(struct tb *t)
{
    struct gorca_dump_crash *c = &t->b->d->crash;
    int in_panic = 0;
    char q[64];

    while (next(t)) {
        const char *s = t->ls.line;
        size_t n = t->ls.len;

        if (t->ls.foreign) {
            skip_line(t);
            continue;
        }
        if (is_header(t)) {
            unread(t);
            return GORCA_OK;
        }
        if (n == 0) {
            in_panic = 0;
            continue;
        }
        if (!t->lenient)
            return fail(t, "expected a goroutine header ('goroutine <id> [<state>]:'), found '%s'",
                        quote_line(t, q, sizeof(q)));
        if (dump_has_prefix(s, n, "panic: ")) {
            add_panic(t, s + 7, n - 7);
            in_panic = 1;
        } else if (dump_has_prefix(s, n, "\tpanic: ")) {
            add_panic(t, s + 8, n - 8);
            in_panic = 1;
        } else if (s[0] == '\t' && in_panic) {
            gorca_buf_putc(&t->panic, '\n');
            gorca_buf_append(&t->panic, s + 1, n - 1);
        } else if (dump_has_prefix(s, n, "fatal error: ")) {
            c->fatal = intern_or_keep(t, c->fatal, s + 13, n - 13);
        } else if (dump_has_prefix(s, n, "fatal: ")) {
            c->fatal = intern_or_keep(t, c->fatal, s + 7, n - 7);
        } else if (dump_has_prefix(s, n, "[signal ") && s[n - 1] == ']') {
            c->signal = intern_or_keep(t, c->signal, s + 1, n - 2);
        } else if (is_signal_line(s, n)) {
            c->signal = intern_or_keep(t, c->signal, s, n);
        } else if (n == 14 && memcmp(s, "runtime stack:", 14) == 0) {
            enum gorca_status st = read_runtime_stack(t);

            if (st != GORCA_OK)
                return st;
        } else if (dump_has_prefix(s, n, "runtime: ") ||
                   dump_has_prefix(s, n, "unexpected fault address ")) {
            if (t->rtmsg.len > 0)
                gorca_buf_putc(&t->rtmsg, '\n');
            gorca_buf_append(&t->rtmsg, s, n);
        } else if (dump_has_prefix(s, n, "PC=0x") || dump_has_prefix(s, n, "exit status ")) {
            /* signal context and the shell's exit line: known, nothing to keep */
        } else if (in_panic) {
            /* Before Go 1.22 further lines of a panic value were printed unindented. */
            gorca_buf_putc(&t->panic, '\n');
            gorca_buf_append(&t->panic, s, n);
        } else {
            skip_line(t);
        }
        if (t->b->err->code != GORCA_OK)
            return t->b->err->code; /* an interning failure */
    }
    return GORCA_OK;
}

static enum gorca_status finish_crash(struct tb *t)
{
    struct dump_builder *b = t->b;
    struct gorca_dump_crash *c = &b->d->crash;

    if (t->panic.failed || t->rtmsg.failed)
        return GORCA_FAIL(b->err, GORCA_E_LIMIT, -1, NULL,
                          "the crash message is longer than %llu bytes (limit string_bytes)",
                          (unsigned long long)b->lim.string_bytes);
    if (c->n_panics > 0) {
        c->panic = dump_arena_strdup(b, t->panic.data ? t->panic.data : "", t->panic.len);
        if (c->panic == NULL)
            return b->err->code;
    }
    if (t->rtmsg.len > 0) {
        c->runtime_msgs = dump_arena_strdup(b, t->rtmsg.data, t->rtmsg.len);
        if (c->runtime_msgs == NULL)
            return b->err->code;
    }
    if (b->n_gs > 0)
        c->first_goroutine = b->gs[0].id;
    return GORCA_OK;
}

/* ---- entry point -------------------------------------------------------------------------*/

static enum gorca_status parse_body(struct tb *t)
{
    struct dump_builder *b = t->b;
    struct dump_header h;
    const char *why = NULL;
    enum gorca_status st;
    char q[64];
    int r;

    st = parse_preamble(t);
    while (st == GORCA_OK && next(t)) {
        if (t->ls.foreign) {
            skip_line(t);
            continue;
        }
        if (is_blank(t))
            continue;
        r = dump_parse_header(t->ls.line, t->ls.len, &h, &why);
        if (r == 1) {
            st = parse_block(t, &h);
        } else if (r < 0 && cut_here(t)) {
            st = truncated(t, h.id, t->ls.line_off, 1);
        } else if (r < 0 && !t->lenient) {
            st = fail(t, "%s", why);
        } else if (is_register_line(t->ls.line, t->ls.len)) {
            b->d->crash.has_registers = 1;
            b->d->format = GORCA_DUMP_CRASH;
        } else if (t->lenient && dump_has_prefix(t->ls.line, t->ls.len, "exit status ")) {
            /* printed by go run or a shell after the crash */
        } else if (t->lenient) {
            skip_line(t);
        } else if (cut_here(t)) {
            st = truncated(t, 0, t->ls.line_off, 0);
        } else {
            st = fail(t, "expected a goroutine header ('goroutine <id> [<state>]:'), found '%s'",
                      quote_line(t, q, sizeof(q)));
        }
    }
    return st;
}

enum gorca_status dump_parse_tracebacks(struct dump_builder *b, const uint8_t *data, size_t len,
                                        int lenient)
{
    struct tb t;
    enum gorca_status st, st2;

    memset(&t, 0, sizeof(t));
    t.b = b;
    t.lenient = lenient;
    gorca_buf_init(&t.panic, b->lim.string_bytes);
    gorca_buf_init(&t.rtmsg, b->lim.string_bytes);
    dump_lines_init(&t.ls, data, len);
    if (lenient)
        dump_lines_detect_prefix(&t.ls);
    if (t.ls.prefix) {
        b->d->log_prefix = dump_intern_str(b, t.ls.prefix, t.ls.prefix_len);
        if (b->d->log_prefix == NULL)
            goto out;
    }
    b->d->format = lenient ? GORCA_DUMP_CRASH : GORCA_DUMP_DEBUG2;
    b->d->has_wait_states = 1;
    st = parse_body(&t);
    if (st == GORCA_OK || st == GORCA_E_TRUNCATED) {
        st2 = finish_crash(&t);
        if (st2 != GORCA_OK)
            st = st2;
    }
    if (st == GORCA_OK && b->n_gs == 0) {
        b->d->truncated = 1;
        b->d->truncated_at = len;
        st = GORCA_FAIL(b->err, GORCA_E_TRUNCATED, (int64_t)len, NULL,
                        "the log ends before any goroutine traceback");
    }
out:
    gorca_buf_release(&t.panic);
    gorca_buf_release(&t.rtmsg);
    return b->err->code != GORCA_OK ? b->err->code : GORCA_OK;
}
