/* Tests for src/reader/reader.c: the shared varint decoder, sub-readers and error offsets. */
#include "test.h"
#include "reader/reader.h"

static size_t unhex(const char *h, uint8_t *out)
{
    size_t n = 0;

    for (; h[0] && h[1]; h += 2) {
        unsigned v;
        sscanf(h, "%2x", &v);
        out[n++] = (uint8_t)v;
    }
    return n;
}

TEST(varint_table)
{
    static const struct {
        const char *name, *hex;
        uint64_t want;
        enum gorca_status st;
        uint64_t off; /* error offset (varint start, or where data ran out) or bytes consumed */
    } cases[] = {
        { "zero", "00", 0, GORCA_OK, 1 },
        { "one byte", "01", 1, GORCA_OK, 1 },
        { "127", "7f", 127, GORCA_OK, 1 },
        { "128", "8001", 128, GORCA_OK, 2 },
        { "300", "ac02", 300, GORCA_OK, 2 },
        { "three bytes", "ffff03", 65535, GORCA_OK, 3 },
        { "minus one as int64", "ffffffffffffffffff01", UINT64_MAX, GORCA_OK, 10 },
        { "eleven bytes", "ffffffffffffffffffff01", 0, GORCA_E_MALFORMED, 0 },
        { "10th byte is 2", "ffffffffffffffffff02", 0, GORCA_E_MALFORMED, 0 },
        { "cut mid-varint", "80", 0, GORCA_E_TRUNCATED, 1 },
        { "cut after 2", "8080", 0, GORCA_E_TRUNCATED, 2 },
        { "empty", "", 0, GORCA_E_TRUNCATED, 0 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t buf[32];
        size_t n = unhex(cases[i].hex, buf);
        struct gorca_error err;
        struct gorca_reader r;
        uint64_t v;

        gorca_error_init(&err, "t");
        rd_init(&r, buf, n, 0, &err);
        v = rd_uvarint(&r);
        if (err.code != cases[i].st) {
            test_fail_msg(__FILE__, __LINE__, "%s: status %s", cases[i].name,
                          gorca_status_name(err.code));
            return;
        }
        ASSERT_EQ_U64(v, cases[i].want);
        if (cases[i].st == GORCA_OK)
            ASSERT_EQ_U64((uint64_t)(r.p - buf), cases[i].off);
        else
            ASSERT_EQ_U64(err.offset, cases[i].off);
    }
}

TEST(sub_reader_offsets_are_absolute)
{
    uint8_t buf[] = { 1, 2, 3, 4, 0x80 };
    struct gorca_error err;
    struct gorca_reader r, c;

    gorca_error_init(&err, "t");
    rd_init(&r, buf, sizeof(buf), 1000, &err);
    ASSERT_EQ_INT(rd_u8(&r), 1);
    c = rd_sub(&r, 4);
    ASSERT_EQ_U64(rd_tell(&r), 1005);
    ASSERT_EQ_INT(rd_u8(&c), 2);
    rd_bytes(&c, 2, "x");
    (void)rd_uvarint(&c); /* 0x80 then end: truncated at absolute 1005 */
    ASSERT_EQ_INT(err.code, GORCA_E_TRUNCATED);
    ASSERT_EQ_U64(err.offset, 1005);
}

TEST(sub_reader_past_end)
{
    uint8_t buf[] = { 1, 2 };
    struct gorca_error err;
    struct gorca_reader r, c;

    gorca_error_init(&err, "t");
    rd_init(&r, buf, sizeof(buf), 0, &err);
    c = rd_sub(&r, 5);
    ASSERT_TRUE(rd_eof(&c));
    ASSERT_EQ_INT(err.code, GORCA_E_TRUNCATED);
    ASSERT_TRUE(!rd_ok(&r));
}

TEST(first_error_wins)
{
    struct gorca_error err;
    char text[256];

    gorca_error_init(&err, "heap.pb.gz");
    GORCA_FAIL(&err, GORCA_E_TRUNCATED, 4211, "sample 12 > location_id",
               "expected varint, found end of data");
    GORCA_FAIL(&err, GORCA_E_MALFORMED, 1, "x", "later");
    gorca_error_format(&err, text, sizeof(text));
    ASSERT_STREQ(text, "'heap.pb.gz': offset 4211 (sample 12 > location_id): expected varint, "
                       "found end of data");
}

TEST_MAIN({
    RUN(varint_table);
    RUN(sub_reader_offsets_are_absolute);
    RUN(sub_reader_past_end);
    RUN(first_error_wins);
})
