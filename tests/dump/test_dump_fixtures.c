/* Fixture tests of the goroutine-dump parser against real runtime output of Go 1.21-1.26
 * (testdata/dump/go1.XX, made by testdata/go/dumps/gen.sh) and the derived Go <= 1.20 forms
 * (testdata/dump/go1.20-derived). Where go tool pprof reads the form (debug=1 text) its
 * -raw output is the oracle; otherwise the tests assert what the fixture program was built to
 * show: the exact number of goroutines parked at each FACT: line of its source, with the
 * runtime's wait reason for that Go version. */
#include <dirent.h>
#include "test.h"
#include "gorca/dump.h"

/* ---- fixture helpers -------------------------------------------------------------------- */

#define MAX_VERSIONS 16

static char versions[MAX_VERSIONS][32];
static int n_versions;

/* GORCA_DUMP_DIR (relative to the repository) points the tests at freshly generated
 * fixtures (tests/dump/fresh.sh); default testdata/dump. */
static const char *dump_dir(void)
{
    const char *e = getenv("GORCA_DUMP_DIR");

    return e && e[0] ? e : "testdata/dump";
}

static void list_versions(void)
{
    DIR *d = opendir(test_repo_path(dump_dir()));
    struct dirent *e;

    n_versions = 0;
    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL && n_versions < MAX_VERSIONS)
        if (strncmp(e->d_name, "go1.", 4) == 0 && strlen(e->d_name) < 32)
            strcpy(versions[n_versions++], e->d_name);
    closedir(d);
    /* sort for stable messages */
    for (int i = 1; i < n_versions; i++)
        for (int j = i; j > 0 && strcmp(versions[j - 1], versions[j]) > 0; j--) {
            char t[32];

            strcpy(t, versions[j]);
            strcpy(versions[j], versions[j - 1]);
            strcpy(versions[j - 1], t);
        }
}

/* Minor version of a "go1.NN" or "go1.NN-derived" directory. */
static int minor_of(const char *v)
{
    return atoi(v + 4);
}

static const char *fixture(const char *v, const char *file)
{
    static char buf[4096];

    snprintf(buf, sizeof(buf), "%s", test_repo_path(dump_dir()));
    snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "/%s/%s", v, file);
    return buf;
}

static struct gorca_dump *load(const char *path, enum gorca_status want)
{
    struct gorca_error err;
    struct gorca_dump *d = NULL;
    enum gorca_status st;
    char msg[512];

    gorca_error_init(&err, path);
    st = gorca_dump_load(path, NULL, &d, &err);
    if (st != want) {
        gorca_error_format(&err, msg, sizeof(msg));
        test_fail_msg(__FILE__, __LINE__, "%s: status %s, want %s: %s", path, gorca_status_name(st),
                      gorca_status_name(want), msg);
        gorca_dump_free(d);
        return NULL;
    }
    return d;
}

struct facts {
    char names[96][32];
    char file[96][64];
    uint32_t line[96];
    int n;
    char cname[32][32];
    long count[32];
    int nc;
};

static int load_facts(const char *v, struct facts *f)
{
    FILE *fp = fopen(fixture(v, "facts.txt"), "r");
    char buf[512];

    memset(f, 0, sizeof(*f));
    if (fp == NULL)
        return -1;
    while (fgets(buf, sizeof(buf), fp)) {
        char a[64], b[128];
        long n;

        if (sscanf(buf, "line %63s %127s", a, b) == 2 && f->n < 96) {
            char *colon = strrchr(b, ':');

            if (colon == NULL)
                continue;
            *colon = '\0';
            snprintf(f->names[f->n], 32, "%.31s", a);
            snprintf(f->file[f->n], 64, "%.63s", b);
            f->line[f->n] = (uint32_t)atoi(colon + 1);
            f->n++;
        } else if (sscanf(buf, "count %63s %ld", a, &n) == 2 && f->nc < 32) {
            snprintf(f->cname[f->nc], 32, "%.31s", a);
            f->count[f->nc++] = n;
        }
    }
    fclose(fp);
    return 0;
}

static int fact_line(const struct facts *f, const char *name, const char **file, uint32_t *line)
{
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->names[i], name) == 0) {
            *file = f->file[i];
            *line = f->line[i];
            return 0;
        }
    return -1;
}

static long fact_count(const struct facts *f, const char *name)
{
    for (int i = 0; i < f->nc; i++)
        if (strcmp(f->cname[i], name) == 0)
            return f->count[i];
    return -1;
}

/* Text fixtures say /app/main.go; the proto keeps the build machine's path, so a file also
 * matches when it ends with the part after "/app". */
static int same_file(const char *got, const char *fact)
{
    size_t g = strlen(got), k;

    if (strcmp(got, fact) == 0)
        return 1;
    if (strncmp(fact, "/app/", 5) != 0)
        return 0;
    k = strlen(fact + 4);
    return g > k && strcmp(got + g - k, fact + 4) == 0;
}

static int stack_has(const struct gorca_dump_stack *st, const char *file, uint32_t line)
{
    for (uint32_t i = 0; i < st->n_frames; i++)
        if (st->frames[i]->kind == GORCA_FRAME_GO && st->frames[i]->line == line &&
            same_file(st->frames[i]->file, file))
            return 1;
    return 0;
}

/* Goroutines whose stack passes through the FACT line (name may list alternatives "a|b":
 * Go versions disagree whether a parked select reports its "select {" or its case line),
 * and the first such group. */
