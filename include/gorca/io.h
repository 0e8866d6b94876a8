/* Reading whole inputs: files, stdin, gzip members. The library never reads the environment;
 * these helpers only touch the paths they are given. */
#ifndef GORCA_IO_H
#define GORCA_IO_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "limits.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Reads the whole file at path ("-" = stdin) into a malloc'd buffer (owned, free()), with a
 * NUL byte after the data that is not counted in *len. Fails with GORCA_E_IO (naming errno's
 * text) or GORCA_E_LIMIT when the file exceeds max_bytes (0 = no limit). */
enum gorca_status gorca_read_file(const char *path, uint64_t max_bytes, uint8_t **data, size_t *len,
                                  struct gorca_error *err) GORCA_CHECK;

/* 1 when p starts with the gzip magic 1f 8b. */
int gorca_is_gzip(const uint8_t *p, size_t n);

/* Inflates every member of a gzip stream into a malloc'd buffer (owned, free(); followed by
 * an uncounted NUL). Fails with GORCA_E_MALFORMED (bad header/CRC/data, with the offset),
 * GORCA_E_TRUNCATED (stream cut short) or GORCA_E_LIMIT when the output exceeds max_out. */
enum gorca_status gorca_gunzip(const uint8_t *in, size_t in_len, uint64_t max_out, uint8_t **out,
                               size_t *out_len, struct gorca_error *err) GORCA_CHECK;

/* Compresses in into a gzip stream (owned, free()). level 1..12 (libdeflate levels). */
enum gorca_status gorca_gzip(const uint8_t *in, size_t in_len, int level, uint8_t **out,
                             size_t *out_len, struct gorca_error *err) GORCA_CHECK;

#ifdef __cplusplus
}
#endif
#endif
