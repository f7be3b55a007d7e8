#!/bin/sh
# Runs the netif tx request validator fuzzer for 10 s from an empty corpus.
# Skipped when libFuzzer was not built.
. "$top_srcdir/tests/lib/common.sh"

fuzzer="$top_builddir/tests/fuzz/fuzz_netif"
if [ ! -x "$fuzzer" ]; then
	echo "SKIP: fuzz_netif not built (clang with -fsanitize=fuzzer not found)"
	exit 77
fi
mkdir "$SHOJI_TMP/corpus"
"$fuzzer" -max_total_time=10 -print_final_stats=1 "$SHOJI_TMP/corpus" \
	>"$SHOJI_TMP/fuzz.log" 2>&1 || { tail -n 60 "$SHOJI_TMP/fuzz.log"; fail "fuzz_netif crashed"; }
grep -E '^stat::number_of_executed_units' "$SHOJI_TMP/fuzz.log"
echo "fuzz_netif: no crash in 10 s"
