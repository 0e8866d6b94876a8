/* Content sniffing for `gorca inspect` and for inputs of unknown kind (pprof-formats.md §3.7):
 * gzip is inflated, then the bytes are recognised as a Go execution trace (16-byte header,
 * then the trace reader's probe for generations and duration),
 * a goroutine dump (debug=1, debug=2, crash), a legacy pprof text profile, an HTML page, or
 * decoded as profile.proto and classified by the pprof module. Text is only scanned; traces
 * are probed without decoding their events. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include "gorca/dump.h"
#include "gorca/inspect.h"
#include "gorca/io.h"
#include "gorca/profile.h"
#include "gorca/trace.h"
#include "base/base.h"

static const char *const kind_names[GORCA_INSPECT_N_KINDS] = {
    [GORCA_INSPECT_UNKNOWN] = "unknown",
    [GORCA_INSPECT_CPU] = "cpu",
    [GORCA_INSPECT_HEAP] = "heap",
    [GORCA_INSPECT_BLOCK] = "block",
    [GORCA_INSPECT_MUTEX] = "mutex",
    [GORCA_INSPECT_CONTENTION] = "contention",
    [GORCA_INSPECT_GOROUTINE] = "goroutine",
    [GORCA_INSPECT_THREADCREATE] = "threadcreate",
    [GORCA_INSPECT_GOROUTINE_DEBUG1] = "goroutine_debug1",
    [GORCA_INSPECT_GOROUTINE_DEBUG2] = "goroutine_debug2",
    [GORCA_INSPECT_TRACE] = "trace",
};

const char *gorca_inspect_kind_name(enum gorca_inspect_kind kind)
{
    if ((unsigned)kind >= GORCA_INSPECT_N_KINDS)
        return "unknown";
    return kind_names[kind];
}

const char *gorca_inspect_format_name(enum gorca_inspect_format format)
{
    switch (format) {
    case GORCA_INSPECT_FMT_PPROF:
        return "pprof";
    case GORCA_INSPECT_FMT_PPROF_TEXT:
        return "pprof_text";
    case GORCA_INSPECT_FMT_DUMP_TEXT:
        return "dump_text";
    case GORCA_INSPECT_FMT_TRACE:
        return "trace";
    default:
        return NULL;
    }
}

enum gorca_input_kind gorca_inspect_input_kind(const struct gorca_inspect *in)
{
    switch (in->kind) {
    case GORCA_INSPECT_CPU:
        return GORCA_INPUT_CPU;
    case GORCA_INSPECT_HEAP:
        return in->allocs ? GORCA_INPUT_ALLOCS : GORCA_INPUT_HEAP;
    case GORCA_INSPECT_BLOCK:
        return GORCA_INPUT_BLOCK;
    case GORCA_INSPECT_MUTEX:
        return GORCA_INPUT_MUTEX;
    case GORCA_INSPECT_GOROUTINE:
        return GORCA_INPUT_GOROUTINE;
    case GORCA_INSPECT_THREADCREATE:
        return in->format == GORCA_INSPECT_FMT_PPROF ? GORCA_INPUT_THREADCREATE
                                                     : GORCA_INPUT_UNKNOWN;
    case GORCA_INSPECT_GOROUTINE_DEBUG1:
        return GORCA_INPUT_GOROUTINE_DEBUG1;
    case GORCA_INSPECT_GOROUTINE_DEBUG2:
        return GORCA_INPUT_GOROUTINE_DEBUG2;
    case GORCA_INSPECT_TRACE:
        return GORCA_INPUT_TRACE;
    default:
        return GORCA_INPUT_UNKNOWN;
    }
}

/* ---- helpers -----------------------------------------------------------------------------*/

static int has_prefix(const uint8_t *p, size_t n, const char *pfx)
{
    size_t k = strlen(pfx);

    return n >= k && memcmp(p, pfx, k) == 0;
}

