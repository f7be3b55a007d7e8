# Shared helpers for Shoji's shell tests.  Source it:  . "$top_srcdir/tests/lib/common.sh"
# Exit codes follow automake: 0 pass, 77 skip, 99 hard error, anything else fail.

: "${top_srcdir:?run through make check (top_srcdir unset)}"
: "${top_builddir:?run through make check (top_builddir unset)}"

# A private scratch directory per test, removed on exit with any daemons we started.
SHOJI_TEST_PIDS=""
SHOJI_TMP=$(mktemp -d "${TMPDIR:-/tmp}/shoji-test.XXXXXX")
shoji_cleanup() {
	stop_pids $SHOJI_TEST_PIDS
	for pid in $SHOJI_TEST_PIDS; do
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$SHOJI_TMP"
}

# stop_pids PID...: SIGTERM, up to 3 s to exit, then SIGKILL, so that no daemon outlives its
# test even when it ignores SIGTERM (the ones shojid spawns are not our children: no wait).
stop_pids() {
	local pid left tries=60
	for pid in "$@"; do
		kill "$pid" 2>/dev/null || true
	done
	while [ "$tries" -gt 0 ]; do
		left=""
		for pid in "$@"; do
			kill -0 "$pid" 2>/dev/null && left="$left $pid"
		done
		[ -z "$left" ] && return 0
		sleep 0.05
		tries=$((tries - 1))
	done
	for pid in $left; do
		echo "cleanup: pid $pid ignored SIGTERM; killing it" >&2
		kill -9 "$pid" 2>/dev/null || true
	done
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
