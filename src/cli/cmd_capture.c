/* gorca capture: time-aligned capture of a Go service's pprof endpoints into a bundle
 * directory (docs/commands/capture.md). This file turns argv, the environment (credentials,
 * proxies) and secret files into struct gorca_capture_options, draws the progress line on a
 * TTY and reports; the capture itself is libgorca's (src/capture). */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "gorca/capture.h"
#include "gorca/trace.h"

#define MAX_HEADERS 64
#define MAX_TARGETS 4096

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: gorca capture URL [options]\n"
        "       gorca capture --targets FILE [options]\n\n"
        "Captures a CPU profile and an execution trace over the same window, goroutine\n"
        "dumps, block/mutex deltas, heap, allocs and threadcreate from a Go service's\n"
        "net/http/pprof into a bundle directory with a manifest.json.\n\n"
        "  URL                     http(s)://HOST:PORT[/PREFIX] or unix:SOCKET_PATH\n"
        "  -o, --output DIR        bundle directory (default gorca-capture-HOST_PORT-TIME)\n"
        "  -s, --seconds N         window length for profile, trace, block, mutex (5)\n"
        "      --prefix PATH       pprof mount (default /debug/pprof, or the URL's path)\n"
        "      --only LIST         comma-separated endpoints: profile, trace, block, mutex,\n"
        "                          goroutine-debug2, goroutine-debug1, goroutine, heap,\n"
        "                          allocs, threadcreate, cmdline, goroutine-end\n"
        "      --no-full-dump      skip goroutine?debug=2 (stops the world on big services)\n"
        "  -f, --force             write into a non-empty DIR\n"
        "  -H, --header 'N: V'     extra request header (repeatable)\n"
        "      --header-file FILE  extra headers, one per line\n"
        "      --bearer-token-file FILE   bearer token (else $GORCA_BEARER_TOKEN)\n"
        "      --basic-auth-file FILE     USER:PASSWORD (else $GORCA_BASIC_AUTH)\n"
        "      --cacert FILE       trusted CA certificates (PEM)\n"
        "      --cert FILE         client certificate (PEM), with --key for mTLS\n"
        "      --key FILE          client private key (PEM)\n"
        "  -k, --insecure          do not verify TLS certificates (warns)\n"
        "      --unix-socket PATH  connect through a unix socket\n"
        "      --proxy URL         proxy (default: $https_proxy/$http_proxy/$all_proxy)\n"
        "      --noproxy LIST      hosts that bypass the proxy (default: $no_proxy)\n"
        "      --connect-timeout D connect timeout (5s)\n"
        "      --grace D           time allowed beyond each request's duration (10s)\n"
        "      --max-size BYTES    largest response accepted, suffixes K M G (1G)\n"
        "      --targets FILE      capture every URL in FILE (one per line) into DIR/HOST_PORT/\n"
        "      --parallel N        targets captured at the same time (4)\n"
        "      --json              print a JSON summary on stdout\n"
        "  -q, --quiet             no progress line and no failure list\n"
        "\nexit: 0 every endpoint captured, 1 partial, 2 nothing captured or usage error\n");
}

struct cap_cli {
    struct gorca_capture_options base;
    const char *headers[MAX_HEADERS];
    size_t n_headers;
    char *owned[MAX_HEADERS + 8]; /* strings read from files or the environment */
    size_t n_owned;
    const char *out_dir, *targets_file;
    unsigned parallel;
    int json, quiet, tty;
};

static char *keep(struct cap_cli *c, char *s)
{
    if (s && c->n_owned < sizeof(c->owned) / sizeof(c->owned[0]))
        c->owned[c->n_owned++] = s;
    return s;
}

