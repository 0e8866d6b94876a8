/* HTTP requests seen in a trace (go-trace-format.md §9.2). An HTTP/1 connection is served by
 * one net/http.(*conn).serve goroutine that reads a request, runs the handler inline, writes
 * the response and blocks reading the next request: a request is the busy interval between
 * two such idle reads (a network wait whose stack is outside serverHandler.ServeHTTP), from
 * the moment the idle read is unblocked to the next idle read. Intervals without evidence of
 * a request (a stack inside the handler, the response being finished, the per-request
 * background reader being started, a user task) are connection setup or teardown and dropped.
 * HTTP/2 handler goroutines are requests for their lifetime; user tasks begun elsewhere are
 * requests from TaskBegin to TaskEnd. The handler is the first frame outside runtime and
 * net/http on any stack seen while serving (blocking, syscall, preemption, CPU sample), or the
 * task's type. Memory: per live serving goroutine, the open tasks, and per handler. */
#include <stdlib.h>
#include "an_int.h"

enum {
    SI_HANDLER = 1, /* inside serverHandler.ServeHTTP (or an HTTP/2 handler) */
    SI_FINISH = 2,  /* response.finishRequest */
    SI_BGREAD = 4,  /* connReader.startBackgroundRead: one per request without a body */
};

struct sinfo {
    uint8_t flags;
    uint8_t depth; /* how many ServeHTTP hops led to handler (deeper = more specific) */
    const char *handler;
};

struct an_req_state {
    uint8_t open, idle, evidence;
    uint8_t finishing; /* the response is being finished: the request is about to end */
    int64_t start;
    struct an_acct snap;
    int64_t done_t;           /* finishing: when the goroutine last resumed after it */
    struct an_acct done_snap; /* the accounting at done_t */
    const char *handler;
    uint8_t handler_depth;
    uint64_t task;
};

struct task_req {
    uint64_t id, parent;
    int64_t g, start;
    const char *type;
    struct an_acct snap;
    int g_dead;
    struct an_acct end_acct; /* the goroutine's accounting when it died */
};

struct hstat {
    struct gorca_handler_stats pub;
    struct an_hist hist;
};

struct an_reqs {
    size_t top;
    struct an_dense sinfo_by_stack; /* 2 * stack + h2 -> 1 + index in si */
    struct sinfo *si;
    size_t n_si, cap_si;
    struct an_map tasks; /* task id -> index in tr */
    struct task_req *tr;
    size_t n_tr, cap_tr;
    struct an_map by_handler; /* handler pointer -> index in hs */
    struct hstat *hs;
    size_t n_hs, cap_hs;
    struct gorca_request *heap; /* min-heap on dur of the slowest requests */
    size_t n_heap;
    struct an_hist all;
    struct gorca_requests_result pub;
    struct gorca_handler_stats *hs_pub;
};

static const char unknown_handler[] = "";

struct an_reqs *an_reqs_new(const struct gorca_analysis_options *opt)
{
    struct an_reqs *r = base_calloc(1, sizeof(*r));

    if (r == NULL)
        return NULL;
    r->top = opt->top_requests;
    r->heap = base_calloc(r->top, sizeof(*r->heap));
    if (r->heap == NULL) {
        base_free(r);
        return NULL;
    }
    return r;
}

void an_reqs_free(struct an_reqs *r)
{
    size_t i;

    if (r == NULL)
        return;
    an_dense_release(&r->sinfo_by_stack);
    base_free(r->si);
    an_map_release(&r->tasks);
    base_free(r->tr);
    an_map_release(&r->by_handler);
    for (i = 0; i < r->n_hs; i++)
        an_hist_release(&r->hs[i].hist);
    base_free(r->hs);
    base_free(r->heap);
    an_hist_release(&r->all);
    base_free(r->hs_pub);
    base_free(r);
}

void an_reqs_g_free(struct an_g *g)
{
    base_free(g->req);
    g->req = NULL;
}

