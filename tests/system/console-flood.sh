#!/bin/sh
# A loud guest cannot fill the disk: with --log-max the log of a domain is
# rotated (NAME.log -> NAME.log.1) and neither file grows past the limit,
# while the newest output is always in NAME.log.
. "$top_srcdir/tests/lib/common.sh"
require_kvm
. "$top_srcdir/tests/system/console-lib.sh"
[ -x "$CON_HOSTILE" ] || fail "$CON_HOSTILE is not built"

con_start --log-max 8192
D=$(cdom create loud "$CON_HOSTILE" 32 "flood=400") || fail "cannot create the loud guest"
con_wait_file "$CON_LOG/loud.log" "^flood 00399 x+$" 60
[ -f "$CON_LOG/loud.log.1" ] || fail "the log was not rotated"
for f in "$CON_LOG/loud.log" "$CON_LOG/loud.log.1"; do
	size=$(wc -c <"$f")
	[ "$size" -le 8192 ] || fail "$f has $size bytes, more than --log-max 8192"
done
# Rotation splits at write boundaries: the newest lines are whole and in order.
tail -n 3 "$CON_LOG/loud.log" | grep -qx "flood 00397 x*" || fail "flood 00397 is not whole"
con_alive
cdom destroy "$D"
echo "PASS console-flood"
