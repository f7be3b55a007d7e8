/*
 * Domain statistics: `shoji domstats` (one sample: CPU time, vCPUs, memory,
 * state, uptime) and `shoji top` (like xentop: CPU % between two samples,
 * refreshed; --batch prints plain lines for scripts).  Both read what
 * shojid's API_LIST reports; CPU time is the sum of the domain's vCPU thread
 * times, as shoji-hv measures them.  No block or network counters: the
 * backends publish none yet, so none are shown.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

struct stats_opts {
	bool json, batch;
	unsigned long iterations; /* 0: until interrupted */
	double delay_s;
	int first; /* the first operand */
};

enum { SO_JSON = 256, SO_BATCH, SO_ITERATIONS, SO_DELAY, SO_HELP };

/* Parses argv for domstats (operands: names) or top (options only); -1 after --help. */
static int stats_parse(const struct cli_command *cmd, struct cli_ctx *ctx, int argc, char **argv,
                       struct stats_opts *o)
{
	static const struct option top_opts[] = {
	    {"json", no_argument, NULL, SO_JSON},
	    {"batch", no_argument, NULL, SO_BATCH},
	    {"iterations", required_argument, NULL, SO_ITERATIONS},
	    {"delay", required_argument, NULL, SO_DELAY},
	    {"help", no_argument, NULL, SO_HELP},
	    {0},
	};
	static const struct option domstats_opts[] = {
	    {"json", no_argument, NULL, SO_JSON},
	    {"help", no_argument, NULL, SO_HELP},
	    {0},
	};
	bool top = !strcmp(cmd->name, "top");
	char *end;
	int c;

