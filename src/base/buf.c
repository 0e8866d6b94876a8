/* Growable, capped output buffer (include/gorca/buf.h). */
#include <stdarg.h>
#include <stdio.h>
#include "base.h"

void gorca_buf_init(struct gorca_buf *b, size_t max)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->max = max;
    b->failed = 0;
}

void gorca_buf_release(struct gorca_buf *b)
{
    base_free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

static void fail(struct gorca_buf *b)
{
    gorca_buf_release(b);
    b->failed = 1;
}

int gorca_buf_reserve(struct gorca_buf *b, size_t n)
{
    size_t need;

    if (b->failed)
        return -1;
    if (n > SIZE_MAX - b->len - 1 || (b->max && b->len + n > b->max)) {
        fail(b);
        return -1;
    }
    need = b->len + n + 1;
    if (need <= b->cap)
        return 0;
    if (base_grow((void **)&b->data, &b->cap, need, 1) != 0) {
        fail(b);
        return -1;
    }
    return 0;
}

void gorca_buf_append(struct gorca_buf *b, const void *p, size_t n)
{
    if (gorca_buf_reserve(b, n) != 0)
        return;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void gorca_buf_puts(struct gorca_buf *b, const char *s)
{
    gorca_buf_append(b, s, strlen(s));
}

void gorca_buf_putc(struct gorca_buf *b, char c)
{
    gorca_buf_append(b, &c, 1);
}

void gorca_buf_vprintf(struct gorca_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    int n;

    if (b->failed)
        return;
    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        fail(b);
        return;
    }
    if (gorca_buf_reserve(b, (size_t)n) != 0)
        return;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void gorca_buf_printf(struct gorca_buf *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    gorca_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

char *gorca_buf_take(struct gorca_buf *b, size_t *len_out)
{
    char *d;

    if (b->failed)
        return NULL;
    if (b->data == NULL && gorca_buf_reserve(b, 0) != 0)
        return NULL;
    b->data[b->len] = '\0';
    d = b->data;
    if (len_out)
        *len_out = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return d;
}

enum gorca_status gorca_buf_status(const struct gorca_buf *b, struct gorca_error *err)
{
    if (!b->failed)
        return GORCA_OK;
    if (b->max)
        return GORCA_FAIL(err, GORCA_E_LIMIT, -1, "output",
                          "output exceeds the %zu-byte limit (or out of memory)", b->max);
    return GORCA_FAIL(err, GORCA_E_NOMEM, -1, "output", "out of memory building output");
}
