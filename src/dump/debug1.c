/* debug=1 count-profile text (pprof-formats.md §3.1): goroutine, threadcreate, goroutineleak
 * and custom profiles.
 *
 *   <name> profile: total <N>
 *   <count> @ <pc> <pc> …                      record: hex return PCs, leaf first (may be none)
 *   # labels: {"k":"v", "k2":"v2"}             optional, Go-quoted
 *   #\t<pc>\t+<func>+<off>\t+<file>:<line>     frames, columns padded with runs of tabs
 *   #\t<pc>                                    a PC without symbol
 *   <blank line>
 *
 * Leading runtime frames are hidden from the '#' lines; the number hidden (the '@' PCs before
 * the first one whose call PC is printed) feeds the wait-reason inference. */
#include <stdio.h>
#include <stdlib.h>
#include "dump_int.h"

struct d1 {
    struct dump_builder *b;
    struct dump_lines ls;
    uint64_t sum; /* counts of finished records */
};

static enum gorca_status fail(struct d1 *p, const char *detail)
{
    char where[64];

    snprintf(where, sizeof(where), "line %llu", (unsigned long long)p->ls.lineno);
    return GORCA_FAIL(p->b->err, GORCA_E_MALFORMED, (int64_t)p->ls.off, where, "%s", detail);
}

/* ---- Go string literals ------------------------------------------------------------------*/

