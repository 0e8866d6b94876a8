/* The top view: go tool pprof -top reproduced row for row (pprof-formats.md §5.2-§5.4).
 *
 * Nodes are functions (pprof's default "functions" granularity: one node per function name,
 * inlined frames kept; nameless functions and line-less locations are told apart by their
 * mapping file). Pass 1 sums flat and cum over the filtered samples; nodes whose |cum| falls
 * under node_fraction of the shown flat sum are dropped, the rest sorted and cut to nodecount;
 * pass 2 rebuilds the caller->callee edges among the survivors (bridging dropped nodes, as
 * pprof's residual edges do), drops edges under edge_fraction, and the remaining incoming
 * edges decide the "(inline)" marks. Per-sample de-duplication uses stamps, not sets. */
#include <stdio.h>
#include <stdlib.h>
#include "pprof_int.h"
#include "base/json.h"

#define NONE UINT32_MAX

struct tnode {
    struct gorca_strv name;    /* function name; empty for nameless nodes */
    struct gorca_strv objfile; /* mapping file, only for nameless nodes */
    int64_t start_line;        /* only for nameless function nodes */
    int64_t flat, flatdiv, cum, cumdiv;
    uint32_t stamp;    /* last sample that added to cum */
    uint8_t keep;      /* member of the current kept set */
    uint8_t inlinable; /* an inlined callee (not a location's last line) somewhere */
    uint8_t in_inline; /* has an inline incoming edge above the cutoff */
    uint8_t in_direct; /* has a non-inline incoming edge above the cutoff */
    char *pname;       /* printable name (arena) */
    char *info;        /* fmt.Sprint(NodeInfo), the last tie-break (arena) */
};

struct tedge {
    uint32_t src, dst, stamp;
    uint8_t is_inline;
    int64_t weight;
};

struct gorca_top_internal {
    struct base_arena arena;
    struct gorca_buf text; /* the complete -top text */
    char **labels;         /* header lines before the column titles (arena) */
    size_t n_labels;
    int64_t node_cutoff; /* pprof's cut on |cum| */
    char filters[4][1024];
    size_t n_filters;
};

struct topctx {
    const struct gorca_profile *p;
    const struct gorca_top_options *o;
    struct pb_selection sel;
    struct gorca_top *t;
    struct base_arena *arena;
    struct gorca_error *err;

    struct tnode *nodes;
    size_t n_nodes, cap_nodes;
    struct pb_set node_set;
    uint32_t *loc_first; /* per location: first entry in loc_nodes */
    uint32_t *loc_nodes; /* node per kept line, innermost first */
    uint32_t stamp;

    struct tedge *edges;
    size_t n_edges, cap_edges;
    uint64_t *edge_keys; /* open addressing: key, value = edge index + 1 */
    uint32_t *edge_vals;
    size_t edge_cap;
};

/* ---- nodes ----------------------------------------------------------------------------------*/

static uint64_t node_hash(struct gorca_strv name, struct gorca_strv obj, int64_t start)
{
    uint64_t h = base_hash_bytes(name.ptr ? name.ptr : "", name.len, 1);

    h = base_hash_bytes(obj.ptr ? obj.ptr : "", obj.len, h);
    return base_hash_u64(h ^ (uint64_t)start);
}

struct node_key {
    struct topctx *c;
    struct gorca_strv name, obj;
    int64_t start;
};

static int node_eq(void *ctx, uint32_t i)
{
    struct node_key *k = ctx;
    const struct tnode *n = &k->c->nodes[i];

    return pb_strv_same(n->name, k->name) && pb_strv_same(n->objfile, k->obj) &&
           n->start_line == k->start;
}

