/*
 * pv-xenstore: the guest runtime's xenstore client (xs_* in shoji-guest.h)
 * against shoji-xenstored's ring side, driven by tests/dom0/xs-ring-run.
 *
 * The store page is a zeroed page of the image and the port one allocated
 * for Dom0 (shoji-hv does not set HVM_PARAM_STORE_* yet), announced as
 *	xs-guest: domid=<D> gfn=0x<gfn> port=<P>
 * for xs-ring-run to INTRODUCE.  Once the server announces its features:
 * relative write + read, absolute read, ENOENT, EACCES on Dom0's node, a
 * watch (initial event, then one fired by Dom0's write after
 * "xs-guest: hook write"), rm, unwatch.  PASS/FAIL lines, then
 * SUCCESS/FAILURE.  timeout_ms=T (default 60000) bounds each wait.
 */
#include <shoji/io/xs_wire.h>

#include "evtchn-lib.h"

static uint8_t store_page[GUEST_PAGE_SIZE] __attribute__((aligned(GUEST_PAGE_SIZE)));

static bool next_watch(const char *want_path, uint64_t deadline)
{
	char path[128], token[32];
	long rc = xs_read_watch(path, sizeof(path), token, sizeof(token), deadline);

	return rc == 0 && strcmp(path, want_path) == 0 && strcmp(token, "tok") == 0;
}

int guest_main(const struct hvm_start_info *si)
{
	struct xenstore_domain_interface *ring = (void *)store_page;
	uint64_t timeout = cmdline_ulong(si, "timeout_ms", 60000) * MS, deadline;
	unsigned int domid = xen_get_info()->domid;
	evtchn_port_t port = 0;
	char buf[64], path[64];

	if (!check_rc("pvxs_evtchn_init", evtchn_init(), 0) ||
	    !check_rc("pvxs_alloc_unbound", evtchn_alloc_unbound(0, &port), 0) ||
	    !check_rc("pvxs_init_ring", xs_init_ring(ring, port), 0))
		return check_finish();
	printf("xs-guest: domid=%u gfn=0x%lx port=%u\n", domid,
	       (unsigned long)((uintptr_t)store_page >> 12), port);
	deadline = monotonic_ns() + timeout;
	while (__atomic_load_n(&ring->server_features, __ATOMIC_ACQUIRE) == 0 &&
	       monotonic_ns() < deadline)
		sleep_ns(MS);
	if (!check(ring->server_features != 0, "pvxs_introduced", NULL))
		return check_finish();

	check_rc("pvxs_write", xs_write("data/x", "hello"), 0);
	check_rc("pvxs_read_relative", xs_read("data/x", buf, sizeof(buf)), 5);
	check(strcmp(buf, "hello") == 0, "pvxs_read_value", "%s", buf);
	snprintf(path, sizeof(path), "/local/domain/%u/data/x", domid);
	check_rc("pvxs_read_absolute", xs_read(path, buf, sizeof(buf)), 5);
	check_rc("pvxs_read_missing", xs_read("data/missing", buf, sizeof(buf)), -XEN_ENOENT);
	check_rc("pvxs_read_dom0_eacces", xs_read("/local/domain/0/secret", buf, sizeof(buf)),
	         -XEN_EACCES);
	check_rc("pvxs_read_too_small", xs_read("data/x", buf, 3), -XEN_E2BIG);

	check_rc("pvxs_watch", xs_watch("data/w", "tok"), 0);
	check(next_watch("data/w", monotonic_ns() + timeout), "pvxs_watch_initial", NULL);
	printf("xs-guest: hook write\n");
	check(next_watch("data/w", monotonic_ns() + timeout), "pvxs_watch_event", NULL);
	check_rc("pvxs_read_dom0_value", xs_read("data/w", buf, sizeof(buf)), 9);
	check(strcmp(buf, "from-dom0") == 0, "pvxs_dom0_value", "%s", buf);
	check_rc("pvxs_unwatch", xs_unwatch("data/w", "tok"), 0);
	check_rc("pvxs_read_watch_timeout",
	         xs_read_watch(path, sizeof(path), buf, sizeof(buf), monotonic_ns() + 20 * MS),
	         -XEN_ETIMEDOUT);

	check_rc("pvxs_rm", xs_rm("data/x"), 0);
	check_rc("pvxs_read_removed", xs_read("data/x", buf, sizeof(buf)), -XEN_ENOENT);
	check_rc("pvxs_write_done", xs_write("data/done", "1"), 0);
	return check_finish();
}
