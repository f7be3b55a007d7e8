/*
 * shojid: the Shoji Dom0 toolstack daemon (see shojid(8)).
 * Parses the options, makes sure shoji-hv and shoji-xenstored answer,
 * re-adopts running domains, starts autostart domains and serves the CLI.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "number.h"
#include "pidfile.h"
#include "safedir.h"
#include "sandbox.h"
#include "shojid.h"

#ifndef SHOJI_SBINDIR
#define SHOJI_SBINDIR "/usr/local/sbin"
#endif

static void usage(FILE *out)
{
	fprintf(out,
	        "Usage: shojid [OPTIONS]\n"
	        "  --socket PATH      CLI socket (default " SHOJID_DEFAULT_SOCKET ")\n"
	        "  --group NAME       group allowed to use the socket (default: root only)\n"
	        "  --max-clients N    CLI clients served at once (default 256; more wait)\n"
	        "  --state-dir DIR    definitions and records (default /var/lib/shoji)\n"
	        "  --dump-dir DIR     core files of coredump-* actions (default STATE-DIR/dump)\n"
	        "  --hv-socket PATH   shoji-hv's control socket (default " SHOJI_CTRL_DEFAULT_SOCKET
	        ")\n"
	        "  --xs-socket PATH   shoji-xenstored's socket (default " SHOJI_XS_DEFAULT_SOCKET
	        ")\n"
	        "  --hv-bin PATH      shoji-hv to start when it does not answer\n"
	        "  --hv-arg ARG       extra argument for it (repeatable)\n"
	        "  --xs-bin PATH      shoji-xenstored to start when it does not answer\n"
	        "  --xs-arg ARG       extra argument for it (repeatable)\n"
	        "  --consoled-bin PATH  shoji-consoled to start and keep running\n"
	        "  --blkback-bin PATH   shoji-blkback to start and keep running\n"
	        "  --netback-bin PATH   shoji-netback to start and keep running\n"
	        "  --log-dir DIR      its per-domain console logs (default /var/log/shoji)\n"
	        "  --run-dir DIR      its console sockets (default /run/shoji)\n"
	        "  --no-spawn         never start shoji-hv, shoji-xenstored or the backends\n"
	        "  --schema PATH      the domain schema (default: installed shoji-domain.rng)\n"
	        "  --daemon           detach once the socket listens\n"
	        "  --no-sandbox       no seccomp filter (it is on only with --no-spawn)\n"
	        "  -v, --verbose      more diagnostics\n"
	        "  --version, --help\n");
}

/*
 * NSS modules load on their first use (dlopen; nss-systemd reads the
 * capability bounding set with prctl): look a user and its groups up once
 * before the seccomp filter, as api.c does for each --group client.
 */
static void nss_warm_up(void)
{
	gid_t groups[8];
	int n = (int)(sizeof(groups) / sizeof(groups[0]));
	const struct passwd *pw = getpwuid(0);

	if (pw)
		getgrouplist(pw->pw_name, pw->pw_gid, groups, &n);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct shojid *sd = arg;

	log_info("signal %d: stopping (domains keep running)", (int)sig);
	event_base_loopbreak(sd->base);
}

static char **push_arg(char **v, int *n, char *arg)
{
	char **nv = reallocarray(v, (size_t)*n + 1, sizeof(*v));

	if (!nv)
		fatalx("out of memory");
	nv[(*n)++] = arg;
	return nv;
}

