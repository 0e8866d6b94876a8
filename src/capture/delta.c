/* Client-side block/mutex delta for servers that cannot compute one: the window's profile is
 * end snapshot − start snapshot, computed with the pprof module's merge (scales −1, +1, as
 * net/http/pprof itself does, pprof-formats.md §2.3) and stored as block.pb.gz / mutex.pb.gz.
 * The two snapshots stay in the bundle. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "capture_int.h"
#include "gorca/profile.h"

static enum gorca_status read_profile(const char *dir, const char *file, struct gorca_profile **out,
                                      struct gorca_error *err)
{
    char path[4096];

    snprintf(path, sizeof(path), "%s/%s", dir, file);
    return gorca_profile_read_file(path, NULL, out, err);
}

/* Writes data to DIR/.FILE.part and renames it to DIR/FILE. */
static int store(const char *dir, const char *file, const void *data, size_t len, char *why,
                 size_t why_size)
{
    char tmp[4096], final[4096];
    FILE *f;
    int ok;

    snprintf(tmp, sizeof(tmp), "%s/.%s.part", dir, file);
    snprintf(final, sizeof(final), "%s/%s", dir, file);
    f = fopen(tmp, "wb");
    if (f == NULL) {
        snprintf(why, why_size, "cannot create '.%s.part': %s", file, strerror(errno));
        return -1;
    }
    ok = fwrite(data, 1, len, f) == len && fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, final) != 0) {
        snprintf(why, why_size, "cannot write '%s': %s", file, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

void cap_client_delta(struct cap_session *s, int ep)
{
    struct gorca_capture_result *r = s->r;
    int start = ep == GORCA_CAP_BLOCK ? GORCA_CAP_BLOCK_START : GORCA_CAP_MUTEX_START;
    struct gorca_capture_item *it = &r->items[ep], *a = &r->items[start], *b = &r->items[start + 1];
    struct gorca_profile *pa = NULL, *pb = NULL, *delta = NULL;
    const struct gorca_profile *ps[2];
    static const int64_t scales[2] = { -1, 1 };
    struct gorca_error err;
    struct gorca_buf out;
    char why[300] = "";
    struct base_sha256 h;
    uint8_t d[32];

    if (it->state != GORCA_CAPST_REPLACED || a->state != GORCA_CAPST_OK ||
        b->state != GORCA_CAPST_OK)
        return;
    gorca_buf_init(&out, s->o->max_bytes);
    gorca_error_init(&err, NULL);
    if (read_profile(r->dir, a->file, &pa, &err) != GORCA_OK ||
        read_profile(r->dir, b->file, &pb, &err) != GORCA_OK)
        goto fail;
    ps[0] = pa, ps[1] = pb;
    if (gorca_profile_merge(ps, scales, 2, NULL, &delta, &err) != GORCA_OK)
        goto fail;
    delta->time_nanos = b->start_ns;
    delta->duration_nanos = b->start_ns - a->start_ns;
    if (gorca_profile_encode(delta, 6, &out, &err) != GORCA_OK)
        goto fail;
    if (store(r->dir, it->file, out.data, out.len, why, sizeof(why)) != 0)
        goto done;
    base_sha256_init(&h);
    base_sha256_update(&h, out.data, out.len);
    base_sha256_final(&h, d);
    base_sha256_hex(d, it->sha256);
    it->state = GORCA_CAPST_OK;
    it->code = GORCA_OK;
    it->server_delta = 0;
    it->bytes = out.len;
    it->http_status = 0;
    it->content_type[0] = '\0';
    it->start_ns = a->start_ns;
    it->first_byte_ns = 0;
    it->end_ns = b->end_ns;
    it->error[0] = '\0';
    goto done;
fail:
    gorca_error_format(&err, why, sizeof(why));
done:
    if (it->state != GORCA_CAPST_OK) {
        size_t n = strlen(it->error);

        snprintf(it->error + n, sizeof(it->error) - n, "; client-side delta failed: %s", why);
    }
    gorca_buf_release(&out);
    gorca_profile_free(pa);
    gorca_profile_free(pb);
    gorca_profile_free(delta);
}
