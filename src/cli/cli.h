/* The gorca command-line tool: shared declarations for main.c, msg.c, util.c and each
 * cmd_<name>.c. Only src/cli prints, exits, reads the environment or sees argv. */
#ifndef GORCA_CLI_H
#define GORCA_CLI_H

#include <stdint.h>
#include <stdio.h>
#include "gorca/gorca.h"

/* Exit codes (docs/exit-codes.md; never renumbered). */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_ERROR = 1,          /* input or runtime error */
    CLI_EXIT_USAGE = 2,          /* bad command line */
    CLI_EXIT_FINDINGS = 3,       /* analyze: at least one finding of severity >= medium */
    CLI_EXIT_INSPECT_UNKNOWN = 4 /* inspect: at least one input of unknown kind */
};

/* One subcommand: run() gets argv with argv[0] = the command name. */
struct cli_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

#define CLI_CMD(name, summary) int cmd_##name(int argc, char **argv);
#include "commands.def"
#undef CLI_CMD

/* ---- messages (msg.c): every line the tool prints to stderr goes through here ---------- */
void cli_error(const char *fmt, ...) GORCA_PRINTF(1, 2);
void cli_warn(const char *fmt, ...) GORCA_PRINTF(1, 2);
void cli_note(const char *fmt, ...) GORCA_PRINTF(1, 2);
/* "gorca: error: <formatted err>" (with the source line when --debug). */
void cli_error_gorca(const struct gorca_error *err);
void cli_warn_gorca(const struct gorca_error *err);
/* Usage error for a command: prints the message and "try 'gorca CMD --help'"; returns
 * CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) GORCA_PRINTF(2, 3);
/* Maps a library status to the tool's exit code. */
int cli_exit_for(enum gorca_status st);
extern int cli_debug; /* --debug given */

/* 1 when colour escapes may be written to f: a TTY and NO_COLOR unset. */
int cli_use_color(FILE *f);

/* ---- parsing helpers (util.c) ---------------------------------------------------------- */
/* "100ms", "1.5s", "250us", "42ns", "2m", bare number = ns. Returns 0 or -1. */
int cli_parse_duration(const char *s, int64_t *ns);
/* Non-negative integer; returns 0 or -1. */
int cli_parse_u64(const char *s, uint64_t *v);
/* Writes the whole buffer to path ("-" = stdout). Returns 0 or -1 (message printed). */
int cli_write_output(const char *path, const void *data, size_t len);
/* Opens the capture bundle in directory dir; a directory without manifest.json is refused.
 * Returns 0, or an exit code after printing why. */
int cli_open_bundle(const char *dir, struct gorca_bundle **b);
/* When *path is a capture bundle directory, replaces it by the path of the bundle's file of
 * that kind (kept for the life of the process). Returns 0 (also when *path is not a bundle), or
 * an exit code after printing why (a directory without manifest.json, no file of that kind). */
int cli_bundle_member(char **path, enum gorca_input_kind kind);

#endif