/* Reads a small secret/config file into a malloc'd string without trailing newlines. */
static char *read_text_file(const char *path)
{
    uint8_t *data = NULL;
    size_t len = 0;
    struct gorca_error err;

    gorca_error_init(&err, path);
    if (gorca_read_file(path, 1 << 20, &data, &len, &err) != GORCA_OK) {
        cli_error_gorca(&err);
        return NULL;
    }
    while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
        data[--len] = '\0';
    if (memchr(data, '\0', len) != NULL) {
        cli_error("'%s' contains a NUL byte", path);
        free(data);
        return NULL;
    }
    return (char *)data;
}

static int add_header(struct cap_cli *c, const char *h)
{
    if (strchr(h, ':') == NULL || h[0] == ':')
        return cli_usage_error("capture", "header '%s' is not 'Name: value'", h);
    if (c->n_headers == MAX_HEADERS)
        return cli_usage_error("capture", "more than %d headers", MAX_HEADERS);
    c->headers[c->n_headers++] = h;
    return 0;
}

static int load_header_file(struct cap_cli *c, const char *path)
{
    char *text = keep(c, read_text_file(path));

    if (text == NULL)
        return CLI_EXIT_USAGE;
    for (char *line = strtok(text, "\r\n"); line; line = strtok(NULL, "\r\n")) {
        if (line[0] == '\0' || line[0] == '#')
            continue;
        if (add_header(c, line) != 0)
            return CLI_EXIT_USAGE;
    }
    return 0;
}

static int set_basic(struct cap_cli *c, char *userpass, const char *from)
{
    char *colon;

    if (userpass == NULL)
        return CLI_EXIT_USAGE;
    colon = strchr(userpass, ':');
    if (colon == NULL)
        return cli_usage_error("capture", "%s must be USER:PASSWORD", from);
    *colon = '\0';
    c->base.username = userpass;
    c->base.password = colon + 1;
    return 0;
}

static int parse_size(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;
    uint64_t mult = 1;

    errno = 0;
    if (s[0] < '0' || s[0] > '9')
        return -1;
    v = strtoull(s, &end, 10);
    if (errno)
        return -1;
    if (*end == 'K' || *end == 'k')
        mult = 1ull << 10, end++;
    else if (*end == 'M' || *end == 'm')
        mult = 1ull << 20, end++;
    else if (*end == 'G' || *end == 'g')
        mult = 1ull << 30, end++;
    if (*end == 'i' || *end == 'B')
        end += (*end == 'i' && end[1] == 'B') ? 2 : 1;
    if (*end != '\0' || v == 0 || v > UINT64_MAX / mult)
        return -1;
    *out = v * mult;
    return 0;
}

static int parse_only(const char *list, uint32_t *mask)
{
    char buf[512];

    snprintf(buf, sizeof(buf), "%s", list);
    *mask = 0;
    for (char *t = strtok(buf, ", "); t; t = strtok(NULL, ", ")) {
        int ep = gorca_capture_endpoint_from_id(t);

        if (ep < 0 || ep > GORCA_CAP_GOROUTINE_END)
            return cli_usage_error("capture", "unknown endpoint '%s' in --only", t);
        *mask |= GORCA_CAP_BIT(ep);
    }
    if (*mask == 0)
        return cli_usage_error("capture", "--only selects nothing");
    return 0;
}

static const char *env_nonempty(const char *a, const char *b)
{
    const char *v = getenv(a);

    if ((v == NULL || v[0] == '\0') && b)
        v = getenv(b);
    return v && v[0] ? v : NULL;
}

/* The proxy for a target, as curl and Go read the usual variables. */
static const char *proxy_for(const char *url)
{
    const char *p = NULL;

    if (strncmp(url, "unix:", 5) == 0)
        return NULL;
    if (strncmp(url, "https://", 8) == 0)
        p = env_nonempty("https_proxy", "HTTPS_PROXY");
    else
        p = env_nonempty("http_proxy", "HTTP_PROXY");
    return p ? p : env_nonempty("all_proxy", "ALL_PROXY");
}

/* ---- progress -------------------------------------------------------------------------*/

