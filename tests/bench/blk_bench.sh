#!/bin/sh
# make bench: shoji-blkback's request path (tests/bench/blk_bench.c) beside a plain io_uring
# program on the same 256 MiB file, 1 s per line.  The file lives in $BLK_BENCH_DIR (default
# ${TMPDIR:-/tmp}): put it on the file system or device you want measured.
set -e
dir=${BLK_BENCH_DIR:-${TMPDIR:-/tmp}}
f=$(mktemp "$dir/blk-bench.XXXXXX")
trap 'rm -f "$f"' EXIT
echo "== blk_bench: $(df -T "$dir" | awk 'NR == 2 {print $2 " on " $1}')"
"$top_builddir/tests/bench/blk_bench" "$f" "${BLK_BENCH_SECONDS:-1}"
