/* Streaming JSON writer (json.h). */
#include <math.h>
#include <stdio.h>
#include "base.h"
#include "json.h"

void jw_init(struct jw *w, struct gorca_buf *out, int indent)
{
    memset(w, 0, sizeof(*w));
    w->out = out;
    w->indent = indent;
}

static void newline(struct jw *w)
{
    if (w->indent == 0)
        return;
    gorca_buf_putc(w->out, '\n');
    for (int i = 0; i < w->depth * w->indent; i++)
        gorca_buf_putc(w->out, ' ');
}

/* Separator before a value or key at the current level. */
static void before_item(struct jw *w)
{
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (w->depth > 0) {
        if (w->count[w->depth - 1])
            gorca_buf_putc(w->out, ',');
        if (w->count[w->depth - 1] < 255)
            w->count[w->depth - 1]++;
        newline(w);
    }
}

static void jw_open(struct jw *w, char c, int obj)
{
    before_item(w);
    gorca_buf_putc(w->out, c);
    if (w->depth < JW_MAX_DEPTH) {
        w->count[w->depth] = 0;
        w->is_obj[w->depth] = (uint8_t)obj;
    }
    w->depth++;
}

void jw_obj(struct jw *w)
{
    jw_open(w, '{', 1);
}

void jw_arr(struct jw *w)
{
    jw_open(w, '[', 0);
}

void jw_end(struct jw *w)
{
    int had;
    char c;

    if (w->depth == 0)
        return;
    w->depth--;
    had = w->depth < JW_MAX_DEPTH ? w->count[w->depth] : 1;
    c = w->depth < JW_MAX_DEPTH && w->is_obj[w->depth] ? '}' : ']';
    if (had)
        newline(w);
    gorca_buf_putc(w->out, c);
    if (w->depth == 0 && w->indent)
        gorca_buf_putc(w->out, '\n');
}

void jw_escape(struct gorca_buf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s, *end = p + n;

    gorca_buf_putc(out, '"');
    while (p < end) {
        unsigned char c = *p;
        size_t len = 0;

        if (c == '"' || c == '\\') {
            char e[2] = { '\\', (char)c };
            gorca_buf_append(out, e, 2);
            p++;
            continue;
        }
        if (c < 0x20) {
            const char *e = c == '\n' ? "\\n" : c == '\t' ? "\\t" : c == '\r' ? "\\r" : NULL;
            if (e) {
                gorca_buf_puts(out, e);
            } else {
                char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
                gorca_buf_append(out, u, 6);
            }
            p++;
            continue;
        }
        if (c < 0x80) {
            gorca_buf_putc(out, (char)c);
            p++;
            continue;
        }
        /* validate a UTF-8 sequence; replace invalid bytes with U+FFFD */
        if (c >= 0xc2 && c <= 0xdf)
            len = 2;
        else if (c >= 0xe0 && c <= 0xef)
            len = 3;
        else if (c >= 0xf0 && c <= 0xf4)
            len = 4;
        if (len && (size_t)(end - p) >= len) {
            size_t i;
            for (i = 1; i < len && (p[i] & 0xc0) == 0x80; i++)
                ;
            if (i == len) {
                gorca_buf_append(out, p, len);
                p += len;
                continue;
            }
        }
        gorca_buf_puts(out, "\xef\xbf\xbd");
        p++;
    }
    gorca_buf_putc(out, '"');
}

void jw_key(struct jw *w, const char *key)
{
    before_item(w);
    jw_escape(w->out, key, strlen(key));
    gorca_buf_puts(w->out, w->indent ? ": " : ":");
    w->after_key = 1;
}

void jw_strn(struct jw *w, const char *s, size_t n)
{
    before_item(w);
    if (s == NULL)
        gorca_buf_puts(w->out, "null");
    else
        jw_escape(w->out, s, n);
}

void jw_str(struct jw *w, const char *s)
{
    jw_strn(w, s, s ? strlen(s) : 0);
}

void jw_u64(struct jw *w, uint64_t v)
{
    before_item(w);
    gorca_buf_printf(w->out, "%llu", (unsigned long long)v);
}

void jw_i64(struct jw *w, int64_t v)
{
    before_item(w);
    gorca_buf_printf(w->out, "%lld", (long long)v);
}

void jw_dbl(struct jw *w, double v, int digits)
{
    before_item(w);
    if (!isfinite(v)) {
        gorca_buf_puts(w->out, "null");
        return;
    }
    if (v == floor(v) && fabs(v) < 9e15)
        gorca_buf_printf(w->out, "%.0f", v);
    else
        gorca_buf_printf(w->out, "%.*g", digits > 0 ? digits : 17, v);
}

void jw_bool(struct jw *w, int v)
{
    before_item(w);
    gorca_buf_puts(w->out, v ? "true" : "false");
}

void jw_null(struct jw *w)
{
    before_item(w);
    gorca_buf_puts(w->out, "null");
}

void jw_kstr(struct jw *w, const char *key, const char *s)
{
    jw_key(w, key);
    jw_str(w, s);
}

void jw_ku64(struct jw *w, const char *key, uint64_t v)
{
    jw_key(w, key);
    jw_u64(w, v);
}

void jw_ki64(struct jw *w, const char *key, int64_t v)
{
    jw_key(w, key);
    jw_i64(w, v);
}

void jw_kdbl(struct jw *w, const char *key, double v, int digits)
{
    jw_key(w, key);
    jw_dbl(w, v, digits);
}

void jw_kbool(struct jw *w, const char *key, int v)
{
    jw_key(w, key);
    jw_bool(w, v);
}
