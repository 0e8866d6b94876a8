/* Line cursor for the text dump parsers: yields lines without "\n"/"\r\n" with their byte
 * offset and number, and removes a log collector's prefix ("2024-05-01T10:00:00.123Z app | ")
 * from every line when the first goroutine header of a crash log does not start its line. */
#include "dump_int.h"

void dump_lines_init(struct dump_lines *ls, const uint8_t *data, size_t len)
{
    memset(ls, 0, sizeof(*ls));
    ls->start = ls->p = (const char *)data;
    ls->end = (const char *)data + len;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int dump_prefix_match(const char *tmpl, size_t tn, const char *line, size_t n, size_t *skip)
{
    size_t i = 0, j = 0;

    while (i < tn) {
        if (is_digit(tmpl[i])) {
            if (j >= n || !is_digit(line[j]))
                return 0;
            while (i < tn && is_digit(tmpl[i]))
                i++;
            while (j < n && is_digit(line[j]))
                j++;
            continue;
        }
        if (j >= n || line[j] != tmpl[i])
            return 0;
        i++;
        j++;
    }
    *skip = j;
    return 1;
}

int dump_lines_next(struct dump_lines *ls)
{
    const char *nl;
    size_t n, skip;

    if (ls->p >= ls->end)
        return 0;
    nl = memchr(ls->p, '\n', (size_t)(ls->end - ls->p));
    n = nl ? (size_t)(nl - ls->p) : (size_t)(ls->end - ls->p);
    ls->line = ls->p;
    ls->line_off = ls->off = (uint64_t)(ls->p - ls->start);
    ls->has_nl = nl != NULL;
    ls->p = nl ? nl + 1 : ls->end;
    ls->lineno++;
    if (n > 0 && ls->line[n - 1] == '\r')
        n--;
    ls->len = n;
    ls->foreign = 0;
    if (ls->prefix) {
        if (dump_prefix_match(ls->prefix, ls->prefix_len, ls->line, n, &skip)) {
            ls->line += skip;
            ls->len -= skip;
            ls->off += skip;
        } else if (n > 0) {
            ls->foreign = 1;
        }
    }
    return 1;
}

struct dump_lines_mark dump_lines_save(const struct dump_lines *ls)
{
    struct dump_lines_mark m = { ls->p, ls->lineno };

    return m;
}

void dump_lines_restore(struct dump_lines *ls, struct dump_lines_mark m)
{
    ls->p = m.p;
    ls->lineno = m.lineno;
}

void dump_lines_detect_prefix(struct dump_lines *ls)
{
    const char *p = ls->start;
    const char *limit = ls->end - ls->start > (64 << 10) ? ls->start + (64 << 10) : ls->end;

    while (p < limit) {
        const char *nl = memchr(p, '\n', (size_t)(ls->end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(ls->end - p);
        long col;

        if (n > 0 && p[n - 1] == '\r')
            n--;
        col = dump_find_header(p, n);

        if (col == 0)
            return;
        if (col > 0) {
            ls->prefix = p;
            ls->prefix_len = (size_t)col;
            return;
        }
        if (nl == NULL)
            return;
        p = nl + 1;
    }
}