static uint64_t at_fact(const struct gorca_dump *d, const struct facts *f, const char *name,
                        const struct gorca_dump_group **first, int *n_groups)
{
    const char *file[4];
    uint32_t line[4];
    int nalt = 0;
    uint64_t n = 0;
    char buf[128];
    char *save = NULL;

    *first = NULL;
    *n_groups = 0;
    snprintf(buf, sizeof(buf), "%s", name);
    for (char *alt = strtok_r(buf, "|", &save); alt && nalt < 4; alt = strtok_r(NULL, "|", &save))
        if (fact_line(f, alt, &file[nalt], &line[nalt]) == 0)
            nalt++;
    for (size_t i = 0; i < d->n_groups; i++) {
        int hit = 0;

        for (int k = 0; k < nalt; k++)
            hit |= stack_has(d->groups[i].stack, file[k], line[k]);
        if (!hit)
            continue;
        if (*first == NULL)
            *first = &d->groups[i];
        (*n_groups)++;
        n += d->groups[i].count;
    }
    return n;
}

static char where_buf[256];
static const char *where(const char *v, const char *file, const char *fact)
{
    snprintf(where_buf, sizeof(where_buf), "%.40s/%.40s at FACT:%.40s", v, file, fact);
    return where_buf;
}

#define EXPECT_AT(d, f, v, file, fact, want_n, want_reason, want_class)    \
    do {                                                                   \
        const struct gorca_dump_group *g_;                                 \
        int ng_;                                                           \
        uint64_t n_ = at_fact((d), (f), (fact), &g_, &ng_);                \
        test_name_now = where((v), (file), (fact));                        \
        ASSERT_EQ_U64(n_, (uint64_t)(want_n));                             \
        ASSERT_TRUE(g_ != NULL);                                           \
        if ((want_reason) != NULL)                                         \
            ASSERT_STREQ(g_->reason, (const char *)(want_reason));         \
        ASSERT_STREQ(gorca_wait_class_name(g_->wait_class), (want_class)); \
    } while (0)

enum zoo_mode { ZOO_DEBUG2, ZOO_DEBUG1, ZOO_PROTO };

/* The zoo every serve/panic/sigquit run parks, with the runtime's reason for version minor
 * (debug=2), or the reason inferred from frames (debug=1 hides the runtime frames; the proto
 * has them all but cannot tell a nil channel). */
static void check_zoo(const struct gorca_dump *d, const struct facts *f, const char *v,
                      const char *file, enum zoo_mode mode)
{
    int minor = minor_of(v);
    const char *wg = minor >= 24 ? "sync.WaitGroup.Wait" : "semacquire";
    const char *lock = minor >= 20 ? "sync.Mutex.Lock" : "semacquire";
    const char *rlock = minor >= 20 ? "sync.RWMutex.RLock" : "semacquire";
    const char *wlock = minor >= 20 ? "sync.RWMutex.Lock" : "semacquire";
    const char *recv = "chan receive", *send = "chan send", *nilrecv = "chan receive (nil chan)";
    const char *nocases = "select (no cases)";

    if (mode != ZOO_DEBUG2) { /* from frames: the mutex reasons exist for every version */
        lock = "sync.Mutex.Lock";
        rlock = "sync.RWMutex.RLock";
        wlock = "sync.RWMutex.Lock";
        nilrecv = "chan receive";
    }
    if (mode == ZOO_DEBUG1) {
        recv = send = nilrecv = "chan send/receive";
        nocases = "select";
    }
    EXPECT_AT(d, f, v, file, "mutex", fact_count(f, "nMutex"), lock, "sync");
    EXPECT_AT(d, f, v, file, "rwmutex-rlock", fact_count(f, "nRLock"), rlock, "sync");
    EXPECT_AT(d, f, v, file, "rwmutex-lock", fact_count(f, "nRWLock"), wlock, "sync");
    EXPECT_AT(d, f, v, file, "generic-recv", fact_count(f, "nRecv"), recv, "channel");
    EXPECT_AT(d, f, v, file, "chan-send", fact_count(f, "nSend"), send, "channel");
    EXPECT_AT(d, f, v, file, "nil-recv", fact_count(f, "nNilRecv"), nilrecv, "channel");
    EXPECT_AT(d, f, v, file, "select|select-stmt", fact_count(f, "nSelect"), "select", "select");
    EXPECT_AT(d, f, v, file, "select-no-cases", fact_count(f, "nNoCases"), nocases, "select");
    EXPECT_AT(d, f, v, file, "cond", fact_count(f, "nCond"), "sync.Cond.Wait", "sync");
    EXPECT_AT(d, f, v, file, "waitgroup", fact_count(f, "nWaitGrp"), wg, "sync");
    EXPECT_AT(d, f, v, file, "sleep", fact_count(f, "nSleep"), "sleep", "sleep");
    EXPECT_AT(d, f, v, file, "net-read", fact_count(f, "nNetRead"), "IO wait", "network");
    EXPECT_AT(d, f, v, file, "net-accept", 1, "IO wait", "network");
    EXPECT_AT(d, f, v, file, "pipe-read", 1, "IO wait", "syscall");
    EXPECT_AT(d, f, v, file, "syscall-read", 1, "syscall", "syscall");
    EXPECT_AT(d, f, v, file, "locked", 1, recv, "channel");
    EXPECT_AT(d, f, v, file, "labels", fact_count(f, "nLabeled"), recv, "channel");
    EXPECT_AT(d, f, v, file, "leak", 1, recv, "channel");
    if (minor >= 23)
        EXPECT_AT(d, f, v, file, "coroutine", 1, "coroutine", "other");
}

