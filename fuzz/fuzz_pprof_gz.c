/* libFuzzer harness for the gzip layer in front of the profile decoder (gorca_profile_parse on
 * .pb.gz bytes). Property: never crashes or leaks; corrupt or cut gzip streams fail cleanly
 * (status and offset inside the input); what inflates and decodes passes the same model,
 * view and encode -> decode checks as fuzz_pprof.c. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "gorca/profile.h"
#include "gorca/io.h"
#include "fuzz_pprof_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!gorca_is_gzip(data, size))
        return 0; /* raw protobuf is fuzz_pprof.c's job */
    fuzz_check_profile(data, size);
    return 0;
}
