#!/bin/sh
# Dom0 grant copies through the copy arena (tests/dom0/dom0-gntcopy.c): both directions with the
# content checked, a batch mixing good and bad segments, batches of several messages, and a raw
# client whose copies outside its arena and malformed batches shoji-hv refuses.
. "$top_srcdir/tests/lib/common.sh"
require_kvm
. "$top_srcdir/tests/dom0/dom0-lib.sh"

out=$(timeout 300 "$DOM0/dom0-gntcopy" "$SOCK" "$GUESTS/gnttab-dom0") || fail "dom0-gntcopy: $out"
echo "$out"
[ "$out" = "dom0-gntcopy: PASS" ] || fail "unexpected output: $out"
hv_alive