/* ---- debug=2 ------------------------------------------------------------------------------*/

TEST(debug2_zoo)
{
    int checked = 0;

    for (int i = 0; i < n_versions; i++) {
        const char *v = versions[i];
        struct facts f;
        struct gorca_dump *d;
        const struct gorca_dump_group *g;
        int ng;

        if (load_facts(v, &f) != 0)
            continue;
        d = load(fixture(v, "debug2.txt"), GORCA_OK);
        if (d == NULL)
            return;
        test_name_now = v;
        ASSERT_EQ_INT(d->format, GORCA_DUMP_DEBUG2);
        ASSERT_EQ_U64(d->n_goroutines, d->n_listed);
        check_zoo(d, &f, v, "debug2.txt", ZOO_DEBUG2);
        if (test_failed_now) {
            gorca_dump_free(d);
            return;
        }
        /* the inlined generic frame prints "(...)" without an offset */
        at_fact(d, &f, "generic-recv", &g, &ng);
        ASSERT_TRUE(g != NULL);
        ASSERT_STREQ(g->stack->frames[0]->func, "main.waitOn[...]");
        ASSERT_EQ_INT(g->stack->frames[0]->inlined, 1);
        ASSERT_EQ_INT(g->stack->frames[0]->has_offset, 0);
        ASSERT_EQ_INT(g->n_locked, 0);
        at_fact(d, &f, "locked", &g, &ng);
        ASSERT_EQ_INT(g->n_locked, 1);
        ASSERT_TRUE((g->members[0]->flags & GORCA_G_LOCKED) != 0);
        /* generic method of a generic type */
        at_fact(d, &f, "select|select-stmt", &g, &ng);
        ASSERT_STREQ(g->stack->frames[0]->func, "main.(*box[...]).waitSelect");
        /* created by main.buildZoo in goroutine 1, for every member */
        at_fact(d, &f, "mutex", &g, &ng);
        ASSERT_TRUE(g->created_by != NULL);
        ASSERT_STREQ(g->created_by->func, "main.buildZoo");
        ASSERT_EQ_U64(g->created_by_count, g->count);
        /* "in goroutine 1" exists since Go 1.21 */
        ASSERT_EQ_U64(g->created_by_parent, minor_of(v) >= 21 ? 1 : 0);
        for (uint64_t k = 0; k < g->count; k++) {
            ASSERT_EQ_U64(g->members[k]->parent_id, minor_of(v) >= 21 ? 1 : 0);
            ASSERT_TRUE(g->members[k]->parent ==
                        (minor_of(v) >= 21 ? gorca_dump_find(d, 1) : NULL));
            ASSERT_TRUE(k == 0 || g->members[k]->id > g->members[k - 1]->id);
            ASSERT_TRUE(g->members[k]->group == g);
        }
        /* 110 recursive calls + the leaf = 111 frames: 50 + "...11 frames elided..." + 50;
         * before Go 1.21: 100 + "...additional frames elided..." */
        at_fact(d, &f, "recurse-leaf", &g, &ng);
        ASSERT_TRUE(g != NULL);
        ASSERT_EQ_U64(g->stack->n_frames, 101);
        if (minor_of(v) >= 21) {
            ASSERT_EQ_INT(g->stack->frames[50]->kind, GORCA_FRAME_ELIDED);
            ASSERT_EQ_U64(g->stack->frames[50]->elided, fact_count(&f, "recursion") + 1 - 100);
        } else {
            ASSERT_EQ_INT(g->stack->frames[100]->kind, GORCA_FRAME_ELIDED);
            ASSERT_EQ_U64(g->stack->frames[100]->elided, 0);
        }
        /* the goroutine serving the request is the first block and is running */
        ASSERT_STREQ(d->goroutines[0].reason, "running");
        ASSERT_EQ_U64(d->class_totals[GORCA_WAIT_RUNNING], 1);
        gorca_dump_free(d);
        checked++;
    }
    test_name_now = "debug2_zoo";
    if (checked == 0)
        TEST_SKIP("no fixtures under testdata/dump");
}

TEST(debug2_spawn_tree)
{
    for (int i = 0; i < n_versions; i++) {
        const char *v = versions[i];
        struct facts f;
        struct gorca_dump *d;
        const struct gorca_dump_group *g;
        const struct gorca_goroutine *leaf, *p;
        uint64_t total = 0;
        int ng;

        if (load_facts(v, &f) != 0 || minor_of(v) < 21)
            continue;
        d = load(fixture(v, "debug2.txt"), GORCA_OK);
        if (d == NULL)
            return;
        test_name_now = v;
        /* spawnChain(3) -> (2) -> (1, exits) -> (0, parked at ancestor-leaf) */
        at_fact(d, &f, "ancestor-leaf", &g, &ng);
        ASSERT_TRUE(g != NULL && g->count == 1);
        leaf = g->members[0];
        ASSERT_TRUE(leaf->flags & GORCA_G_PARENT_KNOWN);
        ASSERT_TRUE(leaf->parent == NULL); /* its parent exited */
        ASSERT_TRUE(gorca_dump_find(d, leaf->parent_id) == NULL);
        ASSERT_STREQ(leaf->created_by->func, "main.spawnChain");
        /* goroutine 1 has no "created by"; everything else reachable from a root */
        p = gorca_dump_find(d, 1);
        ASSERT_TRUE(p != NULL && p->created_by == NULL);
        for (const struct gorca_goroutine *c = p->first_child; c; c = c->next_sibling) {
            ASSERT_TRUE(c->parent == p);
            ASSERT_TRUE(c->next_sibling == NULL || c->next_sibling->id > c->id);
            total++;
        }
        ASSERT_TRUE(total >= 40);
        /* creation sites: main.buildZoo created most live goroutines */
        ASSERT_TRUE(d->n_creators > 0);
        ASSERT_STREQ(d->creators[0].site->func, "main.buildZoo");
        ASSERT_EQ_U64(d->creators[0].n_parents, 1);
        ASSERT_EQ_U64(d->creators[0].top_group->count, fact_count(&f, "nMutex"));
        gorca_dump_free(d);
    }
    test_name_now = "debug2_spawn_tree";
}

