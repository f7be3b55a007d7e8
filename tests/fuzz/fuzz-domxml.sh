#!/bin/sh
# Runs the domain XML fuzzer for a bounded time on the seed corpus of good and
# bad domain files (tests/data/domxml).  Skipped when libFuzzer was not built.
. "$top_srcdir/tests/lib/common.sh"

fuzzer="$top_builddir/tests/fuzz/fuzz_domxml"
if [ ! -x "$fuzzer" ]; then
	echo "SKIP: fuzz_domxml not built (clang with -fsanitize=fuzzer not found)"
	exit 77
fi
mkdir "$SHOJI_TMP/corpus"
find "$top_srcdir/tests/data/domxml" -name '*.xml' -exec cp {} "$SHOJI_TMP/corpus/" \;
cp "$top_srcdir/examples/"*.xml "$SHOJI_TMP/corpus/"
SHOJI_SCHEMA="$top_srcdir/dom0-tools/shoji-domain.rng" \
	"$fuzzer" -max_total_time=10 -print_final_stats=1 "$SHOJI_TMP/corpus" \
	>"$SHOJI_TMP/fuzz.log" 2>&1 || { tail -n 60 "$SHOJI_TMP/fuzz.log"; fail "fuzz_domxml crashed"; }
grep -E '^stat::number_of_executed_units' "$SHOJI_TMP/fuzz.log"
echo "fuzz_domxml: no crash in 10 s"
