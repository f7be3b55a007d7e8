/*
 * The shoji commands that talk to shojid: create, define, undefine, start,
 * list, info, pause, unpause, shutdown, reboot, destroy, mem-set, vcpu-set,
 * dmesg, dumpxml, dump-core, autostart, block-attach, block-detach,
 * block-list, network-attach, network-detach, network-list and events.  Domains are named by
 * name or domid.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli-console.h"
#include "cli.h"

/* Options of one command line, parsed by parse(). */
struct opts {
	const struct cli_command *cmd; /* the command argv[0] names */
	bool paused, console, all, json, wait, force, disable, cdrom;
	unsigned long timeout;
	const char *mode, *type;            /* block-attach: --mode r|w, --type file|phy */
	const char *kernel;                 /* --kernel: replaces <os><kernel> */
	const char *bridge, *mac, *vifname; /* network-attach */
	/* list: --state-* (any of them), --name GLOB, --uuid U, --long */
	bool st_running, st_paused, st_shutoff, longer;
	const char *name_glob, *uuid;
	int first;  /* index of the first operand */
	int status; /* the exit status when parse() says the command is done */
};

enum {
	OPT_JSON = 256,
	OPT_ALL,
	OPT_WAIT,
	OPT_FORCE,
	OPT_TIMEOUT,
	OPT_DISABLE,
	OPT_KERNEL,
	OPT_MODE,
	OPT_TYPE,
	OPT_CDROM,
	OPT_BRIDGE,
	OPT_MAC,
	OPT_VIFNAME,
	OPT_HELP,
	OPT_STATE_RUNNING,
	OPT_STATE_PAUSED,
	OPT_STATE_SHUTOFF,
	OPT_NAME,
	OPT_UUID,
	OPT_LONG,
};

static const struct option all_opts[] = {
    {"paused", no_argument, NULL, 'p'},
    {"console", no_argument, NULL, 'c'},
    {"all", no_argument, NULL, OPT_ALL},
    {"json", no_argument, NULL, OPT_JSON},
    {"wait", no_argument, NULL, OPT_WAIT},
    {"force", no_argument, NULL, OPT_FORCE},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"disable", no_argument, NULL, OPT_DISABLE},
    {"kernel", required_argument, NULL, OPT_KERNEL},
    {"mode", required_argument, NULL, OPT_MODE},
    {"type", required_argument, NULL, OPT_TYPE},
    {"cdrom", no_argument, NULL, OPT_CDROM},
    {"bridge", required_argument, NULL, OPT_BRIDGE},
    {"mac", required_argument, NULL, OPT_MAC},
    {"vifname", required_argument, NULL, OPT_VIFNAME},
    {"help", no_argument, NULL, OPT_HELP},
    {"state-running", no_argument, NULL, OPT_STATE_RUNNING},
    {"state-paused", no_argument, NULL, OPT_STATE_PAUSED},
    {"state-shutoff", no_argument, NULL, OPT_STATE_SHUTOFF},
    {"name", required_argument, NULL, OPT_NAME},
    {"uuid", required_argument, NULL, OPT_UUID},
    {"long", no_argument, NULL, OPT_LONG},
    {0},
};

/* True when the command's usage line mentions opt ("-p", or a long option's
 * name) as a whole word (so only documented options work). */
static bool allowed(const struct cli_command *cmd, const char *opt)
{
	char word[32];
	size_t len;

	snprintf(word, sizeof(word), "%s%s", opt[0] == '-' ? "" : "--", opt);
	len = strlen(word);
	for (const char *p = strstr(cmd->usage, word); p; p = strstr(p + 1, word))
		if ((p == cmd->usage || strchr(" [|", p[-1])) &&
		    !strchr("-abcdefghijklmnopqrstuvwxyz", p[len] ? p[len] : '!'))
			return true;
	return false;
}

static int target(const struct cli_command *cmd, struct api_req *req, const char *name)
{
	if (strlen(name) > API_NAME_MAX || !*name)
		return cli_usage_error(cmd, "'%s' is not a domain name or id", name);
	snprintf(req->target, sizeof(req->target), "%s", name);
	return CLI_EXIT_OK;
}

/* Parses argv for cmd expecting n operands; returns -1 after --help, else a CLI_EXIT_*. */
static int parse_opts(const struct cli_command *cmd, int argc, char **argv, int n, struct opts *o)
{
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, cmd->interleaved ? "pch" : "+pch", all_opts, NULL)) !=
	       -1) {
		const char *name = c == 'p' ? "-p" : c == 'c' ? "-c" : c == 'h' ? "-h" : NULL;

		for (const struct option *a = all_opts; !name && a->name; a++)
			if (a->val == c)
				name = a->name;
		if (c == '?' || (c != 'h' && c != OPT_HELP && !name))
			return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		/* A known option this command does not take (named: its argument may be
		 * argv[optind - 1]). */
		if (c != 'h' && c != OPT_HELP && !allowed(cmd, name))
			return cli_usage_error(cmd, "unknown option '%s%s'",
			                       name[0] == '-' ? "" : "--", name);
		switch (c) {
		case 'h':
		case OPT_HELP:
			cli_print_help(stdout, cmd);
			return -1;
		case 'p':
			o->paused = true;
			break;
		case 'c':
			o->console = true;
			break;
		case OPT_ALL:
			o->all = true;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_WAIT:
			o->wait = true;
			break;
		case OPT_FORCE:
			o->force = o->wait = true;
			break;
		case OPT_DISABLE:
			o->disable = true;
			break;
		case OPT_KERNEL:
			o->kernel = optarg;
			break;
		case OPT_MODE:
			if (strcmp(optarg, "r") && strcmp(optarg, "w"))
				return cli_usage_error(cmd, "--mode is r or w, not '%s'", optarg);
			o->mode = optarg;
			break;
		case OPT_TYPE:
			if (strcmp(optarg, "file") && strcmp(optarg, "phy"))
				return cli_usage_error(cmd, "--type is file or phy, not '%s'",
				                       optarg);
			o->type = optarg;
			break;
		case OPT_CDROM:
			o->cdrom = true;
			break;
		case OPT_STATE_RUNNING:
			o->st_running = true;
			break;
		case OPT_STATE_PAUSED:
			o->st_paused = true;
			break;
		case OPT_STATE_SHUTOFF:
			o->st_shutoff = o->all = true;
			break;
		case OPT_NAME:
			o->name_glob = optarg;
			break;
		case OPT_UUID: {
			uuid_t u;

			if (uuid_parse(optarg, u))
				return cli_usage_error(cmd, "'%s' is not a uuid", optarg);
			o->uuid = optarg;
			break;
		}
		case OPT_LONG:
			o->longer = true;
			break;
		case OPT_BRIDGE:
		case OPT_VIFNAME: {
			const char *why;

			if (!domxml_ifname_valid(optarg, &why))
				return cli_usage_error(
				    cmd, "'%s' is not a valid interface name (%s)", optarg, why);
			*(c == OPT_BRIDGE ? &o->bridge : &o->vifname) = optarg;
			break;
		}
		case OPT_MAC: {
			uint8_t mac[6];

			if (!domxml_parse_mac(optarg, mac) || (mac[0] & 1))
				return cli_usage_error(cmd,
				                       "--mac needs a unicast MAC address "
				                       "(aa:bb:cc:dd:ee:ff), not '%s'",
				                       optarg);
			o->mac = optarg;
			break;
		}
		case OPT_TIMEOUT: {
			char *end;

			errno = 0;
			o->timeout = strtoul(optarg, &end, 10);
			if (*end || errno || !o->timeout || o->timeout > 86400)
				return cli_usage_error(cmd, "--timeout needs 1 .. 86400 seconds");
			break;
		}
		}
	}
	/* shutdown --all, destroy --all: every running domain instead of NAME. */
	if (o->all && n == 1)
		n = 0;
	if (argc - optind != n)
		return cli_usage_error(cmd,
		                       argc - optind < n ? "missing operand" : "too many operands");
	o->first = optind;
	return CLI_EXIT_OK;
}