TEST(debug2_minutes)
{
    int checked = 0;

    for (int i = 0; i < n_versions; i++) {
        const char *v = versions[i];
        struct facts f;
        struct gorca_dump *d;
        const struct gorca_dump_group *g;
        int ng;

        if (load_facts(v, &f) != 0 || !test_file_exists(fixture(v, "debug2-minutes.txt")))
            continue;
        d = load(fixture(v, "debug2-minutes.txt"), GORCA_OK);
        if (d == NULL)
            return;
        check_zoo(d, &f, v, "debug2-minutes.txt", ZOO_DEBUG2);
        test_name_now = v;
        at_fact(d, &f, "mutex", &g, &ng);
        ASSERT_TRUE(g->max_wait_minutes >= 1);
        for (uint64_t k = 0; k < g->count; k++)
            ASSERT_TRUE(g->members[k]->wait_minutes >= 1);
        /* ", 1 minutes, locked to thread" */
        at_fact(d, &f, "locked", &g, &ng);
        ASSERT_TRUE(g->members[0]->wait_minutes >= 1);
        ASSERT_TRUE(g->members[0]->flags & GORCA_G_LOCKED);
        /* minutes do not split groups: one group per site */
        at_fact(d, &f, "sleep", &g, &ng);
        ASSERT_EQ_INT(ng, 1);
        gorca_dump_free(d);
        checked++;
    }
    test_name_now = "debug2_minutes";
    if (checked == 0)
        TEST_SKIP("no debug2-minutes.txt fixture");
}

TEST(ancestors)
{
    for (int i = 0; i < n_versions; i++) {
        const char *v = versions[i];
        struct facts f;
        struct gorca_dump *d;
        const struct gorca_dump_group *g;
        const struct gorca_goroutine *leaf, *deep;
        const struct gorca_dump_ancestor *a;
        int ng;

        if (load_facts(v, &f) != 0 || !test_file_exists(fixture(v, "ancestors.txt")))
            continue;
        d = load(fixture(v, "ancestors.txt"), GORCA_OK);
        if (d == NULL)
            return;
        test_name_now = v;
        at_fact(d, &f, "ancestor-leaf", &g, &ng);
        ASSERT_TRUE(g != NULL);
        leaf = g->members[0];
        /* GODEBUG=tracebackancestors=3: parent, grandparent, great-grandparent */
        ASSERT_EQ_U64(leaf->n_ancestors, 3);
        a = leaf->ancestors;
        ASSERT_EQ_U64(a[0].id, leaf->parent_id);
        ASSERT_TRUE(a[0].stack->n_frames >= 1);
        ASSERT_STREQ(a[0].stack->frames[0]->func, "main.spawnChain");
        ASSERT_EQ_INT(a[0].stack->frames[0]->inlined, 0); /* "(...)" but with +0x */
        ASSERT_TRUE(a[0].created_by != NULL);
        ASSERT_STREQ(a[0].created_by->func, "main.spawnChain");
        ASSERT_STREQ(a[2].created_by->func, "main.ancestors");
        /* the child started at depth 60: its parent's stack ends in
         * "...additional frames elided..." */
        at_fact(d, &f, "deep-child", &g, &ng);
        ASSERT_TRUE(g != NULL);
        deep = g->members[0];
        ASSERT_TRUE(deep->n_ancestors >= 1);
        a = &deep->ancestors[0];
        ASSERT_EQ_INT(a->stack->frames[a->stack->n_frames - 1]->kind, GORCA_FRAME_ELIDED);
        ASSERT_EQ_U64(a->stack->frames[a->stack->n_frames - 1]->elided, 0);
        ASSERT_TRUE(deep->parent != NULL);
        ASSERT_EQ_U64(deep->parent->id, deep->parent_id);
        gorca_dump_free(d);
    }
    test_name_now = "ancestors";
}

/* ---- debug=1 ------------------------------------------------------------------------------*/

/* "Samples:" of go tool pprof -raw: the count and location count of each sample, in order. */
static int read_raw_samples(const char *path, uint64_t *counts, uint32_t *nlocs, int max)
{
    FILE *fp = fopen(path, "r");
    char line[8192];
    int n = 0, in = 0;

    if (fp == NULL)
        return -1;
    while (fgets(line, sizeof(line), fp)) {
        unsigned long long c;
        char *p;

        if (strncmp(line, "Samples:", 8) == 0) {
            in = 1;
            continue;
        }
        if (strncmp(line, "Locations", 9) == 0)
            break;
        if (!in || sscanf(line, " %llu:", &c) != 1 || n >= max)
            continue;
        counts[n] = c;
        nlocs[n] = 0;
        p = strchr(line, ':') + 1;
        for (;;) {
            while (*p == ' ')
                p++;
            if (*p < '0' || *p > '9')
                break;
            nlocs[n]++;
            while (*p >= '0' && *p <= '9')
                p++;
        }
        n++;
    }
    fclose(fp);
    return n;
}

