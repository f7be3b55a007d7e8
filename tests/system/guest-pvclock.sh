#!/bin/sh
# pvclock time never goes backwards (on one vCPU, across blocks, and between
# two vCPUs) and the wall clock is plausible.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/guests/lib.sh"
require_kvm

out="$SHOJI_TMP/pvclock-1"
run_guest "$out" pvclock
expect_checks "$out" pvclock_fields pvclock_monotonic pvclock_monotonic_across_blocks \
	pvclock_wallclock
expect_rc "$out" 0

out="$SHOJI_TMP/pvclock-2"
run_guest "$out" pvclock --vcpus 2
expect_checks "$out" pvclock_monotonic pvclock_cross_vcpu
expect_rc "$out" 0
exit 0
