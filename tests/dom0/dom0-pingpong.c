/*
 * dom0-pingpong SOCKET GUEST [ROUNDS [SPIN_US]]: Dom0 <-> guest ping-pong over
 * an interdomain event channel with libshoji-evtchn.  Boots GUEST
 * (tests/guests/evtchn-dom0) with rounds=ROUNDS (default 10000), binds to the
 * port it prints, then ROUNDS times notifies and waits for the answer,
 * counting each.  With SPIN_US > 0 each wait polls the port's eventfd for
 * up to SPIN_US microseconds before sleeping in poll().  Prints
 *	dom0-pingpong: rounds=N median_ns=M p99_ns=P
 * and exits 0 when every round was answered and the guest powered off.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <shoji/libevtchn.h>

#include "dom0-util.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Consume one event on @fd: spin up to @spin_ns, then sleep (10 s at most). */
static int wait_event(int fd, uint64_t spin_ns)
{
	uint64_t count, until = spin_ns ? dom0_now_ns() + spin_ns : 0;

	for (;;) {
		if (read(fd, &count, sizeof(count)) == (ssize_t)sizeof(count))
			return 0;
		if (errno != EAGAIN)
			return -1;
		if (until && dom0_now_ns() < until)
			continue;
		if (!dom0_wait_fd(fd, 10000))
			return -1;
	}
}

int main(int argc, char **argv)
{
	struct dom0_guest *g = malloc(sizeof(*g));
	struct shoji_evtchn *x;
	unsigned long rounds, i, answered = 0;
	uint64_t spin_ns, *lat;
	unsigned int domid, rport;
	char cmdline[64], expect[64];
	const char *line;
	int lport, fd;
	uint32_t reason;

	dom0_prog = "dom0-pingpong";
	if (argc < 3 || !g) {
		fprintf(stderr, "usage: dom0-pingpong SOCKET GUEST [ROUNDS [SPIN_US]]\n");
		return 2;
	}
	rounds = argc > 3 ? strtoul(argv[3], NULL, 0) : 10000;
	spin_ns = argc > 4 ? strtoull(argv[4], NULL, 0) * 1000 : 0;
	lat = calloc(rounds ? rounds : 1, sizeof(*lat));
	if (!lat || rounds == 0)
		dom0_fail("bad round count");
	snprintf(cmdline, sizeof(cmdline), "rounds=%lu", rounds);
	dom0_guest_start(g, argv[1], argv[2], cmdline);
	line = dom0_console_wait(g, "evtchn-dom0: domid=", 30000);
	if (sscanf(line, "evtchn-dom0: domid=%u port=%u", &domid, &rport) != 2 || domid != g->domid)
		dom0_fail("unexpected line \"%s\"", line);

	x = shoji_evtchn_open(argv[1]);
	if (!x)
		dom0_fail("shoji_evtchn_open: %s", strerror(errno));
	lport = shoji_evtchn_bind_interdomain(x, domid, rport);
	if (lport < 0)
		dom0_fail("bind_interdomain(%u, %u): %s", domid, rport, strerror(errno));
	fd = shoji_evtchn_port_fd(x, (shoji_evtchn_port_t)lport);
	/* A fresh interdomain binding starts pending once (as in Xen): consume that. */
	while (shoji_evtchn_pending(x) >= 0)
		;

	for (i = 0; i < rounds; i++) {
		uint64_t t0 = dom0_now_ns();

		if (shoji_evtchn_notify(x, (shoji_evtchn_port_t)lport) < 0)
			dom0_fail("notify round %lu: %s", i, strerror(errno));
		if (wait_event(fd, spin_ns) < 0)
			dom0_fail("no answer to round %lu (answered %lu)", i, answered);
		lat[i] = dom0_now_ns() - t0;
		answered++;
	}
	snprintf(expect, sizeof(expect), "evtchn-dom0: answered=%lu", rounds);
	dom0_console_wait(g, expect, 30000);
	reason = dom0_guest_wait_shutdown(g, 30000);
	if (reason != 0)
		dom0_fail("guest shut down with reason %u; console:\n%s", reason, g->con);
	if (answered != rounds)
		dom0_fail("answered %lu of %lu", answered, rounds);
	qsort(lat, rounds, sizeof(*lat), cmp_u64);
	printf("dom0-pingpong: rounds=%lu median_ns=%llu p99_ns=%llu\n", answered,
	       (unsigned long long)lat[rounds / 2], (unsigned long long)lat[rounds * 99 / 100]);
	if (shoji_evtchn_unbind(x, (shoji_evtchn_port_t)lport) < 0)
		dom0_fail("unbind: %s", strerror(errno));
	shoji_evtchn_close(x);
	dom0_guest_destroy(g);
	free(lat);
	free(g);
	return 0;
}
