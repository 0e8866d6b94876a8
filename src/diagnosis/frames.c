/* Stack reading shared by every rule: which package a function belongs to, whether a stack
 * serves an HTTP request and through which handler, whether a request is only waiting for its
 * client, and the class of a synchronization wait from its innermost frames. Everything here
 * works on function names, so stacks from traces, dumps and profiles read the same. */
#include <stdio.h>
#include "diag_int.h"

int dg_has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

int dg_is_runtime(const char *func)
{
    return dg_has_prefix(func, "runtime.") || dg_has_prefix(func, "internal/runtime/") ||
           strcmp(func, "panic") == 0 || strcmp(func, "runtime") == 0;
}

int dg_is_std(const char *func)
{
    const char *slash = strchr(func, '/');
    const char *dot;
    size_t n;

    if (func[0] == '\0')
        return 1;
    if (slash != NULL)
        return memchr(func, '.', (size_t)(slash - func)) == NULL;
    dot = strchr(func, '.');
    n = dot ? (size_t)(dot - func) : strlen(func);
    return !(n == 4 && memcmp(func, "main", 4) == 0);
}

/* Third-party routing packages whose frames sit between the server and the handler. */
static const char *const router_prefixes[] = { "github.com/gorilla/",
                                               "github.com/go-chi/chi",
                                               "github.com/gin-gonic/gin.",
                                               "github.com/labstack/echo",
                                               "github.com/julienschmidt/httprouter.",
                                               "golang.org/x/net/http2.",
                                               "google.golang.org/grpc.",
                                               "go.opentelemetry.io/",
                                               NULL };

static int is_framework(const char *func)
{
    size_t i;

    if (dg_is_std(func))
        return 1;
    for (i = 0; router_prefixes[i] != NULL; i++)
        if (dg_has_prefix(func, router_prefixes[i]))
            return 1;
    return 0;
}

int dg_find_prefix(const struct dg_stack *st, int from, const char *const *prefixes)
{
    uint32_t i;
    size_t k;

    for (i = from < 0 ? 0 : (uint32_t)from; i < st->n; i++)
        for (k = 0; prefixes[k] != NULL; k++)
            if (dg_has_prefix(st->f[i]->func, prefixes[k]))
                return (int)i;
    return -1;
}

int dg_find_func(const struct dg_stack *st, const char *func)
{
    uint32_t i;

    for (i = 0; i < st->n; i++)
        if (st->f[i]->func == func)
            return (int)i;
    return -1;
}

int dg_first_user(const struct dg_stack *st, int from)
{
    uint32_t i;

    for (i = from < 0 ? 0 : (uint32_t)from; i < st->n; i++)
        if (!is_framework(st->f[i]->func))
            return (int)i;
    return -1;
}

/* Frames where a request starts being served: net/http's handler entry (HTTP/1 and the
 * bundled HTTP/2), x/net's HTTP/2 handler goroutines, gRPC's method dispatch. */
static int is_entry(const char *func)
{
    return strcmp(func, "net/http.serverHandler.ServeHTTP") == 0 ||
           strcmp(func, "net/http.(*http2serverConn).runHandler") == 0 ||
           strcmp(func, "golang.org/x/net/http2.(*serverConn).runHandler") == 0 ||
           dg_has_prefix(func, "google.golang.org/grpc.(*Server).processUnaryRPC") ||
           dg_has_prefix(func, "google.golang.org/grpc.(*Server).processStreamingRPC");
}

/* Frames that pass a request on to the next handler. */
static int is_dispatch(const char *func)
{
    return has_suffix(func, ".ServeHTTP") || has_suffix(func, ".ServeHTTP-fm") ||
           has_suffix(func, "(*Context).Next") || has_suffix(func, "(*Router).ServeHTTP");
}

