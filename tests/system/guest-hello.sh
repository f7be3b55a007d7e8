#!/bin/sh
# hello boots, prints its greeting, domain id and command line exactly, and
# powers off (exit status 0).
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/guests/lib.sh"
require_kvm

run_guest "$SHOJI_TMP/hello" hello --cmdline "hello world"
expect_rc "$SHOJI_TMP/hello" 0
expect_line "$SHOJI_TMP/hello" "Hello from Shoji guest"
expect_line "$SHOJI_TMP/hello" "cmdline=hello world"
grep -qxE 'domid=[0-9]+' "$SHOJI_TMP/hello.out" || guest_fail "$SHOJI_TMP/hello" "no domid line"
[ "$(wc -l <"$SHOJI_TMP/hello.out")" -eq 3 ] || guest_fail "$SHOJI_TMP/hello" "unexpected output"

# No command line at all: an empty one.
run_guest "$SHOJI_TMP/hello-nocmd" hello
expect_rc "$SHOJI_TMP/hello-nocmd" 0
expect_line "$SHOJI_TMP/hello-nocmd" "cmdline="
exit 0
