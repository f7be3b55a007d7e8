#!/bin/sh
# Every implemented hypercall on its success and error paths (-EFAULT,
# -ENOSYS, -EINVAL...): see tests/guests/hypercalls.c.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/guests/lib.sh"
require_kvm

out="$SHOJI_TMP/hypercalls"
run_guest "$out" hypercalls --memory 64
expect_checks "$out" xen_version xen_version_extraversion xen_version_capabilities \
	xen_version_extraversion_efault_unmapped xen_version_extraversion_efault_beyond_ram \
	xen_version_efault_straddle xen_version_unknown_cmd \
	console_io_write console_io_write_efault_unmapped console_io_unknown_cmd \
	sched_op_yield sched_op_block sched_op_poll_timeout sched_op_shutdown_efault_unmapped \
	sched_op_unknown_cmd \
	vcpu_op_is_up_self vcpu_op_get_runstate_info vcpu_op_set_singleshot_timer \
	vcpu_op_set_periodic_timer_huge vcpu_op_register_vcpu_info vcpu_op_unknown_cmd \
	memory_op_memory_map memory_op_reservation memory_op_decrease_reservation \
	memory_op_populate_physmap memory_op_increase_reservation memory_op_add_to_physmap_above_ram \
	memory_op_unknown_cmd \
	hvm_op_set_param hvm_op_get_param hvm_op_set_param_bad_index \
	hvm_op_set_evtchn_upcall_vector hvm_op_unknown_cmd \
	hypercall_unknown_1 hypercall_unknown_127
expect_line "$out" "console_io: direct write"
expect_rc "$out" 0
exit 0
