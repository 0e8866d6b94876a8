/* Capture bundles as inputs: reads manifest.json (schema gorca.capture/1, docs/manifest.md)
 * with jansson, checks every field it uses (types, safe file names, known kinds) and lists the
 * bundle's files; expands mixed command-line inputs (bundles, plain directories, loose files)
 * into one list. Loose files are not sniffed here: their kind stays unknown for the caller's
 * content probe. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <jansson.h>
#include "gorca/bundle.h"
#include "gorca/io.h"
#include "base/base.h"
#include "base/sha256.h"

#define MANIFEST_MAX_BYTES (16u << 20)

static const char *const kind_names[GORCA_INPUT_N_KINDS] = {
    [GORCA_INPUT_UNKNOWN] = "unknown",
    [GORCA_INPUT_CPU] = "cpu",
    [GORCA_INPUT_HEAP] = "heap",
    [GORCA_INPUT_ALLOCS] = "allocs",
    [GORCA_INPUT_BLOCK] = "block",
    [GORCA_INPUT_MUTEX] = "mutex",
    [GORCA_INPUT_GOROUTINE] = "goroutine",
    [GORCA_INPUT_THREADCREATE] = "threadcreate",
    [GORCA_INPUT_TRACE] = "trace",
    [GORCA_INPUT_GOROUTINE_DEBUG1] = "goroutine_debug1",
    [GORCA_INPUT_GOROUTINE_DEBUG2] = "goroutine_debug2",
    [GORCA_INPUT_CMDLINE] = "cmdline",
};

const char *gorca_input_kind_name(enum gorca_input_kind kind)
{
    return (unsigned)kind < GORCA_INPUT_N_KINDS ? kind_names[kind] : "unknown";
}

enum gorca_input_kind gorca_input_kind_from_name(const char *name)
{
    for (int i = 1; i < GORCA_INPUT_N_KINDS; i++)
        if (strcmp(name, kind_names[i]) == 0)
            return (enum gorca_input_kind)i;
    return GORCA_INPUT_UNKNOWN;
}

/* ---- the growing list ------------------------------------------------------------------*/

struct bundle_priv {
    struct base_arena arena; /* every string */
    size_t cap_files, cap_failures;
};

static struct gorca_bundle *bundle_new(void)
{
    struct gorca_bundle *b = base_calloc(1, sizeof(*b));
    struct bundle_priv *p = base_calloc(1, sizeof(*p));

    if (b == NULL || p == NULL) {
        base_free(b);
        base_free(p);
        return NULL;
    }
    base_arena_init(&p->arena, 0);
    b->priv = p;
    b->start_skew_ns = -1;
    return b;
}

void gorca_bundle_free(struct gorca_bundle *b)
{
    struct bundle_priv *p;

    if (b == NULL)
        return;
    p = b->priv;
    if (p) {
        base_arena_release(&p->arena);
        base_free(p);
    }
    base_free(b->files);
    base_free(b->failures);
    base_free(b);
}

static const char *keep_str(struct gorca_bundle *b, const char *s)
{
    struct bundle_priv *p = b->priv;

    return s ? base_arena_strndup(&p->arena, s, strlen(s)) : NULL;
}

static const char *keep_join(struct gorca_bundle *b, const char *dir, const char *name)
{
    struct bundle_priv *p = b->priv;
    size_t dl = strlen(dir), nl = strlen(name);
    char *s = base_arena_alloc(&p->arena, dl + nl + 2);

    if (s == NULL)
        return NULL;
    memcpy(s, dir, dl);
    s[dl] = '/';
    memcpy(s + dl + 1, name, nl + 1);
    return s;
}

static struct gorca_bundle_file *add_file(struct gorca_bundle *b)
{
    struct bundle_priv *p = b->priv;
    struct gorca_bundle_file *f;

    if (base_grow((void **)&b->files, &p->cap_files, b->n_files + 1, sizeof(*b->files)) != 0)
        return NULL;
    f = &b->files[b->n_files++];
    memset(f, 0, sizeof(*f));
    return f;
}

static struct gorca_bundle_failure *add_failure(struct gorca_bundle *b)
{
    struct bundle_priv *p = b->priv;
    struct gorca_bundle_failure *f;

    if (base_grow((void **)&b->failures, &p->cap_failures, b->n_failures + 1,
                  sizeof(*b->failures)) != 0)
        return NULL;
    f = &b->failures[b->n_failures++];
    memset(f, 0, sizeof(*f));
    return f;
}

/* ---- manifest ----------------------------------------------------------------------------*/

