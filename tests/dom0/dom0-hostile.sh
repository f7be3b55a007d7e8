#!/bin/sh
# Dom0 libraries against missing domains, foreign ports, bad grant copies, foreign-map
# bounds, and guests destroyed while Dom0 holds a port and a mapping.
. "$top_srcdir/tests/lib/common.sh"
require_kvm
. "$top_srcdir/tests/dom0/dom0-lib.sh"

out=$(timeout 300 "$DOM0/dom0-hostile" "$SOCK" "$GUESTS/evtchn-dom0" "$GUESTS/gnttab-dom0") ||
	fail "dom0-hostile: $out"
echo "$out"
[ "$out" = "dom0-hostile: PASS" ] || fail "unexpected output: $out"
hv_alive
