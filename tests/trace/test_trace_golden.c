/* Go's own reader test data (../shared/testdata/go-trace, from golang/exp trace/testdata):
 * every txtar .test case, converted from Go's text form to binary by tr_text_to_binary, must
 * give the expected outcome (SUCCESS, or FAILURE with an error matching the case's regular
 * expression); every input of Go's reader fuzz corpus must be read without a crash. Skips
 * with a message when ../shared is absent (a user's clone). */
#include <dirent.h>
#include <regex.h>
#include "test.h"
#include "trace/trace_int.h"

static char *dir_path(const char *sub)
{
    static char buf[1024];
    const char *shared = test_shared_dir();

    if (shared == NULL)
        return NULL;
    snprintf(buf, sizeof(buf), "%s/testdata/go-trace/%s", shared, sub);
    return test_file_exists(buf) ? buf : NULL;
}

/* Reads every event; returns the final status and the formatted error. */
static enum gorca_status read_all(const uint8_t *data, size_t len, const char *name, char *msg,
                                  size_t msg_len, uint64_t *n_events)
{
    struct gorca_trace *tr;
    struct gorca_error err;
    const struct gorca_trace_event *ev;
    enum gorca_status st;

    *n_events = 0;
    msg[0] = 0;
    gorca_error_init(&err, name);
    st = gorca_trace_open_mem(data, len, name, NULL, &tr, &err);
    if (st == GORCA_OK) {
        while ((st = gorca_trace_next(tr, &ev, &err)) == GORCA_OK && ev != NULL) {
            struct gorca_buf b;

            /* Resolve everything an event refers to, as a consumer would. */
            gorca_buf_init(&b, 0);
            gorca_trace_format_go(tr, ev, &b);
            gorca_buf_release(&b);
            (*n_events)++;
        }
        gorca_trace_free(tr);
    }
    if (st != GORCA_OK)
        snprintf(msg, msg_len, "%s", err.detail);
    return st;
}

/* Splits a txtar archive into its "expect" and "trace" sections (pointers into text). */
static int txtar(const char *text, const char **expect, size_t *elen, const char **trace,
                 size_t *tlen)
{
    const char *e = strstr(text, "-- expect --\n"), *t = strstr(text, "-- trace --\n");

    if (e == NULL || t == NULL || t < e)
        return -1;
    *expect = e + strlen("-- expect --\n");
    *elen = (size_t)(t - *expect);
    *trace = t + strlen("-- trace --\n");
    *tlen = strlen(*trace);
    return 0;
}

static int n_cases, n_fuzz;

