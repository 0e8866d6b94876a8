/* Whole-file input (include/gorca/io.h). Regular files are read with one fstat-sized read
 * loop; pipes and stdin grow a buffer. The result carries a trailing NUL for text parsers. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base.h"
#include "gorca/io.h"

static enum gorca_status read_fd(int fd, const char *path, uint64_t max_bytes, uint8_t **data,
                                 size_t *len, struct gorca_error *err)
{
    struct stat st;
    size_t cap = 0, n = 0;
    uint8_t *buf = NULL;

    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        if (max_bytes && (uint64_t)st.st_size > max_bytes)
            return GORCA_FAIL(err, GORCA_E_LIMIT, -1, "input",
                              "file is %lld bytes, over the input limit of %llu bytes",
                              (long long)st.st_size, (unsigned long long)max_bytes);
        cap = (size_t)st.st_size + 1;
        buf = base_malloc(cap);
        if (buf == NULL)
            return GORCA_FAIL(err, GORCA_E_NOMEM, -1, "input", "out of memory reading file");
    }
    for (;;) {
        ssize_t r;

        if (cap - n < 2) {
            if (base_grow((void **)&buf, &cap, n + 65536, 1) != 0) {
                base_free(buf);
                return GORCA_FAIL(err, GORCA_E_NOMEM, -1, "input", "out of memory reading file");
            }
        }
        r = read(fd, buf + n, cap - n - 1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            base_free(buf);
            return GORCA_FAIL(err, GORCA_E_IO, -1, NULL, "cannot read '%s': %s", path,
                              strerror(errno));
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (max_bytes && n > max_bytes) {
            base_free(buf);
            return GORCA_FAIL(err, GORCA_E_LIMIT, -1, "input",
                              "input exceeds the limit of %llu bytes",
                              (unsigned long long)max_bytes);
        }
    }
    buf[n] = 0;
    *data = buf;
    *len = n;
    return GORCA_OK;
}

enum gorca_status gorca_read_file(const char *path, uint64_t max_bytes, uint8_t **data, size_t *len,
                                  struct gorca_error *err)
{
    enum gorca_status st;
    int fd;

    *data = NULL;
    *len = 0;
    if (strcmp(path, "-") == 0)
        return read_fd(0, "<stdin>", max_bytes, data, len, err);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return GORCA_FAIL(err, GORCA_E_IO, -1, NULL, "cannot open: %s", strerror(errno));
    st = read_fd(fd, path, max_bytes, data, len, err);
    close(fd);
    return st;
}