TEST(debug1_vs_pprof_raw)
{
    static const char *const files[][2] = {
        { "debug1.txt", "debug1.pprof-raw.txt" },
        { "threadcreate1.txt", "threadcreate1.pprof-raw.txt" },
    };
    int checked = 0;

    for (int i = 0; i < n_versions; i++) {
        for (size_t k = 0; k < 2; k++) {
            const char *v = versions[i];
            uint64_t counts[512], sum = 0;
            uint32_t nlocs[512];
            char raw[4096];
            struct gorca_dump *d;
            int n;

            snprintf(raw, sizeof(raw), "%s", fixture(v, files[k][1]));
            n = read_raw_samples(raw, counts, nlocs, 512);
            if (n < 0)
                continue;
            d = load(fixture(v, files[k][0]), GORCA_OK);
            if (d == NULL)
                return;
            test_name_now = raw;
            ASSERT_EQ_INT(d->format, GORCA_DUMP_DEBUG1);
            ASSERT_EQ_U64(d->n_groups, (uint64_t)n);
            for (int j = 0; j < n; j++) {
                ASSERT_EQ_U64(d->groups[j].count, counts[j]);
                ASSERT_EQ_U64(d->groups[j].n_pcs, nlocs[j]);
                sum += counts[j];
            }
            ASSERT_EQ_U64(d->n_goroutines, sum);
            ASSERT_EQ_U64(d->header_total, sum);
            gorca_dump_free(d);
            checked++;
        }
    }
    test_name_now = "debug1_vs_pprof_raw";
    if (checked == 0)
        TEST_SKIP("no pprof -raw oracle files");
}

TEST(debug1_zoo_and_labels)
{
    for (int i = 0; i < n_versions; i++) {
        const char *v = versions[i];
        struct facts f;
        struct gorca_dump *d;
        int labeled = 0;

        if (load_facts(v, &f) != 0 || !test_file_exists(fixture(v, "debug1.txt")))
            continue;
        d = load(fixture(v, "debug1.txt"), GORCA_OK);
        if (d == NULL)
            return;
        ASSERT_STREQ(d->profile_name, "goroutine");
        check_zoo(d, &f, v, "debug1.txt", ZOO_DEBUG1);
        test_name_now = v;
        for (size_t k = 0; k < d->n_groups; k++) {
            const struct gorca_dump_group *g = &d->groups[k];

            ASSERT_EQ_INT(g->reason_inferred, 1);
            if (g->n_labels == 0)
                continue;
            labeled++;
            ASSERT_EQ_U64(g->n_labels, 2);
            ASSERT_STREQ(g->labels[0].key, "req");
            ASSERT_TRUE(strcmp(g->labels[0].value, "42") == 0 ||
                        strcmp(g->labels[0].value, "43") == 0);
            ASSERT_STREQ(g->labels[1].key, "who");
            ASSERT_STREQ(g->labels[1].value, "a\tb\"c\\ \xc3\xbc");
        }
        ASSERT_EQ_INT(labeled, fact_count(&f, "nLabeled"));
        ASSERT_EQ_INT(d->has_labels, 1);
        gorca_dump_free(d);
    }
    test_name_now = "debug1_zoo_and_labels";
}

/* debug=1 infers wait classes from frames; debug=2 prints them. Taken from one quiescent
 * program, matching groups must agree on counts and on the class. */
TEST(debug1_agrees_with_debug2)
{
    for (int i = 0; i < n_versions; i++) {
        const char *v = versions[i];
        struct gorca_dump *d1, *d2;
        struct gorca_dump_diff *diff = NULL;
        struct gorca_error err;
        size_t matched = 0;

        if (!test_file_exists(fixture(v, "debug1.txt")) || strstr(v, "derived"))
            continue;
        d1 = load(fixture(v, "debug1.txt"), GORCA_OK);
        d2 = load(fixture(v, "debug2.txt"), GORCA_OK);
        gorca_error_init(&err, NULL);
        if (d1 && d2)
            ASSERT_EQ_INT(gorca_dump_compare(d1, d2, &diff, &err), GORCA_OK);
        test_name_now = v;
        for (size_t k = 0; diff && k < diff->n_deltas; k++) {
            const struct gorca_dump_delta *x = &diff->deltas[k];
            int is_main = 0;

            if (x->old_group == NULL || x->new_group == NULL)
                continue;
            for (uint32_t j = 0; j < x->new_group->stack->n_frames; j++)
                if (strncmp(x->new_group->stack->frames[j]->func, "main.", 5) == 0)
                    is_main = 1;
            if (!is_main)
                continue; /* net/http's own goroutines change between the two requests */
            matched++;
            ASSERT_EQ_INT(x->delta, 0);
            if (x->new_group->wait_class != x->old_group->wait_class)
                test_fail_msg(__FILE__, __LINE__, "%s: debug1 infers '%s' (%s), debug2 says '%s'",
                              x->new_group->stack->frames[0]->func, x->old_group->reason,
                              gorca_wait_class_name(x->old_group->wait_class),
                              x->new_group->reason);
        }
        ASSERT_TRUE(matched >= 18);
        gorca_dump_diff_free(diff);
        gorca_dump_free(d1);
        gorca_dump_free(d2);
        if (test_failed_now)
            return;
    }
    test_name_now = "debug1_agrees_with_debug2";
}

static int pair_cmp(const void *a, const void *b)
{
    const uint64_t *x = a, *y = b;

    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    return x[1] < y[1] ? -1 : x[1] > y[1];
}

