/* Byte source of the trace reader: an in-memory buffer, an mmap'ed regular file (pages of
 * finished generations are dropped with MADV_DONTNEED, so resident memory follows the current
 * generation), or a pipe read through a buffer that holds the current generation only.
 * gzip-compressed inputs are inflated into memory first (no streaming for them). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "trace_int.h"
#include "gorca/io.h"

void tr_src_open_mem(struct tr_src *s, const uint8_t *data, size_t len)
{
    memset(s, 0, sizeof(*s));
    s->kind = TR_SRC_MEM;
    s->data = data;
    s->len = len;
    s->size = len;
    s->fd = -1;
}

/* Reads the rest of fd into a buffer (for gzip from a pipe). */
static enum gorca_status slurp(struct tr_src *s, uint64_t max_mem, struct gorca_error *err)
{
    for (;;) {
        ssize_t r;

        if (s->cap - s->len < 65536 && base_grow((void **)&s->buf, &s->cap, s->len + 65536, 1) != 0)
            return GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory reading input");
        r = read(s->fd, s->buf + s->len, s->cap - s->len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return GORCA_FAIL(err, GORCA_E_IO, -1, NULL, "read error: %s", strerror(errno));
        if (r == 0)
            return GORCA_OK;
        s->len += (size_t)r;
        if (max_mem && s->len > max_mem)
            return GORCA_FAIL(err, GORCA_E_LIMIT, -1, NULL,
                              "compressed input exceeds the limit of %llu bytes",
                              (unsigned long long)max_mem);
    }
}

static enum gorca_status inflate_into_mem(struct tr_src *s, const uint8_t *in, size_t n,
                                          uint64_t max_mem, struct gorca_error *err)
{
    uint8_t *out = NULL;
    size_t out_len = 0;
    enum gorca_status st = gorca_gunzip(in, n, max_mem, &out, &out_len, err);

    if (st != GORCA_OK)
        return st;
    tr_src_close(s);
    tr_src_open_mem(s, out, out_len);
    s->owned = out;
    return GORCA_OK;
}

enum gorca_status tr_src_open_file(struct tr_src *s, const char *path, uint64_t max_mem,
                                   struct gorca_error *err)
{
    struct stat st;
    int fd;

    memset(s, 0, sizeof(*s));
    s->fd = -1;
    if (strcmp(path, "-") == 0) {
        fd = dup(0);
    } else {
        fd = open(path, O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0)
        return GORCA_FAIL(err, GORCA_E_IO, -1, NULL, "cannot open: %s", strerror(errno));
    s->fd = fd;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);

        if (p != MAP_FAILED) {
            s->kind = TR_SRC_MMAP;
            s->map = p;
            s->map_len = (size_t)st.st_size;
            s->data = p;
            s->len = s->map_len;
            s->size = s->map_len;
            madvise(p, s->map_len, MADV_SEQUENTIAL);
            if (s->len >= 2 && gorca_is_gzip(s->data, s->len))
                return inflate_into_mem(s, s->data, s->len, max_mem, err);
            return GORCA_OK;
        }
    }
    s->kind = TR_SRC_STREAM;
    {
        size_t avail = 0;
        const uint8_t *p = tr_src_get(s, 0, 2, &avail, err);

        if (p == NULL && err->code != GORCA_OK)
            return err->code;
        if (p != NULL && gorca_is_gzip(p, 2)) {
            enum gorca_status rc = slurp(s, max_mem, err);

            if (rc != GORCA_OK)
                return rc;
            {
                uint8_t *raw = s->buf;
                size_t raw_len = s->len;

                s->buf = NULL; /* keep it alive across tr_src_close in inflate_into_mem */
                rc = inflate_into_mem(s, raw, raw_len, max_mem, err);
                base_free(raw);
                return rc;
            }
        }
    }
    return GORCA_OK;
}

void tr_src_close(struct tr_src *s)
{
    if (s->map)
        munmap(s->map, s->map_len);
    if (s->fd >= 0)
        close(s->fd);
    base_free(s->buf);
    free(s->owned);
    memset(s, 0, sizeof(*s));
    s->fd = -1;
}

/* Grows the stream window until it covers [off, off+n) or the input ends. */
static int stream_fill(struct tr_src *s, uint64_t off, size_t n, struct gorca_error *err)
{
    uint64_t want = off + n - s->base; /* bytes needed in the window */

    while (s->len < want && !s->eof) {
        ssize_t r;
        size_t chunk = 1 << 20;

        if (s->cap - s->len < chunk &&
            base_grow((void **)&s->buf, &s->cap, s->len + chunk, 1) != 0) {
            GORCA_FAIL(err, GORCA_E_NOMEM, (int64_t)off, NULL, "out of memory buffering input");
            return -1;
        }
        r = read(s->fd, s->buf + s->len, s->cap - s->len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            GORCA_FAIL(err, GORCA_E_IO, (int64_t)off, NULL, "read error: %s", strerror(errno));
            return -1;
        }
        if (r == 0)
            s->eof = 1;
        s->len += (size_t)r;
    }
    s->data = s->buf;
    return 0;
}

const uint8_t *tr_src_get(struct tr_src *s, uint64_t off, size_t n, size_t *avail,
                          struct gorca_error *err)
{
    uint64_t end = s->base + s->len;

    if (s->kind == TR_SRC_STREAM && off + n > end) {
        if (stream_fill(s, off, n, err) != 0) {
            *avail = 0;
            return NULL;
        }
        end = s->base + s->len;
    }
    if (off < s->base || off > end) {
        *avail = 0;
        return NULL;
    }
    if (end - off < n) {
        *avail = (size_t)(end - off);
        return NULL;
    }
    *avail = n;
    return s->data + (off - s->base);
}

void tr_src_release(struct tr_src *s, uint64_t off)
{
    if (s->kind == TR_SRC_MMAP) {
        long pg = sysconf(_SC_PAGESIZE);
        uint64_t from = s->released, to = off & ~(uint64_t)(pg - 1);

        if (to > s->map_len)
            to = s->map_len & ~(uint64_t)(pg - 1);
        if (to > from) {
            madvise((uint8_t *)s->map + from, (size_t)(to - from), MADV_DONTNEED);
            s->released = to;
        }
    } else if (s->kind == TR_SRC_STREAM && off > s->base) {
        uint64_t drop = off - s->base;

        if (drop > s->len)
            drop = s->len;
        memmove(s->buf, s->buf + drop, s->len - (size_t)drop);
        s->len -= (size_t)drop;
        s->base += drop;
    }
}
