#!/bin/sh
# 2 and 4 vCPUs: every secondary vCPU comes up through VCPUOP_initialise +
# VCPUOP_up, prints "vcpu N up", has a working clock and goes down again.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/guests/lib.sh"
require_kvm

for n in 2 4; do
	out="$SHOJI_TMP/smp-$n"
	run_guest "$out" smp --vcpus "$n" --cmdline "vcpus=$n"
	i=1
	while [ "$i" -lt "$n" ]; do
		expect_line "$out" "vcpu $i up"
		i=$((i + 1))
	done
	expect_checks "$out" smp_nr_vcpus smp_all_up smp_vcpus_down smp_initialise_twice
	expect_rc "$out" 0
done
exit 0
