#!/bin/sh
# Run the loader fuzzer for a bounded time on a seed corpus (the hello guest and
# tests/fuzz/hv_loader_corpus: 32-bit images with a PT_NOTE or only a note
# section at physical 0, a 64-bit image carrying Linux's hypercall stubs).
. "$top_srcdir/tests/lib/common.sh"
fuzzer="$top_builddir/tests/fuzz/fuzz_hv_loader"
if [ ! -x "$fuzzer" ]; then
	echo "SKIP: fuzz_hv_loader not built (no clang with -fsanitize=fuzzer)"
	exit 77
fi
mkdir -p "$SHOJI_TMP/corpus"
[ -f "$top_builddir/tests/guests/hello" ] && cp "$top_builddir/tests/guests/hello" "$SHOJI_TMP/corpus/"
printf '\177ELF\002\001\001' >"$SHOJI_TMP/corpus/header"
cp "$top_srcdir/tests/fuzz/hv_loader_corpus/"* "$SHOJI_TMP/corpus/"
"$fuzzer" -max_total_time=10 -max_len=65536 -print_final_stats=1 "$SHOJI_TMP/corpus" ||
	fail "fuzz_hv_loader found a crash"