#define BAD(err, path, where, ...) GORCA_FAIL((err), GORCA_E_MALFORMED, -1, (where), __VA_ARGS__)
#define TRY(call)                        \
    do {                                 \
        enum gorca_status try_ = (call); \
        if (try_ != GORCA_OK)            \
            return try_;                 \
    } while (0)

/* A file name from a manifest must name a file inside the bundle: one path element, not
 * hidden, not empty. */
static int safe_name(const char *s)
{
    return s[0] != '\0' && s[0] != '.' && strchr(s, '/') == NULL && strchr(s, '\\') == NULL;
}

static enum gorca_status get_str(json_t *obj, const char *key, int required, const char **out,
                                 const char *where, struct gorca_error *err)
{
    json_t *v = json_object_get(obj, key);

    *out = NULL;
    if (v == NULL || json_is_null(v)) {
        if (required)
            return BAD(err, NULL, where, "missing string field \"%s\"", key);
        return GORCA_OK;
    }
    if (!json_is_string(v))
        return BAD(err, NULL, where, "field \"%s\" must be a string", key);
    *out = json_string_value(v);
    return GORCA_OK;
}

static enum gorca_status get_int(json_t *obj, const char *key, int64_t *out, const char *where,
                                 struct gorca_error *err)
{
    json_t *v = json_object_get(obj, key);

    *out = 0;
    if (v == NULL || json_is_null(v))
        return GORCA_OK;
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return BAD(err, NULL, where, "field \"%s\" must be a non-negative integer", key);
    *out = (int64_t)json_integer_value(v);
    return GORCA_OK;
}

static enum gorca_status read_endpoint(struct gorca_bundle *b, const char *dir, json_t *ep,
                                       size_t idx, struct gorca_error *err)
{
    char where[64];
    const char *id, *kind, *file, *state, *sha, *error, *phase;
    int64_t start, end, bytes;
    json_t *ok;

    snprintf(where, sizeof(where), "endpoints[%zu]", idx);
    if (!json_is_object(ep))
        return BAD(err, NULL, where, "must be an object");
    TRY(get_str(ep, "id", 1, &id, where, err));
    TRY(get_str(ep, "kind", 1, &kind, where, err));
    TRY(get_str(ep, "file", 0, &file, where, err));
    TRY(get_str(ep, "state", 1, &state, where, err));
    TRY(get_str(ep, "sha256", 0, &sha, where, err));
    TRY(get_str(ep, "error", 0, &error, where, err));
    TRY(get_str(ep, "phase", 0, &phase, where, err));
    TRY(get_int(ep, "start_ns", &start, where, err));
    TRY(get_int(ep, "end_ns", &end, where, err));
    TRY(get_int(ep, "bytes", &bytes, where, err));
    ok = json_object_get(ep, "ok");
    if (ok && !json_is_boolean(ok))
        return BAD(err, NULL, where, "field \"ok\" must be a boolean");
    if (strcmp(state, "ok") != 0) {
        struct gorca_bundle_failure *f;

        if (strcmp(state, "failed") != 0)
            return GORCA_OK; /* replaced/skipped: nothing to list */
        f = add_failure(b);
        if (f == NULL)
            return GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory");
        f->bundle = keep_str(b, dir);
        f->endpoint = keep_str(b, id);
        f->error = keep_str(b, error ? error : "failed");
        return GORCA_OK;
    }
    if (file == NULL || !safe_name(file))
        return BAD(err, NULL, where, "\"file\" must be a plain file name inside the bundle");
    if (sha && (strlen(sha) != 64 || strspn(sha, "0123456789abcdef") != 64))
        return BAD(err, NULL, where, "\"sha256\" must be 64 lower-case hex digits");
    {
        struct gorca_bundle_file *f = add_file(b);

        if (f == NULL)
            return GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory");
        f->path = keep_join(b, dir, file);
        f->name = keep_str(b, file);
        f->endpoint = keep_str(b, id);
        f->bundle = keep_str(b, dir);
        f->kind = gorca_input_kind_from_name(kind);
        f->from_manifest = 1;
        f->windowed = phase && strcmp(phase, "window") == 0;
        f->start_ns = start;
        f->end_ns = end;
        f->bytes = (uint64_t)bytes;
        if (sha)
            memcpy(f->sha256, sha, 65);
        if (f->path == NULL || f->name == NULL || f->endpoint == NULL)
            return GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory");
    }
    return GORCA_OK;
}

