/* Shared declarations of the `gorca trace <subcommand>` family (cmd_trace.c dispatches):
 * one prototype per entry of trace_commands.def, and helpers every subcommand uses to open a
 * trace and to turn the reader's final status into messages and an exit code. */
#ifndef GORCA_CMD_TRACE_H
#define GORCA_CMD_TRACE_H

#include "cli.h"

#define TRACE_CMD(name, summary) int cmd_trace_##name(int argc, char **argv);
#include "trace_commands.def"
#undef TRACE_CMD

/* Opens path for a subcommand (errors printed). Returns 0 or an exit code. */
int cli_trace_open(const char *path, const struct gorca_trace_options *opt,
                   struct gorca_trace **tr);
/* The one TRACE operand at argv[optind] (a file, '-' or a capture bundle directory, which is
 * replaced in argv by its trace's path), opened as cli_trace_open does. Returns 0 or an exit
 * code (message printed). */
int cli_trace_open_operand(const char *cmd, int argc, char **argv,
                           const struct gorca_trace_options *opt, struct gorca_trace **tr);

/* Reports how reading ended: nothing for GORCA_OK; a warning for a cut trace (the output
 * covers everything before the cut; exit 0); an error otherwise (exit 1). Returns the exit
 * code. */
int cli_trace_finish(enum gorca_status st, const struct gorca_error *err);

/* "1.234s", "12.5ms", "850µs", "42ns". */
void cli_fmt_duration(char *out, size_t n, int64_t ns);

#endif
