#!/bin/sh
# Issue 15 #8: one shoji-xenstored per state directory.  A second daemon on
# the same state directory exits at once (status 1, one line) without
# touching the first's socket or journal (before, it unlinked the first's
# socket and both appended to the journal: acknowledged writes were lost).
# A daemon replaces only a stale socket, and at exit removes its socket only
# while it is still its own.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/system/xs-common.sh"

sock_id() { stat -c %d:%i "$1"; }

# second_refused WHAT ARGS...: runs a daemon that must exit 1 with one line
second_refused() {
	what=$1
	shift
	timeout 10 "$XSD" "$@" 2>"$SHOJI_TMP/second.err"
	rc=$?
	[ $rc -eq 1 ] || fail "$what: exit status $rc, not 1"
	[ "$(wc -l <"$SHOJI_TMP/second.err")" -eq 1 ] || fail "$what: $(cat "$SHOJI_TMP/second.err")"
	echo "$what: $(cat "$SHOJI_TMP/second.err")"
}

xs_start
first=$(sock_id "$XS_SOCK")
xs write /before 1 || fail "first daemon"
logsize=$(stat -c %s "$XS_STATE/xenstore.log")
second_refused "same state dir, same socket" --socket "$XS_SOCK" --state-dir "$XS_STATE"
grep -q "in use" "$SHOJI_TMP/second.err" || fail "the error does not say why"
second_refused "same state dir, another socket" --socket "$SHOJI_TMP/other.sock" --state-dir "$XS_STATE"
[ ! -e "$SHOJI_TMP/other.sock" ] || fail "the second daemon created its socket"
[ "$(sock_id "$XS_SOCK")" = "$first" ] || fail "the first daemon's socket was replaced"
[ "$(stat -c %s "$XS_STATE/xenstore.log")" = "$logsize" ] || fail "the second daemon wrote the journal"
kill -0 "$XS_PID" || fail "the first daemon died"
xs write /after 2 || fail "the first daemon stopped serving"
[ "$(xs read /before)" = 1 ] || fail "state lost"

# another state directory but a live daemon's socket: refused too
second_refused "a live daemon's socket" --socket "$XS_SOCK" --state-dir "$SHOJI_TMP/state2"
[ "$(sock_id "$XS_SOCK")" = "$first" ] || fail "a live daemon's socket was replaced"
xs write /still 3 || fail "the first daemon stopped serving"

# the socket is taken over after the first daemon's file went away: the first
# daemon, stopped, must leave the new one's socket alone
old_pid=$XS_PID
rm -f "$XS_SOCK"
"$XSD" --socket "$XS_SOCK" --state-dir "$SHOJI_TMP/state3" 2>>"$SHOJI_TMP/xenstored.log" &
new_pid=$!
track_pid "$new_pid"
wait_for_path "$XS_SOCK" 10
new=$(sock_id "$XS_SOCK")
kill "$old_pid"
wait "$old_pid" 2>/dev/null
[ -S "$XS_SOCK" ] && [ "$(sock_id "$XS_SOCK")" = "$new" ] || fail "the old daemon removed the new one's socket"
xs write /new 1 || fail "the new daemon is unreachable"

# a stale socket (its daemon killed) is replaced
kill -9 "$new_pid"
wait "$new_pid" 2>/dev/null
"$XSD" --socket "$XS_SOCK" --state-dir "$SHOJI_TMP/state3" 2>>"$SHOJI_TMP/xenstored.log" &
XS_PID=$!
track_pid "$XS_PID"
tries=0
until xs read /new >/dev/null 2>&1; do
	tries=$((tries + 1))
	[ $tries -lt 100 ] || fail "a stale socket was not replaced"
	sleep 0.1
done
# and the daemon that exits cleanly removes its own socket
kill "$XS_PID"
wait "$XS_PID" 2>/dev/null
[ ! -e "$XS_SOCK" ] || fail "the socket stayed after a clean exit"
echo "xs-instance: ok"