static void copy_strv(char *dst, size_t size, struct gorca_strv v)
{
    size_t n = v.len < size - 1 ? v.len : size - 1;

    if (n)
        memcpy(dst, v.ptr, n);
    dst[n] = '\0';
}

/* "30s", "1.5s", "250ms", "12µs" */
static void fmt_dur(int64_t ns, char *buf, size_t n)
{
    double v = (double)ns;

    if (ns >= 1000000000)
        snprintf(buf, n, "%.3gs", v / 1e9);
    else if (ns >= 1000000)
        snprintf(buf, n, "%.3gms", v / 1e6);
    else if (ns >= 1000)
        snprintf(buf, n, "%.3gus", v / 1e3);
    else
        snprintf(buf, n, "%lldns", (long long)ns);
}

/* The first line starting with pfx (within the first 64 KiB), copied without pfx. */
static int find_line(const uint8_t *p, size_t n, const char *pfx, char *out, size_t size)
{
    size_t k = strlen(pfx), lim = n < (64 << 10) ? n : (64 << 10);

    for (size_t i = 0; i < lim;) {
        const uint8_t *nl = memchr(p + i, '\n', lim - i);
        size_t len = nl ? (size_t)(nl - (p + i)) : lim - i;

        if (len >= k && memcmp(p + i, pfx, k) == 0) {
            size_t m = len - k < size - 1 ? len - k : size - 1;

            memcpy(out, p + i + k, m);
            out[m] = '\0';
            if (m > 0 && out[m - 1] == '\r')
                out[m - 1] = '\0';
            return 1;
        }
        i += len + 1;
    }
    return 0;
}

/* ---- traces ------------------------------------------------------------------------------*/

/* "go 1.NN trace\0\0\0": returns the minor version, -1 when not a trace header, -2 when the
 * header is cut short. */
static int trace_minor(const uint8_t *p, size_t n)
{
    size_t i = 5;
    int minor = 0;

    if (!has_prefix(p, n, "go 1."))
        return -1;
    while (i < n && i < 8 && p[i] >= '0' && p[i] <= '9')
        minor = minor * 10 + (p[i++] - '0');
    if (i == 5)
        return -1;
    if (n < i + 6)
        return has_prefix(p + i, n - i, " trace") || memcmp(p + i, " trace", n - i) == 0 ? -2 : -1;
    if (memcmp(p + i, " trace", 6) != 0)
        return -1;
    for (size_t k = i + 6; k < 16; k++) {
        if (k >= n)
            return -2;
        if (p[k] != 0)
            return -1;
    }
    return minor;
}

/* Fills the trace fields from the header (minor) and, when given, the reader's probe. */
static void inspect_trace(int minor, const struct gorca_trace_probe *pr, struct gorca_inspect *out)
{
    char dur[32] = "", cut[96] = "";

    out->format = GORCA_INSPECT_FMT_TRACE;
    if (minor == -2) {
        snprintf(out->summary, sizeof(out->summary),
                 "Go execution trace whose 16-byte header is cut short");
        return;
    }
    out->kind = GORCA_INSPECT_TRACE;
    out->trace_version = minor;
    out->trace_supported = minor >= 22;
    if (!out->trace_supported) {
        snprintf(out->summary, sizeof(out->summary),
                 "Go 1.%d execution trace (pre-1.22 format, which gorca does not read)", minor);
        return;
    }
    if (pr == NULL) {
        snprintf(out->summary, sizeof(out->summary), "Go 1.%d execution trace", minor);
        return;
    }
    out->trace_generations = pr->generations;
    out->trace_duration_ns = pr->duration_ns;
    out->trace_status = pr->status;
    if (pr->duration_ns > 0) {
        dur[0] = ' ';
        fmt_dur(pr->duration_ns, dur + 1, sizeof(dur) - 1);
    }
    if (pr->status != GORCA_OK)
        snprintf(cut, sizeof(cut), " (damaged: %s)", gorca_strerror(pr->status));
    snprintf(out->summary, sizeof(out->summary), "Go 1.%d execution trace%s:%s%s %llu generation%s",
             minor, cut, dur, dur[0] ? "," : "", (unsigned long long)pr->generations,
             pr->generations == 1 ? "" : "s");
}

