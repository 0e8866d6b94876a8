/* Go profile types (pprof-formats.md §2.1, §2.3): which endpoint a profile came from, told by
 * its sample types and, for the identical block/mutex shape, by its stacks; and pprof's
 * -sample_index resolution (§1.5). */
#include <stdio.h>
#include <stdlib.h>
#include "pprof_int.h"

static const char *const kind_names[] = {
    [GORCA_PROFILE_UNKNOWN] = "unknown",     [GORCA_PROFILE_CPU] = "cpu",
    [GORCA_PROFILE_HEAP] = "heap",           [GORCA_PROFILE_BLOCK] = "block",
    [GORCA_PROFILE_MUTEX] = "mutex",         [GORCA_PROFILE_CONTENTION] = "contention",
    [GORCA_PROFILE_GOROUTINE] = "goroutine", [GORCA_PROFILE_THREADCREATE] = "threadcreate",
    [GORCA_PROFILE_CUSTOM] = "custom",
};

const char *gorca_profile_kind_name(enum gorca_profile_kind kind)
{
    if ((size_t)kind >= BASE_ARRAY_LEN(kind_names) || kind_names[kind] == NULL)
        return "unknown";
    return kind_names[kind];
}

static int type_is(const struct gorca_profile *p, size_t i, const char *type, const char *unit)
{
    return i < p->n_sample_types && gorca_strv_eq(p->sample_types[i].type, type) &&
           gorca_strv_eq(p->sample_types[i].unit, unit);
}

/* Leaf functions of the releasing side of a contended lock (mutex profile). */
static const char *const release_fns[] = {
    "sync.(*Mutex).Unlock",
    "sync.(*Mutex).unlockSlow",
    "internal/sync.(*Mutex).Unlock",
    "internal/sync.(*Mutex).unlockSlow",
    "sync.(*RWMutex).Unlock",
    "sync.(*RWMutex).RUnlock",
    "sync.(*RWMutex).rUnlockSlow",
    "runtime.unlock",
    "runtime.unlock2",
    "runtime.unlockWithRank",
    "runtime._LostContendedRuntimeLock",
};

/* Leaf functions of a blocking operation (block profile). */
static const char *const block_fns[] = {
    "runtime.chanrecv",
    "runtime.chanrecv1",
    "runtime.chanrecv2",
    "runtime.chansend",
    "runtime.chansend1",
    "runtime.selectgo",
    "runtime.block",
    "sync.(*Mutex).Lock",
    "sync.(*Mutex).lockSlow",
    "internal/sync.(*Mutex).Lock",
    "internal/sync.(*Mutex).lockSlow",
    "sync.(*RWMutex).Lock",
    "sync.(*RWMutex).RLock",
    "sync.(*WaitGroup).Wait",
    "sync.(*Cond).Wait",
    "sync.runtime_notifyListWait",
    "runtime.notifyListWait",
    "sync.runtime_Semacquire",
    "sync.runtime_SemacquireMutex",
    "sync.runtime_SemacquireRWMutex",
    "sync.runtime_SemacquireRWMutexR",
    "sync.runtime_SemacquireWaitGroup",
    "internal/sync.runtime_SemacquireMutex",
    "runtime.semacquire",
    "runtime.semacquire1",
};

static int in_list(struct gorca_strv name, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (gorca_strv_eq(name, list[i]))
            return 1;
    return 0;
}

/* 1 = the sample's leaf is a release, 2 = a blocking operation, 0 = undecided. */
static int contention_vote(const struct gorca_profile *p, const struct gorca_sample *s)
{
    const struct gorca_location *leaf;

    if (s->n_locs == 0)
        return 0;
    leaf = &p->locations[s->locs[0]];
    for (uint32_t i = 0; i < leaf->n_lines; i++) {
        struct gorca_strv name = leaf->lines[i].function->name;

        if (in_list(name, release_fns, BASE_ARRAY_LEN(release_fns)))
            return 1;
        if (in_list(name, block_fns, BASE_ARRAY_LEN(block_fns)))
            return 2;
    }
    return 0;
}