static enum gorca_status read_header(struct gorca_bundle *b, json_t *root, struct gorca_error *err)
{
    const char *schema, *ver, *status, *url = NULL;
    json_t *target = json_object_get(root, "target"), *win = json_object_get(root, "window");
    int64_t secs, ws = 0, we = 0, skew = -1;

    TRY(get_str(root, "schema", 1, &schema, "manifest", err));
    if (strncmp(schema, "gorca.capture/", 14) != 0)
        return BAD(err, NULL, "schema", "\"%.40s\" is not a gorca capture manifest", schema);
    if (strcmp(schema + 14, "1") != 0 && strncmp(schema + 14, "1.", 2) != 0)
        return GORCA_FAIL(err, GORCA_E_UNSUPPORTED, -1, "schema",
                          "manifest schema \"%.40s\" is newer than this gorca (reads version 1)",
                          schema);
    TRY(get_str(root, "gorca_version", 0, &ver, "manifest", err));
    TRY(get_str(root, "status", 0, &status, "manifest", err));
    TRY(get_int(root, "seconds", &secs, "manifest", err));
    if (target && json_is_object(target))
        TRY(get_str(target, "url", 0, &url, "target", err));
    if (win && json_is_object(win)) {
        json_t *sk = json_object_get(win, "start_skew_ns");

        TRY(get_int(win, "start_ns", &ws, "window", err));
        TRY(get_int(win, "end_ns", &we, "window", err));
        if (sk && json_is_integer(sk))
            skew = (int64_t)json_integer_value(sk);
    }
    b->target = keep_str(b, url);
    b->gorca_version = keep_str(b, ver);
    b->status = keep_str(b, status);
    b->seconds = secs > 0 && secs < 100000 ? (unsigned)secs : 0;
    b->window_start_ns = ws;
    b->window_end_ns = we;
    b->start_skew_ns = skew;
    return GORCA_OK;
}

static enum gorca_status parse_manifest(struct gorca_bundle *b, const char *dir,
                                        const uint8_t *data, size_t len, struct gorca_error *err)
{
    json_error_t jerr;
    json_t *root, *eps;
    enum gorca_status st;

    if (len > MANIFEST_MAX_BYTES)
        return GORCA_FAIL(err, GORCA_E_LIMIT, -1, "manifest.json",
                          "manifest of %zu bytes exceeds the %u-byte limit", len,
                          MANIFEST_MAX_BYTES);
    root = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL)
        return GORCA_FAIL(err, GORCA_E_MALFORMED, jerr.position, "manifest.json",
                          "not valid JSON: %s (line %d)", jerr.text, jerr.line);
    if (!json_is_object(root)) {
        st = BAD(err, NULL, "manifest.json", "top level must be an object");
        goto out;
    }
    if ((st = read_header(b, root, err)) != GORCA_OK)
        goto out;
    eps = json_object_get(root, "endpoints");
    if (!json_is_array(eps)) {
        st = BAD(err, NULL, "manifest.json", "\"endpoints\" must be an array");
        goto out;
    }
    for (size_t i = 0; i < json_array_size(eps); i++)
        if ((st = read_endpoint(b, dir, json_array_get(eps, i), i, err)) != GORCA_OK)
            goto out;
    b->n_bundles++;
out:
    json_decref(root);
    return st;
}

static enum gorca_status load_manifest(struct gorca_bundle *b, const char *dir,
                                       struct gorca_error *err)
{
    char path[4096];
    uint8_t *data = NULL;
    size_t len = 0;
    enum gorca_status st;

    snprintf(path, sizeof(path), "%s/manifest.json", dir);
    if (err->source == NULL)
        err->source = dir;
    st = gorca_read_file(path, MANIFEST_MAX_BYTES, &data, &len, err);
    if (st != GORCA_OK)
        return st;
    st = parse_manifest(b, dir, data, len, err);
    free(data);
    return st;
}

enum gorca_status gorca_bundle_open_mem(const char *dir, const uint8_t *data, size_t len,
                                        struct gorca_bundle **out, struct gorca_error *err)
{
    struct gorca_bundle *b = bundle_new();
    enum gorca_status st;

    *out = NULL;
    if (b == NULL)
        return GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory");
    st = parse_manifest(b, dir, data, len, err);
    if (st != GORCA_OK) {
        gorca_bundle_free(b);
        return st;
    }
    *out = b;
    return GORCA_OK;
}

