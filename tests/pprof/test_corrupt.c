/* Robustness of the decoder and views on damaged real profiles: every truncated prefix of every
 * Go 1.26 fixture (the protobuf bytes and the gzip file) and thousands of single-byte
 * corruptions of each give a clean error (known status, offset inside the input) or a valid
 * profile, never a crash; valid results also go through top, folded and an encode round trip.
 * Runs under ASan+UBSan in `make asan`. Older Go versions' fixtures get the corruption pass. */
#include "pprof_test_util.h"

static int checked_ok, checked_err;

/* Parses data; fails the test on a broken property. Returns 0 when the test failed. */
static int check_one(const uint8_t *data, size_t len, const char *what, size_t where)
{
    struct gorca_profile *p = NULL;
    struct gorca_error err;
    enum gorca_status st;

    gorca_error_init(&err, what);
    st = gorca_profile_parse(data, len, NULL, &p, &err);
    if (st != GORCA_OK) {
        checked_err++;
        if (p != NULL || st != err.code ||
            (st != GORCA_E_TRUNCATED && st != GORCA_E_MALFORMED && st != GORCA_E_UNSUPPORTED &&
             st != GORCA_E_LIMIT)) {
            test_fail_msg(__FILE__, __LINE__, "%s @%zu: status %s", what, where,
                          gorca_status_name(st));
            gorca_profile_free(p);
            return 0;
        }
        if (err.has_offset && err.offset > len && !gorca_is_gzip(data, len)) {
            test_fail_msg(__FILE__, __LINE__, "%s @%zu: offset %llu beyond %zu bytes", what, where,
                          (unsigned long long)err.offset, len);
            return 0;
        }
        return 1;
    }
    /* Every valid result is walked; one in eight also goes through the views and the encoder
     * (they dominate the run time and see the same shapes again and again). */
    if (checked_ok++ % 8 != 0) {
        for (size_t i = 0; i < p->n_samples; i++)
            for (uint32_t j = 0; j < p->samples[i].n_locs; j++)
                if (p->samples[i].locs[j] >= p->n_locations) {
                    test_fail_msg(__FILE__, __LINE__, "%s @%zu: location index out of range", what,
                                  where);
                    gorca_profile_free(p);
                    return 0;
                }
        gorca_profile_free(p);
        return 1;
    }
    {
        struct gorca_top *t = NULL;
        struct gorca_buf b;
        struct gorca_profile *q = NULL;
        size_t neg;

        for (size_t i = 0; i < p->n_samples; i++)
            for (uint32_t j = 0; j < p->samples[i].n_locs; j++)
                if (p->samples[i].locs[j] >= p->n_locations) {
                    test_fail_msg(__FILE__, __LINE__, "%s @%zu: location index out of range", what,
                                  where);
                    gorca_profile_free(p);
                    return 0;
                }
        gorca_error_init(&err, what);
        if (gorca_profile_top(p, NULL, &t, &err) == GORCA_OK)
            gorca_top_free(t);
        gorca_buf_init(&b, 0);
        gorca_error_init(&err, what);
        (void)!gorca_profile_folded(p, NULL, &b, &neg, &err);
        gorca_buf_release(&b);
        gorca_buf_init(&b, 0);
        gorca_error_init(&err, what);
        if (gorca_profile_encode(p, 0, &b, &err) != GORCA_OK ||
            gorca_profile_parse((const uint8_t *)b.data, b.len, NULL, &q, &err) != GORCA_OK ||
            q->n_samples != p->n_samples) {
            test_fail_msg(__FILE__, __LINE__, "%s @%zu: valid profile does not round-trip", what,
                          where);
            gorca_buf_release(&b);
            gorca_profile_free(q);
            gorca_profile_free(p);
            return 0;
        }
        gorca_buf_release(&b);
        gorca_profile_free(q);
    }
    gorca_profile_free(p);
    return 1;
}

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static const char *dir_latest(void)
{
    static char dirs[16][64];
    int nd = fixture_dirs(dirs, 16);

    return nd ? dirs[nd - 1] : NULL;
}

TEST(every_prefix)
{
    const char *dir = dir_latest();
    char names[64][48];
    int np;

    if (dir == NULL)
        TEST_SKIP("no fixtures");
    np = fixture_profiles(dir, names, 64);
    for (int i = 0; i < np; i++) {
        char rel[4400];
        size_t raw_len, gz_len;
        uint8_t *raw = fixture_read(dir, names[i], ".pb.gz", &raw_len);
        uint8_t *gz;

        snprintf(rel, sizeof(rel), "%s/%s.pb.gz", dir, names[i]);
        gz = test_read_file(test_repo_path(rel), &gz_len);
        ASSERT_TRUE(raw != NULL && gz != NULL);
        for (size_t n = 0; n < raw_len; n++)
            if (!check_one(raw, n, names[i], n))
                break;
        for (size_t n = 0; n < gz_len && !test_failed_now; n++)
            if (!check_one(gz, n, rel, n))
                break;
        free(raw);
        free(gz);
        if (test_failed_now)
            return;
    }
    ASSERT_TRUE(checked_err > 1000);
}

/* Flip bytes at random places to random values: keys, lengths, ids, indices and values all get
 * hit. Each fixture of each Go version gets 400 single-byte corruptions (the latest 2000). */
TEST(single_byte_corruptions)
{
    char dirs[16][64], names[64][48];
    int nd = fixture_dirs(dirs, 16);

    if (nd == 0)
        TEST_SKIP("no fixtures");
    checked_ok = 0;
    for (int d = 0; d < nd; d++) {
        int np = fixture_profiles(dirs[d], names, 64), rounds = d == nd - 1 ? 2000 : 400;

        for (int i = 0; i < np; i++) {
            size_t len;
            uint8_t *raw = fixture_read(dirs[d], names[i], ".pb.gz", &len);

            ASSERT_TRUE(raw != NULL && len > 0);
            for (int k = 0; k < rounds; k++) {
                size_t at = (size_t)(next() % len);
                uint8_t old = raw[at];

                raw[at] = (uint8_t)(k % 3 == 0 ? old ^ (1u << (next() % 8)) : next());
                if (!check_one(raw, len, names[i], at)) {
                    free(raw);
                    return;
                }
                raw[at] = old;
            }
            free(raw);
        }
    }
    /* Many corruptions land in values, line numbers or unused bytes and leave a valid profile;
     * those must have gone through the views and the round trip. */
    ASSERT_TRUE(checked_ok > 500);
}

TEST_MAIN({
    RUN(every_prefix);
    RUN(single_byte_corruptions);
})
