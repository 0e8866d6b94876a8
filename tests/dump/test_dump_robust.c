/* Robustness of the goroutine-dump parser on damaged real input (run under ASan+UBSan by
 * `make asan`): every truncated prefix of the newest Go version's fixtures (and every 7th line
 * boundary, +-1 byte, of all the others), many single-byte corruptions of every fixture, and
 * allocation failures. A damaged input gives a clean status, never a crash or a leak; a
 * truncated debug=2 dump keeps exactly the goroutines before the cut. */
#include <dirent.h>
#include "test.h"
#include "gorca/dump.h"
#include "base/base.h"

struct fixture {
    char path[512];
    uint8_t *data;
    size_t len;
};

static struct fixture fx[256];
static int n_fx;
static char newest[64];

static int is_dump_file(const char *name)
{
    size_t n = strlen(name);

    return n > 4 && strcmp(name + n - 4, ".txt") == 0 && strstr(name, "pprof-raw") == NULL &&
           strcmp(name, "facts.txt") != 0;
}

static void load_fixtures(void)
{
    DIR *top = opendir(test_repo_path("testdata/dump"));
    struct dirent *e;
    char dirs[32][64];
    int nd = 0;

    if (top == NULL)
        return;
    while ((e = readdir(top)) != NULL && nd < 32)
        if (strncmp(e->d_name, "go1.", 4) == 0 && strlen(e->d_name) < 64)
            snprintf(dirs[nd++], 64, "%s", e->d_name);
    closedir(top);
    for (int i = 0; i < nd; i++) {
        char dir[512];
        DIR *d;

        if (strstr(dirs[i], "derived") == NULL && strcmp(dirs[i], newest) > 0)
            snprintf(newest, sizeof(newest), "%.63s", dirs[i]);
        snprintf(dir, sizeof(dir), "%.400s/%.63s", test_repo_path("testdata/dump"), dirs[i]);
        d = opendir(dir);
        while (d && (e = readdir(d)) != NULL && n_fx < 256) {
            if (!is_dump_file(e->d_name))
                continue;
            snprintf(fx[n_fx].path, sizeof(fx[n_fx].path), "%.300s/%.100s", dir, e->d_name);
            fx[n_fx].data = test_read_file(fx[n_fx].path, &fx[n_fx].len);
            if (fx[n_fx].data)
                n_fx++;
        }
        if (d)
            closedir(d);
    }
}

/* Parses data[0..n); checks the status is one a damaged input may give and that a dump comes
 * back exactly with OK/TRUNCATED. Returns the dump (caller frees) or NULL. */
static int allow_nomem; /* allocation_failures expects GORCA_E_NOMEM */

static struct gorca_dump *parse(const uint8_t *data, size_t n, enum gorca_status *st)
{
    struct gorca_error err;
    struct gorca_dump *d = NULL;

    gorca_error_init(&err, "fixture");
    *st = gorca_dump_parse(data, n, "fixture", NULL, &d, &err);
    if ((*st == GORCA_OK || *st == GORCA_E_TRUNCATED) != (d != NULL))
        test_fail_msg(__FILE__, __LINE__, "status %s with dump %p", gorca_status_name(*st),
                      (void *)d);
    if (*st != GORCA_OK && *st != GORCA_E_TRUNCATED && *st != GORCA_E_MALFORMED &&
        *st != GORCA_E_UNSUPPORTED && !(allow_nomem && *st == GORCA_E_NOMEM))
        test_fail_msg(__FILE__, __LINE__, "unexpected status %s", gorca_status_name(*st));
    if (*st != GORCA_OK && err.has_offset && err.offset > n)
        test_fail_msg(__FILE__, __LINE__, "error offset %llu beyond the input (%zu bytes)",
                      (unsigned long long)err.offset, n);
    return d;
}

/* Walks the whole model, as a consumer would. */
static void walk(const struct gorca_dump *d)
{
    uint64_t sum = 0;

    for (size_t i = 0; i < d->n_groups; i++) {
        const struct gorca_dump_group *g = &d->groups[i];

        sum += g->count;
        for (uint32_t k = 0; k < g->stack->n_frames; k++)
            if (g->stack->frames[k]->func == NULL || g->stack->frames[k]->file == NULL)
                test_fail_msg(__FILE__, __LINE__, "frame without strings");
        if (g->members)
            for (uint64_t k = 0; k < g->count; k++)
                if (g->members[k]->group != g)
                    test_fail_msg(__FILE__, __LINE__, "member not linked to its group");
    }
    if (sum != d->n_goroutines)
        test_fail_msg(__FILE__, __LINE__, "group counts add up to %llu, not %llu",
                      (unsigned long long)sum, (unsigned long long)d->n_goroutines);
    for (size_t i = 0; i < d->n_listed; i++)
        if (gorca_dump_find(d, d->goroutines[i].id) == NULL)
            test_fail_msg(__FILE__, __LINE__, "goroutine %llu not found by id",
                          (unsigned long long)d->goroutines[i].id);
}

