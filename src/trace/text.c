/* Go's text form of the trace wire format (go-trace-format.md §11.2), used by the public test
 * data (`-- trace --` sections of .test files), converted to the binary format: a header line
 * "Trace Go1.NN", then one event per line (name and name=value arguments in spec order; a
 * Stack is followed by one "pc= func= file= line=" line per frame, a String and an
 * ExperimentalBatch by a `data="..."` line with a Go-quoted string). Also the Go string
 * unquoting shared with the fuzz-corpus reader in the tests. For tests and tools only. */
#include <stdio.h>
#include <stdlib.h>
#include "trace_int.h"

/* ---- Go string literals ------------------------------------------------------------------- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static size_t put_utf8(uint8_t *out, uint32_t r)
{
    if (r < 0x80) {
        out[0] = (uint8_t)r;
        return 1;
    }
    if (r < 0x800) {
        out[0] = (uint8_t)(0xc0 | r >> 6);
        out[1] = (uint8_t)(0x80 | (r & 0x3f));
        return 2;
    }
    if (r < 0x10000) {
        out[0] = (uint8_t)(0xe0 | r >> 12);
        out[1] = (uint8_t)(0x80 | (r >> 6 & 0x3f));
        out[2] = (uint8_t)(0x80 | (r & 0x3f));
        return 3;
    }
    out[0] = (uint8_t)(0xf0 | r >> 18);
    out[1] = (uint8_t)(0x80 | (r >> 12 & 0x3f));
    out[2] = (uint8_t)(0x80 | (r >> 6 & 0x3f));
    out[3] = (uint8_t)(0x80 | (r & 0x3f));
    return 4;
}

long tr_go_unquote(const char *q, size_t qlen, uint8_t *out, size_t *consumed)
{
    size_t i = 1, n = 0;

    if (qlen < 2 || q[0] != '"')
        return -1;
    while (i < qlen && q[i] != '"') {
        unsigned char c = (unsigned char)q[i];

        if (c == '\n')
            return -1;
        if (c != '\\') {
            out[n++] = c;
            i++;
            continue;
        }
        if (++i >= qlen)
            return -1;
        c = (unsigned char)q[i++];
        switch (c) {
        case 'a':
            out[n++] = 7;
            break;
        case 'b':
            out[n++] = 8;
            break;
        case 'f':
            out[n++] = 12;
            break;
        case 'n':
            out[n++] = 10;
            break;
        case 'r':
            out[n++] = 13;
            break;
        case 't':
            out[n++] = 9;
            break;
        case 'v':
            out[n++] = 11;
            break;
        case '\\':
            out[n++] = '\\';
            break;
        case '"':
            out[n++] = '"';
            break;
        case 'x': {
            int h, l;

            if (i + 2 > qlen || (h = hexval(q[i])) < 0 || (l = hexval(q[i + 1])) < 0)
                return -1;
            out[n++] = (uint8_t)(h << 4 | l);
            i += 2;
            break;
        }
        case 'u':
        case 'U': {
            unsigned k, digits = c == 'u' ? 4 : 8;
            uint32_t r = 0;

            if (i + digits > qlen)
                return -1;
            for (k = 0; k < digits; k++) {
                int h = hexval(q[i + k]);

                if (h < 0)
                    return -1;
                r = r << 4 | (uint32_t)h;
            }
            if (r > 0x10ffff || (r >= 0xd800 && r < 0xe000))
                return -1;
            i += digits;
            n += put_utf8(out + n, r);
            break;
        }
        default:
            if (c >= '0' && c <= '7') {
                unsigned v = c - '0', k;

                for (k = 0; k < 2; k++) {
                    if (i >= qlen || q[i] < '0' || q[i] > '7')
                        return -1;
                    v = v * 8 + (unsigned)(q[i++] - '0');
                }
                if (v > 255)
                    return -1;
                out[n++] = (uint8_t)v;
                break;
            }
            return -1;
        }
    }
    if (i >= qlen)
        return -1;
    *consumed = i + 1;
    return (long)n;
}

/* ---- the converter ----------------------------------------------------------------------- */

struct text_in {
    const char *p, *end;
    unsigned line;
};