/*
 * Parses the command line of the command argv[0] names, expecting n operands,
 * and when req is not NULL takes the first operand as the domain in
 * req->target.  Returns false when the command is done already (--help
 * printed, or a usage error), with its exit status in o->status.
 */
static bool parse(struct cli_ctx *ctx, int argc, char **argv, int n, struct opts *o,
                  struct api_req *req)
{
	int rc;

	memset(o, 0, sizeof(*o));
	o->cmd = cli_find(argv[0]);
	o->json = ctx->json;
	rc = parse_opts(o->cmd, argc, argv, n, o);
	if (!rc && req && !o->all)
		rc = target(o->cmd, req, argv[o->first]);
	o->status = rc < 0 ? CLI_EXIT_OK : rc;
	return rc == CLI_EXIT_OK;
}

static const char *const state_names[API_STATE_MAX] = {
    [API_STATE_RUNNING] = "running",  [API_STATE_BLOCKED] = "blocked",
    [API_STATE_PAUSED] = "paused",    [API_STATE_SHUTDOWN] = "shutdown",
    [API_STATE_CRASHED] = "crashed",  [API_STATE_DYING] = "dying",
    [API_STATE_DEFINED] = "shut off",
};

/* Xen's word for a shutdown reason (SHUTDOWN_*), as xl prints it; NULL for an unknown one. */
static const char *reason_name(uint32_t reason)
{
	static const char *const names[] = {"poweroff", "reboot",   "suspend",
	                                    "crash",    "watchdog", "soft_reset"};

	return reason < sizeof(names) / sizeof(names[0]) ? names[reason] : NULL;
}

/* @reason as a word, or its number when it has none, into @buf. */
static const char *reason_str(uint32_t reason, char buf[16])
{
	const char *n = reason_name(reason);

	if (n)
		return n;
	snprintf(buf, 16, "%" PRIu32, reason);
	return buf;
}

const char *cli_state_name(uint32_t s)
{
	return s < API_STATE_MAX && state_names[s] ? state_names[s] : "unknown";
}