	memset(o, 0, sizeof(*o));
	o->json = ctx->json;
	o->delay_s = 3; /* xentop's default */
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", top ? top_opts : domstats_opts, NULL)) != -1) {
		switch (c) {
		case 'h':
		case SO_HELP:
			cli_print_help(stdout, cmd);
			return -1;
		case SO_JSON:
			o->json = true;
			break;
		case SO_BATCH:
			o->batch = true;
			break;
		case SO_ITERATIONS:
			errno = 0;
			o->iterations = strtoul(optarg, &end, 10);
			if (*end || errno || optarg[0] == '-' || !o->iterations ||
			    o->iterations > 1000000)
				return cli_usage_error(cmd, "--iterations needs 1 .. 1000000");
			break;
		case SO_DELAY:
			errno = 0;
			o->delay_s = strtod(optarg, &end);
			if (*end || errno || end == optarg || !(o->delay_s >= 0.1) ||
			    o->delay_s > 3600)
				return cli_usage_error(cmd, "--delay needs 0.1 .. 3600 seconds");
			break;
		default:
			return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (top && optind != argc)
		return cli_usage_error(cmd, "too many operands");
	o->first = optind;
	return CLI_EXIT_OK;
}

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* ---- domstats ---- */

static void domstats_one(const struct api_dominfo *d, bool json, bool first)
{
	uint64_t up = cli_uptime_s(d);

	if (json) {
		printf("%s{\"name\": ", first ? "" : ",\n ");
		cli_json_string(stdout, d->name);
		printf(", \"id\": %" PRIu32 ", \"state\": \"%s\", \"cpu_time_ns\": %" PRIu64
		       ", \"vcpus\": %" PRIu32 ", \"online_vcpus\": %" PRIu32
		       ", \"memory_kib\": %" PRIu64 ", \"target_memory_kib\": %" PRIu64
		       ", \"max_memory_kib\": %" PRIu64 ", \"uptime_s\": ",
		       d->domid, cli_state_name(d->state), d->cpu_time_ns, d->vcpus,
		       d->online_vcpus, d->cur_kib, d->target_kib, d->max_kib);
		printf(d->start_time_ns ? "%" PRIu64 "}" : "null}", up);
		return;
	}
	/* virsh domstats' "Domain: NAME" then key=value lines. */
	printf("%sDomain: '%s'\n", first ? "" : "\n", d->name);
	printf("  state.state=%s\n  domain.id=%" PRIu32 "\n", cli_state_name(d->state), d->domid);
	printf("  cpu.time=%" PRIu64 "\n", d->cpu_time_ns);
	printf("  vcpu.current=%" PRIu32 "\n  vcpu.maximum=%" PRIu32 "\n", d->online_vcpus,
	       d->vcpus);
	printf("  balloon.current=%" PRIu64 "\n  balloon.target=%" PRIu64
	       "\n  balloon.maximum=%" PRIu64 "\n",
	       d->cur_kib, d->target_kib, d->max_kib);
	if (d->start_time_ns)
		printf("  uptime=%" PRIu64 "\n", up);
}

int cli_cmd_domstats(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_command *cmd = cli_find("domstats");
	struct stats_opts o;
	struct api_dominfo *v = NULL;
	size_t n = 0, shown = 0;
	int rc = stats_parse(cmd, ctx, argc, argv, &o), missing = 0;

	if (rc)
		return rc < 0 ? CLI_EXIT_OK : rc;
	rc = cli_list(false, &v, &n);
	if (rc)
		return rc;
	/* Every NAME (a name or an id) must be a running domain. */
	for (int i = o.first; i < argc; i++) {
		bool found = false;

		for (size_t k = 0; k < n && !found; k++) {
			char id[16];

			snprintf(id, sizeof(id), "%" PRIu32, v[k].domid);
			found = !strcmp(argv[i], v[k].name) || !strcmp(argv[i], id);
		}
		if (!found) {
			fprintf(stderr, "shoji domstats: no running domain '%s'\n", argv[i]);
			missing++;
		}
	}
	if (missing) {
		free(v);
		return CLI_EXIT_NO_DOMAIN;
	}
	if (o.json)
		printf("[");
	for (size_t k = 0; k < n; k++) {
		bool want = o.first == argc;
		char id[16];

		snprintf(id, sizeof(id), "%" PRIu32, v[k].domid);
		for (int i = o.first; i < argc && !want; i++)
			want = !strcmp(argv[i], v[k].name) || !strcmp(argv[i], id);
		if (want)
			domstats_one(&v[k], o.json, !shown++);
	}
	if (o.json)
		printf("]\n");
	free(v);
	return CLI_EXIT_OK;
}

/* ---- top ---- */

/* CPU % of d since prev (the same domain id in the previous sample), over wall_ns. */
static double cpu_percent(const struct api_dominfo *d, const struct api_dominfo *prev, size_t np,
                          uint64_t wall_ns)
{
	for (size_t i = 0; i < np; i++)
		if (prev[i].domid == d->domid && wall_ns && d->cpu_time_ns >= prev[i].cpu_time_ns)
			return 100.0 * (double)(d->cpu_time_ns - prev[i].cpu_time_ns) /
			       (double)wall_ns;
	return 0.0;
}

static void top_print(const struct stats_opts *o, const struct api_dominfo *v, size_t n,
                      const struct api_dominfo *prev, size_t np, uint64_t wall_ns)
{
	time_t t = time(NULL);
	struct tm tm;
	char when[32];

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (o->json) {
		printf("{\"time\": \"%s\", \"domains\": [", when);
		for (size_t i = 0; i < n; i++) {
			printf(i ? ", {\"name\": " : "{\"name\": ");
			cli_json_string(stdout, v[i].name);
			printf(", \"id\": %" PRIu32 ", \"state\": \"%s\", \"cpu_percent\": %.1f"
			       ", \"cpu_time_s\": %.3f, \"memory_kib\": %" PRIu64
			       ", \"max_memory_kib\": %" PRIu64 ", \"vcpus\": %" PRIu32
			       ", \"online_vcpus\": %" PRIu32 "}",
			       v[i].domid, cli_state_name(v[i].state),
			       cpu_percent(&v[i], prev, np, wall_ns),
			       (double)v[i].cpu_time_ns / 1e9, v[i].cur_kib, v[i].max_kib,
			       v[i].vcpus, v[i].online_vcpus);
		}
		printf("]}\n");
		fflush(stdout);
		return;
	}
	if (!o->batch)
		printf("\033[H\033[2J%s  shoji top - %zu domain%s (Ctrl-C quits)\n", when, n,
		       n == 1 ? "" : "s");
	printf("%-24s %5s %-9s %10s %6s %10s %10s %5s\n", "NAME", "ID", "STATE", "CPU(sec)",
	       "CPU(%)", "MEM(KiB)", "MAXMEM(KiB)", "VCPUS");
	for (size_t i = 0; i < n; i++)
		printf("%-24s %5" PRIu32 " %-9s %10" PRIu64 " %6.1f %10" PRIu64 " %10" PRIu64
		       " %5" PRIu32 "\n",
		       v[i].name, v[i].domid, cli_state_name(v[i].state),
		       v[i].cpu_time_ns / UINT64_C(1000000000),
		       cpu_percent(&v[i], prev, np, wall_ns), v[i].cur_kib, v[i].max_kib,
		       v[i].vcpus);
	fflush(stdout);
}

int cli_cmd_top(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_command *cmd = cli_find("top");
	struct stats_opts o;
	struct api_dominfo *prev = NULL, *cur = NULL;
	size_t np = 0, n = 0;
	uint64_t t_prev, t_cur;
	int rc = stats_parse(cmd, ctx, argc, argv, &o);
	struct timespec nap;

	if (rc)
		return rc < 0 ? CLI_EXIT_OK : rc;
	nap.tv_sec = (time_t)o.delay_s;
	nap.tv_nsec = (long)((o.delay_s - (double)nap.tv_sec) * 1e9);
	rc = cli_list(false, &prev, &np);
	t_prev = now_ns(CLOCK_MONOTONIC);
	for (unsigned long it = 0; !rc && (!o.iterations || it < o.iterations); it++) {
		while (nanosleep(&nap, &nap) < 0 && errno == EINTR)
			;
		nap.tv_sec = (time_t)o.delay_s;
		nap.tv_nsec = (long)((o.delay_s - (double)nap.tv_sec) * 1e9);
		rc = cli_list(false, &cur, &n);
		if (rc)
			break;
		t_cur = now_ns(CLOCK_MONOTONIC);
		top_print(&o, cur, n, prev, np, t_cur - t_prev);
		free(prev);
		prev = cur;
		np = n;
		cur = NULL;
		t_prev = t_cur;
	}
	free(prev);
	return rc;
}
