/*
 * shutdown: shuts down with the reason given as "reason=N" on the command
 * line.  With "code=M" it first records M with SCHEDOP_shutdown_code, which
 * Xen then reports instead of the reason given to the shutdown itself.
 */
#include "check.h"

#include <shoji/sched.h>

int guest_main(const struct hvm_start_info *si)
{
	unsigned long reason = cmdline_ulong(si, "reason", SHUTDOWN_poweroff);
	char buf[16];

	if (cmdline_get(si, "code", buf, sizeof(buf))) {
		struct sched_shutdown code = {.reason = (unsigned int)strtoul_simple(buf, NULL)};
		long rc = hyp_sched_op(SCHEDOP_shutdown_code, &code);

		printf("shutdown_code %u rc=%ld\n", code.reason, rc);
	}
	printf("shutting down reason=%lu\n", reason);
	shutdown((unsigned int)reason);
}
