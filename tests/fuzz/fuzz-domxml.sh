#!/bin/sh
# Runs the domain XML fuzzer for a bounded time on the seed corpus of good and
# bad domain files (tests/data/domxml and examples/), with a dictionary of the
# schema's element, attribute and value names.  Skipped when libFuzzer was not
# built.
. "$top_srcdir/tests/lib/common.sh"

fuzzer="$top_builddir/tests/fuzz/fuzz_domxml"
schema="$top_srcdir/dom0-tools/domxml/shoji-domain.rng"
if [ ! -x "$fuzzer" ]; then
	echo "SKIP: fuzz_domxml not built (clang with -fsanitize=fuzzer not found)"
	exit 77
fi
corpus="$SHOJI_TMP/corpus"
mkdir "$corpus"
for f in "$top_srcdir"/tests/data/domxml/*/*.xml "$top_srcdir"/examples/*.xml; do
	dir=$(basename "$(dirname "$f")")
	cp "$f" "$corpus/$dir-$(basename "$f")"
done
{
	sed -n 's/.*<element name="\([A-Za-z_]*\)".*/"<\1>"\n"<\/\1>"/p' "$schema"
	sed -n 's/.*<attribute name="\([A-Za-z_]*\)".*/" \1=\x27"/p' "$schema"
	sed -n 's/.*<value>\([^<]*\)<\/value>.*/"\1"/p' "$schema"
} | sort -u >"$SHOJI_TMP/domxml.dict"
SHOJI_SCHEMA="$schema" "$fuzzer" -max_total_time=10 -print_final_stats=1 \
	-dict="$SHOJI_TMP/domxml.dict" "$corpus" >"$SHOJI_TMP/fuzz.log" 2>&1 ||
	{ tail -n 60 "$SHOJI_TMP/fuzz.log"; fail "fuzz_domxml crashed"; }
grep -E '^stat::number_of_executed_units' "$SHOJI_TMP/fuzz.log"
echo "fuzz_domxml: no crash in 10 s"