uint64_t cli_uptime_s(const struct api_dominfo *d)
{
	struct timespec now;
	uint64_t t;

	if (!d->start_time_ns || d->domid == API_DOMID_NONE)
		return 0;
	clock_gettime(CLOCK_REALTIME, &now);
	t = (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
	return t > d->start_time_ns ? (t - d->start_time_ns) / 1000000000ULL : 0;
}

/* The start time as ISO 8601 UTC into buf ("-" when unknown). */
static const char *start_str(const struct api_dominfo *d, char buf[32])
{
	time_t t = (time_t)(d->start_time_ns / 1000000000ULL);
	struct tm tm;

	if (!d->start_time_ns || d->domid == API_DOMID_NONE || !gmtime_r(&t, &tm))
		return "-";
	strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

void cli_format_uptime(uint64_t s, char buf[32])
{
	if (s >= 86400)
		snprintf(buf, 32, "%" PRIu64 "d %02" PRIu64 ":%02" PRIu64 ":%02" PRIu64, s / 86400,
		         s / 3600 % 24, s / 60 % 60, s % 60);
	else
		snprintf(buf, 32, "%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64, s / 3600, s / 60 % 60,
		         s % 60);
}

/* "start_time" and "uptime_s" (null for a domain that does not run or whose start is unknown). */
static void json_start_time(const struct api_dominfo *d)
{
	char when[32];

	if (strcmp(start_str(d, when), "-"))
		printf(", \"start_time\": \"%s\", \"uptime_s\": %" PRIu64, when, cli_uptime_s(d));
	else
		printf(", \"start_time\": null, \"uptime_s\": null");
}

static void json_info(const struct api_dominfo *d, bool disks)
{
	char uuid[37];

	uuid_unparse_lower(d->uuid, uuid);
	printf("{\"name\": ");
	cli_json_string(stdout, d->name);
	if (d->domid == API_DOMID_NONE)
		printf(", \"id\": null");
	else
		printf(", \"id\": %" PRIu32, d->domid);
	printf(", \"uuid\": \"%s\", \"state\": \"%s\", \"shutdown_reason\": ", uuid,
	       cli_state_name(d->state));
	if (d->state == API_STATE_SHUTDOWN || d->state == API_STATE_CRASHED) {
		char num[16];

		cli_json_string(stdout, reason_str(d->shutdown_reason, num));
	} else {
		printf("null");
	}
	printf(", \"memory_kib\": %" PRIu64 ", \"target_memory_kib\": %" PRIu64
	       ", \"max_memory_kib\": %" PRIu64 ", \"vcpus\": %" PRIu32
	       ", \"online_vcpus\": %" PRIu32 ", \"cpu_time_s\": %.3f, \"persistent\": %s"
	       ", \"autostart\": %s, \"managed\": %s",
	       d->cur_kib, d->target_kib, d->max_kib, d->vcpus, d->online_vcpus,
	       (double)d->cpu_time_ns / 1e9, d->flags & API_INFO_PERSISTENT ? "true" : "false",
	       d->flags & API_INFO_AUTOSTART ? "true" : "false",
	       d->flags & API_INFO_MANAGED ? "true" : "false");
	json_start_time(d);
	if (disks) {
		printf(", \"disks\": ");
		cli_info_disks(d->name, true);
		printf(", \"interfaces\": ");
		cli_info_nics(d->name, true);
	}
	printf("}");
}

/* Open one file shojid boots a domain from (what: "kernel", "initrd"), as the user. */
static int open_boot_file(const struct cli_command *cmd, const char *what, const char *path)
{
	struct stat st;
	/* O_NONBLOCK: a FIFO is refused below, never waited on. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	if (fd < 0) {
		fprintf(stderr, "shoji %s: %s %s: %s\n", cmd->name, what, path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "shoji %s: %s %s: not a regular file\n", cmd->name, what, path);
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * The kernel and initrd of cfg, opened with the user's own rights, go to
 * shojid with the request (descriptors 0 and 1): shojid reads no file for
 * the user that the user could not read.  The number of descriptors in
 * fds, or -1 after saying why.
 */
static int open_boot_files(const struct cli_command *cmd, const struct domain_config *cfg,
                           int fds[2])
{
	fds[0] = open_boot_file(cmd, "kernel", cfg->kernel);
	if (fds[0] < 0)
		return -1;
	if (!cfg->initrd)
		return 1;
	fds[1] = open_boot_file(cmd, "initrd", cfg->initrd);
	if (fds[1] < 0) {
		close(fds[0]);
		return -1;
	}
	return 2;
}

static void close_fds(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		close(fds[i]);
}

/*
 * Parse FILE locally (errors as FILE:LINE: ...), with kernel (when not NULL)
 * replacing its <kernel>, and send its canonical XML (API_CREATE: with the
 * kernel and initrd open).
 */
static int send_file(const struct cli_command *cmd, uint16_t type, const char *file,
                     const char *kernel, uint32_t flags, char **reply)
{
	struct domxml_options opt = {0};
	char *kernel_abs = NULL;
	struct domxml_parser *parser = NULL;
	struct domain_config cfg = {0};
	struct domxml_errors errs;
	struct api_req req = {.flags = flags};
	const char *schema = cli_schema_path();
	char *xml = NULL;
	int rc = CLI_EXIT_FAILED, fds[2], nfds = 0;

	if (!schema) {
		fprintf(stderr,
		        "shoji %s: cannot find shoji-domain.rng (install Shoji or set "
		        "SHOJI_SCHEMA)\n",
		        cmd->name);
		return CLI_EXIT_FAILED;
	}
	if (kernel) {
		kernel_abs = cli_absolute_path(kernel);
		if (!kernel_abs) {
			fprintf(stderr, "shoji %s: out of memory\n", cmd->name);
			return CLI_EXIT_FAILED;
		}
		opt.kernel_override = kernel_abs;
	}
	parser = domxml_parser_new(schema);
	if (!parser) {
		fprintf(stderr, "shoji %s: cannot load the schema %s\n", cmd->name, schema);
		free(kernel_abs);
		return CLI_EXIT_FAILED;
	}
	if (domxml_parse_file(parser, file, &opt, &cfg, &errs) != 0) {
		for (size_t i = 0; i < errs.count; i++) {
			if (errs.items[i].line > 0)
				fprintf(stderr, "%s:%d: %s\n", file, errs.items[i].line,
				        errs.items[i].msg);
			else
				fprintf(stderr, "%s: %s\n", file, errs.items[i].msg);
		}
		goto out;
	}
	if (cfg.uuid_generated)
		req.flags |= API_F_UUID_GENERATED;
	xml = domxml_serialise(&cfg);
	if (!xml) {
		fprintf(stderr, "shoji %s: out of memory\n", cmd->name);
		goto out;
	}
	req.text_len = (uint32_t)strlen(xml);
	if (type == API_CREATE) {
		nfds = open_boot_files(cmd, &cfg, fds);
		if (nfds < 0) {
			nfds = 0;
			goto out;
		}
	}
	rc = cli_request_fds(type, &req, xml, fds, (unsigned int)nfds, file, reply, NULL);
out:
	close_fds(fds, nfds);
	free(xml);
	free(kernel_abs);
	domain_config_free(&cfg);
	domxml_parser_free(parser);
	return rc;
}

int cli_cmd_create(struct cli_ctx *ctx, int argc, char **argv)
{
	struct opts o;
	char *reply = NULL;
	int rc;

	if (!parse(ctx, argc, argv, 1, &o, NULL))
		return o.status;
	rc = send_file(o.cmd, API_CREATE, argv[o.first], o.kernel, o.paused ? API_F_PAUSED : 0,
	               &reply);
	if (!rc) {
		const struct api_dominfo *d = (const void *)reply;

		uint32_t domid = d->domid;

		printf("Domain '%s' created (id %" PRIu32 ")%s\n", d->name, domid,
		       o.paused ? ", paused" : "");
		if (o.console) {
			fflush(stdout);
			free(reply);
			/* shoji-consoled picks the new console up within moments. */
			return cli_console_attach(domid, NULL, 5000, CLI_CONSOLE_ESCAPE);
		}
	}
	free(reply);
	return rc;
}

int cli_cmd_define(struct cli_ctx *ctx, int argc, char **argv)
{
	struct opts o;
	char *reply = NULL;
	int rc;

	if (!parse(ctx, argc, argv, 1, &o, NULL))
		return o.status;
	rc = send_file(o.cmd, API_DEFINE, argv[o.first], o.kernel, 0, &reply);
	if (!rc)
		printf("Domain '%s' defined from %s\n", reply && reply[0] ? reply : "?",
		       argv[o.first]);
	free(reply);
	return rc;
}

/*
 * shutdown --all, destroy --all: the request for every running domain (for
 * shutdown, those not down already), one line each; the first failure's
 * exit status.
 */
static int each_running(uint16_t type, const struct api_req *tmpl, const char *done)
{
	struct api_dominfo *v = NULL;
	size_t n = 0, acted = 0;
	int rc = cli_list(false, &v, &n), worst = CLI_EXIT_OK;

	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		struct api_req req = *tmpl;
		char *reply = NULL;
		size_t len = 0;

		if (v[i].domid == API_DOMID_NONE ||
		    (type == API_SHUTDOWN &&
		     (v[i].state == API_STATE_SHUTDOWN || v[i].state == API_STATE_CRASHED ||
		      v[i].state == API_STATE_DYING)))
			continue;
		acted++;
		snprintf(req.target, sizeof(req.target), "%" PRIu32, v[i].domid);
		rc = cli_request(type, &req, NULL, v[i].name, &reply, &len);
		if (!rc)
			printf("Domain '%s' %s\n", v[i].name,
			       len && !strcmp(reply, "destroyed") ? "destroyed" : done);
		else if (!worst)
			worst = rc;
		free(reply);
	}
	if (!acted)
		printf("No running domains\n");
	free(v);
	return worst;
}

/*
 * start: the definition says which kernel and initrd to boot; they go to
 * shojid open, as for create (open_boot_files).
 */
static int start_defined(const struct cli_command *cmd, const struct api_req *req, char **reply)
{
	struct domxml_options opt = {.flags = DOMXML_NO_FILE_CHECKS};
	struct domxml_parser *parser = NULL;
	struct domain_config cfg = {0};
	struct domxml_errors errs;
	const char *schema = cli_schema_path();
	char *xml = NULL;
	size_t len = 0;
	int rc, fds[2], nfds = 0;

	rc = cli_request(API_DUMPXML, req, NULL, NULL, &xml, &len);
	if (rc)
		return rc;
	rc = CLI_EXIT_FAILED;
	parser = schema ? domxml_parser_new(schema) : NULL;
	if (!parser || domxml_parse_memory(parser, xml, len, &opt, &cfg, &errs) != 0) {
		fprintf(stderr, "shoji %s: cannot read the definition of '%s'%s%s\n", cmd->name,
		        req->target, parser && errs.count ? ": " : "",
		        parser && errs.count ? errs.items[0].msg : "");
		goto out;
	}
	nfds = open_boot_files(cmd, &cfg, fds);
	if (nfds < 0) {
		nfds = 0;
		goto out;
	}
	rc = cli_request_fds(API_START, req, NULL, fds, (unsigned int)nfds, NULL, reply, NULL);
out:
	close_fds(fds, nfds);
	domain_config_free(&cfg);
	domxml_parser_free(parser);
	free(xml);
	return rc;
}

/* Commands taking NAME only: their request type and what they print. */
static const struct {
	const char *name;
	uint16_t type;
	const char *done;
} simple[] = {
    {"undefine", API_UNDEFINE, "undefined"}, {"start", API_START, "started"},
    {"pause", API_PAUSE, "paused"},          {"unpause", API_UNPAUSE, "unpaused"},
    {"destroy", API_DESTROY, "destroyed"},   {"autostart", API_AUTOSTART, NULL},
};

int cli_cmd_domain(struct cli_ctx *ctx, int argc, char **argv)
{
	struct api_req req = {0};
	struct opts o;
	char *reply = NULL;
	size_t i;
	int rc;

	if (!parse(ctx, argc, argv, 1, &o, &req))
		return o.status;
	if (o.all)
		return each_running(API_DESTROY, &req, "destroyed");
	for (i = 0; strcmp(simple[i].name, o.cmd->name); i++)
		;
	req.flags = (o.paused ? API_F_PAUSED : 0) | (o.disable ? API_F_DISABLE : 0);
	if (simple[i].type == API_START)
		rc = start_defined(o.cmd, &req, &reply);
	else
		rc = cli_request(simple[i].type, &req, NULL, NULL, &reply, NULL);
	if (!rc && simple[i].type == API_START)
		printf("Domain '%s' started (id %" PRIu32 ")%s\n", argv[o.first],
		       ((const struct api_dominfo *)(const void *)reply)->domid,
		       o.paused ? ", paused" : "");
	else if (!rc && simple[i].done)
		printf("Domain '%s' %s\n", argv[o.first], simple[i].done);
	else if (!rc)
		printf("Domain '%s' autostart %s\n", argv[o.first],
		       o.disable ? "disabled" : "enabled");
	free(reply);
	return rc;
}

static int cmp_info(const void *a, const void *b)
{
	const struct api_dominfo *x = a, *y = b;

	if (x->domid != y->domid)
		return x->domid < y->domid ? -1 : 1;
	return strcmp(x->name, y->name);
}

int cli_list(bool all, struct api_dominfo **out, size_t *count)
{
	struct api_req req = {.flags = all ? API_F_ALL : 0};
	char *reply = NULL;
	size_t len = 0;
	int rc = cli_request(API_LIST, &req, NULL, NULL, &reply, &len);

	if (rc)
		return rc;
	if (len % sizeof(**out)) {
		fprintf(stderr, "shoji: shojid sent a malformed list\n");
		free(reply);
		return CLI_EXIT_FAILED;
	}
	*out = (struct api_dominfo *)(void *)reply;
	*count = len / sizeof(**out);
	qsort(*out, *count, sizeof(**out), cmp_info);
	return CLI_EXIT_OK;
}

/* The list filters: any --state-* given must match, and --name, --uuid. */
static bool listed(const struct opts *o, const struct api_dominfo *d)
{
	bool any = o->st_running || o->st_paused || o->st_shutoff;
	char u[37];

	if (any &&
	    !((o->st_running && (d->state == API_STATE_RUNNING || d->state == API_STATE_BLOCKED)) ||
	      (o->st_paused && d->state == API_STATE_PAUSED) ||
	      (o->st_shutoff && d->state == API_STATE_DEFINED)))
		return false;
	if (o->name_glob && fnmatch(o->name_glob, d->name, 0))
		return false;
	uuid_unparse_lower(d->uuid, u);
	return !o->uuid || !strcasecmp(o->uuid, u);
}

int cli_cmd_list(struct cli_ctx *ctx, int argc, char **argv)
{
	struct opts o;
	struct api_dominfo *v = NULL;
	size_t n = 0, shown = 0;
	int rc;

	if (!parse(ctx, argc, argv, 0, &o, NULL))
		return o.status;
	rc = cli_list(o.all, &v, &n);
	if (rc)
		return rc;
	if (o.json)
		printf("[");
	else if (o.longer)
		printf("%-32s %5s %8s %5s %-9s %9s %-36s %-20s %s\n", "Name", "ID", "Mem(MiB)",
		       "VCPUs", "State", "Time(s)", "UUID", "Started", "Uptime");
	else
		printf("%-32s %5s %8s %5s %-9s %9s\n", "Name", "ID", "Mem(MiB)", "VCPUs", "State",
		       "Time(s)");
	for (size_t i = 0; i < n; i++) {
		char id[16] = "-", u[37], when[32], up[32] = "-";

		if (!listed(&o, &v[i]))
			continue;
		if (o.json) {
			printf(shown++ ? ",\n " : "");
			json_info(&v[i], false);
			continue;
		}
		if (v[i].domid != API_DOMID_NONE)
			snprintf(id, sizeof(id), "%" PRIu32, v[i].domid);
		printf("%-32s %5s %8" PRIu64 " %5" PRIu32 " %-9s %9.1f", v[i].name, id,
		       (v[i].domid != API_DOMID_NONE ? v[i].cur_kib : v[i].target_kib) / 1024,
		       v[i].vcpus, cli_state_name(v[i].state), (double)v[i].cpu_time_ns / 1e9);
		if (o.longer) {
			uuid_unparse_lower(v[i].uuid, u);
			if (strcmp(start_str(&v[i], when), "-"))
				cli_format_uptime(cli_uptime_s(&v[i]), up);
			printf(" %-36s %-20s %s", u, when, up);
		}
		printf("\n");
	}
	if (o.json)
		printf("]\n");
	free(v);
	return CLI_EXIT_OK;
}

int cli_cmd_info(struct cli_ctx *ctx, int argc, char **argv)
{
	struct api_req req = {0};
	struct opts o;
	char *reply = NULL, uuid[37], num[32];
	size_t len = 0;
	const struct api_dominfo *d;
	int rc;

	if (!parse(ctx, argc, argv, 1, &o, &req))
		return o.status;
	rc = cli_request(API_INFO, &req, NULL, NULL, &reply, &len);
	if (rc)
		return rc;
	if (len != sizeof(*d)) {
		fprintf(stderr, "shoji: shojid sent a malformed reply\n");
		free(reply);
		return CLI_EXIT_FAILED;
	}
	d = (const void *)reply;
	if (o.json) {
		json_info(d, true);
		printf("\n");
	} else {
		uuid_unparse_lower(d->uuid, uuid);
		printf("Name:        %s\n", d->name);
		if (d->domid != API_DOMID_NONE)
			printf("ID:          %" PRIu32 "\n", d->domid);
		else
			printf("ID:          -\n");
		printf("UUID:        %s\nState:       %s\n", uuid, cli_state_name(d->state));
		if (d->state == API_STATE_SHUTDOWN || d->state == API_STATE_CRASHED)
			printf("Reason:      %s\n", reason_str(d->shutdown_reason, num));
		printf("Memory:      %" PRIu64 " MiB (current), %" PRIu64 " MiB (target), %" PRIu64
		       " MiB (max)\n",
		       d->cur_kib / 1024, d->target_kib / 1024, d->max_kib / 1024);
		printf("VCPUs:       %" PRIu32 " (%" PRIu32 " online)\n", d->vcpus,
		       d->online_vcpus);
		printf("CPU time:    %.3f s\n", (double)d->cpu_time_ns / 1e9);
		if (strcmp(start_str(d, num), "-")) {
			char up[32];

			cli_format_uptime(cli_uptime_s(d), up);
			printf("Started:     %s\nUptime:      %s\n", num, up);
		}
		printf("Persistent:  %s\nAutostart:   %s\n",
		       d->flags & API_INFO_PERSISTENT ? "yes" : "no",
		       d->flags & API_INFO_AUTOSTART ? "yes" : "no");
		cli_info_disks(d->name, false);
		cli_info_nics(d->name, false);
	}
	free(reply);
	return CLI_EXIT_OK;
}

int cli_cmd_stop(struct cli_ctx *ctx, int argc, char **argv)
{
	bool reboot = !strcmp(argv[0], "reboot");
	struct api_req req = {0};
	struct opts o;
	char *reply = NULL;
	size_t len = 0;
	int rc;

	if (!parse(ctx, argc, argv, 1, &o, &req))
		return o.status;
	req.flags = (o.wait ? API_F_WAIT : 0) | (o.force ? API_F_FORCE : 0);
	req.value = o.timeout;
	if (o.all)
		return each_running(API_SHUTDOWN, &req,
		                    o.wait ? "shut down" : "shutdown requested");
	rc = cli_request(reboot ? API_REBOOT : API_SHUTDOWN, &req, NULL, NULL, &reply, &len);
	if (!rc && !reboot && len && !strcmp(reply, "destroyed"))
		printf("Domain '%s' did not shut down in time: destroyed (--force)\n",
		       argv[o.first]);
	else if (!rc && !o.wait)
		printf("Domain '%s': %s requested\n", argv[o.first],
		       reboot ? "reboot" : "shutdown");
	else if (!rc && reboot && len == sizeof(struct api_dominfo))
		printf("Domain '%s' rebooted (id %" PRIu32 ")\n", argv[o.first],
		       ((const struct api_dominfo *)(const void *)reply)->domid);
	else if (!rc)
		printf("Domain '%s' %s\n", argv[o.first], reboot ? "rebooted" : "shut down");
	free(reply);
	return rc;
}

/* SIZE for mem-set: a number with an optional unit (K/KiB, M/MiB, G/GiB; default MiB) → KiB. */
static bool parse_size(const char *s, uint64_t *kib)
{
	static const struct {
		const char *unit;
		uint64_t kib;
	} units[] = {{"", 1024},    {"K", 1},    {"KiB", 1},     {"k", 1},         {"M", 1024},
	             {"MiB", 1024}, {"m", 1024}, {"G", 1048576}, {"GiB", 1048576}, {"g", 1048576}};
	char *end;
	unsigned long long v;

	errno = 0;
	if (*s < '0' || *s > '9')
		return false;
	v = strtoull(s, &end, 10);
	if (errno)
		return false;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (!strcmp(end, units[i].unit)) {
			if (v > UINT64_MAX / units[i].kib)
				return false;
			*kib = v * units[i].kib;
			return true;
		}
	}
	return false;
}

int cli_cmd_set(struct cli_ctx *ctx, int argc, char **argv)
{
	bool mem = !strncmp(argv[0], "mem-", 4), max = !strcmp(argv[0], "mem-max");
	struct api_req req = {0};
	struct opts o;
	char *reply = NULL, *end;
	int rc;

	if (!parse(ctx, argc, argv, 2, &o, &req))
		return o.status;
	if (mem && !parse_size(argv[o.first + 1], &req.value))
		return cli_usage_error(o.cmd, "'%s' is not a size (e.g. 256, 256M, 262144K, 1G)",
		                       argv[o.first + 1]);
	if (!mem) {
		errno = 0;
		req.value = strtoul(argv[o.first + 1], &end, 10);
		if (*end || errno || !req.value || argv[o.first + 1][0] == '-')
			return cli_usage_error(o.cmd, "'%s' is not a vCPU count",
			                       argv[o.first + 1]);
	}
	rc = cli_request(max   ? API_MEM_MAX
	                 : mem ? API_MEM_SET
	                       : API_VCPU_SET,
	                 &req, NULL, argv[o.first], &reply, NULL);
	free(reply);
	return rc;
}

int cli_cmd_text(struct cli_ctx *ctx, int argc, char **argv)
{
	struct api_req req = {0};
	struct opts o;
	char *reply = NULL;
	size_t len = 0;
	int rc;

	if (!parse(ctx, argc, argv, 1, &o, &req))
		return o.status;
	rc = cli_request(strcmp(o.cmd->name, "dmesg") ? API_DUMPXML : API_DMESG, &req, NULL, NULL,
	                 &reply, &len);
	if (!rc)
		fwrite(reply, 1, len, stdout);
	free(reply);
	return rc;
}

int cli_cmd_dump_core(struct cli_ctx *ctx, int argc, char **argv)
{
	struct api_req req = {0};
	struct opts o;
	char *reply = NULL, *file = NULL;
	int rc;

	if (!parse(ctx, argc, argv, 2, &o, &req))
		return o.status;
	if (!argv[o.first + 1][0])
		return cli_usage_error(o.cmd, "FILE is empty");
	file = cli_absolute_path(argv[o.first + 1]);
	if (!file) {
		fprintf(stderr, "shoji dump-core: out of memory\n");
		return CLI_EXIT_FAILED;
	}
	req.text_len = (uint32_t)strlen(file);
	rc = cli_request(API_DUMP_CORE, &req, file, argv[o.first], &reply, NULL);
	if (!rc)
		printf("Domain '%s' dumped to %s\n", argv[o.first], file);
	free(reply);
	free(file);
	return rc;
}

/* ---- xl/virsh conveniences: domid, domname, domuuid, rename, sysrq ---- */

int cli_cmd_ident(struct cli_ctx *ctx, int argc, char **argv)
{
	struct api_req req = {0};
	struct opts o;
	char *reply = NULL, u[37];
	size_t len = 0;
	const struct api_dominfo *d;
	int rc;

	if (!parse(ctx, argc, argv, 1, &o, &req))
		return o.status;
	if (!strcmp(o.cmd->name, "domname") &&
	    strspn(req.target, "0123456789") != strlen(req.target))
		return cli_usage_error(o.cmd, "'%s' is not a domain id", req.target);
	rc = cli_request(API_INFO, &req, NULL, NULL, &reply, &len);
	if (rc)
		return rc;
	d = (const void *)reply;
	if (len != sizeof(*d)) {
		fprintf(stderr, "shoji: shojid sent a malformed reply\n");
		rc = CLI_EXIT_FAILED;
	} else if (!strcmp(o.cmd->name, "domuuid")) {
		uuid_unparse_lower(d->uuid, u);
		printf("%s\n", u);
	} else if (!strcmp(o.cmd->name, "domname")) {
		printf("%s\n", d->name);
	} else if (d->domid == API_DOMID_NONE) {
		fprintf(stderr, "shoji domid: domain '%s' is not running (it has no id)\n",
		        d->name);
		rc = CLI_EXIT_FAILED;
	} else {
		printf("%" PRIu32 "\n", d->domid);
	}
	free(reply);
	return rc;
}

int cli_cmd_rename(struct cli_ctx *ctx, int argc, char **argv)
{
	struct api_req req = {0};
	struct opts o;
	char *reply = NULL;
	const char *to, *why = NULL;
	int rc;

	if (!parse(ctx, argc, argv, 2, &o, &req))
		return o.status;
	to = argv[o.first + 1];
	if (!domxml_name_valid(to, &why))
		return cli_usage_error(o.cmd, "'%s' is not a valid domain name: %s", to, why);
	req.text_len = (uint32_t)strlen(to);
	rc = cli_request(API_RENAME, &req, to, argv[o.first], &reply, NULL);
	if (!rc)
		printf("Domain '%s' renamed to '%s'\n", argv[o.first], to);
	free(reply);
	return rc;
}

int cli_cmd_sysrq(struct cli_ctx *ctx, int argc, char **argv)
{
	struct api_req req = {0};
	struct opts o;
	char *reply = NULL;
	const char *key;
	int rc;

	if (!parse(ctx, argc, argv, 2, &o, &req))
		return o.status;
	key = argv[o.first + 1];
	if (strlen(key) != 1 || key[0] < 0x21 || key[0] > 0x7e)
		return cli_usage_error(o.cmd, "KEY is one printable character, not '%s'", key);
	req.value = (unsigned char)key[0];
	rc = cli_request(API_SYSRQ, &req, NULL, argv[o.first], &reply, NULL);
	if (!rc)
		printf("Domain '%s': sysrq '%c' sent\n", argv[o.first], key[0]);
	free(reply);
	return rc;
}

/* ---- disks ---- */

static const char *const xenbus_state_names[] = {
    "unknown", "initialising", "initwait",      "initialised",  "connected",
    "closing", "closed",       "reconfiguring", "reconfigured",
};

static const char *xenbus_cli_state_name(int32_t s)
{
	return s >= 0 && s < (int32_t)(sizeof(xenbus_state_names) / sizeof(xenbus_state_names[0]))
	           ? xenbus_state_names[s]
	           : "-";
}

/* A reply of n struct api_vbd; false (said on stderr) when it is not one. */
static bool vbd_reply(const char *reply, size_t len, size_t *n)
{
	if (len % sizeof(struct api_vbd)) {
		fprintf(stderr, "shoji: shojid sent a malformed disk list\n");
		return false;
	}
	*n = len / sizeof(struct api_vbd);
	return true;
}

static void json_vbd(const struct api_vbd *v)
{
	char src[API_PATH_MAX], tgt[sizeof(v->target) + 1], be[sizeof(v->be_path) + 1];

	/* Copies, NUL-terminated whatever shojid sent. */
	snprintf(src, sizeof(src), "%.*s", (int)sizeof(v->source) - 1, v->source);
	snprintf(tgt, sizeof(tgt), "%.*s", (int)sizeof(v->target), v->target);
	snprintf(be, sizeof(be), "%.*s", (int)sizeof(v->be_path), v->be_path);
	printf("{\"vdev\": %" PRId32 ", \"target\": ", v->devid);
	cli_json_string(stdout, tgt);
	printf(", \"type\": \"%s\", \"device\": \"%s\", \"mode\": \"%s\", \"source\": ",
	       v->type == DOMAIN_DISK_BLOCK ? "phy" : "file",
	       v->device == DOMAIN_DISK_DEVICE_CDROM ? "cdrom" : "disk", v->readonly ? "r" : "w");
	cli_json_string(stdout, src);
	printf(", \"backend_id\": %" PRId32 ", \"state\": %" PRId32 ", \"backend_state\": %" PRId32
	       ", \"evtchn\": %" PRId32 ", \"ring_ref\": %" PRId32 ", \"backend_path\": ",
	       v->backend_id, v->state, v->be_state, v->evtchn, v->ring_ref);
	cli_json_string(stdout, be[0] ? be : NULL);
	printf("}");
}

void cli_info_disks(const char *name, bool json)
{
	struct api_req req = {.flags = API_F_ALL};
	char *reply = NULL;
	size_t len = 0, n = 0;
	const struct api_vbd *v;

	snprintf(req.target, sizeof(req.target), "%s", name);
	if (cli_request(API_BLOCK_LIST, &req, NULL, NULL, &reply, &len) ||
	    !vbd_reply(reply, len, &n))
		n = 0;
	v = (const void *)reply;
	if (json) {
		printf("[");
		for (size_t i = 0; i < n; i++) {
			printf(i ? ", " : "");
			json_vbd(&v[i]);
		}
		printf("]");
	} else {
		printf("Disks:       %s\n", n ? "" : "none");
		for (size_t i = 0; i < n; i++)
			printf("  %-6.8s %-4s %s %-5s %-12s %.*s\n", v[i].target,
			       v[i].type == DOMAIN_DISK_BLOCK ? "phy" : "file",
			       v[i].readonly ? "r" : "w",
			       v[i].device == DOMAIN_DISK_DEVICE_CDROM ? "cdrom" : "disk",
			       xenbus_cli_state_name(v[i].state), (int)sizeof(v[i].source) - 1,
			       v[i].source);
	}
	free(reply);
}

static int block_list(struct opts *o, struct api_req *req, char **argv)
{
	(void)argv;
	char *reply = NULL;
	size_t len = 0, n = 0;
	const struct api_vbd *v;
	int rc = cli_request(API_BLOCK_LIST, req, NULL, NULL, &reply, &len);

	if (rc)
		return rc;
	if (!vbd_reply(reply, len, &n)) {
		free(reply);
		return CLI_EXIT_FAILED;
	}
	v = (const void *)reply;
	if (o->json) {
		printf("[");
		for (size_t i = 0; i < n; i++) {
			printf(i ? ",\n " : "");
			json_vbd(&v[i]);
		}
		printf("]\n");
	} else {
		printf("%-9s %-3s %-9s %-5s %-6s %-8s %s\n", "Vdev", "BE", "handle", "state",
		       "evt-ch", "ring-ref", "BE-path");
		for (size_t i = 0; i < n; i++)
			printf("%-9" PRId32 " %-3" PRId32 " %-9" PRId32 " %-5" PRId32 " %-6" PRId32
			       " %-8" PRId32 " %.*s\n",
			       v[i].devid, v[i].backend_id, v[i].devid, v[i].state, v[i].evtchn,
			       v[i].ring_ref, (int)sizeof(v[i].be_path), v[i].be_path);
	}
	free(reply);
	return CLI_EXIT_OK;
}

static int block_attach(struct opts *o, struct api_req *req, char **argv)
{
	const char *target = argv[o->first + 2];
	char *source = NULL, *text = NULL, *reply = NULL;
	int rc;

	if (domxml_disk_devid(target) < 0)
		return cli_usage_error(
		    o->cmd, "'%s' is not a Xen PV disk name (xvda, xvdb, ..., xvdzz)", target);
	if (o->cdrom && o->mode && !strcmp(o->mode, "w"))
		return cli_usage_error(o->cmd, "a cdrom is read-only (--mode w with --cdrom)");
	if (!argv[o->first + 1][0])
		return cli_usage_error(o->cmd, "SOURCE is empty");
	source = cli_absolute_path(argv[o->first + 1]);
	if (!source || asprintf(&text, "%s\n%s", target, source) < 0) {
		fprintf(stderr, "shoji block-attach: out of memory\n");
		free(source);
		return CLI_EXIT_FAILED;
	}
	req->flags = (o->mode && !strcmp(o->mode, "r") ? API_F_READONLY : 0) |
	             (o->cdrom ? API_F_CDROM : 0) |
	             (o->type ? (!strcmp(o->type, "phy") ? API_F_PHY : API_F_FILE) : 0);
	req->text_len = (uint32_t)strlen(text);
	rc = cli_request(API_BLOCK_ATTACH, req, text, argv[o->first], &reply, NULL);
	if (!rc)
		printf("Disk %s (%s) attached to '%s'\n", target, source, argv[o->first]);
	free(reply);
	free(text);
	free(source);
	return rc;
}

static int block_detach(struct opts *o, struct api_req *req, char **argv)
{
	const char *target = argv[o->first + 1];
	char *reply = NULL;
	int rc;

	if (domxml_disk_devid(target) < 0)
		return cli_usage_error(
		    o->cmd, "'%s' is not a Xen PV disk name (xvda, xvdb, ..., xvdzz)", target);
	req->flags = o->force ? API_F_FORCE : 0;
	req->value = o->timeout;
	req->text_len = (uint32_t)strlen(target);
	rc = cli_request(API_BLOCK_DETACH, req, target, argv[o->first], &reply, NULL);
	if (!rc)
		printf("Disk %s detached from '%s'\n", target, argv[o->first]);
	free(reply);
	return rc;
}

/* ---- network interfaces ---- */

/* A reply of n struct api_vif; false (said on stderr) when it is not one. */
static bool vif_reply(const char *reply, size_t len, size_t *n)
{
	if (len % sizeof(struct api_vif)) {
		fprintf(stderr, "shoji: shojid sent a malformed interface list\n");
		return false;
	}
	*n = len / sizeof(struct api_vif);
	return true;
}

/* NUL-terminated copies of an api_vif's strings, whatever shojid sent. */
struct vif_text {
	char mac[18], bridge[17], vifname[17], be[129];
};

static void vif_text(const struct api_vif *v, struct vif_text *t)
{
	snprintf(t->mac, sizeof(t->mac), "%02x:%02x:%02x:%02x:%02x:%02x", v->mac[0], v->mac[1],
	         v->mac[2], v->mac[3], v->mac[4], v->mac[5]);
	snprintf(t->bridge, sizeof(t->bridge), "%.*s", (int)sizeof(v->bridge), v->bridge);
	snprintf(t->vifname, sizeof(t->vifname), "%.*s", (int)sizeof(v->vifname), v->vifname);
	snprintf(t->be, sizeof(t->be), "%.*s", (int)sizeof(v->be_path), v->be_path);
}

/* A counter as JSON: null when the interface does not exist. */
static void json_count(const char *name, int64_t v)
{
	if (v < 0)
		printf(", \"%s\": null", name);
	else
		printf(", \"%s\": %" PRId64, name, v);
}

static void json_vif(const struct api_vif *v)
{
	struct vif_text t = {0};

	vif_text(v, &t);
	printf(v->devid < 0 ? "{\"devid\": null" : "{\"devid\": %" PRId32, v->devid);
	printf(", \"type\": \"%s\", \"mac\": \"%s\", \"bridge\": ",
	       v->type == DOMAIN_NIC_BRIDGE ? "bridge" : "ethernet", t.mac);
	cli_json_string(stdout, t.bridge[0] ? t.bridge : NULL);
	printf(", \"vifname\": ");
	cli_json_string(stdout, t.vifname[0] ? t.vifname : NULL);
	printf(", \"backend_id\": %" PRId32 ", \"state\": %" PRId32 ", \"backend_state\": %" PRId32
	       ", \"backend_path\": ",
	       v->backend_id, v->state, v->be_state);
	cli_json_string(stdout, t.be[0] ? t.be : NULL);
	json_count("rx_packets", v->rx_packets);
	json_count("rx_bytes", v->rx_bytes);
	json_count("tx_packets", v->tx_packets);
	json_count("tx_bytes", v->tx_bytes);
	printf("}");
}

/* A counter for the text output: "-" when the interface does not exist. */
static const char *count_str(int64_t v, char buf[24])
{
	if (v < 0)
		return "-";
	snprintf(buf, 24, "%" PRId64, v);
	return buf;
}

void cli_info_nics(const char *name, bool json)
{
	struct api_req req = {.flags = API_F_ALL};
	char *reply = NULL, id[24], a[24], b[24], c[24], d[24];
	size_t len = 0, n = 0;
	const struct api_vif *v;

	snprintf(req.target, sizeof(req.target), "%s", name);
	if (cli_request(API_NET_LIST, &req, NULL, NULL, &reply, &len) || !vif_reply(reply, len, &n))
		n = 0;
	v = (const void *)reply;
	if (json) {
		printf("[");
		for (size_t i = 0; i < n; i++) {
			printf(i ? ", " : "");
			json_vif(&v[i]);
		}
		printf("]");
		free(reply);
		return;
	}
	printf("Interfaces:  %s\n", n ? "" : "none");
	for (size_t i = 0; i < n; i++) {
		struct vif_text t = {0};

		vif_text(&v[i], &t);
		printf("  %s %s tap %s bridge %s %s rx %s pkts %s bytes, tx %s pkts %s bytes\n",
		       v[i].devid < 0 ? "-"
		                      : (snprintf(id, sizeof(id), "%" PRId32, v[i].devid), id),
		       t.mac, t.vifname[0] ? t.vifname : "-", t.bridge[0] ? t.bridge : "-",
		       xenbus_cli_state_name(v[i].state), count_str(v[i].rx_packets, b),
		       count_str(v[i].rx_bytes, c), count_str(v[i].tx_packets, d),
		       count_str(v[i].tx_bytes, a));
	}
	free(reply);
}

static int net_list(struct opts *o, struct api_req *req, char **argv)
{
	(void)argv;
	char *reply = NULL;
	size_t len = 0, n = 0;
	const struct api_vif *v;
	int rc = cli_request(API_NET_LIST, req, NULL, NULL, &reply, &len);

	if (rc)
		return rc;
	if (!vif_reply(reply, len, &n)) {
		free(reply);
		return CLI_EXIT_FAILED;
	}
	v = (const void *)reply;
	if (o->json) {
		printf("[");
		for (size_t i = 0; i < n; i++) {
			printf(i ? ",\n " : "");
			json_vif(&v[i]);
		}
		printf("]\n");
	} else {
		printf("%-3s %-2s %-17s %-6s %-5s %-8s %-15s %-15s %s\n", "Idx", "BE", "Mac Addr.",
		       "handle", "state", "BE-state", "bridge", "vifname", "BE-path");
		for (size_t i = 0; i < n; i++) {
			struct vif_text t = {0};

			vif_text(&v[i], &t);
			printf("%-3" PRId32 " %-2" PRId32 " %-17s %-6" PRId32 " %-5" PRId32
			       " %-8" PRId32 " %-15s %-15s %s\n",
			       v[i].devid, v[i].backend_id, t.mac, v[i].devid, v[i].state,
			       v[i].be_state, t.bridge[0] ? t.bridge : "-",
			       t.vifname[0] ? t.vifname : "-", t.be);
		}
	}
	free(reply);
	return CLI_EXIT_OK;
}

static int net_attach(struct opts *o, struct api_req *req, char **argv)
{
	char *text = NULL, *reply = NULL;
	size_t len = 0;
	int rc;

	if (asprintf(&text, "%s\n%s\n%s", o->mac ? o->mac : "", o->bridge ? o->bridge : "",
	             o->vifname ? o->vifname : "") < 0) {
		fprintf(stderr, "shoji network-attach: out of memory\n");
		return CLI_EXIT_FAILED;
	}
	req->text_len = (uint32_t)strlen(text);
	rc = cli_request(API_NET_ATTACH, req, text, argv[o->first], &reply, &len);
	if (!rc && len == sizeof(struct api_vif)) {
		const struct api_vif *v = (const void *)reply;
		struct vif_text t = {0};

		vif_text(v, &t);
		printf("Interface %" PRId32 " (%s, %s%s%s) attached to '%s'\n", v->devid, t.mac,
		       t.vifname, t.bridge[0] ? " on " : "", t.bridge, argv[o->first]);
	} else if (!rc) {
		printf("Interface attached to '%s'\n", argv[o->first]);
	}
	free(reply);
	free(text);
	return rc;
}

static int net_detach(struct opts *o, struct api_req *req, char **argv)
{
	const char *devid = argv[o->first + 1];
	char *reply = NULL;
	int rc;

	if (!devid[0] || strspn(devid, "0123456789") != strlen(devid) || strlen(devid) > 5)
		return cli_usage_error(o->cmd,
		                       "'%s' is not a device number (network-list shows "
		                       "them)",
		                       devid);
	req->flags = o->force ? API_F_FORCE : 0;
	req->value = o->timeout;
	req->text_len = (uint32_t)strlen(devid);
	rc = cli_request(API_NET_DETACH, req, devid, argv[o->first], &reply, NULL);
	if (!rc)
		printf("Interface %s detached from '%s'\n", devid, argv[o->first]);
	free(reply);
	return rc;
}

/* block-* and network-*: the command's operand count and its function. */
int cli_cmd_device(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct {
		const char *name;
		int operands;
		int (*run)(struct opts *o, struct api_req *req, char **argv);
	} kinds[] = {
	    {"block-attach", 3, block_attach}, {"block-detach", 2, block_detach},
	    {"block-list", 1, block_list},     {"network-attach", 1, net_attach},
	    {"network-detach", 2, net_detach}, {"network-list", 1, net_list},
	};
	struct api_req req = {0};
	struct opts o;
	size_t k = 0;

	while (strcmp(kinds[k].name, argv[0]))
		k++;
	if (!parse(ctx, argc, argv, kinds[k].operands, &o, &req))
		return o.status;
	return kinds[k].run(&o, &req, argv);
}

static const char *const event_names[API_EV_MAX] = {
    [API_EV_CREATED] = "created",     [API_EV_PAUSED] = "paused",
    [API_EV_UNPAUSED] = "unpaused",   [API_EV_SHUTDOWN] = "shutdown",
    [API_EV_CRASHED] = "crashed",     [API_EV_DESTROYED] = "destroyed",
    [API_EV_RESTARTED] = "restarted", [API_EV_DEFINED] = "defined",
    [API_EV_UNDEFINED] = "undefined",
};

static void print_event(const struct api_event *ev, bool json)
{
	const char *kind = ev->kind < API_EV_MAX ? event_names[ev->kind] : "unknown";
	time_t t = (time_t)(ev->time_ns / 1000000000ULL);
	char when[32], num[16];

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", gmtime(&t));
	if (json) {
		printf("{\"time\": \"%s.%03uZ\", \"event\": \"%s\", \"name\": ", when,
		       (unsigned int)(ev->time_ns / 1000000 % 1000), kind);
		cli_json_string(stdout, ev->name);
		printf(ev->domid == API_DOMID_NONE ? ", \"id\": null" : ", \"id\": %" PRIu32,
		       ev->domid);
		if (ev->kind == API_EV_RESTARTED)
			printf(", \"new_id\": %" PRIu32, ev->new_domid);
		if (ev->kind == API_EV_SHUTDOWN || ev->kind == API_EV_CRASHED) {
			printf(", \"reason\": ");
			cli_json_string(stdout, reason_str(ev->reason, num));
		}
		printf("}\n");
	} else {
		printf("%s %-9s %s", when, kind, ev->name);
		if (ev->domid != API_DOMID_NONE)
			printf(" id=%" PRIu32, ev->domid);
		if (ev->kind == API_EV_RESTARTED)
			printf(" new_id=%" PRIu32, ev->new_domid);
		if (ev->kind == API_EV_SHUTDOWN || ev->kind == API_EV_CRASHED)
			printf(" reason=%s", reason_str(ev->reason, num));
		printf("\n");
	}
	fflush(stdout);
}

int cli_cmd_events(struct cli_ctx *ctx, int argc, char **argv)
{
	struct api_req req = {0};
	struct api_hdr h = {0};
	struct opts o;
	char *payload = NULL;
	int fd = -1, rc;

	if (!parse(ctx, argc, argv, 0, &o, NULL))
		return o.status;
	rc = cli_connect(&fd);
	if (rc)
		return rc;
	rc = cli_send(fd, API_EVENTS, &req, NULL);
	if (!rc)
		rc = cli_recv(fd, &h, &payload);
	if (!rc && h.status) {
		fprintf(stderr, "shoji: %s\n", payload);
		rc = cli_status_exit(h.status);
	}
	while (!rc) {
		free(payload);
		payload = NULL;
		rc = cli_recv(fd, &h, &payload);
		if (!rc && h.type == API_EVENT_MSG && h.len == sizeof(struct api_event))
			print_event((const struct api_event *)(const void *)payload, o.json);
	}
	free(payload);
	close(fd);
	return rc;
}
