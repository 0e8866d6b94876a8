/* SHA-256 (FIPS 180-4) for bundle manifests: incremental hashing of streamed downloads and
 * verification of bundle files. Private to libgorca; depends on nothing. */
#ifndef GORCA_BASE_SHA256_H
#define GORCA_BASE_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct base_sha256 {
    uint32_t h[8];     /* chaining state */
    uint64_t n_bytes;  /* total bytes hashed so far */
    uint8_t block[64]; /* pending partial block */
    size_t fill;       /* bytes used in block */
};

/* Starts a new hash. This function can't fail. */
void base_sha256_init(struct base_sha256 *s);
/* Adds n bytes. This function can't fail. */
void base_sha256_update(struct base_sha256 *s, const void *p, size_t n);
/* Finishes the hash into out[32]; s must be re-initialised before reuse. */
void base_sha256_final(struct base_sha256 *s, uint8_t out[32]);
/* Writes the 64 lower-case hex digits of digest and a NUL into hex[65]. */
void base_sha256_hex(const uint8_t digest[32], char hex[65]);

#endif
