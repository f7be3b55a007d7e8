#!/bin/sh
# dumpxml shows a running domain as it is now (issue 16, item 4): after mem-set,
# <currentMemory> is the new target, while the definition on disk keeps its own.
# Runs shojid on hvsim, so no /dev/kvm is needed.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/system/toolstack-lib.sh"
ts_start_sim

x=$(ts_xml live "$GUESTS/idle" "" destroy restart destroy 64)
shoji define "$x" >/dev/null || fail "define live"
shoji start -p live >/dev/null || fail "start -p live"
shoji dumpxml live | grep -q "<currentMemory unit=.KiB.>65536</currentMemory>" ||
	fail "dumpxml before mem-set: $(shoji dumpxml live)"
shoji mem-set live 32M >"$SHOJI_TMP/out" 2>&1 || fail "mem-set: $(cat "$SHOJI_TMP/out")"
shoji dumpxml live | grep -q "<currentMemory unit=.KiB.>32768</currentMemory>" ||
	fail "dumpxml after mem-set 32M: $(shoji dumpxml live | grep -i memory)"
shoji dumpxml live | grep -q "<memory unit=.KiB.>65536</memory>" || fail "the maximum changed"
shoji info live | grep -q "32 MiB (target)" || fail "info: $(shoji info live)"
shoji destroy live >/dev/null || fail "destroy live"
# Not running: the definition, unchanged.
shoji dumpxml live | grep -q "<currentMemory unit=.KiB.>65536</currentMemory>" ||
	fail "dumpxml of the definition: $(shoji dumpxml live | grep -i memory)"
echo "toolstack-dumpxml: all checks passed"