static uint32_t node_of(struct topctx *c, struct gorca_strv name, struct gorca_strv obj,
                        int64_t start)
{
    struct node_key k = { c, name, obj, start };
    uint64_t h = node_hash(name, obj, start);
    uint32_t found;
    size_t slot;
    struct tnode *n;

    if (pb_set_reserve(&c->node_set) != 0)
        return NONE;
    slot = pb_set_find(&c->node_set, h, node_eq, &k, &found);
    if (found)
        return found - 1;
    if (base_grow((void **)&c->nodes, &c->cap_nodes, c->n_nodes + 1, sizeof(*n)) != 0)
        return NONE;
    n = &c->nodes[c->n_nodes];
    memset(n, 0, sizeof(*n));
    n->name = name;
    n->objfile = obj;
    n->start_line = start;
    pb_set_insert_at(&c->node_set, slot, h, (uint32_t)c->n_nodes);
    return (uint32_t)c->n_nodes++;
}

/* The node of one line (function) or of a line-less location, as pprof's nodeInfo keys it
 * after Aggregate(functions): the name alone, or (mapping file, start line) without a name. */
static uint32_t line_node(struct topctx *c, const struct gorca_location *l,
                          const struct gorca_function *f)
{
    struct gorca_strv none = { "", 0 }, obj = none;

    if (l->mapping && l->mapping->filename.len)
        obj = l->mapping->filename;
    if (f == NULL)
        return node_of(c, none, obj, 0);
    if (f->name.len)
        return node_of(c, f->name, none, 0);
    return node_of(c, none, obj, f->start_line);
}

static enum gorca_status build_nodes(struct topctx *c)
{
    const struct gorca_profile *p = c->p;
    size_t total = 0;

    c->loc_first = base_malloc((p->n_locations + 1) * sizeof(uint32_t));
    for (size_t i = 0; i < p->n_locations; i++)
        total += c->sel.line_count[i] ? c->sel.line_count[i] : 1;
    c->loc_nodes = base_malloc((total + 1) * sizeof(uint32_t));
    if (c->loc_first == NULL || c->loc_nodes == NULL)
        return GORCA_FAIL(c->err, GORCA_E_NOMEM, -1, NULL, "out of memory");
    total = 0;
    for (size_t i = 0; i < p->n_locations; i++) {
        const struct gorca_location *l = &p->locations[i];
        uint16_t n = c->sel.line_count[i];
        const uint16_t *idx = c->sel.line_idx + c->sel.line_start[i];

        c->loc_first[i] = (uint32_t)total;
        if (n == 0) {
            /* Hidden locations never reach a stack; line-less ones get an empty line. */
            c->loc_nodes[total++] = line_node(c, l, NULL);
        }
        for (uint16_t j = 0; j < n; j++) {
            uint32_t nd = line_node(c, l, l->lines[idx[j]].function);

            if (nd == NONE)
                return GORCA_FAIL(c->err, GORCA_E_NOMEM, -1, NULL, "out of memory");
            c->loc_nodes[total++] = nd;
            if (j + 1 < n)
                c->nodes[nd].inlinable = 1;
        }
        if (c->loc_nodes[total - 1] == NONE)
            return GORCA_FAIL(c->err, GORCA_E_NOMEM, -1, NULL, "out of memory");
    }
    c->loc_first[p->n_locations] = (uint32_t)total;
    return GORCA_OK;
}

static inline uint32_t loc_count(const struct topctx *c, uint32_t loc)
{
    return c->loc_first[loc + 1] - c->loc_first[loc];
}

/* ---- pass 1: flat and cum --------------------------------------------------------------------*/

static void sample_weights(const struct topctx *c, const struct gorca_sample *s, int64_t *w,
                           int64_t *dw)
{
    *w = s->values[c->sel.value_index];
    *dw = c->sel.mean ? s->values[0] : 0;
}

static void pass_cum(struct topctx *c)
{
    const struct gorca_profile *p = c->p;

    for (size_t i = 0; i < p->n_samples; i++) {
        const struct gorca_sample *s = &p->samples[i];
        uint32_t parent = NONE, stamp;
        int64_t w, dw;

        if (!c->sel.sample_kept[i])
            continue;
        sample_weights(c, s, &w, &dw);
        if (w == 0 && dw == 0)
            continue;
        stamp = ++c->stamp;
        for (uint32_t li = s->n_locs; li-- > 0;) {
            uint32_t loc = s->locs[li];
            const uint32_t *ns = c->loc_nodes + c->loc_first[loc];

            if (c->sel.loc_hidden[loc])
                continue;
            for (uint32_t ni = loc_count(c, loc); ni-- > 0;) {
                struct tnode *n = &c->nodes[ns[ni]];

                if (n->stamp != stamp) {
                    n->stamp = stamp;
                    n->cum += w;
                    n->cumdiv += dw;
                }
                parent = ns[ni];
            }
        }
        if (parent != NONE) {
            c->nodes[parent].flat += w;
            c->nodes[parent].flatdiv += dw;
        }
    }
}

