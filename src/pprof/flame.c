/* Interactive flame graph as one self-contained SVG (pprof-formats.md §7): the aggregated
 * stacks (stacks.c) become a tree drawn top-down like pprof's web UI (root on top, callees
 * below), siblings ordered by decreasing value and then by name, width proportional to value.
 * An inline script, no external resources: hover shows name, value and percent, click zooms
 * into a frame (its callers stay as full-width bars), a search highlights frames whose name
 * matches a regex and reports the matched share, and "Reset" undoes both. Frames narrower
 * than 0.1 px are not drawn (as flamegraph.pl). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "pprof_int.h"

#define FRAME_H 16
#define TOP_PAD 56
#define SIDE_PAD 10
#define FOOT_PAD 32
#define CHAR_W 7.0

struct fnode {
    uint32_t name;
    uint32_t parent;
    uint32_t first_child, next_sibling;
    int64_t value;
};

struct tree {
    struct fnode *n;
    size_t len, cap;
    uint64_t *keys; /* (parent << 32 | name) + 1, 0 = empty */
    uint32_t *vals;
    size_t hcap;
};

static uint32_t child_of(struct tree *t, uint32_t parent, uint32_t name)
{
    uint64_t key = ((uint64_t)parent << 32 | name) + 1;
    size_t i;
    struct fnode *nd;

    if ((t->len + 1) * 2 > t->hcap) {
        size_t ncap = t->hcap ? t->hcap * 2 : 1024;
        uint64_t *keys = base_calloc(ncap, sizeof(uint64_t));
        uint32_t *vals = base_malloc(ncap * sizeof(uint32_t));

        if (keys == NULL || vals == NULL) {
            base_free(keys);
            base_free(vals);
            return UINT32_MAX;
        }
        for (size_t j = 0; j < t->hcap; j++) {
            if (t->keys[j] == 0)
                continue;
            for (i = (size_t)base_hash_u64(t->keys[j]) & (ncap - 1); keys[i];
                 i = (i + 1) & (ncap - 1))
                ;
            keys[i] = t->keys[j];
            vals[i] = t->vals[j];
        }
        base_free(t->keys);
        base_free(t->vals);
        t->keys = keys;
        t->vals = vals;
        t->hcap = ncap;
    }
    for (i = (size_t)base_hash_u64(key) & (t->hcap - 1); t->keys[i]; i = (i + 1) & (t->hcap - 1))
        if (t->keys[i] == key)
            return t->vals[i];
    if (base_grow((void **)&t->n, &t->cap, t->len + 1, sizeof(*t->n)) != 0)
        return UINT32_MAX;
    nd = &t->n[t->len];
    memset(nd, 0, sizeof(*nd));
    nd->name = name;
    nd->parent = parent;
    nd->first_child = nd->next_sibling = UINT32_MAX;
    nd->next_sibling = t->n[parent].first_child;
    t->n[parent].first_child = (uint32_t)t->len;
    t->keys[i] = key;
    t->vals[i] = (uint32_t)t->len;
    return (uint32_t)t->len++;
}

static void tree_release(struct tree *t)
{
    base_free(t->n);
    base_free(t->keys);
    base_free(t->vals);
}

/* ---- text helpers -------------------------------------------------------------------------- */

/* Appends s XML-escaped; invalid UTF-8 bytes become '?'. At most max_chars characters when
 * max_chars >= 0 (then ".." ends a cut name). */
