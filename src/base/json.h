/* Streaming JSON writer into a gorca_buf: tracks nesting so commas and separators are placed
 * automatically; strings are escaped per RFC 8259 (invalid UTF-8 bytes become U+FFFD).
 *
 *     struct jw w; jw_init(&w, &buf, 2);
 *     jw_obj(&w); jw_key(&w, "n"); jw_u64(&w, 3); jw_end(&w);
 */
#ifndef GORCA_BASE_JSON_H
#define GORCA_BASE_JSON_H

#include <stddef.h>
#include <stdint.h>
#include "gorca/buf.h"

#define JW_MAX_DEPTH 64

struct jw {
    struct gorca_buf *out; /* borrowed */
    int indent;            /* spaces per level; 0 = compact one-line output */
    int depth;
    uint8_t count[JW_MAX_DEPTH]; /* items written at each level (saturating) */
    uint8_t is_obj[JW_MAX_DEPTH];
    int after_key; /* a key was just written; the next value follows it */
};

void jw_init(struct jw *w, struct gorca_buf *out, int indent);
void jw_obj(struct jw *w);
void jw_arr(struct jw *w);
void jw_end(struct jw *w); /* closes the innermost object or array */
void jw_key(struct jw *w, const char *key);
void jw_str(struct jw *w, const char *s);
void jw_strn(struct jw *w, const char *s, size_t n);
void jw_u64(struct jw *w, uint64_t v);
void jw_i64(struct jw *w, int64_t v);
/* Finite doubles with up to `digits` significant digits; NaN/inf are written as null. */
void jw_dbl(struct jw *w, double v, int digits);
void jw_bool(struct jw *w, int v);
void jw_null(struct jw *w);
/* Shorthands: key + value. */
void jw_kstr(struct jw *w, const char *key, const char *s);
void jw_ku64(struct jw *w, const char *key, uint64_t v);
void jw_ki64(struct jw *w, const char *key, int64_t v);
void jw_kdbl(struct jw *w, const char *key, double v, int digits);
void jw_kbool(struct jw *w, const char *key, int v);
/* Appends s escaped as a JSON string literal (with quotes) to out. */
void jw_escape(struct gorca_buf *out, const char *s, size_t n);

#endif
