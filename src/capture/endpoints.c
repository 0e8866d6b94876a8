/* The endpoint table of a capture (which pprof URL, when in the window, which bundle file)
 * and the check that a 200 body starts the way its format must: pprof-formats.md §3.7 and
 * §4.1. A body that fails the check (a login page, a proxy's error page) is never kept. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "capture_int.h"

const struct cap_endpoint cap_endpoints[GORCA_CAP_N_ENDPOINTS] = {
    [GORCA_CAP_PROFILE] = { "profile", "cpu", "profile", "", 1, CAP_WINDOW, CAP_FMT_PPROF,
                            "profile.pb.gz" },
    [GORCA_CAP_TRACE] = { "trace", "trace", "trace", "", 1, CAP_WINDOW, CAP_FMT_TRACE,
                          "trace.out" },
    [GORCA_CAP_BLOCK] = { "block", "block", "block", "", 1, CAP_WINDOW, CAP_FMT_PPROF,
                          "block.pb.gz" },
    [GORCA_CAP_MUTEX] = { "mutex", "mutex", "mutex", "", 1, CAP_WINDOW, CAP_FMT_PPROF,
                          "mutex.pb.gz" },
    [GORCA_CAP_GOROUTINE2] = { "goroutine-debug2", "goroutine_debug2", "goroutine", "debug=2", 0,
                               CAP_MID, CAP_FMT_DEBUG2, "goroutine-debug2.txt" },
    [GORCA_CAP_GOROUTINE1] = { "goroutine-debug1", "goroutine_debug1", "goroutine", "debug=1", 0,
                               CAP_MID, CAP_FMT_DEBUG1, "goroutine-debug1.txt" },
    [GORCA_CAP_GOROUTINE] = { "goroutine", "goroutine", "goroutine", "", 0, CAP_MID, CAP_FMT_PPROF,
                              "goroutine.pb.gz" },
    [GORCA_CAP_HEAP] = { "heap", "heap", "heap", "", 0, CAP_MID, CAP_FMT_PPROF, "heap.pb.gz" },
    [GORCA_CAP_ALLOCS] = { "allocs", "allocs", "allocs", "", 0, CAP_MID, CAP_FMT_PPROF,
                           "allocs.pb.gz" },
    [GORCA_CAP_THREADCREATE] = { "threadcreate", "threadcreate", "threadcreate", "", 0, CAP_MID,
                                 CAP_FMT_PPROF, "threadcreate.pb.gz" },
    [GORCA_CAP_CMDLINE] = { "cmdline", "cmdline", "cmdline", "", 0, CAP_MID, CAP_FMT_TEXT,
                            "cmdline.txt" },
    [GORCA_CAP_GOROUTINE_END] = { "goroutine-end", "goroutine_debug1", "goroutine", "debug=1", 0,
                                  CAP_END, CAP_FMT_DEBUG1, "goroutine-end-debug1.txt" },
    [GORCA_CAP_BLOCK_START] = { "block-start", "block", "block", "", 0, CAP_ON_DEMAND,
                                CAP_FMT_PPROF, "block-start.pb.gz" },
    [GORCA_CAP_BLOCK_END] = { "block-end", "block", "block", "", 0, CAP_ON_DEMAND, CAP_FMT_PPROF,
                              "block-end.pb.gz" },
    [GORCA_CAP_MUTEX_START] = { "mutex-start", "mutex", "mutex", "", 0, CAP_ON_DEMAND,
                                CAP_FMT_PPROF, "mutex-start.pb.gz" },
    [GORCA_CAP_MUTEX_END] = { "mutex-end", "mutex", "mutex", "", 0, CAP_ON_DEMAND, CAP_FMT_PPROF,
                              "mutex-end.pb.gz" },
};

const char *gorca_capture_endpoint_id(enum gorca_capture_endpoint ep)
{
    return (unsigned)ep < GORCA_CAP_N_ENDPOINTS ? cap_endpoints[ep].id : NULL;
}

const char *gorca_capture_endpoint_kind(enum gorca_capture_endpoint ep)
{
    return (unsigned)ep < GORCA_CAP_N_ENDPOINTS ? cap_endpoints[ep].kind : NULL;
}

int gorca_capture_endpoint_from_id(const char *id)
{
    if (strcmp(id, "cpu") == 0)
        return GORCA_CAP_PROFILE;
    for (int i = 0; i < GORCA_CAP_N_ENDPOINTS; i++)
        if (strcmp(id, cap_endpoints[i].id) == 0)
            return i;
    return -1;
}

const char *cap_format_name(enum cap_format f)
{
    static const char *const names[] = { "pprof", "trace", "goroutine_debug2", "goroutine_debug1",
                                         "text" };

    return names[f];
}

static int starts_with(const uint8_t *p, size_t n, const char *lit)
{
    size_t k = strlen(lit);

    return n >= k && memcmp(p, lit, k) == 0;
}

/* A short printable rendering of the first bytes, for error messages. */
static void show_head(const uint8_t *p, size_t n, char *out, size_t size)
{
    size_t o = 0;

    for (size_t i = 0; i < n && i < 24 && o + 5 < size; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\'')
            out[o++] = (char)p[i];
        else
            o += (size_t)snprintf(out + o, size - o, "\\x%02x", p[i]);
    }
    out[o < size ? o : size - 1] = '\0';
}

