/*
 * idle: a long-lived guest for toolstack tests.  Prints "idle: up domid=N"
 * and then sleeps in SCHEDOP_block without a timer, using no CPU.  With
 * "after=MS" it shuts down after MS milliseconds instead, with "reason=N"
 * (default SHUTDOWN_poweroff).
 */
#include "check.h"

#include <shoji/sched.h>

int guest_main(const struct hvm_start_info *si)
{
	const struct xen_info *xi = xen_get_info();
	unsigned long after = cmdline_ulong(si, "after", 0);

	printf("idle: up domid=%u\n", xi->domid);
	if (after == 0) {
		for (;;)
			sched_block();
	}
	sleep_ns((uint64_t)after * 1000000ULL);
	printf("idle: shutting down reason=%lu\n", cmdline_ulong(si, "reason", SHUTDOWN_poweroff));
	shutdown((unsigned int)cmdline_ulong(si, "reason", SHUTDOWN_poweroff));
}
