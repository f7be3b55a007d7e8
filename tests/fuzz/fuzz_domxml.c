/*
 * libFuzzer target over the domain XML parser (schema, shape and semantic
 * passes; file checks off).  Every input that parses must survive
 * serialise -> parse unchanged, and every input the schema rejects must be
 * rejected by the C checks too (so users get precise messages); anything
 * else is a crash to report.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domxml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct domxml_parser *fuzz_parser;

static struct domxml_parser *parser(void)
{
	const char *path = getenv("SHOJI_SCHEMA");

	if (fuzz_parser)
		return fuzz_parser;
	fuzz_parser = domxml_parser_new(path && *path ? path : SHOJI_SCHEMA_SOURCE);
	if (!fuzz_parser) {
		fprintf(stderr, "fuzz_domxml: cannot load the schema (set SHOJI_SCHEMA)\n");
		abort();
	}
	return fuzz_parser;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct domxml_options opt = {.flags = DOMXML_NO_FILE_CHECKS, .base_dir = "/fuzz"};
	struct domain_config a, b;
	struct domxml_errors errs;
	char *xml;

	if (domxml_parse_memory(parser(), (const char *)data, size, &opt, &a, &errs) != 0) {
		/* The C checks must catch whatever the schema rejects: the
		 * schema's own (vaguer) messages are only a safety net. */
		if (!strncmp(errs.items[0].msg, "does not match the schema", 25)) {
			fprintf(stderr, "only the schema rejected this input: line %d: %s\n",
			        errs.items[0].line, errs.items[0].msg);
			abort();
		}
		return 0;
	}
	xml = domxml_serialise(&a);
	if (!xml)
		abort();
	if (domxml_parse_memory(parser(), xml, strlen(xml), &opt, &b, &errs) != 0) {
		fprintf(stderr, "round trip failed: line %d: %s\n%s\n", errs.items[0].line,
		        errs.items[0].msg, xml);
		abort();
	}
	if (!domain_config_equal(&a, &b)) {
		fprintf(stderr, "round trip changed the domain:\n%s\n", xml);
		abort();
	}
	free(xml);
	domain_config_free(&a);
	domain_config_free(&b);
	return 0;
}