/* The goroutine protobuf profile, decoded by pprof's decoder and mapped to the dump model:
 * go tool pprof -raw of the same file is the oracle for counts, stack lengths and labels. */
TEST(proto_vs_pprof_raw)
{
    int checked = 0;

    for (int i = 0; i < n_versions; i++) {
        const char *v = versions[i];
        uint64_t counts[512], pairs[512][2], mine[512][2];
        uint32_t nlocs[512];
        char raw[4096];
        struct facts f;
        struct gorca_dump *d;
        int n, labeled = 0;

        snprintf(raw, sizeof(raw), "%s", fixture(v, "goroutine.pprof-raw.txt"));
        n = read_raw_samples(raw, counts, nlocs, 512);
        if (n < 0 || load_facts(v, &f) != 0)
            continue;
        d = load(fixture(v, "goroutine.pb.gz"), GORCA_OK);
        if (d == NULL)
            return;
        test_name_now = raw;
        ASSERT_EQ_INT(d->format, GORCA_DUMP_PROTO);
        ASSERT_STREQ(d->profile_name, "goroutine");
        ASSERT_EQ_U64(d->n_groups, (uint64_t)n);
        for (int j = 0; j < n; j++) {
            pairs[j][0] = counts[j];
            pairs[j][1] = nlocs[j];
            mine[j][0] = d->groups[j].count;
            mine[j][1] = d->groups[j].n_pcs;
            labeled += d->groups[j].n_labels > 0;
        }
        qsort(pairs, (size_t)n, sizeof(pairs[0]), pair_cmp);
        qsort(mine, (size_t)n, sizeof(mine[0]), pair_cmp);
        for (int j = 0; j < n; j++) {
            ASSERT_EQ_U64(mine[j][0], pairs[j][0]);
            ASSERT_EQ_U64(mine[j][1], pairs[j][1]);
        }
        ASSERT_EQ_INT(labeled, fact_count(&f, "nLabeled"));
        check_zoo(d, &f, v, "goroutine.pb.gz", ZOO_PROTO);
        test_name_now = raw;
        /* generic frames print as in tracebacks; inlined callers are marked */
        {
            const struct gorca_dump_group *g;
            int ng, inl = 0;

            at_fact(d, &f, "generic-recv", &g, &ng);
            ASSERT_TRUE(g != NULL);
            for (uint32_t k = 0; k < g->stack->n_frames; k++) {
                if (strcmp(g->stack->frames[k]->func, "main.waitOn[...]") == 0)
                    inl = g->stack->frames[k]->inlined;
            }
            ASSERT_EQ_INT(inl, 1);
        }
        gorca_dump_free(d);
        checked++;
        if (test_failed_now)
            return;
    }
    test_name_now = "proto_vs_pprof_raw";
    if (checked == 0)
        TEST_SKIP("no goroutine.pb.gz fixtures");
}

TEST(threadcreate)
{
    for (int i = 0; i < n_versions; i++) {
        struct gorca_dump *d;

        if (!test_file_exists(fixture(versions[i], "threadcreate1.txt")))
            continue;
        d = load(fixture(versions[i], "threadcreate1.txt"), GORCA_OK);
        if (d == NULL)
            return;
        ASSERT_STREQ(d->profile_name, "threadcreate");
        ASSERT_EQ_U64(d->n_goroutines, d->header_total);
        ASSERT_TRUE(d->n_groups >= 1);
        gorca_dump_free(d);
    }
}

/* ---- crashes ------------------------------------------------------------------------------*/

static const struct gorca_dump_frame *first_frame_of(const struct gorca_goroutine *g,
                                                     const char *func)
{
    for (uint32_t i = 0; i < g->stack->n_frames; i++)
        if (strcmp(g->stack->frames[i]->func, func) == 0)
            return g->stack->frames[i];
    return NULL;
}

TEST(crash_panic)
{
    for (int i = 0; i < n_versions; i++) {
        const char *v = versions[i];
        struct facts f;
        struct gorca_dump *d;
        const char *file = "";
        uint32_t line = 0;

        if (load_facts(v, &f) != 0 || !test_file_exists(fixture(v, "crash-panic.txt")))
            continue;
        d = load(fixture(v, "crash-panic.txt"), GORCA_OK);
        if (d == NULL)
            return;
        test_name_now = v;
        ASSERT_EQ_INT(d->format, GORCA_DUMP_CRASH);
        ASSERT_STREQ(d->crash.panic, "zoo failed:\nsecond line of the message");
        ASSERT_EQ_U64(d->crash.n_panics, 1);
        ASSERT_TRUE(d->crash.fatal == NULL);
        ASSERT_EQ_U64(d->n_skipped_lines, 0);
        ASSERT_EQ_U64(d->crash.first_goroutine, 1);
        ASSERT_STREQ(d->goroutines[0].reason, "running");
        fact_line(&f, "panic", &file, &line);
        ASSERT_TRUE(stack_has(d->goroutines[0].stack, file, line));
        check_zoo(d, &f, v, "crash-panic.txt", ZOO_DEBUG2);
        gorca_dump_free(d);
        if (test_failed_now)
            return;
    }
    test_name_now = "crash_panic";
}

