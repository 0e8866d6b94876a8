/* All diagnostics of the tool, with git-style prefixes: "gorca: error: ", "gorca: warning: ".
 * Messages are lowercase, name the subject in quotes and carry no full stop. */
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>
#include "cli.h"

int cli_debug;

GORCA_PRINTF(2, 0) static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
    fprintf(stderr, "gorca: %s", prefix);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void cli_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmsg("error: ", fmt, ap);
    va_end(ap);
}

void cli_warn(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmsg("warning: ", fmt, ap);
    va_end(ap);
}

void cli_note(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmsg("", fmt, ap);
    va_end(ap);
}

static void print_gorca(const char *prefix, const struct gorca_error *err)
{
    char text[512];

    gorca_error_format(err, text, sizeof(text));
    if (cli_debug)
        fprintf(stderr, "gorca: %s%s [%s, line %d]\n", prefix, text, gorca_status_name(err->code),
                err->src_line);
    else
        fprintf(stderr, "gorca: %s%s\n", prefix, text);
}

void cli_error_gorca(const struct gorca_error *err)
{
    print_gorca("error: ", err);
}

void cli_warn_gorca(const struct gorca_error *err)
{
    print_gorca("warning: ", err);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmsg("error: ", fmt, ap);
    va_end(ap);
    fprintf(stderr, "try 'gorca %s --help'\n", cmd);
    return CLI_EXIT_USAGE;
}

int cli_exit_for(enum gorca_status st)
{
    switch (st) {
    case GORCA_OK:
        return CLI_EXIT_OK;
    case GORCA_E_ARG:
        return CLI_EXIT_USAGE;
    default:
        return CLI_EXIT_ERROR;
    }
}

int cli_use_color(FILE *f)
{
    const char *nc = getenv("NO_COLOR");

    if (nc && nc[0])
        return 0;
    return isatty(fileno(f));
}