int dg_request_of(const struct dg_stack *st, int *handler)
{
    int i, entry = -1, pending = 0, h = -1;

    *handler = -1;
    for (i = (int)st->n - 1; i >= 0; i--) {
        if (is_entry(st->f[i]->func)) {
            entry = i;
            break;
        }
    }
    if (entry < 0)
        return DG_REQ_NO;
    for (i = entry; i >= 0; i--) {
        const char *fn = st->f[i]->func;

        if (dg_has_prefix(fn, "net/http/pprof.") || dg_has_prefix(fn, "runtime/pprof.") ||
            dg_has_prefix(fn, "runtime/trace.") || dg_has_prefix(fn, "expvar."))
            return DG_REQ_DEBUG;
        if (i == entry || is_framework(fn)) {
            if (i == entry || is_dispatch(fn))
                pending = 1;
            continue;
        }
        /* A method value wrapper ("-fm") only forwards to its method. */
        if (has_suffix(fn, "-fm")) {
            pending = 1;
            continue;
        }
        /* A user frame: the handler when something dispatched to it, or the first one. */
        if (pending || h < 0)
            h = i;
        pending = is_dispatch(fn);
    }
    *handler = h;
    return DG_REQ_YES;
}

/* The server's side of the connection: reading the request (body), writing the response,
 * finishing it, and the same for gRPC server streams and WebSocket connections. Waits here
 * depend on the client and the network to it. */
static const char *const client_io_prefixes[] = { "net/http.(*body).Read",
                                                  "net/http.(*expectContinueReader).Read",
                                                  "net/http.(*response).Write",
                                                  "net/http.(*response).write",
                                                  "net/http.(*response).Flush",
                                                  "net/http.(*response).finishRequest",
                                                  "net/http.(*chunkWriter).",
                                                  "net/http.(*conn).readRequest",
                                                  "net/http.(*connReader).",
                                                  "net/http.(*http2requestBody).",
                                                  "net/http.(*http2responseWriter).",
                                                  "net/http.(*http2serverConn).",
                                                  "net/http.http2chunkWriter.",
                                                  "net/http.(*http2chunkWriter).",
                                                  "golang.org/x/net/http2.(*requestBody).",
                                                  "golang.org/x/net/http2.(*responseWriter).",
                                                  "net/http.(*http2pipe).",
                                                  "google.golang.org/grpc.(*serverStream).",
                                                  "github.com/gorilla/websocket.(*Conn).",
                                                  "nhooyr.io/websocket.",
                                                  "github.com/coder/websocket.",
                                                  "golang.org/x/net/websocket.",
                                                  NULL };

int dg_is_client_io(const struct dg_stack *st)
{
    int h, i;

    if (dg_request_of(st, &h) != DG_REQ_YES)
        return 0;
    i = dg_find_prefix(st, 0, client_io_prefixes);
    /* Only when the I/O is where the goroutine waits, not an outer frame of it. */
    if (i < 0)
        return 0;
    return h < 0 || i < h;
}

enum dg_class dg_sync_class(const struct dg_stack *st)
{
    uint32_t i, n = st->n < 8 ? st->n : 8;

    for (i = 0; i < n; i++) {
        const char *fn = st->f[i]->func;

        if (dg_has_prefix(fn, "runtime.chansend") || dg_has_prefix(fn, "runtime.chanrecv"))
            return DG_CHAN;
        if (strcmp(fn, "runtime.selectgo") == 0 || strcmp(fn, "runtime.block") == 0 ||
            strcmp(fn, "runtime.selectnbsend") == 0 || strcmp(fn, "runtime.selectnbrecv") == 0)
            return DG_SELECT;
        if (dg_has_prefix(fn, "sync.(*Mutex).") || dg_has_prefix(fn, "sync.(*RWMutex).") ||
            dg_has_prefix(fn, "internal/sync.(*Mutex).") ||
            dg_has_prefix(fn, "internal/sync.(*RWMutex)."))
            return DG_LOCK;
        if (dg_has_prefix(fn, "sync.(*Cond).") || dg_has_prefix(fn, "sync.(*WaitGroup).") ||
            dg_has_prefix(fn, "sync.(*Once).") || dg_has_prefix(fn, "golang.org/x/sync/"))
            return DG_SYNC;
    }
    return DG_SYNC;
}

const char *dg_class_name(enum dg_class c)
{
    static const char *const names[DG_N_CLASSES] = { "running", "runnable", "network", "channel",
                                                     "select",  "mutex",    "sync",    "syscall",
                                                     "sleep",   "gc",       "other" };

    return (unsigned)c < DG_N_CLASSES ? names[c] : "other";
}

const char *dg_display_func(struct dg_ctx *ctx, const char *func)
{
    size_t n = strlen(func);

    if (n > 3 && memcmp(func + n - 3, "-fm", 3) == 0)
        return dg_str(ctx, func, n - 3);
    return func;
}
