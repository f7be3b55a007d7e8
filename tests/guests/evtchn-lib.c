/*
 * evtchn-lib.c: helpers for the event channel and grant table test guests.
 */
#include "evtchn-lib.h"

long pv_connect(domid_t peer, uint64_t deadline_ns, evtchn_port_t *local)
{
	for (;;) {
		for (evtchn_port_t p = 1; p < PV_SCAN_PORTS; p++) {
			long rc = evtchn_bind_interdomain(peer, p, local);

			if (rc == 0) {
				/* Binding raises the new port once; that is no message. */
				evtchn_test_and_clear(*local);
				return 0;
			}
			if (rc == -XEN_ESRCH)
				return rc;
		}
		if (monotonic_ns() >= deadline_ns)
			return -XEN_ETIMEDOUT;
		sleep_ns(MS);
	}
}

uint64_t pv_select(uint64_t *v, size_t n, size_t kth)
{
	long lo = 0, hi = (long)n - 1, k = (long)kth;

	if (kth >= n)
		return 0;
	/* Wirth's selection: average O(n), cheap enough for emulated guest code. */
	while (lo < hi) {
		uint64_t pivot = v[k], t;
		long i = lo, j = hi;

		do {
			while (v[i] < pivot)
				i++;
			while (pivot < v[j])
				j--;
			if (i <= j) {
				t = v[i];
				v[i] = v[j];
				v[j] = t;
				i++;
				j--;
			}
		} while (i <= j);
		if (j < k)
			lo = i;
		if (k < i)
			hi = j;
	}
	return v[k];
}

uint64_t pv_tsc_to_ns(uint64_t delta)
{
	const volatile struct vcpu_time_info *t = &shared_info_get()->vcpu_info[smp_cpu_id()].time;
	int8_t shift = t->tsc_shift;

	if (shift < 0)
		delta >>= -shift;
	else
		delta <<= shift;
	return (uint64_t)(((unsigned __int128)delta * t->tsc_to_system_mul) >> 32);
}

void pv_fill(uint8_t *page, unsigned int seed)
{
	for (unsigned int i = 0; i < GUEST_PAGE_SIZE; i++)
		page[i] = (uint8_t)(i * 7 + seed);
}

unsigned int pv_check(const uint8_t *page, size_t off, size_t len, unsigned int seed)
{
	unsigned int bad = 0;

	for (size_t i = off; i < off + len; i++)
		bad += page[i] != (uint8_t)(i * 7 + seed);
	return bad;
}

int pv_role_main(const struct hvm_start_info *si, const char *prog, const char *init_check,
                 const struct pv_role *roles, size_t n, uint64_t *deadline)
{
	char role[16] = "";
	domid_t peer = (domid_t)cmdline_ulong(si, "peer", DOMID_INVALID);

	*deadline = monotonic_ns() + cmdline_ulong(si, "timeout_ms", 120000) * MS;
	cmdline_get(si, "role", role, sizeof(role));
	if (!check_rc(init_check, evtchn_init(), 0))
		return check_finish();
	for (size_t i = 0; i < n; i++)
		if (strcmp(role, roles[i].name) == 0)
			return roles[i].run(peer);
	printf("%s: role=", prog);
	for (size_t i = 0; i < n; i++)
		printf("%s%s", i ? "|" : "", roles[i].name);
	printf(" required\n");
	return 1;
}