TEST(txtar_cases)
{
    const char *dir = dir_path("tests");
    DIR *d;
    struct dirent *de;
    char path[1400], base[1024];

    if (dir == NULL)
        TEST_SKIP("../shared/testdata/go-trace is absent (public Go reader test data)");
    snprintf(base, sizeof(base), "%s", dir);
    d = opendir(base);
    ASSERT_TRUE(d != NULL);
    while ((de = readdir(d)) != NULL) {
        size_t len, elen, tlen, blen;
        char *text, msg[256], want[256];
        const char *expect, *trace;
        uint8_t *bin;
        struct gorca_error err;
        enum gorca_status st;
        uint64_t nev;

        if (strstr(de->d_name, ".test") == NULL)
            continue;
        snprintf(path, sizeof(path), "%.1000s/%.255s", base, de->d_name);
        text = (char *)test_read_file(path, &len);
        ASSERT_TRUE(text != NULL);
        if (txtar(text, &expect, &elen, &trace, &tlen) != 0) {
            free(text);
            test_fail_msg(__FILE__, __LINE__, "%s: not a txtar with expect and trace", path);
            return;
        }
        gorca_error_init(&err, path);
        st = tr_text_to_binary(trace, tlen, &bin, &blen, &err);
        if (st != GORCA_OK) {
            free(text);
            test_fail_msg(__FILE__, __LINE__, "%s: conversion failed: %s", de->d_name, err.detail);
            return;
        }
        st = read_all(bin, blen, de->d_name, msg, sizeof(msg), &nev);
        free(bin);
        if (strncmp(expect, "SUCCESS", 7) == 0) {
            if (st != GORCA_OK) {
                free(text);
                test_fail_msg(__FILE__, __LINE__, "%s: expected success, got %s: %s", de->d_name,
                              gorca_status_name(st), msg);
                return;
            }
        } else {
            /* FAILURE "<regexp>" */
            const char *q1 = memchr(expect, '"', elen), *q2;
            regex_t re;
            int ok;

            ASSERT_TRUE(strncmp(expect, "FAILURE", 7) == 0 && q1 != NULL);
            q2 = memchr(q1 + 1, '"', elen - (size_t)(q1 + 1 - expect));
            ASSERT_TRUE(q2 != NULL && (size_t)(q2 - q1 - 1) < sizeof(want));
            memcpy(want, q1 + 1, (size_t)(q2 - q1 - 1));
            want[q2 - q1 - 1] = 0;
            ASSERT_TRUE(regcomp(&re, want, REG_EXTENDED | REG_NOSUB) == 0);
            ok = st != GORCA_OK && regexec(&re, msg, 0, NULL, 0) == 0;
            regfree(&re);
            if (!ok) {
                free(text);
                test_fail_msg(__FILE__, __LINE__, "%s: expected failure /%s/, got %s: %s",
                              de->d_name, want, gorca_status_name(st), msg);
                return;
            }
        }
        free(text);
        n_cases++;
    }
    closedir(d);
    ASSERT_EQ_INT(n_cases, 22);
}

TEST(fuzz_corpus_no_crash)
{
    const char *dir = dir_path("fuzz-FuzzReader");
    DIR *d;
    struct dirent *de;
    char path[1400], base[1024];

    if (dir == NULL)
        TEST_SKIP("../shared/testdata/go-trace is absent (Go reader fuzz corpus)");
    snprintf(base, sizeof(base), "%s", dir);
    d = opendir(base);
    ASSERT_TRUE(d != NULL);
    while ((de = readdir(d)) != NULL) {
        size_t len, used;
        char *text, msg[256];
        const char *lit;
        uint8_t *bin;
        long n;
        uint64_t nev;

        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%.1000s/%.255s", base, de->d_name);
        text = (char *)test_read_file(path, &len);
        ASSERT_TRUE(text != NULL);
        ASSERT_TRUE(strncmp(text, "go test fuzz v1\n", 16) == 0);
        lit = strstr(text, "[]byte(\"");
        ASSERT_TRUE(lit != NULL);
        lit += strlen("[]byte(");
        bin = malloc(len + 1);
        ASSERT_TRUE(bin != NULL);
        n = tr_go_unquote(lit, len - (size_t)(lit - text), bin, &used);
        if (n < 0) {
            free(bin);
            free(text);
            test_fail_msg(__FILE__, __LINE__, "%s: bad Go byte-slice literal", de->d_name);
            return;
        }
        /* Any outcome but a crash is acceptable; the status must be a real code. */
        {
            enum gorca_status st = read_all(bin, (size_t)n, de->d_name, msg, sizeof(msg), &nev);

            ASSERT_TRUE(st == GORCA_OK || st == GORCA_E_MALFORMED || st == GORCA_E_TRUNCATED ||
                        st == GORCA_E_UNSUPPORTED || st == GORCA_E_LIMIT);
        }
        free(bin);
        free(text);
        n_fuzz++;
    }
    closedir(d);
    ASSERT_TRUE(n_fuzz >= 17);
}

TEST_MAIN({
    RUN(txtar_cases);
    RUN(fuzz_corpus_no_crash);
    printf("# txtar cases passed: %d, fuzz corpus inputs read: %d\n", n_cases, n_fuzz);
})
