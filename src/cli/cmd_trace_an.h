/* Shared plumbing of the `gorca trace <analysis>` subcommands (goroutines, pprof, gc, sched,
 * timeline, requests, chains, cpu, overview): common options, running the one-pass analysis
 * with located errors, duration and share formatting for the 100-column text views. */
#ifndef GORCA_CMD_TRACE_AN_H
#define GORCA_CMD_TRACE_AN_H

#include <getopt.h>
#include "cmd_trace.h"
#include "gorca/analysis.h"

struct an_cli {
    const char *cmd;  /* "trace goroutines", for messages */
    const char *path; /* the TRACE argument */
    const char *out;  /* -o FILE; "-" = stdout */
    int json;
    size_t top; /* rows per table (--top), default 20 */
    int flag;   /* a command's own switch (chains --origins) */
    struct gorca_analysis_options opt;
};

/* Long options every analysis command accepts; commands append their own before the
 * terminator with AN_CLI_COMMON_OPTS at the end of their table. */
#define AN_CLI_COMMON_OPTS                                                                   \
    { "json", no_argument, NULL, 'j' }, { "output", required_argument, NULL, 'o' },          \
        { "compat", required_argument, NULL, 'C' }, { "top", required_argument, NULL, 'n' }, \
        { "bucket", required_argument, NULL, 'b' }, { "help", no_argument, NULL, 'h' },      \
    {                                                                                        \
        NULL, 0, NULL, 0                                                                     \
    }
#define AN_CLI_COMMON_HELP                                                             \
    "  --json           JSON output (schema gorca.trace-analysis/1)\n"                 \
    "  -o, --output=F   write to F instead of stdout\n"                                \
    "  --compat=1.NN    reproduce go tool trace of Go 1.NN (1.22-1.26; default: the\n" \
    "                   trace's own version)\n"                                        \
    "  --top=N          rows per table (default 20)\n"                                 \
    "  --bucket=DUR     timeline bucket width (default 1ms)\n"

void an_cli_init(struct an_cli *c, const char *cmd);
/* Handles a common option. Returns 0 when handled, else the exit code after printing a usage
 * error (a bad value, or an option the command does not know). */
int an_cli_common(struct an_cli *c, int opt, const char *arg);
/* Takes the single TRACE operand; returns 0 or a usage exit code. */
int an_cli_operand(struct an_cli *c, int argc, char **argv);
/* Runs the analysis. On success *an is set and *st holds the reader's final status (OK or a
 * mid-trace error whose results are still usable). Returns 0, or an exit code after printing
 * the error. */
int an_cli_run(struct an_cli *c, struct gorca_analysis **an, enum gorca_status *st,
               struct gorca_error *err);
/* Writes b to the output, frees an, and turns st into messages and the exit code. */
int an_cli_finish(struct an_cli *c, struct gorca_buf *b, struct gorca_analysis *an,
                  enum gorca_status st, const struct gorca_error *err);
/* Appends the JSON document of the given sections (max_stacks rows per list). */
void an_cli_json(struct an_cli *c, struct gorca_analysis *an, unsigned sections,
                 struct gorca_buf *b);

/* At most 7 columns: "1.234s", "12.5ms", "850.1us", "42ns", "-" for negative. Returns out. */
const char *an_dur(char *out, size_t n, int64_t ns);
/* "12.3%" of part/whole ("-" when whole is 0). Returns out. */
const char *an_pct(char *out, size_t n, double part, double whole);
/* Copies s into out, cutting it to width with a leading "…" so the end (the function name)
 * stays visible. Returns out. */
const char *an_cut(char *out, size_t n, const char *s, size_t width);
/* The header line every text view starts with. */
void an_cli_title(struct gorca_buf *b, const struct gorca_analysis *an, const char *what);

/* A text view: appends the section to b, at most top rows per table. */
typedef void (*an_text_fn)(struct gorca_buf *b, const struct gorca_analysis *an, size_t top);

/* A view command: its options (its own, then AN_CLI_COMMON_OPTS), the handler of its own
 * options (returns 0 when handled, -1 when the option is not its own, else an exit code;
 * NULL: none), and its text: text_c when set (it sees the options), else text. */
struct an_view {
    const char *cmd, *title;
    void (*usage)(FILE *);
    unsigned sections; /* GORCA_AN_JSON_* for --json */
    const struct option *opts;
    int (*own)(struct an_cli *c, int opt, const char *arg);
    an_text_fn text;
    void (*text_c)(struct gorca_buf *b, const struct gorca_analysis *an, const struct an_cli *c);
};

/* The whole command: parses the options, runs the analysis, prints title + text, or the JSON
 * sections. */
int an_cli_view(int argc, char **argv, const struct an_view *v);

/* an_cli_view for views without options of their own. */
int an_cli_simple(int argc, char **argv, const char *cmd, void (*usage)(FILE *), unsigned sections,
                  const char *title, an_text_fn text);

/* The text views (one per cmd_trace_<name>.c), reused by `gorca trace overview`. */
void an_cli_gc_text(struct gorca_buf *b, const struct gorca_analysis *an, size_t top);
void an_cli_sched_text(struct gorca_buf *b, const struct gorca_analysis *an, size_t top);
void an_cli_blocking_text(struct gorca_buf *b, const struct gorca_analysis *an, size_t top);
void an_cli_requests_text(struct gorca_buf *b, const struct gorca_analysis *an, size_t top);
void an_cli_chains_text(struct gorca_buf *b, const struct gorca_analysis *an, size_t top);
void an_cli_cpu_text(struct gorca_buf *b, const struct gorca_analysis *an, size_t top);
void an_cli_timeline_text(struct gorca_buf *b, const struct gorca_analysis *an, size_t top);

#endif
