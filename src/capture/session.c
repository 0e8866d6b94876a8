/* One target's capture as a state machine the event loop ticks: preflight probes that open
 * and warm the connections, the aligned window start, mid-window snapshots, the closing
 * goroutine dump, the block/mutex delta fallback, and the bookkeeping of each endpoint's
 * outcome. Files are written as DIR/.NAME.part and renamed to DIR/NAME only when complete. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "capture_int.h"

#define NS_PER_MS 1000000LL
#define NS_PER_S 1000000000LL

static char *dup_str(const char *s)
{
    size_t n;
    char *p;

    if (s == NULL)
        return NULL;
    n = strlen(s);
    p = base_malloc(n + 1);
    if (p)
        memcpy(p, s, n + 1);
    return p;
}

static char *path_join(const char *dir, const char *a, const char *b)
{
    struct gorca_buf buf;

    gorca_buf_init(&buf, 0);
    gorca_buf_printf(&buf, "%s/%s%s", dir, a, b ? b : "");
    return gorca_buf_take(&buf, NULL);
}

/* ---- setup ----------------------------------------------------------------------------*/

/* Splits the target URL into scheme://host[:port], path and credentials with curl's URL
 * parser; "unix:PATH" targets speak HTTP to localhost over the socket. */
static int parse_target(struct cap_session *s, char *err, size_t err_size)
{
    const struct gorca_capture_options *o = s->o;
    CURLU *u;
    char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *user = NULL, *pass = NULL;
    int rc = -1;

    if (strncmp(o->url, "unix:", 5) == 0) {
        if (o->url[5] == '\0') {
            snprintf(err, err_size, "'%s': missing socket path after 'unix:'", o->url);
            return -1;
        }
        s->unix_path = dup_str(o->url + 5);
        s->base = dup_str("http://localhost");
        s->prefix = dup_str(o->prefix ? o->prefix : "/debug/pprof");
        return s->unix_path && s->base && s->prefix ? 0 : -1;
    }
    u = curl_url();
    if (u == NULL || curl_url_set(u, CURLUPART_URL, o->url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        snprintf(err, err_size,
                 "'%s' is not a valid URL (expected http://HOST:PORT, "
                 "https://HOST:PORT or unix:PATH)",
                 o->url);
        goto out;
    }
    if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
        snprintf(err, err_size, "'%s': unsupported scheme '%s' (http, https or unix:PATH)", o->url,
                 scheme);
        goto out;
    }
    curl_url_get(u, CURLUPART_PORT, &port, 0);
    curl_url_get(u, CURLUPART_PATH, &path, 0);
    curl_url_get(u, CURLUPART_USER, &user, CURLU_URLDECODE);
    curl_url_get(u, CURLUPART_PASSWORD, &pass, CURLU_URLDECODE);
    {
        struct gorca_buf b;

        gorca_buf_init(&b, 0);
        gorca_buf_printf(&b, "%s://%s%s%s", scheme, host, port ? ":" : "", port ? port : "");
        s->base = gorca_buf_take(&b, NULL);
    }
    if (o->prefix)
        s->prefix = dup_str(o->prefix);
    else if (path && strcmp(path, "/") != 0 && path[0])
        s->prefix = dup_str(path);
    else
        s->prefix = dup_str("/debug/pprof");
    if (o->username) {
        s->username = dup_str(o->username);
        s->password = dup_str(o->password ? o->password : "");
    } else if (user) {
        s->username = dup_str(user);
        s->password = dup_str(pass ? pass : "");
    }
    if (o->unix_socket)
        s->unix_path = dup_str(o->unix_socket);
    rc = s->base && s->prefix ? 0 : -1;
    if (rc != 0)
        snprintf(err, err_size, "out of memory");
out:
    curl_free(scheme), curl_free(host), curl_free(port), curl_free(path);
    curl_free(user), curl_free(pass);
    curl_url_cleanup(u);
    return rc;
}

/* Builds the URL of an endpoint (or of the preflight probe when ep < 0); owned, malloc. */
static char *endpoint_url(const struct cap_session *s, int ep)
{
    const struct cap_endpoint *e = ep >= 0 ? &cap_endpoints[ep] : NULL;
    struct gorca_buf b;
    const char *sep = "?";
    size_t plen = strlen(s->prefix);

    gorca_buf_init(&b, 0);
    gorca_buf_printf(&b, "%s%s%.*s/%s", s->base, s->prefix[0] == '/' ? "" : "/",
                     (int)(plen > 0 && s->prefix[plen - 1] == '/' ? plen - 1 : plen), s->prefix,
                     e ? e->name : "cmdline");
    if (e && e->query[0]) {
        gorca_buf_printf(&b, "?%s", e->query);
        sep = "&";
    }
    if (e && e->windowed)
        gorca_buf_printf(&b, "%sseconds=%u", sep, s->o->seconds);
    return gorca_buf_take(&b, NULL);
}

