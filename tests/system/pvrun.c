/*
 * pvrun: run several guests in one shoji-hv daemon, for the tests that
 * need two domains talking to each other (tests/system/pv-*.sh).
 *
 *   pvrun SOCKET TIMEOUT_S [OPTS] KERNEL CMDLINE [[OPTS] KERNEL CMDLINE]...
 *
 * OPTS before a guest apply to it alone: --vcpus=N, --memory=MIB (default
 * 32), --bg (a background guest: destroyed once every other guest has
 * ended, its end does not count).  In a CMDLINE, {domN} stands for the
 * domid of guest N (counting from 0).  pvrun creates every domain paused,
 * loads them all, unpauses them in order, and copies each one's console
 * output to stdout, every line prefixed "[N] ".  When a guest ends it
 * prints "pvrun: [N] poweroff", "pvrun: [N] shutdown reason=R" or
 * "pvrun: [N] crashed"; on timeout "pvrun: [N] timeout".  Every domain is
 * destroyed before pvrun exits.
 *
 * Exit status: 0 when every foreground guest powered off, 1 when one
 * crashed, shut down otherwise, timed out or could not be started, 2 on a
 * usage error.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <shoji/ctrl.h>

#define MAX_GUESTS 8
#define LINE_MAX_  1024

struct guest {
	const char *kernel;
	const char *cmdline;
	uint32_t vcpus, memory_mib;
	bool background;
	bool created, ended;
	uint32_t domid;
	uint64_t pos;         /* console ring position */
	char line[LINE_MAX_]; /* partial output line */
	size_t len;
};

struct pvrun {
	struct shoji_ctrl *ctl, *events;
	struct guest g[MAX_GUESTS];
	unsigned int n;
};

