/* Helpers for the Dom0 test programs (see dom0-util.h). */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dom0-util.h"

const char *dom0_prog = "dom0";

void dom0_fail(const char *fmt, ...)
{
	va_list ap;

	printf("%s: FAIL ", dom0_prog);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(1);
}

uint64_t dom0_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int dom0_wait_fd(int fd, unsigned int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int n;

	do
		n = poll(&p, 1, (int)ms);
	while (n < 0 && errno == EINTR);
	return n > 0;
}

void dom0_guest_start(struct dom0_guest *g, const char *sock, const char *image,
                      const char *cmdline)
{
	struct shoji_domain_config cfg = {.name = NULL, .memory_kib = 32 * 1024, .vcpus = 1};
	char err[256] = "";

	memset(g, 0, sizeof(*g));
	g->ctrl = shoji_ctrl_open(sock);
	if (!g->ctrl)
		dom0_fail("connect %s: %s", sock, strerror(errno));
	if (shoji_ctrl_create(g->ctrl, &cfg, &g->domid) < 0)
		dom0_fail("create: %s", strerror(errno));
	if (shoji_ctrl_load(g->ctrl, g->domid, image, NULL, cmdline, err, sizeof(err)) < 0)
		dom0_fail("load %s: %s (%s)", image, strerror(errno), err);
	if (shoji_ctrl_unpause(g->ctrl, g->domid) < 0)
		dom0_fail("unpause: %s", strerror(errno));
}

size_t dom0_console_poll(struct dom0_guest *g)
{
	size_t room = sizeof(g->con) - 1 - g->con_len;
	int n;

	if (room == 0)
		return 0;
	n = shoji_ctrl_console_read(g->ctrl, g->domid, &g->con_pos, g->con + g->con_len, room);
	if (n < 0)
		dom0_fail("console read: %s", strerror(errno));
	g->con_len += (size_t)n;
	g->con[g->con_len] = '\0';
	return (size_t)n;
}

const char *dom0_console_wait(struct dom0_guest *g, const char *prefix, unsigned int ms)
{
	uint64_t deadline = dom0_now_ns() + (uint64_t)ms * 1000000ULL;
	static char line[512];

	for (;;) {
		const char *p = g->con;

		dom0_console_poll(g);
		while (p && *p) {
			const char *nl = strchr(p, '\n');

			if (nl && strncmp(p, prefix, strlen(prefix)) == 0 &&
			    (size_t)(nl - p) < sizeof(line)) {
				memcpy(line, p, (size_t)(nl - p));
				line[nl - p] = '\0';
				return line;
			}
			p = nl ? nl + 1 : NULL;
		}
		if (dom0_now_ns() > deadline)
			dom0_fail("no console line \"%s\" within %u ms; console:\n%s", prefix, ms,
			          g->con);
		nanosleep(&(struct timespec){.tv_nsec = 2000000}, NULL);
	}
}

void dom0_grant_guest_start(struct dom0_guest *g, const char *sock, const char *image,
                            const char *cmdline, unsigned int *ref, unsigned long *gfn)
{
	const char *line;
	unsigned int domid;
	unsigned long frame;

	dom0_guest_start(g, sock, image, cmdline);
	line = dom0_console_wait(g, "gnttab-dom0: domid=", 30000);
	if (sscanf(line, "gnttab-dom0: domid=%u ref=%u gfn=0x%lx", &domid, ref, &frame) != 3 ||
	    domid != g->domid)
		dom0_fail("unexpected line \"%s\"", line);
	if (gfn)
		*gfn = frame;
}

uint32_t dom0_guest_wait_shutdown(struct dom0_guest *g, unsigned int ms)
{
	uint64_t deadline = dom0_now_ns() + (uint64_t)ms * 1000000ULL;
	struct shoji_dominfo info;

	for (;;) {
		if (shoji_ctrl_info(g->ctrl, g->domid, &info) < 0)
			dom0_fail("info: %s", strerror(errno));
		if (info.state == SHOJI_DOMAIN_SHUTDOWN || info.state == SHOJI_DOMAIN_CRASHED) {
			dom0_console_poll(g);
			return info.shutdown_reason;
		}
		if (dom0_now_ns() > deadline) {
			dom0_console_poll(g);
			dom0_fail("domain %u did not shut down within %u ms; console:\n%s",
			          g->domid, ms, g->con);
		}
		nanosleep(&(struct timespec){.tv_nsec = 5000000}, NULL);
	}
}

void dom0_guest_destroy(struct dom0_guest *g)
{
	if (shoji_ctrl_destroy(g->ctrl, g->domid) < 0)
		dom0_fail("destroy: %s", strerror(errno));
	shoji_ctrl_close(g->ctrl);
	g->ctrl = NULL;
}
