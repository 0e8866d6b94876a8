/* Cut traces: every prefix of a fixture must end in a clean result (never a crash, never a
 * hang), deliver every event of every generation completed before the cut exactly as the
 * whole trace does, and stop with GORCA_E_TRUNCATED / GORCA_E_MALFORMED unless the cut falls
 * on a generation boundary. Exhaustive (every byte) for the small restart.trace fixtures and
 * for the first 4 KiB of the larger ones; elsewhere every batch boundary +-16 bytes and a
 * stride of 251 bytes. GORCA_TRUNC_ALL=1 makes it exhaustive everywhere (slow: O(n^2)). */
#include "test.h"
#include "trace/trace_int.h"

struct rec {
    uint8_t type;
    int64_t time, m, p, g;
    uint64_t args[4];
};

struct full {
    struct rec *ev; /* non-Sync events of the whole trace */
    size_t n;
    struct genmark {
        uint64_t gen, end_off; /* generation and its last byte (exclusive) */
        size_t n_before;       /* non-Sync events delivered before the generation */
    } gens[64];
    size_t n_gens;
    uint64_t *cuts; /* batch boundaries (offsets of batch headers) */
    size_t n_cuts;
};

static int same(const struct rec *r, const struct gorca_trace_event *e)
{
    return r->type == e->type && r->time == e->time && r->m == e->m && r->p == e->p &&
           r->g == e->g && memcmp(r->args, e->args, sizeof(r->args)) == 0;
}

static int read_full(const uint8_t *data, size_t len, struct full *f)
{
    struct gorca_trace *tr;
    struct gorca_error err;
    const struct gorca_trace_event *ev;
    enum gorca_status st;
    size_t cap = 0;
    uint64_t off = 16;

    memset(f, 0, sizeof(*f));
    gorca_error_init(&err, "full");
    if (gorca_trace_open_mem(data, len, "full", NULL, &tr, &err) != GORCA_OK)
        return -1;
    while ((st = gorca_trace_next(tr, &ev, &err)) == GORCA_OK && ev != NULL) {
        if (ev->kind == GORCA_TRACE_SYNC) {
            if (ev->gen && f->n_gens < 64) {
                f->gens[f->n_gens].gen = ev->gen;
                f->gens[f->n_gens].end_off = tr->gen.end_off;
                f->gens[f->n_gens].n_before = f->n;
                f->n_gens++;
            }
            continue;
        }
        if (f->n == cap) {
            cap = cap ? cap * 2 : 4096;
            f->ev = realloc(f->ev, cap * sizeof(*f->ev));
        }
        f->ev[f->n].type = ev->type;
        f->ev[f->n].time = ev->time;
        f->ev[f->n].m = ev->m;
        f->ev[f->n].p = ev->p;
        f->ev[f->n].g = ev->g;
        memcpy(f->ev[f->n].args, ev->args, sizeof(ev->args));
        f->n++;
    }
    gorca_trace_free(tr);
    if (st != GORCA_OK)
        return -1;
    /* Batch boundaries, from the framing. */
    {
        struct tr_src s;
        struct tr_batch_hdr h;

        tr_src_open_mem(&s, data, len);
        cap = 0;
        for (;;) {
            gorca_error_init(&err, NULL);
            if (tr_read_batch_hdr(&s, off, &h, &err) != 1)
                break;
            if (f->n_cuts == cap) {
                cap = cap ? cap * 2 : 256;
                f->cuts = realloc(f->cuts, cap * sizeof(*f->cuts));
            }
            f->cuts[f->n_cuts++] = off;
            off = h.pay_off + h.size;
        }
    }
    return 0;
}

/* Events that a cut at c must deliver: those of generations that end (with the next batch's
 * header, for formats without an end marker) before c. */
static size_t required(const struct full *f, uint64_t c, int version)
{
    size_t i, need = 0;

    for (i = 0; i < f->n_gens; i++) {
        uint64_t end = f->gens[i].end_off + (version >= 26 ? 0 : 42);
        size_t upto = i + 1 < f->n_gens ? f->gens[i + 1].n_before : f->n;

        if (end <= c)
            need = upto;
    }
    return need;
}

static long n_prefixes;