int cap_session_init(struct cap_session *s, const struct gorca_capture_options *o,
                     struct gorca_capture_result *r, char *err, size_t err_size)
{
    memset(s, 0, sizeof(*s));
    s->o = o;
    s->r = r;
    if (parse_target(s, err, err_size) != 0)
        return -1;
    for (int i = 0; i < GORCA_CAP_N_ENDPOINTS; i++) {
        struct gorca_capture_item *it = &r->items[i];
        int wanted = o->only == 0 || (o->only & GORCA_CAP_BIT(i));

        it->ep = (enum gorca_capture_endpoint)i;
        it->file = cap_endpoints[i].file;
        if (cap_endpoints[i].phase == CAP_ON_DEMAND)
            wanted = 0;
        if (i == GORCA_CAP_GOROUTINE2 && o->no_full_dump)
            wanted = 0;
        it->state = wanted ? GORCA_CAPST_PENDING : GORCA_CAPST_SKIPPED;
        if (wanted && (it->url = endpoint_url(s, i)) == NULL) {
            snprintf(err, err_size, "out of memory");
            return -1;
        }
        s->reqs[i].s = s;
        s->reqs[i].ep = i;
    }
    for (int i = 0; i < CAP_MAX_PREFLIGHT; i++) {
        s->probes[i].s = s;
        s->probes[i].ep = -1;
    }
    return 0;
}

void cap_session_release(struct cap_session *s)
{
    for (int i = 0; i < GORCA_CAP_N_ENDPOINTS; i++)
        cap_req_cleanup(&s->reqs[i]);
    for (int i = 0; i < CAP_MAX_PREFLIGHT; i++)
        cap_req_cleanup(&s->probes[i]);
    base_free(s->base), base_free(s->prefix), base_free(s->username);
    base_free(s->password), base_free(s->unix_path);
    memset(s, 0, sizeof(*s));
}

/* ---- outcomes -------------------------------------------------------------------------*/

