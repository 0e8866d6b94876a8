/* Private header of the capture module: the endpoint table, the per-request and per-target
 * state the event loop drives, and the helpers split across endpoints.c, transport.c,
 * session.c and manifest.c. Only this module includes <curl/curl.h>. */
#ifndef GORCA_CAPTURE_INT_H
#define GORCA_CAPTURE_INT_H

#include <stdio.h>
#include <curl/curl.h>
#include "gorca/gorca.h"
#include "gorca/capture.h"
#include "base/base.h"
#include "base/sha256.h"

enum cap_phase { CAP_WINDOW, CAP_MID, CAP_END, CAP_ON_DEMAND };
enum cap_format { CAP_FMT_PPROF, CAP_FMT_TRACE, CAP_FMT_DEBUG2, CAP_FMT_DEBUG1, CAP_FMT_TEXT };

struct cap_endpoint {
    const char *id;    /* --only / manifest id */
    const char *kind;  /* data kind, shared with bundle.h */
    const char *name;  /* pprof profile name in the URL */
    const char *query; /* query string without seconds ("debug=2"), "" for none */
    int windowed;      /* adds seconds=N and runs for the whole window */
    enum cap_phase phase;
    enum cap_format format;
    const char *file; /* file name in the bundle */
};

extern const struct cap_endpoint cap_endpoints[GORCA_CAP_N_ENDPOINTS];

/* Name of a format for the manifest ("pprof", "trace", "goroutine_debug2", ...). */
const char *cap_format_name(enum cap_format f);

/* Checks that a 200 body starts the way its format must. head holds the first n bytes
 * (n < total only for long bodies). Returns 1 when it does; otherwise 0 with a description
 * of what was found in why. */
int cap_check_content(enum cap_format f, const uint8_t *head, size_t n, uint64_t total,
                      const char *content_type, char *why, size_t why_size);

#define CAP_HEAD_BYTES 64
#define CAP_ERRBODY_BYTES 512
#define CAP_MAX_PREFLIGHT 4

struct cap_session;

/* One HTTP request in flight (an endpoint or a preflight probe). */
struct cap_req {
    struct cap_session *s;
    int ep;                  /* enum gorca_capture_endpoint, or -1 for a preflight probe */
    CURL *easy;              /* owned */
    struct curl_slist *hdrs; /* owned */
    FILE *fp;                /* temporary body file, NULL for preflight and after close */
    char *tmp_path;          /* owned, malloc */
    int64_t added_ns;        /* unix ns when handed to curl */
    int64_t limit_ms;        /* total time limit */
    struct base_sha256 sha;
    uint64_t bytes;
    uint8_t head[CAP_HEAD_BYTES];
    size_t head_len;
    char errbody[CAP_ERRBODY_BYTES]; /* body of a non-200 answer (truncated) */
    size_t errbody_len;
    long status;     /* HTTP status once headers arrived */
    int too_big;     /* body exceeded max_bytes */
    int write_errno; /* errno of a failed file write, 0 if none */
    int x_go_pprof;  /* X-Go-Pprof: 1 header seen */
    char disposition[96];
    char content_type[64];
    char errbuf[CURL_ERROR_SIZE];
};

/* One target being captured. */
struct cap_session {
    const struct gorca_capture_options *o; /* borrowed */
    struct gorca_capture_result *r;        /* borrowed, filled */
    char *base;                            /* scheme://host[:port] (owned) */
    char *prefix;                          /* pprof mount without trailing slash (owned) */
    char *username, *password;             /* from the options or the URL's userinfo (owned) */
    char *unix_path;                       /* unix socket to connect through, or NULL (owned) */
    int started, preflight_done, done;
    int n_probes, probes_left;
    struct cap_req probes[CAP_MAX_PREFLIGHT];
    struct cap_req reqs[GORCA_CAP_N_ENDPOINTS];
    int64_t due_ns[GORCA_CAP_N_ENDPOINTS]; /* when PENDING items should start; 0 = unplanned */
    int64_t t0;                            /* planned window start */
    int64_t deadline;                      /* hard stop for everything of this target */
    int in_flight;
};

/* ---- transport.c ----------------------------------------------------------------------*/
/* Sets up q->easy for url with every transport option (TLS, auth, headers, proxy, unix
 * socket, timeouts, size cap) and the body/header callbacks. Returns 0, or -1 with err_out. */
int cap_req_setup(struct cap_req *q, const char *url, int64_t limit_ms, char *err_out,
                  size_t err_size);
/* Releases the easy handle, header list, temporary file (deleted unless kept) and path. */
void cap_req_cleanup(struct cap_req *q);
/* Describes a finished transfer's failure (curl code cc) in out; returns the status class. */
enum gorca_status cap_req_describe(const struct cap_req *q, CURLcode cc, char *out, size_t size);
int64_t cap_now_ns(void);

/* ---- session.c ------------------------------------------------------------------------*/
int cap_session_init(struct cap_session *s, const struct gorca_capture_options *o,
                     struct gorca_capture_result *r, char *err, size_t err_size);
void cap_session_release(struct cap_session *s);
/* Starts whatever is due; returns the unix ns of the next planned start (0 = nothing). */
int64_t cap_session_tick(struct cap_session *s, CURLM *m, int64_t now);
void cap_session_done_req(struct cap_session *s, CURLM *m, struct cap_req *q, CURLcode cc);
/* ---- delta.c --------------------------------------------------------------------------*/
/* When block (ep = GORCA_CAP_BLOCK) or mutex was replaced by start/end snapshots and both
 * are in the bundle, stores end - start as the endpoint's file and marks it OK with
 * server_delta 0; on failure appends the reason to the endpoint's note. */
void cap_client_delta(struct cap_session *s, int ep);

/* Writes DIR/manifest.json (through a temporary name). Returns 0 or -1 (recorded in fatal). */
int cap_session_write_manifest(struct cap_session *s);
/* Writes the manifest and marks the session done when nothing is left. Returns 1 if done. */
int cap_session_try_finish(struct cap_session *s);

#endif
