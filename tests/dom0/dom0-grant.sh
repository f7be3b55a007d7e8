#!/bin/sh
# A guest grants a page, Dom0 maps it with libshoji-gnttab, both see each other's writes;
# the guest's end-access fails while Dom0 maps the page and succeeds after the unmap.
. "$top_srcdir/tests/lib/common.sh"
require_kvm
. "$top_srcdir/tests/dom0/dom0-lib.sh"

out=$(timeout 300 "$DOM0/dom0-grant" "$SOCK" "$GUESTS/gnttab-dom0") || fail "dom0-grant: $out"
echo "$out"
[ "$out" = "dom0-grant: PASS" ] || fail "unexpected output: $out"
hv_alive
