/* gorca_capture_run: validates the options, then drives every target's session through one
 * libcurl multi handle, starting at most `parallel` targets at a time and polling with a
 * timeout that wakes exactly when the next planned request is due. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "capture_int.h"

void gorca_capture_options_init(struct gorca_capture_options *opts)
{
    memset(opts, 0, sizeof(*opts));
    opts->seconds = 5;
}

void gorca_capture_result_release(struct gorca_capture_result *r)
{
    if (r == NULL)
        return;
    base_free(r->target);
    base_free(r->dir);
    base_free(r->prefix);
    for (int i = 0; i < GORCA_CAP_N_ENDPOINTS; i++)
        base_free(r->items[i].url);
    memset(r, 0, sizeof(*r));
}

static char *dup_s(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = base_malloc(n);

    if (p)
        memcpy(p, s, n);
    return p;
}

/* Copy of a URL without its userinfo ("http://u:p@h/" -> "http://h/"), so that credentials
 * typed into the URL never reach the manifest. */
static char *redact_url(const char *url)
{
    const char *s = strstr(url, "://"), *host, *at = NULL;
    char *out = dup_s(url);

    if (out == NULL || s == NULL)
        return out;
    host = s + 3;
    for (const char *p = host; *p && *p != '/' && *p != '?' && *p != '#'; p++)
        if (*p == '@')
            at = p;
    if (at)
        memmove(out + (host - url), out + (at + 1 - url), strlen(at + 1) + 1);
    return out;
}

/* 1 when dir exists and has an entry other than . and .. */
static int dir_not_empty(const char *dir, int *is_file)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int found = 0;

    *is_file = 0;
    if (d == NULL) {
        *is_file = errno == ENOTDIR;
        return *is_file;
    }
    while (!found && (e = readdir(d)) != NULL)
        found = strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return found;
}

static enum gorca_status validate(const struct gorca_capture_options *o, struct gorca_error *err)
{
    int is_file;

    if (o->url == NULL || o->url[0] == '\0')
        return GORCA_FAIL(err, GORCA_E_ARG, -1, NULL, "no target URL");
    if (o->out_dir == NULL || o->out_dir[0] == '\0')
        return GORCA_FAIL(err, GORCA_E_ARG, -1, o->url, "no output directory");
    if (o->seconds < 1 || o->seconds > 3600)
        return GORCA_FAIL(err, GORCA_E_ARG, -1, o->url, "seconds must be 1..3600, got %u",
                          o->seconds);
    if ((o->cert_file == NULL) != (o->key_file == NULL) && o->key_file != NULL)
        return GORCA_FAIL(err, GORCA_E_ARG, -1, o->url, "a client key needs a certificate");
    if (o->only >= GORCA_CAP_BIT(GORCA_CAP_N_ENDPOINTS))
        return GORCA_FAIL(err, GORCA_E_ARG, -1, o->url, "invalid endpoint selection");
    if (dir_not_empty(o->out_dir, &is_file)) {
        if (is_file)
            return GORCA_FAIL(err, GORCA_E_ARG, -1, o->out_dir, "exists and is not a directory");
        if (!o->force)
            return GORCA_FAIL(err, GORCA_E_ARG, -1, o->out_dir,
                              "directory is not empty (use --force to write into it)");
    }
    return GORCA_OK;
}

/* Copies of the options with the defaults filled in. */
static void resolve(struct gorca_capture_options *dst, const struct gorca_capture_options *src)
{
    *dst = *src;
    if (dst->connect_timeout_ms <= 0)
        dst->connect_timeout_ms = 5000;
    if (dst->grace_ms <= 0)
        dst->grace_ms = 10000;
    if (dst->max_bytes == 0)
        dst->max_bytes = 1ull << 30;
}

static int64_t min_due(int64_t a, int64_t b)
{
    if (a == 0)
        return b;
    if (b == 0)
        return a;
    return a < b ? a : b;
}

