/* Property: gorca_bundle_open_mem never crashes or leaks on any bytes; on success every listed
 * file has a plain, non-hidden name inside the bundle directory, a known or unknown kind in
 * range, and a digest that is empty or 64 hex digits; on failure nothing is returned. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "gorca/bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gorca_bundle *b = NULL;
    struct gorca_error err;

    gorca_error_init(&err, "fuzz");
    if (gorca_bundle_open_mem("bundle", data, size, &b, &err) != GORCA_OK) {
        if (b != NULL || err.code == GORCA_OK)
            abort();
        return 0;
    }
    for (size_t i = 0; i < b->n_files; i++) {
        const struct gorca_bundle_file *f = &b->files[i];

        if (strncmp(f->path, "bundle/", 7) != 0 || strchr(f->name, '/') || f->name[0] == '.' ||
            (unsigned)f->kind >= GORCA_INPUT_N_KINDS || (f->sha256[0] && strlen(f->sha256) != 64))
            abort();
    }
    for (size_t i = 0; i < b->n_failures; i++)
        if (b->failures[i].endpoint == NULL || b->failures[i].error == NULL)
            abort();
    gorca_bundle_free(b);
    return 0;
}