TEST(crash_small)
{
    for (int i = 0; i < n_versions; i++) {
        const char *v = versions[i];
        int minor = minor_of(v);
        struct facts f;
        struct gorca_dump *d;
        const struct gorca_dump_frame *fr;
        const char *file = "";
        uint32_t line = 0;

        if (load_facts(v, &f) != 0)
            continue;
        test_name_now = v;
        if (test_file_exists(fixture(v, "crash-nilderef.txt"))) {
            if ((d = load(fixture(v, "crash-nilderef.txt"), GORCA_OK)) == NULL)
                return;
            ASSERT_STREQ(d->crash.panic,
                         "runtime error: invalid memory address or nil pointer dereference");
            ASSERT_TRUE(strncmp(d->crash.signal, "signal SIGSEGV: segmentation violation", 38) ==
                        0);
            fact_line(&f, "nil-deref", &file, &line);
            fr = first_frame_of(&d->goroutines[0], "main.deref");
            ASSERT_TRUE(fr != NULL && fr->line == line);
            gorca_dump_free(d);
        }

        if (test_file_exists(fixture(v, "crash-autogen.txt"))) {
            if ((d = load(fixture(v, "crash-autogen.txt"), GORCA_OK)) == NULL)
                return;
            ASSERT_STREQ(d->crash.panic, "value method main.T.Get called using nil *T pointer");
            fr = first_frame_of(&d->goroutines[0], "main.(*T).Get");
            ASSERT_TRUE(fr != NULL);
            ASSERT_STREQ(fr->file, "<autogenerated>");
            ASSERT_EQ_U64(fr->line, 1);
            gorca_dump_free(d);
        }

        if (test_file_exists(fixture(v, "crash-repanic.txt"))) {
            if ((d = load(fixture(v, "crash-repanic.txt"), GORCA_OK)) == NULL)
                return;
            ASSERT_EQ_U64(d->crash.n_panics, 2);
            ASSERT_EQ_INT(d->crash.recovered, 1);
            ASSERT_STREQ(d->crash.panic, "again: first");
            ASSERT_TRUE(first_frame_of(&d->goroutines[0], "panic") != NULL);
            gorca_dump_free(d);
        }

        if (test_file_exists(fixture(v, "crash-repanic-same.txt"))) {
            if ((d = load(fixture(v, "crash-repanic-same.txt"), GORCA_OK)) == NULL)
                return;
            ASSERT_EQ_U64(d->crash.n_panics, minor >= 25 ? 1 : 2);
            ASSERT_EQ_INT(d->crash.repanicked, minor >= 25);
            ASSERT_EQ_INT(d->crash.recovered, 1);
            ASSERT_TRUE(strncmp(d->crash.panic, "(main.T) 0x", 11) == 0);
            gorca_dump_free(d);
        }

        if (test_file_exists(fixture(v, "crash-deadlock.txt"))) {
            if ((d = load(fixture(v, "crash-deadlock.txt"), GORCA_OK)) == NULL)
                return;
            ASSERT_STREQ(d->crash.fatal, "all goroutines are asleep - deadlock!");
            EXPECT_AT(d, &f, v, "crash-deadlock.txt", "deadlock-mutex", 3,
                      minor >= 20 ? "sync.Mutex.Lock" : "semacquire", "sync");
            EXPECT_AT(d, &f, v, "crash-deadlock.txt", "deadlock-main", 1, "chan receive",
                      "channel");
            gorca_dump_free(d);
        }

        if (test_file_exists(fixture(v, "crash-mapwrites.txt"))) {
            if ((d = load(fixture(v, "crash-mapwrites.txt"), GORCA_OK)) == NULL)
                return;
            ASSERT_STREQ(d->crash.fatal, "concurrent map writes");
            fact_line(&f, "map-write", &file, &line);
            ASSERT_TRUE(stack_has(d->goroutines[0].stack, file, line));
            gorca_dump_free(d);
        }
        if (test_failed_now)
            return;
    }
    test_name_now = "crash_small";
}

TEST(crash_sigquit)
{
    for (int i = 0; i < n_versions; i++) {
        const char *v = versions[i];
        struct facts f;
        struct gorca_dump *d;

        if (load_facts(v, &f) != 0 || !test_file_exists(fixture(v, "crash-sigquit.txt")))
            continue;
        if ((d = load(fixture(v, "crash-sigquit.txt"), GORCA_OK)) == NULL)
            return;
        test_name_now = v;
        ASSERT_STREQ(d->crash.signal, "SIGQUIT: quit");
        ASSERT_EQ_INT(d->crash.has_registers, 1);
        ASSERT_EQ_U64(d->n_skipped_lines, 0);
        /* system goroutines: GC workers, sweeper, scavenger, finalizer */
        ASSERT_TRUE(d->class_totals[GORCA_WAIT_GC] >= 4);
        for (size_t k = 0; k < d->n_listed; k++) {
            const struct gorca_goroutine *g = &d->goroutines[k];

            /* GOTRACEBACK=system: gp=/m= headers from Go 1.22, fp/sp/pc on every frame */
            ASSERT_EQ_INT((g->flags & GORCA_G_HAS_GP) != 0, minor_of(v) >= 22);
            if (g->stack->n_frames > 0 && !g->stack->frames[0]->inlined)
                ASSERT_TRUE(g->stack->frames[0]->pc != 0);
        }
        check_zoo(d, &f, v, "crash-sigquit.txt", ZOO_DEBUG2);
        gorca_dump_free(d);
        if (test_failed_now)
            return;
    }
    test_name_now = "crash_sigquit";
}