/* Copies src into dst[size], truncating; always NUL-terminates. */
static void copy_text(char *dst, size_t size, const char *src)
{
    size_t n = strnlen(src, size - 1);

    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void fail_item(struct gorca_capture_item *it, enum gorca_status code, const char *msg)
{
    it->state = GORCA_CAPST_FAILED;
    it->code = code;
    copy_text(it->error, sizeof(it->error), msg);
}

/* Marks every endpoint that has not started as failed with the target-level error. */
static void fail_pending(struct cap_session *s, enum gorca_status code, const char *msg)
{
    for (int i = 0; i < GORCA_CAP_N_ENDPOINTS; i++)
        if (s->r->items[i].state == GORCA_CAPST_PENDING)
            fail_item(&s->r->items[i], code, msg);
}

static void set_fatal(struct cap_session *s, enum gorca_status code, const char *msg)
{
    if (s->r->fatal[0])
        return;
    s->r->fatal_code = code;
    copy_text(s->r->fatal, sizeof(s->r->fatal), msg);
}

static int count_windowed(const struct cap_session *s)
{
    int n = 0;

    for (int i = 0; i < GORCA_CAP_N_ENDPOINTS; i++)
        if (cap_endpoints[i].windowed && s->r->items[i].state == GORCA_CAPST_PENDING)
            n++;
    return n;
}

/* Plans every pending endpoint relative to the window start t0. */
static void plan_window(struct cap_session *s, int64_t t0)
{
    const struct gorca_capture_options *o = s->o;
    int64_t win = (int64_t)o->seconds * NS_PER_S;
    int has_window = count_windowed(s) > 0;

    s->t0 = t0;
    s->deadline = t0 + win + (o->grace_ms + o->connect_timeout_ms) * NS_PER_MS + 2 * NS_PER_S;
    for (int i = 0; i < GORCA_CAP_N_ENDPOINTS; i++) {
        if (s->r->items[i].state != GORCA_CAPST_PENDING)
            continue;
        switch (cap_endpoints[i].phase) {
        case CAP_WINDOW:
            s->due_ns[i] = t0;
            break;
        case CAP_MID:
            s->due_ns[i] = has_window ? t0 + win / 2 : t0;
            break;
        default:
            s->due_ns[i] = t0 + win;
            break;
        }
        s->r->items[i].scheduled_ns = s->due_ns[i];
    }
}

/* ---- starting requests ----------------------------------------------------------------*/

static int start_req(struct cap_session *s, CURLM *m, struct cap_req *q, const char *url,
                     int64_t limit_ms, char *err, size_t err_size)
{
    if (cap_req_setup(q, url, limit_ms, err, err_size) != 0)
        return -1;
    if (q->ep >= 0) {
        struct gorca_buf b;

        gorca_buf_init(&b, 0);
        gorca_buf_printf(&b, "%s/.%s.part", s->r->dir, cap_endpoints[q->ep].file);
        q->tmp_path = gorca_buf_take(&b, NULL);
        if (q->tmp_path == NULL || (q->fp = fopen(q->tmp_path, "wb")) == NULL) {
            snprintf(err, err_size, "cannot create '%s': %s", q->tmp_path ? q->tmp_path : "?",
                     strerror(errno));
            return -1;
        }
        base_sha256_init(&q->sha);
    }
    q->added_ns = cap_now_ns();
    if (curl_multi_add_handle(m, q->easy) != CURLM_OK) {
        snprintf(err, err_size, "cannot add the request to the transfer loop");
        return -1;
    }
    s->in_flight++;
    return 0;
}

static void start_preflight(struct cap_session *s, CURLM *m)
{
    const struct gorca_capture_options *o = s->o;
    char err[256];
    char *url = endpoint_url(s, -1);
    int n = count_windowed(s);

    n = n < 1 ? 1 : n > CAP_MAX_PREFLIGHT ? CAP_MAX_PREFLIGHT : n;
    s->n_probes = s->probes_left = 0;
    for (int i = 0; i < n && url; i++) {
        if (start_req(s, m, &s->probes[i], url, o->connect_timeout_ms + o->grace_ms, err,
                      sizeof(err)) != 0) {
            set_fatal(s, GORCA_E_INTERNAL, err);
            cap_req_cleanup(&s->probes[i]);
            break;
        }
        s->n_probes++, s->probes_left++;
    }
    if (url == NULL)
        set_fatal(s, GORCA_E_NOMEM, "out of memory");
    base_free(url);
    if (s->probes_left == 0) {
        s->preflight_done = 1;
        fail_pending(s, s->r->fatal_code, s->r->fatal);
    }
}

static int make_dir(const char *dir, char *err, size_t err_size)
{
    char *p = dup_str(dir);

    if (p == NULL)
        return -1;
    for (char *c = p + 1; *c; c++) {
        if (*c != '/')
            continue;
        *c = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST)
            break;
        *c = '/';
    }
    base_free(p);
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        snprintf(err, err_size, "cannot create directory '%s': %s", dir, strerror(errno));
        return -1;
    }
    return 0;
}

int64_t cap_session_tick(struct cap_session *s, CURLM *m, int64_t now)
{
    int64_t next = 0;
    char err[256];

    if (s->done)
        return 0;
    if (!s->started) {
        s->started = 1;
        s->r->started_ns = now;
        if (make_dir(s->r->dir, err, sizeof(err)) != 0) {
            set_fatal(s, GORCA_E_IO, err);
            s->preflight_done = 1;
            fail_pending(s, GORCA_E_IO, err);
            return 0;
        }
        start_preflight(s, m);
        return 0;
    }
    if (!s->preflight_done)
        return 0;
    if (s->deadline && now > s->deadline) {
        for (int i = 0; i < GORCA_CAP_N_ENDPOINTS; i++) {
            struct cap_req *q = &s->reqs[i];

            if (q->easy && s->r->items[i].state == GORCA_CAPST_RUNNING) {
                curl_multi_remove_handle(m, q->easy);
                s->in_flight--;
                s->r->items[i].end_ns = now;
                fail_item(&s->r->items[i], GORCA_E_HTTP, "capture deadline exceeded");
                cap_req_cleanup(q);
            }
        }
        fail_pending(s, GORCA_E_HTTP, "capture deadline exceeded");
        return 0;
    }
    for (int i = 0; i < GORCA_CAP_N_ENDPOINTS; i++) {
        struct gorca_capture_item *it = &s->r->items[i];
        int64_t limit;

        if (it->state != GORCA_CAPST_PENDING || s->due_ns[i] == 0)
            continue;
        if (s->due_ns[i] > now) {
            if (next == 0 || s->due_ns[i] < next)
                next = s->due_ns[i];
            continue;
        }
        limit = s->o->grace_ms + (cap_endpoints[i].windowed ? (int64_t)s->o->seconds * 1000 : 0);
        if (start_req(s, m, &s->reqs[i], it->url, limit, err, sizeof(err)) != 0) {
            fail_item(it, GORCA_E_IO, err);
            cap_req_cleanup(&s->reqs[i]);
            continue;
        }
        it->state = GORCA_CAPST_RUNNING;
    }
    return next;
}