/* ---- pass 2: edges among the kept nodes ------------------------------------------------------*/

static struct tedge *edge_of(struct topctx *c, uint32_t src, uint32_t dst, int *created)
{
    uint64_t key = (uint64_t)src << 32 | dst;
    size_t i;

    if ((c->n_edges + 1) * 2 > c->edge_cap) {
        size_t ncap = c->edge_cap ? c->edge_cap * 2 : 1024;
        uint64_t *keys = base_malloc(ncap * sizeof(uint64_t));
        uint32_t *vals = base_calloc(ncap, sizeof(uint32_t));

        if (keys == NULL || vals == NULL) {
            base_free(keys);
            base_free(vals);
            return NULL;
        }
        for (size_t j = 0; j < c->edge_cap; j++) {
            if (c->edge_vals[j] == 0)
                continue;
            for (i = (size_t)base_hash_u64(c->edge_keys[j]) & (ncap - 1); vals[i];
                 i = (i + 1) & (ncap - 1))
                ;
            keys[i] = c->edge_keys[j];
            vals[i] = c->edge_vals[j];
        }
        base_free(c->edge_keys);
        base_free(c->edge_vals);
        c->edge_keys = keys;
        c->edge_vals = vals;
        c->edge_cap = ncap;
    }
    for (i = (size_t)base_hash_u64(key) & (c->edge_cap - 1); c->edge_vals[i];
         i = (i + 1) & (c->edge_cap - 1))
        if (c->edge_keys[i] == key) {
            *created = 0;
            return &c->edges[c->edge_vals[i] - 1];
        }
    if (base_grow((void **)&c->edges, &c->cap_edges, c->n_edges + 1, sizeof(struct tedge)) != 0)
        return NULL;
    c->edge_keys[i] = key;
    c->edge_vals[i] = (uint32_t)++c->n_edges;
    *created = 1;
    return &c->edges[c->n_edges - 1];
}

static enum gorca_status pass_edges(struct topctx *c)
{
    const struct gorca_profile *p = c->p;

    for (size_t i = 0; i < p->n_samples; i++) {
        const struct gorca_sample *s = &p->samples[i];
        uint32_t parent = NONE, stamp;
        int64_t w, dw;

        if (!c->sel.sample_kept[i])
            continue;
        sample_weights(c, s, &w, &dw);
        if (w == 0 && dw == 0)
            continue;
        stamp = ++c->stamp;
        for (uint32_t li = s->n_locs; li-- > 0;) {
            uint32_t loc = s->locs[li], cnt = loc_count(c, loc);
            const uint32_t *ns = c->loc_nodes + c->loc_first[loc];

            if (c->sel.loc_hidden[loc])
                continue;
            for (uint32_t ni = cnt; ni-- > 0;) {
                uint32_t n = ns[ni];

                if (!c->nodes[n].keep)
                    continue; /* bridged: the next kept node links to parent */
                /* Only a node that is an inlined callee somewhere can get an inline edge;
                 * every other node's incoming edges are plain calls, so its mark is known
                 * without weighing them. */
                if (parent != NONE && n != parent && c->nodes[n].inlinable) {
                    int created;
                    struct tedge *e = edge_of(c, parent, n, &created);

                    if (e == NULL)
                        return GORCA_FAIL(c->err, GORCA_E_NOMEM, -1, NULL, "out of memory");
                    if (created) {
                        e->src = parent;
                        e->dst = n;
                        e->weight = 0;
                        e->stamp = 0;
                        e->is_inline = ni != cnt - 1;
                    }
                    if (e->stamp != stamp) {
                        e->stamp = stamp;
                        e->weight += w;
                        if (ni == cnt - 1)
                            e->is_inline = 0;
                    }
                }
                parent = n;
            }
        }
    }
    return GORCA_OK;
}