int gorca_bundle_is_dir(const char *path)
{
    struct stat sb;

    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static int has_manifest(const char *dir)
{
    char path[4096];
    struct stat sb;

    snprintf(path, sizeof(path), "%s/manifest.json", dir);
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

enum gorca_status gorca_bundle_open(const char *dir, struct gorca_bundle **out,
                                    struct gorca_error *err)
{
    struct gorca_bundle *b = bundle_new();
    enum gorca_status st;

    *out = NULL;
    if (b == NULL)
        return GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory");
    st = load_manifest(b, dir, err);
    if (st != GORCA_OK) {
        gorca_bundle_free(b);
        return st;
    }
    *out = b;
    return GORCA_OK;
}

/* ---- mixed inputs ------------------------------------------------------------------------*/

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A directory without a manifest: its regular, non-hidden files in name order. */
static enum gorca_status add_plain_dir(struct gorca_bundle *b, const char *dir,
                                       struct gorca_error *err)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0;
    enum gorca_status st = GORCA_OK;

    if (d == NULL)
        return GORCA_FAIL(err, GORCA_E_IO, -1, NULL, "cannot open directory: %s", strerror(errno));
    while ((e = readdir(d)) != NULL) {
        const char *p;

        if (e->d_name[0] == '.')
            continue;
        p = keep_join(b, dir, e->d_name);
        if (p == NULL || base_grow((void **)&names, &cap, n + 1, sizeof(char *)) != 0) {
            st = GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory");
            break;
        }
        if (gorca_bundle_is_dir(p))
            continue;
        names[n++] = (char *)p;
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof(char *), cmp_str);
    for (size_t i = 0; i < n && st == GORCA_OK; i++) {
        struct gorca_bundle_file *f = add_file(b);

        if (f == NULL) {
            st = GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory");
            break;
        }
        f->path = f->name = names[i];
    }
    base_free(names);
    return st;
}

enum gorca_status gorca_inputs_expand(const char *const *paths, size_t n, struct gorca_bundle **out,
                                      struct gorca_error *err)
{
    struct gorca_bundle *b = bundle_new();
    enum gorca_status st = GORCA_OK;

    *out = NULL;
    if (b == NULL)
        return GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory");
    for (size_t i = 0; i < n && st == GORCA_OK; i++) {
        err->source = paths[i];
        if (gorca_bundle_is_dir(paths[i])) {
            st = has_manifest(paths[i]) ? load_manifest(b, paths[i], err)
                                        : add_plain_dir(b, paths[i], err);
        } else {
            struct gorca_bundle_file *f = add_file(b);

            if (f != NULL)
                f->path = f->name = keep_str(b, paths[i]);
            if (f == NULL || f->path == NULL)
                st = GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory");
        }
    }
    if (st != GORCA_OK) {
        gorca_bundle_free(b);
        return st;
    }
    *out = b;
    return GORCA_OK;
}

/* ---- lookups and verification ------------------------------------------------------------*/

const struct gorca_bundle_file *gorca_bundle_find(const struct gorca_bundle *b,
                                                  enum gorca_input_kind kind, const char *endpoint)
{
    for (size_t i = 0; i < b->n_files; i++) {
        const struct gorca_bundle_file *f = &b->files[i];

        if (f->kind == kind &&
            (endpoint == NULL || (f->endpoint && strcmp(f->endpoint, endpoint) == 0)))
            return f;
    }
    return NULL;
}

enum gorca_status gorca_bundle_verify(const struct gorca_bundle *b, size_t i,
                                      struct gorca_error *err)
{
    const struct gorca_bundle_file *f;
    struct base_sha256 s;
    uint8_t *data = NULL, d[32];
    size_t len = 0;
    char hex[65];
    enum gorca_status st;

    if (i >= b->n_files)
        return GORCA_FAIL(err, GORCA_E_ARG, -1, NULL, "no file %zu in the bundle", i);
    f = &b->files[i];
    if (f->sha256[0] == '\0')
        return GORCA_OK;
    err->source = f->path;
    st = gorca_read_file(f->path, 0, &data, &len, err);
    if (st != GORCA_OK)
        return st;
    base_sha256_init(&s);
    base_sha256_update(&s, data, len);
    base_sha256_final(&s, d);
    base_sha256_hex(d, hex);
    free(data);
    if (f->bytes && len != f->bytes)
        return GORCA_FAIL(err, GORCA_E_MALFORMED, -1, "manifest.json",
                          "file has %zu bytes, the manifest recorded %llu", len,
                          (unsigned long long)f->bytes);
    if (strcmp(hex, f->sha256) != 0)
        return GORCA_FAIL(err, GORCA_E_MALFORMED, -1, "manifest.json",
                          "SHA-256 %s does not match the manifest's %s", hex, f->sha256);
    return GORCA_OK;
}