static void xml(struct gorca_buf *b, const char *s, long max_chars)
{
    size_t len = strlen(s);
    long chars = 0, total = 0;

    if (max_chars >= 0) {
        for (size_t i = 0; i < len; i++)
            total += ((unsigned char)s[i] & 0xc0) != 0x80;
        if (total > max_chars)
            max_chars = max_chars >= 2 ? max_chars - 2 : 0;
        else
            max_chars = -1;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        size_t k = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;

        if (max_chars >= 0 && chars == max_chars) {
            gorca_buf_puts(b, "..");
            return;
        }
        chars++;
        if (k == 0 || i + k > len) {
            gorca_buf_putc(b, '?');
            continue;
        }
        for (size_t j = 1; j < k; j++)
            if (((unsigned char)s[i + j] & 0xc0) != 0x80)
                k = 0;
        if (k == 0) {
            gorca_buf_putc(b, '?');
            continue;
        }
        if (c == '&')
            gorca_buf_puts(b, "&amp;");
        else if (c == '<')
            gorca_buf_puts(b, "&lt;");
        else if (c == '>')
            gorca_buf_puts(b, "&gt;");
        else if (c == '"')
            gorca_buf_puts(b, "&quot;");
        else if (c < 0x20)
            gorca_buf_putc(b, '?');
        else
            gorca_buf_append(b, s + i, k);
        i += k - 1;
    }
}

/* Frame colour from the package part of the name, in a warm palette. */
static void color(const char *name, char *buf, size_t size)
{
    const char *end = name, *slash = strrchr(name, '/');
    uint64_t h;

    end = strchr(slash ? slash : name, '.');
    h = base_hash_u64(base_hash_bytes(name, end ? (size_t)(end - name) : strlen(name), 5));
    snprintf(buf, size, "rgb(%d,%d,%d)", 205 + (int)(h % 50), 70 + (int)((h >> 8) % 150),
             20 + (int)((h >> 16) % 55));
}

/* ---- layout ------------------------------------------------------------------------------ */

struct draw {
    const struct pb_stacks *s;
    struct tree *t;
    struct gorca_buf *out;
    double scale; /* px per value unit */
    int64_t total;
    const char *unit;
    int max_depth;
};

static int cmp_children(const void *a, const void *b, void *ctx)
{
    const struct draw *d = ctx;
    const struct fnode *x = &d->t->n[*(const uint32_t *)a], *y = &d->t->n[*(const uint32_t *)b];

    if (x->value != y->value)
        return x->value > y->value ? -1 : 1;
    return strcmp(d->s->names[x->name], d->s->names[y->name]);
}

static void frame(struct draw *d, const char *name, int64_t x, int64_t v, int depth)
{
    struct gorca_buf *o = d->out;
    char val[64], fill[32];
    double px = SIDE_PAD + (double)x * d->scale, w = (double)v * d->scale;
    double pct = d->total ? 100.0 * (double)v / (double)d->total : 0;

    pb_scaled_label(v, d->unit, strlen(d->unit), "auto", val, sizeof(val));
    color(name, fill, sizeof(fill));
    gorca_buf_printf(o, "<g class=\"f\" data-x=\"%lld\" data-w=\"%lld\" data-d=\"%d\"><title>",
                     (long long)x, (long long)v, depth);
    xml(o, name, -1);
    gorca_buf_printf(o,
                     " (%s, %.2f%%)</title><rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
                     "height=\"%d\" fill=\"%s\"/><text x=\"%.1f\" y=\"%d\">",
                     val, pct, px, TOP_PAD + depth * FRAME_H, w, FRAME_H - 1, fill, px + 3,
                     TOP_PAD + depth * FRAME_H + 11);
    if (w >= 3 * CHAR_W) /* as the script's fit(): no text in frames under 21 px */
        xml(o, name, (long)((w - 6) / CHAR_W));
    gorca_buf_puts(o, "</text></g>\n");
}

/* Relinks every node's children in drawing order (decreasing value, then name). */
static int sort_children(struct draw *d)
{
    struct tree *t = d->t;
    uint32_t *kids = NULL;
    size_t cap = 0;

    for (size_t i = 0; i < t->len; i++) {
        uint32_t k = 0;

        for (uint32_t c = t->n[i].first_child; c != UINT32_MAX; c = t->n[c].next_sibling) {
            if (base_grow((void **)&kids, &cap, (size_t)k + 1, sizeof(uint32_t)) != 0) {
                base_free(kids);
                return -1;
            }
            kids[k++] = c;
        }
        if (k < 2)
            continue;
        qsort_r(kids, k, sizeof(*kids), cmp_children, d);
        t->n[i].first_child = kids[0];
        for (uint32_t j = 0; j < k; j++)
            t->n[kids[j]].next_sibling = j + 1 < k ? kids[j + 1] : UINT32_MAX;
    }
    base_free(kids);
    return 0;
}