static enum gorca_profile_kind by_types(const struct gorca_profile *p, int *allocs)
{
    *allocs = 0;
    if (p->n_sample_types == 2 && type_is(p, 0, "samples", "count") &&
        type_is(p, 1, "cpu", "nanoseconds"))
        return GORCA_PROFILE_CPU;
    if (p->n_sample_types == 4 && type_is(p, 0, "alloc_objects", "count") &&
        type_is(p, 1, "alloc_space", "bytes") && type_is(p, 2, "inuse_objects", "count") &&
        type_is(p, 3, "inuse_space", "bytes")) {
        *allocs = gorca_strv_eq(p->default_sample_type, "alloc_space");
        return GORCA_PROFILE_HEAP;
    }
    if (p->n_sample_types == 2 && type_is(p, 0, "contentions", "count") &&
        type_is(p, 1, "delay", "nanoseconds"))
        return GORCA_PROFILE_CONTENTION;
    if (p->n_sample_types == 1 && type_is(p, 0, "goroutine", "count"))
        return GORCA_PROFILE_GOROUTINE;
    if (p->n_sample_types == 1 && type_is(p, 0, "threadcreate", "count"))
        return GORCA_PROFILE_THREADCREATE;
    if (p->n_sample_types == 1 && gorca_strv_eq(p->sample_types[0].unit, "count") &&
        pb_strv_same(p->period_type.type, p->sample_types[0].type))
        return GORCA_PROFILE_CUSTOM;
    return GORCA_PROFILE_UNKNOWN;
}

enum gorca_profile_kind gorca_profile_classify(const struct gorca_profile *p,
                                               struct gorca_profile_class *out)
{
    struct gorca_profile_class c;

    memset(&c, 0, sizeof(c));
    c.kind = by_types(p, &c.allocs);
    for (size_t i = 0; i < p->n_samples; i++) {
        const struct gorca_sample *s = &p->samples[i];
        int nonzero = 0;

        for (size_t j = 0; j < p->n_sample_types; j++) {
            nonzero |= s->values[j] != 0;
            c.has_negative |= s->values[j] < 0;
        }
        if (c.kind == GORCA_PROFILE_CONTENTION && nonzero) {
            int v = contention_vote(p, s);

            c.mutex_votes += v == 1;
            c.block_votes += v == 2;
        }
    }
    if (c.kind == GORCA_PROFILE_CONTENTION && c.mutex_votes + c.block_votes > 0)
        c.kind = c.mutex_votes >= c.block_votes ? GORCA_PROFILE_MUTEX : GORCA_PROFILE_BLOCK;
    c.delta =
        c.kind != GORCA_PROFILE_CPU && c.kind != GORCA_PROFILE_UNKNOWN && p->duration_nanos != 0;
    c.kind_name = gorca_profile_kind_name(c.kind);
    if (out)
        *out = c;
    return c.kind;
}

/* ---- sample index ---------------------------------------------------------------------------*/

enum gorca_status gorca_profile_sample_index(const struct gorca_profile *p, const char *arg,
                                             size_t *index, struct gorca_error *err)
{
    size_t n = p->n_sample_types;
    char *end;
    long v;

    if (n == 0)
        return GORCA_FAIL(err, GORCA_E_UNSUPPORTED, -1, NULL, "profile has no sample types");
    if (arg == NULL || arg[0] == '\0') {
        *index = n - 1;
        if (p->default_sample_type.len)
            for (size_t i = 0; i < n; i++)
                if (pb_strv_same(p->sample_types[i].type, p->default_sample_type)) {
                    *index = i;
                    break;
                }
        return GORCA_OK;
    }
    v = strtol(arg, &end, 10);
    if (*end == '\0' && end != arg) {
        if (v < 0 || (size_t)v >= n)
            return GORCA_FAIL(err, GORCA_E_ARG, -1, NULL,
                              "sample index %s is outside the range [0..%zu]", arg, n - 1);
        *index = (size_t)v;
        return GORCA_OK;
    }
    for (size_t i = 0; i < n; i++) {
        const char *no_inuse = strncmp(arg, "inuse_", 6) == 0 ? arg + 6 : arg;

        if (gorca_strv_eq(p->sample_types[i].type, arg) ||
            gorca_strv_eq(p->sample_types[i].type, no_inuse)) {
            *index = i;
            return GORCA_OK;
        }
    }
    {
        char names[160];
        size_t k = 0;

        names[0] = '\0';
        for (size_t i = 0; i < n && k < sizeof(names); i++)
            k += (size_t)snprintf(names + k, sizeof(names) - k, "%s%.*s", i ? ", " : "",
                                  (int)p->sample_types[i].type.len, p->sample_types[i].type.ptr);
        return GORCA_FAIL(err, GORCA_E_ARG, -1, NULL, "sample index '%s' must be one of: %s", arg,
                          names);
    }
}
