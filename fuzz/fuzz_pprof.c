/* libFuzzer harness for the profile.proto decoder below gzip (src/pprof/decode.c).
 * Property: never crashes or leaks; a failure has a known status and an offset inside the
 * input; a success yields a model whose every index and pointer is in range, that the views
 * (top, folded) process, and that survives encode -> decode unchanged. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "gorca/profile.h"
#include "gorca/io.h"
#include "fuzz_pprof_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (gorca_is_gzip(data, size))
        return 0; /* the gzip layer has its own harness (fuzz_pprof_gz.c) */
    fuzz_check_profile(data, size);
    return 0;
}