/* Draws the tree depth-first without recursion (stacks can be very deep); a frame narrower
 * than 0.1 px is skipped with its subtree. */
static int draw_tree(struct draw *d)
{
    struct tree *t = d->t;
    int64_t *x = base_calloc(t->len, sizeof(int64_t));
    int *depth = base_calloc(t->len, sizeof(int));
    uint32_t i = 0;

    if (x == NULL || depth == NULL || sort_children(d) != 0) {
        base_free(x);
        base_free(depth);
        return -1;
    }
    for (;;) {
        const struct fnode *nd = &t->n[i];
        int visible = (double)nd->value * d->scale >= 0.1;

        if (visible) {
            if (depth[i] > d->max_depth)
                d->max_depth = depth[i];
            frame(d, i == 0 ? "root" : d->s->names[nd->name], x[i], nd->value, depth[i]);
        }
        if (visible && nd->first_child != UINT32_MAX) {
            uint32_t c = nd->first_child;

            x[c] = x[i];
            depth[c] = depth[i] + 1;
            i = c;
            continue;
        }
        while (i != 0 && t->n[i].next_sibling == UINT32_MAX)
            i = t->n[i].parent;
        if (i == 0)
            break;
        {
            uint32_t sib = t->n[i].next_sibling;

            x[sib] = x[i] + t->n[i].value;
            depth[sib] = depth[i];
            i = sib;
        }
    }
    base_free(x);
    base_free(depth);
    return 0;
}

static const char script[] =
    "var W,H,frames,details,matched,zoomed=null,pattern=null;\n"
    "function init(evt){var svg=evt.target;W=+svg.getAttribute('width');"
    "H=+svg.getAttribute('height');details=document.getElementById('details');"
    "matched=document.getElementById('matched');"
    "frames=Array.prototype.slice.call(document.querySelectorAll('g.f')).map(function(g){"
    "return{g:g,x:+g.getAttribute('data-x'),w:+g.getAttribute('data-w'),"
    "d:+g.getAttribute('data-d'),rect:g.querySelector('rect'),text:g.querySelector('text'),"
    "name:g.querySelector('title').textContent.replace(/ \\([^()]*\\)$/,''),"
    "fill:g.querySelector('rect').getAttribute('fill')};});"
    "frames.forEach(function(f){f.g.addEventListener('mouseover',function(){"
    "details.textContent=f.g.querySelector('title').textContent;});"
    "f.g.addEventListener('mouseout',function(){details.textContent=' ';});"
    "f.g.addEventListener('click',function(){zoom(f);});});"
    "document.addEventListener('keydown',function(e){if(e.key==='/'||((e.ctrlKey||e.metaKey)&&"
    "e.key==='f')){e.preventDefault();searchPrompt();}if(e.key==='Escape')reset();});}\n"
    "function fit(f,w){var n=Math.floor((w-6)/7),s=f.name;if(w<21)s='';"
    "else if(s.length>n)s=s.substring(0,Math.max(n-2,0))+'..';f.text.textContent=s;}\n"
    "function place(f,x,w){f.rect.setAttribute('x',x.toFixed(1));"
    "f.rect.setAttribute('width',w.toFixed(1));f.text.setAttribute('x',(x+3).toFixed(1));"
    "fit(f,w);f.g.style.display='';}\n"
    "function zoom(z){var root=frames[0],sc=(W-20)/z.w;zoomed=z;"
    "document.getElementById('reset').style.opacity=1;"
    "frames.forEach(function(f){if(f.d<z.d&&f.x<=z.x&&f.x+f.w>=z.x+z.w){place(f,10,W-20);"
    "f.g.style.opacity=0.5;}else if(f.d>=z.d&&f.x>=z.x&&f.x+f.w<=z.x+z.w&&f.w*sc>=0.1){"
    "place(f,10+(f.x-z.x)*sc,f.w*sc);f.g.style.opacity=1;}else f.g.style.display='none';});"
    "if(pattern)search(pattern);}\n"
    "function unzoom(){var sc=(W-20)/frames[0].w;zoomed=null;"
    "document.getElementById('reset').style.opacity=pattern?1:0;"
    "frames.forEach(function(f){place(f,10+f.x*sc,f.w*sc);f.g.style.opacity=1;});}\n"
    "function search(re){var spans=[],total=frames[0].w,sum=0,end=-1;pattern=re;"
    "frames.forEach(function(f){var hit=re.test(f.name);"
    "f.rect.setAttribute('fill',hit?'rgb(230,0,230)':f.fill);if(hit)spans.push(f);});"
    "spans.sort(function(a,b){return a.x-b.x||b.w-a.w;});"
    "spans.forEach(function(f){if(f.x>=end){sum+=f.w;end=f.x+f.w;}"
    "else if(f.x+f.w>end){sum+=f.x+f.w-end;end=f.x+f.w;}});"
    "matched.textContent='Matched: '+(100*sum/total).toFixed(1)+'%';"
    "document.getElementById('reset').style.opacity=1;}\n"
    "function searchPrompt(){var s=prompt('Search for (regular expression):','');"
    "if(s===null||s==='')return;try{search(new RegExp(s));}catch(e){alert(e.message);}}\n"
    "function reset(){pattern=null;matched.textContent=' ';"
    "frames.forEach(function(f){f.rect.setAttribute('fill',f.fill);});unzoom();}\n";