/* Next line that holds a token (skips blank and comment-only lines); NULL at the end. */
static const char *next_line(struct text_in *in, size_t *len)
{
    while (in->p < in->end) {
        const char *s = in->p, *e = memchr(s, '\n', (size_t)(in->end - s)), *t;

        if (e == NULL)
            e = in->end;
        in->p = e < in->end ? e + 1 : e;
        in->line++;
        for (t = s; t < e && (*t == ' ' || *t == '\t' || *t == '\r'); t++)
            ;
        if (t == e || *t == '#')
            continue;
        *len = (size_t)(e - s);
        return s;
    }
    return NULL;
}

/* Token [*tok, *tok + *tlen) starting at or after *s within end; advances *s. */
static int next_token(const char **s, const char *end, const char **tok, size_t *tlen)
{
    const char *p = *s;

    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
        p++;
    if (p == end || *p == '#')
        return 0;
    *tok = p;
    while (p < end && *p != ' ' && *p != '\t' && *p != '\r' && *p != '#')
        p++;
    *tlen = (size_t)(p - *tok);
    *s = p;
    return 1;
}

static int put_uvarint(struct gorca_buf *b, uint64_t v)
{
    uint8_t tmp[10];
    int n = 0;

    do {
        tmp[n] = (uint8_t)(v & 0x7f);
        v >>= 7;
        if (v)
            tmp[n] |= 0x80;
        n++;
    } while (v);
    gorca_buf_append(b, tmp, (size_t)n);
    return 0;
}

static int type_by_name(const char *s, size_t n)
{
    unsigned t;

    for (t = 1; t < TR_N_SPECS; t++)
        if (tr_specs[t].name && strlen(tr_specs[t].name) == n &&
            memcmp(tr_specs[t].name, s, n) == 0)
            return (int)t;
    return -1;
}

#define TFAIL(...) (GORCA_FAIL(err, GORCA_E_MALFORMED, -1, where, __VA_ARGS__), -1)

/* Reads "name=value" arguments named names[0..n) from [s, end). */
static int read_args(const char *s, const char *end, const char *const *names, unsigned n,
                     uint64_t *vals, struct gorca_error *err, const char *where)
{
    unsigned i;
    const char *tok;
    size_t tlen;

    for (i = 0; i < n; i++) {
        const char *eq;
        char num[24];
        char *stop;
        size_t nl = strlen(names[i]);

        if (!next_token(&s, end, &tok, &tlen))
            return TFAIL("expected argument %s", names[i]);
        eq = memchr(tok, '=', tlen);
        if (eq == NULL || (size_t)(eq - tok) != nl || memcmp(tok, names[i], nl) != 0)
            return TFAIL("expected argument %s, got %.*s", names[i], (int)BASE_MIN(tlen, 40), tok);
        if (tlen - nl - 1 == 0 || tlen - nl - 1 >= sizeof(num))
            return TFAIL("bad value for %s", names[i]);
        memcpy(num, eq + 1, tlen - nl - 1);
        num[tlen - nl - 1] = 0;
        if (num[0] < '0' || num[0] > '9')
            return TFAIL("bad value for %s", names[i]);
        vals[i] = strtoull(num, &stop, 10);
        if (*stop != 0)
            return TFAIL("bad value for %s", names[i]);
    }
    if (next_token(&s, end, &tok, &tlen))
        return TFAIL("unexpected text at the end of an event: %.*s", (int)BASE_MIN(tlen, 40), tok);
    return 0;
}

static int read_data(struct text_in *in, struct gorca_buf *b, int raw_len_prefix,
                     struct gorca_error *err, const char *where)
{
    size_t len, used;
    const char *s = next_line(in, &len), *eq, *q, *e;
    uint8_t *tmp;
    long n;

