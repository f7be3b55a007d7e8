#!/bin/sh
# make bench: Dom0 event channel and grant figures (tests/bench/pv_bench.c), each beside its
# host comparison, with shoji-hv and the Dom0 client on the same CPU and on different CPUs,
# without and with 50 us of polling before each sleep.
set -e
HV="$top_builddir/hypervisor/shoji-hv"
BENCH="$top_builddir/tests/bench/pv_bench"
G="$top_builddir/tests/guests"
PVRUN="$top_builddir/tests/system/pvrun"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/pv-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
ncpu=$(nproc)

run() { # HV_CPU CLIENT_CPU SPIN_US LABEL
	echo "== pv_bench: $4"
	taskset -c "$1" "$HV" --socket "$TMP/hv.sock" 2>"$TMP/hv.err" &
	pid=$!
	i=0
	while [ ! -S "$TMP/hv.sock" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	taskset -c "$2" "$BENCH" "$TMP/hv.sock" "$G/evtchn-dom0" "$G/gnttab-dom0" 2000 "$3" "$2" "$1" \
		>"$TMP/out" || echo "pv_bench failed: $(cat "$TMP/hv.err")"
	cat "$TMP/out"
	# guest <-> guest (the guests time their own round trips), beside the same eventfd figure.
	if [ "$3" = 0 ]; then
		host=$(sed -n 's/^eventfd ping-pong.* median *\([0-9.]*\) us.*/\1/p' "$TMP/out")
		timeout 300 "$PVRUN" "$TMP/hv.sock" 240 \
			"$G/evtchn-pingpong" "role=server peer={dom1} rounds=2000" \
			"$G/evtchn-pingpong" "role=client peer={dom0} rounds=2000" >"$TMP/gg" 2>&1 || true
		med=$(sed -n 's/^\[1\] pingpong: median_rtt_ns=//p' "$TMP/gg")
		p99=$(sed -n 's/^\[1\] pingpong: p99_rtt_ns=//p' "$TMP/gg")
		if [ -n "$med" ] && [ -n "$host" ]; then
			awk -v m="$med" -v p="$p99" -v h="$host" 'BEGIN {
				printf "%-44s median %8.1f us  p99 %8.1f us\n", "notify round trip guest<->guest", m / 1000, p / 1000
				printf "%-44s %10.2fx (goal <= 3x)\n", "guest<->guest / eventfd median", m / 1000 / h }'
		else
			echo "guest<->guest ping-pong failed: $(tail -3 "$TMP/gg")"
		fi
	fi
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	rm -f "$TMP/hv.sock"
}

run 0 0 0 "same CPU (shoji-hv and Dom0 on CPU 0), sleeping waits"
if [ "$ncpu" -gt 1 ]; then
	run 1 0 0 "across CPUs (shoji-hv on CPU 1, Dom0 on CPU 0), sleeping waits"
	run 1 0 50 "across CPUs, 50 us polling before each sleep"
fi