const struct gorca_requests_result *an_reqs_result(const struct an_reqs *r)
{
    return &r->pub;
}

/* ---- stacks ----------------------------------------------------------------------------- */

static int starts_with(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

static int framework_frame(const char *f)
{
    return starts_with(f, "runtime.") || starts_with(f, "runtime/") ||
           starts_with(f, "net/http.") || starts_with(f, "golang.org/x/net/http2.") ||
           starts_with(f, "internal/") || starts_with(f, "sync.");
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The handler on a stack (frames leaf first, fr[root_in] the handler entry): the first frame
 * outside runtime and net/http from the entry towards the leaf -- but middleware is code
 * outside net/http too, so a later frame called through a ServeHTTP (HandlerFunc.ServeHTTP,
 * a router's or a handler type's ServeHTTP) is preferred: the deepest such frame is the
 * handler. Method-value wrappers ("-fm") give way to the method they wrap. */
static void pick_handler(struct gorca_analysis *an, const uint32_t *fr, size_t root_in,
                         struct sinfo *si)
{
    const char *prev = "net/http.serverHandler.ServeHTTP";
    size_t i;
    int depth = 0;

    for (i = root_in; i-- > 0;) {
        const struct gorca_trace_frame *f = gorca_trace_frame(an->tr, fr[i]);
        const char *fn = f && f->func ? f->func : "";
        int after_serve = ends_with(prev, "ServeHTTP");
        if (!framework_frame(fn) && fn[0] != '\0') {
            if (si->handler == NULL) {
                si->handler = fn;
            } else if (after_serve || ends_with(fn, ".ServeHTTP")) {
                si->handler = fn;
                depth++;
            } else if (ends_with(si->handler, "-fm") && strlen(si->handler) == strlen(fn) + 3 &&
                       strncmp(si->handler, fn, strlen(fn)) == 0) {
                si->handler = fn;
            }
        }
        prev = fn;
    }
    si->depth = (uint8_t)(depth > 255 ? 255 : depth);
}

static struct sinfo classify(struct gorca_analysis *an, uint32_t stack, int h2)
{
    struct sinfo si = { 0, 0, NULL };
    size_t n = 0, i;
    const uint32_t *fr = gorca_trace_stack_frames(an->tr, stack, &n);
    size_t root_in = n; /* index of the handler-entry frame (leaf first numbering) */

    for (i = 0; i < n; i++) {
        const struct gorca_trace_frame *f = gorca_trace_frame(an->tr, fr[i]);
        if (f == NULL || f->func == NULL)
            continue;
        if (strcmp(f->func, "net/http.serverHandler.ServeHTTP") == 0) {
            si.flags |= SI_HANDLER;
            root_in = i;
        } else if (strcmp(f->func, "net/http.(*response).finishRequest") == 0) {
            si.flags |= SI_FINISH;
        } else if (strcmp(f->func, "net/http.(*connReader).startBackgroundRead") == 0) {
            si.flags |= SI_BGREAD;
        }
    }
    if (h2) {
        si.flags |= SI_HANDLER;
        root_in = n;
    }
    if (!(si.flags & SI_HANDLER))
        return si;
    pick_handler(an, fr, root_in, &si);
    return si;
}

static struct sinfo stack_info(struct gorca_analysis *an, uint32_t stack, int h2)
{
    struct an_reqs *r = an->reqs;
    uint32_t key = (stack << 1) | (uint32_t)(h2 != 0);
    uint32_t i = stack < (1u << 30) ? an_dense_get(&r->sinfo_by_stack, key) : 0;
    struct sinfo si;

    if (i != 0)
        return r->si[i - 1];
    si = classify(an, stack, h2);
    if (an_grow(&r->si, &r->cap_si, r->n_si + 1, sizeof(*r->si)) != 0 || stack >= (1u << 30) ||
        an_dense_set(&r->sinfo_by_stack, key, (uint32_t)r->n_si + 1) != 0) {
        an_oom(an);
        return si;
    }
    r->si[r->n_si++] = si;
    return si;
}

/* ---- emitting -------------------------------------------------------------------------- */

static void acct_delta(const struct an_acct *end, const struct an_acct *start,
                       struct gorca_request_time *t)
{
    int c;

    t->exec_ns = end->exec - start->exec;
    for (c = 0; c < GORCA_BLOCK_N; c++)
        t->wait_ns[c] = end->wait[c] - start->wait[c];
    t->assist_ns = end->assist - start->assist;
    t->cpu_samples = end->cpu - start->cpu;
}

static void time_add(struct gorca_request_time *d, const struct gorca_request_time *s)
{
    int c;

    d->exec_ns += s->exec_ns;
    for (c = 0; c < GORCA_BLOCK_N; c++)
        d->wait_ns[c] += s->wait_ns[c];
    d->assist_ns += s->assist_ns;
    d->cpu_samples += s->cpu_samples;
}

static void heap_down(struct gorca_request *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        struct gorca_request tmp;
        if (l < n && h[l].dur_ns < h[m].dur_ns)
            m = l;
        if (l + 1 < n && h[l + 1].dur_ns < h[m].dur_ns)
            m = l + 1;
        if (m == i)
            return;
        tmp = h[i];
        h[i] = h[m];
        h[m] = tmp;
        i = m;
    }
}

static void heap_up(struct gorca_request *h, size_t i)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        struct gorca_request tmp;
        if (h[p].dur_ns <= h[i].dur_ns)
            return;
        tmp = h[i];
        h[i] = h[p];
        h[p] = tmp;
        i = p;
    }
}

