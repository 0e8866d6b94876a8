/* Generates the large profile `make bench` times gorca top and go tool pprof -top on: a CPU
 * profile (samples/count, cpu/nanoseconds, goroutine labels) whose stacks are random walks
 * down a call graph of real Go function names (taken from the committed fixtures) and
 * synthetic service packages, with inlined callees, encoded by gorca's encoder.
 * usage: pprof_gen OUT.pb.gz N_SAMPLES SEED FIXTURE.pb.gz...
 * Prints the number of samples, distinct stacks and uncompressed bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gorca/profile.h"

static uint64_t rng = 88172645463325252ULL;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

#define N_SYNTH_FUNCS 6000
#define N_CALLEES 6
#define N_ROOTS 64

struct fn {
    char name[160], file[96];
};

int main(int argc, char **argv)
{
    static const char *types[] = { "samples", "cpu" }, *units[] = { "count", "nanoseconds" };
    static const char *verbs[] = { "Serve", "Handle", "decode", "encode", "lookup",  "flush",
                                   "Read",  "Write",  "parse",  "render", "marshal", "compress" };
    struct fn *fns;
    size_t n_fns = 0, n_samples;
    uint64_t *fid, (*site)[N_CALLEES], (*leaf)[3], *seen;
    size_t(*callee)[N_CALLEES];
    int *n_callees;
    uint8_t *inl;
    size_t seen_cap = 1 << 22, distinct = 0;
    struct gorca_profile_builder *b;
    struct gorca_profile *p;
    struct gorca_error err;
    struct gorca_buf out, raw;
    FILE *f;

    if (argc < 5) {
        fprintf(stderr, "usage: pprof_gen OUT.pb.gz N_SAMPLES SEED FIXTURE.pb.gz...\n");
        return 2;
    }
    n_samples = strtoul(argv[2], NULL, 10);
    rng ^= strtoull(argv[3], NULL, 10) * 0x9e3779b97f4a7c15ULL;
    fns = calloc(N_SYNTH_FUNCS + 20000, sizeof(*fns));
    /* Real names from the fixtures. */
    for (int a = 4; a < argc; a++) {
        struct gorca_profile *fx;

        gorca_error_init(&err, argv[a]);
        if (gorca_profile_read_file(argv[a], NULL, &fx, &err) != GORCA_OK)
            continue;
        for (size_t i = 0; i < fx->n_functions && n_fns < 20000; i++) {
            const struct gorca_function *fn = &fx->functions[i];

            if (fn->name.len == 0 || fn->name.len >= 160 || fn->filename.len >= 96)
                continue;
            snprintf(fns[n_fns].name, 160, "%.*s", (int)fn->name.len, fn->name.ptr);
            snprintf(fns[n_fns].file, 96, "%.*s", (int)fn->filename.len, fn->filename.ptr);
            n_fns++;
        }
        gorca_profile_free(fx);
    }
    /* Synthetic service code around them. */
    for (int i = 0; i < N_SYNTH_FUNCS; i++, n_fns++) {
        snprintf(fns[n_fns].name, 160, "example.com/shop/internal/svc%02d.(*%s%d).%s%d", i % 40,
                 i % 3 ? "Handler" : "store", i % 17, verbs[i % 12], i / 12);
        snprintf(fns[n_fns].file, 96, "example.com/shop/internal/svc%02d/file%d.go", i % 40, i % 9);
    }
    b = gorca_profile_builder_new(types, units, 2, NULL);
    gorca_profile_builder_set_period(b, "cpu", "nanoseconds", 10000000);
    gorca_profile_builder_set_time(b, 1764288152000000000LL, 30000000000LL);
    /* A call graph like a service's: every function calls 1-6 others from fixed call sites;
     * one function in eight is small and inlined into its callers, so its call sites are
     * two-line locations (callee, caller). Leaves have a few sampled lines of their own. */
    {
        uint64_t m = gorca_profile_builder_mapping(b, 0x400000, 0x4000000, 0, "/srv/shop", "", 1);
        uint64_t addr = 0x401000;

        fid = calloc(n_fns, sizeof(*fid));
        inl = calloc(n_fns, 1);
        for (size_t i = 0; i < n_fns; i++) {
            fid[i] = gorca_profile_builder_function(b, fns[i].name, NULL, fns[i].file,
                                                    (int64_t)(next() % 900 + 10));
            inl[i] = next() % 8 == 0;
        }
        callee = calloc(n_fns, sizeof(*callee));
        site = calloc(n_fns, sizeof(*site));
        n_callees = calloc(n_fns, sizeof(*n_callees));
        leaf = calloc(n_fns, sizeof(*leaf));
        for (size_t i = 0; i < n_fns; i++) {
            n_callees[i] = 1 + next() % N_CALLEES;
            for (int j = 0; j < n_callees[i]; j++) {
                size_t g = next() % n_fns;
                int64_t ls[2] = { (int64_t)(next() % 300 + 1), (int64_t)(next() % 300 + 1) };

                callee[i][j] = g;
                if (inl[g]) {
                    uint64_t fs[2] = { fid[g], fid[i] };

                    site[i][j] = gorca_profile_builder_location(b, m, addr, fs, ls, 2);
                } else {
                    site[i][j] = gorca_profile_builder_location(b, m, addr, &fid[i], ls + 1, 1);
                }
                addr += 8;
            }
            for (int j = 0; j < 3; j++) {
                int64_t ln = (int64_t)(next() % 300 + 1);

                leaf[i][j] = gorca_profile_builder_location(b, m, addr, &fid[i], &ln, 1);
                addr += 8;
            }
        }
    }
    seen = calloc(seen_cap, sizeof(*seen));
    for (size_t s = 0; s < n_samples; s++) {
        uint64_t stack[80], st_rev[80], h = 1469598103934665603ULL;
        size_t depth = 12 + next() % 52, cur = next() % N_ROOTS, n = 0;
        int64_t v[2];
        const char *keys[2] = { "worker", "tenant" }, *strs[2];
        char worker[16], tenant[16];

        for (size_t d = 0; d + 1 < depth; d++) {
            int j = (int)(next() % (uint64_t)n_callees[cur]);

            st_rev[n++] = site[cur][j];
            h = (h ^ site[cur][j]) * 1099511628211ULL;
            cur = callee[cur][j];
        }
        st_rev[n] = leaf[cur][next() % 3];
        h = (h ^ st_rev[n]) * 1099511628211ULL;
        n++;
        for (size_t d = 0; d < n; d++)
            stack[d] = st_rev[n - 1 - d]; /* leaf first */
        v[0] = (int64_t)(1 + next() % 4);
        v[1] = v[0] * 10000000;
        snprintf(worker, sizeof(worker), "w%u", (unsigned)(next() % 6));
        snprintf(tenant, sizeof(tenant), "t%u", (unsigned)(next() % 4));
        strs[0] = worker;
        strs[1] = tenant;
        gorca_profile_builder_sample(b, stack, n, v, keys, strs, NULL, next() % 2 ? 2 : 0);
        for (size_t i = h & (seen_cap - 1);; i = (i + 1) & (seen_cap - 1)) {
            if (seen[i] == h)
                break;
            if (seen[i] == 0) {
                seen[i] = h;
                distinct++;
                break;
            }
        }
    }
    gorca_error_init(&err, NULL);
    if (gorca_profile_builder_finish(b, &p, &err) != GORCA_OK) {
        fprintf(stderr, "pprof_gen: %s\n", err.detail);
        return 1;
    }
    gorca_buf_init(&raw, 0);
    gorca_buf_init(&out, 0);
    if (gorca_profile_encode(p, 0, &raw, &err) != GORCA_OK ||
        gorca_profile_encode(p, 1, &out, &err) != GORCA_OK) {
        fprintf(stderr, "pprof_gen: %s\n", err.detail);
        return 1;
    }
    f = fopen(argv[1], "wb");
    if (f == NULL || fwrite(out.data, 1, out.len, f) != out.len || fclose(f) != 0) {
        perror(argv[1]);
        return 1;
    }
    printf("samples=%zu distinct_stacks=%zu uncompressed_bytes=%zu gzip_bytes=%zu "
           "locations=%zu functions=%zu\n",
           p->n_samples, distinct, raw.len, out.len, p->n_locations, n_fns);
    gorca_buf_release(&raw);
    gorca_buf_release(&out);
    gorca_profile_free(p);
    free(fns);
    free(fid);
    free(site);
    free(leaf);
    free(n_callees);
    free(inl);
    free(callee);
    free(seen);
    return 0;
}
