/* Capture: time-aligned, bounded collection of a Go service's net/http/pprof endpoints into a
 * bundle directory (one file per endpoint plus manifest.json, docs/manifest.md).
 *
 * Timeline of one target (seconds = N):
 *   preflight  a few cheap GETs of cmdline open (and warm) the connections the window needs,
 *              and stop early on refused connections, TLS failures, 401 and 403;
 *   t0         profile?seconds=N, trace?seconds=N, block?seconds=N, mutex?seconds=N start together;
 *   t0 + N/2   goroutine?debug=2, goroutine?debug=1, goroutine, heap, allocs, threadcreate,
 * cmdline; t0 + N     goroutine?debug=1 again (growth). Every request has a connect timeout, a
 * total time limit (its own duration + grace) and a response size cap; bodies stream into hidden
 * temporary files that are renamed only when the response is complete, was HTTP 200 and starts the
 * way the endpoint's format must start.
 *
 * The library never reads the environment or prints: credentials, proxies and progress output
 * are the caller's business. Strings in the options are borrowed for the duration of the call;
 * everything in a result belongs to it and dies with gorca_capture_result_release(). */
#ifndef GORCA_CAPTURE_H
#define GORCA_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "buf.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The endpoints of a capture, in manifest order. Never renumbered. */
enum gorca_capture_endpoint {
    GORCA_CAP_PROFILE,       /* profile?seconds=N        -> profile.pb.gz   (kind cpu) */
    GORCA_CAP_TRACE,         /* trace?seconds=N          -> trace.out       (kind trace) */
    GORCA_CAP_BLOCK,         /* block?seconds=N          -> block.pb.gz     (delta over window) */
    GORCA_CAP_MUTEX,         /* mutex?seconds=N          -> mutex.pb.gz     (delta over window) */
    GORCA_CAP_GOROUTINE2,    /* goroutine?debug=2        -> goroutine-debug2.txt */
    GORCA_CAP_GOROUTINE1,    /* goroutine?debug=1        -> goroutine-debug1.txt */
    GORCA_CAP_GOROUTINE,     /* goroutine                -> goroutine.pb.gz */
    GORCA_CAP_HEAP,          /* heap                     -> heap.pb.gz */
    GORCA_CAP_ALLOCS,        /* allocs                   -> allocs.pb.gz */
    GORCA_CAP_THREADCREATE,  /* threadcreate             -> threadcreate.pb.gz */
    GORCA_CAP_CMDLINE,       /* cmdline                  -> cmdline.txt */
    GORCA_CAP_GOROUTINE_END, /* goroutine?debug=1 at t0+N -> goroutine-end-debug1.txt */
    GORCA_CAP_BLOCK_START,   /* fallback when the server has no block delta: snapshots at t0 */
    GORCA_CAP_BLOCK_END,     /*   and at t0+N (block-start.pb.gz, block-end.pb.gz) */
    GORCA_CAP_MUTEX_START,   /* same for mutex */
    GORCA_CAP_MUTEX_END,
    GORCA_CAP_N_ENDPOINTS
};

/* Stable id of an endpoint ("profile", "goroutine-debug2", ...), as used by --only and in the
 * manifest; NULL when out of range. */
const char *gorca_capture_endpoint_id(enum gorca_capture_endpoint ep);
/* Kind of data an endpoint yields ("cpu", "trace", "goroutine_debug2", "block", ...). */
const char *gorca_capture_endpoint_kind(enum gorca_capture_endpoint ep);
/* Looks an id up (also accepts the alias "cpu" for profile). Returns -1 when unknown. */
int gorca_capture_endpoint_from_id(const char *id);
/* Bit of an endpoint in gorca_capture_options.only. */
#define GORCA_CAP_BIT(ep) (1u << (ep))

struct gorca_capture_options {
    const char *url;            /* http:// or https:// base, e.g. http://127.0.0.1:6060; "unix:PATH"
                                   means plain HTTP over the unix socket PATH */
    const char *prefix;         /* pprof mount; NULL = "/debug/pprof" */
    const char *out_dir;        /* bundle directory; created; must be empty unless force */
    unsigned seconds;           /* window length, 1..3600 */
    uint32_t only;              /* GORCA_CAP_BIT mask of requested endpoints; 0 = all */
    int no_full_dump;           /* skip goroutine?debug=2 */
    int force;                  /* accept a non-empty out_dir (same-named files are replaced) */
    const char *const *headers; /* extra request headers "Name: value"; borrowed */
    size_t n_headers;
    const char *bearer_token; /* sent as Authorization: Bearer; NULL = none */
    const char *username;     /* HTTP basic auth; NULL = none */
    const char *password;
    const char *ca_file;        /* PEM bundle of trusted CAs; NULL = system store */
    const char *cert_file;      /* client certificate (PEM) for mTLS */
    const char *key_file;       /* its private key (PEM) */
    int insecure;               /* skip TLS certificate and host name verification */
    const char *unix_socket;    /* connect through this unix socket (URL host is then ignored) */
    const char *proxy;          /* proxy URL; NULL or "" = connect directly */
    const char *noproxy;        /* comma-separated hosts that bypass the proxy */
    int64_t connect_timeout_ms; /* 0 = 5000 */
    int64_t grace_ms;           /* time allowed beyond each request's own duration; 0 = 10000 */
    uint64_t max_bytes;         /* largest accepted response body; 0 = 1 GiB */
};

