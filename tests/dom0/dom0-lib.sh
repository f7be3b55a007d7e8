# Shared set-up of the Dom0 system tests: a private shoji-hv daemon.
# Source after tests/lib/common.sh and require_kvm.
HV="$top_builddir/hypervisor/shoji-hv"
SOCK="$SHOJI_TMP/run/hv.sock"
DOM0="$top_builddir/tests/dom0"
GUESTS="$top_builddir/tests/guests"
[ -x "$HV" ] || fail "shoji-hv is not built"

"$HV" --socket "$SOCK" 2>"$SHOJI_TMP/hv.err" &
hv_pid=$!
track_pid "$hv_pid"
wait_for_path "$SOCK" 10

# shoji-hv must still be alive at the end of a test.
hv_alive() {
	kill -0 "$hv_pid" 2>/dev/null || fail "shoji-hv died: $(cat "$SHOJI_TMP/hv.err")"
}
