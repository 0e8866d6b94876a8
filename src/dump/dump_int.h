/* Private header of the goroutine-dump module (src/dump): the builder that every input form
 * fills (interning tables, growing vectors, limits), the line cursor shared by the text
 * parsers, and the cross-file helpers. Nothing here is public API. */
#ifndef GORCA_DUMP_INT_H
#define GORCA_DUMP_INT_H

#include <stddef.h>
#include <stdint.h>
#include "base/base.h"
#include "gorca/dump.h"

/* ---- the dump object ------------------------------------------------------------------- */

/* The public struct is the first member, so gorca_dump_free can get back to the arena. */
struct dump_owner {
    struct gorca_dump pub;
    struct base_arena arena;              /* owns everything reachable from pub */
    const struct gorca_goroutine **by_id; /* arena: the n_listed goroutines sorted by id */
};

/* ---- open-addressing hash set used for interning ---------------------------------------- */

struct dump_map {
    uint64_t *hashes; /* owned (base_malloc); 0 marks an empty slot */
    void **vals;      /* owned (base_malloc) */
    size_t cap;       /* power of two, or 0 */
    size_t n;
};

typedef int (*dump_eq_fn)(const void *val, const void *key);

void dump_map_release(struct dump_map *m);
/* The value equal to key (eq(val, key) != 0) under hash h, or NULL. */
void *dump_map_find(const struct dump_map *m, uint64_t h, dump_eq_fn eq, const void *key);
/* Adds val under h (the caller checked it is absent). Returns 0, or -1 on allocation failure. */
int dump_map_add(struct dump_map *m, uint64_t h, void *val);

/* ---- builder ----------------------------------------------------------------------------- */

/* A goroutine being parsed: frames and ancestors are collected in the builder's scratch
 * vectors and interned when the block ends. */
struct dump_builder {
    struct dump_owner *own;   /* the result under construction */
    struct gorca_dump *d;     /* &own->pub */
    struct base_arena *arena; /* &own->arena */
    struct gorca_limits lim;
    struct gorca_error *err;
    const char *source; /* borrowed, for errors */

    struct dump_map strs, frames, stacks;

    struct gorca_goroutine *gs; /* parsed goroutines (base_malloc vector) */
    size_t n_gs, cap_gs;
    struct gorca_dump_group *groups; /* debug=1 records (base_malloc vector) */
    size_t n_groups, cap_groups;

    const struct gorca_dump_frame **scratch; /* frames of the stack being read */
    size_t n_scratch, cap_scratch;
    struct gorca_dump_ancestor *anc; /* ancestors of the goroutine being read */
    size_t n_anc, cap_anc;
    struct gorca_dump_label *labels; /* labels of the record being read */
    size_t n_labels, cap_labels;
    uint64_t *pcs; /* "@" PCs of the record being read */
    size_t n_pcs, cap_pcs;
    char *tmp; /* scratch text (label unquoting, joined messages) */
    size_t cap_tmp;
};

/* Sets up b and allocates the dump (arena-owned). Returns GORCA_OK or GORCA_E_NOMEM. */
enum gorca_status dump_builder_init(struct dump_builder *b, const char *source,
                                    const struct gorca_limits *lim, struct gorca_error *err);
/* Frees the builder's scratch state; with keep == 0 also the dump. */
void dump_builder_release(struct dump_builder *b, int keep);

/* Records an out-of-memory or arena-limit failure (whichever applies). */
enum gorca_status dump_nomem(struct dump_builder *b, uint64_t off, const char *what);

/* Interned NUL-terminated copy of s[0..n). NULL on failure (error recorded). */
const char *dump_intern_str(struct dump_builder *b, const char *s, size_t n);
/* Interned copy of *f (whose strings are already interned). NULL on failure. */
const struct gorca_dump_frame *dump_intern_frame(struct dump_builder *b,
                                                 const struct gorca_dump_frame *f);
/* Interned stack of frames[0..n). NULL on failure. */
const struct gorca_dump_stack *
dump_intern_stack(struct dump_builder *b, const struct gorca_dump_frame *const *frames, size_t n);
/* Appends a frame to the scratch stack, enforcing lim.stack_depth. Returns 0 or -1. */
int dump_push_frame(struct dump_builder *b, const struct gorca_dump_frame *f, uint64_t off);
/* Grows a vector (base_grow) or records GORCA_E_NOMEM. Returns 0 or -1. */
int dump_grow(struct dump_builder *b, void **arr, size_t *cap, size_t need, size_t elem);
/* Arena copy of s joined text; NULL on failure. */
char *dump_arena_strdup(struct dump_builder *b, const char *s, size_t n);

/* ---- line cursor --------------------------------------------------------------------------
 * Yields lines without "\n" (and without a trailing "\r"). When a log prefix template is set,
 * lines starting with text of the template's shape have it removed; other lines are marked
 * foreign. */
struct dump_lines {
    const char *start, *p, *end;
    const char *line;   /* current line (not NUL-terminated) */
    size_t len;         /* its length */
    uint64_t off;       /* byte offset of the line's first byte (after any prefix) */
    uint64_t line_off;  /* byte offset of the raw line */
    uint64_t lineno;    /* 1-based */
    int has_nl;         /* the line ended with "\n" (0: cut short at end of input) */
    int foreign;        /* a prefix template is set and this line does not match it */
    const char *prefix; /* template (borrowed from the input), or NULL */
    size_t prefix_len;
};

