/*
 * shoji: the command-line interface of the Shoji toolstack (see shoji(1)).
 * Parses the global options, finds the command in the table and runs it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

const char *cli_schema_path(void)
{
	const char *env = getenv("SHOJI_SCHEMA");

	if (env && *env)
		return env;
	if (access(SHOJI_SCHEMA_INSTALLED, R_OK) == 0)
		return SHOJI_SCHEMA_INSTALLED;
	if (access(SHOJI_SCHEMA_SOURCE, R_OK) == 0)
		return SHOJI_SCHEMA_SOURCE;
	return NULL;
}

static int unknown_command(const char *name)
{
	const char *hint = cli_suggest(name);

	fprintf(stderr, "shoji: unknown command '%s'", name);
	if (hint)
		fprintf(stderr, " (did you mean '%s'?)", hint);
	fprintf(stderr, "\nRun 'shoji help' for the list of commands.\n");
	return CLI_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	struct cli_ctx ctx = {0};
	const struct cli_command *cmd;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--json")) {
			ctx.json = true;
		} else if (!strcmp(argv[i], "--version") || !strcmp(argv[i], "-V")) {
			printf("shoji %s\n", PACKAGE_VERSION);
			return CLI_EXIT_OK;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			cli_print_overview(stdout);
			return CLI_EXIT_OK;
		} else {
			fprintf(stderr,
			        "shoji: unknown option '%s'\nRun 'shoji help' for the usage.\n",
			        argv[i]);
			return CLI_EXIT_USAGE;
		}
	}
	if (i == argc) {
		fprintf(stderr, "shoji: no command given\n\n");
		cli_print_overview(stderr);
		return CLI_EXIT_USAGE;
	}
	cmd = cli_find(argv[i]);
	if (!cmd)
		return unknown_command(argv[i]);
	if (ctx.json && !cmd->json)
		return cli_usage_error(cmd, "this command has no --json output");
	return cmd->run(&ctx, argc - i, argv + i);
}
