/* gzip in and out with libdeflate (RFC 1952, multi-member streams inflated back to back).
 * The output size is bounded by the caller's limit; the ISIZE trailer is only a first guess
 * because it is stored modulo 2^32 and can lie in hostile input. */
#include <libdeflate.h>
#include "base/base.h"
#include "gorca/io.h"

int gorca_is_gzip(const uint8_t *p, size_t n)
{
    return n >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

/* Inflates one member starting at in; on success *used = input bytes consumed. */
static enum gorca_status inflate_member(struct libdeflate_decompressor *d, const uint8_t *in,
                                        size_t in_len, uint64_t in_off, uint64_t max_out,
                                        uint8_t **out, size_t *out_len, size_t *out_cap,
                                        size_t *used, struct gorca_error *err)
{
    size_t guess = 0, actual = 0;

    if (in_len >= 18) {
        guess = (size_t)in[in_len - 4] | (size_t)in[in_len - 3] << 8 |
                (size_t)in[in_len - 2] << 16 | (size_t)in[in_len - 1] << 24;
        if (guess > (in_len - 18) * 1100ULL) /* deflate cannot exceed ~1032:1 */
            guess = 0;
    }
    if (guess < in_len * 4)
        guess = in_len * 4;
    if (guess < 4096)
        guess = 4096;
    for (;;) {
        enum libdeflate_result res;
        size_t room;

        if (max_out && *out_len + guess > max_out + 1)
            guess = (size_t)(max_out + 1 - *out_len);
        if (base_grow((void **)out, out_cap, *out_len + guess + 1, 1) != 0)
            return GORCA_FAIL(err, GORCA_E_NOMEM, -1, "gzip", "out of memory inflating");
        room = *out_cap - *out_len - 1;
        res = libdeflate_gzip_decompress_ex(d, in, in_len, *out + *out_len, room, used, &actual);
        if (res == LIBDEFLATE_SUCCESS) {
            *out_len += actual;
            return GORCA_OK;
        }
        if (res != LIBDEFLATE_INSUFFICIENT_SPACE) {
            /* libdeflate cannot tell a cut stream from a corrupt one; a stream whose
             * trailer is missing is the common case of a cut capture. */
            if (in_len < 18)
                return GORCA_FAIL(err, GORCA_E_TRUNCATED, (int64_t)in_off, "gzip",
                                  "gzip member cut short (%zu bytes)", in_len);
            return GORCA_FAIL(err, GORCA_E_MALFORMED, (int64_t)in_off, "gzip",
                              "corrupt or truncated gzip member");
        }
        if (max_out && *out_len + room > max_out)
            return GORCA_FAIL(err, GORCA_E_LIMIT, (int64_t)in_off, "gzip",
                              "inflated data exceeds the input limit of %llu bytes",
                              (unsigned long long)max_out);
        guess = room * 2;
    }
}

enum gorca_status gorca_gunzip(const uint8_t *in, size_t in_len, uint64_t max_out, uint8_t **out,
                               size_t *out_len, struct gorca_error *err)
{
    struct libdeflate_decompressor *d;
    enum gorca_status st = GORCA_OK;
    size_t pos = 0, cap = 0, len = 0;
    uint8_t *buf = NULL;

    *out = NULL;
    *out_len = 0;
    if (!gorca_is_gzip(in, in_len))
        return GORCA_FAIL(err, GORCA_E_MALFORMED, 0, "gzip", "expected gzip magic 1f 8b");
    d = libdeflate_alloc_decompressor();
    if (d == NULL)
        return GORCA_FAIL(err, GORCA_E_NOMEM, -1, "gzip", "out of memory");
    while (pos < in_len) {
        size_t used = 0;

        if (pos > 0 && !gorca_is_gzip(in + pos, in_len - pos))
            break; /* trailing garbage after the last member is ignored, as gzip(1) does */
        st = inflate_member(d, in + pos, in_len - pos, pos, max_out, &buf, &len, &cap, &used, err);
        if (st != GORCA_OK)
            break;
        pos += used;
    }
    libdeflate_free_decompressor(d);
    if (st != GORCA_OK) {
        base_free(buf);
        return st;
    }
    if (buf == NULL && base_grow((void **)&buf, &cap, 1, 1) != 0)
        return GORCA_FAIL(err, GORCA_E_NOMEM, -1, "gzip", "out of memory");
    buf[len] = 0;
    *out = buf;
    *out_len = len;
    return GORCA_OK;
}

enum gorca_status gorca_gzip(const uint8_t *in, size_t in_len, int level, uint8_t **out,
                             size_t *out_len, struct gorca_error *err)
{
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(level < 1 ? 1 : level);
    size_t bound, n;
    uint8_t *buf;

    *out = NULL;
    *out_len = 0;
    if (c == NULL)
        return GORCA_FAIL(err, GORCA_E_NOMEM, -1, "gzip", "out of memory");
    bound = libdeflate_gzip_compress_bound(c, in_len);
    buf = base_malloc(bound);
    if (buf == NULL) {
        libdeflate_free_compressor(c);
        return GORCA_FAIL(err, GORCA_E_NOMEM, -1, "gzip", "out of memory");
    }
    n = libdeflate_gzip_compress(c, in, in_len, buf, bound);
    libdeflate_free_compressor(c);
    if (n == 0) {
        base_free(buf);
        return GORCA_FAIL(err, GORCA_E_INTERNAL, -1, "gzip", "compression failed");
    }
    *out = buf;
    *out_len = n;
    return GORCA_OK;
}
