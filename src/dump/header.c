/* The one-line grammar of goroutine tracebacks (pprof-formats.md §3.2, §3.5): the
 * "goroutine N [state]:" header with every variant the runtime prints from Go 1.19 to 1.26
 * (gp=/m=/mp= crash fields, " (scan)", " (durable)", " (leaked)", ", N minutes",
 * ", locked to thread", synctest group/bubble), "created by", elision markers, ancestor
 * sections and cgo "non-Go function" lines. Unknown header words are kept, never fatal. */
#include "dump_int.h"

/* ---- lexical helpers ---------------------------------------------------------------------*/

int dump_has_prefix(const char *s, size_t n, const char *pfx)
{
    size_t k = strlen(pfx);

    return n >= k && memcmp(s, pfx, k) == 0;
}

static int has_suffix(const char *s, size_t n, const char *sfx)
{
    size_t k = strlen(sfx);

    return n >= k && memcmp(s + n - k, sfx, k) == 0;
}

int dump_parse_u64(const char *s, size_t n, uint64_t *v)
{
    uint64_t x = 0;

    if (n == 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        if (x > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
            return -1;
        x = x * 10 + (uint64_t)(s[i] - '0');
    }
    *v = x;
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int dump_parse_hex(const char *s, size_t n, uint64_t *v)
{
    uint64_t x = 0;

    if (n < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || n > 18)
        return -1;
    for (size_t i = 2; i < n; i++) {
        int d = hexval(s[i]);

        if (d < 0)
            return -1;
        x = x << 4 | (uint64_t)d;
    }
    *v = x;
    return 0;
}

/* Length of the run of decimal digits at s[0..n). */
static size_t digits(const char *s, size_t n)
{
    size_t i = 0;

    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    return i;
}

/* ---- header ------------------------------------------------------------------------------*/

long dump_find_header(const char *line, size_t n)
{
    static const char pat[] = "goroutine ";
    const size_t k = sizeof(pat) - 1;

    if (n < k + 4 || !has_suffix(line, n, "]:"))
        return -1;
    for (size_t i = 0; i + k < n; i++) {
        const char *q = memchr(line + i, 'g', n - i);

        if (q == NULL)
            return -1;
        i = (size_t)(q - line);
        if (n - i > k && memcmp(q, pat, k) == 0 && digits(q + k, n - i - k) > 0 &&
            memchr(q + k, '[', n - i - k) != NULL)
            return (long)i;
    }
    return -1;
}

static void add_extra(struct dump_header *h, const char *s, size_t n)
{
    size_t room = sizeof(h->extra) - 1 - h->extra_len;

    if (h->extra_len > 0 && room >= 2) {
        memcpy(h->extra + h->extra_len, ", ", 2);
        h->extra_len += 2;
        room -= 2;
    }
    if (n > room)
        n = room;
    memcpy(h->extra + h->extra_len, s, n);
    h->extra_len += n;
    h->extra[h->extra_len] = '\0';
}

/* The gp=/m=/mp= words between the id and the bracket (Go 1.22+ crash output); unknown
 * words are kept in extra. */
static int parse_fields(const char *s, size_t n, struct dump_header *h)
{
    size_t i = 0;

    while (i < n) {
        const char *w;
        size_t wn;

        if (s[i] != ' ')
            return -1;
        i++;
        w = s + i;
        while (i < n && s[i] != ' ')
            i++;
        wn = (size_t)(s + i - w);
        if (wn == 0)
            return -1;
        if (dump_has_prefix(w, wn, "gp=") && dump_parse_hex(w + 3, wn - 3, &h->gp) == 0) {
            h->flags |= GORCA_G_HAS_GP;
        } else if (dump_has_prefix(w, wn, "mp=") && dump_parse_hex(w + 3, wn - 3, &h->mp) == 0) {
            h->flags |= GORCA_G_HAS_GP;
        } else if (wn == 5 && memcmp(w, "m=nil", 5) == 0) {
            h->m = -1;
        } else if (dump_has_prefix(w, wn, "m=")) {
            uint64_t m;

            if (dump_parse_u64(w + 2, wn - 2, &m) != 0 || m > INT64_MAX)
                return -1;
            h->m = (int64_t)m;
        } else {
            add_extra(h, w, wn);
        }
    }
    return 0;
}

/* Strips the status decorations the runtime appends to the reason itself. */
static void strip_status_suffixes(struct dump_header *h)
{
    static const struct {
        const char *sfx;
        uint32_t flag;
    } sfx[] = {
        { " (scan)", GORCA_G_SCAN },
        { " (durable)", GORCA_G_DURABLE },
        { " (synctest)", GORCA_G_DURABLE },
        { " (leaked)", GORCA_G_LEAKED },
    };
    int again = 1;

    while (again) {
        again = 0;
        for (size_t i = 0; i < BASE_ARRAY_LEN(sfx); i++) {
            size_t k = strlen(sfx[i].sfx);

            if (h->reason_len > k && has_suffix(h->reason, h->reason_len, sfx[i].sfx)) {
                h->reason_len -= k;
                h->flags |= sfx[i].flag;
                again = 1;
            }
        }
    }
}

/* One ", "-separated item after the status. */
static void parse_item(const char *s, size_t n, struct dump_header *h)
{
    size_t d = digits(s, n);
    uint64_t v;

    if (d > 0 && d < n && (n - d == 8 && memcmp(s + d, " minutes", 8) == 0) &&
        dump_parse_u64(s, d, &v) == 0 && v <= INT32_MAX) {
        h->minutes = (int32_t)v;
    } else if (n == 16 && memcmp(s, "locked to thread", 16) == 0) {
        h->flags |= GORCA_G_LOCKED;
    } else if ((dump_has_prefix(s, n, "synctest group ") &&
                dump_parse_u64(s + 15, n - 15, &v) == 0) ||
               (dump_has_prefix(s, n, "synctest bubble ") &&
                dump_parse_u64(s + 16, n - 16, &v) == 0)) {
        h->flags |= GORCA_G_BUBBLE;
        h->bubble = v;
    } else {
        add_extra(h, s, n);
    }
}

int dump_parse_header(const char *line, size_t n, struct dump_header *h, const char **why)
{
    size_t d, open, i;
    const char *st;
    size_t stn;

    memset(h, 0, sizeof(*h));
    h->minutes = -1;
    h->m = -1;
    if (!dump_has_prefix(line, n, "goroutine "))
        return 0;
    d = digits(line + 10, n - 10);
    if (d == 0)
        return 0;
    if (dump_parse_u64(line + 10, d, &h->id) != 0) {
        *why = "expected a goroutine id that fits in 64 bits";
        return -1;
    }
    /* The state opens at the first " [" after the id and closes at the final "]:". */
    for (open = 10 + d; open + 1 < n; open++)
        if (line[open] == ' ' && line[open + 1] == '[')
            break;
    if (open + 1 >= n || !has_suffix(line, n, "]:") || n < open + 4) {
        *why = "expected 'goroutine <id> [<state>]:'";
        return -1;
    }
    if (parse_fields(line + 10 + d, open - 10 - d, h) != 0) {
        *why = "expected 'gp=0x…', 'm=<id>|nil' or 'mp=0x…' between the id and the state";
        return -1;
    }
    st = line + open + 2;
    stn = n - open - 4;
    h->state = st;
    h->state_len = stn;
    /* First item: the status or wait reason (wait reasons never contain ", "). */
    for (i = 0; i + 1 < stn; i++)
        if (st[i] == ',' && st[i + 1] == ' ')
            break;
    if (i + 1 >= stn)
        i = stn;
    h->reason = st;
    h->reason_len = i;
    strip_status_suffixes(h);
    while (i < stn) {
        size_t j = i + 2;

        for (i = j; i + 1 < stn; i++)
            if (st[i] == ',' && st[i + 1] == ' ')
                break;
        if (i + 1 >= stn)
            i = stn;
        parse_item(st + j, i - j, h);
    }
    if (h->reason_len == 0) {
        *why = "expected a status inside '[...]'";
        return -1;
    }
    return 1;
}

/* ---- other special lines -----------------------------------------------------------------*/

int dump_parse_created(const char *line, size_t n, const char **func, size_t *func_len,
                       uint64_t *parent, int *has_parent)
{
    static const char in[] = " in goroutine ";
    const size_t k = sizeof(in) - 1;
    const char *f;
    size_t fn;

    if (!dump_has_prefix(line, n, "created by "))
        return 0;
    f = line + 11;
    fn = n - 11;
    *parent = 0;
    *has_parent = 0;
    /* " in goroutine N" (Go 1.21+) ends the line; search from the right. */
    for (size_t i = fn; i-- > 0;) {
        if (fn - i > k && memcmp(f + i, in, k) == 0) {
            if (dump_parse_u64(f + i + k, fn - i - k, parent) == 0) {
                *has_parent = 1;
                fn = i;
            }
            break;
        }
    }
    *func = f;
    *func_len = fn;
    return fn > 0;
}

int dump_parse_elided(const char *line, size_t n, uint32_t *count)
{
    static const char additional[] = "...additional frames elided...";

    uint64_t v;
    size_t d;

    if (n == sizeof(additional) - 1 && memcmp(line, additional, n) == 0) {
        *count = 0;
        return 1;
    }
    if (!dump_has_prefix(line, n, "...") || !has_suffix(line, n, " frames elided..."))
        return 0;
    d = digits(line + 3, n - 3);
    if (d == 0 || 3 + d + 17 != n || dump_parse_u64(line + 3, d, &v) != 0 || v > UINT32_MAX)
        return 0;
    *count = (uint32_t)v;
    return 1;
}

int dump_parse_ancestor(const char *line, size_t n, uint64_t *id)
{
    static const char pfx[] = "[originating from goroutine ";
    const size_t k = sizeof(pfx) - 1;

    if (!dump_has_prefix(line, n, pfx) || !has_suffix(line, n, "]:") || n < k + 3)
        return 0;
    return dump_parse_u64(line + k, n - k - 2, id) == 0;
}

int dump_parse_nongo(const char *line, size_t n, uint64_t *pc)
{
    static const char pfx[] = "non-Go function at pc=";
    const size_t k = sizeof(pfx) - 1;

    if (!dump_has_prefix(line, n, pfx))
        return 0;
    return dump_parse_hex(line + k, n - k, pc) == 0;
}