static void emit(struct gorca_analysis *an, const struct gorca_request *q)
{
    struct an_reqs *r = an->reqs;
    uint64_t *hi = an_map_get(&r->by_handler, AN_PKEY(q->handler));
    struct hstat *h;

    r->pub.n_requests++;
    if (an_hist_add(&r->all, q->dur_ns) != 0)
        an_oom(an);
    time_add(&r->pub.sum, &q->t);
    if (hi == NULL) {
        if (an_grow(&r->hs, &r->cap_hs, r->n_hs + 1, sizeof(*r->hs)) != 0 ||
            an_map_put(&r->by_handler, AN_PKEY(q->handler), r->n_hs) != 0) {
            an_oom(an);
            return;
        }
        h = &r->hs[r->n_hs++];
        memset(h, 0, sizeof(*h));
        h->pub.handler = q->handler;
    } else {
        h = &r->hs[*hi];
    }
    h->pub.count++;
    time_add(&h->pub.sum, &q->t);
    if (an_hist_add(&h->hist, q->dur_ns) != 0)
        an_oom(an);
    if (r->top == 0)
        return;
    if (r->n_heap < r->top) {
        r->heap[r->n_heap] = *q;
        heap_up(r->heap, r->n_heap++);
    } else if (q->dur_ns > r->heap[0].dur_ns) {
        r->heap[0] = *q;
        heap_down(r->heap, r->n_heap, 0);
    }
}

/* Ends the open request at t (with the accounting at t, or done_snap when it ends where the
 * response was finished). Requests without evidence of a handler are dropped. */
static void close_at(struct gorca_analysis *an, struct an_g *g, int64_t t,
                     const struct an_acct *end, int unfinished)
{
    struct an_req_state *s = g->req;
    struct gorca_request q;
    struct an_acct now;

    if (!s->open)
        return;
    s->open = 0;
    s->finishing = 0;
    if (!s->evidence)
        return;
    memset(&q, 0, sizeof(q));
    q.source = g->kind == AN_G_H2 ? GORCA_REQ_HTTP2 : GORCA_REQ_HTTP1;
    q.g = g->id;
    q.start_ns = s->start;
    q.end_ns = t;
    q.dur_ns = t - s->start;
    q.handler = s->handler ? s->handler : unknown_handler;
    q.task = s->task;
    q.unfinished = unfinished;
    if (end == NULL) {
        an_acct_now(g, t, &now);
        end = &now;
    }
    acct_delta(end, &s->snap, &q.t);
    emit(an, &q);
}