/* ---- ordering ---------------------------------------------------------------------------------*/

static const char *base_name(struct gorca_strv path, size_t *len)
{
    const char *s = path.ptr;
    size_t n = path.len, i;

    while (n > 1 && s[n - 1] == '/')
        n--;
    for (i = n; i > 0 && s[i - 1] != '/'; i--)
        ;
    if (n == 1 && s[0] == '/')
        i = 0;
    *len = n - i;
    return s + i;
}

static int name_nodes(struct topctx *c)
{
    for (size_t i = 0; i < c->n_nodes; i++) {
        struct tnode *n = &c->nodes[i];
        struct gorca_buf b;

        gorca_buf_init(&b, 0);
        if (n->name.len) {
            gorca_buf_append(&b, n->name.ptr, n->name.len);
        } else if (n->objfile.len) {
            size_t bl;
            const char *bn = base_name(n->objfile, &bl);

            gorca_buf_printf(&b, "[%.*s]", (int)bl, bn);
        } else {
            gorca_buf_puts(&b, "<unknown>");
        }
        gorca_buf_putc(&b, '\0');
        n->pname = b.failed ? NULL : base_arena_strndup(c->arena, b.data, b.len - 1);
        gorca_buf_release(&b);
        /* fmt.Sprint of {Name OrigName Address File StartLine Lineno Columnno Objfile} */
        gorca_buf_init(&b, 0);
        gorca_buf_printf(&b, "{%.*s  0  %lld 0 0 %.*s}", (int)n->name.len,
                         n->name.ptr ? n->name.ptr : "", (long long)n->start_line,
                         (int)n->objfile.len, n->objfile.ptr ? n->objfile.ptr : "");
        n->info = b.failed ? NULL : base_arena_strndup(c->arena, b.data, b.len);
        gorca_buf_release(&b);
        if (n->pname == NULL || n->info == NULL)
            return -1;
    }
    return 0;
}

static int64_t abs64(int64_t v)
{
    return v < 0 ? -v : v;
}

static int cmp_nodes(const void *a, const void *b, void *ctx)
{
    const struct topctx *c = ctx;
    const struct tnode *l = &c->nodes[*(const uint32_t *)a];
    const struct tnode *r = &c->nodes[*(const uint32_t *)b];
    int sort_cum = c->o->cum;
    int64_t lp = sort_cum ? abs64(l->cum) : abs64(l->flat);
    int64_t rp = sort_cum ? abs64(r->cum) : abs64(r->flat);
    int64_t ls = sort_cum ? abs64(l->flat) : abs64(l->cum);
    int64_t rs = sort_cum ? abs64(r->flat) : abs64(r->cum);
    int k;

    if (lp != rp)
        return lp > rp ? -1 : 1;
    k = strcmp(l->pname, r->pname);
    if (k != 0)
        return k;
    if (ls != rs)
        return ls > rs ? -1 : 1;
    return strcmp(l->info, r->info);
}

static void sort_list(struct topctx *c, uint32_t *list, size_t n)
{
    qsort_r(list, n, sizeof(*list), cmp_nodes, c);
}

/* ---- result
 * ------------------------------------------------------------------------------------*/

static int64_t node_flat(const struct tnode *n)
{
    return n->flatdiv == 0 ? n->flat : n->flat / n->flatdiv;
}

static int64_t node_cum(const struct tnode *n)
{
    return n->cumdiv == 0 ? n->cum : n->cum / n->cumdiv;
}

