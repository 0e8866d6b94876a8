/* Minimal unit-test harness: TEST() functions, ASSERT_* macros that print both sides with
 * file:line, and TEST_MAIN which runs the listed tests and prints
 * "# <program>: P passed, F failed, S skipped" for tests/run.sh to add up. */
#ifndef GORCA_TEST_H
#define GORCA_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>

extern int test_failed_now;  /* set by a failing assertion in the current test */
extern int test_skipped_now; /* set by TEST_SKIP */
extern const char *test_name_now;

void test_fail_msg(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void test_run(const char *name, void (*fn)(void));
int test_finish(const char *prog);
void test_skip(const char *why);

/* Repository paths: tests run from the repository root (tests/run.sh cds there). */
const char *test_repo_path(const char *rel); /* static buffer, overwritten by each call */
const char *test_shared_dir(void);           /* ../shared, or NULL when absent */
/* Reads a whole file (owned, free()); NULL when missing. */
uint8_t *test_read_file(const char *path, size_t *len);
int test_file_exists(const char *path);

#define TEST(name) static void name(void)
#define RUN(name) test_run(#name, name)
#define TEST_MAIN(body)              \
    int main(int argc, char **argv)  \
    {                                \
        (void)argc;                  \
        body;                        \
        return test_finish(argv[0]); \
    }

#define TEST_SKIP(why)  \
    do {                \
        test_skip(why); \
        return;         \
    } while (0)

#define ASSERT_TRUE(c)                                                  \
    do {                                                                \
        if (!(c)) {                                                     \
            test_fail_msg(__FILE__, __LINE__, "expected true: %s", #c); \
            return;                                                     \
        }                                                               \
    } while (0)

#define ASSERT_EQ_INT(a, b)                                                              \
    do {                                                                                 \
        long long a_ = (long long)(a), b_ = (long long)(b);                              \
        if (a_ != b_) {                                                                  \
            test_fail_msg(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, a_, b_); \
            return;                                                                      \
        }                                                                                \
    } while (0)

#define ASSERT_EQ_U64(a, b)                                                                    \
    do {                                                                                       \
        uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);                                       \
        if (a_ != b_) {                                                                        \
            test_fail_msg(__FILE__, __LINE__, "%s == %s: %" PRIu64 " != %" PRIu64, #a, #b, a_, \
                          b_);                                                                 \
            return;                                                                            \
        }                                                                                      \
    } while (0)

#define ASSERT_STREQ(a, b)                                                                         \
    do {                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                           \
        if (a_ == NULL || b_ == NULL || strcmp(a_, b_) != 0) {                                     \
            test_fail_msg(__FILE__, __LINE__, "%s == %s:\n  got:  \"%s\"\n  want: \"%s\"", #a, #b, \
                          a_ ? a_ : "(null)", b_ ? b_ : "(null)");                                 \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define ASSERT_MEMEQ(a, b, n)                                                                      \
    do {                                                                                           \
        if (memcmp((a), (b), (n)) != 0) {                                                          \
            test_fail_msg(__FILE__, __LINE__, "%s == %s (%zu bytes) differ", #a, #b, (size_t)(n)); \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#endif
