/* shoji-hv run: boot one guest in the foreground (like Solo5's tender). */
#ifndef SHOJI_HV_RUN_H
#define SHOJI_HV_RUN_H

#include "domain.h"

struct run_options {
	const char *kernel;
	const char *initrd;
	const char *cmdline;
	struct domain_config cfg;
};

/*
 * Boot the guest, copy its console to stdout and return the exit status:
 * 0 poweroff, 10 + reason for other shutdowns, 13 crashed, 1 host error.
 */
int run_guest(const struct run_options *o);

#endif