/* pprof's selectOutputUnit. */
static const char *output_unit(struct topctx *c, const uint32_t *list, size_t n, char *buf,
                               size_t size)
{
    const char *su = c->sel.unit.len ? c->sel.unit.ptr : "";
    size_t sl = c->sel.unit.len;
    int64_t minv = 0, maxv = c->sel.total;
    const char *umin, *umax, *u;

    if (n == 0)
        return "minimum";
    for (size_t i = 0; i < n; i++) {
        const struct tnode *nd = &c->nodes[list[i]];
        int64_t v = abs64(node_flat(nd));

        if (v == 0)
            v = abs64(node_cum(nd));
        if (v > 0 && (minv == 0 || v < minv))
            minv = v;
    }
    if (minv == 0)
        minv = maxv;
    (void)pb_scale(minv, su, sl, "minimum", &umin);
    (void)pb_scale(maxv, su, sl, "minimum", &umax);
    u = umin;
    if (strcmp(umin, umax) != 0 && minv * 100 < maxv)
        (void)pb_scale(100 * minv, su, sl, "minimum", &u);
    if (u[0] != '\0')
        return u;
    snprintf(buf, size, "%.*s", (int)sl, su);
    return buf;
}

static void fmt_value(struct topctx *c, int64_t v, char *buf, size_t size)
{
    pb_scaled_label(v, c->sel.unit.len ? c->sel.unit.ptr : "", c->sel.unit.len, c->t->output_unit,
                    buf, size);
}

static int add_label(struct topctx *c, struct gorca_buf *b)
{
    struct gorca_top_internal *in = c->t->internal;
    char **nl;

    if (b->failed)
        return -1;
    if ((in->n_labels & (in->n_labels + 1)) == 0) { /* grow at 0, 1, 3, 7, ... */
        nl = base_arena_alloc(&in->arena, (in->n_labels * 2 + 2) * sizeof(char *));
        if (nl == NULL)
            return -1;
        if (in->n_labels)
            memcpy(nl, in->labels, in->n_labels * sizeof(char *));
        in->labels = nl;
    }
    in->labels[in->n_labels] = base_arena_strndup(&in->arena, b->data ? b->data : "", b->len);
    gorca_buf_release(b);
    return in->labels[in->n_labels++] ? 0 : -1;
}

/* pprof's ProfileLabels, then Active filters, then the "Showing" lines. */
static int header(struct topctx *c, size_t orig_count)
{
    const struct gorca_profile *p = c->p;
    struct gorca_top *t = c->t;
    struct gorca_buf b;
    char v1[64], v2[64], pct[32];
    int r = 0;

#define LABEL(...)                         \
    do {                                   \
        gorca_buf_init(&b, 0);             \
        gorca_buf_printf(&b, __VA_ARGS__); \
        r |= add_label(c, &b);             \
    } while (0)
    if (p->n_mappings > 0) {
        if (p->mappings[0].filename.len) {
            size_t bl;
            const char *bn = base_name(p->mappings[0].filename, &bl);

            LABEL("File: %.*s", (int)bl, bn);
        }
        if (p->mappings[0].build_id.len)
            LABEL("Build ID: %.*s", (int)p->mappings[0].build_id.len, p->mappings[0].build_id.ptr);
    }
    for (size_t i = 0; i < p->n_comments; i++)
        if (p->comments[i].len == 0 || p->comments[i].ptr[0] != '#')
            LABEL("%.*s", (int)p->comments[i].len, p->comments[i].ptr);
    LABEL("Type: %s", t->sample_type);
    if (p->doc_url.len)
        LABEL("Doc: %.*s", (int)p->doc_url.len, p->doc_url.ptr);
    if (p->time_nanos) {
        char tb[96];

        pb_go_time(p->time_nanos, 0, "report", tb, sizeof(tb));
        LABEL("Time: %s", tb);
    }
    if (p->duration_nanos) {
        const char *tu;
        double ns = pb_scale(t->total, t->sample_unit, strlen(t->sample_unit), "nanoseconds", &tu);
        char ratio[48] = "";

        pb_scaled_label(p->duration_nanos, "nanoseconds", 11, "auto", v1, sizeof(v1));
        fmt_value(c, t->total, v2, sizeof(v2));
        if (strcmp(tu, "ns") == 0 && ns != 0) {
            pb_percentage((int64_t)ns, p->duration_nanos, pct, sizeof(pct));
            snprintf(ratio, sizeof(ratio), "(%s)", pct);
        }
        LABEL("Duration: %s, Total samples = %s %s", v1, v2, ratio);
    }
    if (c->sel.n_filters) {
        LABEL("Active filters:");
        for (size_t i = 0; i < c->sel.n_filters; i++) {
            const char *f = c->sel.filters[i];

            if (strlen(f) > 80)
                LABEL("   %.80s\xe2\x80\xa6", f);
            else
                LABEL("   %s", f);
        }
    }
    fmt_value(c, t->shown, v1, sizeof(v1));
    fmt_value(c, t->total, v2, sizeof(v2));
    pb_percentage(t->shown, t->total, pct, sizeof(pct));
    LABEL("Showing nodes accounting for %s, %s of %s total", v1, pct + strspn(pct, " "), v2);
    if (t->total != 0) {
        if (t->dropped_nodes > 0) {
            fmt_value(c, t->drop_threshold, v1, sizeof(v1));
            LABEL("Dropped %zu node%s (cum <= %s)", t->dropped_nodes,
                  t->dropped_nodes > 1 ? "s" : "", v1);
        }
        if (t->n_rows > 0 && t->n_rows < orig_count)
            LABEL("Showing top %zu nodes out of %zu", t->n_rows, orig_count);
    }
#undef LABEL
    return r;
}

