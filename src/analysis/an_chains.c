/* Blocking chains (the seed's §2.1 model: G1 blocked on a channel send, woken by G2's receive,
 * G2 releasing a mutex ...): every Waiting -> Runnable transition is an edge from the goroutine
 * that woke the waiter (the event's current goroutine, with the unblock stack) to the waiter
 * (with the stack where it blocked and its reason), weighted by how long the waiter waited.
 * Edges with the same (waker group, waker stack, waiter group, waiter stack, reason) are
 * summed; wake-ups without a goroutine come from the netpoller, timers or the runtime. Memory
 * grows with the number of distinct edges only.
 *
 * A second edge set follows each wake-up to its origin. A goroutine that was itself woken
 * during the waiter's wait and passes the wake-up on promptly (a relay: a pump, a hub, a
 * fan-out loop) is not why the waiter waited; whatever woke the relay is. The origin is the
 * first goroutine up the relay chain that did not pass a wake-up on (with the stack where it
 * woke the next one), or, when the chain starts in the netpoller or a timer, that runtime
 * waker with the stack where its goroutine had blocked (reading a request, a response ...).
 * A goroutine created right after its creator was woken (an accept loop starting a
 * connection's goroutine) inherits the creator's origin. */
#include <stdlib.h>
#include "an_int.h"

struct edge {
    struct gorca_chain_edge pub;
    size_t next; /* next edge with the same hash, SIZE_MAX = none */
};

struct edge_set {
    struct an_map by_hash; /* key hash -> first edge index */
    struct edge *e;
    size_t n, cap;
    struct gorca_chain_edge *sorted;
    struct gorca_chains_result pub;
};

struct an_chains {
    struct edge_set direct, origin;
};

/* A relay passes a wake-up on within a fifth of the wait it ends, or within this. */
#define RELAY_SLACK_NS 100000

struct an_chains *an_chains_new(void)
{
    return base_calloc(1, sizeof(struct an_chains));
}

static void set_release(struct edge_set *s)
{
    an_map_release(&s->by_hash);
    base_free(s->e);
    base_free(s->sorted);
}

void an_chains_free(struct an_chains *c)
{
    if (c == NULL)
        return;
    set_release(&c->direct);
    set_release(&c->origin);
    base_free(c);
}

const struct gorca_chains_result *an_chains_result(const struct an_chains *c)
{
    return &c->direct.pub;
}

const struct gorca_chains_result *an_chains_origins(const struct an_chains *c)
{
    return &c->origin.pub;
}

static int same(const struct gorca_chain_edge *a, const struct gorca_chain_edge *b)
{
    return a->waker_name == b->waker_name && a->waker_stack == b->waker_stack &&
           a->waiter_name == b->waiter_name && a->waiter_stack == b->waiter_stack &&
           a->reason == b->reason;
}

/* Multiply-xor mixing of the five key parts: collisions only cost a compare (chained). */
static uint64_t edge_hash(const struct gorca_chain_edge *k)
{
    uint64_t a =
        (AN_PKEY(k->waker_name) ^ ((uint64_t)k->waker_stack << 40)) * 0x9E3779B97F4A7C15ULL;
    uint64_t b =
        (AN_PKEY(k->waiter_name) ^ ((uint64_t)k->waiter_stack << 40)) * 0xC2B2AE3D27D4EB4FULL;
    uint64_t c = AN_PKEY(k->reason) * 0x165667B19E3779F9ULL;
    uint64_t h = a ^ (b >> 7) ^ (c >> 13) ^ (b << 17);
    return h ^ (h >> 29);
}

static const char *runtime_waker(const char *reason)
{
    if (reason != NULL && strcmp(reason, "network") == 0)
        return "(netpoller)";
    if (reason != NULL && strcmp(reason, "sleep") == 0)
        return "(timer)";
    return "(runtime)";
}

