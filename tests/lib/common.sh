# Shared helpers for Shoji's shell tests.  Source it:  . "$top_srcdir/tests/lib/common.sh"
# Exit codes follow automake: 0 pass, 77 skip, 99 hard error, anything else fail.

: "${top_srcdir:?run through make check (top_srcdir unset)}"
: "${top_builddir:?run through make check (top_builddir unset)}"

# A private scratch directory per test, removed on exit with any daemons we started.
SHOJI_TEST_PIDS=""
SHOJI_TMP=$(mktemp -d "${TMPDIR:-/tmp}/shoji-test.XXXXXX")
shoji_cleanup() {
	for pid in $SHOJI_TEST_PIDS; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in $SHOJI_TEST_PIDS; do
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$SHOJI_TMP"
}
trap shoji_cleanup EXIT

# Remember a background daemon's PID so it is stopped when the test ends.
track_pid() {
	SHOJI_TEST_PIDS="$SHOJI_TEST_PIDS $1"
}

# Tests that need KVM call this first.  Where /dev/kvm is missing the test is
# skipped loudly; .ci/run fails if /dev/kvm exists and any KVM test skipped.
require_kvm() {
	if [ ! -c /dev/kvm ] || [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		echo "SKIP: KVM TEST NOT RUN: /dev/kvm is missing or not accessible to $(id -un)" >&2
		echo "SKIP: KVM TEST NOT RUN: /dev/kvm is missing or not accessible to $(id -un)"
		exit 77
	fi
}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# Wait up to $2 seconds (default 5) for a socket or file to appear.
wait_for_path() {
	local path=$1 tries=$(( ${2:-5} * 20 ))
	while [ ! -e "$path" ] && [ "$tries" -gt 0 ]; do
		sleep 0.05
		tries=$((tries - 1))
	done
	[ -e "$path" ] || fail "timed out waiting for $path"
}