static void drain_messages(CURLM *m, struct cap_session *sessions)
{
    CURLMsg *msg;
    int left;

    (void)sessions;
    while ((msg = curl_multi_info_read(m, &left)) != NULL) {
        struct cap_req *q = NULL;

        if (msg->msg != CURLMSG_DONE)
            continue;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&q);
        if (q)
            cap_session_done_req(q->s, m, q, msg->data.result);
    }
}

static enum gorca_status run_loop(CURLM *m, struct cap_session *ss, size_t n, unsigned parallel,
                                  struct gorca_capture_result *results,
                                  gorca_capture_progress_fn progress, void *ctx)
{
    size_t next = 0, finished = 0, active = 0;
    int64_t last_progress = 0;

    while (finished < n) {
        int64_t now = cap_now_ns(), due = 0, wait_ms;
        int running;

        while (active < parallel && next < n) {
            due = min_due(due, cap_session_tick(&ss[next], m, now));
            next++, active++;
        }
        for (size_t i = 0; i < next; i++)
            if (!ss[i].done)
                due = min_due(due, cap_session_tick(&ss[i], m, now));
        curl_multi_perform(m, &running);
        drain_messages(m, ss);
        for (size_t i = 0; i < next; i++) {
            if (ss[i].done)
                continue;
            /* Newly planned requests (a preflight just ended) start right away. */
            due = min_due(due, cap_session_tick(&ss[i], m, cap_now_ns()));
            if (cap_session_try_finish(&ss[i]))
                finished++, active--;
        }
        now = cap_now_ns();
        if (progress && (now - last_progress >= 100000000 || finished == n)) {
            progress(ctx, results, n, now);
            last_progress = now;
        }
        if (finished == n)
            break;
        wait_ms = 100;
        if (due > 0) {
            int64_t d = (due - now) / 1000000;

            wait_ms = d < 0 ? 0 : d < wait_ms ? d : wait_ms;
        }
        curl_multi_poll(m, NULL, 0, (int)wait_ms, NULL);
    }
    return GORCA_OK;
}

enum gorca_status gorca_capture_run(const struct gorca_capture_options *opts, size_t n,
                                    unsigned parallel, struct gorca_capture_result *results,
                                    gorca_capture_progress_fn progress, void *progress_ctx,
                                    struct gorca_error *err)
{
    struct gorca_capture_options *ro = NULL;
    struct cap_session *ss = NULL;
    enum gorca_status st = GORCA_OK;
    CURLM *m = NULL;
    char msg[256];

    memset(results, 0, n * sizeof(*results));
    if (parallel < 1)
        parallel = 1;
    for (size_t i = 0; i < n; i++)
        if ((st = validate(&opts[i], err)) != GORCA_OK)
            return st;
    ro = base_calloc(n ? n : 1, sizeof(*ro));
    ss = base_calloc(n ? n : 1, sizeof(*ss));
    if (ro == NULL || ss == NULL) {
        st = GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory");
        goto out;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || (m = curl_multi_init()) == NULL) {
        st = GORCA_FAIL(err, GORCA_E_INTERNAL, -1, NULL, "cannot initialise libcurl");
        goto out;
    }
    curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)(16 * parallel));
    for (size_t i = 0; i < n; i++) {
        resolve(&ro[i], &opts[i]);
        results[i].target = redact_url(opts[i].url);
        results[i].dir = dup_s(opts[i].out_dir);
        results[i].seconds = opts[i].seconds;
        results[i].start_skew_ns = -1;
        if (results[i].target == NULL || results[i].dir == NULL) {
            st = GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory");
            goto out;
        }
        if (cap_session_init(&ss[i], &ro[i], &results[i], msg, sizeof(msg)) != 0) {
            st = GORCA_FAIL(err, GORCA_E_ARG, -1, opts[i].url, "%s", msg);
            goto out;
        }
        results[i].prefix = dup_s(ss[i].prefix);
    }
    st = run_loop(m, ss, n, parallel, results, progress, progress_ctx);
out:
    for (size_t i = 0; ss && i < n; i++) {
        if (ss[i].r) /* never-started sessions still own curl-free state */
            cap_session_release(&ss[i]);
    }
    if (m)
        curl_multi_cleanup(m);
    base_free(ss);
    base_free(ro);
    return st;
}
