/* Public entry points of the goroutine-dump module: sniffing the text form by content
 * (pprof-formats.md §3.7), parsing into a struct gorca_dump, loading from a file (gzip
 * inflated, protobuf routed to the profile decoder), and freeing. */
#include <stdlib.h>
#include "gorca/io.h"
#include "gorca/profile.h"
#include "dump_int.h"

/* ---- sniffing ----------------------------------------------------------------------------*/

static int is_count_profile_header(const char *s, size_t n)
{
    static const char mid[] = " profile: total ";
    const size_t k = sizeof(mid) - 1;
    const char *m = n > k ? memmem(s, n, mid, k) : NULL;
    uint64_t v;

    return m != NULL && m != s && memchr(s, ' ', (size_t)(m - s)) == NULL &&
           dump_parse_u64(m + k, n - (size_t)(m - s) - k, &v) == 0;
}

static int is_crash_start(const char *s, size_t n)
{
    static const char *const starts[] = {
        "panic: ", "fatal error: ", "fatal: ", "runtime: ", "SIGQUIT: ", "unexpected fault address "
    };

    for (size_t i = 0; i < BASE_ARRAY_LEN(starts); i++)
        if (dump_has_prefix(s, n, starts[i]))
            return 1;
    return dump_has_prefix(s, n, "SIG") && memchr(s, ':', n < 12 ? n : 12) != NULL;
}

int gorca_dump_sniff(const uint8_t *data, size_t len)
{
    const char *p = (const char *)data, *end;
    int first = 1;

    if (len > (64 << 10))
        len = 64 << 10;
    end = p + len;
    if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
        p += 3;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        struct dump_header h;
        const char *why;

        if (n > 0 && p[n - 1] == '\r')
            n--;
        if (n > 0 && first) {
            first = 0;
            if (is_count_profile_header(p, n))
                return GORCA_DUMP_DEBUG1;
            if (dump_has_prefix(p, n, "goroutine ") && dump_parse_header(p, n, &h, &why) != 0)
                return GORCA_DUMP_DEBUG2;
            if (is_crash_start(p, n))
                return GORCA_DUMP_CRASH;
        }
        /* A goroutine header anywhere (log prefixes, other log lines first). */
        if (n > 0 && dump_find_header(p, n) >= 0)
            return GORCA_DUMP_CRASH;
        if (nl == NULL)
            break;
        p = nl + 1;
    }
    return 0;
}

/* ---- parsing -----------------------------------------------------------------------------*/

static enum gorca_status parse_text(struct dump_builder *b, const uint8_t *data, size_t len,
                                    int fmt)
{
    if (fmt == GORCA_DUMP_DEBUG1)
        return dump_parse_debug1(b, data, len);
    return dump_parse_tracebacks(b, data, len, fmt == GORCA_DUMP_CRASH);
}

enum gorca_status gorca_dump_parse(const uint8_t *data, size_t len, const char *source,
                                   const struct gorca_limits *lim, struct gorca_dump **out,
                                   struct gorca_error *err)
{
    struct dump_builder b;
    struct gorca_error perr, ferr;
    enum gorca_status st;
    int fmt;

    *out = NULL;
    if (err->source == NULL)
        err->source = source;
    gorca_error_init(&perr, err->source);
    if (dump_builder_init(&b, source, lim, &perr) != GORCA_OK) {
        *err = perr;
        return err->code;
    }
    if (len > b.lim.input_bytes) {
        GORCA_FAIL(&perr, GORCA_E_LIMIT, -1, NULL,
                   "the input has %zu bytes, more than the limit of %llu (input_bytes)", len,
                   (unsigned long long)b.lim.input_bytes);
        goto fail;
    }
    fmt = gorca_dump_sniff(data, len);
    if (fmt == 0) {
        GORCA_FAIL(&perr, GORCA_E_UNSUPPORTED, 0, NULL,
                   "not a goroutine dump: expected 'goroutine <id> [<state>]:', "
                   "'goroutine profile: total <N>' or a panic/fatal error traceback");
        goto fail;
    }
    st = parse_text(&b, data, len, fmt);
    if (st != GORCA_OK && st != GORCA_E_TRUNCATED)
        goto fail;
    /* Finishing can still fail (memory); keep the truncation report only if it does not. */
    gorca_error_init(&ferr, err->source);
    b.err = &ferr;
    if (dump_finish(&b) != GORCA_OK) {
        perr = ferr;
        goto fail;
    }
    *err = perr;
    *out = b.d;
    dump_builder_release(&b, 1);
    return st;
fail:
    *err = perr;
    dump_builder_release(&b, 0);
    return err->code;
}

void gorca_dump_free(struct gorca_dump *d)
{
    struct dump_owner *own = (struct dump_owner *)d;

    if (own == NULL)
        return;
    base_arena_release(&own->arena);
    base_free(own);
}

/* ---- loading -----------------------------------------------------------------------------*/

/* The first byte of a profile.proto message is the key of a field Go writes (1-14, length
 * delimited or varint), and text dumps start with a printable byte. */
static int looks_like_protobuf(const uint8_t *p, size_t n)
{
    unsigned field, wire;

    if (n == 0)
        return 0;
    field = p[0] >> 3;
    wire = p[0] & 7;
    return field >= 1 && field <= 14 && (wire == 0 || wire == 2) && (p[0] < 0x20 || p[0] > 0x7e);
}

enum gorca_status gorca_dump_load(const char *path, const struct gorca_limits *lim,
                                  struct gorca_dump **out, struct gorca_error *err)
{
    struct gorca_limits l = gorca_limits_resolve(lim);
    uint8_t *data = NULL, *raw = NULL;
    size_t len = 0, raw_len = 0;
    enum gorca_status st;
    int gzipped;

    *out = NULL;
    if (err->source == NULL)
        err->source = path;
    st = gorca_read_file(path, l.input_bytes, &raw, &raw_len, err);
    if (st != GORCA_OK)
        return st;
    gzipped = gorca_is_gzip(raw, raw_len);
    if (gzipped) {
        st = gorca_gunzip(raw, raw_len, l.input_bytes, &data, &len, err);
        free(raw);
        if (st != GORCA_OK)
            return st;
    } else {
        data = raw;
        len = raw_len;
    }
    if (gorca_dump_sniff(data, len) == 0 && (gzipped || looks_like_protobuf(data, len))) {
        struct gorca_profile *p = NULL;

        st = gorca_profile_parse(data, len, &l, &p, err);
        if (st == GORCA_OK)
            st = gorca_dump_from_profile(p, path, &l, out, err);
        gorca_profile_free(p);
    } else {
        st = gorca_dump_parse(data, len, path, &l, out, err);
    }
    free(data);
    return st;
}
