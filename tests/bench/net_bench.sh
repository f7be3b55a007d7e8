#!/bin/sh
# make bench: shoji-netback's tx and rx paths on hvsim beside a plain TAP write/read loop in the
# same run (tests/bench/net_bench.c), NET_BENCH_SECONDS (default 1) per line, in a private
# network namespace.  Needs root and /dev/net/tun (else it says so and skips).
set -e
"$top_builddir/tests/bench/net_bench" "${NET_BENCH_SECONDS:-1}"
