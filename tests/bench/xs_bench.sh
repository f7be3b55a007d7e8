#!/bin/sh
# make bench: shoji-xenstored over its socket (tests/bench/xs_bench.c), each line beside
# echo servers that do no work.  One client with the daemon and the client on the same CPU
# and on different CPUs (a round trip costs several times more across CPUs on this host);
# eight clients where the scheduler puts them.
set -e
BENCH="$top_builddir/tests/bench/xs_bench"

if [ "$(nproc)" -gt 1 ]; then
	echo "== xs_bench: 1 client, daemon and client on CPU 0"
	"$BENCH" --clients 1 --daemon-cpu 0 --client-cpu 0
	echo "== xs_bench: 1 client, daemon on CPU 1, client on CPU 0"
	"$BENCH" --clients 1 --daemon-cpu 1 --client-cpu 0
	echo "== xs_bench: 8 clients, placed by the scheduler"
	"$BENCH" --clients 8
else
	"$BENCH"
fi
