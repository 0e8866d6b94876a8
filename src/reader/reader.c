/* Byte cursor slow paths and the shared LEB128 varint decoder (see reader.h). */
#include <stdarg.h>
#include <stdio.h>
#include "reader.h"

void rd_init(struct gorca_reader *r, const uint8_t *buf, size_t len, uint64_t base,
             struct gorca_error *err)
{
    r->start = r->p = buf;
    r->end = buf + len;
    r->base = base;
    r->where = NULL;
    r->err = err;
}

struct gorca_reader rd_sub(struct gorca_reader *r, uint64_t n)
{
    struct gorca_reader c = *r;

    if ((uint64_t)(r->end - r->p) < n) {
        rd_short(r, n, "length-delimited field");
        c.p = c.end = r->end;
        return c;
    }
    c.end = r->p + n;
    r->p += n;
    return c;
}

enum gorca_status rd_fail_at(struct gorca_reader *r, enum gorca_status code, int line,
                             const char *fmt, ...)
{
    va_list ap;
    char detail[192];

    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    gorca_error_set(r->err, code, line, (int64_t)rd_tell(r), r->where, "%s", detail);
    r->p = r->end;
    return code;
}

void rd_short(struct gorca_reader *r, uint64_t need, const char *what)
{
    rd_fail_at(r, GORCA_E_TRUNCATED, __LINE__, "expected %llu byte%s for %s, found %zu",
               (unsigned long long)need, need == 1 ? "" : "s", what, rd_left(r));
}

uint64_t rd_uvarint_slow(struct gorca_reader *r)
{
    uint64_t v = 0;
    const uint8_t *p = r->p;

    for (int i = 0; i < 10; i++) {
        uint8_t b;

        if (p == r->end) {
            r->p = p; /* report where the data ran out */
            RD_FAIL(r, GORCA_E_TRUNCATED, "expected varint, found end of data");
            return 0;
        }
        b = *p++;
        if (i == 9 && b > 1) {
            RD_FAIL(r, GORCA_E_MALFORMED, "varint overflows 64 bits");
            return 0;
        }
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if (b < 0x80) {
            r->p = p;
            return v;
        }
    }
    RD_FAIL(r, GORCA_E_MALFORMED, "varint longer than 10 bytes");
    return 0;
}