/* Probes data[0..n) (a trace in memory, e.g. inflated from gzip). */
static void inspect_trace_mem(const uint8_t *p, size_t n, int minor, struct gorca_inspect *out)
{
    struct gorca_trace_probe pr;
    struct gorca_error err;

    gorca_error_init(&err, NULL);
    if (minor >= 22 && gorca_trace_probe_mem(p, n, &pr, &err) == GORCA_OK)
        inspect_trace(minor, &pr, out);
    else
        inspect_trace(minor, NULL, out);
}

/* ---- goroutine dumps and text profiles ---------------------------------------------------*/

/* Goroutine headers ("goroutine N [" ... "]:") at the start of a line. */
static uint64_t count_headers(const uint8_t *p, size_t n)
{
    uint64_t c = 0;

    for (size_t i = 0; i < n;) {
        const uint8_t *nl = memchr(p + i, '\n', n - i);
        size_t len = nl ? (size_t)(nl - (p + i)) : n - i;
        const uint8_t *l = p + i;

        if (len > 0 && l[len - 1] == '\r')
            len--;
        if (len > 14 && memcmp(l, "goroutine ", 10) == 0 && l[10] >= '0' && l[10] <= '9' &&
            l[len - 2] == ']' && l[len - 1] == ':')
            c++;
        i += (nl ? (size_t)(nl - (p + i)) : n - i) + 1;
    }
    return c;
}

static void inspect_count_text(const uint8_t *p, size_t n, struct gorca_inspect *out)
{
    char line[128];
    char *mid;

    size_t i = 0;

    out->format = GORCA_INSPECT_FMT_DUMP_TEXT;
    snprintf(out->dump_format, sizeof(out->dump_format), "debug1");
    /* the first non-empty line is "<name> profile: total <N>" */
    while (i < n && (p[i] == '\n' || p[i] == '\r'))
        i++;
    if (!find_line(p + i, n - i, "", line, sizeof(line)))
        return;
    mid = strstr(line, " profile: total ");
    if (mid == NULL)
        return;
    *mid = '\0';
    snprintf(out->profile_name, sizeof(out->profile_name), "%.47s", line);
    out->goroutines = strtoull(mid + 16, NULL, 10);
    if (strcmp(line, "goroutine") == 0 || strcmp(line, "goroutineleak") == 0) {
        out->kind = GORCA_INSPECT_GOROUTINE_DEBUG1;
        snprintf(out->summary, sizeof(out->summary), "%s profile, debug=1 text: %llu goroutines",
                 line, (unsigned long long)out->goroutines);
    } else if (strcmp(line, "threadcreate") == 0) {
        out->kind = GORCA_INSPECT_THREADCREATE;
        snprintf(out->summary, sizeof(out->summary),
                 "threadcreate profile, debug=1 text: %llu threads",
                 (unsigned long long)out->goroutines);
    } else {
        snprintf(out->summary, sizeof(out->summary),
                 "custom count profile '%.48s', debug=1 text (%llu stacks): no gorca view", line,
                 (unsigned long long)out->goroutines);
    }
}

