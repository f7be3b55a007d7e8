#!/bin/sh
# GNTTABOP_copy between two guests in both directions (data checked on
# both sides), the copies the hypervisor must refuse (read-only grant,
# refs beyond the table, a grant for another domain, lengths crossing a
# page, a missing domain, a foreign frame without a grant), and end_access.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/guests/lib.sh"
. "$top_srcdir/tests/system/pv-lib.sh"
require_kvm
pv_start_hv

out="$SHOJI_TMP/copy"
pv_run "$out" 120 \
	"$GUEST_DIR/gnttab-copy" "role=granter peer={dom1}" \
	"$GUEST_DIR/gnttab-copy" "role=copier peer={dom0}"
expect_line "$out" "[0] PASS gnttab_refs refs 8 9 10"
expect_line "$out" "[0] PASS gnttab_copy_in_data rc=0"
expect_line "$out" "[1] PASS gnttab_copy_in_data rc=0"
expect_line "$out" "[1] PASS gnttab_copy_write_readonly rc=0 status=-1 want=-1"
expect_line "$out" "[1] PASS gnttab_copy_ref_beyond_table rc=0 status=-3 want=-3"
expect_line "$out" "[1] PASS gnttab_copy_other_domid rc=0 status=-1 want=-1"
expect_line "$out" "[1] PASS gnttab_copy_cross_page_src rc=0 status=-10 want=-10"
expect_line "$out" "[1] PASS gnttab_copy_cross_page_dst rc=0 status=-10 want=-10"
expect_line "$out" "[1] PASS gnttab_copy_bad_domain rc=0 status=-2 want=-2"
expect_line "$out" "[1] PASS gnttab_copy_foreign_frame rc=0 status=-8 want=-8"
expect_line "$out" "[1] PASS gnttab_copy_batch rc=0 status 0 -3"
pv_expect_checks "$out" 0 gnttab_init gnttab_grant_ro gnttab_grant_rw gnttab_grant_other \
	gnttab_copier_done gnttab_end_access_8 gnttab_end_access_9 gnttab_end_access_10 \
	gnttab_end_access_twice
pv_expect_checks "$out" 1 gnttab_connect gnttab_copy_in gnttab_copy_out gnttab_copy_out_piece \
	gnttab_copy_ref_huge gnttab_copy_reserved_ref gnttab_done
expect_rc "$out" 0
exit 0
