/* Test harness implementation (see test.h). */
#include <stdarg.h>
#include <sys/stat.h>
#include "test.h"

int test_failed_now, test_skipped_now;
const char *test_name_now;
static int n_pass, n_fail, n_skip;

void test_fail_msg(const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "FAIL %s: %s:%d: ", test_name_now ? test_name_now : "?", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    test_failed_now = 1;
}

void test_skip(const char *why)
{
    fprintf(stderr, "skip %s: %s\n", test_name_now ? test_name_now : "?", why);
    test_skipped_now = 1;
}

void test_run(const char *name, void (*fn)(void))
{
    test_name_now = name;
    test_failed_now = test_skipped_now = 0;
    fn();
    if (test_failed_now)
        n_fail++;
    else if (test_skipped_now)
        n_skip++;
    else
        n_pass++;
    if (getenv("GORCA_TEST_VERBOSE"))
        fprintf(stderr, "%s %s\n",
                test_failed_now    ? "FAIL"
                : test_skipped_now ? "skip"
                                   : "ok",
                name);
}

int test_finish(const char *prog)
{
    const char *base = strrchr(prog, '/');

    printf("# %s: %d passed, %d failed, %d skipped\n", base ? base + 1 : prog, n_pass, n_fail,
           n_skip);
    return n_fail ? 1 : 0;
}

const char *test_repo_path(const char *rel)
{
    static char buf[4096];
    const char *root = getenv("GORCA_ROOT");

    snprintf(buf, sizeof(buf), "%s/%s", root ? root : ".", rel);
    return buf;
}

const char *test_shared_dir(void)
{
    static char buf[4096];
    const char *env = getenv("GORCA_SHARED");
    struct stat st;

    snprintf(buf, sizeof(buf), "%s", env ? env : "../shared");
    if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
        return NULL;
    return buf;
}

int test_file_exists(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0;
}

uint8_t *test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0;

    if (f == NULL)
        return NULL;
    for (;;) {
        size_t r;

        if (cap - n < 65536) {
            uint8_t *nb = realloc(buf, cap * 2 + 65537);
            if (nb == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
            cap = cap * 2 + 65536;
        }
        r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    fclose(f);
    buf[n] = 0;
    *len = n;
    return buf;
}
