#!/bin/sh
# idle comes up and powers off after "after=MS" with the reason asked for;
# without "after" it stays up, blocked (killed here after a short while).
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/guests/lib.sh"
require_kvm

out="$SHOJI_TMP/idle-after"
run_guest "$out" idle --cmdline "after=50 reason=3"
expect_line "$out" "idle: shutting down reason=3"
grep -qxE 'idle: up domid=[0-9]+' "$out.out" || guest_fail "$out" "no up line"
expect_rc "$out" 13

out="$SHOJI_TMP/idle-forever"
GUEST_TIMEOUT=3 run_guest "$out" idle
grep -qxE 'idle: up domid=[0-9]+' "$out.out" || guest_fail "$out" "no up line"
expect_rc "$out" 124
exit 0
