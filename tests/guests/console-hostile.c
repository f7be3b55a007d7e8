/*
 * console-hostile: a test guest that breaks its own PV console ring.  It
 * writes one honest line ("console-hostile: hello"), then sets out_prod
 * far beyond out_cons (an impossible index), notifies the backend, and
 * blocks forever so the domain stays alive.  The backend must drop this
 * console and keep serving the others.
 *
 * With flood=N it is merely loud instead: N numbered 64-byte lines
 * ("flood 00000 xxxx...") on the PV console, then "console-hostile:
 * flooded" and it blocks, ring intact (for the log size limit).
 */
#include "shoji-guest.h"

#include <shoji/hvm.h>
#include <shoji/io/console.h>

static bool never(void *arg)
{
	return false;
}

int guest_main(const struct hvm_start_info *si)
{
	static const char hello[] = "console-hostile: hello\n";
	struct xen_hvm_param p = {.domid = DOMID_SELF, .index = HVM_PARAM_CONSOLE_PFN};
	struct xencons_interface *r;
	evtchn_port_t port;
	char arg[16];
	long rc = evtchn_init();

	if (rc == 0)
		rc = pvcons_init();
	if (rc == 0)
		rc = pvcons_write(hello, sizeof(hello) - 1);
	if (rc >= 0 && cmdline_get(si, "flood", arg, sizeof(arg))) {
		unsigned long n = strtoul_simple(arg, NULL);
		char line[65];

		for (unsigned long i = 0; i < n && rc >= 0; i++) {
			snprintf(line, sizeof(line), "flood %05lu %s\n", i,
			         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
			rc = pvcons_write(line, 64);
		}
		printf("console-hostile: flooded rc=%ld\n", rc);
		evtchn_wait(never, NULL, 0);
		return 0;
	}
	if (rc < 0 || hyp_hvm_op(HVMOP_get_param, &p) != 0) {
		printf("console-hostile: setup failed rc=%ld\n", rc);
		return 1;
	}
	r = (struct xencons_interface *)(uintptr_t)(p.value << 12);
	p.index = HVM_PARAM_CONSOLE_EVTCHN;
	if (hyp_hvm_op(HVMOP_get_param, &p) != 0)
		return 1;
	port = (evtchn_port_t)p.value;
	/* Wait until the backend took the honest line, then lie. */
	while (__atomic_load_n(&r->out_cons, __ATOMIC_ACQUIRE) != r->out_prod)
		sleep_ns(1000000);
	__atomic_store_n(&r->out_prod, r->out_cons + 100000u, __ATOMIC_RELEASE);
	evtchn_send(port);
	printf("console-hostile: corrupted\n");
	evtchn_wait(never, NULL, 0);
	return 0;
}