static void render(struct topctx *c)
{
    struct gorca_top *t = c->t;
    struct gorca_buf *out = &t->internal->text;
    int64_t sum = 0;

    for (size_t i = 0; i < t->internal->n_labels; i++)
        gorca_buf_printf(out, "%s\n", t->internal->labels[i]);
    gorca_buf_printf(out, "%10s %5s%% %5s%% %10s %5s%%\n", "flat", "flat", "sum", "cum", "cum");
    for (size_t i = 0; i < t->n_rows; i++) {
        const struct gorca_top_row *row = &t->rows[i];
        char f[64], cu[64], p1[32], p2[32], p3[32];

        sum += row->flat;
        fmt_value(c, row->flat, f, sizeof(f));
        fmt_value(c, row->cum, cu, sizeof(cu));
        pb_percentage(row->flat, t->total, p1, sizeof(p1));
        pb_percentage(sum, t->total, p2, sizeof(p2));
        pb_percentage(row->cum, t->total, p3, sizeof(p3));
        gorca_buf_printf(out, "%10s %s %s %10s %s  %s%s\n", f, p1, p2, cu, p3, row->name,
                         row->inline_mark == GORCA_INLINE_FULL      ? " (inline)"
                         : row->inline_mark == GORCA_INLINE_PARTIAL ? " (partial-inline)"
                                                                    : "");
    }
}

/* Keeps the nodes of list (and only them). */
static void set_kept(struct topctx *c, const uint32_t *list, size_t n)
{
    for (size_t i = 0; i < c->n_nodes; i++)
        c->nodes[i].keep = 0;
    for (size_t i = 0; i < n; i++)
        c->nodes[list[i]].keep = 1;
}

static enum gorca_status compute(struct topctx *c)
{
    struct gorca_top *t = c->t;
    const struct gorca_top_options *o = c->o;
    double nf = o->node_fraction < 0 ? 0.005 : o->node_fraction;
    double ef = o->edge_fraction < 0 ? 0.001 : o->edge_fraction;
    uint32_t *list = base_malloc((c->n_nodes + 1) * sizeof(uint32_t));
    size_t n = 0, orig;
    int64_t flat_sum = 0, node_cutoff, edge_cutoff;
    int rebuilt = 0;
    char ubuf[64];