struct progress_ctx {
    int tty;
    int drawn;
};

static void draw_progress(void *vctx, const struct gorca_capture_result *rs, size_t n, int64_t now)
{
    struct progress_ctx *p = vctx;
    size_t counts[6] = { 0 }, done = 0;
    double left = -1;

    if (!p->tty)
        return;
    for (size_t t = 0; t < n; t++) {
        const struct gorca_capture_result *r = &rs[t];

        if (r->finished_ns)
            done++;
        for (int i = 0; i < GORCA_CAP_N_ENDPOINTS; i++)
            counts[r->items[i].state]++;
        if (r->items[GORCA_CAP_PROFILE].scheduled_ns && !r->finished_ns) {
            double l = (double)(r->items[GORCA_CAP_PROFILE].scheduled_ns +
                                (int64_t)r->seconds * 1000000000 - now) /
                       1e9;

            left = l > left ? l : left;
        }
    }
    fprintf(stderr, "\r\033[Kgorca capture: ");
    if (n == 1)
        fprintf(stderr, "%s", rs[0].target);
    else
        fprintf(stderr, "targets %zu/%zu done", done, n);
    if (left > 0)
        fprintf(stderr, " | window %.1fs left", left);
    fprintf(stderr, " | ok %zu, running %zu, waiting %zu, failed %zu", counts[GORCA_CAPST_OK],
            counts[GORCA_CAPST_RUNNING], counts[GORCA_CAPST_PENDING], counts[GORCA_CAPST_FAILED]);
    if (n == 1 && counts[GORCA_CAPST_FAILED] > 0) { /* name them: the user may want to stop */
        const char *sep = " (";

        for (int i = 0; i < GORCA_CAP_N_ENDPOINTS; i++)
            if (rs[0].items[i].state == GORCA_CAPST_FAILED) {
                fprintf(stderr, "%s%s", sep, gorca_capture_endpoint_id(rs[0].items[i].ep));
                sep = " ";
            }
        fputc(')', stderr);
    }
    fflush(stderr);
    p->drawn = 1;
}

/* ---- reporting ------------------------------------------------------------------------*/

static int exit_of(const struct gorca_capture_result *r)
{
    const char *st = gorca_capture_status(r);

    return strcmp(st, "complete") == 0 ? 0 : strcmp(st, "partial") == 0 ? 1 : 2;
}

/* Go 1.22-1.24 can crash while tracing (golang/go#70454, docs/commands/capture.md): when the
 * captured trace says the service runs one of them (1.24 writes the 1.23 format), say so. */
static void note_tracer_crash_risk(const struct gorca_capture_result *r)
{
    const struct gorca_capture_item *it = &r->items[GORCA_CAP_TRACE];
    struct gorca_trace_probe pr;
    struct gorca_error err;
    char path[4096];
    int n;

    if (it->state != GORCA_CAPST_OK || r->dir == NULL)
        return;
    n = snprintf(path, sizeof(path), "%s/%s", r->dir, it->file);
    if (n < 0 || (size_t)n >= sizeof(path))
        return;
    gorca_error_init(&err, path);
    if (gorca_trace_probe_file(path, &pr, &err) != GORCA_OK || !pr.supported || pr.go_version > 23)
        return;
    cli_note("note: '%s' runs Go 1.22-1.24 (its trace is in the go 1.%d format): tracing can crash "
             "those runtimes (golang/go#70454, fixed in Go 1.25); leave 'trace' out of --only "
             "if that risk is not acceptable",
             r->target, pr.go_version);
}