void dump_lines_init(struct dump_lines *ls, const uint8_t *data, size_t len);
/* Advances to the next line. Returns 1, or 0 at the end of input. */
int dump_lines_next(struct dump_lines *ls);
/* Saves/restores the cursor for one line of lookahead. */
struct dump_lines_mark {
    const char *p;
    uint64_t lineno;
};
struct dump_lines_mark dump_lines_save(const struct dump_lines *ls);
void dump_lines_restore(struct dump_lines *ls, struct dump_lines_mark m);
/* Finds a log prefix: the text before the first goroutine header when that header does not
 * start its line. Sets ls->prefix (and length) or leaves NULL. Looks at the first 64 KiB. */
void dump_lines_detect_prefix(struct dump_lines *ls);
/* 1 when line[0..n) starts with text of the shape of the template (digit runs match any
 * digit run, other bytes literally); *skip receives the matched length. */
int dump_prefix_match(const char *tmpl, size_t tn, const char *line, size_t n, size_t *skip);

/* ---- line grammar (header.c, frame.c) ----------------------------------------------------*/

/* Parsed "goroutine N [...]:" header. */
struct dump_header {
    uint64_t id;
    const char *state; /* inside the brackets */
    size_t state_len;
    const char *reason; /* state's first item without suffixes */
    size_t reason_len;
    int32_t minutes; /* -1 when absent */
    uint32_t flags;  /* GORCA_G_* */
    uint64_t bubble;
    uint64_t gp, mp;
    int64_t m;
    char extra[160]; /* unknown words, joined with ", " */
    size_t extra_len;
};

/* Returns 1 when line is a goroutine header and fills h; 0 when it is not one at all
 * (does not start with "goroutine <digit>"); -1 when it starts like one but is malformed
 * (*why says what was expected). */
int dump_parse_header(const char *line, size_t n, struct dump_header *h, const char **why);
/* Column at which a goroutine header starts inside line, or -1. */
long dump_find_header(const char *line, size_t n);

/* A function line: "pkg.F(args)" or "pkg.F(...)". */
struct dump_funcline {
    const char *func;
    size_t func_len;
    const char *args; /* inside the parentheses */
    size_t args_len;
    int has_args; /* the line ended with a parenthesised group */
};
/* Splits a function line; returns 0, or -1 when the line is empty. */
int dump_parse_funcline(const char *line, size_t n, struct dump_funcline *f);

/* A file line: "\t<path>:<line>[ +0x<off>][ fp=0x… sp=0x… pc=0x…]". */
struct dump_fileline {
    const char *file;
    size_t file_len;
    uint32_t line;
    int has_line;
    int has_offset;
    uint64_t offset;
    uint64_t pc; /* pc= decoration, 0 when absent */
};
/* Parses a file line (starting with the tab). Returns 0, or -1 with *why. */
int dump_parse_fileline(const char *line, size_t n, struct dump_fileline *fl, const char **why);

/* "created by F[ in goroutine N]": returns 1 and fills func/parent (parent 0 when absent). */
int dump_parse_created(const char *line, size_t n, const char **func, size_t *func_len,
                       uint64_t *parent, int *has_parent);
/* "...N frames elided..." (sets *count) or "...additional frames elided..." (*count = 0).
 * Returns 1 when the line is one of those. */
int dump_parse_elided(const char *line, size_t n, uint32_t *count);
/* "[originating from goroutine N]:". Returns 1 and sets *id. */
int dump_parse_ancestor(const char *line, size_t n, uint64_t *id);
/* "non-Go function at pc=0x…" (sets *pc). Returns 1 when it is that line. */
int dump_parse_nongo(const char *line, size_t n, uint64_t *pc);

/* Small lexical helpers. */
int dump_has_prefix(const char *s, size_t n, const char *pfx);
/* Parses decimal digits s[0..n) entirely; returns 0 or -1 (empty, non-digit, overflow). */
int dump_parse_u64(const char *s, size_t n, uint64_t *v);
/* Parses "0x" + hex digits entirely; returns 0 or -1. */
int dump_parse_hex(const char *s, size_t n, uint64_t *v);

/* ---- the parsers -------------------------------------------------------------------------*/

/* debug=2 and crash text (debug2.c). lenient: crash/log mode, foreign lines skipped. */
enum gorca_status dump_parse_tracebacks(struct dump_builder *b, const uint8_t *data, size_t len,
                                        int lenient);
/* debug=1 count-profile text (debug1.c). */
enum gorca_status dump_parse_debug1(struct dump_builder *b, const uint8_t *data, size_t len);
/* Unquotes a Go double-quoted string literal s[0..n) (including the quotes) into out
 * (capacity n is always enough). Returns the length, or -1 when malformed. */
long dump_go_unquote(const char *s, size_t n, char *out);

/* ---- finishing (group.c) ------------------------------------------------------------------
 * Moves the goroutines into the arena, groups them (debug=2/crash) or sorts the records
 * (debug=1/proto), builds the spawn tree, creators and class totals. */
enum gorca_status dump_finish(struct dump_builder *b);
/* Adds a debug=1/proto record from the builder's scratch frames, labels and PCs (labels are
 * sorted by key); its wait reason is inferred (hidden: runtime frames the input left out). */
enum gorca_status dump_add_record(struct dump_builder *b, uint64_t count, uint32_t hidden,
                                  uint64_t off);
/* Sets group->reason/wait_class from its frames (debug=1 "hidden" count, or 0). */
void dump_infer_group(struct gorca_dump_group *g, uint32_t hidden);
/* Refines the class of a recorded reason with the stack ("IO wait" on a file or pipe is
 * syscall/IO rather than network). */
enum gorca_wait_class dump_refine_class(const char *reason, const struct gorca_dump_stack *st);

#endif