static void parse_args(struct shojid *sd, int argc, char **argv, bool *daemonize, bool *no_sandbox)
{
	enum {
		O_SOCKET = 256,
		O_GROUP,
		O_MAXCLIENTS,
		O_STATE,
		O_DUMP,
		O_HVS,
		O_XSS,
		O_HVB,
		O_HVA,
		O_XSB,
		O_XSA,
		O_NOSPAWN,
		O_CONSOLED,
		O_BLKBACK,
		O_NETBACK,
		O_LOGDIR,
		O_RUNDIR,
		O_SCHEMA,
		O_DAEMON,
		O_VERSION,
		O_HELP,
		O_NO_SANDBOX
	};
	static const struct option opts[] = {
	    {"socket", required_argument, NULL, O_SOCKET},
	    {"group", required_argument, NULL, O_GROUP},
	    {"max-clients", required_argument, NULL, O_MAXCLIENTS},
	    {"state-dir", required_argument, NULL, O_STATE},
	    {"dump-dir", required_argument, NULL, O_DUMP},
	    {"hv-socket", required_argument, NULL, O_HVS},
	    {"xs-socket", required_argument, NULL, O_XSS},
	    {"hv-bin", required_argument, NULL, O_HVB},
	    {"hv-arg", required_argument, NULL, O_HVA},
	    {"xs-bin", required_argument, NULL, O_XSB},
	    {"xs-arg", required_argument, NULL, O_XSA},
	    {"no-spawn", no_argument, NULL, O_NOSPAWN},
	    {"consoled-bin", required_argument, NULL, O_CONSOLED},
	    {"blkback-bin", required_argument, NULL, O_BLKBACK},
	    {"netback-bin", required_argument, NULL, O_NETBACK},
	    {"log-dir", required_argument, NULL, O_LOGDIR},
	    {"run-dir", required_argument, NULL, O_RUNDIR},
	    {"schema", required_argument, NULL, O_SCHEMA},
	    {"daemon", no_argument, NULL, O_DAEMON},
	    {"verbose", no_argument, NULL, 'v'},
	    {"version", no_argument, NULL, O_VERSION},
	    {"help", no_argument, NULL, O_HELP},
	    {"no-sandbox", no_argument, NULL, O_NO_SANDBOX},
	    {0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
		switch (c) {
		case O_SOCKET:
			sd->socket_path = optarg;
			break;
		case O_GROUP:
			sd->group = optarg;
			break;
		case O_MAXCLIENTS: {
			uint64_t n;

			if (!parse_u64(optarg, 65536, &n) || n == 0) {
				fprintf(stderr, "shojid: --max-clients: '%s' is not 1 .. 65536\n",
				        optarg);
				exit(2);
			}
			sd->max_clients = (unsigned long)n;
			break;
		}
		case O_STATE:
			sd->state_dir = optarg;
			break;
		case O_DUMP:
			sd->dump_dir = optarg;
			break;
		case O_HVS:
			sd->hv_socket = optarg;
			break;
		case O_XSS:
			sd->xs_socket = optarg;
			break;
		case O_HVB:
			sd->hv_bin = optarg;
			break;
		case O_HVA:
			sd->hv_args = push_arg(sd->hv_args, &sd->n_hv_args, optarg);
			break;
		case O_XSB:
			sd->xs_bin = optarg;
			break;
		case O_XSA:
			sd->xs_args = push_arg(sd->xs_args, &sd->n_xs_args, optarg);
			break;
		case O_NOSPAWN:
			sd->hv_bin = sd->xs_bin = sd->consoled_bin = sd->blkback_bin = NULL;
			sd->netback_bin = NULL;
			break;
		case O_CONSOLED:
			sd->consoled_bin = optarg;
			break;
		case O_BLKBACK:
			sd->blkback_bin = optarg;
			break;
		case O_NETBACK:
			sd->netback_bin = optarg;
			break;
		case O_LOGDIR:
			sd->log_dir = optarg;
			break;
		case O_RUNDIR:
			sd->run_dir = optarg;
			break;
		case O_SCHEMA:
			sd->schema = optarg;
			break;
		case O_DAEMON:
			*daemonize = true;
			break;
		case O_NO_SANDBOX:
			*no_sandbox = true;
			break;
		case 'v':
			sd->verbose = true;
			break;
		case O_VERSION:
			printf("shojid %s\n", PACKAGE_VERSION);
			exit(0);
		case O_HELP:
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "shojid: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		exit(2);
	}
}

static const char *default_schema(void)
{
	if (access(SHOJI_SCHEMA_INSTALLED, R_OK) == 0)
		return SHOJI_SCHEMA_INSTALLED;
	return SHOJI_SCHEMA_SOURCE;
}

/* Fork into the background; the parent exits 0 once the child is ready. */
static int detach(int *ready_fd)
{
	int p[2];
	pid_t pid;
	char ok;

	if (pipe(p) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0) {
		close(p[1]);
		exit(read(p[0], &ok, 1) == 1 ? 0 : 1);
	}
	close(p[0]);
	setsid();
	*ready_fd = p[1];
	return 0;
}

int main(int argc, char **argv)
{
	struct shojid sd = {
	    .socket_path = SHOJID_DEFAULT_SOCKET,
	    .state_dir = "/var/lib/shoji",
	    .hv_socket = SHOJI_CTRL_DEFAULT_SOCKET,
	    .xs_socket = SHOJI_XS_DEFAULT_SOCKET,
	    .hv_bin = SHOJI_SBINDIR "/shoji-hv",
	    .xs_bin = SHOJI_SBINDIR "/shoji-xenstored",
	    .consoled_bin = SHOJI_SBINDIR "/shoji-consoled",
	    .blkback_bin = SHOJI_SBINDIR "/shoji-blkback",
	    .netback_bin = SHOJI_SBINDIR "/shoji-netback",
	    .log_dir = "/var/log/shoji",
	    .run_dir = "/run/shoji",
	    .listen_fd = -1,
	    .max_clients = SHOJID_MAX_CLIENTS,
	};

	log_init("shojid");
	static const int sigs[] = {SIGTERM, SIGINT, SIGHUP};
	bool daemonize = false, no_sandbox = false;
	int ready_fd = -1, status = 1, state_fd, lock_fd;
	char *pidfile = NULL, *dump_dir = NULL, why[256];

	parse_args(&sd, argc, argv, &daemonize, &no_sandbox);
	if (!sd.schema)
		sd.schema = default_schema();
	if (!sd.dump_dir) {
		dump_dir = state_path(&sd, "dump", NULL, NULL);
		if (!dump_dir)
			fatalx("out of memory");
		sd.dump_dir = dump_dir;
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_IGN); /* spawned daemons are reaped by the kernel */
	if (daemonize && detach(&ready_fd) < 0)
		fatalx("cannot detach: %s", strerror(errno));
	if (mkdir(sd.state_dir, 0700) < 0 && errno != EEXIST)
		fatalx("cannot create %s: %s", sd.state_dir, strerror(errno));
	/* Before a record or the socket is touched: nobody else's directory, one shojid in it. */
	state_fd = safedir_open(sd.state_dir, why, sizeof(why));
	if (state_fd < 0)
		fatalx("refusing state directory %s: %s", sd.state_dir, why);
	lock_fd = safedir_lock(state_fd, "shojid.lock");
	if (lock_fd < 0 && errno == EWOULDBLOCK)
		fatalx("%s is in use by another shojid", sd.state_dir);
	if (lock_fd < 0)
		fatalx("cannot lock %s/shojid.lock: %s", sd.state_dir, strerror(errno));
	close(state_fd);
	if (state_init(&sd) < 0)
		fatalx("cannot set up the state directory %s", sd.state_dir);
	sd.parser = domxml_parser_new(sd.schema);
	if (!sd.parser)
		fatalx("cannot load the schema %s: %s", sd.schema, strerror(errno));
	if (sd_spawn_services(&sd) < 0)
		fatalx("shoji-hv and shoji-xenstored must be running");
	sd.hv = shoji_ctrl_open(sd.hv_socket);
	sd.hv_ev = shoji_ctrl_open(sd.hv_socket);
	if (!sd.hv || !sd.hv_ev || shoji_ctrl_subscribe(sd.hv_ev) < 0)
		fatalx("cannot talk to shoji-hv at %s: %s", sd.hv_socket, strerror(errno));
	sd.evtchn = shoji_evtchn_open(sd.hv_socket);
	if (!sd.evtchn)
		fatalx("cannot open event channels on %s: %s", sd.hv_socket, strerror(errno));
	sd.xs = shoji_xs_open(sd.xs_socket);
	if (!sd.xs)
		fatalx("cannot talk to shoji-xenstored at %s: %s", sd.xs_socket, strerror(errno));
	sd.base = event_base_new();
	if (!sd.base)
		fatalx("libevent: cannot create an event base");
	sd.hv_event =
	    event_new(sd.base, shoji_ctrl_fd(sd.hv_ev), EV_READ | EV_PERSIST, life_hv_event, &sd);
	if (!sd.hv_event || event_add(sd.hv_event, NULL) < 0)
		fatalx("libevent: cannot watch shoji-hv's events");
	if (sd_watch_xs(&sd) < 0)
		fatalx("libevent: cannot watch the xenstored connection");
	for (size_t i = 0; i < 3; i++) {
		sd.sig_events[i] = evsignal_new(sd.base, sigs[i], on_signal, &sd);
		if (!sd.sig_events[i] || event_add(sd.sig_events[i], NULL) < 0)
			fatalx("libevent: cannot watch signals");
	}
	life_adopt(&sd);
	if (sd_supervise_backends(&sd) < 0)
		fatalx("libevent: cannot supervise the backends");
	if (api_listen(&sd) < 0)
		fatalx("cannot serve the CLI on %s", sd.socket_path);
	pidfile = state_path(&sd, NULL, "shojid", ".pid");
	if (!pidfile || pidfile_write(pidfile) < 0)
		log_warnx("cannot write the pidfile: %s", strerror(errno));
	life_autostart(&sd);
	log_info("listening on %s", sd.socket_path);
	if (ready_fd >= 0) {
		int fd = open("/dev/null", O_RDWR);

		log_set_syslog(true);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		if (write(ready_fd, "1", 1) != 1)
			log_warnx("cannot tell the parent we are ready");
		close(ready_fd);
	}
	/* a filter is inherited by the services shojid starts: only without them */
	if (sd.hv_bin || sd.xs_bin || sd.consoled_bin || sd.blkback_bin || sd.netback_bin)
		log_info("seccomp filter off: shojid starts services (--no-spawn turns it on)");
	else {
		if (sd.group)
			nss_warm_up();
		if (sandbox_enter(&sandbox_shojid, no_sandbox) != 0)
			fatal("cannot install the seccomp filter");
	}
	status = event_base_dispatch(sd.base) < 0 || sd.lost_xs ? 1 : 0;
	api_close(&sd);
	if (pidfile)
		unlink(pidfile);
	free(pidfile);
	for (size_t i = 0; i < 3; i++)
		event_free(sd.sig_events[i]);
	event_free(sd.hv_event);
	life_hv_close(&sd);
	if (sd.backends_event)
		event_free(sd.backends_event);
	detach_close(&sd);
	if (sd.xs_event)
		event_free(sd.xs_event);
	event_base_free(sd.base);
	while (sd.doms) {
		struct sd_dom *d = sd.doms;

		sd.doms = d->next;
		dom_free(d);
	}
	shoji_xs_close(sd.xs);
	shoji_evtchn_close(sd.evtchn);
	shoji_ctrl_close(sd.hv_ev);
	shoji_ctrl_close(sd.hv);
	domxml_parser_free(sd.parser);
	free(sd.hv_args);
	free(sd.xs_args);
	free(dump_dir);
	return status;
}
