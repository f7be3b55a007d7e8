/*
 * hv-ctrl-client: a small libshoji-ctrl client for tests/system/hv-ctrl.sh.
 *   hv-ctrl-client SOCKET COMMAND [ARGS...]
 * Prints results on stdout; exits 0 on success, 1 on failure (error on stderr).
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <shoji/ctrl.h>

#include "proto/hv-ctrl.h"

static int die(const char *what)
{
	fprintf(stderr, "hv-ctrl-client: %s: %s\n", what, strerror(errno));
	return 1;
}

static uint32_t num(const char *s)
{
	return (uint32_t)strtoul(s, NULL, 0);
}

static void print_info(const struct shoji_dominfo *i)
{
	int k;

	for (k = 0; k < 16; k++)
		printf("%02x", i->uuid[k]);
	printf(" ");
	printf("domid=%u name=%s state=%s reason=%u vcpus=%u online=%u max_kib=%llu cur_kib=%llu "
	       "cpu_ns=%llu\n",
	       i->domid, i->name, shoji_domain_state_name(i->state), i->shutdown_reason, i->vcpus,
	       i->online_vcpus, (unsigned long long)i->max_kib, (unsigned long long)i->cur_kib,
	       (unsigned long long)i->cpu_time_ns);
}

/* Subscribe, unpause @domid, print its state events until shutdown/crash or @secs pass. */
static int unpause_wait(const char *sock, struct shoji_ctrl *c, uint32_t domid, int secs)
{
	struct shoji_ctrl *ev = shoji_ctrl_open(sock);
	struct pollfd pfd;
	int r = 1;

	if (!ev || shoji_ctrl_subscribe(ev) < 0) {
		r = die("subscribe");
		goto out;
	}
	if (shoji_ctrl_unpause(c, domid) < 0) {
		r = die("unpause");
		goto out;
	}
	pfd.fd = shoji_ctrl_fd(ev);
	pfd.events = POLLIN;
	while (poll(&pfd, 1, secs * 1000) == 1) {
		struct shoji_ctrl_event e;

		if (shoji_ctrl_next_event(ev, &e) < 0) {
			r = die("event");
			goto out;
		}
		if (e.domid != domid)
			continue;
		printf("event %s reason=%u\n", shoji_domain_state_name(e.state), e.shutdown_reason);
		if (e.state == SHOJI_DOMAIN_SHUTDOWN || e.state == SHOJI_DOMAIN_CRASHED) {
			r = 0;
			goto out;
		}
	}
	fprintf(stderr, "hv-ctrl-client: no shutdown within %d s\n", secs);
out:
	shoji_ctrl_close(ev);
	return r;
}

/* Send a request of the wrong size: the server must refuse it and keep serving. */
static int bad_size(const char *sock)
{
	struct shoji_ctrl *c = shoji_ctrl_open(sock);
	/* A CTRL_INFO request whose body is 4 bytes short. */
	uint32_t msg[5] = {CTRL_PROTO_MAGIC, CTRL_PROTO_VERSION | ((uint32_t)CTRL_INFO << 16), 7, 0,
	                   0};
	int32_t reply[4];
	ssize_t n;
	int r = 1;

	if (!c)
		return die("open");
	if (send(shoji_ctrl_fd(c), msg, sizeof(msg), 0) < 0) {
		r = die("send");
		goto out;
	}
	n = recv(shoji_ctrl_fd(c), reply, sizeof(reply), 0);
	if (n != (ssize_t)sizeof(reply) || reply[3] != -EINVAL) {
		fprintf(stderr, "hv-ctrl-client: bad-size answer n=%zd status=%d\n", n,
		        n >= 16 ? reply[3] : 0);
		goto out;
	}
	printf("refused status=%d\n", reply[3]);
	r = 0;
out:
	shoji_ctrl_close(c);
	return r;
}

