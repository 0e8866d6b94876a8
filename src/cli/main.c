/* gorca: entry point. Parses global options (--debug, --help, --version) and dispatches to
 * the subcommand table in commands.def. */
#include <string.h>
#include "cli.h"

static const struct cli_command commands[] = {
#define CLI_CMD(name, summary) { #name, cmd_##name, summary },
#include "commands.def"
#undef CLI_CMD
};

static void usage(FILE *f)
{
    fprintf(f, "usage: gorca [--debug] <command> [<args>]\n\n"
               "gorca finds the root cause of latency in Go services from the runtime's own\n"
               "evidence: pprof profiles, goroutine dumps and execution traces.\n\n"
               "commands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nrun 'gorca <command> --help' for a command's options\n");
}

int main(int argc, char **argv)
{
    int i = 1;

    while (i < argc && argv[i][0] == '-') {
        if (strcmp(argv[i], "--debug") == 0) {
            cli_debug = 1;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return CLI_EXIT_OK;
        } else if (strcmp(argv[i], "--version") == 0) {
            return cmd_version(1, argv + i);
        } else {
            cli_error("unknown option '%s'", argv[i]);
            fprintf(stderr, "try 'gorca --help'\n");
            return CLI_EXIT_USAGE;
        }
        i++;
    }
    if (i == argc) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
        if (strcmp(argv[i], commands[c].name) == 0)
            return commands[c].run(argc - i, argv + i);
    cli_error("'%s' is not a gorca command", argv[i]);
    fprintf(stderr, "try 'gorca --help'\n");
    return CLI_EXIT_USAGE;
}

int cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("gorca %s\n", GORCA_VERSION);
    return CLI_EXIT_OK;
}
