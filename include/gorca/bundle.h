/* Bundles and command-line inputs: turns what a user passes to gorca (capture bundle
 * directories from `gorca capture`, loose files, or both) into one list of evidence files,
 * each with the endpoint it came from and its kind, so every command accepts a bundle
 * directory wherever it accepts files.
 *
 * A bundle is a directory with manifest.json (schema "gorca.capture/1", docs/manifest.md); its
 * files are listed from the manifest, which says what each one is. Files outside a bundle (and
 * directories without a manifest) are listed with kind GORCA_INPUT_UNKNOWN: the caller sniffs
 * their content (the inspect module's probe) before parsing.
 *
 * Everything a struct gorca_bundle points to belongs to it and dies with gorca_bundle_free(). */
#ifndef GORCA_BUNDLE_H
#define GORCA_BUNDLE_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What an evidence file holds. Never renumbered. */
enum gorca_input_kind {
    GORCA_INPUT_UNKNOWN = 0,      /* not known from a manifest: sniff the content */
    GORCA_INPUT_CPU,              /* profile.proto, CPU (profile?seconds=N) */
    GORCA_INPUT_HEAP,             /* profile.proto, heap */
    GORCA_INPUT_ALLOCS,           /* profile.proto, allocs */
    GORCA_INPUT_BLOCK,            /* profile.proto, block (delta over the window when .delta) */
    GORCA_INPUT_MUTEX,            /* profile.proto, mutex (idem) */
    GORCA_INPUT_GOROUTINE,        /* profile.proto, goroutine */
    GORCA_INPUT_THREADCREATE,     /* profile.proto, threadcreate */
    GORCA_INPUT_TRACE,            /* Go execution trace */
    GORCA_INPUT_GOROUTINE_DEBUG1, /* goroutine?debug=1 text */
    GORCA_INPUT_GOROUTINE_DEBUG2, /* goroutine?debug=2 text (tracebacks) */
    GORCA_INPUT_CMDLINE,          /* NUL-separated os.Args */
    GORCA_INPUT_N_KINDS
};

/* Static name of a kind as used in manifests ("cpu", "goroutine_debug2", ...); "unknown". */
const char *gorca_input_kind_name(enum gorca_input_kind kind);
/* The kind of a manifest kind name; GORCA_INPUT_UNKNOWN when not a known name. */
enum gorca_input_kind gorca_input_kind_from_name(const char *name);

struct gorca_bundle_file {
    const char *path;     /* path to open: DIR/NAME for bundle files, as given for loose ones */
    const char *name;     /* file name inside the bundle, or the path as given */
    const char *endpoint; /* manifest endpoint id ("profile", "goroutine-end", ...); NULL when
                             not from a manifest */
    const char *bundle;   /* bundle directory the file belongs to; NULL for loose files */
    enum gorca_input_kind kind;
    int from_manifest; /* kind, times and digest come from a manifest */
    int windowed;      /* covers the capture window (profile, trace, block/mutex deltas) */
    int64_t start_ns;  /* request start (unix ns), 0 when unknown */
    int64_t end_ns;    /* request end (unix ns), 0 when unknown */
    uint64_t bytes;    /* size the manifest recorded (0 when unknown) */
    char sha256[65];   /* digest the manifest recorded, "" when unknown */
};

/* An endpoint the capture tried and did not get. */
struct gorca_bundle_failure {
    const char *bundle;   /* bundle directory */
    const char *endpoint; /* endpoint id */
    const char *error;    /* the capture's error text */
};

/* One bundle, or the expansion of several command-line inputs. */
struct gorca_bundle {
    struct gorca_bundle_file *files; /* in manifest order, then command-line order */
    size_t n_files;
    struct gorca_bundle_failure *failures;
    size_t n_failures;
    size_t n_bundles; /* bundle directories among the inputs */
    /* Header of the (last) bundle read; NULL/0 when there was none. */
    const char *target;        /* the captured URL */
    const char *gorca_version; /* version of gorca that captured it */
    const char *status;        /* "complete", "partial" or "failed" */
    unsigned seconds;          /* window length */
    int64_t window_start_ns, window_end_ns;
    int64_t start_skew_ns; /* -1 when not recorded */
    void *priv;            /* owned internals */
};

/* 1 when path is a directory, 0 otherwise. */
int gorca_bundle_is_dir(const char *path);

/* Reads DIR/manifest.json. Fails with GORCA_E_IO (no manifest), GORCA_E_MALFORMED (not JSON,
 * wrong types, unsafe file names; err->where names the field), GORCA_E_UNSUPPORTED (another
 * schema major version) or GORCA_E_LIMIT (manifest over 16 MiB). Only endpoints whose capture
 * succeeded are listed as files; the others are in failures. *out is owned
 * (gorca_bundle_free) and NULL on failure. */
enum gorca_status gorca_bundle_open(const char *dir, struct gorca_bundle **out,
                                    struct gorca_error *err) GORCA_CHECK;

/* As gorca_bundle_open with the manifest's bytes in memory (data[0..len), borrowed); dir is
 * the directory its files are in. */
enum gorca_status gorca_bundle_open_mem(const char *dir, const uint8_t *data, size_t len,
                                        struct gorca_bundle **out,
                                        struct gorca_error *err) GORCA_CHECK;

/* Expands command-line inputs: a directory with manifest.json contributes its files (as
 * gorca_bundle_open), a directory without one contributes its regular, non-hidden files in name
 * order (kind unknown), any other path is listed as is (kind unknown). Fails on the first
 * unreadable input or broken manifest, with err naming it. */
enum gorca_status gorca_inputs_expand(const char *const *paths, size_t n, struct gorca_bundle **out,
                                      struct gorca_error *err) GORCA_CHECK;

/* Recomputes file i's size and SHA-256 and compares them with the manifest. GORCA_OK when they
 * match or the file has no recorded digest; GORCA_E_MALFORMED on a mismatch; GORCA_E_IO when
 * unreadable. */
enum gorca_status gorca_bundle_verify(const struct gorca_bundle *b, size_t i,
                                      struct gorca_error *err) GORCA_CHECK;

/* First file of a kind (and, when endpoint is not NULL, that endpoint id); NULL if none. */
const struct gorca_bundle_file *gorca_bundle_find(const struct gorca_bundle *b,
                                                  enum gorca_input_kind kind, const char *endpoint);

/* Frees the bundle and everything it owns. Accepts NULL. */
void gorca_bundle_free(struct gorca_bundle *b);

#ifdef __cplusplus
}
#endif
#endif