    if (list == NULL)
        return GORCA_FAIL(c->err, GORCA_E_NOMEM, -1, NULL, "out of memory");
    pass_cum(c);
    for (size_t i = 0; i < c->n_nodes; i++) {
        if (c->nodes[i].flat == 0 && c->nodes[i].cum == 0)
            continue;
        list[n++] = (uint32_t)i;
        flat_sum += c->nodes[i].flat;
    }
    node_cutoff = abs64((int64_t)((double)flat_sum * nf));
    edge_cutoff = abs64((int64_t)((double)flat_sum * ef));
    if (node_cutoff > 0) {
        size_t k = 0;

        for (size_t i = 0; i < n; i++)
            if (abs64(c->nodes[list[i]].cum) >= node_cutoff)
                list[k++] = list[i];
        if (k != n) {
            t->dropped_nodes = n - k;
            n = k;
            rebuilt = 1;
        }
    }
    orig = n;
    if (name_nodes(c) != 0) {
        base_free(list);
        return GORCA_FAIL(c->err, GORCA_E_NOMEM, -1, NULL, "out of memory");
    }
    sort_list(c, list, n);
    if (o->nodecount > 0 && (size_t)o->nodecount < n) {
        n = (size_t)o->nodecount;
        rebuilt = 1;
    }
    if (rebuilt) {
        set_kept(c, list, n);
    } else {
        for (size_t i = 0; i < c->n_nodes; i++)
            c->nodes[i].keep = 1;
    }
    if (pass_edges(c) != GORCA_OK) {
        base_free(list);
        return c->err->code;
    }
    for (size_t i = 0; i < c->n_edges; i++) {
        const struct tedge *e = &c->edges[i];

        /* (edges into nodes that are never inlined callees are not recorded: no mark) */
        if (abs64(e->weight) < edge_cutoff)
            continue;
        if (e->is_inline)
            c->nodes[e->dst].in_inline = 1;
        else
            c->nodes[e->dst].in_direct = 1;
    }
    t->n_nodes = orig;
    t->internal->node_cutoff = node_cutoff;
    t->drop_threshold = abs64((int64_t)((double)c->sel.total * nf));
    {
        struct gorca_top_row *rows =
            base_arena_zalloc(&t->internal->arena, (n + 1) * sizeof(*rows));

        if (rows == NULL) {
            base_free(list);
            return GORCA_FAIL(c->err, GORCA_E_NOMEM, -1, NULL, "out of memory");
        }
        for (size_t i = 0; i < n; i++) {
            const struct tnode *nd = &c->nodes[list[i]];

            rows[i].name = nd->pname;
            rows[i].flat = node_flat(nd);
            rows[i].cum = node_cum(nd);
            rows[i].inline_mark = !nd->in_inline  ? GORCA_INLINE_NONE
                                  : nd->in_direct ? GORCA_INLINE_PARTIAL
                                                  : GORCA_INLINE_FULL;
            t->shown += rows[i].flat;
        }
        t->rows = rows;
        t->n_rows = n;
    }
    {
        const char *u = output_unit(c, list, n, ubuf, sizeof(ubuf));

        t->output_unit = base_arena_strndup(&t->internal->arena, u, strlen(u));
    }
    base_free(list);
    if (t->output_unit == NULL || header(c, orig) != 0)
        return GORCA_FAIL(c->err, GORCA_E_NOMEM, -1, NULL, "out of memory");
    render(c);
    if (t->internal->text.failed)
        return GORCA_FAIL(c->err, GORCA_E_NOMEM, -1, NULL, "out of memory rendering");
    return GORCA_OK;
}

/* ---- public
 * -------------------------------------------------------------------------------------*/

void gorca_top_options_init(struct gorca_top_options *o)
{
    memset(o, 0, sizeof(*o));
    o->node_fraction = -1;
    o->edge_fraction = -1;
}

void gorca_top_free(struct gorca_top *t)
{
    if (t == NULL)
        return;
    if (t->internal) {
        gorca_buf_release(&t->internal->text);
        base_arena_release(&t->internal->arena);
        base_free(t->internal);
    }
    base_free(t);
}

static void ctx_release(struct topctx *c)
{
    pb_selection_release(&c->sel);
    base_free(c->nodes);
    pb_set_release(&c->node_set);
    base_free(c->loc_first);
    base_free(c->loc_nodes);
    base_free(c->edges);
    base_free(c->edge_keys);
    base_free(c->edge_vals);
}