/* Ends the open request now, or where its response was finished if that came first. */
static void close_request(struct gorca_analysis *an, struct an_g *g, int64_t t, int unfinished)
{
    struct an_req_state *s = g->req;

    if (s->finishing)
        close_at(an, g, s->done_t, &s->done_snap, 0);
    else
        close_at(an, g, t, NULL, unfinished);
}

static void open_at(struct an_g *g, int64_t t, const struct an_acct *snap)
{
    struct an_req_state *s = g->req;

    s->open = 1;
    s->finishing = 0;
    s->evidence = g->kind == AN_G_H2;
    s->start = t;
    s->handler = NULL;
    s->handler_depth = 0;
    s->task = 0;
    if (snap != NULL)
        s->snap = *snap;
    else
        an_acct_now(g, t, &s->snap);
}

static void open_request(struct an_g *g, int64_t t)
{
    open_at(g, t, NULL);
}

/* The next request was already waiting when the previous response was finished (no idle
 * read in between): split there. */
static void next_request(struct gorca_analysis *an, struct an_g *g)
{
    struct an_req_state *s = g->req;
    int64_t t = s->done_t;
    struct an_acct snap = s->done_snap;

    close_at(an, g, t, &snap, 0);
    open_at(g, t, &snap);
}

/* ---- events ----------------------------------------------------------------------------- */

void an_reqs_named(struct gorca_analysis *an, struct an_g *g)
{
    int kind = AN_G_PLAIN;

    if (strcmp(g->name, "net/http.(*conn).serve") == 0)
        kind = AN_G_CONN;
    else if (strcmp(g->name, "net/http.(*http2serverConn).runHandler") == 0 ||
             strcmp(g->name, "golang.org/x/net/http2.(*serverConn).runHandler") == 0)
        kind = AN_G_H2;
    if (kind == AN_G_PLAIN || g->req != NULL)
        return;
    g->req = base_calloc(1, sizeof(*g->req));
    if (g->req == NULL) {
        an_oom(an);
        return;
    }
    g->kind = (uint8_t)kind;
    if (kind == AN_G_CONN)
        an->reqs->pub.n_conns++;
    /* The connection was accepted when the goroutine was created (or, for one that predates
     * the trace, when we first see it). */
    open_request(g, g->sum.creation ? g->sum.creation : an->last_ts);
}

/* A stack seen while g serves: evidence of a request, its handler, or its end. */
static void saw_stack(struct gorca_analysis *an, struct an_g *g, uint32_t stack, int64_t t)
{
    struct an_req_state *s = g->req;
    struct sinfo si;

    if (stack == 0 || !s->open)
        return;
    si = stack_info(an, stack, g->kind == AN_G_H2);
    if (g->kind == AN_G_CONN && s->finishing && (si.flags & (SI_HANDLER | SI_BGREAD)) &&
        !(si.flags & SI_FINISH))
        next_request(an, g);
    if (si.flags)
        s->evidence = 1;
    if (si.handler != NULL && (s->handler == NULL || si.depth > s->handler_depth)) {
        s->handler = si.handler;
        s->handler_depth = si.depth;
    }
    if (g->kind == AN_G_CONN && (si.flags & SI_FINISH)) {
        s->finishing = 1;
        s->done_t = t;
        an_acct_now(g, t, &s->done_snap);
    }
}

static void go_transition(struct gorca_analysis *an, const struct gorca_trace_event *ev,
                          struct an_g *g)
{
    const struct gorca_trace_transition *st = &ev->transition;
    struct an_req_state *s = g->req;

