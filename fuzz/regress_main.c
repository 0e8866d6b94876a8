/* Plain main() that feeds every file under the given directories (recursively) to
 * LLVMFuzzerTestOneInput, so fuzz corpora and crashers replay under gcc in `make check`.
 * A crash or sanitizer report aborts the program; otherwise it prints the usual summary. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int n_files;

static void run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long n;

    if (f == NULL)
        return;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc(n > 0 ? (size_t)n : 1);
    if (buf && n >= 0 && fread(buf, 1, (size_t)n, f) == (size_t)n) {
        LLVMFuzzerTestOneInput(buf, (size_t)n);
        n_files++;
    }
    free(buf);
    fclose(f);
}

static void walk(const char *path)
{
    struct stat st;
    DIR *d;
    struct dirent *e;

    if (stat(path, &st) != 0)
        return;
    if (S_ISREG(st.st_mode)) {
        run_file(path);
        return;
    }
    if (!S_ISDIR(st.st_mode))
        return;
    d = opendir(path);
    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        char sub[4096];

        if (e->d_name[0] == '.')
            continue;
        snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
        walk(sub);
    }
    closedir(d);
}

int main(int argc, char **argv)
{
    const char *prog = strrchr(argv[0], '/');

    for (int i = 1; i < argc; i++)
        walk(argv[i]);
    printf("# %s: %d passed, 0 failed, 0 skipped\n", prog ? prog + 1 : argv[0], n_files);
    return 0;
}