static void header(struct draw *d, const struct gorca_flame_options *o, const char *type, int width,
                   int height, size_t n_stacks, size_t n_neg)
{
    struct gorca_buf *b = d->out;
    char tot[64];

    pb_scaled_label(d->total, d->unit, strlen(d->unit), "auto", tot, sizeof(tot));
    gorca_buf_printf(b,
                     "<?xml version=\"1.0\" standalone=\"no\"?>\n"
                     "<svg version=\"1.1\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                     "onload=\"init(evt)\" xmlns=\"http://www.w3.org/2000/svg\">\n",
                     width, height, width, height);
    gorca_buf_puts(b,
                   "<!-- flame graph by gorca: root on top, siblings by decreasing value -->\n"
                   "<style>text{font-family:Verdana,sans-serif;font-size:12px;fill:#000}"
                   "g.f text{pointer-events:none;font-size:11px}g.f:hover rect{"
                   "stroke:#000;stroke-width:0.5}#search,#reset{cursor:pointer}"
                   "#title{font-size:17px}</style>\n<script type=\"text/ecmascript\"><![CDATA[\n");
    gorca_buf_puts(b, script);
    gorca_buf_puts(b, "]]></script>\n");
    gorca_buf_printf(b, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#f8f8f8\"/>\n",
                     width, height);
    gorca_buf_printf(b, "<text id=\"title\" x=\"%d\" y=\"24\" text-anchor=\"middle\">", width / 2);
    if (o && o->title) {
        xml(b, o->title, -1);
    } else {
        xml(b, type, -1);
        gorca_buf_puts(b, " flame graph");
    }
    gorca_buf_printf(b,
                     "</text>\n<text x=\"%d\" y=\"44\" text-anchor=\"middle\" "
                     "fill=\"#555\">total %s in %zu stacks",
                     width / 2, tot, n_stacks);
    if (n_neg)
        gorca_buf_printf(b, "; %zu stacks with negative sums not drawn", n_neg);
    gorca_buf_puts(b, " &#8212; click a frame to zoom, / to search</text>\n");
    gorca_buf_printf(b,
                     "<text id=\"reset\" x=\"%d\" y=\"24\" style=\"opacity:0\" "
                     "onclick=\"reset()\">Reset</text>\n"
                     "<text id=\"search\" x=\"%d\" y=\"24\" text-anchor=\"end\" "
                     "onclick=\"searchPrompt()\">Search</text>\n"
                     "<text id=\"details\" x=\"%d\" y=\"%d\"> </text>\n"
                     "<text id=\"matched\" x=\"%d\" y=\"%d\" text-anchor=\"end\"> </text>\n",
                     SIDE_PAD, width - SIDE_PAD, SIDE_PAD, height - 12, width - SIDE_PAD,
                     height - 12);
}