    if (st->from == st->to)
        return;
    if (g->kind == AN_G_CONN && st->to == GORCA_TRACE_GO_WAITING && st->reason &&
        strcmp(st->reason, "network") == 0 && !(stack_info(an, st->stack, 0).flags & SI_HANDLER)) {
        close_request(an, g, ev->time, 0); /* the idle read for the next request */
        s->idle = 1;
        return;
    }
    if (s->idle && st->from == GORCA_TRACE_GO_WAITING) {
        s->idle = 0;
        open_request(g, ev->time);
    }
    saw_stack(an, g, st->stack, ev->time);
    if (s->finishing && st->to == GORCA_TRACE_GO_RUNNING) {
        /* Resumed after writing the response or stopping the background reader. */
        s->done_t = ev->time;
        an_acct_now(g, ev->time, &s->done_snap);
    }
}

static struct task_req *task_find(struct an_reqs *r, uint64_t id)
{
    uint64_t *i = an_map_get(&r->tasks, id);
    return i ? &r->tr[*i] : NULL;
}

static void task_drop(struct an_reqs *r, uint64_t id)
{
    uint64_t *i = an_map_get(&r->tasks, id);
    size_t k, last;

    if (i == NULL)
        return;
    k = (size_t)*i;
    an_map_del(&r->tasks, id);
    last = r->n_tr - 1;
    if (k != last) {
        r->tr[k] = r->tr[last];
        *an_map_get(&r->tasks, r->tr[k].id) = k;
    }
    r->n_tr--;
}

static void task_begin(struct gorca_analysis *an, const struct gorca_trace_event *ev)
{
    struct an_reqs *r = an->reqs;
    struct an_g *g = an_g_find(an, ev->g);
    struct task_req *t;

    if (g == NULL)
        return;
    if (g->req != NULL && g->req->open) {
        /* A task inside an HTTP request names it. */
        if (g->req->finishing)
            next_request(an, g);
        g->req->evidence = 1;
        if (g->req->task == 0) {
            g->req->task = ev->task.id;
            if (ev->task.type && *ev->task.type)
                g->req->handler = ev->task.type;
        }
        return;
    }
    if (task_find(r, ev->task.parent) != NULL)
        return; /* a subtask: its parent is the request */
    if (an_grow(&r->tr, &r->cap_tr, r->n_tr + 1, sizeof(*r->tr)) != 0 ||
        an_map_put(&r->tasks, ev->task.id, r->n_tr) != 0) {
        an_oom(an);
        return;
    }
    t = &r->tr[r->n_tr++];
    memset(t, 0, sizeof(*t));
    t->id = ev->task.id;
    t->parent = ev->task.parent;
    t->g = g->id;
    t->start = ev->time;
    t->type = ev->task.type ? ev->task.type : unknown_handler;
    an_acct_now(g, ev->time, &t->snap);
    g->open_tasks++;
}

static void task_end(struct gorca_analysis *an, const struct task_req *t, int64_t end,
                     int unfinished)
{
    struct gorca_request q;
    struct an_acct now;
    struct an_g *g = t->g_dead ? NULL : an_g_find(an, t->g);

    memset(&q, 0, sizeof(q));
    q.source = GORCA_REQ_TASK;
    q.g = t->g;
    q.start_ns = t->start;
    q.end_ns = end;
    q.dur_ns = end - t->start;
    q.handler = t->type;
    q.task = t->id;
    q.unfinished = unfinished;
    if (g != NULL) {
        an_acct_now(g, end, &now);
        if (g->open_tasks > 0)
            g->open_tasks--;
    } else {
        now = t->end_acct;
    }
    acct_delta(&now, &t->snap, &q.t);
    emit(an, &q);
}

