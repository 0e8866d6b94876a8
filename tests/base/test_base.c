/* Tests for src/base: arena, capped buffer, gzip round trip and failure injection. */
#include "test.h"
#include "base/base.h"
#include "gorca/io.h"

TEST(arena_alignment_and_release)
{
    struct base_arena a;

    base_arena_init(&a, 0);
    for (int i = 1; i < 5000; i++) {
        uint8_t *p = base_arena_alloc(&a, (size_t)(i % 97) + 1);
        ASSERT_TRUE(p != NULL);
        ASSERT_EQ_INT((uintptr_t)p % 16, 0);
        memset(p, 0xab, (size_t)(i % 97) + 1);
    }
    ASSERT_TRUE(base_arena_alloc(&a, 10 << 20) != NULL); /* oversized own block */
    base_arena_release(&a);
    ASSERT_TRUE(a.head == NULL);
}

TEST(arena_limit)
{
    struct base_arena a;

    base_arena_init(&a, 100000);
    ASSERT_TRUE(base_arena_alloc(&a, 1000) != NULL);
    ASSERT_TRUE(base_arena_alloc(&a, 200000) == NULL);
    base_arena_release(&a);
}

TEST(buf_cap_fails_sticky)
{
    struct gorca_buf b;
    struct gorca_error err;

    gorca_buf_init(&b, 10);
    gorca_buf_puts(&b, "hello");
    gorca_buf_printf(&b, "%d", 12345);
    ASSERT_EQ_INT(b.failed, 0);
    gorca_buf_putc(&b, 'x');
    ASSERT_EQ_INT(b.failed, 1);
    gorca_buf_puts(&b, "more");
    ASSERT_TRUE(gorca_buf_take(&b, NULL) == NULL);
    gorca_error_init(&err, NULL);
    ASSERT_EQ_INT(gorca_buf_status(&b, &err), GORCA_E_LIMIT);
}

TEST(gzip_round_trip_multi_member)
{
    uint8_t in[5000], *z1, *z2, *cat, *out;
    size_t n1, n2, nout;
    struct gorca_error err;

    for (size_t i = 0; i < sizeof(in); i++)
        in[i] = (uint8_t)(i * 7 % 251);
    gorca_error_init(&err, "mem");
    ASSERT_EQ_INT(gorca_gzip(in, sizeof(in), 6, &z1, &n1, &err), GORCA_OK);
    ASSERT_EQ_INT(gorca_gzip(in, 100, 1, &z2, &n2, &err), GORCA_OK);
    cat = malloc(n1 + n2);
    memcpy(cat, z1, n1);
    memcpy(cat + n1, z2, n2);
    ASSERT_EQ_INT(gorca_gunzip(cat, n1 + n2, 0, &out, &nout, &err), GORCA_OK);
    ASSERT_EQ_U64(nout, sizeof(in) + 100);
    ASSERT_MEMEQ(out, in, sizeof(in));
    ASSERT_MEMEQ(out + sizeof(in), in, 100);
    free(out);
    /* the limit applies to the inflated size */
    gorca_error_init(&err, "mem");
    ASSERT_EQ_INT(gorca_gunzip(z1, n1, 1000, &out, &nout, &err), GORCA_E_LIMIT);
    /* every truncation is a clean error */
    for (size_t cut = 0; cut < n1; cut++) {
        gorca_error_init(&err, "mem");
        enum gorca_status st = gorca_gunzip(z1, cut, 0, &out, &nout, &err);
        ASSERT_TRUE(st == GORCA_E_TRUNCATED || st == GORCA_E_MALFORMED);
    }
    free(z1);
    free(z2);
    free(cat);
}

TEST(allocation_failures_are_clean)
{
    uint8_t in[3000], *z, *out;
    size_t nz, nout;
    struct gorca_error err;

    memset(in, 'a', sizeof(in));
    gorca_error_init(&err, "mem");
    ASSERT_EQ_INT(gorca_gzip(in, sizeof(in), 6, &z, &nz, &err), GORCA_OK);
    for (long k = 0; k < 8; k++) {
        enum gorca_status st;

        gorca_error_init(&err, "mem");
        base_fail_after(k);
        st = gorca_gunzip(z, nz, 0, &out, &nout, &err);
        base_fail_after(-1);
        if (st == GORCA_OK)
            free(out);
        else
            ASSERT_EQ_INT(st, GORCA_E_NOMEM);
    }
    free(z);
}

TEST_MAIN({
    RUN(arena_alignment_and_release);
    RUN(arena_limit);
    RUN(buf_cap_fails_sticky);
    RUN(gzip_round_trip_multi_member);
    RUN(allocation_failures_are_clean);
})
