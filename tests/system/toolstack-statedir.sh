#!/bin/sh
# shojid's state directory is its own (issue 15, findings 8 and 11): a second
# shojid on the same --state-dir stops with one line before it touches a
# record or a socket, and the first keeps serving; a state directory that
# another user owns, or that its group may write, is refused, so nobody can
# plant links or records in it.  Runs shojid on hvsim (tests/sim/hvsim-serve).
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/system/toolstack-lib.sh"

ts_start_sim
shoji create -p "$(ts_xml keep "$GUESTS/idle")" >"$SHOJI_TMP/out" 2>&1 || fail "create: $(cat "$SHOJI_TMP/out")"

second() { # a second shojid on state directory $1, its own socket; its exit status
	timeout 20 "$SHOJID" --no-spawn --socket "$SHOJI_TMP/second.sock" --state-dir "$1" \
		--hv-socket "$TS_HV_SOCK" --xs-socket "$TS_XS_SOCK" --schema "$SHOJI_SCHEMA" \
		2>"$SHOJI_TMP/second.err" &
	pid=$!
	track_pid "$pid"
	wait "$pid"
}

second "$TS_STATE"
rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "a second shojid on the same state directory ran (status $rc)"
grep -q "is in use by another shojid" "$SHOJI_TMP/second.err" || fail "no clear line: $(cat "$SHOJI_TMP/second.err")"
[ "$(wc -l <"$SHOJI_TMP/second.err")" -eq 1 ] || fail "more than one line: $(cat "$SHOJI_TMP/second.err")"
[ ! -e "$SHOJI_TMP/second.sock" ] || fail "the second shojid made a socket"
shoji list | grep -q keep || fail "the first shojid lost its domain: $(shoji list 2>&1)"

mkdir -m 0770 "$SHOJI_TMP/groupw"
second "$SHOJI_TMP/groupw"
[ $? -ne 0 ] || fail "a group-writable state directory was taken"
grep -q "refusing state directory" "$SHOJI_TMP/second.err" || fail "no clear line: $(cat "$SHOJI_TMP/second.err")"

mkdir -m 0700 "$SHOJI_TMP/theirs"
chown nobody "$SHOJI_TMP/theirs" 2>/dev/null ||
	{ echo "SKIP: the other-user case NOT RUN: cannot give a directory to nobody (not root)"; exit 77; }
second "$SHOJI_TMP/theirs"
[ $? -ne 0 ] || fail "a state directory owned by another user was taken"
grep -q "refusing state directory" "$SHOJI_TMP/second.err" || fail "no clear line: $(cat "$SHOJI_TMP/second.err")"
[ -z "$(ls -A "$SHOJI_TMP/theirs")" ] || fail "shojid wrote into another user's directory: $(ls -A "$SHOJI_TMP/theirs")"
echo "toolstack-statedir: ok"
