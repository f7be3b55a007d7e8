/*
 * cli-console.c: `shoji console [--run-dir DIR] NAME` attaches the terminal
 * to a domain's PV console: shoji-consoled's socket
 * <run-dir>/console/<domid>.sock carries raw bytes both ways.  A terminal
 * is put in raw mode (output still turns a bare newline into CR LF, as xl's
 * console does) and restored; the escape character (Ctrl-] unless --escape
 * says otherwise) detaches.  When stdin is not a terminal, its end ends the
 * session once the console has been quiet for QUIET_MS.  NAME is a domid, or
 * a name shojid resolves; a domain that has crashed or shut down is refused.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "cli-console.h"

#define CONSOLE_DEFAULT_RUN_DIR "/run/shoji"
#define QUIET_MS                500

/* The domid NAME stands for: itself when decimal, else shojid's answer. */
static int resolve(const char *name, uint32_t *domid)
{
	struct api_req req = {0};
	const struct api_dominfo *info;
	uint32_t state;
	char *reply = NULL, *end;
	size_t len = 0;
	unsigned long v;
	int rc;

	errno = 0;
	v = strtoul(name, &end, 10);
	if (*name >= '0' && *name <= '9' && !*end && !errno && v < UINT32_MAX) {
		*domid = (uint32_t)v;
		return CLI_EXIT_OK;
	}
	if (strlen(name) > API_NAME_MAX) {
		fprintf(stderr, "shoji console: '%s' is not a domain name or id\n", name);
		return CLI_EXIT_USAGE;
	}
	snprintf(req.target, sizeof(req.target), "%s", name);
	rc = cli_request(API_INFO, &req, NULL, NULL, &reply, &len);
	if (rc)
		return rc;
	if (len != sizeof(struct api_dominfo)) {
		fprintf(stderr, "shoji: shojid sent a malformed reply\n");
		free(reply);
		return CLI_EXIT_FAILED;
	}
	info = (const struct api_dominfo *)(const void *)reply;
	*domid = info->domid;
	state = info->state;
	free(reply);
	if (*domid == API_DOMID_NONE) {
		fprintf(stderr, "shoji console: domain '%s' is not running\n", name);
		return CLI_EXIT_FAILED;
	}
	if (state == API_STATE_CRASHED || state == API_STATE_SHUTDOWN) {
		fprintf(stderr,
		        "shoji console: domain '%s' has %s; its console will print nothing more "
		        "(shoji-consoled's log keeps what it printed)\n",
		        name, state == API_STATE_CRASHED ? "crashed" : "shut down");
		return CLI_EXIT_FAILED;
	}
	return CLI_EXIT_OK;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Relay until @escape on stdin, the console closes, or (stdin at its end)
 * the console stays quiet for QUIET_MS; 0 in each case, -1 on an I/O error.
 */
static int relay(int sock, char escape)
{
	struct pollfd fds[2] = {{.fd = STDIN_FILENO, .events = POLLIN},
	                        {.fd = sock, .events = POLLIN}};
	char buf[4096];

	for (;;) {
		int ready = poll(fds, 2, fds[0].fd < 0 ? QUIET_MS : -1);
		ssize_t n;

		if (ready < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (ready == 0) /* input has ended and the guest has gone quiet */
			return 0;
		if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			n = read(sock, buf, sizeof(buf));
			if (n <= 0)
				return n < 0 ? -1 : 0;
			if (write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
				return -1;
		}
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			char *esc;

			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n < 0)
				return -1;
			if (n == 0) { /* end of input: show output until the guest goes quiet */
				fds[0].fd = -1;
				continue;
			}
			esc = memchr(buf, escape, (size_t)n);
			if (write_all(sock, buf, esc ? (size_t)(esc - buf) : (size_t)n) < 0)
				return -1;
			if (esc)
				return 0;
		}
	}
}

/* shoji-consoled's run directory: $SHOJI_RUN_DIR, else the default. */
static const char *default_run_dir(void)
{
	const char *run_dir = getenv("SHOJI_RUN_DIR");

	return run_dir && *run_dir ? run_dir : CONSOLE_DEFAULT_RUN_DIR;
}