/* Fills opts with the defaults (seconds 5, everything else off). This function can't fail. */
void gorca_capture_options_init(struct gorca_capture_options *opts);

enum gorca_capture_state {
    GORCA_CAPST_SKIPPED, /* not requested (--only, --no-full-dump) or not needed */
    GORCA_CAPST_PENDING, /* scheduled, not started yet */
    GORCA_CAPST_RUNNING, /* request in flight */
    GORCA_CAPST_OK,      /* complete file in the bundle */
    GORCA_CAPST_FAILED,  /* error set; no file in the bundle */
    GORCA_CAPST_REPLACED /* block/mutex delta the server could not serve and gorca could not
                            compute from the _START/_END snapshots (error says why) */
};

struct gorca_capture_item {
    enum gorca_capture_endpoint ep;
    enum gorca_capture_state state;
    const char *file;       /* file name inside the bundle (static string) */
    char *url;              /* full URL requested (owned by the result; credentials never
                               appear in it) */
    long http_status;       /* 0 when no response was received */
    char content_type[64];  /* response Content-Type, "" when none */
    uint64_t bytes;         /* body bytes received */
    char sha256[65];        /* hex digest of the body; "" unless OK */
    int64_t scheduled_ns;   /* unix ns the request was due */
    int64_t start_ns;       /* unix ns the request was sent (after connect/TLS) */
    int64_t first_byte_ns;  /* unix ns the first response byte arrived; 0 if none */
    int64_t end_ns;         /* unix ns the request finished (any outcome) */
    int server_delta;       /* block/mutex: 1 when the server computed the delta */
    enum gorca_status code; /* GORCA_OK, or the failure class (GORCA_E_HTTP, _IO, _LIMIT, ...) */
    char error[320];        /* what went wrong, "" when OK */
};

/* Outcome of one target. */
struct gorca_capture_result {
    char *target; /* the URL as given (owned) */
    char *dir;    /* bundle directory (owned) */
    char *prefix; /* effective pprof mount, e.g. "/debug/pprof" (owned) */
    unsigned seconds;
    int64_t started_ns;      /* unix ns the capture of this target began */
    int64_t window_start_ns; /* earliest start_ns of the window requests */
    int64_t window_end_ns;   /* latest end_ns of the window requests */
    int64_t start_skew_ns;   /* spread of start_ns over the window requests (-1 if < 2) */
    int64_t finished_ns;
    struct gorca_capture_item items[GORCA_CAP_N_ENDPOINTS]; /* indexed by endpoint */
    size_t n_requested; /* items that were requested (not SKIPPED or REPLACED) */
    size_t n_ok;        /* of those, OK */
    char fatal[320];    /* target-level failure (preflight, directory), "" if none */
    enum gorca_status fatal_code;
};

/* Called by gorca_capture_run roughly every 100 ms and on every state change, from the
 * capturing thread. now_ns is the current unix time; results[i] is target i's progress. */
typedef void (*gorca_capture_progress_fn)(void *ctx, const struct gorca_capture_result *results,
                                          size_t n, int64_t now_ns);

/* Captures n targets (opts[i] each; they may share strings), at most `parallel` (>= 1) at a
 * time, into results[0..n) which the caller provides and this function initialises.
 * Returns GORCA_OK when the capture ran (look at each result for what was captured), or
 * GORCA_E_ARG (invalid options, reported in err before anything is fetched) or GORCA_E_NOMEM.
 * Release every result with gorca_capture_result_release() in all cases. */
enum gorca_status gorca_capture_run(const struct gorca_capture_options *opts, size_t n,
                                    unsigned parallel, struct gorca_capture_result *results,
                                    gorca_capture_progress_fn progress, void *progress_ctx,
                                    struct gorca_error *err) GORCA_CHECK;

/* Frees what a result owns. Safe on a zeroed or already released result. */
void gorca_capture_result_release(struct gorca_capture_result *r);

/* Writes the manifest of r (schema gorca.capture/1, docs/manifest.md) as JSON into out, with
 * indent spaces per level (0 = one line). The buffer's own status tells about failure. */
void gorca_capture_manifest_json(const struct gorca_capture_result *r,
                                 const struct gorca_capture_options *opts, struct gorca_buf *out,
                                 int indent);

/* "complete" (every requested endpoint OK), "partial" (some) or "failed" (none). */
const char *gorca_capture_status(const struct gorca_capture_result *r);

/* A directory name for a target: "127.0.0.1_6060", "unix_run_app.sock". Writes at most
 * size bytes including the NUL. */
void gorca_capture_target_dirname(const char *url, char *out, size_t size);

#ifdef __cplusplus
}
#endif
#endif