/* ---- finishing requests ---------------------------------------------------------------*/

static void record_times(struct cap_req *q, struct gorca_capture_item *it, int64_t now)
{
    curl_off_t pre = 0, first = 0;

    curl_easy_getinfo(q->easy, CURLINFO_PRETRANSFER_TIME_T, &pre);
    curl_easy_getinfo(q->easy, CURLINFO_STARTTRANSFER_TIME_T, &first);
    it->start_ns = pre > 0 ? q->added_ns + (int64_t)pre * 1000 : 0;
    it->first_byte_ns =
        first > 0 && (q->status || q->bytes) ? q->added_ns + (int64_t)first * 1000 : 0;
    it->end_ns = now;
    it->http_status = q->status;
    it->bytes = q->bytes;
    snprintf(it->content_type, sizeof(it->content_type), "%s", q->content_type);
}

/* Probe outcomes that make the rest pointless: no connection, TLS failure, no response at
 * all, or credentials refused. Anything else (even 404 on cmdline) lets the capture go on. */
static void done_probe(struct cap_session *s, struct cap_req *q, CURLcode cc)
{
    char msg[300], text[512];

    if (q->status == 0)
        curl_easy_getinfo(q->easy, CURLINFO_RESPONSE_CODE, &q->status);
    if (cc != CURLE_OK || q->status == 401 || q->status == 403 || q->status == 407) {
        enum gorca_status code = cap_req_describe(q, cc, msg, sizeof(msg));

        snprintf(text, sizeof(text), "preflight GET %s/cmdline: %s", s->prefix, msg);
        set_fatal(s, code, text);
    }
    if (--s->probes_left > 0)
        return;
    s->preflight_done = 1;
    if (s->r->fatal[0])
        fail_pending(s, s->r->fatal_code, s->r->fatal);
    else
        plan_window(s, cap_now_ns());
}

static int is_delta_ep(int ep)
{
    return ep == GORCA_CAP_BLOCK || ep == GORCA_CAP_MUTEX;
}

/* The server could not compute a block/mutex delta: plan the two snapshots instead. When
 * the answer was a plain (non-delta) profile it already is the start snapshot. */
static void delta_fallback(struct cap_session *s, struct cap_req *q, const char *why,
                           int have_start)
{
    int ep = q->ep;
    int start = ep == GORCA_CAP_BLOCK ? GORCA_CAP_BLOCK_START : GORCA_CAP_MUTEX_START;
    struct gorca_capture_item *it = &s->r->items[ep];

    it->state = GORCA_CAPST_REPLACED;
    snprintf(it->error, sizeof(it->error),
             "no server-side delta (%s); snapshots %s and %s taken instead", why,
             cap_endpoints[start].id, cap_endpoints[start + 1].id);
    s->r->items[start].url = it->url ? dup_str(it->url) : NULL;
    s->r->items[start + 1].url = s->r->items[start].url ? dup_str(s->r->items[start].url) : NULL;
    if (s->r->items[start].url) { /* the same URL without seconds= */
        char *qm = strstr(s->r->items[start].url, "?seconds=");
        char *qm2 = strstr(s->r->items[start + 1].url, "?seconds=");

        if (qm)
            *qm = '\0';
        if (qm2)
            *qm2 = '\0';
    }
    s->r->items[start + 1].state = GORCA_CAPST_PENDING;
    s->due_ns[start + 1] = s->t0 + (int64_t)s->o->seconds * NS_PER_S;
    s->r->items[start + 1].scheduled_ns = s->due_ns[start + 1];
    if (have_start) {
        struct gorca_capture_item *st = &s->r->items[start];
        char *final = path_join(s->r->dir, cap_endpoints[start].file, NULL);
        char *start_url = st->url;
        uint8_t d[32];

        *st = *it;
        st->ep = (enum gorca_capture_endpoint)start;
        st->file = cap_endpoints[start].file;
        st->url = start_url;
        st->error[0] = '\0';
        st->server_delta = 0;
        base_sha256_final(&q->sha, d);
        base_sha256_hex(d, st->sha256);
        if (final && fclose(q->fp) == 0 && rename(q->tmp_path, final) == 0) {
            st->state = GORCA_CAPST_OK;
        } else {
            fail_item(st, GORCA_E_IO, "cannot store the start snapshot");
        }
        q->fp = NULL;
        base_free(final);
    } else {
        s->r->items[start].state = GORCA_CAPST_PENDING;
        s->due_ns[start] = cap_now_ns();
        s->r->items[start].scheduled_ns = s->due_ns[start];
    }
}