int cli_cmd_console(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {{"run-dir", required_argument, NULL, 'r'},
	                                         {"escape", required_argument, NULL, 'e'},
	                                         {"help", no_argument, NULL, 'h'},
	                                         {NULL, 0, NULL, 0}};
	const struct cli_command *cmd = cli_find(argv[0]);
	const char *run_dir = default_run_dir();
	uint32_t domid = 0;
	int opt, rc, escape = CLI_CONSOLE_ESCAPE;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			run_dir = optarg;
			break;
		case 'e':
			escape = cli_console_escape(optarg);
			if (escape < 0)
				return cli_usage_error(cmd, "--escape takes one character or ^X "
				                            "(a control character), e.g. '^]'");
			break;
		case 'h':
			cli_print_help(stdout, cmd);
			return CLI_EXIT_OK;
		default:
			return cli_usage_error(cmd, "unknown option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(cmd,
		                       argc - optind < 1 ? "missing operand" : "too many operands");
	rc = resolve(argv[optind], &domid);
	if (rc)
		return rc;
	return cli_console_attach(domid, run_dir, 0, (char)escape);
}

int cli_console_escape(const char *s)
{
	if (s[0] == '^' && s[1] && !s[2]) {
		int c = s[1] >= 'a' && s[1] <= 'z' ? s[1] - 'a' + 'A' : s[1];

		return c >= '@' && c <= '_' ? c - '@' : -1;
	}
	if (s[0] && !s[1] && (unsigned char)s[0] < 0x80)
		return s[0];
	return -1;
}

/* "^]" for a control character, else the character itself. */
static const char *escape_name(char escape, char out[3])
{
	if ((unsigned char)escape < 0x20) {
		out[0] = '^';
		out[1] = (char)(escape + '@');
		out[2] = '\0';
	} else {
		out[0] = escape;
		out[1] = '\0';
	}
	return out;
}

/* Connect to sa, retrying for up to wait_ms while the socket does not exist yet. */
static int console_connect(const struct sockaddr_un *sa, unsigned int wait_ms)
{
	for (unsigned int waited = 0;; waited += 20) {
		int err, sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (sock < 0)
			return -1;
		if (connect(sock, (const struct sockaddr *)sa, sizeof(*sa)) == 0)
			return sock;
		err = errno;
		close(sock);
		errno = err;
		if (waited >= wait_ms || (err != ENOENT && err != ECONNREFUSED))
			return -1;
		usleep(20 * 1000);
	}
}

int cli_console_attach(uint32_t domid, const char *run_dir, unsigned int wait_ms, char escape)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct termios saved, raw;
	char esc_name[3];
	bool tty = isatty(STDIN_FILENO);
	int rc, sock = -1;

	if (!run_dir)
		run_dir = default_run_dir();
	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/console/%" PRIu32 ".sock", run_dir,
	             domid) >= (int)sizeof(sa.sun_path)) {
		fprintf(stderr, "shoji console: --run-dir is too long\n");
		return CLI_EXIT_USAGE;
	}
	sock = console_connect(&sa, wait_ms);
	if (sock < 0) {
		fprintf(stderr,
		        "shoji console: domain %" PRIu32 " has no console at %s: %s "
		        "(is shoji-consoled running?)\n",
		        domid, sa.sun_path, strerror(errno));
		return CLI_EXIT_FAILED;
	}
	if (tty) {
		fprintf(stderr, "Connected to domain %" PRIu32 ". Escape character is '%s'.\r\n",
		        domid, escape_name(escape, esc_name));
		tcgetattr(STDIN_FILENO, &saved);
		raw = saved;
		cfmakeraw(&raw);
		raw.c_oflag |= OPOST | ONLCR; /* a guest's bare \n does not staircase */
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	rc = relay(sock, escape) < 0 ? CLI_EXIT_FAILED : CLI_EXIT_OK;
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
		fprintf(stderr, "\n");
	}
	if (rc)
		fprintf(stderr, "shoji console: %s\n", strerror(errno));
	close(sock);
	return rc;
}