void an_reqs_event(struct gorca_analysis *an, const struct gorca_trace_event *ev, struct an_g *g)
{
    struct an_reqs *r = an->reqs;
    struct an_g *actor;

    if (g != NULL) {
        if (g->req != NULL)
            go_transition(an, ev, g);
        /* The acting goroutine (creator, unblocker) shows its own stack. */
        if (ev->g != GORCA_TRACE_NONE && ev->g != g->id && ev->stack != 0 &&
            (actor = an_g_find(an, ev->g)) != NULL && actor->req != NULL)
            saw_stack(an, actor, ev->stack, ev->time);
        return;
    }
    switch (ev->kind) {
    case GORCA_TRACE_TASK_BEGIN:
        task_begin(an, ev);
        break;
    case GORCA_TRACE_TASK_END: {
        struct task_req *t = task_find(r, ev->task.id);
        if (t != NULL) {
            task_end(an, t, ev->time, 0);
            task_drop(r, ev->task.id);
        }
        break;
    }
    default:
        if (ev->g != GORCA_TRACE_NONE && ev->stack != 0 && (actor = an_g_find(an, ev->g)) != NULL &&
            actor->req != NULL)
            saw_stack(an, actor, ev->stack, ev->time);
        break;
    }
}

void an_reqs_goroutine_done(struct gorca_analysis *an, struct an_g *g, int64_t t)
{
    struct an_reqs *r = an->reqs;
    size_t i;

    if (g->req != NULL)
        close_request(an, g, t, 0);
    if (g->open_tasks == 0)
        return;
    for (i = 0; i < r->n_tr; i++) {
        if (r->tr[i].g == g->id && !r->tr[i].g_dead) {
            r->tr[i].g_dead = 1;
            an_acct_now(g, t, &r->tr[i].end_acct);
        }
    }
}

/* ---- finishing ---------------------------------------------------------------------------- */

static int cmp_req(const void *a, const void *b)
{
    const struct gorca_request *x = a, *y = b;
    if (x->dur_ns != y->dur_ns)
        return x->dur_ns > y->dur_ns ? -1 : 1;
    return (x->start_ns > y->start_ns) - (x->start_ns < y->start_ns);
}

static int64_t handler_total(const struct gorca_handler_stats *h)
{
    return h->latency.sum_ns;
}

static int cmp_handler(const void *a, const void *b)
{
    const struct gorca_handler_stats *x = a, *y = b;
    int64_t tx = handler_total(x), ty = handler_total(y);
    if (tx != ty)
        return tx > ty ? -1 : 1;
    return strcmp(x->handler, y->handler);
}

void an_reqs_finish(struct gorca_analysis *an)
{
    struct an_reqs *r = an->reqs;
    size_t i;

    for (i = 0; i < an->gs.cap; i++) {
        struct an_g *g = an_g_slot(an, i);
        if (g == NULL)
            continue;
        if (g->req != NULL)
            close_request(an, g, an->info.end_ns, 1);
    }
    for (i = 0; i < r->n_tr; i++)
        task_end(an, &r->tr[i], an->info.end_ns, 1);
    r->n_tr = 0;
    qsort(r->heap, r->n_heap, sizeof(r->heap[0]), cmp_req);
    r->pub.slowest = r->heap;
    r->pub.n_slowest = r->n_heap;
    an_hist_merge_latency(&r->all, &r->pub.latency);
    r->hs_pub = base_calloc(r->n_hs + 1, sizeof(*r->hs_pub));
    if (r->hs_pub == NULL) {
        an_oom(an);
        return;
    }
    for (i = 0; i < r->n_hs; i++) {
        an_hist_merge_latency(&r->hs[i].hist, &r->hs[i].pub.latency);
        r->hs_pub[i] = r->hs[i].pub;
    }
    if (r->n_hs > 1)
        qsort(r->hs_pub, r->n_hs, sizeof(r->hs_pub[0]), cmp_handler);
    r->pub.handlers = r->hs_pub;
    r->pub.n_handlers = r->n_hs;
}
