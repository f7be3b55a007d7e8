#!/bin/sh
# GNTTABOP_map_grant_ref / unmap_grant_ref between two guests (a guest-side
# backend): the mapper sees and changes the granter's page through a mapping
# above its RAM, the granter's end_access fails while it is mapped and
# succeeds after the unmap; the maps and unmaps the hypervisor must refuse;
# a write to a read-only mapping raises #GP in the writer and changes
# nothing; XENMEM_maximum_gpfn covers mappings; a granter destroyed
# while its page is mapped leaves the mapper a valid page; a mapper
# destroyed with a live mapping releases it.  See tests/guests/gnttab-map.c.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/guests/lib.sh"
. "$top_srcdir/tests/system/pv-lib.sh"
require_kvm
HVCTL="$top_builddir/tests/system/hv-ctrl-client"
[ -x "$HVCTL" ] || fail "$HVCTL is not built"
pv_start_hv

# wait_line OUT REGEX: wait (up to 120 s) for a line of OUT.out matching REGEX.
wait_line() {
	local tries=1200
	while ! grep -qE "$2" "$1.out" 2>/dev/null && [ "$tries" -gt 0 ]; do
		sleep 0.1
		tries=$((tries - 1))
	done
	grep -qE "$2" "$1.out" || guest_fail "$1" "no line matching: $2"
}

# pv_bg OUT ARGS...: pv_run, in the background (its pid in $pvrun_pid).
pv_bg() {
	local out=$1
	shift
	rc=0
	"$PVRUN" "$PV_SOCK" 120 "$@" >"$out.out" 2>"$out.err" &
	pvrun_pid=$!
	track_pid $pvrun_pid
}

# destroy_peer OUT N CHECK: once guest N passes CHECK (printed as "peer=D"),
# destroy domain D (in $peer) and wait for pvrun (status in $rc).
destroy_peer() {
	wait_line "$1" "^\\[$2\\] PASS $3 peer=[0-9]+\$"
	peer=$(sed -n "s/^\\[$2\\] PASS $3 peer=//p" "$1.out")
	"$HVCTL" "$PV_SOCK" destroy "$peer" || guest_fail "$1" "cannot destroy domain $peer"
	wait $pvrun_pid || rc=$?
}

# 1. Map, share, refuse, unmap.
out="$SHOJI_TMP/map"
pv_run "$out" 120 \
	"$GUEST_DIR/gnttab-map" "role=granter peer={dom1}" \
	"$GUEST_DIR/gnttab-map" "role=mapper peer={dom0}"
pv_expect_checks "$out" 0 gnttab_refs gnttab_grant_other gnttab_mapper_mapped \
	gnttab_map_answer gnttab_end_while_mapped_rw gnttab_end_while_mapped_ro \
	gnttab_unmap_foreign_handle gnttab_mapper_unmapped gnttab_end_after_unmap_rw \
	gnttab_end_after_unmap_ro gnttab_end_other gnttab_end_limit_refs
pv_expect_checks "$out" 1 gnttab_map_rw gnttab_map_ro gnttab_map_rw_data gnttab_map_ro_data \
	gnttab_map_rw_of_ro gnttab_map_addr_taken gnttab_map_in_ram gnttab_map_at_zero \
	gnttab_map_in_hole gnttab_map_too_high gnttab_map_reserved_ref \
	gnttab_map_ref_beyond_table gnttab_map_ref_huge gnttab_map_other_domid \
	gnttab_map_bad_domain gnttab_map_domid_self gnttab_map_no_flags \
	gnttab_unmap_bad_handle gnttab_unmap_huge_handle gnttab_unmap_wrong_addr \
	gnttab_unmap_zero_addr gnttab_shinfo_over_map gnttab_still_mapped gnttab_map_batch \
	gnttab_unmap_batch gnttab_map_limit gnttab_map_limit_data gnttab_unmap_limit \
	gnttab_granter_checked gnttab_unmap_rw gnttab_unmap_twice gnttab_unmap_ro \
	gnttab_remap gnttab_remap_data gnttab_remap_unmap
expect_line "$out" "[1] PASS gnttab_map_in_ram status=-1 want=-1"
expect_line "$out" "[1] PASS gnttab_map_ref_beyond_table status=-3 want=-3"
expect_line "$out" "[1] PASS gnttab_map_other_domid status=-1 want=-1"
expect_line "$out" "[1] PASS gnttab_map_batch rc=0 status 0 -3"
# 1024 maps per domain (HV_MAX_GRANT_MAPS; KVM here has 32764 memslots), 2 held already.
expect_line "$out" "[1] PASS gnttab_map_limit maps=1022 status=-13"
expect_rc "$out" 0

# 2. A write through a read-only mapping: dropped, and the writer gets #GP
#    (as on Xen); the granter's page is unchanged and nothing else is hurt.
out="$SHOJI_TMP/ro"
pv_bg "$out" "$GUEST_DIR/gnttab-map" "role=witness peer={dom1}" \
	"$GUEST_DIR/gnttab-map" "role=rowriter peer={dom0}"
wait_line "$out" '^pvrun: \[1\] '
expect_line "$out" "pvrun: [1] shutdown reason=3" # the runtime's own crash, after #GP
destroy_peer "$out" 0 gnttab_witness_notified
pv_expect_checks "$out" 0 gnttab_writer_gone gnttab_ro_page_intact
expect_line "$out" "[1] PASS gnttab_map_ro_data rc=0"
expect_line "$out" "[1] gnttab-map: writing to the read-only mapping"
grep -qE '^\[1\] shoji-guest: vCPU 0: exception 13 \(#GP general protection\) .* error=0x0 ' \
	"$out.out" || guest_fail "$out" "the writer did not get #GP(0)"
grep -q "FAIL gnttab_ro_write_survived" "$out.out" && guest_fail "$out" "the write went through"
grep -q "domain $peer vcpu 0: write to read-only grant mapping at 0xc0000000; #GP" \
	"$SHOJI_TMP/hv.err" || guest_fail "$out" "shoji-hv did not report the read-only write"
expect_rc "$out" 1

# 3. The granter is destroyed while its page is mapped: the page stays valid.
out="$SHOJI_TMP/survive"
pv_bg "$out" --bg "$GUEST_DIR/gnttab-map" "role=holder peer={dom1}" \
	"$GUEST_DIR/gnttab-map" "role=survivor peer={dom0}"
destroy_peer "$out" 1 gnttab_survivor_mapped
pv_expect_checks "$out" 1 gnttab_max_gpfn_mapped gnttab_peer_gone gnttab_page_survives \
	gnttab_page_writable gnttab_unmap_after_peer_gone gnttab_max_gpfn_unmapped
expect_rc "$out" 0

# 4. The mapper is destroyed with a live mapping: the granter can end access.
out="$SHOJI_TMP/die"
pv_bg "$out" "$GUEST_DIR/gnttab-map" "role=keeper peer={dom1}" \
	--bg "$GUEST_DIR/gnttab-map" "role=dier peer={dom0}"
destroy_peer "$out" 0 gnttab_keeper_busy
pv_expect_checks "$out" 0 gnttab_dier_mapped gnttab_end_while_mapped \
	gnttab_end_after_mapper_died gnttab_dier_answer gnttab_end_ro
expect_rc "$out" 0

# shoji-hv survived all of it.
"$HVCTL" "$PV_SOCK" list >"$SHOJI_TMP/list" || fail "shoji-hv no longer answers"
exit 0
