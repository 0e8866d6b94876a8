/* libcurl transport of a capture request: TLS (CA file, client certificate, verification),
 * auth (bearer, basic), extra headers, proxy, unix sockets, timeouts and the size cap; body
 * and header callbacks that stream into the temporary file while hashing; and the wording of
 * every failure. The only options read are those in struct gorca_capture_options. */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include "capture_int.h"

int64_t cap_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void remember_body(struct cap_req *q, const char *p, size_t n)
{
    if (q->head_len < CAP_HEAD_BYTES) {
        size_t k = BASE_MIN(n, CAP_HEAD_BYTES - q->head_len);

        memcpy(q->head + q->head_len, p, k);
        q->head_len += k;
    }
}

/* Body callback: 200 bodies go to the temporary file (hashed on the way); anything else is
 * kept, truncated, in memory for the error message. Returning less than n aborts. */
static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
    struct cap_req *q = ud;
    size_t n = size * nmemb;
    const struct gorca_capture_options *o = q->s->o;

    if (q->status == 0)
        curl_easy_getinfo(q->easy, CURLINFO_RESPONSE_CODE, &q->status);
    if (q->bytes + n > o->max_bytes) {
        q->too_big = 1;
        return 0;
    }
    q->bytes += n;
    remember_body(q, p, n);
    if (q->status != 200 || q->fp == NULL) {
        size_t k = BASE_MIN(n, sizeof(q->errbody) - 1 - q->errbody_len);

        memcpy(q->errbody + q->errbody_len, p, k);
        q->errbody_len += k;
        q->errbody[q->errbody_len] = '\0';
        return n;
    }
    base_sha256_update(&q->sha, p, n);
    if (fwrite(p, 1, n, q->fp) != n) {
        q->write_errno = errno ? errno : EIO;
        return 0;
    }
    return n;
}

static void copy_header_value(const char *p, size_t n, size_t name_len, char *out, size_t size)
{
    const char *v = p + name_len;
    size_t len = n - name_len;

    while (len > 0 && (*v == ' ' || *v == '\t'))
        v++, len--;
    while (len > 0 && (v[len - 1] == '\r' || v[len - 1] == '\n' || v[len - 1] == ' '))
        len--;
    len = BASE_MIN(len, size - 1);
    memcpy(out, v, len);
    out[len] = '\0';
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *ud)
{
    struct cap_req *q = ud;
    size_t n = size * nmemb;

    if (n >= 5 && strncmp(p, "HTTP/", 5) == 0) { /* a new response (after 100 Continue) */
        q->x_go_pprof = 0;
        q->disposition[0] = q->content_type[0] = '\0';
    } else if (n > 13 && strncasecmp(p, "content-type:", 13) == 0) {
        copy_header_value(p, n, 13, q->content_type, sizeof(q->content_type));
    } else if (n > 20 && strncasecmp(p, "content-disposition:", 20) == 0) {
        copy_header_value(p, n, 20, q->disposition, sizeof(q->disposition));
    } else if (n > 11 && strncasecmp(p, "x-go-pprof:", 11) == 0) {
        q->x_go_pprof = 1;
    }
    return n;
}

#define SETOPT(h, opt, val)                                    \
    do {                                                       \
        if (curl_easy_setopt((h), (opt), (val)) != CURLE_OK) { \
            what = #opt;                                       \
            goto fail;                                         \
        }                                                      \
    } while (0)

static int append_header(struct curl_slist **list, const char *h)
{
    struct curl_slist *l = curl_slist_append(*list, h);

    if (l == NULL)
        return -1;
    *list = l;
    return 0;
}

