/*
 * shoji validate: parse and check domain XML files without a daemon.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

struct validate_opts {
	bool json;
	struct domxml_options parse;
};

static void print_errors(const char *file, const struct domxml_errors *errs)
{
	for (size_t i = 0; i < errs->count; i++) {
		if (errs->items[i].line > 0)
			fprintf(stderr, "%s:%d: %s\n", file, errs->items[i].line,
			        errs->items[i].msg);
		else
			fprintf(stderr, "%s: %s\n", file, errs->items[i].msg);
	}
	if (errs->dropped)
		fprintf(stderr, "%s: %zu more errors not shown\n", file, errs->dropped);
}

static void print_json_result(const char *file, int rc, const struct domain_config *cfg,
                              const struct domxml_errors *errs, bool first)
{
	printf("%s{\"file\": ", first ? "" : ",\n");
	cli_json_string(stdout, file);
	if (rc == 0) {
		printf(", \"valid\": true, \"config\": ");
		cli_json_config(stdout, cfg);
		printf("}");
		return;
	}
	printf(", \"valid\": false, \"errors\": [");
	for (size_t i = 0; i < errs->count; i++) {
		printf("%s{\"line\": %d, \"message\": ", i ? ", " : "", errs->items[i].line);
		cli_json_string(stdout, errs->items[i].msg);
		printf("}");
	}
	printf("], \"errors_not_shown\": %zu}", errs->dropped);
}

/* An absolute version of path, relative ones taken from the current directory. */
char *cli_absolute_path(const char *path)
{
	char *cwd, *out = NULL;

	if (path[0] == '/')
		return strdup(path);
	cwd = getcwd(NULL, 0);
	if (cwd && asprintf(&out, "%s/%s", cwd, path) < 0)
		out = NULL;
	free(cwd);
	return out;
}

static int parse_options(const struct cli_command *cmd, int argc, char **argv,
                         struct validate_opts *o, char **kernel)
{
	static const struct option longopts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"kernel", required_argument, NULL, 'k'},
	    {"no-file-checks", no_argument, NULL, 'n'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o->json = true;
			break;
		case 'k':
			free(*kernel);
			*kernel = cli_absolute_path(optarg);
			if (!*kernel) {
				fprintf(stderr, "shoji validate: %s\n", strerror(errno));
				return CLI_EXIT_FAILED;
			}
			o->parse.kernel_override = *kernel;
			break;
		case 'n':
			o->parse.flags |= DOMXML_NO_FILE_CHECKS;
			break;
		case 'h':
			cli_print_help(stdout, cmd);
			return -1;
		default:
			if (optopt == 'k')
				return cli_usage_error(cmd, "--kernel needs a PATH");
			return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind == argc)
		return cli_usage_error(cmd, "no FILE given");
	return CLI_EXIT_OK;
}

int cli_cmd_validate(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_command *cmd = cli_find("validate");
	struct validate_opts o = {.json = ctx->json};
	struct domxml_parser *parser = NULL;
	const char *schema;
	char *kernel = NULL;
	int rc, status = CLI_EXIT_OK;

	rc = parse_options(cmd, argc, argv, &o, &kernel);
	if (rc != CLI_EXIT_OK) {
		status = rc < 0 ? CLI_EXIT_OK : rc;
		goto out;
	}
	schema = cli_schema_path();
	if (!schema) {
		fprintf(stderr,
		        "shoji validate: cannot find shoji-domain.rng (install Shoji or set "
		        "SHOJI_SCHEMA)\n");
		status = CLI_EXIT_FAILED;
		goto out;
	}
	parser = domxml_parser_new(schema);
	if (!parser) {
		fprintf(stderr, "shoji validate: cannot load the schema %s: %s\n", schema,
		        errno == EINVAL ? "it does not compile" : strerror(errno));
		status = CLI_EXIT_FAILED;
		goto out;
	}
	if (o.json)
		printf("[");
	for (int i = optind; i < argc; i++) {
		struct domain_config cfg;
		struct domxml_errors errs;

		rc = domxml_parse_file(parser, argv[i], &o.parse, &cfg, &errs);
		if (rc != 0)
			status = CLI_EXIT_FAILED;
		if (o.json)
			print_json_result(argv[i], rc, &cfg, &errs, i == optind);
		else if (rc == 0)
			printf("%s: valid\n", argv[i]);
		else
			print_errors(argv[i], &errs);
		domain_config_free(&cfg);
	}
	if (o.json)
		printf("]\n");
out:
	domxml_parser_free(parser);
	free(kernel);
	return status;
}
