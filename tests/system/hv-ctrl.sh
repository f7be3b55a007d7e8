#!/bin/sh
# shoji-hv as a daemon: boot hello through libshoji-ctrl on a private socket,
# read its console ring, follow its states, refuse bad requests, destroy it.
. "$top_srcdir/tests/lib/common.sh"
require_kvm

HV="$top_builddir/hypervisor/shoji-hv"
CLI="$top_builddir/tests/system/hv-ctrl-client"
HELLO="$top_builddir/tests/guests/hello"
TRIPLE="$top_builddir/tests/guests/triplefault"
SOCK="$SHOJI_TMP/run/hv.sock"
[ -x "$HV" ] && [ -x "$CLI" ] && [ -f "$HELLO" ] || fail "shoji-hv, the client or hello is not built"

"$HV" --socket "$SOCK" 2>"$SHOJI_TMP/hv.err" &
hv_pid=$!
track_pid "$hv_pid"
wait_for_path "$SOCK" 10
[ "$(stat -c %a "$SOCK")" = 600 ] || fail "control socket mode is $(stat -c %a "$SOCK"), not 600"

ctl() { "$CLI" "$SOCK" "$@"; }

# create -> paused; load; unpause and follow the states to poweroff.
id=$(ctl create hello-ctl 32 1) || fail "create failed"
ctl info "$id" | grep -q "name=hello-ctl state=paused .*vcpus=1 online=0 max_kib=32768" ||
	fail "new domain is not paused: $(ctl info "$id")"
ctl info "$id" | grep -q "^00000000000000000000000000000000 " && fail "no UUID generated"
ctl load "$id" "$HELLO" "via ctrl" || fail "load failed"
ctl unpause-wait "$id" 60 >"$SHOJI_TMP/events" || fail "hello did not shut down"
grep -q "^event shutdown reason=0" "$SHOJI_TMP/events" || fail "no poweroff event: $(cat "$SHOJI_TMP/events")"
ctl info "$id" | grep -q "state=shutdown reason=0" || fail "info: $(ctl info "$id")"
ctl console "$id" >"$SHOJI_TMP/console"
grep -qx "Hello from Shoji guest" "$SHOJI_TMP/console" || fail "console ring: $(cat "$SHOJI_TMP/console")"
grep -qx "cmdline=via ctrl" "$SHOJI_TMP/console" || fail "console ring lacks the command line"
grep -qx "domid=$id" "$SHOJI_TMP/console" || fail "guest saw another domid"
ctl list | grep -q " domid=$id name=hello-ctl state=shutdown" || fail "list: $(ctl list)"
ctl rename "$id" hello-renamed || fail "rename"
ctl info "$id" | grep -q "name=hello-renamed " || fail "rename not reflected: $(ctl info "$id")"
ctl rename "$id" "" 2>/dev/null && fail "renamed to an empty name"

# HVM params set by the toolstack reach the domain.
ctl set-param "$id" 1 0xfeff0 || fail "set-param"
[ "$(ctl get-param "$id" 1)" = 0xfeff0 ] || fail "get-param"
ctl get-param "$id" 999 2>/dev/null && fail "get-param accepted a bad index"

ctl destroy "$id" || fail "destroy"
ctl info "$id" 2>/dev/null && fail "destroyed domain still answers info"
ctl destroy "$id" 2>/dev/null && fail "double destroy succeeded"

# Refusals: a bad image leaves the domain paused and empty, a domain with
# nothing loaded cannot start, a malformed request gets EINVAL.
id2=$(ctl create empty 16 2 00112233445566778899aabbccddeeff) || fail "second create failed"
ctl info "$id2" | grep -q "^00112233445566778899aabbccddeeff domid=$id2 " ||
	fail "toolstack UUID not kept: $(ctl info "$id2")"
[ "$id2" != "$id" ] || fail "domid $id reused at once"
ctl load "$id2" /nonexistent/kernel 2>"$SHOJI_TMP/load.err" && fail "loaded a missing file"
grep -q "cannot open /nonexistent/kernel" "$SHOJI_TMP/load.err" || fail "load error: $(cat "$SHOJI_TMP/load.err")"
ctl load "$id2" "$SOCK" 2>/dev/null && fail "loaded a socket"
ctl unpause "$id2" 2>/dev/null && fail "unpaused a domain with nothing loaded"
ctl create big 999999 1 2>/dev/null && fail "created a domain with absurd memory"
ctl bad-size >/dev/null || fail "malformed request not refused"
ctl info "$id2" | grep -q "state=paused" || fail "empty domain: $(ctl info "$id2")"
ctl destroy "$id2" || fail "destroy of the empty domain"

# A guest that dies is marked crashed; the daemon and its other domains go on.
if [ -f "$TRIPLE" ]; then
	id3=$(ctl create tf 16 1) || fail "create"
	ctl load "$id3" "$TRIPLE" || fail "load triplefault"
	ctl unpause-wait "$id3" 60 >"$SHOJI_TMP/events3" || fail "triplefault did not end"
	ctl info "$id3" | grep -q "state=crashed" || fail "not crashed: $(ctl info "$id3")"
	ctl destroy "$id3" || fail "destroy crashed domain"
fi
id4=$(ctl create hello2 16 1) || fail "daemon stopped serving"
ctl load "$id4" "$HELLO" || fail "load"
ctl pause "$id4" || fail "pause"
ctl info "$id4" | grep -q "state=paused" || fail "pause not reflected"

# SIGTERM: every domain is torn down, the socket removed, exit status 0.
kill -TERM "$hv_pid"
wait "$hv_pid" || fail "shoji-hv exited with status $?"
[ ! -e "$SOCK" ] || fail "socket left behind"
exit 0
