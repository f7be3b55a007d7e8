/*
 * evtchn-dom0: the guest half of the Dom0 <-> guest event channel tests.
 *
 * Allocates a port that domain remote=D (default 0) may bind and prints
 *	evtchn-dom0: domid=<own domid> port=<port>
 * then answers every event on that port with one send back on it.  After
 * rounds=N answers (default 10000) it prints
 *	evtchn-dom0: answered=<N>
 * and powers off.  timeout_ms=T (default 120000) bounds the wait: on
 * expiry it prints "evtchn-dom0: timeout answered=<count>" and crashes.
 * Events on one port coalesce, so the peer waits for each answer before
 * its next ping.
 */
#include "check.h"

static volatile unsigned long answered;
static unsigned long rounds;

static void on_ping(evtchn_port_t port, void *arg)
{
	answered++;
	evtchn_send(port);
}

static bool all_answered(void *arg)
{
	return answered >= rounds;
}

int guest_main(const struct hvm_start_info *si)
{
	domid_t remote = (domid_t)cmdline_ulong(si, "remote", 0);
	uint64_t timeout = cmdline_ulong(si, "timeout_ms", 120000) * 1000000ULL;
	evtchn_port_t port = 0;
	long rc;

	rounds = cmdline_ulong(si, "rounds", 10000);
	rc = evtchn_init();
	if (rc == 0)
		rc = evtchn_alloc_unbound(remote, &port);
	if (rc != 0) {
		printf("evtchn-dom0: setup failed rc=%ld\n", rc);
		return 1;
	}
	evtchn_set_handler(port, on_ping, NULL);
	evtchn_unmask(port);
	printf("evtchn-dom0: domid=%u port=%u\n", xen_get_info()->domid, port);
	if (!evtchn_wait(all_answered, NULL, monotonic_ns() + timeout)) {
		printf("evtchn-dom0: timeout answered=%lu\n", answered);
		return 1;
	}
	printf("evtchn-dom0: answered=%lu\n", answered);
	return 0;
}
