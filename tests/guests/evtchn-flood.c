/*
 * evtchn-flood: a guest that floods notifications.  peer=D: binds to the
 * port D reserved for it (pv_connect), prints "flood: connected" and then
 * sends on it without pause, forever (run it in the background: pvrun
 * --bg destroys it at the end).  A send that fails prints
 * "FAIL flood_send rc=<rc>" once; the flood goes on.
 */
#include "evtchn-lib.h"

int guest_main(const struct hvm_start_info *si)
{
	domid_t peer = (domid_t)cmdline_ulong(si, "peer", DOMID_INVALID);
	evtchn_port_t port = 0;
	bool reported = false;

	if (!check_rc("flood_init", evtchn_init(), 0) ||
	    !check_rc("flood_connect", pv_connect(peer, monotonic_ns() + 60000 * MS, &port), 0))
		return check_finish();
	printf("flood: connected\n");
	for (;;) {
		long rc = evtchn_send(port);

		if (rc != 0 && !reported) {
			check_rc("flood_send", rc, 0);
			reported = true;
		}
	}
}
