/*
 * shoji-hv: the hypervisor core.  `shoji-hv run KERNEL ...` boots one guest
 * in the foreground (run.c); without `run` it is the daemon serving the
 * control socket (control.c): set-up, daemonizing, signals and teardown are
 * here.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "control.h"
#include "cpuid.h"
#include "domain.h"
#include "hv.h"
#include "log.h"
#include "number.h"
#include "platform.h"
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

/* --- The daemon. --- */

struct daemon_options {
	const char *socket_path;
	bool detach;          /* fork into the background once listening */
	unsigned int pool;    /* pre-built VMs to keep ready (0 = none) */
	uint64_t pool_memory; /* their RAM size in bytes */
};

/*
 * --daemon: fork before anything process-bound exists (KVM VMs, the epoll set
 * and the signalfd belong to the process that creates them).  The parent
 * waits until the child is listening and exits 0, or 1 if the child failed
 * (the child reports why on the still-shared stderr).  Returns the pipe the
 * child writes once ready, or -1.
 */
static int detach_start(void)
{
	int fds[2];
	pid_t pid;
	char ok;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid > 0) {
		close(fds[1]);
		_exit(read(fds[0], &ok, 1) == 1 ? 0 : 1);
	}
	close(fds[0]);
	return fds[1];
}

/* The child is listening: release the parent and leave the terminal. */
static void detach_finish(int ready_fd)
{
	int fd;

	if (setsid() < 0)
		log_warn("setsid");
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	if (chdir("/") < 0 || write(ready_fd, "1", 1) != 1)
		log_warn("detach");
	close(ready_fd);
}

/* SIGTERM, SIGINT and SIGHUP stop the event loop (read from a signalfd). */
struct stop_signals {
	struct hv *hv;
	struct hv_event ev;
};

static void stop_signal(void *opaque)
{
	struct stop_signals *s = opaque;
	struct signalfd_siginfo si;

	if (read(s->ev.fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		log_debug("signal %u: stopping", si.ssi_signo);
	hv_stop(s->hv);
}

/* Block the stop signals (vCPU threads inherit the mask) and read them in @hv's loop. */
static int stop_signals_start(struct stop_signals *s, struct hv *hv)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	s->hv = hv;
	s->ev = (struct hv_event){signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK), stop_signal, s};
	if (s->ev.fd < 0) {
		log_warn("signalfd");
		return -1;
	}
	if (hv_event_add(hv, &s->ev) < 0) {
		log_warn("event loop");
		return -1;
	}
	return 0;
}

/* Stop every domain before the process goes. */
static void destroy_domains(struct hv *hv)
{
	uint32_t id;

	for (id = 1; id <= HV_DOMID_MAX; id++) {
		struct domain *d = hv_domain_get(hv, id);

		if (d) {
			domain_destroy(d);
			domain_put(d);
		}
	}
}

/*
 * Serve the control socket until SIGTERM/SIGINT/SIGHUP, then destroy every
 * domain and remove the socket.  Returns the exit status.
 */
static int serve(const struct daemon_options *o)
{
	struct stop_signals sig = {.ev = {.fd = -1}};
	struct control *c = NULL;
	struct hv *hv = NULL;
	int r, status = 1, ready_fd = -1;

	if (o->detach) {
		ready_fd = detach_start();
		if (ready_fd < 0) {
			log_warn("cannot detach");
			return 1;
		}
	}
	hv = hv_open();
	if (!hv)
		goto out_detach;
	c = control_open(hv, o->socket_path);
	if (!c || stop_signals_start(&sig, hv) < 0)
		goto out;
	if (o->pool) {
		r = domain_pool_start(hv, o->pool_memory, o->pool);
		if (r < 0) {
			log_warnx("cannot start the VM pool: %s", strerror(-r));
			goto out;
		}
	}
	if (ready_fd >= 0) {
		detach_finish(ready_fd);
		ready_fd = -1;
	}
	r = hv_loop(hv);
	status = r < 0 ? 1 : 0;
	if (r < 0)
		log_warnx("event loop: %s", strerror(-r));
out:
	destroy_domains(hv);
	if (c)
		control_close(c);
	if (sig.ev.fd >= 0)
		close(sig.ev.fd);
	hv_close(hv);
out_detach:
	if (ready_fd >= 0)
		close(ready_fd); /* the parent exits 1 */
	return status;
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
	struct daemon_options o = {.socket_path = SHOJI_RUNDIR "/hv.sock",
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
	return serve(&o);
}
