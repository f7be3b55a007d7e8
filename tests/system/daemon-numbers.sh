#!/bin/sh
# Every daemon option that takes a number goes through libshoji-util's
# parse_u64: a bad or out-of-range number is one line on standard error that
# names the option, and exit status 2, before the daemon touches anything.
# No KVM needed: the options are checked before shoji-hv opens /dev/kvm.
. "$top_srcdir/tests/lib/common.sh"

HV="$top_builddir/hypervisor/shoji-hv"
XSD="$top_builddir/xenstore/xenstored/shoji-xenstored"
CONSD="$top_builddir/pv-drivers/dom0/consoled/shoji-consoled"

# bad OPTION PROGRAM ARGS...: exit 2 and a first stderr line naming OPTION.
bad() {
	opt=$1
	shift
	"$@" >"$SHOJI_TMP/out" 2>"$SHOJI_TMP/err" </dev/null
	rc=$?
	[ "$rc" = 2 ] || fail "$*: exit $rc, not 2: $(cat "$SHOJI_TMP/err")"
	head -n 1 "$SHOJI_TMP/err" | grep -q -e "$opt" || fail "$*: says: $(cat "$SHOJI_TMP/err")"
	[ ! -s "$SHOJI_TMP/out" ] || fail "$*: wrote to stdout: $(cat "$SHOJI_TMP/out")"
}

for n in "" x 12x -1 +1 " 1" 0x10 18446744073709551616; do
	bad "--memory" "$HV" run /nonexistent --memory "$n"
	bad "--vcpus" "$HV" run /nonexistent --vcpus "$n"
	bad "--pool" "$HV" --pool "$n"
	bad "--pool-memory" "$HV" --pool-memory "$n"
	bad "--poll-us" "$XSD" --socket "$SHOJI_TMP/xs.sock" --state-dir "$SHOJI_TMP/xs" --poll-us "$n"
	bad "--output-limit" "$XSD" --socket "$SHOJI_TMP/xs.sock" --state-dir "$SHOJI_TMP/xs" \
		--output-limit "$n"
	bad "watches=" "$XSD" --socket "$SHOJI_TMP/xs.sock" --state-dir "$SHOJI_TMP/xs" \
		--quota "watches=$n"
	bad "--log-max" "$CONSD" --log-dir "$SHOJI_TMP/log" --run-dir "$SHOJI_TMP/run" --log-max "$n"
done
# Out of range, though well-formed.
bad "--memory" "$HV" run /nonexistent --memory 0
bad "--vcpus" "$HV" run /nonexistent --vcpus 0
bad "--pool" "$HV" --pool 17
bad "--poll-us" "$XSD" --socket "$SHOJI_TMP/xs.sock" --state-dir "$SHOJI_TMP/xs" --poll-us 1000001
bad "--output-limit" "$XSD" --socket "$SHOJI_TMP/xs.sock" --state-dir "$SHOJI_TMP/xs" \
	--output-limit 8223
[ ! -e "$SHOJI_TMP/xs" ] && [ ! -e "$SHOJI_TMP/log" ] || fail "a daemon acted on a bad option"
echo "PASS: bad numbers refused with exit 2"