static int looks_html(const uint8_t *p, size_t n, const char *content_type)
{
    size_t i = 0;

    if (strncmp(content_type, "text/html", 9) == 0)
        return 1;
    while (i < n && isspace(p[i]))
        i++;
    if (i < n && p[i] == '<') {
        for (size_t j = i + 1; j < n && j < i + 10; j++)
            if (isalpha(p[j]) || p[j] == '!')
                return 1;
    }
    return 0;
}

static const char *expected_desc(enum cap_format f)
{
    switch (f) {
    case CAP_FMT_PPROF:
        return "a gzip-compressed profile (1f 8b)";
    case CAP_FMT_TRACE:
        return "an execution trace ('go 1.NN trace')";
    case CAP_FMT_DEBUG2:
        return "a goroutine dump ('goroutine N [')";
    case CAP_FMT_DEBUG1:
        return "a goroutine count profile ('goroutine profile: total N')";
    default:
        return "text";
    }
}

int cap_check_content(enum cap_format f, const uint8_t *head, size_t n, uint64_t total,
                      const char *content_type, char *why, size_t why_size)
{
    char shown[128];
    int ok;

    if (total == 0) {
        snprintf(why, why_size, "empty response, expected %s", expected_desc(f));
        return 0;
    }
    switch (f) {
    case CAP_FMT_PPROF:
        ok = n >= 2 && head[0] == 0x1f && head[1] == 0x8b;
        break;
    case CAP_FMT_TRACE:
        ok = starts_with(head, n, "go 1.") && n >= 16 && memmem(head, 16, " trace", 6) != NULL;
        break;
    case CAP_FMT_DEBUG2:
        ok = starts_with(head, n, "goroutine ");
        break;
    case CAP_FMT_DEBUG1:
        ok = starts_with(head, n, "goroutine profile: total ");
        break;
    default:
        ok = 1;
        break;
    }
    if (ok)
        return 1;
    if (looks_html(head, n, content_type)) {
        snprintf(why, why_size,
                 "got an HTML page (%s) instead of %s; a login page or a proxy in the way?",
                 content_type[0] ? content_type : "no content type", expected_desc(f));
        return 0;
    }
    show_head(head, n, shown, sizeof(shown));
    snprintf(why, why_size, "unexpected content '%s' (%s), expected %s", shown,
             content_type[0] ? content_type : "no content type", expected_desc(f));
    return 0;
}

void gorca_capture_target_dirname(const char *url, char *out, size_t size)
{
    const char *p = url, *end;
    size_t o = 0;

    if (size == 0)
        return;
    if (strncmp(p, "unix:", 5) == 0) {
        o = (size_t)snprintf(out, size, "unix");
        p += 5;
        end = p + strlen(p);
    } else {
        const char *s = strstr(p, "://");

        p = s ? s + 3 : p;
        end = p + strcspn(p, "/?#");
        for (const char *at = p; at < end; at++) /* drop userinfo */
            if (*at == '@')
                p = at + 1;
    }
    if (o >= size)
        o = size - 1;
    for (; p < end && o + 1 < size; p++) {
        unsigned char c = (unsigned char)*p;

        if (c == '[' || c == ']')
            continue;
        out[o++] = (isalnum(c) || c == '.' || c == '-') ? (char)c : '_';
    }
    out[o] = '\0';
    if (o == 0)
        snprintf(out, size, "target");
}
