/* manifest.json of a capture bundle, schema "gorca.capture/1" (docs/manifest.md): who was
 * captured, when, and for every endpoint the URL, HTTP status, size, SHA-256, timing and
 * error. Written through a temporary name so a reader never sees half a manifest. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "capture_int.h"
#include "base/json.h"

static const char *state_name(enum gorca_capture_state st)
{
    static const char *const names[] = {
        "skipped", "pending", "running", "ok", "failed", "replaced"
    };

    return names[st];
}

const char *gorca_capture_status(const struct gorca_capture_result *r)
{
    if (r->n_ok > 0 && r->n_ok == r->n_requested)
        return "complete";
    return r->n_ok > 0 ? "partial" : "failed";
}

static void kns(struct jw *w, const char *key, int64_t ns)
{
    jw_key(w, key);
    if (ns > 0)
        jw_i64(w, ns);
    else
        jw_null(w);
}

static void kstr_or_null(struct jw *w, const char *key, const char *s)
{
    jw_key(w, key);
    if (s && s[0])
        jw_str(w, s);
    else
        jw_null(w);
}

static void write_item(struct jw *w, const struct gorca_capture_item *it)
{
    const struct cap_endpoint *e = &cap_endpoints[it->ep];

    jw_obj(w);
    jw_kstr(w, "id", e->id);
    jw_kstr(w, "kind", e->kind);
    jw_kstr(w, "format", cap_format_name(e->format));
    kstr_or_null(w, "file", it->state == GORCA_CAPST_OK ? it->file : NULL);
    jw_kstr(w, "state", state_name(it->state));
    jw_kbool(w, "ok", it->state == GORCA_CAPST_OK);
    kstr_or_null(w, "url", it->url);
    jw_kstr(w, "phase",
            e->phase == CAP_WINDOW ? "window"
            : e->phase == CAP_MID  ? "mid"
            : e->phase == CAP_END  ? "end"
                                   : "fallback");
    if (e->windowed || it->ep == GORCA_CAP_BLOCK_START || it->ep == GORCA_CAP_BLOCK_END ||
        it->ep == GORCA_CAP_MUTEX_START || it->ep == GORCA_CAP_MUTEX_END) {
        jw_key(w, "delta");
        if (it->ep == GORCA_CAP_BLOCK || it->ep == GORCA_CAP_MUTEX)
            jw_str(w, it->state != GORCA_CAPST_OK ? "none"
                      : it->server_delta          ? "server"
                                                  : "client");
        else
            jw_str(w, e->windowed ? "window" : "snapshot");
    }
    jw_key(w, "http_status");
    if (it->http_status)
        jw_i64(w, it->http_status);
    else
        jw_null(w);
    kstr_or_null(w, "content_type", it->content_type);
    jw_ku64(w, "bytes", it->bytes);
    kstr_or_null(w, "sha256", it->sha256);
    kns(w, "scheduled_ns", it->scheduled_ns);
    kns(w, "start_ns", it->start_ns);
    kns(w, "first_byte_ns", it->first_byte_ns);
    kns(w, "end_ns", it->end_ns);
    kstr_or_null(w, "error_class",
                 it->state == GORCA_CAPST_FAILED ? gorca_status_name(it->code) : NULL);
    kstr_or_null(w, "error", it->error);
    jw_end(w);
}

void gorca_capture_manifest_json(const struct gorca_capture_result *r,
                                 const struct gorca_capture_options *opts, struct gorca_buf *out,
                                 int indent)
{
    struct jw w;

    jw_init(&w, out, indent);
    jw_obj(&w);
    jw_kstr(&w, "schema", "gorca.capture/1");
    jw_kstr(&w, "gorca_version", GORCA_VERSION);
    jw_key(&w, "target");
    jw_obj(&w);
    jw_kstr(&w, "url", r->target ? r->target : "");
    jw_kstr(&w, "prefix", r->prefix ? r->prefix : "");
    kstr_or_null(&w, "unix_socket", opts ? opts->unix_socket : NULL);
    jw_end(&w);
    kstr_or_null(&w, "dir", r->dir);
    jw_ku64(&w, "seconds", r->seconds);
    jw_kstr(&w, "status", gorca_capture_status(r));
    jw_ku64(&w, "requested", r->n_requested);
    jw_ku64(&w, "ok", r->n_ok);
    kstr_or_null(&w, "error", r->fatal);
    kns(&w, "started_ns", r->started_ns);
    kns(&w, "finished_ns", r->finished_ns);
    jw_key(&w, "window");
    jw_obj(&w);
    kns(&w, "start_ns", r->window_start_ns);
    kns(&w, "end_ns", r->window_end_ns);
    jw_key(&w, "start_skew_ns");
    if (r->start_skew_ns >= 0)
        jw_i64(&w, r->start_skew_ns);
    else
        jw_null(&w);
    jw_end(&w);
    jw_key(&w, "endpoints");
    jw_arr(&w);
    for (int i = 0; i < GORCA_CAP_N_ENDPOINTS; i++)
        if (r->items[i].state != GORCA_CAPST_SKIPPED)
            write_item(&w, &r->items[i]);
    jw_end(&w);
    jw_end(&w);
    gorca_buf_putc(out, '\n');
}

int cap_session_write_manifest(struct cap_session *s)
{
    struct gorca_buf b, path, tmp;
    FILE *f = NULL;
    int rc = -1;

    gorca_buf_init(&b, 0);
    gorca_buf_init(&path, 0);
    gorca_buf_init(&tmp, 0);
    gorca_capture_manifest_json(s->r, s->o, &b, 2);
    gorca_buf_printf(&path, "%s/manifest.json", s->r->dir);
    gorca_buf_printf(&tmp, "%s/.manifest.json.part", s->r->dir);
    if (b.failed || path.failed || tmp.failed)
        goto out;
    f = fopen(tmp.data, "wb");
    if (f == NULL)
        goto out;
    if (fwrite(b.data, 1, b.len, f) != b.len || fflush(f) != 0 || fsync(fileno(f)) != 0) {
        fclose(f);
        unlink(tmp.data);
        goto out;
    }
    if (fclose(f) != 0 || rename(tmp.data, path.data) != 0) {
        unlink(tmp.data);
        goto out;
    }
    rc = 0;
out:
    if (rc != 0) {
        char msg[300];

        snprintf(msg, sizeof(msg), "cannot write '%s': %s", path.data ? path.data : "manifest.json",
                 strerror(errno));
        if (!s->r->fatal[0]) {
            s->r->fatal_code = GORCA_E_IO;
            snprintf(s->r->fatal, sizeof(s->r->fatal), "%s", msg);
        }
    }
    gorca_buf_release(&b), gorca_buf_release(&path), gorca_buf_release(&tmp);
    return rc;
}
