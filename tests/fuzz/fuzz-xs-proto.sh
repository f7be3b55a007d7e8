#!/bin/sh
# Runs the xenstore protocol fuzzer for a bounded time on its seed corpus
# (tests/fuzz/xs_corpus).  Skipped when libFuzzer was not built.
. "$top_srcdir/tests/lib/common.sh"

fuzzer="$top_builddir/tests/fuzz/fuzz_xs_proto"
if [ ! -x "$fuzzer" ]; then
	echo "SKIP: fuzz_xs_proto not built (clang with -fsanitize=fuzzer not found)"
	exit 77
fi
mkdir "$SHOJI_TMP/corpus"
cp "$top_srcdir/tests/fuzz/xs_corpus/"* "$SHOJI_TMP/corpus/"
"$fuzzer" -max_total_time=10 -print_final_stats=1 "$SHOJI_TMP/corpus" \
	>"$SHOJI_TMP/fuzz.log" 2>&1 || { tail -n 60 "$SHOJI_TMP/fuzz.log"; fail "fuzz_xs_proto crashed"; }
grep -E '^stat::number_of_executed_units' "$SHOJI_TMP/fuzz.log"
echo "fuzz_xs_proto: no crash in 10 s"
