/* Blocking chains (the seed's §2.1 model: G1 blocked on a channel send, woken by G2's receive,
 * G2 releasing a mutex ...): every Waiting -> Runnable transition is an edge from the goroutine
 * that woke the waiter (the event's current goroutine, with the unblock stack) to the waiter
 * (with the stack where it blocked and its reason), weighted by how long the waiter waited.
 * Edges with the same (waker group, waker stack, waiter group, waiter stack, reason) are
 * summed; wake-ups without a goroutine come from the netpoller, timers or the runtime. Memory
 * grows with the number of distinct edges only. */
#include <stdlib.h>
#include "an_int.h"

struct edge {
    struct gorca_chain_edge pub;
    size_t next; /* next edge with the same hash, SIZE_MAX = none */
};

struct an_chains {
    struct an_map by_hash; /* key hash -> first edge index */
    struct edge *e;
    size_t n, cap;
    struct gorca_chain_edge *sorted;
    struct gorca_chains_result pub;
};

struct an_chains *an_chains_new(void)
{
    return base_calloc(1, sizeof(struct an_chains));
}

void an_chains_free(struct an_chains *c)
{
    if (c == NULL)
        return;
    an_map_release(&c->by_hash);
    base_free(c->e);
    base_free(c->sorted);
    base_free(c);
}

const struct gorca_chains_result *an_chains_result(const struct an_chains *c)
{
    return &c->pub;
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

void an_chains_unblock(struct gorca_analysis *an, struct an_g *waiter,
                       const struct gorca_trace_event *ev)
{
    struct an_chains *c = an->chains;
    struct gorca_chain_edge key;
    struct an_g *waker = NULL;
    int64_t wait;
    uint64_t h, *first;
    size_t i;

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
    c->pub.n_unblocks++;
    c->pub.total_wait_ns += wait;
    h = edge_hash(&key);
    first = an_map_get(&c->by_hash, h);
    for (i = first ? (size_t)*first : SIZE_MAX; i != SIZE_MAX; i = c->e[i].next)
        if (same(&c->e[i].pub, &key))
            break;
    if (i == SIZE_MAX) {
        if (an_grow(&c->e, &c->cap, c->n + 1, sizeof(*c->e)) != 0) {
            an_oom(an);
            return;
        }
        i = c->n++;
        c->e[i].pub = key;
        c->e[i].next = first ? (size_t)*first : SIZE_MAX;
        if (an_map_put(&c->by_hash, h, i) != 0) {
            an_oom(an);
            return;
        }
    }
    c->e[i].pub.count++;
    c->e[i].pub.wait_ns += wait;
    if (wait >= c->e[i].pub.max_wait_ns) {
        c->e[i].pub.max_wait_ns = wait;
        c->e[i].pub.example_waker = waker ? waker->id : GORCA_TRACE_NONE;
        c->e[i].pub.example_waiter = waiter->id;
    }
    waiter->block_time = 0;
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

void an_chains_finish(struct gorca_analysis *an)
{
    struct an_chains *c = an->chains;
    size_t i;

    c->sorted = base_malloc((c->n + 1) * sizeof(*c->sorted));
    if (c->sorted == NULL) {
        an_oom(an);
        return;
    }
    for (i = 0; i < c->n; i++)
        c->sorted[i] = c->e[i].pub;
    if (c->n > 1)
        qsort(c->sorted, c->n, sizeof(c->sorted[0]), cmp_edge);
    c->pub.edges = c->sorted;
    c->pub.n_edges = c->n;
}
