/* Bounds-checked byte cursor shared by every binary reader (protobuf and Go trace).
 *
 * Getters never read past end. On shortage they record GORCA_E_TRUNCATED with the absolute
 * offset, park the cursor at end and return 0, so decoders stay straight-line and test
 * rd_ok() once per record. Sub-readers share the parent's error and absolute base, so every
 * offset in an error is an offset into the original input. */
#ifndef GORCA_READER_H
#define GORCA_READER_H

#include <stdint.h>
#include <stddef.h>
#include "gorca/error.h"

struct gorca_reader {
    const uint8_t *start;    /* first byte of the whole input (offsets are relative to it) */
    const uint8_t *p;        /* cursor */
    const uint8_t *end;      /* one past the last readable byte */
    uint64_t base;           /* absolute offset of start within the original file */
    const char *where;       /* context for errors ("sample > value"); borrowed */
    struct gorca_error *err; /* shared with sub-readers; first error wins */
};

/* Starts reading buf[0..len) whose first byte sits at absolute offset base. */
void rd_init(struct gorca_reader *r, const uint8_t *buf, size_t len, uint64_t base,
             struct gorca_error *err);
/* A reader over the next n bytes of r (absolute offsets preserved). The parent skips the n
 * bytes whatever the child does. If fewer than n bytes remain the parent records truncation
 * and the child is empty. */
struct gorca_reader rd_sub(struct gorca_reader *r, uint64_t n);

/* Records code at the cursor's offset (first error wins) and parks the cursor at end. */
enum gorca_status rd_fail_at(struct gorca_reader *r, enum gorca_status code, int line,
                             const char *fmt, ...) GORCA_PRINTF(4, 5);
#define RD_FAIL(r, code, ...) rd_fail_at((r), (code), __LINE__, __VA_ARGS__)

/* Slow path of the getters: records "expected N bytes for WHAT, found M". */
void rd_short(struct gorca_reader *r, uint64_t need, const char *what);

/* Unsigned LEB128 (protobuf and Go trace): at most 10 bytes, the 10th at most 1.
 * Overlong/overflowing encodings are GORCA_E_MALFORMED; a cut one GORCA_E_TRUNCATED. */
uint64_t rd_uvarint_slow(struct gorca_reader *r);

static inline int rd_ok(const struct gorca_reader *r)
{
    return r->err == NULL || r->err->code == GORCA_OK;
}
static inline size_t rd_left(const struct gorca_reader *r)
{
    return (size_t)(r->end - r->p);
}
static inline uint64_t rd_tell(const struct gorca_reader *r)
{
    return r->base + (uint64_t)(r->p - r->start);
}
static inline int rd_eof(const struct gorca_reader *r)
{
    return r->p >= r->end;
}

static inline uint8_t rd_u8(struct gorca_reader *r)
{
    if (r->p == r->end) {
        rd_short(r, 1, "byte");
        return 0;
    }
    return *r->p++;
}

/* Fast path for the common one- and two-byte varints. */
static inline uint64_t rd_uvarint(struct gorca_reader *r)
{
    if (r->end - r->p >= 2) {
        uint8_t b0 = r->p[0];
        if (b0 < 0x80) {
            r->p++;
            return b0;
        }
        if (r->p[1] < 0x80) {
            uint64_t v = (uint64_t)(b0 & 0x7f) | ((uint64_t)r->p[1] << 7);
            r->p += 2;
            return v;
        }
    }
    return rd_uvarint_slow(r);
}

/* Returns a pointer to the next n bytes and advances, or NULL (error recorded) when fewer
 * remain. */
static inline const uint8_t *rd_bytes(struct gorca_reader *r, uint64_t n, const char *what)
{
    const uint8_t *q = r->p;

    if ((uint64_t)(r->end - r->p) < n) {
        rd_short(r, n, what);
        return NULL;
    }
    r->p += n;
    return q;
}

static inline uint32_t rd_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t rd_le64(const uint8_t *p)
{
    return (uint64_t)rd_le32(p) | (uint64_t)rd_le32(p + 4) << 32;
}

#endif
