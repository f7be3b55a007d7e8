/*
 * hvsim-serve DIR: hvsim (shoji-hv without KVM) serving DIR/hv.sock until
 * SIGTERM or SIGINT, for shell tests that run shojid without /dev/kvm.
 * Its domains are created, listed and destroyed like shoji-hv's; none runs
 * guest code.  Prints "ready" on stdout once the socket is up.
 *
 * The test plays a domain's guest through lines on stdin:
 *   shutdown DOMID REASON   the guest calls SCHEDOP_shutdown with REASON
 * Each line is answered on stdout with "ok" or "error N" (the result).
 */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "hvsim.h"

static void *commands(void *arg)
{
	struct hvsim *sim = arg;
	char line[128];
	unsigned int domid, reason;

	while (fgets(line, sizeof(line), stdin)) {
		int r = -22; /* EINVAL: not a command */

		if (sscanf(line, "shutdown %u %u", &domid, &reason) == 2)
			r = hvsim_guest_shutdown(sim, domid, reason);
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
