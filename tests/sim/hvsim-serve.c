/*
 * hvsim-serve DIR: hvsim (shoji-hv without KVM) serving DIR/hv.sock until
 * SIGTERM or SIGINT, for shell tests that run shojid without /dev/kvm.
 * Its domains are created, listed and destroyed like shoji-hv's; none runs
 * guest code.  Prints "ready" on stdout once the socket is up.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "hvsim.h"

int main(int argc, char **argv)
{
	struct hvsim *sim;
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
	sigwait(&set, &sig);
	hvsim_stop(sim);
	return 0;
}