int cap_req_setup(struct cap_req *q, const char *url, int64_t limit_ms, char *err_out,
                  size_t err_size)
{
    const struct cap_session *s = q->s;
    const struct gorca_capture_options *o = s->o;
    const char *what = "curl_easy_init";
    CURL *h = curl_easy_init();

    if (h == NULL)
        goto fail;
    q->easy = h;
    q->limit_ms = limit_ms;
    SETOPT(h, CURLOPT_URL, url);
    SETOPT(h, CURLOPT_PRIVATE, (void *)q);
    SETOPT(h, CURLOPT_ERRORBUFFER, q->errbuf);
    SETOPT(h, CURLOPT_NOSIGNAL, 1L);
    SETOPT(h, CURLOPT_PROTOCOLS_STR, "http,https");
    SETOPT(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    SETOPT(h, CURLOPT_FOLLOWLOCATION, 0L);
    SETOPT(h, CURLOPT_USERAGENT, "gorca/" GORCA_VERSION);
    SETOPT(h, CURLOPT_CONNECTTIMEOUT_MS, (long)o->connect_timeout_ms);
    SETOPT(h, CURLOPT_TIMEOUT_MS, (long)limit_ms);
    SETOPT(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_bytes);
    SETOPT(h, CURLOPT_WRITEFUNCTION, on_body);
    SETOPT(h, CURLOPT_WRITEDATA, (void *)q);
    SETOPT(h, CURLOPT_HEADERFUNCTION, on_header);
    SETOPT(h, CURLOPT_HEADERDATA, (void *)q);
    SETOPT(h, CURLOPT_TCP_NODELAY, 1L);
    SETOPT(h, CURLOPT_PROXY, o->proxy ? o->proxy : "");
    if (o->noproxy && o->noproxy[0])
        SETOPT(h, CURLOPT_NOPROXY, o->noproxy);
    if (s->unix_path)
        SETOPT(h, CURLOPT_UNIX_SOCKET_PATH, s->unix_path);
    SETOPT(h, CURLOPT_SSL_VERIFYPEER, o->insecure ? 0L : 1L);
    SETOPT(h, CURLOPT_SSL_VERIFYHOST, o->insecure ? 0L : 2L);
    if (o->ca_file)
        SETOPT(h, CURLOPT_CAINFO, o->ca_file);
    if (o->cert_file)
        SETOPT(h, CURLOPT_SSLCERT, o->cert_file);
    if (o->key_file)
        SETOPT(h, CURLOPT_SSLKEY, o->key_file);
    if (s->username) {
        SETOPT(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        SETOPT(h, CURLOPT_USERNAME, s->username);
        SETOPT(h, CURLOPT_PASSWORD, s->password ? s->password : "");
    }
    if (o->bearer_token) {
        struct gorca_buf b;
        int bad;

        gorca_buf_init(&b, 0);
        gorca_buf_printf(&b, "Authorization: Bearer %s", o->bearer_token);
        bad = b.failed || append_header(&q->hdrs, b.data) != 0;
        gorca_buf_release(&b);
        if (bad) {
            what = "bearer header";
            goto fail;
        }
    }
    for (size_t i = 0; i < o->n_headers; i++)
        if (append_header(&q->hdrs, o->headers[i]) != 0) {
            what = "header list";
            goto fail;
        }
    if (q->hdrs)
        SETOPT(h, CURLOPT_HTTPHEADER, q->hdrs);
    return 0;
fail:
    snprintf(err_out, err_size, "cannot set up the request (%s)", what);
    return -1;
}

void cap_req_cleanup(struct cap_req *q)
{
    if (q->easy)
        curl_easy_cleanup(q->easy);
    q->easy = NULL;
    curl_slist_free_all(q->hdrs);
    q->hdrs = NULL;
    if (q->fp) {
        fclose(q->fp);
        q->fp = NULL;
    }
    if (q->tmp_path) {
        unlink(q->tmp_path);
        base_free(q->tmp_path);
        q->tmp_path = NULL;
    }
}

/* First line of a text body, trimmed, for error messages. */
static void first_line(const char *body, size_t n, char *out, size_t size)
{
    size_t len = 0;

    while (n > 0 && (*body == ' ' || *body == '\n' || *body == '\r'))
        body++, n--;
    while (len < n && body[len] != '\n' && body[len] != '\r')
        len++;
    len = BASE_MIN(len, size - 1);
    for (size_t i = 0; i < len; i++)
        out[i] = (body[i] >= 0x20 && body[i] < 0x7f) ? body[i] : '?';
    out[len] = '\0';
}

static enum gorca_status describe_http(const struct cap_req *q, char *out, size_t size)
{
    char line[200] = "";
    int text = strncmp(q->content_type, "text/plain", 10) == 0;

    if (q->errbody_len > 0 && (text || q->x_go_pprof))
        first_line(q->errbody, q->errbody_len, line, sizeof(line));
    if (q->status == 401 || q->status == 403) {
        snprintf(out, size, "HTTP %ld %s: the pprof mount needs credentials%s%s", q->status,
                 q->status == 401 ? "Unauthorized" : "Forbidden", line[0] ? ": " : "", line);
    } else if (q->status == 500 && strstr(line, "cpu profiling already in use")) {
        snprintf(out, size,
                 "HTTP 500: %s (another CPU profile is running in the target process: a "
                 "concurrent capture or go tool pprof, or the program's own StartCPUProfile)",
                 line);
    } else if (q->status == 500 && strstr(line, "tracing is already enabled")) {
        snprintf(out, size, "HTTP 500: %s (another execution trace is running in the target)",
                 line);
    } else if (q->status >= 300 && q->status < 400) {
        char *loc = NULL;

        curl_easy_getinfo(q->easy, CURLINFO_REDIRECT_URL, &loc);
        snprintf(out, size, "HTTP %ld redirect to '%s' (not followed; check the URL and --prefix)",
                 q->status, loc ? loc : "?");
    } else if (line[0]) {
        snprintf(out, size, "HTTP %ld: %s", q->status, line);
    } else {
        snprintf(out, size, "HTTP %ld (%s body of %llu bytes)", q->status,
                 q->content_type[0] ? q->content_type : "untyped", (unsigned long long)q->bytes);
    }
    return GORCA_E_HTTP;
}

enum gorca_status cap_req_describe(const struct cap_req *q, CURLcode cc, char *out, size_t size)
{
    const char *detail = q->errbuf[0] ? q->errbuf : curl_easy_strerror(cc);
    const struct gorca_capture_options *o = q->s->o;

    if (q->too_big || cc == CURLE_FILESIZE_EXCEEDED) {
        snprintf(out, size, "response larger than the limit of %llu bytes (--max-size)",
                 (unsigned long long)o->max_bytes);
        return GORCA_E_LIMIT;
    }
    if (q->write_errno) {
        snprintf(out, size, "cannot write '%s': %s", q->tmp_path ? q->tmp_path : "?",
                 strerror(q->write_errno));
        return GORCA_E_IO;
    }
    switch (cc) {
    case CURLE_OK:
        return describe_http(q, out, size);
    case CURLE_OPERATION_TIMEDOUT:
        if (q->status == 0 && q->bytes == 0)
            snprintf(out, size, "no response within %lld ms (%s)", (long long)q->limit_ms, detail);
        else
            snprintf(out, size, "timed out after %llu body bytes, limit %lld ms (%s)",
                     (unsigned long long)q->bytes, (long long)q->limit_ms, detail);
        return GORCA_E_HTTP;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
        snprintf(out, size, "TLS: %s", detail);
        return GORCA_E_HTTP;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        snprintf(out, size, "cannot connect: %s", detail);
        return GORCA_E_HTTP;
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
        snprintf(out, size, "connection broken after %llu body bytes: %s",
                 (unsigned long long)q->bytes, detail);
        return GORCA_E_TRUNCATED;
    default:
        snprintf(out, size, "%s", detail);
        return GORCA_E_HTTP;
    }
}
