/*
 * hvsim-serve DIR: hvsim (shoji-hv without KVM) serving DIR/hv.sock until
 * SIGTERM or SIGINT, for shell tests that run shojid without /dev/kvm.
 * Its domains are created, listed and destroyed like shoji-hv's; none runs
 * guest code.  Prints "ready" on stdout once the socket is up.
 *
 * The test plays a domain's guest, or a second toolstack behind shojid's
 * back, through lines on stdin:
 *   shutdown DOMID REASON   the guest calls SCHEDOP_shutdown with REASON
 *   burst DOMID N           N pause/unpause pairs of the domain, as fast as
 *                           shoji-hv takes them (a burst of 2N events)
 *   destroy DOMID           the domain is destroyed
 *   poke DOMID GPA VALUE    the guest stores the 64-bit VALUE (hex) at GPA (hex)
 *   expect DOMID GPA VALUE  "ok" when the 64 bits at GPA hold VALUE, else "error 61"
 * Each line is answered on stdout with "ok" or "error N" (the result).
 */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <errno.h>
#include <inttypes.h>

#include <shoji/ctrl.h>

#include "hvsim.h"

/* poke (store) or expect (compare) the 64-bit @value at guest-physical @gpa of @domid. */
static int guest_word(struct hvsim *sim, uint32_t domid, uint64_t gpa, uint64_t value, bool store)
{
	uint64_t v = value;
	int r = hvsim_guest_word(sim, domid, gpa, &v, store);

	return r ? r : v == value ? 0 : -ENODATA;
}

/* burst: @n pause/unpause pairs of @domid through @c.  0 or -errno. */
static int burst(struct shoji_ctrl *c, uint32_t domid, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (shoji_ctrl_pause(c, domid) < 0 || shoji_ctrl_unpause(c, domid) < 0)
			return -errno;
	return 0;
}

static void *commands(void *arg)
{
	struct hvsim *sim = arg;
	struct shoji_ctrl *c = shoji_ctrl_open(hvsim_socket(sim));
	char line[128];
	unsigned int domid, reason, n;
	uint64_t gpa, value;

	while (fgets(line, sizeof(line), stdin)) {
		int r = -22; /* EINVAL: not a command */

		if (sscanf(line, "shutdown %u %u", &domid, &reason) == 2)
			r = hvsim_guest_shutdown(sim, domid, reason);
		else if (sscanf(line, "poke %u %" SCNx64 " %" SCNx64, &domid, &gpa, &value) == 3)
			r = guest_word(sim, domid, gpa, value, true);
		else if (sscanf(line, "expect %u %" SCNx64 " %" SCNx64, &domid, &gpa, &value) == 3)
			r = guest_word(sim, domid, gpa, value, false);
		else if (!c)
			r = -ENOTCONN;
		else if (sscanf(line, "burst %u %u", &domid, &n) == 2)
			r = burst(c, domid, n);
		else if (sscanf(line, "destroy %u", &domid) == 1)
			r = shoji_ctrl_destroy(c, domid) < 0 ? -errno : 0;
		if (r == 0)
			printf("ok\n");
		else
			printf("error %d\n", -r);
		fflush(stdout);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct hvsim *sim;
	pthread_t t;
	sigset_t set;
	int sig;

	if (argc != 2) {
		fprintf(stderr, "usage: hvsim-serve DIR\n");
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL); /* hvsim's threads inherit the mask */
	sim = hvsim_start(argv[1]);
	if (!sim)
		return 1;
	printf("ready\n");
	fflush(stdout);
	if (pthread_create(&t, NULL, commands, sim) != 0)
		return 1;
	pthread_detach(t);
	sigwait(&set, &sig);
	hvsim_stop(sim);
	return 0;
}