/* Closes and renames the temporary file of a complete, valid 200 response. */
static void keep_file(struct cap_session *s, struct cap_req *q, struct gorca_capture_item *it)
{
    char *final = path_join(s->r->dir, it->file, NULL);
    uint8_t d[32];
    int rc;

    base_sha256_final(&q->sha, d);
    base_sha256_hex(d, it->sha256);
    rc = fflush(q->fp) == 0 && fsync(fileno(q->fp)) == 0 ? 0 : -1;
    rc |= fclose(q->fp);
    q->fp = NULL;
    if (rc != 0 || final == NULL || rename(q->tmp_path, final) != 0) {
        char msg[300];

        snprintf(msg, sizeof(msg), "cannot store '%s': %s", final ? final : it->file,
                 strerror(errno));
        it->sha256[0] = '\0';
        fail_item(it, GORCA_E_IO, msg);
    } else {
        it->state = GORCA_CAPST_OK;
        it->code = GORCA_OK;
    }
    base_free(final);
}

void cap_session_done_req(struct cap_session *s, CURLM *m, struct cap_req *q, CURLcode cc)
{
    int64_t now = cap_now_ns();
    struct gorca_capture_item *it;
    char msg[300];

    curl_multi_remove_handle(m, q->easy);
    s->in_flight--;
    if (q->ep < 0) {
        done_probe(s, q, cc);
        cap_req_cleanup(q);
        return;
    }
    it = &s->r->items[q->ep];
    if (q->status == 0)
        curl_easy_getinfo(q->easy, CURLINFO_RESPONSE_CODE, &q->status);
    record_times(q, it, now);
    if (cc == CURLE_OK && q->status == 200 && !q->too_big && !q->write_errno) {
        if (!cap_check_content(cap_endpoints[q->ep].format, q->head, q->head_len, q->bytes,
                               q->content_type, msg, sizeof(msg))) {
            fail_item(it, GORCA_E_MALFORMED, msg);
        } else if (is_delta_ep(q->ep) && strstr(q->disposition, "-delta") == NULL) {
            delta_fallback(s, q, "the server ignored seconds=", 1);
        } else {
            it->server_delta = is_delta_ep(q->ep);
            keep_file(s, q, it);
        }
    } else if (cc == CURLE_OK && q->status == 400 && is_delta_ep(q->ep)) {
        cap_req_describe(q, cc, msg, sizeof(msg));
        delta_fallback(s, q, msg, 0);
    } else {
        enum gorca_status code = cap_req_describe(q, cc, msg, sizeof(msg));

        fail_item(it, code, msg);
    }
    cap_req_cleanup(q);
}

/* ---- completion -----------------------------------------------------------------------*/

static void summarize(struct gorca_capture_result *r)
{
    int64_t lo = 0, hi = 0, wend = 0;
    int n = 0;

    r->n_requested = r->n_ok = 0;
    for (int i = 0; i < GORCA_CAP_N_ENDPOINTS; i++) {
        const struct gorca_capture_item *it = &r->items[i];

        if (it->state != GORCA_CAPST_SKIPPED && it->state != GORCA_CAPST_REPLACED)
            r->n_requested++;
        if (it->state == GORCA_CAPST_OK)
            r->n_ok++;
        if (!cap_endpoints[i].windowed || it->start_ns == 0)
            continue;
        lo = n == 0 || it->start_ns < lo ? it->start_ns : lo;
        hi = n == 0 || it->start_ns > hi ? it->start_ns : hi;
        wend = it->end_ns > wend ? it->end_ns : wend;
        n++;
    }
    r->window_start_ns = lo;
    r->window_end_ns = wend;
    r->start_skew_ns = n >= 2 ? hi - lo : -1;
}

int cap_session_try_finish(struct cap_session *s)
{
    if (s->done)
        return 1;
    if (!s->started || !s->preflight_done || s->in_flight > 0)
        return 0;
    for (int i = 0; i < GORCA_CAP_N_ENDPOINTS; i++)
        if (s->r->items[i].state == GORCA_CAPST_PENDING ||
            s->r->items[i].state == GORCA_CAPST_RUNNING)
            return 0;
    cap_client_delta(s, GORCA_CAP_BLOCK);
    cap_client_delta(s, GORCA_CAP_MUTEX);
    s->r->finished_ns = cap_now_ns();
    summarize(s->r);
    if (s->r->fatal_code != GORCA_E_IO || s->r->n_ok > 0)
        cap_session_write_manifest(s);
    s->done = 1;
    return 1;
}