static void report_target(const struct cap_cli *c, const struct gorca_capture_result *r,
                          int *saw_auth_error)
{
    if (r->fatal[0] && !c->quiet)
        cli_error("'%s': %s", r->target, r->fatal);
    for (int i = 0; i < GORCA_CAP_N_ENDPOINTS && !r->fatal[0]; i++) {
        const struct gorca_capture_item *it = &r->items[i];

        if (it->state == GORCA_CAPST_FAILED && !c->quiet)
            cli_warn("'%s' %s: %s", r->target, gorca_capture_endpoint_id(it->ep), it->error);
        else if (it->state == GORCA_CAPST_REPLACED && !c->quiet)
            cli_note("note: '%s' %s: %s", r->target, gorca_capture_endpoint_id(it->ep), it->error);
    }
    if (!c->quiet)
        note_tracer_crash_risk(r);
    for (int i = 0; i < GORCA_CAP_N_ENDPOINTS; i++)
        if (r->items[i].http_status == 401 || r->items[i].http_status == 403 ||
            strstr(r->fatal, "HTTP 401") || strstr(r->fatal, "HTTP 403"))
            *saw_auth_error = 1;
    if (c->tty && !c->quiet && !c->json) {
        fprintf(stderr, "gorca: %s: %zu/%zu endpoints into '%s'", gorca_capture_status(r), r->n_ok,
                r->n_requested, r->dir);
        if (r->start_skew_ns >= 0)
            fprintf(stderr, " (window start skew %.2f ms)", (double)r->start_skew_ns / 1e6);
        fputc('\n', stderr);
    }
}

static int print_json(const struct cap_cli *c, const struct gorca_capture_result *rs,
                      const struct gorca_capture_options *opts, size_t n, int code)
{
    struct gorca_buf b;
    int rc;

    (void)c;
    gorca_buf_init(&b, 0);
    gorca_buf_printf(&b, "{\"schema\":\"gorca.capture-summary/1\",\"exit_code\":%d,\"targets\":[",
                     code);
    for (size_t i = 0; i < n; i++) {
        if (i)
            gorca_buf_putc(&b, ',');
        gorca_capture_manifest_json(&rs[i], &opts[i], &b, 0);
        if (b.len && b.data[b.len - 1] == '\n')
            b.data[--b.len] = '\0';
    }
    gorca_buf_puts(&b, "]}\n");
    if (b.failed) {
        cli_error("out of memory");
        gorca_buf_release(&b);
        return -1;
    }
    rc = cli_write_output("-", b.data, b.len);
    gorca_buf_release(&b);
    return rc;
}

/* ---- targets --------------------------------------------------------------------------*/

static char *default_dir(const char *url)
{
    char name[160], stamp[32], *out;
    time_t t = time(NULL);
    struct tm tm;
    size_t n;

    localtime_r(&t, &tm);
    strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
    if (url)
        gorca_capture_target_dirname(url, name, sizeof(name));
    n = strlen(name) + strlen(stamp) + 32;
    out = malloc(n);
    if (out)
        snprintf(out, n, "gorca-capture-%s%s%s", url ? name : "", url ? "-" : "", stamp);
    return out;
}

static int read_targets(const char *path, char ***urls, size_t *n)
{
    char *text = read_text_file(path);
    size_t cap = 0;

    *urls = NULL;
    *n = 0;
    if (text == NULL)
        return -1;
    for (char *line = strtok(text, "\r\n"); line; line = strtok(NULL, "\r\n")) {
        while (*line == ' ' || *line == '\t')
            line++;
        if (line[0] == '\0' || line[0] == '#')
            continue;
        if (*n == MAX_TARGETS) {
            cli_error("'%s': more than %d targets", path, MAX_TARGETS);
            break;
        }
        if (*n == cap) {
            char **nu = realloc(*urls, (cap = cap ? cap * 2 : 16) * sizeof(char *));

            if (nu == NULL)
                break;
            *urls = nu;
        }
        (*urls)[(*n)++] = strdup(line);
    }
    free(text);
    return *n > 0 ? 0 : -1;
}

/* ---- main -----------------------------------------------------------------------------*/

static int dir_has_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int found = 0;

    if (d == NULL)
        return errno == ENOTDIR;
    while (!found && (e = readdir(d)) != NULL)
        found = strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return found;
}

