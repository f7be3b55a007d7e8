#!/bin/sh
# Event upcalls reach a guest waiting in hlt with interrupts on, in Xen's
# three ways (tests/guests/upcall.c): the callback vector with the local
# APIC never touched, the callback vector with the LAPIC enabled and EOIed,
# and the per-vCPU vector.  The callback vector is level-triggered on
# evtchn_upcall_pending, as on Xen.  A mode that does not deliver leaves the
# guest halted: the 30 s timeout.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/guests/lib.sh"
require_kvm

GUEST_TIMEOUT=30
for mode in nolapic lapic percpu; do
	out="$SHOJI_TMP/$mode"
	run_guest "$out" upcall --cmdline "mode=$mode"
	[ "$rc" -ne 124 ] || guest_fail "$out" "mode=$mode: no upcall woke the guest from hlt in 30 s"
	[ "$mode" = percpu ] ||
		expect_line "$out" "PASS upcall_level_triggered $mode: 2 upcalls for one event left pending once"
	expect_checks "$out" upcall_evtchn_init upcall_bind_virq upcall_handler upcall_wakes_hlt
	expect_rc "$out" 0
done
exit 0