TEST(crash_overflow)
{
    for (int i = 0; i < n_versions; i++) {
        const char *v = versions[i];
        struct facts f;
        struct gorca_dump *d;
        const struct gorca_goroutine *g;
        const char *file = "";
        uint32_t line = 0;
        int elided = 0;

        if (load_facts(v, &f) != 0 || !test_file_exists(fixture(v, "crash-overflow.txt")))
            continue;
        if ((d = load(fixture(v, "crash-overflow.txt"), GORCA_OK)) == NULL)
            return;
        test_name_now = v;
        ASSERT_STREQ(d->crash.fatal, "stack overflow");
        ASSERT_TRUE(d->crash.runtime_msgs != NULL &&
                    strstr(d->crash.runtime_msgs, "goroutine stack exceeds 65536-byte limit"));
        ASSERT_TRUE(d->crash.runtime_stack != NULL && d->crash.runtime_stack->n_frames >= 2);
        ASSERT_STREQ(d->crash.runtime_stack->frames[0]->func, "runtime.throw");
        g = &d->goroutines[0];
        ASSERT_EQ_U64(g->id, d->crash.first_goroutine);
        fact_line(&f, "overflow", &file, &line);
        ASSERT_TRUE(stack_has(g->stack, file, line));
        for (uint32_t k = 0; k < g->stack->n_frames; k++)
            if (g->stack->frames[k]->kind == GORCA_FRAME_ELIDED)
                elided = 1;
        ASSERT_EQ_INT(elided, 1);
        ASSERT_EQ_INT((g->flags & GORCA_G_HAS_GP) != 0, minor_of(v) >= 22);
        gorca_dump_free(d);
    }
    test_name_now = "crash_overflow";
}

/* ---- synctest and the leak detector -------------------------------------------------------*/

TEST(synctest_bubbles)
{
    int checked = 0;

    for (int i = 0; i < n_versions; i++) {
        const char *v = versions[i];
        struct facts f;
        struct gorca_dump *d;
        const struct gorca_dump_group *g;
        const struct gorca_goroutine *run = NULL;
        int ng;

        if (load_facts(v, &f) != 0 || !test_file_exists(fixture(v, "synctest.txt")))
            continue;
        if ((d = load(fixture(v, "synctest.txt"), GORCA_OK)) == NULL)
            return;
        test_name_now = v;
        for (size_t k = 0; k < d->n_listed; k++)
            if (strcmp(d->goroutines[k].reason, "synctest.Run") == 0)
                run = &d->goroutines[k];
        ASSERT_TRUE(run != NULL);
        ASSERT_TRUE(run->flags & GORCA_G_BUBBLE);
        EXPECT_AT(d, &f, v, "synctest.txt", "synctest-recv", 1, "chan receive", "channel");
        EXPECT_AT(d, &f, v, "synctest.txt", "synctest-select|synctest-select-stmt", 1, "select",
                  "select");
        EXPECT_AT(d, &f, v, "synctest.txt", "synctest-wg", 1, "sync.WaitGroup.Wait", "sync");
        EXPECT_AT(d, &f, v, "synctest.txt", "synctest-sleep", 1, "sleep", "sleep");
        at_fact(d, &f, "synctest-recv", &g, &ng);
        ASSERT_TRUE(g->members[0]->flags & GORCA_G_DURABLE);
        ASSERT_TRUE(g->members[0]->flags & GORCA_G_BUBBLE);
        /* Go 1.24 numbers groups by the root goroutine, 1.25+ numbers bubbles from 1 */
        ASSERT_EQ_U64(g->members[0]->bubble, minor_of(v) == 24 ? run->id : 1);
        ASSERT_TRUE(strstr(g->members[0]->state, minor_of(v) == 24 ? "(synctest)" : "(durable)"));
        gorca_dump_free(d);
        checked++;
    }
    test_name_now = "synctest_bubbles";
    if (checked == 0)
        TEST_SKIP("no synctest fixture (Go 1.24+)");
}

TEST(leak_profile)
{
    int checked = 0;

    for (int i = 0; i < n_versions; i++) {
        const char *v = versions[i];
        struct facts f;
        struct gorca_dump *d;
        const struct gorca_dump_group *g;
        int ng;

        if (load_facts(v, &f) != 0 || !test_file_exists(fixture(v, "leak-debug2.txt")))
            continue;
        if ((d = load(fixture(v, "leak-debug2.txt"), GORCA_OK)) == NULL)
            return;
        test_name_now = v;
        EXPECT_AT(d, &f, v, "leak-debug2.txt", "leak", 1, "chan receive", "channel");
        at_fact(d, &f, "leak", &g, &ng);
        ASSERT_TRUE(g->members[0]->flags & GORCA_G_LEAKED);
        gorca_dump_free(d);
        if ((d = load(fixture(v, "leak-debug1.txt"), GORCA_OK)) == NULL)
            return;
        ASSERT_STREQ(d->profile_name, "goroutineleak");
        EXPECT_AT(d, &f, v, "leak-debug1.txt", "leak", 1, "chan send/receive", "channel");
        gorca_dump_free(d);
        checked++;
    }
    test_name_now = "leak_profile";
    if (checked == 0)
        TEST_SKIP("no goroutine leak profile fixture (Go 1.26)");
}

TEST_MAIN({
    list_versions();
    RUN(debug2_zoo);
    RUN(debug2_spawn_tree);
    RUN(debug2_minutes);
    RUN(ancestors);
    RUN(debug1_vs_pprof_raw);
    RUN(debug1_zoo_and_labels);
    RUN(debug1_agrees_with_debug2);
    RUN(proto_vs_pprof_raw);
    RUN(threadcreate);
    RUN(crash_panic);
    RUN(crash_small);
    RUN(crash_sigquit);
    RUN(crash_overflow);
    RUN(synctest_bubbles);
    RUN(leak_profile);
})
