#!/bin/sh
# Messages that tell the cause (issue 16, item 3): shojid says why shoji-hv did not come
# up (its last log line); a user who may not connect is told who may; a kernel that is not
# PVH is named once.  Runs without KVM (a fake shoji-hv, then hvsim).
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/system/toolstack-lib.sh"

# shoji-hv that fails at start: shojid's error carries its last line.
printf '#!/bin/sh\necho "fake-hv: starting" >&2\necho "fake-hv: cannot use /dev/kvm: the cause" >&2\nexit 1\n' \
	>"$SHOJI_TMP/fake-hv"
chmod +x "$SHOJI_TMP/fake-hv"
rc=0
"$SHOJID" --socket "$SHOJI_TMP/x.sock" --state-dir "$SHOJI_TMP/xstate" --hv-socket "$SHOJI_TMP/xhv.sock" \
	--xs-socket "$SHOJI_TMP/xxs.sock" --hv-bin "$SHOJI_TMP/fake-hv" \
	--xs-bin "$top_builddir/xenstore/xenstored/shoji-xenstored" 2>"$SHOJI_TMP/err" || rc=$?
[ "$rc" != 0 ] || fail "shojid started without shoji-hv"
grep -q "^shojid: shoji-hv did not come up: fake-hv: cannot use /dev/kvm: the cause (see $SHOJI_TMP/xstate/shoji-hv.log)\$" \
	"$SHOJI_TMP/err" || fail "no cause: $(cat "$SHOJI_TMP/err")"

ts_start_sim
chmod 755 "$SHOJI_TMP" # the socket's directory: others may look, the socket (0660) says no
# A user in no group of shojid's (ids no account has here).
nobody() { setpriv --reuid=4242 --regid=4242 --clear-groups "$SHOJI" "$@"; }
rc=0
nobody list >"$SHOJI_TMP/out" 2>&1 || rc=$?
[ "$rc" = 4 ] || fail "nobody: exit $rc: $(cat "$SHOJI_TMP/out")"
grep -q "may not connect to shojid at $SHOJID_SOCKET: only root may (shojid runs without --group" "$SHOJI_TMP/out" ||
	fail "nobody without --group: $(cat "$SHOJI_TMP/out")"
grep -q "is shojid running" "$SHOJI_TMP/out" && fail "asks whether shojid runs: $(cat "$SHOJI_TMP/out")"
stop_pids "$SHOJID_PID"
ts_start --no-spawn --group nogroup
rc=0
nobody list >"$SHOJI_TMP/out" 2>&1 || rc=$?
[ "$rc" = 4 ] && grep -q "only root and members of group 'nogroup' (shojid --group) may" "$SHOJI_TMP/out" ||
	fail "nobody with --group: $(cat "$SHOJI_TMP/out")"
# A member gets in.
setpriv --reuid=4242 --regid=4242 --groups "$(getent group nogroup | cut -d: -f3)" "$SHOJI" list >"$SHOJI_TMP/out" 2>&1 ||
	fail "a member of nogroup: $(cat "$SHOJI_TMP/out")"
SHOJID_SOCKET="$SHOJI_TMP/none.sock" "$SHOJI" list >"$SHOJI_TMP/out" 2>&1 && fail "list without shojid"
grep -q "is shojid running" "$SHOJI_TMP/out" || fail "no shojid: $(cat "$SHOJI_TMP/out")"

# A file that is not a PVH kernel is named once.
rc=0
shoji create -p "$(ts_xml notpvh /bin/ls)" >"$SHOJI_TMP/out" 2>&1 || rc=$?
[ "$rc" = 1 ] && [ "$(grep -o /bin/ls "$SHOJI_TMP/out" | wc -l)" = 1 ] &&
	grep -q "cannot load the kernel /bin/ls: no PVH entry point" "$SHOJI_TMP/out" ||
	fail "create with /bin/ls: $(cat "$SHOJI_TMP/out")"
echo "toolstack-hints: all checks passed"
