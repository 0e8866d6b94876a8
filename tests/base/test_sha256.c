/* SHA-256 against the FIPS 180-4 / NIST example vectors (the padding-edge rows from sha256sum),
 * fed whole and in odd-sized pieces,
 * and against sha256sum (coreutils) on a generated megabyte. */
#include "test.h"
#include "base/sha256.h"

static const struct {
    const char *name, *msg, *hex;
    size_t repeat;
} cases[] = {
    { "empty", "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", 1 },
    { "abc", "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", 1 },
    { "two blocks", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", 1 },
    { "896 bits",
      "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrl"
      "mnopqrsmnopqrstnopqrstu",
      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1", 1 },
    { "million a", "a", "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
      1000000 },
    { "55 bytes (padding fits)", "0123456789012345678901234567890123456789012345678901234",
      "f34d5a0f80c0cbf84c8c0b90218c22637abd199965249da736a20143c8c9c9d9", 1 },
    { "56 bytes (padding spills)", "01234567890123456789012345678901234567890123456789012345",
      "83aa034bda83e458a0dc9cbce0d4e354716aa0ff770ed37ac0ed2b292052e4af", 1 },
};

static void hash_case(size_t i, size_t piece, char hex[65])
{
    struct base_sha256 s;
    uint8_t d[32];
    size_t len = strlen(cases[i].msg);

    base_sha256_init(&s);
    for (size_t r = 0; r < cases[i].repeat; r++)
        for (size_t off = 0; off < len; off += piece)
            base_sha256_update(&s, cases[i].msg + off, len - off < piece ? len - off : piece);
    base_sha256_final(&s, d);
    base_sha256_hex(d, hex);
}

TEST(vectors)
{
    static const size_t pieces[] = { 1, 3, 63, 64, 65, 1000 };
    char hex[65];

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        for (size_t p = 0; p < sizeof(pieces) / sizeof(pieces[0]); p++) {
            hash_case(i, pieces[p], hex);
            if (strcmp(hex, cases[i].hex) != 0)
                test_fail_msg(__FILE__, __LINE__, "%s (pieces of %zu): got %s want %s",
                              cases[i].name, pieces[p], hex, cases[i].hex);
        }
}

TEST(against_sha256sum)
{
    const char *path = "/tmp/gorca-test-sha256.bin";
    uint8_t *buf = malloc(1 << 20), d[32];
    char hex[65], want[65] = "", cmd[128];
    struct base_sha256 s;
    FILE *f, *p;

    ASSERT_TRUE(buf != NULL);
    for (size_t i = 0; i < (1u << 20); i++)
        buf[i] = (uint8_t)(i * 2654435761u >> 13);
    f = fopen(path, "wb");
    ASSERT_TRUE(f != NULL);
    ASSERT_TRUE(fwrite(buf, 1, 1 << 20, f) == 1 << 20);
    fclose(f);
    snprintf(cmd, sizeof(cmd), "sha256sum %s 2>/dev/null", path);
    p = popen(cmd, "r");
    if (p == NULL || fscanf(p, "%64s", want) != 1) {
        if (p)
            pclose(p);
        free(buf);
        remove(path);
        TEST_SKIP("sha256sum not available");
    }
    pclose(p);
    remove(path);
    base_sha256_init(&s);
    base_sha256_update(&s, buf, 1 << 20);
    base_sha256_final(&s, d);
    base_sha256_hex(d, hex);
    free(buf);
    ASSERT_STREQ(hex, want);
}

TEST_MAIN({
    RUN(vectors);
    RUN(against_sha256sum);
})