/* A prefix of a debug=2/crash dump keeps the goroutines before the cut, in order. */
static void check_prefix(const struct gorca_dump *full, const struct gorca_dump *part)
{
    if (full->format == GORCA_DUMP_DEBUG1 || part->n_listed > full->n_listed) {
        if (part->n_goroutines > full->n_goroutines)
            test_fail_msg(__FILE__, __LINE__, "a prefix has more goroutines than the whole");
        return;
    }
    for (size_t i = 0; i < part->n_listed; i++) {
        const struct gorca_goroutine *a = &full->goroutines[i], *b = &part->goroutines[i];

        if (a->id != b->id) {
            test_fail_msg(__FILE__, __LINE__, "goroutine %zu: id %llu, want %llu", i,
                          (unsigned long long)b->id, (unsigned long long)a->id);
            return;
        }
        /* all but the last kept goroutine are complete */
        if (i + 1 < part->n_listed && a->stack->n_frames != b->stack->n_frames)
            test_fail_msg(__FILE__, __LINE__, "goroutine %llu: %u frames, want %u",
                          (unsigned long long)a->id, b->stack->n_frames, a->stack->n_frames);
    }
}

/* Every prefix (every_byte), or the prefixes that end at, just before or just after every
 * 7th line boundary. */
static void prefixes(const struct fixture *f, int every_byte)
{
    enum gorca_status st;
    struct gorca_dump *full = parse(f->data, f->len, &st);
    size_t line = 0;

    if (full == NULL) {
        test_fail_msg(__FILE__, __LINE__, "%s does not parse", f->path);
        return;
    }
    for (size_t n = 0; n < f->len && !test_failed_now; n++) {
        struct gorca_dump *d;

        if (!every_byte) {
            int near = f->data[n] == '\n' || (n > 0 && f->data[n - 1] == '\n') ||
                       (n + 1 < f->len && f->data[n + 1] == '\n');

            if (n > 0 && f->data[n - 1] == '\n')
                line++;
            if (!near || line % 7 != 0)
                continue;
        }
        d = parse(f->data, n, &st);
        if (d) {
            walk(d);
            check_prefix(full, d);
            gorca_dump_free(d);
        }
        if (test_failed_now)
            fprintf(stderr, "  at prefix %zu of %s\n", n, f->path);
    }
    gorca_dump_free(full);
}

/* Files of the newest version whose every prefix is parsed (the others of that version are
 * near-duplicates: minutes, leak and SIGQUIT variants of the same zoo). */
static int every_byte_file(const char *path)
{
    static const char *const big[] = { "crash-sigquit.txt", "debug2-minutes.txt",
                                       "leak-debug2.txt" };

    if (strstr(path, newest) == NULL)
        return 0;
    for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++)
        if (strstr(path, big[i]))
            return 0;
    return 1;
}

TEST(truncated_prefixes)
{
    if (n_fx == 0)
        TEST_SKIP("no fixtures");
    for (int i = 0; i < n_fx && !test_failed_now; i++)
        prefixes(&fx[i], every_byte_file(fx[i].path));
}

/* xorshift: deterministic corruption positions and bytes */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

TEST(single_byte_corruptions)
{
    static const uint8_t interesting[] = { '\n', '\t', ' ', '[', ']', ':', '(',  ')', '+',
                                           '0',  'x',  '.', '#', '@', '"', '\\', 0,   0xff };

    if (n_fx == 0)
        TEST_SKIP("no fixtures");
    for (int i = 0; i < n_fx && !test_failed_now; i++) {
        uint8_t *copy = malloc(fx[i].len + 1);

        for (int k = 0; k < 300 && !test_failed_now; k++) {
            size_t pos = (size_t)(next_rand() % fx[i].len);
            uint8_t was;
            enum gorca_status st;
            struct gorca_dump *d;

            memcpy(copy, fx[i].data, fx[i].len);
            was = copy[pos];
            copy[pos] =
                (k & 1) ? interesting[next_rand() % sizeof(interesting)] : (uint8_t)next_rand();
            d = parse(copy, fx[i].len, &st);
            if (d) {
                walk(d);
                gorca_dump_free(d);
            }
            if (test_failed_now)
                fprintf(stderr, "  byte %zu (0x%02x -> 0x%02x) of %s\n", pos, was, copy[pos],
                        fx[i].path);
        }
        free(copy);
    }
}

/* Every allocation of a parse fails in turn: a clean GORCA_E_NOMEM, no leak (ASan). */
TEST(allocation_failures)
{
    const struct fixture *f = NULL;

    for (int i = 0; i < n_fx; i++)
        if (strstr(fx[i].path, "crash-deadlock.txt") && strstr(fx[i].path, newest))
            f = &fx[i];
    if (f == NULL)
        TEST_SKIP("no crash-deadlock.txt fixture");
    allow_nomem = 1;
    for (long k = 0;; k++) {
        enum gorca_status st;
        struct gorca_dump *d;

        base_fail_after(k);
        d = parse(f->data, f->len, &st);
        base_fail_after(-1);
        if (st == GORCA_OK) {
            ASSERT_TRUE(k > 10);
            gorca_dump_free(d);
            break;
        }
        ASSERT_EQ_INT(st, GORCA_E_NOMEM);
        ASSERT_TRUE(d == NULL);
        ASSERT_TRUE(k < 100000);
    }
    allow_nomem = 0;
}

TEST_MAIN({
    load_fixtures();
    RUN(truncated_prefixes);
    RUN(single_byte_corruptions);
    RUN(allocation_failures);
    for (int i = 0; i < n_fx; i++)
        free(fx[i].data);
})
