/*
 * The shoji command table (name, handler, one-line summary, usage, long
 * help) and the help machinery built on it.  A command appears here only
 * when it works.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const struct cli_command cli_commands[] = {
    {
        .name = "help",
        .run = cli_cmd_help,
        .summary = "show the commands, or the help of one command",
        .usage = "[COMMAND]",
        .help = "Without COMMAND, lists every command with a one-line summary.\n"
                "With COMMAND, shows its usage and full help (the same as\n"
                "'shoji COMMAND --help').\n",
    },
    {
        .name = "validate",
        .run = cli_cmd_validate,
        .summary = "check domain XML files",
        .usage = "[--json] [--kernel PATH] [--no-file-checks] FILE...",
        .help = "Parses and checks each FILE as a Shoji domain (shoji-domain.xml(5)):\n"
                "well-formed XML, the RelaxNG schema, then values, units, ranges and\n"
                "files.  Prints 'FILE: valid' for a good file; for a bad one, one line\n"
                "per problem on stderr as 'FILE:LINE: what is wrong'.\n"
                "\n"
                "Relative <kernel>, <initrd> and disk paths are resolved against the\n"
                "directory of the XML file.\n"
                "\n"
                "  --json            print one JSON array on stdout: per file its name,\n"
                "                    whether it is valid, and the parsed configuration\n"
                "                    or the errors (nothing goes to stderr)\n"
                "  --kernel PATH     use PATH instead of <os><kernel> (relative to the\n"
                "                    current directory)\n"
                "  --no-file-checks  do not check that kernel, initrd and disk sources\n"
                "                    exist and are readable\n"
                "\n"
                "Exit status: 0 when every FILE is valid, 1 when one is not, 2 for a\n"
                "bad command line.\n",
        .json = true,
    },
    {0},
};

const struct cli_command *cli_find(const char *name)
{
	for (const struct cli_command *c = cli_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

/* Levenshtein distance between a and b, both at most 63 characters (longer
 * strings count as far apart). */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[64], i, j;

	if (la >= 64 || lb >= 64)
		return 64;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

const char *cli_suggest(const char *name)
{
	const char *best = NULL;
	size_t best_d = 3; /* suggest only within two edits */

	for (const struct cli_command *c = cli_commands; c->name; c++) {
		size_t d = distance(name, c->name);

		if (strlen(name) >= 3 && !strncmp(c->name, name, strlen(name)))
			d = 1; /* a prefix of the command */
		if (d < best_d) {
			best_d = d;
			best = c->name;
		}
	}
	return best;
}

int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "shoji %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nUsage: shoji %s %s\nRun 'shoji help %s' for details.\n", cmd->name,
	        cmd->usage, cmd->name);
	return CLI_EXIT_USAGE;
}

void cli_print_help(FILE *out, const struct cli_command *cmd)
{
	fprintf(out, "Usage: shoji %s %s\n\n%s.\n\n%s", cmd->name, cmd->usage, cmd->summary,
	        cmd->help);
}

void cli_print_overview(FILE *out)
{
	fprintf(out, "Usage: shoji [--json] COMMAND [ARGS...]\n"
	             "       shoji --version | --help\n"
	             "\n"
	             "Commands:\n");
	for (const struct cli_command *c = cli_commands; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fprintf(out, "\n"
	             "Run 'shoji help COMMAND' or 'shoji COMMAND --help' for a command's options.\n"
	             "Exit status: 0 success, 1 the operation failed, 2 bad command line.\n");
}

int cli_cmd_help(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_command *help = cli_find("help"), *cmd;
	const char *hint;

	(void)ctx;
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		cli_print_help(stdout, help);
		return CLI_EXIT_OK;
	}
	if (argc > 2)
		return cli_usage_error(help, "too many arguments");
	if (argc == 1) {
		cli_print_overview(stdout);
		return CLI_EXIT_OK;
	}
	cmd = cli_find(argv[1]);
	if (!cmd) {
		hint = cli_suggest(argv[1]);
		fprintf(stderr, "shoji help: unknown command '%s'", argv[1]);
		if (hint)
			fprintf(stderr, " (did you mean '%s'?)", hint);
		fprintf(stderr, "\nRun 'shoji help' for the list of commands.\n");
		return CLI_EXIT_USAGE;
	}
	cli_print_help(stdout, cmd);
	return CLI_EXIT_OK;
}