enum gorca_status gorca_profile_top(const struct gorca_profile *p,
                                    const struct gorca_top_options *o, struct gorca_top **out,
                                    struct gorca_error *err)
{
    struct gorca_top_options defaults;
    struct topctx c;
    struct gorca_top *t;
    enum gorca_status st;

    *out = NULL;
    if (o == NULL) {
        gorca_top_options_init(&defaults);
        o = &defaults;
    }
    memset(&c, 0, sizeof(c));
    t = base_calloc(1, sizeof(*t));
    if (t != NULL)
        t->internal = base_calloc(1, sizeof(*t->internal));
    if (t == NULL || t->internal == NULL) {
        base_free(t);
        return GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory");
    }
    base_arena_init(&t->internal->arena, 0);
    gorca_buf_init(&t->internal->text, 0);
    c.p = p;
    c.o = o;
    c.t = t;
    c.err = err;
    c.arena = &t->internal->arena;
    pb_set_init(&c.node_set);
    st = pb_select(p, &o->view, &c.sel, err);
    if (st == GORCA_OK) {
        t->sample_type = base_arena_strndup(c.arena, c.sel.type_name, strlen(c.sel.type_name));
        t->sample_unit =
            base_arena_strndup(c.arena, c.sel.unit.ptr ? c.sel.unit.ptr : "", c.sel.unit.len);
        t->total = c.sel.total;
        if (t->sample_type == NULL || t->sample_unit == NULL)
            st = GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory");
    }
    if (st == GORCA_OK)
        st = build_nodes(&c);
    if (st == GORCA_OK)
        st = compute(&c);
    if (st == GORCA_OK) {
        memcpy(t->internal->filters, c.sel.filters, sizeof(c.sel.filters));
        t->internal->n_filters = c.sel.n_filters;
    }
    ctx_release(&c);
    if (st != GORCA_OK) {
        gorca_top_free(t);
        return st;
    }
    *out = t;
    return GORCA_OK;
}

void gorca_top_render_text(const struct gorca_top *t, struct gorca_buf *out)
{
    gorca_buf_append(out, t->internal->text.data ? t->internal->text.data : "",
                     t->internal->text.len);
}

void gorca_top_render_json(const struct gorca_top *t, struct gorca_buf *out)
{
    struct jw w;

    jw_init(&w, out, 2);
    jw_obj(&w);
    jw_kstr(&w, "type", t->sample_type);
    jw_kstr(&w, "unit", t->sample_unit);
    jw_ki64(&w, "total", t->total);
    jw_ki64(&w, "shown", t->shown);
    jw_ku64(&w, "nodes", t->n_nodes);
    jw_ku64(&w, "dropped_nodes", t->dropped_nodes);
    jw_ki64(&w, "dropped_cum_max", t->drop_threshold);
    jw_key(&w, "filters");
    jw_arr(&w);
    for (size_t i = 0; i < t->internal->n_filters; i++)
        jw_str(&w, t->internal->filters[i]);
    jw_end(&w);
    jw_key(&w, "rows");
    jw_arr(&w);
    for (size_t i = 0; i < t->n_rows; i++) {
        const struct gorca_top_row *r = &t->rows[i];

        jw_obj(&w);
        jw_kstr(&w, "name", r->name);
        jw_ki64(&w, "flat", r->flat);
        jw_ki64(&w, "cum", r->cum);
        jw_kdbl(&w, "flat_pct", t->total ? 100.0 * (double)r->flat / (double)t->total : 0, 6);
        jw_kdbl(&w, "cum_pct", t->total ? 100.0 * (double)r->cum / (double)t->total : 0, 6);
        jw_key(&w, "inline");
        if (r->inline_mark == GORCA_INLINE_FULL)
            jw_str(&w, "inline");
        else if (r->inline_mark == GORCA_INLINE_PARTIAL)
            jw_str(&w, "partial-inline");
        else
            jw_null(&w);
        jw_end(&w);
    }
    jw_end(&w);
    jw_end(&w);
    gorca_buf_putc(out, '\n');
}