static void inspect_tracebacks(const uint8_t *p, size_t n, int fmt, struct gorca_inspect *out)
{
    static const char *const starts[] = { "panic: ", "fatal error: ", "SIGQUIT: ", "fatal: " };
    char what[128] = "", text[112];

    out->kind = GORCA_INSPECT_GOROUTINE_DEBUG2;
    out->format = GORCA_INSPECT_FMT_DUMP_TEXT;
    out->goroutines = count_headers(p, n);
    snprintf(out->dump_format, sizeof(out->dump_format), "%s",
             fmt == GORCA_DUMP_CRASH ? "crash" : "debug2");
    if (fmt != GORCA_DUMP_CRASH) {
        snprintf(out->summary, sizeof(out->summary),
                 "goroutine dump, debug=2 text: %llu goroutine%s",
                 (unsigned long long)out->goroutines, out->goroutines == 1 ? "" : "s");
        return;
    }
    for (size_t i = 0; i < BASE_ARRAY_LEN(starts) && what[0] == '\0'; i++)
        if (find_line(p, n, starts[i], text, sizeof(text)))
            snprintf(what, sizeof(what), " (%s%s)", starts[i], text);
    snprintf(out->summary, sizeof(out->summary), "crash traceback%.140s: %llu goroutine%s", what,
             (unsigned long long)out->goroutines, out->goroutines == 1 ? "" : "s");
}

/* Legacy text profiles (pprof-formats.md §3.6): kind and the columns pprof reads from them. */
static int inspect_pprof_text(const uint8_t *p, size_t n, struct gorca_inspect *out)
{
    static const char *const heap[][2] = { { "alloc_objects", "count" },
                                           { "alloc_space", "bytes" },
                                           { "inuse_objects", "count" },
                                           { "inuse_space", "bytes" } };
    static const char *const cont[][2] = { { "contentions", "count" }, { "delay", "nanoseconds" } };
    const char *const(*types)[2];
    size_t nt;
    const char *what;

    if (has_prefix(p, n, "heap profile: ")) {
        out->kind = GORCA_INSPECT_HEAP;
        types = heap;
        nt = 4;
        what = "heap";
    } else if (has_prefix(p, n, "--- contention:")) {
        out->kind = GORCA_INSPECT_BLOCK;
        types = cont;
        nt = 2;
        what = "block";
    } else if (has_prefix(p, n, "--- mutex:")) {
        out->kind = GORCA_INSPECT_MUTEX;
        types = cont;
        nt = 2;
        what = "mutex";
    } else {
        return 0;
    }
    out->format = GORCA_INSPECT_FMT_PPROF_TEXT;
    for (size_t i = 0; i < nt; i++) {
        snprintf(out->sample_types[i].type, sizeof(out->sample_types[i].type), "%s", types[i][0]);
        snprintf(out->sample_types[i].unit, sizeof(out->sample_types[i].unit), "%s", types[i][1]);
    }
    out->n_sample_types = nt;
    snprintf(out->summary, sizeof(out->summary),
             "%s profile, legacy debug=1 text (fetch it without debug=1 for the protobuf form)",
             what);
    return 1;
}

/* ---- protobuf ----------------------------------------------------------------------------*/

