/* gorca error reporting: one stable status code for programs plus a located, human-readable
 * detail for people. Every fallible libgorca function returns enum gorca_status and fills a
 * caller-owned struct gorca_error; the first error recorded wins and is never overwritten. */
#ifndef GORCA_ERROR_H
#define GORCA_ERROR_H

#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define GORCA_CHECK __attribute__((warn_unused_result))
#define GORCA_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define GORCA_CHECK
#define GORCA_PRINTF(f, a)
#endif

/* Stable codes: never renumbered (docs/exit-codes.md maps them to CLI exit codes). */
enum gorca_status {
    GORCA_OK = 0,
    GORCA_E_IO,          /* cannot open/read/write a file */
    GORCA_E_TRUNCATED,   /* input ends early; what came before is still usable */
    GORCA_E_MALFORMED,   /* input violates its format */
    GORCA_E_UNSUPPORTED, /* valid input of a kind/version we do not handle */
    GORCA_E_LIMIT,       /* a configured limit (size, count, depth) was hit */
    GORCA_E_NOMEM,       /* allocation failed */
    GORCA_E_HTTP,        /* network or HTTP-level failure during capture */
    GORCA_E_ARG,         /* invalid argument from the caller (bad regex, unknown name) */
    GORCA_E_INTERNAL,    /* a bug in gorca */
};

struct gorca_error {
    enum gorca_status code; /* GORCA_OK while no error was recorded */
    const char *source;     /* file path or URL; borrowed, may be NULL */
    uint64_t offset;        /* byte offset of the failed check, when has_offset */
    int has_offset;         /* 1 when offset is meaningful */
    char where[64];         /* context, e.g. "sample 12 > location_id" */
    char detail[192];       /* what was expected and what was found */
    int src_line;           /* __LINE__ of the failing check in gorca's source */
};

/* Resets err to "no error" and sets its source (borrowed). This function can't fail. */
void gorca_error_init(struct gorca_error *err, const char *source);

/* Records an error unless one is already recorded (first error wins). Returns code.
 * offset < 0 means "no offset". where may be NULL. */
enum gorca_status gorca_error_set(struct gorca_error *err, enum gorca_status code, int src_line,
                                  int64_t offset, const char *where, const char *fmt, ...)
    GORCA_PRINTF(6, 7);

/* Formats err as "'SOURCE': offset N (WHERE): DETAIL" into out (always NUL-terminated). */
void gorca_error_format(const struct gorca_error *err, char *out, size_t out_size);

/* Short description of a status ("input is truncated"). Static string. */
const char *gorca_strerror(enum gorca_status code);
/* Symbolic name of a status ("GORCA_E_TRUNCATED"). Static string. */
const char *gorca_status_name(enum gorca_status code);

/* Records an error at the current source line. */
#define GORCA_FAIL(err, code, off, where, ...) \
    gorca_error_set((err), (code), __LINE__, (int64_t)(off), (where), __VA_ARGS__)

#ifdef __cplusplus
}
#endif
#endif
