#!/bin/sh
# A domain created outside shojid (issue 16, item 4): another tool builds it through
# shoji-hv's socket.  `shoji list` shows it, and `shoji info` and `shoji destroy` find it by
# id and by name (as xl does for any domain the hypervisor runs); info says it is not
# managed by shojid.  Runs on hvsim, without KVM.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/system/toolstack-lib.sh"
HVCTL="$top_builddir/tests/system/hv-ctrl-client"

ts_start_sim
shoji create -p "$(ts_xml ours "$GUESTS/idle")" >/dev/null || fail "create ours"
id=$("$HVCTL" "$TS_HV_SOCK" create stray 16 1) || fail "hv create"
shoji list | grep -q "^stray  *$id " || fail "list does not show stray: $(shoji list)"

for t in "$id" stray; do
	shoji info "$t" >"$SHOJI_TMP/info" 2>&1 || fail "info $t: $(cat "$SHOJI_TMP/info")"
	grep -q "^Name: *stray$" "$SHOJI_TMP/info" && grep -q "^ID: *$id$" "$SHOJI_TMP/info" ||
		fail "info $t: $(cat "$SHOJI_TMP/info")"
	shoji info --json "$t" | grep -q '"managed": false' || fail "info --json $t: $(shoji info --json "$t")"
done
shoji info --json ours | grep -q '"managed": true' || fail "ours is not managed"

shoji destroy stray >"$SHOJI_TMP/out" 2>&1 || fail "destroy stray: $(cat "$SHOJI_TMP/out")"
"$HVCTL" "$TS_HV_SOCK" list | grep -q " name=stray " && fail "stray still runs in shoji-hv"
shoji info stray 2>&1 | grep -q "no domain named 'stray'" || fail "info after destroy: $(shoji info stray 2>&1)"

id=$("$HVCTL" "$TS_HV_SOCK" create stray2 16 1) || fail "hv create stray2"
shoji destroy "$id" >/dev/null 2>&1 || fail "destroy $id"
"$HVCTL" "$TS_HV_SOCK" list | grep -q " name=stray2 " && fail "stray2 still runs in shoji-hv"
shoji destroy "$id" >/dev/null 2>"$SHOJI_TMP/err"; rc=$?
[ $rc -eq 3 ] && grep -q "no domain with id $id" "$SHOJI_TMP/err" || fail "destroy of a gone id: exit $rc, $(cat "$SHOJI_TMP/err")"
# Our own domain is untouched.
shoji list | grep -q "^ours " || fail "ours went: $(shoji list)"
echo "PASS toolstack-unmanaged"
