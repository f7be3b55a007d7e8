#!/bin/sh
# The command line reaches the guest byte for byte: spaces, quotes, UTF-8,
# a long one, and none at all.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/guests/lib.sh"
require_kvm

check_cmdline() {
	local out=$1 cl=$2
	shift 2
	run_guest "$out" cmdline --cmdline "$cl"
	expect_line "$out" "cmdline=[$cl]"
	expect_line "$out" "cmdline_len=$(printf '%s' "$cl" | wc -c)"
	expect_checks "$out" cmdline_terminated cmdline_clear_of_image "$@"
	expect_rc "$out" 0
}

check_cmdline "$SHOJI_TMP/cmdline-kv" 'alpha=1 beta=two  x="q u" caf\303\251' \
	cmdline_alpha cmdline_beta cmdline_gamma_absent
check_cmdline "$SHOJI_TMP/cmdline-utf8" "$(printf 'console=hvc0 caf\303\251 \342\234\223')"
long=$(printf '%0900d' 0 | tr 0 x)
check_cmdline "$SHOJI_TMP/cmdline-long" "long=$long end"

run_guest "$SHOJI_TMP/cmdline-none" cmdline
expect_line "$SHOJI_TMP/cmdline-none" "cmdline=[]"
expect_rc "$SHOJI_TMP/cmdline-none" 0
exit 0