static void inspect_proto(const struct gorca_profile *p, struct gorca_inspect *out)
{
    struct gorca_profile_class cls;
    enum gorca_profile_kind k = gorca_profile_classify(p, &cls);
    char types[160] = "", dur[32] = "";
    size_t tl = 0;

    out->format = GORCA_INSPECT_FMT_PPROF;
    out->n_sample_types = p->n_sample_types;
    for (size_t i = 0; i < p->n_sample_types && i < GORCA_INSPECT_MAX_TYPES; i++) {
        copy_strv(out->sample_types[i].type, sizeof(out->sample_types[i].type),
                  p->sample_types[i].type);
        copy_strv(out->sample_types[i].unit, sizeof(out->sample_types[i].unit),
                  p->sample_types[i].unit);
        if (tl < sizeof(types))
            tl += (size_t)snprintf(types + tl, sizeof(types) - tl, "%s%s/%s", i ? ", " : "",
                                   out->sample_types[i].type, out->sample_types[i].unit);
    }
    copy_strv(out->period_type, sizeof(out->period_type), p->period_type.type);
    copy_strv(out->default_sample_type, sizeof(out->default_sample_type), p->default_sample_type);
    out->period = p->period;
    out->n_samples = p->n_samples;
    out->time_nanos = p->time_nanos;
    out->duration_nanos = p->duration_nanos;
    out->allocs = cls.allocs;
    out->delta = cls.delta;
    switch (k) {
    case GORCA_PROFILE_CPU:
        out->kind = GORCA_INSPECT_CPU;
        break;
    case GORCA_PROFILE_HEAP:
        out->kind = GORCA_INSPECT_HEAP;
        break;
    case GORCA_PROFILE_BLOCK:
        out->kind = GORCA_INSPECT_BLOCK;
        break;
    case GORCA_PROFILE_MUTEX:
        out->kind = GORCA_INSPECT_MUTEX;
        break;
    case GORCA_PROFILE_CONTENTION:
        out->kind = GORCA_INSPECT_CONTENTION;
        break;
    case GORCA_PROFILE_GOROUTINE:
        out->kind = GORCA_INSPECT_GOROUTINE;
        break;
    case GORCA_PROFILE_THREADCREATE:
        out->kind = GORCA_INSPECT_THREADCREATE;
        break;
    case GORCA_PROFILE_CUSTOM:
        if (p->n_sample_types > 0)
            copy_strv(out->profile_name, sizeof(out->profile_name), p->sample_types[0].type);
        break;
    default:
        break;
    }
    if (p->duration_nanos > 0) {
        fmt_dur(p->duration_nanos, dur + 6, sizeof(dur) - 6);
        memcpy(dur, " over ", 6);
    }
    if (k == GORCA_PROFILE_GOROUTINE || k == GORCA_PROFILE_THREADCREATE) {
        int64_t total = 0;

        for (size_t i = 0; i < p->n_samples; i++)
            if (p->n_sample_types > 0)
                total += p->samples[i].values[0];
        out->goroutines = total > 0 ? (uint64_t)total : 0;
        if (cls.delta)
            snprintf(out->summary, sizeof(out->summary),
                     "pprof delta %s profile: %+lld %s%s in %zu stacks", gorca_profile_kind_name(k),
                     (long long)total, k == GORCA_PROFILE_GOROUTINE ? "goroutines" : "threads", dur,
                     p->n_samples);
        else
            snprintf(out->summary, sizeof(out->summary), "pprof %s profile: %lld %s in %zu stacks",
                     gorca_profile_kind_name(k), (long long)total,
                     k == GORCA_PROFILE_GOROUTINE ? "goroutines" : "threads", p->n_samples);
    } else if (out->kind == GORCA_INSPECT_UNKNOWN)
        snprintf(out->summary, sizeof(out->summary),
                 "pprof profile of no Go kind gorca knows%s%s "
                 "(%zu samples: %.100s)",
                 out->profile_name[0] ? ": custom profile " : "", out->profile_name, p->n_samples,
                 types);
    else
        snprintf(out->summary, sizeof(out->summary), "pprof %s%s profile%s: %zu samples%s (%.120s)",
                 cls.delta ? "delta " : "", gorca_profile_kind_name(k),
                 out->allocs ? " (allocs endpoint)" : "", p->n_samples, dur, types);
}

/* ---- entry points ------------------------------------------------------------------------*/

static int looks_like_protobuf(const uint8_t *p, size_t n)
{
    unsigned field, wire;

    if (n == 0)
        return 0;
    field = p[0] >> 3;
    wire = p[0] & 7;
    return field >= 1 && field <= 14 && (wire == 0 || wire == 2) && (p[0] < 0x20 || p[0] > 0x7e);
}

static void inspect_bytes(const uint8_t *p, size_t n, const struct gorca_limits *lim,
                          struct gorca_inspect *out, int depth)
{
    struct gorca_error err;
    int t, fmt;

