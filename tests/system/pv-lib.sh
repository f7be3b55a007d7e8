# Helpers for the event channel / grant table system tests (pv-*.sh).
# Source after tests/lib/common.sh and tests/guests/lib.sh.
#
#   pv_start_hv                 start a private shoji-hv daemon
#   pv_run OUT SECS ARGS...     run tests/system/pvrun on it; ARGS are pvrun's
#                               ([--vcpus=N] [--bg] KERNEL CMDLINE ...); stdout
#                               to OUT.out, stderr to OUT.err, status in $rc.
# Guest N's console lines appear in OUT.out as "[N] ...", so lib.sh's
# expect_line works on them; pv_expect_checks OUT N NAME... is expect_checks
# for guest N.

PVRUN="$top_builddir/tests/system/pvrun"
PV_SOCK="$SHOJI_TMP/run/hv.sock"
[ -x "$PVRUN" ] || fail "$PVRUN is not built"

pv_start_hv() {
	"$SHOJI_HV" --socket "$PV_SOCK" 2>"$SHOJI_TMP/hv.err" &
	track_pid $!
	wait_for_path "$PV_SOCK" 10
}

pv_run() {
	local out=$1 secs=$2
	shift 2
	rc=0
	"$PVRUN" "$PV_SOCK" "$secs" "$@" >"$out.out" 2>"$out.err" || rc=$?
}

pv_expect_checks() {
	local out=$1 n=$2 name
	shift 2
	if grep -q "^\[$n\] FAIL" "$out.out"; then
		guest_fail "$out" "guest $n failed: $(grep "^\[$n\] FAIL" "$out.out" | tr '\n' ';')"
	fi
	grep -qx "\[$n\] SUCCESS" "$out.out" || guest_fail "$out" "guest $n: no SUCCESS line"
	for name in "$@"; do
		grep -qE "^\[$n\] PASS $name( |\$)" "$out.out" ||
			guest_fail "$out" "guest $n: check $name did not run"
	done
}
