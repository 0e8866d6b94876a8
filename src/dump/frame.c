/* Frame lines of goroutine tracebacks (pprof-formats.md §3.2, §3.5 items 3-4):
 *   function line  "pkg.(*T[...]).M(0xc000012345, {0x1?, 0x2?})" or "pkg.f(...)" (inlined)
 *   file line      "\t/path/to/file.go:123 +0x1d fp=0x… sp=0x… pc=0x…"
 * Argument lists never contain parentheses, so the last "(" opens them; paths may contain
 * spaces and colons, so the file line is parsed from its end. */
#include "dump_int.h"

int dump_parse_funcline(const char *line, size_t n, struct dump_funcline *f)
{
    memset(f, 0, sizeof(*f));
    if (n == 0)
        return -1;
    if (line[n - 1] == ')') {
        for (size_t i = n - 1; i-- > 0;) {
            if (line[i] == '(') {
                f->func = line;
                f->func_len = i;
                f->args = line + i + 1;
                f->args_len = n - i - 2;
                f->has_args = 1;
                return i > 0 ? 0 : -1;
            }
        }
    }
    /* No argument list: a cgo symbolizer's name, printed without parentheses. */
    f->func = line;
    f->func_len = n;
    return 0;
}

/* The last space-separated word of s[0..*n) when it starts with key; shortens *n. */
static int take_word(const char *s, size_t *n, const char *key, const char **val, size_t *vn)
{
    size_t k = strlen(key), i = *n;

    while (i > 0 && s[i - 1] != ' ')
        i--;
    if (i == 0 || *n - i < k || memcmp(s + i, key, k) != 0)
        return 0;
    *val = s + i + k;
    *vn = *n - i - k;
    *n = i - 1;
    return 1;
}

int dump_parse_fileline(const char *line, size_t n, struct dump_fileline *fl, const char **why)
{
    const char *s, *v;
    size_t sn, vn, colon, d;
    uint64_t x;

    memset(fl, 0, sizeof(*fl));
    if (n == 0 || line[0] != '\t') {
        *why = "expected a file line ('\\t<path>:<line>')";
        return -1;
    }
    s = line + 1;
    sn = n - 1;
    /* Crash decorations, right to left: pc=, sp=, fp= (system tracebacks, cgo frames). */
    if (take_word(s, &sn, "pc=", &v, &vn)) {
        if (dump_parse_hex(v, vn, &fl->pc) != 0) {
            *why = "expected 'pc=0x<hex>' at the end of the file line";
            return -1;
        }
        if (take_word(s, &sn, "sp=", &v, &vn) && take_word(s, &sn, "fp=", &v, &vn)) {
            /* frame and stack pointers differ per goroutine; not kept */
        }
    } else if (sn >= 3 && memcmp(s, "pc=", 3) == 0) {
        /* cgo symbolizer line with no file: "\tpc=0x…" */
        if (dump_parse_hex(s + 3, sn - 3, &fl->pc) != 0) {
            *why = "expected 'pc=0x<hex>'";
            return -1;
        }
        return 0;
    }
    if (take_word(s, &sn, "+", &v, &vn)) {
        if (dump_parse_hex(v, vn, &x) != 0) {
            *why = "expected '+0x<offset>' after the line number";
            return -1;
        }
        fl->has_offset = 1;
        fl->offset = x;
    }
    while (sn > 0 && s[sn - 1] == ' ')
        sn--;
    for (colon = sn; colon > 0 && s[colon - 1] != ':'; colon--)
        ;
    d = sn - colon;
    if (colon < 2 || d == 0 || dump_parse_u64(s + colon, d, &x) != 0 || x > UINT32_MAX) {
        *why = "expected '<path>:<line>' in the file line";
        return -1;
    }
    fl->file = s;
    fl->file_len = colon - 1;
    fl->line = (uint32_t)x;
    fl->has_line = 1;
    return 0;
}
