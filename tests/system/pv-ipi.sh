#!/bin/sh
# IPIs between two vCPUs of one guest over EVTCHNOP_bind_ipi ports: 1000
# each way, every one counted on the vCPU its port names.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/guests/lib.sh"
require_kvm

out="$SHOJI_TMP/ipi"
run_guest "$out" evtchn-ipi --vcpus 2 --cmdline "rounds=1000"
expect_line "$out" "PASS ipi_vcpu0_received rc=1000"
expect_line "$out" "PASS ipi_vcpu1_received rc=1000"
expect_line "$out" "PASS ipi_on_right_vcpu rc=0"
expect_checks "$out" ipi_two_vcpus ipi_bind_vcpu0 ipi_bind_vcpu1 ipi_bind_no_such_vcpu \
	ipi_status ipi_start_vcpu1 ipi_bind_polled ipi_poll_rc ipi_poll_woken
expect_rc "$out" 0
exit 0