enum gorca_status gorca_profile_flame(const struct gorca_profile *p,
                                      const struct gorca_flame_options *o, struct gorca_buf *out,
                                      struct gorca_error *err)
{
    struct pb_stacks s;
    struct tree t;
    struct draw d;
    struct gorca_buf body;
    size_t n_neg = 0, n_stacks = 0;
    int width = o && o->width > 0 ? o->width : 1200, height;
    char unit[64];
    enum gorca_status st = pb_stacks_build(p, o ? &o->view : NULL, &s, err);

    if (st != GORCA_OK)
        return st;
    memset(&t, 0, sizeof(t));
    memset(&d, 0, sizeof(d));
    if (width < 200)
        width = 200;
    snprintf(unit, sizeof(unit), "%.*s", (int)s.sel.unit.len, s.sel.unit.ptr ? s.sel.unit.ptr : "");
    if (base_grow((void **)&t.n, &t.cap, 1, sizeof(*t.n)) != 0) {
        pb_stacks_release(&s);
        return GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory");
    }
    memset(&t.n[0], 0, sizeof(t.n[0]));
    t.n[0].first_child = t.n[0].next_sibling = UINT32_MAX;
    t.len = 1;
    for (size_t i = 0; i < s.n_stacks && st == GORCA_OK; i++) {
        const struct pb_stack *x = &s.stacks[i];
        int64_t v = pb_stack_value(&s, x);
        uint32_t cur = 0;

        if (v <= 0) {
            n_neg += v < 0;
            continue;
        }
        n_stacks++;
        t.n[0].value += v;
        for (uint32_t j = 0; j < x->n; j++) {
            cur = child_of(&t, cur, s.frames[x->off + j]);
            if (cur == UINT32_MAX) {
                st = GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory");
                break;
            }
            t.n[cur].value += v;
        }
    }
    d.s = &s;
    d.t = &t;
    d.total = t.n[0].value;
    d.unit = unit;
    d.scale = d.total > 0 ? (double)(width - 2 * SIDE_PAD) / (double)d.total : 0;
    gorca_buf_init(&body, 0);
    d.out = &body;
    if (st == GORCA_OK && d.total > 0 && draw_tree(&d) != 0)
        st = GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory");
    height = TOP_PAD + (d.max_depth + 1) * FRAME_H + FOOT_PAD;
    if (st == GORCA_OK) {
        d.out = out;
        header(&d, o, s.sel.type_name, width, height, n_stacks, n_neg);
        gorca_buf_append(out, body.data ? body.data : "", body.len);
        if (d.total == 0)
            gorca_buf_printf(out, "<text x=\"%d\" y=\"%d\">no samples to draw</text>\n", SIDE_PAD,
                             TOP_PAD + 12);
        gorca_buf_puts(out, "</svg>\n");
        if (body.failed)
            st = GORCA_FAIL(err, GORCA_E_NOMEM, -1, NULL, "out of memory");
    }
    gorca_buf_release(&body);
    tree_release(&t);
    pb_stacks_release(&s);
    return st == GORCA_OK ? gorca_buf_status(out, err) : st;
}