static int usage(void)
{
	fprintf(stderr, "usage: pvrun SOCKET TIMEOUT_S [--vcpus=N] [--memory=MIB] [--bg] KERNEL "
	                "CMDLINE ...\n");
	return 2;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Copy cmdline into out with every {domN} replaced by guest N's domid. */
static int expand(const struct pvrun *r, const char *in, char *out, size_t len)
{
	size_t o = 0;

	while (*in != '\0') {
		unsigned int idx;
		int used = 0;
		int w;

		if (sscanf(in, "{dom%u}%n", &idx, &used) == 1 && used > 0) {
			if (idx >= r->n)
				return -1;
			w = snprintf(out + o, len - o, "%u", r->g[idx].domid);
			if (w < 0 || (size_t)w >= len - o)
				return -1;
			o += (size_t)w;
			in += used;
			continue;
		}
		if (o + 1 >= len)
			return -1;
		out[o++] = *in++;
	}
	out[o] = '\0';
	return 0;
}

static void emit(struct guest *g, unsigned int idx, bool flush)
{
	size_t start = 0;

	for (size_t i = 0; i < g->len; i++) {
		if (g->line[i] == '\n') {
			printf("[%u] %.*s\n", idx, (int)(i - start), g->line + start);
			start = i + 1;
		}
	}
	if (flush || (start == 0 && g->len == sizeof(g->line))) {
		if (start < g->len)
			printf("[%u] %.*s\n", idx, (int)(g->len - start), g->line + start);
		start = g->len;
	}
	memmove(g->line, g->line + start, g->len - start);
	g->len -= start;
}

/* Copy whatever new console output guest idx has. */
static void drain(struct pvrun *r, unsigned int idx, bool flush)
{
	struct guest *g = &r->g[idx];
	int got;

	while ((got = shoji_ctrl_console_read(r->ctl, g->domid, &g->pos, g->line + g->len,
	                                      sizeof(g->line) - g->len)) > 0) {
		g->len += (size_t)got;
		emit(g, idx, false);
	}
	if (flush)
		emit(g, idx, true);
}

static bool foreground_done(const struct pvrun *r)
{
	for (unsigned int i = 0; i < r->n; i++)
		if (!r->g[i].background && !r->g[i].ended)
			return false;
	return true;
}

/* Record the end of guest idx; false when it was not a clean poweroff. */
static bool ended(struct pvrun *r, unsigned int idx, const struct shoji_ctrl_event *e)
{
	struct guest *g = &r->g[idx];

	g->ended = true;
	drain(r, idx, true);
	if (e->state == SHOJI_DOMAIN_CRASHED) {
		printf("pvrun: [%u] crashed\n", idx);
		return g->background;
	}
	if (e->shutdown_reason == 0) {
		printf("pvrun: [%u] poweroff\n", idx);
		return true;
	}
	printf("pvrun: [%u] shutdown reason=%u\n", idx, e->shutdown_reason);
	return g->background;
}

static int parse(struct pvrun *r, int argc, char **argv)
{
	uint32_t vcpus = 1, mem = 32;
	bool bg = false;

	for (int i = 3; i < argc; i++) {
		if (strncmp(argv[i], "--vcpus=", 8) == 0) {
			vcpus = (uint32_t)strtoul(argv[i] + 8, NULL, 0);
		} else if (strncmp(argv[i], "--memory=", 9) == 0) {
			mem = (uint32_t)strtoul(argv[i] + 9, NULL, 0);
		} else if (strcmp(argv[i], "--bg") == 0) {
			bg = true;
		} else {
			if (i + 1 >= argc || r->n == MAX_GUESTS)
				return -1;
			r->g[r->n++] = (struct guest){.kernel = argv[i],
			                              .cmdline = argv[i + 1],
			                              .vcpus = vcpus,
			                              .memory_mib = mem,
			                              .background = bg};
			vcpus = 1;
			mem = 32;
			bg = false;
			i++;
		}
	}
	return r->n > 0 ? 0 : -1;
}

/* Create, load and unpause every guest; 0 or -1 after printing why. */
static int start(struct pvrun *r, const char *sock)
{
	char cmdline[4096], err[256];

	for (unsigned int i = 0; i < r->n; i++) {
		struct shoji_domain_config cfg = {.memory_kib = (uint64_t)r->g[i].memory_mib * 1024,
		                                  .vcpus = r->g[i].vcpus};

		if (shoji_ctrl_create(r->ctl, &cfg, &r->g[i].domid) < 0) {
			fprintf(stderr, "pvrun: create [%u]: %s\n", i, strerror(errno));
			return -1;
		}
		r->g[i].created = true;
	}
	for (unsigned int i = 0; i < r->n; i++) {
		if (expand(r, r->g[i].cmdline, cmdline, sizeof(cmdline)) < 0) {
			fprintf(stderr, "pvrun: bad command line [%u]: %s\n", i, r->g[i].cmdline);
			return -1;
		}
		err[0] = '\0';
		if (shoji_ctrl_load(r->ctl, r->g[i].domid, r->g[i].kernel, NULL, cmdline, err,
		                    sizeof(err)) < 0) {
			fprintf(stderr, "pvrun: load [%u] %s: %s %s\n", i, r->g[i].kernel,
			        strerror(errno), err);
			return -1;
		}
	}
	r->events = shoji_ctrl_open(sock);
	if (r->events == NULL || shoji_ctrl_subscribe(r->events) < 0) {
		fprintf(stderr, "pvrun: subscribe: %s\n", strerror(errno));
		return -1;
	}
	for (unsigned int i = 0; i < r->n; i++) {
		if (shoji_ctrl_unpause(r->ctl, r->g[i].domid) < 0) {
			fprintf(stderr, "pvrun: unpause [%u]: %s\n", i, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Follow the guests until the foreground ones end or the time is up. */
static bool supervise(struct pvrun *r, double deadline)
{
	bool ok = true;

	while (!foreground_done(r)) {
		struct pollfd pfd = {.fd = shoji_ctrl_fd(r->events), .events = POLLIN};
		struct shoji_ctrl_event e;
		int pr;

		if (now_s() >= deadline) {
			for (unsigned int i = 0; i < r->n; i++) {
				if (r->g[i].ended || r->g[i].background)
					continue;
				drain(r, i, true);
				printf("pvrun: [%u] timeout\n", i);
			}
			return false;
		}
		pr = poll(&pfd, 1, 20);
		for (unsigned int i = 0; i < r->n; i++)
			if (!r->g[i].ended)
				drain(r, i, false);
		if (pr <= 0)
			continue;
		if (shoji_ctrl_next_event(r->events, &e) < 0) {
			fprintf(stderr, "pvrun: event stream: %s\n", strerror(errno));
			return false;
		}
		if (e.state != SHOJI_DOMAIN_SHUTDOWN && e.state != SHOJI_DOMAIN_CRASHED &&
		    e.state != SHOJI_DOMAIN_GONE)
			continue;
		for (unsigned int i = 0; i < r->n; i++)
			if (r->g[i].domid == e.domid && !r->g[i].ended)
				ok = ended(r, i, &e) && ok;
	}
	return ok;
}

int main(int argc, char **argv)
{
	struct pvrun r = {0};
	double deadline;
	bool ok = false;

	if (argc < 5 || parse(&r, argc, argv) < 0)
		return usage();
	setvbuf(stdout, NULL, _IOLBF, 0); /* tests wait for lines as they come */
	deadline = now_s() + strtod(argv[2], NULL);
	r.ctl = shoji_ctrl_open(argv[1]);
	if (r.ctl == NULL) {
		fprintf(stderr, "pvrun: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (start(&r, argv[1]) == 0)
		ok = supervise(&r, deadline);
	for (unsigned int i = 0; i < r.n; i++) {
		if (!r.g[i].created)
			continue;
		if (!r.g[i].ended)
			drain(&r, i, true);
		shoji_ctrl_destroy(r.ctl, r.g[i].domid);
	}
	shoji_ctrl_close(r.events);
	shoji_ctrl_close(r.ctl);
	return ok ? 0 : 1;
}