int main(int argc, char **argv)
{
	struct shoji_ctrl *c;
	const char *sock, *cmd;
	int r = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: hv-ctrl-client SOCKET COMMAND [ARGS...]\n");
		return 2;
	}
	sock = argv[1];
	cmd = argv[2];
	if (strcmp(cmd, "bad-size") == 0)
		return bad_size(sock);
	c = shoji_ctrl_open(sock);
	if (!c)
		return die("open");

	if (strcmp(cmd, "create") == 0 && argc >= 6) {
		struct shoji_domain_config cfg = {.name = argv[3],
		                                  .memory_kib = (uint64_t)num(argv[4]) * 1024,
		                                  .vcpus = num(argv[5])};
		uint32_t domid;
		int k;

		/* Optional 6th argument: the UUID as 32 hex digits. */
		for (k = 0; argc > 6 && k < 16 && argv[6][2 * k] && argv[6][2 * k + 1]; k++) {
			char byte[3] = {argv[6][2 * k], argv[6][2 * k + 1], 0};

			cfg.uuid[k] = (uint8_t)strtoul(byte, NULL, 16);
		}
		if (shoji_ctrl_create(c, &cfg, &domid) < 0) {
			r = -1;
			goto out;
		}
		printf("%u\n", domid);
	} else if (strcmp(cmd, "load") == 0 && argc >= 5) {
		char err[512];

		if (shoji_ctrl_load(c, num(argv[3]), argv[4], NULL, argc > 5 ? argv[5] : NULL, err,
		                    sizeof(err)) < 0) {
			fprintf(stderr, "hv-ctrl-client: load: %s\n", err);
			shoji_ctrl_close(c);
			return 1;
		}
	} else if (strcmp(cmd, "unpause") == 0 && argc >= 4) {
		r = shoji_ctrl_unpause(c, num(argv[3]));
	} else if (strcmp(cmd, "rename") == 0 && argc >= 5) {
		r = shoji_ctrl_rename(c, num(argv[3]), argv[4]);
	} else if (strcmp(cmd, "pause") == 0 && argc >= 4) {
		r = shoji_ctrl_pause(c, num(argv[3]));
	} else if (strcmp(cmd, "destroy") == 0 && argc >= 4) {
		r = shoji_ctrl_destroy(c, num(argv[3]));
	} else if (strcmp(cmd, "info") == 0 && argc >= 4) {
		struct shoji_dominfo i;

		r = shoji_ctrl_info(c, num(argv[3]), &i);
		if (r == 0)
			print_info(&i);
	} else if (strcmp(cmd, "list") == 0) {
		struct shoji_dominfo d[256];
		int n = shoji_ctrl_list(c, d, 256), k;

		if (n < 0) {
			r = -1;
			goto out;
		}
		for (k = 0; k < n && k < 256; k++)
			print_info(&d[k]);
	} else if (strcmp(cmd, "console") == 0 && argc >= 4) {
		char buf[4096];
		uint64_t pos = 0;
		int n;

		while ((n = shoji_ctrl_console_read(c, num(argv[3]), &pos, buf, sizeof(buf))) > 0)
			fwrite(buf, 1, (size_t)n, stdout);
		r = n;
	} else if (strcmp(cmd, "set-param") == 0 && argc >= 6) {
		r = shoji_ctrl_set_param(c, num(argv[3]), num(argv[4]), strtoull(argv[5], NULL, 0));
	} else if (strcmp(cmd, "get-param") == 0 && argc >= 5) {
		uint64_t v;

		r = shoji_ctrl_get_param(c, num(argv[3]), num(argv[4]), &v);
		if (r == 0)
			printf("0x%llx\n", (unsigned long long)v);
	} else if (strcmp(cmd, "unpause-wait") == 0 && argc >= 5) {
		r = unpause_wait(sock, c, num(argv[3]), (int)num(argv[4]));
		shoji_ctrl_close(c);
		return r;
	} else {
		fprintf(stderr, "hv-ctrl-client: bad command %s\n", cmd);
		shoji_ctrl_close(c);
		return 2;
	}
out:
	if (r < 0)
		r = die(cmd);
	shoji_ctrl_close(c);
	return r < 0 ? 1 : r;
}