enum {
    OPT_PREFIX = 256,
    OPT_ONLY,
    OPT_NO_FULL,
    OPT_HEADER_FILE,
    OPT_BEARER_FILE,
    OPT_BASIC_FILE,
    OPT_CACERT,
    OPT_CERT,
    OPT_KEY,
    OPT_UNIX,
    OPT_PROXY,
    OPT_NOPROXY,
    OPT_CONNECT,
    OPT_GRACE,
    OPT_MAXSIZE,
    OPT_TARGETS,
    OPT_PARALLEL,
    OPT_JSON
};

static const struct option long_opts[] = {
    { "output", required_argument, NULL, 'o' },
    { "seconds", required_argument, NULL, 's' },
    { "prefix", required_argument, NULL, OPT_PREFIX },
    { "only", required_argument, NULL, OPT_ONLY },
    { "no-full-dump", no_argument, NULL, OPT_NO_FULL },
    { "force", no_argument, NULL, 'f' },
    { "header", required_argument, NULL, 'H' },
    { "header-file", required_argument, NULL, OPT_HEADER_FILE },
    { "bearer-token-file", required_argument, NULL, OPT_BEARER_FILE },
    { "basic-auth-file", required_argument, NULL, OPT_BASIC_FILE },
    { "cacert", required_argument, NULL, OPT_CACERT },
    { "cert", required_argument, NULL, OPT_CERT },
    { "key", required_argument, NULL, OPT_KEY },
    { "insecure", no_argument, NULL, 'k' },
    { "unix-socket", required_argument, NULL, OPT_UNIX },
    { "proxy", required_argument, NULL, OPT_PROXY },
    { "noproxy", required_argument, NULL, OPT_NOPROXY },
    { "connect-timeout", required_argument, NULL, OPT_CONNECT },
    { "grace", required_argument, NULL, OPT_GRACE },
    { "max-size", required_argument, NULL, OPT_MAXSIZE },
    { "targets", required_argument, NULL, OPT_TARGETS },
    { "parallel", required_argument, NULL, OPT_PARALLEL },
    { "json", no_argument, NULL, OPT_JSON },
    { "quiet", no_argument, NULL, 'q' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

static int parse_duration_ms(const char *opt, const char *v, int64_t *ms)
{
    int64_t ns;

    if (cli_parse_duration(v, &ns) != 0 || ns < 1000000 || ns > 86400LL * 1000000000)
        return cli_usage_error("capture", "%s '%s' is not a duration like 500ms or 10s", opt, v);
    *ms = ns / 1000000;
    return 0;
}

static int parse_args(struct cap_cli *c, int argc, char **argv)
{
    int opt, rc = 0;
    uint64_t v;

    while ((opt = getopt_long(argc, argv, "o:s:fH:kqh", long_opts, NULL)) != -1 && rc == 0) {
        switch (opt) {
        case 'o':
            c->out_dir = optarg;
            break;
        case 's':
            if (cli_parse_u64(optarg, &v) != 0 || v < 1 || v > 3600)
                return cli_usage_error("capture", "--seconds must be 1..3600, got '%s'", optarg);
            c->base.seconds = (unsigned)v;
            break;
        case OPT_PREFIX:
            if (optarg[0] != '/')
                return cli_usage_error("capture", "--prefix must start with '/'");
            c->base.prefix = optarg;
            break;
        case OPT_ONLY:
            rc = parse_only(optarg, &c->base.only);
            break;
        case OPT_NO_FULL:
            c->base.no_full_dump = 1;
            break;
        case 'f':
            c->base.force = 1;
            break;
        case 'H':
            rc = add_header(c, optarg);
            break;
        case OPT_HEADER_FILE:
            rc = load_header_file(c, optarg);
            break;
        case OPT_BEARER_FILE:
            c->base.bearer_token = keep(c, read_text_file(optarg));
            rc = c->base.bearer_token ? 0 : CLI_EXIT_USAGE;
            break;
        case OPT_BASIC_FILE:
            rc = set_basic(c, keep(c, read_text_file(optarg)), optarg);
            break;
        case OPT_CACERT:
            c->base.ca_file = optarg;
            break;
        case OPT_CERT:
            c->base.cert_file = optarg;
            break;
        case OPT_KEY:
            c->base.key_file = optarg;
            break;
        case 'k':
            c->base.insecure = 1;
            break;
        case OPT_UNIX:
            c->base.unix_socket = optarg;
            break;
        case OPT_PROXY:
            c->base.proxy = optarg;
            break;
        case OPT_NOPROXY:
            c->base.noproxy = optarg;
            break;
        case OPT_CONNECT:
            rc = parse_duration_ms("--connect-timeout", optarg, &c->base.connect_timeout_ms);
            break;
        case OPT_GRACE:
            rc = parse_duration_ms("--grace", optarg, &c->base.grace_ms);
            break;
        case OPT_MAXSIZE:
            if (parse_size(optarg, &c->base.max_bytes) != 0)
                return cli_usage_error("capture", "--max-size '%s' is not a size like 512M",
                                       optarg);
            break;
        case OPT_TARGETS:
            c->targets_file = optarg;
            break;
        case OPT_PARALLEL:
            if (cli_parse_u64(optarg, &v) != 0 || v < 1 || v > 64)
                return cli_usage_error("capture", "--parallel must be 1..64");
            c->parallel = (unsigned)v;
            break;
        case OPT_JSON:
            c->json = 1;
            break;
        case 'q':
            c->quiet = 1;
            break;
        case 'h':
            usage(stdout);
            return -1;
        default:
            return cli_usage_error("capture", "invalid option");
        }
    }
    return rc;
}

/* Credentials from the environment when no file gave them. */
static int env_credentials(struct cap_cli *c)
{
    const char *tok = env_nonempty("GORCA_BEARER_TOKEN", NULL);
    const char *basic = env_nonempty("GORCA_BASIC_AUTH", NULL);

    if (c->base.bearer_token == NULL && tok)
        c->base.bearer_token = tok;
    if (c->base.username == NULL && basic) {
        char *dup = keep(c, strdup(basic));

        if (set_basic(c, dup, "GORCA_BASIC_AUTH") != 0)
            return CLI_EXIT_USAGE;
    }
    return 0;
}

static int run(struct cap_cli *c, char **urls, size_t n)
{
    struct gorca_capture_options *opts = calloc(n, sizeof(*opts));
    struct gorca_capture_result *rs = calloc(n, sizeof(*rs));
    char **dirs = calloc(n, sizeof(char *));
    struct progress_ctx pc = { c->tty && !c->quiet, 0 };
    struct gorca_error err;
    int code = 0, n_failed = 0, auth = 0;

    if (opts == NULL || rs == NULL || dirs == NULL) {
        cli_error("out of memory");
        code = CLI_EXIT_ERROR;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        opts[i] = c->base;
        opts[i].url = urls[i];
        opts[i].headers = c->headers;
        opts[i].n_headers = c->n_headers;
        if (c->base.proxy == NULL)
            opts[i].proxy = proxy_for(urls[i]);
        if (c->base.noproxy == NULL)
            opts[i].noproxy = env_nonempty("no_proxy", "NO_PROXY");
        if (c->targets_file) {
            char name[160];
            size_t len;

            gorca_capture_target_dirname(urls[i], name, sizeof(name));
            len = strlen(c->out_dir) + strlen(name) + 2;
            dirs[i] = malloc(len);
            if (dirs[i] == NULL) {
                cli_error("out of memory");
                code = CLI_EXIT_ERROR;
                goto out;
            }
            snprintf(dirs[i], len, "%s/%s", c->out_dir, name);
            for (size_t j = 0; j < i; j++)
                if (strcmp(dirs[j], dirs[i]) == 0) {
                    code = cli_usage_error("capture",
                                           "targets '%s' and '%s' map to the same "
                                           "directory '%s'",
                                           urls[j], urls[i], dirs[i]);
                    goto out;
                }
            opts[i].out_dir = dirs[i];
        } else {
            opts[i].out_dir = c->out_dir;
        }
    }
    gorca_error_init(&err, NULL);
    if (gorca_capture_run(opts, n, c->parallel, rs, draw_progress, &pc, &err) != GORCA_OK) {
        if (pc.drawn)
            fputc('\n', stderr);
        cli_error_gorca(&err);
        code = err.code == GORCA_E_ARG ? CLI_EXIT_USAGE : CLI_EXIT_ERROR;
        goto out;
    }
    if (pc.drawn)
        fprintf(stderr, "\r\033[K");
    for (size_t i = 0; i < n; i++) {
        int e = exit_of(&rs[i]);

        report_target(c, &rs[i], &auth);
        n_failed += e == 2;
        code = e > code ? e : code;
    }
    if (code == 2 && (size_t)n_failed < n)
        code = 1; /* something was captured somewhere */
    if (auth && !c->quiet && !c->base.bearer_token && !c->base.username)
        cli_note("hint: the pprof mount wants credentials: set GORCA_BEARER_TOKEN or "
                 "--bearer-token-file, or GORCA_BASIC_AUTH or --basic-auth-file");
    if (c->json && print_json(c, rs, opts, n, code) != 0)
        code = CLI_EXIT_ERROR;
out:
    for (size_t i = 0; i < n; i++) {
        gorca_capture_result_release(&rs[i]);
        if (dirs)
            free(dirs[i]);
    }
    free(opts), free(rs), free(dirs);
    return code;
}

int cmd_capture(int argc, char **argv)
{
    struct cap_cli c;
    char **urls = NULL, *dflt = NULL;
    size_t n = 0;
    int rc;

    memset(&c, 0, sizeof(c));
    gorca_capture_options_init(&c.base);
    c.parallel = 4;
    c.tty = isatty(STDERR_FILENO);
    rc = parse_args(&c, argc, argv);
    if (rc == 0)
        rc = env_credentials(&c);
    if (rc != 0)
        goto out;
    if (c.targets_file) {
        if (optind != argc) {
            rc = cli_usage_error("capture", "give either URL or --targets, not both");
            goto out;
        }
        if (read_targets(c.targets_file, &urls, &n) != 0) {
            cli_error("'%s': no targets", c.targets_file);
            rc = CLI_EXIT_USAGE;
            goto out;
        }
    } else {
        if (optind + 1 != argc) {
            rc = cli_usage_error("capture", optind == argc ? "missing URL" : "too many arguments");
            goto out;
        }
        urls = calloc(1, sizeof(char *));
        if (urls)
            urls[0] = strdup(argv[optind]);
        n = urls && urls[0] ? 1 : 0;
    }
    if (c.out_dir == NULL)
        c.out_dir = dflt = default_dir(c.targets_file ? NULL : argv[optind]);
    if (c.out_dir == NULL || n == 0) {
        cli_error("out of memory");
        rc = CLI_EXIT_ERROR;
        goto out;
    }
    if (c.base.insecure && !c.quiet)
        cli_warn("--insecure: TLS certificates and host names are not verified");
    if (c.targets_file && !c.base.force && dir_has_entries(c.out_dir)) {
        rc = cli_usage_error("capture", "'%s' is not empty (use --force to write into it)",
                             c.out_dir);
        goto out;
    }
    rc = run(&c, urls, n);
out:
    for (size_t i = 0; i < n; i++)
        free(urls[i]);
    free(urls);
    free(dflt);
    for (size_t i = 0; i < c.n_owned; i++)
        free(c.owned[i]);
    return rc < 0 ? CLI_EXIT_OK : rc;
}
