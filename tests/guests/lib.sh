# Helpers for the guest system tests (tests/system/guest-*.sh).  Source it
# after tests/lib/common.sh:  . "$top_srcdir/tests/guests/lib.sh"
#
# Guests print "PASS name ..." / "FAIL name ..." per check and end with
# "SUCCESS" or "FAILURE"; shoji-hv run's exit status says how the domain
# ended (0 poweroff, 10 + reason for other shutdowns, 13 crash).

SHOJI_HV="$top_builddir/hypervisor/shoji-hv"
GUEST_DIR="$top_builddir/tests/guests"
GUEST_TIMEOUT=${GUEST_TIMEOUT:-120}

[ -x "$SHOJI_HV" ] || fail "$SHOJI_HV is not built"

# run_guest OUT GUEST [shoji-hv run options...]
# Boots tests/guests/GUEST; stdout goes to OUT.out, stderr to OUT.err and the
# exit status to $rc (124 when it ran past GUEST_TIMEOUT seconds).
run_guest() {
	local out=$1 guest=$2
	shift 2
	[ -f "$GUEST_DIR/$guest" ] || fail "guest $GUEST_DIR/$guest is not built"
	rc=0
	timeout "$GUEST_TIMEOUT" "$SHOJI_HV" run "$GUEST_DIR/$guest" "$@" \
		>"$out.out" 2>"$out.err" || rc=$?
}

# Print a run's output into the test log, then fail.
guest_fail() {
	local out=$1
	shift
	echo "---- stdout of $out" >&2
	cat "$out.out" >&2
	echo "---- stderr of $out" >&2
	cat "$out.err" >&2
	fail "$*"
}

# expect_rc OUT WANT: the run ended with status WANT.
expect_rc() {
	[ "$rc" -eq "$2" ] || guest_fail "$1" "exit status $rc, expected $2"
}

# expect_line OUT LINE: stdout holds exactly this line.
expect_line() {
	grep -qxF -- "$2" "$1.out" || guest_fail "$1" "missing output line: $2"
}

# expect_checks OUT NAME...: no FAIL line, a SUCCESS line, and a PASS line
# for every NAME given.
expect_checks() {
	local out=$1 name
	shift
	if grep -q '^FAIL' "$out.out"; then
		guest_fail "$out" "failed checks: $(grep '^FAIL' "$out.out" | tr '\n' ';')"
	fi
	grep -qx 'SUCCESS' "$out.out" || guest_fail "$out" "no SUCCESS line"
	for name in "$@"; do
		grep -qE "^PASS $name( |\$)" "$out.out" || guest_fail "$out" "check $name did not run"
	done
}
