/* Error recording and formatting (include/gorca/error.h): first error wins, messages follow
 * the "'source': offset N (where): detail" shape the CLI prints after "gorca: error: ". */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "base.h"

void gorca_error_init(struct gorca_error *err, const char *source)
{
    memset(err, 0, sizeof(*err));
    err->source = source;
}

enum gorca_status gorca_error_set(struct gorca_error *err, enum gorca_status code, int src_line,
                                  int64_t offset, const char *where, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL || err->code != GORCA_OK)
        return code;
    err->code = code;
    err->src_line = src_line;
    err->has_offset = offset >= 0;
    err->offset = offset >= 0 ? (uint64_t)offset : 0;
    snprintf(err->where, sizeof(err->where), "%s", where ? where : "");
    va_start(ap, fmt);
    vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
    va_end(ap);
    return code;
}

void gorca_error_format(const struct gorca_error *err, char *out, size_t out_size)
{
    size_t n = 0;
    int r;

    if (out_size == 0)
        return;
    out[0] = '\0';
#define APPEND(...)                                       \
    do {                                                  \
        r = snprintf(out + n, out_size - n, __VA_ARGS__); \
        if (r < 0 || (size_t)r >= out_size - n) {         \
            return;                                       \
        }                                                 \
        n += (size_t)r;                                   \
    } while (0)
    if (err->source && err->source[0])
        APPEND("'%s': ", err->source);
    if (err->has_offset && err->where[0])
        APPEND("offset %llu (%s): ", (unsigned long long)err->offset, err->where);
    else if (err->has_offset)
        APPEND("offset %llu: ", (unsigned long long)err->offset);
    else if (err->where[0])
        APPEND("%s: ", err->where);
    APPEND("%s", err->detail[0] ? err->detail : gorca_strerror(err->code));
#undef APPEND
}

static const struct {
    const char *name, *text;
} status_table[] = {
    [GORCA_OK] = { "GORCA_OK", "success" },
    [GORCA_E_IO] = { "GORCA_E_IO", "input/output error" },
    [GORCA_E_TRUNCATED] = { "GORCA_E_TRUNCATED", "input is truncated" },
    [GORCA_E_MALFORMED] = { "GORCA_E_MALFORMED", "input is malformed" },
    [GORCA_E_UNSUPPORTED] = { "GORCA_E_UNSUPPORTED", "input is not supported" },
    [GORCA_E_LIMIT] = { "GORCA_E_LIMIT", "a limit was exceeded" },
    [GORCA_E_NOMEM] = { "GORCA_E_NOMEM", "out of memory" },
    [GORCA_E_HTTP] = { "GORCA_E_HTTP", "network or HTTP error" },
    [GORCA_E_ARG] = { "GORCA_E_ARG", "invalid argument" },
    [GORCA_E_INTERNAL] = { "GORCA_E_INTERNAL", "internal error" },
};

const char *gorca_strerror(enum gorca_status code)
{
    if ((unsigned)code >= BASE_ARRAY_LEN(status_table))
        return "unknown error";
    return status_table[code].text;
}

const char *gorca_status_name(enum gorca_status code)
{
    if ((unsigned)code >= BASE_ARRAY_LEN(status_table))
        return "GORCA_E_UNKNOWN";
    return status_table[code].name;
}
