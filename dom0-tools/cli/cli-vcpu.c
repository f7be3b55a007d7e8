/*
 * `shoji vcpu-list` and `shoji vcpu-pin`: the host threads of the vCPUs
 * (shoji-hv owns them; shojid asks it), as `xl vcpu-list` / `xl vcpu-pin`
 * show and set them.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cpulist.h"

/* The state of one vCPU: the domain's when it does not run, else the vCPU's own. */
static const char *vcpu_state(const struct api_dominfo *d, const struct api_vcpu *v)
{
	if (d->state != API_STATE_RUNNING && d->state != API_STATE_BLOCKED)
		return cli_state_name(d->state);
	if (!(v->flags & API_VCPU_ONLINE))
		return "offline";
	return v->flags & API_VCPU_RUNNING ? "running" : "blocked";
}

/* One domain's vCPUs; *first tells JSON whether a comma is due. */
static int list_domain(const struct api_dominfo *d, bool json, bool *first)
{
	struct api_req req = {0};
	char *reply = NULL, aff[512];
	size_t len = 0;
	const struct api_vcpu *v;
	int rc;

	snprintf(req.target, sizeof(req.target), "%" PRIu32, d->domid);
	rc = cli_request(API_VCPU_LIST, &req, NULL, d->name, &reply, &len);
	if (rc)
		return rc;
	if (len % sizeof(*v)) {
		fprintf(stderr, "shoji: shojid sent a malformed vCPU list\n");
		free(reply);
		return CLI_EXIT_FAILED;
	}
	v = (const void *)reply;
	for (size_t i = 0; i < len / sizeof(*v); i++) {
		cpulist_format(v[i].affinity, API_CPUMASK_WORDS, aff, sizeof(aff));
		if (json) {
			printf("%s{\"name\": ", *first ? "" : ",\n ");
			cli_json_string(stdout, d->name);
			printf(", \"id\": %" PRIu32 ", \"vcpu\": %" PRIu32 ", \"thread\": ",
			       d->domid, v[i].vcpu);
			printf(v[i].tid >= 0 ? "%" PRId32 : "null", v[i].tid);
			printf(", \"cpu\": ");
			printf(v[i].cpu >= 0 ? "%" PRId32 : "null", v[i].cpu);
			printf(", \"state\": \"%s\", \"cpu_time_s\": %.3f, \"affinity\": ",
			       vcpu_state(d, &v[i]), (double)v[i].cpu_time_ns / 1e9);
			cli_json_string(stdout, aff[0] ? aff : NULL);
			printf("}");
		} else {
			char tid[16] = "-", cpu[16] = "-";

			if (v[i].tid >= 0)
				snprintf(tid, sizeof(tid), "%" PRId32, v[i].tid);
			if (v[i].cpu >= 0)
				snprintf(cpu, sizeof(cpu), "%" PRId32, v[i].cpu);
			printf("%-24s %5" PRIu32 " %4" PRIu32 " %8s %4s %-8s %9.1f %s\n", d->name,
			       d->domid, v[i].vcpu, tid, cpu, vcpu_state(d, &v[i]),
			       (double)v[i].cpu_time_ns / 1e9, aff[0] ? aff : "-");
		}
		*first = false;
	}
	free(reply);
	return CLI_EXIT_OK;
}

int cli_cmd_vcpu_list(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_command *cmd = cli_find("vcpu-list");
	struct api_dominfo *d = NULL;
	const char *name = NULL;
	bool json = ctx->json, first = true, found = false;
	size_t n = 0;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			cli_print_help(stdout, cmd);
			return CLI_EXIT_OK;
		} else if (argv[i][0] == '-') {
			return cli_usage_error(cmd, "unknown option '%s'", argv[i]);
		} else if (name) {
			return cli_usage_error(cmd, "too many operands");
		} else {
			name = argv[i];
		}
	}
	rc = cli_list(false, &d, &n);
	if (rc)
		return rc;
	if (json)
		printf("[");
	else
		printf("%-24s %5s %4s %8s %4s %-8s %9s %s\n", "Name", "ID", "VCPU", "Thread", "CPU",
		       "State", "Time(s)", "Affinity");
	for (size_t i = 0; i < n && !rc; i++) {
		char id[16];

		snprintf(id, sizeof(id), "%" PRIu32, d[i].domid);
		if (name && strcmp(name, d[i].name) && strcmp(name, id))
			continue;
		found = true;
		rc = list_domain(&d[i], json, &first);
	}
	if (json)
		printf("]\n");
	free(d);
	if (!rc && name && !found) {
		fprintf(stderr, "shoji vcpu-list: no running domain '%s'\n", name);
		rc = CLI_EXIT_NO_DOMAIN;
	}
	return rc;
}

int cli_cmd_vcpu_pin(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_command *cmd = cli_find("vcpu-pin");
	struct api_req req = {0};
	char *reply = NULL, *end;
	int rc;

	(void)ctx;
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		cli_print_help(stdout, cmd);
		return CLI_EXIT_OK;
	}
	if (argc != 4)
		return cli_usage_error(cmd, argc < 4 ? "missing operand" : "too many operands");
	if (!argv[1][0] || strlen(argv[1]) > API_NAME_MAX)
		return cli_usage_error(cmd, "'%s' is not a domain name or id", argv[1]);
	snprintf(req.target, sizeof(req.target), "%s", argv[1]);
	errno = 0;
	req.value = strtoul(argv[2], &end, 10);
	if (*end || errno || argv[2][0] < '0' || argv[2][0] > '9')
		return cli_usage_error(cmd, "'%s' is not a vCPU number", argv[2]);
	if (!argv[3][0] || strlen(argv[3]) > 1024)
		return cli_usage_error(cmd, "'%s' is not a CPU list (e.g. 0-1,3 or all)", argv[3]);
	req.text_len = (uint32_t)strlen(argv[3]);
	rc = cli_request(API_VCPU_PIN, &req, argv[3], argv[1], &reply, NULL);
	if (!rc)
		printf("Domain '%s': vCPU %s pinned to CPUs %s\n", argv[1], argv[2], argv[3]);
	free(reply);
	return rc;
}
