#!/bin/sh
# Bad domain files and failed builds: exit non-zero with FILE:LINE (or the
# file and the reason), and nothing left behind in shoji-hv, xenstore or
# the state directory.
. "$top_srcdir/tests/lib/common.sh"
require_kvm
. "$top_srcdir/tests/system/toolstack-lib.sh"
BAD="$top_srcdir/tests/data/domxml/bad"

ts_start

# Nothing may exist but what the test keeps (the domain "dup").
nothing_left() {
	what=$1
	n=$(shoji list | tail -n +2 | grep -vc "^dup ")
	[ "$n" = 0 ] || fail "$what: domains left in shoji-hv: $(shoji list)"
	doms=$(xs list /local/domain 2>/dev/null | grep -vx "$dup_id" || true)
	[ -z "$doms" ] || fail "$what: xenstore /local/domain left: $doms"
	vms=$(xs list /vm 2>/dev/null | wc -l)
	[ "$vms" -le 1 ] || fail "$what: /vm entries left: $(xs list /vm)"
	recs=$(ls "$TS_STATE/run" | grep -vx "$dup_id.rec" || true)
	[ -z "$recs" ] || fail "$what: records left: $recs"
	[ -z "$(ls "$TS_STATE/defs")" ] || fail "$what: definitions left"
}

x=$(ts_xml dup "$GUESTS/hello")
shoji create -p "$x" >/dev/null || fail "create dup"
dup_id=$(ts_id dup)

# expect_bad FILE PATTERN: create and define fail (exit 1) printing PATTERN.
expect_bad() {
	for cmd in create define; do
		shoji "$cmd" "$1" 2>"$SHOJI_TMP/err"; rc=$?
		[ $rc = 1 ] || fail "$cmd $1: exit $rc, not 1"
		grep -q "$2" "$SHOJI_TMP/err" || fail "$cmd $1: expected '$2', got: $(cat "$SHOJI_TMP/err")"
		nothing_left "$cmd $1"
	done
}

expect_bad "$BAD/missing-name.xml" "^$BAD/missing-name.xml:[0-9]*: "
expect_bad "$BAD/unknown-element.xml" "^$BAD/unknown-element.xml:6: unknown element <foo>"
expect_bad "$BAD/memory-too-large.xml" "^$BAD/memory-too-large.xml:5: "
expect_bad "$BAD/memory-bad-unit.xml" "^$BAD/memory-bad-unit.xml:[0-9]*: "
expect_bad "$BAD/kernel-missing.xml" "^$BAD/kernel-missing.xml:[0-9]*: "

# Above shoji-hv's memory limit: refused by validation (the same limit,
# <shoji/limits.h>) with the file's line, before shoji-hv is asked; nothing built.
x=$(ts_xml huge "$GUESTS/hello" "" destroy restart destroy 65536)
shoji create "$x" 2>"$SHOJI_TMP/err"; [ $? = 1 ] || fail "huge domain created"
grep -q "^$x:3: <memory> of 67108864 KiB is above the maximum of 3145728 KiB (3072 MiB)" "$SHOJI_TMP/err" ||
	fail "huge: $(cat "$SHOJI_TMP/err")"
nothing_left huge

# A kernel without the PVH note: created in shoji-hv, then undone.
objcopy -R .note.Xen "$GUESTS/hello" "$SHOJI_TMP/nonote" || fail "objcopy"
x=$(ts_xml nonote "$SHOJI_TMP/nonote")
shoji create "$x" 2>"$SHOJI_TMP/err"; [ $? = 1 ] || fail "kernel without PVH note accepted"
grep -q "^shoji: $x: cannot load the kernel $SHOJI_TMP/nonote: " "$SHOJI_TMP/err" || fail "nonote: $(cat "$SHOJI_TMP/err")"
nothing_left nonote

# A duplicate name: refused, the first domain untouched.
x=$(ts_xml dup "$GUESTS/hello")
shoji create "$x" 2>"$SHOJI_TMP/err"; [ $? = 1 ] || fail "duplicate name accepted"
grep -q "^shoji: $x: a domain named 'dup' already exists (domid $dup_id)" "$SHOJI_TMP/err" ||
	fail "dup: $(cat "$SHOJI_TMP/err")"
[ "$(ts_id dup)" = "$dup_id" ] || fail "first dup changed"
nothing_left dup

# The coredump actions are accepted and kept (toolstack-coredump.sh runs them).
sed 's|<on_crash>destroy</on_crash>|<on_crash>coredump-destroy</on_crash>|' "$x" >"$SHOJI_TMP/core.xml"
sed -i 's|<name>dup</name>|<name>core</name>|' "$SHOJI_TMP/core.xml"
shoji define "$SHOJI_TMP/core.xml" >/dev/null 2>"$SHOJI_TMP/err" || fail "coredump-destroy refused: $(cat "$SHOJI_TMP/err")"
shoji dumpxml core | grep -q "<on_crash>coredump-destroy</on_crash>" || fail "core: $(shoji dumpxml core)"
shoji undefine core >/dev/null || fail "undefine core"
nothing_left core

# A name that could reach outside the state directory is no domain.
shoji undefine ../../etc/passwd 2>"$SHOJI_TMP/err"; [ $? = 3 ] || fail "undefine of a path: not exit 3"
grep -q "^shoji: no domain named '../../etc/passwd'" "$SHOJI_TMP/err" || fail "path name: $(cat "$SHOJI_TMP/err")"

shoji destroy dup || fail "destroy dup"
dup_id=none
nothing_left end
exit 0
