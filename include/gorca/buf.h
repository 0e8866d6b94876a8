/* Growable byte buffer with a size cap, used by every renderer and encoder. On allocation
 * failure or when the cap is hit the buffer frees itself, sets failed, and later appends are
 * no-ops, so callers append freely and check once at the end (like curl's dynbuf). */
#ifndef GORCA_BUF_H
#define GORCA_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct gorca_buf {
    char *data; /* owned, free() via gorca_buf_release; always NUL-terminated when len>0 */
    size_t len; /* bytes used, excluding the terminating NUL */
    size_t cap; /* bytes allocated */
    size_t max; /* cap on len; 0 = unlimited */
    int failed; /* 1 after an allocation failure or exceeding max */
};

/* Sets up an empty buffer; max = 0 means unlimited. This function can't fail. */
void gorca_buf_init(struct gorca_buf *b, size_t max);
/* Frees the contents and leaves the buffer empty (still usable). */
void gorca_buf_release(struct gorca_buf *b);
/* Ensures room for n more bytes. Returns 0 on success, -1 (and failed) otherwise. */
int gorca_buf_reserve(struct gorca_buf *b, size_t n);
void gorca_buf_append(struct gorca_buf *b, const void *p, size_t n);
void gorca_buf_puts(struct gorca_buf *b, const char *s);
void gorca_buf_putc(struct gorca_buf *b, char c);
void gorca_buf_printf(struct gorca_buf *b, const char *fmt, ...) GORCA_PRINTF(2, 3);
void gorca_buf_vprintf(struct gorca_buf *b, const char *fmt, va_list ap) GORCA_PRINTF(2, 0);
/* Hands the data to the caller (owned, free()) and leaves the buffer empty. Returns NULL if
 * the buffer failed; *len_out (may be NULL) receives the length. */
char *gorca_buf_take(struct gorca_buf *b, size_t *len_out);
/* GORCA_OK, or GORCA_E_NOMEM/GORCA_E_LIMIT recorded in err when the buffer failed. */
enum gorca_status gorca_buf_status(const struct gorca_buf *b, struct gorca_error *err);

#ifdef __cplusplus
}
#endif
#endif
