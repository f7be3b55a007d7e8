#!/bin/sh
# shoji save and shoji restore of a running guest on KVM (toolstack-save.sh covers the stream
# on hvsim, where no guest runs): the demo guest, saved and restored under shojid, is alive
# afterwards and its xenstore ring, event channels and PV console work: a mem-set reaches it
# (its balloon line appears in its console log) and `shutdown --wait` ends it.  The restore
# keeps the saved domain id, so Dom0's daemons must map the new domain's memory, not the one
# an earlier domain of that id had.  `save --keep` is a checkpoint: the guest runs on, and the
# checkpoint restores as well.
. "$top_srcdir/tests/lib/common.sh"
require_kvm
. "$top_srcdir/tests/system/toolstack-lib.sh"
DEMO="$top_builddir/pv-drivers/guest/demo/demo"
[ -x "$DEMO" ] || fail "$DEMO is not built"

ts_start
LOG="$SHOJI_TMP/log/demo.log"

# The console log of demo shows a line matching $1 within 15 s.
wait_log() {
	local tries=150
	while [ "$tries" -gt 0 ]; do
		grep -q "$1" "$LOG" 2>/dev/null && return 0
		sleep 0.1
		tries=$((tries - 1))
	done
	return 1
}
# alive MIB WHAT: a mem-set to MIB MiB reaches the guest, which balloons to it.
alive() {
	shoji mem-set demo "${1}M" >/dev/null || fail "$2: mem-set ${1}M"
	wait_log "^demo: balloon target=$(($1 * 1024)) KiB current=$(($1 * 1024)) KiB" ||
		fail "$2: the guest never heard of memory/target ${1}M: $(tail -n 5 "$LOG")"
}

x=$(ts_xml demo "$DEMO" "" destroy restart destroy 32)
shoji create --kernel "$DEMO" "$x" >/dev/null || fail "create: $(ts_log)"
id=$(ts_id demo)
[ -n "$id" ] || fail "demo is not listed"
wait_log "^demo: ready" || fail "demo did not come up: $(cat "$LOG")"
alive 28 "before any save"

# A checkpoint: the guest runs on, same id, still listening.
shoji save --keep demo "$SHOJI_TMP/ckpt.sav" >/dev/null || fail "save --keep: $(ts_log)"
[ "$(ts_id demo)" = "$id" ] || fail "save --keep: demo is gone or moved: $(shoji list)"
alive 24 "after save --keep"

# A save ends the domain; the restore brings it back under the same id, and it works.
shoji save demo "$SHOJI_TMP/demo.sav" >/dev/null || fail "save: $(ts_log)"
ts_wait_gone demo "$id" 10 || fail "save left demo running: $(shoji list)"
# restored_works FILE MIB WHAT: FILE comes back under demo's id, hears a mem-set to MIB, shuts down.
restored_works() {
	shoji restore "$1" >"$SHOJI_TMP/out" || fail "$3: restore: $(ts_log)"
	grep -q "restored (id $id)" "$SHOJI_TMP/out" || fail "$3: $(cat "$SHOJI_TMP/out")"
	alive "$2" "$3"
	shoji shutdown --wait --timeout 20 demo >/dev/null ||
		fail "$3: the guest did not shut down: $(tail -n 5 "$LOG")"
	ts_wait_gone demo "$id" 10 || fail "$3: demo is still listed after its shutdown: $(shoji list)"
}
restored_works "$SHOJI_TMP/demo.sav" 20 "after restore"

# The checkpoint restores too (its memory target as it was then), and works the same.
restored_works "$SHOJI_TMP/ckpt.sav" 18 "after restoring the checkpoint"
exit 0