    if (s == NULL)
        return TFAIL("unexpected end while reading data");
    e = s + len;
    eq = memchr(s, '=', len);
    if (eq == NULL)
        return TFAIL("malformed data line");
    for (q = eq + 1; q < e && (*q == ' ' || *q == '\t'); q++)
        ;
    while (e > q && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        e--;
    tmp = malloc((size_t)(e - q) + 1);
    if (tmp == NULL)
        return TFAIL("out of memory");
    n = tr_go_unquote(q, (size_t)(e - q), tmp, &used);
    if (n < 0 || used != (size_t)(e - q)) {
        free(tmp);
        return TFAIL("bad quoted data");
    }
    if (raw_len_prefix)
        put_uvarint(b, (uint64_t)n);
    gorca_buf_append(b, tmp, (size_t)n);
    free(tmp);
    return 0;
}

static const char *const frame_names[] = { "pc", "func", "file", "line" };

enum gorca_status tr_text_to_binary(const char *text, size_t len, uint8_t **out, size_t *out_len,
                                    struct gorca_error *err)
{
    struct text_in in = { text, text + len, 0 };
    struct gorca_buf b;
    char where[32] = "text line 1";
    const char *s, *tok;
    size_t n, tlen;
    char hdr[16];
    int ver;

    *out = NULL;
    *out_len = 0;
    gorca_buf_init(&b, 0);
    s = next_line(&in, &n);
    {
        const char *e = s ? s + n : NULL;
        char vbuf[8];

        if (s == NULL || !next_token(&s, e, &tok, &tlen) || tlen != 5 || memcmp(tok, "Trace", 5))
            return GORCA_FAIL(err, GORCA_E_MALFORMED, -1, where,
                              "expected \"Trace Go1.NN\" header");
        if (!next_token(&s, e, &tok, &tlen) || tlen < 5 || tlen > 6 || memcmp(tok, "Go1.", 4))
            return GORCA_FAIL(err, GORCA_E_MALFORMED, -1, where, "bad Go version in header");
        memcpy(vbuf, tok + 4, tlen - 4);
        vbuf[tlen - 4] = 0;
        if (sscanf(vbuf, "%d", &ver) != 1 || ver < 1 || ver > 99)
            return GORCA_FAIL(err, GORCA_E_MALFORMED, -1, where, "bad Go version in header");
    }
    memset(hdr, 0, sizeof(hdr));
    snprintf(hdr, sizeof(hdr), "go 1.%d trace", ver);
    gorca_buf_append(&b, hdr, 16);
    while ((s = next_line(&in, &n)) != NULL) {
        const char *e = s + n;
        const struct tr_spec *sp;
        uint64_t vals[8];
        int t;
        unsigned i, nargs;

        snprintf(where, sizeof(where), "text line %u", in.line);
        if (!next_token(&s, e, &tok, &tlen))
            continue;
        t = type_by_name(tok, tlen);
        if (t < 0) {
            GORCA_FAIL(err, GORCA_E_MALFORMED, -1, where, "unknown event %.*s",
                       (int)BASE_MIN(tlen, 40), tok);
            goto fail;
        }
        sp = &tr_specs[t];
        nargs = sp->nargs;
        if (read_args(s, e, sp->arg_names, nargs, vals, err, where) != 0)
            goto fail;
        gorca_buf_putc(&b, (char)t);
        for (i = 0; i < nargs; i++) {
            if (t == TR_EV_EXPERIMENTAL_BATCH && i == 0)
                gorca_buf_putc(&b, (char)(uint8_t)vals[0]);
            else
                put_uvarint(&b, vals[i]);
        }
        if (t == TR_EV_STACK) {
            uint64_t k;

            for (k = 0; k < vals[1]; k++) {
                uint64_t fv[4];
                const char *fs = next_line(&in, &n);

                if (fs == NULL) {
                    GORCA_FAIL(err, GORCA_E_MALFORMED, -1, where, "unexpected end in a stack");
                    goto fail;
                }
                snprintf(where, sizeof(where), "text line %u", in.line);
                if (read_args(fs, fs + n, frame_names, 4, fv, err, where) != 0)
                    goto fail;
                for (i = 0; i < 4; i++)
                    put_uvarint(&b, fv[i]);
            }
        }
        if ((t == TR_EV_STRING || t == TR_EV_EXPERIMENTAL_BATCH) &&
            read_data(&in, &b, 1, err, where) != 0)
            goto fail;
    }
    if (gorca_buf_status(&b, err) != GORCA_OK)
        goto fail;
    *out_len = b.len;
    *out = (uint8_t *)gorca_buf_take(&b, NULL);
    return GORCA_OK;
fail:
    gorca_buf_release(&b);
    return err->code ? err->code : GORCA_E_MALFORMED;
}