static int hexdig(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static size_t put_utf8(char *out, uint32_t r)
{
    if (r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff))
        r = 0xfffd;
    if (r < 0x80) {
        out[0] = (char)r;
        return 1;
    }
    if (r < 0x800) {
        out[0] = (char)(0xc0 | r >> 6);
        out[1] = (char)(0x80 | (r & 0x3f));
        return 2;
    }
    if (r < 0x10000) {
        out[0] = (char)(0xe0 | r >> 12);
        out[1] = (char)(0x80 | ((r >> 6) & 0x3f));
        out[2] = (char)(0x80 | (r & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | r >> 18);
    out[1] = (char)(0x80 | ((r >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((r >> 6) & 0x3f));
    out[3] = (char)(0x80 | (r & 0x3f));
    return 4;
}

long dump_go_unquote(const char *s, size_t n, char *out)
{
    size_t i = 1, o = 0;

    if (n < 2 || s[0] != '"' || s[n - 1] != '"')
        return -1;
    while (i < n - 1) {
        char c = s[i++];
        uint32_t r = 0;
        int nd = 0;

        if (c == '"')
            return -1;
        if (c != '\\') {
            out[o++] = c;
            continue;
        }
        if (i >= n - 1)
            return -1;
        c = s[i++];
        switch (c) {
        case 'a':
            out[o++] = '\a';
            continue;
        case 'b':
            out[o++] = '\b';
            continue;
        case 'f':
            out[o++] = '\f';
            continue;
        case 'n':
            out[o++] = '\n';
            continue;
        case 'r':
            out[o++] = '\r';
            continue;
        case 't':
            out[o++] = '\t';
            continue;
        case 'v':
            out[o++] = '\v';
            continue;
        case '\\':
            out[o++] = '\\';
            continue;
        case '"':
            out[o++] = '"';
            continue;
        case '\'':
            out[o++] = '\'';
            continue;
        case 'x':
            nd = 2;
            break;
        case 'u':
            nd = 4;
            break;
        case 'U':
            nd = 8;
            break;
        default:
            if (c >= '0' && c <= '7') {
                /* three octal digits */
                r = (uint32_t)(c - '0');
                for (int k = 0; k < 2; k++) {
                    if (i >= n - 1 || s[i] < '0' || s[i] > '7')
                        return -1;
                    r = r << 3 | (uint32_t)(s[i++] - '0');
                }
                if (r > 255)
                    return -1;
                out[o++] = (char)r;
                continue;
            }
            return -1;
        }
        for (int k = 0; k < nd; k++) {
            int d = i < n - 1 ? hexdig(s[i]) : -1;

            if (d < 0)
                return -1;
            r = r << 4 | (uint32_t)d;
            i++;
        }
        if (c == 'x')
            out[o++] = (char)r;
        else
            o += put_utf8(out + o, r);
    }
    return (long)o;
}

/* End of a Go string literal starting at s[0] == '"'; returns its length or 0. */
static size_t quoted_len(const char *s, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == '"')
            return i + 1;
    }
    return 0;
}

/* ---- records -----------------------------------------------------------------------------*/

static const char *unquote_intern(struct d1 *p, const char *s, size_t n)
{
    struct dump_builder *b = p->b;
    long k;

    if (dump_grow(b, (void **)&b->tmp, &b->cap_tmp, n + 1, 1) != 0)
        return NULL;
    k = dump_go_unquote(s, n, b->tmp);
    if (k < 0) {
        fail(p, "expected a Go-quoted label string in '# labels: {…}'");
        return NULL;
    }
    return dump_intern_str(b, b->tmp, (size_t)k);
}

/* "# labels: {"k":"v", "k2":"v2"}" */
static enum gorca_status parse_labels(struct d1 *p, const char *s, size_t n)
{
    struct dump_builder *b = p->b;
    size_t i = 0;

    if (n < 2 || s[0] != '{' || s[n - 1] != '}')
        return fail(p, "expected '# labels: {\"key\":\"value\", …}'");
    s++;
    n -= 2;
    while (i < n) {
        struct gorca_dump_label l;
        size_t kq, vq;

        kq = s[i] == '"' ? quoted_len(s + i, n - i) : 0;
        if (kq == 0 || i + kq >= n || s[i + kq] != ':')
            return fail(p, "expected '\"key\":' in the labels");
        vq = s[i + kq + 1] == '"' ? quoted_len(s + i + kq + 1, n - i - kq - 1) : 0;
        if (vq == 0)
            return fail(p, "expected a quoted label value after ':'");
        l.key = unquote_intern(p, s + i, kq);
        if (l.key == NULL)
            return b->err->code;
        l.value = unquote_intern(p, s + i + kq + 1, vq);
        if (l.value == NULL)
            return b->err->code;
        if (dump_grow(b, (void **)&b->labels, &b->cap_labels, b->n_labels + 1,
                      sizeof(*b->labels)) != 0)
            return b->err->code;
        b->labels[b->n_labels++] = l;
        i += kq + 1 + vq;
        if (i < n) {
            if (n - i < 2 || s[i] != ',' || s[i + 1] != ' ')
                return fail(p, "expected ', ' between labels");
            i += 2;
        }
    }
    return GORCA_OK;
}

/* Next tab-separated field of s[*i..n) (runs of tabs separate fields). */
static int field(const char *s, size_t n, size_t *i, const char **f, size_t *fn)
{
    size_t j;

    while (*i < n && s[*i] == '\t')
        (*i)++;
    if (*i >= n)
        return 0;
    j = *i;
    while (j < n && s[j] != '\t')
        j++;
    *f = s + *i;
    *fn = j - *i;
    *i = j;
    return 1;
}

/* "#\t<pc>\t<func>+<off>\t<file>:<line>" or "#\t<pc>" */
static enum gorca_status parse_frame(struct d1 *p, const char *s, size_t n)
{
    struct dump_builder *b = p->b;
    struct gorca_dump_frame f;
    const char *fs, *ff, *fl;
    size_t fsn, ffn, fln, i = 1, plus, colon;
    uint64_t v;

    memset(&f, 0, sizeof(f));
    if (!field(s, n, &i, &fs, &fsn) || dump_parse_hex(fs, fsn, &f.pc) != 0)
        return fail(p, "expected '#\\t0x<pc>' at the start of a frame line");
    if (!field(s, n, &i, &ff, &ffn)) {
        f.kind = GORCA_FRAME_UNKNOWN;
        f.func = dump_intern_str(b, "", 0);
        f.file = f.func;
    } else {
        if (!field(s, n, &i, &fl, &fln) || i != n)
            return fail(p, "expected '<function>+0x<offset>\\t<file>:<line>' after the PC");
        for (plus = ffn; plus > 0 && ff[plus - 1] != '+'; plus--)
            ;
        if (plus > 1 && dump_parse_hex(ff + plus, ffn - plus, &v) == 0) {
            f.has_offset = 1;
            f.offset = v;
            ffn = plus - 1;
        }
        for (colon = fln; colon > 0 && fl[colon - 1] != ':'; colon--)
            ;
        if (colon < 2 || dump_parse_u64(fl + colon, fln - colon, &v) != 0 || v > UINT32_MAX)
            return fail(p, "expected '<file>:<line>' at the end of a frame line");
        f.line = (uint32_t)v;
        f.func = dump_intern_str(b, ff, ffn);
        f.file = dump_intern_str(b, fl, colon - 1);
    }
    if (f.func == NULL || f.file == NULL)
        return b->err->code;
    if (dump_push_frame(b, &f, p->ls.off) != 0)
        return b->err->code;
    return GORCA_OK;
}

/* "<count> @ <pc> <pc> …" */
static enum gorca_status parse_count_line(struct d1 *p, uint64_t *count)
{
    struct dump_builder *b = p->b;
    const char *s = p->ls.line;
    size_t n = p->ls.len, i = 0, j;

    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    if (i == 0 || dump_parse_u64(s, i, count) != 0 || n - i < 2 || memcmp(s + i, " @", 2) != 0)
        return fail(p, "expected '<count> @ <pc> …' to start a record");
    i += 2;
    b->n_pcs = 0;
    while (i < n) {
        uint64_t pc;

        if (s[i] != ' ')
            return fail(p, "expected ' 0x<pc>' in the record's PC list");
        j = ++i;
        while (j < n && s[j] != ' ')
            j++;
        if (dump_parse_hex(s + i, j - i, &pc) != 0)
            return fail(p, "expected ' 0x<pc>' in the record's PC list");
        if (b->n_pcs >= b->lim.stack_depth)
            return GORCA_FAIL(b->err, GORCA_E_LIMIT, (int64_t)p->ls.off, NULL,
                              "a stack has more than %llu frames (limit stack_depth)",
                              (unsigned long long)b->lim.stack_depth);
        if (dump_grow(b, (void **)&b->pcs, &b->cap_pcs, b->n_pcs + 1, sizeof(*b->pcs)) != 0)
            return b->err->code;
        b->pcs[b->n_pcs++] = pc;
        i = j;
    }
    return GORCA_OK;
}

/* The '@' PCs printed above the first '#' line: runtime frames the text left out. */
static uint32_t hidden_frames(const struct dump_builder *b)
{
    if (b->n_scratch == 0)
        return (uint32_t)b->n_pcs;
    for (size_t i = 0; i < b->n_pcs; i++)
        if (b->pcs[i] != 0 && b->pcs[i] - 1 == b->scratch[0]->pc)
            return (uint32_t)i;
    return 0;
}

static enum gorca_status end_record(struct d1 *p, uint64_t count)
{
    enum gorca_status st = dump_add_record(p->b, count, hidden_frames(p->b), p->ls.off);

    if (st != GORCA_OK)
        return st;
    if (p->sum > UINT64_MAX - count)
        return fail(p, "record counts overflow");
    p->sum += count;
    return GORCA_OK;
}

static enum gorca_status cut(struct d1 *p, uint64_t off)
{
    struct gorca_dump *d = p->b->d;
    char where[64];

    d->truncated = 1;
    d->truncated_at = off;
    snprintf(where, sizeof(where), "line %llu", (unsigned long long)p->ls.lineno);
    return GORCA_FAIL(p->b->err, GORCA_E_TRUNCATED, (int64_t)off, where,
                      "the input ends in the middle of a record; kept the %zu record%s before it",
                      p->b->n_groups, p->b->n_groups == 1 ? "" : "s");
}

/* The header line: "<name> profile: total <N>". */
static enum gorca_status parse_header(struct d1 *p)
{
    static const char mid[] = " profile: total ";
    struct dump_builder *b = p->b;
    const char *s = p->ls.line, *m;
    size_t n = p->ls.len, k = sizeof(mid) - 1;

    m = n > k ? memmem(s, n, mid, k) : NULL;
    if (m == NULL || m == s || memchr(s, ' ', (size_t)(m - s)) != NULL ||
        dump_parse_u64(m + k, n - (size_t)(m - s) - k, &b->d->header_total) != 0)
        return fail(p, "expected '<name> profile: total <N>' on the first line");
    b->d->profile_name = dump_intern_str(b, s, (size_t)(m - s));
    return b->d->profile_name ? GORCA_OK : b->err->code;
}

enum gorca_status dump_parse_debug1(struct dump_builder *b, const uint8_t *data, size_t len)
{
    struct d1 p;
    enum gorca_status st;
    int in_record = 0;
    uint64_t count = 0, rec_off = 0;

    memset(&p, 0, sizeof(p));
    p.b = b;
    b->d->format = GORCA_DUMP_DEBUG1;
    dump_lines_init(&p.ls, data, len);
    do {
        if (!dump_lines_next(&p.ls))
            return GORCA_FAIL(b->err, GORCA_E_UNSUPPORTED, 0, NULL, "the input is empty");
    } while (p.ls.len == 0);
    if (!p.ls.has_nl)
        return cut(&p, p.ls.off);
    st = parse_header(&p);
    while (st == GORCA_OK && dump_lines_next(&p.ls)) {
        const char *s = p.ls.line;
        size_t n = p.ls.len;

        if (!p.ls.has_nl) {
            st = cut(&p, in_record ? rec_off : p.ls.off);
            break;
        }
        if (n == 0) {
            if (in_record)
                st = end_record(&p, count);
            in_record = 0;
        } else if (!in_record) {
            rec_off = p.ls.off;
            b->n_scratch = b->n_labels = 0;
            st = parse_count_line(&p, &count);
            in_record = 1;
        } else if (dump_has_prefix(s, n, "# labels: ")) {
            if (b->n_scratch > 0 || b->n_labels > 0)
                st = fail(&p, "expected '# labels:' right after the record's '@' line");
            else
                st = parse_labels(&p, s + 10, n - 10);
        } else if (dump_has_prefix(s, n, "#\t")) {
            st = parse_frame(&p, s, n);
        } else {
            st = fail(&p, "expected a '#\\t' frame line, '# labels:' or a blank line");
        }
    }
    if (st == GORCA_OK && in_record)
        st = end_record(&p, count);
    if (st == GORCA_OK && p.sum < b->d->header_total) {
        b->d->truncated = 1;
        b->d->truncated_at = len;
        st = GORCA_FAIL(b->err, GORCA_E_TRUNCATED, (int64_t)len, NULL,
                        "the records add up to %llu of the header's total %llu: the input is "
                        "cut short",
                        (unsigned long long)p.sum, (unsigned long long)b->d->header_total);
    } else if (st == GORCA_OK && p.sum > b->d->header_total) {
        st = GORCA_FAIL(b->err, GORCA_E_MALFORMED, (int64_t)len, NULL,
                        "the records add up to %llu, more than the header's total %llu",
                        (unsigned long long)p.sum, (unsigned long long)b->d->header_total);
    }
    return st;
}
