#!/bin/sh
# Run the hypercall-dispatch fuzzer for a bounded time on a small seed corpus.
. "$top_srcdir/tests/lib/common.sh"
fuzzer="$top_builddir/tests/fuzz/fuzz_hv_hypercall"
if [ ! -x "$fuzzer" ]; then
	echo "SKIP: fuzz_hv_hypercall not built (no clang with -fsanitize=fuzzer)"
	exit 77
fi
mkdir -p "$SHOJI_TMP/corpus"
# One call of each family with small arguments, paging off and on.
printf '\000\000\000\000\000\000\000\000\000\001\000\000\000\000\000\000\000' >"$SHOJI_TMP/corpus/ver"
printf '\001\003\002\000\000\000\000\000\000\000\000\001\000\000\000\000\000\000' >"$SHOJI_TMP/corpus/con"
head -c 4096 /dev/urandom >"$SHOJI_TMP/corpus/random"
"$fuzzer" -max_total_time=10 -print_final_stats=1 "$SHOJI_TMP/corpus" ||
	fail "fuzz_hv_hypercall found a crash"