/* Reads data[0..c) and checks it against the whole trace. Returns 0 when fine. */
static int check_cut(const uint8_t *data, uint64_t c, const struct full *f, int version,
                     const char *name)
{
    struct gorca_trace *tr;
    struct gorca_error err;
    const struct gorca_trace_event *ev;
    enum gorca_status st;
    size_t i = 0, need = required(f, c, version);
    int diverged = 0;

    n_prefixes++;
    gorca_error_init(&err, name);
    st = gorca_trace_open_mem(data, (size_t)c, name, NULL, &tr, &err);
    if (st != GORCA_OK)
        return c < 16 && (st == GORCA_E_TRUNCATED || st == GORCA_E_MALFORMED) ? 0 : -1;
    while ((st = gorca_trace_next(tr, &ev, &err)) == GORCA_OK && ev != NULL) {
        if (ev->kind == GORCA_TRACE_SYNC)
            continue;
        if (!diverged && (i >= f->n || !same(&f->ev[i], ev)))
            diverged = 1;
        if (diverged && i < need) {
            test_fail_msg(__FILE__, __LINE__,
                          "%s cut at %llu: event %zu differs from the full "
                          "trace inside a complete generation",
                          name, (unsigned long long)c, i);
            gorca_trace_free(tr);
            return -1;
        }
        i++;
    }
    gorca_trace_free(tr);
    if (i < need) {
        test_fail_msg(__FILE__, __LINE__,
                      "%s cut at %llu: %zu events delivered, %zu complete-generation events "
                      "expected (%s: %s)",
                      name, (unsigned long long)c, i, need, gorca_status_name(st), err.detail);
        return -1;
    }
    if (st != GORCA_OK && st != GORCA_E_TRUNCATED && st != GORCA_E_MALFORMED) {
        test_fail_msg(__FILE__, __LINE__, "%s cut at %llu: unexpected status %s: %s", name,
                      (unsigned long long)c, gorca_status_name(st), err.detail);
        return -1;
    }
    if (st != GORCA_OK && (!err.has_offset || err.offset > c)) {
        test_fail_msg(__FILE__, __LINE__, "%s cut at %llu: error offset %llu outside the input",
                      name, (unsigned long long)c, (unsigned long long)err.offset);
        return -1;
    }
    return 0;
}

static int near_boundary(const struct full *f, uint64_t c)
{
    size_t lo = 0, hi = f->n_cuts;

    while (lo < hi) { /* first boundary >= c */
        size_t mid = (lo + hi) / 2;

        if (f->cuts[mid] < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (lo < f->n_cuts && f->cuts[lo] - c <= 16) || (lo > 0 && c - f->cuts[lo - 1] <= 16);
}

static void run_fixture(const char *rel, int exhaustive)
{
    size_t len;
    uint8_t *data = test_read_file(test_repo_path(rel), &len);
    struct full f;
    uint64_t c;
    int all = exhaustive || getenv("GORCA_TRUNC_ALL") != NULL;
    int version;

    if (data == NULL) {
        test_fail_msg(__FILE__, __LINE__, "missing fixture %s", rel);
        return;
    }
    version = (data[5] - '0') * 10 + (data[6] - '0');
    if (read_full(data, len, &f) != 0) {
        test_fail_msg(__FILE__, __LINE__, "%s: the whole trace does not read cleanly", rel);
        free(data);
        return;
    }
    for (c = 0; c <= len; c++) {
        if (!all && c > 4096 && c != len && c % 251 != 0 && !near_boundary(&f, c))
            continue;
        if (check_cut(data, c, &f, version, rel) != 0)
            break;
    }
    free(f.ev);
    free(f.cuts);
    free(data);
}

TEST(prefixes_restart)
{
    static const char *const v[] = { "1.22", "1.23", "1.24", "1.25", "1.26" };
    char rel[64];
    size_t i;

    for (i = 0; i < BASE_ARRAY_LEN(v); i++) {
        snprintf(rel, sizeof(rel), "testdata/trace/go%s/restart.trace", v[i]);
        run_fixture(rel, 1);
    }
}

TEST(prefixes_main)
{
    static const char *const v[] = { "1.22", "1.23", "1.24", "1.25", "1.26" };
    char rel[64];
    size_t i;

    for (i = 0; i < BASE_ARRAY_LEN(v); i++) {
        snprintf(rel, sizeof(rel), "testdata/trace/go%s/main.trace", v[i]);
        run_fixture(rel, 0);
    }
}

TEST_MAIN({
    RUN(prefixes_restart);
    RUN(prefixes_main);
    printf("# prefixes checked: %ld\n", n_prefixes);
})
