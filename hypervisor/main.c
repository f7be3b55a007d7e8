/*
 * shoji-hv: the hypervisor core.  `shoji-hv run KERNEL ...` boots one guest
 * in the foreground; without `run` it is the daemon serving the control
 * socket.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "control.h"
#include "cpuid.h"
#include "log.h"
#include "number.h"
#include "run.h"
#include "vmpool.h"

#define EXIT_USAGE 2
/* --memory and --pool-memory are in MiB */
#define MEMORY_MAX_MIB (SHOJI_DOMAIN_MEMORY_MAX_KIB / 1024)

/* A printf format: the two limits are <shoji/limits.h>'s (print_help). */
static const char usage_text[] =
    "Usage: shoji-hv run KERNEL [OPTIONS]    boot one PVH guest in the foreground\n"
    "       shoji-hv [--socket PATH] [--daemon] [--verbose]   run the control daemon\n"
    "       shoji-hv --version | --help\n"
    "\n"
    "Run options:\n"
    "  --initrd FILE          load FILE as module 0 (initrd)\n"
    "  --cmdline STR          guest command line\n"
    "  --memory MIB           guest RAM in MiB (default 64, at most %llu)\n"
    "  --vcpus N              number of vCPUs (default 1, at most %d)\n"
    "  --name NAME            domain name\n"
    "  --hide-cpuid LIST      comma-separated CPUID features to hide, or \"none\"\n"
    "                         (default " CPUID_HIDE_DEFAULT ")\n"
    "  -v, --verbose          more diagnostics on stderr\n"
    "\n"
    "Daemon options:\n"
    "  --socket PATH          control socket (default " SHOJI_RUNDIR "/hv.sock)\n"
    "  --daemon               detach from the terminal\n"
    "\n"
    "Exit status of run: 0 poweroff, 10 + SHUTDOWN_* reason (11 reboot, 12 suspend,\n"
    "13 crash, 14 watchdog, 15 soft_reset), 13 also when the guest dies, 1 host error,\n"
    "2 usage error.\n";

static void print_help(void)
{
	printf(usage_text, MEMORY_MAX_MIB, SHOJI_DOMAIN_VCPUS_MAX);
	printf("\nCPUID features --hide-cpuid knows:\n  %s\n", cpuid_feature_names());
}

static int __attribute__((format(printf, 1, 2))) usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "shoji-hv: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nTry 'shoji-hv --help'.\n");
	va_end(ap);
	return EXIT_USAGE;
}

enum {
	OPT_INITRD = 256,
	OPT_CMDLINE,
	OPT_MEMORY,
	OPT_VCPUS,
	OPT_HIDE,
	OPT_NAME,
	OPT_SOCKET,
	OPT_DAEMON,
	OPT_POOL,
	OPT_POOL_MEMORY,
	OPT_VERSION,
	OPT_HELP
};

static const struct option run_opts[] = {
    {"initrd", required_argument, NULL, OPT_INITRD},
    {"cmdline", required_argument, NULL, OPT_CMDLINE},
    {"memory", required_argument, NULL, OPT_MEMORY},
    {"vcpus", required_argument, NULL, OPT_VCPUS},
    {"hide-cpuid", required_argument, NULL, OPT_HIDE},
    {"name", required_argument, NULL, OPT_NAME},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

static int cmd_run(int argc, char **argv)
{
	struct run_options o;
	const char *hide = CPUID_HIDE_DEFAULT, *bad;
	uint64_t n;
	int c;

	memset(&o, 0, sizeof(o));
	o.cfg.memory = 64ULL << 20;
	o.cfg.nr_vcpus = 1;
	o.cfg.console_stdout = true;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "v", run_opts, NULL)) != -1) {
		switch (c) {
		case OPT_INITRD:
			o.initrd = optarg;
			break;
		case OPT_CMDLINE:
			o.cmdline = optarg;
			break;
		case OPT_MEMORY:
			if (!parse_u64(optarg, MEMORY_MAX_MIB, &n) || n < 1)
				return usage_error("--memory: expected MiB in 1..%llu, got '%s'",
				                   MEMORY_MAX_MIB, optarg);
			o.cfg.memory = (uint64_t)n << 20;
			break;
		case OPT_VCPUS:
			if (!parse_u64(optarg, HV_MAX_VCPUS, &n) || n < 1)
				return usage_error("--vcpus: expected 1..%d, got '%s'",
				                   HV_MAX_VCPUS, optarg);
			o.cfg.nr_vcpus = (unsigned int)n;
			break;
		case OPT_HIDE:
			hide = optarg;
			break;
		case OPT_NAME:
			if (strlen(optarg) >= sizeof(o.cfg.name))
				return usage_error("--name: '%s' is too long", optarg);
			snprintf(o.cfg.name, sizeof(o.cfg.name), "%s", optarg);
			break;
		case 'v':
			log_set_verbose(true);
			break;
		case OPT_HELP:
			print_help();
			return 0;
		default:
			return usage_error("bad or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return usage_error("%s", optind >= argc ? "run: missing KERNEL"
		                                        : "run: exactly one KERNEL expected");
	o.kernel = argv[optind];
	if (cpuid_parse_hide(hide, &o.cfg.cpuid_hide, &bad) < 0)
		return usage_error("--hide-cpuid: unknown feature '%s'", bad);
	return run_guest(&o);
}

static const struct option daemon_opts[] = {
    {"socket", required_argument, NULL, OPT_SOCKET},
    {"daemon", no_argument, NULL, OPT_DAEMON},
    {"pool", required_argument, NULL, OPT_POOL},
    {"pool-memory", required_argument, NULL, OPT_POOL_MEMORY},
    {"verbose", no_argument, NULL, 'v'},
    {"version", no_argument, NULL, OPT_VERSION},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

int main(int argc, char **argv)
{
	struct control_options o = {.socket_path = SHOJI_RUNDIR "/hv.sock",
	                            .pool_memory = 64ULL << 20};
	uint64_t n;
	int c;

	log_init("shoji-hv");
	/* Nothing shoji-hv runs needs to gain privileges (STYLE 6: narrow early). */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		log_warn("cannot set no_new_privs");
	/* A reader of the guest console that goes away must not kill every guest. */
	signal(SIGPIPE, SIG_IGN);
	if (argc >= 2 && strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "v", daemon_opts, NULL)) != -1) {
		switch (c) {
		case OPT_SOCKET:
			o.socket_path = optarg;
			break;
		case OPT_DAEMON:
			o.detach = true;
			break;
		case OPT_POOL:
			if (!parse_u64(optarg, VM_POOL_MAX, &n))
				return usage_error("--pool: expected 0..%d, got '%s'", VM_POOL_MAX,
				                   optarg);
			o.pool = (unsigned int)n;
			break;
		case OPT_POOL_MEMORY:
			if (!parse_u64(optarg, MEMORY_MAX_MIB, &n) || n < 1)
				return usage_error(
				    "--pool-memory: expected MiB in 1..%llu, got '%s'",
				    MEMORY_MAX_MIB, optarg);
			o.pool_memory = (uint64_t)n << 20;
			break;
		case 'v':
			log_set_verbose(true);
			break;
		case OPT_VERSION:
			printf("shoji-hv %s\n", PACKAGE_VERSION);
			return 0;
		case OPT_HELP:
			print_help();
			return 0;
		default:
			return usage_error("bad or incomplete option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return usage_error("unknown command '%s'", argv[optind]);
	return control_main(&o);
}