/* Adds one wait to the edge with key's identity. */
static int set_add(struct edge_set *s, const struct gorca_chain_edge *key, int64_t wait,
                   int64_t waker_id, int64_t waiter_id)
{
    uint64_t h = edge_hash(key), *first = an_map_get(&s->by_hash, h);
    struct gorca_chain_edge *e;
    size_t i;

    for (i = first ? (size_t)*first : SIZE_MAX; i != SIZE_MAX; i = s->e[i].next)
        if (same(&s->e[i].pub, key))
            break;
    if (i == SIZE_MAX) {
        if (an_grow(&s->e, &s->cap, s->n + 1, sizeof(*s->e)) != 0)
            return -1;
        i = s->n++;
        s->e[i].pub = *key;
        s->e[i].next = first ? (size_t)*first : SIZE_MAX;
        if (an_map_put(&s->by_hash, h, i) != 0)
            return -1;
    }
    e = &s->e[i].pub;
    e->count++;
    e->wait_ns += wait;
    if (wait >= e->max_wait_ns) {
        e->max_wait_ns = wait;
        e->example_waker = waker_id;
        e->example_waiter = waiter_id;
    }
    s->pub.n_unblocks++;
    s->pub.total_wait_ns += wait;
    return 0;
}

void an_chains_unblock(struct gorca_analysis *an, struct an_g *waiter,
                       const struct gorca_trace_event *ev)
{
    struct an_chains *c = an->chains;
    struct gorca_chain_edge key;
    struct an_g *waker = NULL;
    int64_t wait;

    if (waiter->block_time == 0)
        return;
    wait = ev->time - waiter->block_time;
    memset(&key, 0, sizeof(key));
    if (ev->g != GORCA_TRACE_NONE && ev->g != waiter->id)
        waker = an_g_find(an, ev->g);
    key.waker_name = waker ? waker->name : runtime_waker(waiter->block_reason);
    key.waker_stack = ev->stack;
    key.waiter_name = waiter->name;
    key.waiter_stack = waiter->block_stack;
    key.reason = waiter->block_reason ? waiter->block_reason : "";
    if (set_add(&c->direct, &key, wait, waker ? waker->id : GORCA_TRACE_NONE, waiter->id) != 0) {
        an_oom(an);
        return;
    }
    /* The origin: a relay's own origin, the waking goroutine, or the runtime waker with the
     * stack the waiter blocked at. */
    if (waker != NULL && waker->origin_name != NULL && waker->woken_at > waiter->block_time &&
        (ev->time - waker->woken_at <= wait / 5 || ev->time - waker->woken_at <= RELAY_SLACK_NS)) {
        key.waker_name = waker->origin_name;
        key.waker_stack = waker->origin_stack;
    } else if (waker == NULL) {
        key.waker_stack = waiter->block_stack;
    }
    if (set_add(&c->origin, &key, wait, waker ? waker->id : GORCA_TRACE_NONE, waiter->id) != 0) {
        an_oom(an);
        return;
    }
    waiter->origin_name = key.waker_name;
    waiter->origin_stack = key.waker_stack;
    waiter->woken_at = ev->time;
    waiter->block_time = 0;
}

/* A goroutine created by one that had just been woken (an accept loop starting a
 * connection's goroutine) carries on its creator's origin, as a relay would. */
#define CREATE_SLACK_NS 1000000

void an_chains_create(struct gorca_analysis *an, struct an_g *child,
                      const struct gorca_trace_event *ev)
{
    struct an_g *creator = NULL;

    if (ev->g != GORCA_TRACE_NONE && ev->g != child->id)
        creator = an_g_find(an, ev->g);
    child->woken_at = ev->time;
    if (creator == NULL) {
        child->origin_name = NULL;
    } else if (creator->origin_name != NULL && ev->time - creator->woken_at <= CREATE_SLACK_NS) {
        child->origin_name = creator->origin_name;
        child->origin_stack = creator->origin_stack;
    } else {
        child->origin_name = creator->name;
        child->origin_stack = ev->stack;
    }
}

static int cmp_edge(const void *a, const void *b)
{
    const struct gorca_chain_edge *x = a, *y = b;
    if (x->wait_ns != y->wait_ns)
        return x->wait_ns > y->wait_ns ? -1 : 1;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->waiter_name, y->waiter_name);
}

static int set_finish(struct edge_set *s)
{
    size_t i;

    s->sorted = base_malloc((s->n + 1) * sizeof(*s->sorted));
    if (s->sorted == NULL)
        return -1;
    for (i = 0; i < s->n; i++)
        s->sorted[i] = s->e[i].pub;
    if (s->n > 1)
        qsort(s->sorted, s->n, sizeof(s->sorted[0]), cmp_edge);
    s->pub.edges = s->sorted;
    s->pub.n_edges = s->n;
    return 0;
}

void an_chains_finish(struct gorca_analysis *an)
{
    if (set_finish(&an->chains->direct) != 0 || set_finish(&an->chains->origin) != 0)
        an_oom(an);
}
