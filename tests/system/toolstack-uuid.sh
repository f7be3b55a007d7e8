#!/bin/sh
# A uuid names one domain, as in libvirt: define and create refuse a domain
# whose <uuid> a running domain or a definition of another name already has
# (issue 15, finding 14), with one line naming the holder, and nothing is
# left behind; the same name with its own uuid is still redefined.  Runs
# shojid on hvsim (tests/sim/hvsim-serve), so no /dev/kvm is needed: domains
# are created paused and never run.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/system/toolstack-lib.sh"

ts_start_sim

# uxml NAME UUID: a domain file with that uuid.
uxml() {
	cat >"$SHOJI_TMP/$1.xml" <<XMLEOF
<domain type='xen'>
  <name>$1</name>
  <uuid>$2</uuid>
  <memory unit='MiB'>16</memory>
  <os>
    <type>xenpvh</type>
    <kernel>$GUESTS/idle</kernel>
  </os>
</domain>
XMLEOF
	echo "$SHOJI_TMP/$1.xml"
}
U=6f1c2b3a-0d4e-4f5a-8b6c-7d8e9f0a1b2c
V=0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d

shoji define "$(uxml a $U)" >"$SHOJI_TMP/out" 2>&1 || fail "define a: $(cat "$SHOJI_TMP/out")"
# A second name with a's uuid: refused, by define and by create.
if shoji define "$(uxml b $U)" >"$SHOJI_TMP/out" 2>&1; then
	fail "define b with a's uuid was accepted"
fi
grep -q "domain 'a' already has uuid $U" "$SHOJI_TMP/out" || fail "define b said: $(cat "$SHOJI_TMP/out")"
[ "$(wc -l <"$SHOJI_TMP/out")" -eq 1 ] || fail "more than one line: $(cat "$SHOJI_TMP/out")"
if shoji create -p "$SHOJI_TMP/b.xml" >"$SHOJI_TMP/out" 2>&1; then
	fail "create b with a's uuid was accepted"
fi
grep -q "domain 'a' already has uuid $U" "$SHOJI_TMP/out" || fail "create b said: $(cat "$SHOJI_TMP/out")"
shoji list --all | grep -q '^b ' && fail "b was left behind: $(shoji list --all)"

# A running domain's uuid is taken too.
shoji create -p "$(uxml c $V)" >"$SHOJI_TMP/out" 2>&1 || fail "create c: $(cat "$SHOJI_TMP/out")"
if shoji define "$(uxml d $V)" >"$SHOJI_TMP/out" 2>&1; then
	fail "define d with running c's uuid was accepted"
fi
grep -q "domain 'c' already has uuid $V" "$SHOJI_TMP/out" || fail "define d said: $(cat "$SHOJI_TMP/out")"
shoji list --all | grep -q '^d ' && fail "d was left behind: $(shoji list --all)"

# The same name keeps its own uuid: redefining a, and defining c itself, work.
shoji define "$SHOJI_TMP/a.xml" >"$SHOJI_TMP/out" 2>&1 || fail "redefine a: $(cat "$SHOJI_TMP/out")"
shoji define "$SHOJI_TMP/c.xml" >"$SHOJI_TMP/out" 2>&1 || fail "define running c: $(cat "$SHOJI_TMP/out")"
shoji destroy c >"$SHOJI_TMP/out" 2>&1 || fail "destroy c: $(cat "$SHOJI_TMP/out")"
echo "toolstack-uuid: a uuid names one domain"