    if (gorca_is_gzip(p, n) && depth == 0) {
        uint8_t *in = NULL;
        size_t in_len = 0;
        char msg[200];

        out->gzip = 1;
        gorca_error_init(&err, NULL);
        if (gorca_gunzip(p, n, lim->input_bytes, &in, &in_len, &err) != GORCA_OK) {
            gorca_error_format(&err, msg, sizeof(msg));
            snprintf(out->summary, sizeof(out->summary), "gzip data that does not inflate: %s",
                     msg);
            free(in);
            return;
        }
        inspect_bytes(in, in_len, lim, out, 1);
        free(in);
        return;
    }
    t = trace_minor(p, n);
    if (t != -1) {
        inspect_trace_mem(p, n, t, out);
        return;
    }
    fmt = gorca_dump_sniff(p, n);
    if (fmt == GORCA_DUMP_DEBUG1) {
        inspect_count_text(p, n, out);
        return;
    }
    if (fmt == GORCA_DUMP_DEBUG2 || fmt == GORCA_DUMP_CRASH) {
        inspect_tracebacks(p, n, fmt, out);
        return;
    }
    if (inspect_pprof_text(p, n, out))
        return;
    if (has_prefix(p, n, "<!DOCTYPE") || has_prefix(p, n, "<html")) {
        snprintf(out->summary, sizeof(out->summary),
                 "an HTML page (the /debug/pprof/ index or an error page), not evidence");
        return;
    }
    if (n == 0) {
        snprintf(out->summary, sizeof(out->summary), "an empty file");
        return;
    }
    {
        struct gorca_profile *prof = NULL;

        gorca_error_init(&err, NULL);
        if (gorca_profile_parse(p, n, lim, &prof, &err) == GORCA_OK) {
            inspect_proto(prof, out);
            gorca_profile_free(prof);
            return;
        }
        if (looks_like_protobuf(p, n)) {
            char msg[160];

            gorca_error_format(&err, msg, sizeof(msg));
            snprintf(out->summary, sizeof(out->summary), "not a valid pprof profile: %s", msg);
            return;
        }
    }
    snprintf(out->summary, sizeof(out->summary),
             "not a pprof profile, goroutine dump or Go execution trace");
}

enum gorca_status gorca_inspect_mem(const uint8_t *data, size_t len, const struct gorca_limits *lim,
                                    struct gorca_inspect *out)
{
    struct gorca_limits l = gorca_limits_resolve(lim);

    memset(out, 0, sizeof(*out));
    out->size_bytes = len;
    inspect_bytes(data, len, &l, out, 0);
    return GORCA_OK;
}

enum gorca_status gorca_inspect_file(const char *path, const struct gorca_limits *lim,
                                     struct gorca_inspect *out, struct gorca_error *err)
{
    struct gorca_limits l = gorca_limits_resolve(lim);
    uint8_t head[16];
    uint8_t *data = NULL;
    size_t len = 0;
    enum gorca_status st;

    memset(out, 0, sizeof(*out));
    if (err->source == NULL)
        err->source = path;
    /* A trace is recognised from its header alone: no need to read the rest. */
    if (strcmp(path, "-") != 0) {
        FILE *f = fopen(path, "rb");
        struct stat sb;

        if (f != NULL) {
            size_t got = fread(head, 1, sizeof(head), f);
            int t = trace_minor(head, got);

            if (t != -1 && fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode)) {
                struct gorca_trace_probe pr;
                struct gorca_error perr;

                fclose(f);
                out->size_bytes = (uint64_t)sb.st_size;
                gorca_error_init(&perr, path);
                if (t >= 22 && gorca_trace_probe_file(path, &pr, &perr) == GORCA_OK)
                    inspect_trace(t, &pr, out);
                else
                    inspect_trace(t, NULL, out);
                return GORCA_OK;
            }
            fclose(f);
        }
    }
    st = gorca_read_file(path, l.input_bytes, &data, &len, err);
    if (st != GORCA_OK)
        return st;
    inspect_bytes(data, len, &l, out, 0);
    out->size_bytes = len;
    free(data);
    return GORCA_OK;
}
